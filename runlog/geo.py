"""Geodesy helpers: distances between WGS84 positions.

Pure functions over numpy arrays / pandas Series.
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG) [m]

__all__ = ["EARTH_RADIUS_M", "haversine_m", "step_distance_m", "cumulative_distance_m"]


def haversine_m(lat1_deg, lon1_deg, lat2_deg, lon2_deg):
    """Great-circle distance between two WGS84 positions.

    Parameters
    ----------
    lat1_deg, lon1_deg, lat2_deg, lon2_deg : array_like
        Positions [°].

    Returns
    -------
    numpy.ndarray
        Distance [m] on a sphere of radius :data:`EARTH_RADIUS_M` (haversine
        formula, Sinnott 1984, "Virtues of the Haversine", Sky & Telescope 68(2)).

    References
    ----------
    .. [1] Sinnott, R. W. (1984). Virtues of the Haversine. Sky & Telescope
       68(2).
    """
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype="float64"))
                              for a in (lat1_deg, lon1_deg, lat2_deg, lon2_deg))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def step_distance_m(lat_deg, lon_deg) -> np.ndarray:
    """Distance [m] from each position to the next valid one before it.

    Samples without a position get NaN; the first valid sample gets 0.
    Gaps (samples with no position) are bridged: the step after a gap is the
    straight distance from the last known position.

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Latitude and longitude of each sample [°]; NaN without a position.

    Returns
    -------
    ndarray
        Step distance [m], one value per sample.
    """
    lat = np.asarray(lat_deg, dtype="float64")
    lon = np.asarray(lon_deg, dtype="float64")
    out = np.full(lat.shape, np.nan)
    ok = np.flatnonzero(~(np.isnan(lat) | np.isnan(lon)))
    if ok.size == 0:
        return out
    out[ok[0]] = 0.0
    out[ok[1:]] = haversine_m(lat[ok[:-1]], lon[ok[:-1]], lat[ok[1:]], lon[ok[1:]])
    return out


def cumulative_distance_m(lat_deg, lon_deg) -> np.ndarray:
    """Cumulative 2-D distance [m] along a track (haversine steps).

    Samples before the first position are NaN; samples without a position
    after it carry the last cumulative value forward.

    Parameters
    ----------
    lat_deg, lon_deg : array_like
        Latitude and longitude of each sample [°]; NaN without a position.

    Returns
    -------
    ndarray
        Cumulative distance [m], one value per sample.
    """
    steps = step_distance_m(lat_deg, lon_deg)
    if np.all(np.isnan(steps)):
        return steps
    first = int(np.flatnonzero(~np.isnan(steps))[0])
    cum = np.nancumsum(steps)
    cum[:first] = np.nan
    return cum
