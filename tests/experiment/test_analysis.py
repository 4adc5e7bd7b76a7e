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
    days.pop(3)  # a skipped day
    runs = runs_on(days)
    planned = runs.iloc[:-1]
    assigned = p.schedule.set_index("date")["level"].reindex(planned["start_local"].dt.normalize()).to_numpy()
    used = assigned.copy()
    used[0] = "B" if assigned[0] == "A" else "A"  # deviated
    used[1] = "Racer X"  # none of the levels: unrecognised, not a deviation
    used[2] = ""  # not written
    notes_frame = pd.DataFrame({"date": planned["start_local"].dt.strftime("%Y-%m-%d").to_numpy(),
                                "time": "07:00", "shoes": used})
    notes = runlog.read_run_notes(notes_frame, history=runs)
    numb_idx = [i for i in range(len(planned)) if assigned[i] == "B"][:3]
    eps = episodes_on(runs, numb_idx)
    res = ex.analyze(runs, eps, p, notes=notes, detectable=False)
    r = res.runs.reindex(runs.index.astype("string"))
    assert list(r["adherence"].iloc[:3]) == ["deviated", "unrecognised", "not recorded"]
    assert (r["adherence"].iloc[3:-1] == "followed").all()
    assert r["adherence"].iloc[-1] == "extra" and not r["analysed"].iloc[-1]
    assert r["status"].iloc[-1] == "extra: not a planned day"
    assert res.missing == 1
    assert len(res.deviations) == 1 and len(res.unrecognised) == 1
    # as assigned: every planned run; as used: the deviated run moved
    assert res.levels["runs"].sum() == 11 and res.followed["runs"].sum() == 11
    assert res.levels.loc["B", "numb_runs"] == 3
    moved_to = used[0]
    assert res.followed.loc[moved_to, "runs"] == res.levels.loc[moved_to, "runs"] + 1
    text = res.to_text()
    assert "used the other level than the plan said" in text and "no record of the shoes used" in text
    assert "'Racer X'" in text and "not counted as deviations" in text
    assert "left out (extra runs)" in text and "1 counted planned day(s) so far without a run" in text
    assert "rest days are fine" not in text
    assert res.test.exact and 0 < res.test.p_value <= 1
    assert res.cace is not None and res.cace["uptake"][1] > res.cace["uptake"][0]
    html = res.to_html(figure=False)
    assert "id='experiment'" in html and "Runs that used the other level (1)" in html
    assert "&lt;Plan" not in html and "<Plan" not in html and "seed 4" in html


def test_typos_in_run_notes_are_not_deviations():
    # issue 27: 'TrailGlide 2', 'Daily Cushion5' and 'DC5' gave '7 run(s) did not follow the plan' when 1 did
    p = ex.plan("shoes", ["Trail Glide 2", "Daily Cushion 5"], runs=12, block=2, seed=9, start="2024-09-02")
    runs = runs_on(pd.date_range("2024-09-02", periods=12))
    assigned = list(p.schedule["level"])
    typo = {"Trail Glide 2": "TrailGlide 2", "Daily Cushion 5": "Daily Cushion5"}
    used = [typo[a] if i % 3 == 0 else a for i, a in enumerate(assigned)]
    used[1] = "DC5" if assigned[1] == "Daily Cushion 5" else "TG2"
    used[4] = "Daily Cushion 5" if assigned[4] == "Trail Glide 2" else "Trail Glide 2"  # the one deviation
    notes = runlog.read_run_notes(pd.DataFrame({"date": [f"{d:%Y-%m-%d}" for d in pd.date_range(
        "2024-09-02", periods=12)], "time": "07:00", "shoes": used}), history=runs)
    res = ex.analyze(runs, episodes_on(runs, [0, 5]), p, notes=notes, detectable=False)
    assert len(res.deviations) == 1
    assert list(res.unrecognised["used"]) == [used[1]]
    assert res.unrecognised["suggestion"].iloc[0] == assigned[1]
    assert "1 run(s) used the other level" in res.to_text() and "did you mean" in res.to_text()


def test_an_analysis_before_the_planned_end_is_an_interim_look():
    p = ex.plan("shoes", ["A", "B"], weeks=4, start="2024-09-02", seed=3)
    days = list(p.schedule["date"])
    runs = runs_on(days)
    b_days = [i for i, lv in enumerate(p.schedule["level"]) if lv == "B"]
    eps = episodes_on(runs, b_days)  # every B run numb: as strong as it gets
    mid = ex.analyze(runs, eps, p, as_of="2024-09-17", detectable=False)  # two weeks in: looks 1 and 2
    assert mid.interim and len(mid.looks) == 2 and mid.test.look == 2 and mid.test.looks == 4
    assert not mid.test.crossed and np.isnan(mid.test.p_value)
    assert "Interim look 2 of 4" in mid.answer and "not an answer" in mid.answer
    assert "cannot rule out" not in " ".join(mid.cannot_show)  # no interval at an interim look
    assert mid.runs["date"].max() <= pd.Timestamp("2024-09-17")
    assert not mid.runs.loc[mid.runs["date"] > pd.Timestamp("2024-09-15"), "analysed"].any()  # after look 2
    end = ex.analyze(runs, eps, p, as_of="2024-09-30", detectable=False)
    assert not end.interim and end.test.crossed and end.test.p_value <= 0.05
    r0 = end.difference.iloc[0]
    assert r0["lo"] > 0 and r0["difference"] == pytest.approx(1.0)  # the interval agrees with the test


def test_another_washout_or_alpha_than_the_plans_is_exploratory():
    p = ex.plan("shoes", ["A", "B"], runs=16, block=2, seed=1, start="2024-09-02")
    runs = runs_on(pd.date_range("2024-09-02", periods=16))
    eps = episodes_on(runs, [1, 2, 9])
    assert ex.analyze(runs, eps, p, detectable=False).exploratory == []
    res = ex.analyze(runs, eps, p, washout=1, detectable=False)
    assert res.exploratory == ["washout 1 instead of the plan's 0"]
    assert res.answer.startswith("Exploratory analysis (washout 1 instead of the plan's 0)")
    assert int(res.runs["washout"].sum()) == 8 and int(res.runs["analysed"].sum()) == 8
    assert "alpha 0.1 instead" in ex.analyze(runs, eps, p, alpha=0.1, detectable=False).answer


def test_skipping_that_follows_the_level_is_detected_and_said():
    p = ex.plan("shoes", ["A", "B"], weeks=8, start="2024-09-02", seed=11)
    level = p.schedule["level"].to_numpy()
    rng = np.random.default_rng(0)
    ran = np.where(level == "A", rng.random(56) < 0.95, rng.random(56) < 0.35)
    runs = runs_on(list(p.schedule["date"][ran]))
    res = ex.analyze(runs, episodes_on(runs, [0, 3]), p, detectable=False)
    assert res.skipping_p is not None and res.skipping_p <= 0.05
    assert res.skipping.loc["A", "share"] > res.skipping.loc["B", "share"] + 0.4
    assert any("the level seems to have decided whether you ran" in x for x in res.notes)
    by_runs = ex.plan("shoes", ["A", "B"], runs=20, seed=1, start="2024-09-02")
    assert ex.analyze(runs_on(pd.date_range("2024-09-02", periods=20)), episodes_on(runs, [0]), by_runs,
                      detectable=False).skipping is None


def test_three_levels_compare_every_pair_with_holm():
    p = ex.plan("lacing", ["loose", "normal", "tight"], runs=36, block=1, seed=2, start="2024-09-02", looks=1)
    runs = runs_on(pd.date_range("2024-09-02", periods=36))
    tight = [i for i, lv in enumerate(p.schedule["level"]) if lv == "tight"]
    res = ex.analyze(runs, episodes_on(runs, tight[:10]), p, detectable=False)
    d = res.difference
    assert len(d) == 3 and set(zip(d["reference"], d["level"])) == {("loose", "normal"), ("loose", "tight"),
                                                                     ("normal", "tight")}
    assert (d["p_holm"] >= d["p_value"] - 1e-12).all()
    # every pair's interval agrees with its Holm decision
    assert ((d["p_holm"] <= 0.05) == ((d["lo"] > 0) | (d["hi"] < 0))).all()
    row = d[(d["reference"] == "loose") & (d["level"] == "tight")].iloc[0]
    assert row["p_holm"] <= 0.05 and row["lo"] > 0
    flat = d[(d["reference"] == "loose") & (d["level"] == "normal")].iloc[0]
    assert flat["lo"] <= 0 <= flat["hi"]
    assert "Every pair" in res.answer and "Holm-adjusted" in res.answer


def test_bayesian_summary_and_the_detectable_difference_when_asked():
    p = ex.plan("shoes", ["A", "B"], runs=24, block=2, seed=5, start="2024-09-02", looks=1)
    runs = runs_on(pd.date_range("2024-09-02", periods=24))
    res = ex.analyze(runs, episodes_on(runs, [0, 7, 12]), p, bayes=True, margin=0.1)
    b = res.bayes.iloc[0]
    assert b["margin"] == 0.1 and 0 <= b["p_worse"] <= 1 and b["p_worse"] + b["p_better"] <= 1
    assert res.detectable is not None and 0.2 < res.detectable < 1
    assert any("80 % of the time only when it is about" in x for x in res.cannot_show)
    assert any("Bayesian summary" in x and "Schmid & Yang 2022" in x for x in res.can_show)


def test_gear_says_what_was_used_when_there_are_no_notes():
    p = ex.plan("shoes", ["A", "B"], runs=6, block=1, seed=0, start="2024-09-02")
    runs = runs_on(pd.date_range("2024-09-02", periods=6), gear=None)
    runs["gear"] = pd.array(list(p.schedule["level"]), dtype="string")
    runs.loc[runs.index[5], "gear"] = "A" if p.schedule["level"].iloc[5] == "B" else "B"
    res = ex.analyze(runs, episodes_on(runs, [0]), p, detectable=False)
    assert list(res.runs["adherence"]) == ["followed"] * 5 + ["deviated"]


def test_no_run_on_the_plan_is_an_error_that_says_what_to_import():
    p = ex.plan("shoes", LEVELS, weeks=2, start="2030-01-07", seed=0)
    runs = runs_on(["2024-09-02"])
    with pytest.raises(runlog.ExperimentError, match="runlog import"):
        ex.analyze(runs, episodes_on(runs, []), p)


def test_no_episode_says_there_is_nothing_to_compare():
    p = ex.plan("shoes", ["A", "B"], runs=8, block=1, seed=0, start="2024-09-02")
    runs = runs_on(pd.date_range("2024-09-02", periods=8))
    res = ex.analyze(runs, episodes_on(runs, []), p, detectable=False)
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
