"""The same activity exported as FIT, GPX and TCX reads the same.

Two real activities are bundled in several formats (tests/data/SOURCES.md):

* heartandsole__testdata.{fit,gpx,tcx}: a short Forerunner 220 run (46 samples),
  paused twice on the watch;
* sweatpy: 2020-06-01-16-52-40.fit (Edge 1000) = activity_5039744860.{gpx,tcx}
  (Garmin Connect exports), a 2-minute ride (96 samples).

Tolerances
----------
* time stamps, run_id, positions (1e-6 deg, FIT stores 2**-31 semicircles,
  8.4e-8 deg), heart rate: identical;
* cadence: <= 2 steps/min for the run (FIT adds ``fractional_cadence``, less
  than one stride/min, which GPX/TCX drop), identical for the ride (rpm);
* distance: TCX carries the device distance (float32-rounded, 1e-3 m).  GPX
  has none, so it is derived from the positions (haversine); it must equal
  the haversine distance of the FIT positions (1e-6 m), its per-sample steps
  must match the device's (median difference < 0.2 m), and its total lies
  between the device total and 1.4 times it: the device does not count what
  moves while the watch is paused (heartandsole: 13.4 m and 19.3 m during the
  two pauses, total 187.5 m vs 158.7 m) and filters GPS jumps (the ride has
  one 246 m jump at 14:54:05, total 899.3 m vs 668.2 m).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog import geo

SETS = {
    "run": {"fit": "fit/heartandsole__testdata.fit", "gpx": "gpx/heartandsole__testdata.gpx",
            "tcx": "tcx/heartandsole__testdata.tcx", "n": 46, "run_id": "20210416T1337Z",
            "sport": "running", "cad_tol": 2.0},
    "ride": {"fit": "fit/sweatpy__2020-06-01-16-52-40.fit", "gpx": "gpx/sweatpy__activity_5039744860.gpx",
             "tcx": "tcx/sweatpy__activity_5039744860.tcx", "n": 96, "run_id": "20200601T1452Z",
             "sport": "cycling", "cad_tol": 0.0},
}


def _read_all(data_dir, name):
    s = SETS[name]
    pytest.importorskip("runlog.io.fit", reason="FIT reader not written yet")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FIT decoders may warn about developer fields
        return {fmt: runlog.read_activity(data_dir / s[fmt]) for fmt in ("fit", "gpx", "tcx")}


@pytest.mark.parametrize("name", sorted(SETS))
def test_same_run_id_times_and_start(data_dir, name):
    acts = _read_all(data_dir, name)
    s = SETS[name]
    for fmt, a in acts.items():
        assert a.run_id == s["run_id"], fmt
        assert len(a.records) == s["n"], fmt
        assert a.info["sport"] == s["sport"], fmt
        assert a.info["format"] == fmt
    idx = acts["fit"].records.index
    assert acts["gpx"].records.index.equals(idx)
    assert acts["tcx"].records.index.equals(idx)
    # FIT's zone is the device's fixed offset, GPX/TCX's the IANA zone of the first position:
    # the local start (what the runner sees on the watch) is the same
    starts = {fmt: a.info["start_local"] for fmt, a in acts.items()}
    assert len(set(starts.values())) == 1, starts


@pytest.mark.parametrize("name", sorted(SETS))
def test_same_samples_within_tolerance(data_dir, name):
    acts = _read_all(data_dir, name)
    fit = acts["fit"].records
    for fmt in ("gpx", "tcx"):
        rec = acts[fmt].records
        np.testing.assert_allclose(rec["lat_deg"], fit["lat_deg"], atol=1e-6, rtol=0, err_msg=fmt)
        np.testing.assert_allclose(rec["lon_deg"], fit["lon_deg"], atol=1e-6, rtol=0, err_msg=fmt)
        np.testing.assert_array_equal(rec["hr_bpm"], fit["hr_bpm"], err_msg=fmt)
        np.testing.assert_allclose(rec["cadence_spm"], fit["cadence_spm"], atol=SETS[name]["cad_tol"],
                                   rtol=0, err_msg=fmt)
    # TCX has the device's own distance and speed
    np.testing.assert_allclose(acts["tcx"].records["distance_m"], fit["distance_m"], atol=1e-3, rtol=0)
    np.testing.assert_allclose(acts["tcx"].records["speed_mps"], fit["speed_mps"], atol=1e-3, rtol=0)


@pytest.mark.parametrize("name", sorted(SETS))
def test_gpx_distance_is_derived_from_the_same_positions(data_dir, name):
    acts = _read_all(data_dir, name)
    fit, gpx = acts["fit"].records, acts["gpx"].records
    expected = geo.cumulative_distance_m(fit["lat_deg"], fit["lon_deg"])
    np.testing.assert_allclose(gpx["distance_m"], expected, atol=1e-6, rtol=0)
    steps = np.abs(np.diff(gpx["distance_m"].to_numpy()) - np.diff(fit["distance_m"].to_numpy()))
    assert np.median(steps) < 0.2
    device_total, derived_total = fit["distance_m"].iloc[-1], gpx["distance_m"].iloc[-1]
    assert device_total <= derived_total <= 1.4 * device_total


def test_ride_power_and_temperature_agree(data_dir):
    acts = _read_all(data_dir, "ride")
    fit = acts["fit"].records
    # power only in FIT and TCX (<ns3:Watts>), temperature only in FIT and GPX (<ns3:atemp>)
    np.testing.assert_array_equal(acts["tcx"].records["power_w"], fit["power_w"])
    np.testing.assert_array_equal(acts["gpx"].records["temp_c"], fit["temp_c"])
    assert acts["gpx"].records["power_w"].isna().all()


def test_run_laps_agree_between_fit_and_tcx(data_dir):
    acts = _read_all(data_dir, "run")
    fit, tcx = acts["fit"].laps, acts["tcx"].laps
    assert len(fit) == len(tcx) == 4
    pd.testing.assert_series_equal(tcx["start_time"], fit["start_time"])
    # TCX TotalTimeSeconds is the FIT lap total_timer_time
    np.testing.assert_allclose(tcx["timer_s"], fit["timer_s"], atol=1e-3)
    np.testing.assert_allclose(tcx["distance_m"], fit["distance_m"], atol=1e-3)
    np.testing.assert_array_equal(tcx["avg_hr_bpm"], fit["avg_hr_bpm"])
    np.testing.assert_array_equal(tcx["max_hr_bpm"], fit["max_hr_bpm"])
    # TCX lap ends are whole seconds (next StartTime); FIT total_elapsed_time has ms: 63.623 vs 63
    np.testing.assert_allclose(tcx["elapsed_s"].iloc[:3], fit["elapsed_s"].iloc[:3], atol=1.0)
