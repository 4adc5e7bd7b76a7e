"""Reading a plan back from its CSV (runlog.experiment._planfile): ISO dates, the schedule checked against its seed."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import runlog
from runlog import experiment as ex

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


@pytest.fixture
def plan_csv(tmp_path):
    p = ex.plan("shoes", LEVELS, weeks=4, start="2024-09-02", seed=3, design="mirror", block=3, washout=1)
    p.to_csv(tmp_path / "plan.csv")
    return p, tmp_path / "plan.csv"


def _edited(path, tmp_path, edit) -> str:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(df)
    out = tmp_path / "edited.csv"
    df.to_csv(out, index=False)
    return str(out)


def test_csv_round_trip_keeps_the_schedule_and_the_protocol(plan_csv):
    p, path = plan_csv
    q = ex.read_plan(path)
    assert (q.factor, q.levels, q.block, q.design, q.seed) == ("shoes", LEVELS, 3, "mirror", 3)
    assert (q.alpha, q.washout, q.looks, q.end) == (0.05, 1, 4, pd.Timestamp("2024-09-29"))
    pd.testing.assert_frame_equal(q.schedule, p.schedule, check_dtype=False)
    assert q.to_csv() == p.to_csv()


def test_a_spreadsheet_date_format_is_refused_with_its_row(plan_csv, tmp_path):
    _, path = plan_csv

    def ddmm(df):  # what a spreadsheet re-saving in dd/mm/yyyy does
        df["date"] = pd.to_datetime(df["date"]).dt.strftime("%d/%m/%Y")
    with pytest.raises(runlog.ExperimentError, match=r"row 2: '02/09/2024' is not an ISO date \(YYYY-MM-DD\)"):
        ex.read_plan(_edited(path, tmp_path, ddmm))


def test_blank_and_duplicate_dates_are_refused_with_their_row(plan_csv, tmp_path):
    _, path = plan_csv

    def blank(df):
        df.loc[4, "date"] = ""
    with pytest.raises(runlog.ExperimentError, match="row 6: the date is blank"):
        ex.read_plan(_edited(path, tmp_path, blank))

    def dup(df):
        df.loc[7, "date"] = df.loc[6, "date"]
    with pytest.raises(runlog.ExperimentError, match="row 9: date 2024-09-08 is already in an earlier row"):
        ex.read_plan(_edited(path, tmp_path, dup))

    def typo(df):  # one mistyped date no longer turns a run into an 'extra' one: the file is refused
        df.loc[10, "date"] = "2024-09-31"
    with pytest.raises(runlog.ExperimentError, match="row 12: '2024-09-31' is not a date of the calendar"):
        ex.read_plan(_edited(path, tmp_path, typo))


def test_an_edited_schedule_or_seed_is_refused_with_the_first_differing_row(plan_csv, tmp_path):
    p, path = plan_csv
    other = {LEVELS[0]: LEVELS[1], LEVELS[1]: LEVELS[0]}

    def swap(df):  # a hand-edited cycle: both levels of cycle 2 swapped
        rows = df.index[df["cycle"] == "2"]
        df.loc[rows, "level"] = df.loc[rows, "level"].map(other)
    first = int(p.schedule.index[p.schedule["cycle"] == 1][0]) + 2
    with pytest.raises(runlog.ExperimentError, match=rf"row {first}: level is .* but the plan drawn with seed 3 "
                                                     r"says .*re-create it: runlog experiment plan \.\.\. --seed 3"):
        ex.read_plan(_edited(path, tmp_path, swap))

    def seed(df):
        df["seed"] = "4"
    with pytest.raises(runlog.ExperimentError, match="but the plan drawn with seed 4 says"):
        ex.read_plan(_edited(path, tmp_path, seed))

    def one_cell(df):
        df.loc[3, "alpha"] = "0.1"
    with pytest.raises(runlog.ExperimentError, match=r"row 5: 'alpha' is '0\.1' but '0\.05' in the first row"):
        ex.read_plan(_edited(path, tmp_path, one_cell))


def test_a_plan_without_protocol_or_not_a_plan_is_refused(plan_csv, tmp_path):
    _, path = plan_csv
    def no_protocol(df):
        for c in ("alpha", "looks", "washout_slots", "primary", "boundary", "end", "weekdays", "washout", "look"):
            del df[c]
    old = _edited(path, tmp_path, no_protocol)
    with pytest.raises(runlog.ExperimentError, match=r"no protocol .* earlier runlog; re-create it"):
        ex.read_plan(old)
    with pytest.raises(runlog.ExperimentError, match="not a runlog experiment plan"):
        ex.read_plan(pd.DataFrame({"date": ["2024-01-01"]}))


def test_level_names_that_a_spreadsheet_would_run_are_quoted_and_read_back(tmp_path):
    p = ex.plan("shoes", ["=HYPERLINK(\"x\")", "@pair"], runs=8, block=1, seed=2)
    text = p.to_csv(tmp_path / "plan.csv")
    cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).to_numpy().ravel()
    assert not any(c.startswith(("=", "@")) for c in cells)
    assert "'=HYPERLINK" in text
    q = ex.read_plan(tmp_path / "plan.csv")
    assert q.levels == p.levels and q.schedule["level"].equals(p.schedule["level"])


def test_plan_by_runs_and_weekdays_parse_back():
    p = ex.plan("fluid_ml", ["0", "500"], runs=12, block=3, seed=8)
    q = ex.read_plan(pd.read_csv(io.StringIO(p.to_csv()), dtype=str, keep_default_na=False))
    assert q.levels == ("0", "500") and not q.by_date and q.schedule["level"].equals(p.schedule["level"])
    assert q.start == p.start
    w = ex.plan("shoes", LEVELS, weeks=3, start="2024-09-04", seed=8, weekdays="Mon,Wed,Sat")
    r = ex.read_plan(pd.read_csv(io.StringIO(w.to_csv()), dtype=str, keep_default_na=False))
    assert r.weekdays == (0, 2, 5) and r.schedule["date"].equals(w.schedule["date"])
