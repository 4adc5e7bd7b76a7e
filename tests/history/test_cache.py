"""The Parquet activity cache: round trips, keys, atomic writes, damaged entries, location."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runlog
import runlog.io
from runlog.errors import RunlogWarning
from runlog.history import _cache as cache_mod
from runlog.history._cache import ActivityCache, Outcome, content_digest, decode_value, encode_value, resolve_cache

GPX = "gpx/heartandsole__testdata.gpx"


def _activities(data_dir, rel=GPX):
    path = data_dir / rel
    return runlog.read_activities(path), path.read_bytes()


@pytest.mark.parametrize("value", [
    None, True, "Europe/Berlin", 3, np.int64(7), 2.5, np.float64(-1.25),
    pd.Timestamp("2021-04-16 13:37:53.123456789", tz="UTC"),
    pd.Timestamp("2021-04-16 06:37:53"),  # naive local wall clock
    pd.Timestamp("2021-04-16 15:37:53", tz="Europe/Berlin"),
])
def test_encode_decode_value_round_trip(value):
    import json

    back = decode_value(json.loads(json.dumps(encode_value(value), allow_nan=False)))
    expected_type = type(value.item()) if isinstance(value, np.generic) else type(value)
    assert back == value and type(back) is expected_type
    if isinstance(value, pd.Timestamp):
        assert str(back.tz) == str(value.tz)


def test_encode_nan_and_inf_as_json_safe():
    import json

    for v in (float("nan"), np.float64("inf")):
        enc = json.dumps(encode_value(v), allow_nan=False)  # would raise on a bare NaN
        back = decode_value(json.loads(enc))
        assert (np.isnan(back) and np.isnan(v)) or back == v


def test_round_trip_keeps_records_laps_and_info(tmp_path, data_dir):
    acts, data = _activities(data_dir, "fit/fitparse__sample_mulitple_header.fit")
    assert len(acts) == 5  # chained triathlon file: 5 sessions (see tests/data/SOURCES.md)
    store = ActivityCache(tmp_path)
    key = ActivityCache.key(content_digest(data))
    assert store.put(key, Outcome("ok", acts))
    back = store.get(key, "elsewhere/renamed.fit")
    assert back.kind == "ok" and len(back.activities) == 5
    for a, b in zip(acts, back.activities):
        pd.testing.assert_frame_equal(a.records, b.records)
        pd.testing.assert_frame_equal(a.laps, b.laps)
        assert b.info["source"] == "elsewhere/renamed.fit"  # the entry follows the content, not the name
        for k, v in a.info.items():
            if k != "source":
                assert (pd.isna(v) and pd.isna(b.info[k])) or b.info[k] == v, k
        assert list(b.info.index) == list(a.info.index) and b.info.index.dtype == a.info.index.dtype
    assert (store.hits, store.misses, store.writes) == (1, 0, 1)


def test_round_trip_of_a_file_without_laps(tmp_path, data_dir):
    (a,), _data = _activities(data_dir, GPX)
    assert a.laps.empty
    store = ActivityCache(tmp_path)
    store.put("k" * 64, Outcome("ok", [a]))
    (b,) = store.get("k" * 64, "x.gpx").activities
    pd.testing.assert_frame_equal(a.laps, b.laps)
    pd.testing.assert_frame_equal(a.records, b.records)


def test_error_and_skipped_outcomes_are_cached(tmp_path):
    store = ActivityCache(tmp_path)
    store.put("a" * 64, Outcome("error", [], "is not a FIT, GPX or TCX activity file"))
    store.put("b" * 64, Outcome("skipped", [], "is a settings file"))
    assert store.get("a" * 64, "x") == Outcome("error", [], "is not a FIT, GPX or TCX activity file")
    assert store.get("b" * 64, "y") == Outcome("skipped", [], "is a settings file")
    # A crashed worker may not crash next time: never cached.
    assert not store.put("c" * 64, Outcome("error", [], "worker died", cacheable=False))
    assert store.get("c" * 64, "z") is None


def test_key_depends_on_content_tz_and_reader_version(monkeypatch):
    d1, d2 = content_digest(b"one"), content_digest(b"two")
    # sha256(b"one") from the standard library, as an independent check of the digest.
    import hashlib

    assert d1 == hashlib.sha256(b"one").hexdigest()
    k = ActivityCache.key(d1)
    assert k == ActivityCache.key(d1) and len(k) == 64
    assert k != ActivityCache.key(d2)
    assert k != ActivityCache.key(d1, tz="Europe/Berlin")
    monkeypatch.setattr(cache_mod, "READER_VERSION", cache_mod.READER_VERSION + 1)
    assert k != ActivityCache.key(d1)


def test_crash_mid_write_leaves_no_entry_and_the_temp_file_is_never_read(tmp_path, data_dir, monkeypatch):
    acts, data = _activities(data_dir)
    store = ActivityCache(tmp_path)
    key = ActivityCache.key(content_digest(data))
    import pyarrow as pa

    real = pa.ipc.new_file

    def crash(sink, schema, **kw):  # write half the file, then "lose power"
        sink.write(b"ARROW1" + b"\0" * 100)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pa.ipc, "new_file", crash)
    assert store.put(key, Outcome("ok", acts)) is False
    assert not store.path(key).exists()
    assert list(store.path(key).parent.glob(".tmp-*")) == []  # cleaned up after the failure

    # A temp file left by a killed process (no cleanup ran) sits beside the entry name.
    monkeypatch.setattr(pa.ipc, "new_file", real)
    leftover = store.path(key).parent / ".tmp-killed.part"
    leftover.write_bytes(b"ARROW1 half written")
    assert store.get(key, "x") is None  # the leftover is not an entry
    old = time.time() - 7200
    os.utime(leftover, (old, old))
    assert store.prune_temp(max_age_s=3600) == 1 and not leftover.exists()


def test_corrupt_entry_is_a_miss_and_deleted(tmp_path, data_dir):
    acts, data = _activities(data_dir)
    store = ActivityCache(tmp_path)
    key = ActivityCache.key(content_digest(data))
    store.put(key, Outcome("ok", acts))
    p = store.path(key)
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])  # truncated entry (e.g. disk full)
    assert store.get(key, "x") is None
    assert not p.exists() and store.misses == 1


def test_foreign_entry_under_the_key_is_a_miss(tmp_path, data_dir):
    acts, _data = _activities(data_dir)
    store = ActivityCache(tmp_path)
    k1, k2 = "1" * 64, "2" * 64
    store.put(k1, Outcome("ok", acts))
    store.path(k2).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(store.path(k1), store.path(k2))  # right format, wrong key inside
    assert store.get(k2, "x") is None
    assert store.get(k1, "x") is not None


def test_default_dir_env_override_and_off(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNLOG_CACHE_DIR", str(tmp_path / "c"))
    assert cache_mod.default_cache_dir() == tmp_path / "c"
    store = resolve_cache(True)
    assert store.root.parent == tmp_path / "c" and store.root.is_dir()
    assert store.root.name == f"v{cache_mod.READER_VERSION}-{cache_mod.reader_fingerprint()}"
    assert resolve_cache(False) is None and resolve_cache(None) is None
    assert resolve_cache(tmp_path / "mine").folder == tmp_path / "mine"
    monkeypatch.delenv("RUNLOG_CACHE_DIR")
    import platformdirs

    assert cache_mod.default_cache_dir() == __import__("pathlib").Path(platformdirs.user_cache_dir("runlog"))


def test_unusable_cache_folder_warns_and_imports_without_cache(tmp_path, data_dir):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.warns(RunlogWarning, match="cannot use as runlog cache"):
        assert resolve_cache(blocker / "cache") is None
    with pytest.warns(RunlogWarning):
        h = runlog.read_history([data_dir / GPX], cache=blocker / "cache", workers=1, progress=False)
    assert len(h) == 1


def _count_decodes(monkeypatch):
    calls = []
    real = runlog.io.read_activities

    def counting(path, **kw):
        calls.append(str(path))
        return real(path, **kw)

    monkeypatch.setattr(runlog.io, "read_activities", counting)
    return calls


def test_second_import_reads_the_cache(tmp_path, data_dir, monkeypatch):
    folder = tmp_path / "runs"
    folder.mkdir()
    for rel in (GPX, "gpx/gpxpy__route.gpx", "fit/fitparse__Activity.fit"):
        shutil.copy(data_dir / rel, folder)
    (folder / "garbage.fit").write_bytes(b"this is not a FIT file at all")
    calls = _count_decodes(monkeypatch)
    h1 = runlog.read_history(folder, cache=tmp_path / "cache", workers=1, progress=False)
    assert len(calls) == 4  # every file decoded once: activity, route, activity, garbage

    def boom(path, **kw):
        raise AssertionError(f"decoded {path} although it is cached")

    monkeypatch.setattr(runlog.io, "read_activities", boom)
    h2 = runlog.read_history(folder, cache=tmp_path / "cache", workers=1, progress=False)
    for a, b in ((h1.runs, h2.runs), (h1.records, h2.records), (h1.laps, h2.laps), (h1.errors, h2.errors),
                 (h1.skipped, h2.skipped)):
        pd.testing.assert_frame_equal(a, b)
    assert len(h2) == 2 and len(h2.errors) == 1 and len(h2.skipped) == 1


def test_cache_false_decodes_every_time_and_writes_nothing(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("RUNLOG_CACHE_DIR", str(tmp_path / "default"))
    calls = _count_decodes(monkeypatch)
    for _ in range(2):
        runlog.read_history([data_dir / GPX], cache=False, workers=1, progress=False)
    assert len(calls) == 2
    assert not (tmp_path / "default").exists()


def _entries(folder):
    """Per-file cache entries (whole-history snapshots live in ``histories/``)."""
    return [p for p in folder.rglob("*.arrow") if p.parent.name != "histories"]


def test_corrupt_entry_is_decoded_again_by_read_history(tmp_path, data_dir, monkeypatch):
    c = tmp_path / "cache"
    h1 = runlog.read_history([data_dir / GPX], cache=c, workers=1, progress=False)
    (entry,) = _entries(c)
    entry.write_bytes(b"garbage that is not an Arrow file")
    for p in c.rglob("histories/*"):  # no snapshot to answer instead of the entry
        p.unlink()
    calls = _count_decodes(monkeypatch)
    h2 = runlog.read_history([data_dir / GPX], cache=c, workers=1, progress=False)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(h1.records, h2.records)
    # ... and the entry was written afresh, readable again.
    assert ActivityCache(c).get(entry.stem, "x").kind == "ok"


def test_unchanged_files_are_not_even_read_on_re_import(tmp_path, data_dir, monkeypatch):
    import runlog.history._importer as hist

    folder = tmp_path / "runs"
    folder.mkdir()
    shutil.copy(data_dir / GPX, folder / "a.gpx")
    shutil.copy(data_dir / "fit/fitparse__Activity.fit", folder / "b.fit")
    reads = []
    real = hist._read_file
    monkeypatch.setattr(hist, "_read_file", lambda p: reads.append(p) or real(p))
    h1 = runlog.read_history(folder, cache=tmp_path / "c", workers=1, progress=False)
    assert len(reads) == 2
    h2 = runlog.read_history(folder, cache=tmp_path / "c", workers=1, progress=False)
    assert len(reads) == 2  # both answered from the digest index + cache
    pd.testing.assert_frame_equal(h1.runs, h2.runs)
    # New content under an old name: size/ctime change, so it is read and decoded afresh.
    shutil.copy(data_dir / "fit/heartandsole__B47I2852.FIT", folder / "b.fit")
    h3 = runlog.read_history(folder, cache=tmp_path / "c", workers=1, progress=False)
    assert reads[2:] == [str(folder / "b.fit")]
    assert list(h3.runs.index) == ["20210408T0028Z", "20210416T1337Z"]


def test_digest_index_signature_mismatch_and_damaged_file(tmp_path):
    from runlog.history._cache import DigestIndex, stat_signature

    f = tmp_path / "x.fit"
    f.write_bytes(b"abc")
    sig = stat_signature(os.stat(f))
    idx = DigestIndex(tmp_path / "digests.json")
    idx.remember(str(f), sig, content_digest(b"abc"))
    assert idx.save()
    again = DigestIndex(tmp_path / "digests.json")
    assert again.lookup(str(f), sig) == content_digest(b"abc")
    assert again.lookup(str(f), [sig[0] + 1, *sig[1:]]) is None  # size changed
    assert again.lookup(str(tmp_path / "other.fit"), sig) is None
    (tmp_path / "digests.json").write_text("{not json")
    assert DigestIndex(tmp_path / "digests.json").entries == {}  # damaged index: start afresh


def test_stale_generations_of_other_reader_versions_are_pruned(tmp_path):
    old = tmp_path / "v0-0123456789abcdef"
    (old / "ab").mkdir(parents=True)
    (old / "ab" / ("ab" * 32 + ".parquet")).write_bytes(b"old entry")
    (old / "histories").mkdir()   # an old generation's snapshots go with it
    (old / "histories" / ("cd" * 32 + ".json")).write_text("{}")
    (old / "answers").mkdir()   # and its remembered answers
    (old / "answers" / ("others-" + "ef" * 32 + ".arrow")).write_bytes(b"old answer")
    recent = tmp_path / "v0-fedcba9876543210"
    (recent / "cd").mkdir(parents=True)
    foreign = tmp_path / "v9-0123456789abcdef"
    (foreign / "my notes").mkdir(parents=True)  # not runlog's layout: never touched
    stale = time.time() - 40 * 86400
    for d in (old, foreign):
        os.utime(d, (stale, stale))
    store = ActivityCache(tmp_path, keep_days=30)
    assert not old.exists() and recent.exists() and foreign.exists() and store.root.exists()


def test_default_cache_of_read_history_honours_the_environment(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("RUNLOG_CACHE_DIR", str(tmp_path / "env-cache"))
    runlog.read_history([data_dir / GPX], workers=1, progress=False)  # cache=True is the default
    entries = _entries(tmp_path / "env-cache")
    assert len(entries) == 1 and (tmp_path / "env-cache" / "digests.json").is_file()


def test_entry_that_cannot_be_built_is_not_written_and_does_not_raise(tmp_path):
    store = ActivityCache(tmp_path)
    assert store.put("e" * 64, Outcome("ok", [object()])) is False  # not an Activity
    assert not store.path("e" * 64).exists() and store.writes == 0


def test_cached_source_paths_are_absolute_from_any_working_folder(tmp_path, data_dir, monkeypatch):
    """A cache filled from one working folder and read from another names the files by
    absolute paths both times (relative ones would point into the first folder)."""
    runs_dir = tmp_path / "a" / "runs"
    runs_dir.mkdir(parents=True)
    shutil.copy(data_dir / GPX, runs_dir)
    (runs_dir / "junk.fit").write_bytes(b"not a fit file at all")
    (tmp_path / "b").mkdir()
    cache = tmp_path / "cache"
    kw = dict(cache=cache, workers=1, progress=False)
    monkeypatch.chdir(tmp_path / "a")
    first = runlog.read_history("runs", **kw)
    monkeypatch.chdir(tmp_path / "b")
    again = runlog.read_history(os.path.join("..", "a", "runs"), **kw)  # same files: the snapshot
    listed = runlog.read_history([runs_dir / GPX.split("/")[-1], "../a/runs/junk.fit"], **kw)
    for h in (first, again, listed):
        assert h.runs["source"].tolist() == [str(runs_dir / GPX.split("/")[-1])]
        assert h.errors["path"].tolist() == [str(runs_dir / "junk.fit")]


def test_cache_dir_that_is_a_file_is_one_warning_and_no_claim_of_caching(tmp_path, data_dir, monkeypatch):
    import subprocess
    import sys

    blocker = tmp_path / "cachefile"
    blocker.write_text("not a folder")
    folder = tmp_path / "runs"
    folder.mkdir()
    shutil.copy(data_dir / GPX, folder)
    env = dict(os.environ, RUNLOG_CACHE_DIR=str(blocker))
    proc = subprocess.run([sys.executable, "-m", "runlog.cli", "import", str(folder)], capture_output=True,
                          text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        f"runlog: warning: {blocker} (RUNLOG_CACHE_DIR): is a file, not a folder; cannot use as runlog cache, "
        "so nothing is cached (importing without a cache). To cache, set RUNLOG_CACHE_DIR to a writable folder."]
    assert "Cached in" not in proc.stdout
    assert "Not cached (see the warning above)" in proc.stdout
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="names an fsync'ed file through /proc")
def test_an_import_fsyncs_its_snapshot_and_digest_index_but_no_cache_entry(tmp_path, data_dir, monkeypatch):
    folder = tmp_path / "runs"
    folder.mkdir()
    for rel in (GPX, "gpx/gpxpy__route.gpx", "fit/fitparse__Activity.fit", "fit/heartandsole__B47I2852.FIT"):
        shutil.copy(data_dir / rel, folder)
    synced = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(Path(os.readlink(f"/proc/self/fd/{fd}"))) or real(fd))
    runlog.read_history(folder, cache=tmp_path / "c", workers=1, progress=False)
    assert len(_entries(tmp_path / "c")) == 4
    # the temporary files of: 4 snapshot frames, 1 record segment, the manifest (the commit), the digest index
    assert sorted(p.parent.name for p in synced) == ["c", *["histories"] * 6]
    assert sum(p.suffix == ".json" for p in synced) == 2


def test_an_entry_torn_on_disk_fails_its_crc_and_is_decoded_again(tmp_path, data_dir):
    """Entries are not fsync'ed: one a power loss tore (its pages not all written) must never be read."""
    import pyarrow as pa

    acts, data = _activities(data_dir)
    store = ActivityCache(tmp_path)
    key = ActivityCache.key(content_digest(data))
    assert store.put(key, Outcome("ok", acts))
    p = store.path(key)
    table = pa.ipc.open_file(pa.py_buffer(p.read_bytes())).read_all()
    assert store.get(key, "x").kind == "ok"
    # one value of a float channel changed, the file's structure and metadata (its CRC-32) intact
    t = table.column("elapsed_s").to_numpy().copy()
    t[len(t) // 2] += 1.0
    torn = table.set_column(table.schema.get_field_index("elapsed_s"), "elapsed_s", pa.array(t))
    with pa.OSFile(str(p), "wb") as fh, pa.ipc.new_file(fh, torn.schema) as w:
        w.write_table(torn)
    assert store.get(key, "x") is None and not p.exists()  # a miss, deleted: decoded and written again

    assert store.put(key, Outcome("ok", acts))
    p.write_bytes(p.read_bytes()[:p.stat().st_size // 2])  # only its first half on disk
    assert store.get(key, "x") is None and not p.exists()


@pytest.mark.parametrize("times", [[1, 2, 5, 9, 10, 11], [5, 9, 10, 1, 2, 11], [1, 2, 3, 2, 3, 4]],
                         ids=["increasing", "runs out of order", "runs overlapping"])
def test_snapshot_records_index_built_from_codes_equals_the_one_from_values(times):
    from runlog.history import records_index as _records_index

    runs, rows = ["A", "B", "C"], [2, 1, 3]
    ns = np.array(times, dtype="int64") * 10**9
    got = _records_index(runs, rows, ns)
    want = pd.MultiIndex.from_arrays(
        [pd.Index(np.repeat(runs, rows).tolist()), pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC")],
        names=["run_id", "time"])
    pd.testing.assert_index_equal(got, want)
    assert got.levels[1].is_unique
    assert got.get_loc(("B", pd.Timestamp(times[2], unit="s", tz="UTC"))) == 2


# ---------------------------------------------------------------- housekeeping touches only what runlog wrote
def _age(path, days=40):
    t = time.time() - days * 86400
    os.utime(path, (t, t), follow_symlinks=False)


def _user_folder(tmp_path, name="mine"):
    """A runner's folder of 40-day-old files named as runlog names its own (which they are not)."""
    mine = tmp_path / name
    mine.mkdir()
    names = ["notes.json", "ab" * 32 + ".json", "ab" * 32 + "-0123456789abcdef.runs.arrow",
             ".tmp-abc123.part", "cd" * 32 + ".parquet"]
    for n in names:
        (mine / n).write_text("the runner's own file")
        _age(mine / n)
    return mine, names


def test_pruning_never_follows_a_symlinked_histories_folder(tmp_path, data_dir):
    mine, names = _user_folder(tmp_path)
    store = ActivityCache(tmp_path / "cache")
    store.history_dir.symlink_to(mine, target_is_directory=True)
    assert store.prune_snapshots(keep_days=30) == 0
    assert store.prune_temp(max_age_s=0) == 0
    assert sorted(p.name for p in mine.iterdir()) == sorted(names)
    # an import (which prunes and writes snapshots) leaves them alone too
    h = runlog.read_history([data_dir / GPX], cache=tmp_path / "cache", workers=1, progress=False)
    assert len(h.runs) == 1 and sorted(p.name for p in mine.iterdir()) == sorted(names)  # no snapshot written there
    assert all((mine / n).read_text() == "the runner's own file" for n in names)


def test_pruning_never_follows_a_symlinked_entry_folder(tmp_path):
    mine, names = _user_folder(tmp_path)
    store = ActivityCache(tmp_path / "cache")
    (store.root / "cd").symlink_to(mine, target_is_directory=True)
    assert store.prune_temp(max_age_s=0) == 0 and store.clear() == 0
    assert sorted(p.name for p in mine.iterdir()) == sorted(names)
    # nor is a stale generation that holds a link (or anything runlog does not write) deleted
    old = tmp_path / "cache" / "v0-0123456789abcdef"
    (old / "ab").mkdir(parents=True)
    (old / "ab" / "cd").symlink_to(mine, target_is_directory=True)
    _age(old)
    ActivityCache(tmp_path / "cache", keep_days=30)
    assert old.exists() and sorted(p.name for p in mine.iterdir()) == sorted(names)


def test_pruning_deletes_only_runlogs_own_snapshot_files(tmp_path, data_dir):
    c = tmp_path / "cache"
    runlog.read_history([data_dir / GPX], cache=c, workers=1, progress=False)
    store = ActivityCache(c)
    ours = sorted(store.history_dir.iterdir())
    assert len(ours) == 6  # the manifest, 4 frames and a record segment
    scope = next(p.stem for p in ours if p.suffix == ".json")
    foreign = [store.history_dir / "notes.json", store.history_dir / f"{scope}-my-copy.txt",
               store.history_dir / ("ef" * 32 + ".json")]   # named like a manifest, but no runlog manifest
    for p in foreign:
        p.write_text("{}")
    for p in [*ours, *foreign]:
        _age(p)
    assert store.prune_snapshots(keep_days=30) == 1
    assert sorted(store.history_dir.iterdir()) == sorted(foreign)


@pytest.mark.parametrize("raise_errors", [True, False])
def test_an_interrupted_write_leaves_no_temporary_file(tmp_path, raise_errors):
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    target.write_text("the old report")

    def interrupted(fh):
        fh.write(b"half a page")
        raise KeyboardInterrupt   # Ctrl-C in the middle of the write

    with pytest.raises(KeyboardInterrupt):
        cache_mod.atomic_write(target, interrupted, raise_errors=raise_errors)
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]
    assert target.read_text() == "the old report"


def test_answers_are_remembered_as_stored_and_only_the_latest_kept(tmp_path):
    store = ActivityCache(tmp_path)
    frame = pd.DataFrame({"other": [True, False], "posterior": [0.97, np.nan], "how": ["pattern", ""]},
                         index=pd.Index(["a", "b"], name="run_id"))
    assert store.get_answer("others", "0" * 64) is None
    assert store.put_answer("others", "0" * 64, frame)
    pd.testing.assert_frame_equal(store.get_answer("others", "0" * 64), frame)
    # a kind or key runlog would not name is refused, never a path outside the folder
    for kind, key in (("../x", "0" * 64), ("others", "0" * 63), ("Others", "0" * 64)):
        with pytest.raises(ValueError):
            store.get_answer(kind, key)
    # at most MAX_ANSWERS of a kind: the least recently used go, other kinds untouched
    assert store.put_answer("features", "f" * 64, frame)
    keys = [f"{i:064x}" for i in range(1, ActivityCache.MAX_ANSWERS + 2)]
    for age, key in enumerate(keys):
        assert store.put_answer("others", key, frame)
        t = time.time() - 1000 + age   # written in this order
        os.utime(store.answer_dir / f"others-{key}.arrow", (t, t))
    os.utime(store.answer_dir / f"others-{'0' * 64}.arrow")   # read just now: kept
    store.put_answer("others", keys[-1], frame)
    left = sorted(p.name for p in store.answer_dir.iterdir())
    assert len([n for n in left if n.startswith("others-")]) == ActivityCache.MAX_ANSWERS
    assert f"others-{'0' * 64}.arrow" in left and f"features-{'f' * 64}.arrow" in left
    assert f"others-{keys[0]}.arrow" not in left and f"others-{keys[1]}.arrow" not in left
    # a torn answer is a miss and is deleted
    torn = store.answer_dir / f"others-{keys[-1]}.arrow"
    torn.write_bytes(torn.read_bytes()[:100])
    assert store.get_answer("others", keys[-1]) is None and not torn.exists()
