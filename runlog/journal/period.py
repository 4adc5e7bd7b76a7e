"""The case/control definition the analysis uses: the tracked period and the per-run outcome table.

* :func:`tracked_period` -- the period the journal covers, stated (``tracked=``
  or the journal's ``tracking started`` / ``tracking ended`` rows) or by
  default from the first journal entry to the end of the history, never to
  the last episode (a period ending at the last episode is defined by the
  outcome and drops every run after it);
* :func:`episode_flags` -- one row per run: is it inside that period
  (``tracked``), was it a numbness run (``numb``), when did the first
  episode start;
* :func:`run_dates`, :func:`tracked_span` -- the local date of each run, and
  the first and last date of the tracked runs.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import JournalError, RunlogWarning
from .matching import runs_of
from .sheet import parse_date

__all__ = ["tracked_period", "episode_flags", "run_dates", "tracked_span", "journal_period", "FLAG_COLUMNS",
           "STATE_PERIOD"]

#: Columns of :func:`episode_flags`.
FLAG_COLUMNS = ("tracked", "numb", "n_episodes", "onset_min", "onset_km", "onset_fill",
                "max_severity", "side", "location")


def _as_date(value, what: str):
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            date, clock = parse_date(value)
        except ValueError as exc:
            raise JournalError(f"tracked {what}: {exc}") from None
        if clock is not None:
            raise JournalError(f"tracked {what} {value!r}: give a date (YYYY-MM-DD), not a time")
        return date
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise JournalError(f"tracked {what} {value!r} is not a date; give YYYY-MM-DD or None") from None
    if pd.isna(ts):
        return None
    if ts.tzinfo is not None:
        raise JournalError(f"tracked {what} {value!r} has a time zone; give the local date (YYYY-MM-DD)")
    return ts.normalize()


#: How to state the journal period, ending the warnings of :func:`tracked_period`
#: (the command line replaces it with its own words, :func:`runlog.cli.command_line_hint`).
STATE_PERIOD = ("state it with --tracked START[:END] on the command line (e.g. --tracked 2024-03-01), "
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
    JournalError
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
                          "tracked; " + STATE_PERIOD, RunlogWarning, stacklevel=3)
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
                      "journal from another date, " + STATE_PERIOD, RunlogWarning, stacklevel=3)
        return start, end
    if isinstance(tracked, (str, bytes)) or not hasattr(tracked, "__len__") or len(tracked) != 2:
        raise JournalError(f"tracked={tracked!r}: give a pair (first_date, last_date), e.g. "
                           "('2024-03-01', None); None = open end")
    start, end = _as_date(tracked[0], "start"), _as_date(tracked[1], "end")
    if start is not None and end is not None and start > end:
        raise JournalError(f"tracked period starts {start:%Y-%m-%d} after it ends {end:%Y-%m-%d}; "
                           "swap the dates")
    return start, end


def _history_end(runs) -> pd.Timestamp | None:
    """The last run's local date (None without runs)."""
    if runs is None:
        return None
    frame, _ = runs_of(runs)
    if frame is None or not len(frame) or "start_local" not in frame:
        return None
    last = pd.to_datetime(frame["start_local"]).astype("datetime64[ns]").max()
    return None if pd.isna(last) else pd.Timestamp(last).normalize()


def _onset_from_records(t: np.ndarray, d: np.ndarray, onset_min: float, onset_km: float) -> tuple[float, float]:
    """Fill the missing onset from a run's records (elapsed time *t* [s], distance *d* [m]): distance
    covered at ``onset_min`` or time at which ``onset_km`` was reached (linear interpolation between
    samples; distance counted from the first sample)."""
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


def _tracks(records: pd.DataFrame, run_ids: set) -> dict[object, tuple[np.ndarray, np.ndarray]]:
    """run_id -> (elapsed_s, distance_m) arrays of the runs *run_ids* that have records, in the records'
    order: one pass over the first index level (a ``records.xs`` per run cost most of
    :func:`episode_flags` at 10,000 runs)."""
    index = records.index
    if isinstance(index, pd.MultiIndex):
        codes, level = np.asarray(index.codes[0]), index.levels[0]
    else:
        codes, level = pd.factorize(index)
    order = np.argsort(codes, kind="stable") if np.any(codes[1:] < codes[:-1]) else np.arange(len(codes))
    bounds = np.searchsorted(codes[order], np.arange(len(level) + 1))
    t = records["elapsed_s"].to_numpy(dtype="float64")
    d = records["distance_m"].to_numpy(dtype="float64")
    out = {}
    for code in np.flatnonzero(level.isin(list(run_ids))):
        rows = order[bounds[code]:bounds[code + 1]]
        if len(rows):
            out[level[code]] = (t[rows], d[rows])
    return out


def _fill_onsets(eps: pd.DataFrame, runs: pd.DataFrame, records) -> pd.DataFrame:
    """Fill a missing onset_min from onset_km (or the reverse): from the run's
    records when given, else at the run's average elapsed pace."""
    om = eps["onset_min"].to_numpy(dtype="float64").copy()
    ok_ = eps["onset_km"].to_numpy(dtype="float64").copy()
    how = np.array([None] * len(eps), dtype=object)
    ids = eps["run_id"].to_numpy(dtype=object)
    fill = np.isfinite(om) != np.isfinite(ok_)   # one given, the other to fill
    tracks = _tracks(records, set(ids[fill])) if fill.any() and records is not None and len(records) else {}
    for i, rid in enumerate(ids):
        if not fill[i]:
            continue  # both given or none
        if rid in tracks:
            t, d = tracks[rid]
            a, b = _onset_from_records(t, d, om[i], ok_[i])
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
    JournalError
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
    runs, _ = runs_of(runs)
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
        raise JournalError(problems, episodes.attrs.get("source"))
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


def _run_id_dates(run_ids: pd.Index) -> pd.Series:
    """Run dates from the run ids themselves (``YYYYMMDDTHHMMZ``, the UTC start)."""
    t = pd.to_datetime(pd.Series(run_ids.astype(str), index=run_ids), format="%Y%m%dT%H%MZ", errors="coerce")
    return t.dt.normalize()


def run_dates(index: pd.Index, runs: pd.DataFrame | None = None, frame: pd.DataFrame | None = None) -> pd.Series:
    """The local date of each run in *index* (naive midnight timestamps).

    Taken from ``runs['start_local']`` when *runs* is given, else from a
    ``start_local``, ``date_local`` or ``date`` column of *frame*, else from the run id
    (``YYYYMMDDTHHMMZ`` = UTC start, so a late-evening run west of Greenwich
    may land on the next day).

    Parameters
    ----------
    index : Index
        Run ids.
    runs : DataFrame, optional
        ``History.runs``.
    frame : DataFrame, optional
        A per-run frame indexed by run id (features, flags).

    Returns
    -------
    Series
        Index *index*, naive datetime64 dates (NaT when unknown).
    """
    for src, col in ((runs, "start_local"), (frame, "start_local"), (frame, "date_local"), (frame, "date")):
        if src is not None and col in src:
            s = pd.to_datetime(src[col].reindex(index))
            if getattr(s.dt, "tz", None) is not None:
                s = s.dt.tz_localize(None)
            return s.dt.normalize()
    return _run_id_dates(pd.Index(index))


def tracked_span(flags: pd.DataFrame | None, runs: pd.DataFrame | None = None):
    """The first and last local date of the tracked runs (``flags['tracked']``).

    Parameters
    ----------
    flags : DataFrame or None
        :func:`episode_flags` output (``tracked``).
    runs : DataFrame, optional
        ``History.runs``, for the local dates (:func:`run_dates`).

    Returns
    -------
    tuple (first, last) of Timestamp, or None
        None without flags or without a tracked run.
    """
    if flags is None or "tracked" not in flags:
        return None
    tr = flags.index[flags["tracked"].fillna(False).astype(bool).to_numpy()]
    if len(tr) == 0:
        return None
    d = run_dates(tr, runs=runs, frame=flags)
    return (d.min(), d.max())


def journal_period(tracked, flags: pd.DataFrame | None, runs: pd.DataFrame | None = None):
    """The journal period of an analysis as the report shows it (``Report.tracked``).

    Parameters
    ----------
    tracked : tuple (start, end) or None
        The period as given to :func:`runlog.analyze` (``None`` or
        ``(None, None)``: not given).
    flags : DataFrame or None
        :func:`runlog.episode_flags` of every run (``tracked``).
    runs : DataFrame, optional
        ``History.runs`` (the runs' local dates).

    Returns
    -------
    tuple (start, end) or None
        The given period as Timestamps (None for an open end); when none was
        given, the first and last local date of the tracked runs
        (:func:`runlog.journal.period.tracked_span`); None without either.
    """
    if tracked is not None and len(tracked) == 2 and any(v is not None for v in tracked):
        return tuple(None if v is None else pd.Timestamp(v) for v in tracked)
    return tracked_span(flags, runs)
