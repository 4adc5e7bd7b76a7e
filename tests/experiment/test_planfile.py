"""Reading a plan back from its CSV (runlog.experiment._planfile)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

import runlog
from runlog import experiment as ex

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


def test_csv_round_trip_and_an_edited_plan_is_refused(tmp_path):
    p = ex.plan("shoes", LEVELS, weeks=4, start="2024-09-02", seed=3, design="mirror")
    p.to_csv(tmp_path / "plan.csv")
    q = ex.read_plan(tmp_path / "plan.csv")
    assert (q.factor, q.levels, q.block, q.design, q.seed) == ("shoes", LEVELS, 2, "mirror", 3)
    pd.testing.assert_frame_equal(q.schedule, p.schedule, check_dtype=False)
    df = pd.read_csv(tmp_path / "plan.csv", dtype=str, keep_default_na=False)
    df.loc[0:1, "level"] = LEVELS[1] if df.loc[0, "level"] == LEVELS[0] else LEVELS[0]
    df.to_csv(tmp_path / "edited.csv", index=False)
    with pytest.raises(runlog.ExperimentError, match=r"cycle 1 does not hold each level once.*--seed 3"):
        ex.read_plan(tmp_path / "edited.csv")
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


def test_plan_frame_parses_back_from_csv_text():
    p = ex.plan("fluid_ml", ["0", "500"], runs=12, block=3, seed=8)
    q = ex.read_plan(pd.read_csv(io.StringIO(p.to_csv()), dtype=str, keep_default_na=False))
    assert q.levels == ("0", "500") and not q.by_date and q.schedule["level"].equals(p.schedule["level"])
    assert q.start == p.start
