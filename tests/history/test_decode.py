"""The per-file decode task: the collector paused while decoding."""

from __future__ import annotations

import concurrent.futures as cf
import gc
import threading

import pytest

import runlog
import runlog.io
from runlog.history import decode_file

HS_FIT = "fit/heartandsole__testdata.fit"


@pytest.fixture
def gc_restored():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def _spy(monkeypatch, during=None):
    """Record gc.isenabled() inside every decode (and run *during* there)."""
    seen = []
    real = runlog.io.read_activities

    def read(path, **kw):
        seen.append(gc.isenabled())
        if during is not None:
            during()
        return real(path, **kw)

    monkeypatch.setattr(runlog.io, "read_activities", read)
    return seen


def test_the_collector_is_paused_while_decoding_and_resumed_after(data_dir, monkeypatch, gc_restored):
    seen = _spy(monkeypatch)
    gc.enable()
    out = decode_file(HS_FIT, (data_dir / HS_FIT).read_bytes())
    assert out.kind == "ok" and seen == [False] and gc.isenabled()
    # a collector the caller turned off stays off
    gc.disable()
    decode_file(HS_FIT, (data_dir / HS_FIT).read_bytes())
    assert seen == [False, False] and not gc.isenabled()
    # ... and a decode that fails resumes it all the same
    gc.enable()
    assert decode_file("x.fit", b"not a fit file").kind == "error" and gc.isenabled()


def test_concurrent_decodes_resume_the_collector_when_the_last_one_ends(data_dir, monkeypatch, gc_restored):
    # threads share one collector: the first decode to end must not resume it under the other
    gate, inside = threading.Barrier(2), []

    def during():
        gate.wait(timeout=10)
        inside.append(gc.isenabled())

    seen = _spy(monkeypatch, during)
    gc.enable()
    data = (data_dir / HS_FIT).read_bytes()
    with cf.ThreadPoolExecutor(2) as ex:
        outs = list(ex.map(lambda _i: decode_file(HS_FIT, data), range(2)))
    assert [o.kind for o in outs] == ["ok", "ok"]
    assert seen == [False, False] and inside == [False, False] and gc.isenabled()
