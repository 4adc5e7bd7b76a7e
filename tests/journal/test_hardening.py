"""Hostile journals (issue 25): dates of any year, and journals of many rows that match nothing.

* every journal date outside the years runlog uses (0024-04-24, 9999-12-31, ...) is one
  JournalError problem naming its line, never OutOfBoundsDatetime / OverflowError;
* checking a journal is linear: each row that matches nothing costs a binary search among the
  runs sorted by start, runs are worded once, the fuzzy file-name search runs for the first rows
  only, and the message lists the first problems and counts the rest (no timed assertion here:
  bench/bench_journal.py --hostile times a 5 MB journal).
"""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runlog
from runlog.errors import MAX_LISTED_PROBLEMS, JournalError, NotesError
from runlog.io._activity import make_run_id
from runlog.journal import matching, sheet


def runs_frame(n: int) -> pd.DataFrame:
    """*n* runs, one a day from 2020-01-01 at 07:00 local (Berlin, UTC+1 in winter)."""
    start_local = pd.Timestamp("2020-01-01 07:00") + pd.to_timedelta(np.arange(n), unit="D")
    start_utc = (start_local - pd.Timedelta(hours=1)).tz_localize("UTC")
    return pd.DataFrame({
        "start_time": start_utc, "start_local": start_local, "tz": "Europe/Berlin",
        "elapsed_s": 3600.0, "distance_m": 10000.0, "sport": "running",
        "source": [f"/runs/Run_{i}.FIT" for i in range(n)],
    }, index=pd.Index([make_run_id(t) for t in start_utc], name="run_id"))


# --------------------------------------------------------------------------
# Dates of any year
# --------------------------------------------------------------------------
BAD_YEARS = ["0024-04-24", "9999-12-31", "2262-04-12", "1677-09-21", "0001-01-01", "24.04.0024",
             "0024/04/24", "9999-12-31 23:59", "04/24/0024"]


@pytest.mark.parametrize("with_history", [False, True])
def test_every_out_of_range_date_is_a_problem_naming_its_line(tmp_path, with_history):
    path = tmp_path / "journal.csv"
    path.write_text("date,onset_min\n" + "".join(f"{d},10\n" for d in BAD_YEARS), encoding="utf-8")
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(path, history=runs_frame(5) if with_history else None)
    problems = exc.value.problems
    assert [p.split(":")[0] for p in problems] == [f"line {i + 2}" for i in range(len(BAD_YEARS))]
    for p, d in zip(problems, BAD_YEARS):
        assert f"date {d!r}" in p and ("outside 1900-2199" in p), p


def test_out_of_range_dates_in_notes_tracking_rows_and_run_ids(tmp_path):
    runs = runs_frame(5)
    with pytest.raises(NotesError, match=r"line 2: date '9999-12-31': the year 9999 is outside"):
        runlog.read_run_notes(pd.DataFrame({"date": ["9999-12-31"], "shoes": ["A"]}), history=runs)
    with pytest.raises(JournalError, match=r"line 2: date '0024-04-24': the year 24"):
        runlog.read_episodes(pd.DataFrame({"date": ["0024-04-24"], "notes": ["tracking started"]}))
    # a run id of year 24 or 9999 is no run, with the runs nearest named where there is a time
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(pd.DataFrame({"run": ["00240424T1200Z", "99991231T2359Z", "20201399T0000Z"]}),
                             history=runs)
    assert [p[:41] for p in exc.value.problems] == [
        "line 2: no run with run_id '00240424T1200", "line 3: no run with run_id '99991231T2359",
        "line 4: no run with run_id '20201399T0000"]


def test_cli_report_with_a_year_24_journal_exits_1_naming_the_line(tmp_path, capsys):
    from runlog.cli import main

    j = tmp_path / "j.csv"
    j.write_text("date,onset_min\n0024-04-24,20\n", encoding="utf-8")
    assert main(["report", str(tmp_path), "--episodes", str(j), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "line 2: date '0024-04-24'" in err and "Traceback" not in err


@settings(max_examples=150, deadline=None)
@given(year=st.integers(1, 9999), month=st.integers(1, 12), day=st.integers(1, 28),
       form=st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{d:02d}.{m:02d}.{y:04d}", "{y:04d}/{m:02d}/{d:02d}",
                             "{y:04d}-{m:02d}-{d:02d} 10:30"]))
def test_any_year_reads_or_is_one_problem_naming_the_line(year, month, day, form):
    text = form.format(y=year, m=month, d=day)
    frame = pd.DataFrame({"date": ["2020-01-02", text], "onset_min": [5, 5]})
    try:
        ep = runlog.read_episodes(frame)
    except JournalError as exc:
        assert not 1900 <= year <= 2199
        assert len(exc.value.problems if hasattr(exc, "value") else exc.problems) == 1
        assert exc.problems[0].startswith("line 3: date ")
    else:
        assert 1900 <= year <= 2199
        assert ep["date"].iloc[1] == pd.Timestamp(year, month, day)


def test_parse_date_never_overflows():
    for text in ["0000-01-01", "9999-99-99", "2262-04-11 23:47:16", "1677-09-21 00:12:44"]:
        with pytest.raises(ValueError):
            sheet.parse_date(text)


# --------------------------------------------------------------------------
# Many rows that match nothing: linear work, bounded message
# --------------------------------------------------------------------------
def test_unmatched_rows_word_each_run_once_and_search_names_for_the_first_rows(monkeypatch, tmp_path):
    runs = runs_frame(400)
    described, fuzzy = [], []
    real_describe, real_close = matching.describe_run, difflib.get_close_matches
    monkeypatch.setattr(matching, "describe_run", lambda *a: described.append(a[0]) or real_describe(*a))
    monkeypatch.setattr(difflib, "get_close_matches", lambda *a, **k: fuzzy.append(a[0]) or real_close(*a, **k))
    n = 3000
    # dates without a run (the runs are in 2020-2021), times near none, and file names of no run
    days = pd.Timestamp("2030-01-01") + pd.to_timedelta(np.arange(n), unit="D")
    lines = ["date,time,run"] + [f"{d:%Y-%m-%d},{'07:00' if i % 2 else ''}," for i, d in enumerate(days)]
    lines += [f",,nothing_{i}.fit" for i in range(n)]
    path = tmp_path / "j.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(JournalError) as exc:
        runlog.read_episodes(path, history=runs)
    assert exc.value.n_problems == 2 * n
    # before: 3 runs worded per row (18,000) and one fuzzy search per file name (3,000)
    assert len(described) <= len(runs)
    assert len(fuzzy) <= matching.FUZZY_HINTS
    msg = str(exc.value)
    assert msg.startswith(f"{path}: 6,000 problems (the first {MAX_LISTED_PROBLEMS} by line):\n  - line 2: no run on ")
    assert msg.count("\n  - ") == MAX_LISTED_PROBLEMS
    assert msg.endswith(f"... and {2 * n - MAX_LISTED_PROBLEMS:,} more; fix these first (a file where every row "
                        "fails is often the wrong file, or written in another time zone or date order)")
    assert len(msg) < 10_000   # before: about 1.5 MB
    assert len(exc.value.problems) == sheet.MAX_KEPT_PROBLEMS   # the first ones, by line
    assert [sheet.line_key(p) for p in exc.value.problems] == list(range(2, 2 + sheet.MAX_KEPT_PROBLEMS))


def test_problem_list_keeps_the_first_lines_of_every_check():
    problems = sheet.ProblemList(limit=5)
    for line in range(100, 0, -1):   # appended late lines first: the first lines are still kept
        problems.append(f"line {line}: bad")
    problems.add(3, "also bad")
    problems.add(10_000, "late")
    assert problems.total == 102
    assert list(problems.by_line()) == ["line 1: bad", "line 2: bad", "line 3: bad", "line 3: also bad",
                                        "line 4: bad"]


def test_nearest_runs_are_the_nearest_of_all(tmp_path):
    # the binary search names the same runs as a sort of every run would
    runs = runs_frame(50)
    m = matching._Matcher(runs, None)
    rng = np.random.default_rng(3)
    for t in pd.Timestamp("2019-12-01") + pd.to_timedelta(rng.uniform(0, 120 * 24, 40), unit="h"):
        gap = (m.start - t).abs().sort_values(kind="stable")
        want = [str(r) for r in gap.index[:3]]
        got = m.nearest(t)
        assert [got.find(f"({r}") >= 0 for r in want] == [True] * 3, (t, want, got)


@pytest.mark.filterwarnings("ignore::runlog.RunlogWarning")
def test_a_frame_of_many_identical_rows_is_matched_once(monkeypatch):
    runs = runs_frame(3)
    calls = []
    real = matching._identify_one
    monkeypatch.setattr(matching, "_identify_one", lambda *a: calls.append(a[:3]) or real(*a))
    ep = runlog.read_episodes(pd.DataFrame({"date": ["2020-01-02"] * 500 + ["2020-01-03"] * 500}), history=runs)
    assert len(calls) == 2
    assert ep["run_id"].tolist() == [runs.index[1]] * 500 + [runs.index[2]] * 500
