"""Property tests: damaged real files either read or raise FileFormatError.

Real bundled files (FIT, GPX, TCX, and gzip-wrapped) are mutated by
hypothesis: bit flips, truncations, byte insertions and deletions, duplicated
regions and (for XML) digit substitutions, which keep the document
well-formed but change values and times.  For every input,
:func:`runlog.read_activities` must either return activities in canonical
form or raise :class:`runlog.FileFormatError`; no other exception may
escape.  For GPX and TCX the error must also be one the reader anticipated,
not the dispatcher's generic "could not be decoded" wrapper around an
unexpected exception.

Hypothesis runs derandomized (fixed examples) with ``deadline=None``.  A hang
guard (``signal.setitimer``, 60 s per example, Unix only) turns a decoder
that never returns into a test failure; it is a guard, not a timing
assertion.
"""

from __future__ import annotations

import gzip
import signal
import threading
import warnings
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import runlog
from runlog import schema

from fuzzing import fuzz_settings

FILES = {
    "fit": ["fit/heartandsole__testdata.fit", "fit/fitparse__Activity.fit"],
    "gpx": ["gpx/heartandsole__testdata.gpx", "gpx/sweatpy__activity_5039744860.gpx"],
    "tcx": ["tcx/heartandsole__testdata.tcx", "tcx/sweatpy__activity_5039744860.tcx"],
}
EXT = {"fit": ".fit", "gpx": ".gpx", "tcx": ".tcx"}
DATA = Path(__file__).resolve().parents[1] / "data"
HANG_GUARD_S = 60
FUZZ = fuzz_settings(60)


class Hang(Exception):
    """A decoder did not return within the hang guard."""


@contextmanager
def hang_guard(seconds: int = HANG_GUARD_S):
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield  # pragma: no cover - Windows, or pytest running tests off the main thread
        return

    def _raise(signum, frame):
        raise Hang(f"decoder still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@st.composite
def mutated(draw, data: bytes, text: bool) -> bytes:
    """*data* with 1-4 random edits."""
    buf = bytearray(data)
    ops = ["flip", "truncate", "insert", "delete", "duplicate"] + (["digit"] * 3 if text else [])
    for _ in range(draw(st.integers(1, 4))):
        if not buf:
            break
        op = draw(st.sampled_from(ops))
        pos = draw(st.integers(0, len(buf) - 1))
        if op == "flip":
            buf[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del buf[pos:]
        elif op == "insert":
            buf[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del buf[pos:pos + draw(st.integers(1, 256))]
        elif op == "duplicate":
            n = draw(st.integers(1, 2048))
            buf[pos:pos] = buf[pos:pos + n]
        else:  # digit: the next digit after pos becomes another digit (values, times, ids)
            digits = [i for i in range(pos, min(len(buf), pos + 400)) if 48 <= buf[i] <= 57]
            if digits:
                buf[digits[0]] = ord(draw(st.sampled_from("0123456789")))
    return bytes(buf)


def check_outcome(fmt: str, name: str, data: bytes) -> str:
    """Read *data*; assert the contract; return 'ok' or 'error'."""
    with warnings.catch_warnings(), hang_guard():
        warnings.simplefilter("ignore")
        try:
            acts = runlog.read_activities(name, data=data)
        except runlog.FileFormatError as exc:
            if fmt in ("gpx", "tcx"):
                assert "could not be decoded as" not in str(exc), f"unanticipated decoder error: {exc!r}"
            return "error"
    assert acts
    for a in acts:
        rec = a.records
        assert list(rec.columns) == list(schema.RECORD_COLUMNS)
        assert rec.dtypes.astype(str).tolist() == [c.dtype for c in schema.RECORD_COLUMNS.values()]
        assert isinstance(rec.index, pd.DatetimeIndex) and str(rec.index.tz) == "UTC"
        assert rec.index.is_unique and rec.index.is_monotonic_increasing and len(rec)
        assert list(a.laps.columns) == list(schema.LAP_COLUMNS)
        assert a.info["format"] == fmt
        assert isinstance(a.run_id, str) and len(a.run_id) == 14
        if fmt in ("gpx", "tcx"):  # the XML readers blank positions off the globe
            lat, lon = rec["lat_deg"].dropna(), rec["lon_deg"].dropna()
            assert (lat.abs() <= 90).all() and (lon.abs() <= 180).all()
    return "ok"


@cache
def original(rel: str) -> bytes:
    """A bundled real file's bytes (module-level, so hypothesis does not print them)."""
    return (DATA / rel).read_bytes()


def test_originals_read():
    for fmt, rels in FILES.items():
        for rel in rels:
            assert check_outcome(fmt, "orig" + EXT[fmt], original(rel)) == "ok", rel


def _fuzz_test(fmt: str, *, wrap_gzip: bool = False, mutate_gzip: bool = False):
    @FUZZ
    @given(data=st.data())
    def run(data):
        raw = original(data.draw(st.sampled_from(FILES[fmt])))
        if mutate_gzip:
            blob = data.draw(mutated(gzip.compress(raw, mtime=0), text=False))
        else:
            blob = data.draw(mutated(raw, text=fmt != "fit"))
            if wrap_gzip:
                blob = gzip.compress(blob, mtime=0)
        check_outcome(fmt, "fuzz" + EXT[fmt] + (".gz" if wrap_gzip or mutate_gzip else ""), blob)

    return run


test_fuzz_fit = _fuzz_test("fit")
test_fuzz_gpx = _fuzz_test("gpx")
test_fuzz_tcx = _fuzz_test("tcx")
test_fuzz_gzip_wrapped_gpx = _fuzz_test("gpx", wrap_gzip=True)
test_fuzz_gzip_wrapped_tcx = _fuzz_test("tcx", wrap_gzip=True)
test_fuzz_gzip_wrapped_fit = _fuzz_test("fit", wrap_gzip=True)
test_fuzz_damaged_gzip_fit = _fuzz_test("fit", mutate_gzip=True)
test_fuzz_damaged_gzip_gpx = _fuzz_test("gpx", mutate_gzip=True)


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_every_truncation_point_of_a_small_file(fmt):
    """Systematic, not random: the first file of each format cut at 64 evenly spaced lengths."""
    data = original(FILES[fmt][0])
    outcomes = [check_outcome(fmt, "cut" + EXT[fmt], data[: len(data) * i // 64]) for i in range(64)]
    assert outcomes[0] == "error"  # empty file
    assert "error" in outcomes
