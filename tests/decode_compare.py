"""Comparing two decoding paths of one file (a fast path against its reference): the tests of
runlog.io's GPX fast path and TCX parser both ask "same activities, same warnings, same error?"."""

from __future__ import annotations

import warnings

import pandas as pd
from hypothesis import strategies as st


def decode_outcome(decode, data: bytes, name: str, **kwargs):
    """``decode(data, name, **kwargs)``: its activities (or the exception it raised) and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = decode(data, name, **kwargs)
        except Exception as exc:  # compared by decode_differences
            result = exc
    return result, [(w.category, str(w.message)) for w in caught]


def decode_differences(name: str, first, second, *, laps: bool) -> list[str]:
    """What differs between two :func:`decode_outcome` results ([] when nothing).

    Records are compared exactly, and so are the info dicts; with ``laps=True`` the laps frames too,
    with ``laps=False`` both must have none (GPX).
    """
    (a, wa), (b, wb) = first, second
    out = []
    if wa != wb:
        out.append(f"{name}: warnings {wa} != {wb}")
    if isinstance(a, BaseException) or isinstance(b, BaseException):
        if type(a) is not type(b) or str(a) != str(b):
            out.append(f"{name}: {type(a).__name__}: {a} != {type(b).__name__}: {b}")
        return out
    if len(a) != len(b):
        return [*out, f"{name}: {len(a)} != {len(b)} activities"]
    for ra, rb in zip(a, b):
        try:
            pd.testing.assert_frame_equal(ra.records, rb.records, check_exact=True)
            if laps:
                pd.testing.assert_frame_equal(ra.laps, rb.laps, check_exact=True)
        except AssertionError as exc:
            out.append(f"{name}: frames differ: {exc}")
        if not laps and (ra.laps is not None or rb.laps is not None):
            out.append(f"{name}: laps where the format has none")
        if ra.info != rb.info:
            out.append(f"{name}: info {ra.info} != {rb.info}")
    return out


@st.composite
def damaged(draw, data: bytes, *, inserts, digit_weight: int) -> bytes:
    """*data* with 1-3 random damages: a digit changed (drawn *digit_weight* times as often as each of
    the others), the rest cut off, a run of bytes deleted, one of *inserts* inserted, a bit flipped."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["digit"] * digit_weight + ["truncate", "delete", "insert", "flip"]))
        pos = draw(st.integers(0, len(buf) - 1))
        if op == "truncate":
            del buf[pos:]
        elif op == "delete":
            del buf[pos:pos + draw(st.integers(1, 64))]
        elif op == "insert":
            buf[pos:pos] = draw(st.sampled_from(list(inserts)))
        elif op == "flip":
            buf[pos] ^= 1 << draw(st.integers(0, 7))
        else:
            digits = [i for i in range(pos, min(len(buf), pos + 300)) if 48 <= buf[i] <= 57]
            if digits:
                buf[digits[0]] = ord(draw(st.sampled_from("0123456789")))
        if not buf:
            break
    return bytes(buf)
