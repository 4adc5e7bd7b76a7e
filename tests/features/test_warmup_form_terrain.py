"""Warm-up, form and terrain features on synthetic runs with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from runlog.features import form, terrain, warmup


def test_warmup_eased_in(activity, history_of):
    # 30 min at 1 Hz: 2.5 m/s and HR 120 -> 150 (linear) in the first 10 min, then 3.0 m/s and HR 160
    n = 1800
    t = np.arange(n)
    speed = np.where(t < 600, 2.5, 3.0)
    hr = np.where(t < 600, 120 + 30 * t / 600, 160.0)
    act = activity("2024-05-01T06:00Z", hr=hr, speed=speed, n=n)
    f = warmup.warmup_features(history_of(act).records, 50, 190).loc[act.run_id]
    assert f["warmup_speed_ratio"] == pytest.approx(2.5 / 3.0)
    # mean HR of the first 600 samples = 120 + 30 * mean(t/600) = 120 + 30 * 299.5/600 = 134.975
    # (all the rest, last sample included with weight 0: 160)
    assert f["warmup_hr_ratio"] == pytest.approx(134.975 / 160)
    # minutes 8-10 (t 480..599): mean 120 + 30*539.5/600 = 146.975; minutes 0-2 (t 0..119): 120 + 30*59.5/600 = 122.975
    assert f["warmup_hr_rise_bpm"] == pytest.approx(24.0)
    # HRR of 134.975: (134.975 - 50) / 140 = 60.70 % -> not hard (< 75 %), speed ratio 0.83 < 1
    assert f["warmup_hrr_pct"] == pytest.approx((134.975 - 50) / 140 * 100)
    assert f["hard_start"] == 0.0


def test_warmup_hard_start_and_short_run(activity, history_of):
    n = 1800
    fast_first = activity("2024-05-01T06:00Z", hr=150.0, speed=np.where(np.arange(n) < 600, 3.5, 3.0), n=n)
    short = activity("2024-05-02T06:00Z", hr=150.0, speed=3.0, n=700)   # < 5 min after the opening
    f = warmup.warmup_features(history_of(fast_first, short).records, 50, 190)
    assert f.loc[fast_first.run_id, "hard_start"] == 1.0
    assert f.loc[fast_first.run_id, "warmup_speed_ratio"] == pytest.approx(3.5 / 3.0)
    assert f.loc[short.run_id].isna().all()


def test_form_cadence_and_step_length(activity, history_of):
    n = 600
    cad = np.where(np.arange(n) < 300, 170.0, 160.0)
    act = activity("2024-05-01T06:00Z", speed=3.0, cadence=cad, n=n)
    ride = activity("2024-05-02T06:00Z", speed=8.0, cadence=90.0, n=n, sport="cycling")
    h = history_of(act, ride)
    f = form.form_features(h.records, h.runs["sport"] == "running")
    row = f.loc[act.run_id]
    # time-weighted over 599 s (the last sample weighs 0): (300*170 + 299*160) / 599
    mean = (300 * 170 + 299 * 160) / 599
    assert row["avg_cadence_spm"] == pytest.approx(mean)
    # distance / steps = 3*599 / ((300*170 + 299*160)/60) m per step
    assert row["step_length_m"] == pytest.approx(3 * 599 / ((300 * 170 + 299 * 160) / 60))
    assert row["step_length_m"] == pytest.approx(1.090854, abs=1e-6)   # 107820 / 98840
    # halves of moving time (599 s): first 300 samples at 170 (before = 0..299 < 299.5), rest 160
    assert row["cadence_drift_pct"] == pytest.approx((160 - 170) / 170 * 100)
    assert f.loc[ride.run_id].isna().all()          # pedal rpm is not a running cadence
    assert form.step_length_m(3.0, 180.0) == pytest.approx(1.0)


def test_terrain_constant_grade(activity, history_of):
    # 10 min at 2 m/s climbing 5 % (altitude = 0.05 * distance): every 30-s window has grade 5 %
    n = 600
    act = activity("2024-05-01T06:00Z", speed=2.0, altitude=100 + 0.05 * 2.0 * np.arange(n), n=n)
    h = history_of(act)
    f = terrain.terrain_features(h.records, h.runs).loc[act.run_id]
    assert f["grade_abs_mean_pct"] == pytest.approx(5.0)
    assert f["grade_sd_pct"] == pytest.approx(0.0, abs=1e-9)
    assert f["altitude_range_m"] == pytest.approx(0.05 * 2 * 599)
    # ascent (2 m dead band, runlog.history._runs.ascent_m): 59.9 m rise counted in 2 m steps -> 59.8 m
    assert f["ascent_m"] == pytest.approx(h.runs.loc[act.run_id, "ascent_m"])
    assert f["ascent_per_km_m"] == pytest.approx(f["ascent_m"] / 1.198)


def test_terrain_rolling_hills_have_grade_spread(activity, history_of):
    n = 1200
    d = 2.5 * np.arange(n)
    act = activity("2024-05-01T06:00Z", speed=2.5, altitude=100 + 10 * np.sin(d / 200), n=n)
    h = history_of(act)
    f = terrain.terrain_features(h.records, h.runs).loc[act.run_id]
    # grade of 10 sin(d/200) is 5 cos(d/200) % -> |mean| ~ 5 * 2/pi = 3.18 %, SD ~ 5/sqrt(2) = 3.54 %
    assert f["grade_abs_mean_pct"] == pytest.approx(10 / np.pi, abs=0.2)
    assert f["grade_sd_pct"] == pytest.approx(5 / np.sqrt(2), abs=0.2)
    assert terrain.grade_pct(5.0, 10.0)[()] != terrain.grade_pct(5.0, 10.0)[()]  # under 20 m: NaN
