"""The cause-level decision (runlog.analysis.causes): helpers against independent
implementations, and error rates on simulated per-run frames where the truth is known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import special
from statsmodels.stats.multitest import multipletests
from validate_calibration import decide, season_frame

from runlog.analysis import causes as C
from runlog.features.catalog import FEATURES

CAT = FEATURES


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def test_holm_matches_statsmodels():
    p = np.array([0.01, 0.04, 0.03, 0.2, np.nan, 0.001])
    ok = np.isfinite(p)
    expect = multipletests(p[ok], method="holm")[1]
    got = C.holm(p)
    assert np.isnan(got[4])
    np.testing.assert_allclose(got[ok], expect, rtol=1e-12)
    # by hand: sorted 0.001, 0.01, 0.03, 0.04, 0.2 times 5, 4, 3, 2, 1 -> 0.005, 0.04, 0.09, 0.09 (max), 0.2
    np.testing.assert_allclose(got[ok], [0.04, 0.09, 0.09, 0.2, 0.005])


@pytest.mark.parametrize("sd, unit", [(0.37, 0.2), (7.0, 5.0), (1.0, 1.0), (180.0, 100.0), (0.0, 1.0)])
def test_nice_unit_rounds_the_spread_down_to_1_2_5(sd, unit):
    x = np.array([0.0, sd * math.sqrt(2)])   # sample sd of two points = |a - b| / sqrt(2)
    assert C.nice_unit(x) == pytest.approx(unit)


def test_exposure_windows_onset_or_a_drawn_onset():
    flags = pd.DataFrame({"numb": [True, True, True] + [False] * 400,
                          "onset_min": [20.0, 40.0, np.nan] + [np.nan] * 400})
    w = C.exposure_windows(flags, seed=1)
    # numb runs with an onset: their onset; all others: one of the known onsets, about half each
    assert w.iloc[:2].tolist() == [20.0, 40.0]
    assert set(w.iloc[2:]) == {20.0, 40.0}
    assert 0.4 < (w.iloc[3:] == 20.0).mean() < 0.6
    pd.testing.assert_series_equal(w, C.exposure_windows(flags, seed=1))   # reproducible
    none = C.exposure_windows(pd.DataFrame({"numb": [False, True], "onset_min": [np.nan, np.nan]}))
    assert none.isna().all()                                                # no onset known: whole runs


def test_calendar_basis_degrees_of_freedom():
    assert C.calendar_basis(np.arange(10.0)).shape[1] == 0            # under two weeks: no term
    assert C.calendar_basis(np.arange(0.0, 60.0)).shape[1] == 1       # two months: linear
    b = C.calendar_basis(np.arange(0.0, 182.0))                        # half a year: 2 df (90 d each)
    assert list(b.columns) == ["season_1", "season_2"]
    assert C.calendar_basis(np.arange(0.0, 365.0)).shape[1] == 4       # a year: 4 df (the most)
    np.testing.assert_allclose(b.mean().to_numpy(), 0.0, atol=1e-12)


def test_firth_with_offset_approaches_maximum_likelihood_on_many_events():
    """With many events Firth's penalty vanishes: coefficients match statsmodels' GLM with the same offset."""
    rng = np.random.default_rng(3)
    n = 4000
    x = rng.normal(size=n)
    off = np.log(rng.uniform(0.5, 2.0, n))
    y = rng.random(n) < special.expit(-1.0 + 0.5 * x + off)
    fit = C.firth(pd.DataFrame({"x": x}), y, off, lrt=["x"])
    ml = sm.GLM(y.astype(float), sm.add_constant(x), family=sm.families.Binomial(), offset=off).fit()
    assert fit["coef"]["x"] == pytest.approx(ml.params[1], abs=0.01)
    assert fit["p"]["x"] < 1e-10


def test_inflation_is_one_for_independent_runs_and_large_for_slow_dependence():
    rng = np.random.default_rng(5)
    n = 300
    days = np.arange(n, dtype=float)
    p = np.full(n, 0.3)
    x_iid = rng.normal(size=n)
    y_iid = rng.random(n) < p
    k_iid = C.inflation(pd.DataFrame({"x": x_iid}), y_iid, p, days, bandwidth_d=28)["x"]
    # x and y both follow the same slow wave: scores of nearby runs share their sign
    wave = np.sin(days / 15.0)
    y_dep = rng.random(n) < np.clip(0.3 + 0.25 * wave, 0, 1)
    k_dep = C.inflation(pd.DataFrame({"x": wave}), y_dep, p, days, bandwidth_d=28)["x"]
    assert 1.0 <= k_iid < 1.25
    assert k_dep > 1.8


# ----------------------------------------------------------------------------------------------
# simulated per-run frames (the features the analysis sees, without GPX files)
# ----------------------------------------------------------------------------------------------
def _decide(f, numb):
    return decide(f, numb)


def test_a_planted_heat_effect_is_the_one_finding():
    f = season_frame(11)
    rng = np.random.default_rng(11)
    dose = (f["air_temp_c"] - 12).clip(lower=0) * f["duration_min"] / 60.0   # [°C h]
    p = special.expit(special.logit(0.04) + 0.6 * dose)
    numb = rng.random(len(f)) < p.to_numpy()
    c = _decide(f, numb)
    assert c.loc[c["finding"], "cause"].tolist() == ["hydration"]
    top = c.iloc[0]
    assert top["factor"] == "air_temp_c" and top["effect"] > 1 and top["ci_low"] > 1
    # heat over the hours: per 5 °C above the runner's median temperature, per hour run
    usual = f["air_temp_c"].median()
    assert (top["effect_kind"], top["effect_per"], top["effect_per_unit"]) == ("exposure", 5.0, "°C")
    assert top["effect_usual"] == pytest.approx(usual)


def test_inflation_banded_sum_equals_the_dense_kernel():
    """The linear-time kernel sum equals B^-1 S'KS B^-1 with the full Bartlett matrix."""
    rng = np.random.default_rng(8)
    n = 120
    days = np.sort(rng.uniform(0, 200, n))[rng.permutation(n)]   # unsorted input
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    p = rng.uniform(0.1, 0.4, n)
    y = rng.random(n) < p
    got = C.inflation(X, y, p, days, bandwidth_d=10.0)
    Xv = np.column_stack([np.ones(n), X.to_numpy()])
    S = Xv * (y - p)[:, None]
    Binv = np.linalg.pinv(Xv.T @ (Xv * (p * (1 - p))[:, None]))
    K = np.clip(1 - np.abs(days[:, None] - days[None, :]) / 10.0, 0, None)
    ratio = np.diag(Binv @ S.T @ K @ S @ Binv) / np.diag(Binv @ S.T @ S @ Binv)
    np.testing.assert_allclose(got.to_numpy(), np.sqrt(np.maximum(ratio[1:], 1.0)), rtol=1e-10)


def test_exposure_windows_fit_into_each_run():
    flags = pd.DataFrame({"numb": [True, True] + [False] * 300, "onset_min": [20.0, 60.0] + [np.nan] * 300})
    dur = pd.Series([70.0, 80.0] + [30.0] * 100 + [90.0] * 100 + [10.0] * 100)
    w = C.exposure_windows(flags, dur, seed=2)
    assert set(w.iloc[2:102]) == {20.0}                 # 30-min runs: only the 20-min onset fits
    assert set(w.iloc[102:202]) == {20.0, 60.0}         # 90-min runs: either
    assert w.iloc[202:].isna().all()                    # shorter than every onset: the whole run


def _report_frames(effect_sign: float, seed: int = 4):
    """Analysed frames where air temperature drives numbness up (sign +1) or down (-1)."""
    rng = np.random.default_rng(seed)
    n = 200
    idx = pd.Index([f"r{i:03d}" for i in range(n)], name="run_id")
    temp = rng.normal(15, 6, n)
    z = (temp - 15) / 6
    numb = rng.random(n) < special.expit(-1.8 + effect_sign * 1.3 * z)
    F = pd.DataFrame({"air_temp_c": temp, "duration_min": rng.uniform(30, 90, n),
                      "run_streak_days": rng.integers(1, 5, n).astype(float)}, index=idx)
    flags = pd.DataFrame({"tracked": True, "numb": numb, "n_episodes": numb.astype(int),
                          "onset_min": np.where(numb, 30.0, np.nan), "onset_km": np.where(numb, 5.0, np.nan)},
                         index=idx)
    runs = pd.DataFrame({"elapsed_s": F["duration_min"] * 60, "distance_m": 8000.0,
                         "start_local": pd.Series(pd.date_range("2024-03-01 07:00", periods=n, freq="D"),
                                                  index=idx)})
    return F, flags, runs


@pytest.mark.parametrize("sign, subject", [(1.0, "Heat goes"), (-1.0, "Lower air temperature goes")])
def test_answer_names_the_direction_the_data_show(sign, subject):
    from runlog.report import analyze_frames

    F, flags, runs = _report_frames(sign)
    rep = analyze_frames(F, flags, runs=runs)
    assert rep.findings["cause"].tolist() == ["hydration"]
    assert rep.answer.startswith(f"{subject} with your numbness: ")
    f = rep.findings.iloc[0]
    assert (f["effect"] > 1) == (sign > 0) and f["q_value"] >= f["p_value"]
    # the paragraph names what the model holds: no other finding here
    assert f["sentence"].endswith("with the season and the time on your feet in the model.")


def test_runs_without_a_duration_are_counted_and_said():
    from runlog.report import analyze_frames

    F, flags, runs = _report_frames(1.0)
    F.loc[F.index[:7], "duration_min"] = np.nan
    runs.loc[runs.index[:5], "elapsed_s"] = np.nan        # 5 without either: left out, and said
    rep = analyze_frames(F, flags, runs=runs)
    assert any(n.startswith("5 run(s) without a duration") for n in rep.notes)


def test_more_episodes_needed_by_hand():
    # strongest p = 0.05 among 7 causes: z = 1.95996; Holm's first step at 80 % power needs
    # z_(0.05/14) + z_0.8 = 2.69184 + 0.84162 = 3.53346; 20 events * (3.53346 / 1.95996)^2 = 65.0
    # events, i.e. 45 more (rounded up)
    causes = pd.DataFrame({"p_value": [0.05, 0.2, 0.3, 0.5, 0.6, 0.8, 0.9, np.nan]})
    assert C.more_episodes_needed(causes, 20) == 45
    assert C.more_episodes_needed(causes.iloc[[7]], 20) is None          # nothing tested
    assert C.more_episodes_needed(pd.DataFrame({"p_value": [0.9]}), 20) == 200   # z < 0.3: capped


def _analysis(seed: int = 21):
    f = season_frame(seed)
    rng = np.random.default_rng(seed)
    dose = (f["air_temp_c"] - 12).clip(lower=0) * f["duration_min"] / 60.0
    numb = rng.random(len(f)) < special.expit(special.logit(0.03) + 0.4 * dose + 0.4 * (f["run_streak_days"] - 1))
    return f, C.CauseAnalysis(f.drop(columns="day"), pd.Series(numb, index=f.index), f["day"], f["duration_min"], CAT)


def test_heat_enters_as_an_exposure_over_the_hours():
    """Air temperature is a heat exposure: (T - the runner's median) x hours run, per 5 °C; its test
    holds the hours itself (no log2-duration term), every other measure is tested beside it."""
    f, ca = _analysis()
    t, per = ca._numeric_term("air_temp_c")
    # by hand, on the first run: (T - median T) * duration / 60 / 5
    T = f["air_temp_c"]
    assert per == 5.0
    assert t.iloc[0] == pytest.approx((T.iloc[0] - T.median()) * f["duration_min"].iloc[0] / 60.0 / 5.0)
    # a measure without dose stays a level
    s, _ = ca._numeric_term("run_streak_days")
    np.testing.assert_allclose(s.to_numpy(), f["run_streak_days"].to_numpy())
    ca.run()
    assert ca._base("air_temp_c") == {}
    assert list(ca._base("run_streak_days")) == ["duration_min"]
    assert ca._base("duration_min") == {}


def test_holm_sequential_retests_the_rest_beside_each_cause_passed():
    _, ca = _analysis()
    causes = ca.run()["causes"]
    p_alone = {c: r["p_value"] for c, r in ca.alone.items()}
    q = ca._holm_sequential(p_alone)
    m = len(p_alone)
    first = min(p_alone, key=p_alone.get)
    assert q[first] == pytest.approx(min(1.0, p_alone[first] * m))      # step 1 is Holm's
    assert q[first] < C.ALPHA
    # step 2: the next smallest p-value *with the first cause in the model*, times m - 1
    rest = {c: ca._cause_test(c, ca._terms_of([first]))["p_value"] for c in p_alone if c != first}
    second = min(rest, key=rest.get)
    assert q[second] == pytest.approx(max(q[first], min(1.0, rest[second] * (m - 1))))
    assert set(causes.loc[causes["finding"], "cause"]) == {"hydration", "overtraining"}
    # with nothing passing, it is Holm's procedure on the p-values given
    none = {c: 0.5 + 0.01 * i for i, c in enumerate(p_alone)}
    np.testing.assert_allclose([ca._holm_sequential(none)[c] for c in none], C.holm(list(none.values())))


def test_effect_columns_say_what_an_odds_ratio_is_per():
    from runlog.features.catalog import FEATURES
    from runlog.schema import Feature

    def cols(name, per, kind="numeric", usual=None):
        return C.effect_columns(name, per, FEATURES, kind, usual=usual)

    heat = cols("air_temp_c", 5.0, usual=16.04)
    assert heat == {"effect_kind": "exposure", "effect_per": 5.0, "effect_per_unit": "°C", "effect_usual": 16.04}
    # not an exposure without the runner's usual value: a plain step
    assert cols("air_temp_c", 5.0)["effect_kind"] == "per_step"
    # days are counted ('day', 'days'); a measure without a unit is a ratio
    assert cols("run_streak_days", 1.0)["effect_per_unit"] == "day"
    assert cols("run_streak_days", 2.0)["effect_per_unit"] == "days"
    assert cols("not_in_the_catalogue", 0.1)["effect_per_unit"] == "(ratio)"
    # a rating scale (run notes' RPE, unit '0-10') is counted in points, not 'per 1 0-10'
    rating = {"rpe": Feature(name="rpe", unit="0-10", dtype="float64", description="RPE", cause="intensity")}
    assert C.effect_columns("rpe", 1.0, rating, "numeric")["effect_per_unit"] == "point (0-10)"
    assert C.effect_columns("rpe", 2.0, rating, "numeric")["effect_per_unit"] == "points (0-10)"
    dur = cols(C.EXPOSURE_TERM, float("nan"))
    assert dur["effect_kind"] == "per_doubling" and math.isnan(dur["effect_per"])
    assert cols("shoes", 1.0, "categorical")["effect_kind"] == "level"
    assert cols("x", 1.0, "binary")["effect_kind"] == "with_without"
    assert set(C.EFFECT_KINDS) == {"per_step", "per_doubling", "exposure", "with_without", "level"}
