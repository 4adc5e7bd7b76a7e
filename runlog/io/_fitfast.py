"""Vectorised decoder of FIT ``record`` messages; fitparse stays the reference.

:func:`decode_segment` reads one FIT file (one segment of a possibly chained
stream, see :func:`runlog.io.fit.split_segments`) in three steps:

1. **Walk** (Python, one short step per message): message headers (normal
   and compressed-timestamp), definition messages (endianness, field sizes and
   base types, developer fields skipped by their sizes), and the byte
   position of every data message.  Nothing is decoded yet.
2. **Records, all at once per definition**: the byte rows of every
   ``record`` message of one definition are gathered into one array and
   viewed through one numpy structured dtype (``np.frombuffer`` + a view); a
   field becomes a float column in a few array operations: invalid values
   (FIT SDK base types: 0xFF.., 0x7F.., 0 for the ``z`` types, NaN) -> NaN,
   scale and offset (``value = raw / scale - offset``), components
   (``speed`` -> ``enhanced_speed``, ``altitude`` -> ``enhanced_altitude``,
   ``compressed_speed_distance`` -> ``speed`` and accumulated ``distance``)
   and compressed timestamps (5-bit offsets unwrapped against the last full
   ``timestamp``) resolved to full times.  Positions stay semicircles and
   times raw FIT seconds (since 1989-12-31 00:00 UTC); the caller converts.
3. **The few other messages** runlog uses (``file_id``, ``session``, ``lap``,
   ``workout``, ``activity``, ``sport``, and the ``developer_data_id`` /
   ``field_description`` messages that name developer fields) are copied with
   their definitions into a small FIT stream and decoded by fitparse, the
   reference, so their values are fitparse's by construction.

Every value is the one fitparse 1.2.0 (through
:class:`runlog.io.fit._TolerantFitFile`) gives: the same "last field of a name
wins" rule of ``DataMessage.get_values`` (a component is listed before its
field, developer fields after the others, the compressed timestamp last), the
same accumulators, the same base-type invalid values.

A file cut off (the watch died, the copy did not finish, a header whose
data size was never written) is read as fitparse reads it: every message
before the cut, and the ``FitEOFError`` message fitparse would raise there
(:attr:`FastSegment.eof`); its CRC is not checked, as fitparse never gets
to it.

What is not handled here makes :func:`decode_segment` return None, and the
caller decodes the whole file with fitparse instead: other damage (CRC
mismatch, a message running past the declared data size into the CRC, a
message of an undefined local type, a header whose size or CRC is wrong), a
wanted field of an odd base type (64-bit, string; a ``timestamp`` that is not
an integer of at most 32 bits), any definition whose data fitparse might fail
on (a field of size 0, components or dates over arrays or non-integers,
developer fields whose description is missing, misaligned or that shadow a
record field), an error of fitparse on the other messages, and any exception
the fast path did not foresee (unless :data:`STRICT`).  So damaged files are
salvaged exactly as before, by fitparse.

References
----------
Garmin FIT SDK, *Flexible and Interoperable Data Transfer (FIT) Protocol*,
rev. 2.x (file header and CRC, record headers, compressed timestamp header,
definition messages, base types, developer data), and *Profile.xlsx*
(``record`` fields, scales, offsets, components), https://developer.garmin.com/fit/.
"""

from __future__ import annotations

import datetime as _dt
import struct
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from fitparse.profile import MESSAGE_TYPES
from fitparse.records import BASE_TYPE_BYTE, BASE_TYPES

__all__ = ["RECORD_FIELDS", "FIT_EPOCH_S", "KEPT_MESSAGES", "STRICT", "FastSegment", "decode_segment", "crc16"]

#: ``record`` fields runlog reads (keys of :attr:`FastSegment.records`).
RECORD_FIELDS = (
    "timestamp", "distance", "speed", "enhanced_speed", "altitude", "enhanced_altitude",
    "heart_rate", "cadence", "fractional_cadence", "temperature", "position_lat",
    "position_long", "power",
    "stance_time", "stance_time_balance", "vertical_oscillation", "vertical_ratio", "step_length",
)

#: FIT ``date_time`` epoch, 1989-12-31 00:00 UTC, in Unix seconds [s] (FIT SDK, Profile.xlsx, ``date_time``).
FIT_EPOCH_S = 631065600

#: Re-raise unforeseen exceptions of the fast path instead of handing the file to fitparse
#: (the tests set it, so that a bug cannot hide behind the fallback).
STRICT = False

#: Global message numbers decoded by fitparse: file_id 0, sport 12, session 18, lap 19, workout 26,
#: activity 34, field_description 206, developer_data_id 207 (FIT SDK, Profile.xlsx ``mesg_num``).
KEPT_MESSAGES = frozenset({0, 12, 18, 19, 26, 34, 206, 207})

_RECORD = 20                  # global message number of ``record``
_TIMESTAMP = 253              # field number of ``timestamp`` in every message
_CSD = 8                      # record.compressed_speed_distance
_WANTED = frozenset(RECORD_FIELDS)
_DATE_TYPES = frozenset({"date_time", "local_date_time"})

# base type number -> numpy type code (sizes as fitparse's struct formats)
_NP_CODE = {0x00: "u1", 0x01: "i1", 0x02: "u1", 0x83: "i2", 0x84: "u2", 0x85: "i4", 0x86: "u4",
            0x88: "f4", 0x89: "f8", 0x0A: "u1", 0x8B: "u2", 0x8C: "u4"}
# base type number -> invalid raw value (fitparse 1.2.0 BASE_TYPES parse functions; floats: NaN)
_INVALID = {0x00: 0xFF, 0x01: 0x7F, 0x02: 0xFF, 0x83: 0x7FFF, 0x84: 0xFFFF, 0x85: 0x7FFFFFFF,
            0x86: 0xFFFFFFFF, 0x0A: 0, 0x8B: 0, 0x8C: 0}
_INT32 = frozenset(_INVALID)                     # integers of at most 32 bits
_INTS = _INT32 | {0x8E, 0x8F, 0x90}              # with the 64-bit ones
_FLOATS = frozenset({0x88, 0x89})
_BYTE = 0x0D

# what a data message of a definition is, for the walk
_K_RECORD, _K_KEPT, _K_SKIP, _K_BAD, _K_STAMPED = 0, 1, 2, 3, 4


class _Fallback(Exception):
    """The fast path does not handle this file: decode it with fitparse."""


class FastSegment(NamedTuple):
    """What :func:`decode_segment` read from one FIT file.

    records : dict of str -> ndarray
        One float64 array per :data:`RECORD_FIELDS` name, one element per
        ``record`` message in file order; NaN where fitparse gives None (or a
        value that is no number).  ``timestamp`` in raw FIT seconds (see
        :data:`FIT_EPOCH_S`), positions in semicircles, the others scaled as
        fitparse scales them (distance m, speed m/s, altitude m, ...).
    record_pos : ndarray of int64
        Byte position of each record message in the segment (orders records
        against the other messages).
    messages : list of (int, str, dict)
        (byte position, message name, fitparse ``get_values()``) of the other
        messages of :data:`KEPT_MESSAGES`, in file order.
    eof : str or None
        The file is cut off: the message of the ``FitEOFError`` fitparse
        raises where it stops (the messages before it are the ones above, as
        fitparse yields them); None for a whole file.
    """

    records: dict
    record_pos: np.ndarray
    messages: list
    eof: str | None = None


# --------------------------------------------------------------------------
# CRC
# --------------------------------------------------------------------------
def _crc_byte_table() -> np.ndarray:
    """CRC-16 (FIT: polynomial 0xA001 reflected, initial value 0) of one byte from each state byte."""
    table = np.zeros(256, dtype=np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xA001 if c & 1 else c >> 1
        table[i] = c
    return table


_CRC8 = _crc_byte_table()
#: state after two bytes w (little-endian 16-bit word) from state s: _CRC16[s ^ w]
_CRC16 = (_CRC8[(_CRC8[np.arange(65536) & 0xFF] ^ (np.arange(65536) >> 8)) & 0xFF]
          ^ (_CRC8[np.arange(65536) & 0xFF] ^ (np.arange(65536) >> 8)) >> 8).astype(np.uint16)


@lru_cache(maxsize=16)
def _zero_shift(n_words: int) -> tuple[list[int], list[int]]:
    """Tables (low byte, high byte) of the CRC state after *n_words* zero words.

    The CRC from initial value 0 is linear over GF(2), so the state after the
    zeros is ``lo[s & 0xFF] ^ hi[s >> 8]``.
    """
    s = np.concatenate([np.arange(256), np.arange(256) << 8]).astype(np.uint16)
    for _ in range(n_words):
        s = _CRC16[s]
    return s[:256].tolist(), s[256:].tolist()


def crc16(data: bytes) -> int:
    """FIT CRC-16 of *data* (the value fitparse's ``Crc.calculate`` gives).

    Blocks of *L* bytes are run through the CRC side by side (two bytes per
    numpy step) and their states combined: the CRC starting from 0 is linear,
    ``crc(A + B) = shift_len(B)(crc(A)) ^ crc(B)``, and zero bytes in front
    do not change it, so the data is zero-padded in front to whole blocks.

    Parameters
    ----------
    data : bytes
        Bytes to check.

    Returns
    -------
    int
        The CRC (0..65535).
    """
    n = len(data)
    if n == 0:
        return 0
    block = 16
    while block * block < n // 2 and block < 8192:
        block *= 2
    arr = np.frombuffer(data, dtype=np.uint8)
    pad = (-n) % block
    if pad:
        arr = np.concatenate([np.zeros(pad, dtype=np.uint8), arr])
    words = (arr[0::2].astype(np.uint16) | (arr[1::2].astype(np.uint16) << 8))
    cols = np.ascontiguousarray(words.reshape(-1, block // 2).T)
    state = np.zeros(cols.shape[1], dtype=np.uint16)
    for row in cols:
        state = _CRC16[state ^ row]
    lo, hi = _zero_shift(block // 2)
    crc = 0
    for s in state.tolist():
        crc = lo[crc & 0xFF] ^ hi[crc >> 8] ^ s
    return crc


# --------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------
class _Layout:
    """The layout of a definition message (shared by identical definitions, cached by their bytes)."""

    __slots__ = ("mesg_num", "big", "fields", "dev", "size", "stamp", "kind", "csd", "plan")

    def __init__(self, mesg_num: int, big: bool, fields: list[tuple[int, int, int, int]],
                 dev: list[tuple[int, int, int]]):
        self.mesg_num, self.big = mesg_num, big
        self.fields = fields      # (field number, size, base type number, offset in the message)
        self.dev = dev            # (field number, size, developer data index)
        self.size = sum(f[1] for f in fields) + sum(f[1] for f in dev)
        self.stamp = [f for f in fields if f[0] == _TIMESTAMP]
        self.csd = False          # record layout with compressed_speed_distance (resets its accumulator)
        self.plan: dict[str, tuple] | None = None   # record plan, see _record_plan
        if _risky(self):
            self.kind = _K_BAD
        elif mesg_num == _RECORD:
            self.kind = _K_RECORD
            self.csd = any(num == _CSD and size % _base(btn).size == 0 for num, size, btn, _ in fields)
        elif mesg_num in KEPT_MESSAGES:
            self.kind = _K_KEPT
        elif self.stamp:
            self.kind = _K_STAMPED
        else:
            self.kind = _K_SKIP


class _Def(NamedTuple):
    """One definition message of the file."""

    id: int           # index in the file's definitions
    pos: int          # position of its header byte
    raw: bytes        # the whole message, header byte included
    lay: _Layout
    lid: int          # index of its layout among the file's distinct layouts


def _base(btn: int):
    return BASE_TYPES.get(btn, BASE_TYPE_BYTE)


def _risky(lay: _Layout) -> bool:
    """True when fitparse might raise on a data message of this layout (the fast path then gives way).

    A field of size 0 (fitparse: invalid struct format), components of a field
    that is not one integer or a byte array (fitparse unpacks a tuple with
    invalid members, or accumulates a float), a date field that is not one
    integer of at most 32 bits (fitparse compares a tuple or string with a
    number, or a 64-bit date overflows ``datetime``).
    """
    mt = MESSAGE_TYPES.get(lay.mesg_num)
    for num, size, btn, _ in lay.fields:
        bt = _base(btn)
        if size % bt.size:
            continue  # misaligned: _TolerantFitFile reads it as unknown bytes
        if size == 0:
            return True
        field = mt.fields.get(num) if mt else None
        if field is None:
            continue
        one = size == bt.size
        if field.components and not ((one and btn in _INTS) or bt.name == "byte"):
            return True
        for f in [field, *(field.subfields or ())]:
            if f.type.name in _DATE_TYPES and not (one and btn in _INT32):
                return True
    return False


#: Layouts by definition bytes (header byte reduced to its developer-data flag); bounded.
_LAYOUTS: dict[bytes, _Layout] = {}
_MAX_LAYOUTS = 4096


def _layout(key: bytes) -> _Layout:
    """The layout of a definition message from its bytes (*key*: flag byte, then the message after its header)."""
    lay = _LAYOUTS.get(key)
    if lay is not None:
        return lay
    big = key[2] != 0
    mesg_num = int.from_bytes(key[3:5], "big" if big else "little")
    fields, off, p = [], 0, 6
    for _ in range(key[5]):
        num, size, btn = key[p], key[p + 1], key[p + 2]
        fields.append((num, size, btn, off))
        off += size
        p += 3
    dev = []
    if key[0] & 0x20:
        p += 1
        for _ in range(key[p - 1]):
            dev.append((key[p], key[p + 1], key[p + 2]))
            p += 3
    lay = _Layout(mesg_num, big, fields, dev)
    if len(_LAYOUTS) >= _MAX_LAYOUTS:
        _LAYOUTS.clear()
    _LAYOUTS[key] = lay
    return lay


def _definition_end(data: bytes, pos: int) -> int:
    """Position after the definition message whose header byte is at *pos* (beyond the data when cut off)."""
    n = len(data)
    if pos + 5 >= n:
        return n + 1
    p = pos + 6 + 3 * data[pos + 5]
    if data[pos] & 0x20:
        if p >= n:
            return n + 1
        p += 1 + 3 * data[p]
    return p


# --------------------------------------------------------------------------
# The walk
# --------------------------------------------------------------------------
class _Walk(NamedTuple):
    defs: list            # _Def by id
    rec_pos: list         # header position of every record message
    rec_def: list         # its definition id
    others: list          # (header position, definition id) of kept and timestamped other messages
    compressed: list      # (header position, time offset) of compressed-timestamp messages
    pos: int              # where the walk stopped
    last: int             # header position of the last message walked
    cut_definition: int   # header position of a definition cut off by the end of the data, else -1


def _walk(data: bytes, pos: int, end: int, stamped: bool = False) -> _Walk:
    """Every message header from *pos* to *end*; data messages are only located, not decoded.

    Other messages with a ``timestamp`` are listed only when *stamped* (for compressed timestamps).
    """
    lids: dict[int, int] = {}
    kinds = [_K_BAD] * 16       # by local message number; undefined = bad
    steps = [1] * 16            # header byte + data size
    ids = [0] * 16
    defs: list[_Def] = []
    rec_pos: list[int] = []
    rec_def: list[int] = []
    others: list[tuple[int, int]] = []
    compressed: list[tuple[int, int]] = []
    add_pos, add_def = rec_pos.append, rec_def.append
    start, cut_definition, n = pos, -1, len(data)
    while pos < end:
        start = pos
        h = data[pos]
        if not h & 0xC0:            # normal header, data message
            loc = h & 0x0F
            k = kinds[loc]
            if k == _K_RECORD:
                add_pos(pos)
                add_def(ids[loc])
            elif k == _K_BAD:
                raise _Fallback("data message of an undefined or unsupported definition")
            elif k != _K_SKIP:
                others.append((pos, ids[loc]))
            pos += steps[loc]
        elif h & 0x80:              # compressed timestamp header, data message
            loc = (h >> 5) & 0x03
            k = kinds[loc]
            if k == _K_BAD:
                raise _Fallback("data message of an undefined or unsupported definition")
            compressed.append((pos, h & 0x1F))
            if k == _K_RECORD:
                add_pos(pos)
                add_def(ids[loc])
            elif k != _K_SKIP:
                others.append((pos, ids[loc]))
            pos += steps[loc]
        else:                       # definition message
            nxt = _definition_end(data, pos)
            if nxt > n:
                cut_definition = pos
                break
            raw = data[pos:nxt]
            lay = _layout(bytes([h & 0x20]) + raw[1:])
            lid = lids.setdefault(id(lay), len(lids))
            defs.append(_Def(len(defs), pos, raw, lay, lid))
            loc = h & 0x0F
            kind = lay.kind
            kinds[loc] = _K_SKIP if kind == _K_STAMPED and not stamped else kind
            steps[loc], ids[loc] = lay.size + 1, len(defs) - 1
            pos = nxt
    return _Walk(defs, rec_pos, rec_def, others, compressed, pos, start, cut_definition)


# --------------------------------------------------------------------------
# Record columns
# --------------------------------------------------------------------------
def _record_plan(lay: _Layout) -> dict[str, tuple]:
    """Where each wanted name's value comes from in a record of this layout.

    fitparse lists, per field in definition order, the field's components
    and then the field; ``get_values`` keeps the last entry of a name, so one
    source per name is enough.  Sources: ``('f', offset, base, scale,
    offset_value)`` a field, ``('c', offset, base, bit_offset, bits, scale,
    offset_value)`` a component of an integer field, ``('csd_speed'|'csd_dist',
    offset)`` the components of ``compressed_speed_distance``, ``('nan',)``
    a value that is no number (array, byte field).
    """
    mt = MESSAGE_TYPES[_RECORD]
    plan: dict[str, tuple] = {}
    for num, size, btn, off in lay.fields:
        bt = _base(btn)
        if size % bt.size:
            continue
        field = mt.fields.get(num)
        if field is None:
            continue
        one = size == bt.size
        for comp in field.components or ():
            target = mt.fields[comp.def_num].name
            if target not in _WANTED:
                continue
            if num == _CSD:
                if btn != _BYTE or size != 3:
                    raise _Fallback("compressed_speed_distance that is not 3 bytes")
                plan[target] = ("csd_dist" if comp.accumulate else "csd_speed", off)
            elif one and btn in _INT32 and not comp.accumulate:
                plan[target] = ("c", off, btn, comp.bit_offset, comp.bits, comp.scale, comp.offset)
            else:
                raise _Fallback(f"component {target} of an unsupported field")
        name = field.name
        if name not in _WANTED:
            continue
        if one and (btn in _INT32 or (btn in _FLOATS and name != "timestamp")):
            plan[name] = ("f", off, btn, field.scale, field.offset)
        elif name == "timestamp" or (one and btn in _INTS) or bt.name == "string":
            raise _Fallback(f"record field {name} of base type {bt.name}")
        else:
            plan[name] = ("nan",)
    return plan


def _rows(data: bytes, buf: np.ndarray, pos: np.ndarray, size: int, dtype: np.dtype) -> np.ndarray:
    """The data of the messages at header positions *pos*, viewed through *dtype* (one row each)."""
    n, step = len(pos), size + 1
    if int(pos[-1]) - int(pos[0]) == (n - 1) * step:  # back to back: a strided view, no copy
        return np.ndarray((n,), dtype=dtype, buffer=data, offset=int(pos[0]) + 1, strides=(step,))
    idx = pos[:, None] + (1 + np.arange(size))
    return buf[idx].view(dtype)[:, 0]


def _dtype(lay: _Layout, sources) -> np.dtype:
    """One structured dtype over the fields the *sources* read (``f<offset>_<base type>``)."""
    offs = sorted({(src[1], src[2] if src[0] in ("f", "c") else _BYTE) for src in sources if src[0] != "nan"})
    order = ">" if lay.big else "<"
    return np.dtype({"names": [f"f{off}_{btn}" for off, btn in offs],
                     "formats": ["3u1" if btn == _BYTE else order + _NP_CODE[btn] for _, btn in offs],
                     "offsets": [off for off, _ in offs], "itemsize": lay.size})


def _values(col: np.ndarray, btn: int) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values, valid mask) of one raw column of base type *btn*."""
    if btn in _FLOATS:
        vals = col.astype(np.float64)
        return vals, ~np.isnan(vals)
    return col.astype(np.float64), col != _INVALID[btn]


def _scaled(vals: np.ndarray, valid: np.ndarray, scale, offset) -> np.ndarray:
    """fitparse's ``float(raw) / scale - offset`` on the valid values; NaN elsewhere."""
    if scale:
        vals = vals / scale
    if offset:
        vals = vals - offset
    return np.where(valid, vals, np.nan)


def _unwrap(key: np.ndarray, is_set: np.ndarray, value: np.ndarray, bits: int) -> np.ndarray:
    """fitparse's compressed accumulation over a sequence of events, vectorised.

    Events in *key* order either set the accumulator (*is_set*: ``acc =
    value``) or add to it: ``acc += (value - acc) mod 2**bits`` (the value is
    the accumulator's low *bits*; FIT SDK, compressed timestamps and
    accumulated components).  The accumulator starts at 0.

    Returns
    -------
    ndarray of int64
        The accumulator after each event, in the order of the input.
    """
    order = np.argsort(key, kind="stable")
    s, v = is_set[order], value[order].astype(np.int64)
    n = len(v)
    last_set = np.maximum.accumulate(np.where(s, np.arange(n), -1))
    anchor = np.where(last_set >= 0, v[np.maximum(last_set, 0)], 0)
    prev_add = np.concatenate([[False], ~s[:-1]])
    prev_low = np.where(prev_add, np.concatenate([[0], v[:-1]]), anchor % (1 << bits))
    delta = np.where(s, 0, (v - prev_low) % (1 << bits))
    csum = np.cumsum(delta)
    base = np.where(last_set >= 0, csum[np.maximum(last_set, 0)], 0)
    acc = np.where(s, v, anchor + csum - base)
    out = np.empty(n, dtype=np.int64)
    out[order] = acc
    return out


def _record_columns(data: bytes, walk: _Walk, stamps: dict[int, int]) -> dict[str, np.ndarray]:
    """The :data:`RECORD_FIELDS` columns of every record message (see :class:`FastSegment`).

    Records are decoded per layout: definitions repeated with the same bytes
    (some devices redefine ``record`` every few messages) share one pass.
    """
    n = len(walk.rec_pos)
    cols = {k: np.full(n, np.nan) for k in RECORD_FIELDS}
    if not n:
        return cols
    buf = np.frombuffer(data, dtype=np.uint8)
    pos = np.asarray(walk.rec_pos, dtype=np.int64)
    lids = np.asarray([d.lid for d in walk.defs], dtype=np.int64)[np.asarray(walk.rec_def, dtype=np.int64)]
    layouts = {d.lid: d.lay for d in walk.defs}
    dist_raw = []  # (row indices, raw 12-bit distances, valid) of compressed_speed_distance
    used = np.unique(lids).tolist()
    for lid in used:
        lay = layouts[lid]
        if lay.plan is None:
            lay.plan = _record_plan(lay)
        plan = lay.plan
        if not plan:
            continue
        sel = np.flatnonzero(lids == lid) if len(used) > 1 else slice(None)
        rows = _rows(data, buf, pos[sel], lay.size, _dtype(lay, plan.values()))
        for name, src in plan.items():
            kind = src[0]
            if kind == "f":
                _, off, btn, scale, offset = src
                vals, valid = _values(rows[f"f{off}_{btn}"], btn)
                cols[name][sel] = _scaled(vals, valid, scale, offset)
            elif kind == "c":
                _, off, btn, bit_off, bits, scale, offset = src
                raw = rows[f"f{off}_{btn}"]
                valid = raw != _INVALID[btn]
                comp = (raw.astype(np.int64) >> bit_off) & ((1 << bits) - 1)
                cols[name][sel] = _scaled(comp.astype(np.float64), valid, scale, offset)
            elif kind in ("csd_speed", "csd_dist"):
                b = rows[f"f{src[1]}_{_BYTE}"].astype(np.int64)
                valid = ~(b == 0xFF).all(axis=1)
                packed = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
                if kind == "csd_speed":
                    cols[name][sel] = np.where(valid, (packed & 0xFFF) / 100.0, np.nan)
                else:
                    dist_raw.append((np.arange(n)[sel], (packed >> 12) & 0xFFF, valid))
                    cols[name][sel] = np.nan
            else:
                cols[name][sel] = np.nan
    if dist_raw:
        _accumulate_distance(walk, pos, dist_raw, cols["distance"])
    if stamps:
        where = np.flatnonzero(np.isin(pos, np.fromiter(stamps, dtype=np.int64, count=len(stamps))))
        cols["timestamp"][where] = [stamps[p] for p in pos[where].tolist()]
    return cols


def _accumulate_distance(walk: _Walk, pos: np.ndarray, dist_raw: list, out: np.ndarray) -> None:
    """``record.distance`` from the accumulated 12-bit component of ``compressed_speed_distance``.

    fitparse sets the accumulator to 0 at every record definition holding the
    field and adds each valid raw value (``_apply_compressed_accumulation``,
    12 bits); scale 16 (FIT SDK, Profile.xlsx).
    """
    sel = np.concatenate([s for s, _, _ in dist_raw])
    raw = np.concatenate([r for _, r, _ in dist_raw])
    valid = np.concatenate([v for _, _, v in dist_raw])
    sel, raw = sel[valid], raw[valid]
    resets = np.asarray([d.pos for d in walk.defs if d.lay.kind == _K_RECORD and d.lay.csd], dtype=np.int64)
    key = np.concatenate([resets * 2, pos[sel] * 2 + 1])
    is_set = np.concatenate([np.ones(len(resets), bool), np.zeros(len(sel), bool)])
    acc = _unwrap(key, is_set, np.concatenate([np.zeros(len(resets), np.int64), raw]), 12)
    out[sel] = acc[len(resets):] / 16.0


# --------------------------------------------------------------------------
# Compressed timestamps
# --------------------------------------------------------------------------
def _stamp_raw(data: bytes, hpos: int, lay: _Layout) -> int | None:
    """Raw ``timestamp`` (field 253) of the message at *hpos*, None when invalid."""
    ((_, _, btn, off),) = lay.stamp
    value = struct.unpack_from((">" if lay.big else "<") + _base(btn).fmt, data, hpos + 1 + off)[0]
    return None if value == _INVALID[btn] else int(value)


def _compressed_times(data: bytes, walk: _Walk) -> dict[int, int]:
    """Full timestamp [raw FIT s] of every compressed-timestamp message, by header position.

    fitparse keeps the last ``timestamp`` (field 253 of any message) and
    resolves a header's 5-bit time offset against it (FIT SDK, "Compressed
    Timestamp Header"); the accumulator starts at 0 in each file.  *walk*
    must list the other timestamped messages (``_walk(..., stamped=True)``).
    """
    for d in walk.defs:  # what fitparse would choke on (a tuple or float accumulator)
        lay = d.lay
        if len(lay.stamp) > 1 or any(num == _TIMESTAMP for num, _, _ in lay.dev):
            raise _Fallback("several or developer timestamp fields with compressed timestamps")
        for _, size, btn, _ in lay.stamp:
            if btn not in _INT32 or size != _base(btn).size:
                raise _Fallback("a timestamp field that is not one integer, with compressed timestamps")
    keys, vals = [], []
    buf = np.frombuffer(data, dtype=np.uint8)
    rec_pos = np.asarray(walk.rec_pos, dtype=np.int64)
    # per layout, not per definition: a file may repeat one definition before every record
    rec_lid = np.asarray([d.lid for d in walk.defs], dtype=np.int64)[np.asarray(walk.rec_def, dtype=np.int64)]
    layouts = {d.lid: d.lay for d in walk.defs}
    for lid in np.unique(rec_lid).tolist():
        lay = layouts[lid]
        if not lay.stamp:
            continue
        p = rec_pos[rec_lid == lid]
        ((_, _, btn, off),) = lay.stamp
        dtype = np.dtype({"names": ["t"], "formats": [(">" if lay.big else "<") + _NP_CODE[btn]],
                          "offsets": [off], "itemsize": lay.size})
        raw = _rows(data, buf, p, lay.size, dtype)["t"]
        ok = raw != _INVALID[btn]
        keys.append(p[ok] * 2)
        vals.append(raw[ok].astype(np.int64))
    for hpos, did in walk.others:
        lay = walk.defs[did].lay
        if lay.stamp:
            v = _stamp_raw(data, hpos, lay)
            if v is not None:
                keys.append(np.array([hpos * 2], dtype=np.int64))
                vals.append(np.array([v], dtype=np.int64))
    n_set = sum(len(k) for k in keys)
    comp_pos = np.array([p for p, _ in walk.compressed], dtype=np.int64)
    keys.append(comp_pos * 2 + 1)
    vals.append(np.array([o for _, o in walk.compressed], dtype=np.int64))
    is_set = np.zeros(n_set + len(comp_pos), dtype=bool)
    is_set[:n_set] = True
    acc = _unwrap(np.concatenate(keys), is_set, np.concatenate(vals), 5)
    return dict(zip(comp_pos.tolist(), acc[n_set:].tolist()))


def _date_time_value(raw: int):
    """fitparse's ``process_type_date_time``: a naive UTC datetime from 0x10000000 on, else the number."""
    if raw >= 0x10000000:
        return _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=FIT_EPOCH_S + raw)
    return raw


# --------------------------------------------------------------------------
# The other messages, through fitparse
# --------------------------------------------------------------------------
def _kept_stream(data: bytes, walk: _Walk) -> tuple[bytes, list[int]]:
    """A FIT stream of the kept messages and every definition of their types, and their header positions.

    Every definition of a kept message type is copied, used or not, so that
    fitparse resets its accumulators where it would in the whole file.
    """
    parts = [(d.pos, d.raw, False) for d in walk.defs if d.lay.mesg_num in KEPT_MESSAGES]
    parts += [(hpos, data[hpos:hpos + walk.defs[did].lay.size + 1], True) for hpos, did in walk.others
              if walk.defs[did].lay.kind == _K_KEPT]
    parts.sort(key=lambda part: part[0])
    body = b"".join(raw for _, raw, _ in parts)
    header = bytes([12]) + data[1:4] + struct.pack("<I", len(body)) + b".FIT"
    return header + body + b"\0\0", [pos for pos, _, is_data in parts if is_data]


def _check_developer_fields(walk: _Walk, messages: list) -> None:
    """Every developer field is described before its definition, as fitparse requires.

    fitparse keeps the descriptions in one process-wide table; a field it
    cannot find, or one whose size is no multiple of its base type (fitparse
    then reads too few bytes), or a record developer field named like a
    record field (it would replace that value), sends the file to fitparse.
    """
    dev_defs = [d for d in walk.defs if d.lay.dev]
    if not dev_defs:
        return
    # (header position, 1, _Def) or (header position, 0, fitparse DataMessage)
    events: list[tuple[int, int, Any]] = [(d.pos, 1, d) for d in dev_defs]
    events += [(pos, 0, msg) for pos, msg in messages
               if msg.name in ("developer_data_id", "field_description")]
    registry: dict = {}
    for _, is_def, item in sorted(events, key=lambda e: (e[0], e[1])):
        if not is_def:
            msg = item
            index = msg.get_raw_value("developer_data_index")
            if msg.name == "developer_data_id":
                registry[index] = {}
                continue
            if index not in registry:
                raise _Fallback("developer field described before its developer data id")
            num = msg.get_raw_value("field_definition_number")
            name = msg.get_raw_value("field_name") or f"unnamed_dev_field_{num}"
            registry[index][num] = (name, BASE_TYPES[msg.get_raw_value("fit_base_type_id")])
            continue
        d = item
        for num, size, index in d.lay.dev:
            try:
                name, bt = registry[index][num]
            except (KeyError, TypeError):
                raise _Fallback("developer field without description") from None
            if size == 0 or size % bt.size:
                raise _Fallback("developer field of a size fitparse misreads")
            if d.lay.kind == _K_RECORD and name in _WANTED:
                raise _Fallback(f"developer field named {name} in a record")


def decode_segment(data: bytes, decode_messages: Callable[[bytes], Sequence]) -> FastSegment | None:
    """Decode one FIT file: records vectorised, the other messages runlog uses through fitparse.

    Parameters
    ----------
    data : bytes
        One FIT file: header, data records and CRC (one segment of a chained
        stream, see :func:`runlog.io.fit.split_segments`).
    decode_messages : callable
        Decodes a small FIT stream (bytes) into fitparse ``DataMessage``
        objects in file order; raises on any problem.  runlog passes
        fitparse with its tolerant definition parser and lean processor.

    Returns
    -------
    FastSegment or None
        None when the segment is damaged or holds something the fast path
        does not handle (see the module docstring): decode the file with
        fitparse then.
    """
    try:
        return _decode_segment(data, decode_messages)
    except _Fallback:
        return None
    except Exception:  # a case this module did not foresee: fitparse, the reference, decides
        if STRICT:
            raise
        return None


def _eof(wanted: int, got: int) -> str:
    """The message of fitparse's ``FitEOFError`` (``FitFile._read``)."""
    return f"Tried to read {wanted} bytes from .FIT file but got {got}"


def _cut_message(data: bytes, walk: _Walk) -> str:
    """fitparse's EOF message for the data message cut off at ``walk.last``; drops it from the walk.

    fitparse reads the header byte, then field after field (a misaligned
    field as its bytes, developer fields after the others) and fails on the
    first read that the data cannot fill.
    """
    start = walk.last
    h = data[start]
    lay = walk.defs[walk.rec_def[-1] if walk.rec_pos and walk.rec_pos[-1] == start else
                    walk.others[-1][1] if walk.others and walk.others[-1][0] == start else
                    _local_def(data, walk, start)].lay
    if walk.rec_pos and walk.rec_pos[-1] == start:
        walk.rec_pos.pop()
        walk.rec_def.pop()
    if walk.others and walk.others[-1][0] == start:
        walk.others.pop()
    if h & 0x80 and walk.compressed and walk.compressed[-1][0] == start:
        walk.compressed.pop()
    have, read = len(data) - start - 1, 0
    for size in [f[1] for f in lay.fields] + [f[1] for f in lay.dev]:
        if read + size > have:
            return _eof(size, have - read)
        read += size
    raise _Fallback("no cut message")  # pragma: no cover - the walk stopped past the data


def _local_def(data: bytes, walk: _Walk, start: int) -> int:
    """Id of the definition in force for the (skipped) data message at *start*."""
    h = data[start]
    loc = (h >> 5) & 0x03 if h & 0x80 else h & 0x0F
    current = -1
    for d in walk.defs:
        if d.pos < start and d.raw[0] & 0x0F == loc:
            current = d.id
    if current < 0:
        raise _Fallback("cut message without definition")  # pragma: no cover - the walk checked it
    return current


def _cut_definition_message(data: bytes, pos: int) -> str:
    """fitparse's EOF message for the definition message cut off at *pos*.

    fitparse reads 2 bytes (reserved, architecture), 3 (message number,
    field count), 3 per field and, with developer data, 1 (their count) and
    3 per developer field; developer fields are looked up as they are read,
    so a cut among them is left to fitparse.
    """
    n = len(data)
    have = n - pos - 1
    reads = [2, 3]
    if have >= 5:
        reads += [3] * data[pos + 5]
        if data[pos] & 0x20:
            if sum(reads) + 1 <= have:
                raise _Fallback("definition cut among its developer fields")
            reads.append(1)
    read = 0
    for size in reads:
        if read + size > have:
            return _eof(size, have - read)
        read += size
    raise _Fallback("no cut definition")  # pragma: no cover - _definition_end said cut


def _decode_segment(data: bytes, decode_messages: Callable[[bytes], Sequence]) -> FastSegment:
    n = len(data)
    if n < 12 or data[8:12] != b".FIT":
        raise _Fallback("no FIT header")
    header_size = data[0]
    (data_size,) = struct.unpack_from("<I", data, 4)
    end = header_size + data_size
    if header_size < 12 or 12 < header_size < 14 or n < header_size or n > end + 2:
        raise _Fallback("irregular header size, header cut off or data longer than declared")
    if header_size >= 14:
        (header_crc,) = struct.unpack_from("<H", data, 12)
        if header_crc and header_crc != crc16(data[:12]):
            raise _Fallback("header CRC mismatch")
    limit = min(end, n)
    walk = _walk(data, header_size, limit)
    if walk.compressed:  # again, listing the timestamped messages the resolution needs
        walk = _walk(data, header_size, limit, stamped=True)
    eof = None
    if walk.cut_definition >= 0:    # cut off inside a definition
        eof = _cut_definition_message(data, walk.cut_definition)
    elif walk.pos > n:              # cut off inside a data message
        eof = _cut_message(data, walk)
    elif walk.pos > end:
        raise _Fallback("a message runs past the data size in the header")
    elif walk.pos < end:            # cut off between messages
        eof = _eof(1, 0)
    elif n < end + 2:               # cut off in the CRC
        eof = _eof(2, n - end)
    else:                           # whole: fitparse checks the CRC when it gets to it
        (file_crc,) = struct.unpack_from("<H", data, end)
        if file_crc != crc16(data[:end]):
            raise _Fallback("file CRC mismatch")
    stamps = _compressed_times(data, walk) if walk.compressed else {}
    messages: list = []
    stream, positions = _kept_stream(data, walk)
    if positions or len(stream) > 14:
        try:
            decoded = list(decode_messages(stream))
        except Exception as exc:  # fitparse's own errors: let the full fitparse pass report them
            raise _Fallback(f"fitparse: {exc}") from exc
        if len(decoded) != len(positions):
            raise _Fallback("fitparse read another number of messages")
        messages = list(zip(positions, decoded))
    _check_developer_fields(walk, messages)
    cols = _record_columns(data, walk, stamps)
    out = []
    for hpos, msg in messages:
        if msg.name in ("developer_data_id", "field_description"):
            continue
        values = msg.get_values()
        if hpos in stamps:  # the sub-stream lacks the records' timestamps: fitparse's value from the whole file
            values["timestamp"] = _date_time_value(stamps[hpos])
        out.append((hpos, msg.name, values))
    return FastSegment(cols, np.asarray(walk.rec_pos, dtype=np.int64), out, eof)
