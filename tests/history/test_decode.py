"""The per-file decode task: the collector paused while decoding, entries written by the import's workers."""

from __future__ import annotations

import concurrent.futures as cf
import gc
import shutil
import threading

import pytest

import runlog
import runlog.io
from runlog.history import decode_file
from runlog.history._cache import ActivityCache, content_digest

HS_FIT = "fit/heartandsole__testdata.fit"
SW_GPX = "gpx/sweatpy__activity_5039744860.gpx"


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


def test_the_collector_is_paused_for_a_whole_import_and_resumed_after(data_dir, tmp_path, monkeypatch,
                                                                      gc_restored):
    from runlog.history import _importer

    seen, real = [], _importer._assemble

    def assemble(*a, **kw):  # after every file was decoded: the import's activities are all held
        seen.append(gc.isenabled())
        return real(*a, **kw)

    monkeypatch.setattr(_importer, "_assemble", assemble)
    gc.enable()
    h = runlog.read_history([data_dir / HS_FIT], cache=tmp_path / "c", workers=1, progress=False)
    assert len(h.runs) == 1 and seen == [False] and gc.isenabled()
    gc.disable()  # a collector the caller turned off stays off
    runlog.read_history([data_dir / HS_FIT], cache=False, workers=1, progress=False)
    assert seen == [False, False] and not gc.isenabled()
    gc.enable()  # ... and an import that fails resumes it all the same
    with pytest.raises(runlog.FileFormatError):
        runlog.read_history(tmp_path / "missing", cache=False, workers=1, progress=False)
    assert gc.isenabled()


def _entries(cache_dir, files, tz=None):
    store = ActivityCache(cache_dir)
    return [store.path(ActivityCache.key(content_digest(f.read_bytes()), tz)) for f in files]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_imports_own_workers_write_the_cache_entries(data_dir, tmp_path, monkeypatch, workers):
    # the importing process serialises no entry itself (ActivityCache.put is not called there) ...
    files = [tmp_path / "a.fit", tmp_path / "b.gpx"]
    shutil.copy(data_dir / HS_FIT, files[0])
    shutil.copy(data_dir / SW_GPX, files[1])
    monkeypatch.setattr(ActivityCache, "put", lambda *a: pytest.fail("entry written by the importing process"))
    h = runlog.read_history(tmp_path, cache=tmp_path / "c", workers=workers, progress=False)
    assert len(h.runs) == 2
    # ... yet every file has its entry, which answers the file alone in a later import
    paths = _entries(tmp_path / "c", files)
    assert all(p.is_file() for p in paths)
    monkeypatch.setattr("runlog.history._importer.decode_file", lambda *a: pytest.fail("file decoded"))
    again = runlog.read_history([files[0]], cache=tmp_path / "c", workers=1, progress=False)
    assert list(again.runs.index) == ["20210416T1337Z"]


def test_a_callers_executor_leaves_the_entries_to_the_importing_process(data_dir, tmp_path):
    # a user's executor may run the decode on another machine: the entry is written where the cache is
    files = [tmp_path / "a.fit"]
    shutil.copy(data_dir / HS_FIT, files[0])
    with cf.ThreadPoolExecutor(2) as ex:
        runlog.read_history(tmp_path, cache=tmp_path / "c", executor=ex, progress=False)
    assert all(p.is_file() for p in _entries(tmp_path / "c", files))
