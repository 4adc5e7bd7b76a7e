"""GPX 1.0 / 1.1 reader (a fast element-tree path, gpxpy for metadata and odd files).

:func:`decode` turns a GPX file into one :class:`~runlog.io.RawActivity`:
every track point of every ``<trk>`` / ``<trkseg>``, concatenated and sorted
by time (points sharing a time are merged, first non-missing value per
column; :func:`runlog.io._common.sorted_unique`).  The dispatcher's
:func:`runlog.io.finalize` then derives distance and speed from the
positions (GPX has no device distance; jumps between tracks or segments are
counted like any other step) and finds the time zone of the first position.

How the file is read
--------------------
:mod:`runlog.io._gpxfast` parses the DTD-checked document with the standard
library's C ElementTree parser (the parser gpxpy itself uses without lxml),
takes the track points straight into arrays and converts all times in one
vectorised step; ``gpxpy.parse`` reads everything else (creator, track
types, routes, waypoints), written back without the points.  Whatever
that path cannot read exactly as gpxpy would (malformed XML, a value gpxpy
refuses) is read by ``gpxpy.parse`` as before, so results, warnings and
errors are the same either way (``tests/io/test_gpx_fast.py``); the fast path
is several times faster per point than ``gpxpy.parse`` alone
(``bench/bench_gpx_fast.py``; figures: ``docs/validation.md``).

Columns read per track point
----------------------------
* ``lat``/``lon`` attributes -> ``lat_deg``/``lon_deg``; ``<ele>`` ->
  ``altitude_m``; ``<time>`` -> the index (UTC); ``<speed>`` (GPX 1.0) ->
  ``speed_mps``.
* ``<extensions>``, matched by local name whatever the namespace prefix:
  Garmin TrackPointExtension v1/v2 ``hr``, ``cad``, ``atemp``, ``speed``;
  ClueTrust ``gpxdata:hr``/``cadence``/``temp``; power as ``<power>``
  (Strava), ``PowerInWatts`` (Garmin PowerExtension) or ``watts``.
* Cadence: GPX stores strides per minute for foot sports; ``cadence_spm`` is
  doubled to steps per minute following
  :func:`runlog.io._common.cadence_is_strides` (also for an unknown sport that
  moves like a run); revolutions per minute for cycling.

Info: ``sport``/``sub_sport`` from the first ``<trk><type>`` (Strava
numeric codes and Garmin names, :func:`runlog.io._common.normalize_sport`),
``device`` from the ``creator`` attribute (usually the exporting app).

Bad input
---------
* DTD / entity declarations (entity bombs, XXE): refused before gpxpy sees
  the document (:func:`runlog.io._xml.reject_dtd`).
* Elements nested more than :data:`runlog.io._xml.MAX_XML_DEPTH` levels deep,
  or an ``<extensions>`` block of more than
  :data:`runlog.io._xml.MAX_EXTENSION_ELEMENTS` elements: refused before
  gpxpy deep-copies anything (:func:`runlog.io._xml.check_tree_bounds`; a
  copy of 300,000 nested elements crashes the interpreter).
* Whitespace or byte-order marks before ``<?xml``: stripped.
* Undeclared namespace prefixes ("unbound prefix"): declared and parsed
  again, with a :class:`~runlog.io._xml.XmlRecoveryWarning`.
* Only routes / waypoints: :class:`~runlog.errors.NotAnActivityError`.
* Positions off the globe and non-finite numbers: blanked (NaN).
* Tracks without points, no track-point times, all times equal, times
  before the GPS epoch (1980-01-06, e.g. a 1901 broken clock) or more than
  two days in the future: :class:`~runlog.errors.FileFormatError`.
* Partial times: points without a usable time are dropped with a
  :class:`~runlog.io._common.UntimedPointsWarning` when at least half of the
  points are timed (:func:`runlog.io._common.usable_time_mask`); below that the
  track is a route with a few stray times and is refused.
"""

from __future__ import annotations

import datetime as _dt
import warnings

import numpy as np

from ..errors import FileFormatError, NotAnActivityError
from . import _gpxfast
from ._common import (
    RawActivity,
    cadence_is_strides,
    normalize_sport,
    position_speed_mps,
    records_frame,
    seconds_to_ns,
    sorted_unique,
    text_or_none,
    usable_time_mask,
)
from ._xml import (
    XmlRecoveryWarning,
    check_tree_bounds,
    declare_missing_prefixes,
    is_unbound_prefix_error,
    local_name,
    reject_dtd,
    xml_text,
)

__all__ = ["decode", "EXTENSION_COLUMNS"]

#: Extension element local name (lower case) -> record column (cadence raw, doubled later).
EXTENSION_COLUMNS = {
    "hr": "hr_bpm", "heartrate": "hr_bpm",
    "cad": "cadence_spm", "cadence": "cadence_spm", "runcadence": "cadence_spm",
    "atemp": "temp_c", "temp": "temp_c", "temperature": "temp_c",
    "speed": "speed_mps",
    "power": "power_w", "powerinwatts": "power_w", "watts": "power_w",
}


def _parse(text: str, source: str):
    """gpxpy.parse with the unbound-prefix repair; any gpxpy failure -> FileFormatError."""
    import gpxpy

    try:
        return gpxpy.parse(text)
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # gpxpy raises GPXXMLSyntaxException, GPXException, ValueError
        if is_unbound_prefix_error(exc):
            fixed, prefixes = declare_missing_prefixes(text)
            if prefixes:
                try:
                    gpx = gpxpy.parse(fixed)
                except (MemoryError, RecursionError):
                    raise
                except Exception:
                    gpx = None
                if gpx is not None:
                    warnings.warn(
                        f"{source}: namespace prefix(es) {', '.join(prefixes)} used without a "
                        f"declaration ({exc}); declared them and read the file",
                        XmlRecoveryWarning, stacklevel=4)
                    return gpx
        msg = str(exc).replace("Error parsing XML: ", "")
        raise FileFormatError(
            f"is not a valid GPX file ({msg}). It is damaged or was cut short; export it again "
            "from the watch or app", source) from exc


def _epoch_s(t) -> float:
    """One gpxpy time (aware, or naive = UTC) -> seconds since 1970 [s]; NaN if unusable."""
    try:
        if t.tzinfo is None:
            t = t.replace(tzinfo=_dt.UTC)
        return t.timestamp()
    except (OverflowError, ValueError, OSError):  # year 1 with an offset, ...
        return np.nan


def _points(gpx):
    """One pass over all track points (low per-point overhead: the loop runs once per sample).

    Returns
    -------
    (t_s, n_untimed, cols)
        Times [s since 1970] (NaN where missing or unusable), the number of
        points without ``<time>``, and float arrays per record column.
    """
    lat, lon, ele, spd, ts = [], [], [], [], []
    lat_add, lon_add, ele_add, spd_add, ts_add = lat.append, lon.append, ele.append, spd.append, ts.append
    nan = np.nan
    n_untimed = 0
    ext_idx: dict[str, list] = {}
    ext_val: dict[str, list] = {}
    tagcol: dict = {}
    i = 0
    for trk in gpx.tracks:
        for seg in trk.segments:
            for p in seg.points:
                lat_add(p.latitude)
                lon_add(p.longitude)
                ele_add(p.elevation)
                spd_add(p.speed)
                t = p.time
                if t is None:
                    n_untimed += 1
                    ts_add(nan)
                elif t.tzinfo is not None:
                    try:
                        ts_add(t.timestamp())
                    except (OverflowError, ValueError, OSError):
                        ts_add(nan)
                else:
                    ts_add(_epoch_s(t))
                exts = p.extensions
                if exts:
                    for e in exts:
                        for c in e.iter():
                            tag = c.tag
                            col = tagcol.get(tag)
                            if col is None:
                                col = tagcol[tag] = EXTENSION_COLUMNS.get(local_name(tag).lower(), "")
                            if col and c.text:
                                try:
                                    v = float(c.text)
                                except ValueError:
                                    continue
                                if col in ext_idx:
                                    ext_idx[col].append(i)
                                    ext_val[col].append(v)
                                else:
                                    ext_idx[col] = [i]
                                    ext_val[col] = [v]
                i += 1
    cols = {
        "lat_deg": np.array(lat, dtype="float64"),
        "lon_deg": np.array(lon, dtype="float64"),
        "altitude_m": np.array(ele, dtype="float64"),
        "speed_mps": np.array(spd, dtype="float64"),
    }
    for col, idx in ext_idx.items():
        arr = cols.get(col)
        if arr is None:
            arr = cols[col] = np.full(i, np.nan)
        arr[np.asarray(idx, dtype="int64")] = ext_val[col]
    return np.array(ts, dtype="float64"), n_untimed, cols


def _empty_error(gpx, source: str):
    n_trk = len(gpx.tracks)
    n_rte = sum(len(r.points) for r in gpx.routes)
    n_wpt = len(gpx.waypoints)
    if n_rte or n_wpt:
        what = " and ".join(x for x in (f"{n_rte} route point(s)" if n_rte else "",
                                        f"{n_wpt} waypoint(s)" if n_wpt else "") if x)
        return NotAnActivityError(
            f"holds {what} but no recorded track: it is a planned route or a list of places, not "
            "an activity. Export the recorded activity instead", source)
    if n_trk:
        return FileFormatError(
            f"has {n_trk} track(s) but no track points (empty <trkseg>): nothing was recorded", source)
    return FileFormatError("holds no tracks, routes or waypoints: nothing to read", source)


def decode(data: bytes, source: str, *, use_fast_path: bool = True) -> list[RawActivity]:
    """Decode a GPX file.

    Parameters
    ----------
    data : bytes
        File content (already gunzipped by the dispatcher).
    source : str
        File name, for messages.
    use_fast_path : bool
        Read the track points straight from the element tree
        (:mod:`runlog.io._gpxfast`; gpxpy reads the rest and any document
        that path declines).  False: everything through gpxpy, as before
        the fast path existed (the tests compare the two).

    Returns
    -------
    list of RawActivity
        One entry: records indexed by UTC time with ``lat_deg``,
        ``lon_deg``, ``altitude_m``, ``speed_mps`` and whatever extensions
        hold (``hr_bpm``, ``cadence_spm`` in steps/min, ``temp_c``,
        ``power_w``); ``laps`` None; ``info`` with ``sport``, ``sub_sport``,
        ``device``.

    Raises
    ------
    NotAnActivityError
        Routes or waypoints only.
    FileFormatError
        DTDs, malformed XML, no / unusable track-point times, empty tracks.

    Warns
    -----
    UntimedPointsWarning
        Track points without a usable time were dropped.
    XmlRecoveryWarning
        Undeclared namespace prefixes were declared, or bad bytes replaced.
    """
    text = xml_text(data, source)
    root_at = reject_dtd(text, source)
    if root_at >= 0:
        words = text[root_at + 1:root_at + 80].split(None, 1)
        name = words[0].split(">", 1)[0].rstrip("/") if words else ""
        if name.rpartition(":")[2] != "gpx":
            raise FileFormatError(
                f"is XML but not GPX (root element <{name}>, expected <gpx>)", source)
    if use_fast_path:
        fast = _gpxfast.read_points(text, source, EXTENSION_COLUMNS)
    else:  # gpxpy deep-copies extensions without a depth limit: bound the tree first
        parsed = _gpxfast.parse_tree(text, source)
        if parsed is not None:
            check_tree_bounds(parsed[0], source)
        fast = None
    if fast is not None:
        gpx, t_s, n_untimed, cols = fast
    else:
        gpx = _parse(text, source)
        t_s, n_untimed, cols = _points(gpx)
    n = t_s.size
    if n == 0:
        raise _empty_error(gpx, source)
    if n_untimed == n:
        raise FileFormatError(
            f"has no times on its {n} track points: it is a planned route or a track saved without "
            "times, and runlog needs times. Export the recorded activity (e.g. the original FIT file "
            "or 'Export GPX' of the activity) instead", source)
    ok = usable_time_mask(t_s, source, what="track point")
    n_ok = int(ok.sum())
    ns, cols = sorted_unique(seconds_to_ns(t_s[ok]), {k: (v if n_ok == n else v[ok]) for k, v in cols.items()})

    first_type = next((t.type for t in gpx.tracks if t.type), None)
    sport, sub_sport = normalize_sport(first_type)
    cad = cols.get("cadence_spm")
    if cad is not None:
        speed = cols["speed_mps"]
        if sport == "unknown" and np.isnan(speed).all():  # only the unknown-sport rule needs speed
            speed = position_speed_mps(ns, cols["lat_deg"], cols["lon_deg"])
        if cadence_is_strides(sport, cad, speed):
            cols["cadence_spm"] = cad * 2.0
    records = records_frame(ns, cols)
    info = {"sport": sport, "sub_sport": sub_sport,
            "device": (gpx.creator or "").strip() or None,
            # the activity's own words: a runner's '#numb' note (runlog.suggest_episodes) lives here
            "name": text_or_none(*[t.name for t in gpx.tracks], gpx.name),
            "description": text_or_none(*[t.description for t in gpx.tracks], gpx.description)}
    return [RawActivity(records, None, info)]

