"""Estimates that cannot contradict the test (runlog.experiment._inference)."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from runlog import experiment as ex
from runlog.experiment._inference import ShiftTest, bayes_summary, holm, holm_levels, odds_ratio, swap_rows
from runlog.experiment._randomization import observed_codes, schedule_rows, slot_arrays


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("robust", [False, True])
def test_interval_excludes_no_difference_exactly_when_the_test_rejects(seed, robust):
    p = ex.plan("shoes", ["A", "B"], runs=32, block=2, seed=seed)  # 256 schedules
    rng = np.random.default_rng(seed)
    obs = observed_codes(p)
    ran = rng.random(32) < 0.8
    numb = rng.random(32) < np.where(obs == 1, rng.uniform(0.1, 0.9), 0.2)
    slots = np.flatnonzero(ran)
    arr = slot_arrays(p, slots, numb[slots])
    codes, add_obs = schedule_rows(p)
    test = ShiftTest(codes, add_obs, obs, arr, arr["n"] * (obs == 1), robust=robust)
    p0 = test.p_values([0.0])[0]
    t = ex.randomization_test(p, slots, numb[slots], robust=robust)
    assert p0 == pytest.approx(t.p_value)  # delta = 0 is the test itself
    y1, n1 = numb[slots][obs[slots] == 1].sum(), (obs[slots] == 1).sum()
    y0, n0 = numb[slots][obs[slots] == 0].sum(), (obs[slots] == 0).sum()
    d = y1 / n1 - y0 / n0
    for level in (0.05, 0.1, 0.2):
        lo, hi = test.interval(level, d)
        assert (lo <= 0 <= hi) == (p0 > level)
        assert lo <= d <= hi


@pytest.mark.slow  # about 20-40 s
def test_holm_matches_statsmodels_and_its_levels_agree_with_its_decisions():
    rng = np.random.default_rng(0)
    for _ in range(50):
        pv = rng.uniform(0, 0.2, size=rng.integers(2, 7))
        assert np.allclose(holm(pv), multipletests(pv, method="holm")[1])
        reject = multipletests(pv, alpha=0.05, method="holm")[0]
        lv = holm_levels(pv, 0.05)
        assert np.array_equal(pv <= lv, reject)
    # hand-computed: p = 0.01, 0.04, 0.03 -> sorted 0.01*3, 0.03*2, 0.04*1 -> 0.03, 0.06, 0.06
    assert np.allclose(holm([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])


def test_odds_ratio_test_based_interval_hand_computed():
    # 9/20 vs 3/20: OR = (9 * 17) / (11 * 3) = 4.636; p = 0.05 -> z_p = 1.96 -> the 95 % bound touches 1
    ratio, lo, hi = odds_ratio(9, 20, 3, 20, 0.05, 0.05)
    assert ratio == pytest.approx(153 / 33)
    assert lo == pytest.approx(1.0, abs=1e-6)
    assert hi == pytest.approx(ratio ** 2, rel=1e-6)
    # p = 0.01: z_p = 2.5758; bounds OR^(1 -+ 1.96/2.5758)
    _, lo, hi = odds_ratio(9, 20, 3, 20, 0.01, 0.05)
    assert lo == pytest.approx(ratio ** (1 - 1.959964 / 2.575829), rel=1e-5) and lo > 1
    # an empty cell: 0.5 added to every cell (Haldane)
    assert odds_ratio(0, 10, 5, 10, 0.5, 0.05)[0] == pytest.approx((0.5 * 5.5) / (10.5 * 5.5))


def test_swap_rows_keep_the_other_levels_and_enumerate_every_swap():
    p = ex.plan("lacing", ["loose", "normal", "tight"], runs=18, block=1, seed=4)  # 6 cycles
    from runlog.experiment._design import layout

    obs = observed_codes(p)
    unit = layout(18, 3, 1, "random")["unit"].to_numpy()
    rows, add_obs = swap_rows(obs, unit, 0, 2, max_exact=1000, n_resamples=100, seed=0)
    assert not add_obs and rows.shape == (2 ** 6, 18)
    pair = (obs == 0) | (obs == 2)
    assert (rows[:, ~pair] == 0).all()  # slots of the third level carry no comparison
    assert (rows[:, pair].sum(axis=1) == 6).all()  # one 'tight' slot per cycle, wherever it is
    assert any((r == (obs == 2)).all() for r in rows)  # the observed schedule is among them


def test_bayes_summary_agrees_with_a_direct_beta_computation():
    import pandas as pd
    from scipy import integrate
    from scipy.stats import beta

    counts = pd.DataFrame({"runs": [20, 20], "numb_runs": [3, 9]}, index=["A", "B"])
    b = bayes_summary(counts, draws=200_000, seed=1).iloc[0]
    # P(risk_B > risk_A) = integral of f_B(x) F_A(x) dx with Beta(10, 12) and Beta(4, 18)
    exact = integrate.quad(lambda x: beta.pdf(x, 10, 12) * beta.cdf(x, 4, 18), 0, 1)[0]
    assert b["p_worse"] == pytest.approx(exact, abs=0.005)
    assert b["p_better"] == pytest.approx(1 - exact, abs=0.005)
    assert b["lo"] < 0.3 < b["hi"]
