"""runlog.experiment: the randomised schedule, the randomisation test, adherence, the calendar and the CLI."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog import experiment as ex
from runlog.experiment._matching import level_of as _level_of
from runlog.cli import main

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


# ----------------------------------------------------------------------------------------------
# the schedule
# ----------------------------------------------------------------------------------------------
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


@pytest.mark.parametrize("factor", ["air_temp_c", "weather", "distance_m", "avg_hr_bpm", "rel_humidity_pct",
                                    "duration_min", "acwr"])
def test_factors_a_runner_cannot_assign_are_refused(factor):
    with pytest.raises(runlog.ExperimentError, match="cannot be assigned at random.*shoes, lacing"):
        ex.plan(factor, ["a", "b"], runs=8)


@pytest.mark.parametrize("factor", ["shoes", "lacing", "fluid_ml", "warmup_min", "socks", "insoles"])
def test_factors_a_runner_controls_are_accepted(factor):
    assert ex.refusal(factor) is None
    assert ex.plan(factor, ["0", "500"], runs=8, seed=0).n_slots == 8


def test_bad_plans_are_refused_with_the_fix():
    with pytest.raises(runlog.ExperimentError, match="either runs=N .* or weeks=N"):
        ex.plan("shoes", LEVELS)
    with pytest.raises(runlog.ExperimentError, match="at least two"):
        ex.plan("shoes", ["one"], runs=8)
    with pytest.raises(runlog.ExperimentError, match="repeat"):
        ex.plan("shoes", ["A", "a"], runs=8)
    with pytest.raises(runlog.ExperimentError, match="a list of the levels"):
        ex.plan("shoes", "Trail Glide 2", runs=8)
    with pytest.raises(runlog.ExperimentError, match="design"):
        ex.plan("shoes", LEVELS, runs=8, design="latin")
    assert isinstance(runlog.ExperimentError("x"), ValueError)


def test_plan_says_when_it_cannot_reach_significance():
    p = ex.plan("shoes", LEVELS, runs=8, block=2, seed=0)  # 2 cycles: 4 schedules
    assert p.n_assignments == 4
    assert "cannot show a difference at the 5 % level" in p.summary()


def test_power_grows_with_the_effect_and_is_near_alpha_without_one():
    p = ex.plan("shoes", LEVELS, runs=48, block=2, seed=3)
    none = ex.power(p, 0.2, 1.0, sizes=[48], n_sim=300, seed=1)
    strong = ex.power(p, 0.1, 5.0, sizes=[48], n_sim=300, seed=1)
    assert none["power"].iloc[0] <= 0.09
    assert strong["power"].iloc[0] > 0.6
    assert (strong["lo"] <= strong["power"]).all() and (strong["power"] <= strong["hi"]).all()
    with_power = ex.plan("shoes", LEVELS, runs=48, seed=3, baseline_risk=0.15, risk_ratio=3, n_sim=100)
    assert with_power.power is not None and with_power.power["slots"].iloc[0] == 48
    assert with_power.power["power"].is_monotonic_increasing or with_power.power["power"].iloc[-1] > 0.8
    assert "baseline risk of 15%" in with_power.summary()


# ----------------------------------------------------------------------------------------------
# the randomisation test
# ----------------------------------------------------------------------------------------------
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


def test_risk_difference_interval_newcombe_example():
    # Newcombe (1998), Table II example (a): 56/70 vs 48/80 -> 0.2000, 95 % CI 0.0524 to 0.3339
    d, lo, hi = ex.risk_difference_ci(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert lo == pytest.approx(0.0524, abs=5e-4) and hi == pytest.approx(0.3339, abs=5e-4)
    lo1, hi1 = ex.wilson_ci(0, 10)
    assert lo1 == 0.0 and hi1 == pytest.approx(0.2775, abs=5e-4)


# ----------------------------------------------------------------------------------------------
# files
# ----------------------------------------------------------------------------------------------
def test_csv_round_trip_and_an_edited_plan_is_refused(tmp_path):
    p = ex.plan("shoes", LEVELS, weeks=4, start="2024-09-02", seed=3, design="mirror")
    p.to_csv(tmp_path / "plan.csv")
    q = ex.read_plan(tmp_path / "plan.csv")
    assert (q.factor, q.levels, q.block, q.design, q.seed) == ("shoes", LEVELS, 2, "mirror", 3)
    pd.testing.assert_frame_equal(q.schedule, p.schedule, check_dtype=False)
    df = pd.read_csv(tmp_path / "plan.csv", dtype=str, keep_default_na=False)
    df.loc[0:1, "level"] = LEVELS[1] if df.loc[0, "level"] == LEVELS[0] else LEVELS[0]
    df.to_csv(tmp_path / "edited.csv", index=False)
    with pytest.raises(runlog.ExperimentError, match="cycle 1 does not hold each level once.*--seed 3"):
        ex.read_plan(tmp_path / "edited.csv")
    with pytest.raises(runlog.ExperimentError, match="not a runlog experiment plan"):
        ex.read_plan(pd.DataFrame({"date": ["2024-01-01"]}))


def test_ics_is_rfc5545_all_day_events_folded_with_crlf(tmp_path):
    p = ex.plan("shoes", ["Trail Glide 2, size 42; wide", "Daily Cushion 5 — neu"], weeks=2, start="2024-09-02",
                seed=1)
    text = p.to_ics(tmp_path / "plan.ics")
    data = (tmp_path / "plan.ics").read_bytes()
    assert data.decode("utf-8") == text
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert all(len(x) <= 75 for x in lines)
    unfolded = text.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 14
    assert "DTSTART;VALUE=DATE:20240902\r\n" in unfolded and "DTEND;VALUE=DATE:20240916\r\n" in unfolded
    uids = [x for x in unfolded.split("\r\n") if x.startswith("UID:")]
    assert len(set(uids)) == 14
    assert "DTSTAMP:" in unfolded and "SUMMARY:Run in: Trail Glide 2\\, size 42\\; wide" in unfolded
    by_runs = ex.plan("shoes", LEVELS, runs=8, seed=1)
    with pytest.raises(runlog.ExperimentError, match="no dates"):
        by_runs.to_ics()


# ----------------------------------------------------------------------------------------------
# analysis: matching, adherence
# ----------------------------------------------------------------------------------------------
def _history(days, gear=None) -> pd.DataFrame:
    local = pd.DatetimeIndex([pd.Timestamp(d) + pd.Timedelta(hours=7) for d in days])
    utc = (local - pd.Timedelta(hours=2)).tz_localize("UTC")
    runs = pd.DataFrame({"start_time": utc, "start_local": local, "tz": "Europe/Berlin",
                         "elapsed_s": 3600.0, "distance_m": 10000.0, "sport": "running"},
                        index=pd.Index(utc.strftime("%Y%m%dT%H%MZ"), name="run_id"))
    if gear is not None:
        runs["gear"] = pd.array(gear, dtype="string")
    return runs


def _episodes(runs, idx, onset=30):
    r = runs.iloc[list(idx)]
    frame = pd.DataFrame({"date": r["start_local"].dt.strftime("%Y-%m-%d"), "time": r["start_local"].dt.strftime(
        "%H:%M"), "onset_min": onset, "side": "left", "location": "forefoot", "severity": 3})
    return runlog.read_episodes(frame.reset_index(drop=True), history=runs)


def test_adherence_deviations_listed_and_analysed_as_assigned_and_as_followed():
    p = ex.plan("shoes", ["A", "B"], weeks=2, start="2024-09-02", block=1, seed=4, weekdays="Mon,Tue,Wed,Thu,Fri,Sat")
    days = list(p.schedule["date"]) + [pd.Timestamp("2024-09-08")]  # a run on a Sunday, not planned: extra
    days.pop(3)  # a rest day: missing
    runs = _history(days)
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
    eps = _episodes(runs, numb_idx)
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
    runs = _history(pd.date_range("2024-09-02", periods=6), gear=None)
    runs["gear"] = pd.array(list(p.schedule["level"]), dtype="string")
    runs.loc[runs.index[5], "gear"] = "A" if p.schedule["level"].iloc[5] == "B" else "B"
    res = ex.analyze(runs, _episodes(runs, [0]), p)
    assert list(res.runs["adherence"]) == ["followed"] * 5 + ["deviated"]


def test_numeric_levels_match_the_nearest_amount():
    assert _level_of("480", ("0", "500")) == "500"
    assert _level_of(20.0, ("0", "500")) == "0"
    assert _level_of("250", ("0", "500")) is None
    assert _level_of(" tight ", ("loose", "Tight")) == "Tight"


def test_no_run_on_the_plan_is_an_error_that_says_what_to_import():
    p = ex.plan("shoes", LEVELS, weeks=2, start="2030-01-07", seed=0)
    runs = _history(["2024-09-02"])
    with pytest.raises(runlog.ExperimentError, match="runlog import"):
        ex.analyze(runs, _episodes(runs, []), p)


def test_no_episode_says_there_is_nothing_to_compare():
    p = ex.plan("shoes", ["A", "B"], runs=8, block=1, seed=0, start="2024-09-02")
    runs = _history(pd.date_range("2024-09-02", periods=8))
    res = ex.analyze(runs, _episodes(runs, []), p)
    assert "nothing to compare" in res.answer and res.test.p_value == pytest.approx(1.0)


# ----------------------------------------------------------------------------------------------
# end to end: a simulated experiment season, the CLI
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def season(tmp_path_factory):
    from runlog import simulate

    out = tmp_path_factory.mktemp("exp")
    p = ex.plan("shoes", LEVELS, weeks=8, start="2024-09-02", seed=1)
    p.to_csv(out / "plan.csv")
    s = simulate.simulate_season(out / "data", scenario="shoes_null", seed=3, start="2024-09-02", weeks=8,
                                 history_weeks=1, experiment=p, level_risk={LEVELS[0]: 0.45, LEVELS[1]: 0.08},
                                 adherence=0.9)
    return p, s, out


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


def test_cli_plan_then_report(season, tmp_path, capsys):
    _, s, _ = season
    out = tmp_path / "exp"
    rc = main(["experiment", "plan", "--factor", "shoes", "--levels", *LEVELS, "--weeks", "8",
               "--start", "2024-09-02", "--seed", "1", "--baseline-risk", "0.2", "--out", str(out)])
    assert rc == 0
    said = capsys.readouterr().out
    assert "16,384 possible schedules" in said and "power" in said
    assert (out / "plan.csv").is_file() and (out / "plan.ics").read_bytes().count(b"BEGIN:VEVENT") == 56
    # the same plan as the season's
    assert ex.read_plan(out / "plan.csv").schedule["level"].equals(ex.read_plan(season[2] / "plan.csv")
                                                                   .schedule["level"])
    # a plan in the folder is never replaced
    rc = main(["experiment", "plan", "--factor", "shoes", "--levels", "A", "B", "--weeks", "8", "--out", str(out)])
    assert rc == 1 and "plan you may be following" in capsys.readouterr().err
    rc = main(["experiment", "report", str(s.gpx_dir), "--episodes", str(s.episodes_csv), "--notes",
               str(s.notes_csv), "--plan", str(out / "plan.csv"), "--out", str(out), "--no-cache"])
    assert rc == 0
    said = capsys.readouterr().out
    assert "What this cannot show" in said
    page = (out / "experiment.html").read_text(encoding="utf-8")
    assert "Your experiment" in page and "data:image/png;base64" in page


def test_cli_refuses_a_factor_that_cannot_be_assigned(tmp_path, capsys):
    rc = main(["experiment", "plan", "--factor", "air_temp_c", "--levels", "cold", "hot", "--runs", "8",
               "--out", str(tmp_path / "x")])
    assert rc == 1
    assert "cannot be assigned at random" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_level_names_that_a_spreadsheet_would_run_are_quoted_and_read_back(tmp_path):
    p = ex.plan("shoes", ["=HYPERLINK(\"x\")", "@pair"], runs=8, block=1, seed=2)
    text = p.to_csv(tmp_path / "plan.csv")
    cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).to_numpy().ravel()
    assert not any(c.startswith(("=", "@")) for c in cells)
    assert "'=HYPERLINK" in text
    q = ex.read_plan(tmp_path / "plan.csv")
    assert q.levels == p.levels and q.schedule["level"].equals(p.schedule["level"])


def test_plan_frame_parses_back_from_csv_text():
    p = ex.plan("fluid_ml", ["0", "500"], runs=12, block=3, seed=8)
    q = ex.read_plan(pd.read_csv(io.StringIO(p.to_csv()), dtype=str, keep_default_na=False))
    assert q.levels == ("0", "500") and not q.by_date and q.schedule["level"].equals(p.schedule["level"])
    assert q.start == p.start


@pytest.mark.slow
def test_report_page_has_an_experiment_section(season, tmp_path, capsys):
    _, s, out = season
    rc = main(["report", str(s.gpx_dir), "--episodes", str(s.episodes_csv), "--notes", str(s.notes_csv),
               "--plan", str(out / "plan.csv"), "--tracked", f"{s.tracked[0]}:{s.tracked[1]}",
               "--out", str(tmp_path / "rep"), "--no-cache"])
    assert rc == 0
    page = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    assert "<section id='experiment'><h2>Your experiment</h2>" in page
    assert page.index("id='experiment'") < page.index("id='caveats'")
    assert "randomisation test p =" in capsys.readouterr().out
