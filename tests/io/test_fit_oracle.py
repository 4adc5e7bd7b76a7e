"""runlog's FIT decoder (runlog.io._fitfast, runlog.io._fitprofile) against fitparse 1.2.0, the oracle.

Every FIT file (bundled and, through ``shared_dir``, the whole corpus) is
decoded by runlog and by fitparse's public API (``tests/fit_oracle.py``):
the parsed messages (record columns, groups, file_id / session / lap /
activity / sport values, damage) and the activities runlog builds from each
(records, laps, info, warnings, errors) must be identical, field by field,
apart from the differences by design that ``fit_oracle`` lists (developer
fields, names newer than fitparse's profile, files fitparse gives up on
where runlog reads on).  Hand-made FIT files cover what the corpus shows
little of (big-endian definitions, compressed timestamps rolling over,
developer fields, odd base types), and hypothesis mutates real files, with
and without repairing their CRC so that the damage reaches the decoder
instead of stopping at the checksum.

The corpus, bundled-file, every-cut and mutation comparisons are in the
slow set (``make test`` runs them, ``make test-fast`` does not); the
hand-made files, quick, are not.
"""

from __future__ import annotations

import datetime as dt
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from fitparse.records import Crc
from hypothesis import given, settings
from hypothesis import strategies as st

from runlog.io import _fitfast as fitfast
from runlog.io import fit

from fit_oracle import FIT_EPOCH, compare
from fit_writer import (
    DESC,
    DEV_ID,
    FILE_ID,
    T0,
    definition,
    describe,
    described_dev_file,
    fit_file,
    undescribed_dev_file,
)
from fuzzing import fuzz_settings

DATA = Path(__file__).resolve().parents[1] / "data" / "fit"

#: Corpus files fitparse gives up on (runlog reads them in full): the COROS PACE 2's misaligned fields.
CORPUS_FITPARSE_LIMITS = {"fitparse__coros-pace-2-cycling-misaligned-fields.fit"}


def check_file(data: bytes) -> str:
    """runlog against the oracle: 'same', or 'prefix' where fitparse stopped on a limit of its own."""
    return compare(data)


def _parse(data: bytes) -> fit._Parsed:
    return fit._parse(data)


def _crc_bytes(data: bytes) -> bytes:
    return struct.pack("<H", Crc.calculate(data))


# --------------------------------------------------------------------------
# Pieces
# --------------------------------------------------------------------------
def test_crc16_is_fitparse_crc_bytes():
    rng = np.random.default_rng(7)
    for n in (0, 1, 2, 3, 15, 16, 17, 255, 1000, 4097, 65537, 300_001):
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert fitfast.crc16(data) == Crc.calculate(data), n
    # a whole FIT file, CRC included, checks to 0 (FIT SDK)
    whole = (DATA / "fitparse__activity-small-fenix2-run.fit").read_bytes()
    assert fitfast.crc16(whole) == 0 and fitfast.crc16(whole[:-2]) == struct.unpack("<H", whole[-2:])[0]


def _accumulate(raw: int, acc: int, bits: int) -> int:
    """The FIT SDK's rule, one event at a time: the new low *bits* bits, carried past a wrap."""
    mask = (1 << bits) - 1
    value = raw + (acc & ~mask)
    return value + (1 << bits) if raw < (acc & mask) else value


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 2**31)), max_size=60), st.sampled_from([5, 12]))
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
def test_unwrap_is_the_sdk_accumulation(events, bits):
    """_unwrap against the loop of the FIT SDK's rule, events given in reverse order."""
    acc, expected = 0, []
    for is_set, v in events:
        acc = v if is_set else _accumulate(v % (1 << bits), acc, bits)
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


@pytest.mark.slow
@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_files_decode_as_fitparse_reads_them(name):
    assert check_file((DATA / name).read_bytes()) == "same"


@pytest.mark.shared
@pytest.mark.slow
def test_every_corpus_file_decodes_as_fitparse_reads_it(shared_dir):
    outcomes = {}
    for path in sorted((shared_dir / "fit").iterdir()):
        try:
            outcomes[path.name] = check_file(path.read_bytes())
        except AssertionError as exc:
            raise AssertionError(f"{path.name}: {exc}") from exc
    assert len(outcomes) == 54
    assert {n for n, e in outcomes.items() if e != "same"} == CORPUS_FITPARSE_LIMITS


def test_compressed_timestamps_and_speed_distance_match_fitparse():
    """Forerunner 70 dump: 755 compressed-timestamp headers and compressed_speed_distance (12-bit
    speed, accumulated 12-bit distance); runlog refuses the file (device-relative times), so the
    parsed columns are compared here."""
    data = (DATA / "fitparse__compressed-speed-distance.fit").read_bytes()
    assert check_file(data) == "same"
    p = _parse(data)
    ts = p.cols["timestamp"]
    assert len(ts) == 755 and np.all(np.diff(ts) >= 0) and np.nanmax(p.cols["distance"]) > 10_000


def test_compressed_speed_distance_declared_as_an_integer():
    """Found by the longer fuzz run (RUNLOG_FUZZ_SCALE=50): a mutated definition gave
    compressed_speed_distance 2 bytes of uint16 instead of the profile's 3 bytes.  The speed is its
    low 12 bits as usual; the accumulated distance (bits 12-23) is not there: fitparse read the
    missing bits as zeros and accumulated a distance of 0 m, runlog gives none (the FIT SDK's
    component reader also gives no value when a field lacks the component's bits).  The oracle
    leaves accumulated components of non-byte fields out (tests/fit_oracle.py)."""
    rec = definition(1, 20, [(253, 4, 0x86), (8, 2, 0x84)])
    rows = b"".join(b"\x01" + struct.pack("<IH", T0 + i, 3421 + (i << 12)) for i in range(4))
    data = fit_file(FILE_ID + rec + rows)
    assert check_file(data) == "same"
    p = _parse(data)
    np.testing.assert_array_equal(p.cols["speed"], [34.21] * 4)
    assert np.isnan(p.cols["distance"]).all()


def test_chained_files_keep_their_groups():
    a = (DATA / "fitparse__Activity.fit").read_bytes()
    data = a + a + b"\0" * 8
    assert check_file(data) == "same"
    p = _parse(data)
    assert p.rec_group.tolist() == [0] * 14 + [1] * 14 and p.n_groups == 2 and not p.damage
    # trailing junk is damage of the last file, as with fitparse
    assert check_file(a + a + b"junk") == "same"


def test_crc_mismatch_keeps_every_message_as_fitparse_does():
    a = (DATA / "fitparse__Activity.fit").read_bytes()
    bad_crc = a[:-1] + bytes([a[-1] ^ 0x10])
    assert check_file(bad_crc) == "same" and check_file(a + bad_crc) == "same"
    p = _parse(a + bad_crc)
    assert len(p.rec_group) == 28 and p.damage.startswith("fails its checksum") and p.damage_group == 1
    # a CRC mismatch in the first chained file: the second is not read (fitparse stops there too)
    assert len(_parse(bad_crc + a).rec_group) == 14


@pytest.mark.slow
def test_cut_off_files_are_read_up_to_the_cut():
    """Every cut of a small file: the same messages, damage words and EOF message
    (inside a definition, a record, the CRC, between messages; unfinished headers too)."""
    a = (DATA / "fitparse__Activity.fit").read_bytes()
    assert {check_file(a[:k]) for k in range(13, len(a))} == {"same"}
    unfinished = a[:4] + b"\0\0\0\0" + a[8:-2]
    assert check_file(unfinished) == "same"
    p = _parse(unfinished)
    assert p.damage.startswith("was never finished") and len(p.rec_group) == 14


def test_damaged_headers_are_reported_as_fitparse_does():
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])
    a = fit_file(FILE_ID + rec + b"".join(b"\x01" + struct.pack("<IB", T0 + i, 120) for i in range(3)))
    assert a[0] == 14
    bad_header_crc = a[:12] + bytes([a[12] ^ 1]) + a[13:]
    odd_size = bytes([13]) + a[1:]
    for data in (bad_header_crc, a + bad_header_crc, odd_size, a[:13]):
        assert check_file(data) == "same"
    assert _parse(bad_header_crc).damage.startswith("has a damaged FIT header (CRC Mismatch")


def test_a_message_of_an_undefined_type_ends_the_reading():
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])
    body = (FILE_ID + rec + b"\x01" + struct.pack("<IB", T0, 120) + b"\x05"
            + b"\x01" + struct.pack("<IB", T0 + 1, 121))
    data = fit_file(body)
    assert check_file(data) == "same"
    p = _parse(data)
    assert len(p.rec_group) == 1 and "invalid local message type 5" in p.damage


def test_a_message_past_the_declared_data_is_damage():
    """fitparse reads such a message out of the CRC bytes; runlog keeps what came before it."""
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])
    body = FILE_ID + rec + b"".join(b"\x01" + struct.pack("<IB", T0 + i, 120 + i) for i in range(3))
    data = bytearray(fit_file(body))
    data[4:8] = struct.pack("<I", len(body) - 1)  # the last record now ends 1 byte past the data
    data[12:14] = struct.pack("<H", Crc.calculate(bytes(data[:12])))
    assert check_file(bytes(data)) == "prefix"
    p = _parse(bytes(data))
    assert p.cols["heart_rate"].tolist() == [120, 121] and "runs past the end of the data" in p.damage


# --------------------------------------------------------------------------
# Hand-made files
# --------------------------------------------------------------------------
def test_big_endian_invalid_values_and_scales():
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02), (6, 2, 0x84), (2, 2, 0x84), (0, 4, 0x85),
                             (13, 1, 0x01), (5, 4, 0x86)], big=True)
    rows = [struct.pack(">IBHHiBI", T0 + i, hr, spd, alt, lat, temp & 0xFF, dist)
            for i, (hr, spd, alt, lat, temp, dist) in enumerate([
                (150, 3000, 2600, 500_000_000, -5, 1234),
                (0xFF, 0xFFFF, 0xFFFF, 0x7FFFFFFF, 0x7F, 0xFFFFFFFF),   # every value invalid
                (151, 2999, 2601, -500_000_000, 20, 1500)])]
    data = fit_file(FILE_ID + rec + b"".join(b"\x01" + r for r in rows))
    assert check_file(data) == "same"
    p = _parse(data)
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
    assert check_file(data) == "same"
    p = _parse(data)
    ts = p.cols["timestamp"] - T0
    assert ts.tolist() == [29, 30, 31, 33, 35, 35, 64, 200, 205]
    # the lap's compressed timestamp, resolved against the records' times as fitparse does
    assert p.laps == [(0, {"total_elapsed_time": 7.0, "timestamp": FIT_EPOCH + dt.timedelta(seconds=T0 + 207)})]


def test_developer_fields_are_skipped_by_size():
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)], dev=[(0, 2, 0), (1, 4, 0)])
    rows = b"".join(b"\x01" + struct.pack("<IBHf", T0 + i, 140 + i, 250 + i, 1.5) for i in range(5))
    data = fit_file(FILE_ID + DEV_ID + DESC + describe(0, 0x84, "Power") + describe(1, 0x88, "Stiff") + rec + rows)
    assert check_file(data) == "same"
    assert _parse(data).cols["heart_rate"].tolist() == [140, 141, 142, 143, 144]
    # a developer field named like a record field: fitparse lets it replace the field, runlog never reads it
    shadow = data.replace(b"Power\0", b"power\0")
    shadow = shadow[:-2] + _crc_bytes(shadow[:-2])
    assert check_file(shadow) == "same"  # the oracle leaves developer fields out
    assert np.isnan(_parse(shadow).cols["power"]).all()
    # a developer field without description: fitparse gives up at its definition, runlog reads on
    undescribed = fit_file(FILE_ID + DEV_ID + rec + rows)
    assert check_file(undescribed) == "prefix"
    assert _parse(undescribed).cols["heart_rate"].tolist() == [140, 141, 142, 143, 144]


def _frames(data: bytes):
    (raw,) = fit.decode(data, "x.fit")
    return raw.records


def test_decoding_a_file_never_depends_on_other_files(tmp_path):
    """fitparse keeps developer-field descriptions in a process-wide table; runlog read the
    undescribed file with the other file's meaning (heart rate 200) when decoded after it, and
    refused it when decoded alone.  Both orders, and each file in a fresh interpreter, agree."""
    a, b = described_dev_file(), undescribed_dev_file()
    b_first = [_frames(b), _frames(a)]
    a_first = [_frames(a), _frames(b)][::-1]
    for x, y in zip(b_first, a_first):
        assert x.equals(y)
    assert b_first[0]["hr_bpm"].tolist() == [120.0] * 5 and b_first[1]["hr_bpm"].tolist() == [130.0] * 5
    child = textwrap.dedent("""
        import sys
        from runlog.io import fit
        (raw,) = fit.decode(open(sys.argv[1], "rb").read(), "x.fit")
        raw.records.to_pickle(sys.argv[2])
    """)
    import pandas as pd
    for data, expected in ((a, b_first[1]), (b, b_first[0])):
        src, out = tmp_path / "in.fit", tmp_path / "out.pkl"
        src.write_bytes(data)
        subprocess.run([sys.executable, "-c", child, str(src), str(out)], check=True)
        assert pd.read_pickle(out).equals(expected)


def test_a_field_defined_twice_with_a_sub_field():
    """Found by the longer fuzz run (RUNLOG_FUZZ_SCALE=50): a file_id definition listing product (field 2)
    twice, from a Garmin device, so that product is read as garmin_product.  The decoder renamed the
    field once per listing and raised KeyError on the second (not a FileFormatError: the contract
    broken); the later listing wins, as for any field, and fitparse reads it so too."""
    file_id = definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84), (2, 2, 0x84), (2, 2, 0x84), (4, 4, 0x86)])
    file_id += b"\x00" + struct.pack("<BHHHI", 4, 1, 1000, 1623, T0)  # garmin, product 1000 then 1623
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])
    rows = b"".join(b"\x01" + struct.pack("<IB", T0 + i, 120) for i in range(3))
    data = fit_file(file_id + rec + rows)
    assert check_file(data) == "same"
    (ids,) = _parse(data).file_ids.values()
    assert ids["manufacturer"] == "garmin" and ids["garmin_product"] == "fr620" and "product" not in ids


@pytest.mark.parametrize("field, why", [
    ((3, 8, 0x8F), "heart rate as uint64"),
    ((3, 4, 0x07), "heart rate as a string"),
    ((3, 0, 0x02), "a field of size 0"),
    ((253, 8, 0x86), "timestamp as an array"),
])
def test_odd_base_types(field, why):
    """Read as fitparse reads them, or, where fitparse gives up (a field of size 0), read on."""
    rec = definition(1, 20, [(253, 4, 0x86), field])
    size = 4 + field[1]
    rows = b"".join(b"\x01" + struct.pack("<I", T0 + i) + bytes([0x31 + i]) * (size - 4) for i in range(3))
    data = fit_file(FILE_ID + rec + rows)
    assert check_file(data) in ("same", "prefix"), why


def test_arrays_and_misaligned_fields_are_not_numbers():
    # heart_rate as 2 x uint8 (fitparse: a tuple), cadence of 3 bytes as uint16 (misaligned: unknown bytes,
    # as the FIT SDK reads it; fitparse gives up on the whole file there)
    rec = definition(1, 20, [(253, 4, 0x86), (3, 2, 0x02), (4, 3, 0x84), (7, 2, 0x84)])
    rows = b"".join(b"\x01" + struct.pack("<IBB3sH", T0 + i, 100, 101, b"abc", 200 + i) for i in range(3))
    data = fit_file(FILE_ID + rec + rows)
    assert check_file(data) == "prefix"
    p = _parse(data)
    assert np.isnan(p.cols["heart_rate"]).all() and np.isnan(p.cols["cadence"]).all()
    assert p.cols["power"].tolist() == [200, 201, 202]


# --------------------------------------------------------------------------
# Fuzzing: mutated real files
# --------------------------------------------------------------------------
FUZZ_FILES = ["heartandsole__testdata.fit", "fitparse__Activity.fit", "sweatpy__6471559601_ACTIVITY.fit",
              "fitparse__compressed-speed-distance.fit"]
FUZZ = fuzz_settings(200)


def repair(data: bytes) -> bytes:
    """*data* with its (first) header's data size and the file CRC made to fit, so that damage
    inside the messages gets past the checksum to the decoders."""
    if len(data) < 16 or data[8:12] != b".FIT" or data[0] not in (12, 14):
        return data
    hs = data[0]
    head = bytearray(data[:hs])
    head[4:8] = struct.pack("<I", len(data) - hs - 2)
    if hs == 14:
        head[12:14] = _crc_bytes(bytes(head[:12]))
    body = bytes(head) + data[hs:-2]
    return body + _crc_bytes(body)


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


@pytest.mark.slow
@FUZZ
@given(data=mutated())
def test_fuzz_decoder_agrees_with_fitparse(data):
    """Same parsed messages, frames, warnings and errors (or, where fitparse gives up on a limit of its
    own, the same up to there); nothing but FileFormatError (and its subclasses) out of decode."""
    check_file(data)
    try:
        fit.decode(data, "x.fit")
    except fit.FileFormatError:
        pass


def test_repaired_mutations_reach_the_decoder():
    """The fuzz test is not all refusals: a value changed inside the records, CRC repaired."""
    data = bytearray((DATA / "heartandsole__testdata.fit").read_bytes())
    data[len(data) // 2] ^= 0x04
    fixed = repair(bytes(data))
    assert check_file(fixed) == "same" and _parse(fixed).damage is None


def test_the_reader_does_not_import_fitparse(data_dir):
    """fitparse is the tests' oracle, not a dependency of the reader (fresh interpreter)."""
    code = textwrap.dedent(f"""
        import sys, runlog
        runlog.read_activities({str(data_dir / "fit" / "fitparse__sample_mulitple_header.fit")!r})
        assert "fitparse" not in sys.modules, "fitparse imported"
    """)
    subprocess.run([sys.executable, "-c", code], check=True)


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
    assert check_file(data) == "same"
    p = _parse(data)
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
