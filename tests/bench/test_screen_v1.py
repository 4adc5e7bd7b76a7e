"""The v1 baseline of bench/validate_analysis.py (bench/screen_v1.py): its tests against scipy and
published worked examples, so the baseline the analysis is compared with is itself right."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import screen_v1
from scipy import stats
from scipy.stats.contingency import odds_ratio
from screen_v1 import (
    _fisher,
    cliffs_delta,
    compare_binary,
    compare_categorical,
    compare_numeric,
    is_finding,
    screen,
)

from runlog.analysis.stats import MIN_RUNS, fdr_adjust


def test_fisher_tea_tasting_textbook():
    # Fisher's lady tasting tea (Agresti 2002, Categorical Data Analysis, sec. 3.5.1):
    # table [[3, 1], [1, 3]]; hypergeometric P(X=3) = C(4,3)C(4,1)/C(8,4) = 16/70,
    # P(X=4) = 1/70; two-sided p = (1 + 16 + 16 + 1)/70 = 34/70 = 0.4857.
    # R fisher.test(matrix(c(3,1,1,3),2)): conditional MLE OR 6.408309, two-sided 95 % CI
    # 0.2117329-621.9337505 (R finds the upper root with uniroot's loose default tolerance,
    # hence the 1 % tolerance on that bound).
    r = _fisher({"exposed_runs": 4, "exposed_numb": 3, "other_runs": 4, "other_numb": 1})
    assert r["p_value"] == pytest.approx(34 / 70, rel=1e-9)
    assert r["effect"] == pytest.approx(6.408309, rel=1e-5)
    assert r["ci_low"] == pytest.approx(0.2117329, rel=1e-4)
    assert r["ci_high"] == pytest.approx(621.9337505, rel=1e-2)


def _binary_runs(a, b, c, d):
    """Runs with the factor: a numb + b not; without: c numb + d not."""
    x = np.r_[np.ones(a + b, bool), np.zeros(c + d, bool)]
    y = np.r_[np.ones(a, bool), np.zeros(b, bool), np.ones(c, bool), np.zeros(d, bool)]
    return pd.Series(x), pd.Series(y)


def test_binary_matches_scipy_directly():
    x, y = _binary_runs(12, 19, 6, 134)
    r = compare_binary(x, y)
    t = np.array([[12, 19], [6, 134]])
    assert r["p_value"] == pytest.approx(stats.fisher_exact(t).pvalue, rel=1e-12)
    o = odds_ratio(t, kind="conditional")
    assert r["effect"] == pytest.approx(o.statistic, rel=1e-12)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx(tuple(o.confidence_interval(0.95)), rel=1e-12)
    assert (r["exposed_runs"], r["exposed_numb"], r["other_runs"], r["other_numb"]) == (31, 12, 140, 6)
    assert (r["n_runs"], r["n_episodes"]) == (171, 18)


def test_binary_zero_cell_gives_open_interval():
    # no numb run among the 20 runs with the factor: conditional MLE OR = 0, CI [0, upper)
    x, y = _binary_runs(0, 20, 8, 72)
    r = compare_binary(x, y)
    assert r["effect"] == 0.0 and r["ci_low"] == 0.0 and np.isfinite(r["ci_high"])


def test_binary_guards():
    x, y = _binary_runs(3, 4, 1, 1)  # 9 runs < MIN_RUNS
    assert "need" in compare_binary(x, y)["reason"]
    x, y = _binary_runs(5, 45, 0, 0)  # every run has the factor
    assert compare_binary(x, y)["reason"] == "constant across runs"
    x, y = _binary_runs(1, 1, 5, 43)  # 2 runs with the factor < MIN_LEVEL_RUNS
    assert "one level" in compare_binary(x, y)["reason"]


# ---------------------------------------------------------------- Mann-Whitney / Cliff's delta


def test_cliffs_delta_by_hand():
    # x = [1, 2, 3] vs y = [2, 4]: pairs (1,2)<, (1,4)<, (2,2)=, (2,4)<, (3,2)>, (3,4)<
    # delta = (#greater - #less) / 6 = (1 - 4) / 6 = -0.5
    d, lo, hi = cliffs_delta([1, 2, 3], [2, 4], n_resamples=200)
    assert d == pytest.approx(-0.5)
    assert lo <= d <= hi


def test_cliffs_delta_complete_dominance():
    d, _lo, hi = cliffs_delta(np.arange(10, 20), np.arange(10), n_resamples=500)
    assert d == 1.0 and hi == pytest.approx(1.0)


def test_numeric_matches_scipy_and_counts():
    rng = np.random.default_rng(7)
    x = pd.Series(rng.normal(20, 5, 120))
    y = pd.Series(rng.random(120) < 1 / (1 + np.exp(-(-2.5 + 0.15 * (x - 20)))))
    r = compare_numeric(x, y, unit="°C", n_resamples=500)
    mw = stats.mannwhitneyu(x[y], x[~y], alternative="two-sided", method="auto")
    assert r["p_value"] == pytest.approx(mw.pvalue, rel=1e-12)
    assert r["cliffs_delta"] == pytest.approx(2 * mw.statistic / (y.sum() * (~y).sum()) - 1)
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    assert r["center"] == pytest.approx(med) and r["scale"] == pytest.approx(q3 - q1)
    above = x > med
    assert r["exposed_runs"] == int(above.sum()) and r["exposed_numb"] == int((above & y).sum())
    assert r["other_numb"] == int((~above & y).sum())
    assert r["ci_low"] < r["effect"] < r["ci_high"]
    assert "°C" in r["effect_unit"]


def test_numeric_guards_and_missing_values():
    y = pd.Series([True, False] * 10)
    assert compare_numeric(pd.Series(np.full(20, 3.0)), y)["reason"] == "constant across runs"
    x = pd.Series(np.r_[np.arange(9.0), np.full(11, np.nan)])
    r = compare_numeric(x, y)
    assert r["n_runs"] == 9 and f"need {MIN_RUNS}" in r["reason"]


def test_numeric_perfect_separation_is_finite():
    # every numb run is longer than every other run: ML logistic regression diverges,
    # Firth stays finite (Heinze & Schemper 2002)
    x = pd.Series(np.r_[np.linspace(1, 10, 30), np.linspace(11, 15, 6)])
    y = pd.Series(np.r_[np.zeros(30, bool), np.ones(6, bool)])
    r = compare_numeric(x, y, n_resamples=200)
    assert np.isfinite(r["effect"]) and np.isfinite(r["ci_high"]) and r["ci_low"] > 1
    assert r["cliffs_delta"] == 1.0
    assert r["p_value"] < 1e-3


def test_categorical_levels_vs_reference():
    shoes = pd.Series(["ghost"] * 20 + ["pegasus"] * 12 + ["clifton"] * 10 + ["racer"] * 2)
    numb = pd.Series([False] * 18 + [True] * 2 + [False] * 6 + [True] * 6 + [False] * 9 + [True] + [True, False])
    rows, skipped = compare_categorical(shoes, numb)
    assert {r["level"] for r in rows} == {"pegasus", "clifton"}
    assert all(r["reference"] == "ghost" for r in rows)
    peg = next(r for r in rows if r["level"] == "pegasus")
    # pegasus vs ghost: [[6, 6], [2, 18]]
    t = np.array([[6, 6], [2, 18]])
    assert peg["p_value"] == pytest.approx(stats.fisher_exact(t).pvalue)
    assert peg["n_runs"] == 32 and peg["n_episodes"] == 8
    assert skipped[0]["level"] == "racer" and "fewer than 3 runs" in skipped[0]["reason"]
    assert (skipped[0]["n_runs"], skipped[0]["n_episodes"]) == (2, 1)


def test_screen_orders_by_evidence_and_reports_skips():
    rng = np.random.default_rng(3)
    n = 150
    heat = rng.normal(18, 6, n)
    numb = pd.Series(rng.random(n) < 1 / (1 + np.exp(-(-3 + 0.3 * (heat - 18)))))
    F = pd.DataFrame({"heat_c": heat, "noise": rng.normal(size=n), "flat": 1.0,
                      "trail": rng.random(n) < 0.3, "shoe": rng.choice(["a", "b"], n)})
    factors, not_tested = screen(F, numb, n_resamples=200)
    assert factors["factor"].iloc[0] == "heat_c"
    assert list(factors["p_value"]) == sorted(factors["p_value"])
    np.testing.assert_allclose(factors["q_value"], fdr_adjust(factors["p_value"]))
    assert list(not_tested["factor"]) == ["flat"]
    assert set(factors["kind"]) == {"numeric", "binary", "categorical"}


def test_numeric_keeps_rank_test_when_firth_fails(monkeypatch):
    def boom(*a, **k):
        raise np.linalg.LinAlgError("singular")

    monkeypatch.setattr(screen_v1, "univariate_or", boom)
    x = pd.Series(np.arange(30.0))
    y = pd.Series(np.arange(30) % 3 == 0)
    r = screen_v1.compare_numeric(x, y, n_resamples=100)
    assert np.isnan(r["effect"]) and "not estimable: LinAlgError" in r["method"]
    assert r["p_value"] == pytest.approx(stats.mannwhitneyu(x[y], x[~y]).pvalue)


def _row(**kw):
    base = dict(factor="air_temp_c", level=None, reference=None, cause="hydration",
                description="Air temperature: the run notes, else the weather table", kind="numeric", unit="°C",
                n_runs=171, n_episodes=18, effect=2.9, ci_low=1.7, ci_high=5.3, p_value=1e-4, q_value=0.002,
                method="", effect_unit="", center=22.0, scale=6.5, split="> 22", exposed_runs=31,
                exposed_numb=12, other_runs=140, other_numb=6)
    base.update(kw)
    return pd.Series(base)


def test_is_finding_rule():
    rows = pd.DataFrame([
        _row(),                                           # finding
        _row(q_value=0.08),                               # q too large
        _row(ci_low=0.9),                                 # CI includes 1
        _row(exposed_numb=2, other_numb=16),              # only 2 numb runs on the risk side
        _row(effect=0.3, ci_low=0.1, ci_high=0.8, exposed_numb=2, other_numb=16),  # protective: 16 on risk side
    ])
    assert is_finding(rows).tolist() == [True, False, False, False, True]
    assert is_finding(rows, fdr=0.10).tolist() == [True, True, False, False, True]
