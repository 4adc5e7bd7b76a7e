"""The History container: many activities in three tidy frames.

:class:`History` holds ``runs`` (one row per activity), ``records`` (all
samples, MultiIndex ``run_id``/``time``), ``errors`` (files not read and why)
and ``skipped`` (duplicates and non-activity files), and the helpers that
build and stack those frames.
"""

from __future__ import annotations

import html
import mmap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import schema
from ._runs import runs_frame, summarize_activity

__all__ = ["History", "SPORT_NOUNS", "activity_counts_text", "sport_counts", "sports",
           "ERROR_COLUMNS", "SKIPPED_COLUMNS", "empty_frame",
           "empty_records", "records_index", "stack_records", "record_blocks", "records_from_blocks", "rows_frame",
           "empty_small_pages"]


#: How an activity of each sport is counted in words (singular, plural): a *run* is an activity of
#: sport 'running' (a foot run) and nothing else; other sports are counted apart.
SPORT_NOUNS = {"running": ("run", "runs"), "cycling": ("ride", "rides"), "swimming": ("swim", "swims"),
               "walking": ("walk", "walks"), "hiking": ("hike", "hikes"), "rowing": ("row", "rows"),
               "transition": ("transition", "transitions"),
               "unknown": ("of unknown sport", "of unknown sport")}


def _sport_count(n: int, sport: str) -> str:
    plain = sport.replace("_", " ")
    one, many = SPORT_NOUNS.get(sport, (f"{plain} activity", f"{plain} activities"))
    return f"{n} {one if n == 1 else many}"


def sports(runs: pd.DataFrame) -> pd.Series:
    """Each activity's sport as a plain lower-case string, 'unknown' where the file names none.

    Parameters
    ----------
    runs : DataFrame
        :attr:`History.runs` (``sport``).

    Returns
    -------
    Series
        Indexed like *runs*.
    """
    sport = runs["sport"] if "sport" in runs else pd.Series(pd.NA, index=runs.index)
    return sport.astype("string").str.strip().str.lower().fillna("unknown").replace("", "unknown") \
        .astype(object)


def sport_counts(runs: pd.DataFrame) -> dict:
    """Activities counted by sport, most first, as :meth:`History.summary` counts them ('running': a foot
    run; 'unknown': the file names no sport).

    Parameters
    ----------
    runs : DataFrame
        :attr:`History.runs` (``sport``).

    Returns
    -------
    dict
        Sport -> number of activities.
    """
    if not len(runs):
        return {}
    by_sport = sports(runs).value_counts(sort=False).sort_values(ascending=False, kind="stable")
    return {str(k): int(v) for k, v in by_sport.items()}


def activity_counts_text(by_sport: dict) -> str:
    """Activities counted by sport in words: ``'35 activities: 23 runs, 9 of unknown sport, 2 rides,
    1 swim'``, or ``'23 runs'`` when every activity is a run.

    Parameters
    ----------
    by_sport : dict
        Sport -> number of activities (:meth:`History.summary` ``by_sport``; 'running' is a
        foot run, 'unknown' a file that names no sport).

    Returns
    -------
    str
        Runs first, then the other sports, most first.
    """
    by_sport = {k: int(v) for k, v in by_sport.items() if int(v)}
    total = sum(by_sport.values())
    if not total:
        return "no activities"
    if set(by_sport) == {"running"}:
        return _sport_count(total, "running")
    rank = list(SPORT_NOUNS)
    order = sorted(by_sport, key=lambda k: (k != "running", -by_sport[k], rank.index(k) if k in rank else len(rank), k))
    return (f"{total} {'activity' if total == 1 else 'activities'}: "
            + ", ".join(_sport_count(by_sport[k], k) for k in order))


#: Columns of :attr:`History.errors`.
ERROR_COLUMNS = ["path", "reason"]
#: Columns of :attr:`History.skipped`.
SKIPPED_COLUMNS = ["path", "reason", "run_id", "kept"]


def empty_frame(cols) -> pd.DataFrame:
    """An empty frame of string columns *cols* (an ``errors`` / ``skipped`` table without rows).

    Parameters
    ----------
    cols : iterable of str
        Column names.

    Returns
    -------
    DataFrame
        No rows, ``string`` columns.
    """
    return pd.DataFrame({c: pd.Series(dtype="string") for c in cols})


def empty_records() -> pd.DataFrame:
    """``History.records`` of a History without activities.

    Returns
    -------
    DataFrame
        No rows; MultiIndex (``run_id``, ``time``), the columns of
        :data:`runlog.schema.RECORD_COLUMNS`.
    """
    records = schema.empty_records()
    records.index = pd.MultiIndex.from_arrays(
        [pd.Index([], dtype="string"), records.index], names=["run_id", schema.RECORD_INDEX])
    return records


def records_index(runs: list[str], rows: list[int], times: np.ndarray) -> pd.MultiIndex:
    """The (``run_id``, ``time``) index of records whose runs come one after the other.

    Built from codes, without hashing 10^6 strings or times: the ``run_id``
    level is *runs*; the ``time`` level is *times* itself when they strictly
    increase (runs in start order that do not overlap), else their sorted
    unique values (a stable sort of int64, a radix sort).

    Parameters
    ----------
    runs : list of str
        Run ids in row order.
    rows : list of int
        Number of records of each run.
    times : ndarray of int64
        Every record's time [ns since the epoch, UTC], in row order.

    Returns
    -------
    MultiIndex
        Names ``run_id``, ``time``; the same values as
        ``MultiIndex.from_arrays([np.repeat(runs, rows), times])``.
    """
    run_level = pd.Index(runs) if runs else pd.Index([], dtype="string")
    # codes in the smallest integer type MultiIndex would cast them to (no copy there)
    run_codes = np.repeat(np.arange(len(runs), dtype=_code_dtype(len(runs))), rows)
    times = np.asarray(times, dtype="int64")
    if len(times) < 2 or bool(np.all(times[1:] > times[:-1])):
        time_codes, uniq = np.arange(len(times), dtype=_code_dtype(len(times))), times
    else:
        order = np.argsort(times, kind="stable")
        st = times[order]
        first = np.r_[True, st[1:] != st[:-1]]
        uniq = st[first]
        del st
        time_codes = np.empty(len(times), dtype=_code_dtype(len(uniq)))
        time_codes[order] = np.cumsum(first, dtype=time_codes.dtype) - 1
        del order, first
    time_level = pd.DatetimeIndex(uniq.view("datetime64[ns]")).tz_localize("UTC")
    return pd.MultiIndex(levels=[run_level, time_level], codes=[run_codes, time_codes],
                         names=["run_id", schema.RECORD_INDEX], verify_integrity=False)


def _code_dtype(n: int) -> np.dtype:
    """The integer type of MultiIndex codes for a level of *n* values (as pandas picks it)."""
    for t in ("int8", "int16", "int32"):
        if n < np.iinfo(t).max:
            return np.dtype(t)
    return np.dtype("int64")


def trim_heap() -> None:
    """Give the memory freed so far back to the system (glibc ``malloc_trim``; elsewhere nothing).

    The decoded activities are many blocks of ~100 kB, below glibc's mmap
    threshold: freed, they stay in the heap and count in the process's
    resident memory until trimmed.
    """
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (musl): nothing to do
        pass


#: Arrays at least this large [bytes] get ordinary pages (:func:`empty_small_pages`): NumPy's own
#: threshold for asking for transparent huge pages.
SMALL_PAGES_MIN_BYTES = 4 * 2**20


def empty_small_pages(shape, dtype) -> np.ndarray:
    """``np.empty(shape, dtype)``; a large one on Linux in ordinary 4 KiB pages, not transparent huge pages.

    NumPy asks Linux for transparent huge pages (2 MiB) for every array of
    4 MiB or more.  On a machine whose memory is fragmented (a long-running
    shared one) the kernel then compacts memory to find each huge page, and
    zeroes it, when the array is first written: filling the 281 MB of
    stacked records of 1,000 runs took 0.74-0.83 s of which most was
    kernel time, against 0.23-0.27 s in ordinary pages (3 runs each, 2
    cores, load 1-2).  Where huge pages come cheap, ordinary ones cost ~0.05 s
    more per 281 MB (70,000 page faults).  The array is backed by a private
    anonymous memory map (:mod:`mmap`, ``MADV_NOHUGEPAGE``), freed with the
    last array viewing it; elsewhere (no ``MADV_NOHUGEPAGE``: macOS,
    Windows) or below :data:`SMALL_PAGES_MIN_BYTES` it is ``np.empty``.

    Parameters
    ----------
    shape : int or tuple of int
    dtype : dtype-like

    Returns
    -------
    ndarray
        Writable, C-contiguous, uninitialised (zeros when memory-mapped).
    """
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    advice = getattr(mmap, "MADV_NOHUGEPAGE", None)
    anonymous = getattr(mmap, "MAP_ANONYMOUS", None)
    if nbytes < SMALL_PAGES_MIN_BYTES or advice is None or anonymous is None:
        return np.empty(shape, dtype)
    try:
        buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | anonymous)  # private: a fork does not share it
        buf.madvise(advice)
    except (OSError, ValueError):
        return np.empty(shape, dtype)
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


def record_blocks(n: int) -> dict[str, np.ndarray]:
    """Empty blocks for *n* records, one per dtype of :data:`runlog.schema.RECORD_COLUMNS`.

    Parameters
    ----------
    n : int
        Number of records.

    Returns
    -------
    dict
        dtype ('float64', and 'float32' for the running dynamics) -> empty
        array of shape (columns of that dtype, *n*), columns in schema order.
    """
    return {d: empty_small_pages((len(cs), n), d) for d, cs in schema.RECORD_DTYPE_GROUPS.items()}


def records_from_blocks(blocks: dict[str, np.ndarray], index: pd.Index) -> pd.DataFrame:
    """The records frame over :func:`record_blocks` (no copy of the blocks' values).

    Parameters
    ----------
    blocks : dict
        dtype -> array (columns of that dtype in schema order, records).
    index : Index
        The frame's index (:func:`records_index`).

    Returns
    -------
    DataFrame
        The columns of :data:`runlog.schema.RECORD_COLUMNS` in order, with their dtypes.
    """
    parts = [pd.DataFrame(blocks[d].T, columns=pd.Index(list(cs)), copy=False)
             for d, cs in schema.RECORD_DTYPE_GROUPS.items()]
    out = parts[0] if len(parts) == 1 else pd.concat(parts, axis=1)
    cols = list(schema.RECORD_COLUMNS)
    if list(out.columns) != cols:
        out = out[cols]
    out.index = index
    return out


#: Activities stacked between two heap trims when their records are released (stack_records).
_TRIM_EVERY = 64


def _dtype_positions() -> dict[str, tuple[slice | list[int], tuple[str, ...]]]:
    out = {}
    names = list(schema.RECORD_COLUMNS)
    for d, cs in schema.RECORD_DTYPE_GROUPS.items():
        at = [names.index(c) for c in cs]
        out[d] = (slice(at[0], at[-1] + 1) if at == list(range(at[0], at[-1] + 1)) else at, cs)
    return out


#: dtype -> the positions of its columns in :data:`runlog.schema.RECORD_COLUMNS` (a slice when they are
#: adjacent, as they are: a view of a frame's block) and their names.
RECORD_DTYPE_POSITIONS = _dtype_positions()


def stack_records(activities, *, release: bool = False) -> pd.DataFrame:
    """The activities' records in one frame, as ``History.records`` holds them.

    One block per dtype filled activity by activity and an index built from
    codes (:func:`records_index`): the same frame as ``pd.concat({run_id:
    records})`` without its hashing of every time (and its memory).
    Activities whose records are not the schema's (another column set, a
    time index not in UTC) are stacked with ``pd.concat``.

    Parameters
    ----------
    activities : sequence of Activity
        With distinct run ids.
    release : bool
        True: each activity's records are replaced by an empty frame once
        copied (the importer's own activities), so that the records are held
        once, not twice, at the peak of an import.

    Returns
    -------
    DataFrame
        MultiIndex (``run_id``, ``time``), the columns of
        :data:`runlog.schema.RECORD_COLUMNS` with their dtypes, in the order
        of *activities*.
    """
    cols = pd.Index(list(schema.RECORD_COLUMNS))
    dtypes = [np.dtype(col.dtype) for col in schema.RECORD_COLUMNS.values()]
    recs = [a.records for a in activities]
    ids = [a.run_id for a in activities]
    regular = len(set(ids)) == len(ids) and all(
        r.columns.equals(cols) and isinstance(r.index, pd.DatetimeIndex) and str(r.index.tz) == "UTC"
        and list(r.dtypes) == dtypes for r in recs)
    if not regular:
        return pd.concat(dict(zip(ids, recs)), names=["run_id", schema.RECORD_INDEX])
    rows = [len(r) for r in recs]
    blocks = record_blocks(sum(rows))
    times = empty_small_pages(sum(rows), "int64")
    pos = 0
    del recs
    # each dtype's rows of record_matrix: a slice (a view) when they are adjacent in the schema, as they are
    rows_of = {d: at for d, (at, _names) in RECORD_DTYPE_POSITIONS.items()}
    released = schema.empty_records() if release else None
    for i, (a, n) in enumerate(zip(activities, rows)):
        r = a.records
        m = schema.record_matrix(r)
        assert m is not None  # regular: the schema's columns
        for d, where in rows_of.items():
            blocks[d][:, pos:pos + n] = m[where]
        times[pos:pos + n] = r.index.as_unit("ns").asi8
        pos += n
        if released is not None:
            a.records = released   # one empty frame for all (a view would keep the whole block alive)
            if (i + 1) % _TRIM_EVERY == 0:
                trim_heap()   # the freed records back to the system, or the block adds to them
        del r
    return records_from_blocks(blocks, records_index([str(i) for i in ids], rows, times))


def rows_frame(rows: list[dict], cols: list[str]) -> pd.DataFrame:
    """An ``errors`` / ``skipped`` table from *rows* (dicts), string columns *cols*, sorted by them.

    Parameters
    ----------
    rows : list of dict
        One dict per row (column -> value).
    cols : list of str
        Columns, in order; the rows are sorted by the first three when there
        is a ``run_id`` column, else by all of them.

    Returns
    -------
    DataFrame
        ``string`` columns, index 0..n-1.
    """
    if not rows:
        return empty_frame(cols)
    df = pd.DataFrame(rows, columns=cols)
    df = df.sort_values(cols[:3] if "run_id" in cols else cols, kind="stable", na_position="first")
    return df.astype("string").reset_index(drop=True)


@dataclass
class History:
    """A runner's activities.

    Attributes
    ----------
    runs : DataFrame
        One row per activity, index ``run_id``, columns
        :data:`runlog.schema.RUN_COLUMNS` (+ export metadata).
    records : DataFrame
        All samples; MultiIndex (``run_id``, ``time``), columns
        :data:`runlog.schema.RECORD_COLUMNS`.
    errors : DataFrame
        ``path``, ``reason``: files that could not be read.
    skipped : DataFrame
        ``path``, ``reason``, ``run_id``, ``kept``: duplicates and non-activity files.
    laps : DataFrame
        All laps; columns ``run_id`` + :data:`runlog.schema.LAP_COLUMNS`.
    """

    runs: pd.DataFrame
    records: pd.DataFrame
    errors: pd.DataFrame = field(default_factory=lambda: empty_frame(ERROR_COLUMNS))
    skipped: pd.DataFrame = field(default_factory=lambda: empty_frame(SKIPPED_COLUMNS))
    laps: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["run_id", *schema.LAP_COLUMNS]))

    @classmethod
    def from_activities(cls, activities, *, errors=None, skipped=None, metadata=None,
                        summaries=None, release_records: bool = False) -> History:
        """Assemble a History from Activity objects (already de-duplicated).

        Parameters
        ----------
        activities : iterable of Activity
        errors, skipped : DataFrame, optional
        metadata : DataFrame, optional
            Extra per-run columns indexed by run_id (e.g. Strava name/gear),
            joined onto ``runs``.
        summaries : list of dict, optional
            The activities' ``runs`` rows already computed by
            :func:`runlog.history.summarize_activity` (in the same order, e.g.
            from the cache); computed here when None.
        release_records : bool
            True: the activities' records are emptied as they are stacked
            (:func:`stack_records` ``release``; the importer's own activities).

        Returns
        -------
        History
            ``runs`` one row per activity, ``records`` stacked (MultiIndex
            ``run_id``, ``time``), ``laps`` with a ``run_id`` column.
        """
        activities = list(activities)
        if summaries is None:
            summaries = [summarize_activity(a) for a in activities]
        runs = runs_frame(list(summaries))
        if metadata is not None and len(metadata):
            for c in metadata.columns:
                # the export's words win (Strava's activities.csv holds the name as the runner last edited
                # it); the file's own name or description (GPX <name>, TCX <Notes>) fills the rest
                vals = metadata[c].reindex(runs.index)
                runs[c] = vals.astype(runs[c].dtype).fillna(runs[c]) if c in runs else vals
        if activities:
            laps = pd.concat([a.laps for a in activities], ignore_index=True)
            laps.insert(0, "run_id", np.repeat([a.run_id for a in activities], [len(a.laps) for a in activities]))
            laps = laps[["run_id", *schema.LAP_COLUMNS]]
            # stacked in the order of runs: a reordering afterwards was a second copy of the records
            by_id = {a.run_id: a for a in activities}
            one_to_one = len(by_id) == len(activities) == len(runs) and set(by_id) == set(runs.index)
            in_order = [by_id[r] for r in runs.index] if one_to_one else activities
            records = stack_records(in_order, release=release_records)
            if not one_to_one and [a.run_id for a in activities] != list(runs.index):
                records = records.loc[runs.index]
        else:
            records = empty_records()
            laps = pd.DataFrame(columns=["run_id", *schema.LAP_COLUMNS])
        return cls(
            runs=runs,
            records=records,
            errors=empty_frame(ERROR_COLUMNS) if errors is None else errors,
            skipped=empty_frame(SKIPPED_COLUMNS) if skipped is None else skipped,
            laps=laps,
        )

    def run(self, run_id: str) -> pd.DataFrame:
        """The records of one run (index ``time``).

        Parameters
        ----------
        run_id : str
            One of ``runs.index``.

        Returns
        -------
        DataFrame
            The run's records; ``attrs['tz']`` is the run's zone (``runs['tz']``), which the
            plots use to title a run in its local time.

        Raises
        ------
        KeyError
            For an unknown *run_id*.
        """
        out = self.records.xs(run_id, level="run_id")
        if "tz" in self.runs and run_id in self.runs.index and pd.notna(self.runs.at[run_id, "tz"]):
            out.attrs["tz"] = str(self.runs.at[run_id, "tz"])
        return out

    def __len__(self) -> int:
        return len(self.runs)

    def __repr__(self) -> str:
        if len(self.runs):
            span = f"{self.runs['start_local'].min():%Y-%m-%d} to {self.runs['start_local'].max():%Y-%m-%d}"
        else:
            span = "empty"
        counts = activity_counts_text(self.summary()["by_sport"]) if len(self.runs) else "no activities"
        return (f"<History {counts} ({span}), {len(self.records):,} records, "
                f"{len(self.errors)} errors, {len(self.skipped)} skipped>")

    def summary(self) -> pd.Series:
        """Counts describing the import.

        Returns
        -------
        Series
            ``activities`` (every activity read), ``runs`` (those of sport
            'running'), ``by_sport`` (dict sport -> count, most first; a missing
            sport as 'unknown'), ``first_run``/``last_run`` (local dates of the
            first and last activity), ``distance_km`` (sum of
            ``runs.distance_m`` / 1000, all sports), ``records``, ``truncated``
            (activities from files that ended early), ``errors``,
            ``duplicates`` and ``not_activities`` (the two kinds of ``skipped``).
        """
        runs = self.runs
        reasons = self.skipped["reason"].astype("string") if len(self.skipped) else pd.Series(dtype="string")
        dup = int(reasons.str.startswith("duplicate").sum()) if len(reasons) else 0
        start = runs["start_local"] if len(runs) else pd.Series(dtype="datetime64[ns]")
        by_sport = sport_counts(runs)
        return pd.Series({
            "activities": len(runs),
            "runs": int(by_sport.get("running", 0)),
            "by_sport": by_sport,
            "first_run": start.min().normalize() if len(runs) else pd.NaT,
            "last_run": start.max().normalize() if len(runs) else pd.NaT,
            "distance_km": float(runs["distance_m"].sum() / 1000.0) if len(runs) else 0.0,
            "records": len(self.records),
            "truncated": int(runs["truncated"].sum()) if len(runs) else 0,
            "errors": len(self.errors),
            "duplicates": dup,
            "not_activities": len(self.skipped) - dup,
        }, dtype=object, name="history")

    def others(self) -> pd.DataFrame:
        """The foot runs that look like someone else's (a partner's runs in the same export).

        Found from how each run's person runs (speed, cadence and heart rate), never from the
        journal: :func:`runlog.history.likely_others`.  :func:`runlog.analyze` leaves these runs
        out unless told to keep them (``others='keep'``, ``runlog report --keep-others``); drop
        them for good with :meth:`drop`.

        Returns
        -------
        DataFrame
            One row per flagged run, in start order (index ``run_id``): ``date`` and ``start`` (local),
            ``distance_km``, ``file``, ``posterior`` (probability of the other group [-]) and how the
            group differs from the rest (``speed_diff_pct``, ``cadence_diff_spm``, ``hr_diff_bpm`` at the
            same speed, ``start_hour_h``).  Empty when the runs look like one person's.
        """
        from ._people import likely_others

        foot = self.runs[(self._sports() == "running").to_numpy()]
        found = likely_others(foot)
        found = found[found["other"]].drop(columns="other")
        listing = self.listing().set_index("run_id")
        cols = ["date", "start", "distance_km", "file"]
        return listing.loc[listing.index.isin(found.index), cols].join(found, how="inner")

    def drop(self, run_ids) -> History:
        """This history without the activities *run_ids* (e.g. ``history.drop(history.others().index)``).

        Parameters
        ----------
        run_ids : iterable of str
            Ids of ``runs``; unknown ids are ignored.

        Returns
        -------
        History
            A new History; ``errors`` and ``skipped`` as they were.
        """
        gone = pd.Index([str(r) for r in run_ids])
        keep = ~self.runs.index.isin(gone)
        records = self.records
        if len(records) and gone.isin(self.runs.index).any():
            records = records[~records.index.get_level_values("run_id").isin(gone)]
        laps = self.laps[~self.laps["run_id"].isin(gone)] if len(self.laps) else self.laps
        return History(runs=self.runs[keep], records=records, errors=self.errors, skipped=self.skipped, laps=laps)

    def _sports(self) -> pd.Series:
        """``runs['sport']`` as plain lower-case strings, 'unknown' where missing (:func:`sports`)."""
        return sports(self.runs)

    def listing(self) -> pd.DataFrame:
        """One row per activity, in start order: what a runner needs to write the journal.

        Returns
        -------
        DataFrame
            Columns ``run_id``, ``date`` (local date of the start, the
            journal's ``date``), ``start`` (local start time 'HH:MM', the
            journal's ``time``), ``sport``, ``distance_km`` [km] (to 10 m),
            ``duration_min`` [min] (to 0.01 min; wall clock, first to last
            record, pauses included) and ``file`` (the file it was read
            from); a plain RangeIndex.

        Examples
        --------
        >>> history.listing().query("sport == 'running'").tail()  # doctest: +SKIP
        """
        runs = self.runs
        start = pd.to_datetime(runs["start_local"]) if len(runs) else pd.Series(dtype="datetime64[ns]")
        out = pd.DataFrame({
            "run_id": runs.index.astype(str),
            "date": start.dt.normalize().to_numpy(),
            "start": start.dt.strftime("%H:%M").astype(object).to_numpy(),
            "sport": self._sports().to_numpy(),
            # to 10 m and 0.01 min (under a second), as a runner reads them (not 0.018644 km)
            "distance_km": np.round(pd.to_numeric(runs["distance_m"], errors="coerce").to_numpy(dtype="float64")
                                    / 1000.0, 2),
            "duration_min": np.round(pd.to_numeric(runs["elapsed_s"], errors="coerce").to_numpy(dtype="float64")
                                     / 60.0, 2),
            "file": runs["source"].astype("string").astype(object).to_numpy(),
        })
        order = np.argsort(start.to_numpy(), kind="stable") if len(runs) else np.arange(0)
        return out.iloc[order].reset_index(drop=True)

    def _repr_html_(self) -> str:
        """The history as a notebook shows it: the counts in words, then the first activities as
        :meth:`listing` gives them (local date and start, sport, km, min, file name), then the
        files not read and skipped, each with its reason."""
        s = self.summary()
        head = f"<p><b>{html.escape(repr(self)[1:-1])}</b></p>"
        if len(self.runs):
            head += f"<p>{s['distance_km']:,.0f} km in total (all sports).</p>"
        lst = self.listing()
        if len(lst):
            lst = lst.assign(date=lst["date"].dt.strftime("%Y-%m-%d"),
                             file=[_basename(f) for f in lst["file"]])
        parts = [head, f"<p>Activities ({'first 20 of ' if len(lst) > 20 else ''}{len(lst)}; "
                       "history.listing() for all, History.runs for every column):</p>",
                 lst.head(20).to_html(index=False, na_rep="", float_format=lambda v: f"{v:,.2f}")]
        for frame, what, attr in ((self.errors, "files not read", "errors"),
                                  (self.skipped, "files skipped", "skipped")):
            if len(frame):
                shown = frame[["path", "reason"]].head(10).assign(path=[_basename(p) for p in frame["path"].head(10)])
                parts.append(f"<p><b>{len(frame)} {what}</b> (History.{attr}):</p>" + shown.to_html(index=False))
        return "".join(parts)


def _basename(path) -> str:
    """A file's name without its folders, for a table a runner reads."""
    return str(path).replace("\\", "/").rsplit("/", 1)[-1] if isinstance(path, str) else ""
