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


def test_three_levels_use_a_chi_square_statistic():
    p = ex.plan("lacing", ["loose", "normal", "tight"], runs=18, block=1, seed=1)
    y = (p.schedule["level"] == "tight").to_numpy()
    t = ex.randomization_test(p, range(18), y)
    assert t.statistic_name == "chi-square" and t.exact and t.n_assignments == 6 ** 6
    assert t.p_value <= 0.01


def test_washout_drops_the_first_run_after_a_switch_in_every_redrawn_schedule():
    p = ex.plan("shoes", ["A", "B"], runs=16, block=4, seed=0)
    p.schedule["level"] = ["A"] * 4 + ["B"] * 4 + ["B"] * 4 + ["A"] * 4
    y = np.zeros(16, bool)
    y[[4, 12]] = True  # numb only on the first run after each switch (carry-over)
    first = np.arange(16) % 4 == 0
    with_all = ex.randomization_test(p, range(16), y, first_in_period=first)
    washed = ex.randomization_test(p, range(16), y, first_in_period=first, washout=True)
    assert with_all.statistic == pytest.approx(0.0)  # one numb run under each level
    assert washed.statistic == pytest.approx(0.0) and washed.p_value == pytest.approx(1.0)
