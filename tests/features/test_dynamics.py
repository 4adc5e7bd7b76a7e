"""Running-dynamics form features (runlog.features.form.dynamics_features), by hand and on a real file."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog.features import catalog, form
from runlog.features.core import IN_RUN_COLUMNS, in_run_features
from runlog.render.labels import MEASURE_LABELS

T0 = "2024-05-01 07:00"


def _halves(first, second, n=1801):
    """*first* for samples 0..899, *second* after: 900 s of each (the last sample weighs 0 s)."""
    return np.where(np.arange(n) < 900, first, second)


def test_means_balance_and_its_drift_by_hand(activity, history_of):
    act = activity(T0, speed=3.0, cadence=170.0, hr=140.0, n=1801, dynamics={
        "stance_time_ms": _halves(250.0, 260.0), "stance_time_balance_left_pct": _halves(50.5, 51.5),
        "vertical_oscillation_mm": 90.0, "vertical_ratio_pct": 8.0, "step_length_mm": 1100.0})
    h = history_of(act)
    f = form.dynamics_features(h.records, h.runs["sport"] == "running", step_ref=(400.0, 200.0))
    row = f.iloc[0]
    # 900 s at 250 ms and 900 s at 260 ms: 255 ms; balance 50.5 % then 51.5 %: mean 51.0 %, 1.0 point from even,
    # drift second half - first half = +1.0 point (towards the left)
    assert row["avg_ground_contact_ms"] == pytest.approx(255.0)
    assert row["avg_gct_balance_left_pct"] == pytest.approx(51.0)
    assert row["gct_imbalance_pct"] == pytest.approx(1.0)
    assert row["gct_balance_drift_pct"] == pytest.approx(1.0)
    assert (row["avg_vertical_oscillation_mm"], row["avg_vertical_ratio_pct"]) == pytest.approx((90.0, 8.0))
    # usual step at 3 m/s on the line 400 + 200 v: 1000 mm; 1100 mm is 10 % longer
    assert row["step_length_vs_pace_pct"] == pytest.approx(10.0)
    assert f.attrs["step_line"] == (400.0, 200.0)


def test_no_dynamics_is_nan_not_zero(activity, history_of):
    with_dyn = activity(T0, speed=3.0, cadence=170.0, hr=140.0, n=1801, dynamics={"stance_time_ms": 240.0})
    without = activity("2024-05-02 07:00", speed=3.0, cadence=170.0, n=1801)
    brief = activity("2024-05-03 07:00", speed=3.0, cadence=170.0, n=1801,
                     dynamics={"stance_time_ms": np.where(np.arange(1801) < 30, 240.0, np.nan)})  # 30 s only
    ride = activity("2024-05-04 07:00", speed=8.0, n=1801, sport="cycling", dynamics={"stance_time_ms": 240.0})
    h = history_of(with_dyn, without, brief, ride)
    f = runlog.run_features(h)
    dyn = f[list(form.DYNAMICS_FEATURES)]
    assert dyn["avg_ground_contact_ms"].tolist()[0] == pytest.approx(240.0)
    assert dyn.iloc[1:].isna().all().all()
    assert dyn.iloc[0].drop("avg_ground_contact_ms").isna().all()   # no balance, ratio or step length recorded


def test_step_length_line_of_the_runners_own_runs(activity, history_of):
    # three runs on the line step = 400 + 200 * speed, and one 10 % longer at 3 m/s
    acts = [activity(f"2024-05-0{i + 1} 07:00", speed=v, cadence=170.0, n=601,
                     dynamics={"step_length_mm": L}) for i, (v, L) in enumerate(
                         [(2.5, 900.0), (3.0, 1000.0), (3.5, 1100.0), (3.0, 1100.0)])]
    h = history_of(*acts)
    f = form.dynamics_features(h.records)
    # least squares over the four runs: b = 200 mm per m/s, a = 425 mm (the long run lifts the line by 25 mm)
    a, b = f.attrs["step_line"]
    assert (a, b) == pytest.approx((425.0, 200.0))
    assert f["step_length_vs_pace_pct"].round(6).tolist() == pytest.approx(
        [(900 / 925 - 1) * 100, (1000 / 1025 - 1) * 100, (1100 / 1125 - 1) * 100, (1100 / 1025 - 1) * 100])


def test_in_run_window_stops_at_onset(activity, history_of):
    """Numbness at minute 15: the balance after it (a limp, a consequence) does not enter the features."""
    act = activity(T0, speed=3.0, cadence=170.0, hr=140.0, n=1801, dynamics={
        "stance_time_balance_left_pct": _halves(50.0, 55.0), "stance_time_ms": 250.0})
    h = history_of(act)
    win = pd.Series([15.0], index=h.runs.index)
    f = in_run_features(h, win)
    assert f["avg_gct_balance_left_pct"].iloc[0] == pytest.approx(50.0)
    assert f["gct_balance_drift_pct"].iloc[0] == pytest.approx(0.0)
    assert runlog.run_features(h)["avg_gct_balance_left_pct"].iloc[0] == pytest.approx(52.5)


def test_catalogue_files_them_under_form_measured_in_run():
    for name in form.DYNAMICS_FEATURES:
        f = catalog.FEATURES[name]
        assert (f.cause, f.in_run, f.primary, f.kind) == ("form", True, 0, "numeric"), name
        assert MEASURE_LABELS[name] and np.isfinite(f.per) and f.citation, name
        assert name in IN_RUN_COLUMNS


def test_triathlon_run_dynamics_features(data_dir):
    """The run of the bundled triathlon (FR920XT + HRM-Run): 517 records with every dynamics value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = runlog.read_history(data_dir / "fit" / "fitparse__sample_mulitple_header.fit", cache=False,
                                progress=False)
    f = runlog.run_features(h)
    run = f[f["sport"] == "running"].iloc[0]
    # time-weighted over the moving samples; the plain means of fitparse's values over the run's records are
    # 252.159 ms, 51.644 %, 101.589 mm, 8.156 % (tests/io/test_fit.py)
    assert run["avg_ground_contact_ms"] == pytest.approx(252.0, abs=0.5)
    assert run["avg_gct_balance_left_pct"] == pytest.approx(51.65, abs=0.02)
    assert run["avg_vertical_oscillation_mm"] == pytest.approx(101.5, abs=0.5)
    assert run["avg_vertical_ratio_pct"] == pytest.approx(8.14, abs=0.02)
    assert run["gct_imbalance_pct"] == pytest.approx(run["avg_gct_balance_left_pct"] - 50.0)
    # one run with step lengths: the line is its own mean, so 0 % for the pace
    assert run["step_length_vs_pace_pct"] == pytest.approx(0.0, abs=1e-9)
    others = f[f["sport"] != "running"]
    assert others[list(form.DYNAMICS_FEATURES)].isna().all().all()


def test_records_without_dynamics_columns():
    """A records frame built without the dynamics columns (by hand, an older cache) gives NaN features."""
    idx = pd.MultiIndex.from_arrays([["r1"] * 120, pd.date_range("2024-05-01", periods=120, freq="s", tz="UTC")],
                                    names=["run_id", "time"])
    rec = pd.DataFrame({"elapsed_s": np.arange(120.0), "speed_mps": 3.0, "distance_m": 3.0 * np.arange(120.0)},
                       index=idx)
    f = form.dynamics_features(rec)
    assert f.index.tolist() == ["r1"] and f.isna().all().all()
