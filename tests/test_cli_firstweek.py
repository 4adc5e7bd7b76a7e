"""The command line as a runner's first week meets it (issue 24 items 4, 5 and 8): every argument
explained, an import of a file that is not an activity fails with the reason, and the runner's own
heart-rate values given on the command line or in the settings file are stated in the report."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import warnings
from types import SimpleNamespace

import pytest

import runlog
from runlog import cli
from runlog.render.text import markdown_text


def run_main(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def _parsers(parser: argparse.ArgumentParser, path=("runlog",)):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def test_every_argument_of_every_command_has_help_text():
    missing = []
    for path, parser in _parsers(cli.build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                missing += [f"{' '.join(path)} {c.dest}" for c in action._choices_actions if not c.help]
                continue
            if action.help == argparse.SUPPRESS:   # the hidden repeat of --debug after the command
                continue
            if not (action.help or "").strip():
                missing.append(f"{' '.join(path)} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []   # before: 'runlog import PATH' had none


def test_import_of_a_file_that_is_not_an_activity_exits_1_with_the_reason(tmp_path):
    journal = tmp_path / "Episodes.csv"
    journal.write_text("date,onset_min\n2024-03-02,30\n", encoding="utf-8")
    r = run_main("import", journal, "--no-cache")
    assert r.returncode == 1
    assert r.stderr.startswith(f"runlog: error: {journal}: is not a FIT, GPX or TCX activity file")
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_main("import", empty, "--no-cache")
    assert r.returncode == 1 and "no activity could be read (no FIT, GPX or TCX file there)" in r.stderr


def test_import_line_counts_runs_apart_from_other_sports(data_dir, tmp_path):
    folder = tmp_path / "h"
    shutil.copytree(data_dir, folder)
    r = run_main("import", folder, "--no-cache")
    assert r.returncode == 0
    first = r.stdout.splitlines()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = runlog.read_history(folder, cache=False, progress=False)
    s = h.summary()
    assert first.startswith(f"Read {s['activities']} activities: {s['runs']} runs, ")
    assert first.startswith("Read 21 activities: 12 runs, 3 rides, 3 transitions, 1 swim, 1 row, 1 of unknown sport;")
    assert repr(h).startswith("<History 21 activities: 12 runs, 3 rides, 3 transitions, 1 swim, 1 row, "
                              "1 of unknown sport (")


@pytest.mark.slow
def test_report_states_the_runners_own_heart_rate_values(data_dir, tmp_path, monkeypatch):
    journal = data_dir / "journals" / "four_episodes.csv"
    out = tmp_path / "out"
    r = run_main("report", data_dir, "--episodes", journal, "--hr-max", 186, "--hr-rest", 48, "--sex", "f",
                 "--out", out, "--no-cache")
    assert r.returncode == 0, r.stderr
    said = ("Your values: maximum heart rate 186 beats/min, resting heart rate 48 beats/min, sex female (given: "
            "command line).")
    assert said in " ".join(r.stdout.split())
    assert said in (out / "report.md").read_text(encoding="utf-8")   # (nothing in it that Markdown escapes)
    assert said in (out / "report.html").read_text(encoding="utf-8")
    # the settings file, when the command line gives none; the command line wins over it
    settings = tmp_path / "settings.toml"
    settings.write_text('[athlete]\nhr_max_bpm = 190\nhr_rest_bpm = 50\nsex = "male"\n', encoding="utf-8")
    monkeypatch.setenv("RUNLOG_SETTINGS", str(settings))
    r = run_main("report", data_dir, "--episodes", journal, "--hr-rest", 44, "--out", tmp_path / "o2", "--no-cache")
    text = (tmp_path / "o2" / "report.md").read_text(encoding="utf-8")   # (the terminal wraps the path at '-')
    assert r.returncode == 0, r.stderr
    assert markdown_text(f"Your values: maximum heart rate 190 beats/min, resting heart rate 44 beats/min, sex male "
                         f"(given: command line; settings file {settings}).") in text   # (as escaped Markdown)
    # a broken settings file fails before the import, naming the file
    settings.write_text("[athlete]\nhr_max = 190\n", encoding="utf-8")
    r = run_main("report", data_dir, "--episodes", journal, "--out", tmp_path / "o3", "--no-cache")
    assert r.returncode == 1 and r.stderr.startswith(f"runlog: error: {settings}: [athlete] has unknown key(s)")
    assert "Read " not in r.stdout


def test_wrong_heart_rate_on_the_command_line_fails_at_once(data_dir, tmp_path):
    r = run_main("report", data_dir, "--episodes", data_dir / "journals" / "four_episodes.csv",
                 "--hr-max", 150, "--hr-rest", 160, "--out", tmp_path / "o", "--no-cache")
    assert r.returncode == 1 and "hr_rest_bpm (160) must be below hr_max_bpm (150)" in r.stderr
    assert "Read " not in r.stdout
    assert re.search(r"--sex \{f,m,female,male\}", run_main("report", "--help").stdout.replace("\n", " "))
    assert os.environ["RUNLOG_SETTINGS"].endswith("settings.toml")   # the suite's own (conftest)
