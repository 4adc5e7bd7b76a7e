"""The vectorised randomisation machinery (runlog.experiment._engine): totals, statistics, looks, boundaries."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import norm

from runlog import experiment as ex
from runlog.experiment import _engine as en
from runlog.experiment._randomization import look_statistics, observed_codes, schedule_rows, slot_arrays


def test_spending_is_the_obrien_fleming_type_lan_demets_function():
    # alpha(t) = 2 - 2 Phi(z_{0.975} / sqrt(t)): at t = 1/2, 2 - 2 Phi(1.95996 * 1.41421) = 2 - 2 Phi(2.77181)
    assert en.spending([0.5], 0.05)[0] == pytest.approx(2 * norm.sf(1.959964 * np.sqrt(2)), rel=1e-6)
    assert en.spending([0.5], 0.05)[0] == pytest.approx(0.005575, abs=2e-6)
    assert en.spending([1.0], 0.05)[0] == pytest.approx(0.05)
    t = np.linspace(0.05, 1, 20)
    assert np.all(np.diff(en.spending(t, 0.05)) > 0)


def test_level_and_look_totals_agree_with_a_loop():
    rng = np.random.default_rng(1)
    for k in (2, 3):
        codes = rng.integers(0, k, (40, 25)).astype(np.int8)
        x = rng.random((3, 25))
        ends = np.array([4, 10, 25])
        got = en.look_totals(codes, x, ends, k)
        for lv, r, e, j in itertools.product(range(k), range(40), range(3), range(3)):
            want = sum(x[e, s] for s in range(ends[j]) if codes[r, s] == lv)
            assert got[lv, r, e, j] == pytest.approx(want, abs=1e-5)
        obs = codes[:3]
        o = en.observed_look_totals(obs, x, ends, k)
        for i in range(3):
            assert np.allclose(o[:, i, :], got[:, i, i, :], atol=1e-5)


def test_pair_statistic_hand_computed_with_and_without_skipping():
    # level i: 10 runs, 2 numb, run on 10 of 10 days; level j: 5 runs, 0 numb, run on 5 of 10 days
    n, e, g, d = (np.array(10.0), np.array(5.0)), (np.array(2.0), np.array(0.0)), \
        (np.array(10.0), np.array(5.0)), (np.array(10.0), np.array(10.0))
    assert en.pair_statistic(n, e) == pytest.approx(0.2)
    # j was run less often and looks better: its 5 days skipped beyond i's share count as numb runs:
    # j's risk becomes (0 + 5) / (5 + 5) = 0.5 > 0.2, so the robust difference is max(0, 0.2 - 0.5) = 0
    assert en.pair_statistic(n, e, g, d) == pytest.approx(0.0)
    # j looks worse instead (4 numb of 5): skipped days count as runs without numbness: 4 / 10 = 0.4; 0.4 - 0.2
    assert en.pair_statistic(n, (np.array(2.0), np.array(4.0)), g, d) == pytest.approx(0.2)
    # no level without runs: no statistic
    assert en.pair_statistic((np.array(0.0), np.array(5.0)), e) == 0.0


def _small():
    p = ex.plan("shoes", ["A", "B"], runs=24, block=2, seed=3, looks=3)  # 64 schedules, 3 looks
    codes, add_obs = schedule_rows(p)
    return p, codes, add_obs


@pytest.mark.parametrize("seed", range(6))
def test_group_sequential_test_rejects_at_most_alpha_of_the_schedules_for_any_outcomes(seed):
    # The guarantee behind the boundary: with the outcomes fixed, the share of all schedules (each taken as
    # the observed one) that cross a boundary at any look is at most alpha, exactly, whatever the outcomes.
    p, codes, add_obs = _small()
    assert not add_obs and len(codes) == 2 ** 6
    rng = np.random.default_rng(seed)
    y = (rng.random(24) < rng.uniform(0.1, 0.7)).astype(float)
    arr = {"n": np.ones(24), "y": y, "g": np.ones(24), "a": np.ones(24)}
    t_rows, t_obs = look_statistics(codes, codes, arr, p.look_ends, 2, robust=False)
    res = en.sequential(t_rows, t_obs, en.spending(p.look_ends / 24, 0.25), add_obs=False)
    assert (res.cross >= 0).mean() <= 0.25 + 1e-12
    # the stage-wise p-value agrees with the decision
    assert np.array_equal(res.p_value <= 0.25 + 1e-12, res.cross >= 0)
    # a look is crossed exactly when its plain p-value is within its boundary (for experiments still going)
    for j in range(3):
        going = (res.cross < 0) | (res.cross >= j)
        crossed = res.cross == j
        assert np.array_equal((res.p_look[j] <= res.nominal[j] + 1e-12)[going], crossed[going])


def test_sequential_one_look_is_the_plain_randomisation_test():
    p, codes, _ = _small()
    rng = np.random.default_rng(5)
    y = (rng.random(24) < 0.4).astype(float)
    arr = {"n": np.ones(24), "y": y, "g": np.ones(24), "a": np.ones(24)}
    t_rows, t_obs = look_statistics(codes, observed_codes(p)[None, :], arr, [24], 2, robust=False)
    res = en.sequential(t_rows, t_obs, np.array([0.05]), add_obs=False)
    plain = en.plain_p(t_rows[0], t_obs[0], add_obs=False)
    assert res.p_value[0] == pytest.approx(plain[0])
    assert ex.randomization_test(p, range(24), y.astype(bool), robust=False).p_value == pytest.approx(plain[0])


def test_smallest_p_counts_the_ties_of_the_most_extreme_schedule():
    p, codes, _ = _small()
    obs = observed_codes(p)
    arr = slot_arrays(p, range(24), (obs == 1).astype(float))  # numbness exactly on the B runs
    t_rows, _ = look_statistics(codes, obs[None, :], arr, [24], 2, robust=False)
    assert en.smallest_p(t_rows[0], add_obs=False)[0] == pytest.approx(2 / 64)  # the schedule and its mirror
    assert en.smallest_p(t_rows[0], add_obs=True)[0] == pytest.approx(1 / 65)
