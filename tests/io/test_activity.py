import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from runlog.io._activity import finalize, local_time, make_run_id, resolve_tz


def _raw(n=4, lat=52.52, lon=13.405, start="2024-03-31 00:59:58", **cols):
    idx = pd.date_range(start, periods=n, freq="s")  # naive = UTC
    data = {"lat_deg": lat + np.arange(n) * 1e-4, "lon_deg": np.full(n, lon)}
    data.update(cols)
    return pd.DataFrame(data, index=idx)


def test_run_id_is_the_utc_start_minute():
    assert make_run_id(pd.Timestamp("2021-04-16 13:37:53", tz="UTC")) == "20210416T1337Z"
    # the same instant given in another zone
    assert make_run_id(pd.Timestamp("2021-04-16 15:37:59", tz="Europe/Berlin")) == "20210416T1337Z"


def test_finalize_derives_distance_speed_elapsed_and_tz():
    a = finalize(_raw(), None, {"source": "x.gpx", "format": "gpx"})
    r = a.records
    step = 111.19508023353292 * 0.1  # 1e-4 degree of latitude [m]
    np.testing.assert_allclose(r["distance_m"], [0, step, 2 * step, 3 * step], rtol=1e-9)
    np.testing.assert_allclose(r["speed_mps"], [step] * 4, rtol=1e-9)  # first sample copies the second
    assert r["elapsed_s"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert a.info["tz"] == "Europe/Berlin" and a.info["tz_source"] == "position"
    # 2024-03-31 is the EU spring-forward day: 00:59:58 UTC is 01:59:58 CET, 01:00 UTC is 03:00 CEST
    assert a.info["start_local"] == pd.Timestamp("2024-03-31 01:59:58")
    assert local_time(r.index[-1], "Europe/Berlin") == pd.Timestamp("2024-03-31 03:00:01")
    assert a.run_id == "20240331T0059Z"
    assert "utc_offset_s" not in a.info


def test_tz_precedence_argument_then_device_offset_then_position():
    raw = _raw()
    info = {"source": "x.fit", "format": "fit", "utc_offset_s": -6 * 3600.0}
    assert finalize(raw, None, dict(info), tz="America/Denver").info["tz"] == "America/Denver"
    a = finalize(raw, None, dict(info))
    assert (a.info["tz"], a.info["tz_source"]) == ("-06:00", "fit_local_timestamp")
    assert a.info["start_local"] == pd.Timestamp("2024-03-30 18:59:58")
    no_pos = raw.drop(columns=["lat_deg", "lon_deg"])
    assert resolve_tz(finalize(no_pos, None, {"source": "x", "format": "tcx"}).records, {}) == ("UTC", "default")


def test_half_hour_offsets_are_kept():
    a = finalize(_raw(), None, {"source": "x.fit", "format": "fit", "utc_offset_s": 5.5 * 3600})
    assert a.info["tz"] == "+05:30"


def test_existing_distance_is_not_overwritten():
    a = finalize(_raw(distance_m=[0, 5, 10, 15.0]), None, {"source": "x", "format": "fit"})
    assert a.records["distance_m"].tolist() == [0, 5, 10, 15.0]
    assert a.records["speed_mps"].tolist() == [5.0, 5.0, 5.0, 5.0]


def test_repr_mentions_id_and_distance():
    a = finalize(_raw(), None, {"source": "x.gpx", "format": "gpx", "sport": "running"})
    assert "20240331T0059Z" in repr(a) and "running" in repr(a)


def test_time_zone_looked_up_once_per_place():
    """Two runs from the same front door (a few metres apart) cost one timezonefinder lookup."""
    from runlog.io import _activity as activity

    activity._zone_at.cache_clear()
    recs = [pd.DataFrame({"lat_deg": [np.nan, 52.520008 + d], "lon_deg": [np.nan, 13.404954 + d]}) for d in (0, 2e-5)]
    zones = [activity.resolve_tz(r, {}) for r in recs]
    assert zones == [("Europe/Berlin", "position")] * 2
    info = activity._zone_at.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    # damaged positions (out of range) are skipped, as before: no position left -> UTC
    assert activity.resolve_tz(pd.DataFrame({"lat_deg": [95.0], "lon_deg": [13.4]}), {}) == ("UTC", "default")


# ---------------------------------------------------------------- the array path against pandas' own


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), max_size=25))
def test_interpolation_inside_is_pandas_linear_inside(values):
    from runlog.io._activity import _interpolate_inside

    v = np.array([np.nan if x is None else x for x in values], dtype="float64")
    ref = pd.Series(v).interpolate(limit_area="inside").to_numpy()
    np.testing.assert_array_equal(_interpolate_inside(v), ref)


def test_speed_from_distance_is_the_step_speed_with_the_first_copied():
    # distances with a gap inside (interpolated) and a repeated time step: speed = delta distance / delta time
    idx = pd.to_datetime(["2024-05-01 10:00:00", "2024-05-01 10:00:02", "2024-05-01 10:00:04",
                          "2024-05-01 10:00:05"])
    a = finalize(pd.DataFrame({"distance_m": [0.0, np.nan, 10.0, 12.0]}, index=idx), None,
                 {"source": "x", "format": "fit"})
    # interpolated 5 m at 10:00:02: 2.5 m/s, 2.5 m/s, then 2 m in 1 s; the first sample copies the second
    assert a.records["speed_mps"].tolist() == [2.5, 2.5, 2.5, 2.0]
    assert a.records["distance_m"].isna().tolist() == [False, True, False, False]  # the record keeps its gap
    assert a.records["elapsed_s"].tolist() == [0.0, 2.0, 4.0, 5.0]
