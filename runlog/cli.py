"""The ``runlog`` command: ``runlog report``, ``runlog import`` and ``runlog demo``.

::

    runlog report PATH --episodes CSV [--notes CSV] [--weather auto|CSV] [--tracked START[:END]] [--out DIR]
                  [--hr-max BPM] [--hr-rest BPM] [--sex f|m]
    runlog import PATH [--list]
    runlog weather PATH --out CSV [--offline]
    runlog demo [--out DIR]
    runlog columns
    runlog experiment plan --factor shoes --levels A B --weeks 8 [--start DATE] [--seed N] [--washout N] [--out DIR]
    runlog experiment report PATH --episodes CSV --plan CSV [--notes CSV] [--as-of DATE] [--bayes] [--out DIR]

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


def _iso_date(text: str):
    """A ``YYYY-MM-DD`` option value as a Timestamp (argparse type)."""
    import datetime as dt

    import pandas as pd

    try:
        return pd.Timestamp(dt.date.fromisoformat(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-03-01") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``runlog`` command.

    Returns
    -------
    argparse.ArgumentParser
        With the sub-commands ``report``, ``import``, ``demo``, ``journal draft``, ``experiment`` and ``columns``.
    """
    from ._version import __version__

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
    r.add_argument("--weather", metavar="auto|CSV",
                   help="air temperature and humidity for the heat cause (optional): 'auto' downloads them from "
                        "Open-Meteo (sends only your runs' GPS places rounded to about 10 km, and their dates; "
                        "cached, so the next report sends nothing), or an hourly CSV: time, air_temp_c, "
                        "rel_humidity_pct ('runlog weather' writes one)")
    r.add_argument("--tracked", metavar="START[:END]", type=parse_tracked,
                   help="period the journal covers (ISO dates); overrides the journal's 'tracking started' / "
                        "'tracking ended' rows; default: those rows, else from the first journal entry to the "
                        "last run (docs/journal.md)")
    r.add_argument("--tz", metavar="ZONE",
                   help="your time zone (e.g. Europe/Berlin), used to match journal dates to runs whose files "
                        "carry no zone (treadmill runs without GPS); runs with a known zone keep it")
    r.add_argument("--out", metavar="DIR", default="runlog-report", help="output folder (default: %(default)s)")
    r.add_argument("--no-cache", action="store_true", help="do not use or fill the activity cache")
    r.add_argument("--keep-others", action="store_true",
                   help="keep runs that look like someone else's (a partner's runs in the same export: another "
                        "watch, or another pace, cadence and heart rate); by default they are left out and listed")
    r.add_argument("--plan", metavar="CSV",
                   help="an experiment plan ('runlog experiment plan'): add the experiment's answer to the report")
    _athlete_options(r)

    i = sub.add_parser("import", parents=[common],
                       help="read a history into the cache and say what was read, skipped and rejected",
                       description="Read every activity file under PATH (folder, export .zip or file) into the "
                                   "cache so later reports start fast, and print a summary.")
    i.add_argument("path", metavar="PATH",
                   help="folder of FIT/GPX/TCX files (.gz too), a Garmin/Strava export .zip, or one activity file")
    i.add_argument("--no-cache", action="store_true", help="only read, do not fill the cache")
    i.add_argument("--list", action="store_true",
                   help="list every activity (run id, local date and start time, sport, distance, duration, "
                        "file: what the journal's date and time columns refer to) and every file that was "
                        "rejected or skipped")

    w = sub.add_parser("weather", parents=[common],
                       help="download hourly weather for your runs into a CSV you can look at or edit",
                       description="Download hourly air temperature, relative humidity and dew point for the "
                                   "places and times of your runs from Open-Meteo's historical weather API (ERA5 "
                                   "reanalysis, no account) and write them as a CSV that 'runlog report "
                                   "--weather' reads. Sent: each run's first GPS position rounded to 0.1° (about "
                                   "10 km) and the runs' dates (UTC), nothing else. Answers are cached, so asking "
                                   "again sends nothing. Weather data by Open-Meteo.com, CC BY 4.0.")
    w.add_argument("path", metavar="PATH", help="folder of activity files, an export .zip, or one file")
    w.add_argument("--out", metavar="CSV", required=True, help="the weather table to write (a new file)")
    w.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    w.add_argument("--all-sports", action="store_true", help="also other sports than running")
    w.add_argument("--offline", action="store_true", help="send nothing: write what the weather cache holds")
    w.add_argument("--no-cache", action="store_true", help="do not use or fill the activity cache")

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
    jd.add_argument("--since", metavar="DATE", type=_iso_date,
                    help="the day you started pressing lap when numbness starts (YYYY-MM-DD): earlier lap presses "
                         "are not proposed, and the draft starts the journal period that day; asked for when "
                         "not given on a terminal")
    jd.add_argument("--no-cache", action="store_true", help="do not use or fill the activity cache")

    _experiment_parser(sub, common)

    sub.add_parser("columns", parents=[common],
                   help="print the column reference (every frame's columns and every feature, with units)",
                   description="Print, as Markdown, what every column of runlog's frames and every feature "
                               "means, with its unit, cause and source.")
    return p


def _athlete_options(parser) -> None:
    """``--hr-max``, ``--hr-rest``, ``--sex``: the runner's own values (else the settings file, else estimated)."""
    g = parser.add_argument_group(
        "your physiology", "Heart-rate zones and training load depend on these. Without them runlog reads the "
                           "settings file ([athlete] table of settings.toml in your config folder, or the file "
                           "$RUNLOG_SETTINGS names), else estimates them and says so in the report's caveats.")
    g.add_argument("--hr-max", metavar="BPM", type=float, help="your maximum heart rate [beats/min], e.g. 186")
    g.add_argument("--hr-rest", metavar="BPM", type=float,
                   help="your resting heart rate [beats/min], e.g. 48 (measured lying down on waking)")
    g.add_argument("--sex", choices=("f", "m", "female", "male"),
                   help="selects the training-load (TRIMP) constants of women or men (Morton et al. 1990)")


def _athlete_values(args) -> dict:
    """The Athlete values given on the command line (None for the others), checked."""
    from .features.athlete import Athlete

    vals = {"hr_max_bpm": getattr(args, "hr_max", None), "hr_rest_bpm": getattr(args, "hr_rest", None),
            "sex": getattr(args, "sex", None)}
    # a wrong value fails now, not after the import
    Athlete(hr_max_bpm=vals["hr_max_bpm"], hr_rest_bpm=vals["hr_rest_bpm"], sex=vals["sex"])
    return vals


def _experiment_parser(sub, common) -> None:
    """``runlog experiment plan|report``."""
    x = sub.add_parser("experiment", parents=[common],
                       help="plan and analyse your own randomised experiment (shoes, lacing, fluid, warm-up)",
                       description="Test a cause you control on yourself (an N-of-1 trial): 'plan' draws a "
                                   "randomised, blocked schedule and writes it as CSV and as a calendar (.ics); "
                                   "after the weeks it covers, 'report' says what the runs show.",
                       epilog="Three steps: runlog experiment plan ... --out exp; follow the calendar (keep the "
                              "journal and write the shoes you wore in your run notes); runlog experiment report "
                              "PATH --episodes CSV --notes CSV --plan exp/plan.csv.")
    xs = x.add_subparsers(dest="action", metavar="ACTION", required=True)
    pl = xs.add_parser("plan", parents=[common], help="draw a randomised schedule; write plan.csv and plan.ics",
                       description="Draw a randomised, blocked schedule of the levels of FACTOR and write it as "
                                   "plan.csv and (for a plan by weeks) plan.ics, which a phone calendar imports.")
    pl.add_argument("--factor", required=True,
                    help="what you will change: shoes, lacing, fluid_ml, warmup_min or a run-notes column")
    pl.add_argument("--levels", required=True, nargs="+", metavar="LEVEL",
                    help="the levels to compare, reference first (quote names with spaces)")
    size = pl.add_mutually_exclusive_group(required=True)
    size.add_argument("--weeks", type=int, help="plan this many weeks of days from --start")
    size.add_argument("--runs", type=int, help="plan your next RUNS runs, in order (no calendar)")
    pl.add_argument("--block", type=int, default=2,
                    help="days (or runs) in a row on one level (default: %(default)s)")
    pl.add_argument("--washout", type=int, default=0, metavar="N",
                    help="the first N days (runs) of every period are washout: follow them, they are not counted "
                         "(default: %(default)s; e.g. --block 3 --washout 1)")
    pl.add_argument("--alpha", type=float, default=0.05,
                    help="the protocol's significance level (default: %(default)s)")
    pl.add_argument("--looks", type=int, metavar="N",
                    help="analyses allowed, the last at the planned end (default: one a week, or one per 7 runs); "
                         "early looks use an O'Brien-Fleming-type boundary")
    pl.add_argument("--reminder", metavar="HH:MM",
                    help="calendar alarm at this time the evening before each planned day (e.g. 20:00)")
    pl.add_argument("--design", choices=("random", "mirror"), default="random",
                    help="random: each cycle's order drawn anew; mirror: AB|BA pairs (default: %(default)s)")
    pl.add_argument("--start", metavar="DATE", help="first day (ISO date; default: next Monday)")
    pl.add_argument("--weekdays", metavar="DAYS", help="plan only these weekdays, e.g. Mon,Wed,Fri,Sun")
    pl.add_argument("--seed", type=int, help="random seed (default: drawn, and written in plan.csv)")
    pl.add_argument("--history", metavar="PATH", help="your runs so far, for your baseline risk and runs per week")
    pl.add_argument("--episodes", metavar="CSV", help="your numbness journal (with --history)")
    pl.add_argument("--baseline-risk", type=float, metavar="P",
                    help="your risk of numbness per run, 0-1 (instead of --history/--episodes)")
    pl.add_argument("--risk-ratio", type=float, default=3.0,
                    help="effect the power is computed for: risk under the other level / reference level "
                         "(default: %(default)s)")
    pl.add_argument("--out", metavar="DIR", default="runlog-experiment", help="output folder (default: %(default)s)")
    pl.add_argument("--no-cache", action="store_true", help="do not use or fill the activity cache")
    rp = xs.add_parser("report", parents=[common], help="analyse the runs made under a plan",
                       description="Tie the runs made to the plan by date, check what was actually used, and "
                                   "write the experiment's answer with its randomisation test.")
    rp.add_argument("path", metavar="PATH", help="folder of FIT/GPX/TCX files, export .zip, or one activity file")
    rp.add_argument("--episodes", metavar="CSV", required=True, help="numbness journal (see docs/journal.md)")
    rp.add_argument("--plan", metavar="CSV", required=True, help="the plan.csv 'runlog experiment plan' wrote")
    rp.add_argument("--notes", metavar="CSV", help="run notes saying what was actually used (adherence)")
    rp.add_argument("--as-of", metavar="DATE",
                    help="the analysis date (default: today); before the planned end the answer is an interim look")
    rp.add_argument("--washout", type=int, metavar="N",
                    help="exploratory: leave out the first N days (runs) of every period instead of the plan's washout")
    rp.add_argument("--bayes", action="store_true",
                    help="add a Bayesian summary: the probability that one level is worse than the other")
    rp.add_argument("--margin", type=float, default=0.0, metavar="POINTS",
                    help="with --bayes: the difference in risk you care about, in percentage points (default: 0)")
    rp.add_argument("--tz", metavar="ZONE", help="your time zone, for runs whose files carry none")
    rp.add_argument("--out", metavar="DIR", default="runlog-experiment", help="output folder (default: %(default)s)")
    rp.add_argument("--no-cache", action="store_true", help="do not use or fill the activity cache")


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
    from .history import remember_in, resolve_cache

    store = resolve_cache(True) if cache else None
    remember_in(store)   # the partner check's answer too, for the next command on these runs
    return read_history(path, cache=store if store is not None else False, progress=progress), store


def _import_summary(hist) -> str:
    from .history import activity_counts_text  # runs are foot runs; other sports counted apart

    s = hist.summary()
    head = f"Read {activity_counts_text(s['by_sport'])}" if s["activities"] else "Read no activities"
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
    others = hist.others() if s["runs"] else None
    if others is not None and len(others):
        from .render.wording import others_note

        lines.append(others_note(others).replace("they are left out of the analysis", "a report leaves them out of "
                                                 "the analysis"))
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
    """``runlog import PATH``: fill the cache, print what was read, skipped and rejected.

    Exit status 1 when nothing under PATH is an activity (a journal given by mistake, an empty
    folder), with the reason; 0 when at least one activity was read."""
    from .errors import RunlogError

    hist, store = _history(args.path, cache=not args.no_cache)
    _say(_import_summary(hist))
    if not len(hist.runs):
        reasons = [f"{r.path}: {r.reason}" for r in hist.errors.itertuples(index=False)]
        reasons += [f"{r.path}: {r.reason}" for r in hist.skipped.itertuples(index=False)]
        if len(reasons) == 1:   # one file: its reason is the error
            raise RunlogError(f"{reasons[0]}; give a FIT, GPX or TCX activity file, a folder of them or an export .zip")
        raise RunlogError(f"{args.path}: no activity could be read"
                          + (f" from its {len(reasons)} files:\n" + "\n".join(f"  {x}" for x in reasons)
                             if reasons else " (no FIT, GPX or TCX file there)")
                          + ("\ngive a FIT, GPX or TCX activity file, a folder of them or an export .zip"
                             if not reasons else ""))
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


#: What a report's work loads: the analysis with its statistics libraries (pandas, SciPy, statsmodels)
#: and the page's plots (matplotlib); :func:`load_quietly` imports them before the work starts.
REPORT_MODULES = ("runlog.report", "runlog.render.html", "runlog.render.plot")


def load_quietly(modules=REPORT_MODULES, *, freeze: bool = False) -> None:
    """Import *modules* with Python's cyclic garbage collector paused; with *freeze*, also set
    everything loaded so far aside from its later collections (:func:`gc.freeze`).

    Importing pandas, SciPy and matplotlib makes some 200,000 objects that live until the process
    ends (modules, classes, functions).  Each full collection during the imports and the work after
    them walks all of them again, finding nothing to free: about 0.3 s of a one-second-long command.
    *freeze* is for the ``runlog`` program only (:func:`run`): in a caller's process it would also
    keep that process's pending garbage for good.

    Parameters
    ----------
    modules : iterable of str
        Module names (default :data:`REPORT_MODULES`).
    freeze : bool
        Set every object alive now aside from the collector (it is never freed before exit).
    """
    import gc
    import importlib

    paused = gc.isenabled()
    gc.disable()
    try:
        for name in modules:
            importlib.import_module(name)
    finally:
        if freeze:
            gc.freeze()
        if paused:
            gc.enable()


def _analyse(path, episodes_csv, *, notes_csv=None, weather_csv=None, tracked=None, tz=None, cache=True,
             athlete=None, settings=True, others="drop", program=False):
    """Read everything and run the analysis; returns the Report and the History.

    *athlete*: the Athlete values given on the command line (:func:`_athlete_values`); the
    settings file fills the others (not with *settings* False: the demo's runner is not you),
    the history the rest.  *program*: this process is the ``runlog`` program (:func:`load_quietly`'s
    *freeze*)."""
    import runlog

    from .features.athlete import read_settings
    from .features.weather import is_auto

    auto = is_auto(weather_csv)
    if auto:
        weather_csv = None
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
        from .features import weather

        weather.read_weather(weather_csv)
    if settings:
        read_settings()   # a broken settings file fails now, not after the import
    load_quietly(freeze=program)   # the inputs are fine: what the work needs, loaded at once
    hist, _store = _history(path, cache=cache)
    _say(_import_summary(hist))
    if len(hist.errors):
        _say(_rejections(hist))
    if len(hist.runs) == 0:
        raise runlog.RunlogError(f"{path}: no runs could be read, so there is nothing to analyse")
    episodes = runlog.read_episodes(episodes_csv, history=hist, tz=tz)
    notes = runlog.read_run_notes(notes_csv, history=hist, tz=tz) if notes_csv else None
    if auto:
        _say("Getting the weather for your runs from Open-Meteo (sends only GPS places rounded to about 10 km "
             "and dates; what is cached is not asked for again) ...")
    who = runlog.Athlete.from_history(hist, notes=notes, settings=settings, given_by="command line",
                                      **(athlete or {}))
    return runlog.analyze(hist, episodes, athlete=who, notes=notes, weather="auto" if auto else weather_csv,
                          tracked=tracked, others=others), hist


def _print_findings(report, limit: int = 8, sections=None) -> None:
    """Print the report's first screen: its answer section (the answer, one paragraph per finding cause,
    at most *limit*, the count line), weather and caveats, laid out as plain text from the report's
    sections (:meth:`runlog.Report.sections`; *sections* when the caller has them, left unchanged)."""
    import dataclasses

    from .render.content import Paragraph
    from .render.text import to_text
    from .render.wording import finding_paragraphs

    sections = {s.key: s for s in (report.sections() if sections is None else sections)}
    paras = [b for b in sections["answer"].blocks if isinstance(b, Paragraph)]
    n_find = len(finding_paragraphs(report))
    more = max(n_find - limit, 0)
    answer = dataclasses.replace(sections["answer"], blocks=paras[:1 + min(n_find, limit)] + (
        [Paragraph(f"... and {more} more in the report.")] if more else []) + paras[1 + n_find:])
    shown = [answer] + [sections[k] for k in ("weather", "caveats") if k in sections]
    _say("")
    _say(to_text(shown, title=False).rstrip())
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


def _write_report(report, out_dir, history=None, *, inputs=None, experiment=None, sections=None) -> Path:
    """Write ``report.html``, ``report.md`` and (when something was tested) ``factors.csv`` into *out_dir*.

    Only these files are written, each atomically (:func:`runlog.history.atomic_write`), after
    :func:`check_outputs` has made sure none of them is one of *inputs*.  Prints which files were
    written.  *sections*: ``report.sections()`` when the caller has them (the page and the Markdown
    lay out the same sections, worked out once).
    """
    from .history import atomic_write_text
    from .render.html import render_report
    from .render.text import to_markdown

    if sections is None:
        sections = report.sections()
    out = check_outputs(out_dir, inputs or {})
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    render_report(report, path, history=history, experiment=experiment, sections=sections)
    extra = []
    atomic_write_text(out / "report.md", to_markdown(sections))
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
    from .features.weather import is_auto

    inputs = {"PATH": args.path, "--episodes": args.episodes, "--notes": args.notes,
              "--weather": None if is_auto(args.weather) else args.weather, "--plan": args.plan}
    check_outputs(args.out, inputs)  # before the (long) analysis: a clash fails at once, nothing written
    plan = None
    if args.plan:
        from . import experiment

        plan = experiment.read_plan(os.path.expanduser(args.plan))  # a bad plan fails before the analysis
    report, hist = _analyse(args.path, args.episodes, notes_csv=args.notes, weather_csv=args.weather,
                            tracked=args.tracked, tz=args.tz, cache=not args.no_cache, athlete=_athlete_values(args),
                            others="keep" if args.keep_others else "drop", program=args.program)
    sections = report.sections()   # laid out as the screen, the Markdown and the page: worked out once
    _print_findings(report, sections=sections)
    exp = None
    if plan is not None:
        import runlog

        episodes = runlog.read_episodes(os.path.expanduser(args.episodes), history=hist, tz=args.tz)
        notes = runlog.read_run_notes(os.path.expanduser(args.notes), history=hist, tz=args.tz) \
            if args.notes else None
        exp = experiment.analyze(hist, episodes, plan, notes=notes)
        _say(exp.to_text())
    path = _write_report(report, args.out, hist, inputs=inputs, experiment=exp, sections=sections)
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
                            weather_csv=season.weather_csv, tracked=season.tracked, cache=False, settings=False,
                            program=args.program)
    sections = report.sections()
    _print_findings(report, sections=sections)
    path = _write_report(report, out, hist, sections=sections)
    _say(f"The demo season planted '{season.cause}' as the cause of numbness; "
         "the report should point to it.")
    _say(f"Report written to {path.resolve()}")
    return 0


def cmd_journal(args) -> int:
    """``runlog journal draft PATH --out CSV``: propose journal rows for the runner to confirm."""
    from .history import atomic_write_text
    from .journal.suggest import suggest_episodes

    out = Path(os.path.expanduser(args.out))
    if out.exists() and not args.force:
        raise FileExistsError(17, "exists already (it may hold your edits); choose another --out or add --force",
                              str(out))
    hist, _ = _history(args.path, cache=not args.no_cache)
    since = args.since
    if since is None and not args.no_laps and sys.stdin.isatty():
        since = _ask_since()
    draft = suggest_episodes(hist, lap_button=not args.no_laps, text=not args.no_text,
                             sport=None if args.all_sports else "running", since=since)
    atomic_write_text(out, draft.to_csv(index=False))
    by = draft["source"].value_counts()
    n = int(len(draft) - by.get("you", 0))
    _say(f"Proposed {n} episode(s) from {len(hist.runs)} activities: "
         f"{by.get('lap', 0)} from lap presses, {by.get('text', 0)} from notes, {by.get('lap+text', 0)} from both"
         + (f"; lap presses from {since:%Y-%m-%d} on, the journal period starting then." if since is not None
            else "."))
    flagged = int(draft["evidence"].astype("string").str.contains("CHECK: the file names no sport").sum())
    if flagged:
        _say(f"{flagged} of them from activities whose file names no sport (their evidence says CHECK).")
    skipped = draft.attrs.get("skipped")
    if skipped is not None and len(skipped):
        _say(f"Not proposed ({len(skipped)} run(s) with structured laps or auto-laps):")
        for r in skipped.itertuples(index=False):
            _say(f"  {r.run}: {r.reason}")
    if since is None and not args.no_laps:
        _say("Tip: add --since YYYY-MM-DD, the day you started pressing lap for numbness: earlier presses were "
             "something else, and the journal period starts then.")
    _say(f"Next: check {out} (delete what was not numbness; fill in side, location, severity), then run: "
         f"runlog report {args.path} --episodes {out}")
    return 0


def _ask_since():
    """Ask the runner (on a terminal) since when they press lap for numbness; None when skipped."""
    while True:
        try:
            text = input("Since when have you pressed lap when numbness starts? (YYYY-MM-DD, Enter if you "
                         "don't know): ").strip()
        except EOFError:
            return None
        if not text:
            return None
        try:
            return _iso_date(text)
        except argparse.ArgumentTypeError as exc:
            print(f"  {exc}", file=sys.stderr)


def cmd_weather(args) -> int:
    """``runlog weather PATH --out CSV``: download the runs' hourly weather into a table."""
    from .features import weather
    from .history import atomic_write_text
    from .render.wording import weather_lines

    out = Path(os.path.expanduser(args.out))
    if out.exists() and not args.force:
        raise FileExistsError(17, "exists already (it may hold your edits); choose another --out or add --force",
                              str(out))
    hist, _ = _history(args.path, cache=not args.no_cache)
    runs = hist.runs.index if args.all_sports else None
    if not args.offline:
        _say("Getting the weather from Open-Meteo (sends only GPS places rounded to about 10 km and dates) ...")
    table = weather.fetch(hist, runs=runs, offline=args.offline)
    atomic_write_text(out, weather.weather_to_csv(table))
    info = table.attrs["weather"]
    places = table["station"].nunique()
    _say(f"Wrote {len(table)} hourly rows for {places} place{'s' if places != 1 else ''} to {out.resolve()}.")
    for line in weather_lines(info.coverage()):
        _say(textwrap.fill(line, width=100, initial_indent="  - ", subsequent_indent="    "))
    _say(f"Use it with: runlog report PATH --episodes CSV --weather {out}")
    return 0


def cmd_experiment(args) -> int:
    """``runlog experiment plan|report``."""
    import runlog

    from . import experiment

    if args.action == "plan":
        hist = episodes = None
        if args.episodes and not args.history:
            raise runlog.ExperimentError("--episodes needs --history (the runs the journal refers to)")
        if args.history:
            hist, _ = _history(args.history, cache=not args.no_cache)
            if args.episodes:
                episodes = runlog.read_episodes(os.path.expanduser(args.episodes), history=hist)
        p = experiment.plan(args.factor, args.levels, runs=args.runs, weeks=args.weeks, block=args.block,
                            washout=args.washout, alpha=args.alpha, looks=args.looks, start=args.start,
                            seed=args.seed, design=args.design, weekdays=args.weekdays, history=hist,
                            episodes=episodes, baseline_risk=args.baseline_risk, risk_ratio=args.risk_ratio)
        out = check_outputs(args.out, {"--history": args.history, "--episodes": args.episodes})
        if (out / "plan.csv").exists():
            raise runlog.ExperimentError(
                f"{out / 'plan.csv'} exists: a plan you may be following; choose another --out folder, or delete "
                "that plan first if you really mean to replace it")
        out.mkdir(parents=True, exist_ok=True)
        _say(p.to_text())
        p.to_csv(out / "plan.csv")
        written = [str((out / "plan.csv").resolve())]
        if p.by_date:
            p.to_ics(out / "plan.ics", reminder=args.reminder)
            written.append(str((out / "plan.ics").resolve()) + " (import it into your phone's calendar)")
        _say("Written: " + "; ".join(written) + ".")
        _say("Keep the journal as usual and write what you actually used in your run notes ('"
             f"{p.factor}' column); then run: runlog experiment report PATH --episodes CSV --notes CSV "
             f"--plan {out / 'plan.csv'}")
        return 0
    inputs = {"PATH": args.path, "--episodes": args.episodes, "--notes": args.notes, "--plan": args.plan}
    out = check_outputs(args.out, inputs)
    for label, p_in in inputs.items():
        if p_in is not None and _same_file(out / "experiment.html", Path(os.path.expanduser(p_in))):
            raise runlog.RunlogError(f"--out {args.out} would write experiment.html over your {label} file; "
                                     "choose another folder")
    for label, f in (("--episodes", args.episodes), ("--notes", args.notes), ("--plan", args.plan)):
        if f is not None and not os.path.isfile(os.path.expanduser(f)):
            raise FileNotFoundError(2, f"{label}: no such file; check the path", str(f))
    p = experiment.read_plan(os.path.expanduser(args.plan))
    hist, _ = _history(args.path, cache=not args.no_cache)
    _say(_import_summary(hist))
    episodes = runlog.read_episodes(os.path.expanduser(args.episodes), history=hist, tz=args.tz)
    notes = runlog.read_run_notes(os.path.expanduser(args.notes), history=hist, tz=args.tz) if args.notes else None
    res = experiment.analyze(hist, episodes, p, notes=notes, washout=args.washout, as_of=args.as_of,
                             bayes=args.bayes, margin=args.margin / 100.0)
    _say(res.to_text())
    out.mkdir(parents=True, exist_ok=True)
    res.to_html(out / "experiment.html")
    _say(f"Report written to {(out / 'experiment.html').resolve()}")
    return 0


def cmd_columns(args) -> int:
    """``runlog columns``: print the column reference as Markdown."""
    from .render.html import column_reference_markdown

    sys.stdout.write(column_reference_markdown())
    return 0


_COMMANDS = {"report": cmd_report, "import": cmd_import, "demo": cmd_demo, "journal": cmd_journal,
             "experiment": cmd_experiment, "columns": cmd_columns, "weather": cmd_weather}


def main(argv=None, *, program: bool = False) -> int:
    """Run the ``runlog`` command line; returns the exit status.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).
    program : bool
        This process is the ``runlog`` program (:func:`run`): ``report`` and ``demo`` set what
        they import aside from the garbage collector (:func:`load_quietly`).

    Returns
    -------
    int
        Exit status (0 on success).
    """
    from .history import remember_in  # loaded with the runlog package already

    parser = build_parser()
    args = parser.parse_args(argv)
    args.program = program
    with warnings.catch_warnings():
        if not args.debug:
            warnings.showwarning = _show_warning
            warnings.simplefilter("ignore")  # library internals (pandas, fitparse, ...): not for runners
            warnings.simplefilter("default", RunlogWarning)
        before = remember_in(None)   # the command sets its own cache (_history); the caller's comes back after
        try:
            return _run(args)
        finally:
            remember_in(before)


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


def run() -> None:
    """The ``runlog`` program (its console script and ``python -m runlog.cli``): :func:`main` with the
    program's arguments, as the program, then :func:`end_program` with its exit status."""
    end_program(main(program=True))


def end_program(status: int) -> None:
    """End the process with *status* as soon as a command is done.

    The exit functions run (:mod:`atexit`: logging, matplotlib's figures, multiprocessing's
    children), stdout and stderr are flushed, and the interpreter's tear-down is skipped
    (:func:`os._exit`): after a report it frees some 200,000 objects one by one, 0.1-0.15 s with
    nothing left to write (runlog's files are written and closed, atomically, by then).  For the
    program only: never call it in a process that has other work to do.

    Parameters
    ----------
    status : int
        Exit status.
    """
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
