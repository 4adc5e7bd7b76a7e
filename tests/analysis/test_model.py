"""Firth logistic regression: hand-computable cases, statsmodels cross-check, EPV limit, confounding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from runlog.analysis.model import EPV_MIN, firth_fit, fit_model
from runlog.analysis.stats import screen


def test_firth_perfect_separation_is_haldane_2x2():
    # X = [0,0,0,1,1,1], y = X: complete separation, the ML estimate is infinite.
    # For one binary predictor the Firth estimate equals the log odds ratio of the 2x2
    # table with 1/2 added to every cell (Firth 1993, sec. 3.3; Heinze & Schemper 2002):
    # log((3.5 * 3.5) / (0.5 * 0.5)) = log 49 = 3.8918.
    X = pd.DataFrame({"x": [0.0, 0, 0, 1, 1, 1]})
    y = np.array([False, False, False, True, True, True])
    r = firth_fit(X, y).loc["x"]
    assert r["coef"] == pytest.approx(np.log(49.0), abs=1e-4)
    assert r["odds_ratio"] == pytest.approx(49.0, rel=1e-3)
    assert np.isfinite(r["ci_low"]) and np.isfinite(r["ci_high"]) and r["ci_low"] > 1


def test_firth_2x2_haldane_general_table():
    # 2x2 table a=4 numb with factor, b=6 not, c=2 numb without, d=18 not:
    # Firth OR = (4.5 * 18.5) / (6.5 * 2.5) = 5.1231
    x = np.r_[np.ones(10), np.zeros(20)]
    y = np.r_[np.ones(4, bool), np.zeros(6, bool), np.ones(2, bool), np.zeros(18, bool)]
    r = firth_fit(pd.DataFrame({"x": x}), y).loc["x"]
    assert r["odds_ratio"] == pytest.approx(4.5 * 18.5 / (6.5 * 2.5), rel=1e-4)


def test_firth_close_to_ml_logit_on_well_conditioned_data():
    # Large sample, moderate effects: Firth's bias correction is O(1/n), so the estimates
    # agree with statsmodels' maximum likelihood Logit to about 1 % and so do the Wald SEs.
    rng = np.random.default_rng(42)
    n = 4000
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.binomial(1, 0.4, n).astype(float)})
    lp = -0.5 + 0.8 * X["a"] - 0.6 * X["b"]
    y = rng.random(n) < 1 / (1 + np.exp(-lp))
    ml = sm.Logit(y.astype(float), sm.add_constant(X)).fit(disp=0)
    fr = firth_fit(X, y)
    np.testing.assert_allclose(fr["coef"], ml.params[["a", "b"]], rtol=0.01)
    # profile CI close to the Wald CI of the ML fit for such n
    np.testing.assert_allclose(np.log(fr["ci_low"]), ml.conf_int().loc[["a", "b"], 0], atol=0.01)
    np.testing.assert_allclose(fr["p_value"].to_numpy() < 1e-10, [True, True])


def _season(seed, n=200, beta_heat=1.2, beta_long=0.0):
    """Hot days are also long-run days: heat ~ season, distance ~ season + noise."""
    rng = np.random.default_rng(seed)
    s = np.sin(np.linspace(0, 2 * np.pi, n))
    heat = 15 + 8 * s + rng.normal(0, 3, n)
    dist = 10 + 4 * s + rng.normal(0, 2.5, n)
    z_h, z_d = (heat - heat.mean()) / heat.std(), (dist - dist.mean()) / dist.std()
    lp = -2.3 + beta_heat * z_h + beta_long * z_d
    numb = pd.Series(rng.random(n) < 1 / (1 + np.exp(-lp)))
    F = pd.DataFrame({"heat_c": heat, "distance_km": dist, "noise": rng.normal(size=n)})
    return F, numb


def test_model_separates_confounded_factors():
    F, numb = _season(1)
    assert F["heat_c"].corr(F["distance_km"]) > 0.5
    factors, _ = screen(F, numb, n_resamples=100)
    # univariately both look related to numbness
    uni = factors.set_index("factor")
    assert uni.loc["distance_km", "ci_low"] > 1 and uni.loc["heat_c", "ci_low"] > 1
    res = fit_model(F, numb, factors)
    assert res.fitted and res.n_predictors >= 2
    assert res.epv == pytest.approx(res.n_episodes / res.n_predictors)
    t = res.table.set_index("factor")
    # adjusted: heat stays clear of 1, distance (not causal here) does not
    assert t.loc["heat_c", "ci_low"] > 1
    assert t.loc["distance_km", "ci_low"] < 1 < t.loc["distance_km", "ci_high"]
    assert t.loc["distance_km", "effect"] < t.loc["distance_km", "unadjusted_effect"]


def test_model_respects_events_per_variable():
    # 15 numb runs of 120 and five factors that all go with numbness (independent noise,
    # so no two are near-duplicates): 15 // EPV_MIN = 3 predictors may enter, the weakest two wait.
    rng = np.random.default_rng(2)
    numb = pd.Series(np.arange(120) % 8 == 0)
    F = pd.DataFrame({f"f{i}": 1.5 * numb + rng.normal(size=120) for i in range(5)})
    factors, _ = screen(F, numb, n_resamples=100)
    assert (factors["p_value"] < 0.2).sum() == 5
    res = fit_model(F, numb, factors)
    assert int(numb.sum()) // EPV_MIN == 3
    assert res.n_predictors == 3 and res.epv == pytest.approx(5.0)
    assert list(res.table["factor"]) == list(factors["factor"].iloc[:3])
    assert any(n.startswith("2 more factor(s) with p < 0.2 left out, because 3 predictor(s)") for n in res.notes)


def test_model_not_fitted_with_nine_events():
    rng = np.random.default_rng(5)
    F = pd.DataFrame({"a": rng.normal(size=100), "b": rng.normal(size=100)})
    numb = pd.Series(np.arange(100) < 9)
    factors, _ = screen(F, numb, n_resamples=100)
    res = fit_model(F, numb, factors)
    # 9 events // 5 per variable = 1 predictor: nothing to adjust for
    assert not res.fitted and res.notes and "9 runs with numbness allow at most 1" in res.notes[0]
    assert "No multivariable model" in res.describe()


def test_model_leaves_out_near_duplicates():
    F, numb = _season(3)
    F["heat_f"] = F["heat_c"] * 9 / 5 + 32  # the same thing in Fahrenheit
    factors, _ = screen(F, numb, n_resamples=100)
    res = fit_model(F, numb, factors)
    chosen = set(res.table["factor"])
    assert not {"heat_c", "heat_f"} <= chosen
    assert any("moves with" in n for n in res.notes)


def test_model_skips_sparsely_recorded_factor():
    # a factor recorded on only 30 of 200 runs (weigh-in days) would leave too few complete cases
    F, numb = _season(1)
    # it goes with numbness, but not with heat (recorded on every 7th run only)
    F["weighed_loss_pct"] = np.where(np.arange(len(F)) % 7 == 0, 1.0 * numb + 0.5, np.nan)
    F["weighed_loss_pct"] += np.random.default_rng(0).normal(0, 0.3, len(F))
    factors, _ = screen(F, numb, n_resamples=100)
    assert factors.set_index("factor").loc["weighed_loss_pct", "p_value"] < 0.2
    res = fit_model(F, numb, factors)
    assert res.fitted and "weighed_loss_pct" not in set(res.table["factor"])
    assert any(n.startswith("weighed_loss_pct left out: recorded on too few runs (29)") for n in res.notes)
    assert res.n_runs == len(F)
