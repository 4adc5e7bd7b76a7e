"""The :class:`Activity` container and the finishing steps every reader shares.

A reader (:mod:`runlog.io`) decodes its format into a raw records frame,
a laps frame and an ``info`` dict; :func:`finalize` turns those into the
canonical form: schema columns and dtypes, derived distance and speed where a
file only has positions, ``elapsed_s``, the stable ``run_id`` and the time
zone.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import geo, schema

__all__ = ["Activity", "finalize", "make_run_id", "resolve_tz", "local_time"]


@dataclass
class Activity:
    """One activity (one session of a file) in runlog's canonical form.

    Attributes
    ----------
    records : pandas.DataFrame
        Per-sample data, index ``time`` (UTC), columns
        :data:`runlog.schema.RECORD_COLUMNS` (float, NaN where absent).
    laps : pandas.DataFrame
        Laps, columns :data:`runlog.schema.LAP_COLUMNS`.
    info : pandas.Series
        Metadata, keys :data:`runlog.schema.INFO_KEYS`.
    """

    records: pd.DataFrame
    laps: pd.DataFrame = field(default_factory=lambda: schema.conform_laps(None))
    info: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))

    @property
    def run_id(self) -> str:
        """The activity's stable id (``info['run_id']``)."""
        return self.info["run_id"]

    def __repr__(self) -> str:
        i = self.info
        dist = self.records["distance_m"].max()
        dist_txt = f"{dist / 1000:.2f} km" if pd.notna(dist) else "no distance"
        dur = self.records["elapsed_s"].max()
        dur_txt = str(_dt.timedelta(seconds=round(float(dur)))) if pd.notna(dur) else "?"
        return (f"<Activity {i.get('run_id')} {i.get('sport')} {dist_txt} {dur_txt} "
                f"{len(self.records)} records, {len(self.laps)} laps, "
                f"{i.get('format')} from {i.get('device')}>")

    def _repr_html_(self) -> str:  # pragma: no cover - cosmetic
        head = pd.DataFrame({"value": self.info.astype(str)}).to_html()
        return f"<p><b>{repr(self)[1:-1]}</b></p>{head}"


def make_run_id(start_time: pd.Timestamp) -> str:
    """Stable run id from the UTC start: ``YYYYMMDDTHHMMZ`` (floored to the minute).

    The same activity exported as FIT, GPX and TCX starts at the same second,
    so it gets the same id whatever the format.

    Parameters
    ----------
    start_time : Timestamp
        Time zone-aware start of the activity.

    Returns
    -------
    str
        E.g. ``20240504T0712Z``.
    """
    t = pd.Timestamp(start_time).tz_convert("UTC")
    return t.strftime("%Y%m%dT%H%MZ")


@lru_cache(maxsize=1)
def _tzfinder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


#: Decimals of the start position the time-zone lookup is cached by (0.001 deg ~ 100 m): a runner's
#: runs start from a few places, so one import looks each place up once; a start within ~100 m of
#: a zone border may take the neighbouring zone.
TZ_CACHE_DECIMALS = 3


@lru_cache(maxsize=4096)
def _zone_at(lat: float, lon: float) -> str | None:
    """IANA zone at a rounded position, cached (timezonefinder takes ~5 ms per lookup)."""
    return _tzfinder().timezone_at(lat=lat, lng=lon)


def _fixed_offset_name(offset: _dt.timedelta) -> str:
    total = int(round(offset.total_seconds() / 60.0))
    sign = "+" if total >= 0 else "-"
    h, m = divmod(abs(total), 60)
    return f"{sign}{h:02d}:{m:02d}"


def resolve_tz(records: pd.DataFrame, info: dict, tz=None) -> tuple[str, str]:
    """Decide an activity's time zone.

    Order: the ``tz`` argument; the device's own offset (FIT
    ``activity.local_timestamp - timestamp``, passed as
    ``info['utc_offset_s']`` by the FIT reader) as a fixed offset; the IANA
    zone of the first position (timezonefinder, looked up once per place:
    the position rounded to :data:`TZ_CACHE_DECIMALS` decimals); else UTC.

    Parameters
    ----------
    records : DataFrame
        The activity's records (``lat_deg``, ``lon_deg``).
    info : dict
        The reader's info (``utc_offset_s`` [s] from FIT files).
    tz : str, optional
        Time zone given by the caller; wins over everything else.

    Returns
    -------
    (tz, tz_source) : tuple of str
    """
    if "lat_deg" in records and "lon_deg" in records:
        lat = records["lat_deg"].to_numpy(dtype="float64", na_value=np.nan)
        lon = records["lon_deg"].to_numpy(dtype="float64", na_value=np.nan)
    else:
        lat = lon = np.zeros(0)
    return _resolve_tz(lat, lon, info, tz)


def _resolve_tz(lat: np.ndarray, lon: np.ndarray, info: dict, tz=None) -> tuple[str, str]:
    """:func:`resolve_tz` from the position arrays [°]."""
    if tz is not None:
        return str(tz), "argument"
    off = info.get("utc_offset_s")
    if off is not None and np.isfinite(off) and abs(off) <= 14 * 3600:
        return _fixed_offset_name(_dt.timedelta(seconds=float(off))), "fit_local_timestamp"
    ok = np.flatnonzero((np.abs(lat) <= 90) & (np.abs(lon) <= 180))   # NaN and damaged files fail both
    if len(ok):
        i = int(ok[0])
        name = _zone_at(round(float(lat[i]), TZ_CACHE_DECIMALS), round(float(lon[i]), TZ_CACHE_DECIMALS))
        if name:
            return name, "position"
    return "UTC", "default"


def local_time(t, tz: str) -> pd.Timestamp:
    """UTC timestamp(s) *t* as naive wall-clock time in zone *tz* (IANA or '+HH:MM').

    Parameters
    ----------
    t : Timestamp, str, Series or DatetimeIndex
        Time zone-aware UTC time(s).
    tz : str
        IANA zone name (``Europe/Berlin``) or fixed offset (``+02:00``).

    Returns
    -------
    Timestamp, Series or DatetimeIndex
        Same shape as *t*, time zone-naive local time.
    """
    t = pd.Timestamp(t) if not isinstance(t, (pd.Series, pd.DatetimeIndex)) else t
    if isinstance(t, pd.Series):
        return t.dt.tz_convert(tz).dt.tz_localize(None)
    return t.tz_convert(tz).tz_localize(None)


def finalize(records: pd.DataFrame, laps: pd.DataFrame | None, info: dict, *, tz=None) -> Activity:
    """Turn a reader's raw output into a canonical :class:`Activity`.

    Parameters
    ----------
    records : DataFrame or RecordArrays
        Index of timestamps (naive = UTC), any subset of the record columns
        (or the same as arrays: :class:`runlog.io.RecordArrays`).
    laps : DataFrame, dict or None
        Any subset of the lap columns; or a dict of all of them in their
        schema dtypes (:func:`runlog.schema.lap_arrays`' form).
    info : dict
        At least ``source`` and ``format``; optional ``utc_offset_s`` (FIT).
    tz : str, optional
        Time zone override.

    Returns
    -------
    Activity
        Records and laps in the canonical columns, ``info`` completed (time
        zone, run id, local start).

    Notes
    -----
    * ``distance_m`` missing but positions present: cumulative haversine
      distance (:func:`runlog.geo.cumulative_distance_m`).
    * ``speed_mps`` missing: Δdistance / Δtime between samples (NaN over
      gaps of no time).
    * ``elapsed_s``: seconds since the first record.
    * Physiologically impossible heart rate, cadence and temperature samples
      are NaN (:func:`runlog.schema.mask_impossible`); so are the device's
      lap and session heart rates outside the same range
      (:func:`runlog.schema.possible_hr`).
    """
    # on arrays, one frame built at the end (a frame per step was most of an import's per-file work)
    ns, cols = schema.record_arrays(records)
    cols = schema.impossible_masked(cols, info.get("sport"))
    n = len(ns)
    if np.isnan(cols["distance_m"]).all() and not np.isnan(cols["lat_deg"]).all():
        cols["distance_m"] = geo.cumulative_distance_m(cols["lat_deg"], cols["lon_deg"])
    dist = cols["distance_m"]
    if np.isnan(cols["speed_mps"]).all() and np.count_nonzero(~np.isnan(dist)) > 1:
        d = _interpolate_inside(dist)
        dt = np.diff(ns) / 1e9
        with np.errstate(divide="ignore", invalid="ignore"):
            sp = np.where(dt > 0, np.diff(d) / dt, np.nan)
        speed = np.concatenate([[np.nan], np.clip(sp, 0, None)])
        if n > 1:
            speed[0] = speed[1]
        cols["speed_mps"] = speed
    cols["elapsed_s"] = (ns - ns[0]) / 1e9 if n else np.zeros(0)
    rec = schema.records_from_arrays(ns, cols)
    info = dict(info)
    for k in ("device_avg_hr_bpm", "device_max_hr_bpm"):
        if info.get(k) is not None:
            info[k] = schema.possible_hr(info[k])
    info.setdefault("sport", "unknown")
    info.setdefault("sub_sport", None)
    info.setdefault("device", None)
    info.setdefault("truncated", False)
    info.setdefault("session", 1)
    info.setdefault("n_sessions", 1)
    if n:
        start = rec.index[0]
        info["start_time"] = start
        info["end_time"] = rec.index[-1]
        info["run_id"] = make_run_id(start)
        zone, src = _resolve_tz(cols["lat_deg"], cols["lon_deg"], info, tz)
        info["tz"], info["tz_source"] = zone, src
        info["start_local"] = local_time(start, zone)
    info.pop("utc_offset_s", None)
    ordered = {k: info.get(k) for k in schema.INFO_KEYS if k in info}
    ordered.update({k: v for k, v in info.items() if k not in ordered})
    n_laps = 0 if laps is None else len(laps["lap"]) if isinstance(laps, dict) else len(laps)
    if not n_laps:
        lap_frame = schema.conform_laps(None)
    else:
        lap_cols = dict(laps) if isinstance(laps, dict) else schema.lap_arrays(laps)
        for c in ("avg_hr_bpm", "max_hr_bpm"):
            lap_cols[c] = schema.possible_hr(lap_cols[c])
        lap_frame = pd.DataFrame(lap_cols, index=pd.RangeIndex(n_laps))
    return Activity(rec, lap_frame, pd.Series(ordered, dtype=object))


def _interpolate_inside(v: np.ndarray) -> np.ndarray:
    """NaN values between the first and last valid one linearly interpolated by position
    (``Series.interpolate(limit_area='inside')``); the ends stay NaN."""
    ok = np.flatnonzero(~np.isnan(v))
    if len(ok) < 2 or ok[-1] - ok[0] + 1 == len(ok):
        return v
    out = v.copy()
    gaps = np.arange(ok[0], ok[-1] + 1)
    gaps = gaps[np.isnan(v[gaps])]
    out[gaps] = np.interp(gaps, ok, v[ok])
    return out
