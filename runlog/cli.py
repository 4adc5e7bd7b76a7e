"""The ``runlog`` command: ``runlog report``, ``runlog import`` and ``runlog demo``.

::

    runlog report PATH --episodes CSV [--notes CSV] [--weather CSV] [--tracked START[:END]] [--out DIR]
    runlog import PATH [--list]
    runlog demo [--out DIR]
    runlog columns

Errors in the user's files (a damaged journal, a missing folder) end the
command with one line on standard error and exit status 1; ``--debug`` shows
the full traceback instead.  Exit status 2 is a wrong command line.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
import warnings
from pathlib import Path

from .errors import RunlogWarning
from .units import duration_text

__all__ = ["main", "build_parser", "parse_tracked", "check_outputs", "REPORT_FILES"]

#: Exit status of a run that failed on the user's input (bad file, journal, path).
EXIT_INPUT_ERROR = 1
#: Exit status of a wrong command line (argparse's own).
EXIT_USAGE = 2
#: Problems of a journal listed under the error line (the rest are counted).
MAX_PROBLEM_LINES = 15


def parse_tracked(text: str):
    """``START[:END]`` (ISO dates) as a (start, end) tuple of Timestamps; end None when open.

    Parameters
    ----------
    text : str
        The ``--tracked`` value, e.g. ``2024-03-04:2024-08-31`` or ``2024-03-04``.

    Returns
    -------
    (Timestamp, Timestamp or None)
        Start and end day.

    Raises
    ------
    argparse.ArgumentTypeError
        When a date cannot be read or END is before START.
    """
    import datetime as dt

    import pandas as pd

    start_txt, sep, end_txt = text.partition(":")
    try:
        start = pd.Timestamp(dt.date.fromisoformat(start_txt.strip())) if start_txt.strip() else None
        end = pd.Timestamp(dt.date.fromisoformat(end_txt.strip())) if sep and end_txt.strip() else None
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(
            f"--tracked {text!r}: expected START[:END] as ISO dates, e.g. 2024-03-04:2024-08-31 ({exc})") from None
    if start is None:
        raise argparse.ArgumentTypeError(f"--tracked {text!r}: the start date is missing (START[:END])")
    if end is not None and end < start:
        raise argparse.ArgumentTypeError(f"--tracked {text!r}: the end date is before the start date")
    return start, end


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``runlog`` command.

    Returns
    -------
    argparse.ArgumentParser
        With the sub-commands ``report``, ``import``, ``demo``, ``journal draft`` and ``columns``.
    """
    from . import __version__

    p = argparse.ArgumentParser(
        prog="runlog",
        description="What goes with your feet or legs going numb on runs, from your own GPS-watch history.",
        epilog="Start with 'runlog demo' to see a report on a synthetic season.")
    p.add_argument("--version", action="version", version=f"runlog {__version__}")
    p.add_argument("--debug", action="store_true", help="show full tracebacks and every warning")
    # --debug is accepted after the command too ('runlog report ... --debug')
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    r = sub.add_parser("report", parents=[common],
                       help="analyse a history against a numbness journal and write an HTML report",
                       description="Read the activity files under PATH, match the numbness journal to the runs, "
                                   "test which factors go with numbness and write a self-contained HTML report.")
    r.add_argument("path", metavar="PATH",
                   help="folder of FIT/GPX/TCX files, a Garmin/Strava export .zip, or one activity file")
    r.add_argument("--episodes", metavar="CSV", required=True, help="numbness journal (see docs/journal.md)")
    r.add_argument("--notes", metavar="CSV", help="per-run notes: shoes, fluid, RPE, ... (optional)")
    r.add_argument("--weather", metavar="CSV", help="hourly weather: time, air_temp_c, rel_humidity_pct (optional)")
    r.add_argument("--tracked", metavar="START[:END]", type=parse_tracked,
                   help="period the journal covers (ISO dates); overrides the journal's 'tracking started' / "
                        "'tracking ended' rows; default: those rows, else from the first journal entry to the "
                        "last run (docs/journal.md)")
    r.add_argument("--tz", metavar="ZONE",
                   help="your time zone (e.g. Europe/Berlin), used to match journal dates to runs whose files "
                        "carry no zone (treadmill runs without GPS); runs with a known zone keep it")
    r.add_argument("--out", metavar="DIR", default="runlog-report", help="output folder (default: %(default)s)")
    r.add_argument("--no-cache", action="store_true", help="do not use or fill the activity cache")

    i = sub.add_parser("import", parents=[common],
                       help="read a history into the cache and say what was read, skipped and rejected",
                       description="Read every activity file under PATH (folder, export .zip or file) into the "
                                   "cache so later reports start fast, and print a summary.")
    i.add_argument("path", metavar="PATH")
    i.add_argument("--no-cache", action="store_true", help="only read, do not fill the cache")
    i.add_argument("--list", action="store_true",
                   help="list every activity (run id, local date and start time, sport, distance, duration, "
                        "file: what the journal's date and time columns refer to) and every file that was "
                        "rejected or skipped")

    d = sub.add_parser("demo", parents=[common], help="generate the synthetic demo season and its report",
                       description="Write a synthetic season (GPX files, a numbness journal, run notes and weather) "
                                   "with a planted cause, analyse it and write the HTML report.")
    d.add_argument("--out", metavar="DIR", default="runlog-demo", help="output folder (default: %(default)s)")

    j = sub.add_parser("journal", parents=[common], help="draft journal rows from lap presses and activity notes",
                       description="Journal helpers.")
    jsub = j.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    jd = jsub.add_parser("draft", parents=[common],
                         help="write journal rows proposed from lap-button presses and #numb notes",
                         description="Propose numbness episodes from what you marked on the watch or in the "
                                     "export: a lap pressed during a run (press lap when numbness starts) and "
                                     "activity names or descriptions like '#numb L toes 35min sev 4'. The "
                                     "draft is a journal CSV with a 'source' and an 'evidence' column: check "
                                     "and edit it, then pass it to 'runlog report --episodes'.")
    jd.add_argument("path", metavar="PATH", help="folder of activity files, an export .zip, or one file")
    jd.add_argument("--out", metavar="CSV", required=True, help="the draft journal to write (a new file)")
    jd.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    jd.add_argument("--no-laps", action="store_true", help="do not propose lap-button presses")
    jd.add_argument("--no-text", action="store_true", help="do not propose activity notes")
    jd.add_argument("--all-sports", action="store_true", help="also other sports than running")
    jd.add_argument("--no-cache", action="store_true", help="do not use or fill the activity cache")

    sub.add_parser("columns", parents=[common],
                   help="print the column reference (every frame's columns and every feature, with units)",
                   description="Print, as Markdown, what every column of runlog's frames and every feature "
                               "means, with its unit, cause and source.")
    return p


# ----------------------------------------------------------------------------
# commands
# ----------------------------------------------------------------------------
def _say(msg: str = "") -> None:
    print(msg, flush=True)


def _history(path, *, cache=True, progress=None):
    """read_history with a progress bar on a terminal (none when stderr is a file or a pipe).

    Returns (History, the cache used or None).  The cache is opened here, once: an
    unusable one (``RUNLOG_CACHE_DIR`` naming a file) is one warning and no cache."""
    if progress is None:
        progress = sys.stderr.isatty()
    path = os.path.expanduser(path)
    if not os.path.exists(path) and not os.path.islink(path):  # a broken link: read_history says so
        raise FileNotFoundError(2, "no such file or folder; check the path", str(path))
    from . import read_history
    from .cache import resolve_cache

    store = resolve_cache(True) if cache else None
    return read_history(path, cache=store if store is not None else False, progress=progress), store


#: How an activity of each sport is counted in the import summary (singular, plural).
SPORT_NOUNS = {"running": ("run", "runs"), "cycling": ("ride", "rides"), "swimming": ("swim", "swims"),
               "walking": ("walk", "walks"), "hiking": ("hike", "hikes"), "rowing": ("row", "rows"),
               "transition": ("transition", "transitions"),
               "unknown": ("activity of unknown sport", "activities of unknown sport")}


def _count(n: int, sport: str) -> str:
    one, many = SPORT_NOUNS.get(sport, (f"{sport} activity", f"{sport} activities"))
    return f"{n} {one if n == 1 else many}"


def _import_summary(hist) -> str:
    s = hist.summary()
    by_sport = dict(s["by_sport"])
    if s["activities"] and set(by_sport) == {"running"}:
        head = f"Read {_count(s['activities'], 'running')}"
    else:   # runs first, then the other sports, most first
        rank = list(SPORT_NOUNS)
        order = sorted(by_sport, key=lambda k: (k != "running", -by_sport[k],
                                                rank.index(k) if k in rank else len(rank), k))
        head = (f"Read {s['activities']} {'activity' if s['activities'] == 1 else 'activities'}"
                + (": " + ", ".join(_count(by_sport[k], k) for k in order) if order else ""))
    lines = [head]
    if s["activities"]:
        lines[0] += (" from" if ":" not in head else ";") + \
            f" {s['first_run']:%Y-%m-%d} to {s['last_run']:%Y-%m-%d}, {s['distance_km']:.0f} km in total"
    lines[0] += "."
    if s["truncated"]:
        lines.append(f"{s['truncated']} of them from files that ended early (the records before the damage were kept).")
    lines.append(f"Skipped {s['duplicates']} duplicate(s) and {s['not_activities']} file(s) that are not activities.")
    lines.append(f"Rejected {s['errors']} file(s) that could not be read"
                 + (" (see below)." if s["errors"] else "."))
    return "\n".join(lines)


def format_listing(listing) -> str:
    """:meth:`runlog.History.listing` as an aligned text table, one line per activity.

    Parameters
    ----------
    listing : DataFrame
        :meth:`runlog.History.listing` output (``run_id``, ``date``, ``start``,
        ``sport``, ``distance_km``, ``duration_min``, ``file``).

    Returns
    -------
    str
        Header line and one line per activity.
    """
    head = ("run id", "date", "start", "sport", "distance", "duration", "file")
    rows = [(str(r.run_id), f"{r.date:%Y-%m-%d}", str(r.start), str(r.sport),
             "" if r.distance_km != r.distance_km else f"{r.distance_km:.2f} km", duration_text(r.duration_min),
             str(r.file)) for r in listing.itertuples(index=False)]
    width = [max(len(x) for x in col) for col in zip(head, *rows)]
    right = {4, 5}

    def line(cells):
        return "  " + "  ".join(c.rjust(w) if i in right else c.ljust(w)
                                for i, (c, w) in enumerate(zip(cells, width))).rstrip()

    return "\n".join([line(head)] + [line(r) for r in rows])


def _rejections(hist, limit: int | None = 10) -> str:
    rows = hist.errors if limit is None else hist.errors.head(limit)
    out = [f"  {r.path}: {r.reason}" for r in rows.itertuples(index=False)]
    if limit is not None and len(hist.errors) > limit:
        out.append(f"  ... and {len(hist.errors) - limit} more (use --list to see all)")
    return "\n".join(out)


def cmd_import(args) -> int:
    """``runlog import PATH``: fill the cache, print what was read, skipped and rejected."""
    hist, store = _history(args.path, cache=not args.no_cache)
    _say(_import_summary(hist))
    if store is not None:
        _say(f"Cached in {store.folder} (set RUNLOG_CACHE_DIR to move it); "
             "later imports and reports of these files start fast.")
    elif not args.no_cache:
        _say("Not cached (see the warning above): later imports read every file again.")
    if args.list and len(hist.runs):
        _say("Activities (local date and start time, as the journal's date and time columns want them):")
        _say(format_listing(hist.listing()))
    if len(hist.errors):
        if args.list:
            _say("Rejected:")
        _say(_rejections(hist, None if args.list else 10))
    if args.list and len(hist.skipped):
        _say("Skipped:")
        for r in hist.skipped.itertuples(index=False):
            _say(f"  {r.path}: {r.reason}")
    return 0


def _analyse(path, episodes_csv, *, notes_csv=None, weather_csv=None, tracked=None, tz=None, cache=True):
    """Read everything and run the analysis; returns the Report and the History."""
    import runlog

    episodes_csv, notes_csv, weather_csv = (None if f is None else os.path.expanduser(f)
                                            for f in (episodes_csv, notes_csv, weather_csv))
    for label, f in (("--episodes", episodes_csv), ("--notes", notes_csv), ("--weather", weather_csv)):
        if f is not None and not os.path.isfile(f):
            raise FileNotFoundError(2, f"{label}: no such file; check the path", str(f))
    # check the journal's values before the (long) import: a typo fails in a second, not after minutes
    runlog.read_episodes(episodes_csv, tz=tz)
    if notes_csv:
        runlog.read_run_notes(notes_csv, tz=tz)
    if weather_csv:
        from . import weather

        weather.read_weather(weather_csv)
    hist, _store = _history(path, cache=cache)
    _say(_import_summary(hist))
    if len(hist.errors):
        _say(_rejections(hist))
    if len(hist.runs) == 0:
        raise runlog.RunlogError(f"{path}: no runs could be read, so there is nothing to analyse")
    episodes = runlog.read_episodes(episodes_csv, history=hist, tz=tz)
    notes = runlog.read_run_notes(notes_csv, history=hist, tz=tz) if notes_csv else None
    return runlog.analyze(hist, episodes, notes=notes, weather=weather_csv, tracked=tracked), hist


def _print_findings(report, limit: int = 8) -> None:
    """Print the report's first screen: its answer line, one paragraph per finding cause (at most
    *limit*), the count line and the caveats, as the report words them."""
    from .htmlreport import report_content

    answer, paragraphs = report_content(report)
    _say("")
    _say(textwrap.fill(answer, width=100))
    for s in paragraphs[:limit]:
        _say("")
        _say(textwrap.fill(s, width=100, initial_indent="  ", subsequent_indent="  "))
    if len(paragraphs) > limit:
        _say(f"  ... and {len(paragraphs) - limit} more in the report.")
    head = getattr(report, "headline", None)
    if callable(head) and head() != answer:
        _say("")
        _say(textwrap.fill(head(), width=100))
    caveats = list(getattr(report, "caveats", None) or [])
    if caveats:
        _say("Caveats:")
        for c in caveats:
            _say(textwrap.fill(str(c), width=100, initial_indent="  - ", subsequent_indent="    "))
    _say("")


#: The files ``runlog report`` and ``runlog demo`` write into ``--out``: report.html always, report.md
#: always, factors.csv when something was tested.  No other file in the folder is touched.
REPORT_FILES = ("report.html", "report.md", "factors.csv")


def _same_file(a: Path, b: Path) -> bool:
    """True when *a* and *b* name the same file (resolved paths, or one inode through a link)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def check_outputs(out_dir, inputs: dict) -> Path:
    """Refuse an output folder whose report files would overwrite one of the command's inputs.

    Parameters
    ----------
    out_dir : str or PathLike
        The ``--out`` folder.
    inputs : dict
        {option: path} of the inputs (``PATH``, ``--episodes``, ``--notes``,
        ``--weather``); None values are ignored.

    Returns
    -------
    Path
        The output folder (not created).

    Raises
    ------
    RunlogError
        When a file of :data:`REPORT_FILES` in *out_dir* is one of the inputs,
        or *out_dir* is itself one of the input files.  Nothing is written.
    FileExistsError
        When *out_dir* exists and is not a folder.
    """
    from .errors import RunlogError

    out = Path(os.path.expanduser(os.fspath(out_dir)))
    given = [(label, Path(os.path.expanduser(os.fspath(p)))) for label, p in inputs.items() if p is not None]
    for label, p in given:
        if _same_file(out, p) and not p.is_dir():
            raise RunlogError(f"--out {out_dir} is your {label} file; choose a new folder for the report "
                              "(runlog never writes over its inputs)")
    for name in REPORT_FILES:
        for label, p in given:
            if _same_file(out / name, p):
                raise RunlogError(f"--out {out_dir} would write {name} over your {label} file {p}; choose "
                                  "another folder for the report (runlog never writes over its inputs)")
    if out.exists() and not out.is_dir():
        raise FileExistsError(17, "--out must be a folder, but a file of that name exists", str(out))
    return out


def _write_report(report, out_dir, history=None, *, inputs=None) -> Path:
    """Write ``report.html``, ``report.md`` and (when something was tested) ``factors.csv`` into *out_dir*.

    Only these files are written, each atomically (:func:`runlog.cache.atomic_write`), after
    :func:`check_outputs` has made sure none of them is one of *inputs*.  Prints which files were
    written.
    """
    from .cache import atomic_write_text
    from .htmlreport import render_report

    out = check_outputs(out_dir, inputs or {})
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    render_report(report, path, history=history)
    extra = []
    atomic_write_text(out / "report.md", report.to_markdown())
    extra.append("report.md (the same results as Markdown)")
    factors = getattr(report, "factors", None)
    if factors is not None and len(factors):
        atomic_write_text(out / "factors.csv", report.to_csv())
        extra.append("factors.csv (every measure tested, for a spreadsheet)")
    elif (out / "factors.csv").exists():
        extra.append("not factors.csv: nothing was tested, so the factors.csv already in that folder "
                     "(from an earlier report) was left as it was")
    _say("Also written: " + "; ".join(extra) + ".")
    return path


def cmd_report(args) -> int:
    """``runlog report PATH --episodes CSV ...``: analyse and write the HTML report."""
    inputs = {"PATH": args.path, "--episodes": args.episodes, "--notes": args.notes, "--weather": args.weather}
    check_outputs(args.out, inputs)  # before the (long) analysis: a clash fails at once, nothing written
    report, hist = _analyse(args.path, args.episodes, notes_csv=args.notes, weather_csv=args.weather,
                            tracked=args.tracked, tz=args.tz, cache=not args.no_cache)
    _print_findings(report)
    path = _write_report(report, args.out, hist, inputs=inputs)
    _say(f"Report written to {path.resolve()}")
    return 0


def cmd_demo(args) -> int:
    """``runlog demo [--out DIR]``: write the demo season, analyse it, write the report."""
    from . import simulate

    out = Path(args.out)
    _say(f"Generating the demo season in {out.resolve() / 'data'} ...")
    season = simulate.demo_season(out / "data")
    _say(f"{season!r}")
    report, hist = _analyse(season.gpx_dir, season.episodes_csv, notes_csv=season.notes_csv,
                            weather_csv=season.weather_csv, tracked=season.tracked, cache=False)
    _print_findings(report)
    path = _write_report(report, out, hist)
    _say(f"The demo season planted '{season.cause}' as the cause of numbness; "
         "the report should point to it.")
    _say(f"Report written to {path.resolve()}")
    return 0


def cmd_journal(args) -> int:
    """``runlog journal draft PATH --out CSV``: propose journal rows for the runner to confirm."""
    from .cache import atomic_write_text
    from .journal.suggest import suggest_episodes

    out = Path(os.path.expanduser(args.out))
    if out.exists() and not args.force:
        raise FileExistsError(17, "exists already (it may hold your edits); choose another --out or add --force",
                              str(out))
    hist, _ = _history(args.path, cache=not args.no_cache)
    draft = suggest_episodes(hist, lap_button=not args.no_laps, text=not args.no_text,
                             sport=None if args.all_sports else "running")
    atomic_write_text(out, draft.to_csv(index=False))
    by = draft["source"].value_counts()
    _say(f"Proposed {len(draft)} episode(s) from {len(hist.runs)} activities: "
         f"{by.get('lap', 0)} from lap presses, {by.get('text', 0)} from notes, {by.get('lap+text', 0)} from both.")
    skipped = draft.attrs.get("skipped")
    if skipped is not None and len(skipped):
        _say(f"Not proposed ({len(skipped)} run(s) with structured laps):")
        for r in skipped.itertuples(index=False):
            _say(f"  {r.run}: {r.reason}")
    _say(f"Draft written to {out.resolve()}. Check each row (delete what was not numbness, fill in side, "
         "location and severity), then: runlog report PATH --episodes " + str(out))
    return 0


def cmd_columns(args) -> int:
    """``runlog columns``: print the column reference as Markdown."""
    from .htmlreport import column_reference_markdown

    sys.stdout.write(column_reference_markdown())
    return 0


_COMMANDS = {"report": cmd_report, "import": cmd_import, "demo": cmd_demo, "journal": cmd_journal,
             "columns": cmd_columns}


def main(argv=None) -> int:
    """Run the ``runlog`` command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status (0 on success).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings():
        if not args.debug:
            warnings.showwarning = _show_warning
            warnings.simplefilter("ignore")  # library internals (pandas, fitparse, ...): not for runners
            warnings.simplefilter("default", RunlogWarning)
        return _run(args)


#: How to state the journal period, on the command line (the library's hint names Python's tracked= too).
CLI_STATE_PERIOD = ("state it with --tracked START[:END] (e.g. --tracked 2024-03-01, or --tracked "
                    "2024-03-01:2024-08-31 if you stopped keeping it), or with a 'tracking started' row in the "
                    "journal (docs/journal.md)")
#: Python's spelling of the period, ``tracked=(...)`` with one level of nested parentheses.
_PY_TRACKED = re.compile(r"tracked=\((?:[^()]|\([^()]*\))*\)")


def command_line_hint(text: str) -> str:
    """*text* (a runlog warning) with its Python hints in command-line words: ``--tracked START[:END]``,
    not ``tracked=(start, end)``.

    Parameters
    ----------
    text : str
        A warning message.

    Returns
    -------
    str
        The message as a command-line user reads it.
    """
    from .journal import STATE_PERIOD

    text = text.replace(STATE_PERIOD, CLI_STATE_PERIOD)
    if "tracked=(" in text:
        text = re.sub(r",? ?" + _PY_TRACKED.pattern + r" in Python(?: \((?:[^()]|\([^()]*\))*\))?", "", text)
        if "--tracked" in text:
            text = _PY_TRACKED.sub("--tracked", text)
        else:
            text = _PY_TRACKED.sub("--tracked START[:END]", text, count=1)
            text = _PY_TRACKED.sub("--tracked", text)
    return text


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A runlog warning as one 'runlog: warning:' line, with the command-line spelling of its hints."""
    print(f"runlog: warning: {command_line_hint(str(message))}", file=sys.stderr, flush=True)


def _run(args) -> int:
    from .errors import RunlogError

    try:
        return _COMMANDS[args.command](args)
    except (RunlogError, OSError) as exc:
        if args.debug:
            raise
        msg = str(exc) if not isinstance(exc, OSError) or not exc.filename else \
            f"{exc.filename}: {exc.strerror or exc}"
        first, *rest = msg.split("\n")
        print(f"runlog: error: {first}", file=sys.stderr)
        if rest:  # a journal with several problems lists them, one per line
            print("\n".join(rest[:MAX_PROBLEM_LINES]), file=sys.stderr)
            if len(rest) > MAX_PROBLEM_LINES:
                print(f"  ... and {len(rest) - MAX_PROBLEM_LINES} more", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        print("runlog: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
