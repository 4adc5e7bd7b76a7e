"""Hand-made FIT files for the tests: a definition message, a data message's bytes, a whole file.

Layouts follow the FIT protocol (FIT SDK, "Flexible and Interoperable Data Transfer (FIT) Protocol"):
a 14-byte header with its CRC, definition messages (reserved byte, architecture, global message
number, field count, then number/size/base type per field, developer fields after a count), data
messages behind a one-byte header, and the file's CRC-16 at the end.  The CRC is computed here
(polynomial 0xA001 reflected, initial 0), independently of runlog's decoder.
"""

from __future__ import annotations

import struct

__all__ = ["crc16", "definition", "fit_file", "T0", "FILE_ID"]


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
