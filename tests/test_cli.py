"""Tests of the ``runlog`` command (runlog.cli).

The command runs in this process (``cli.main``, :func:`run_main`) on the
bundled real files, on the demo season and on bad paths and bad journals; exit
codes and messages are checked.  A subprocess (:func:`run_cli`) only where it
adds something: ``python -m runlog.cli``, the installed script and the
traceback of ``--debug``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from synthetic_report import ANSWER, NO_ANSWER, after_title, synthetic_report, with_old_run

from runlog import cli
from runlog.render import html as htmlreport
from runlog.render.wording import count_line

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=None, timeout=900):
    """Run ``python -m runlog.cli ARGS`` (same as the installed ``runlog`` script)."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "runlog.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=timeout)


def run_main(*args):
    """Run ``runlog ARGS`` in this process (``cli.main``), as :func:`run_cli` would in a subprocess:
    the exit status (also of argparse's ``SystemExit``), stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    old_columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"  # text wrapped as in a pipe, whatever terminal pytest runs in
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = cli.main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        if old_columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old_columns
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


# ---------------------------------------------------------------------------
# --tracked parsing
# ---------------------------------------------------------------------------
def test_parse_tracked():
    assert cli.parse_tracked("2024-03-04:2024-08-31") == (pd.Timestamp("2024-03-04"), pd.Timestamp("2024-08-31"))
    assert cli.parse_tracked("2024-03-04") == (pd.Timestamp("2024-03-04"), None)
    assert cli.parse_tracked("2024-03-04:") == (pd.Timestamp("2024-03-04"), None)
    with pytest.raises(argparse.ArgumentTypeError, match="end date is before"):
        cli.parse_tracked("2024-03-04:2024-01-01")
    with pytest.raises(argparse.ArgumentTypeError, match="ISO dates"):
        cli.parse_tracked("March:2024-01-01")
    with pytest.raises(argparse.ArgumentTypeError, match="start date is missing"):
        cli.parse_tracked(":2024-01-01")


def test_tracked_warning_names_the_command_line_only(capsys):
    from runlog.errors import RunlogWarning
    from runlog.journal import STATE_PERIOD

    # the library's hint names Python's tracked=(...) too: on the command line only --tracked and the journal row
    cli._show_warning("tracked period not given: ...; " + STATE_PERIOD, RunlogWarning, "x.py", 1)
    err = capsys.readouterr().err
    assert err == ("runlog: warning: tracked period not given: ...; state it with --tracked START[:END] (e.g. "
                   "--tracked 2024-03-01, or --tracked 2024-03-01:2024-08-31 if you stopped keeping it), or with "
                   "a 'tracking started' row in the journal (docs/journal.md)\n")
    # a Python-only hint, in other words: its command-line spelling instead
    cli._show_warning("pass tracked=(first_date, last_date)", RunlogWarning, "x.py", 1)
    assert capsys.readouterr().err == "runlog: warning: pass --tracked START[:END]\n"
    # both spellings, worded otherwise: the Python clause dropped
    text = ("state it with --tracked START[:END] (e.g. --tracked 2024-03-01), tracked=(start, end) in Python "
            "(e.g. tracked=('2024-03-01', None); None = open end), or a row")
    assert cli.command_line_hint(text) == "state it with --tracked START[:END] (e.g. --tracked 2024-03-01), or a row"
    assert cli.command_line_hint("nothing about the period") == "nothing about the period"


@pytest.mark.parametrize("finding", [True, False])
def test_terminal_prints_the_answer_first(capsys, finding):
    rep = synthetic_report(finding)
    cli._print_findings(rep)
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines[0] == (ANSWER if finding else NO_ANSWER)
    text = " ".join(out.split())
    if finding:
        assert text.index("Numbness went with hotter runs") < text.index(count_line(rep)) < text.index("Caveats")
        assert "Second <finding> & more." in text
    else:
        assert "Numbness went with" not in text
    assert "Cause:" not in text



# ---------------------------------------------------------------------------
# the command (in this process; a subprocess where that is what is tested)
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def _module_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("runlog-cache")


@pytest.fixture
def cache_env(_module_cache, monkeypatch):
    """Keep the command's cache out of the user's cache folder (one cache for this module's
    commands, so the bundled files are decoded once)."""
    monkeypatch.setenv("RUNLOG_CACHE_DIR", str(_module_cache))
    return _module_cache


def _no_traceback(proc):
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_help_and_usage_errors():
    proc = run_cli("--help")  # python -m runlog.cli
    assert proc.returncode == 0 and "report" in proc.stdout and "import" in proc.stdout and "demo" in proc.stdout
    assert run_main("--help").stdout == proc.stdout
    proc = run_main("report", ROOT / "tests/data")  # --episodes missing
    assert proc.returncode == 2 and "--episodes" in proc.stderr
    proc = run_main("report", ROOT / "tests/data", "--episodes", "x.csv", "--tracked", "2024-05-01:2024-01-01")
    assert proc.returncode == 2 and "end date is before the start date" in proc.stderr


def test_console_script_installed():
    script = Path(sys.executable).with_name("runlog")
    if not script.exists():
        pytest.skip("runlog console script not installed in this environment")
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("runlog ")


def test_the_program_ends_at_once_with_its_status_output_and_exit_functions(data_dir, tmp_path):
    # run() (the console script, python -m runlog.cli) ends the process when the command is done without
    # the interpreter's tear-down, but after the exit functions, with everything printed and the status
    code = ("import atexit, sys\nfrom runlog import cli\n"
            "atexit.register(lambda: print('exit functions ran', flush=True))\n"
            "class Late:\n    def __del__(self):\n        print('torn down')\n"
            "late = Late()\ncli.run()\n")
    env = dict(os.environ, MPLBACKEND="Agg", RUNLOG_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-c", code, "import", str(data_dir)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Read ") and "Rejected" in proc.stdout   # the whole summary, flushed
    assert proc.stdout.rstrip().endswith("exit functions ran") and "torn down" not in proc.stdout
    proc = subprocess.run([sys.executable, "-c", code, "import", str(tmp_path / "nowhere")], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=600)
    assert proc.returncode == 1 and proc.stderr.startswith("runlog: error: ") and "exit functions ran" in proc.stdout
    # a usage error is argparse's SystemExit: the usual exit (status 2, the usage on stderr)
    proc = subprocess.run([sys.executable, "-c", code, "report"], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=600)
    assert proc.returncode == 2 and "usage:" in proc.stderr


@pytest.mark.slow  # 3-5 s (a whole import or report of the bundled files)
def test_import_real_files(data_dir, cache_env):
    proc = run_main("import", data_dir)
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    # 24 bundled files: every run read, the duplicates (same run in FIT/GPX/TCX) and the settings
    # file skipped, the undatable/timeless files rejected with their reason
    # counted by sport: the rides, swims and triathlon transitions are not called runs
    m = re.search(r"Read (\d+) activities: (\d+) runs, (.*?); \d{4}-\d\d-\d\d to ", out)
    runs, n_runs = int(m.group(1)), int(m.group(2))
    assert n_runs >= 10 and runs > n_runs
    assert "3 rides" in m.group(3) and "1 swim" in m.group(3) and " runs" not in m.group(3)
    rejected = int(re.search(r"Rejected (\d+) file", out).group(1))
    assert rejected >= 2
    assert "gpxpy__track-with-extremes.gpx: has no times" in out
    assert "Skipped" in out and "not activities" in out
    # the summary goes to stdout; no progress bar when stderr is not a terminal (logs stay clean)
    assert "Read" not in proc.stderr and "file/s" not in proc.stderr
    # the cache was filled: a second import reads the same
    again = run_main("import", data_dir)
    assert again.returncode == 0 and re.search(r"Read (\d+) activities", again.stdout).group(1) == str(runs)
    assert cache_env.is_dir() and any(cache_env.rglob("*"))


def test_import_list_shows_every_activity(data_dir, tmp_path, cache_env):
    # --list: one line per activity with what the journal needs (local date and start), then the rejected
    # and skipped files
    folder = tmp_path / "h"
    folder.mkdir()
    for rel in ("fit/fitparse__sample_mulitple_header.fit", "fit/fitparse__activity-small-fenix2-run.fit"):
        (folder / Path(rel).name).write_bytes((data_dir / rel).read_bytes())
    proc = run_main("import", folder, "--list")
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == ("Read 6 activities: 2 runs, 2 transitions, 1 ride, 1 swim; 2015-08-15 to 2018-05-27, "
                        "62 km in total.")
    i = lines.index("Activities (local date and start time, as the journal's date and time columns want them):")
    assert lines[i + 1].split() == ["run", "id", "date", "start", "sport", "distance", "duration", "file"]
    table = [ln.split() for ln in lines[i + 2:i + 8]]
    # the Fenix 2 run of 15 Aug 2015, 16:45 local (14:45 UTC, +02:00): 9.01 km in 47:13
    assert table[0] == ["20150815T1445Z", "2015-08-15", "16:45", "running", "9.01", "km", "0:47:13",
                        str(folder / "fitparse__activity-small-fenix2-run.fit")]
    assert [r[3] for r in table] == ["running", "swimming", "transition", "cycling", "transition", "running"]
    assert table[3][1:3] == ["2018-05-27", "10:08"] and table[3][5:7] == ["km", "1:13:39"]
    # without --list: no table
    assert "Activities (" not in run_main("import", folder).stdout


def test_import_bad_path(tmp_path):
    missing = tmp_path / "nowhere"
    proc = run_main("import", missing)
    _no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"runlog: error: {missing}: no such file or folder; check the path"
    # --debug (before or after the command) shows the traceback instead (a subprocess: the traceback is
    # what Python prints for an uncaught error)
    for args in (("--debug", "import", missing), ("import", missing, "--debug")):
        proc = run_cli(*args)
        assert proc.returncode != 0 and "Traceback" in proc.stderr and "FileNotFoundError" in proc.stderr


JOURNAL_REAL = """date,time,onset_min,side,location,severity
2015-08-15,16:45,20,left,forefoot,4
2019-09-25,,25,left,toes,3
"""


@pytest.mark.slow  # 3-5 s (a whole import or report of the bundled files)
def test_report_on_real_files(data_dir, tmp_path, cache_env):
    journal = tmp_path / "episodes.csv"
    journal.write_text(JOURNAL_REAL, encoding="utf-8")
    out = tmp_path / "report"
    proc = run_main("report", data_dir, "--episodes", journal, "--tracked", "2015-01-01:2021-12-31", "--out", out)
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    # two episodes are too few to test: the command says so in plain words, once, and still writes the report
    assert proc.stdout.count("Testing is not possible yet: it needs 3 more runs with numbness") == 1
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("Testing is not possible yet") == 1 and "Not a diagnosis" in page
    # instead of tests, a plain description of the runs so far (and no empty table of tests)
    assert "The runs so far (no tests)" in page and "All measures" not in page
    assert f"Report written to {(out / 'report.html').resolve()}" in proc.stdout
    md = (out / "report.md").read_text(encoding="utf-8")
    assert md.count("Testing is not possible yet") == 1 and "Not tested" not in md
    # the files listed are the files written: no factors.csv when nothing was tested
    assert "Also written: report.md (the same results as Markdown)." in proc.stdout
    assert "factors.csv" not in proc.stdout and "spreadsheet" not in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.md"]


class _Stop(Exception):
    pass


def test_report_loads_its_modules_at_once_and_freezes_them_only_as_the_program(data_dir, tmp_path, monkeypatch):
    # `runlog report` imports the analysis and the page's modules with the collector paused, once the inputs
    # are checked; it sets them aside (gc.freeze) only when this process is the program (run()), never
    # when a caller runs main(args) in its own process
    journal = tmp_path / "episodes.csv"
    journal.write_text(JOURNAL_REAL, encoding="utf-8")
    seen = []

    def load(modules=cli.REPORT_MODULES, *, freeze=False):
        seen.append((tuple(modules), freeze))
        raise _Stop   # before the import of the files: nothing else to run

    monkeypatch.setattr(cli, "load_quietly", load)
    args = ["report", str(data_dir), "--episodes", str(journal), "--out", str(tmp_path / "out")]
    with pytest.raises(_Stop):
        cli.main(args)
    monkeypatch.setattr(sys, "argv", ["runlog", *args])
    with pytest.raises(_Stop):
        cli.main()   # the program's arguments alone do not make this process the program
    ended = []
    monkeypatch.setattr(cli, "end_program", ended.append)
    with pytest.raises(_Stop):
        cli.run()
    assert seen == [(cli.REPORT_MODULES, False), (cli.REPORT_MODULES, False), (cli.REPORT_MODULES, True)]
    assert ended == []   # the error went up, not into end_program
    # a bad journal fails before anything is loaded
    journal.write_text("date,side\n2015-08-15,sideways\n", encoding="utf-8")
    assert run_main(*args).returncode == 1 and len(seen) == 3


def test_load_quietly_restores_the_collector():
    import gc

    frozen = gc.get_freeze_count()
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            cli.load_quietly(["json", "runlog.render.html"])
            assert gc.isenabled() is enabled and gc.get_freeze_count() == frozen
        finally:
            gc.enable()
    # with freeze (the program only): in a process of its own, everything alive is set aside
    code = ("import gc, sys; from runlog import cli; cli.load_quietly(freeze=True); "
            "print(gc.isenabled(), gc.get_freeze_count() > 100000, 'matplotlib.pyplot' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env=dict(os.environ, MPLBACKEND="Agg"), timeout=300)
    assert proc.stdout.split() == ["True", "True", "True"], proc.stderr


@pytest.mark.slow  # 3-5 s (a whole import or report of the bundled files)
def test_report_warnings_are_one_line_each(data_dir, tmp_path, cache_env):
    # without --tracked (and no 'tracking started' row) the journal period runs from the first entry to the
    # last run of the history, with a warning that says how to state it, the command line first; no Python
    # file names or source lines
    journal = tmp_path / "episodes.csv"
    journal.write_text(JOURNAL_REAL, encoding="utf-8")
    proc = run_main("report", data_dir, "--episodes", journal, "--out", tmp_path / "r")
    assert proc.returncode == 0, proc.stderr
    warn = [ln for ln in proc.stderr.splitlines() if "warning" in ln.lower()]
    assert len(warn) == 1
    assert warn[0].startswith("runlog: warning: tracked period not given: assuming the journal covers "
                              "2015-08-15 (first journal entry) to 2021-04-16 (last run of the history)")
    assert "--tracked START[:END]" in warn[0] and "tracking started' row" in warn[0]
    assert "tracked=" not in warn[0] and "Python" not in warn[0]
    assert ".py:" not in proc.stderr


def test_report_bad_journal(data_dir, tmp_path, cache_env):
    journal = tmp_path / "episodes.csv"
    journal.write_text("date,onset_min,side,severity\n2015-08-15,20,middle,4\n2015-08-15,-5,left,14\n",
                       encoding="utf-8")
    proc = run_main("report", data_dir, "--episodes", journal, "--out", tmp_path / "r")
    _no_traceback(proc)
    assert proc.returncode == 1
    # the journal's values are checked before the import: one error line naming the journal,
    # then its problems, each naming its CSV line (header = line 1)
    assert proc.stderr.splitlines() == [
        f"runlog: error: {journal}: 3 problems:",
        "  - line 2: side 'middle' is not one of left, right, both; fix the value",
        "  - line 3: onset_min -5 is outside 0-1440; fix the value",
        "  - line 3: severity 14 is outside 0-10 (0 barely, 10 worst); fix the value",
    ]
    assert proc.stdout == ""
    assert not (tmp_path / "r" / "report.html").exists()


@pytest.mark.parametrize("option, text, message", [
    ("--notes", "date,shoes,fluid_ml\n2015-08-15,Pegasus,lots\n", "line 2: fluid_ml: 'lots' is not a number"),
    ("--weather", "time,air_temp_c\nyesterday,hot\n", "line(s) 2: time cannot be read; write it as ISO 8601"),
])
def test_report_bad_notes_or_weather(data_dir, tmp_path, option, text, message):
    journal = tmp_path / "episodes.csv"
    journal.write_text(JOURNAL_REAL, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    proc = run_main("report", data_dir, "--episodes", journal, option, bad, "--out", tmp_path / "r")
    _no_traceback(proc)
    # checked before the import: nothing on stdout, one error line naming the file, its line and the fix
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(f"runlog: error: {bad}: ") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_report_journal_that_matches_no_run(data_dir, tmp_path, cache_env):
    journal = tmp_path / "episodes.csv"
    journal.write_text("date,onset_min\n2016-02-29,20\n", encoding="utf-8")
    proc = run_main("report", data_dir, "--episodes", journal, "--out", tmp_path / "r")
    _no_traceback(proc)
    assert proc.returncode == 1
    err = [ln for ln in proc.stderr.splitlines() if ln.startswith("runlog: error:")]
    assert len(err) == 1 and str(journal) in err[0] and "line 2" in proc.stderr


def test_report_bad_time_zone(data_dir, tmp_path):
    journal = tmp_path / "episodes.csv"
    journal.write_text(JOURNAL_REAL, encoding="utf-8")
    proc = run_main("report", data_dir, "--episodes", journal, "--tz", "Mars/Olympus", "--out", tmp_path / "r")
    _no_traceback(proc)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == ("runlog: error: tz='Mars/Olympus' is not a time zone; give an IANA name such as "
                                   "'Europe/Berlin' or a fixed offset such as '+02:00'")


def test_report_missing_journal(data_dir, tmp_path):
    proc = run_main("report", data_dir, "--episodes", tmp_path / "none.csv")
    _no_traceback(proc)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"runlog: error: {tmp_path / 'none.csv'}: --episodes: no such file; check the path"


def test_report_out_is_a_file(data_dir, tmp_path, cache_env):
    journal = tmp_path / "episodes.csv"
    journal.write_text(JOURNAL_REAL, encoding="utf-8")
    blocker = tmp_path / "report.txt"
    blocker.write_text("x")
    proc = run_main("report", data_dir, "--episodes", journal, "--tracked", "2015-01-01", "--out", blocker)
    _no_traceback(proc)
    assert proc.returncode == 1 and "--out must be a folder" in proc.stderr


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """``runlog demo`` once for the tests below (about a minute)."""
    out = tmp_path_factory.mktemp("demo") / "runlog-demo"
    proc = run_main("demo", "--out", out)
    return out, proc


@pytest.mark.slow
def test_demo_writes_report(demo_run):
    out, proc = demo_run
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = out / "report.html"
    assert proc.stdout.rstrip().endswith(f"Report written to {report.resolve()}")
    assert (out / "data" / "episodes.csv").is_file() and any((out / "data" / "gpx").glob("*.gpx"))
    # the report's answer comes first, after the import summary; the planted cause (heat) leads it
    report_out = proc.stdout.split("the same results as Markdown")[0]
    after_import = report_out.split("\n\n", 1)[1].lstrip("\n")
    answer = " ".join(after_import.split("\n\n")[0].split())  # undo the line wrapping
    assert answer.lower().startswith("heat"), answer
    assert "Cause:" not in report_out
    md = (out / "report.md").read_text(encoding="utf-8")
    assert answer in " ".join(md.split()) and "## By cause" in md
    factors = pd.read_csv(out / "factors.csv")
    assert {"factor", "cause", "effect", "ci_low", "ci_high", "p_value", "q_value", "role"} <= set(factors.columns)
    assert factors.loc[0, "cause"] == "hydration"
    page = report.read_text(encoding="utf-8")
    first = after_title(page)
    assert first.startswith("<p class='answer' id='answer'>") and " ".join(first.split()).find(answer[:40]) > 0
    assert "<table class='causes'>" in page
    table = re.search(r"<table class='factors'>.*?</table>", page, re.S).group(0)
    assert table.count("<tr") > 20 and "class=sig" in table
    # each finding paragraph carries a badge of its cause, in the colour of the plots
    assert "<div class='findings'><p><span class='cause' style='background:#1f77b4'>" in page
    # the pace just before onset, as a runner reads it
    assert re.search(r"<td>Pace in the 2 minutes before onset</td><td>min/km</td><td class='num'>\d+</td>"
                     r"<td class='num'>\d:\d\d</td><td class='num'>\d:\d\d</td>", page)
    imgs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    # forest, onset, calendar, load, scatter and the trace of the most recent run with numbness
    assert len(imgs) == 6 and all(base64.b64decode(i)[:4] == b"\x89PNG" for i in imgs)
    assert "The most recent run with numbness (" in page


@pytest.mark.slow
def test_report_on_demo_data(demo_run, tmp_path, cache_env, monkeypatch):
    from runlog.history import _people

    out, proc = demo_run
    assert proc.returncode == 0
    data = out / "data"
    monkeypatch.setattr(_people, "_REMEMBERED", type(_people._REMEMBERED)())   # as in a new process
    answers_before = {p: p.stat().st_mtime_ns for p in cache_env.glob("*/answers/others-*.arrow")}
    mine = object()
    monkeypatch.setattr(_people, "_STORE", mine)   # a caller's own store
    proc = run_main("report", data / "gpx", "--episodes", data / "episodes.csv", "--notes", data / "run_notes.csv",
                   "--weather", data / "weather.csv", "--tracked", "2024-03-04:2024-09-01", "--out", tmp_path / "r")
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Read 156 runs" in proc.stdout and "Cause:" not in proc.stdout
    assert "heat" in proc.stdout.split("Read 156 runs")[1].lower()
    assert (tmp_path / "r" / "report.html").is_file()
    # the check for someone else's runs is kept in the command's cache (a warm report does not fit it
    # again, test_people) and only for the command: the caller's process is left without it
    answers = {p: p.stat().st_mtime_ns for p in cache_env.glob("*/answers/others-*.arrow")}
    assert answers != answers_before   # written (or, already there, read: its time refreshed)
    assert _people._STORE is mine      # the caller's store, as it was


def test_report_window():
    from runlog.render import plot

    rep = with_old_run(synthetic_report())
    last = rep.runs["start_local"].max().normalize()
    assert plot.report_window(rep) == (pd.Timestamp("2024-03-11"), last, "the journal period")
    assert plot.report_window(rep, max_days=14) == (last - pd.Timedelta(days=13), last,
                                                    "the last 14 days of the journal period")
    assert plot.report_window(rep, max_days=28)[2] == "the last 28 days of the journal period"
    # a journal period given in the settings, open at the end
    rep.settings["tracked"] = ("2024-04-01", None)
    assert plot.report_window(rep)[:2] == (pd.Timestamp("2024-04-01"), last)
    # no journal period at all: the last year of the history
    rep.settings["tracked"] = None
    rep.flags = rep.flags.assign(tracked=False)
    assert plot.report_window(rep) == (last - pd.Timedelta(days=364), last, "the last year of the history")


# ---------------------------------------------------------------------------
# output files: never over an input, always atomic, safe for spreadsheets
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("clash", ["factors.csv", "report.md", "report.html"])
def test_report_refuses_to_write_over_its_inputs(data_dir, tmp_path, clash):
    # the journal and the notes live in the --out folder under the names of report files: refused before
    # anything is read or written, in one line, and the user's files are as they were
    folder = tmp_path / "clash"
    folder.mkdir()
    journal = folder / clash
    journal.write_text(JOURNAL_REAL, encoding="utf-8")
    notes = folder / ("report.md" if clash != "report.md" else "factors.csv")
    notes.write_text("date,shoes\n2015-08-15,A\n", encoding="utf-8")
    proc = run_main("report", data_dir, "--episodes", journal, "--notes", notes, "--tracked", "2015-01-01",
                   "--out", folder)
    _no_traceback(proc)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"runlog: error: --out {folder} would write ")
    assert "over your --episodes file" in lines[0] or "over your --notes file" in lines[0]
    assert journal.read_text(encoding="utf-8") == JOURNAL_REAL
    assert notes.read_text(encoding="utf-8") == "date,shoes\n2015-08-15,A\n"
    assert sorted(p.name for p in folder.iterdir()) == sorted([journal.name, notes.name])
    assert "Read" not in proc.stdout  # refused before the import


def test_check_outputs(tmp_path):
    journal = tmp_path / "episodes.csv"
    journal.write_text(JOURNAL_REAL, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    # a link named like a report file that points to an input is the input
    (out / "factors.csv").symlink_to(journal)
    from runlog.errors import RunlogError

    with pytest.raises(RunlogError, match=r"would write factors.csv over your --episodes file"):
        cli.check_outputs(out, {"--episodes": journal})
    # the same name through another spelling of the folder
    (out / "factors.csv").unlink()
    with pytest.raises(RunlogError, match=r"would write report.md over your --notes file"):
        cli.check_outputs(tmp_path / "x" / ".." / "out", {"--notes": out / "report.md", "--episodes": journal})
    # an activity file given as PATH is an input too, and --out must not be an input file itself
    with pytest.raises(RunlogError, match=r"would write report.html over your PATH file"):
        cli.check_outputs(out, {"PATH": out / "report.html"})
    with pytest.raises(RunlogError, match=r"--out .* is your --episodes file"):
        cli.check_outputs(journal, {"--episodes": journal})
    # no clash: the folder, and inputs elsewhere (or not given)
    assert cli.check_outputs(out, {"--episodes": journal, "--notes": None, "PATH": tmp_path}) == out


def _failing_replace(*args, **kwargs):
    raise OSError(28, "No space left on device")


@pytest.mark.parametrize("writer", ["render_report", "write_report", "simulate_csv"])
def test_output_writers_are_atomic(tmp_path, monkeypatch, writer):
    # every file runlog writes goes through runlog.history._cache.atomic_write: on a failure the old file is intact
    # and no temporary file is left behind, and the error is raised (not swallowed)
    from runlog.history import _cache as cache
    from runlog.simulate import _season as simulate

    target = tmp_path / {"render_report": "report.html", "write_report": "report.html",
                         "simulate_csv": "episodes.csv"}[writer]
    target.write_text("old", encoding="utf-8")
    rep = synthetic_report()
    calls = {
        "render_report": lambda: htmlreport.render_report(rep, target, figures=False),
        "write_report": lambda: cli._write_report(rep, tmp_path),
        "simulate_csv": lambda: simulate._write_csv(pd.DataFrame({"a": [1.5]}), target),
    }
    if writer == "write_report":
        monkeypatch.setattr(htmlreport, "default_figures", lambda report, history=None: {})
    monkeypatch.setattr(cache.os, "replace", _failing_replace)
    with pytest.raises(OSError, match="No space left"):
        calls[writer]()
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_atomic_write_keeps_the_mode_and_cleans_up(tmp_path):
    from runlog.history._cache import atomic_write, atomic_write_text

    p = tmp_path / "a.txt"
    atomic_write_text(p, "one\n")
    assert p.read_text(encoding="utf-8") == "one\n"
    assert p.stat().st_mode & 0o777 == 0o666 & ~_umask()  # as open() would, not mkstemp's 0600
    p.chmod(0o640)
    atomic_write_text(p, "two\n")
    assert p.read_text(encoding="utf-8") == "two\n" and p.stat().st_mode & 0o777 == 0o640

    def boom(fh):
        fh.write(b"half")
        raise ValueError("writer failed")

    assert atomic_write(p, boom) is False  # the cache's best-effort mode
    with pytest.raises(ValueError, match="writer failed"):
        atomic_write(p, boom, raise_errors=True)
    assert p.read_text(encoding="utf-8") == "two\n" and [q.name for q in tmp_path.iterdir()] == ["a.txt"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FORMULAS = ['=HYPERLINK("http://x")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)",
            "\tTAB", "\rCR"]


def test_factors_csv_is_safe_for_spreadsheets(tmp_path, monkeypatch):
    # a notes column (the factor name) and a shoe name (its level) that a spreadsheet would run as formulas
    import csv

    rep = synthetic_report()
    n = len(rep.factors)
    names = (FORMULAS * 2)[:n]
    rep.factors = rep.factors.assign(factor=names, level=FORMULAS[1:n + 1], label=names,
                                     effect=[-2.5, 1.8, 0.9, 3.0, 1.1], text_number=["-3.5", "+2", "1e-3", "x", "-"])
    monkeypatch.setattr(htmlreport, "default_figures", lambda report, history=None: {})
    cli._write_report(rep, tmp_path)
    with open(tmp_path / "factors.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == n
    for row, name, level in zip(rows, names, FORMULAS[1:n + 1]):
        assert row["factor"] == "'" + name and row["label"] == "'" + name
        assert row["level"] == "'" + level
    # numbers stay numbers, also a negative one and numbers written as text; a lone '-' is text
    assert [float(r["effect"]) for r in rows] == [-2.5, 1.8, 0.9, 3.0, 1.1]
    assert [r["text_number"] for r in rows] == ["-3.5", "+2", "1e-3", "x", "'-"]
    assert float(rows[0]["p_value"]) == rep.factors["p_value"].iloc[0]
    # nothing that starts a formula is left in any cell or header
    with open(tmp_path / "factors.csv", newline="", encoding="utf-8") as fh:
        cells = [c for r in csv.reader(fh) for c in r]
    bad = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(c)]
    assert not bad, bad


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_spreadsheet_safe_keeps_the_frame():
    from runlog.render.text import spreadsheet_safe

    df = pd.DataFrame({"=a": ["=1+1", "ok", None], "n": [-1.0, 2.0, float("nan")],
                       "s": pd.array(["@x", "-5", pd.NA], dtype="string")})
    out = spreadsheet_safe(df)
    assert list(out.columns) == ["'=a", "n", "s"]
    assert out["'=a"].tolist()[:2] == ["'=1+1", "ok"]
    assert out["n"].dtype == "float64" and out["n"].iloc[0] == -1.0
    assert out["s"].tolist()[:2] == ["'@x", "-5"] and pd.isna(out["s"].iloc[2])
    assert list(df.columns) == ["=a", "n", "s"] and df.loc[0, "=a"] == "=1+1"  # the input is not changed


# ---------------------------------------------------------------------------
# the README's generated column reference
# ---------------------------------------------------------------------------
def test_columns_command():
    proc = run_main("columns")
    assert proc.returncode == 0 and proc.stdout == htmlreport.column_reference_markdown()


@pytest.mark.shared
@pytest.mark.slow
def test_import_the_shared_corpus(shared_dir, cache_env):
    proc = run_main("import", shared_dir, "--list")
    _no_traceback(proc)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    runs = int(re.search(r"Read (\d+) (?:activities|runs)", out).group(1))
    rejected = int(re.search(r"Rejected (\d+) file", out).group(1))
    assert runs > 50
    # --list names every rejected file with its reason, each an existing file of the corpus
    listed = re.findall(rf"^  ({re.escape(str(shared_dir))}\S+): (.+)$", out.split("Skipped:")[0], re.M)
    listed = [(p, r) for p, r in listed if not r.startswith("duplicate")]
    assert len(listed) == rejected and all(Path(p).is_file() and r for p, r in listed)
