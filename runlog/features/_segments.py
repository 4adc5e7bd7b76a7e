"""Vectorised per-run reductions over the History.records frame.

``History.records`` stacks every run's samples (MultiIndex ``run_id``,
``time``).  Rather than a Python loop per run, :func:`segments` computes once
the integer run code of every row and the row offsets of each run; the
reductions below are then single numpy calls over the whole history
(``np.bincount``, ``ufunc.reduceat``, ``np.searchsorted``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import MAX_SAMPLE_GAP_S, MOVING_SPEED_MPS

__all__ = ["Segments", "segments", "gsum", "gmax", "gmin", "wmean", "wstd", "lag_index", "gcumsum"]

# Separation between runs on the combined (run code, elapsed) key [s]: larger
# than any run's duration.
_KEY_STRIDE_S = 1.0e8


@dataclass(frozen=True)
class Segments:
    """Row bookkeeping of a stacked records frame.

    Attributes
    ----------
    run_ids : pandas.Index
        The runs, in row order.
    codes : ndarray of int
        Run number (position in ``run_ids``) of every row.
    starts : ndarray of int
        First row of each run.
    elapsed_s : ndarray
        Seconds since the run's first sample [s].
    dt_s : ndarray
        Time each sample stands for [s]: to the next sample of the same run,
        0 for a run's last sample and for gaps longer than
        :data:`runlog.schema.MAX_SAMPLE_GAP_S` (pauses).
    moving : ndarray of bool
        :func:`runlog.history.moving_mask` over the whole frame.
    frame : DataFrame
        The records with a flat index (rows in run order).
    """

    run_ids: pd.Index
    codes: np.ndarray
    starts: np.ndarray
    elapsed_s: np.ndarray
    dt_s: np.ndarray
    moving: np.ndarray
    frame: pd.DataFrame

    @property
    def n(self) -> int:
        """Number of runs."""
        return len(self.run_ids)

    def col(self, name: str) -> np.ndarray:
        """A record column as a float64 array.

        Parameters
        ----------
        name : str
            Column of the records frame, e.g. ``"speed_mps"``.

        Returns
        -------
        ndarray of float64
            One value per row in segment order (NaN for missing values).
        """
        return self.frame[name].to_numpy(dtype="float64", na_value=np.nan)

    def series(self, values, name: str | None = None) -> pd.Series:
        """Per-run values as a Series indexed by run_id.

        Parameters
        ----------
        values : array_like
            One value per run, in the order of :attr:`run_ids`.
        name : str, optional
            Name of the Series.

        Returns
        -------
        Series of float64
            Indexed by run_id.
        """
        return pd.Series(np.asarray(values, dtype="float64"), index=self.run_ids, name=name)

    def key(self) -> np.ndarray:
        """Monotonic key (run code, elapsed) for searches within runs.

        Returns
        -------
        ndarray of float64
            ``run code * 1e8 + elapsed seconds`` per row, increasing along the rows.
        """
        return self.codes * _KEY_STRIDE_S + self.elapsed_s


def segments(records: pd.DataFrame) -> Segments:
    """Row bookkeeping for *records* (MultiIndex ``run_id``, ``time``).

    Rows of one run need not be contiguous on input; they are put in run
    order (stable) and by time within a run.

    Parameters
    ----------
    records : DataFrame
        ``History.records`` (MultiIndex ``run_id``, ``time``; ``speed_mps``
        used for the moving mask when present).

    Returns
    -------
    Segments
        Run codes, run starts, elapsed time [s], sample durations [s] (0 over
        gaps longer than ``MAX_SAMPLE_GAP_S``), moving mask and the reordered
        frame.
    """
    mi = records.index
    # integer codes of the MultiIndex (fast: no string factorisation)
    codes, first_codes = pd.factorize(np.asarray(mi.codes[0]), sort=False)
    uniques = mi.levels[0].take(first_codes) if len(first_codes) else mi.levels[0][:0]
    time_level = mi.get_level_values(1)
    t_ns = pd.DatetimeIndex(time_level).as_unit("ns").asi8
    n_rows = len(codes)
    if n_rows and (np.any(np.diff(codes) < 0) or np.any((np.diff(codes) == 0) & (np.diff(t_ns) < 0))):
        order = np.lexsort((t_ns, codes))
        codes, t_ns = codes[order], t_ns[order]
        frame = records.iloc[order]
    else:
        frame = records
    frame = frame.reset_index(drop=True)
    starts = np.flatnonzero(np.r_[True, np.diff(codes) != 0]) if n_rows else np.zeros(0, dtype=int)
    t_s = t_ns / 1e9
    first = np.repeat(t_s[starts], np.diff(np.r_[starts, n_rows])) if n_rows else t_s
    elapsed = t_s - first
    dt = np.zeros(n_rows)
    if n_rows > 1:
        dt[:-1] = np.diff(t_s)
        same = codes[1:] == codes[:-1]
        dt[:-1] = np.where(same, dt[:-1], 0.0)
    dt = np.where(dt > MAX_SAMPLE_GAP_S, 0.0, dt)
    raw_last = np.r_[codes[1:] != codes[:-1], True] if n_rows else np.zeros(0, bool)
    speed = (frame["speed_mps"].to_numpy(dtype="float64", na_value=np.nan) if "speed_mps" in frame
             else np.full(n_rows, np.nan))
    gap_ok = np.ones(n_rows, bool)
    if n_rows > 1:
        gap_ok[:-1] = (np.diff(t_s) <= MAX_SAMPLE_GAP_S) | raw_last[:-1]
    moving = np.where(np.isnan(speed), True, speed > MOVING_SPEED_MPS) & gap_ok
    return Segments(pd.Index(uniques, name="run_id"), codes, starts, elapsed, dt, moving, frame)


def gsum(seg: Segments, values) -> np.ndarray:
    """Per-run sum of *values*, NaN ignored (0 for a run with none).

    Parameters
    ----------
    seg : Segments
        Row bookkeeping of the records (:func:`segments`).
    values : array_like
        One value per row, in segment order (booleans count as 0/1).

    Returns
    -------
    ndarray of float64
        One value per run, same unit as *values*.
    """
    v = np.asarray(values, dtype="float64")
    if seg.n == 0:
        return np.zeros(0)
    # rows of a run are contiguous (segments() ensures it): reduceat is a single pass
    return np.add.reduceat(np.where(np.isnan(v), 0.0, v), seg.starts)


def gmax(seg: Segments, values) -> np.ndarray:
    """Per-run maximum, NaN ignored (NaN for a run with none).

    Parameters
    ----------
    seg : Segments
        Row bookkeeping of the records (:func:`segments`).
    values : array_like
        One value per row, in segment order.

    Returns
    -------
    ndarray of float64
        One value per run, same unit as *values*.
    """
    v = np.asarray(values, dtype="float64")
    if seg.n == 0:
        return np.zeros(0)
    return np.fmax.reduceat(v, seg.starts)


def gmin(seg: Segments, values) -> np.ndarray:
    """Per-run minimum, NaN ignored (NaN for a run with none).

    Parameters
    ----------
    seg : Segments
        Row bookkeeping of the records (:func:`segments`).
    values : array_like
        One value per row, in segment order.

    Returns
    -------
    ndarray of float64
        One value per run, same unit as *values*.
    """
    v = np.asarray(values, dtype="float64")
    if seg.n == 0:
        return np.zeros(0)
    return np.fmin.reduceat(v, seg.starts)


def gcumsum(seg: Segments, values) -> np.ndarray:
    """Cumulative sum within each run (NaN counted as 0), inclusive of the row.

    Parameters
    ----------
    seg : Segments
        Row bookkeeping of the records (:func:`segments`).
    values : array_like
        One value per row, in segment order.

    Returns
    -------
    ndarray of float64
        One value per row, same unit as *values*.
    """
    v = np.asarray(values, dtype="float64")
    v = np.where(np.isnan(v), 0.0, v)
    c = np.cumsum(v)
    if seg.n == 0:
        return c
    before = np.r_[0.0, c][seg.starts]
    return c - before[seg.codes]


def wmean(seg: Segments, values, weights, mask=None) -> np.ndarray:
    """Per-run weighted mean of the finite *values* (where *mask*).

    NaN for a run whose weights sum to 0.

    Parameters
    ----------
    seg : Segments
        Row bookkeeping of the records (:func:`segments`).
    values : array_like
        One value per row, in segment order.
    weights : array_like
        Weight of each row (usually the sample duration [s]); rows with weight
        <= 0 are left out.
    mask : array_like of bool, optional
        Rows to use (default all).

    Returns
    -------
    ndarray of float64
        One value per run, same unit as *values*.
    """
    v = np.asarray(values, dtype="float64")
    w = np.asarray(weights, dtype="float64")
    ok = np.isfinite(v) & (w > 0)
    if mask is not None:
        ok &= np.asarray(mask, bool)
    sw = gsum(seg, np.where(ok, w, 0.0))
    swv = gsum(seg, np.where(ok, w * np.where(ok, v, 0.0), 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sw > 0, swv / sw, np.nan)


def wstd(seg: Segments, values, weights, mask=None) -> np.ndarray:
    """Per-run weighted (population) standard deviation of the finite *values*.

    Parameters
    ----------
    seg : Segments
        Row bookkeeping of the records (:func:`segments`).
    values : array_like
        One value per row, in segment order.
    weights : array_like
        Weight of each row (usually the sample duration [s]).
    mask : array_like of bool, optional
        Rows to use (default all).

    Returns
    -------
    ndarray of float64
        One value per run, same unit as *values*; NaN where the weights sum to 0.
    """
    v = np.asarray(values, dtype="float64")
    m = wmean(seg, v, weights, mask)
    dev2 = (v - m[seg.codes]) ** 2
    var = wmean(seg, dev2, weights, mask)
    return np.sqrt(var)


def lag_index(seg: Segments, window_s: float) -> np.ndarray:
    """For every row, the last row of the same run at least *window_s* earlier.

    Parameters
    ----------
    seg : Segments
        Row bookkeeping of the records (:func:`segments`).
    window_s : float
        How far back to look [s].

    Returns
    -------
    ndarray of int
        Row number, -1 where the run has no sample that early.
    """
    key = seg.key()
    j = np.searchsorted(key, key - window_s, side="right") - 1
    bad = (j < 0) | (seg.codes[np.clip(j, 0, None)] != seg.codes)
    return np.where(bad, -1, j)
