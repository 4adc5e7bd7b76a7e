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

from ..activity import local_time
from .sheet import Table, parse_date, parse_time, plain_iso_dates

__all__ = ["identify", "runs_of", "check_tz", "describe_run", "START_TOLERANCE_MIN", "MATCH_TOLERANCE_MIN",
           "RUN_ID_RE"]

#: A row's ``time`` within this many minutes of a run's local start picks
#: that run first (the nearest start wins) [min].
START_TOLERANCE_MIN = 10.0
#: Otherwise the run whose start-to-end span contains the ``time``, else a
#: run whose span is within this many minutes of it [min].
MATCH_TOLERANCE_MIN = 60.0

RUN_ID_RE = re.compile(r"^\d{8}T\d{4}Z$", re.IGNORECASE)


def check_tz(tz, err):
    """A ``tz`` argument checked: an IANA zone or a fixed offset runlog can use.

    Parameters
    ----------
    tz : str or None
        The time zone given by the caller.
    err : type
        Exception class raised for a bad zone (:class:`~runlog.errors.EpisodeError`
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


def _basename(source) -> str:
    s = str(source).split("!")[-1].replace("\\", "/").rsplit("/", 1)[-1].lower()
    return s[:-3] if s.endswith(".gz") else s


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
            describe_run(r, self.start.loc[r], self.runs.loc[r]) for r in picked)

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
        if RUN_ID_RE.match(key):
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
                    run = describe_run(rid, self.start.loc[rid], self.runs.loc[rid])
                    return None, (f"line {line}: run {key!r} is {run}, "
                                  f"but the row says {target:%Y-%m-%d %H:%M}; fix the date/time or the run")
            elif self.date.loc[rid] != date:
                return None, (f"line {line}: run {key!r} is on {self.date.loc[rid]:%Y-%m-%d} "
                              f"({describe_run(rid, self.start.loc[rid], self.runs.loc[rid])}), but the row "
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
            describe_run(r, self.start.loc[r], self.runs.loc[r]) for r in picked)


def identify(table: Table, runs, tz, problems: list[str]):
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
    problems : list of str
        Problems are appended here (``'line N: ...'``), one per bad row.

    Returns
    -------
    (list, list, list, list)
        Per row: the date (Timestamp at midnight or None), the clock
        (``'HH:MM'`` or None), the run text (or None) and the matched run_id
        (or None).
    """
    matcher = _Matcher(runs, tz) if runs is not None else None
    dates, clocks, run_texts, run_ids = [], [], [], []
    iso = plain_iso_dates(table.cells.get("date"))
    for i, line in enumerate(table.lines):
        date_txt, time_txt, run_txt = table.get("date", i), table.get("time", i), table.get("run", i)
        date = clock = None
        ok = True
        if iso is not None and iso[i] is not pd.NaT:
            date = iso[i]
        elif date_txt:
            try:
                date, clock = parse_date(date_txt)
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
                ok = False
        if time_txt:
            try:
                t = parse_time(time_txt)
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
        elif ok and run_txt and RUN_ID_RE.match(run_txt):
            rid = run_txt.upper()
        dates.append(date)
        clocks.append(clock[:5] if clock else None)
        run_texts.append(run_txt or None)
        run_ids.append(rid)
    return dates, clocks, run_texts, run_ids
