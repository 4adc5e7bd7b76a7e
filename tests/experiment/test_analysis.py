"""The analysis of an experiment (runlog.experiment._analysis, _render)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from experiment_runs import episodes_on, runs_on

import runlog
from runlog import experiment as ex

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


def test_adherence_deviations_listed_and_analysed_as_assigned_and_as_followed():
    p = ex.plan("shoes", ["A", "B"], weeks=2, start="2024-09-02", block=1, seed=4, weekdays="Mon,Tue,Wed,Thu,Fri,Sat")
    days = [*p.schedule["date"], pd.Timestamp("2024-09-08")]  # a run on a Sunday, not planned: extra
    days.pop(3)  # a rest day: missing
    runs = runs_on(days)
    planned = runs.iloc[:-1]
    assigned = p.schedule.set_index("date")["level"].reindex(planned["start_local"].dt.normalize()).to_numpy()
    used = assigned.copy()
    used[0] = "B" if assigned[0] == "A" else "A"  # deviated
    used[1] = "Racer X"  # something else
    used[2] = ""  # not written
    notes_frame = pd.DataFrame({"date": planned["start_local"].dt.strftime("%Y-%m-%d").to_numpy(),
                                "time": "07:00", "shoes": used})
    notes = runlog.read_run_notes(notes_frame, history=runs)
    numb_idx = [i for i in range(len(planned)) if assigned[i] == "B"][:3]
    eps = episodes_on(runs, numb_idx)
    res = ex.analyze(runs, eps, p, notes=notes)
    r = res.runs.reindex(runs.index.astype("string"))
    assert list(r["adherence"].iloc[:3]) == ["deviated", "other", "not recorded"]
    assert (r["adherence"].iloc[3:-1] == "followed").all()
    assert r["adherence"].iloc[-1] == "extra" and not r["analysed"].iloc[-1]
    assert r["status"].iloc[-1] == "extra: not a planned day"
    assert res.missing == 1
    assert len(res.deviations) == 2 and set(res.deviations["adherence"]) == {"deviated", "other"}
    # as assigned: every planned run; as followed: the deviated run moved, 'other' left out
    assert res.levels["runs"].sum() == 11 and res.followed["runs"].sum() == 10
    assert res.levels.loc["B", "numb_runs"] == 3
    moved_to = "B" if assigned[0] == "A" else "A"
    assert res.followed.loc[moved_to, "runs"] == res.levels.loc[moved_to, "runs"] + 1 - (used[1] != "" and
                                                                                        assigned[1] == moved_to)
    text = res.summary()
    assert "did not follow the plan" in text and "no record of the shoes used" in text
    assert "left out (extra runs)" in text and "1 planned day(s) without a run" in text
    assert res.test.exact and 0 < res.test.p_value <= 1
    html = res.to_html(figure=False)
    assert "id='experiment'" in html and "Runs that did not follow the plan (2)" in html


def test_gear_says_what_was_used_when_there_are_no_notes():
    p = ex.plan("shoes", ["A", "B"], runs=6, block=1, seed=0, start="2024-09-02")
    runs = runs_on(pd.date_range("2024-09-02", periods=6), gear=None)
    runs["gear"] = pd.array(list(p.schedule["level"]), dtype="string")
    runs.loc[runs.index[5], "gear"] = "A" if p.schedule["level"].iloc[5] == "B" else "B"
    res = ex.analyze(runs, episodes_on(runs, [0]), p)
    assert list(res.runs["adherence"]) == ["followed"] * 5 + ["deviated"]


def test_no_run_on_the_plan_is_an_error_that_says_what_to_import():
    p = ex.plan("shoes", LEVELS, weeks=2, start="2030-01-07", seed=0)
    runs = runs_on(["2024-09-02"])
    with pytest.raises(runlog.ExperimentError, match="runlog import"):
        ex.analyze(runs, episodes_on(runs, []), p)


def test_no_episode_says_there_is_nothing_to_compare():
    p = ex.plan("shoes", ["A", "B"], runs=8, block=1, seed=0, start="2024-09-02")
    runs = runs_on(pd.date_range("2024-09-02", periods=8))
    res = ex.analyze(runs, episodes_on(runs, []), p)
    assert "nothing to compare" in res.answer and res.test.p_value == pytest.approx(1.0)


def test_simulated_experiment_follows_the_plan_and_the_answer_finds_the_pair(season):
    p, s, _ = season
    t = s.truth[s.truth["assigned"].notna()]
    sched = p.schedule.set_index("date")["level"]
    assert (t["assigned"].to_numpy() == sched.reindex(t["date"]).to_numpy()).all()
    dev = t["used"] != t["assigned"]
    assert 0 < dev.sum() < 0.3 * len(t)
    assert (t["shoes"] == t["used"]).all()
    assert np.allclose(t["p_true"], t["used"].map({LEVELS[0]: 0.45, LEVELS[1]: 0.08}))
    h = runlog.read_history(s.gpx_dir, cache=False, progress=False)
    res = ex.analyze(h, runlog.read_episodes(s.episodes_csv, history=h), p,
                     notes=runlog.read_run_notes(s.notes_csv, history=h))
    assert res.test.p_value < 0.05
    assert len(res.deviations) == int(dev.sum())
    assert "unlikely to be chance" in res.answer
