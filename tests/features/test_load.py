"""Load history: ACWR, EWMA, monotony, CTL/ATL, rest days, streaks, the 30-day spike."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from runlog.features import load as L


def days(n, start="2024-01-01"):
    return pd.date_range(start, periods=n, freq="D", name="date")


def step_40():
    """40 days: load 10 on days 0-29, 20 on days 30-39."""
    return pd.Series(np.r_[np.full(30, 10.0), np.full(10, 20.0)], index=days(40))


def test_acwr_uncoupled_on_a_40_day_series():
    r = L.acwr_uncoupled(step_40())
    # day 39: acute = mean(days 33-39) = 20; chronic = mean(days 12-32) = (18*10 + 3*20) / 21 = 11.428571
    # ratio = 20 / 11.428571 = 1.75
    assert r.iloc[39] == pytest.approx(1.75)
    # day 29: acute 10, chronic 10 -> 1.0
    assert r.iloc[29] == pytest.approx(1.0)
    # warm-up: no 28-day window before day 27 -> NaN, not 0
    assert r.iloc[:27].isna().all() and np.isfinite(r.iloc[27])


def test_ewma_and_acwr_ewma_on_a_40_day_series():
    s = step_40()
    lam7, lam28 = 2 / 8, 2 / 29  # lambda = 2 / (N + 1)
    # seeded with the mean of the first N days: EWMA7 = 10 on day 6, EWMA28 = 10 on day 27, both stay 10
    # through day 29 (load 10); then 10 days of 20: y = 20 + (10 - 20) (1 - lambda)^10
    e7 = 20 - 10 * (1 - lam7) ** 10           # 20 - 10 * 0.75^10 = 19.436865
    e28 = 20 - 10 * (1 - lam28) ** 10         # 20 - 10 * (27/29)^10 = 15.106071
    assert L.ewma(s, 7).iloc[39] == pytest.approx(e7, rel=1e-12)
    assert L.ewma(s, 28).iloc[39] == pytest.approx(e28, rel=1e-12)
    assert L.acwr_ewma(s).iloc[39] == pytest.approx(e7 / e28, rel=1e-12)
    assert e7 / e28 == pytest.approx(1.286692, abs=1e-6)
    a = L.acwr_ewma(s)
    assert a.iloc[:27].isna().all() and a.iloc[27] == pytest.approx(1.0, abs=1e-12)
    # one day into the step: EWMA7 = 10 + 0.25 * (20 - 10) = 12.5, EWMA28 = 10 + (2/29) * 10 = 10.689655
    assert L.ewma(s, 7).iloc[30] == pytest.approx(12.5)
    assert a.iloc[30] == pytest.approx(12.5 / (10 + 20 / 29))
    # ewma(7) alone warms up over 7 days and starts at the 7-day mean, not at 10 (1 - 0.75^7) = 8.67
    assert L.ewma(s, 7).iloc[:6].isna().all() and L.ewma(s, 7).iloc[6] == 10.0


def test_ewma_seed_is_the_mean_of_the_first_window():
    # days 0-6: 0, 0, 0, 70, 70, 70, 70 -> seed on day 6 = 280 / 7 = 40; day 7 (load 0): 40 * 0.75 = 30
    s = pd.Series([0.0, 0, 0, 70, 70, 70, 70, 0], index=days(8))
    e = L.ewma(s, 7)
    assert e.iloc[:6].isna().all()
    assert e.iloc[6] == pytest.approx(40.0) and e.iloc[7] == pytest.approx(30.0)
    # shorter than the window: no value at all
    assert L.ewma(s.iloc[:6], 7).isna().all()
    # warmup_days longer than the window only hides values, the seed stays the 7-day mean
    assert L.ewma(s, 7, warmup_days=8).iloc[:7].isna().all() and L.ewma(s, 7, warmup_days=8).iloc[7] == 30.0


def test_converged_values_on_a_constant_load():
    # 50 AU every day: fitness = fatigue = 50, form 0, acute:chronic 1, from the first day each is shown
    # (started from 0 they read CTL 31.6 on day 42, TSB -18.3 and ACWR-EWMA 1.156 on day 28)
    s = pd.Series(50.0, index=days(120))
    ff = L.fitness_fatigue(s)
    assert ff["ctl"].iloc[:41].isna().all() and ff["atl"].iloc[:6].isna().all()
    assert np.allclose(ff["ctl"].iloc[41:], 50.0, rtol=0, atol=1e-9)
    assert np.allclose(ff["atl"].iloc[6:], 50.0, rtol=0, atol=1e-9)
    assert np.allclose(ff["tsb"].iloc[41:], 0.0, rtol=0, atol=1e-9)
    assert ff["ctl"].iloc[41] == pytest.approx(50.0, abs=1e-9)          # day 42 of the history
    a = L.acwr_ewma(s)
    assert a.iloc[:27].isna().all()
    assert np.allclose(a.iloc[27:], 1.0, rtol=0, atol=1e-9)             # from day 28 on
    assert np.allclose(L.ewma(s, 7).iloc[6:], 50.0, rtol=0, atol=1e-9)
    assert np.allclose(L.ewma(s, 28).iloc[27:], 50.0, rtol=0, atol=1e-9)


def test_monotony_and_strain_on_a_known_week():
    w = pd.Series([100.0, 0, 50, 100, 0, 150, 100], index=days(7))
    # mean = 500/7 = 71.428571; sample SD (ddof=1) of the 7 days = 56.694671; monotony = 1.259882
    mean = 500 / 7
    sd = math.sqrt(sum((x - mean) ** 2 for x in w) / 6)   # 56.694671
    assert L.monotony(w).iloc[6] == pytest.approx(mean / sd)
    assert L.monotony(w).iloc[6] == pytest.approx(1.259882, abs=1e-6)
    assert L.strain(w).iloc[6] == pytest.approx(500 * mean / sd)
    assert L.monotony(w).iloc[:6].isna().all()
    # identical loads every day: SD 0, monotony undefined -> NaN
    assert np.isnan(L.monotony(pd.Series(50.0, index=days(7))).iloc[6])
    # ... also after varied weeks (rolling updates must not leave a tiny SD behind)
    varied = pd.Series([13.7, 250.1, 0.3, 77.7, 5.5, 190.0, 42.42] + [50.0] * 7, index=days(14))
    assert np.isnan(L.monotony(varied).iloc[13])
    assert np.isnan(L.monotony(pd.Series(0.1, index=days(7))).iloc[6])


def test_ctl_atl_after_a_step_load():
    # 20 AU/day on days 0-20, then 80 AU/day on days 21-59
    s = pd.Series(np.r_[np.full(21, 20.0), np.full(39, 80.0)], index=days(60))
    ff = L.fitness_fatigue(s)
    # X_t = X_{t-1} + (load_t - X_{t-1}) (1 - exp(-1/tau)): after a seed X_0 and n days of a constant
    # load c, X = c + (X_0 - c) exp(-n / tau)
    # ATL (tau 7): seed on day 6 = mean of days 0-6 = 20; stays 20 to day 20; day t >= 21:
    #   ATL_t = 80 - 60 exp(-(t - 20) / 7) -> day 21: 80 - 60 * 0.866878 = 27.987326
    assert ff["atl"].iloc[6] == 20.0 and ff["atl"].iloc[20] == pytest.approx(20.0)
    assert ff["atl"].iloc[21] == pytest.approx(80 - 60 * math.exp(-1 / 7))
    assert ff["atl"].iloc[21] == pytest.approx(27.987326, abs=1e-6)
    assert ff["atl"].iloc[59] == pytest.approx(80 - 60 * math.exp(-39 / 7))     # 79.771698
    # CTL (tau 42): seed on day 41 = mean of days 0-41 = (21 * 20 + 21 * 80) / 42 = 50; day t >= 42:
    #   CTL_t = 80 - 30 exp(-(t - 41) / 42) -> day 59: 80 - 30 exp(-18/42) = 60.456828
    assert ff["ctl"].iloc[41] == pytest.approx(50.0)
    assert ff["ctl"].iloc[59] == pytest.approx(80 - 30 * math.exp(-18 / 42))
    assert ff["ctl"].iloc[59] == pytest.approx(60.456828, abs=1e-6)
    # TSB = CTL - ATL: day 59 = 60.456828 - 79.771698 = -19.314869; day 41 = 50 - ATL_41
    assert ff["tsb"].iloc[59] == pytest.approx(30 * (2 * math.exp(-39 / 7) - math.exp(-18 / 42)))
    assert ff["tsb"].iloc[59] == pytest.approx(-19.314869, abs=1e-6)
    assert ff["tsb"].iloc[41] == pytest.approx(50 - (80 - 60 * math.exp(-21 / 7)))
    assert ff["ctl"].iloc[:41].isna().all() and ff["atl"].iloc[:6].isna().all()
    assert ff["tsb"].iloc[:41].isna().all()


def test_daily_total_fills_rest_days_and_keeps_unknown():
    d = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-04"]))
    t = L.daily_total(d, pd.Series([10.0, 5.0, 7.0]))
    assert list(t) == [15.0, 0.0, 0.0, 7.0]
    t2 = L.daily_total(d, pd.Series([10.0, np.nan, 7.0]))
    assert np.isnan(t2.iloc[0]) and t2.iloc[1] == 0.0


def test_run_streak_days():
    a = pd.Series([True, True, False, True, True, True], index=days(6))
    assert list(L.run_streak_days(a)) == [1, 2, 0, 1, 2, 3]


def test_longest_run_ratio_spike_and_warmup():
    t = pd.Series(pd.to_datetime(["2024-01-01T07:00Z", "2024-01-10T07:00Z", "2024-02-05T07:00Z",
                                  "2024-02-20T07:00Z"]), index=list("abcd"))
    d = pd.Series([10000.0, 12000.0, 8000.0, 15000.0], index=t.index)
    r = L.longest_run_ratio(t, d)
    # a, b: less than 30 days of history before them -> NaN
    assert r[["a", "b"]].isna().all()
    # c (Feb 5): window Jan 6 - Feb 5 holds b (12 km) -> 8/12
    assert r["c"] == pytest.approx(8 / 12)
    # d (Feb 20): window Jan 21 - Feb 20 holds c (8 km) -> 15/8 = 1.875 (a > 10 % spike)
    assert r["d"] == pytest.approx(15 / 8)


def _runs(starts, dist_km, sport=None):
    st = pd.to_datetime(starts, utc=True)
    idx = pd.Index([f"r{i}" for i in range(len(starts))], name="run_id")
    return pd.DataFrame({"start_time": st, "start_local": st.tz_localize(None),
                         "distance_m": np.asarray(dist_km, dtype=float) * 1000,
                         "sport": sport or ["running"] * len(starts)}, index=idx)


def test_load_features_per_run_windows_end_the_day_before():
    # 40 days, one run a day at 07:00: load 10 (days 0-29), 20 (days 30-39); distance 5 km, 10 km
    starts = [f"{d:%Y-%m-%d}T07:00" for d in days(40)]
    runs = _runs(starts, np.r_[np.full(30, 5.0), np.full(10, 10.0)])
    load = pd.Series(np.r_[np.full(30, 10.0), np.full(10, 20.0)], index=runs.index)
    f = L.load_features(runs, load, pd.Series(True, index=runs.index))
    last = f.iloc[39]          # sees days 0..38
    ref = L.acwr_uncoupled(step_40()).iloc[38]
    assert last["acwr_rolling"] == pytest.approx(ref)
    # acute days 32-38: 7*20 = 140 -> 20/day; chronic days 11-31: (19*10 + 2*20)/21 = 230/21 -> ratio 1.826087
    assert last["acwr_rolling"] == pytest.approx(20 / (230 / 21))
    assert last["load_7d_au"] == 140 and last["distance_7d_km"] == 70
    assert last["load_28d_au"] == pytest.approx(19 * 10 + 9 * 20)
    assert last["rest_days_7d"] == 0 and last["run_streak_days"] == 40
    assert last["days_since_last_run_d"] == 1
    # week-over-week (days 32-38 vs 25-31): 70 km vs (5*5 + 2*10) = 45 km -> +55.56 %
    assert last["week_distance_change_pct"] == pytest.approx((70 - 45) / 45 * 100)
    # first days of the history: NaN, not zeros
    first = f.iloc[0]
    for c in ("rest_days_7d", "distance_7d_km", "load_7d_au", "acwr_rolling", "acwr_ewma", "ctl_au",
              "atl_au", "monotony_7d", "days_since_last_run_d", "distance_vs_longest_30d_ratio"):
        assert np.isnan(first[c]), c
    assert np.isnan(f.iloc[27]["acwr_rolling"]) and np.isfinite(f.iloc[28]["acwr_rolling"])
    assert np.isnan(f.iloc[6]["load_7d_au"]) and f.iloc[7]["load_7d_au"] == 70


def test_load_counts_all_sports_distance_counts_running_only():
    starts = [f"{d:%Y-%m-%d}T07:00" for d in days(10)] + ["2024-01-10T18:00"]
    sport = ["running"] * 5 + ["cycling"] * 5 + ["running"]
    runs = _runs(starts, [5.0] * 5 + [40.0] * 5 + [5.0], sport)
    load = pd.Series(10.0, index=runs.index)
    running = runs["sport"] == "running"
    f = L.load_features(runs, load, running)
    last = f.iloc[-1]                       # evening run on day 9 (Jan 10): window Jan 3 - Jan 9
    assert last["load_7d_au"] == 70         # all sports
    assert last["distance_7d_km"] == 15     # runs on Jan 3, 4, 5 only: the rides are not running km
    assert last["rest_days_7d"] == 0        # a ride is not a rest day
    # last run before it was on Jan 5; the 5 ride days break the running streak
    assert last["days_since_last_run_d"] == 5
    assert last["run_streak_days"] == 1
    assert np.isnan(f.loc[runs.index[7], "distance_vs_longest_30d_ratio"])   # a ride


def test_rest_days_and_double_days():
    starts = ["2024-01-01T07:00", "2024-01-03T07:00", "2024-01-08T07:00", "2024-01-09T07:00",
              "2024-01-09T18:00", "2024-01-16T07:00"]
    runs = _runs(starts, [5, 5, 5, 5, 5, 5])
    f = L.load_features(runs, pd.Series(10.0, index=runs.index), pd.Series(True, index=runs.index))
    # Jan 9 morning: days Jan 2-8 -> active on Jan 3 and Jan 8 -> 5 rest days
    assert f.iloc[3]["rest_days_7d"] == 5
    # Jan 9 evening: same window; an earlier run the same day -> 0 days since the last run
    assert f.iloc[4]["rest_days_7d"] == 5 and f.iloc[4]["days_since_last_run_d"] == 0
    assert f.iloc[4]["run_streak_days"] == 2
    # Jan 16: days Jan 9-15 -> only Jan 9 active -> 6 rest days; 14-day window Jan 2-15 -> active Jan 3, 8, 9
    assert f.iloc[5]["rest_days_7d"] == 6 and f.iloc[5]["rest_days_14d"] == 11
    assert np.isnan(f.iloc[3]["rest_days_14d"])   # Jan 9: 14-day window starts Dec 26, before the history


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.just(0.0), st.floats(0, 500, allow_nan=False)), min_size=30, max_size=80))
def test_ewma_and_acwr_match_independent_implementations(loads):
    s = pd.Series(loads, index=days(len(loads)))
    # pandas' recursive EWM started on day 6 from the mean of days 0-6
    ref7 = pd.Series([np.mean(loads[:7]), *loads[7:]]).ewm(alpha=2 / 8, adjust=False).mean().to_numpy()
    got7 = L.ewma(s, 7).to_numpy()
    assert np.allclose(got7[6:], ref7, rtol=1e-9, atol=1e-9) and np.isnan(got7[:6]).all()
    # CTL the same way, alpha = 1 - exp(-1/42), seeded on day 41 when the series is long enough
    ctl = L.fitness_fatigue(s)["ctl"].to_numpy()
    if len(loads) >= 42:
        ref = pd.Series([np.mean(loads[:42]), *loads[42:]]).ewm(alpha=1 - math.exp(-1 / 42),
                                                                 adjust=False).mean().to_numpy()
        assert np.allclose(ctl[41:], ref, rtol=1e-9, atol=1e-9)
    assert np.isnan(ctl[:41]).all()
    # uncoupled ACWR by an explicit loop over the days
    r = L.acwr_uncoupled(s).to_numpy()
    assert np.allclose(L.rolling_sum(s, 7).to_numpy()[6:], s.rolling(7).sum().to_numpy()[6:], rtol=1e-9, atol=1e-9)
    for t in range(27, len(loads)):
        acute = np.mean(loads[t - 6:t + 1])
        chronic = np.mean(loads[t - 27:t - 6])
        want = acute / chronic if chronic > 0 else np.nan
        assert np.isclose(r[t], want, rtol=1e-9, equal_nan=True)


def test_time_spans_below_their_meaning_are_refused_with_the_parameter_named():
    s = pd.Series(np.arange(40.0), index=pd.date_range("2024-01-01", periods=40))
    with pytest.raises(ValueError, match="n_days"):
        L.ewma(s, 0.5)
    with pytest.raises(ValueError, match="time constants"):
        L.fitness_fatigue(s, tau_fitness_d=-1.0)
