"""Within-month (time-stratified case-crossover) comparison: matched-pair textbook result."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runlog.analysis.crossover import conditional_or, month_strata, within_month


def _pairs(b: int, c: int, concordant: int = 4):
    """1:1 matched sets (one numb run, one other run per stratum).

    b sets: numb run exposed, other not; c sets: the reverse; plus concordant sets
    (both exposed), which carry no information.
    """
    x, y, g = [], [], []
    k = 0
    for xc, xo, n in ((1, 0, b), (0, 1, c), (1, 1, concordant)):
        for _ in range(n):
            x += [xc, xo]
            y += [True, False]
            g += [k, k]
            k += 1
    return pd.Series(x, dtype=float), pd.Series(y), pd.Series(g)


def test_matched_pairs_conditional_or_is_discordant_ratio():
    # For 1:1 matched pairs the conditional ML odds ratio is b / c with
    # SE(log OR) = sqrt(1/b + 1/c) (Breslow & Day 1980, sec. 5.2; McNemar pairs):
    # b = 12, c = 4 -> OR 3, SE = sqrt(1/12 + 1/4) = 0.5774, 95 % CI exp(log 3 +- 1.96 * 0.5774)
    # = 0.9697-9.282, Wald p = 2 * (1 - Phi(log 3 / 0.5774)) = 0.0568
    x, y, g = _pairs(12, 4)
    r = conditional_or(x, y, g)
    se = np.sqrt(1 / 12 + 1 / 4)
    assert r["effect"] == pytest.approx(3.0, rel=1e-4)
    assert r["ci_low"] == pytest.approx(np.exp(np.log(3) - 1.959964 * se), rel=1e-3)
    assert r["ci_high"] == pytest.approx(np.exp(np.log(3) + 1.959964 * se), rel=1e-3)
    assert r["p_value"] == pytest.approx(0.0568, abs=5e-4)
    # concordant sets have x constant within the stratum and are dropped
    assert r["n_strata"] == 16 and r["n_runs"] == 32 and r["n_episodes"] == 16


def test_separation_within_strata_is_reported_not_estimated():
    x, y, g = _pairs(10, 0)
    r = conditional_or(x, y, g)
    assert np.isnan(r["effect"]) and "not estimable" in r["note"]


def test_uninformative_months_dropped():
    # month A: only numb runs, month B: no numb run -> nothing left
    x = pd.Series([1.0, 2, 3, 4])
    y = pd.Series([True, True, False, False])
    g = pd.Series(["A", "A", "B", "B"])
    r = conditional_or(x, y, g)
    assert r["n_strata"] == 0 and np.isnan(r["effect"]) and "only 0 numb" in r["note"]


def test_month_strata_and_seasonal_trend_removed():
    assert month_strata(pd.Series(pd.to_datetime(["2024-03-31 23:59", "2024-04-01 00:01"]))).tolist() == \
        ["2024-03", "2024-04"]
    # risk rises with the month (season) while within each month the factor is unrelated to
    # numbness: the overall comparison sees a trend, the within-month one does not
    rng = np.random.default_rng(8)
    days = pd.date_range("2024-01-01", periods=360, freq="D")
    month = days.month.to_numpy()
    factor = month + rng.normal(0, 1.0, 360)  # follows the season
    numb = rng.random(360) < 0.03 + 0.025 * (month - 1)
    idx = pd.Index([f"r{i}" for i in range(360)], name="run_id")
    F = pd.DataFrame({"x": factor}, index=idx)
    rows = pd.DataFrame({"factor": ["x"], "level": [None], "kind": ["numeric"], "center": [np.median(factor)],
                         "scale": [np.subtract(*np.percentile(factor, [75, 25]))]})
    out = within_month(F, pd.Series(numb, index=idx), rows, pd.Series(days, index=idx))
    r = out.iloc[0]
    assert r["ci_low"] < 1 < r["ci_high"]
    overall = np.corrcoef(factor, numb)[0, 1]
    assert overall > 0.2
