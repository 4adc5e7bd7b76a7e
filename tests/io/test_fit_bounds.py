"""FIT decoding stays linear in records and bounded in activities, whatever the file's layout.

No time is measured (the machine is shared): linearity is checked on the
decoder's own work, the number of passes over the record rows, which must not
grow with the number of definitions.
"""

from __future__ import annotations

import struct
import warnings

import numpy as np
import pytest

import runlog
from runlog.errors import RunlogWarning
from runlog.io import _fitfast as fitfast
from runlog.io import fit

from fit_writer import FILE_ID, T0, definition, fit_file


def _redefined_before_every_record(n: int) -> bytes:
    """A record definition before every record; every other record has a compressed-timestamp header."""
    full = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])
    short = definition(2, 20, [(3, 1, 0x02)])
    parts = [FILE_ID]
    for i in range(n):
        if i % 2 == 0:
            parts += [full, b"\x01" + struct.pack("<IB", T0 + i, 100 + i % 50)]
        else:
            parts += [short, bytes([0x80 | (2 << 5) | ((T0 + i) % 32), 100 + i % 50])]
    return fit_file(b"".join(parts))


@pytest.mark.parametrize("n", [200, 2000])
def test_repeated_definitions_are_decoded_per_layout(monkeypatch, n):
    """The rows of one layout are gathered once, not once per definition (quadratic before: one
    pass over all records per definition, 14.5 s at 160,000 records)."""
    calls = []
    rows = fitfast._rows
    monkeypatch.setattr(fitfast, "_rows", lambda *a: calls.append(1) or rows(*a))
    p = fit._parse(_redefined_before_every_record(n))
    assert p.damage is None and len(p.rec_group) == n
    np.testing.assert_array_equal(p.cols["timestamp"], T0 + np.arange(n))
    np.testing.assert_array_equal(p.cols["heart_rate"], 100 + np.arange(n) % 50)
    assert len(calls) <= 4, f"{len(calls)} passes over the record rows for {n} records"


def _file_id_before_every_record(n: int) -> bytes:
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])
    parts = [rec]
    for i in range(n):
        parts += [FILE_ID, rec, b"\x01" + struct.pack("<IB", T0 + i * 86400, 100)]
    return fit_file(b"".join(parts))


def test_activities_per_file_are_capped_with_a_warning():
    n = fit.MAX_ACTIVITIES + 50
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raws = fit.decode(_file_id_before_every_record(n), "many.fit")
    assert len(raws) == fit.MAX_ACTIVITIES
    msgs = [str(w.message) for w in caught if issubclass(w.category, RunlogWarning)]
    assert msgs == [f"many.fit: holds {n} sessions or chained activity files; only the first "
                    f"{fit.MAX_ACTIVITIES} were read. No watch writes that many into one file: it is probably "
                    "damaged or built to slow readers down"]
    # the first ones, in file order
    assert [r.records.index[0].value // 10**9 for r in raws[:2]] == [T0 + 631065600, T0 + 631065600 + 86400]


def test_sessions_beyond_the_cap_are_not_read():
    """One file_id, more sessions than the cap, each owning one record: the first MAX_ACTIVITIES sessions."""
    n = fit.MAX_ACTIVITIES + 20
    rec = definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02)])
    ses = definition(2, 18, [(253, 4, 0x86), (2, 4, 0x86), (5, 1, 0x00)])  # timestamp, start_time, sport
    body = FILE_ID + rec + ses
    for i in range(n):
        t = T0 + i * 3600
        body += b"\x01" + struct.pack("<IB", t, 120) + b"\x02" + struct.pack("<IIB", t + 1, t, 1)
    with pytest.warns(RunlogWarning, match=f"holds {n} sessions"):
        raws = fit.decode(fit_file(body), "sessions.fit")
    assert [r.info["session"] for r in raws] == list(range(1, fit.MAX_ACTIVITIES + 1))
    assert all(len(r.records) == 1 for r in raws)


def test_a_normal_multisport_file_is_not_capped(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RunlogWarning)
        acts = runlog.read_activities(data_dir / "fit" / "fitparse__sample_mulitple_header.fit")
    assert len(acts) == 5


def _own_layout_per_record(n: int) -> bytes:
    """Every record under its own definition: the field list differs from record to record."""
    parts = [FILE_ID]
    for i in range(n):
        extra = [(200 + i % 50, 1, 0x02), (150 + (i // 50) % 50, 1, 0x02), (100 + (i // 2500) % 40, 1, 0x02)]
        local = 1 + i % 14
        parts += [definition(local, 20, [(253, 4, 0x86), (3, 1, 0x02), *extra]),
                  bytes([local]) + struct.pack("<IBBBB", T0 + i, 100 + i % 50, 1, 2, 3)]
    return fit_file(b"".join(parts))


def test_rows_of_many_layouts_are_found_in_one_pass(monkeypatch):
    """A file whose every record has a layout of its own: each layout's rows were found by comparing
    every record's layout with it (n x layouts: 8 s of 13 at 160,000 records, growing as n squared).
    Counted here: the elements of every array searched for a layout's rows must stay linear in n."""
    n = 3000
    scanned = []
    flatnonzero, nonzero = np.flatnonzero, np.nonzero
    monkeypatch.setattr(np, "flatnonzero", lambda a: scanned.append(np.size(a)) or flatnonzero(a))
    monkeypatch.setattr(np, "nonzero", lambda a: scanned.append(np.size(a)) or nonzero(a))
    p = fit._parse(_own_layout_per_record(n))
    monkeypatch.undo()
    assert p.damage is None and len(p.rec_group) == n
    np.testing.assert_array_equal(p.cols["timestamp"], T0 + np.arange(n))
    np.testing.assert_array_equal(p.cols["heart_rate"], 100 + np.arange(n) % 50)
    assert sum(scanned) <= 4 * n, f"{sum(scanned):,} elements searched for the rows of {n:,} records"
