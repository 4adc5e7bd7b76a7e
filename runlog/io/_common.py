"""Format-neutral helpers shared by the FIT, GPX and TCX readers.

So that the three formats read one run alike, the rules they share live
here, in one module every reader imports (and that imports none of them):

* :class:`RawActivity`, what a decoder returns per session;
* sport names (:func:`normalize_sport`: an app's sport name -> FIT's
  vocabulary) and whether a cadence counts strides
  (:func:`cadence_is_strides`; the foot sports are
  :data:`runlog.schema.FOOT_SPORTS`, the moving speed
  :data:`runlog.schema.MOVING_SPEED_MPS`);
* which sample times are usable (:func:`usable_time_mask`), and the
  assembly of a time-sorted records frame with one row per timestamp
  (:func:`seconds_to_ns`, :func:`sorted_unique`, :func:`records_frame`,
  :func:`position_speed_mps`).

The XML safety (DTDs, encodings, namespace repair) is in
:mod:`runlog.io._xml`.
"""

from __future__ import annotations

import re
import time as _time
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import FileFormatError, UntimedPointsWarning
from ..schema import FOOT_SPORTS, MOVING_SPEED_MPS

__all__ = [
    "RawActivity",
    "RecordArrays",
    "UntimedPointsWarning",
    "FIT_SPORTS",
    "SPORT_ALIASES",
    "normalize_sport",
    "cadence_is_strides",
    "MAX_STRIDE_CADENCE",
    "MAX_FOOT_SPEED_MPS",
    "MAX_STRIDE_LENGTH_M",
    "usable_time_mask",
    "sorted_unique",
    "records_frame",
    "text_or_none",
    "float_or_nan",
    "position_speed_mps",
    "seconds_to_ns",
    "MIN_TIMED_FRACTION",
    "GPS_EPOCH",
    "FUTURE_MARGIN_S",
]


class RecordArrays:
    """One session's records as arrays, the form the FIT decoder hands to :func:`runlog.io.finalize`
    inside :func:`runlog.io.read_activities` (no frame built only to be taken apart again).

    Parameters
    ----------
    ns : ndarray of int64
        Sample times [ns since 1970, UTC]; NaT as ``numpy.iinfo('int64').min``.
    columns : dict
        Record column name (:data:`runlog.schema.RECORD_COLUMNS`, any subset) -> float array of
        the same length.
    """

    __slots__ = ("ns", "columns")

    def __init__(self, ns: np.ndarray, columns: dict[str, np.ndarray]):
        self.ns, self.columns = ns, columns

    def __len__(self) -> int:
        return len(self.ns)

    def frame(self) -> pd.DataFrame:
        """The records as the frame a decoder returns.

        Returns
        -------
        DataFrame
            Index the UTC times, the columns in their order (not copied).
        """
        idx = pd.DatetimeIndex(np.asarray(self.ns, dtype="int64").view("datetime64[ns]")).tz_localize("UTC")
        return pd.DataFrame(self.columns, index=idx, copy=False)


class RawActivity(NamedTuple):
    """A decoder's output for one session, before :func:`runlog.io.finalize`.

    records : DataFrame indexed by timestamps (UTC, naive or aware) with any of
        the canonical record columns (or, inside :func:`runlog.io.read_activities`,
        the same as :class:`RecordArrays`); laps : DataFrame, a dict of the
        canonical lap columns (:func:`runlog.schema.lap_arrays`' form) or None; info : dict
        (``sport``, ``sub_sport``, ``device``, ``device_*`` totals,
        ``truncated``, ``session``, ``n_sessions``, FIT ``utc_offset_s``).
    """

    records: pd.DataFrame | RecordArrays
    laps: pd.DataFrame | dict | None
    info: dict


# --------------------------------------------------------------------------
# Sport names and cadence units
# --------------------------------------------------------------------------

#: FIT profile sport names kept as they are when a file uses one (FIT SDK
#: Profile.xlsx, type ``sport``).
FIT_SPORTS = frozenset({
    "generic", "running", "cycling", "transition", "fitness_equipment", "swimming", "basketball",
    "soccer", "tennis", "american_football", "training", "walking", "cross_country_skiing",
    "alpine_skiing", "snowboarding", "rowing", "mountaineering", "hiking", "multisport", "paddling",
    "flying", "e_biking", "motorcycling", "boating", "driving", "golf", "hang_gliding",
    "horseback_riding", "hunting", "fishing", "inline_skating", "rock_climbing", "sailing",
    "ice_skating", "sky_diving", "snowshoeing", "snowmobiling", "stand_up_paddleboarding",
    "surfing", "wakeboarding", "water_skiing", "kayaking", "rafting", "windsurfing", "kitesurfing",
})

#: Sport names written by apps (Garmin Connect GPX ``<type>``, TCX ``Activity@Sport``,
#: Strava GPX numeric ``<type>`` codes) -> (FIT sport, FIT sub_sport or None).
#: Strava codes: 1 Ride, 4 Hike, 9 Run, 10 Walk, 16 Swim, 17 VirtualRide (the
#: order of Strava's activity-type list; 9 and 1 checked on real exports).
SPORT_ALIASES: dict[str, tuple[str, str | None]] = {
    "run": ("running", None), "running": ("running", None),
    "trail_running": ("running", "trail"), "trail_run": ("running", "trail"), "trailrun": ("running", "trail"),
    "treadmill_running": ("running", "treadmill"), "street_running": ("running", "street"),
    "track_running": ("running", "track"), "indoor_running": ("running", "indoor_running"),
    "virtual_run": ("running", "virtual_activity"), "virtualrun": ("running", "virtual_activity"),
    "biking": ("cycling", None), "bike": ("cycling", None), "ride": ("cycling", None),
    "road_biking": ("cycling", "road"), "road_cycling": ("cycling", "road"),
    "mountain_biking": ("cycling", "mountain"), "indoor_cycling": ("cycling", "indoor_cycling"),
    "gravel_cycling": ("cycling", "gravel_cycling"), "virtual_ride": ("cycling", "virtual_activity"),
    "virtualride": ("cycling", "virtual_activity"), "ebikeride": ("e_biking", None),
    "walk": ("walking", None), "casual_walking": ("walking", "casual_walking"),
    "speed_walking": ("walking", "speed_walking"), "hike": ("hiking", None),
    "swim": ("swimming", None), "lap_swimming": ("swimming", "lap_swimming"),
    "open_water_swimming": ("swimming", "open_water"),
    "1": ("cycling", None), "4": ("hiking", None), "9": ("running", None), "10": ("walking", None),
    "16": ("swimming", None), "17": ("cycling", "virtual_activity"),
    "other": ("unknown", None), "generic": ("unknown", None), "uncategorized": ("unknown", None),
}

_SPORT_SEP = re.compile(r"[\s\-/]+")


def normalize_sport(name) -> tuple[str, str | None]:
    """Map an app's sport name to runlog's (FIT) vocabulary.

    Parameters
    ----------
    name : str or None
        GPX ``<trk><type>`` ('running', 'Running', '9', 'trail_running') or
        TCX ``Activity@Sport`` ('Running', 'Biking', 'Other').

    Returns
    -------
    (sport, sub_sport) : tuple
        ``sport`` is a FIT sport name ('running', 'cycling', ...) or
        'unknown'; ``sub_sport`` a FIT sub-sport or None.  'Other' /
        'generic' carry no information and map to 'unknown'.
    """
    if name is None:
        return "unknown", None
    key = _SPORT_SEP.sub("_", str(name).strip().lower())
    if key in SPORT_ALIASES:
        return SPORT_ALIASES[key]
    if key in FIT_SPORTS:
        return key, None
    for part, sport in (("run", "running"), ("cycl", "cycling"), ("bik", "cycling"), ("ride", "cycling"),
                        ("walk", "walking"), ("hik", "hiking"), ("swim", "swimming")):
        if part in key:
            return sport, None
    return "unknown", None


#: Above this median [1/min] a foot-sport "cadence" already counts steps, not strides
#: (120 strides/min = 240 steps/min, beyond sustained human running cadence).
MAX_STRIDE_CADENCE = 120.0
#: Unknown sport: moving speed above this [m/s] is not running (6.5 m/s = 2:34 min/km).
MAX_FOOT_SPEED_MPS = 6.5
#: Unknown sport: distance per cadence cycle above this [m] is a pedal revolution, not a stride.
MAX_STRIDE_LENGTH_M = 3.5


def cadence_is_strides(sport: str, cadence, speed_mps=None) -> bool:
    """Decide whether a GPX/TCX cadence column counts strides (and must be doubled to steps/min).

    Parameters
    ----------
    sport : str
        Normalised sport (:func:`normalize_sport`).
    cadence : array_like
        Raw cadence values of the file [1/min].
    speed_mps : array_like, optional
        Speed of the same samples [m/s], NaN where unknown.

    Returns
    -------
    bool
        True: the values are strides per minute (double them to get
        ``cadence_spm``, steps per minute).  False: revolutions per minute
        (cycling) or already steps per minute.

    Notes
    -----
    * Foot sports (:data:`runlog.schema.FOOT_SPORTS`): strides, as Garmin's
      TrackPointExtension ``cad`` and TCX ``RunCadence`` define them, unless
      the median positive value exceeds :data:`MAX_STRIDE_CADENCE` (the
      writer already stored steps per minute).
    * Known non-foot sports (cycling ...): never doubled (rpm).
    * Unknown sport: strides when the activity moves like a run: median
      moving speed (samples faster than
      :data:`runlog.schema.MOVING_SPEED_MPS`) at most :data:`MAX_FOOT_SPEED_MPS`
      *and* median distance per cadence cycle, speed * 60 / cadence, at most
      :data:`MAX_STRIDE_LENGTH_M` (running strides are ~1.6-3.5 m; bicycle
      gears roll 3.5-9 m per crank revolution).  Without any speed the file
      is taken as a run (runlog's users record runs).  A slow cyclist in a
      very low gear (< 3.5 m per revolution, < 6.5 m/s) would be doubled
      wrongly; give such files a sport.
    """
    cad = np.asarray(cadence, dtype="float64")
    pos = cad[cad > 0]
    if pos.size == 0:
        return sport in FOOT_SPORTS or sport == "unknown"
    med_cad = float(np.median(pos))
    if med_cad > MAX_STRIDE_CADENCE:
        return False
    if sport in FOOT_SPORTS:
        return True
    if sport != "unknown":
        return False
    if speed_mps is None:
        return True
    spd = np.asarray(speed_mps, dtype="float64")
    both = (spd > MOVING_SPEED_MPS) & (cad > 0)
    if not both.any():
        return True
    v = float(np.median(spd[both]))
    stride_m = float(np.median(spd[both] * 60.0 / cad[both]))
    return v <= MAX_FOOT_SPEED_MPS and stride_m <= MAX_STRIDE_LENGTH_M


# --------------------------------------------------------------------------
# Sample times and records frames
# --------------------------------------------------------------------------

#: Smallest share of timed points for which the untimed ones are dropped
#: (instead of refusing the file).
MIN_TIMED_FRACTION = 0.5
#: Start of GPS time (1980-01-06 00:00 UTC): no GPS device records earlier.
GPS_EPOCH = pd.Timestamp("1980-01-06", tz="UTC")
_GPS_EPOCH_S = GPS_EPOCH.value / 1e9
#: Times later than now plus this margin [s] come from a broken clock.
FUTURE_MARGIN_S = 2 * 86400.0


def _fmt(t_s: float) -> str:
    try:
        return pd.Timestamp(t_s, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):  # pragma: no cover - out of pandas' range
        return f"{t_s:.0f} s after 1970"


def usable_time_mask(t_s, source: str, *, what: str = "track point") -> np.ndarray:
    """Which samples have a usable time; refuse files whose times cannot place a run.

    Parameters
    ----------
    t_s : array_like of float
        Sample times [s since 1970-01-01 UTC], NaN where missing or unreadable.
        At least one must be finite (callers report "no times at all"
        themselves, in their format's words).
    source : str
        File name, for messages.
    what : str
        Name of a sample in messages ('track point', 'trackpoint').

    Returns
    -------
    numpy.ndarray of bool
        True for samples kept.

    Raises
    ------
    FileFormatError
        * every time before :data:`GPS_EPOCH` or more than
          :data:`FUTURE_MARGIN_S` after now (a clock that was never set,
          e.g. 1901-12-13T20:45:52Z, the signed 32-bit epoch minimum);
        * fewer than :data:`MIN_TIMED_FRACTION` of the samples usable (a
          route with a few stray times);
        * all usable times identical, or only one usable sample: no
          duration to analyse.

    Warns
    -----
    UntimedPointsWarning
        Some (at most half of the) samples were unusable and are dropped.
    """
    t_s = np.asarray(t_s, dtype="float64")
    n = t_s.size
    now_s = _time.time() + FUTURE_MARGIN_S
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(t_s) & (t_s >= _GPS_EPOCH_S) & (t_s <= now_s)
    n_ok = int(ok.sum())
    if n_ok == 0:
        finite = t_s[np.isfinite(t_s)]
        when = _fmt(float(finite[0])) if finite.size else "unreadable"
        raise FileFormatError(
            f"has {what} times outside any possible recording (first {when}; GPS time starts "
            f"{GPS_EPOCH:%Y-%m-%d}): the device clock was not set. runlog cannot place this run in "
            "time; fix the clock and record again, or re-export from an app that stores the real "
            "times", source)
    if n_ok < n:
        if n_ok < MIN_TIMED_FRACTION * n:
            raise FileFormatError(
                f"only {n_ok} of its {n} {what}s have a usable time (below "
                f"{MIN_TIMED_FRACTION:.0%}): it looks like a route with a few stray times, not a "
                "recorded activity. Export the recorded activity instead", source)
        warnings.warn(
            f"{source}: {n - n_ok} of {n} {what}s have no usable time (missing, before "
            f"{GPS_EPOCH:%Y} or in the future) and were dropped", UntimedPointsWarning, stacklevel=3)
    good = t_s[ok]
    if n_ok == 1:
        raise FileFormatError(f"has only one timed {what}: not enough for an activity", source)
    if good.max() == good.min():
        raise FileFormatError(
            f"has the same time ({_fmt(float(good[0]))}) on all its {n_ok} timed {what}s: the device "
            "clock was not running, so there is no duration to analyse", source)
    return ok


def seconds_to_ns(t_s) -> np.ndarray:
    """Seconds since 1970 (float) -> int64 nanoseconds, rounded to the microsecond.

    float64 holds today's epoch seconds (~1.7e9) to ~2e-7 s, so rounding to
    whole microseconds is exact for GPX/TCX times (millisecond resolution).

    Parameters
    ----------
    t_s : array_like of float
        Seconds since 1970 [s].

    Returns
    -------
    ndarray of int64
        Nanoseconds since 1970 [ns].
    """
    return np.round(np.asarray(t_s, dtype="float64") * 1e6).astype("int64") * 1000


def sorted_unique(ns, cols: dict) -> tuple[np.ndarray, dict]:
    """Sample times and columns sorted by time, one sample per timestamp.

    Rows sharing a timestamp (a point repeated at a segment or lap boundary)
    are merged: each column keeps its first non-missing value in file order.
    Infinite values become NaN, and so do positions off the globe
    (``|lat_deg| > 90`` or ``|lon_deg| > 180``; both coordinates of the
    sample), which a damaged file can hold and no later step could use.

    Parameters
    ----------
    ns : numpy.ndarray of int64
        Sample times [ns since 1970-01-01 UTC].
    cols : dict of str -> numpy.ndarray of float64
        Column values, same length as *ns*.

    Returns
    -------
    (ns, cols) : numpy.ndarray of int64 and dict of numpy.ndarray
        Sorted unique times and the matching (cleaned, merged) columns; pass
        them to :func:`records_frame`.
    """
    ns = np.asarray(ns, dtype="int64")
    cols = {k: np.where(np.isfinite(v), v, np.nan) for k, v in cols.items()}
    if "lat_deg" in cols and "lon_deg" in cols:
        with np.errstate(invalid="ignore"):
            off = (np.abs(cols["lat_deg"]) > 90.0) | (np.abs(cols["lon_deg"]) > 180.0)
        if off.any():
            cols["lat_deg"][off] = np.nan
            cols["lon_deg"][off] = np.nan
    if ns.size > 1 and not bool((ns[1:] > ns[:-1]).all()):
        order = np.argsort(ns, kind="stable")  # stable: file order within equal times
        ns = ns[order]
        cols = {k: v[order] for k, v in cols.items()}
        starts = np.flatnonzero(np.r_[True, ns[1:] != ns[:-1]])
        if starts.size < ns.size:  # duplicates: first non-missing value of each group
            n = ns.size
            rows = np.arange(n)
            merged = {}
            for k, v in cols.items():
                pos = np.where(np.isnan(v), n, rows)
                first = np.minimum.reduceat(pos, starts)
                merged[k] = np.where(first < n, v[np.minimum(first, n - 1)], np.nan)
            ns, cols = ns[starts], merged
    return ns, cols


def records_frame(ns: np.ndarray, cols: dict) -> pd.DataFrame:
    """Records DataFrame: index ``time`` (UTC) from int64 nanoseconds, one float column per key.

    Parameters
    ----------
    ns : ndarray of int64
        Sample times [ns since 1970, UTC].
    cols : dict
        Column name -> one value per sample.

    Returns
    -------
    DataFrame
        Index ``time`` (datetime64[ns, UTC]).
    """
    index = pd.DatetimeIndex(np.asarray(ns, dtype="int64").view("datetime64[ns]"), name="time")
    return pd.DataFrame(cols, index=index.tz_localize("UTC"))


def position_speed_mps(ns, lat_deg, lon_deg) -> np.ndarray | None:
    """Speed between consecutive positions of time-sorted samples [m/s]; None without positions.

    Haversine step distance (:func:`runlog.geo.step_distance_m`) over the
    time step; NaN for the first sample and zero time steps.

    Parameters
    ----------
    ns : array_like of int64
        Sorted sample times [ns].
    lat_deg, lon_deg : array_like of float
        Positions [°], NaN where missing.

    Returns
    -------
    ndarray or None
        One speed per sample [m/s].
    """
    from .. import geo

    lat = np.asarray(lat_deg, dtype="float64")
    if np.count_nonzero(~np.isnan(lat)) < 2:
        return None
    step = geo.step_distance_m(lat, lon_deg)
    dt = np.diff(np.asarray(ns, dtype="int64")) / 1e9
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(dt > 0, step[1:] / dt, np.nan)
    return np.concatenate([[np.nan], v])


def float_or_nan(text) -> float:
    """A text's number, NaN when it is empty, missing or not a number (an XML element's value).

    Parameters
    ----------
    text : str or None

    Returns
    -------
    float
        ``float(text)`` (whitespace around it allowed), else NaN.
    """
    if not text:
        return np.nan
    try:
        return float(text)
    except ValueError:
        return np.nan


def text_or_none(*values) -> str | None:
    """The first non-blank text among *values*, whitespace collapsed (an activity's name or notes).

    Parameters
    ----------
    *values : str or None
        Candidates in order of preference (anything that is not a string is skipped).

    Returns
    -------
    str or None
        E.g. ``'Easy #numb L 35min'`` for ``'  Easy\n #numb L  35min '``; None when all are blank.
    """
    for v in values:
        if isinstance(v, str) and v.strip():
            return " ".join(v.split())
    return None
