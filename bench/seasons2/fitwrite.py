"""A small FIT activity writer (FIT protocol 1.0, little endian), enough for a run.

Writes what a Garmin watch writes for a run: ``file_id``, ``event`` (timer start / stop),
``record`` (timestamp, position, altitude, heart rate, cadence in strides/min, distance,
speed, temperature), one ``lap``, one ``session`` and ``activity`` with the
``local_timestamp`` that tells a reader the time zone.  Written from the FIT SDK's
protocol description (header, definition and data messages, CRC-16), not from any
reader's code; ``fitparse`` reads the result (checked by ``python fitwrite.py``).
"""

from __future__ import annotations

import struct

import numpy as np

FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds

_CRC_TABLE = (0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
              0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400)

# base types: (code, struct format, invalid value)
ENUM = (0x00, "B", 0xFF)
SINT8 = (0x01, "b", 0x7F)
UINT8 = (0x02, "B", 0xFF)
UINT16 = (0x84, "H", 0xFFFF)
SINT32 = (0x85, "i", 0x7FFFFFFF)
UINT32 = (0x86, "I", 0xFFFFFFFF)
UINT32Z = (0x8C, "I", 0x00000000)


def crc16(data: bytes, crc: int = 0) -> int:
    """FIT CRC-16 (the SDK's nibble-table algorithm)."""
    for byte in data:
        tmp = _CRC_TABLE[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ _CRC_TABLE[byte & 0xF]
        tmp = _CRC_TABLE[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ _CRC_TABLE[(byte >> 4) & 0xF]
    return crc


class _Writer:
    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.local: dict[tuple, int] = {}

    def message(self, global_num: int, fields: list[tuple[int, tuple, object]]) -> None:
        """One data message; its definition is written first when new (local types 0-15)."""
        key = (global_num, tuple((num, bt[0]) for num, bt, _ in fields))
        if key not in self.local:
            lt = len(self.local) % 16
            # a reused local type is simply redefined
            self.local = {k: v for k, v in self.local.items() if v != lt}
            self.local[key] = lt
            head = struct.pack("<BBBHB", 0x40 | lt, 0, 0, global_num, len(fields))
            defs = b"".join(struct.pack("<BBB", num, struct.calcsize("<" + bt[1]), bt[0]) for num, bt, _ in fields)
            self.parts.append(head + defs)
        lt = self.local[key]
        fmt = "<B" + "".join(bt[1] for _, bt, _ in fields)
        vals = [bt[2] if v is None else int(v) for _, bt, v in fields]
        self.parts.append(struct.pack(fmt, lt, *vals))

    def bytes(self) -> bytes:
        body = b"".join(self.parts)
        header = struct.pack("<BBHI4s", 14, 0x10, 2093, len(body), b".FIT")
        header += struct.pack("<H", crc16(header))
        data = header + body
        return data + struct.pack("<H", crc16(data))


def _fit_time(unix_s: float) -> int:
    return int(round(unix_s)) - FIT_EPOCH_S


def _semicircles(deg: float) -> int:
    return int(round(deg * (2**31 / 180.0)))


def write_run_fit(path, *, unix_s, distance_m, hr_bpm=None, cadence_spm=None, temp_c=None,
                  lat_deg=None, lon_deg=None, altitude_m=None, utc_offset_s=0,
                  manufacturer=1, product=2691, serial=3912345678, sub_sport=0) -> None:
    """Write one run as a FIT activity file.

    Parameters
    ----------
    unix_s : array
        Record times [s since 1970 UTC].
    distance_m : array
        Cumulative distance [m].
    hr_bpm, cadence_spm, temp_c, lat_deg, lon_deg, altitude_m : array or None
        Per record; None leaves the field out of every record (NaN: invalid value).
        Cadence is given in steps/min and written as strides/min (FIT running cadence).
    utc_offset_s : int
        Local time minus UTC [s], written as ``activity.local_timestamp``.
    sub_sport : int
        0 generic, 1 treadmill.
    """
    t = np.asarray(unix_s, float)
    n = len(t)
    w = _Writer()
    t0, t1 = _fit_time(t[0]), _fit_time(t[-1])
    w.message(0, [(0, ENUM, 4), (1, UINT16, manufacturer), (2, UINT16, product),
                  (3, UINT32Z, serial), (4, UINT32, t0)])
    w.message(21, [(253, UINT32, t0), (0, ENUM, 0), (1, ENUM, 0)])  # timer start

    def col(a):
        return None if a is None else np.asarray(a, float)

    hr, cad, tmp = col(hr_bpm), col(cadence_spm), col(temp_c)
    lat, lon, alt = col(lat_deg), col(lon_deg), col(altitude_m)
    dist = np.asarray(distance_m, float)
    speed = np.gradient(dist, t) if n > 1 else np.zeros(n)

    def ok(a, i):
        return a is not None and np.isfinite(a[i])

    for i in range(n):
        f: list[tuple[int, tuple, object]] = [(253, UINT32, _fit_time(t[i]))]
        if lat is not None:
            f.append((0, SINT32, _semicircles(lat[i]) if ok(lat, i) else None))
            f.append((1, SINT32, _semicircles(lon[i]) if ok(lon, i) else None))
        if alt is not None:
            f.append((2, UINT16, round((alt[i] + 500) * 5) if ok(alt, i) else None))
        if hr is not None:
            f.append((3, UINT8, round(hr[i]) if ok(hr, i) else None))
        if cad is not None:
            f.append((4, UINT8, round(cad[i] / 2) if ok(cad, i) else None))
        f.append((5, UINT32, round(dist[i] * 100)))
        f.append((6, UINT16, round(max(speed[i], 0) * 1000)))
        if tmp is not None:
            f.append((13, SINT8, round(tmp[i]) if ok(tmp, i) else None))
        w.message(20, f)
    elapsed = (t[-1] - t[0]) * 1000
    w.message(21, [(253, UINT32, t1), (0, ENUM, 0), (1, ENUM, 4)])  # timer stop_all
    avg_hr = None if hr is None or not np.isfinite(hr).any() else round(float(np.nanmean(hr)))
    w.message(19, [(253, UINT32, t1), (2, UINT32, t0), (7, UINT32, elapsed), (8, UINT32, elapsed),
                   (9, UINT32, round(dist[-1] * 100)), (0, ENUM, 9), (1, ENUM, 1), (24, ENUM, 7),
                   (25, ENUM, 1)])
    w.message(18, [(253, UINT32, t1), (2, UINT32, t0), (7, UINT32, elapsed), (8, UINT32, elapsed),
                   (9, UINT32, round(dist[-1] * 100)), (5, ENUM, 1), (6, ENUM, sub_sport),
                   (0, ENUM, 8), (1, ENUM, 1), (25, UINT16, 0), (26, UINT16, 1), (16, UINT8, avg_hr)])
    w.message(34, [(253, UINT32, t1), (0, UINT32, elapsed), (1, UINT16, 1), (2, ENUM, 0),
                   (3, ENUM, 26), (4, ENUM, 1), (5, UINT32, t1 + int(utc_offset_s))])
    with open(path, "wb") as fh:
        fh.write(w.bytes())


if __name__ == "__main__":  # self-check: fitparse reads what we write
    import os
    import tempfile

    import fitparse

    ts = 1_700_000_000 + np.arange(0, 600, 3.0)
    d = np.linspace(0, 1800, len(ts))
    p = os.path.join(tempfile.mkdtemp(), "x.fit")
    write_run_fit(p, unix_s=ts, distance_m=d, hr_bpm=np.full(len(ts), 140.0), cadence_spm=np.full(len(ts), 170.0),
                  temp_c=np.full(len(ts), 24.0), lat_deg=45.75 + d / 1e6, lon_deg=4.85 + d / 1e6,
                  altitude_m=np.full(len(ts), 170.0), utc_offset_s=7200)
    ff = fitparse.FitFile(p, check_crc=True)
    recs = list(ff.get_messages("record"))
    print(len(recs), recs[0].get_values())
    print(next(ff.get_messages("activity")).get_values())
