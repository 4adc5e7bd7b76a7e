"""Garmin Training Center (TCX v2) reader (C ElementTree, DTDs refused; trackpoints by a fast path).

:func:`decode` returns one :class:`~runlog.io.RawActivity` per
``<Activity>`` (also inside ``<MultiSportSession>``).

How the file is read
--------------------
:mod:`runlog.io._tcxfast` parses the document with the standard library's
C ElementTree parser and its own C tree builder (lxml is never imported),
after the DTD rule of :mod:`runlog.io._xml`: :func:`~runlog.io._xml.reject_dtd`
on the prolog, and a document that mentions ``<!DOCTYPE`` anywhere is not
parsed there at all.  Undeclared namespace prefixes are declared and the
document parsed again, with the usual warning.  It then reads the
trackpoints in one pass that keeps only their texts, one list per column,
and converts each column at once.  Anything that does not parse at once
(malformed XML, a DTD, a prefix repair that fails) is read or refused by
:func:`~runlog.io._xml.parse_xml` as before.  ``decode(...,
use_fast_path=False)`` keeps the reference path: ``parse_xml`` (the same
parser with a tree builder that refuses a DOCTYPE itself) and a walk that
builds one row per trackpoint (``_rows``).  Both give the same records,
laps, info, warnings and errors on every real, edited and fuzzed file
(``tests/io/test_tcx_fast.py``).  Its speed against the reference path is
measured by ``bench/bench_gpx_fast.py`` (figures: ``docs/validation.md``).

Per ``<Trackpoint>``
--------------------
``Time`` -> the index (UTC); ``Position/LatitudeDegrees``,
``LongitudeDegrees`` -> ``lat_deg``, ``lon_deg``; ``AltitudeMeters`` ->
``altitude_m``; ``DistanceMeters`` -> ``distance_m`` (device value);
``HeartRateBpm/Value`` -> ``hr_bpm``; ``Cadence``; ``Extensions/TPX``
(ActivityExtension v2) ``Speed`` -> ``speed_mps``, ``RunCadence``,
``Watts`` -> ``power_w``.  Elements are matched by local name, so files
with other namespace prefixes (or none) read the same.

Cadence: ``RunCadence`` (or, without it, ``Cadence`` as Polar and Suunto
write it for runs) counts strides per minute for foot sports and is
doubled to steps per minute; ``Cadence`` of a ride is revolutions per
minute.  The rule, including the unknown-sport case ('Other'), is
:func:`runlog.io._common.cadence_is_strides`; a ``RunCadence`` element marks the
activity as a foot sport for this purpose.

Per ``<Lap StartTime>``
-----------------------
``TotalTimeSeconds`` is the lap *timer* time (pauses excluded: Garmin writes
the FIT ``total_timer_time`` there) -> ``timer_s``; ``end_time`` is the next
lap's start (last lap: its last trackpoint time, or start + timer when
later); ``elapsed_s = end_time - start_time``; ``DistanceMeters``,
``AverageHeartRateBpm``, ``MaximumHeartRateBpm``; ``TriggerMethod`` in
lower case with the FIT names: Manual -> 'manual', Distance -> 'distance',
Time -> 'time', Location -> 'position', HeartRate -> 'heart_rate'.

Info: ``sport`` from ``Activity@Sport`` (Running -> 'running', Biking ->
'cycling', Other -> 'unknown'), ``device`` from ``Creator/Name``, device
totals summed over the laps (``device_distance_m``, ``device_timer_s``,
``device_max_hr_bpm``; ``device_avg_hr_bpm`` = timer-weighted mean of the
lap averages).

Bad input: DTDs/entities refused (entity bombs, XXE; by both paths, see
above); leading whitespace / BOM stripped; undeclared prefixes (``xsi:type`` without ``xmlns:xsi``)
declared with a warning (see :mod:`runlog.io._xml`); a file that starts at
``<Activities>`` (root element missing, as runpandas' ``malformed.tcx``) is
read with a warning; courses or workouts
only -> :class:`~runlog.errors.NotAnActivityError`; activities without
trackpoints or times -> :class:`~runlog.errors.FileFormatError`.

Reference: Garmin, *TrainingCenterDatabase v2* schema
(``TrainingCenterDatabasev2.xsd``) and *ActivityExtension v2*
(``ActivityExtensionv2.xsd``).
"""

from __future__ import annotations

import warnings
from xml.etree.ElementTree import Element

import numpy as np
import pandas as pd

from ..errors import FileFormatError, NotAnActivityError
from ..schema import FOOT_SPORTS
from . import _tcxfast
from ._common import (
    RawActivity,
    cadence_is_strides,
    float_or_nan,
    normalize_sport,
    position_speed_mps,
    records_frame,
    seconds_to_ns,
    sorted_unique,
    text_or_none,
    usable_time_mask,
)
from ._xml import XmlRecoveryWarning, local_name, parse_xml, xml_text

__all__ = ["decode", "TRIGGERS"]

#: TCX TriggerMethod -> runlog lap trigger (FIT lap_trigger names).
TRIGGERS = {"manual": "manual", "distance": "distance", "time": "time", "location": "position",
            "heartrate": "heart_rate"}

# Trackpoint child / extension local name -> slot in the per-point row.
_T, _LAT, _LON, _ALT, _DIST, _HR, _CAD, _SPD, _RCAD, _PWR = range(10)
_SCALAR = {"AltitudeMeters": _ALT, "DistanceMeters": _DIST, "Cadence": _CAD}
_EXT = {"Speed": _SPD, "RunCadence": _RCAD, "Watts": _PWR}
_POS = {"LatitudeDegrees": _LAT, "LongitudeDegrees": _LON}


def _child(el, name: str):
    for c in el:
        if local_name(c.tag) == name:
            return c
    return None


def _children(el, name: str) -> list:
    return [c for c in el if local_name(c.tag) == name]


def _value(el) -> float:
    """``<X><Value>n</Value></X>`` (or ``<X>n</X>``) -> n."""
    if el is None:
        return np.nan
    v = _child(el, "Value")
    return float_or_nan((v if v is not None else el).text)


class _LocalNames(dict):
    """Cache tag -> local name (a file uses a few dozen distinct tags, millions of times)."""

    def __missing__(self, tag):
        name = self[tag] = local_name(tag)
        return name


def _trackpoints(lap, names: _LocalNames, rows: list) -> None:
    """Append one 10-slot row per Trackpoint of *lap* (time string + floats)."""
    for trk in lap:
        if names[trk.tag] != "Track":
            continue
        for tp in trk:
            row: list[str | float | None] = [None, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan,
                                             np.nan, np.nan]
            for c in tp:
                name = names[c.tag]
                if name == "Time":
                    row[_T] = (c.text or "").strip()
                elif name in _SCALAR:
                    row[_SCALAR[name]] = float_or_nan(c.text)
                elif name == "Position":
                    for p in c:
                        slot = _POS.get(names[p.tag])
                        if slot is not None:
                            row[slot] = float_or_nan(p.text)
                elif name == "HeartRateBpm":
                    row[_HR] = _value(c)
                elif name == "Extensions":
                    for e in c.iter():
                        slot = _EXT.get(names[e.tag])
                        if slot is not None:
                            row[slot] = float_or_nan(e.text)
            rows.append(row)


_EPOCH = pd.Timestamp(0, tz="UTC")
#: Largest |seconds since 1970| a nanosecond timestamp holds (years 1677-2262).
_NS_LIMIT_S = 9.2e9


def _epoch_s(strings: list) -> np.ndarray:
    """ISO 8601 time strings -> seconds since 1970 (UTC) [s]; NaN where unreadable.

    Vectorised with pandas; if pandas refuses the batch (a damaged year it
    cannot hold), the strings are parsed one by one and the bad ones become
    NaN.
    """
    try:
        t = pd.to_datetime(pd.Series(strings, dtype="object"), utc=True, errors="coerce", format="ISO8601")
        return (t - _EPOCH).dt.total_seconds().to_numpy(dtype="float64", na_value=np.nan)
    except (ValueError, OverflowError):  # OutOfBoundsDatetime despite errors='coerce'
        return np.array([_one_epoch_s(s) for s in strings], dtype="float64")


def _one_epoch_s(text: str) -> float:
    try:
        t = pd.Timestamp(text)
        if t is pd.NaT:
            return np.nan
        t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
        return (t - _EPOCH).total_seconds()
    except (ValueError, OverflowError, TypeError):
        return np.nan


def _utc(t_s: np.ndarray) -> pd.DatetimeIndex:
    """Seconds since 1970 (NaN allowed) -> UTC DatetimeIndex (NaT where NaN or out of range)."""
    t_s = np.asarray(t_s, dtype="float64")
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(t_s) & (np.abs(t_s) < _NS_LIMIT_S)
    ns = seconds_to_ns(np.where(ok, t_s, 0.0))
    return pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC").where(ok)


def _laps(lap_els: list, last_time_s: float) -> pd.DataFrame:
    """Laps frame (schema.LAP_COLUMNS) from the ``<Lap>`` elements.

    ``end_time`` is the next lap's start; for the last lap the later of its
    last trackpoint (*last_time_s* [s since 1970]) and start + timer time.
    """
    rows = []
    for el in lap_els:
        trig = _child(el, "TriggerMethod")
        trig = (trig.text or "").strip().lower() if trig is not None else ""
        rows.append({
            "timer_s": float_or_nan(getattr(_child(el, "TotalTimeSeconds"), "text", None)),
            "distance_m": float_or_nan(getattr(_child(el, "DistanceMeters"), "text", None)),
            "avg_hr_bpm": _value(_child(el, "AverageHeartRateBpm")),
            "max_hr_bpm": _value(_child(el, "MaximumHeartRateBpm")),
            "trigger": TRIGGERS.get(trig, trig or None),
        })
    laps = pd.DataFrame(rows, columns=["timer_s", "distance_m", "avg_hr_bpm", "max_hr_bpm", "trigger"])
    start = _epoch_s([el.get("StartTime") or "" for el in lap_els]) if lap_els else np.empty(0)
    end = np.append(start[1:], np.nan)
    if len(laps):
        cands = np.array([start[-1] + laps["timer_s"].iloc[-1], last_time_s])
        end[-1] = np.nanmax(cands) if np.isfinite(cands).any() else np.nan
    laps.insert(0, "lap", np.arange(1, len(laps) + 1))
    laps["start_time"] = _utc(start)
    laps["end_time"] = _utc(end)
    laps["elapsed_s"] = end - start
    return laps


def _session_totals(laps: pd.DataFrame) -> dict:
    """Device totals over the laps (sums; timer-weighted mean of lap average HR)."""
    out = {}
    if laps["distance_m"].notna().any():
        out["device_distance_m"] = float(laps["distance_m"].sum())
    if laps["timer_s"].notna().any():
        out["device_timer_s"] = float(laps["timer_s"].sum())
    if laps["max_hr_bpm"].notna().any():
        out["device_max_hr_bpm"] = float(laps["max_hr_bpm"].max())
    w = laps["timer_s"].to_numpy(dtype="float64")
    hr = laps["avg_hr_bpm"].to_numpy(dtype="float64")
    ok = np.isfinite(w) & np.isfinite(hr) & (w > 0)
    if ok.any():
        out["device_avg_hr_bpm"] = float(np.sum(w[ok] * hr[ok]) / np.sum(w[ok]))
    return out


def _rows(lap_els: list, names: _LocalNames) -> tuple[list, np.ndarray]:
    """The reference walk: (time strings, float64 rows of slots 1-9) of the trackpoints of *lap_els*.

    The fast path (:func:`runlog.io._tcxfast.trackpoint_columns`) returns the same.
    """
    rows: list = []
    for lap in lap_els:
        _trackpoints(lap, names, rows)
    data = np.array([r[1:] for r in rows], dtype="float64").reshape(len(rows), _PWR)
    return [r[_T] or "" for r in rows], data


def _activity(act, source: str, names: _LocalNames, fast: bool) -> RawActivity | None:
    """One ``<Activity>`` -> RawActivity (None when it has no trackpoints)."""
    lap_els = _children(act, "Lap")
    times, data = _tcxfast.trackpoint_columns(lap_els) if fast else _rows(lap_els, names)
    if not times:
        return None
    t_s = _epoch_s(times)
    if not np.isfinite(t_s).any():
        raise FileFormatError(
            f"has {len(times)} trackpoints but none with a readable <Time>: runlog needs times. "
            "Export the activity again from the watch or app", source)
    ok = usable_time_mask(t_s, source, what="trackpoint")
    data = data[ok]
    col = {name: data[:, slot - 1] for name, slot in (
        ("lat_deg", _LAT), ("lon_deg", _LON), ("altitude_m", _ALT), ("distance_m", _DIST),
        ("hr_bpm", _HR), ("speed_mps", _SPD), ("power_w", _PWR), ("run_cadence", _RCAD),
        ("cadence_spm", _CAD))}
    ns, col = sorted_unique(seconds_to_ns(t_s[ok]), col)
    sport, sub_sport = normalize_sport(act.get("Sport"))
    run_cad = col.pop("run_cadence")
    cad_sport = sport
    if sport in FOOT_SPORTS or (sport == "unknown" and np.isfinite(run_cad).any()):
        # RunCadence, else <Cadence> (Polar, Suunto); a RunCadence element marks a foot sport
        col["cadence_spm"] = np.where(np.isfinite(run_cad), run_cad, col["cadence_spm"])
        cad_sport = "running" if sport == "unknown" else sport
    cadence = col["cadence_spm"]
    if np.isfinite(cadence).any():
        speed = col["speed_mps"]
        if cad_sport == "unknown" and np.isnan(speed).all():  # only this rule needs speed
            speed = position_speed_mps(ns, col["lat_deg"], col["lon_deg"])
        if cadence_is_strides(cad_sport, cadence, speed):
            col["cadence_spm"] = cadence * 2.0
    records = records_frame(ns, col)
    laps = _laps(lap_els, float(np.nanmax(t_s[ok])))
    creator = _child(act, "Creator")
    name = _child(creator, "Name") if creator is not None else None
    device = None
    if name is not None and name.text and name.text.strip():
        device = name.text.strip()
    notes = _child(act, "Notes")
    text = text_or_none(notes.text) if notes is not None else None
    # <Notes>: the activity's own words, where a runner's '#numb' note lives (runlog.suggest_episodes)
    info = {"sport": sport, "sub_sport": sub_sport, "device": device, "description": text,
            **_session_totals(laps)}
    return RawActivity(records, laps, info)


def _activity_elements(root) -> list:
    """``<Activity>`` elements under ``Activities`` and ``MultiSportSession`` (file order)."""
    out = []
    for top in root:
        if local_name(top.tag) != "Activities":
            continue
        for el in top:
            name = local_name(el.tag)
            if name == "Activity":
                out.append(el)
            elif name == "MultiSportSession":
                for part in el:  # FirstSport / NextSport
                    out.extend(_children(part, "Activity"))
    return out


def decode(data: bytes, source: str, *, use_fast_path: bool = True) -> list[RawActivity]:
    """Decode a TCX file.

    Parameters
    ----------
    data : bytes
        File content (already gunzipped by the dispatcher).
    source : str
        File name, for messages.
    use_fast_path : bool
        Parse with the plain C tree builder when the document allows it and
        read the trackpoints level by level (:mod:`runlog.io._tcxfast`).
        False: :func:`runlog.io._xml.parse_xml` and the reference walk over
        every trackpoint, as before the fast path existed (the tests compare
        the two; the results are the same).

    Returns
    -------
    list of RawActivity
        One per ``<Activity>`` that has trackpoints, with ``info['session']``
        (1-based position in the file) and ``info['n_sessions']``.

    Raises
    ------
    NotAnActivityError
        Only courses or workouts (plans, not recordings).
    FileFormatError
        DTD/entities, malformed XML, wrong root element, activities without
        trackpoints or usable times.
    """
    text = xml_text(data, source)
    parsed = _tcxfast.parse_tree(text, source) if use_fast_path else None
    if parsed is None:
        root = parse_xml(text, source, what="TCX")
    else:
        root, repaired = parsed
        if repaired:
            warnings.warn(repaired, XmlRecoveryWarning, stacklevel=2)
    if local_name(root.tag) == "Activities":  # a TCX fragment without its root element
        warnings.warn(
            f"{source}: the <TrainingCenterDatabase> root element is missing (the file starts at "
            "<Activities>); read the activities anyway", XmlRecoveryWarning, stacklevel=3)
        holder = Element("TrainingCenterDatabase")
        holder.append(root)
        root = holder
    if local_name(root.tag) != "TrainingCenterDatabase":
        raise FileFormatError(
            f"is XML but not TCX (root element <{local_name(root.tag)}>, expected "
            "<TrainingCenterDatabase>)", source)
    acts = _activity_elements(root)
    if not acts:
        plans = [local_name(c.tag) for c in root if local_name(c.tag) in ("Courses", "Workouts")]
        if plans:
            raise NotAnActivityError(
                f"holds {' and '.join(p.lower() for p in plans)} but no recorded activity: it is a "
                "plan, not a run. Export the recorded activity instead", source)
        raise FileFormatError("holds no <Activity>: nothing to read", source)
    names = _LocalNames()
    out = []
    for i, act in enumerate(acts, start=1):
        raw = _activity(act, source, names, use_fast_path)
        if raw is not None:
            raw.info.update(session=i, n_sessions=len(acts))
            out.append(raw)
    if not out:
        raise FileFormatError(
            f"has {len(acts)} activit{'y' if len(acts) == 1 else 'ies'} but no trackpoints (a "
            "summary or manually entered activity): there are no samples to analyse", source)
    return out
