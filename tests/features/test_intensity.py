"""Volume and intensity formulas: hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from runlog.features import intensity
from runlog.features._segments import segments


def test_trimp_three_samples_male_and_female():
    # samples at 0, 60, 120 s; HR 130, 160, 190; rest 50, max 190 -> HRr = 80/140, 110/140, 1.0
    # each sample stands for the time to the next one: 60 s, 60 s, 0 s (the last adds nothing)
    # male:   1 min * 0.571429 * 0.64 * exp(1.92 * 0.571429) = 0.571429 * 0.64 * 2.995595 = 1.095532
    #       + 1 min * 0.785714 * 0.64 * exp(1.92 * 0.785714) = 0.785714 * 0.64 * 4.520269 = 2.273049  -> 3.368581
    got = intensity.banister_trimp([130, 160, 190], [60, 60, 0], 50, 190)
    assert got == pytest.approx(3.368581, abs=1e-6)
    # female: 0.571429*0.86*exp(1.67*0.571429) + 0.785714*0.86*exp(1.67*0.785714) = 3.785836
    got_f = intensity.banister_trimp([130, 160, 190], [60, 60, 0], 50, 190, a=0.86, b=1.67)
    assert got_f == pytest.approx(3.785836, abs=1e-6)


def test_trimp_clips_hr_reserve_and_skips_missing():
    # HR below rest counts 0, above max counts as HRr = 1: 1 min * 1 * 0.64 * exp(1.92) = 4.366483
    assert intensity.banister_trimp([40, 200, np.nan], [60, 60, 60], 50, 190) == pytest.approx(
        0.64 * math.exp(1.92), rel=1e-12)
    assert np.isnan(intensity.banister_trimp([np.nan, np.nan], [1, 1], 50, 190))


def test_hr_zone_edges():
    # Edwards zones of HR max 200: 100, 120, 140, 160, 180 bpm lower bounds
    assert list(intensity.hr_zone([99, 100, 139.9, 140, 180, 199, np.nan], 200)) == [0, 1, 2, 3, 5, 5, -1]


def test_decoupling_hand_computed():
    # 4 samples of 60 s: first half speed 3, HR 150 (EF 0.02); second half speed 3, HR 160 (EF 0.01875)
    # decoupling = (0.02 - 0.01875) / 0.02 * 100 = 6.25 %
    assert intensity.decoupling_pct([3, 3, 3, 3], [150, 150, 160, 160], [60, 60, 60, 60]) == pytest.approx(6.25)


def test_intensity_features_on_a_three_sample_run(activity, history_of):
    # samples 30 s apart (the longest step still counted as moving: runlog.schema.MAX_SAMPLE_GAP_S)
    act = activity("2024-05-01T06:00Z", hr=[130, 160, 190], speed=[3.0, 3.0, 3.0], times_s=[0, 30, 60])
    h = history_of(act)
    f = intensity.intensity_features(h.records, 50, 190)
    row = f.loc[act.run_id]
    # half the minutes of the 60-s case above: (1.095532 + 2.273049) / 2 = 1.684291
    assert row["trimp"] == pytest.approx(1.684291, abs=1e-6)
    # time-weighted mean HR: (130*30 + 160*30) / 60 = 145
    assert row["avg_hr_bpm"] == pytest.approx(145.0)
    assert row["max_hr_bpm"] == 190
    # (145 - 50) / 140 * 100 = 67.857 %
    assert row["hr_reserve_pct"] == pytest.approx(95 / 140 * 100)
    # zones of HR max 190: 130 bpm = 68.4 % -> z2; 160 = 84.2 % -> z4; 190 -> z5 (0 s: last sample)
    assert row["hr_z2_s"] == 30 and row["hr_z4_s"] == 30 and row["hr_z5_s"] == 0
    assert row["hr_z2_pct"] == pytest.approx(50.0) and row["hr_z4_pct"] == pytest.approx(50.0)
    # 30-s best speed: distance is integrated from a constant 3 m/s
    assert row["max_speed_mps"] == pytest.approx(3.0)
    assert row["speed_cv_pct"] == pytest.approx(0.0)
    assert np.isnan(row["decoupling_pct"])  # under 20 min


def test_samples_further_apart_than_30_s_are_pauses(activity, history_of):
    act = activity("2024-05-01T06:00Z", hr=[130, 160, 190], speed=3.0, times_s=[0, 60, 120])
    assert intensity.intensity_features(history_of(act).records, 50, 190).loc[act.run_id, "trimp"] == 0.0


def test_pause_is_not_counted(activity, history_of):
    # 10 samples at 1 Hz, a 5-minute pause, 10 more: the 300-s gap is a pause (> 30 s)
    t = np.r_[np.arange(10), 309 + np.arange(10)]
    act = activity("2024-05-01T06:00Z", hr=150.0, speed=3.0, times_s=t)
    h = history_of(act)
    f = intensity.intensity_features(h.records, 50, 190)
    # counted time: 9 s + 9 s (last sample of each stretch: pause / end) = 18 s at HRr = 100/140
    hrr = 100 / 140
    assert f.loc[act.run_id, "trimp"] == pytest.approx(18 / 60 * hrr * 0.64 * math.exp(1.92 * hrr))
    seg = segments(h.records)
    assert seg.dt_s.sum() == 18.0
    assert h.runs.loc[act.run_id, "moving_s"] == 18.0
    v = intensity.volume_features(h.runs).loc[act.run_id]
    assert v["duration_min"] == pytest.approx(318 / 60)
    assert v["stopped_min"] == pytest.approx(300 / 60)


def test_missing_hr_gives_nan_not_zero(activity, history_of):
    act = activity("2024-05-01T06:00Z", speed=3.0, n=120)
    f = intensity.intensity_features(history_of(act).records, 50, 190).loc[act.run_id]
    for c in ("trimp", "avg_hr_bpm", "hr_reserve_pct", "hr_z3_pct", "decoupling_pct"):
        assert np.isnan(f[c]), c


def test_decoupling_vectorised_matches_one_run_formula(activity, history_of):
    # 40 min at 1 Hz, HR drifting up 10 bpm at constant speed
    n = 2400
    hr = 140 + 10 * np.arange(n) / n
    act = activity("2024-05-01T06:00Z", hr=hr, speed=3.0, n=n)
    f = intensity.intensity_features(history_of(act).records, 50, 190).loc[act.run_id]
    dt = np.r_[np.ones(n - 1), 0.0]
    assert f["decoupling_pct"] == pytest.approx(intensity.decoupling_pct(np.full(n, 3.0), hr, dt), rel=1e-9)
    assert f["decoupling_pct"] > 0


def test_volume_features_pace():
    runs = pd.DataFrame({"distance_m": [10000.0], "elapsed_s": [3000.0], "moving_s": [2400.0],
                         "avg_speed_mps": [10000 / 2400]}, index=pd.Index(["r"], name="run_id"))
    v = intensity.volume_features(runs).loc["r"]
    assert v["distance_km"] == 10.0 and v["duration_min"] == 50.0 and v["moving_min"] == 40.0
    assert v["avg_pace_min_per_km"] == pytest.approx(4.0)  # 40 min / 10 km


def test_runs_from_several_activities_are_independent(activity, history_of):
    a1 = activity("2024-05-01T06:00Z", hr=[130, 160, 190], speed=3.0, times_s=[0, 30, 60])
    a2 = activity("2024-05-02T06:00Z", hr=[190, 160, 130], speed=3.0, times_s=[0, 30, 60])
    f = intensity.intensity_features(history_of(a1, a2).records, 50, 190)
    # second run: 0.5 min at HRr 1 (0.5*0.64*e^1.92 = 2.182707) + 0.5 min at HRr 110/140 (1.136525) = 3.319231
    assert f["trimp"].to_numpy() == pytest.approx([1.684291, 3.319231], abs=1e-6)
