"""Reading a user's spreadsheet (CSV) into typed columns, every problem reported together.

The journal, the run notes and the weather table are small CSV files a
person keeps in a spreadsheet.  This module reads such a file (or a pandas
frame with the same columns) the same way for all of them:

* decoding: UTF-8 with or without byte-order mark, UTF-16 with one; a
  legacy encoding or a workbook (.xlsx/.xls) is refused with the fix;
* the separator (``,``, ``;`` or tab) sniffed from the header line, any
  line endings, blank lines and rows of empty cells skipped;
* headers normalised (``Onset (min)`` -> ``onset_min``) and mapped to
  canonical names through the caller's aliases; unknown headers kept as
  extra columns (a warning when one is close to a known name);
* the CSV line of every row (header = line 1; a frame's row *i* is line
  *i* + 2) so that every problem names its line;
* value parsers for numbers (a decimal comma in ``;``/tab files), dates
  (ISO, day-first dotted, slashed when only one reading is a date; years
  within :data:`DATE_YEARS`) and times of day,
  and column helpers that collect one problem per bad cell instead of
  stopping at the first.

Callers collect problems in a list and raise their own error class
(:class:`~runlog.errors.JournalError`, :class:`~runlog.errors.NotesError`,
...) with all of them, sorted by :func:`line_key`.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import RunlogWarning

__all__ = [
    "Table", "load_table", "resolve_headers", "normalize_header", "cell_text", "size_text", "line_key",
    "parse_number", "parse_date", "parse_time", "plain_iso_dates", "numbers", "strings", "choice",
    "extras_frame", "subset", "MAX_JOURNAL_BYTES", "DATE_YEARS", "ProblemList", "MAX_KEPT_PROBLEMS",
]

#: Problems a :class:`ProblemList` keeps (those of the first lines); the rest are only counted.
MAX_KEPT_PROBLEMS = 100

#: Largest journal / notes file runlog reads [bytes]: 5 MiB.  A runner's journal
#: is kilobytes (a 10-year daily journal with notes is < 1 MB); anything larger
#: is the wrong file.  ``read_episodes(..., max_bytes=)`` and
#: ``read_run_notes(..., max_bytes=)`` override it.
MAX_JOURNAL_BYTES = 5 * 1024 * 1024

#: Years a journal, notes or weather date may have (inclusive).  GPS watches date from the 1990s; a
#: year outside this range is a typo (``0024-04-24``), and pandas' nanosecond timestamps end in 2262.
DATE_YEARS = (1900, 2199)

_ISO_DATE_RE = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$")
_DOT_DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_SLASH_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([ap]\.?m\.?)?$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_DOT_RE = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


# ==========================================================================
# Problems: every one counted, the first ones kept
# ==========================================================================
class ProblemList(list):
    """The problems of one file: a list that counts every problem appended but keeps only the
    *limit* of the first lines (:func:`line_key`), so that a file of a million bad rows
    costs memory and message text for *limit* problems, not a million.

    Parameters
    ----------
    limit : int, default :data:`MAX_KEPT_PROBLEMS`
        Problems kept.

    Attributes
    ----------
    total : int
        Problems appended in all (kept or not).
    """

    def __init__(self, limit: int = MAX_KEPT_PROBLEMS):
        super().__init__()
        self.limit = int(limit)
        self.total = 0
        self._cutoff: int | None = None   # once *limit* are kept: the last line among them

    def append(self, problem: str) -> None:
        """Count *problem*; keep it unless *limit* problems of earlier lines are kept.

        Parameters
        ----------
        problem : str
            ``'line N: ...'`` (a problem without a line is about the whole file: always kept).
        """
        self.total += 1
        if self._cutoff is not None and line_key(problem) > self._cutoff:
            return   # later than every kept problem: counted only
        super().append(problem)
        if len(self) >= 2 * self.limit:
            self._trim()

    def add(self, line: int, text: str) -> None:
        """Append ``'line {line}: {text}'``, formatted only when it is kept.

        Parameters
        ----------
        line : int
            The CSV line.
        text : str
            The problem, without its line.
        """
        if self._cutoff is not None and line > self._cutoff:
            self.total += 1
            return
        self.append(f"line {line}: {text}")

    def extend(self, problems) -> None:
        """:meth:`append` each of *problems*.

        Parameters
        ----------
        problems : iterable of str
            Problems.
        """
        for p in problems:
            self.append(p)

    def _trim(self) -> None:
        kept = sorted(self, key=line_key)[:self.limit]
        self.clear()
        super().extend(kept)
        if len(kept) == self.limit:
            self._cutoff = line_key(kept[-1])

    def by_line(self) -> ProblemList:
        """The kept problems sorted by line (stable), at most *limit* of them; *total* kept.

        Returns
        -------
        ProblemList
            This list, sorted and trimmed.
        """
        self._trim()
        return self


# ==========================================================================
# Reading the table
# ==========================================================================
@dataclass
class Table:
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
        """The cell text of column *name* in row *i*.

        Parameters
        ----------
        name : str
            Canonical column name.
        i : int
            Row number (0-based, not the CSV line).

        Returns
        -------
        str
            '' when the table has no such column.
        """
        col = self.cells.get(name)
        return col[i] if col is not None else ""


def normalize_header(name) -> str:
    """'Onset (min)' -> 'onset_min': lower case, non-alphanumerics -> '_'.

    Parameters
    ----------
    name : object
        A header as written (a byte-order mark is dropped).

    Returns
    -------
    str
        The normalised name.
    """
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
    if '"' not in text:   # no quoted field, so no record spans lines: record i is on line i
        return list(zip(range(1, len(text) + 2), reader))
    prev = 0
    for fields in reader:
        out.append((prev + 1, fields))
        prev = reader.line_num
    return out


def cell_text(value) -> str:
    """The text of one spreadsheet cell: '' for an empty one, ``3`` for ``3.0``.

    Parameters
    ----------
    value : object
        The cell value (None, NaN, a number or text).

    Returns
    -------
    str
    """
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


def resolve_headers(headers: list[str], aliases: dict[str, tuple[str, ...]], err, path, kind: str,
                    line: int = 1, *, ambiguous=None, reserved=frozenset(), check=None,
                    duplicates: str = "error"):
    """Map headers (on CSV line *line*) to canonical names.

    Parameters
    ----------
    headers : list of str
        The header cells as written.
    aliases : dict
        Canonical name -> accepted normalised headers (:func:`normalize_header`).
    err : type
        The error class raised with every problem (e.g. ``JournalError``).
    path : str or None
        The file, named in the error.
    kind : str
        What the file is ('journal', 'notes', 'weather'), in messages.
    line : int, default 1
        The CSV line of the header.
    ambiguous : dict, optional
        Normalised header -> fix, for headers refused because their unit is
        ambiguous (unless they are an alias).
    reserved : set of str, optional
        Names an extra column may not take (columns the reader adds).
    check : callable, optional
        ``check(found, headers, line) -> list[str]``: further problems with
        the columns found (canonical -> position), e.g. a required column
        missing.
    duplicates : {'error', 'first_alias'}, default 'error'
        Two columns meaning the same canonical column: a problem ('error'),
        or the one whose header comes first in *aliases* is used and the
        other kept as an extra column ('first_alias'; of two with the same
        header, the first).

    Returns
    -------
    (dict, list)
        Canonical name -> position, and the positions of the extra columns.

    Raises
    ------
    err
        With every problem of the header line.
    """
    ambiguous = ambiguous or {}
    lookup = {alias: canon for canon, names in aliases.items() for alias in names}
    found: dict[str, int] = {}
    extras: list[int] = []
    problems = []
    seen_extra: dict[str, int] = {}
    for pos, head in enumerate(headers):
        key = normalize_header(head)
        if key == "":
            extras.append(pos)  # checked later: unnamed columns must be empty
            continue
        if key in ambiguous and key not in lookup:
            problems.append(f"line {line}: column {head!r}: {ambiguous[key]}")
            continue
        canon = lookup.get(key)
        if canon is None:
            if head in reserved:
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
        if canon in found and duplicates == "first_alias":
            names = aliases[canon]
            if names.index(key) < names.index(normalize_header(headers[found[canon]])):
                extras.append(found[canon])
                found[canon] = pos
            else:
                extras.append(pos)
            continue
        if canon in found:
            problems.append(f"line {line}: columns {headers[found[canon]]!r} and {head!r} both mean "
                            f"{canon!r}; delete or rename one of them")
            continue
        found[canon] = pos
    if check is not None:
        problems.extend(check(found, headers, line))
    if problems:
        raise err(problems, path)
    return found, extras


def size_text(n: int) -> str:
    """A byte count in words: '850 bytes', '12.5 KiB', '7.3 MiB'.

    Parameters
    ----------
    n : int
        Size [bytes].

    Returns
    -------
    str
    """
    if n < 1024:
        return f"{n:,} bytes"
    if n < 1024 ** 2:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 ** 2:.1f} MiB"


def load_table(path_or_frame, aliases, err, kind: str, max_bytes: int | None = None, *, ambiguous=None,
               reserved=frozenset(), check=None, duplicates: str = "error", row_word: str = "row",
               size_note: str | None = None) -> Table:
    """Read a CSV file (or take a DataFrame) into a :class:`Table`.

    Parameters
    ----------
    path_or_frame : str, PathLike, file object or DataFrame
        The file (only read) or a frame with the same columns.
    aliases, err, kind, ambiguous, reserved, check, duplicates
        As for :func:`resolve_headers`.
    max_bytes : int, optional
        A file larger than this [bytes] (default :data:`MAX_JOURNAL_BYTES`) is
        refused unread.
    row_word : str, default 'row'
        What one row is ('episode', 'run', 'hour'), in the message for an
        empty file.
    size_note : str, optional
        How large such a file usually is, in the message for a file larger
        than *max_bytes*; default "a runner's <kind> is a few kilobytes".

    Returns
    -------
    Table
        Cell text per canonical column, the extra columns and the CSV line
        of every row (header = 1; a frame's row *i* is line *i* + 2).

    Raises
    ------
    err
        With every problem found in the file (all rows, not the first only).
    """
    from ..io import open_user_file

    header_opts = dict(ambiguous=ambiguous, reserved=reserved, check=check, duplicates=duplicates)

    limit = MAX_JOURNAL_BYTES if max_bytes is None else int(max_bytes)
    path = None
    size = None
    if isinstance(path_or_frame, pd.DataFrame):
        frame = path_or_frame
        headers = [str(c) for c in frame.columns]
        found, extra_pos = resolve_headers(headers, aliases, err, path, kind, **header_opts)
        n = len(frame)
        frame_lines = list(range(2, n + 2))
        cells = {canon: [cell_text(v) for v in frame.iloc[:, pos].tolist()] for canon, pos in found.items()}
        extras = {headers[pos]: frame.iloc[:, pos].reset_index(drop=True) for pos in extra_pos}
        return Table(None, {c: headers[p] for c, p in found.items()}, cells, extras, frame_lines)

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
        what = size_text(size) if size is not None else f"more than {size_text(limit)}"
        note = f"a runner's {kind} is a few kilobytes" if size_note is None else size_note
        raise err(f"is {what}, larger than the limit of {size_text(limit)} for a {kind} file ({note}); is it "
                  "the right file? To read it anyway pass a larger max_bytes=", path)
    if data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise err("is a spreadsheet workbook (.xlsx/.xls), not CSV; in the spreadsheet use "
                  "'Save as' > 'CSV UTF-8'", path)
    text = _decode(data, path, err)
    sep = _sniff_separator(text)
    fast = _split_plain(text, sep)
    if fast is not None:   # no quoted field: split in one pass over the text
        header_line, headers, body_lines, body = fast
        if headers is None:
            raise err(f"is empty; a {kind} needs a header line and one row per {row_word}", path)
    else:
        try:
            rows = _read_csv_rows(text, sep)
        except csv.Error as exc:  # e.g. a field larger than the csv module's limit
            raise err(f"is not a readable CSV file ({exc}); save it again from the spreadsheet as CSV UTF-8",
                      path) from exc
        while rows and not "".join(rows[0][1]).strip():
            rows.pop(0)  # leading blank lines
        if not rows:
            raise err(f"is empty; a {kind} needs a header line and one row per {row_word}", path)
        header_line, headers = rows[0]
        body_lines, body = [r[0] for r in rows[1:]], [r[1] for r in rows[1:]]
    headers = [h.strip() for h in headers]
    found, extra_pos = resolve_headers(headers, aliases, err, path, kind, header_line, **header_opts)
    problems = ProblemList()
    n_cols = len(headers)
    columns = None if fast is None else _plain_columns(body, sep, n_cols)
    if columns is not None:
        lines = [body_lines[i] for i in columns[1]]
        columns = columns[0]
    else:
        lines, table_rows = [], []
        for line, fields in zip(body_lines, body):
            if isinstance(fields, str):
                fields = fields.split(sep)
            if len(fields) == n_cols:   # the usual row: one value per column
                row = [f.strip() for f in fields]
                if any(row):
                    lines.append(line)
                    table_rows.append(row)
                continue
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
        columns = [list(c) for c in zip(*table_rows)] if table_rows else [[] for _ in range(n_cols)]
    for pos in [p for p in extra_pos if normalize_header(headers[p]) == ""]:
        used = [ln for ln, v in zip(lines, columns[pos]) if v != ""]
        if used:
            problems.append(f"line {header_line}: column {pos + 1} has no name but values (first on line {used[0]}); "
                            "give it a header")
    extra_pos = [p for p in extra_pos if normalize_header(headers[p]) != ""]
    if problems:
        raise err(problems.by_line(), path)
    cells = {canon: columns[pos] for canon, pos in found.items()}
    extras = {headers[pos]: pd.Series([v or None for v in columns[pos]], dtype="object").astype("string")
              for pos in extra_pos}
    return Table(path, {c: headers[p] for c, p in found.items()}, cells, extras, lines,
                  decimal_comma=(sep != ","))


def _split_plain(text: str, sep: str):
    """The header and body lines of a CSV text without quotes (so one record per line), or None
    when it has quotes (or NUL characters) and needs the csv module.

    Returns (header line number, header fields or None when every line is blank, the body's line
    numbers, the body lines as text)."""
    if '"' in text or "\x00" in text:
        return None
    all_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if all_lines and all_lines[-1] == "":
        all_lines.pop()
    h = 0
    while h < len(all_lines) and not all_lines[h].replace(sep, "").strip():
        h += 1
    if h == len(all_lines):
        return 1, None, [], []
    return h + 1, all_lines[h].split(sep), range(h + 2, len(all_lines) + 1), all_lines[h + 1:]


def _plain_columns(body: list[str], sep: str, n_cols: int):
    """The body lines of a quote-free CSV split into stripped columns at C speed (pyarrow), blank
    rows and rows of empty cells left out: (columns as lists of str, positions of the rows kept);
    None when a non-blank row has another number of fields than the header (the caller's
    row-by-row path says which)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not body:
        return [[] for _ in range(n_cols)], []
    arr = pa.array(body, type=pa.large_string())
    parts = pc.split_pattern(arr, sep)
    n_fields = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
    blank = pc.equal(pc.utf8_trim_whitespace(pc.replace_substring(arr, sep, "")), "").to_numpy(
        zero_copy_only=False)
    if bool(((n_fields != n_cols) & ~blank).any()):
        return None
    keep = np.flatnonzero(~blank)
    if len(keep) < len(body):
        parts = parts.take(pa.array(keep))
    flat = pc.utf8_trim_whitespace(pc.list_flatten(parts)).to_numpy(zero_copy_only=False)
    cells = flat.reshape(len(keep), n_cols)
    filled = (cells != "").any(axis=1)   # rows of empty cells (';;;;') are not rows
    if not filled.all():
        cells, keep = cells[filled], keep[filled]
    return [cells[:, j].tolist() for j in range(n_cols)], keep.tolist()


# ==========================================================================
# Cell parsers: return the value or raise ValueError with the fix
# ==========================================================================
def parse_number(text: str, decimal_comma: bool) -> float:
    """A number written in a cell; ',' as decimal mark only in ';'/tab files.

    Parameters
    ----------
    text : str
        The cell text (spaces, also non-breaking, are ignored).
    decimal_comma : bool
        True for a ';' or tab separated file, where ``12,5`` means 12.5.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When the text is not a number or is ambiguous; the message says how to
        write it.
    """
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


def parse_date(text: str) -> tuple[pd.Timestamp, str | None]:
    """'2024-03-05', '2024/03/05', '05.03.2024' (day first), '08/15/2015' (slashed, when only one
    reading is a date), optionally with a time -> (date at midnight, 'HH:MM:SS' or None).

    Parameters
    ----------
    text : str
        The cell text.

    Returns
    -------
    (Timestamp, str or None)
        The date and the time of day, None when none or midnight.

    Raises
    ------
    ValueError
        When the text is not a date, is ambiguous (``03/05/2024``: 3 May or
        March 5), does not exist, or its year is outside :data:`DATE_YEARS`;
        the message says how to write it.
    """
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
        else:
            m = _SLASH_DATE_RE.match(s)
            if not m:
                raise ValueError(f"date {text!r} is not a date; write it as YYYY-MM-DD (e.g. 2024-03-05)")
            y, mo, d = _slashed(text, int(m.group(1)), int(m.group(2)), m.group(3))
            hh, mm, ss = m.group(4), m.group(5), m.group(6)
    lo, hi = DATE_YEARS
    if not lo <= y <= hi:
        raise ValueError(f"date {text!r}: the year {y} is outside {lo}-{hi} (a typo?); write the date as "
                         "YYYY-MM-DD, e.g. 2024-03-05")
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
    return date.as_unit("ns"), clock


def _slashed(text: str, a: int, b: int, year: str) -> tuple[int, int, int]:
    """(year, month, day) of a slashed date ``A/B/YYYY``: month/day or day/month, whichever is
    the only one with a month of at most 12; ValueError when both (or neither) are."""
    if len(year) != 4:
        raise ValueError(f"date {text!r} has a two-digit year; write it as YYYY-MM-DD (e.g. 2024-03-05)")
    us, eu = 1 <= a <= 12 and 1 <= b <= 31, 1 <= b <= 12 and 1 <= a <= 31
    if us and eu and a != b:
        raise ValueError(f"date {text!r} is ambiguous (day/month or month/day?); write it as "
                         "YYYY-MM-DD (e.g. 2024-03-05); in the spreadsheet format the column as yyyy-mm-dd")
    if not (us or eu):
        raise ValueError(f"date {text!r} is not a date (neither number is a month); write it as YYYY-MM-DD")
    return (int(year), a, b) if us else (int(year), b, a)


_PLAIN_ISO_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"


def plain_iso_dates(cells: list[str] | None) -> list | None:
    """The cells written exactly ``YYYY-MM-DD`` as Timestamps, all at once (NaT for
    every other cell, left to :func:`parse_date`); None without a date column.

    Parameters
    ----------
    cells : list of str or None
        The ``date`` cells.

    Returns
    -------
    list or None
        One Timestamp or NaT per cell.
    """
    if cells is None:
        return None
    text = pd.Series(cells, dtype="object")
    plain = text.str.match(_PLAIN_ISO_DATE_RE).fillna(False).to_numpy(dtype=bool, copy=True)
    if plain.any():   # a year outside DATE_YEARS is left to parse_date, which says so (never an overflow)
        year = pd.to_numeric(text[plain].str.slice(0, 4), errors="coerce").to_numpy()
        plain[np.flatnonzero(plain)[~((year >= DATE_YEARS[0]) & (year <= DATE_YEARS[1]))]] = False
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if plain.any():
        out[plain] = pd.to_datetime(text[plain], format="%Y-%m-%d", errors="coerce")
    return out.tolist()


def parse_time(text: str) -> str:
    """'7:05', '07:05:30', '7:05 PM' -> 'HH:MM:SS' (24 h).

    Parameters
    ----------
    text : str
        The cell text.

    Returns
    -------
    str
        ``'HH:MM:SS'``.

    Raises
    ------
    ValueError
        When the text is not a time of day.
    """
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


# ==========================================================================
# Typed columns
# ==========================================================================
def numbers(table: Table, name: str, problems: list[str], rng=None, label=None) -> np.ndarray:
    """Column *name* as float64 (NaN where empty); a problem per bad or out-of-range cell, in row order.

    Cells that are plain numbers (``-12.5``, ``3e2``: no spaces, separators or
    decimal comma) are converted all at once; only the others go through
    :func:`parse_number` one by one.

    Parameters
    ----------
    table : Table
        The table.
    name : str
        Canonical column name.
    problems : list of str
        A problem is appended per bad or out-of-range cell.
    rng : (float, float), optional
        Allowed range, inclusive, in the column's unit.
    label : str, optional
        Said after the range in a problem, e.g. ``'(0 barely, 10 worst)'``.

    Returns
    -------
    ndarray of float64
        One value per row; NaN where empty, bad or out of range.
    """
    out = np.full(len(table), np.nan)
    if name not in table.cells:
        return out
    head = table.columns.get(name, name)
    cells = np.asarray(table.cells[name], dtype=object)
    plain = pd.Series(cells, dtype="object").str.match(_NUMBER_RE).to_numpy(dtype=bool) if len(cells) else \
        np.zeros(0, dtype=bool)
    if table.decimal_comma and plain.any():  # '1.500' in a ';' file is ambiguous: said by parse_number
        plain = plain & ~pd.Series(cells, dtype="object").str.match(_THOUSANDS_DOT_RE).to_numpy(dtype=bool)
    vals = cells[plain].astype(np.float64)  # float(text) of every plain cell
    ok = np.ones(len(vals), dtype=bool) if rng is None else (rng[0] <= vals) & (vals <= rng[1])
    out[np.flatnonzero(plain)[ok]] = vals[ok]
    slow = np.flatnonzero(~plain & (cells != ""))
    bad_range = np.flatnonzero(plain)[~ok]
    for i in np.sort(np.concatenate([slow, bad_range])):
        text = cells[i]
        try:
            v = parse_number(text, table.decimal_comma)
        except ValueError as exc:
            problems.append(f"line {table.lines[i]}: {head}: {exc}")
            continue
        if rng is not None and not (rng[0] <= v <= rng[1]):
            problems.append(f"line {table.lines[i]}: {head} {text} is outside {rng[0]:g}-{rng[1]:g}"
                            f"{' ' + label if label else ''}; fix the value")
            continue
        out[i] = v
    return out


def strings(table: Table, name: str, lower: bool = False) -> pd.Series:
    """A text column: empty cells as NA.

    Parameters
    ----------
    table : Table
        The table.
    name : str
        Canonical column name; a column the table lacks gives all NA.
    lower : bool
        Put the values in lower case.

    Returns
    -------
    Series of string
        One value per row.
    """
    texts = table.cells.get(name, [""] * len(table))
    vals = [(v.lower() if lower else v) if v else None for v in texts]
    return pd.Series(vals, dtype="object").astype("string")


def choice(table: Table, name: str, aliases: dict[str, str], allowed, problems, normalize) -> pd.Series:
    """A column of values from a fixed list, given in any of their spellings.

    Parameters
    ----------
    table : Table
        The table.
    name : str
        Canonical column name.
    aliases : dict
        Normalised spelling -> allowed value.
    allowed : sequence of str
        The allowed values.
    problems : list of str
        A problem is appended for each cell that is neither an allowed value
        nor an alias (with a 'did you mean' hint when one is close).
    normalize : callable
        Text -> the form *allowed* and *aliases* are written in.

    Returns
    -------
    Series of string
        One value per row; NA for an empty or bad cell.
    """
    if name not in table.cells:
        return pd.Series([None] * len(table), dtype="object").astype("string")
    out: list[str | None] = []
    head = table.columns.get(name, name)
    for i, text in enumerate(table.cells[name]):
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


def extras_frame(table: Table, index) -> pd.DataFrame:
    """The table's extra columns (those runlog does not know) as a frame.

    Parameters
    ----------
    table : Table
        The table.
    index : Index
        The index of the result, one entry per row.

    Returns
    -------
    DataFrame
        One column per extra column, under its header as written.
    """
    if not table.extras:
        return pd.DataFrame(index=index)
    return pd.DataFrame({k: v.set_axis(index) for k, v in table.extras.items()}, index=index)


def subset(table: Table, rows: list[int]) -> Table:
    """The rows *rows* of *table* (line numbers kept).

    Parameters
    ----------
    table : Table
        The table.
    rows : list of int
        Row numbers to keep (0-based), in the order wanted.

    Returns
    -------
    Table
        A new table; *table* is unchanged.
    """
    return Table(table.path, table.columns, {k: [v[i] for i in rows] for k, v in table.cells.items()},
                  {k: v.iloc[rows].reset_index(drop=True) for k, v in table.extras.items()},
                  [table.lines[i] for i in rows], decimal_comma=table.decimal_comma)


def line_key(problem: str):
    """Sort key of a problem message: the line number it starts with.

    Parameters
    ----------
    problem : str
        A message such as ``'line 12: ...'``.

    Returns
    -------
    int
        The line number; 0 for a message about the whole file.
    """
    if problem.startswith("line "):
        digits = problem[5:].partition(":")[0]
        if digits.isdigit():
            return int(digits)
    m = re.match(r"line (\d+)", problem)
    return int(m.group(1)) if m else 0
