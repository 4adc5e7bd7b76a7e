"""Terrain: climbing and how uneven (hilly) a route is."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._segments import Segments, gmax, gmin, lag_index, segments, wmean, wstd

__all__ = ["GRADE_WINDOW_S", "grade_pct", "terrain_features"]

#: Window over which grade is measured [s] (about 60-100 m of running:
#: shorter windows mostly measure altitude noise).
GRADE_WINDOW_S = 30.0
#: Least horizontal distance for a grade over one window [m].
MIN_GRADE_DISTANCE_M = 20.0
#: Grades beyond this are altitude glitches [%].
MAX_GRADE_PCT = 50.0


def grade_pct(d_altitude_m, d_distance_m, min_distance_m: float = MIN_GRADE_DISTANCE_M):
    """Grade = rise / run * 100 [%] (NaN under *min_distance_m* or beyond +-50 %).

    Parameters
    ----------
    d_altitude_m : array_like
        Altitude change [m].
    d_distance_m : array_like
        Horizontal distance over which it occurred [m].
    min_distance_m : float
        Shortest distance for which a grade is given [m].

    Returns
    -------
    ndarray
        Grade [%].
    """
    da = np.asarray(d_altitude_m, dtype="float64")
    dd = np.asarray(d_distance_m, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.where(dd >= min_distance_m, da / dd * 100.0, np.nan)
    return np.where(np.abs(g) <= MAX_GRADE_PCT, g, np.nan)


def terrain_features(records: pd.DataFrame, runs: pd.DataFrame, *, seg: Segments | None = None) -> pd.DataFrame:
    """Per-run climbing and grade variability.

    Parameters
    ----------
    records : DataFrame
        ``History.records``.
    runs : DataFrame
        ``History.runs`` (``ascent_m``, ``distance_m``).

    Returns
    -------
    DataFrame indexed by run_id
        * ``ascent_m``: total ascent with a 2 m dead band (``History.runs``).
        * ``ascent_per_km_m``: ascent per kilometre of distance [m/km].
        * ``altitude_range_m``: highest minus lowest altitude [m].
        * ``grade_abs_mean_pct``: mean absolute grade over 30-s windows while
          moving [%] (how hilly).
        * ``grade_sd_pct``: standard deviation of that grade [%] (how uneven:
          frequent ups and downs).
    """
    seg = segments(records) if seg is None else seg
    out = pd.DataFrame(index=seg.run_ids)
    asc = pd.to_numeric(runs["ascent_m"], errors="coerce").astype("float64").reindex(seg.run_ids)
    dist_km = pd.to_numeric(runs["distance_m"], errors="coerce").astype("float64").reindex(seg.run_ids) / 1000
    out["ascent_m"] = asc
    out["ascent_per_km_m"] = (asc / dist_km).where(dist_km > 0.1)
    alt = seg.col("altitude_m")
    dist = seg.col("distance_m")
    out["altitude_range_m"] = gmax(seg, alt) - gmin(seg, alt)
    j = lag_index(seg, GRADE_WINDOW_S)
    jj = np.clip(j, 0, None)
    span = seg.elapsed_s - seg.elapsed_s[jj]
    g = grade_pct(alt - alt[jj], dist - dist[jj])
    g = np.where((j >= 0) & (span <= 1.5 * GRADE_WINDOW_S), g, np.nan)
    out["grade_abs_mean_pct"] = wmean(seg, np.abs(g), seg.dt_s, seg.moving)
    out["grade_sd_pct"] = wstd(seg, g, seg.dt_s, seg.moving)
    return out
