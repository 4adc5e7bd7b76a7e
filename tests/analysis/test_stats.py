"""Per-measure numbers: counts of the cause model's split, q-values, descriptives (worked examples)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runlog.analysis.stats import (
    MIN_RUNS,
    binary_counts,
    categorical_counts,
    descriptives,
    fdr_adjust,
    measure_counts,
    numeric_counts,
)


def _binary_runs(a, b, c, d):
    """Runs with the factor: a numb + b not; without: c numb + d not."""
    x = np.r_[np.ones(a + b, bool), np.zeros(c + d, bool)]
    y = np.r_[np.ones(a, bool), np.zeros(b, bool), np.ones(c, bool), np.zeros(d, bool)]
    return pd.Series(x), pd.Series(y)


def test_binary_guards():
    x, y = _binary_runs(3, 4, 1, 1)  # 9 runs < MIN_RUNS
    assert (binary_counts(x, y)["reason"], binary_counts(x, y)["reason_value"]) == ("few_runs", 9)
    x, y = _binary_runs(5, 45, 0, 0)  # every run has the factor
    assert binary_counts(x, y)["reason"] == "constant"
    x, y = _binary_runs(1, 1, 5, 43)  # 2 runs with the factor < MIN_LEVEL_RUNS
    assert (binary_counts(x, y)["reason"], binary_counts(x, y)["reason_value"]) == ("one_level", 2)
    x, y = _binary_runs(1, 30, 0, 20)  # 1 numb run among 51 < MIN_GROUP
    assert (binary_counts(x, y)["reason"], binary_counts(x, y)["reason_value"]) == ("few_numb", 1)


def test_numeric_counts_split_at_the_median():
    rng = np.random.default_rng(7)
    x = pd.Series(rng.normal(20, 5, 120))
    y = pd.Series(rng.random(120) < 0.2)
    r = numeric_counts(x, y)
    med = np.median(x)
    above = x > med
    assert r["center"] == pytest.approx(med) and np.isnan(r["p_value"]) and np.isnan(r["effect"])
    assert (r["exposed_runs"], r["exposed_numb"]) == (int(above.sum()), int((above & y).sum()))
    assert (r["other_runs"], r["other_numb"]) == (int((~above).sum()), int((~above & y).sum()))


def test_numeric_guards_and_missing_values():
    y = pd.Series([True, False] * 10)
    assert numeric_counts(pd.Series(np.full(20, 3.0)), y)["reason"] == "constant"
    x = pd.Series(np.r_[np.arange(9.0), np.full(11, np.nan)])
    r = numeric_counts(x, y)
    assert r["n_runs"] == 9 and (r["reason"], r["reason_value"]) == ("few_runs", 9) and MIN_RUNS > 9


def test_categorical_counts_only_each_level_against_all_other_runs():
    # the coding of the cause model (one pair against the others), for the factor table's counts
    shoes = pd.Series(["ghost"] * 20 + ["pegasus"] * 12 + ["clifton"] * 10 + ["racer"] * 2)
    numb = pd.Series([False] * 18 + [True] * 2 + [False] * 6 + [True] * 6 + [False] * 9 + [True] + [True, False])
    rows, skipped = categorical_counts(shoes, numb)
    by = {r["level"]: r for r in rows}
    assert set(by) == {"ghost", "pegasus", "clifton"}          # the most common level too
    # pegasus: 12 runs, 6 numb; the other 32 runs: 4 numb (2 ghost + 1 clifton + 1 racer)
    peg = by["pegasus"]
    assert (peg["exposed_runs"], peg["exposed_numb"], peg["other_runs"], peg["other_numb"]) == (12, 6, 32, 4)
    assert peg["reference"] == "the others" and np.isnan(peg["p_value"]) and np.isnan(peg["effect"])
    g = by["ghost"]
    assert (g["exposed_runs"], g["exposed_numb"], g["other_runs"], g["other_numb"]) == (20, 2, 24, 8)
    assert skipped[0]["level"] == "racer" and (skipped[0]["n_runs"], skipped[0]["n_episodes"]) == (2, 1)
    # yes/no: counts, no Fisher test
    r = binary_counts(pd.Series([True] * 10 + [False] * 34), numb)
    assert (r["exposed_runs"], r["exposed_numb"]) == (10, 0) and np.isnan(r["p_value"])   # the first 10: no numbness


def test_categorical_free_text_not_tested():
    # 40 different clock times: not a factor (too many levels)
    x = pd.Series([f"07:{i:02d}" for i in range(40)])
    rows, skipped = categorical_counts(x, pd.Series(np.arange(40) % 5 == 0))
    assert rows == [] and (skipped[0]["reason"], skipped[0]["reason_value"]) == ("many_values", 40)


def test_a_blank_level_is_a_run_without_a_value():
    # as the cause model reads a text measure: ' ' (or '') is no level, so a notes column with 'a' on half
    # the runs and blanks on the others is one level, listed as not compared (it used to be two levels
    # here and one in the model, and the measure fell out of the report's tables altogether)
    numb = pd.Series(np.arange(40) % 4 == 0)
    x = pd.Series(["a", " "] * 20)
    rows, skipped = categorical_counts(x, numb)
    assert rows == [] and (skipped[0]["reason"], skipped[0]["n_runs"], skipped[0]["n_episodes"]) == ("constant", 20,
                                                                                                      10)
    _, nt = measure_counts(pd.DataFrame({"x": x}), numb)
    assert nt.set_index("factor").loc["x", "reason"] == "constant"
    d = descriptives(pd.DataFrame({"x": ["a", "\t", "b", "", "a", None, "a", "b"]}),
                     pd.Series([True, True, True, True, False, False, False, False])).set_index("factor")
    assert d.loc["x", ["n_runs", "n_episodes", "numb_n", "other_n", "other_level", "other_k"]].tolist() == [
        5, 2, 2, 3, "a", 2]


def test_measure_counts_skip_bookkeeping_columns():
    rng = np.random.default_rng(0)
    F = pd.DataFrame({"line": np.arange(2, 62), "x": rng.normal(size=60)})
    factors, nt = measure_counts(F, pd.Series(np.arange(60) % 4 == 0))
    assert list(factors["factor"]) == ["x"]
    assert nt.set_index("factor").loc["line", "reason"] == "bookkeeping"


def test_measure_counts_use_catalogue_candidates_only():
    from runlog.schema import Feature

    rng = np.random.default_rng(0)
    F = pd.DataFrame({"a_c": rng.normal(size=40), "date": np.arange(40.0)})
    cat = {"a_c": Feature("a_c", "°C", "float64", "Air temperature", "hydration"),
           "date": Feature("date", "", "float64", "bookkeeping", "other", candidate=False)}
    factors, _ = measure_counts(F, pd.Series(np.arange(40) % 4 == 0), cat)
    assert list(factors["factor"]) == ["a_c"] and factors["cause"].iloc[0] == "hydration"


# ---------------------------------------------------------------- Benjamini-Hochberg

BH_1995 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
           0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000]


def test_benjamini_hochberg_worked_example():
    # Benjamini & Hochberg (1995), sec. 4: 15 p-values, FDR 0.05 rejects the 4 smallest
    # (largest i with p_(i) <= i/15 * 0.05 is i = 4: 0.0095 <= 0.0133, 0.0201 > 0.0167).
    q = fdr_adjust(BH_1995, "bh")
    assert int((q <= 0.05).sum()) == 4
    # q_(1) = min_j 15 p_(j) / j = 15 * 0.0001 / 1 = 0.0015
    assert q[0] == pytest.approx(0.0015)
    # q_(4) = min(15*0.0095/4, 15*0.0201/5, ...) = 0.035625
    assert q[3] == pytest.approx(15 * 0.0095 / 4)
    # q_(5) = min(15*0.0201/5 = 0.0603, 15*0.0278/6 = 0.0695, ..., 15*0.0459/9 = 0.0765) = 0.0603
    assert q[4] == pytest.approx(0.0603)


def test_benjamini_yekutieli_and_nan():
    # BY multiplies by c(m) = sum_{i=1}^{15} 1/i = 3.318228993...
    c15 = sum(1 / i for i in range(1, 16))
    q = fdr_adjust(BH_1995, "by")
    assert q[0] == pytest.approx(0.0015 * c15)
    p = np.array([0.01, np.nan, 0.04])
    q = fdr_adjust(p)
    # two tests: q = [min(2*0.01, 0.04), nan, 0.04]
    assert np.isnan(q[1]) and q[0] == pytest.approx(0.02) and q[2] == pytest.approx(0.04)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=40), st.sampled_from(["bh", "by"]))
def test_fdr_adjust_properties(p, method):
    # q >= p, q <= 1, and the adjustment keeps the order of the p-values (step-up monotonicity)
    q = fdr_adjust(p, method)
    p = np.asarray(p)
    assert np.all(q >= p - 1e-12) and np.all(q <= 1 + 1e-12)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[order]) >= -1e-12)


def test_descriptives_numbers_and_their_words():
    from runlog.render.wording import descriptive_text

    F = pd.DataFrame({"d_km": [5.0, 6, 7, 8, 9, 10], "hot": [True, True, False, False, False, True],
                      "shoe": ["a", "a", "b", "b", "b", "a"]})
    numb = pd.Series([True, True, True, False, False, False])
    d = descriptives(F, numb).set_index("factor")
    # numb runs 5, 6, 7: median 6, quartiles 5.5 / 6.5
    assert d.loc["d_km", ["numb_q1", "numb_median", "numb_q3"]].tolist() == [5.5, 6.0, 6.5]
    assert d.loc["hot", ["numb_k", "numb_n", "other_k", "other_n"]].tolist() == [2, 3, 1, 3]
    assert d.loc["shoe", ["numb_level", "numb_k", "numb_n"]].tolist() == ["a", 2, 3]
    assert descriptive_text(d.loc["d_km"], "numb") == "6 [5.5-6.5]"
    assert descriptive_text(d.loc["hot"], "numb") == "2 of 3 (67 %)"
    assert descriptive_text(d.loc["hot"], "other") == "1 of 3 (33 %)"
    assert descriptive_text(d.loc["shoe"], "other") == "b (2 of 3)"
