"""Hand-made FIT files for the tests: a definition message, a data message's bytes, a whole file.

Layouts follow the FIT protocol (FIT SDK, "Flexible and Interoperable Data Transfer (FIT) Protocol"):
a 14-byte header with its CRC, definition messages (reserved byte, architecture, global message
number, field count, then number/size/base type per field, developer fields after a count), data
messages behind a one-byte header, and the file's CRC-16 at the end.  The CRC is computed here
(polynomial 0xA001 reflected, initial 0), independently of runlog's decoder.
"""

from __future__ import annotations

import struct

__all__ = ["crc16", "definition", "fit_file", "T0", "FILE_ID", "DEV_ID", "DESC", "describe",
           "described_dev_file", "undescribed_dev_file"]


def crc16(data: bytes) -> int:
    """FIT CRC-16, bit by bit (FIT SDK: the nibble table is the same polynomial)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def definition(local: int, mesg_num: int, fields, big: bool = False, dev=()) -> bytes:
    """A definition message: fields (number, size, base type), developer fields (number, size, index)."""
    out = bytes([0x40 | (0x20 if dev else 0) | local, 0, int(big)]) + struct.pack(">H" if big else "<H", mesg_num)
    out += bytes([len(fields)]) + b"".join(bytes(f) for f in fields)
    if dev:
        out += bytes([len(dev)]) + b"".join(bytes(f) for f in dev)
    return out


def fit_file(body: bytes, header_size: int = 14) -> bytes:
    """A FIT file around *body* (messages): header (with its CRC when 14 bytes) and the file CRC."""
    head = struct.pack("<BBHI4s", header_size, 0x20, 2093, len(body), b".FIT")
    if header_size == 14:
        head += struct.pack("<H", crc16(head))
    return head + body + struct.pack("<H", crc16(head + body))


#: 2021-09-09 01:46:40 UTC in FIT seconds (since 1989-12-31 00:00 UTC); a multiple of 32.
T0 = 1_000_000_000
#: A ``file_id`` of type activity (4) created at T0, local message 0.
FILE_ID = definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86)]) + b"\x00" + struct.pack("<BI", 4, T0)
#: ``developer_data_id`` with developer_data_index 0, local message 2.
DEV_ID = definition(2, 207, [(3, 1, 0x02)]) + b"\x02\x00"
#: ``field_description`` definition (index, field number, base type, 16-byte name), local message 3.
DESC = definition(3, 206, [(0, 1, 0x02), (1, 1, 0x02), (2, 1, 0x02), (3, 16, 0x07)])


def describe(num: int, base: int, name: str) -> bytes:
    """A ``field_description`` data message (after :data:`DESC`): developer field *num* of index 0."""
    return b"\x03" + bytes([0, num, base]) + name.encode().ljust(16, b"\0")


def described_dev_file() -> bytes:
    """Describes developer field 0 as 'heart_rate' (uint8) and records 200 in it; the native heart rate is 130."""
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)], dev=[(0, 1, 0)])
    rows = b"".join(b"\x01" + struct.pack("<IBB", T0 + i, 130, 200) for i in range(5))
    return fit_file(FILE_ID + DEV_ID + DESC + describe(0, 0x02, "heart_rate") + rec + rows)


def undescribed_dev_file() -> bytes:
    """Records developer field 0 (value 200) without describing it; the native heart rate is 120.

    fitparse's process-wide ``DEV_TYPES`` read this file with :func:`described_dev_file`'s meaning
    (heart rate 200) when it was decoded after that file, and refused it when decoded alone.
    """
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)], dev=[(0, 1, 0)])
    rows = b"".join(b"\x01" + struct.pack("<IBB", T0 + 86400 + i, 120, 200) for i in range(5))
    return fit_file(FILE_ID + rec + rows)
