"""The vectorised FIT record decoder (runlog.io._fitfast) against fitparse, the reference.

Every FIT file (bundled and, through ``shared_dir``, the whole corpus) is
decoded twice, ``engine="fast"`` and ``engine="fitparse"``: the parsed
messages (record columns, groups, file_id / session / lap / activity / sport
values, damage) and the frames runlog builds from them (records, laps, info,
warnings, errors) must be identical, field by field.  Hand-made FIT files
cover what the corpus shows little of (big-endian definitions, compressed
timestamps rolling over, developer fields, odd base types), and hypothesis
mutates real files, with and without repairing their CRC so that the
damage reaches the fast path instead of stopping at the checksum.
"""

from __future__ import annotations

import datetime as dt
import struct
import warnings
from pathlib import Path

import fitparse.records
import numpy as np
import pandas as pd
import pytest
from fitparse.records import Crc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlog.errors import FileFormatError
from runlog.io import _fitfast as fitfast
from runlog.io import fit

DATA = Path(__file__).resolve().parents[1] / "data" / "fit"
FIT_EPOCH = dt.datetime(1989, 12, 31)

#: Corpus files the fast path hands to fitparse, and why: all damaged.  (Cut-off and
#: unfinished files, nick.fit, activity-unexpected-eof.fit, empty-activities.fit and the
#: header without data of activity-settings-nodata.fit, are read by the fast path up to
#: the cut, as fitparse reads them.)
CORPUS_FALLBACKS = {
    "fitparse__activity-activity-filecrc.fit",            # 2nd chained file fails its CRC
    "fitparse__activity-filecrc.fit",                     # CRC mismatch
    "fitparse__strava-android-app-201.10-b1218918.fit",   # a message of an undefined local type
}


@pytest.fixture(autouse=True, scope="module")
def _strict():
    """An unforeseen exception in the fast path fails the test instead of falling back silently."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fitfast, "STRICT", True)
        yield


# --------------------------------------------------------------------------
# Comparing the two engines
# --------------------------------------------------------------------------
def _raw_seconds(values) -> np.ndarray:
    """Timestamps as raw FIT seconds (NaN where absent), from either engine's column."""
    if isinstance(values, np.ndarray):
        return values
    out = []
    for v in values:
        if isinstance(v, dt.datetime):
            out.append((v - FIT_EPOCH).total_seconds())
        elif isinstance(v, int) and not isinstance(v, bool):
            out.append(float(v))
        else:
            out.append(np.nan)
    return np.array(out, dtype="float64")


def assert_same_parsed(ref: fit._Parsed, new: fit._Parsed) -> None:
    """The fast path's messages equal fitparse's, field by field."""
    for k in fit._RECORD_FIELDS:
        if k == "timestamp":
            a, b = _raw_seconds(ref.cols[k]), _raw_seconds(new.cols[k])
        else:
            a, b = fit._float_array(ref.cols[k]), fit._float_array(new.cols[k])
        np.testing.assert_array_equal(a, b, err_msg=k)
    np.testing.assert_array_equal(np.asarray(ref.rec_group, dtype=np.int64), np.asarray(new.rec_group, dtype=np.int64))
    assert ref.file_ids == new.file_ids
    assert ref.sessions == new.sessions
    assert ref.laps == new.laps
    assert ref.activity == new.activity
    assert ref.sport == new.sport
    assert ref.workout == new.workout
    assert (ref.damage, ref.damage_group, ref.n_groups) == (new.damage, new.damage_group, new.n_groups)
    assert (type(ref.damage_exc), str(ref.damage_exc)) == (type(new.damage_exc), str(new.damage_exc))


def _parse(data: bytes, engine: str) -> fit._Parsed:
    fitparse.records.DEV_TYPES.clear()  # fitparse keeps developer fields process-wide: start clean
    return fit._parse(data, engine)


def _outcome(data: bytes, engine: str, parsed: fit._Parsed | None = None):
    """decode's result (or exception) and warnings; from *parsed* when given (saves a second parse)."""
    fitparse.records.DEV_TYPES.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fit.decode(data, "x.fit", engine=engine) if parsed is None else fit._activities(parsed, "x.fit")
        except Exception as exc:  # compared between the engines
            result = exc
    return result, [(w.category, str(w.message)) for w in caught]


def assert_same_frames(data: bytes, ref_parsed=None, new_parsed=None) -> None:
    """decode gives the same activities (records, laps, info), warnings and errors with both engines."""
    (ref, ref_w), (new, new_w) = _outcome(data, "fitparse", ref_parsed), _outcome(data, "fast", new_parsed)
    assert ref_w == new_w
    if isinstance(ref, BaseException) or isinstance(new, BaseException):
        assert (type(ref), str(ref)) == (type(new), str(new))
        return
    assert len(ref) == len(new)
    for a, b in zip(ref, new):
        pd.testing.assert_frame_equal(a.records, b.records, check_exact=True)
        if a.laps is None:
            assert b.laps is None
        else:
            pd.testing.assert_frame_equal(a.laps, b.laps, check_exact=True)
        assert a.info.keys() == b.info.keys()
        for k, v in a.info.items():
            assert v == b.info[k] or (v != v and b.info[k] != b.info[k]), k


def _parsed_or_error(data: bytes, engine: str):
    try:
        return _parse(data, engine)
    except FileFormatError as exc:  # not a FIT file at all
        return exc


def check_file(data: bytes) -> str:
    """Both comparisons; the engine the fast path ended up with."""
    ref, new = _parsed_or_error(data, "fitparse"), _parsed_or_error(data, "fast")
    if isinstance(ref, FileFormatError) or isinstance(new, FileFormatError):
        assert (type(ref), str(ref)) == (type(new), str(new))
        assert_same_frames(data)
        return "fitparse"
    assert ref.engine == "fitparse"
    assert_same_parsed(ref, new)
    assert_same_frames(data, ref, new)
    return new.engine


# --------------------------------------------------------------------------
# Pieces
# --------------------------------------------------------------------------
def test_crc16_is_fitparse_crc():
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 3, 15, 16, 17, 255, 1000, 4097, 65537, 300_001):
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert fitfast.crc16(data) == Crc.calculate(data), n
    # a whole FIT file, CRC included, checks to 0 (FIT SDK)
    whole = (DATA / "fitparse__activity-small-fenix2-run.fit").read_bytes()
    assert fitfast.crc16(whole) == 0 and fitfast.crc16(whole[:-2]) == struct.unpack("<H", whole[-2:])[0]


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 2**31)), max_size=60), st.sampled_from([5, 12]))
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
def test_unwrap_is_fitparse_accumulation(events, bits):
    """_unwrap against fitparse's own loop (FitFile._apply_compressed_accumulation), events in a shuffled order."""
    acc, expected = 0, []
    for is_set, v in events:
        acc = v if is_set else fitparse.FitFile._apply_compressed_accumulation(v % (1 << bits), acc, bits)
        expected.append(acc)
    n = len(events)
    key = np.arange(n)[::-1].copy()  # given in reverse order, sorted by key inside
    is_set = np.array([e[0] for e in events][::-1], dtype=bool)
    value = np.array([v if s else v % (1 << bits) for s, v in events][::-1], dtype=np.int64)
    got = fitfast._unwrap(key, is_set, value, bits)[::-1] if n else np.array([], dtype=np.int64)
    assert got.tolist() == expected


# --------------------------------------------------------------------------
# Real files
# --------------------------------------------------------------------------
BUNDLED = sorted(p.name for p in DATA.iterdir())


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_files_decode_identically(name):
    engine = check_file((DATA / name).read_bytes())
    assert engine == ("fitparse" if name in CORPUS_FALLBACKS else "fast")


@pytest.mark.shared
@pytest.mark.slow
def test_every_corpus_file_decodes_identically(shared_dir):
    engines = {}
    for path in sorted((shared_dir / "fit").iterdir()):
        try:
            engines[path.name] = check_file(path.read_bytes())
        except AssertionError as exc:
            raise AssertionError(f"{path.name}: {exc}") from exc
    assert len(engines) == 54
    assert {n for n, e in engines.items() if e == "fitparse"} == CORPUS_FALLBACKS


def test_compressed_timestamps_and_speed_distance_match_fitparse():
    """Forerunner 70 dump: 755 compressed-timestamp headers and compressed_speed_distance (12-bit
    speed, accumulated 12-bit distance); runlog refuses the file (device-relative times), so the
    parsed columns are compared here."""
    data = (DATA / "fitparse__compressed-speed-distance.fit").read_bytes()
    ref, new = _parse(data, "fitparse"), _parse(data, "fast")
    assert new.engine == "fast"
    assert_same_parsed(ref, new)
    ts = new.cols["timestamp"]
    assert len(ts) == 755 and np.all(np.diff(ts) >= 0) and np.nanmax(new.cols["distance"]) > 10_000


def test_chained_files_keep_their_groups():
    a = (DATA / "fitparse__Activity.fit").read_bytes()
    data = a + a + b"\0" * 8
    assert check_file(data) == "fast"
    p = _parse(data, "fast")
    assert p.rec_group.tolist() == [0] * 14 + [1] * 14 and p.n_groups == 2 and not p.damage
    # trailing junk is damage of the last file, as with fitparse
    assert check_file(a + a + b"junk") == "fast"


def test_damaged_files_fall_back_to_fitparse():
    a = (DATA / "fitparse__Activity.fit").read_bytes()
    bad_crc = a[:-1] + bytes([a[-1] ^ 0x10])
    assert check_file(bad_crc) == "fitparse"
    assert check_file(a + bad_crc) == "fitparse"


def test_cut_off_files_are_read_up_to_the_cut():
    """Every cut of a small file: the same messages, damage words and fitparse EOF message
    (inside a definition, a record, the CRC, between messages; unfinished headers too)."""
    a = (DATA / "fitparse__Activity.fit").read_bytes()
    engines = {check_file(a[:k]) for k in range(13, len(a))}
    assert engines == {"fast"}
    unfinished = a[:4] + b"\0\0\0\0" + a[8:-2]
    assert check_file(unfinished) == "fast"
    p = _parse(unfinished, "fast")
    assert p.damage.startswith("was never finished") and len(p.rec_group) == 14


# --------------------------------------------------------------------------
# Hand-made files
# --------------------------------------------------------------------------
def _crc(data: bytes) -> bytes:
    return struct.pack("<H", Crc.calculate(data))


def fit_file(body: bytes, header_size: int = 14) -> bytes:
    """A FIT file around *body* (data messages): header (with CRC) and file CRC."""
    head = struct.pack("<BBHI4s", header_size, 0x20, 2093, len(body), b".FIT")
    if header_size == 14:
        head += _crc(head)
    return head + body + _crc(head + body)


def definition(local: int, mesg_num: int, fields, big: bool = False, dev=()) -> bytes:
    """A definition message: fields (number, size, base type), developer fields (number, size, index)."""
    out = bytes([0x40 | (0x20 if dev else 0) | local, 0, int(big)]) + struct.pack(">H" if big else "<H", mesg_num)
    out += bytes([len(fields)]) + b"".join(bytes(f) for f in fields)
    if dev:
        out += bytes([len(dev)]) + b"".join(bytes(f) for f in dev)
    return out


T0 = 1_000_000_000  # 2021-09-09 01:46:40 UTC in FIT seconds
FILE_ID = definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86)]) + b"\x00" + struct.pack("<BI", 4, T0)  # type activity


def test_big_endian_invalid_values_and_scales():
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02), (6, 2, 0x84), (2, 2, 0x84), (0, 4, 0x85),
                             (13, 1, 0x01), (5, 4, 0x86)], big=True)
    rows = [struct.pack(">IBHHiBI", T0 + i, hr, spd, alt, lat, temp & 0xFF, dist)
            for i, (hr, spd, alt, lat, temp, dist) in enumerate([
                (150, 3000, 2600, 500_000_000, -5, 1234),
                (0xFF, 0xFFFF, 0xFFFF, 0x7FFFFFFF, 0x7F, 0xFFFFFFFF),   # every value invalid
                (151, 2999, 2601, -500_000_000, 20, 1500)])]
    data = fit_file(FILE_ID + rec + b"".join(b"\x01" + r for r in rows))
    assert check_file(data) == "fast"
    p = _parse(data, "fast")
    assert np.isnan(p.cols["heart_rate"][1]) and p.cols["heart_rate"][2] == 151
    assert p.cols["speed"][0] == 3.0 and p.cols["enhanced_speed"][0] == 3.0   # component of speed
    assert p.cols["altitude"][0] == 2600 / 5 - 500 == p.cols["enhanced_altitude"][0]
    assert p.cols["temperature"].tolist()[0] == -5 and p.cols["distance"][0] == 12.34


def test_compressed_timestamps_roll_over():
    rec = definition(0, 20, [(253, 4, 0x86), (3, 1, 0x02)])
    short = definition(1, 20, [(3, 1, 0x02)])
    body = FILE_ID
    body += rec + b"\x00" + struct.pack("<IB", T0 + 29, 100)     # full time, low 5 bits = 29 (T0 % 32 == 0)
    body += short
    for k, off in enumerate([30, 31, 1, 3, 3, 0]):                 # rolls over twice
        body += bytes([0x80 | (1 << 5) | off, 110 + k])
    body += b"\x00" + struct.pack("<IB", T0 + 200, 120)            # a full time again
    body += bytes([0x80 | (1 << 5) | ((T0 + 205) % 32), 121])
    lap = definition(2, 19, [(7, 4, 0x86)])                         # lap.total_elapsed_time, no timestamp field
    body += lap + bytes([0x80 | (2 << 5) | ((T0 + 207) % 32)]) + struct.pack("<I", 7000)
    data = fit_file(body)
    assert check_file(data) == "fast"
    p = _parse(data, "fast")
    ts = p.cols["timestamp"] - T0
    assert ts.tolist() == [29, 30, 31, 33, 35, 35, 64, 200, 205]
    # the lap's compressed timestamp, resolved against the records' times as fitparse does
    assert p.laps == [(0, {"total_elapsed_time": 7.0, "timestamp": FIT_EPOCH + dt.timedelta(seconds=T0 + 207)})]


def test_developer_fields_are_skipped_by_size():
    dev_id = definition(2, 207, [(3, 1, 0x02)]) + b"\x02\x00"                      # developer_data_index 0
    desc = definition(3, 206, [(0, 1, 0x02), (1, 1, 0x02), (2, 1, 0x02), (3, 8, 0x07)])

    def describe(num, base, name):
        return b"\x03" + bytes([0, num, base]) + name.encode().ljust(8, b"\0")

    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)], dev=[(0, 2, 0), (1, 4, 0)])
    rows = b"".join(b"\x01" + struct.pack("<IBHf", T0 + i, 140 + i, 250 + i, 1.5) for i in range(5))
    data = fit_file(FILE_ID + dev_id + desc + describe(0, 0x84, "Power") + describe(1, 0x88, "Stiff") + rec + rows)
    assert check_file(data) == "fast"
    assert _parse(data, "fast").cols["heart_rate"].tolist() == [140, 141, 142, 143, 144]
    # a developer field named like a record field replaces it in fitparse's values: fitparse decodes
    shadow = data.replace(b"Power\0\0\0", b"power\0\0\0")
    shadow = shadow[:-2] + _crc(shadow[:-2])
    assert check_file(shadow) == "fitparse"
    # a developer field without description
    undescribed = fit_file(FILE_ID + dev_id + rec + rows)
    assert check_file(undescribed) == "fitparse"


@pytest.mark.parametrize("field, why", [
    ((3, 8, 0x8F), "heart rate as uint64"),
    ((3, 4, 0x07), "heart rate as a string"),
    ((3, 0, 0x02), "a field of size 0"),
    ((253, 8, 0x86), "timestamp as an array"),
])
def test_odd_base_types_fall_back(field, why):
    rec = definition(1, 20, [(253, 4, 0x86), field])
    size = 4 + field[1]
    rows = b"".join(b"\x01" + struct.pack("<I", T0 + i) + bytes([0x31 + i]) * (size - 4) for i in range(3))
    data = fit_file(FILE_ID + rec + rows)
    assert check_file(data) == "fitparse", why


def test_arrays_and_misaligned_fields_are_not_numbers():
    # heart_rate as 2 x uint8 (fitparse: a tuple), cadence of 3 bytes as uint16 (misaligned: unknown bytes)
    rec = definition(1, 20, [(253, 4, 0x86), (3, 2, 0x02), (4, 3, 0x84), (7, 2, 0x84)])
    rows = b"".join(b"\x01" + struct.pack("<IBB3sH", T0 + i, 100, 101, b"abc", 200 + i) for i in range(3))
    data = fit_file(FILE_ID + rec + rows)
    assert check_file(data) == "fast"
    p = _parse(data, "fast")
    assert np.isnan(p.cols["heart_rate"]).all() and np.isnan(p.cols["cadence"]).all()
    assert p.cols["power"].tolist() == [200, 201, 202]


# --------------------------------------------------------------------------
# Fuzzing: mutated real files
# --------------------------------------------------------------------------
FUZZ_FILES = ["heartandsole__testdata.fit", "fitparse__Activity.fit", "sweatpy__6471559601_ACTIVITY.fit",
              "fitparse__compressed-speed-distance.fit"]
FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def repair(data: bytes) -> bytes:
    """*data* with its (first) header's data size and the file CRC made to fit, so that damage
    inside the messages gets past the checksum to the decoders."""
    if len(data) < 16 or data[8:12] != b".FIT" or data[0] not in (12, 14):
        return data
    hs = data[0]
    head = bytearray(data[:hs])
    head[4:8] = struct.pack("<I", len(data) - hs - 2)
    if hs == 14:
        head[12:14] = _crc(bytes(head[:12]))
    body = bytes(head) + data[hs:-2]
    return body + _crc(body)


@st.composite
def mutated(draw) -> bytes:
    """1-4 edits of a real file; half of the time with the CRC and data size repaired afterwards
    and mostly in-place edits (which keep the message boundaries), so that the damage reaches the
    decoders' handling of definitions and values."""
    buf = bytearray((DATA / draw(st.sampled_from(FUZZ_FILES))).read_bytes())
    fix = draw(st.booleans())
    ops = (["flip", "byte", "byte", "byte", "truncate", "insert", "delete"] if fix
           else ["flip", "flip", "byte", "truncate", "insert", "delete", "duplicate"])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(ops))
        pos = draw(st.integers(0, len(buf) - 1))
        if op == "flip":
            buf[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            buf[pos] = draw(st.integers(0, 255))
        elif op == "truncate":
            del buf[max(pos, 1):]
        elif op == "insert":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del buf[pos:pos + draw(st.integers(1, 64))]
        else:
            buf[pos:pos] = buf[pos:pos + draw(st.integers(1, 512))]
        if not buf:
            break
    data = bytes(buf)
    return repair(data) if fix else data


@FUZZ
@given(data=mutated())
def test_fuzz_fast_path_agrees_with_fitparse(data):
    """Same parsed messages, frames, warnings and errors; nothing but FileFormatError (and its
    subclasses) out of decode, unless fitparse's own path raises the same."""
    check_file(data)
    result, _ = _outcome(data, "fast")
    if isinstance(result, BaseException):
        assert isinstance(result, FileFormatError), repr(result)


def test_repaired_mutations_reach_the_fast_path():
    """The fuzz test is not all fallbacks: a value changed inside the records, CRC repaired."""
    data = bytearray((DATA / "heartandsole__testdata.fit").read_bytes())
    data[len(data) // 2] ^= 0x04
    assert check_file(repair(bytes(data))) == "fast"


def test_the_fast_path_runs_strict_here():
    assert fitfast.STRICT  # set by the module fixture; off in normal use


def test_running_dynamics_and_workout_name():
    """The five running-dynamics fields scaled as fitparse's profile says, 0 and invalid values missing,
    and the workout's name as the activity's name."""
    wkt = definition(2, 26, [(8, 24, 0x07)]) + b"\x02" + b"Easy #numb L 35min".ljust(24, b"\0")
    rec = definition(1, 20, [(253, 4, 0x86), (41, 2, 0x84), (84, 2, 0x84), (39, 2, 0x84), (83, 2, 0x84),
                             (85, 2, 0x84)])
    rows = [(2500, 5123, 850, 780, 11000),      # 250.0 ms, 51.23 %, 85.0 mm, 7.80 %, 1100.0 mm
            (0xFFFF,) * 5,                       # invalid: no value
            (0, 0, 0, 0, 0)]                     # the watch's 0: no step measured
    body = FILE_ID + wkt + rec + b"".join(b"\x01" + struct.pack("<I5H", T0 + i, *r) for i, r in enumerate(rows))
    data = fit_file(body)
    assert check_file(data) == "fast"
    p = _parse(data, "fast")
    assert p.cols["stance_time"][0] == 250.0 and p.cols["stance_time_balance"][0] == 51.23
    assert p.cols["vertical_oscillation"][0] == 85.0 and p.cols["vertical_ratio"][0] == 7.8
    assert p.cols["step_length"][0] == 1100.0
    assert np.isnan(p.cols["step_length"][1]) and p.cols["step_length"][2] == 0.0
    assert p.workout == {0: {"wkt_name": "Easy #numb L 35min"}}
    (act,) = fit.decode(data, "x.fit")
    dyn = act.records[["stance_time_ms", "stance_time_balance_left_pct", "vertical_oscillation_mm",
                       "vertical_ratio_pct", "step_length_mm"]]
    assert dyn.iloc[0].tolist() == [250.0, np.float32(51.23), 85.0, np.float32(7.8), 1100.0]
    assert (dyn.dtypes == "float32").all()
    assert act.info["name"] == "Easy #numb L 35min"
