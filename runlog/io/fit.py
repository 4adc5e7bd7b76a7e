"""FIT activity files (Garmin, COROS, Suunto, Wahoo, Stryd, ...): runlog's own decoder, fitparse the test oracle.

:func:`decode` turns the bytes of one FIT file into one
:class:`~runlog.io.RawActivity` per session; :func:`runlog.io.read_activities`
wraps it (gzip, sniffing, error wrapping, :func:`runlog.io.finalize`).

How the awkward files of the wild are handled
---------------------------------------------
* **Chained files** (several FIT headers back to back: a watch appending the
  heart-rate strap's stored data, an activity followed by a settings file,
  two activities) are split at their headers by :func:`split_segments` and
  decoded segment by segment.  A segment that starts with a ``file_id``
  message begins a new *logical file*; the others continue the previous one
  (Garmin's stored ``hr`` segments).  Sessions only receive records from their
  own logical file.  (The stored ``hr`` messages of a swim, HRM-Tri/HRM-Swim
  data, are not merged into the records: swims are not runs.)
* **Multisport** files (run / transition / bike sessions): one activity per
  ``session`` message; a record belongs to the last session that started at or
  before it (records before the first session go to the first).  Session
  ``start_time + total_elapsed_time`` is not used as a hard window because
  devices get it wrong (the fēnix 2 multisport file in the corpus has a first
  session whose ``start_time`` lies 45 minutes after its first record).
* **Damage** (file cut off while the watch died, CRC mismatch, a data message
  without definition, a corrupt chained header): every message decoded before
  the damage is kept, a :class:`~runlog.errors.TruncatedFileWarning` names the
  file and the activities of the logical file being read get
  ``info['truncated'] = True``.  Only when no timed record survives is
  :class:`~runlog.errors.FileFormatError` raised (with the damage chained
  as a :class:`runlog.io._fitfast.FitDamage`).  A header whose data size was never written (0, the app or
  watch stopped before closing the file) is read up to the end of the bytes
  (see :class:`FitSegment`) and counts as damage.
* **Split samples**: records sharing a timestamp (Strava's Android app writes
  position and distance in two ``record`` messages) are merged field by
  field (:func:`merge_same_time`).
* **Misaligned field definitions** (a field size that is not a multiple of its
  base type's size, e.g. COROS PACE 2 firmware): the field is read as raw
  bytes and ignored, as the Garmin FIT SDK and fitdecode do (fitparse 1.2.0
  gives up on the whole file).
* **Developer fields** (Stryd power, Connect IQ apps): skipped by their size.
  runlog reads only the fields the FIT profile defines, so another app's
  field never replaces one of them and needs no description; decoding a
  file never depends on another file.
* **Stray timestamps** (a clock not yet set by GPS: three records 27.8 days
  before a ride; one record dated 2085): records separated from the main
  body of their activity by more than :data:`STRAY_GAP_S` are dropped with a
  :class:`~runlog.errors.RunlogWarning`; the main body is the cluster with the
  most records.
* **Device-relative timestamps** (``date_time`` values below ``0x10000000``:
  seconds since the watch was switched on, written by old watches such as the
  Forerunner 70 when dumped raw over ANT-FS) are refused with a
  :class:`FileFormatError` that says how to get a usable export.  An activity
  without a trustworthy date cannot be matched to a numbness journal, and
  inventing one would silently corrupt the history.  No anchor in such files
  is trustworthy: ``file_id.time_created`` is device-relative too, and
  ``activity.local_timestamp`` is not the activity's time (the two Forerunner
  70 files in the corpus, recorded 9 days apart, carry the same one).  The FIT
  profile's proper anchor, a ``timestamp_correlation`` message, appears in no
  file of the corpus, so it is not used (no untested conversion code).
* **Time zone**: ``activity.local_timestamp - timestamp`` is passed as
  ``info['utc_offset_s']`` when it is a real, non-zero zone offset
  (:func:`utc_offset_s`); otherwise :func:`runlog.io.finalize` takes
  the zone of the first position.
* **Non-activity files** (settings, monitoring, course, workout, ...):
  :class:`~runlog.errors.NotAnActivityError`.

Speed: the ``record`` messages (over 99 % of a file's messages) are decoded
by :mod:`runlog.io._fitfast`, all records of one definition layout at once
through a numpy structured dtype, hundreds of times faster per record than
a bare ``fitparse.FitFile(...).get_messages('record')`` loop
(``bench/bench_fit.py``); the few other messages are decoded field by field.
Which fields, types, scales and names: :mod:`runlog.io._fitprofile`, the part
of the FIT profile runlog reads.  fitparse is the oracle of the tests
(``tests/io/test_fit_oracle.py``: every corpus file, hand-made files and
mutated ones give the values fitparse gives, apart from the documented
differences above), not a dependency of the reader.

References
----------
Garmin FIT SDK, *Flexible and Interoperable Data Transfer (FIT) Protocol*,
rev. 2.x (file header, chained files, compressed timestamps, date_time) and
*Profile.xlsx* (message and type definitions), https://developer.garmin.com/fit/.
"""

from __future__ import annotations

import datetime as _dt
import struct
import warnings
from typing import NamedTuple

import numpy as np
import pandas as pd

from .. import schema
from ..errors import FileFormatError, NotAnActivityError, RunlogWarning, TruncatedFileWarning
from . import _fitfast as fitfast
from ._common import RawActivity, RecordArrays, text_or_none
from ._fitprofile import TYPES

__all__ = [
    "decode", "split_segments", "FitSegment", "SEMICIRCLE_DEG", "STRAY_GAP_S",
    "DEVICE_RELATIVE_LIMIT", "MAX_ACTIVITIES", "semicircles_to_deg", "cadence_spm", "session_distance_m",
    "merge_same_time", "main_body_mask", "device_name", "utc_offset_s",
]

#: Degrees per semicircle: FIT stores positions as int32 semicircles,
#: 2**31 semicircles = 180° (FIT SDK, Profile.xlsx, ``position_lat`` units).
SEMICIRCLE_DEG = 180.0 / 2**31

#: Sports whose FIT cadence counts strides (one cycle of both legs = two
#: steps) per minute; runlog reports steps per minute for them.  FIT
#: ``record.cadence`` is in cycles per minute (FIT SDK, Profile.xlsx, unit
#: "rpm"); Garmin Connect shows running cadence as twice the stored value.

#: Highest FIT protocol major version (header byte 1, high nibble; FIT SDK "File
#: Header": 1.0 and 2.0; old files write 0.x).  A header claiming a later one is
#: random bytes, not a FIT header.
MAX_PROTOCOL_MAJOR = 2

#: Records further than this from the main body of their activity are stray
#: timestamps [s].  12 h: no run, ride or hike in one recording pauses that long,
#: while the real pause in the corpus (a 5 h break in a rowing file) stays kept.
STRAY_GAP_S = 12 * 3600.0

#: Most activities (sessions, or chained files) read from one file; the rest are dropped with a
#: warning.  A triathlon has 5 sessions (swim, transition, bike, transition, run), a watch's chained
#: files a few; a 23 KiB file with a ``file_id`` before each of 2,000 records would otherwise become
#: 2,000 activities, each with its own frames and summary.
MAX_ACTIVITIES = 100

#: FIT ``date_time`` values below this are device-relative seconds (system
#: time since power-on), not seconds since 1989-12-31 UTC (FIT SDK,
#: Profile.xlsx, type ``date_time``, value ``min``); the decoder leaves them as numbers.
DEVICE_RELATIVE_LIMIT = 0x10000000


_FILE_TYPE_WORDS = {
    "settings": "a settings file",
    "device": "a device description file",
    "sport": "a sport-settings file",
    "workout": "a workout plan",
    "course": "a course (a planned route, not a recorded run)",
    "schedules": "a training schedule",
    "weight": "a weight-scale file",
    "totals": "a lifetime-totals file",
    "goals": "a goals file",
    "blood_pressure": "a blood-pressure file",
    "monitoring_a": "a daily monitoring (steps / all-day heart rate) file",
    "monitoring_b": "a daily monitoring (steps / all-day heart rate) file",
    "monitoring_daily": "a daily monitoring (steps / all-day heart rate) file",
    "activity_summary": "an activity summary without per-second records",
    "segment": "a segment definition",
    "segment_list": "a segment list",
}

_GARMIN_FAMILY = {"garmin", "dynastream", "dynastream_oem", "tacx"}

# record field -> raw column collected while parsing (one list, or one array from the fast path, each).
_RECORD_FIELDS = fitfast.RECORD_FIELDS
#: FIT ``record`` running-dynamics field -> records column (:data:`runlog.schema.DYNAMICS_COLUMNS`).
_DYNAMICS = {"stance_time": "stance_time_ms", "stance_time_balance": "stance_time_balance_left_pct",
             "vertical_oscillation": "vertical_oscillation_mm", "vertical_ratio": "vertical_ratio_pct",
             "step_length": "step_length_mm"}

class FitSegment(NamedTuple):
    """One FIT file of a (possibly chained) byte stream.

    offset : int
        Position of its header in the whole stream [bytes].
    data : bytes
        Header, data records and CRC (shorter than declared when the file is cut off).
    declared_size : int
        Size its header announces: header + data + 2 CRC bytes [bytes].
    unfinished : bool
        The header announces no data although data follows: the recording app
        or watch stopped before closing the file (it writes the data size
        last).  ``data`` then holds everything to the end of the stream, with
        the header's data size set to it (and a 14-byte header's CRC zeroed,
        which the FIT protocol allows), so that the messages can be read.
    """

    offset: int
    data: bytes
    declared_size: int
    unfinished: bool = False


def split_segments(data: bytes) -> tuple[list[FitSegment], bytes]:
    """Split a FIT byte stream into its chained FIT files.

    Every FIT file starts with a 12- or 14-byte header: byte 0 header size,
    bytes 4-7 data size (little-endian uint32), bytes 8-11 ``b'.FIT'``, bytes
    12-13 an optional header CRC (0 = not computed); the data records and a
    2-byte CRC follow (FIT SDK, "File Header", "Chained FIT Files").

    Parameters
    ----------
    data : bytes
        The whole file.

    Returns
    -------
    (segments, trailing) : list of FitSegment and the bytes after the last
        file that are not a FIT file (b'' for a clean file).
    """
    segments: list[FitSegment] = []
    off, n = 0, len(data)
    while off < n:
        if n - off < 12 or data[off + 8:off + 12] != b".FIT" or data[off] < 12:
            break
        header_size = data[off]
        (data_size,) = struct.unpack_from("<I", data, off + 4)
        if data_size == 0 and n - off > header_size + 2:
            header = bytearray(data[off:off + header_size])
            header[4:8] = struct.pack("<I", n - off - header_size)
            if header_size >= 14:
                header[12:14] = b"\0\0"
            segments.append(FitSegment(off, bytes(header) + data[off + header_size:], n - off, True))
            off = n
            break
        size = header_size + data_size + 2
        segments.append(FitSegment(off, data[off:off + size], size))
        off += size
    return segments, data[off:] if off < n else b""


# --------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------
def semicircles_to_deg(semicircles: np.ndarray) -> np.ndarray:
    """FIT semicircles to decimal degrees: ``deg = semicircles * 180 / 2**31``.

    Parameters
    ----------
    semicircles : array of float
        Positions as stored in FIT ``position_lat`` / ``position_long`` [semicircles].

    Returns
    -------
    ndarray of float
        Latitude or longitude [°] (FIT SDK, Profile.xlsx: semicircles unit).
    """
    return np.asarray(semicircles, dtype="float64") * SEMICIRCLE_DEG


def cadence_spm(cadence: np.ndarray, fractional: np.ndarray, sport: str | None) -> np.ndarray:
    """Cadence in runlog's unit from FIT ``cadence`` and ``fractional_cadence``.

    FIT cadence is in cycles per minute: strides (one foot) for foot sports,
    crank revolutions for cycling; ``fractional_cadence`` (1/128 resolution)
    adds the fraction (FIT SDK, Profile.xlsx, ``record``).  For foot sports
    (:data:`runlog.schema.FOOT_SPORTS`) runlog reports steps per minute:
    ``cadence_spm = 2 * (cadence + fractional_cadence)``; for every other
    sport the cycles per minute are kept (``cadence + fractional_cadence``).

    Parameters
    ----------
    cadence : array of float
        FIT ``record.cadence`` [strides/min or rpm], NaN where absent.
    fractional : array of float
        FIT ``record.fractional_cadence`` [strides/min or rpm], NaN where absent
        (treated as 0).
    sport : str or None
        The session's sport.

    Returns
    -------
    ndarray of float
        [steps/min] for foot sports, else [rpm].
    """
    cad = np.asarray(cadence, dtype="float64") + np.nan_to_num(np.asarray(fractional, dtype="float64"))
    return 2.0 * cad if sport in schema.FOOT_SPORTS else cad


def session_distance_m(distance_m: np.ndarray) -> np.ndarray:
    """Distance from the session's start [m] in a multisport file.

    FIT ``record.distance`` is cumulative over the whole file on some watches
    (Forerunner 920XT triathlon: the run starts at 42.7 km) and restarts per
    session on others (fēnix 2); subtracting the session's first valid value
    gives the distance within the session either way.

    Parameters
    ----------
    distance_m : ndarray
        The session's ``record.distance`` values [m]; NaN where missing.

    Returns
    -------
    ndarray
        Distance from the session's start [m].
    """
    d = np.asarray(distance_m, dtype="float64")
    valid = d[~np.isnan(d)]
    return d - valid[0] if valid.size else d


def _name(value, table: dict | None = None) -> str | None:
    """A FIT enum value as a lower-case string (unknown numbers as their digits;
    anything else, e.g. the tuple of a damaged field, None)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, np.integer)):
        return None
    if isinstance(value, (int, np.integer)) and table is not None and int(value) in table:
        return table[int(value)]
    return str(value).strip().lower() or None


def device_name(file_id: dict) -> str | None:
    """Recording device from a FIT ``file_id`` message: manufacturer + product.

    The product is ``product_name`` when the device writes one (COROS, Suunto),
    else the Garmin product name, else ``'product <number>'``; e.g.
    ``'garmin fr645m'``, ``'coros COROS APEX Pro'``, ``'strava product 102'``.

    Parameters
    ----------
    file_id : dict
        Fields of the ``file_id`` message (``manufacturer``, ``product``,
        ``garmin_product``, ``product_name``).

    Returns
    -------
    str or None
        None when the message names neither.
    """
    maker = _name(file_id.get("manufacturer"), TYPES["manufacturer"])
    pname = file_id.get("product_name")
    product = file_id.get("garmin_product")
    if product is None:
        product = file_id.get("product")
    if isinstance(product, bool) or not isinstance(product, (str, int, np.integer)):
        product = None
    if isinstance(pname, str) and pname.strip():
        prod = pname.strip()
    elif isinstance(product, str):
        prod = product
    elif product is not None and maker in _GARMIN_FAMILY and int(product) in TYPES["garmin_product"]:
        prod = TYPES["garmin_product"][int(product)]
    elif product is not None:
        prod = str(product) if maker in _GARMIN_FAMILY else f"product {product}"
    else:
        prod = None
    parts = [p for p in (maker, prod) if p]
    return " ".join(parts) if parts else None


def _float_array(values: list | np.ndarray) -> np.ndarray:
    """Floats from a list of FIT values (None -> NaN; tuples, strings, bytes of a
    damaged or odd field -> NaN)."""
    try:
        arr = np.asarray(values, dtype="float64")  # the decoder's arrays: no copy
        if arr.ndim == 1:
            return arr
    except (TypeError, ValueError):
        pass
    return np.array([v if isinstance(v, (int, float)) and not isinstance(v, bool) else np.nan
                     for v in values], dtype="float64")


def _first_valid(primary: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """*primary* where it is a number, else *fallback* (FIT ``enhanced_*`` over the 16-bit field)."""
    return np.where(np.isnan(primary), fallback, primary)


def _fit_time(value) -> pd.Timestamp | None:
    """A decoded ``date_time`` value (naive UTC datetime) as a UTC Timestamp, else None."""
    if isinstance(value, _dt.datetime):
        return pd.Timestamp(value, tz="UTC")
    return None


def _num(value) -> float:
    """A FIT numeric field as float (NaN when absent or not a number)."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value)
    return float("nan")


def utc_offset_s(activity: dict | None) -> float | None:
    """The device's UTC offset from a FIT ``activity`` message [s].

    ``local_timestamp - timestamp`` (FIT SDK, Profile.xlsx, ``activity``:
    "timestamp epoch expressed in local time, used to convert activity
    timestamps to local time").  Kept only when it is a whole number of
    quarter hours within ±14 h (real zones) and not zero.  Devices that write
    0 for ``local_timestamp`` (Zwift, Onelap: 1989-12-31) give None; so does
    an offset of exactly 0, because COROS watches copy ``timestamp`` into
    ``local_timestamp`` (runs in Prague and Bogotá in the corpus): the zone of
    the first position is then used, which is right for places on UTC too,
    and without positions the result is UTC as with an offset of 0.

    Parameters
    ----------
    activity : dict or None
        Fields of the ``activity`` message (``timestamp``, ``local_timestamp``).

    Returns
    -------
    float or None
        Offset [s], a multiple of 900.
    """
    if not activity:
        return None
    t, loc = activity.get("timestamp"), activity.get("local_timestamp")
    if not isinstance(t, _dt.datetime) or not isinstance(loc, _dt.datetime):
        return None
    off = (loc - t).total_seconds()
    quarter = round(off / 900.0) * 900.0
    if abs(off) > 14 * 3600 or abs(off - quarter) > 2.0 or quarter == 0:
        return None
    return quarter


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------
class _Parsed:
    """Everything collected in one pass over a FIT file's messages."""

    def __init__(self):
        self.cols: dict[str, list | np.ndarray] = {k: [] for k in _RECORD_FIELDS}
        self.rec_group: list[int] | np.ndarray = []
        self.file_ids: dict[int, dict] = {}
        self.sessions: list[tuple[int, int, dict]] = []   # (group, number in file, values)
        self.laps: list[tuple[int, dict]] = []
        self.activity: dict[int, dict] = {}
        self.sport: dict[int, dict] = {}
        self.workout: dict[int, dict] = {}   # first workout message of each group
        self.damage: str | None = None
        self.damage_exc: BaseException | None = None
        self.damage_group = 0
        self.n_groups = 0


_UNFINISHED = ("was never finished: its header announces no data (the app or watch "
               "stopped before closing the file)")

#: The damage kinds of :attr:`runlog.io._fitfast.FastSegment.damage`, in a runner's words.
_DAMAGE_WORDS = {
    "eof": "ends early: it was cut off (the watch may have stopped recording, or the copy did not finish)",
    "crc": "fails its checksum, so its end may be damaged ({})",
    "undefined": "is damaged: it holds a message the file never defined ({})",
    "overrun": "is damaged: {}",
    "header": "has a damaged FIT header ({}), so the data after it cannot be trusted",
}


def _add_messages(out: _Parsed, messages: list, group: int, seen_file_id: bool) -> tuple[int, bool, list[int]]:
    """File one segment's kept messages into *out*; returns the group, whether a file_id was seen, and the
    positions where a new logical file (group) starts."""
    new_group_at = []
    for pos, name, values in messages:
        if name == "file_id":
            if seen_file_id:
                group += 1
                new_group_at.append(pos)
            seen_file_id = True
            out.file_ids[group] = values
        elif name == "session":
            out.sessions.append((group, len(out.sessions) + 1, values))
        elif name == "lap":
            out.laps.append((group, values))
        elif name == "activity":
            out.activity[group] = values
        elif name == "sport":
            out.sport.setdefault(group, values)
        elif name == "workout":
            out.workout.setdefault(group, values)
    return group, seen_file_id, new_group_at


def _parse(data: bytes) -> _Parsed:
    """Every message of every chained segment (:func:`runlog.io._fitfast.decode_segment`), with the damage.

    A damaged segment is read up to the damage (cut off, a message of an
    undefined type, a message past the declared data) or whole (a CRC
    mismatch, which shows only at the end), and nothing after it is read.

    Raises
    ------
    FileFormatError
        Not a FIT file (no FIT header at the start).
    """
    segments, trailing = split_segments(data)
    if not segments:
        raise FileFormatError(
            "is not a FIT file: it does not start with a FIT header (no '.FIT' signature in "
            "bytes 8-11); the file may be damaged or mislabelled")
    out = _Parsed()
    parts: list[fitfast.FastSegment] = []
    groups: list[np.ndarray] = []
    group, seen_file_id = 0, False
    for seg in segments:
        major, minor = seg.data[1] >> 4, seg.data[1] & 0x0F
        if major > MAX_PROTOCOL_MAJOR:
            out.damage = (f"has a damaged FIT header (protocol version {major}.{minor}; FIT files are version "
                          f"{MAX_PROTOCOL_MAJOR} or older), so the data after it cannot be trusted")
            out.damage_group = group
            break
        fast = fitfast.decode_segment(seg.data)
        first_group = group
        group, seen_file_id, new_group_at = _add_messages(out, fast.messages, group, seen_file_id)
        parts.append(fast)
        groups.append(first_group + np.searchsorted(np.asarray(new_group_at, dtype=np.int64),
                                                    fast.record_pos, side="right"))
        if fast.damage is not None:  # what was read before the damage, and nothing after it
            kind, text = fast.damage
            words = _UNFINISHED if seg.unfinished and kind == "eof" else _DAMAGE_WORDS[kind].format(text)
            out.damage, out.damage_exc, out.damage_group = words, fitfast.FitDamage(text), group
            break
    else:
        if trailing.strip(b"\0"):
            out.damage = (f"has {len(trailing)} bytes after its last FIT file that are not FIT data "
                          "(a damaged chained file)")
            out.damage_group = group
    if len(parts) == 1:  # no copy
        out.cols, out.rec_group = dict(parts[0].records), groups[0].astype(np.int64, copy=False)
    elif parts:
        out.cols = {k: np.concatenate([f.records[k] for f in parts]) for k in _RECORD_FIELDS}
        out.rec_group = np.concatenate(groups).astype(np.int64)
    else:
        out.cols = {k: np.full(0, np.nan) for k in _RECORD_FIELDS}
        out.rec_group = np.zeros(0, dtype=np.int64)
    out.n_groups = group + 1
    return out


# --------------------------------------------------------------------------
# From parsed messages to activities
# --------------------------------------------------------------------------
def _timestamps(raw: np.ndarray, source: str) -> pd.DatetimeIndex:
    """Record timestamps as a UTC index (NaT where absent).

    *raw* is the decoder's raw FIT seconds (float array, NaN where absent;
    see :mod:`runlog.io._fitfast`), rounded to the microsecond.

    Raises
    ------
    FileFormatError
        When the times are device-relative (numbers below
        :data:`DEVICE_RELATIVE_LIMIT`).
    """
    valid = ~np.isnan(raw)
    if bool((raw[valid] < DEVICE_RELATIVE_LIMIT).any()):
        raise FileFormatError(
            "has device-relative times (seconds since the watch was switched on, as old watches "
            "such as the Forerunner 70 write when read out raw over ANT-FS), so the run cannot be "
            "dated. Import the run from Garmin Connect (or the watch's own sync software) instead, "
            "which stores real dates", source)
    t = np.where(valid, raw, 0.0)  # the steps below work in place: one float and one int array at a time
    t *= 1e6
    np.rint(t, out=t)
    ns = t.astype(np.int64)
    del t
    ns += fitfast.FIT_EPOCH_S * 1_000_000
    ns *= 1000
    ns[~valid] = np.iinfo(np.int64).min  # NaT
    return pd.DatetimeIndex(ns.view("datetime64[ns]"), copy=False).tz_localize("UTC")


def _record_columns(cols: dict[str, list | np.ndarray]) -> dict[str, np.ndarray]:
    """The canonical record columns (cadence still raw: see :func:`cadence_spm`), as arrays."""
    f = {k: _float_array(cols[k]) for k in _RECORD_FIELDS if k != "timestamp"}

    def own(arr: np.ndarray) -> np.ndarray:  # the decoder's read-only NaN broadcast of an absent field -> an array
        return arr if arr.flags.writeable else np.full(len(arr), np.nan)

    return {
        "distance_m": own(f["distance"]),
        "speed_mps": _first_valid(f["enhanced_speed"], f["speed"]),
        "hr_bpm": own(f["heart_rate"]),
        "cadence_raw": own(f["cadence"]),
        "fractional_cadence": own(f["fractional_cadence"]),
        "temp_c": own(f["temperature"]),
        "altitude_m": _first_valid(f["enhanced_altitude"], f["altitude"]),
        "lat_deg": semicircles_to_deg(f["position_lat"]),
        "lon_deg": semicircles_to_deg(f["position_long"]),
        "power_w": own(f["power"]),
        # running dynamics (FIT SDK Profile.xlsx ``record``: stance_time ms scale 10, stance_time_balance
        # % scale 100, vertical_oscillation mm scale 10, vertical_ratio % scale 100, step_length mm scale 10;
        # already scaled by the decoder); float32 as the schema stores them
        **{col: f[field].astype("float32") for field, col in _DYNAMICS.items()},
    }


def _session_start(values: dict) -> pd.Timestamp | None:
    """A session's or lap's start: ``start_time``, else ``timestamp - total_elapsed_time``."""
    start = _fit_time(values.get("start_time"))
    if start is None:
        end, elapsed = _fit_time(values.get("timestamp")), _num(values.get("total_elapsed_time"))
        if end is not None and np.isfinite(elapsed):
            start = end - pd.Timedelta(seconds=elapsed)
    return start


def merge_same_time(records: pd.DataFrame) -> pd.DataFrame:
    """Sort records by time and merge records sharing a timestamp.

    Some writers split one sample over two ``record`` messages with the same
    timestamp (Strava's Android app: position and speed in one, distance in
    the other).  Each column keeps its first non-missing value at that time,
    so no field is lost (keeping only the first record would drop every
    distance of such a file).

    Parameters
    ----------
    records : DataFrame
        Records indexed by time.

    Returns
    -------
    DataFrame
        Sorted by time, one row per timestamp.
    """
    if not records.index.is_monotonic_increasing:
        records = records.sort_index(kind="stable")
    # sorted: a repeated time is two equal neighbours (cheaper than the index's hash table)
    if len(records) > 1 and bool((np.diff(records.index.asi8) == 0).any()):
        records = records.groupby(level=0, sort=False).first()
    return records


def _merged_same_time(ns: np.ndarray, cols: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """:func:`merge_same_time` on arrays: times [ns] and columns sorted by time, one row per time."""
    if len(ns) > 1 and bool((ns[1:] < ns[:-1]).any()):
        order = np.argsort(ns, kind="stable")
        ns, cols = ns[order], {c: v[order] for c, v in cols.items()}
    if len(ns) > 1 and bool((ns[1:] == ns[:-1]).any()):  # rare (split samples): through the frame
        merged = merge_same_time(RecordArrays(ns, cols).frame())
        ns = merged.index.as_unit("ns").asi8
        cols = {c: merged[c].to_numpy(dtype=v.dtype) for c, v in cols.items()}
    return ns, cols


def main_body_mask(index: pd.DatetimeIndex, gap_s: float = STRAY_GAP_S) -> np.ndarray:
    """True for the records of the activity's main body, False for stray ones.

    The sorted times are cut wherever two records are more than *gap_s*
    apart; the piece with the most records is the main body (ties: the
    earliest).  A clock not yet set by GPS gives a few records days or decades
    away from the rest, never the majority.

    Parameters
    ----------
    index : DatetimeIndex
        Record times, sorted ascending.
    gap_s : float
        Largest gap inside one recording [s].

    Returns
    -------
    ndarray of bool
    """
    return _main_body(pd.DatetimeIndex(index).as_unit("ns").asi8, gap_s)


def _main_body(ns: np.ndarray, gap_s: float = STRAY_GAP_S) -> np.ndarray:
    """:func:`main_body_mask` of sorted times [ns since 1970]."""
    t = ns / 1e9
    if len(t) < 2:
        return np.ones(len(t), dtype=bool)
    piece = np.concatenate([[0], np.cumsum(np.diff(t) > gap_s)])
    return piece == int(np.argmax(np.bincount(piece)))


def _drop_stray(ns: np.ndarray, cols: dict[str, np.ndarray], source: str,
                label: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Sorted times [ns] and columns without stray records (see :func:`main_body_mask`), with a warning."""
    keep = _main_body(ns)
    if keep.all():
        return ns, cols
    index = pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC")
    dropped, main = index[~keep], index[keep]
    warnings.warn(
        f"{source}: {label}: dropped {len(dropped)} record(s) dated {dropped[0]:%Y-%m-%d %H:%M:%S} .. "
        f"{dropped[-1]:%Y-%m-%d %H:%M:%S} UTC, more than {STRAY_GAP_S / 3600:.0f} h away from the "
        f"other {len(main)} records ({main[0]:%Y-%m-%d %H:%M} .. {main[-1]:%H:%M} UTC): the watch "
        "clock was probably not set yet.", RunlogWarning, stacklevel=5)
    return ns[keep], {c: v[keep] for c, v in cols.items()}


def _laps_frame(laps: list[dict]) -> pd.DataFrame | None:
    """Lap table (:data:`runlog.schema.LAP_COLUMNS`) from FIT ``lap`` messages."""
    if not laps:
        return None
    rows = []
    for v in laps:
        rows.append({
            "start_time": _session_start(v),
            "end_time": _fit_time(v.get("timestamp")),
            "elapsed_s": _num(v.get("total_elapsed_time")),
            "timer_s": _num(v.get("total_timer_time")),
            "distance_m": _num(v.get("total_distance")),
            "avg_hr_bpm": _num(v.get("avg_heart_rate")),
            "max_hr_bpm": _num(v.get("max_heart_rate")),
            "trigger": _name(v.get("lap_trigger")),
        })
    df = pd.DataFrame(rows)
    df.insert(0, "lap", np.arange(1, len(df) + 1))
    return df


def _lap_columns(laps: list[dict]) -> dict | None:
    """The laps of :func:`_laps_frame` as the canonical lap columns (:func:`runlog.schema.lap_arrays`)."""
    if not laps:
        return None
    nat = np.iinfo(np.int64).min

    def utc(stamps: list) -> pd.api.extensions.ExtensionArray:
        ns = np.array([nat if t is None else t.value for t in stamps], dtype="int64")
        return pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC").array

    return {
        "lap": np.arange(1, len(laps) + 1, dtype="int64"),
        "start_time": utc([_session_start(v) for v in laps]),
        "end_time": utc([_fit_time(v.get("timestamp")) for v in laps]),
        "elapsed_s": np.array([_num(v.get("total_elapsed_time")) for v in laps], dtype="float64"),
        "timer_s": np.array([_num(v.get("total_timer_time")) for v in laps], dtype="float64"),
        "distance_m": np.array([_num(v.get("total_distance")) for v in laps], dtype="float64"),
        "avg_hr_bpm": np.array([_num(v.get("avg_heart_rate")) for v in laps], dtype="float64"),
        "max_hr_bpm": np.array([_num(v.get("max_heart_rate")) for v in laps], dtype="float64"),
        "trigger": pd.array([_name(v.get("lap_trigger")) for v in laps], dtype="string"),
    }


def _sport(values: dict | None) -> tuple[str, str | None]:
    """(sport, sub_sport) in lower case; FIT 'generic' means unspecified ->
    'unknown' / None."""
    if not values:
        return "unknown", None
    sport = _name(values.get("sport")) or "unknown"
    sub = _name(values.get("sub_sport"))
    return ("unknown" if sport == "generic" else sport), (None if sub in (None, "generic") else sub)


def _session_info(values: dict) -> dict:
    """The device's session totals (NaN where the session, or the field, is missing)."""
    return {
        "device_distance_m": _num(values.get("total_distance")),
        "device_elapsed_s": _num(values.get("total_elapsed_time")),
        "device_timer_s": _num(values.get("total_timer_time")),
        "device_avg_hr_bpm": _num(values.get("avg_heart_rate")),
        "device_max_hr_bpm": _num(values.get("max_heart_rate")),
        "device_ascent_m": _num(values.get("total_ascent")),
    }


def _split_sessions(ns: np.ndarray, sessions: list[tuple[int, dict]], laps: list[dict]):
    """Share one logical file's records (their times [ns]) and laps among its sessions.

    A record (lap) belongs to the last session that started at or before its
    time (lap start); earlier ones go to the first session.  A session's
    start is its ``start_time``, else ``timestamp - total_elapsed_time``, else
    the first record.

    Yields
    ------
    (number, session values or None, rows, lap values) for every session
    with records, *rows* the positions of its records (None: all of them);
    one ``(1, None, None, laps)`` when there is no session.
    """
    if not sessions:
        yield 1, None, None, laps
        return
    first = pd.Timestamp(int(ns.min()), tz="UTC")
    starts = np.array([(_session_start(v) or first).value for _, v in sessions], dtype="int64")
    order = np.argsort(starts, kind="stable")
    starts = starts[order]
    owner = np.clip(np.searchsorted(starts, ns, side="right") - 1, 0, None)
    lap_starts = np.array([(_session_start(v) or first).value for v in laps], dtype="int64")
    lap_owner = np.clip(np.searchsorted(starts, lap_starts, side="right") - 1, 0, None)
    # one pass each (a hostile file may hold thousands of sessions): rows by owner, in file order
    rows = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[rows], np.arange(len(sessions) + 1))
    laps_of: dict[int, list[dict]] = {}
    for v, o in zip(laps, lap_owner.tolist()):
        laps_of.setdefault(o, []).append(v)
    for k, i in enumerate(order):
        num, values = sessions[i]
        if bounds[k + 1] - bounds[k] == len(ns):  # every record (one session): no copy
            yield num, values, None, laps_of.get(k, [])
        elif bounds[k + 1] > bounds[k]:
            yield num, values, rows[bounds[k]:bounds[k + 1]], laps_of.get(k, [])


def _check_is_activity(p: _Parsed, n_records: int, source: str) -> None:
    types = {_name(v.get("type")) for v in p.file_ids.values()}
    if "activity" in types:
        return
    known = sorted(t for t in types if t is not None)
    if known:
        words = _FILE_TYPE_WORDS.get(known[0], f"a FIT '{known[0]}' file")
        raise NotAnActivityError(
            f"is {words}, not an activity; runlog reads recorded runs (FIT file type 'activity')", source)
    if not n_records and not p.sessions:
        # no file_id says what it is: a FIT header over nothing (or random bytes), not a valid file
        raise FileFormatError("is damaged or empty: a FIT header but no FIT messages (no file type, records or "
                              "sessions), so nothing can be read from it", source)


def decode(data: bytes, source: str, *, frames: bool = True) -> list[RawActivity]:
    """Decode a FIT file into one raw activity per session.

    Parameters
    ----------
    data : bytes
        The whole file (already gunzipped).
    source : str
        File name, used in warnings and error messages.
    frames : bool, default True
        Records and laps as frames (described below); False: as a
        :class:`~runlog.io.RecordArrays` and a dict of the canonical lap
        columns (what :func:`runlog.io.read_activities` finalizes: the same
        values, no frame built only to be taken apart again).

    Returns
    -------
    list of RawActivity
        One per ``session`` message that has records (a file without session
        messages, e.g. cut off before the watch wrote them, gives one).
        ``records``: index = record timestamps (UTC); columns distance_m,
        speed_mps (``enhanced_speed`` preferred) [m/s], hr_bpm, cadence_spm
        (see :func:`cadence_spm`), temp_c, altitude_m (``enhanced_altitude``
        preferred), lat_deg, lon_deg (see :func:`semicircles_to_deg`), power_w
        and the running dynamics (:data:`runlog.schema.DYNAMICS_COLUMNS`,
        float32).  ``laps``: the session's ``lap`` messages.  ``info``: sport, sub_sport,
        device, session, n_sessions, device_* session totals, truncated and
        utc_offset_s (see :func:`utc_offset_s`).

    Raises
    ------
    NotAnActivityError
        A valid FIT file of another type (settings, monitoring, course, ...).
    FileFormatError
        Not a FIT file, device-relative times, or damaged
        before any timed record (the damage chained as a
        :class:`runlog.io._fitfast.FitDamage`).

    Warns
    -----
    TruncatedFileWarning
        The file is damaged after some records; those are kept.
    RunlogWarning
        Stray records far from the rest of the activity were dropped.
    """
    try:
        p = _parse(data)
    except FileFormatError as exc:
        if exc.path is None:
            raise FileFormatError(exc.reason, source) from exc.__cause__
        raise
    return _activities(p, source, frames=frames)


def _activities(p: _Parsed, source: str, *, frames: bool = True) -> list[RawActivity]:
    """The raw activities of a parsed file (see :func:`decode`)."""
    n = len(p.rec_group)
    if p.damage and not p.file_ids and not n:
        raise FileFormatError(f"{p.damage}; nothing could be read from it", source) from p.damage_exc
    _check_is_activity(p, n, source)

    groups = np.asarray(p.rec_group, dtype="int64")
    times = _timestamps(np.asarray(p.cols["timestamp"], dtype="float64"), source).asi8
    timed = times != np.iinfo(np.int64).min
    if not timed.any():
        msg = (f"has {n} records but none carries a time" if n else "holds no records (no per-second data)")
        if p.damage:
            raise FileFormatError(f"{p.damage}; {msg}", source) from p.damage_exc
        raise FileFormatError(f"{msg}: nothing to analyse", source)
    columns = _record_columns(p.cols)
    if not timed.all():
        times, groups, columns = times[timed], groups[timed], {c: v[timed] for c, v in columns.items()}

    if p.damage:
        warnings.warn(
            f"{source}: {p.damage}. Keeping the {int(timed.sum())} records read before the damage.",
            TruncatedFileWarning, stacklevel=4)

    n_sessions = len(p.sessions)
    sessions_of: dict[int, list[tuple[int, dict]]] = {}
    for grp, num, v in p.sessions:
        sessions_of.setdefault(grp, []).append((num, v))
    laps_of: dict[int, list[dict]] = {}
    for grp, v in p.laps:
        laps_of.setdefault(grp, []).append(v)
    # records are in file order, so their logical files (groups) are sorted: one slice per group
    if len(groups) > 1 and bool((np.diff(groups) < 0).any()):  # pragma: no cover - both parsers keep file order
        raise AssertionError("FIT records out of file order")
    cuts = np.searchsorted(groups, np.arange(p.n_groups + 1))
    out: list[RawActivity] = []
    for g in range(p.n_groups):
        file_id = p.file_ids.get(g, {})
        if cuts[g + 1] == cuts[g] or _name(file_id.get("type")) not in (None, "activity"):
            continue  # e.g. the settings file chained after an activity
        if len(out) >= MAX_ACTIVITIES:
            break
        base = {
            "device": device_name(file_id),
            "n_sessions": max(n_sessions, 1),
            "truncated": bool(p.damage) and g == p.damage_group,
            "utc_offset_s": utc_offset_s(p.activity.get(g)),
            # the workout the runner followed ('Easy 10k'): the only activity text a FIT file holds (a
            # Garmin Connect or Strava title lives in the export, not the file); suggest_episodes reads it
            "name": text_or_none(p.workout.get(g, {}).get("wkt_name")),
        }
        sessions = sessions_of.get(g, [])
        laps = laps_of.get(g, [])
        g_ns = times[cuts[g]:cuts[g + 1]]
        for num, values, rows, lap_values in _split_sessions(g_ns, sessions, laps):
            if len(out) >= MAX_ACTIVITIES:
                break
            sel = slice(cuts[g], cuts[g + 1]) if rows is None else rows + cuts[g]
            ns, rec = times[sel], {c: v[sel] for c, v in columns.items()}
            if values is None:  # no session message: sport from the sport or lap message
                sport, sub = _sport(p.sport.get(g) or (laps[0] if laps else None))
            else:
                sport, sub = _sport(values)
            ns, rec = _drop_stray(*_merged_same_time(ns, rec), source,
                                  f"session {num} ({sport})" if values is not None else "records")
            if n_sessions > 1:
                rec["distance_m"] = session_distance_m(rec["distance_m"])
            rec["cadence_spm"] = cadence_spm(rec.pop("cadence_raw"), rec.pop("fractional_cadence"), sport)
            info = {**base, "sport": sport, "sub_sport": sub, "session": num,
                    **_session_info(values or {})}
            arrays = RecordArrays(ns, rec)
            out.append(RawActivity(arrays.frame(), _laps_frame(lap_values), info) if frames
                       else RawActivity(arrays, _lap_columns(lap_values), info))
    if not out:
        raise FileFormatError("holds no timed records of an activity: nothing to analyse", source)
    if len(out) >= MAX_ACTIVITIES:
        held = sum(max(1, len(sessions_of.get(g, []))) for g in range(p.n_groups)
                   if cuts[g + 1] > cuts[g] and _name(p.file_ids.get(g, {}).get("type")) in (None, "activity"))
        if held > len(out):
            warnings.warn(
                f"{source}: holds {held} sessions or chained activity files; only the first {MAX_ACTIVITIES} were "
                "read. No watch writes that many into one file: it is probably damaged or built to slow readers "
                "down", RunlogWarning, stacklevel=4)
    return out
