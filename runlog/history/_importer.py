"""The import run: a folder, a bulk export or a list of files -> :class:`~runlog.history.History`.

:func:`read_history` enumerates the files (:class:`_Scan`), answers what it
can from the cache, hands the rest to worker processes (:class:`_Runner`,
running :func:`runlog.history.decode_file`) and keeps the state of the run in
one :class:`_ImportRun`; the outcomes are then assembled: errors, skipped
files, de-duplication (:mod:`runlog.history._dedup`), run ids and export metadata.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import os
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..errors import FileFormatError
from ..io import Activity, exports
from ._cache import ActivityCache, DigestIndex, content_digest, resolve_cache, stat_signature, store_entry
from ._decode import Outcome, decode_file, gc_paused
from ._dedup import deduplicate, renamed
from ._history import ERROR_COLUMNS, SKIPPED_COLUMNS, History, rows_frame, trim_heap

__all__ = ["read_history"]


# ------------------------------------------------------------------- sources
class _Item(NamedTuple):
    source: str
    data: bytes | None
    error: str | None
    digest: str | None = None  # known from the digest index: data not read yet
    signature: list | None = None  # stat signature of a plain file


def _read_file(path: str) -> tuple[bytes | None, str | None]:
    """A user file's bytes (read only), or an error row's reason."""
    from ..io import MAX_FILE_BYTES, open_user_file

    try:
        with open_user_file(path) as fh:  # pipes, sockets, devices and broken links are refused, never read
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileFormatError as exc:
        return None, exc.reason
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    if len(data) > MAX_FILE_BYTES:
        return None, f"is larger than {MAX_FILE_BYTES // 2**20} MiB; not an activity file"
    return data, None


class _Scan:
    """The files behind a ``read_history`` source, enumerated lazily."""

    def __init__(self, source):
        self.plan: list[tuple[str, str]] = []  # (kind, path): kind in 'file', 'zip', 'missing'
        self.metadata: list[pd.DataFrame] = []
        self.errors: list[tuple[str, str]] = []
        self.total = 0
        self.on_more = None
        self.roots: list[str] = []  # the sources as given, absolute: what a snapshot's scope is
        # absolute paths: the sources in the frames (and in the cache's snapshots) name the same
        # file whichever working folder an import is run from
        if isinstance(source, (str, os.PathLike)):
            p = Path(os.path.abspath(Path(source).expanduser()))
            if p.is_symlink() and not p.exists():
                raise FileFormatError(_read_file(str(p))[1], p)  # its reason: a broken link
            if not p.exists():
                raise FileFormatError("no such file or folder; check the path", p)
            self.roots.append(str(p))
            self._add(p)
        else:
            seen = set()
            for s in source:
                p = Path(os.path.abspath(Path(s).expanduser()))
                key = str(p)
                if key not in seen:
                    seen.add(key)
                    self.roots.append(key)
                    self._add(p)

    def _add(self, p: Path) -> None:
        if not p.exists() and not p.is_symlink():
            self.plan.append(("missing", str(p)))
            self.total += 1
        elif p.is_dir():
            self._add_folder(p)
        elif p.is_file() and (p.suffix.lower() == ".zip" or (not exports.is_activity_name(p.name)
                                                             and zipfile.is_zipfile(p))):
            self.plan.append(("zip", str(p)))
            try:
                with exports.open_export(p) as zf:
                    n_act, n_zip = exports.count_activity_members(zf)
                self.total += n_act + n_zip
            except (zipfile.BadZipFile, OSError):
                self.total += 1  # reported when read
        else:  # a file; a broken link, pipe, socket or device becomes an error row when read
            self.plan.append(("file", str(p)))
            self.total += 1

    def _add_folder(self, folder: Path) -> None:
        """Activity files anywhere below *folder* (sorted, symlinked folders not
        followed) and any Strava ``activities.csv`` (an unzipped export).  Zip
        archives inside the folder are not opened: pass them explicitly."""
        files = []
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            for n in sorted(names):
                if exports.is_activity_name(n):
                    files.append(os.path.join(root, n))
                elif n.lower() == "activities.csv":
                    self._add_metadata(Path(root) / n)
        self.plan.extend(("file", f) for f in files)
        self.total += len(files)

    def _add_metadata(self, csv_path: Path) -> None:
        from ..io import open_user_file

        try:
            with open_user_file(csv_path) as fh:
                self.metadata.append(exports.read_strava_csv(fh.read(exports.MAX_METADATA_BYTES), str(csv_path)))
        except FileFormatError as exc:
            self.errors.append((str(csv_path), exc.reason))
        except OSError as exc:
            self.errors.append((str(csv_path), f"cannot be read ({exc.strerror or exc})"))

    def items(self, index: DigestIndex | None = None) -> Iterator[_Item]:
        """The files, read lazily.  With a digest index, an unchanged file is not
        read: its item carries the remembered digest instead of the data."""
        for kind, path in self.plan:
            if kind == "missing":
                yield _Item(path, None, "no such file or folder; check the path")
            elif kind == "file":
                sig = None
                if index is not None:
                    try:
                        sig = stat_signature(os.stat(path))
                    except OSError:
                        sig = None
                    digest = index.lookup(path, sig) if sig is not None else None
                    if digest is not None:
                        yield _Item(path, None, None, digest, sig)
                        continue
                data, err = _read_file(path)
                yield _Item(path, data, err, None, sig)
            else:
                yield from self._zip_items(path)

    def _zip_items(self, path: str) -> Iterator[_Item]:
        try:
            zf = exports.open_export(path)
        except (zipfile.BadZipFile, OSError) as exc:
            yield _Item(path, None, f"is not a readable zip archive ({exc}); download the export again")
            return
        with zf:
            meta, err = exports.read_metadata_member(zf, path)
            if meta is not None:
                self.metadata.append(meta)
            if err is not None:
                self.errors.append(err)

            def grow(n):
                if self.on_more is not None:
                    self.on_more(n - 1)  # the nested archive itself was counted as one

            for m in exports.iter_zip(zf, path, on_nested=grow):
                yield _Item(m.source, m.data, m.error)


# ------------------------------------------------------------------- running
class _Runner:
    """Where decode tasks run: in-process (workers=1), an own process pool, or the caller's executor."""

    def __init__(self, workers, executor):
        self.executor = executor
        self.workers = (os.cpu_count() or 1) if workers is None else int(workers)
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1 (got {workers}); use workers=1 to decode in this process")
        self.pool = None
        self.generation = 0
        n = getattr(executor, "_max_workers", None) or self.workers
        self.max_pending = 2 * int(n) + 2

    @property
    def inline(self) -> bool:
        return self.executor is None and self.workers == 1

    def submit(self, fn, *args) -> tuple[cf.Future, int]:
        if self.inline:
            fut: cf.Future = cf.Future()
            try:
                fut.set_result(fn(*args))
            except Exception as exc:  # decode_file never raises; kept for safety
                fut.set_exception(exc)
            return fut, self.generation
        if self.executor is not None:
            return self.executor.submit(fn, *args), self.generation
        if self.pool is None:
            self.pool = cf.ProcessPoolExecutor(max_workers=self.workers)
        return self.pool.submit(fn, *args), self.generation

    def reset(self, generation: int) -> bool:
        """Replace a broken own pool (once per breakage); False when it cannot be replaced."""
        if self.executor is not None:
            return False
        if generation == self.generation and self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
            self.generation += 1
        return True

    @staticmethod
    def isolate(tasks, tz):
        """Decode the tasks that were in a pool when a worker process died, one at a
        time in a one-worker pool, so only the file that kills a worker is blamed.

        Yields
        ------
        (task, Outcome)
        """
        pool = None
        try:
            for task in tasks:
                if pool is None:
                    pool = cf.ProcessPoolExecutor(max_workers=1)
                try:
                    out = pool.submit(decode_file, task.source, task.data, tz).result()
                except cf.BrokenExecutor as exc:
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = None
                    out = Outcome("error", [], f"the worker process decoding it crashed ({exc}); the file may "
                                               "be damaged in a way the decoder cannot handle",
                                  cacheable=False)
                yield task, out
        finally:
            if pool is not None:
                pool.shutdown(wait=True)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class _Task(NamedTuple):
    key: str
    source: str
    data: bytes
    generation: int
    stores: bool = False  # the task writes the file's cache entry itself (_decode_and_store)


def _decode_and_store(source: str, data: bytes, tz, entry: str, key: str) -> tuple[Outcome, bool]:
    """The task of an import's own workers: :func:`~runlog.history.decode_file`, then the file's cache
    entry written where it was decoded (in parallel, instead of by the importing process).

    Returns
    -------
    (Outcome, bool)
        The outcome, and whether its entry was written.
    """
    out = decode_file(source, data, tz)
    return out, store_entry(entry, key, out)


def _with_source(outcome: Outcome, source: str) -> Outcome:
    """The same outcome for an identical file found under another name."""
    if outcome.kind != "ok":
        return outcome
    acts = []
    for a in outcome.activities:
        info = a.info.copy()
        info["source"] = source
        acts.append(Activity(a.records, a.laps, info))
    summaries = None if outcome.summaries is None else [{**s, "source": source} for s in outcome.summaries]
    return outcome._replace(activities=acts, summaries=summaries)


class _NoBar:
    """What the import calls on a progress bar, doing nothing (``progress=False``: tqdm is not even imported)."""

    total = 0

    def update(self, n: int = 1) -> None:
        pass

    def refresh(self) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, enabled: bool):
    """A ``tqdm.auto`` bar: a widget in Jupyter (with ipywidgets), text elsewhere."""
    if not enabled:
        return _NoBar()
    from tqdm import TqdmWarning

    with warnings.catch_warnings():
        # Jupyter without ipywidgets: tqdm.auto falls back to the text bar; its
        # "IProgress not found" warning would only clutter the notebook.
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, unit="file", desc="runlog: reading activities",
                dynamic_ncols=True, leave=True)


class _ImportRun:
    """The state of one import: decodes in flight, sources waiting for them, outcomes found.

    Attributes
    ----------
    results : list of (source, Outcome)
        One per file, in the order they were settled.
    pending : dict
        Future -> :class:`_Task` of the decodes in flight.
    waiting : dict
        Cache key -> sources sharing an in-flight decode (identical files).
    done : dict
        Cache key -> Outcome of the files settled so far.
    suspects : list of _Task
        Tasks lost with a crashed worker process, decoded again one by one.
    """

    def __init__(self, store: ActivityCache | None, runner: _Runner, bar, tz):
        self.store, self.runner, self.bar, self.tz = store, runner, bar, tz
        self.index = store.digests if store is not None else None
        self.results: list[tuple[str, Outcome]] = []
        self.pending: dict[cf.Future, _Task] = {}
        self.waiting: dict[str, list[str]] = {}
        self.done: dict[str, Outcome] = {}
        self.suspects: list[_Task] = []

    def run(self, scan: _Scan) -> list[tuple[str, Outcome]]:
        """Settle every file of *scan*; the (source, Outcome) pairs."""
        try:
            for item in scan.items(self.index):
                self.add(item)
                while len(self.pending) >= self.runner.max_pending:
                    self.wait()
            while self.pending:
                self.wait()
            for task, out in self.runner.isolate(self.suspects, self.tz):
                self.finish(task, out)
        finally:
            self.runner.close()
            self.bar.close()
            if self.index is not None:
                self.index.save()
        return self.results

    def add(self, item: _Item) -> None:
        """Settle *item* from this import or the cache, or submit its decode."""
        data, digest = item.data, item.digest
        if digest is not None:  # unchanged file known to the digest index: not read
            if self.settled(item.source, ActivityCache.key(digest, self.tz)):
                return
            data, err = _read_file(item.source)  # its entry is gone: read it after all
            item = item._replace(error=err)
        if item.error is not None:
            self.results.append((item.source, Outcome("error", [], item.error, cacheable=False)))
            self.bar.update(1)
            return
        assert data is not None  # no error: the item's bytes (read above when only its digest was known)
        digest = content_digest(data)
        if self.index is not None and item.signature is not None:
            self.index.remember(item.source, item.signature, digest)
        key = ActivityCache.key(digest, self.tz)
        if self.settled(item.source, key):
            return
        self.waiting[key] = [item.source]
        if self.store is not None and self.runner.executor is None:  # our own workers write the entries
            fut, gen = self.runner.submit(_decode_and_store, item.source, data, self.tz,
                                          str(self.store.path(key)), key)
        else:  # a caller's executor may run elsewhere: the entry is written here
            fut, gen = self.runner.submit(decode_file, item.source, data, self.tz)
        self.pending[fut] = _Task(key, item.source, data, gen, self.store is not None and self.runner.executor is None)

    def settled(self, source: str, key: str) -> bool:
        """Settle *source* from an in-flight decode, this import or the cache; True if done."""
        if key in self.waiting:
            self.waiting[key].append(source)
            return True
        if key in self.done:
            self.results.append((source, _with_source(self.done[key], source)))
        else:
            hit = self.store.get(key, source) if self.store is not None else None
            if hit is None:
                return False
            self.done[key] = hit
            self.results.append((source, hit))
        self.bar.update(1)
        return True

    def wait(self) -> None:
        """Wait for at least one decode in flight and collect every finished one."""
        finished, _ = cf.wait(list(self.pending), return_when=cf.FIRST_COMPLETED)
        for fut in finished:
            self.collect(fut)

    def collect(self, fut: cf.Future) -> None:
        """The outcome of a finished decode (a crashed worker's task becomes a suspect)."""
        task = self.pending.pop(fut)
        stored = False
        try:
            out = fut.result()
            if task.stores:
                out, stored = out
        except cf.BrokenExecutor as exc:
            # A worker died (crash, out of memory): every task in that pool fails.
            # Own pool: replace it and decode those files again one by one at the end.
            if self.runner.reset(task.generation):
                self.suspects.append(task)
                return
            out = Outcome("error", [], f"the worker process decoding it stopped abruptly ({exc}); "
                                       "re-run with workers=1 to see whether this file is the cause",
                          cacheable=False)
        except Exception as exc:  # e.g. a remote executor failing to run the task
            out = Outcome("error", [], f"unexpected {type(exc).__name__} in the worker ({exc})",
                          cacheable=False)
        if not isinstance(out, Outcome):  # a foreign executor returning plain tuples
            out = Outcome(*out)
        self.finish(task, out, stored if task.stores else None)

    def finish(self, task: _Task, out: Outcome, stored: bool | None = None) -> None:
        """Record a decode's outcome for every source waiting for it (and in the cache).

        *stored*: whether the task wrote the cache entry itself (None: it did not try, so it is written here).
        """
        if self.store is not None:
            if stored is None:
                self.store.put(task.key, out)
            elif stored:
                self.store.writes += 1
        self.done[task.key] = out
        for src in self.waiting.pop(task.key):
            self.results.append((src, out if src == task.source else _with_source(out, src)))
            self.bar.update(1)


def read_history(source, *, cache=True, workers=None, executor=None, progress=True, tz=None) -> History:
    """Read a runner's whole history: a folder, a Strava/Garmin bulk export or a list of files.

    Parameters
    ----------
    source : str, PathLike or list of them
        * a folder, searched recursively for ``*.fit``, ``*.gpx``, ``*.tcx``
          and their ``.gz`` (any letter case); an ``activities.csv`` at its
          top (an unzipped Strava export) adds names, descriptions and gear;
        * a ``.zip`` bulk export: Strava's (``activities/*`` and
          ``activities.csv``) or Garmin's account export (activity files in
          nested ``*.zip`` archives, followed one level); read in memory,
          never extracted (see :mod:`runlog.io.exports` for the safety limits);
        * a list of files, folders and exports.
    cache : bool or str or PathLike, default True
        Cache decoded files as Parquet (:mod:`runlog.history._cache`) in
        ``$RUNLOG_CACHE_DIR`` or ``platformdirs.user_cache_dir('runlog')``;
        a path puts the cache there; False turns it off.
    workers : int, optional
        Worker processes decoding files (default: all cores).  ``workers=1``
        decodes in this process without a pool.
    executor : concurrent.futures.Executor, optional
        Decode on this executor instead (e.g. a thread pool, or
        ``dask.distributed.Client(...).get_executor()``); tasks are the
        picklable :func:`decode_file` with the file's bytes.  Not shut down.
    progress : bool, default True
        Show a ``tqdm.auto`` progress bar (terminal or Jupyter).
    tz : str, optional
        Time zone for every activity (IANA name or ``'+02:00'``), overriding
        the one found in the files.

    Returns
    -------
    History
        ``runs``, ``records``, ``laps``; ``errors`` (``path``, ``reason``:
        files not read; an import never stops on a bad file) and ``skipped``
        (``path``, ``reason``, ``run_id``, ``kept``: non-activity files and
        duplicate copies of an activity: the richest copy is kept, see
        :func:`deduplicate`).  Sessions of multisport/chained files are runs
        of their own; same-minute run ids get ``-2``, ``-3`` suffixes.  Every
        path (``runs["source"]``, ``errors``, ``skipped``) is absolute, whatever
        the working folder.

    Raises
    ------
    FileFormatError
        *source* (a single path) does not exist.
    ValueError
        ``workers < 1``.

    Notes
    -----
    User files are only read.  Files are read and hashed (SHA-256) in this
    process; cache misses are decoded by the workers, at most ``2 * workers
    + 2`` at a time, so memory stays bounded for large exports.  Identical
    files (same content) are decoded once.  With a cache, a plain file whose
    size, modification/change times and inode are unchanged since the last
    import is not even read: its digest comes from the cache's
    :class:`~runlog.history.DigestIndex`; and when *every* file of a folder or
    list is unchanged, the whole History comes from the snapshot written by
    the previous import of that folder or list
    (:meth:`~runlog.history.ActivityCache.get_manifest`), without reading the
    per-file entries.  When files were only added to it, only they are read
    and decoded and merged into the snapshot's frames (the same frames as a
    full import: a new activity that overlaps or starts in the same minute
    as one already imported makes it a full import from the entries).  An
    import writes no fsync per file: its one durable commit is the
    snapshot's manifest (an import killed at any moment leaves frames that
    the next import recovers identically).  A worker process that dies (crash,
    out of memory) takes its pool's tasks with it; those files are then
    decoded again one at a time so that only the culprit becomes an error.
    In threads (``executor=ThreadPoolExecutor``) the readers' warnings
    (e.g. :class:`~runlog.errors.TruncatedFileWarning`) are shown; elsewhere
    they are silenced, the ``truncated`` column carrying the information.

    Examples
    --------
    >>> import runlog
    >>> h = runlog.read_history("~/Downloads/export_12345678.zip")  # doctest: +SKIP
    >>> h.summary()  # doctest: +SKIP
    >>> h.skipped  # duplicates and non-activity files  # doctest: +SKIP
    """
    # The cyclic collector paused for the whole import in this process (gc_paused, as in every decode):
    # the activities collected so far are all reachable, so its full collections, each scanning all of
    # them, found nothing to free and grew with the history (at 3,000 FIT runs 6 of them took 1.2 s,
    # 6 % of a one-worker import, and made it grow faster than the runs).  It resumes at the end.
    with gc_paused():
        return _read_history(source, cache, workers, executor, progress, tz)


def _read_history(source, cache, workers, executor, progress, tz) -> History:
    """:func:`read_history`'s work (its arguments as given)."""
    store = resolve_cache(cache)
    scan = _Scan(source)
    snap = _Snapshot.find(scan, store, tz)
    if snap is not None and snap.fresh:  # nothing changed since the last import: one read, no assembly
        history = snap.load()
        if history is not None:
            return history
    runner = _Runner(workers, executor)
    if snap is not None and snap.added:  # runs were only added: the snapshot + their decode
        history = snap.add(runner, progress)
        if history is not None:
            return history
    if store is not None:
        store.prune_temp()  # what killed imports left (a full import only: it scans every entry folder)
    bar = _progress_bar(scan.total, progress)

    def grow(n):
        bar.total = (bar.total or 0) + n
        bar.refresh()

    scan.on_more = grow
    results = _ImportRun(store, runner, bar, tz).run(scan)
    history, acts = _assemble(results, scan)
    cacheable = all(out.cacheable for _src, out in results)
    del results  # the activities' own records, as large as History.records: freed before the snapshot is written
    trim_heap()
    if snap is not None and cacheable:
        snap.save(history, acts)
    return history


def _scope_key(scan: _Scan, tz) -> str:
    """What an import reads (its sources, absolute, and *tz*): the name of its snapshot."""
    h = hashlib.sha256(b"runlog-history-scope-1\0")
    h.update(repr((scan.roots, tz)).encode())
    return h.hexdigest()


def _content_key(scan: _Scan, store: ActivityCache, tz) -> tuple[str, dict[str, str]] | None:
    """Key of the state of every file of *scan*, and each file's cache entry key; None when unknown.

    The hash of every (path, cache entry key) pair, the export metadata and
    the scan's own errors: any new, removed or changed file gives another
    key.  None unless every file is unchanged since it was last hashed
    (:class:`~runlog.history.DigestIndex`).
    """
    h = hashlib.sha256(b"runlog-history-snapshot-1\0")
    files = {}
    for _kind, path in sorted(scan.plan):
        try:
            digest = store.digests.lookup(path, stat_signature(os.stat(path)))
        except OSError:
            return None
        if digest is None:
            return None
        path = os.path.abspath(path)
        files[path] = ActivityCache.key(digest, tz)
        h.update(f"{path}\0{files[path]}\n".encode())
    for meta in scan.metadata:
        h.update(repr(list(meta.columns)).encode())
        h.update(pd.util.hash_pandas_object(meta, index=True).to_numpy().tobytes())
    for path, reason in scan.errors:
        h.update(f"{path}\0{reason}\n".encode())
    return h.hexdigest(), files


class _Snapshot:
    """The whole-history snapshot of one import scope: find it, answer from it, extend it, save it.

    Only a source made of plain files (folders, lists; not zip exports, whose
    members must be read anyway) has one.  The manifest
    (:meth:`~runlog.history.ActivityCache.get_manifest`) also lists every
    file's cache entry key and every activity read (kept or dropped as a
    duplicate: its source, session, first and last record time and run id),
    which is what tells whether new files can simply be added.

    Attributes
    ----------
    fresh : bool
        Every file is unchanged since the snapshot: it is the answer.
    added : list of str
        The files new since the snapshot, when the import only adds files to
        it (none removed or changed, no export metadata); else empty.
    """

    def __init__(self, store: ActivityCache, scan: _Scan, tz, manifest: dict | None):
        self.store, self.scan, self.tz, self.manifest = store, scan, tz, manifest
        self.scope = _scope_key(scan, tz)
        known = _content_key(scan, store, tz) if manifest is not None else None
        self.fresh = manifest is not None and known is not None and known[0] == manifest.get("key")
        self.added: list[str] = []
        if manifest is not None and not self.fresh and manifest.get("addable") \
                and not scan.metadata and not scan.errors:
            self.added = self._added()

    @classmethod
    def find(cls, scan: _Scan, store: ActivityCache | None, tz) -> _Snapshot | None:
        if store is None or not scan.plan or any(kind != "file" for kind, _path in scan.plan):
            return None
        return cls(store, scan, tz, store.get_manifest(_scope_key(scan, tz)))

    def _added(self) -> list[str]:
        """The new files when every file of the snapshot is still there unchanged; else []."""
        assert self.manifest is not None  # called only when there is one
        old = self.manifest.get("files") or {}
        paths = {os.path.abspath(p) for _kind, p in self.scan.plan}
        if not old or not set(old) <= paths:
            return []
        for path, key in old.items():
            try:
                digest = self.store.digests.lookup(path, stat_signature(os.stat(path)))
            except OSError:
                return []
            if digest is None or ActivityCache.key(digest, self.tz) != key:
                return []
        return sorted(paths - set(old))

    def load(self) -> History | None:
        """The snapshot's History, or None when a file of it is missing or damaged."""
        assert self.manifest is not None  # fresh
        frames = self.store.get_snapshot_frames(self.manifest)
        if frames is None:
            return None
        records = self.store.get_snapshot_records(self.manifest, frames["runs"].index)
        if records is None:
            return None
        self.store.touch_snapshot(self.scope)
        return History(records=records, **frames)

    def add(self, runner: _Runner, progress: bool) -> History | None:
        """The History with the :attr:`added` files decoded and merged in; None to import in full.

        Identical to a full import: the new activities are assembled alone
        (errors, skipped files, de-duplication, run ids), which is the same
        as assembling everything when none of them overlaps (or shares a
        start minute with) an activity of the snapshot; otherwise None.
        """
        assert self.manifest is not None  # added is empty without one
        sub = _Scan(self.added)
        bar = _progress_bar(sub.total, progress)
        results = _ImportRun(self.store, runner, bar, self.tz).run(sub)
        if not all(out.cacheable for _src, out in results):
            return None
        delta, acts = _assemble(results, sub)
        old_acts = self.manifest["activities"]
        if _interacts(acts, old_acts):
            return None
        frames = self.store.get_snapshot_frames(self.manifest)
        if frames is None:
            return None
        merged = _merge(frames, delta, old_acts + acts)
        records = self.store.get_snapshot_records(self.manifest, merged["runs"].index, extra=delta.records)
        if records is None:
            return None
        history = History(records=records, **merged)
        self.save(history, old_acts + acts, added=delta.records)
        return history

    def save(self, history: History, acts: list, added: pd.DataFrame | None = None) -> bool:
        """Write *history* as the scope's snapshot (*added*: only these records are new)."""
        known = _content_key(self.scan, self.store, self.tz)
        if known is None:
            return False
        key, files = known
        extra = {"files": files, "activities": acts, "addable": not self.scan.metadata and not self.scan.errors}
        base = self.manifest if added is not None else None
        return self.store.put_snapshot(self.scope, key, history, extra=extra, base=base, added=added)


#: Columns of an activity row in a snapshot manifest (see :class:`_Snapshot`).
_ACT_SOURCE, _ACT_SESSION, _ACT_FIRST, _ACT_LAST, _ACT_BASE_ID, _ACT_RUN_ID = range(6)


def _interacts(new: list, old: list) -> bool:
    """True when a new activity's time span touches an old one's, or they share a start minute (run id).

    Only then can de-duplication or the same-minute run id suffixes tie a
    new activity to an old one.
    """
    if not new or not old:
        return False
    first = np.array([a[_ACT_FIRST] for a in old], dtype="int64")
    last = np.array([a[_ACT_LAST] for a in old], dtype="int64")
    ids = {a[_ACT_BASE_ID] for a in old}
    return any(a[_ACT_BASE_ID] in ids or bool(np.any((first <= a[_ACT_LAST]) & (a[_ACT_FIRST] <= last)))
               for a in new)


def _sorted_rows(frames: list[pd.DataFrame], cols: list[str]) -> pd.DataFrame:
    """The rows of *frames* sorted as :func:`~runlog.history.rows_frame` sorts them."""
    df = pd.concat([f[cols] for f in frames], ignore_index=True)
    rows = df.astype(object).where(df.notna(), None).to_dict("records")
    return rows_frame(rows, cols)


def _merge(old: dict[str, pd.DataFrame], new: History, acts: list) -> dict[str, pd.DataFrame]:
    """The small frames of a History: a snapshot's (*old*) with *new* files' merged in.

    As :func:`_assemble` would build them from all files: runs by start time,
    laps in the start order of their runs, errors and skipped rows sorted.
    """
    runs = old["runs"] if not len(new.runs) else new.runs if not len(old["runs"]) else \
        pd.concat([old["runs"], new.runs]).sort_values("start_time", kind="stable")
    if not len(new.laps):
        laps = old["laps"]
    elif not len(old["laps"]):
        laps = new.laps
    else:  # the activities' start order, as _assemble concatenates them
        order = sorted((a[_ACT_FIRST], a[_ACT_SOURCE], a[_ACT_SESSION], a[_ACT_RUN_ID])
                       for a in acts if a[_ACT_RUN_ID] is not None)
        rank = {rid: i for i, (*_k, rid) in enumerate(order)}
        laps = pd.concat([old["laps"], new.laps], ignore_index=True)
        laps = laps.iloc[np.argsort(laps["run_id"].map(rank).to_numpy(), kind="stable")].reset_index(drop=True)
    errors = _sorted_rows([old["errors"], new.errors], ERROR_COLUMNS)
    parts = [old["skipped"], new.skipped]
    other = _sorted_rows([p[p["kept"].isna()] for p in parts], SKIPPED_COLUMNS)
    dups = [p[p["kept"].notna()] for p in parts]
    skipped = pd.concat([other, _sorted_rows(dups, SKIPPED_COLUMNS)], ignore_index=True) \
        if sum(map(len, dups)) else other
    return {"runs": runs, "laps": laps, "errors": errors, "skipped": skipped}


def _assemble(results: list[tuple[str, Outcome]], scan: _Scan) -> tuple[History, list]:
    """Errors, skipped files, de-duplication, run ids and export metadata -> History.

    Also one row per activity read (kept or dropped): source, session, first
    and last record time [ns since the epoch], run id as read and as kept
    (None when dropped), for the snapshot manifest (:class:`_Snapshot`).
    """
    results = sorted(results, key=lambda r: r[0])
    errors = [{"path": p, "reason": r} for p, r in scan.errors]
    skipped: list[dict] = []
    acts: list[Activity] = []
    summary_of: dict[int, dict] = {}
    for src, out in results:
        if out.kind == "ok":
            acts.extend(out.activities)
            if out.summaries is not None:
                summary_of.update((id(a), s) for a, s in zip(out.activities, out.summaries))
        elif out.kind == "skipped":
            skipped.append({"path": src, "reason": f"not an activity: {out.reason}", "run_id": None,
                            "kept": None})
        else:
            errors.append({"path": src, "reason": out.reason})
    kept, dups = deduplicate(acts)
    pairs = renamed(kept)
    kept = [new for _old, new in pairs]
    summaries = None
    if all(id(old) in summary_of for old, _new in pairs):
        summaries = [{**summary_of[id(old)], "run_id": new.run_id} for old, new in pairs]
    skipped_df = pd.concat([rows_frame(skipped, SKIPPED_COLUMNS), dups], ignore_index=True) if len(dups) \
        else rows_frame(skipped, SKIPPED_COLUMNS)
    metadata = _metadata(kept, dups, scan.metadata)
    final = {id(old): new.run_id for old, new in pairs}
    rows = []
    for a in acts:
        t = a.records.index.asi8
        rows.append([str(a.info.get("source")), int(a.info.get("session") or 1), int(t[0]), int(t[-1]),
                     a.run_id, final.get(id(a))])
    # the records are held once at the peak: the read activities let go of theirs (the kept ones, copies
    # with the final run ids, still hold them) and the kept ones as they are stacked
    keep = {id(a) for a in kept}
    for a in acts:
        if id(a) not in keep:
            a.records = a.records.iloc[:0].copy()
    history = History.from_activities(kept, errors=rows_frame(errors, ERROR_COLUMNS), skipped=skipped_df,
                                      metadata=metadata, summaries=summaries, release_records=True)
    return history, rows


def _metadata(kept: list[Activity], dups: pd.DataFrame, tables: list[pd.DataFrame]) -> pd.DataFrame | None:
    """Export metadata (Strava name, description, gear) per kept run_id, joined by file name.

    A dropped duplicate's metadata goes to the copy kept instead when that
    copy has none of its own.
    """
    if not tables:
        return None
    table = pd.concat(tables)
    table = table[~table.index.duplicated(keep="first")]
    by_source: dict[str, list[str]] = {}
    for a in kept:
        by_source.setdefault(str(a.info.get("source")), []).append(a.run_id)
    rows = {}
    for a in kept:
        k = exports.metadata_key(str(a.info.get("source")))
        if k in table.index:
            rows[a.run_id] = table.loc[k]
    for path, kept_src in zip(dups["path"].tolist(), dups["kept"].tolist()):
        k = exports.metadata_key(str(path))
        if k in table.index:
            for rid in by_source.get(str(kept_src), []):
                rows.setdefault(rid, table.loc[k])
    if not rows:
        return None
    out = pd.DataFrame.from_dict(rows, orient="index").astype("string")
    out.index.name = "run_id"
    return out
