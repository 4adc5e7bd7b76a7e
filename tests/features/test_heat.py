"""Heat and hydration formulas against published tables and hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from runlog.features import heat


@pytest.mark.parametrize("t_f, rh, table_f", [
    # NWS heat-index chart (weather.gov/safety/heat-index), values in °F
    (80, 40, 80), (90, 50, 95), (100, 40, 109), (86, 90, 105), (94, 55, 106), (84, 70, 90),
])
def test_heat_index_against_nws_table(t_f, rh, table_f):
    got_f = heat.c_to_f(heat.heat_index_c(heat.f_to_c(t_f), rh))
    assert got_f == pytest.approx(table_f, abs=0.6)   # the chart is rounded to whole °F


def test_heat_index_adjustments_hand_computed():
    def rothfusz(t, rh):
        return (-42.379 + 2.04901523 * t + 10.14333127 * rh - .22475541 * t * rh - .00683783 * t * t
                - .05481717 * rh * rh + .00122874 * t * t * rh + .00085282 * t * rh * rh
                - .00000199 * t * t * rh * rh)
    # dry: T = 110 °F, RH = 10 % -> minus (13-10)/4 * sqrt((17-|110-95|)/17) = 0.75 * sqrt(2/17) = 0.257248
    want = rothfusz(110, 10) - 0.75 * math.sqrt(2 / 17)
    assert heat.c_to_f(heat.heat_index_c(heat.f_to_c(110), 10)) == pytest.approx(want, abs=1e-9)
    # humid: T = 85 °F, RH = 95 % -> plus (95-85)/10 * (87-85)/5 = 0.4
    want = rothfusz(85, 95) + 0.4
    assert heat.c_to_f(heat.heat_index_c(heat.f_to_c(85), 95)) == pytest.approx(want, abs=1e-9)
    # cool: simple formula 0.5 (T + 61 + (T-68) 1.2 + 0.094 RH): T=60, RH=50 -> 0.5 (60+61-9.6+4.7) = 58.05 °F
    assert heat.c_to_f(heat.heat_index_c(heat.f_to_c(60), 50)) == pytest.approx(58.05, abs=1e-9)


def test_dew_point_magnus():
    # gamma = ln(0.6) + 17.625*25/(243.04+25) = -0.510826 + 1.643878 = 1.133052
    # Td = 243.04 * 1.133052 / (17.625 - 1.133052) = 16.6977 °C
    assert heat.dew_point_c(25.0, 60.0) == pytest.approx(16.6977, abs=1e-4)
    assert heat.dew_point_c(20.0, 100.0) == pytest.approx(20.0, abs=1e-12)   # saturated air
    assert np.isnan(heat.dew_point_c(20.0, 0.0))


def test_wbgt_estimate():
    # e = 0.5 * 6.105 * exp(17.27*30/267.7) = 21.143581 hPa; WBGT = 0.567*30 + 0.393*21.143581 + 3.94 = 29.259427
    assert heat.vapour_pressure_hpa(30.0, 50.0) == pytest.approx(21.143581, abs=1e-6)
    assert heat.wbgt_estimate_c(30.0, 50.0) == pytest.approx(29.259427, abs=1e-6)


def test_sweat_loss_estimate_hand_computed():
    # 70 kg at 3 m/s (180 m/min) for 1 h at 20 °C, level
    vo2 = 3.5 + 0.2 * 180                      # 39.5 ml/kg/min (ACSM running equation)
    m_w = vo2 * 70 * 20.9 / 60                 # 963.13 W
    area = 0.1173 * 70 ** 0.6466               # 1.8305 m² (Livingston & Lee 2001)
    h = 8.3 * math.sqrt(3) + 4.7               # 19.076 W/m²/K
    e_req = m_w - h * area * (35 - 20)         # 439.3 W
    want = e_req / 2426 * 3600 / 1000          # 0.652 kg
    got = heat.sweat_loss_estimate_kg(3.0, 3600, 20.0, 70.0)
    assert got == pytest.approx(want, rel=1e-12)
    assert got == pytest.approx(0.652, abs=0.002)
    # cold: dry heat loss exceeds heat production -> no sweat (0, not negative)
    assert heat.sweat_loss_estimate_kg(3.0, 3600, -10.0, 70.0) == 0.0


def test_measured_sweat_loss_acsm():
    m = heat.measured_sweat_loss([70.0, 60.0, np.nan], [68.9, 58.5, 60.0], [500.0, np.nan, 0.0])
    # 70 -> 68.9 with 0.5 l drunk: sweat 1.6 kg = 2.2857 %; net loss 1.1 kg = 1.5714 % (< 2 %)
    assert m["sweat_loss_kg"][0] == pytest.approx(1.6)
    assert m["sweat_loss_pct"][0] == pytest.approx(1.6 / 70 * 100)
    assert m["body_mass_loss_pct"][0] == pytest.approx(1.1 / 70 * 100)
    assert m["dehydrated"][0] == 0.0
    # 60 -> 58.5: 2.5 % loss -> dehydrated (ACSM: > 2 %)
    assert m["body_mass_loss_pct"][1] == pytest.approx(2.5) and m["dehydrated"][1] == 1.0
    assert np.isnan(m["dehydrated"][2])


def test_wrist_device():
    d = pd.Series(["garmin fr645m", "garmin edge1000", None, "Wahoo ELEMNT", "Apple Watch", "Strava iPhone App"],
                  dtype="string")
    assert list(heat.is_wrist_device(d)) == [True, False, True, False, True, False]


def test_heat_features_notes_take_precedence_over_weather():
    idx = pd.Index(["a", "b"], name="run_id")
    runs = pd.DataFrame({"avg_temp_c": [30.0, np.nan], "max_temp_c": [33.0, np.nan],
                         "device": ["garmin fr645m", "garmin edge 530"], "avg_speed_mps": [3.0, 3.0],
                         "moving_s": [3600.0, 3600.0], "distance_m": [10800.0, 10800.0]}, index=idx)
    air = pd.DataFrame({"air_temp_c": [20.0, 25.0], "rel_humidity_pct": [50.0, 60.0]}, index=idx)
    notes = pd.DataFrame({"air_temp_c": [np.nan, 30.0], "body_mass_pre_kg": [70.0, np.nan],
                          "body_mass_post_kg": [68.6, np.nan], "fluid_ml": [0.0, np.nan]}, index=idx)
    f = heat.heat_features(runs, air, notes, 70.0, pd.Series(True, index=idx))
    assert list(f["air_temp_c"]) == [20.0, 30.0]
    assert f.loc["a", "device_temp_wrist"] == 1.0 and np.isnan(f.loc["b", "device_temp_wrist"])
    assert f.loc["b", "heat_index_c"] == pytest.approx(heat.heat_index_c(30.0, 60.0))
    expected = heat.sweat_loss_estimate_kg(3.0, 3600, 20.0, 70.0) / 70 * 100
    assert f.loc["a", "sweat_loss_est_pct"] == pytest.approx(expected)
    # 70 -> 68.6 kg is exactly 2 %: not *above* 2 % (ACSM)
    assert f.loc["a", "body_mass_loss_pct"] == pytest.approx(2.0) and f.loc["a", "dehydrated_2pct"] == 0.0
