import numpy as np
import pytest

from runlog import geo


def test_one_degree_of_latitude():
    # 2 * pi * 6371008.8 m / 360 = 111195.080 m
    assert geo.haversine_m(0, 0, 1, 0) == pytest.approx(111195.080, abs=1e-3)


def test_one_degree_of_longitude_at_60_degrees_is_half():
    # Along a parallel the haversine distance for small steps approaches R*cos(lat)*dlon.
    # For 1e-4 degrees at lat 60: 6371008.8 * cos(60°) * radians(1e-4) = 5.55975 m
    d = geo.haversine_m(60, 0, 60, 1e-4)
    assert d == pytest.approx(6371008.8 * 0.5 * np.radians(1e-4), rel=1e-6)


def test_step_and_cumulative_distance_bridge_gaps():
    lat = np.array([np.nan, 0.0, 0.001, np.nan, 0.003])
    lon = np.zeros(5)
    step = geo.step_distance_m(lat, lon)
    one_mdeg = 111.19508023353292  # 0.001 degree of latitude [m]
    assert np.isnan(step[0]) and step[1] == 0.0
    assert step[2] == pytest.approx(one_mdeg, rel=1e-9)
    assert np.isnan(step[3])
    assert step[4] == pytest.approx(2 * one_mdeg, rel=1e-9)  # from the last known position
    cum = geo.cumulative_distance_m(lat, lon)
    assert np.isnan(cum[0])
    np.testing.assert_allclose(cum[1:], [0, one_mdeg, one_mdeg, 3 * one_mdeg], rtol=1e-9)


def test_no_positions_gives_nan():
    assert np.isnan(geo.cumulative_distance_m([np.nan] * 3, [np.nan] * 3)).all()
