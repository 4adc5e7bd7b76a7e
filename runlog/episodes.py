"""The runner's numbness journal, per-run notes and the per-run outcome table.

The watch cannot tell when a foot goes numb; the runner writes it down.  This
module reads two small CSV files a runner keeps in a spreadsheet (or
pandas frames with the same columns) and ties every row to one run of a
:class:`~runlog.history.History`:

* :func:`read_episodes` -- the numbness journal, one row per episode
  (several per run allowed);
* :func:`read_run_notes` -- optional per-run context the watch cannot
  record (shoes, lacing, fluid, body mass before/after, RPE, ...), one row
  per run; :func:`notes_from_history` turns the gear of an export into notes;
* :func:`episode_flags` -- one row per run: is it inside the period the
  journal covers (``tracked``), was it a numbness run (``numb``), when did
  the first episode start.

The journal can state the period it covers itself, with a row whose
``notes`` say ``tracking started`` (or ``tracking ended``) and that holds
only a date (:data:`TRACKING_NOTES`); such rows are not episodes.  Without
them (and without an explicit ``tracked``) the period runs from the first
journal entry to the end of the history, never to the last episode: a period
ending at the last episode is defined by the outcome and drops every run
after it (e.g. all autumn runs of a heat season).

The file format is documented in ``docs/journal.md`` and in the docstring
of :func:`read_episodes`; :data:`EXAMPLE_EPISODES` and
:data:`EXAMPLE_RUN_NOTES` are example files shipped with the package.

Rules that hold everywhere
--------------------------
* User files are only ever read (opened ``'rb'``), never written.
* Every problem in a file is collected and reported together in one
  :class:`~runlog.errors.EpisodeError` (:class:`~runlog.errors.NotesError`
  for notes) whose message names the CSV line (header = line 1), shows the
  runs nearest to the row and says how to fix it.  Nothing is dropped or
  guessed silently.
* A run's *local date* is the date of its own wall clock
  (``History.runs['start_local']``, in the run's zone ``tz``), not the UTC
  date: a run started at 23:30 in New York belongs to that evening.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import warnings
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

import numpy as np
import pandas as pd

from . import schema
from .activity import local_time
from .errors import EpisodeError, NotesError, RunlogWarning

__all__ = [
    "read_episodes",
    "read_run_notes",
    "notes_from_history",
    "episode_flags",
    "tracked_period",
    "TRACKING_NOTES",
    "EXAMPLE_EPISODES",
    "EXAMPLE_RUN_NOTES",
    "EPISODE_ALIASES",
    "NOTES_ALIASES",
    "SIDE_ALIASES",
    "LOCATION_ALIASES",
    "NOTES_RANGES",
    "MATCH_TOLERANCE_MIN",
    "MAX_JOURNAL_BYTES",
    "START_TOLERANCE_MIN",
    "FLAG_COLUMNS",
]

#: Example journal shipped with the package (``runlog/data/example_episodes.csv``).
EXAMPLE_EPISODES = str(resources.files("runlog").joinpath("data", "example_episodes.csv"))
#: Example per-run notes shipped with the package (``runlog/data/example_run_notes.csv``).
EXAMPLE_RUN_NOTES = str(resources.files("runlog").joinpath("data", "example_run_notes.csv"))

#: Largest journal / notes file runlog reads [bytes]: 5 MiB.  A runner's journal
#: is kilobytes (a 10-year daily journal with notes is < 1 MB); anything larger
#: is the wrong file.  ``read_episodes(..., max_bytes=)`` and
#: ``read_run_notes(..., max_bytes=)`` override it.
MAX_JOURNAL_BYTES = 5 * 1024 * 1024

#: A row's ``time`` within this many minutes of a run's local start picks
#: that run first (the nearest start wins) [min].
START_TOLERANCE_MIN = 10.0
#: Otherwise the run whose start-to-end span contains the ``time``, else a
#: run whose span is within this many minutes of it [min].
MATCH_TOLERANCE_MIN = 60.0

#: Journal rows that state the period the journal covers instead of an
#: episode: the ``notes`` cell (lower case, spaces collapsed, a final '.'
#: dropped) -> which end of the period the row's ``date`` is.
TRACKING_NOTES: dict[str, str] = {
    "tracking started": "start", "tracking start": "start", "started tracking": "start",
    "tracking ended": "end", "tracking end": "end", "tracking stopped": "end", "stopped tracking": "end",
    "ended tracking": "end",
}

#: Columns of :func:`episode_flags`.
FLAG_COLUMNS = ("tracked", "numb", "n_episodes", "onset_min", "onset_km", "onset_fill",
                "max_severity", "side", "location")

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
_RUN_ID_RE = re.compile(r"^\d{8}T\d{4}Z$", re.IGNORECASE)
_ISO_DATE_RE = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_DOT_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_SLASH_DATE_RE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_DOT_RE = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


# ==========================================================================
# Reading the table
# ==========================================================================
@dataclass
class _Table:
    """A journal or notes table before typing: raw cell text per canonical column."""

    path: str | None
    columns: dict[str, str]          # canonical name -> header as written
    cells: dict[str, list[str]]      # canonical name -> cell text per row
    extras: dict[str, pd.Series]     # header as written -> values per row (kept as they are)
    lines: list[int]                 # CSV line of each row (header = 1)
    decimal_comma: bool = False

    def __len__(self) -> int:
        return len(self.lines)

    def get(self, name: str, i: int) -> str:
        col = self.cells.get(name)
        return col[i] if col is not None else ""


def _normalize_header(name) -> str:
    """'Onset (min)' -> 'onset_min': lower case, non-alphanumerics -> '_'."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _decode(data: bytes, path: str | None, err) -> str:
    """Bytes -> text: UTF-8 (with or without byte-order mark) or UTF-16 with a BOM."""
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise err(f"is not valid UTF-16 text ({exc.reason}); save it again as 'CSV UTF-8'", path) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of_offset(data, exc.start)
        raise err(
            f"line {line}: is not UTF-8 text (byte 0x{data[exc.start]:02x}); the spreadsheet saved it in "
            "a legacy encoding. Save it again as 'CSV UTF-8 (Comma delimited)' (Excel) or choose "
            "'Unicode (UTF-8)' as character set (LibreOffice)", path) from exc


def _sniff_separator(text: str) -> str:
    """The separator of the header line: ',', ';' or tab, whichever occurs most
    often outside quotes (',' when the header has a single column)."""
    header = ""
    for line in io.StringIO(text, newline=""):
        if line.strip():
            header = line
            break
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda k: (counts[k], k == ","))
    return best if counts[best] else ","


def _read_csv_rows(text: str, sep: str) -> list[tuple[int, list[str]]]:
    """(start line, fields) of every record, blank lines included as []."""
    out = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', doublequote=True,
                        skipinitialspace=False, strict=False)
    prev = 0
    for fields in reader:
        out.append((prev + 1, fields))
        prev = reader.line_num
    return out


def _cell_text(value) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Output column names an extra column may not take.
_RESERVED = frozenset({"run_id", *schema.EPISODE_COLUMNS, *schema.NOTES_COLUMNS})


def _resolve_headers(headers: list[str], aliases: dict[str, tuple[str, ...]], err, path, kind: str,
                     line: int = 1):
    """Map headers (on CSV line *line*) to canonical names.

    Returns (canonical -> position, positions of the extra columns).
    """
    lookup = {alias: canon for canon, names in aliases.items() for alias in names}
    found: dict[str, int] = {}
    extras: list[int] = []
    problems = []
    seen_extra: dict[str, int] = {}
    for pos, head in enumerate(headers):
        key = _normalize_header(head)
        if key == "":
            extras.append(pos)  # checked later: unnamed columns must be empty
            continue
        if key in _AMBIGUOUS_HEADERS and key not in lookup:
            problems.append(f"line {line}: column {head!r}: {_AMBIGUOUS_HEADERS[key]}")
            continue
        canon = lookup.get(key)
        if canon is None:
            if head in _RESERVED:
                problems.append(f"line {line}: column {head!r} has the name of a column runlog adds; "
                                "rename it")
                continue
            if head in seen_extra:
                problems.append(f"line {line}: two columns are named {head!r} (columns {seen_extra[head] + 1} "
                                f"and {pos + 1}); rename one of them")
                continue
            seen_extra[head] = pos
            extras.append(pos)
            close = difflib.get_close_matches(key, list(lookup), n=1, cutoff=0.8)
            if close:
                warnings.warn(
                    f"{path or kind}: column {head!r} is not a known {kind} column and is kept as an extra "
                    f"column; did you mean {lookup[close[0]]!r}?", RunlogWarning, stacklevel=4)
            continue
        if canon in found:
            problems.append(f"line {line}: columns {headers[found[canon]]!r} and {head!r} both mean "
                            f"{canon!r}; delete or rename one of them")
            continue
        found[canon] = pos
    if "fluid_ml" in found and "fluid_l" in found:
        problems.append(f"line {line}: both 'fluid_ml' and 'fluid_l' columns; keep one of them")
    if not ({"date", "run"} & set(found)):
        problems.append(
            f"line {line}: no column identifies the run; add a 'date' column (the run's local date, "
            "YYYY-MM-DD, with an optional 'time' HH:MM) or a 'run' column (run_id or activity file name). "
            f"Columns found: {', '.join(repr(h) for h in headers)}")
    if problems:
        raise err(problems, path)
    return found, extras


def _size_text(n: int) -> str:
    """A byte count in words: '850 bytes', '12.5 KiB', '7.3 MiB'."""
    if n < 1024:
        return f"{n:,} bytes"
    if n < 1024 ** 2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 ** 2:.1f} MiB"


def _load_table(path_or_frame, aliases, err, kind: str, max_bytes: int | None = None) -> _Table:
    """Read a CSV file (or take a DataFrame) into a :class:`_Table`; a file larger
    than *max_bytes* (default :data:`MAX_JOURNAL_BYTES`) is refused unread."""
    from .io import open_user_file

    limit = MAX_JOURNAL_BYTES if max_bytes is None else int(max_bytes)
    path = None
    size = None
    if isinstance(path_or_frame, pd.DataFrame):
        frame = path_or_frame
        headers = [str(c) for c in frame.columns]
        found, extra_pos = _resolve_headers(headers, aliases, err, path, kind)
        n = len(frame)
        lines = list(range(2, n + 2))
        cells = {canon: [_cell_text(v) for v in frame.iloc[:, pos].tolist()] for canon, pos in found.items()}
        extras = {headers[pos]: frame.iloc[:, pos].reset_index(drop=True) for pos in extra_pos}
        return _Table(None, {c: headers[p] for c, p in found.items()}, cells, extras, lines)

    if hasattr(path_or_frame, "read"):
        data = path_or_frame.read(limit + 1)
        path = getattr(path_or_frame, "name", None)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        path = os.fspath(path_or_frame)
        with open_user_file(path, err, folder_hint=f"; give the {kind} CSV file") as fh:
            try:
                size = os.fstat(fh.fileno()).st_size
                data = b"" if size > limit else fh.read(limit + 1)
            except OSError as exc:
                raise err(f"cannot be read ({exc.strerror or exc})", path) from exc
    if (size or 0) > limit or len(data) > limit:
        what = _size_text(size) if size is not None else f"more than {_size_text(limit)}"
        raise err(f"is {what}, larger than the limit of {_size_text(limit)} for a {kind} file (a runner's "
                  f"{kind} is a few kilobytes); is it the right file? To read it anyway pass a larger "
                  "max_bytes=", path)
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise err("is a spreadsheet workbook (.xlsx/.xls), not CSV; in the spreadsheet use "
                  "'Save as' > 'CSV UTF-8'", path)
    text = _decode(data, path, err)
    sep = _sniff_separator(text)
    try:
        rows = _read_csv_rows(text, sep)
    except csv.Error as exc:  # e.g. a field larger than the csv module's limit
        raise err(f"is not a readable CSV file ({exc}); save it again from the spreadsheet as CSV UTF-8",
                  path) from exc
    while rows and not "".join(rows[0][1]).strip():
        rows.pop(0)  # leading blank lines
    if not rows:
        raise err(f"is empty; a {kind} needs a header line and one row per "
                  f"{'episode' if kind == 'journal' else 'run'}", path)
    header_line, headers = rows[0]
    headers = [h.strip() for h in headers]
    found, extra_pos = _resolve_headers(headers, aliases, err, path, kind, header_line)
    problems = []
    n_cols = len(headers)
    lines: list[int] = []
    table_rows: list[list[str]] = []
    for line, fields in rows[1:]:
        if not "".join(fields).strip():
            continue  # blank line or a row of empty cells (spreadsheets write ';;;;')
        if len(fields) > n_cols:
            surplus = fields[n_cols:]
            if any(f.strip() for f in surplus):
                problems.append(
                    f"line {line}: {len(fields)} values but the header has {n_cols} columns; a value "
                    f"contains the separator {sep!r}? Put that value in double quotes")
                continue
            fields = fields[:n_cols]
        fields = fields + [""] * (n_cols - len(fields))
        lines.append(line)
        table_rows.append([f.strip() for f in fields])
    for pos in [p for p in extra_pos if _normalize_header(headers[p]) == ""]:
        used = [ln for ln, r in zip(lines, table_rows) if r[pos] != ""]
        if used:
            problems.append(f"line {header_line}: column {pos + 1} has no name but values (first on line {used[0]}); "
                            "give it a header")
    extra_pos = [p for p in extra_pos if _normalize_header(headers[p]) != ""]
    if problems:
        raise err(sorted(problems, key=_line_key), path)
    cells = {canon: [r[pos] for r in table_rows] for canon, pos in found.items()}
    extras = {headers[pos]: pd.Series([r[pos] or None for r in table_rows], dtype="object").astype("string")
              for pos in extra_pos}
    return _Table(path, {c: headers[p] for c, p in found.items()}, cells, extras, lines,
                  decimal_comma=(sep != ","))


# ==========================================================================
# Cell parsers: return the value or raise ValueError with the fix
# ==========================================================================
def _parse_number(text: str, decimal_comma: bool) -> float:
    """A number written in a cell; ',' as decimal mark only in ';'/tab files."""
    s = text.strip().replace("\u00a0", "").replace(" ", "")
    if decimal_comma:
        if _THOUSANDS_DOT_RE.match(s):
            raise ValueError(f"{text!r} is ambiguous (thousands separator or decimal point?); write it "
                             "without a thousands separator, e.g. 1500 or 1,5")
        if s.count(",") == 1 and "." not in s:
            s = s.replace(",", ".")
    elif "," in s:
        raise ValueError(f"{text!r} has a comma; write the number with a decimal point (12.5) and no "
                         "thousands separator")
    if not _NUMBER_RE.match(s):
        raise ValueError(f"{text!r} is not a number")
    return float(s)


def _parse_date(text: str) -> tuple[pd.Timestamp, str | None]:
    """'2024-03-05', '2024/03/05', '05.03.2024' (day first), optionally with a
    time -> (date at midnight, 'HH:MM:SS' or None)."""
    s = text.strip()
    m = _ISO_DATE_RE.match(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        hh, mm, ss = m.group(4), m.group(5), m.group(6)
    else:
        m = _DOT_DATE_RE.match(s)
        if m:
            d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            hh, mm, ss = m.group(4), m.group(5), m.group(6)
        elif _SLASH_DATE_RE.match(s):
            raise ValueError(f"date {text!r} is ambiguous (day/month or month/day?); write it as "
                             "YYYY-MM-DD (e.g. 2024-03-05); in the spreadsheet format the column as yyyy-mm-dd")
        else:
            raise ValueError(f"date {text!r} is not a date; write it as YYYY-MM-DD (e.g. 2024-03-05)")
    try:
        date = pd.Timestamp(year=y, month=mo, day=d)
    except ValueError:
        raise ValueError(f"date {text!r} does not exist in the calendar; write it as YYYY-MM-DD") from None
    clock = None
    if hh is not None:
        h, mi, se = int(hh), int(mm), int(ss or 0)
        if h > 23 or mi > 59 or se > 59:
            raise ValueError(f"date {text!r} has an impossible time of day")
        if (h, mi, se) != (0, 0, 0):
            clock = f"{h:02d}:{mi:02d}:{se:02d}"
    return date, clock


_PLAIN_ISO_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"


def _plain_iso_dates(cells: list[str] | None) -> list | None:
    """The cells written exactly ``YYYY-MM-DD`` as Timestamps, all at once (NaT for
    every other cell, left to :func:`_parse_date`); None without a date column."""
    if cells is None:
        return None
    text = pd.Series(cells, dtype="object")
    plain = text.str.match(_PLAIN_ISO_DATE_RE).fillna(False).to_numpy(dtype=bool)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if plain.any():
        out[plain] = pd.to_datetime(text[plain], format="%Y-%m-%d", errors="coerce")
    return out.tolist()


def _parse_time(text: str) -> str:
    """'7:05', '07:05:30', '7:05 PM' -> 'HH:MM:SS' (24 h)."""
    m = _TIME_RE.match(text.strip())
    if not m:
        raise ValueError(f"time {text!r} is not a time of day; write it as HH:MM (24 h), e.g. 07:30")
    h, mi, se = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    ampm = m.group(4)
    if ampm:
        if not 1 <= h <= 12:
            raise ValueError(f"time {text!r}: with AM/PM the hour is 1-12")
        pm = ampm.lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
    if h > 23 or mi > 59 or se > 59:
        raise ValueError(f"time {text!r} is not a time of day; write it as HH:MM (24 h), e.g. 07:30")
    return f"{h:02d}:{mi:02d}:{se:02d}"


def _check_tz(tz, err):
    if tz is None:
        return None
    try:
        local_time(pd.Timestamp("2024-01-01", tz="UTC"), str(tz))
    except Exception as exc:
        raise err(f"tz={tz!r} is not a time zone; give an IANA name such as 'Europe/Berlin' or a "
                  "fixed offset such as '+02:00'") from exc
    return str(tz)


# ==========================================================================
# Matching rows to runs
# ==========================================================================
def _runs_of(history) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(runs, records) from a History, a runs frame or None."""
    if history is None:
        return None, None
    runs = getattr(history, "runs", history)
    records = getattr(history, "records", None)
    if not isinstance(runs, pd.DataFrame):
        raise TypeError("history must be a runlog.History or its runs DataFrame")
    missing = [c for c in ("start_time", "start_local", "tz", "elapsed_s", "distance_m") if c not in runs]
    if missing:
        raise TypeError(f"history.runs lacks the columns {missing}; build it with runlog.read_history")
    return runs, records


def _local_starts(runs: pd.DataFrame, tz: str | None) -> pd.Series:
    """Each run's naive local start; runs whose zone is the 'UTC' fallback are
    shown in *tz* instead, when given."""
    start = pd.to_datetime(runs["start_local"]).astype("datetime64[ns]")
    if tz is None or not len(runs):
        return start
    fallback = runs["tz"].astype("string").fillna("UTC").to_numpy() == "UTC"
    if fallback.any():
        utc = pd.to_datetime(runs["start_time"], utc=True)
        alt = local_time(utc, tz).astype("datetime64[ns]")
        start = start.where(~fallback, alt)
    return start


def _basename(source) -> str:
    s = str(source).split("!")[-1].replace("\\", "/").rsplit("/", 1)[-1].lower()
    return s[:-3] if s.endswith(".gz") else s


def _stem(name: str) -> str:
    base = _basename(name)
    for ext in (".fit", ".gpx", ".tcx"):
        if base.endswith(ext):
            return base[: -len(ext)]
    return base


def _describe_run(run_id, start: pd.Timestamp, row) -> str:
    dist = row.get("distance_m", np.nan)
    dur = row.get("elapsed_s", np.nan)
    bits = [str(run_id)]
    if pd.notna(dist):
        bits.append(f"{dist / 1000:.1f} km")
    if pd.notna(dur):
        bits.append(f"{dur / 60:.0f} min")
    sport = row.get("sport")
    if isinstance(sport, str) and sport not in ("running", "unknown"):
        bits.append(sport)
    src = row.get("source")
    if isinstance(src, str) and src:
        bits.append(_basename(src))
    return f"{start:%Y-%m-%d %H:%M} ({', '.join(bits)})"


def _positions(keys) -> dict:
    """key -> positions (ascending) where it occurs in *keys*."""
    out: dict = {}
    for i, k in enumerate(keys):
        out.setdefault(k, []).append(i)
    return out


class _Matcher:
    """Ties journal rows to runs by run_id / file name, or local date (+ time).

    Every row is matched with dictionary look-ups (run_id, file name, local
    date) and, for a time, a binary search among the runs sorted by start:
    only runs that can lie within the tolerances are compared, so a journal
    of *n* rows against *m* runs costs O(n log m), not O(n m) Series
    operations.
    """

    def __init__(self, runs: pd.DataFrame, tz: str | None):
        self.runs = runs
        self.start = _local_starts(runs, tz)
        dur = pd.to_timedelta(runs["elapsed_s"].fillna(0.0).astype("float64"), unit="s")
        self.end = self.start + dur.to_numpy()
        self.date = self.start.dt.normalize()
        self.sport = (runs["sport"].astype("string").fillna("unknown") if "sport" in runs
                      else pd.Series("unknown", index=runs.index))
        # plain arrays and look-up tables for the per-row matching [ns since the epoch, naive local]
        self._ids = runs.index.to_numpy(dtype=object)
        self._pos = {rid: i for i, rid in enumerate(runs.index)}
        self._start_ns = self.start.to_numpy("datetime64[ns]").view("i8")
        self._end_ns = self.end.to_numpy("datetime64[ns]").view("i8")
        self._date_ns = self.date.to_numpy("datetime64[ns]").view("i8")
        valid = ~(self.start.isna().to_numpy() | self.end.isna().to_numpy())
        self._by_start = np.flatnonzero(valid)[np.argsort(self._start_ns[valid], kind="stable")]
        self._sorted_start = self._start_ns[self._by_start]
        self._max_span = int((self._end_ns[valid] - self._start_ns[valid]).max(initial=0))
        self._on_date = _positions(np.where(self.date.isna().to_numpy(), np.iinfo("i8").min, self._date_ns).tolist())
        self._sports = self.sport.to_numpy(dtype=object)

    # file names: only needed for rows with a 'run' column, computed on first use
    @cached_property
    def base(self) -> pd.Series:
        src = self.runs["source"] if "source" in self.runs else pd.Series("", index=self.runs.index)
        return pd.Series([_basename(s) if isinstance(s, str) else "" for s in src], index=self.runs.index)

    @cached_property
    def stem(self) -> pd.Series:
        return pd.Series([_stem(b) for b in self.base], index=self.runs.index)

    @cached_property
    def _on_base(self) -> dict:
        return _positions(self.base.tolist())

    @cached_property
    def _on_stem(self) -> dict:
        return _positions(self.stem.tolist())

    @cached_property
    def _dates(self) -> list:
        return self.date.tolist()

    def date_of(self, rid) -> pd.Timestamp:
        """The local date of run *rid* (as ``self.date.loc[rid]``)."""
        return self._dates[self._pos[rid]]

    def nearest(self, target: pd.Timestamp, k: int = 3, among=None) -> str:
        if not len(self.runs):
            return "the history has no runs"
        idx = self.runs.index if among is None else among
        gap = (self.start.loc[idx] - target).abs().sort_values(kind="stable")
        picked = gap.index[:k]
        label = "runs nearest to it" if among is None else "candidates"
        return f"{label}: " + "; ".join(
            _describe_run(r, self.start.loc[r], self.runs.loc[r]) for r in picked)

    def _window(self, target: pd.Timestamp) -> np.ndarray:
        """Positions (ascending) of the runs that can match local time *target*:
        started at most the longest run plus :data:`MATCH_TOLERANCE_MIN` (+1 min)
        before it and at most that tolerance (+1 min) after it."""
        slack = int((max(MATCH_TOLERANCE_MIN, START_TOLERANCE_MIN) + 1.0) * 60e9)
        t = target.value
        lo = np.searchsorted(self._sorted_start, t - self._max_span - slack, side="left")
        hi = np.searchsorted(self._sorted_start, t + slack, side="right")
        return np.sort(self._by_start[lo:hi])

    def _by_time(self, cand_index, target: pd.Timestamp) -> list:
        """The runs among *cand_index* (run ids; None: all runs) that local time *target* points to.

        In this order: the run starting nearest to it (its start cut to the
        minute when *target* has no seconds, as a watch shows it) within
        :data:`START_TOLERANCE_MIN` (several equally near: all of them); else
        the runs whose start-to-end span contains it; else the runs whose span
        is within :data:`MATCH_TOLERANCE_MIN` of it.  One element: found;
        none: no run; several: ambiguous.
        """
        if cand_index is None:
            pos = self._window(target)
        else:
            pos = np.array([self._pos[c] for c in cand_index], dtype=np.intp)
        start, end = self._start_ns[pos], self._end_ns[pos]
        t = target.value
        # a time written to the minute means the start as a watch shows it: cut to the minute
        shown = start - start % 60_000_000_000 if target.second == 0 else start
        start_gap = np.abs(shown - t)
        near = start_gap <= int(START_TOLERANCE_MIN * 60e9)
        if near.any():
            return list(self._ids[pos[near & (start_gap == start_gap[near].min())]])
        inside = (start <= t) & (t <= end)
        if inside.any():
            return list(self._ids[pos[inside]])
        gap = np.clip(start - t, 0, None) + np.clip(t - end, 0, None)
        return list(self._ids[pos[gap <= int(MATCH_TOLERANCE_MIN * 60e9)]])

    def _prefer_run(self, cand) -> list:
        """Of several activities, the only one whose sport is 'running' when all
        others have a known, different sport (e.g. a commute ride)."""
        sports = self._sports[[self._pos[c] for c in cand]]
        running = np.flatnonzero(sports == "running")
        if len(running) == 1 and not (sports == "unknown").any():
            return [cand[running[0]]]
        return list(cand)

    def match(self, date, clock, run, line: int):
        """Return (run_id, problem); exactly one of them is None."""
        if date is not None and not run and not clock:  # the common row: a date with one run
            pos = self._on_date.get(date.value)
            if pos is not None and len(pos) == 1:
                return self._ids[pos[0]], None
        target = None
        if date is not None:  # clock is 'HH:MM:SS'; no clock: midday
            h, m, sec = (int(clock[:2]), int(clock[3:5]), int(clock[6:8])) if clock else (12, 0, 0)
            target = pd.Timestamp(date.value + ((h * 60 + m) * 60 + sec) * 1_000_000_000)
        if run:
            return self._match_run(run, date, clock, target, line)
        if clock:
            best = self._by_time(None, target)
            if len(best) == 0:
                return None, (f"line {line}: no run within {MATCH_TOLERANCE_MIN:.0f} min of "
                              f"{target:%Y-%m-%d %H:%M} (local time); {self.nearest(target)}. Fix the "
                              "date/time (the run's local start), or give its run_id in a 'run' column")
            if len(best) > 1:
                return None, (f"line {line}: {len(best)} runs at or near {target:%Y-%m-%d %H:%M}; "
                              f"{self.nearest(target, k=len(best), among=pd.Index(best))}. Give the run's "
                              "exact local start time, or its run_id in a 'run' column, to choose one")
            return best[0], None
        on_day = list(self._ids[self._on_date.get(date.value, [])])
        if len(on_day) == 0:
            return None, (f"line {line}: no run on {date:%Y-%m-%d} (the run's local date); "
                          f"{self.nearest(target)}. Fix the date, or delete the row if that run "
                          "is not in the history")
        chosen = self._prefer_run(on_day) if len(on_day) > 1 else list(on_day)
        if len(chosen) > 1:
            return None, (f"line {line}: {len(on_day)} runs on {date:%Y-%m-%d}; "
                          f"{self.nearest(target, k=len(on_day), among=pd.Index(on_day))}. Add the run's local "
                          "start time in a 'time' column (HH:MM) or its run_id in a 'run' column")
        return chosen[0], None

    def _match_run(self, run: str, date, clock, target, line):
        key = run.strip()
        if _RUN_ID_RE.match(key):
            rid = key.upper()
            if rid not in self.runs.index:
                near = self.nearest(target) if target is not None else self._nearest_id(rid)
                return None, (f"line {line}: no run with run_id {rid!r}; {near}. Fix the run_id "
                              "(see History.runs.index)")
            cands = [rid]
        else:
            name = _basename(key)
            cands = list(self._ids[sorted(set(self._on_base.get(name, ())) | set(self._on_stem.get(_stem(name), ())))])
            if not cands:
                names = sorted(set(self.base) - {""})
                similar = [b for b in names if _stem(name) in b]
                similar += [b for b in difflib.get_close_matches(name, names, n=3, cutoff=0.6) if b not in similar]
                similar = similar[:3]
                hint = (f"similar file names: {', '.join(similar)}" if similar
                        else (self.nearest(target) if target is not None else "no similar file name"))
                return None, (f"line {line}: no run read from a file named {key!r}; {hint}. Fix the "
                              "file name (as in History.runs['source']) or give the run_id")
        if len(cands) > 1 and target is not None:
            if clock:
                cands = self._by_time(cands, target)
            else:
                cands = [c for c in cands if self.date_of(c) == date]
            if not cands:
                return None, (f"line {line}: file {key!r} has no run matching the row's date/time; "
                              f"{self.nearest(target)}. Fix the date/time or give the run_id")
        if len(cands) > 1 and not clock:
            cands = self._prefer_run(cands)
        if len(cands) > 1:
            return None, (f"line {line}: {key!r} holds {len(cands)} runs (sessions); "
                          f"{self.nearest(self.start.loc[cands[0]], k=len(cands), among=pd.Index(cands))}. "
                          "Give the run_id in the 'run' column instead")
        rid = cands[0]
        if date is not None:
            if clock:
                if len(self._by_time([rid], target)) == 0:
                    return None, (f"line {line}: run {key!r} is {_describe_run(rid, self.start.loc[rid], self.runs.loc[rid])}, "
                                  f"but the row says {target:%Y-%m-%d %H:%M}; fix the date/time or the run")
            elif self.date.loc[rid] != date:
                return None, (f"line {line}: run {key!r} is on {self.date.loc[rid]:%Y-%m-%d} "
                              f"({_describe_run(rid, self.start.loc[rid], self.runs.loc[rid])}), but the row "
                              f"says {date:%Y-%m-%d}; fix the date or the run")
        return rid, None

    def _nearest_id(self, rid: str) -> str:
        try:
            t = pd.Timestamp(rid.replace("Z", ""))
        except ValueError:
            return "see History.runs.index"
        gap = (pd.to_datetime(self.runs["start_time"], utc=True).dt.tz_localize(None) - t).abs()
        picked = gap.sort_values(kind="stable").index[:3]
        return "runs nearest to it: " + "; ".join(
            _describe_run(r, self.start.loc[r], self.runs.loc[r]) for r in picked)


def _identify(table: _Table, runs, tz, problems: list[str]):
    """Parse date/time/run of every row and match them.

    Returns lists (date, clock 'HH:MM' or None, run text or None, run_id or None).
    """
    matcher = _Matcher(runs, tz) if runs is not None else None
    dates, clocks, run_texts, run_ids = [], [], [], []
    iso = _plain_iso_dates(table.cells.get("date"))
    for i, line in enumerate(table.lines):
        date_txt, time_txt, run_txt = table.get("date", i), table.get("time", i), table.get("run", i)
        date = clock = None
        ok = True
        if iso is not None and iso[i] is not pd.NaT:
            date = iso[i]
        elif date_txt:
            try:
                date, clock = _parse_date(date_txt)
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
                ok = False
        if time_txt:
            try:
                t = _parse_time(time_txt)
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
                ok = False
            else:
                if clock is not None and clock != t:
                    problems.append(f"line {line}: the date {date_txt!r} carries a time that differs from "
                                    f"time {time_txt!r}; keep only the date in the date column")
                    ok = False
                clock = t
        if date is None and clock is not None and ok:
            problems.append(f"line {line}: a time ({time_txt}) without a date; add the run's local date "
                            "(YYYY-MM-DD)")
            ok = False
        if date is None and not run_txt and ok:
            problems.append(f"line {line}: no date and no run; add the run's local date (YYYY-MM-DD) "
                            "or its run_id / file name in the 'run' column")
            ok = False
        rid = None
        if ok and matcher is not None:
            rid, problem = matcher.match(date, clock, run_txt or None, line)
            if problem:
                problems.append(problem)
            else:
                date = matcher.date_of(rid)
        elif ok and run_txt and _RUN_ID_RE.match(run_txt):
            rid = run_txt.upper()
        dates.append(date)
        clocks.append(clock[:5] if clock else None)
        run_texts.append(run_txt or None)
        run_ids.append(rid)
    return dates, clocks, run_texts, run_ids


# ==========================================================================
# Typed columns
# ==========================================================================
def _numbers(table: _Table, name: str, problems: list[str], rng=None, label=None) -> np.ndarray:
    """Column *name* as float64 (NaN where empty); a problem per bad or out-of-range cell, in row order.

    Cells that are plain numbers (``-12.5``, ``3e2``: no spaces, separators or
    decimal comma) are converted all at once; only the others go through
    :func:`_parse_number` one by one.
    """
    out = np.full(len(table), np.nan)
    if name not in table.cells:
        return out
    head = table.columns.get(name, name)
    cells = np.asarray(table.cells[name], dtype=object)
    plain = pd.Series(cells, dtype="object").str.match(_NUMBER_RE).to_numpy(dtype=bool) if len(cells) else \
        np.zeros(0, dtype=bool)
    if table.decimal_comma and plain.any():  # '1.500' in a ';' file is ambiguous: said by _parse_number
        plain = plain & ~pd.Series(cells, dtype="object").str.match(_THOUSANDS_DOT_RE).to_numpy(dtype=bool)
    vals = cells[plain].astype(np.float64)  # float(text) of every plain cell
    ok = np.ones(len(vals), dtype=bool) if rng is None else (rng[0] <= vals) & (vals <= rng[1])
    out[np.flatnonzero(plain)[ok]] = vals[ok]
    slow = np.flatnonzero(~plain & (cells != ""))
    bad_range = np.flatnonzero(plain)[~ok]
    for i in np.sort(np.concatenate([slow, bad_range])):
        text = cells[i]
        try:
            v = _parse_number(text, table.decimal_comma)
        except ValueError as exc:
            problems.append(f"line {table.lines[i]}: {head}: {exc}")
            continue
        if rng is not None and not (rng[0] <= v <= rng[1]):
            problems.append(f"line {table.lines[i]}: {head} {text} is outside {rng[0]:g}-{rng[1]:g}"
                            f"{' ' + label if label else ''}; fix the value")
            continue
        out[i] = v
    return out


def _strings(table: _Table, name: str, lower: bool = False) -> pd.Series:
    vals = table.cells.get(name, [""] * len(table))
    vals = [(v.lower() if lower else v) if v else None for v in vals]
    return pd.Series(vals, dtype="object").astype("string")


def _choice(table: _Table, name: str, aliases: dict[str, str], allowed, problems, normalize) -> pd.Series:
    out = []
    head = table.columns.get(name, name)
    for i, text in enumerate(table.cells.get(name, [""] * len(table))):
        if not text:
            out.append(None)
            continue
        key = normalize(text)
        val = key if key in allowed else aliases.get(key)
        if val is None:
            close = difflib.get_close_matches(key, list(allowed) + list(aliases), n=1, cutoff=0.6)
            hint = f" (did you mean {aliases.get(close[0], close[0])!r}?)" if close else ""
            problems.append(f"line {table.lines[i]}: {head} {text!r} is not one of "
                            f"{', '.join(allowed)}{hint}; fix the value")
        out.append(val)
    return pd.Series(out, dtype="object").astype("string")


def _extras_frame(table: _Table, index) -> pd.DataFrame:
    if not table.extras:
        return pd.DataFrame(index=index)
    return pd.DataFrame({k: v.set_axis(index) for k, v in table.extras.items()}, index=index)


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
    with np.errstate(invalid="ignore"):
        late = onset_min > np.ceil(dur_s / 60.0)            # NaN on either side: False
        far = onset_km > np.ceil(dist_m / 100.0) / 10.0
    for i in np.flatnonzero(late | far):
        rid = run_ids[i]
        if late[i]:
            problems.append(f"line {lines[i]}: onset {onset_min[i]:g} min is after the end of run {rid} "
                            f"({dur_s[i] / 60:.1f} min long); fix the onset or the run's date/time")
        if far[i]:
            problems.append(f"line {lines[i]}: onset {onset_km[i]:g} km is beyond the end of run {rid} "
                            f"({dist_m[i] / 1000:.2f} km long); fix the onset or the run's date/time")


def _subset(table: _Table, rows: list[int]) -> _Table:
    """The rows *rows* of *table* (line numbers kept)."""
    return _Table(table.path, table.columns, {k: [v[i] for i in rows] for k, v in table.cells.items()},
                  {k: v.iloc[rows].reset_index(drop=True) for k, v in table.extras.items()},
                  [table.lines[i] for i in rows], decimal_comma=table.decimal_comma)


def _tracking_kind(note: str) -> str | None:
    """'start' / 'end' when a notes cell marks the journal period (:data:`TRACKING_NOTES`), else None."""
    key = " ".join(note.lower().split()).rstrip(".").strip()
    return TRACKING_NOTES.get(key)


def _journal_period(table: _Table, rows: list[int], problems: list[str]) -> dict:
    """Read the period rows (*rows* of *table*): ``{'start': (date, line), 'end': (date, line)}``."""
    found: dict[str, list[tuple[pd.Timestamp, int]]] = {"start": [], "end": []}
    others = [c for c in table.cells if c not in ("date", "notes")]
    for i in rows:
        line, note = table.lines[i], table.get("notes", i)
        kind = _tracking_kind(note)
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
            date, clock = _parse_date(text)
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
    EpisodeError
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
    date          date or run   the run's local date: ``2024-03-05`` (also ``2024/03/05``
                                and day-first ``05.03.2024``; slashed ``03/05/2024`` is
                                refused as ambiguous)
    time          no            the run's local start, ``07:30`` (``7:30 PM`` accepted);
                                needed only to choose between runs of one day
    run           date or run   a run_id (``20240305T0630Z``) or the activity's file name
    onset_min     no            minutes into the run (wall clock, pauses included), >= 0
    onset_km      no            kilometres into the run, >= 0
    duration_min  no            how long the numbness lasted [min]
    side          no            left, right, both (also l, r, b, left foot, bilateral)
    location      no            toes, forefoot, midfoot, heel, sole, top_of_foot,
                                whole_foot, lower_leg, thigh, other (see
                                :data:`LOCATION_ALIASES`)
    severity      no            0 (barely) to 10 (worst), decimals allowed
    notes         no            free text
    ============  ============  ==========================================================

    Any other column is kept as it is.  Empty cells are <NA>.  Numbers use a
    decimal point; in ``;``- or tab-separated files (European spreadsheets)
    a decimal comma too.  Rows and blank lines made only of separators are
    skipped.  A date without time must have exactly one run that day (when
    the other activities that day all have a known sport other than running,
    the only running one is taken).  A time picks the run starting nearest
    to it within :data:`START_TOLERANCE_MIN`; else the one run whose
    start-to-end span contains it (so ``00:10`` the next day finds a run
    started at 23:50); else the one run whose span is within
    :data:`MATCH_TOLERANCE_MIN`; several equally good runs are an error.
    An onset after the run's end (its duration rounded up to the
    minute, its distance up to 0.1 km) is an error.

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
    tz = _check_tz(tz, EpisodeError)
    runs, _ = _runs_of(history)
    table = _load_table(path_or_frame, EPISODE_ALIASES, EpisodeError, "journal", max_bytes)
    problems: list[str] = []
    marks = [i for i in range(len(table)) if _tracking_kind(table.get("notes", i))]
    period = _journal_period(table, marks, problems)
    if marks:
        table = _subset(table, [i for i in range(len(table)) if i not in set(marks)])
    dates, clocks, run_texts, run_ids = _identify(table, runs, tz, problems)
    nums = {name: _numbers(table, name, problems, _EPISODE_RANGES[name],
                           "(0 barely, 10 worst)" if name == "severity" else None)
            for name in ("onset_min", "onset_km", "duration_min", "severity")}
    side = _choice(table, "side", SIDE_ALIASES, schema.SIDES, problems, lambda s: " ".join(s.lower().split()))
    location = _choice(table, "location", LOCATION_ALIASES, schema.LOCATIONS, problems,
                       lambda s: re.sub(r"[\s\-]+", "_", s.strip().lower()))
    _check_onsets(nums["onset_min"], nums["onset_km"], run_ids, runs, table.lines, problems)
    if problems:
        raise EpisodeError(sorted(problems, key=_line_key), table.path)
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
        "notes": _strings(table, "notes"),
        "line": pd.Series(table.lines, dtype="int64"),
    }, index=index)
    out = out[list(schema.EPISODE_COLUMNS)]
    extras = _extras_frame(table, index)
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


def _line_key(problem: str):
    m = re.match(r"line (\d+)", problem)
    return int(m.group(1)) if m else 0


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
    tz = _check_tz(tz, NotesError)
    runs, _ = _runs_of(history)
    table = _load_table(path_or_frame, NOTES_ALIASES, NotesError, "notes", max_bytes)
    problems: list[str] = []
    run_ids = _identify(table, runs, tz, problems)[3]
    cols = {}
    for name in ("fluid_ml", "body_mass_pre_kg", "body_mass_post_kg", "rpe", "warmup_min", "sleep_h"):
        cols[name] = _numbers(table, name, problems, NOTES_RANGES[name])
    if "fluid_l" in table.cells:
        lo, hi = NOTES_RANGES["fluid_ml"]
        cols["fluid_ml"] = _numbers(table, "fluid_l", problems, (lo / 1000.0, hi / 1000.0), "litres") * 1000.0
    pre, post = cols["body_mass_pre_kg"], cols["body_mass_post_kg"]
    with np.errstate(invalid="ignore"):
        bad = np.abs(post - pre) > MAX_MASS_CHANGE_FRACTION * pre
    for i in np.flatnonzero(bad):
        problems.append(f"line {table.lines[i]}: body mass {pre[i]:g} kg before and {post[i]:g} kg after "
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
        raise NotesError(sorted(problems, key=_line_key), table.path)
    n = len(table)
    data = {}
    for name in schema.NOTES_COLUMNS:
        if name in _NOTES_STRINGS:
            data[name] = _strings(table, name, lower=name in _NOTES_LOWER)
        else:
            data[name] = pd.Series(cols[name], dtype="float64")
    for head, s in extras.items():
        data[head] = s
    out = pd.DataFrame(data, index=pd.RangeIndex(n))
    out.index = pd.Index(pd.Series(run_ids, dtype="object").astype("string"), name="run_id")
    lines = [int(x) for x in table.lines]
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
    texts = [_cell_text(v) for v in s.tolist()]
    try:
        nums = [_parse_number(t, decimal_comma) if t else np.nan for t in texts]
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
    runs, _ = _runs_of(history)
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


# ==========================================================================
# Per-run outcome table
# ==========================================================================
def _as_date(value, what: str):
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            date, clock = _parse_date(value)
        except ValueError as exc:
            raise EpisodeError(f"tracked {what}: {exc}") from None
        if clock is not None:
            raise EpisodeError(f"tracked {what} {value!r}: give a date (YYYY-MM-DD), not a time")
        return date
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise EpisodeError(f"tracked {what} {value!r} is not a date; give YYYY-MM-DD or None") from None
    if pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        raise EpisodeError(f"tracked {what} {value!r} has a time zone; give the local date (YYYY-MM-DD)")
    return ts.normalize()


_STATE_PERIOD = ("state it with --tracked START[:END] on the command line (e.g. --tracked 2024-03-01), "
                 "tracked=(start, end) in Python (e.g. tracked=('2024-03-01', None); None = open end), or a "
                 "'tracking started' row in the journal (docs/journal.md)")


def tracked_period(tracked, episodes: pd.DataFrame | None = None, runs=None
                   ) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The period the journal covers, as (first, last) local dates, inclusive.

    Parameters
    ----------
    tracked : tuple (start, end) or None
        Local dates (``'2024-03-01'``, ``datetime.date``, Timestamp) or None
        for an open end: ``("2024-03-01", None)`` = from 1 March 2024 on,
        ``(None, None)`` = the whole history.  ``None`` (not given): the
        period the journal states (``episodes.attrs['tracked']``, its
        ``tracking started`` / ``tracking ended`` rows, see
        :func:`read_episodes`), each end not stated defaulting as follows:
        start = the first journal entry (earliest date of any row), end =
        the end of the history (the last run's local date; open end without
        *runs*).  Never the last episode: a period that ends with the last
        episode is chosen by the outcome and would drop every run after it
        from the controls.  A :class:`~runlog.errors.RunlogWarning` asks to
        state the period when its start is not stated.
    episodes : DataFrame, optional
        The journal (:func:`read_episodes`), for the default.
    runs : History or DataFrame, optional
        The history (``start_local``), for the default end.

    Returns
    -------
    (start, end) : Timestamp or None each
        With ``tracked=None`` and no journal entry at all: an empty period
        (start after end), so no run is tracked.

    Raises
    ------
    EpisodeError
        When *tracked* is not a pair of dates or start is after end.

    Warns
    -----
    RunlogWarning
        *tracked* not given and the journal states no start.
    """
    if tracked is None:
        stated = tuple((episodes.attrs.get("tracked") if episodes is not None else None) or (None, None))
        start, end = (None if v is None else pd.Timestamp(v).normalize() for v in stated)
        dates = (pd.to_datetime(episodes["date"]).dropna() if episodes is not None and "date" in episodes
                 else pd.Series([], dtype="datetime64[ns]"))
        if start is not None:
            if end is None:
                end = _history_end(runs)
            return start, end
        entries = [d for d in (dates.min() if len(dates) else None, end) if d is not None]
        if not entries:
            warnings.warn("tracked period not given and the journal has no entry: no run counts as "
                          "tracked; " + _STATE_PERIOD, RunlogWarning, stacklevel=3)
            return pd.Timestamp.max.floor("D"), pd.Timestamp.min.ceil("D")  # empty period
        start = min(entries).normalize()
        stated_end = end is not None
        if end is None:
            end = _history_end(runs)
        if end is None:
            until = "the end of the history"
        else:
            until = f"{end:%Y-%m-%d} ({'the tracking ended row' if stated_end else 'last run of the history'})"
        warnings.warn(f"tracked period not given: assuming the journal covers {start:%Y-%m-%d} (first journal "
                      f"entry) to {until}; runs before it are neither cases nor controls. If you kept the "
                      "journal from another date, " + _STATE_PERIOD, RunlogWarning, stacklevel=3)
        return start, end
    if isinstance(tracked, (str, bytes)) or not hasattr(tracked, "__len__") or len(tracked) != 2:
        raise EpisodeError(f"tracked={tracked!r}: give a pair (first_date, last_date), e.g. "
                           "('2024-03-01', None); None = open end")
    start, end = _as_date(tracked[0], "start"), _as_date(tracked[1], "end")
    if start is not None and end is not None and start > end:
        raise EpisodeError(f"tracked period starts {start:%Y-%m-%d} after it ends {end:%Y-%m-%d}; "
                           "swap the dates")
    return start, end


def _history_end(runs) -> pd.Timestamp | None:
    """The last run's local date (None without runs)."""
    if runs is None:
        return None
    frame, _ = _runs_of(runs)
    if frame is None or not len(frame) or "start_local" not in frame:
        return None
    last = pd.to_datetime(frame["start_local"]).astype("datetime64[ns]").max()
    return None if pd.isna(last) else pd.Timestamp(last).normalize()


def _onset_from_records(rec: pd.DataFrame, onset_min: float, onset_km: float) -> tuple[float, float]:
    """Fill the missing onset from a run's records: distance covered at
    ``onset_min`` or time at which ``onset_km`` was reached (linear
    interpolation between samples; distance counted from the first sample)."""
    t = rec["elapsed_s"].to_numpy(dtype="float64")
    d = rec["distance_m"].to_numpy(dtype="float64")
    ok = np.isfinite(t) & np.isfinite(d)
    t, d = t[ok], d[ok]
    if len(t) < 2:
        return np.nan, np.nan
    d = np.maximum.accumulate(d - d[0])
    if np.isfinite(onset_min) and not np.isfinite(onset_km):
        s = onset_min * 60.0
        if s > t[-1]:
            return np.nan, np.nan
        return onset_min, float(np.interp(s, t, d)) / 1000.0
    if np.isfinite(onset_km) and not np.isfinite(onset_min):
        m = onset_km * 1000.0
        if m > d[-1]:
            return np.nan, np.nan
        j = int(np.searchsorted(d, m, side="left"))
        if j == 0:
            return t[0] / 60.0, onset_km
        frac = (m - d[j - 1]) / (d[j] - d[j - 1]) if d[j] > d[j - 1] else 1.0
        return float(t[j - 1] + frac * (t[j] - t[j - 1])) / 60.0, onset_km
    return onset_min, onset_km


def _fill_onsets(eps: pd.DataFrame, runs: pd.DataFrame, records) -> pd.DataFrame:
    """Fill a missing onset_min from onset_km (or the reverse): from the run's
    records when given, else at the run's average elapsed pace."""
    om = eps["onset_min"].to_numpy(dtype="float64").copy()
    ok_ = eps["onset_km"].to_numpy(dtype="float64").copy()
    how = np.array([None] * len(eps), dtype=object)
    has_records = records is not None and len(records) > 0
    for i, rid in enumerate(eps["run_id"].to_numpy(dtype=object)):
        if np.isfinite(om[i]) == np.isfinite(ok_[i]):
            continue  # both given or none
        if has_records:
            try:
                rec = records.xs(rid, level=0)
            except KeyError:
                rec = None
            if rec is not None and len(rec):
                a, b = _onset_from_records(rec, om[i], ok_[i])
                if np.isfinite(a) and np.isfinite(b):
                    om[i], ok_[i], how[i] = a, b, "records"
                    continue
        dur_s = float(runs.at[rid, "elapsed_s"])
        dist_m = float(runs.at[rid, "distance_m"])
        if not (np.isfinite(dur_s) and np.isfinite(dist_m) and dur_s > 0 and dist_m > 0):
            continue
        # constant average pace over the run: km / distance = min / duration
        if np.isfinite(om[i]):
            ok_[i] = om[i] * 60.0 / dur_s * dist_m / 1000.0
        else:
            om[i] = ok_[i] * 1000.0 / dist_m * dur_s / 60.0
        how[i] = "average_pace"
    return eps.assign(onset_min=om, onset_km=ok_,
                      onset_fill=pd.Series(how, index=eps.index, dtype="object").astype("string"))


def episode_flags(runs, episodes: pd.DataFrame, tracked=None, *, records=None) -> pd.DataFrame:
    """One row per run: inside the journal period? numbness? first onset.

    Parameters
    ----------
    runs : History or DataFrame
        ``History`` (its records then fill missing onsets) or ``History.runs``.
    episodes : DataFrame
        :func:`read_episodes` output read *with* this history (``run_id``
        filled).
    tracked : tuple (start, end) or None
        The period the journal covers, local dates inclusive, None = open
        end (see :func:`tracked_period`).  Not given: the period the journal
        states (its ``tracking started`` / ``tracking ended`` rows, see
        :func:`read_episodes`); an end it does not state defaults to the
        first journal entry (start, with a warning) and the last run of the
        history (end).
    records : DataFrame, optional
        ``History.records`` (MultiIndex run_id/time) when *runs* is a frame.

    Returns
    -------
    DataFrame
        Index ``run_id`` (every run), columns :data:`FLAG_COLUMNS`:

        * ``tracked`` (bool): the run's local date is inside the period;
          the analysis uses only these: ``numb`` runs are cases, the others
          controls.
        * ``numb`` (bool): at least one episode (severity 0 included).
        * ``n_episodes`` (int64).
        * ``onset_min`` [min], ``onset_km`` [km]: onset of the run's first
          episode (smallest onset; rows without onset come last, ties by
          line); NaN without an episode or onset.  When only one of the two
          was written, the other is filled from the run's records (distance
          at that elapsed time, or elapsed time when that distance was
          reached, linear interpolation between samples), else at the run's
          average pace, ``onset_km = onset_min * distance_km / duration_min``
          (constant speed); ``onset_fill`` says which ('records',
          'average_pace' or <NA> as written).
        * ``max_severity`` (float, 0-10): highest severity of the run's
          episodes.
        * ``side``, ``location`` (string): of the first episode.

    Raises
    ------
    EpisodeError
        Episodes without ``run_id`` (read without a history) or with a
        run_id not in *runs*; a bad *tracked*.

    Warns
    -----
    RunlogWarning
        *tracked* not given and the journal states no start; episodes
        outside the tracked period.
    """
    if records is None:
        records = getattr(runs, "records", None)
    runs, _ = _runs_of(runs)
    problems = []
    rid = episodes["run_id"].astype("string") if len(episodes) else pd.Series([], dtype="string")
    lines = episodes["line"] if "line" in episodes else pd.Series(range(2, len(episodes) + 2))
    for i in np.flatnonzero(rid.isna().to_numpy()):
        problems.append(f"line {lines.iloc[i]}: episode not tied to a run; read the journal with "
                        "runlog.read_episodes(path, history=history)")
    unknown = rid.notna().to_numpy() & ~rid.isin(runs.index).to_numpy()
    for i in np.flatnonzero(unknown):
        problems.append(f"line {lines.iloc[i]}: run {rid.iloc[i]} is not in this history; read the "
                        "journal with the same history")
    if problems:
        raise EpisodeError(problems, episodes.attrs.get("source"))
    start, end = tracked_period(tracked, episodes, runs)
    local_date = pd.to_datetime(runs["start_local"]).astype("datetime64[ns]").dt.normalize()
    inside = pd.Series(True, index=runs.index)
    if start is not None:
        inside &= local_date >= start
    if end is not None:
        inside &= local_date <= end

    out = pd.DataFrame(index=pd.Index(runs.index.astype("string"), name="run_id"))
    out["tracked"] = inside.to_numpy(dtype=bool)
    if len(episodes):
        eps = _fill_onsets(episodes.reset_index(drop=True).assign(run_id=rid.to_numpy(dtype=object)),
                           runs, records)
        eps = eps.assign(_no_onset=eps["onset_min"].isna() & eps["onset_km"].isna(),
                         _onset=eps["onset_min"].fillna(np.inf), _line=lines.to_numpy())
        eps = eps.sort_values(["run_id", "_no_onset", "_onset", "_line"], kind="stable")
        # the first row of each run (groupby.first() would take each column's first non-null value)
        first = eps.drop_duplicates("run_id", keep="first").set_index("run_id")
        g = eps.groupby("run_id", sort=False)
        n = g.size()
        max_sev = g["severity"].max()
        outside = ~inside.reindex(eps["run_id"]).to_numpy()
        if outside.any():
            n_out = int(outside.sum())
            warnings.warn(f"{n_out} episode(s) on runs outside the tracked period (line{'s' if n_out > 1 else ''} "
                          f"{', '.join(str(x) for x in sorted(eps['_line'][outside])[:10])}): they do not "
                          "count as cases; widen tracked if you kept the journal then",
                          RunlogWarning, stacklevel=2)
    else:
        first = pd.DataFrame(columns=["onset_min", "onset_km", "onset_fill", "side", "location"])
        n = pd.Series(dtype="int64")
        max_sev = pd.Series(dtype="float64")
    out["n_episodes"] = n.reindex(out.index).fillna(0).astype("int64").to_numpy()
    out["numb"] = out["n_episodes"] > 0
    for c in ("onset_min", "onset_km"):
        out[c] = pd.to_numeric(first[c].reindex(out.index), errors="coerce").astype("float64").to_numpy()
    out["onset_fill"] = first["onset_fill"].reindex(out.index).astype("string").to_numpy()
    out["max_severity"] = pd.to_numeric(max_sev.reindex(out.index), errors="coerce").astype("float64").to_numpy()
    for c in ("side", "location"):
        out[c] = first[c].reindex(out.index).astype("string").to_numpy()
    out["onset_fill"] = out["onset_fill"].astype("string")
    out["side"] = out["side"].astype("string")
    out["location"] = out["location"].astype("string")
    return out[list(FLAG_COLUMNS)]
