"""The two readers of a runner's spreadsheets: the numbness journal and the per-run notes.

* :func:`read_episodes` -- the numbness journal, one row per episode
  (several per run allowed);
* :func:`read_run_notes` -- optional per-run context the watch cannot
  record (shoes, lacing, fluid, body mass before/after, RPE, ...), one row
  per run; :func:`notes_from_history` turns the gear of an export into notes.

The file is read by :mod:`runlog.journal.sheet` and every row tied to its
run by :mod:`runlog.journal.matching`; this module holds the columns each
file has (accepted spellings, ranges) and the checks between them.
"""

from __future__ import annotations

import re
import warnings
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..errors import JournalError, NotesError, RunlogWarning
from .matching import check_tz, identify, onset_beyond, runs_of
from .sheet import (
    ProblemList,
    Table,
    cell_text,
    choice,
    extras_frame,
    load_table,
    numbers,
    parse_date,
    parse_number,
    strings,
    subset,
)

__all__ = [
    "read_episodes", "read_run_notes", "notes_from_history", "TRACKING_NOTES", "EXAMPLE_EPISODES",
    "EXAMPLE_RUN_NOTES", "EPISODE_ALIASES", "NOTES_ALIASES", "SIDE_ALIASES", "LOCATION_ALIASES",
    "NOTES_RANGES", "MAX_MASS_CHANGE_FRACTION", "tracking_kind", "UNIT_CELLS", "NUMBER_RE", "MINUTES_RE",
    "DISTANCE_UNIT_RE", "SEVERITY_WORD_RE", "OUT_OF_10_RE", "KM_PER_MILE",
]

#: Example journal shipped with the package (``runlog/data/example_episodes.csv``).
EXAMPLE_EPISODES = str(resources.files("runlog").joinpath("data", "example_episodes.csv"))
#: Example per-run notes shipped with the package (``runlog/data/example_run_notes.csv``).
EXAMPLE_RUN_NOTES = str(resources.files("runlog").joinpath("data", "example_run_notes.csv"))

#: Journal rows that state the period the journal covers instead of an
#: episode: the ``notes`` cell (lower case, spaces collapsed, a final '.'
#: dropped) -> which end of the period the row's ``date`` is.
TRACKING_NOTES: dict[str, str] = {
    "tracking started": "start", "tracking start": "start", "started tracking": "start",
    "tracking ended": "end", "tracking end": "end", "tracking stopped": "end", "stopped tracking": "end",
    "ended tracking": "end",
}

# --------------------------------------------------------------------------
# Accepted spellings.  Headers are normalised first (lower case, every run of
# characters other than letters and digits -> '_', leading/trailing '_'
# stripped), so 'Onset (min)', 'onset [min]' and 'ONSET-MIN' are all
# 'onset_min'.
# --------------------------------------------------------------------------
_ID_ALIASES = {
    "date": ("date", "day", "run_date", "local_date"),
    "time": ("time", "start", "start_time", "time_local", "local_time", "start_time_local",
             "start_local"),
    "run": ("run", "run_id", "activity", "activity_id", "file", "file_name", "filename",
            "activity_file"),
}

#: Journal header spellings: canonical column -> accepted normalised headers.
EPISODE_ALIASES: dict[str, tuple[str, ...]] = {
    **_ID_ALIASES,
    "onset_min": ("onset_min", "onset_minutes", "onset_mins", "onset_time_min", "after_min",
                  "minutes_in", "min_into_run", "minutes_into_run"),
    "onset_km": ("onset_km", "onset_distance_km", "onset_kilometres", "onset_kilometers", "after_km",
                 "km_into_run"),
    "duration_min": ("duration_min", "duration", "duration_minutes", "duration_mins", "lasted_min"),
    "side": ("side", "foot", "leg", "which_foot"),
    "location": ("location", "where", "area", "body_part", "site"),
    "severity": ("severity", "severity_0_10", "sev", "severity_10"),
    "notes": ("notes", "note", "comment", "comments", "remarks"),
}

#: Notes header spellings: canonical column -> accepted normalised headers.
#: ``fluid_l`` is accepted and converted to millilitres (x 1000).
NOTES_ALIASES: dict[str, tuple[str, ...]] = {
    **_ID_ALIASES,
    "shoes": ("shoes", "shoe", "footwear", "gear"),
    "lacing": ("lacing", "laces", "lace"),
    "fluid_ml": ("fluid_ml", "fluids_ml", "fluid_intake_ml", "drink_ml", "drank_ml", "water_ml"),
    "fluid_l": ("fluid_l", "fluids_l", "fluid_intake_l", "drink_l", "drank_l", "water_l"),
    "body_mass_pre_kg": ("body_mass_pre_kg", "mass_pre_kg", "weight_pre_kg", "pre_weight_kg",
                         "weight_before_kg", "body_mass_before_kg", "pre_mass_kg"),
    "body_mass_post_kg": ("body_mass_post_kg", "mass_post_kg", "weight_post_kg", "post_weight_kg",
                          "weight_after_kg", "body_mass_after_kg", "post_mass_kg"),
    "rpe": ("rpe", "rpe_0_10", "session_rpe", "effort", "effort_0_10"),
    "surface": ("surface", "ground"),
    "warmup_min": ("warmup_min", "warm_up_min", "warmup", "warm_up", "warmup_minutes"),
    "sleep_h": ("sleep_h", "sleep", "sleep_hours", "hours_slept", "slept_h"),
}

# Headers refused because their unit is ambiguous: normalised header -> fix.
_AMBIGUOUS_HEADERS = {
    "onset": "say whether the onset is in minutes or kilometres: name the column "
             "'onset_min' (or 'onset (min)') or 'onset_km'",
    "fluid": "say the unit: name the column 'fluid_ml' (millilitres) or 'fluid_l' (litres)",
    "fluids": "say the unit: name the column 'fluid_ml' (millilitres) or 'fluid_l' (litres)",
    "weight_pre": "say the unit: name the column 'body_mass_pre_kg'",
    "weight_post": "say the unit: name the column 'body_mass_post_kg'",
    "body_mass_pre": "say the unit: name the column 'body_mass_pre_kg'",
    "body_mass_post": "say the unit: name the column 'body_mass_post_kg'",
    "weight_before": "say the unit: name the column 'body_mass_pre_kg'",
    "weight_after": "say the unit: name the column 'body_mass_post_kg'",
}

#: Accepted spellings of ``side`` (after lower-casing and trimming).
SIDE_ALIASES: dict[str, str] = {
    "left": "left", "l": "left", "left foot": "left", "left leg": "left",
    "right": "right", "r": "right", "right foot": "right", "right leg": "right",
    "both": "both", "b": "both", "both feet": "both", "both legs": "both", "bilateral": "both",
    # as in a '#numb' note: a letter with foot / leg, other languages (runlog.journal.suggest.parse_note)
    "l foot": "left", "l leg": "left", "lt": "left", "r foot": "right", "r leg": "right", "rt": "right",
    "b feet": "both", "b legs": "both", "links": "left", "rechts": "right", "beide": "both",
    "gauche": "left", "droite": "right", "droit": "right", "izquierdo": "left", "izquierda": "left",
    "derecho": "right", "derecha": "right", "sinistro": "left", "sinistra": "left", "destro": "right",
    "destra": "right",
}

#: The value forms a ``#numb`` note and a journal cell share (regular-expression pieces): a number
#: (decimal point or comma), minutes (``35min``, ``35 min``, ``35'``), a distance unit (km, or miles
#: converted with :data:`KM_PER_MILE`), a severity (``sev 4``, ``severity: 4``; ``4/10``).
NUMBER_RE = r"(\d+(?:[.,]\d+)?)"
MINUTES_RE = r"(?:(?:minutes?|mins?)\b|')"
DISTANCE_UNIT_RE = r"(km|k|mi|miles?)"
SEVERITY_WORD_RE = r"sev(?:erity)?\s*[:=]?\s*"
OUT_OF_10_RE = r"\s*/\s*10"
#: Kilometres per mile (international mile).
KM_PER_MILE = 1.609344

#: Cells of the journal's number columns written with their unit, as in a ``#numb`` note: the
#: column -> (pattern of the whole cell, its number in group 1, the factor to the column's unit by
#: the unit in group 2).  ``55min``, ``55 min``, ``55'``; ``6.5km``, ``4 mi``; ``4/10``, ``sev 4``.
UNIT_CELLS: dict[str, tuple[re.Pattern, dict[str, float]]] = {
    "onset_min": (re.compile(rf"^{NUMBER_RE}\s*({MINUTES_RE})$", re.IGNORECASE), {}),
    "duration_min": (re.compile(rf"^{NUMBER_RE}\s*({MINUTES_RE})$", re.IGNORECASE), {}),
    "onset_km": (re.compile(rf"^{NUMBER_RE}\s*{DISTANCE_UNIT_RE}$", re.IGNORECASE),
                 {"mi": KM_PER_MILE, "mile": KM_PER_MILE, "miles": KM_PER_MILE}),
    "severity": (re.compile(rf"^(?:{SEVERITY_WORD_RE})?{NUMBER_RE}({OUT_OF_10_RE})?$", re.IGNORECASE), {}),
}

#: Accepted spellings of ``location`` (after lower-casing; spaces and hyphens
#: count as '_'), besides the canonical :data:`runlog.schema.LOCATIONS`.
LOCATION_ALIASES: dict[str, str] = {
    "toe": "toes", "big_toe": "toes", "little_toe": "toes", "small_toes": "toes",
    "ball": "forefoot", "ball_of_foot": "forefoot", "ball_of_the_foot": "forefoot", "metatarsals": "forefoot",
    "arch": "midfoot", "mid_foot": "midfoot",
    "heels": "heel",
    "bottom_of_foot": "sole", "plantar": "sole", "soles": "sole",
    "top": "top_of_foot", "top_of_the_foot": "top_of_foot", "instep": "top_of_foot", "dorsum": "top_of_foot",
    "foot": "whole_foot", "entire_foot": "whole_foot", "whole_feet": "whole_foot", "feet": "whole_foot",
    "calf": "lower_leg", "calves": "lower_leg", "shin": "lower_leg", "shins": "lower_leg",
    "thighs": "thigh",
}

#: Plausible ranges of the typed notes columns, (low, high) inclusive.
NOTES_RANGES: dict[str, tuple[float, float]] = {
    "fluid_ml": (0.0, 10000.0),
    "body_mass_pre_kg": (25.0, 250.0),
    "body_mass_post_kg": (25.0, 250.0),
    "rpe": (0.0, 10.0),
    "warmup_min": (0.0, 180.0),
    "sleep_h": (0.0, 24.0),
}
#: Largest plausible change of body mass over one run, as a fraction of the
#: pre-run mass.  Sweat losses of 2-5 % are common and ~8 % is extreme
#: (Sawka et al. 2007, ACSM position stand "Exercise and fluid replacement",
#: Med Sci Sports Exerc 39:377-390); more than 10 % is a typing or unit error.
MAX_MASS_CHANGE_FRACTION = 0.10

_EPISODE_RANGES = {
    "onset_min": (0.0, 24 * 60.0),
    "onset_km": (0.0, 500.0),
    "duration_min": (0.0, 24 * 60.0),
    "severity": (0.0, 10.0),
}
_NOTES_STRINGS = ("shoes", "lacing", "surface")
_NOTES_LOWER = ("lacing", "surface")

#: Output column names an extra column may not take.
_RESERVED = frozenset({"run_id", *schema.EPISODE_COLUMNS, *schema.NOTES_COLUMNS})


def _check_headers(found: dict, headers: list[str], line: int) -> list[str]:
    """Problems with the columns of a journal or notes file: no column identifying the run, fluid twice."""
    problems = []
    if "fluid_ml" in found and "fluid_l" in found:
        problems.append(f"line {line}: both 'fluid_ml' and 'fluid_l' columns; keep one of them")
    if not ({"date", "run"} & set(found)):
        problems.append(
            f"line {line}: no column identifies the run; add a 'date' column (the run's local date, "
            "YYYY-MM-DD, with an optional 'time' HH:MM) or a 'run' column (run_id or activity file name). "
            f"Columns found: {', '.join(repr(h) for h in headers)}")
    return problems


#: How :func:`~runlog.journal.sheet.load_table` reads a journal or notes file.
_SHEET: dict[str, Any] = dict(ambiguous=_AMBIGUOUS_HEADERS, reserved=_RESERVED, check=_check_headers)


def _check_onsets(onset_min, onset_km, run_ids, runs, lines, problems):
    """An onset later than the run's duration / distance (rounded up to the
    whole minute / 0.1 km, the precision people write) is an error."""
    if runs is None or not len(run_ids):
        return
    matched = np.array([rid is not None for rid in run_ids])
    ids = pd.Index([rid for rid in run_ids if rid is not None], dtype="object")
    dur_s = np.full(len(run_ids), np.nan)
    dist_m = np.full(len(run_ids), np.nan)
    dur_s[matched] = runs["elapsed_s"].reindex(ids).to_numpy(dtype="float64", na_value=np.nan)
    dist_m[matched] = runs["distance_m"].reindex(ids).to_numpy(dtype="float64", na_value=np.nan)
    late, far = onset_beyond(onset_min, onset_km, dur_s, dist_m)   # NaN on either side: False
    for i in np.flatnonzero(late | far):
        rid = run_ids[i]
        if late[i]:
            problems.append(f"line {lines[i]}: onset {onset_min[i]:g} min is after the end of run {rid} "
                            f"({dur_s[i] / 60:.1f} min long); fix the onset or the run's date/time")
        if far[i]:
            problems.append(f"line {lines[i]}: onset {onset_km[i]:g} km is beyond the end of run {rid} "
                            f"({dist_m[i] / 1000:.2f} km long); fix the onset or the run's date/time")


def _with_units_read(table: Table) -> Table:
    """*table* with the number cells written with a unit (:data:`UNIT_CELLS`: ``55min``,
    ``6.5 km``, ``4/10``) as plain numbers in the column's unit; other cells as they are (a bad
    one is reported as written)."""
    cells = dict(table.cells)
    for name, (pattern, factors) in UNIT_CELLS.items():
        col = cells.get(name)
        if col is None:
            continue
        new = None
        for i, text in enumerate(col):
            if not text or text.replace(".", "", 1).isdigit():
                continue   # empty or a plain number (the usual cell): as it is
            m = pattern.match(text)
            if m is None:
                continue
            value = m.group(1)
            factor = factors.get((m.group(2) or "").lower())
            if factor is not None:
                value = f"{float(value.replace(',', '.')) * factor:.3f}"
            if new is None:
                new = list(col)
            new[i] = value
        if new is not None:
            cells[name] = new
    return Table(table.path, table.columns, cells, table.extras, table.lines, decimal_comma=table.decimal_comma)


def tracking_kind(note: str) -> str | None:
    """Whether a notes cell marks the journal period (:data:`TRACKING_NOTES`).

    Parameters
    ----------
    note : str
        The cell as written (case, spacing and a final '.' do not matter).

    Returns
    -------
    str or None
        'start' / 'end', else None.
    """
    key = " ".join(note.lower().split()).rstrip(".").strip()
    return TRACKING_NOTES.get(key)


def _journal_period(table: Table, rows: list[int], problems: list[str]) -> dict:
    """Read the period rows (*rows* of *table*): ``{'start': (date, line), 'end': (date, line)}``."""
    found: dict[str, list[tuple[pd.Timestamp, int]]] = {"start": [], "end": []}
    others = [c for c in table.cells if c not in ("date", "notes")]
    for i in rows:
        line, note = table.lines[i], table.get("notes", i)
        kind = tracking_kind(note)
        assert kind is not None  # *rows* are the tracking rows (the caller picks them)
        filled = [table.columns.get(c, c) for c in others if table.get(c, i)]
        if filled:
            problems.append(f"line {line}: a {note!r} row states the journal period and takes only a date; "
                            f"{', '.join(filled)} belong to an episode: put the episode on its own row")
            continue
        text = table.get("date", i)
        if not text:
            problems.append(f"line {line}: a {note!r} row needs the date (YYYY-MM-DD) tracking "
                            f"{'started' if kind == 'start' else 'ended'}")
            continue
        try:
            date, clock = parse_date(text)
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        if clock is not None:
            problems.append(f"line {line}: a {note!r} row takes a date without a time ({text!r})")
            continue
        found[kind].append((date, line))
    period = {}
    for kind, rows_ in found.items():
        if len(rows_) > 1:
            word = "started" if kind == "start" else "ended"
            problems.append(f"line {rows_[1][1]}: a second 'tracking {word}' row (the first is line {rows_[0][1]}); "
                            "the journal covers one period: keep one, or pass tracked=(start, end)")
        elif rows_:
            period[kind] = rows_[0]
    if "start" in period and "end" in period and period["start"][0] > period["end"][0]:
        problems.append(f"line {period['end'][1]}: tracking ended {period['end'][0]:%Y-%m-%d} before it started "
                        f"{period['start'][0]:%Y-%m-%d} (line {period['start'][1]}); swap the dates")
    return period


# ==========================================================================
# Public readers
# ==========================================================================
def read_episodes(path_or_frame, *, history=None, tz=None, max_bytes: int | None = None) -> pd.DataFrame:
    """Read the numbness journal: one row per episode.

    Parameters
    ----------
    path_or_frame : str, PathLike, file object or DataFrame
        A CSV file (UTF-8 with or without byte-order mark, or UTF-16 with one;
        separator ``,``, ``;`` or tab, sniffed from the header; any line
        endings) or a frame with the same columns.  The file is only read.
    history : History or DataFrame, optional
        The runs to tie the episodes to (:class:`runlog.History` or its
        ``runs`` frame).  Without it the values are checked and ``run_id``
        stays <NA> unless a ``run`` column holds a run_id.
    tz : str, optional
        Zone (IANA name or ``'+HH:MM'``) of the journal's dates and times for
        runs whose own zone is unknown: a run whose ``tz`` is the fallback
        ``'UTC'`` (a file with neither a device offset nor positions, e.g. a
        treadmill GPX) is matched by its start in *tz*.  Runs with a known
        zone are always matched in their own zone.
    max_bytes : int, optional
        Largest file read [bytes]; default :data:`MAX_JOURNAL_BYTES` (5 MiB).
        A larger file is refused unread.

    Returns
    -------
    DataFrame
        Columns :data:`runlog.schema.EPISODE_COLUMNS` in order, then the
        unknown extra columns (header and values as written).  ``date`` is
        the matched run's local date (as written without a history);
        ``line`` the CSV line (header = 1; a frame's row *i* is line *i* + 2).
        ``attrs['extras']`` lists the extra columns.  When the journal states
        its period (rows ``tracking started`` / ``tracking ended``, see the
        notes below) ``attrs['tracked']`` is ``(start, end)`` (Timestamps,
        None for an end not stated) and ``attrs['tracked_lines']`` their
        lines; those rows are not episodes.

    Raises
    ------
    JournalError
        With every problem of the file, each naming its line, the runs
        nearest to it and the fix; or naming the file, its size and the
        limit when it is larger than *max_bytes*.

    Notes
    -----
    Columns (names are case- and space-insensitive; ``Onset (min)`` is
    ``onset_min``; the accepted spellings are in :data:`EPISODE_ALIASES`):

    ============  ============  ==========================================================
    column        required      values
    ============  ============  ==========================================================
    date          date or run   the run's local date: ``2024-03-05`` (also ``2024/03/05``,
                                day-first ``05.03.2024``, and slashed when only one order
                                is a date: ``08/15/2015``; ``03/05/2024`` is refused as
                                ambiguous); years 1900-2199
    time          no            the run's local start, ``07:30`` (``7:30 PM`` accepted);
                                needed only to choose between runs of one day
    run           date or run   a run_id (``20240305T0630Z``, ``20240305T0630Z-2``) or
                                the activity's file name
    onset_min     no            minutes into the run (wall clock, pauses included), >= 0
                                (``35``, ``35min``, ``35'``)
    onset_km      no            kilometres into the run, >= 0 (``6.5``, ``6.5km``, ``4 mi``)
    duration_min  no            how long the numbness lasted [min]
    side          no            left, right, both (also l, r, b, L foot, left foot,
                                bilateral, links, ...: :data:`SIDE_ALIASES`)
    location      no            toes, forefoot, midfoot, heel, sole, top_of_foot,
                                whole_foot, lower_leg, thigh, other (see
                                :data:`LOCATION_ALIASES`)
    severity      no            0 (barely) to 10 (worst), decimals allowed (``4/10``,
                                ``sev 4``)
    notes         no            free text
    ============  ============  ==========================================================

    Any other column is kept as it is.  Empty cells are <NA>.  Numbers use a
    decimal point; in ``;``- or tab-separated files (European spreadsheets)
    a decimal comma too.  Rows and blank lines made only of separators are
    skipped.  A date without time must point to one run that day (when
    the other activities that day all have a known sport other than running,
    the only running one is taken; see below for the onset).  A time picks the run starting nearest
    to it within :data:`START_TOLERANCE_MIN`; else the one run whose
    start-to-end span contains it (so ``00:10`` the next day finds a run
    started at 23:50); else the one run whose span is within
    :data:`MATCH_TOLERANCE_MIN`; several equally good runs are an error.
    When a time or a date points to several runs, or the nearest start
    is too short for the row's onset, the row's onset settles it (the
    runs that can hold it), then the runner's own runs are taken over
    runs likely someone else's (a partner's run started beside it,
    :func:`runlog.history.likely_others`).  An onset after the run's
    end (its duration rounded up to the minute, its distance up to
    0.1 km) is an error.

    **The period the journal covers.**  A row whose ``notes`` is
    ``tracking started`` (or ``tracking ended``; case-insensitive, the
    spellings in :data:`TRACKING_NOTES`) and whose other columns except
    ``date`` are empty is not an episode: its ``date`` (a local date, no
    time) is the first (last) day the journal was kept, both included.  At
    most one of each; it need not be a run day.  :func:`episode_flags` uses
    it when no ``tracked`` is given::

        date,onset_min,side,notes
        2024-03-01,,,tracking started
        2024-03-09,52,left,new laces pulled tight
        2024-09-30,,,tracking ended
    """
    tz = check_tz(tz, JournalError)
    runs, _ = runs_of(history)
    table = load_table(path_or_frame, EPISODE_ALIASES, JournalError, "journal", max_bytes, row_word="episode",
                       **_SHEET)
    problems = ProblemList()
    marks = [i for i, note in enumerate(table.cells.get("notes", ())) if note and tracking_kind(note)]
    period = _journal_period(table, marks, problems)
    if marks:
        table = subset(table, [i for i in range(len(table)) if i not in set(marks)])
    table = _with_units_read(table)
    nums = {name: numbers(table, name, problems, _EPISODE_RANGES[name],
                           "(0 barely, 10 worst)" if name == "severity" else None)
            for name in ("onset_min", "onset_km", "duration_min", "severity")}
    # the onset settles a time or date that points to several runs (a partner's beside the runner's)
    dates, clocks, run_texts, run_ids = identify(table, runs, tz, problems,
                                                 onsets=(nums["onset_min"], nums["onset_km"]))
    side = choice(table, "side", SIDE_ALIASES, schema.SIDES, problems, lambda s: " ".join(s.lower().split()))
    location = choice(table, "location", LOCATION_ALIASES, schema.LOCATIONS, problems,
                       lambda s: re.sub(r"[\s\-]+", "_", s.strip().lower()))
    _check_onsets(nums["onset_min"], nums["onset_km"], run_ids, runs, table.lines, problems)
    if problems:
        raise JournalError(problems.by_line(), table.path)
    n = len(table)
    index = pd.RangeIndex(n)
    out = pd.DataFrame({
        "run_id": pd.Series(run_ids, dtype="object").astype("string"),
        "date": pd.Series(pd.to_datetime(pd.Series(dates, dtype="object")), index=index).astype(
            "datetime64[ns]"),
        "time": pd.Series(clocks, dtype="object").astype("string"),
        "run": pd.Series(run_texts, dtype="object").astype("string"),
        "onset_min": nums["onset_min"],
        "onset_km": nums["onset_km"],
        "duration_min": nums["duration_min"],
        "side": side,
        "location": location,
        "severity": nums["severity"],
        "notes": strings(table, "notes"),
        "line": pd.Series(table.lines, dtype="int64"),
    }, index=index)
    out = out[list(schema.EPISODE_COLUMNS)]
    extras = extras_frame(table, index)
    out = pd.concat([out, extras], axis=1) if len(extras.columns) else out
    out.attrs["extras"] = list(extras.columns)
    if period:
        out.attrs["tracked"] = tuple(period[k][0] if k in period else None for k in ("start", "end"))
        out.attrs["tracked_lines"] = {k: v[1] for k, v in period.items()}
    if table.path:
        out.attrs["source"] = table.path
    _warn_repeated_rows(out, table.path)
    return out


def _warn_repeated_rows(episodes: pd.DataFrame, path) -> None:
    """Warn (not drop) when a row repeats an earlier one in every column: a
    copy-paste slip would count one episode twice."""
    body = episodes.drop(columns="line").astype("string").fillna("\x00")
    rep = body.duplicated(keep="first").to_numpy()
    if rep.any():
        first = body.drop_duplicates(keep="first")
        pairs = []
        for i in np.flatnonzero(rep)[:10]:
            same = (first == body.iloc[i]).all(axis=1)
            pairs.append(f"line {episodes['line'].iloc[i]} repeats line {episodes['line'].loc[same.idxmax()]}")
        warnings.warn(f"{path or 'journal'}: {'; '.join(pairs)}; both are kept as separate episodes. Delete the "
                      "copy if it is one episode", RunlogWarning, stacklevel=3)


def read_run_notes(path_or_frame, *, history=None, tz=None, gear: bool = True,
                   max_bytes: int | None = None) -> pd.DataFrame:
    """Read per-run notes: context the watch cannot record, one row per run.

    Parameters
    ----------
    path_or_frame : str, PathLike, file object or DataFrame
        A CSV file or frame; same encoding, separator and run identification
        (``date`` / ``time`` / ``run``) as :func:`read_episodes`.
    history : History or DataFrame, optional
        The runs to tie the notes to.
    tz : str, optional
        Zone of the dates/times for runs without a known zone (see
        :func:`read_episodes`).
    gear : bool, default True
        With a *history* whose ``runs`` has a ``gear`` column (Strava
        ``activities.csv``): fill ``shoes`` from it where the file leaves it
        empty, and add a row for every run with gear but no row in the
        file.  The file's ``shoes`` always wins over the gear.
    max_bytes : int, optional
        Largest file read [bytes]; default :data:`MAX_JOURNAL_BYTES` (5 MiB).

    Returns
    -------
    DataFrame
        Index ``run_id`` (<NA> without a history unless a ``run`` column
        gives it), columns :data:`runlog.schema.NOTES_COLUMNS`, then the
        extra columns: numeric when every filled cell is a number (float64),
        else text (string); the analysis tests them as candidate factors.
        Every column is a run property (no bookkeeping columns), so all of
        them can be used as factors.  ``attrs['extras']`` lists the extra
        columns, ``attrs['lines']`` the CSV line of each row (None for rows
        added from gear) and ``attrs['source']`` the file.

    Raises
    ------
    NotesError
        With every problem of the file (bad values, out of range, unmatched
        rows, two rows for one run), or when it is larger than *max_bytes*.

    Notes
    -----
    ==================  ========  ==============================================
    column              range     meaning
    ==================  ========  ==============================================
    shoes                         shoe model / pair (as written)
    lacing                        e.g. tight, loose, heel lock (lower-cased)
    fluid_ml            0-10000   fluid drunk during the run [ml]
                                  (``fluid_l`` [l] is accepted and converted)
    body_mass_pre_kg    25-250    body mass before the run [kg]
    body_mass_post_kg   25-250    body mass after the run [kg]; pre and post
                                  may differ by at most 10 % (see
                                  :data:`MAX_MASS_CHANGE_FRACTION`)
    rpe                 0-10      session rating of perceived exertion (CR-10)
    surface                       road, trail, track, treadmill, ... (lower-cased)
    warmup_min          0-180     warm-up before the run [min]
    sleep_h             0-24      hours slept the night before [h]
    ==================  ========  ==============================================

    Headers without a unit where the unit matters (``fluid``, ``weight_pre``)
    are refused rather than guessed.  Spellings: :data:`NOTES_ALIASES`.
    """
    tz = check_tz(tz, NotesError)
    runs, _ = runs_of(history)
    table = load_table(path_or_frame, NOTES_ALIASES, NotesError, "notes", max_bytes, row_word="run", **_SHEET)
    problems = ProblemList()
    run_ids = identify(table, runs, tz, problems)[3]
    cols = {}
    for name in ("fluid_ml", "body_mass_pre_kg", "body_mass_post_kg", "rpe", "warmup_min", "sleep_h"):
        cols[name] = numbers(table, name, problems, NOTES_RANGES[name])
    if "fluid_l" in table.cells:
        lo, hi = NOTES_RANGES["fluid_ml"]
        cols["fluid_ml"] = numbers(table, "fluid_l", problems, (lo / 1000.0, hi / 1000.0), "litres") * 1000.0
    pre, post = cols["body_mass_pre_kg"], cols["body_mass_post_kg"]
    with np.errstate(invalid="ignore"):
        bad = np.abs(post - pre) > MAX_MASS_CHANGE_FRACTION * pre
    for j in np.flatnonzero(bad):
        problems.append(f"line {table.lines[j]}: body mass {pre[j]:g} kg before and {post[j]:g} kg after "
                        f"differ by more than {MAX_MASS_CHANGE_FRACTION:.0%}; check for a typing or unit error")
    seen: dict[str, int] = {}
    for i, rid in enumerate(run_ids):
        if rid is None:
            continue
        if rid in seen:
            problems.append(f"line {table.lines[i]}: run {rid} already has notes on line {seen[rid]}; "
                            "merge the two rows into one")
        else:
            seen[rid] = table.lines[i]
    extras = {}
    for head, values in table.extras.items():
        extras[head] = _typed_extra(values, table.decimal_comma)
    if problems:
        raise NotesError(problems.by_line(), table.path)
    n = len(table)
    data = {}
    for name in schema.NOTES_COLUMNS:
        if name in _NOTES_STRINGS:
            data[name] = strings(table, name, lower=name in _NOTES_LOWER)
        else:
            data[name] = pd.Series(cols[name], dtype="float64")
    for head, s in extras.items():
        data[head] = s
    out = pd.DataFrame(data, index=pd.RangeIndex(n))
    out.index = pd.Index(pd.Series(run_ids, dtype="object").astype("string"), name="run_id")
    lines: list[int | None] = [int(x) for x in table.lines]
    if gear and runs is not None:
        out = _merge_gear(out, notes_from_history(runs))
        lines += [None] * (len(out) - n)
    out.attrs["extras"] = list(extras)
    out.attrs["lines"] = lines
    if table.path:
        out.attrs["source"] = table.path
    return out


def _typed_extra(values: pd.Series, decimal_comma: bool) -> pd.Series:
    """An extra notes column: float64 when every filled cell is a number, else string."""
    s = values.reset_index(drop=True)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    texts = [cell_text(v) for v in s.tolist()]
    try:
        nums = [parse_number(t, decimal_comma) if t else np.nan for t in texts]
    except ValueError:
        return pd.Series([t if t else None for t in texts], dtype="object").astype("string")
    if all(not t for t in texts):
        return pd.Series([None] * len(texts), dtype="object").astype("string")
    return pd.Series(nums, dtype="float64").set_axis(s.index)


def notes_from_history(history) -> pd.DataFrame:
    """Per-run notes from an export's metadata: ``shoes`` from ``History.runs['gear']``.

    A Strava bulk export's ``activities.csv`` names the gear (shoes) of each
    activity; :func:`runlog.read_history` puts it in ``runs['gear']``.  This
    turns it into the notes format so the shoes can be tested as a factor
    without typing them again.

    Parameters
    ----------
    history : History or DataFrame
        A history or its ``runs`` frame.

    Returns
    -------
    DataFrame
        Same layout as :func:`read_run_notes`: index ``run_id`` (only runs
        with gear), ``shoes`` = the gear name (trimmed), the other notes
        columns empty.
    """
    runs, _ = runs_of(history)
    if runs is None:  # history=None: runs_of accepts it, there are no runs to take gear from
        raise TypeError("history must be a runlog.History or its runs DataFrame")
    if "gear" in runs:
        gear = runs["gear"].astype("string").str.strip()
        gear = gear[gear.notna() & (gear != "")]
    else:
        gear = pd.Series([], dtype="string")
    n = len(gear)
    data = {}
    for name in schema.NOTES_COLUMNS:
        if name == "shoes":
            data[name] = gear.reset_index(drop=True)
        elif name in _NOTES_STRINGS:
            data[name] = pd.Series([None] * n, dtype="object").astype("string")
        else:
            data[name] = pd.Series(np.nan, index=pd.RangeIndex(n), dtype="float64")
    out = pd.DataFrame(data, index=pd.RangeIndex(n))
    out.index = pd.Index(gear.index.astype("string"), name="run_id")
    out.attrs["extras"] = []
    out.attrs["lines"] = [None] * n
    return out


def _merge_gear(notes: pd.DataFrame, from_gear: pd.DataFrame) -> pd.DataFrame:
    """Fill empty ``shoes`` from gear and append gear-only runs (file values win)."""
    if not len(from_gear):
        return notes
    have = notes.index[notes.index.notna()]
    fill = from_gear["shoes"].reindex(notes.index)
    shoes = notes["shoes"].copy()
    empty = shoes.isna().to_numpy() & notes.index.notna()
    shoes[empty] = fill[empty].to_numpy()
    notes = notes.assign(shoes=shoes)
    extra_rows = from_gear.loc[~from_gear.index.isin(have)]
    if not len(extra_rows):
        return notes
    extra_rows = extra_rows.reindex(columns=notes.columns)
    for c in notes.columns:
        extra_rows[c] = extra_rows[c].astype(notes[c].dtype)
    extra_rows.attrs = {}
    out = pd.concat([notes, extra_rows])
    out.index.name = "run_id"
    out.attrs = {}
    return out
