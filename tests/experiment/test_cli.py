"""The runlog experiment plan|report commands and the report page's experiment section."""

from __future__ import annotations

import pytest

from runlog import experiment as ex
from runlog.cli import main

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


@pytest.mark.slow  # about 5-10 s (a season imported and analysed twice)
def test_cli_plan_then_report(season, tmp_path, capsys):
    _, s, _ = season
    out = tmp_path / "exp"
    rc = main(["experiment", "plan", "--factor", "shoes", "--levels", *LEVELS, "--weeks", "8",
               "--start", "2024-09-02", "--seed", "1", "--baseline-risk", "0.2", "--reminder", "20:00",
               "--out", str(out)])
    assert rc == 0
    said = capsys.readouterr().out
    assert "16,384 possible schedules" in said and "power" in said and "Protocol (fixed now" in said
    assert (out / "plan.csv").is_file() and (out / "plan.ics").read_bytes().count(b"BEGIN:VEVENT") == 56
    assert (out / "plan.ics").read_bytes().count(b"TRIGGER:-PT4H") == 56
    # the same plan as the season's
    assert ex.read_plan(out / "plan.csv").schedule["level"].equals(ex.read_plan(season[2] / "plan.csv")
                                                                   .schedule["level"])
    # a plan in the folder is never replaced
    rc = main(["experiment", "plan", "--factor", "shoes", "--levels", "A", "B", "--weeks", "8", "--out", str(out)])
    assert rc == 1 and "plan you may be following" in capsys.readouterr().err
    rc = main(["experiment", "report", str(s.gpx_dir), "--episodes", str(s.episodes_csv), "--notes",
               str(s.notes_csv), "--plan", str(out / "plan.csv"), "--out", str(out), "--no-cache", "--bayes"])
    assert rc == 0
    said = capsys.readouterr().out
    assert "What this cannot show" in said and "Bayesian summary" in said
    rc = main(["experiment", "report", str(s.gpx_dir), "--episodes", str(s.episodes_csv), "--plan",
               str(out / "plan.csv"), "--out", str(tmp_path / "early"), "--no-cache", "--as-of", "2024-09-18",
               "--washout", "1"])
    assert rc == 0
    said = capsys.readouterr().out
    assert "Exploratory analysis (washout 1 instead of the plan's 0)" in said and "Interim look 2 of 8" in said
    page = (out / "experiment.html").read_text(encoding="utf-8")
    assert "Your experiment" in page and "data:image/png;base64" in page


def test_cli_plan_with_washout_and_looks(tmp_path, capsys):
    out = tmp_path / "w"
    assert main(["experiment", "plan", "--factor", "fluid_ml", "--levels", "0", "500", "--runs", "24", "--block",
                 "3", "--washout", "1", "--looks", "2", "--seed", "4", "--out", str(out)]) == 0
    q = ex.read_plan(out / "plan.csv")
    assert (q.washout, q.looks, q.block, q.by_date) == (1, 2, 3, False) and not (out / "plan.ics").exists()
    assert "washout" in capsys.readouterr().out


def test_cli_refuses_a_factor_that_cannot_be_assigned(tmp_path, capsys):
    rc = main(["experiment", "plan", "--factor", "air_temp_c", "--levels", "cold", "hot", "--runs", "8",
               "--out", str(tmp_path / "x")])
    assert rc == 1
    assert "cannot be assigned at random" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


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
