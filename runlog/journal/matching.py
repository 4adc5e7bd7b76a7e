"""Tying journal and notes rows to the runs of a history.

A row names its run by ``run`` (a run_id or the activity's file name) or by
its local ``date`` and optional ``time`` (the run's local start).
:func:`identify` parses those cells of every row and matches them with
:class:`_Matcher`; every row that matches no run, or several, adds one
problem naming the runs nearest to it and the fix.
"""

from __future__ import annotations

import difflib
import re
from functools import cached_property

import numpy as np
import pandas as pd

from ..io import local_time
from .sheet import ProblemList, Table, parse_date, parse_time, plain_iso_dates

__all__ = ["identify", "runs_of", "check_tz", "describe_run", "START_TOLERANCE_MIN", "MATCH_TOLERANCE_MIN",
           "RUN_ID_RE"]

#: A row's ``time`` within this many minutes of a run's local start picks
#: that run first (the nearest start wins) [min].
START_TOLERANCE_MIN = 10.0
#: Otherwise the run whose start-to-end span contains the ``time``, else a
#: run whose span is within this many minutes of it [min].
MATCH_TOLERANCE_MIN = 60.0

#: A run id as :func:`runlog.io.make_run_id` writes it, with the ``-2``, ``-3``, ... that
#: :func:`runlog.history.unique_run_ids` adds to later sessions started in the same minute.
RUN_ID_RE = re.compile(r"^\d{8}T\d{4}Z(?:-\d+)?$", re.IGNORECASE)
#: File names not found that get a fuzzy "similar file names" search (the first ones of a journal).
FUZZY_HINTS = 30


def check_tz(tz, err):
    """A ``tz`` argument checked: an IANA zone or a fixed offset runlog can use.

    Parameters
    ----------
    tz : str or None
        The time zone given by the caller.
    err : type
        Exception class raised for a bad zone (:class:`~runlog.errors.JournalError`
        or :class:`~runlog.errors.NotesError`).

    Returns
    -------
    str or None
        *tz* as a string; None when it is None.
    """
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
def runs_of(history) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """(runs, records) from a History, a runs frame or None.

    Parameters
    ----------
    history : History, DataFrame or None
        A History, or its ``runs`` frame.

    Returns
    -------
    (DataFrame or None, DataFrame or None)
        The runs and, for a History, its records.

    Raises
    ------
    TypeError
        When *history* is neither, or its runs lack the columns matching needs.
    """
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


def _basename(source, lower: bool = True) -> str:
    """The file's name without folders (and a ``!`` member path's archive) and without ``.gz``;
    lower case for matching, as written for messages (*lower* False)."""
    s = str(source).split("!")[-1].replace("\\", "/").rsplit("/", 1)[-1]
    if lower:
        s = s.lower()
    return s[:-3] if s.lower().endswith(".gz") else s


def _stem(name: str) -> str:
    base = _basename(name)
    for ext in (".fit", ".gpx", ".tcx"):
        if base.endswith(ext):
            return base[: -len(ext)]
    return base


def describe_run(run_id, start: pd.Timestamp, row) -> str:
    """A run in words for a message: ``'2024-05-04 07:12 (20240504T0512Z, 10.2 km, 55 min, run.fit)'``.

    Parameters
    ----------
    run_id : str
        The run's id.
    start : Timestamp
        Its local start.
    row : Series or mapping
        Its ``History.runs`` row (``distance_m``, ``elapsed_s``, ``sport``,
        ``source``; each optional).

    Returns
    -------
    str
        Local start, then id, distance [km], duration [min], the sport unless
        running or unknown, and the file's base name.
    """
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
        bits.append(_basename(src, lower=False))
    return f"{start:%Y-%m-%d %H:%M} ({', '.join(bits)})"


def _positions(keys) -> dict:
    """key -> positions (ascending) where it occurs in *keys*."""
    out: dict = {}
    for i, k in enumerate(keys):
        out.setdefault(k, []).append(i)
    return out


def onset_beyond(onset_min, onset_km, elapsed_s, distance_m):
    """Whether an onset lies after a run's end: its duration and distance rounded up to the whole
    minute / 0.1 km (the precision people write).  NaN on either side: not beyond.

    Parameters
    ----------
    onset_min, onset_km : float or ndarray
        The onset [min] and [km].
    elapsed_s, distance_m : float or ndarray
        The run's duration [s] and distance [m].

    Returns
    -------
    (late, far)
        Booleans (arrays for array input): the onset in minutes / in km is past the run's end.
    """
    with np.errstate(invalid="ignore"):
        late = np.asarray(onset_min) > np.ceil(np.asarray(elapsed_s) / 60.0)
        far = np.asarray(onset_km) > np.ceil(np.asarray(distance_m) / 100.0) / 10.0
    return late, far


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
        self._fuzzy_left = FUZZY_HINTS

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
        """The *k* runs starting nearest to local time *target* (of *among*, run ids, when given), in words.

        A binary search among the runs sorted by start: O(log m + k), not a sort of all m runs."""
        if not len(self.runs):
            return "the history has no runs"
        t = target.value
        if among is None:
            i = int(np.searchsorted(self._sorted_start, t))
            pos = self._by_start[max(0, i - k):i + k]
        else:
            pos = np.array([self._pos[r] for r in among], dtype=np.intp)
        gap = np.abs(self._start_ns[pos] - t)
        picked = pos[np.lexsort((pos, gap))][:k]
        label = "runs nearest to it" if among is None else "candidates"
        return f"{label}: " + "; ".join(self._describe(i) for i in picked)

    def _describe(self, i: int) -> str:
        """describe_run of the run at position *i*, each run worded once (a message names the same
        nearest runs for many rows)."""
        text = self._described.get(i)
        if text is None:
            cols = self._describe_cols
            text = self._described[i] = describe_run(self._ids[i], self.start.iloc[i],
                                                     {c: v[i] for c, v in cols.items()})
        return text

    @cached_property
    def _described(self) -> dict:
        return {}

    @cached_property
    def _describe_cols(self) -> dict:
        """The runs' columns describe_run reads, as plain arrays."""
        cols = [c for c in ("distance_m", "elapsed_s", "sport", "source") if c in self.runs]
        return {c: self.runs[c].astype(object).where(self.runs[c].notna(), None).to_numpy() for c in cols}

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

    def holds(self, rid, onset) -> bool:
        """Whether run *rid* can hold the row's onset ``(minutes, km)`` (NaN: not given): its duration and
        distance rounded up to the whole minute / 0.1 km (:func:`onset_beyond`, as read_episodes checks)."""
        if onset is None:
            return True
        i = self._pos[rid]
        late, far = onset_beyond(onset[0], onset[1], self._elapsed_s[i], self._distance_m[i])
        return not (late or far)

    @cached_property
    def _elapsed_s(self) -> np.ndarray:
        return pd.to_numeric(self.runs["elapsed_s"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) \
            if "elapsed_s" in self.runs else np.full(len(self.runs), np.nan)

    @cached_property
    def _distance_m(self) -> np.ndarray:
        return pd.to_numeric(self.runs["distance_m"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan) \
            if "distance_m" in self.runs else np.full(len(self.runs), np.nan)

    @cached_property
    def _others(self) -> frozenset:
        """Runs likely someone else's (:func:`runlog.history.likely_others`), computed only when a row
        needs it: a partner's run beside the runner's at the same time."""
        try:
            from ..history import likely_others

            foot = self.runs[self.sport.str.lower().to_numpy() == "running"]   # as History.others
            flags = likely_others(foot)["other"]
        except (KeyError, ValueError, TypeError):   # a runs table without what the detection reads
            return frozenset()
        return frozenset(flags.index[flags.to_numpy(dtype=bool)])

    def _narrow(self, cands: list, onset) -> list:
        """Of several candidate runs, those that can hold the row's onset, then those of the runner
        (not :attr:`_others`); the candidates as they are when a step would leave none."""
        if len(cands) > 1 and onset is not None:
            cands = [c for c in cands if self.holds(c, onset)] or cands
        if len(cands) > 1:
            cands = [c for c in cands if c not in self._others] or cands
        return cands

    def _starting_near(self, target: pd.Timestamp) -> list:
        """Runs starting within :data:`START_TOLERANCE_MIN` of local time *target* (as a watch shows it)."""
        pos = self._window(target)
        start = self._start_ns[pos]
        shown = start - start % 60_000_000_000 if target.second == 0 else start
        ok = np.abs(shown - target.value) <= int(START_TOLERANCE_MIN * 60e9)
        return list(self._ids[pos[ok]])

    def match(self, date, clock, run, onset=None):
        """Return (run_id, problem); exactly one of them is None (the problem without its line).

        *onset* ``(minutes, km)`` (NaN where not given) settles a time or a date that points to
        several runs, or to a run too short for it: the runs that can hold it, then the runner's
        own (a partner's run started beside it, :func:`runlog.history.likely_others`)."""
        if date is not None and not run and not clock:  # the common row: a date with one run
            pos = self._on_date.get(date.value)
            if pos is not None and len(pos) == 1:
                return self._ids[pos[0]], None
        target = None
        if date is not None:  # clock is 'HH:MM:SS'; no clock: midday
            h, m, sec = (int(clock[:2]), int(clock[3:5]), int(clock[6:8])) if clock else (12, 0, 0)
            target = pd.Timestamp(date.value + ((h * 60 + m) * 60 + sec) * 1_000_000_000)
        if run:
            return self._match_run(run, date, clock, target)
        if clock:
            best = self._by_time(None, target)
            if len(best) > 1:   # a multisport file's run and the transition before it start together
                best = self._prefer_run(best)
            if len(best) > 1:
                best = self._narrow(best, onset)
            elif len(best) == 1 and not self.holds(best[0], onset):
                # the nearest start is too short for the onset; another run started about then is not (a
                # run merely under way at the time is no candidate: the row's time is a start)
                fitting = [r for r in self._starting_near(target) if self.holds(r, onset)]
                if fitting:
                    best = self._narrow(fitting, onset)
            if len(best) == 0:
                return None, (f"no run within {MATCH_TOLERANCE_MIN:.0f} min of "
                              f"{target:%Y-%m-%d %H:%M} (local time); {self.nearest(target)}. Fix the "
                              "date/time (the run's local start), or give its run_id in a 'run' column")
            if len(best) > 1:
                return None, (f"{len(best)} runs at or near {target:%Y-%m-%d %H:%M}; "
                              f"{self.nearest(target, k=len(best), among=pd.Index(best))}. Give the run's "
                              "exact local start time, or its run_id in a 'run' column, to choose one")
            return best[0], None
        on_day = list(self._ids[self._on_date.get(date.value, [])])
        if len(on_day) == 0:
            return None, (f"no run on {date:%Y-%m-%d} (the run's local date); "
                          f"{self.nearest(target)}. Fix the date, or delete the row if that run "
                          "is not in the history")
        chosen = self._prefer_run(on_day) if len(on_day) > 1 else list(on_day)
        if len(chosen) > 1:
            chosen = self._narrow(chosen, onset)
        if len(chosen) > 1:
            return None, (f"{len(on_day)} runs on {date:%Y-%m-%d}; "
                          f"{self.nearest(target, k=len(on_day), among=pd.Index(on_day))}. Add the run's local "
                          "start time in a 'time' column (HH:MM) or its run_id in a 'run' column")
        return chosen[0], None

    def _match_run(self, run: str, date, clock, target):
        key = run.strip()
        if RUN_ID_RE.match(key):
            rid = key.upper()
            if rid not in self.runs.index:
                near = self.nearest(target) if target is not None else self._nearest_id(rid)
                return None, (f"no run with run_id {rid!r}; {near}. Fix the run_id "
                              "(see History.runs.index)")
            cands = [rid]
        else:
            name = _basename(key)
            cands = list(self._ids[sorted(set(self._on_base.get(name, ())) | set(self._on_stem.get(_stem(name), ())))])
            if not cands:
                return None, (f"no run read from a file named {key!r}; {self._similar_names(name, target)}. "
                              "Fix the file name (as in History.runs['source']) or give the run_id")
        if len(cands) > 1 and target is not None:
            cands = self._by_time(cands, target) if clock else [c for c in cands if self.date_of(c) == date]
            if not cands:
                return None, (f"file {key!r} has no run matching the row's date/time; "
                              f"{self.nearest(target)}. Fix the date/time or give the run_id")
        if len(cands) > 1 and not clock:
            cands = self._prefer_run(cands)
        if len(cands) > 1:
            return None, (f"{key!r} holds {len(cands)} runs (sessions); "
                          f"{self.nearest(self.start.loc[cands[0]], k=len(cands), among=pd.Index(cands))}. "
                          "Give the run_id in the 'run' column instead")
        rid = cands[0]
        if date is not None:
            if clock:
                if len(self._by_time([rid], target)) == 0:
                    run = self._describe(self._pos[rid])
                    return None, (f"run {key!r} is {run}, "
                                  f"but the row says {target:%Y-%m-%d %H:%M}; fix the date/time or the run")
            elif self.date.loc[rid] != date:
                return None, (f"run {key!r} is on {self.date.loc[rid]:%Y-%m-%d} "
                              f"({self._describe(self._pos[rid])}), but the row "
                              f"says {date:%Y-%m-%d}; fix the date or the run")
        return rid, None

    def utc_start_near(self, target: pd.Timestamp):
        """The run whose start in UTC (to the minute) is within :data:`START_TOLERANCE_MIN` of
        *target* (a naive time), or None: a journal time written in UTC."""
        if not len(self._sorted_utc):
            return None
        i = int(np.searchsorted(self._sorted_utc, target.value))
        pos = self._by_utc[max(0, i - 1):i + 1]
        shown = self._utc_ns[pos] - self._utc_ns[pos] % 60_000_000_000
        gap = np.abs(shown - target.value)
        k = int(np.argmin(gap))
        return self._ids[pos[k]] if gap[k] <= START_TOLERANCE_MIN * 60e9 else None

    def offset_to_nearest(self, target: pd.Timestamp) -> int | None:
        """*target* minus the nearest run's local start, rounded to 15 min [min], when that is more
        than :data:`MATCH_TOLERANCE_MIN` and at most 14 h (a zone's offset); else None."""
        if not len(self._sorted_start):
            return None
        i = int(np.searchsorted(self._sorted_start, target.value))
        near = self._sorted_start[max(0, i - 1):i + 1]
        d = target.value - near
        d = int(d[np.argmin(np.abs(d))]) / 60e9
        q = int(round(d / 15.0)) * 15
        return q if abs(d) > MATCH_TOLERANCE_MIN and abs(q) <= 14 * 60 and abs(d - q) <= 5 else None

    def _similar_names(self, name: str, target) -> str:
        """The file names like *name* (lower case), as written in the history, for a message.

        A fuzzy search over every file name costs O(m) per row; it is done for the first
        :data:`FUZZY_HINTS` names not found (those the message lists), then only the runs
        nearest to the row's date are named."""
        if self._fuzzy_left <= 0:
            return self.nearest(target) if target is not None else "see History.runs['source'] for the file names"
        self._fuzzy_left -= 1
        names = self._names
        stem = _stem(name)
        similar = [b for b in names if stem in b]
        similar += [b for b in difflib.get_close_matches(name, names, n=3, cutoff=0.6) if b not in similar]
        similar = similar[:3]
        if similar:
            return "similar file names: " + ", ".join(self._original_name[b] for b in similar)
        return self.nearest(target) if target is not None else "no similar file name"

    @cached_property
    def _names(self) -> list[str]:
        return sorted(set(self.base) - {""})

    @cached_property
    def _original_name(self) -> dict[str, str]:
        """Lower-case base name -> the base name as the file is named (the first run's, in run order)."""
        src = self.runs["source"] if "source" in self.runs else pd.Series("", index=self.runs.index)
        out: dict[str, str] = {}
        for s in src:
            if isinstance(s, str):
                out.setdefault(_basename(s), _basename(s, lower=False))
        return out

    def _nearest_id(self, rid: str) -> str:
        m = re.match(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z", rid)
        try:
            t = pd.Timestamp(year=int(m.group(1)), month=int(m.group(2)), day=int(m.group(3)),
                             hour=int(m.group(4)), minute=int(m.group(5))).as_unit("ns") if m else None
        except (ValueError, OverflowError):   # no such time (month 13), or outside pandas' years
            t = None
        if t is None or not len(self.runs):
            return "see History.runs.index"
        i = int(np.searchsorted(self._sorted_utc, t.value))
        pos = self._by_utc[max(0, i - 3):i + 3]
        gap = np.abs(self._utc_ns[pos] - t.value)
        picked = pos[np.lexsort((pos, gap))][:3]
        return "runs nearest to it: " + "; ".join(self._describe(i) for i in picked)

    @cached_property
    def _utc_ns(self) -> np.ndarray:
        utc = pd.to_datetime(self.runs["start_time"], utc=True).dt.tz_localize(None)
        return utc.to_numpy("datetime64[ns]").view("i8")

    @cached_property
    def _by_utc(self) -> np.ndarray:
        ok = self._utc_ns != np.iinfo("i8").min   # NaT
        return np.flatnonzero(ok)[np.argsort(self._utc_ns[ok], kind="stable")]

    @cached_property
    def _sorted_utc(self) -> np.ndarray:
        return self._utc_ns[self._by_utc]


def identify(table: Table, runs, tz, problems: list[str], onsets=None):
    """Parse date/time/run of every row and match them.

    Returns lists (date, clock 'HH:MM' or None, run text or None, run_id or None).

    Parameters
    ----------
    table : Table
        The journal or notes table (``date``, ``time``, ``run`` cells).
    runs : DataFrame or None
        ``History.runs`` to match against; None only parses.
    tz : str or None
        Time zone of the dates of runs whose files carry none.
    problems : list of str or ProblemList
        Problems are appended here (``'line N: ...'``), one per bad row; to a
        :class:`~runlog.journal.sheet.ProblemList` only those of the first
        ``limit`` bad rows (the others cannot be among the first problems),
        the rest counted in its ``total``.
    onsets : (array, array), optional
        Each row's onset [min] and [km] (NaN: not given), to settle rows that point to several
        runs or to a run too short for them (:meth:`_Matcher.match`).

    Returns
    -------
    (list, list, list, list)
        Per row: the date (Timestamp at midnight or None), the clock
        (``'HH:MM'`` or None), the run text (or None) and the matched run_id
        (or None).
    """
    matcher = _Matcher(runs, tz) if runs is not None else None
    iso = plain_iso_dates(table.cells.get("date"))
    n = len(table)
    no_cell = [""] * n
    date_cells, time_cells, run_cells = (table.cells.get(c, no_cell) for c in ("date", "time", "run"))
    # each distinct (date, time, run) as written is parsed and matched once
    codes = np.zeros(n, dtype=np.int64)
    keyed = [pd.Series(cells, dtype=object) for cells in (date_cells, time_cells, run_cells)]
    if onsets is not None:
        keyed += [pd.Series(np.asarray(o, dtype="float64")) for o in onsets]
    for cells in keyed:   # hashed in C, column by column
        c, uniq = pd.factorize(cells, use_na_sentinel=False)
        codes = pd.factorize(codes * len(uniq) + c)[0]
    n_keys = int(codes.max()) + 1 if n else 0
    first = np.full(n_keys, -1, dtype=np.intp)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)   # each key's first row
    results = [_identify_one(date_cells[i], time_cells[i], run_cells[i], iso[i] if iso is not None else pd.NaT,
                             matcher, None if onsets is None else (float(onsets[0][i]), float(onsets[1][i])))
               for i in first]
    dates = [results[c][0] for c in codes]
    clocks = [results[c][1] for c in codes]
    run_ids = [results[c][2] for c in codes]
    run_texts = [r or None for r in run_cells]
    if matcher is not None:
        hint = _zone_hint(matcher, results, first, codes, table.lines)
        if hint:
            problems.append(hint)
    n_found = np.array([len(r[3]) for r in results], dtype=np.intp)
    bad = np.flatnonzero(n_found[codes])   # rows with a problem, in line order
    # of a ProblemList's rows, those after its first *limit* cannot be among the first problems
    shown = bad[:problems.limit] if isinstance(problems, ProblemList) else bad
    for i in shown:
        for p in results[codes[i]][3]:
            problems.append(f"line {table.lines[i]}: {p}")
    if isinstance(problems, ProblemList) and len(shown) < len(bad):
        problems.total += int(n_found[codes[bad[len(shown):]]].sum())
    return dates, clocks, run_texts, run_ids


def _zone_hint(matcher: _Matcher, results: list, first: np.ndarray, codes: np.ndarray, lines: list) -> str | None:
    """A problem for the whole file when the rows whose date and time match no run are written in
    UTC (or another zone): their times match runs' starts in UTC, or all lie the same whole
    number of quarter-hours from runs' local starts.  None otherwise."""
    failed = [j for j, r in enumerate(results) if r[2] is None and r[0] is not None and r[1] is not None]
    targets = [pd.Timestamp(results[j][0].value + pd.Timedelta(results[j][1] + ":00").value) for j in failed]
    # only rows near no run at all (not a row near two runs, nor one whose other cells are wrong)
    near_none = [k for k, t in enumerate(targets) if not len(matcher._by_time(None, t))]
    failed, targets = [failed[k] for k in near_none], [targets[k] for k in near_none]
    if not failed:
        return None
    counts = np.bincount(codes, minlength=len(results))
    rows = int(counts[failed].sum())
    hit = [matcher.utc_start_near(t) for t in targets]
    n_utc = int(sum(counts[j] for j, h in zip(failed, hit) if h is not None))
    if n_utc and 2 * n_utc >= rows:
        j, t, rid = next((j, t, h) for j, t, h in zip(failed, targets, hit) if h is not None)
        local = matcher.start.iloc[matcher._pos[rid]]
        return (f"your times look like UTC: {n_utc} of the {rows} rows whose date and time match no run "
                f"match a run's start in UTC (line {lines[first[j]]}: {t:%Y-%m-%d %H:%M} is the UTC start of run "
                f"{rid}, which started at {local:%H:%M} local time). Write each run's local start as the watch "
                "shows it ('runlog import --list' lists them), or leave the time out where you ran once that day")
    offsets = [matcher.offset_to_nearest(t) for t in targets]
    found = [(o, counts[j]) for j, o in zip(failed, offsets) if o is not None]
    if not found:
        return None
    by = pd.Series([c for _, c in found], index=[o for o, _ in found]).groupby(level=0).sum()
    off, n_off = int(by.idxmax()), int(by.max())
    if n_off < 2 or 2 * n_off < rows:
        return None
    h, m = divmod(abs(off), 60)
    size = f"{h} h" + (f" {m} min" if m else "") if h else f"{m} min"
    return (f"your times look written in another time zone: {n_off} of the {rows} rows whose date and time match "
            f"no run are {size} {'later' if off > 0 else 'earlier'} than a run's local start. Write each run's "
            "local start as the watch shows it ('runlog import --list' lists them)")


def _identify_one(date_txt: str, time_txt: str, run_txt: str, iso, matcher, onset=None):
    """(date, clock 'HH:MM' or None, run_id or None, problems without their line) of one row's cells."""
    problems: list[str] = []
    date = clock = None
    ok = True
    if iso is not pd.NaT:
        date = iso
    elif date_txt:
        try:
            date, clock = parse_date(date_txt)
        except ValueError as exc:
            problems.append(str(exc))
            ok = False
    if time_txt:
        try:
            t = parse_time(time_txt)
        except ValueError as exc:
            problems.append(str(exc))
            ok = False
        else:
            if clock is not None and clock != t:
                problems.append(f"the date {date_txt!r} carries a time that differs from "
                                f"time {time_txt!r}; keep only the date in the date column")
                ok = False
            clock = t
    if date is None and clock is not None and ok:
        problems.append(f"a time ({time_txt}) without a date; add the run's local date (YYYY-MM-DD)")
        ok = False
    if date is None and not run_txt and ok:
        problems.append("no date and no run; add the run's local date (YYYY-MM-DD) "
                        "or its run_id / file name in the 'run' column")
        ok = False
    rid = None
    if ok and matcher is not None:
        rid, problem = matcher.match(date, clock, run_txt or None, onset)
        if problem:
            problems.append(problem)
        else:
            date = matcher.date_of(rid)
    elif ok and run_txt and RUN_ID_RE.match(run_txt):
        rid = run_txt.upper()
    return date, (clock[:5] if clock else None), rid, problems
