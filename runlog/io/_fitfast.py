"""runlog's FIT decoder: records vectorised, the few other messages field by field, from the profile table.

:func:`decode_segment` reads one FIT file (one segment of a possibly chained
stream, see :func:`runlog.io.fit.split_segments`) in three steps, defined by
the FIT protocol and the part of the profile runlog declares in
:mod:`runlog.io._fitprofile` (no other library is involved):

1. **Walk** (Python, one short step per message): message headers (normal
   and compressed-timestamp), definition messages (endianness, field sizes and
   base types, developer fields skipped by their sizes), and the byte
   position of every data message.  Nothing is decoded yet.
2. **Records, all at once per layout**: the byte rows of every ``record``
   message of one definition layout are gathered into one array and viewed
   through one numpy structured dtype (``np.frombuffer`` + a view); a field
   becomes a float column in a few array operations: invalid values (FIT
   base types: 0xFF.., 0x7F.., 0 for the ``z`` types, NaN) -> NaN, scale and
   offset (``value = raw / scale - offset``), components (``speed`` ->
   ``enhanced_speed``, ``altitude`` -> ``enhanced_altitude``,
   ``compressed_speed_distance`` -> ``speed`` and accumulated ``distance``)
   and compressed timestamps (5-bit offsets unwrapped against the last full
   ``timestamp`` of any message) resolved to full times.  Positions stay
   semicircles and times raw FIT seconds (since 1989-12-31 00:00 UTC); the
   caller converts.  When a field appears twice, or a component and a field
   give the same name, the one later in the definition wins (a component
   counts just before its own field).
3. **The other messages** runlog uses (``file_id``, ``session``, ``lap``,
   ``workout``, ``activity``, ``sport``) are decoded one by one into dicts of
   their declared fields: enums as the profile's names (the number when the
   profile has none), ``date_time`` as a naive UTC datetime from 0x10000000
   on (a smaller number is device-relative and stays a number),
   ``local_date_time`` as a naive datetime, strings up to their first NUL
   byte (UTF-8, bad bytes replaced), arrays as tuples, invalid values None.

What the profile does not declare is skipped by its size: other messages,
other fields, and every developer field (another app's data: it never
replaces a declared field, and needs no description).  A field whose size
is no multiple of its base type's (COROS PACE 2 firmware) is unknown bytes,
as the FIT SDK reads it.  A declared field of a shape its type cannot have
(a timestamp of more than 32 bits, a component over an array, a field of
size 0) has no value; the reading goes on.

Damage is reported, never raised (:attr:`FastSegment.damage`), with every
message before it kept:

* the data ends inside a message, between messages or in the CRC
  (``"eof"``; the watch died, the copy did not finish);
* the file CRC does not match (``"crc"``; every message is kept, as the CRC
  is only checked at the end);
* a data message of a local type no definition declared (``"undefined"``);
* a message running past the data size the header declares (``"overrun"``);
* a header whose size, CRC or length is wrong (``"header"``; nothing of the
  segment is read).

The texts say what fitparse 1.2.0, the test oracle, says for the same damage
(``tests/io/test_fit_oracle.py`` compares the two on every file of the corpus
and on mutated files).

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
from array import array
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ._fitprofile import BASE_TYPES, DATE_TIME_MIN, FIT_EPOCH_S, MESSAGES, TIMESTAMP, TYPES, BaseType

__all__ = ["RECORD_FIELDS", "FIT_EPOCH_S", "KEPT_MESSAGES", "FastSegment", "FitDamage", "decode_segment", "crc16"]

#: ``record`` fields runlog reads (keys of :attr:`FastSegment.records`).
RECORD_FIELDS = (
    "timestamp", "distance", "speed", "enhanced_speed", "altitude", "enhanced_altitude",
    "heart_rate", "cadence", "fractional_cadence", "temperature", "position_lat",
    "position_long", "power",
    "stance_time", "stance_time_balance", "vertical_oscillation", "vertical_ratio", "step_length",
)

#: Global message numbers decoded field by field: file_id 0, sport 12, session 18, lap 19, workout 26,
#: activity 34 (FIT SDK, Profile.xlsx ``mesg_num``).
KEPT_MESSAGES = frozenset(num for num in MESSAGES if num != 20)

_RECORD = 20                  # global message number of ``record``
_TIMESTAMP = TIMESTAMP        # field number of ``timestamp`` in every message
_CSD = 8                      # record.compressed_speed_distance
_WANTED = frozenset(RECORD_FIELDS)
_DATE_TYPES = frozenset({"date_time", "local_date_time"})
_BYTE = 0x0D
_BASE_BYTE = BASE_TYPES[_BYTE]

# base type number -> numpy type code and invalid raw value, for the numeric base types
_NP_CODE = {num: bt.code for num, bt in BASE_TYPES.items() if bt.code != "S1"}
_INVALID = {num: bt.invalid for num, bt in BASE_TYPES.items() if bt.code != "S1" and bt.invalid is not None}
_INTS = frozenset(_INVALID)                                     # integers, 64-bit ones included
_INT32 = frozenset(num for num in _INTS if BASE_TYPES[num].size <= 4)
_FLOATS = frozenset(num for num, bt in BASE_TYPES.items() if bt.code.startswith("f"))

# what a data message of a definition is, for the walk
_K_RECORD, _K_KEPT, _K_SKIP, _K_UNDEFINED, _K_STAMPED = 0, 1, 2, 3, 4


class FitDamage(Exception):
    """Damage found in a FIT file (chained as the cause of runlog's :class:`~runlog.errors.FileFormatError`)."""


class FastSegment(NamedTuple):
    """What :func:`decode_segment` read from one FIT file.

    records : dict of str -> ndarray
        One float64 array per :data:`RECORD_FIELDS` name, one element per
        ``record`` message in file order; NaN where the field is absent,
        invalid or no number.  ``timestamp`` in raw FIT seconds (see
        :data:`FIT_EPOCH_S`), positions in semicircles, the others scaled as
        the profile says (distance m, speed m/s, altitude m, ...).
    record_pos : ndarray of int64
        Byte position of each record message in the segment (orders records
        against the other messages).
    messages : list of (int, str, dict)
        (byte position, message name, declared field name -> value) of the
        messages of :data:`KEPT_MESSAGES`, in file order.
    damage : (str, str) or None
        ``(kind, text)`` of the damage that ended the reading (see the module
        docstring: 'eof', 'crc', 'undefined', 'overrun', 'header'); the
        messages before it are the ones above.  None for a whole file.
    """

    records: dict
    record_pos: np.ndarray
    messages: list
    damage: tuple[str, str] | None = None


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


@lru_cache(maxsize=8)
def _shift_table(n_words: int) -> np.ndarray:
    """State -> CRC state after *n_words* zero words (all 65,536 states), by repeated squaring."""
    result = np.arange(65536, dtype=np.uint16)
    step = _CRC16.copy()           # one zero word: s -> _CRC16[s ^ 0]
    while n_words:
        if n_words & 1:
            result = step[result]
        step = step[step]
        n_words >>= 1
    return result


def _crc16_piece(data) -> int:
    """CRC from state 0 of one piece (bytes-like), blocks side by side; see :func:`crc16`."""
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


#: Bytes checked at a time (even): the CRC's scratch memory is a few times this, whatever the file size.
_CRC_PIECE = 1 << 20


def crc16(data: bytes) -> int:
    """FIT CRC-16 of *data* (FIT SDK, "CRC": polynomial 0xA001 reflected, initial value 0).

    Blocks of *L* bytes are run through the CRC side by side (two bytes per
    numpy step) and their states combined: the CRC starting from 0 is linear,
    ``crc(A + B) = shift_len(B)(crc(A)) ^ crc(B)``, and zero bytes in front
    do not change it, so the data is zero-padded in front to whole blocks.
    Large data goes in pieces of :data:`_CRC_PIECE` bytes, combined the same
    way (the shift by a piece: a 65,536-state table built by squaring), so
    that the scratch memory stays a few MiB.

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
    if n <= _CRC_PIECE:
        return _crc16_piece(data)
    view = memoryview(data)
    first = n % _CRC_PIECE or _CRC_PIECE
    # an odd first piece gets a zero byte in front (no change to the CRC): every piece is whole words
    crc = _crc16_piece(b"\0" + bytes(view[:first]) if first % 2 else view[:first])
    shift = _shift_table(_CRC_PIECE // 2)
    for start in range(first, n, _CRC_PIECE):
        crc = int(shift[crc]) ^ _crc16_piece(view[start:start + _CRC_PIECE])
    return crc


# --------------------------------------------------------------------------
# Definitions
# --------------------------------------------------------------------------
class _Layout:
    """The layout of a definition message (shared by identical definitions, cached by their bytes)."""

    __slots__ = ("mesg_num", "big", "fields", "dev", "size", "stamp", "kind", "csd", "plan", "kplan")

    def __init__(self, mesg_num: int, big: bool, fields: list[tuple[int, int, int, int]],
                 dev: list[tuple[int, int, int]]):
        self.mesg_num, self.big = mesg_num, big
        self.fields = fields      # (field number, size, base type number, offset in the message)
        self.dev = dev            # (field number, size, developer data index): skipped by size
        self.size = sum(f[1] for f in fields) + sum(f[1] for f in dev)
        # the timestamp fields that set the compressed-timestamp accumulator: one integer of <= 32 bits
        self.stamp = [(off, btn) for num, size, btn, off in fields
                      if num == _TIMESTAMP and btn in _INT32 and size == BASE_TYPES[btn].size]
        self.csd = False          # record layout with compressed_speed_distance (resets its accumulator)
        self.plan: dict[str, tuple] | None = None   # record plan, see _record_plan
        self.kplan: list | None = None              # kept-message plan, see _kept_plan
        if mesg_num == _RECORD:
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


def _base(btn: int) -> BaseType:
    """The base type of number *btn*; an unknown number is read as bytes (FIT protocol)."""
    return BASE_TYPES.get(btn, _BASE_BYTE)


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
    rec_pos: array        # header position of every record message (int64; 8 bytes each, not a list)
    rec_def: array        # its definition id (int32)
    others: list          # (header position, definition id) of kept and timestamped other messages
    compressed: list      # (header position, time offset) of compressed-timestamp messages
    pos: int              # where the walk stopped
    last: int             # header position of the last message walked
    cut_definition: int   # header position of a definition cut off by the end of the data, else -1
    undefined: int        # local message number of a data message without definition (the walk stops
                          # at its header, ``pos``), else -1


def _int64s(values: array) -> np.ndarray:
    """An ``array('q')`` as an int64 ndarray over the same memory (no copy)."""
    return np.frombuffer(values, dtype=np.int64) if len(values) else np.zeros(0, dtype=np.int64)


def _walk(data: bytes, pos: int, end: int, stamped: bool = False) -> _Walk:
    """Every message header from *pos* to *end*; data messages are only located, not decoded.

    Other messages with a ``timestamp`` are listed only when *stamped* (for compressed timestamps).
    """
    lids: dict[int, int] = {}
    kinds = [_K_UNDEFINED] * 16   # by local message number
    steps = [1] * 16              # header byte + data size
    ids = [0] * 16
    defs: list[_Def] = []
    rec_pos = array("q")
    rec_def = array("i")
    others: list[tuple[int, int]] = []
    compressed: list[tuple[int, int]] = []
    add_pos, add_def = rec_pos.append, rec_def.append
    start, cut_definition, undefined, n = pos, -1, -1, len(data)
    while pos < end:
        start = pos
        h = data[pos]
        if not h & 0xC0:            # normal header, data message
            loc = h & 0x0F
            k = kinds[loc]
            if k == _K_RECORD:
                add_pos(pos)
                add_def(ids[loc])
            elif k == _K_UNDEFINED:
                undefined = loc
                break
            elif k != _K_SKIP:
                others.append((pos, ids[loc]))
            pos += steps[loc]
        elif h & 0x80:              # compressed timestamp header, data message
            loc = (h >> 5) & 0x03
            k = kinds[loc]
            if k == _K_UNDEFINED:
                undefined = loc
                break
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
    return _Walk(defs, rec_pos, rec_def, others, compressed, pos, start, cut_definition, undefined)


# --------------------------------------------------------------------------
# Record columns
# --------------------------------------------------------------------------
def _record_plan(lay: _Layout) -> dict[str, tuple]:
    """Where each wanted name's value comes from in a record of this layout.

    Per field in definition order, its components come first and then the
    field; the last source of a name wins, so one source per name is kept.
    Sources: ``('f', offset, base, scale, offset_value)`` a field,
    ``('c', offset, base, bit_offset, bits, scale, offset_value)`` a
    component of an integer field, ``('cb', offset, size, bit_offset, bits,
    scale, offset_value)`` a component of a byte field (bits of the bytes'
    little-endian number), ``('csd_dist', offset, size)`` the accumulated
    distance of ``compressed_speed_distance``, ``('nan',)`` no number (an
    array, a string, a field of size 0, a component of a field that is not
    one integer or bytes).
    """
    record = MESSAGES[_RECORD].fields
    plan: dict[str, tuple] = {}
    for num, size, btn, off in lay.fields:
        bt = _base(btn)
        if size % bt.size:
            continue  # misaligned: unknown bytes (FIT SDK)
        field = record.get(num)
        if field is None:
            continue
        one = size == bt.size
        for comp in field.components:
            target = record[comp.target].name
            if target not in _WANTED:
                continue
            if bt.name == "byte":  # bytes: the bits of their little-endian number (FIT SDK, components)
                if comp.bit_offset and comp.bit_offset >= 8 * size:
                    continue  # beyond the bytes: no value, an earlier one of the name stands
                if num == _CSD and comp.accumulate:
                    plan[target] = ("csd_dist", off, size)
                elif comp.accumulate:
                    plan[target] = ("nan",)
                else:
                    plan[target] = ("cb", off, size, comp.bit_offset, comp.bits, comp.scale, comp.offset)
            elif one and btn in _INTS and not comp.accumulate:
                plan[target] = ("c", off, btn, comp.bit_offset, comp.bits, comp.scale, comp.offset)
            else:
                plan[target] = ("nan",)
        name = field.name
        if name not in _WANTED:
            continue
        if one and (btn in _INTS or btn in _FLOATS):
            plan[name] = ("f", off, btn, field.scale, field.offset)
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
    # (offset, base type or -size for bytes)
    offs = sorted({(src[1], src[2] if src[0] in ("f", "c") else -src[2]) for src in sources if src[0] != "nan"})
    order = ">" if lay.big else "<"
    return np.dtype({"names": [f"f{off}_{btn}" for off, btn in offs],
                     "formats": [f"{-btn}u1" if btn < 0 else order + _NP_CODE[btn] for _, btn in offs],
                     "offsets": [off for off, _ in offs], "itemsize": lay.size})


def _byte_bits(b: np.ndarray, bit_offset: int, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(component value, valid) of byte rows *b* (n x size): bits of their little-endian number; a row of
    0xFF bytes only is invalid."""
    valid = ~(b == 0xFF).all(axis=1)
    k = min(b.shape[1], (bit_offset + bits + 7) // 8)
    packed = np.zeros(len(b), dtype=np.uint64)
    for i in range(k):
        packed |= b[:, i].astype(np.uint64) << np.uint64(8 * i)
    return (packed >> np.uint64(bit_offset)) & np.uint64((1 << bits) - 1), valid


def _values(col: np.ndarray, btn: int) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values, valid mask) of one raw column of base type *btn*."""
    if btn in _FLOATS:
        vals = col.astype(np.float64)
        return vals, ~np.isnan(vals)
    return col.astype(np.float64), col != _INVALID[btn]


def _scaled(vals: np.ndarray, valid: np.ndarray, scale, offset) -> np.ndarray:
    """``float(raw) / scale - offset`` (FIT SDK, "Scale/Offset") on the valid values; NaN elsewhere."""
    if scale:
        vals = vals / scale
    if offset:
        vals = vals - offset
    return np.where(valid, vals, np.nan)


def _unwrap(key: np.ndarray, is_set: np.ndarray, value: np.ndarray, bits: int) -> np.ndarray:
    """Compressed accumulation (FIT SDK, accumulated components and compressed timestamps), vectorised.

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


def _rows_by_layout(lids: np.ndarray) -> dict[int, np.ndarray]:
    """Layout id -> the (ascending) indices of the records of that layout, by layout id.

    One stable sort of all records, cut where the layout changes: linear in
    records (and log n), whatever the number of layouts.  Comparing every
    record with each layout in turn was n x layouts, quadratic for a file
    that defines a new layout before every record.
    """
    order = np.argsort(lids, kind="stable")
    ordered = lids[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return dict(zip(ordered[starts].tolist(), np.split(order, starts[1:]), strict=True))


def _record_columns(data: bytes, walk: _Walk, stamps: dict[int, int]) -> dict[str, np.ndarray]:
    """The :data:`RECORD_FIELDS` columns of every record message (see :class:`FastSegment`).

    Records are decoded per layout: definitions repeated with the same bytes
    (some devices redefine ``record`` every few messages) share one pass.
    """
    n = len(walk.rec_pos)
    if not n:
        return {k: np.full(0, np.nan) for k in RECORD_FIELDS}
    buf = np.frombuffer(data, dtype=np.uint8)
    pos = _int64s(walk.rec_pos)
    lids = np.asarray([d.lid for d in walk.defs], dtype=np.int64)[np.frombuffer(walk.rec_def, dtype=np.int32)]
    layouts = {d.lid: d.lay for d in walk.defs}
    rows_of = _rows_by_layout(lids)
    used = list(rows_of)
    for lid in used:
        if layouts[lid].plan is None:
            layouts[lid].plan = _record_plan(layouts[lid])
    # memory: a column no layout holds is one read-only NaN broadcast over the rows, not n floats
    held = {name for lid in used for name in layouts[lid].plan} | ({"timestamp"} if stamps else set())
    nothing = np.broadcast_to(np.float64(np.nan), (n,))
    cols = {k: np.full(n, np.nan) if k in held else nothing for k in RECORD_FIELDS}
    dist_raw = []  # (row indices, raw 12-bit distances, valid) of compressed_speed_distance
    for lid in used:
        lay = layouts[lid]
        plan = lay.plan
        if not plan:
            continue
        sel = rows_of[lid] if len(used) > 1 else slice(None)
        rows = _rows(data, buf, pos[sel], lay.size, _dtype(lay, plan.values()))
        for name, src in plan.items():
            kind = src[0]
            if kind == "f":
                _, off, btn, scale, offset = src
                vals, valid = _values(rows[f"f{off}_{btn}"], btn)
                if name == "timestamp":  # a float below the date range, or past 32 bits: no date
                    valid &= (vals >= DATE_TIME_MIN) if btn in _FLOATS else (vals < 2.0**32)
                cols[name][sel] = _scaled(vals, valid, scale, offset)
            elif kind == "c":
                _, off, btn, bit_off, bits, scale, offset = src
                raw = rows[f"f{off}_{btn}"]
                valid = raw != _INVALID[btn]
                comp = (raw.astype(np.int64) >> bit_off) & ((1 << bits) - 1)
                cols[name][sel] = _scaled(comp.astype(np.float64), valid, scale, offset)
            elif kind == "cb":
                _, off, size, bit_off, bits, scale, offset = src
                comp, valid = _byte_bits(rows[f"f{off}_{-size}"], bit_off, bits)
                cols[name][sel] = _scaled(comp.astype(np.float64), valid, scale, offset)
            elif kind == "csd_dist":
                comp, valid = _byte_bits(rows[f"f{src[1]}_{-src[2]}"], 12, 12)
                dist_raw.append((np.arange(n)[sel], comp.astype(np.int64), valid))
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

    The accumulator is set to 0 at every record definition holding the field
    and each valid raw value adds its difference modulo 2**12 (FIT SDK,
    "Accumulated Fields"); scale 16 (FIT SDK, Profile.xlsx).
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
    """Raw ``timestamp`` (field 253) of the message at *hpos*: the last valid one, None when none is."""
    out = None
    for off, btn in lay.stamp:
        value = struct.unpack_from((">" if lay.big else "<") + _STRUCT[btn], data, hpos + 1 + off)[0]
        if value != _INVALID[btn]:
            out = int(value)
    return out


def _compressed_times(data: bytes, walk: _Walk) -> dict[int, int]:
    """Full timestamp [raw FIT s] of every compressed-timestamp message, by header position.

    The last ``timestamp`` (field 253, one integer of at most 32 bits) of any
    message sets the accumulator, and a header's 5-bit time offset is
    resolved against it (FIT SDK, "Compressed Timestamp Header"); it starts
    at 0 in each file.  *walk* must list the other timestamped messages
    (``_walk(..., stamped=True)``).  The record rows are gathered per layout,
    not per definition: a file may repeat one definition before every record.
    """
    keys, vals = [], []
    buf = np.frombuffer(data, dtype=np.uint8)
    rec_pos = _int64s(walk.rec_pos)
    rec_lid = np.asarray([d.lid for d in walk.defs], dtype=np.int64)[np.frombuffer(walk.rec_def, dtype=np.int32)]
    layouts = {d.lid: d.lay for d in walk.defs}
    for lid in np.unique(rec_lid).tolist():
        lay = layouts[lid]
        if not lay.stamp:
            continue
        p = rec_pos[rec_lid == lid]
        order = ">" if lay.big else "<"
        dtype = np.dtype({"names": [f"t{k}" for k in range(len(lay.stamp))],
                          "formats": [order + _NP_CODE[btn] for _, btn in lay.stamp],
                          "offsets": [off for off, _ in lay.stamp], "itemsize": lay.size})
        rows = _rows(data, buf, p, lay.size, dtype)
        raw = np.zeros(len(p), dtype=np.int64)
        ok = np.zeros(len(p), dtype=bool)
        for k, (_, btn) in enumerate(lay.stamp):  # the last valid one wins
            col = rows[f"t{k}"]
            valid = col != _INVALID[btn]
            raw = np.where(valid, col.astype(np.int64), raw)
            ok |= valid
        keys.append(p[ok] * 2)
        vals.append(raw[ok])
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


# --------------------------------------------------------------------------
# The other messages, field by field
# --------------------------------------------------------------------------
#: struct format character per base type (strings and bytes are read as bytes)
_STRUCT = {0x00: "B", 0x01: "b", 0x02: "B", 0x83: "h", 0x84: "H", 0x85: "i", 0x86: "I", 0x88: "f", 0x89: "d",
           0x0A: "B", 0x8B: "H", 0x8C: "I", 0x8E: "q", 0x8F: "Q", 0x90: "Q"}


def _epoch_datetime(seconds) -> _dt.datetime | None:
    """A naive UTC datetime *seconds* after the FIT epoch; None when out of datetime's range."""
    try:
        return _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=FIT_EPOCH_S + seconds)
    except (OverflowError, ValueError):
        return None


def _date_time_value(raw):
    """A ``date_time`` value: a naive UTC datetime from 0x10000000 on, else the number (device-relative)."""
    if raw >= DATE_TIME_MIN:
        when = _epoch_datetime(raw)
        return raw if when is None else when
    return raw


def _string(raw: bytes) -> str | None:
    """A FIT string: up to the first NUL byte, UTF-8 (bad bytes replaced); None when empty."""
    return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace") or None


def _kept_plan(lay: _Layout) -> list:
    """(field, offset, size, base type number) of the declared fields of a kept message's layout, in order."""
    declared = MESSAGES[lay.mesg_num].fields
    out = []
    for num, size, btn, off in lay.fields:
        field = declared.get(num)
        if field is None or size % _base(btn).size or size == 0:
            continue  # undeclared, misaligned (unknown bytes) or empty: skipped by its size
        out.append((field, off, size, btn))
    return out


def _convert(field, value):
    """One valid raw value of *field* as runlog reads it: type name, date, or scaled number."""
    t = field.type
    if t == "date_time":
        return _date_time_value(value)
    if t == "local_date_time":
        when = _epoch_datetime(value)
        return value if when is None else when
    names = TYPES.get(t)
    if names is not None:
        return names.get(value, value)
    if field.scale:
        value = float(value) / field.scale
    if field.offset:
        value = value - field.offset
    return value


def _scaled_items(field, items: tuple) -> tuple:
    """The items of an array field, each scaled and offset as the field is (missing items stay None)."""
    if not field.scale and not field.offset:
        return items
    return tuple(None if v is None else (float(v) / field.scale if field.scale else v) - (field.offset or 0)
                 for v in items)


def _message_values(data: bytes, hpos: int, lay: _Layout) -> dict:
    """Declared field name -> value of the kept message whose header is at *hpos* (later fields win)."""
    if lay.kplan is None:
        lay.kplan = _kept_plan(lay)
    order = ">" if lay.big else "<"
    body = hpos + 1
    raws: dict[int, object] = {}
    values: dict = {}
    raw: object
    value: object
    for field, off, size, btn in lay.kplan:
        bt = _base(btn)
        if bt.code == "S1":
            chunk = data[body + off:body + off + size]
            if bt.name == "byte":  # the byte type, or an unknown base type read as bytes
                raw = None if all(b == 0xFF for b in chunk) else tuple(chunk)
                value = None if raw is None else _scaled_items(field, raw)
            else:
                raw = value = _string(chunk)
        else:
            count = size // bt.size
            unpacked = struct.unpack_from(order + str(count) + _STRUCT[btn], data, body + off)
            invalid = bt.invalid
            items = [None if (v != v if invalid is None else v == invalid) else v for v in unpacked]
            if count == 1:
                raw = items[0]
                value = None if raw is None else _convert(field, raw)
            else:  # an array where the profile has one value: a tuple (no number, no name), scaled item by item
                raw = tuple(items)
                value = _scaled_items(field, raw)
        raws[field.num] = raw
        values[field.name] = value
    for field, _, _, _ in lay.kplan:  # sub-fields: the field read under another name and type
        sub = field.subfield
        if sub is not None and raws.get(sub.ref_field) in sub.ref_values:
            raw = raws[field.num]  # the last listing of a field defined twice, as for any field
            values.pop(field.name, None)  # gone already when the definition lists the field twice
            values[sub.name] = TYPES[sub.type].get(raw, raw) if isinstance(raw, int) else raw
    return values


# --------------------------------------------------------------------------
# Damage
# --------------------------------------------------------------------------
def _eof(wanted: int, got: int) -> str:
    """The words for data that ends inside a read of *wanted* bytes (fitparse's ``FitEOFError`` text)."""
    return f"Tried to read {wanted} bytes from .FIT file but got {got}"


def _crc_words(computed: int, read: int) -> str:
    """The words for a CRC mismatch (fitparse's ``FitCRCError`` text)."""
    return f"CRC Mismatch [computed: 0x{computed:04X}, read: 0x{read:04X}]"


def _cut_message(data: bytes, walk: _Walk) -> str:
    """The EOF words for the data message cut off at ``walk.last``; drops it from the walk.

    The message is read field after field (a misaligned field as its bytes,
    developer fields after the others); the words name the first read that
    the data cannot fill.
    """
    start = walk.last
    h = data[start]
    lay = walk.defs[walk.rec_def[-1] if walk.rec_pos and walk.rec_pos[-1] == start else
                    walk.others[-1][1] if walk.others and walk.others[-1][0] == start else
                    _local_def(data, walk, start)].lay
    _drop_last(walk, start, h)
    have, read = len(data) - start - 1, 0
    for size in [f[1] for f in lay.fields] + [f[1] for f in lay.dev]:
        if read + size > have:
            return _eof(size, have - read)
        read += size
    return _eof(1, 0)  # pragma: no cover - the walk stopped past the data


def _drop_last(walk: _Walk, start: int, h: int) -> None:
    """Forget the data message whose header is at *start* (cut off, or running past the data)."""
    if walk.rec_pos and walk.rec_pos[-1] == start:
        walk.rec_pos.pop()
        walk.rec_def.pop()
    if walk.others and walk.others[-1][0] == start:
        walk.others.pop()
    if h & 0x80 and walk.compressed and walk.compressed[-1][0] == start:
        walk.compressed.pop()


def _local_def(data: bytes, walk: _Walk, start: int) -> int:
    """Id of the definition in force for the (skipped) data message at *start*."""
    h = data[start]
    loc = (h >> 5) & 0x03 if h & 0x80 else h & 0x0F
    current = -1
    for d in walk.defs:
        if d.pos < start and d.raw[0] & 0x0F == loc:
            current = d.id
    return current


def _cut_definition_message(data: bytes, pos: int) -> str:
    """The EOF words for the definition message cut off at *pos*.

    A definition is read as 2 bytes (reserved, architecture), 3 (message
    number, field count), 3 per field and, with developer data, 1 (their
    count) and 3 per developer field.
    """
    n = len(data)
    have = n - pos - 1
    reads = [2, 3]
    if have >= 5:
        reads += [3] * data[pos + 5]
        if data[pos] & 0x20:
            reads.append(1)
            if sum(reads) <= have:
                reads += [3] * data[pos + sum(reads)]
    read = 0
    for size in reads:
        if read + size > have:
            return _eof(size, have - read)
        read += size
    return _eof(1, 0)  # pragma: no cover - _definition_end said cut


def _header_damage(data: bytes) -> str | None:
    """The words for a damaged 12/14-byte file header, None for a sound one."""
    n, header_size = len(data), data[0]
    if 12 < header_size < 14:
        return "Irregular File Header Size"
    if header_size >= 14:
        if n < 14:
            return _eof(2, n - 12)
        (header_crc,) = struct.unpack_from("<H", data, 12)
        computed = crc16(data[:12])
        if header_crc and header_crc != computed:
            return _crc_words(computed, header_crc)
        if n < header_size:
            return _eof(header_size - 14, n - 14)
    return None


# --------------------------------------------------------------------------
# One segment
# --------------------------------------------------------------------------
def decode_segment(data: bytes) -> FastSegment:
    """Decode one FIT file: records vectorised, the other messages runlog uses field by field.

    Parameters
    ----------
    data : bytes
        One FIT file: header, data records and CRC (one segment of a chained
        stream, see :func:`runlog.io.fit.split_segments`); at least the
        12 header bytes with the ``.FIT`` signature.

    Returns
    -------
    FastSegment
        With ``damage`` set when the file is damaged (the messages before
        the damage are read).
    """
    header = _header_damage(data)
    if header is not None:
        return FastSegment({k: np.full(0, np.nan) for k in RECORD_FIELDS}, np.zeros(0, np.int64), [],
                           ("header", header))
    n = len(data)
    header_size = data[0]
    (data_size,) = struct.unpack_from("<I", data, 4)
    end = header_size + data_size
    limit = min(end, n)
    walk = _walk(data, header_size, limit)
    if walk.compressed:  # again, listing the timestamped messages the resolution needs
        walk = _walk(data, header_size, limit, stamped=True)
    damage = None
    if walk.undefined >= 0:          # a data message of an undefined local type
        damage = ("undefined", f"Got data message with invalid local message type {walk.undefined}")
    elif walk.cut_definition >= 0:   # cut off inside a definition
        damage = ("eof", _cut_definition_message(data, walk.cut_definition))
    elif walk.pos > n:               # cut off inside a data message
        damage = ("eof", _cut_message(data, walk))
    elif walk.pos > end:             # a message runs past the data size in the header
        _drop_last(walk, walk.last, data[walk.last])
        damage = ("overrun", "a message runs past the end of the data its header declares")
    elif walk.pos < end:             # cut off between messages
        damage = ("eof", _eof(1, 0))
    elif n < end + 2:                # cut off in the CRC
        damage = ("eof", _eof(2, n - end))
    else:                            # whole: the CRC is checked after every message was read
        (file_crc,) = struct.unpack_from("<H", data, end)
        computed = crc16(data[:end])
        if file_crc != computed:
            damage = ("crc", _crc_words(computed, file_crc))
    stamps = _compressed_times(data, walk) if walk.compressed else {}
    cols = _record_columns(data, walk, stamps)
    messages = []
    for hpos, did in walk.others:
        lay = walk.defs[did].lay
        if lay.kind != _K_KEPT:
            continue
        values = _message_values(data, hpos, lay)
        if hpos in stamps:  # the compressed header's time comes last and wins
            values["timestamp"] = _date_time_value(stamps[hpos])
        messages.append((hpos, MESSAGES[lay.mesg_num].name, values))
    return FastSegment(cols, _int64s(walk.rec_pos), messages, damage)
