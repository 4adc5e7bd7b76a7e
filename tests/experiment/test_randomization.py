"""The randomisation test (runlog.experiment._randomization)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from runlog import experiment as ex


def _ab_plan(n_cycles: int) -> ex.Plan:
    """A plan by runs, block 1, whose observed schedule is AB AB AB ... (built by hand)."""
    p = ex.plan("shoes", ["A", "B"], runs=2 * n_cycles, block=1, seed=0)
    p.schedule["level"] = ["A", "B"] * n_cycles
    return p


def test_exact_p_value_small_hand_computed_case():
    # AB|AB observed, numb on the A runs: risk A 1, B 0, difference B - A = -1.
    # The 4 schedules AB AB, AB BA, BA AB, BA BA give differences -1, 0, 0, +1: |d| >= 1 in 2 of 4.
    t = ex.randomization_test(_ab_plan(2), [0, 1, 2, 3], [1, 0, 1, 0])
    assert t.exact and t.n_assignments == 4 and t.n_used == 4
    assert t.statistic == pytest.approx(-1.0)
    assert t.p_value == pytest.approx(0.5)
    # three cycles: only ABABAB and BABABA reach |d| = 1: p = 2/8
    t3 = ex.randomization_test(_ab_plan(3), range(6), [1, 0, 1, 0, 1, 0])
    assert t3.p_value == pytest.approx(2 / 8) and t3.min_p == pytest.approx(2 / 8)
    # one numb run: every schedule puts it on A or B, |d| = 1/3 always: p = 1
    assert ex.randomization_test(_ab_plan(3), range(6), [1, 0, 0, 0, 0, 0]).p_value == pytest.approx(1.0)


def test_exact_p_value_agrees_with_brute_force_over_schedules_and_missing_runs():
    rng = np.random.default_rng(4)
    p = ex.plan("shoes", ["A", "B"], runs=20, block=2, seed=9)
    slots = np.sort(rng.choice(20, size=14, replace=False))  # 6 planned runs not made
    y = rng.random(14) < 0.4
    t = ex.randomization_test(p, slots, y)
    # brute force: every order of every cycle
    obs = p.schedule["level"].to_numpy()

    def diff(levels):
        lv = levels[slots]
        return y[lv == "B"].mean() - y[lv == "A"].mean()

    stats = []
    for orders in itertools.product([("A", "B"), ("B", "A")], repeat=5):
        levels = np.array([o for order in orders for o in order for _ in range(2)])
        stats.append(abs(diff(levels)))
    expect = np.mean(np.array(stats) >= abs(diff(obs)) - 1e-12)
    assert t.p_value == pytest.approx(expect)
    assert t.statistic == pytest.approx(diff(obs))


def test_monte_carlo_when_there_are_too_many_schedules():
    rng = np.random.default_rng(0)
    p = ex.plan("shoes", ["A", "B"], runs=32, block=1, seed=2)  # 2**16 schedules
    y = rng.random(32) < 0.3
    exact = ex.randomization_test(p, range(32), y)
    mc = ex.randomization_test(p, range(32), y, max_exact=1000, n_resamples=20_000)
    assert exact.exact and not mc.exact
    assert mc.n_used == 20_001 and mc.seed == 2
    assert mc.p_value == pytest.approx(exact.p_value, abs=0.02)
    assert "Monte Carlo" in mc.describe() and "seed 2" in mc.describe()
    again = ex.randomization_test(p, range(32), y, max_exact=1000, n_resamples=20_000)
    assert again.p_value == mc.p_value  # the plan's seed fixes the draw


def test_three_levels_use_the_largest_difference_between_two_levels():
    p = ex.plan("lacing", ["loose", "normal", "tight"], runs=18, block=1, seed=1)
    y = (p.schedule["level"] == "tight").to_numpy()
    t = ex.randomization_test(p, range(18), y)
    assert t.statistic_name == "largest risk difference between two levels" and t.exact
    assert t.n_assignments == 6 ** 6 and t.statistic == pytest.approx(1.0)
    # every schedule that puts all 6 numb runs on one level ties: 3 levels x 2**6 arrangements of the others
    assert t.p_value == pytest.approx(3 * 2 ** 6 / 6 ** 6)


def test_scheduled_washout_slots_are_left_out_of_every_schedule_alike():
    # periods of 3 runs, the first a washout run; numbness only on the first run of each period (carry-over)
    p = ex.plan("shoes", ["A", "B"], runs=24, block=3, washout=1, seed=0)
    y = np.arange(24) % 3 == 0
    plain = ex.randomization_test(p, range(24), y, washout=0)
    washed = ex.randomization_test(p, range(24), y)  # the plan's washout
    assert washed.statistic == pytest.approx(0.0) and washed.p_value == pytest.approx(1.0)
    assert plain.p_value <= 1.0
    # the left-out slots do not depend on the drawn order: the test over the counted runs is the plain test of them
    counted = np.flatnonzero(np.arange(24) % 3 != 0)
    rng = np.random.default_rng(3)
    z = rng.random(24) < 0.4
    a = ex.randomization_test(p, range(24), z)
    b = ex.randomization_test(p, counted, z[counted], washout=0)
    assert a.p_value == pytest.approx(b.p_value) and a.statistic == pytest.approx(b.statistic)


def test_robust_statistic_by_date_and_plain_by_runs():
    by_date = ex.plan("shoes", ["A", "B"], weeks=4, start="2024-09-02", seed=2)
    by_runs = ex.plan("shoes", ["A", "B"], runs=28, seed=2)
    rng = np.random.default_rng(1)
    slots = np.flatnonzero(rng.random(28) < 0.7)
    y = rng.random(len(slots)) < 0.3
    assert ex.randomization_test(by_date, slots, y).robust
    assert not ex.randomization_test(by_runs, slots, y).robust
    assert "skipped days allowed for" in ex.randomization_test(by_date, slots, y).describe()
