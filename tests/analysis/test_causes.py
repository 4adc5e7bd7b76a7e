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


def test_a_finding_in_the_articles_direction():
    from runlog.report import analyze_frames

    F, flags, runs = _report_frames(1.0)
    rep = analyze_frames(F, flags, runs=runs)
    assert rep.findings["cause"].tolist() == ["hydration"]
    assert rep.answer.startswith("Heat goes with your numbness: ")
    f = rep.findings.iloc[0]
    assert f["effect"] > 1 and f["q_value"] >= f["p_value"]


def test_the_other_direction_is_not_a_finding():
    """The tests are one-sided, in the direction the articles name: cooler runs going with numbness
    is no evidence that heat causes it (p near 1), and is not 'worth testing' either."""
    from runlog.report import analyze_frames

    F, flags, runs = _report_frames(-1.0)
    rep = analyze_frames(F, flags, runs=runs)
    assert not len(rep.findings)
    heat = rep.causes.set_index("cause").loc["hydration"]
    assert heat["effect"] < 1 and heat["p_value"] > 0.5 and not heat["suggestive"]


def test_runs_without_a_duration_are_counted_and_said():
    from runlog.report import analyze_frames

    F, flags, runs = _report_frames(1.0)
    F.loc[F.index[:7], "duration_min"] = np.nan
    runs.loc[runs.index[:5], "elapsed_s"] = np.nan        # 5 without either: left out, and said
    rep = analyze_frames(F, flags, runs=runs)
    assert any(n.startswith("5 run(s) without a duration") for n in rep.notes)


def test_more_episodes_needed_by_hand():
    # strongest one-sided p = 0.025 (z = 1.95996) on a cause with weight 0.3: its first level is
    # 0.05 * 0.3 = 0.015, z_(0.015) + z_(0.8) = 2.17009 + 0.84162 = 3.01171; 20 events *
    # (3.01171 / 1.95996)^2 = 47.22 events, i.e. 28 more (rounded up)
    causes = pd.DataFrame({"p_value": [0.025, 0.2, 0.3, np.nan], "weight": [0.3, 0.3, 0.04, 0.04]})
    assert C.more_episodes_needed(causes, 20) == 28
    assert C.more_episodes_needed(causes.iloc[[3]], 20) is None          # nothing tested
    assert C.more_episodes_needed(pd.DataFrame({"p_value": [0.6], "weight": [0.3]}), 20) == 200   # z < 0.3


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


# ----------------------------------------------------------------------------------------------
# v3: the pre-stated plan, missing measures, two measures of a cause, the season, worth testing
# ----------------------------------------------------------------------------------------------
def _frames(seed: int, logit, n_days: int = 182):
    f = season_frame(seed, n_days=n_days)
    rng = np.random.default_rng(seed + 500)
    numb = pd.Series(rng.random(len(f)) < special.expit(logit(f)), index=f.index)
    return f, numb


def _causes(f, numb, **kw):
    ca = C.CauseAnalysis(f.drop(columns="day"), numb, f["day"], f["duration_min"], CAT, **kw)
    return ca, ca.run()["causes"].set_index("cause")


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_the_larger_of_two_statistics_by_simulation(rho):
    # rho = 0: 1 - (1 - p)^2 exactly; otherwise against 400,000 draws of the bivariate normal
    z = 2.3
    p1 = 1.0 - special.ndtr(z)
    if rho == 0.0:
        assert C.max_z_pvalue(z, 0.0) == pytest.approx(1 - (1 - p1) ** 2, rel=1e-6)
    rng = np.random.default_rng(7)
    a = rng.normal(size=400_000)
    b = rho * a + math.sqrt(1 - rho * rho) * rng.normal(size=400_000)
    mc = float(np.mean(np.maximum(a, b) >= z))
    assert C.max_z_pvalue(z, rho) == pytest.approx(mc, abs=4 * math.sqrt(mc / 400_000))
    assert p1 <= C.max_z_pvalue(z, rho) <= 2 * p1


def test_heat_per_run_is_tested_beside_heat_over_the_hours():
    """A temperature enters twice: per hour on the feet and per run (the excess alone); heat that acts
    per run whatever the run's length is then found on the per-run form."""
    f, numb = _frames(31, lambda f: special.logit(0.05) + 0.25 * (f["air_temp_c"] - 12).clip(lower=0))
    ca, c = _causes(f, numb)
    t, per = ca._numeric_term("air_temp_c" + C.PER_RUN)
    T = f["air_temp_c"]
    assert per == 5.0 and t.iloc[0] == pytest.approx((T.iloc[0] - T.median()) / 5.0)
    heat = c.loc["hydration"]
    assert heat["finding"] and heat["factor"] == "air_temp_c" and heat["form"] in ("per_run", "exposure")
    assert heat["form"] == "per_run" and heat["effect_kind"] == "per_step"


def test_missing_is_not_zero():
    """A cause is tested on the runs that have its measure and says how many lacked it; below 40 % of
    the runs it is not testable."""
    f, numb = _frames(41, lambda f: special.logit(0.04) + 0.5 * (f["air_temp_c"] - 12).clip(lower=0)
                      * f["duration_min"] / 60)
    rng = np.random.default_rng(2)
    g = f.copy()
    gone = rng.random(len(g)) < 0.35
    g.loc[gone, "air_temp_c"] = np.nan
    _, c = _causes(g, numb)
    heat = c.loc["hydration"]
    assert (heat["n_runs"], heat["n_missing"]) == (int((~gone).sum()), int(gone.sum()))
    assert heat["n_numb"] == int(numb[~gone].sum())
    assert heat["finding"]
    # the other causes keep every run
    assert c.loc["overtraining", "n_runs"] == len(f) and c.loc["overtraining", "n_missing"] == 0
    g.loc[rng.random(len(g)) < 0.6, "air_temp_c"] = np.nan      # now known for about a quarter
    _, c = _causes(g, numb)
    assert c.loc["hydration", "status"] == "not_testable" and c.loc["hydration", "reason"] == "coverage"
    assert c.loc["hydration", "reason_value"] < C.MIN_PRESENT


def test_shoes_are_compared_among_the_runs_with_shoes_noted():
    """Runs without shoes noted are no 'other pair': with the runs of pairs A and B at the same risk and
    the unnoted runs at a low one, no pair stands out."""
    f = season_frame(51)
    rng = np.random.default_rng(9)
    noted = rng.random(len(f)) < 0.6
    f["shoes"] = np.where(noted, rng.choice(["A", "B"], len(f)), None)
    numb = pd.Series(rng.random(len(f)) < np.where(noted, 0.3, 0.03), index=f.index)
    _, c = _causes(f, numb)
    shoes = c.loc["footwear"]
    assert not shoes["finding"] and shoes["n_runs"] == int(noted.sum())
    assert shoes["n_missing"] == int((~noted).sum())


def test_a_measure_that_moves_with_the_season_says_so():
    """Air temperature that only follows the calendar cannot be told apart from the season."""
    f, numb = _frames(61, lambda f: np.full(len(f), special.logit(0.15)))
    f["air_temp_c"] = 6.0 + 16.0 * f["day"] / 182.0 + np.random.default_rng(3).normal(0, 0.3, len(f))
    _, c = _causes(f, numb)
    heat = c.loc["hydration"]
    assert heat["season_r2"] >= C.ENTANGLED_R2
    assert heat["status"] == "entangled" and not heat["finding"]


def test_worth_testing_is_a_cause_below_005_on_its_own_but_not_a_finding():
    f, numb = _frames(77, lambda f: special.logit(0.12) + 0.04 * (f["ascent_per_km_m"] - 12))
    _, c = _causes(f, numb)
    tested = c[c["p_value"].notna()]
    np.testing.assert_array_equal(tested["suggestive"], ~tested["finding"] & (tested["p_alone"] < C.SUGGESTIVE_P))
    assert tested.loc["terrain", "suggestive"], tested[["p_alone", "finding"]]


def test_one_story_per_number():
    """The interval excludes 1 exactly when the two-sided p-value (twice the one-sided one, in the
    plan's direction) is below 0.05; q is at least p; the level a cause was judged at is its share."""
    f, numb = _frames(81, lambda f: special.logit(0.04) + 0.4 * (f["air_temp_c"] - 12).clip(lower=0)
                      * f["duration_min"] / 60 + 0.35 * (f["run_streak_days"] - 1))
    _, c = _causes(f, numb)
    tested = c[c["p_value"].notna()]
    right_way = np.sign(np.log(tested["effect"])) == tested["direction"]
    excl = (tested["ci_low"] > 1) | (tested["ci_high"] < 1)
    assert (excl[right_way] == (2 * tested.loc[right_way, "p_value"] < 0.05)).all()
    assert (tested["q_value"] >= tested["p_value"] - 1e-12).all()
    assert set(c.index[c["finding"]]) == {"hydration", "overtraining"}
    w = {ct.cause: ct.weight for ct in C.TEST_PLAN}
    first = tested.loc[~tested["finding"]]
    assert (first["alpha_level"] >= 0.05 * first.index.map(w) - 1e-12).all()


def test_the_same_fit_asked_twice_is_fitted_once(monkeypatch):
    """A test asked again on the same runs and terms (a cause alone, then in the measures table) is
    answered from the first fit; each caller gets its own copy; another term is fitted afresh."""
    _, ca = _analysis()
    fits = []
    real = C._firth_fit
    monkeypatch.setattr(C, "_firth_fit", lambda *a, **k: fits.append(1) or real(*a, **k))
    terms = {**ca.duration_term, "run_streak_days": ca._numeric_term("run_streak_days")[0]}
    first = ca._test(dict(terms), ["run_streak_days"])
    again = ca._test(dict(terms), ["run_streak_days"])
    assert len(fits) == 1
    assert again == first and again["run_streak_days"] is not first["run_streak_days"]
    again["run_streak_days"]["p_value"] = -1.0                  # a caller changing its answer ...
    third = ca._test(dict(terms), ["run_streak_days"])
    assert third["run_streak_days"]["p_value"] == first["run_streak_days"]["p_value"]   # ... changes nobody else's
    ca._test(dict(terms), ["run_streak_days"], wald=True)        # another test of the same fit: fitted
    other = {**ca.duration_term, "run_streak_days": ca._numeric_term("run_streak_days")[0] * 2.0}
    ca._test(other, ["run_streak_days"])                         # other values: fitted
    assert len(fits) == 3


def _wrist_season(seed: int):
    """A half-year judged on the watch's own temperature (no air temperature): the wrist reads the
    air + 2 °C + 6 °C per hour on the feet (body heat builds up), and numbness comes at a constant
    risk per minute on the feet (0.008/min), nothing from heat."""
    f = season_frame(seed)
    rng = np.random.default_rng(seed + 900)
    m = f["duration_min"]
    f["device_temp_mean_c"] = f["air_temp_c"] + 2.0 + 6.0 * m / 60.0 + rng.normal(0, 1.0, len(f))
    f["air_temp_c"] = np.nan
    numb = pd.Series(rng.random(len(f)) < -np.expm1(-0.008 * m), index=f.index)
    return f, numb


def test_the_watchs_own_temperature_is_judged_per_minute_on_the_feet(monkeypatch):
    """The wrist sensor warms over the run, so its heat exposure also measures the minutes run: its
    test keeps the log-hours offset (a constant risk per minute is no heat).  Over 12 seasons where
    only the minutes on the feet matter the heat p-values are then spread as chance spreads them
    (median 0.38, none below 0.05, no finding); without the offset they lean to 0 (median 0.08, 6
    below 0.05) and heat is found in 2."""
    def heat(seed):
        f, numb = _wrist_season(seed)
        ca, c = _causes(f, numb)
        return ca, c.loc["hydration"]

    ca, h = heat(60)
    assert h["factor"] == "device_temp_mean_c" and "minutes_on_feet" in h["adjusted_for"].split(",")
    assert ca._base("device_temp_mean_c") == {}
    assert ca._offset({"device_temp_mean_c": None}) is not None
    assert ca._offset({"device_temp_mean_c" + C.PER_RUN: None}) is not None
    assert ca._offset({"air_temp_c": None}) is None   # an air temperature's exposure holds the hours
    now = [heat(s)[1] for s in range(60, 72)]
    before_worn = C.WORN_SENSOR
    monkeypatch.setattr(C, "WORN_SENSOR", frozenset())   # the model before: no time on the feet
    before = [heat(s)[1] for s in range(60, 72)]
    assert before_worn and "minutes_on_feet" not in before[0]["adjusted_for"].split(",")
    p_now, p_before = (np.array([r["p_value"] for r in rs]) for rs in (now, before))
    assert not any(r["finding"] for r in now) and (p_now < 0.05).sum() <= 1 and np.median(p_now) > 0.25
    assert sum(bool(r["finding"]) for r in before) >= 2 and (p_before < 0.05).sum() >= 4
    assert np.median(p_before) < 0.1


def test_the_best_measure_compares_likelihoods_with_one_time_at_risk(monkeypatch):
    """Heat found on the air temperature (its model has no offset: the exposure holds the hours): the
    watch's temperature, whose own test keeps the log-hours offset, is compared with the air's model
    as it is, since a likelihood with an offset is not comparable with one without."""
    f, numb = _frames(33, lambda f: special.logit(0.03) + 0.5 * (f["air_temp_c"] - 12).clip(lower=0)
                      * f["duration_min"] / 60)
    rng = np.random.default_rng(5)
    f["device_temp_mean_c"] = f["air_temp_c"] + 2.0 + 3.0 * f["duration_min"] / 60 + rng.normal(0, 0.5, len(f))
    ca, c = _causes(f, numb)
    assert c.loc["hydration", "finding"] and c.loc["hydration", "factor"] == "air_temp_c"
    assert ca._offset({"device_temp_mean_c": None}) is not None   # its own test keeps the offset
    seen = []
    real = C._firth_fit
    monkeypatch.setattr(C, "_firth_fit", lambda X, y, off=None, **kw: seen.append(off) or real(X, y, off, **kw))
    _best, table = ca.best_measure("hydration", ca.run()["causes"])
    assert {"device_temp_mean_c", "air_temp_c"} <= set(table["factor"])
    assert len(seen) >= 2 and all(o is None for o in seen)
