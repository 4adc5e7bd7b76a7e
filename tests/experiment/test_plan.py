"""The randomised, blocked schedule (runlog.experiment._plan, _design)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog import experiment as ex

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


@pytest.mark.parametrize("block,k,design", [(1, 2, "random"), (2, 2, "random"), (3, 3, "random"),
                                            (2, 2, "mirror"), (1, 3, "mirror")])
def test_every_cycle_holds_every_level_once_per_period(block, k, design):
    levels = [f"L{i}" for i in range(k)]
    p = ex.plan("lacing", levels, runs=k * block * 6, block=block, seed=5, design=design)
    s = p.schedule
    assert len(s) == k * block * 6
    # a period is one level
    assert (s.groupby("period")["level"].nunique() == 1).all()
    assert (s.groupby("period").size() == block).all()
    # a cycle holds each level once (block slots each)
    for _, g in s.groupby("cycle"):
        assert sorted(g["level"]) == sorted(levels * block)
    # the whole plan is balanced
    assert set(s["level"].value_counts()) == {block * 6}
    if design == "mirror":
        per = s.groupby("period")["level"].first().to_numpy().reshape(-1, k)
        for a, b in zip(per[0::2], per[1::2]):
            assert list(b) == list(a[::-1])


def test_same_seed_same_schedule_other_seed_other_schedule():
    a = ex.plan("shoes", LEVELS, weeks=8, start="2024-09-02", seed=11)
    b = ex.plan("shoes", LEVELS, weeks=8, start="2024-09-02", seed=11)
    c = ex.plan("shoes", LEVELS, weeks=8, start="2024-09-02", seed=12)
    pd.testing.assert_frame_equal(a.schedule, b.schedule)
    assert not a.schedule["level"].equals(c.schedule["level"])
    assert a.to_csv() == b.to_csv()


def test_plan_by_weeks_covers_the_days_and_switches_are_marked():
    p = ex.plan("shoes", LEVELS, weeks=8, start="2024-09-04", seed=1)  # a Wednesday: kept as given
    s = p.schedule
    assert len(s) == 56 and s["date"].iloc[0] == pd.Timestamp("2024-09-04")
    assert p.end == pd.Timestamp("2024-10-29")
    assert p.n_assignments == 2 ** 14
    lv = s["level"].to_numpy()
    switch = np.r_[False, lv[1:] != lv[:-1]]
    assert np.array_equal(s["switch"].to_numpy(), switch)
    only = ex.plan("shoes", LEVELS, weeks=2, start="2024-09-02", seed=1, weekdays="Mon,Wed,Sat")
    assert list(only.schedule["date"].dt.day_name().str[:3]) == ["Mon", "Wed", "Sat"] * 2


def test_bad_plans_are_refused_with_the_fix():
    with pytest.raises(runlog.ExperimentError, match=r"either runs=N .* or weeks=N"):
        ex.plan("shoes", LEVELS)
    with pytest.raises(runlog.ExperimentError, match="at least two"):
        ex.plan("shoes", ["one"], runs=8)
    with pytest.raises(runlog.ExperimentError, match="repeat"):
        ex.plan("shoes", ["A", "a"], runs=8)
    with pytest.raises(runlog.ExperimentError, match="a list of the levels"):
        ex.plan("shoes", "Trail Glide 2", runs=8)
    with pytest.raises(runlog.ExperimentError, match="design"):
        ex.plan("shoes", LEVELS, runs=8, design="latin")


def test_plan_says_when_it_cannot_reach_significance():
    p = ex.plan("shoes", LEVELS, runs=8, block=2, seed=0)  # 2 cycles: 4 schedules
    assert p.n_assignments == 4
    assert p.min_p == pytest.approx(0.5)  # a schedule ties with its mirror
    assert "cannot show a difference at the 5% level" in p.to_text()


@pytest.mark.parametrize("kwargs,floor", [
    # issue 27: 'runs=20' (block 2) claimed 0.031 but can never go below 2/32 = 0.0625
    ({"runs": 20, "block": 2}, 2 / 32),
    # a 40-run mirror plan: 5 mirrored pairs of cycles, 2**5 schedules, floor 2/32
    ({"runs": 40, "block": 2, "design": "mirror"}, 2 / 32),
    # three levels, 12 runs: claimed 1/1296; the most extreme data put all 4 numb runs on one level in
    # 2**4 ways for each of 3 levels: 48/1296 = 0.037
    ({"runs": 12, "block": 1, "levels": ["A", "B", "C"]}, 48 / 1296),
])
def test_p_value_floor_is_computed_as_the_test_computes_its_minimum(kwargs, floor):
    levels = kwargs.pop("levels", LEVELS)
    p = ex.plan("shoes", levels, seed=2, **kwargs)
    assert p.min_p == pytest.approx(floor)
    assert ("cannot show a difference at the 5% level" in p.to_text()) == (floor > 0.05)
    # the floor is reached: the most extreme data give it
    obs = p.schedule["level"].to_numpy()
    t = ex.randomization_test(p, range(p.n_slots), obs == levels[-1])
    assert t.p_value == pytest.approx(floor)


def test_the_protocol_is_fixed_in_the_plan():
    p = ex.plan("shoes", LEVELS, weeks=8, block=3, washout=1, alpha=0.05, start="2024-09-02", seed=4)
    assert (p.primary, p.alpha, p.washout, p.looks) == ("as assigned", 0.05, 1, 8)
    assert p.end == pd.Timestamp("2024-10-27")
    s = p.schedule
    assert list(s["washout"].iloc[:6]) == [True, False, False, True, False, False]
    assert list(s["look"].iloc[[0, 6, 7, 55]]) == [0, 0, 1, 7]  # weekly looks
    assert np.allclose(p.spent[-1], 0.05) and np.all(np.diff(p.spent) > 0)
    text = p.to_text()
    assert "Protocol (fixed now" in text and "as assigned" in text and "O'Brien-Fleming" in text
    assert "washout" in text and "plan by runs" in text
    assert "rest day" not in text.lower()
    frame = p.to_frame()
    assert set(frame["primary"]) == {"as assigned"} and set(frame["washout_slots"]) == {1}
    assert set(frame["alpha"]) == {"0.05"} and set(frame["end"]) == {"2024-10-27"}
    with pytest.raises(runlog.ExperimentError, match=r"washout must be .* less than block"):
        ex.plan("shoes", LEVELS, weeks=2, block=2, washout=2)
    with pytest.raises(runlog.ExperimentError, match="alpha"):
        ex.plan("shoes", LEVELS, weeks=2, alpha=0.7)
    with pytest.raises(runlog.ExperimentError, match="looks"):
        ex.plan("shoes", LEVELS, runs=8, looks=0)


def test_plan_texts_hold_no_python_repr():
    p = ex.plan("shoes", LEVELS, weeks=2, start="2024-09-02", seed=1)
    assert "<Plan" not in p.describe() and "seed 1" in p.describe()
    with pytest.raises(runlog.ExperimentError) as err:
        ex.plan("shoes", ["A", "a"], runs=8)
    assert "[" not in str(err.value) and "'A', 'a'" in str(err.value)
