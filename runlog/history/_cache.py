"""On-disk cache of decoded activity files (Arrow IPC), so a re-import is fast.

One cache entry per activity *file*, holding all of its sessions: the records
of every session in one Arrow table (column ``session`` = position in the
file, ``time`` = UTC sample time, then :data:`runlog.schema.RECORD_COLUMNS`
in their dtypes, NaN as a value), written as an Arrow IPC file (LZ4), and the
sessions' ``info`` and ``laps`` as JSON in the table's key-value metadata.
Files that could not be read are cached too (an empty table whose metadata
holds the outcome and reason), so a re-import does not decode them again.

Entries are keyed by the SHA-256 of the file's *content* (not its name or
date: renaming or moving a file keeps its entry) together with
:data:`READER_VERSION`, a fingerprint of the reader source code and the
``tz`` argument.  A reader change therefore never serves stale results.

Entries are written atomically: the table goes to a temporary file
(``.tmp-*``) in the cache folder, which is then renamed over the entry name
with :func:`os.replace`.  A process killed mid-write leaves at most a
temporary file, never read as an entry (and removed by
:meth:`ActivityCache.prune_temp`).  Entries are not fsync'ed one by one (that
was a tenth of a cold import): they carry a CRC-32 of their values instead,
so an entry that a power loss left empty or torn fails its read.  An entry that
cannot be read back or does not match its key (a damaged disk, a foreign
file) is deleted and reported as a miss, so the file is decoded again.

A :class:`DigestIndex` beside the entries remembers each user file's digest
by its stat signature (size, mtime, ctime, inode), so a re-import does not
read unchanged files at all.  Each import of plain files (a folder, a list)
also leaves a whole-history *snapshot* (``histories/``, see
:meth:`ActivityCache.get_manifest`): the History's frames in a few Parquet
files named by a random token, and a JSON manifest naming them, written last
with the one fsync'ed atomic write of the import (with the digest index's).
When every file is unchanged the snapshot is the answer, one read instead of
one per file; when files were only added, the answer is the snapshot plus
the new files' decodes, and the new records become one more segment of it.

Beside them, ``answers/`` keeps small frames worked out from a History that
depend only on its content, so a later process need not work them out again
(:meth:`ActivityCache.get_answer`; the check for someone else's runs): keyed
by the caller from everything the answer depends on, written atomically, the
8 most recently used of a kind kept.

Location: :func:`default_cache_dir` (``platformdirs.user_cache_dir('runlog')``,
overridden by the environment variable ``RUNLOG_CACHE_DIR``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import tempfile
import time
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schema
from ..errors import RunlogWarning
from ..io import Activity
from ._decode import Outcome
from ._history import (
    RECORD_DTYPE_POSITIONS,
    empty_records,
    empty_small_pages,
    record_blocks,
    records_from_blocks,
    records_index,
)

__all__ = [
    "READER_VERSION", "CACHE_ENV", "ActivityCache", "DigestIndex", "default_cache_dir", "resolve_cache",
    "stat_signature", "atomic_write", "atomic_write_text",
    "content_digest", "reader_fingerprint", "encode_value", "decode_value", "records_runs", "store_entry",
]

#: Version of the decoded form; bump it whenever a reader's output changes
#: (the reader source fingerprint in the key catches unversioned edits too).
READER_VERSION = 3
#: Environment variable overriding the cache folder.
CACHE_ENV = "RUNLOG_CACHE_DIR"
#: Entry format written into every entry's metadata; entries of another format are misses
#: (2: Arrow IPC instead of Parquet, NaN stored as a value instead of null).
_ENTRY_FORMAT = 2
_META_KEY = b"runlog"
#: Modules whose source decides what a decoded activity looks like (and which copies are one activity).
_READER_MODULES = ("io", "schema.py", "geo.py", "history/_runs.py", "history/_dedup.py")


def content_digest(data: bytes) -> str:
    """SHA-256 of a file's content, hex.

    Parameters
    ----------
    data : bytes
        The file's content.

    Returns
    -------
    str
        64 hex digits.
    """
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=1)
def reader_fingerprint() -> str:
    """SHA-256 (first 16 hex digits) of the reader source files, or '' when they cannot be read.

    Part of every cache key, so editing a reader invalidates its entries even
    when :data:`READER_VERSION` was not bumped.
    """
    root = Path(__file__).resolve().parent.parent  # the runlog package
    h = hashlib.sha256()
    try:
        paths = []
        for name in _READER_MODULES:
            p = root / name
            paths.extend(sorted(p.glob("*.py")) if p.is_dir() else [p])
        for p in paths:
            h.update(p.name.encode())
            h.update(p.read_bytes())
    except OSError:
        return ""
    return h.hexdigest()[:16]


def default_cache_dir() -> Path:
    """``$RUNLOG_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir('runlog')``.

    Returns
    -------
    Path
        The cache folder (not created here).
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("runlog"))


def resolve_cache(cache) -> ActivityCache | None:
    """Turn ``read_history``'s *cache* argument into a cache (or None).

    Parameters
    ----------
    cache : bool, str, PathLike or ActivityCache
        True: :func:`default_cache_dir`; False/None: no cache; a path: that
        folder.

    Returns
    -------
    ActivityCache or None
        None also when the folder cannot be created (with a warning: the
        import then runs without a cache).
    """
    if cache is None or cache is False:
        return None
    if isinstance(cache, ActivityCache):
        return cache
    from_env = cache is True and bool(os.environ.get(CACHE_ENV))
    folder = default_cache_dir() if cache is True else Path(os.fspath(cache)).expanduser()
    try:
        return ActivityCache(folder)
    except OSError as exc:
        what = "is a file, not a folder" if folder.is_file() else f"cannot be used ({exc.strerror or exc})"
        fix = (f"set {CACHE_ENV} to a writable folder" if from_env
               else f"set {CACHE_ENV} or pass cache=<writable folder>")
        warnings.warn(f"{folder}{f' ({CACHE_ENV})' if from_env else ''}: {what}; cannot use as runlog cache, "
                      f"so nothing is cached (importing without a cache). To cache, {fix}.",
                      RunlogWarning, stacklevel=3)
        return None


# ----------------------------------------------------------------------------
# JSON encoding of info values (timestamps, numpy scalars, NaN).
# ----------------------------------------------------------------------------
def encode_value(v):
    """A JSON-able form of one ``Activity.info`` value (see :func:`decode_value`).

    Parameters
    ----------
    v : object
        An ``Activity.info`` value.

    Returns
    -------
    object
        None, bool, str, int or float as they are; a Timestamp as
        ``{"$ts": ns, "tz": zone}``; a non-finite float as ``{"$f": repr}``;
        anything else as its ``str``.
    """
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        t = pd.Timestamp(v)
        if pd.isna(t):
            return None
        return {"$ts": int(t.as_unit("ns").value), "tz": None if t.tz is None else str(t.tz)}
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return {"$f": repr(f)} if not math.isfinite(f) else f
    if v is pd.NA or v is pd.NaT:
        return None
    return str(v)


def decode_value(v):
    """Inverse of :func:`encode_value`.

    Parameters
    ----------
    v : object
        A value as stored by :func:`encode_value`.

    Returns
    -------
    object
        Timestamp (time zone-aware when it was), float (for non-finite
        numbers) or *v* itself.
    """
    if isinstance(v, dict):
        if "$ts" in v:
            t = pd.Timestamp(int(v["$ts"]), unit="ns")
            return t.tz_localize("UTC").tz_convert(v["tz"]) if v.get("tz") else t
        if "$f" in v:
            return float(v["$f"])
    return v


def _values_crc(codes, times, columns) -> int:
    """CRC-32 of an entry's session codes, times [ns] and record columns, as stored (int32, int64, float64).

    Parameters
    ----------
    codes, times : ndarray
        Session of each record, its time (datetime64[ns] or int64 ns).
    columns : sequence of ndarray
        The :data:`runlog.schema.RECORD_COLUMNS` values, in that order.

    Returns
    -------
    int
        ``zlib.crc32`` of the arrays' bytes, one after the other.
    """
    import zlib

    crc = zlib.crc32(np.ascontiguousarray(codes, dtype="int32").tobytes())
    crc = zlib.crc32(np.ascontiguousarray(np.asarray(times).view("int64")).tobytes(), crc)
    for c in columns:
        crc = zlib.crc32(np.ascontiguousarray(c, dtype="float64").tobytes(), crc)
    return crc


_RECORD_NAMES = pd.Index(list(schema.RECORD_COLUMNS))


def _encode_laps(laps: pd.DataFrame) -> dict:
    out: dict[str, list] = {}
    if not len(laps):
        return {name: [] for name in schema.LAP_COLUMNS}
    for name, col in schema.LAP_COLUMNS.items():
        s = laps[name]
        if col.dtype == schema.UTC_TIME:
            nat = np.iinfo(np.int64).min
            out[name] = [None if t == nat else t for t in s.array.as_unit("ns").asi8.tolist()]
        elif col.dtype == "string":
            out[name] = [None if x is None else str(x) for x in s.to_numpy(dtype=object, na_value=None).tolist()]
        elif col.dtype == "int64":
            out[name] = s.to_numpy(dtype="int64").tolist()
        else:
            vals = s.to_numpy(dtype="float64")
            out[name] = vals.tolist() if np.isfinite(vals).all() else [encode_value(x) for x in vals.tolist()]
    return out


def _decode_laps(d: dict) -> pd.DataFrame:
    # Built column by column with the schema dtypes (what conform_laps returns),
    # without conform_laps' generic conversions: this runs once per cached session.
    n = len(d.get("lap", []))
    if n == 0:
        return _EMPTY_LAPS.copy()
    cols = {}
    for name, col in schema.LAP_COLUMNS.items():
        vals = d.get(name, [None] * n)
        if col.dtype == schema.UTC_TIME:
            ns = np.array([np.iinfo(np.int64).min if v is None else v for v in vals], dtype="int64")
            cols[name] = pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC")
        elif col.dtype == "string":
            cols[name] = pd.array(vals, dtype="string")
        elif col.dtype == "int64":
            cols[name] = np.array(vals, dtype="int64")
        else:
            cols[name] = np.array([np.nan if v is None else decode_value(v) for v in vals], dtype="float64")
    return pd.DataFrame(cols, index=pd.RangeIndex(n))


_EMPTY_LAPS = schema.conform_laps(None)


@lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_file_mode(path: Path) -> int:
    """The permission bits *path* keeps (when it exists) or gets from open() (0o666 less the umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_umask()


def atomic_write(path, write, *, suffix: str = ".part", mkdir: bool = False, raise_errors: bool = False,
                 durable: bool = True) -> bool:
    """Write a file so that readers see either the old content or the whole new one.

    ``write(fh)`` fills a temporary file (binary, ``.tmp-*`` in the same
    folder), which is flushed, fsync'ed (*durable*) and moved over *path* with
    :func:`os.replace` (atomic on POSIX and Windows).  On any failure (disk
    full, permissions, a writer error) the temporary file is removed: never a
    half-written *path* nor a temporary file left behind, also when the write
    is interrupted (Ctrl-C: the temporary file is removed and the
    ``KeyboardInterrupt`` raised again).  Every file runlog writes (cache
    entries, reports, simulated seasons) goes through here.

    Parameters
    ----------
    path : str or PathLike
    write : callable
        ``write(fh)`` with *fh* a binary file object.
    suffix : str
        Suffix of the temporary file.
    mkdir : bool
        Create the parent folders first.
    raise_errors : bool
        Re-raise the failure (after the clean-up) instead of returning False:
        for the files a user asked for; the cache is best effort.
    durable : bool
        fsync the temporary file before the rename, so that *path* holds the
        whole new content even after a power loss.  Without it the rename is
        still atomic for every process (a killed writer leaves the old content
        or the new one), but after a power loss *path* may be empty or torn:
        only for files whose reader detects that and treats it as missing (the
        per-file cache entries, which carry page checksums).

    Returns
    -------
    bool
        True when *path* was written; False on failure (``raise_errors=False``).
    """
    path = Path(path)
    tmp = None
    try:
        if mkdir:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, _new_file_mode(path))  # mkstemp makes 0600: give the mode a plain open() would
        os.replace(tmp, path)
    except BaseException as exc:  # KeyboardInterrupt too: no temporary file is left behind, ever
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        if raise_errors or not isinstance(exc, Exception):  # an interrupt or exit always goes on
            raise
        return False
    return True


def atomic_write_text(path, text: str, *, mkdir: bool = False) -> None:
    """Write *text* (UTF-8, line ends as given) to *path* with :func:`atomic_write`; errors are raised.

    Parameters
    ----------
    path : str or PathLike
    text : str
    mkdir : bool
        Create the parent folders first.
    """
    data = text.encode("utf-8")
    atomic_write(path, lambda fh: fh.write(data), suffix=".part", mkdir=mkdir, raise_errors=True)


class ActivityCache:
    """A folder of cache entries (see the module docstring).

    Parameters
    ----------
    folder : str or PathLike
        Created if missing.  Entries go to
        ``folder/v<READER_VERSION>-<reader fingerprint>/<2 hex>/<key>.parquet``,
        so the entries of one reader version share a generation folder.
    keep_days : float
        Generation folders of *other* reader versions unused for this many
        days are deleted when the cache is opened (the folder's time is
        refreshed at every opening), so upgrades do not pile up stale entries.

    Attributes
    ----------
    hits, misses, writes : int
        Counters since creation (for tests and the benchmark).
    """

    def __init__(self, folder, keep_days: float = 30.0):
        self.folder = Path(folder)
        self.root = self.folder / f"v{READER_VERSION}-{reader_fingerprint() or 'nofp'}"
        self.root.mkdir(parents=True, exist_ok=True)
        os.utime(self.root)  # mark this generation as in use
        self.hits = self.misses = self.writes = 0
        self._digests: DigestIndex | None = None
        self.prune_generations(keep_days)

    def prune_generations(self, keep_days: float = 30.0) -> int:
        """Delete other reader versions' generation folders unused for *keep_days*; returns how many.

        Only folders named like runlog's (``v<int>-<16 hex>`` or ``v<int>-nofp``)
        holding nothing but what runlog writes there (entry sub-folders and
        snapshots, every file named as runlog names it; no symbolic link) are
        touched.

        Parameters
        ----------
        keep_days : float
            Age of the last change above which a folder is deleted [days].

        Returns
        -------
        int
            Number of folders deleted.
        """
        import shutil

        n, now = 0, time.time()
        for d in self.folder.glob("v*-*"):
            if d == self.root or not re.fullmatch(r"v\d+-([0-9a-f]{16}|nofp)", d.name) or not _own_folder(d):
                continue
            try:
                if now - d.stat().st_mtime < keep_days * 86400 or not _only_runlog_files(d):
                    continue
                shutil.rmtree(d)
                n += 1
            except OSError:
                pass
        return n

    @property
    def digests(self) -> DigestIndex:
        """The :class:`DigestIndex` of this cache folder (loaded on first use)."""
        if self._digests is None:
            self._digests = DigestIndex(self.folder / "digests.json")
        return self._digests

    def __repr__(self) -> str:
        return f"<ActivityCache {self.root} hits={self.hits} misses={self.misses} writes={self.writes}>"

    # -- keys and paths ------------------------------------------------------
    @staticmethod
    def key(digest: str, tz=None) -> str:
        """Entry key from a content digest (:func:`content_digest`) and the ``tz`` argument.

        Parameters
        ----------
        digest : str
            Content digest of the file (hex).
        tz : str, optional
            The time-zone override the file is read with.

        Returns
        -------
        str
            SHA-256 hex of the digest, reader version and fingerprint and *tz*.
        """
        h = hashlib.sha256()
        h.update(f"{digest}\0{READER_VERSION}\0{reader_fingerprint()}\0{tz!r}".encode())
        return h.hexdigest()

    def path(self, key: str) -> Path:
        """Where the entry *key* lives.

        Parameters
        ----------
        key : str
            Entry key (:meth:`key`).

        Returns
        -------
        Path
            ``<root>/<first two characters of key>/<key>.arrow``.
        """
        return self.root / key[:2] / f"{key}.arrow"

    # -- read ------------------------------------------------------------------
    def get(self, key: str, source: str) -> Outcome | None:
        """The cached outcome for *key* with ``info['source']`` set to *source*, or None.

        A missing, unreadable or foreign entry is a miss (an unreadable one is
        deleted so it is written afresh).

        Parameters
        ----------
        key : str
            Entry key (:meth:`key`).
        source : str
            Path of the file as this import names it.

        Returns
        -------
        Outcome or None
            None on a miss.
        """
        p = self.path(key)
        if not p.is_file():
            self.misses += 1
            return None
        try:
            out = self._read(p, key, source)
        except Exception:  # damaged entry: any read/parse failure means decode again
            out = None
        if out is None:
            self.misses += 1
            try:
                p.unlink()
            except OSError:
                pass
            return None
        self.hits += 1
        return out

    @staticmethod
    def _read(p: Path, key: str, source: str) -> Outcome | None:
        import pyarrow as pa

        # one read of the whole (small) file: the IPC reader's own small reads cost a system call each
        table = pa.ipc.open_file(pa.py_buffer(p.read_bytes()), options=pa.ipc.IpcReadOptions(use_threads=False)
                                 ).read_all()
        meta = json.loads((table.schema.metadata or {})[_META_KEY])
        if meta.get("entry_format") != _ENTRY_FORMAT or meta.get("key") != key:
            return None
        if meta["kind"] != "ok":
            return Outcome(meta["kind"], [], meta.get("reason", ""))
        codes = table.column("session").to_numpy()
        times = table.column("time").to_numpy().view("int64")
        values = [table.column(c).to_numpy() for c in schema.RECORD_COLUMNS]
        # An entry torn by a power loss (entries are not fsync'ed) is a miss, never misread.
        if meta["crc32"] != _values_crc(codes, times, values):
            return None
        # One 2-D block per dtype (float64, float32): a frame is cheap to build from those (records_from_blocks).
        where = dict(zip(schema.RECORD_COLUMNS, values))
        blocks = {d: np.vstack([where[c] for c in names]) for d, names in schema.RECORD_DTYPE_GROUPS.items()}
        acts, summaries = [], []
        for i, s in enumerate(meta["sessions"]):
            sel = slice(None) if len(meta["sessions"]) == 1 else np.flatnonzero(codes == i)
            idx = pd.DatetimeIndex(times[sel].view("datetime64[ns]"), name=schema.RECORD_INDEX).tz_localize("UTC")
            if len(idx) != s["n_records"]:
                return None
            rec = records_from_blocks({d: b[:, sel] for d, b in blocks.items()}, idx)
            keys = [k for k, _v in s["info"]]
            vals = np.empty(len(keys), dtype=object)
            vals[:] = [source if k == "source" else decode_value(v) for k, v in s["info"]]
            info = pd.Series(vals, index=pd.Index(keys), dtype=object)  # as finalize builds it, but faster
            acts.append(Activity(rec, _decode_laps(s["laps"]), info))
            summary = s.get("summary")
            if summary is not None:
                summary = {k: decode_value(v) for k, v in summary}
                summary["source"] = source
            summaries.append(summary)
        return Outcome("ok", acts, summaries=None if None in summaries else summaries)

    # -- write -----------------------------------------------------------------
    def put(self, key: str, outcome: Outcome) -> bool:
        """Store *outcome* under *key* atomically; False (and no entry) when it cannot be written.

        Parameters
        ----------
        key : str
            Entry key (:meth:`key`).
        outcome : Outcome
            The decoded file; one that is not ``cacheable`` is not stored.

        Returns
        -------
        bool
            True when the entry was written.
        """
        if not store_entry(self.path(key), key, outcome):
            return False
        self.writes += 1
        return True

    @staticmethod
    def _table(key: str, outcome: Outcome):
        """The Arrow table (records + JSON metadata) of one entry."""
        import pyarrow as pa

        dtypes = [np.dtype(col.dtype) for col in schema.RECORD_COLUMNS.values()]

        meta = {"entry_format": _ENTRY_FORMAT, "key": key, "kind": outcome.kind, "reason": outcome.reason,
                "reader_version": READER_VERSION, "written": time.time()}
        if outcome.kind == "ok":
            # straight from the records' arrays to Arrow (a pandas frame per entry, concatenated and
            # converted, was most of the importing process's time per file)
            sessions = []
            codes, times = [], []
            columns: dict[str, list[np.ndarray]] = {c: [] for c in schema.RECORD_COLUMNS}
            for i, a in enumerate(outcome.activities):
                r = a.records
                codes.append(np.full(len(r), i, dtype="int32"))
                times.append(pd.DatetimeIndex(r.index).tz_convert("UTC").as_unit("ns").asi8)
                if r.columns.equals(_RECORD_NAMES):  # each dtype's columns as one block: views, no copy
                    for d, (at, names) in RECORD_DTYPE_POSITIONS.items():
                        block = r.iloc[:, at].to_numpy(dtype=d).T
                        for c, row in zip(names, block):
                            columns[c].append(np.ascontiguousarray(row))
                else:
                    for c, dtype in zip(schema.RECORD_COLUMNS, dtypes):
                        columns[c].append(r[c].to_numpy(dtype=dtype))
                summary = outcome.summaries[i] if outcome.summaries is not None else None
                sessions.append({"n_records": len(r), "laps": _encode_laps(a.laps),
                                 "info": [[k, None if k == "source" else encode_value(v)]
                                          for k, v in a.info.items()],
                                 "summary": None if summary is None else
                                 [[k, None if k == "source" else encode_value(v)] for k, v in summary.items()]})
            code, t_ns = np.concatenate(codes), np.concatenate(times)
            values = {c: v[0] if len(v) == 1 else np.concatenate(v) for c, v in columns.items()}
            meta["sessions"] = sessions
            meta["crc32"] = _values_crc(code, t_ns, list(values.values()))
            # NaN stays a float value: no validity bitmaps to build or read
            table = pa.table({"session": code, "time": pa.array(t_ns, type=pa.timestamp("ns", tz="UTC")),
                              **{c: pa.array(v) for c, v in values.items()}})
        else:
            table = pa.table({"session": pa.array([], pa.int32())})
        return table.replace_schema_metadata({_META_KEY: json.dumps(meta, allow_nan=False).encode()})

    @staticmethod
    def _write(p: Path, table) -> bool:
        """Write *table* to *p* atomically (:func:`atomic_write`)."""
        import pyarrow as pa

        # Arrow IPC with LZ4 frames: as small as the Parquet entries were (LZ4, no dictionary), written
        # in about half the time and read back in a third.  No fsync per entry (it was a tenth of a
        # cold import): the rename is atomic for every process, and an entry a power loss tore fails
        # its read or its CRC-32 (_values_crc), so it is decoded again.
        def write(fh) -> None:
            # one thread: the import's workers are the parallelism (Arrow's pool only added contention);
            # built in memory and written at once (the writer's one write per buffer cost a system call each)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_file(sink, table.schema,
                                 options=pa.ipc.IpcWriteOptions(compression="lz4", use_threads=False)) as w:
                w.write_table(table)
            fh.write(sink.getvalue())

        return atomic_write(p, write, suffix=".part", mkdir=True, durable=False)

    # -- whole-history snapshots -------------------------------------------------
    #: The small frames of a History stored whole in every snapshot (the records go to segments).
    SNAPSHOT_FRAMES = ("runs", "laps", "errors", "skipped")
    #: Record segments a snapshot may reference before the next import writes them as one.
    MAX_SEGMENTS = 8
    #: Version of the snapshot manifest; a manifest of another format is a miss.
    _SNAPSHOT_FORMAT = 2

    @property
    def history_dir(self) -> Path:
        """The folder of the whole-history snapshots (``<root>/histories``)."""
        return self.root / "histories"

    def _manifest_path(self, scope: str) -> Path:
        return self.history_dir / f"{scope}.json"

    def get_manifest(self, scope: str) -> dict | None:
        """The manifest of the latest snapshot of the import *scope*, or None.

        A snapshot is the whole History of one import (a folder, a list of
        files) at its last import: the small frames (:attr:`SNAPSHOT_FRAMES`)
        and the records, in one or more record *segments* (an import that
        only added runs writes just their records as a new segment).  Its
        data files are immutable and named by a random token; the manifest
        (JSON, written last, the one fsync'ed atomic write of an import)
        names them, so a snapshot is switched in one step and an import
        killed at any moment leaves the previous snapshot or the new one.

        Parameters
        ----------
        scope : str
            What was imported (a hash of the sources and ``tz``), see
            :func:`runlog.history.read_history`.

        Returns
        -------
        dict or None
            ``format``, ``scope``, ``key`` (hash of every file's path and entry
            key: the snapshot answers an import whose key is the same),
            ``frames`` (frame name -> file name), ``segments`` (``file``,
            ``runs``: run ids in row order, ``rows``: records per run), plus
            what the importer stored (``files``, ``activities``, ...).  None
            when missing or unreadable.
        """
        try:
            m = json.loads(self._manifest_path(scope).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(m, dict) or m.get("format") != self._SNAPSHOT_FORMAT or m.get("scope") != scope:
            return None
        return m

    def _snapshot_table(self, name: str, token: str):
        """The Arrow table of the snapshot file *name* (checked to belong to the snapshot *token*)."""
        import pyarrow.feather as feather

        table = feather.read_table(self.history_dir / name)
        meta = json.loads((table.schema.metadata or {})[_META_KEY])
        if meta.get("token") != token:
            raise ValueError(f"{name} belongs to another snapshot")
        return table

    def get_snapshot_frames(self, manifest: dict) -> dict[str, pd.DataFrame] | None:
        """The small frames (:attr:`SNAPSHOT_FRAMES`) of the snapshot *manifest*, or None.

        Parameters
        ----------
        manifest : dict
            From :meth:`get_manifest`.

        Returns
        -------
        dict or None
            Frame name -> DataFrame; None when a file is missing or damaged.
        """
        try:
            frames = {name: self._snapshot_table(manifest["frames"][name], manifest["frames"]["token"]).to_pandas()
                      for name in self.SNAPSHOT_FRAMES}
        except Exception:  # missing or damaged: import the normal way (and write it afresh)
            return None
        # Arrow keeps the run_id index's values, not its pandas string flavour
        frames["runs"].index = frames["runs"].index.astype("string")
        return frames

    def get_snapshot_records(self, manifest: dict, order, extra: pd.DataFrame | None = None) -> pd.DataFrame | None:
        """``History.records`` of the snapshot *manifest* (+ *extra* records), rows in *order* of runs.

        The segments' columns are read one at a time into one float block
        (the memory peak is the frame and one column); rows are reordered
        (one copy) only when the segments' run order is not *order* already;
        the index is built from the manifest's run ids and row counts
        (:func:`runlog.history.records_index`: no hashing of 10^6 strings or
        times).

        Parameters
        ----------
        manifest : dict
            From :meth:`get_manifest`.
        order : sequence of str
            Run ids in the order of ``History.runs``.
        extra : DataFrame, optional
            Records of runs added by this import (same layout as
            ``History.records``).

        Returns
        -------
        DataFrame or None
            MultiIndex (``run_id``, ``time``), the columns of
            :data:`runlog.schema.RECORD_COLUMNS`; None when a segment is
            missing or damaged.
        """
        import pyarrow.feather as feather

        cols = list(schema.RECORD_COLUMNS)
        try:
            segments = list(manifest["segments"])
            runs = [r for seg in segments for r in seg["runs"]]
            rows = [n for seg in segments for n in seg["rows"]]
            if extra is not None and len(extra):
                er, en = records_runs(extra)
                runs, rows = runs + er, rows + en
            n_all = sum(rows)
            if not n_all:
                return empty_records()
            # One block per dtype filled column by column: the peak is the frame plus one column, not
            # the frame plus a whole decompressed table.
            blocks = record_blocks(n_all)
            where = {c: (d, j) for d, names in schema.RECORD_DTYPE_GROUPS.items() for j, c in enumerate(names)}
            times = empty_small_pages(n_all, "int64")
            pos = 0
            for seg in segments:
                path, n = self.history_dir / seg["file"], sum(seg["rows"])
                t = feather.read_table(path, columns=["time"], memory_map=True)
                meta = json.loads((t.schema.metadata or {})[_META_KEY])
                if meta.get("token") != seg["token"] or t.num_rows != n:
                    return None
                times[pos:pos + n] = t.column(0).to_numpy().astype("datetime64[ns]", copy=False).view("int64")
                for c in cols:
                    d, j = where[c]
                    col = feather.read_table(path, columns=[c], memory_map=True).column(0)
                    blocks[d][j, pos:pos + n] = col.to_numpy()
                pos += n
            if pos < n_all:
                assert extra is not None  # the rows after the segments' are those of extra
                for c in cols:
                    d, j = where[c]
                    blocks[d][j, pos:] = extra[c].to_numpy(dtype=d)
                times[pos:] = extra.index.get_level_values(-1).as_unit("ns").asi8
            order = [str(r) for r in order]
            if runs != order:  # runs added before others: one reordering copy
                starts = dict(zip(runs, np.cumsum([0, *rows[:-1]]).tolist()))
                counts = dict(zip(runs, rows))
                if len(order) != len(runs) or set(order) != starts.keys():
                    return None
                idx = np.concatenate([np.arange(starts[r], starts[r] + counts[r]) for r in order])
                blocks, times = {d: b[:, idx] for d, b in blocks.items()}, times[idx]
                runs, rows = order, [counts[r] for r in order]
            return records_from_blocks(blocks, records_index(runs, rows, times))
        except Exception:  # missing or damaged: import the normal way (and write it afresh)
            return None

    def put_snapshot(self, scope: str, key: str, history, *, extra: dict | None = None,
                     base: dict | None = None, added: pd.DataFrame | None = None) -> bool:
        """Store *history* as the latest snapshot of *scope* (see :meth:`get_manifest`).

        The data files (Arrow IPC, LZ4) are written and fsync'ed first, the
        manifest last (atomically, with fsync: the import's commit), then the
        previous snapshot's files are deleted.

        Parameters
        ----------
        scope : str
            The import scope.
        key : str
            The import's content key (every file's path and entry key).
        history : History
            The imported History.
        extra : dict, optional
            More JSON-able items for the manifest (the importer's file list).
        base : dict, optional
            The previous manifest of *scope* when this import only added the
            runs whose records are *added*: its segments are kept and *added*
            becomes one more (at most :attr:`MAX_SEGMENTS`; beyond that the
            records are written as one segment).
        added : DataFrame, optional
            Records of the added runs (with *base*).

        Returns
        -------
        bool
            True when the snapshot was written.
        """
        import pyarrow as pa
        import pyarrow.feather as feather

        folder = self.history_dir
        if os.path.lexists(folder) and not _own_folder(folder):
            return False  # a link (or a file) where runlog's folder should be: nothing is written through it
        token = os.urandom(8).hex()
        meta = {_META_KEY: json.dumps({"token": token, "written": time.time()}).encode()}

        def write(name: str, table) -> bool:
            return atomic_write(folder / name, lambda fh: feather.write_feather(table, fh, compression="lz4"),
                                mkdir=True)

        try:
            frames = {"token": token}
            for name in self.SNAPSHOT_FRAMES:
                frames[name] = f"{scope}-{token}.{name}.arrow"
                t = pa.Table.from_pandas(getattr(history, name), preserve_index=True)
                if not write(frames[name], t.replace_schema_metadata({**(t.schema.metadata or {}), **meta})):
                    return False
            if base is not None and added is not None and len(base["segments"]) < self.MAX_SEGMENTS:
                segments, new = list(base["segments"]), added  # reuse the base's segments
            else:
                segments, new = [], history.records
            if len(new) or not segments:
                runs, rows = records_runs(new)
                seg_file = f"{scope}-{token}.records.arrow"
                seg = {"file": seg_file, "token": token, "runs": runs, "rows": rows}
                if not write(seg_file, _records_table(new, meta)):
                    return False
                segments.append(seg)
            manifest = {**(extra or {}), "format": self._SNAPSHOT_FORMAT, "scope": scope, "key": key,
                        "frames": frames, "segments": segments, "written": time.time()}
            data = json.dumps(manifest, allow_nan=False).encode("utf-8")
        except Exception:  # a value Arrow or JSON cannot hold: no snapshot, the import is still complete
            return False
        if not atomic_write(self._manifest_path(scope), lambda fh: fh.write(data), suffix=".json"):
            return False
        self._drop_unreferenced(scope, manifest)
        self.prune_snapshots()
        return True

    def touch_snapshot(self, scope: str) -> None:
        """Mark the snapshot of *scope* as used now (see :meth:`prune_snapshots`).

        Parameters
        ----------
        scope : str
            The import scope.
        """
        try:
            os.utime(self._manifest_path(scope))
        except OSError:
            pass

    def prune_snapshots(self, keep_days: float = 30.0) -> int:
        """Delete the snapshots of import scopes unused for *keep_days*; returns how many.

        Parameters
        ----------
        keep_days : float
            Time since a snapshot was last written or used above which it is
            deleted [days].

        Returns
        -------
        int
            Number of snapshots deleted.
        """
        n, now = 0, time.time()
        folder = self.history_dir
        if not _own_folder(folder):  # a link to somewhere else is never pruned
            return 0
        try:
            names = os.listdir(folder)
        except OSError:
            return 0
        for name in names:
            if not _MANIFEST_NAME.fullmatch(name):
                continue
            m = folder / name
            try:
                st = os.lstat(m)
                if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < keep_days * 86400:
                    continue
                scope = name[:-len(".json")]
                if self.get_manifest(scope) is None:
                    continue  # not a manifest runlog wrote for this scope
                os.unlink(m)
                for other in names:
                    if other.startswith(f"{scope}-") and _SNAPSHOT_FILE.fullmatch(other) and _own_file(folder / other):
                        os.unlink(folder / other)
                n += 1
            except OSError:
                pass
        return n

    def _drop_unreferenced(self, scope: str, manifest: dict) -> None:
        """Delete the data files of *scope* that *manifest* does not name (earlier snapshots)."""
        keep = {manifest["frames"][n] for n in self.SNAPSHOT_FRAMES} | {s["file"] for s in manifest["segments"]}
        if not _own_folder(self.history_dir):
            return
        for p in self.history_dir.iterdir():
            # this scope's earlier files, and the snapshots of the earlier layout (a Parquet file per
            # frame, named by the content key); only regular files named as runlog names them
            if not _own_file(p):
                continue
            if (p.name.startswith(f"{scope}-") and p.name not in keep and _SNAPSHOT_FILE.fullmatch(p.name)) or \
                    re.fullmatch(r"[0-9a-f]{64}\.(runs|laps|errors|skipped|records)\.parquet", p.name):
                try:
                    p.unlink()
                except OSError:
                    pass

    # -- remembered answers -------------------------------------------------------
    #: Answers of one kind kept in :attr:`answer_dir` (the most recently used; older ones are deleted).
    MAX_ANSWERS = 8

    @property
    def answer_dir(self) -> Path:
        """The folder of remembered answers (``<root>/answers``, see :meth:`get_answer`)."""
        return self.root / "answers"

    def _answer_path(self, kind: str, key: str) -> Path:
        name = f"{kind}-{key}.arrow"
        if not _ANSWER_NAME.fullmatch(name):
            raise ValueError(f"answer kind {kind!r} must be lower-case letters and '_', key 64 hex digits")
        return self.answer_dir / name

    def get_answer(self, kind: str, key: str) -> pd.DataFrame | None:
        """A frame :meth:`put_answer` stored for (*kind*, *key*), or None.

        The cache also remembers answers worked out from a History that depend only on its
        content (the check for someone else's runs): a later process asking the same question
        of the same runs reads the answer instead of working it out again.  The caller makes
        *key* from everything the answer depends on (values, code, library versions).  An
        answer that cannot be read back is deleted and is a miss.

        Parameters
        ----------
        kind : str
            What was asked (lower-case letters and ``_``), e.g. ``'others'``.
        key : str
            64 hex digits.

        Returns
        -------
        DataFrame or None
            The frame as stored (index, columns and dtypes), or None.
        """
        p = self._answer_path(kind, key)
        if not _own_file(p):
            return None
        try:
            import pyarrow as pa

            with pa.OSFile(str(p)) as fh:
                frame = pa.ipc.open_file(fh).read_all().to_pandas()
        except Exception:  # torn or foreign: worked out again
            try:
                p.unlink()
            except OSError:
                pass
            return None
        try:
            os.utime(p)   # most recently used: kept longest
        except OSError:
            pass
        return frame

    def put_answer(self, kind: str, key: str, frame: pd.DataFrame) -> bool:
        """Store *frame* as the answer to (*kind*, *key*) (see :meth:`get_answer`), atomically.

        At most :data:`MAX_ANSWERS` answers of a kind are kept: the least recently used go.

        Parameters
        ----------
        kind : str
        key : str
        frame : DataFrame
            Index, columns and dtypes Arrow can hold (what cannot be stored is not: False).

        Returns
        -------
        bool
            True when written.
        """
        p = self._answer_path(kind, key)
        try:
            import pyarrow as pa

            table = pa.Table.from_pandas(frame, preserve_index=True)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_file(sink, table.schema) as w:
                w.write_table(table)
            data = sink.getvalue()
        except Exception:  # a value Arrow cannot hold: not remembered
            return False
        if not atomic_write(p, lambda fh: fh.write(data), suffix=".part", mkdir=True):
            return False
        self._prune_answers(kind)
        return True

    def _prune_answers(self, kind: str) -> None:
        """Delete the least recently used answers of *kind* beyond :data:`MAX_ANSWERS`."""
        if not _own_folder(self.answer_dir):
            return
        mine = []
        try:
            names = os.listdir(self.answer_dir)
        except OSError:   # best effort: an answer too many is no harm
            return
        for name in names:
            p = self.answer_dir / name
            if name.startswith(f"{kind}-") and _ANSWER_NAME.fullmatch(name) and _own_file(p):
                try:
                    mine.append((os.lstat(p).st_mtime, name))
                except OSError:
                    pass
        for _, name in sorted(mine, reverse=True)[self.MAX_ANSWERS:]:
            try:
                (self.answer_dir / name).unlink()
            except OSError:
                pass

    # -- housekeeping ----------------------------------------------------------
    def prune_temp(self, max_age_s: float = 3600.0) -> int:
        """Delete temporary files older than *max_age_s* [s] left by interrupted writes; returns how many.

        Parameters
        ----------
        max_age_s : float
            Age above which a temporary file is deleted [s].

        Returns
        -------
        int
            Number of files deleted.
        """
        n, now = 0, time.time()
        for p in self._own_files(_TEMP_NAME):
            try:
                if now - os.lstat(p).st_mtime > max_age_s:
                    p.unlink()
                    n += 1
            except OSError:
                pass
        return n

    def clear(self) -> int:
        """Delete every entry of this reader version; returns how many.

        Returns
        -------
        int
            Number of entries deleted.
        """
        n = 0
        for p in self._own_files(_ENTRY_NAME):
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
        return n

    def _own_files(self, pattern):
        """Regular files named *pattern* in this generation's own sub-folders (entry folders, ``histories``
        and ``answers``): never through a symbolic link, never a file runlog would not have named so."""
        if not _own_folder(self.root):
            return
        try:
            subs = sorted(os.listdir(self.root))
        except OSError:
            return
        for sub in subs:
            d = self.root / sub
            if not (_ENTRY_FOLDER.fullmatch(sub) or sub in ("histories", "answers")) or not _own_folder(d):
                continue
            try:
                names = sorted(os.listdir(d))
            except OSError:
                continue
            for name in names:
                if pattern.fullmatch(name) and _own_file(d / name):
                    yield d / name


def store_entry(path, key: str, outcome: Outcome) -> bool:
    """Write *outcome* as the cache entry *key* at *path* (atomically); False when it is not written.

    What :meth:`ActivityCache.put` does, as a function of the entry's path
    alone: an import's worker processes write the entries of the files they
    decode (:func:`runlog.read_history`), so the importing process
    does not serialise every file a second time.

    Parameters
    ----------
    path : str or PathLike
        The entry's file (:meth:`ActivityCache.path`).
    key : str
        Entry key (:meth:`ActivityCache.key`).
    outcome : Outcome
        The decoded file; one that is not ``cacheable`` is not stored.

    Returns
    -------
    bool
        True when the entry was written.
    """
    if not outcome.cacheable:
        return False
    try:
        table = ActivityCache._table(key, outcome)
    except Exception:  # an info value JSON or Arrow cannot hold: the import goes on uncached
        return False
    return ActivityCache._write(Path(path), table)


#: Names runlog gives the files of its cache folder (housekeeping deletes nothing else).
_ENTRY_FOLDER = re.compile(r"[0-9a-f]{2}")
_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.arrow")
#: Entry names of earlier reader versions (their generation folders are pruned, see prune_generations).
_OLD_ENTRY_NAME = re.compile(r"[0-9a-f]{64}\.parquet")
_TEMP_NAME = re.compile(r"\.tmp-[A-Za-z0-9_]+\.(part|json)")
_MANIFEST_NAME = re.compile(r"[0-9a-f]{64}\.json")
_SNAPSHOT_FILE = re.compile(r"[0-9a-f]{64}-[0-9a-f]{16}\.(runs|laps|errors|skipped|records)\.arrow")
_ANSWER_NAME = re.compile(r"[a-z_]+-[0-9a-f]{64}\.arrow")


def _own_folder(path: Path) -> bool:
    """A real folder (not a symbolic link to one)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _own_file(path: Path) -> bool:
    """A regular file (not a symbolic link, folder, pipe...)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _only_runlog_files(generation: Path) -> bool:
    """True when a generation folder holds only runlog's sub-folders and files (no link, nothing foreign)."""
    for sub in os.listdir(generation):
        d = generation / sub
        if sub == "histories":
            patterns: tuple = (_MANIFEST_NAME, _SNAPSHOT_FILE, _TEMP_NAME,
                               re.compile(r"[0-9a-f]{64}\.(runs|laps|errors|skipped|records)\.parquet"))
        elif sub == "answers":
            patterns = (_ANSWER_NAME, _TEMP_NAME)
        elif _ENTRY_FOLDER.fullmatch(sub):
            patterns = (_ENTRY_NAME, _OLD_ENTRY_NAME, _TEMP_NAME)
        else:
            return False
        if not _own_folder(d):
            return False
        for name in os.listdir(d):
            if not any(p.fullmatch(name) for p in patterns) or not _own_file(d / name):
                return False
    return True


def records_runs(records: pd.DataFrame) -> tuple[list[str], list[int]]:
    """The run ids of a ``History.records`` frame in row order, and each one's number of rows.

    Parameters
    ----------
    records : DataFrame
        MultiIndex (``run_id``, ``time``), every run's rows together.

    Returns
    -------
    (list of str, list of int)
        Run ids as they come, records per run.

    Raises
    ------
    ValueError
        A run's rows are not together.
    """
    if not len(records):
        return [], []
    codes = np.asarray(records.index.codes[0])
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    runs = [str(x) for x in records.index.levels[0][codes[starts]]]
    if len(set(runs)) != len(runs):
        raise ValueError("the records of a run are not together")
    return runs, np.diff(np.r_[starts, len(codes)]).tolist()


def _records_table(records: pd.DataFrame, metadata=None):
    """``History.records`` as an Arrow table for a snapshot segment: ``time`` and the record columns.

    The run ids are not stored (the manifest has them with their row
    counts); NaN stays a float value (no validity bitmaps to build or read);
    the float columns are not copied (each is stored in its schema dtype: a
    float32 running-dynamics column made float64 was a copy of five columns
    at the peak of an import).
    """
    import pyarrow as pa

    times = np.asarray(records.index.get_level_values(-1).asi8)
    arrays = [pa.array(times, type=pa.timestamp("ns", tz="UTC"))]
    arrays += [pa.array(records[c].to_numpy(dtype=col.dtype)) for c, col in schema.RECORD_COLUMNS.items()]
    return pa.Table.from_arrays(arrays, names=["time", *schema.RECORD_COLUMNS], metadata=metadata)


def stat_signature(st: os.stat_result) -> list[int]:
    """What identifies a file version without reading it: size [bytes], mtime and
    ctime [ns] and inode.  Any write changes the ctime, which no tool can set back.

    Parameters
    ----------
    st : os.stat_result
        The file's ``os.stat``.

    Returns
    -------
    list of int
        ``[size, mtime_ns, ctime_ns, inode]``.
    """
    return [int(st.st_size), int(st.st_mtime_ns), int(st.st_ctime_ns), int(st.st_ino)]


class DigestIndex:
    """Content digests of the user's files by their :func:`stat_signature`.

    A re-import then needs neither to read nor to hash an unchanged file to find
    its cache entry (the idea of git's index).  A file whose size, times or
    inode changed is read and hashed again.  Stored as JSON
    ``{absolute path: [size, mtime_ns, ctime_ns, inode, sha256]}``, written
    atomically; an unreadable index is simply started afresh.

    Parameters
    ----------
    path : Path
        The JSON file.
    max_entries : int
        The oldest entries are dropped beyond this many.
    """

    def __init__(self, path: Path, max_entries: int = 200_000):
        self.path = Path(path)
        self.max_entries = max_entries
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.entries = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.entries = {}

    def lookup(self, path: str, signature: list[int]) -> str | None:
        """The digest remembered for *path* if its signature is unchanged, else None.

        Parameters
        ----------
        path : str
            File path (made absolute).
        signature : list of int
            The file's current :func:`stat_signature`.

        Returns
        -------
        str or None
            The remembered content digest (hex).
        """
        e = self.entries.get(os.path.abspath(path))
        if isinstance(e, list) and len(e) == 5 and e[:4] == list(signature):
            return e[4]
        return None

    def remember(self, path: str, signature: list[int], digest: str) -> None:
        """Record *path*'s digest for its current signature.

        Parameters
        ----------
        path : str
            File path (made absolute).
        signature : list of int
            The file's current :func:`stat_signature`.
        digest : str
            Its content digest (hex).
        """
        key = os.path.abspath(path)
        self.entries.pop(key, None)  # re-insert: dict order = age
        self.entries[key] = [*signature, digest]
        self.changed = True

    def save(self) -> bool:
        """Write the index atomically if it changed; False when it cannot be written.

        Returns
        -------
        bool
            True when the index is on disk (written, or unchanged).
        """
        if not self.changed:
            return True
        while len(self.entries) > self.max_entries:
            self.entries.pop(next(iter(self.entries)))
        data = json.dumps(self.entries).encode("utf-8")
        if not atomic_write(self.path, lambda fh: fh.write(data), suffix=".json"):
            return False
        self.changed = False
        return True
