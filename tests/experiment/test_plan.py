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
    assert "cannot show a difference at the 5 % level" in p.summary()
