"""A runner's whole history: many activities in three tidy frames.

:class:`History` holds ``runs`` (one row per activity), ``records`` (all
samples, MultiIndex ``run_id``/``time``), ``errors`` (files not read and why)
and ``skipped`` (duplicates and non-activity files).  :func:`read_history`
builds one from a folder, a bulk export or a list of files.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import html
import os
import threading
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import exports, schema
from .activity import Activity
from .cache import ActivityCache, DigestIndex, Outcome, content_digest, resolve_cache, stat_signature
from .errors import FileFormatError, NotAnActivityError, RunlogWarning
from .summary import runs_frame, summarize_activity

__all__ = ["History", "ERROR_COLUMNS", "SKIPPED_COLUMNS", "read_history", "decode_file", "richness",
           "overlap_fractions", "is_duplicate", "deduplicate", "unique_run_ids", "FORMAT_RANK",
           "RICH_CHANNELS", "DUPLICATE_OVERLAP"]

ERROR_COLUMNS = ["path", "reason"]
SKIPPED_COLUMNS = ["path", "reason", "run_id", "kept"]


def _empty(cols):
    return pd.DataFrame({c: pd.Series(dtype="string") for c in cols})


@dataclass
class History:
    """A runner's activities.

    Attributes
    ----------
    runs : DataFrame
        One row per activity, index ``run_id``, columns
        :data:`runlog.schema.RUN_COLUMNS` (+ export metadata).
    records : DataFrame
        All samples; MultiIndex (``run_id``, ``time``), columns
        :data:`runlog.schema.RECORD_COLUMNS`.
    errors : DataFrame
        ``path``, ``reason``: files that could not be read.
    skipped : DataFrame
        ``path``, ``reason``, ``run_id``, ``kept``: duplicates and non-activity files.
    laps : DataFrame
        All laps; columns ``run_id`` + :data:`runlog.schema.LAP_COLUMNS`.
    """

    runs: pd.DataFrame
    records: pd.DataFrame
    errors: pd.DataFrame = field(default_factory=lambda: _empty(ERROR_COLUMNS))
    skipped: pd.DataFrame = field(default_factory=lambda: _empty(SKIPPED_COLUMNS))
    laps: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["run_id", *schema.LAP_COLUMNS]))

    @classmethod
    def from_activities(cls, activities, *, errors=None, skipped=None, metadata=None,
                        summaries=None) -> "History":
        """Assemble a History from Activity objects (already de-duplicated).

        Parameters
        ----------
        activities : iterable of Activity
        errors, skipped : DataFrame, optional
        metadata : DataFrame, optional
            Extra per-run columns indexed by run_id (e.g. Strava name/gear),
            joined onto ``runs``.
        summaries : list of dict, optional
            The activities' ``runs`` rows already computed by
            :func:`runlog.summary.summarize_activity` (in the same order, e.g.
            from the cache); computed here when None.
        """
        activities = list(activities)
        if summaries is None:
            summaries = [summarize_activity(a) for a in activities]
        runs = runs_frame(list(summaries))
        if metadata is not None and len(metadata):
            for c in metadata.columns:
                vals = metadata[c].reindex(runs.index)
                runs[c] = runs[c].fillna(vals.astype(runs[c].dtype)) if c in runs else vals
        if activities:
            records = pd.concat(
                {a.run_id: a.records for a in activities}, names=["run_id", schema.RECORD_INDEX])
            laps = pd.concat([a.laps for a in activities], ignore_index=True)
            laps.insert(0, "run_id", np.repeat([a.run_id for a in activities], [len(a.laps) for a in activities]))
            laps = laps[["run_id", *schema.LAP_COLUMNS]]
        else:
            records = schema.empty_records()
            records.index = pd.MultiIndex.from_arrays(
                [pd.Index([], dtype="string"), records.index], names=["run_id", schema.RECORD_INDEX])
            laps = pd.DataFrame(columns=["run_id", *schema.LAP_COLUMNS])
        records = records.loc[runs.index] if len(runs) else records
        return cls(
            runs=runs,
            records=records,
            errors=_empty(ERROR_COLUMNS) if errors is None else errors,
            skipped=_empty(SKIPPED_COLUMNS) if skipped is None else skipped,
            laps=laps,
        )

    def run(self, run_id: str) -> pd.DataFrame:
        """The records of one run (index ``time``)."""
        return self.records.xs(run_id, level="run_id")

    def __len__(self) -> int:
        return len(self.runs)

    def __repr__(self) -> str:
        if len(self.runs):
            span = f"{self.runs['start_local'].min():%Y-%m-%d} to {self.runs['start_local'].max():%Y-%m-%d}"
        else:
            span = "empty"
        return (f"<History {len(self.runs)} runs ({span}), {len(self.records)} records, "
                f"{len(self.errors)} errors, {len(self.skipped)} skipped>")

    def summary(self) -> pd.Series:
        """Counts describing the import.

        Returns
        -------
        Series
            ``activities`` (every activity read), ``runs`` (those of sport
            'running'), ``by_sport`` (dict sport -> count, most first; a missing
            sport as 'unknown'), ``first_run``/``last_run`` (local dates of the
            first and last activity), ``distance_km`` (sum of
            ``runs.distance_m`` / 1000, all sports), ``records``, ``truncated``
            (activities from files that ended early), ``errors``,
            ``duplicates`` and ``not_activities`` (the two kinds of ``skipped``).
        """
        runs = self.runs
        reasons = self.skipped["reason"].astype("string") if len(self.skipped) else pd.Series(dtype="string")
        dup = int(reasons.str.startswith("duplicate").sum()) if len(reasons) else 0
        start = runs["start_local"] if len(runs) else pd.Series(dtype="datetime64[ns]")
        by_sport = self._sports().value_counts(sort=False) if len(runs) else pd.Series(dtype="int64")
        by_sport = by_sport.sort_values(ascending=False, kind="stable")
        return pd.Series({
            "activities": len(runs),
            "runs": int(by_sport.get("running", 0)),
            "by_sport": {str(k): int(v) for k, v in by_sport.items()},
            "first_run": start.min().normalize() if len(runs) else pd.NaT,
            "last_run": start.max().normalize() if len(runs) else pd.NaT,
            "distance_km": float(runs["distance_m"].sum() / 1000.0) if len(runs) else 0.0,
            "records": len(self.records),
            "truncated": int(runs["truncated"].sum()) if len(runs) else 0,
            "errors": len(self.errors),
            "duplicates": dup,
            "not_activities": len(self.skipped) - dup,
        }, dtype=object, name="history")

    def _sports(self) -> pd.Series:
        """``runs['sport']`` as plain lower-case strings, 'unknown' where missing."""
        sport = self.runs["sport"] if "sport" in self.runs else pd.Series(pd.NA, index=self.runs.index)
        return sport.astype("string").str.strip().str.lower().fillna("unknown").replace("", "unknown") \
            .astype(object)

    def listing(self) -> pd.DataFrame:
        """One row per activity, in start order: what a runner needs to write the journal.

        Returns
        -------
        DataFrame
            Columns ``run_id``, ``date`` (local date of the start, the
            journal's ``date``), ``start`` (local start time 'HH:MM', the
            journal's ``time``), ``sport``, ``distance_km`` [km],
            ``duration_min`` [min] (wall clock, first to last record, pauses
            included) and ``file`` (the file it was read from); a plain
            RangeIndex.

        Examples
        --------
        >>> history.listing().query("sport == 'running'").tail()  # doctest: +SKIP
        """
        runs = self.runs
        start = pd.to_datetime(runs["start_local"]) if len(runs) else pd.Series(dtype="datetime64[ns]")
        out = pd.DataFrame({
            "run_id": runs.index.astype(str),
            "date": start.dt.normalize().to_numpy(),
            "start": start.dt.strftime("%H:%M").astype(object).to_numpy(),
            "sport": self._sports().to_numpy(),
            "distance_km": pd.to_numeric(runs["distance_m"], errors="coerce").to_numpy(dtype="float64") / 1000.0,
            "duration_min": pd.to_numeric(runs["elapsed_s"], errors="coerce").to_numpy(dtype="float64") / 60.0,
            "file": runs["source"].astype("string").astype(object).to_numpy(),
        })
        order = np.argsort(start.to_numpy(), kind="stable") if len(runs) else np.arange(0)
        return out.iloc[order].reset_index(drop=True)

    def _repr_html_(self) -> str:  # pragma: no cover - cosmetic
        summary = self.summary().to_frame().T.to_html(index=False)
        parts = [f"<p><b>{html.escape(repr(self)[1:-1])}</b></p>", summary, "<p>First runs (History.runs):</p>",
                 self.runs.head(20).to_html()]
        if len(self.errors):
            parts.append(f"<p><b>{len(self.errors)} files not read</b> (History.errors)</p>"
                         + self.errors.head(10).to_html())
        if len(self.skipped):
            parts.append(f"<p><b>{len(self.skipped)} files skipped</b> (History.skipped)</p>"
                         + self.skipped.head(10).to_html())
        return "".join(parts)


# ============================================================================
# read_history: folder / bulk export / list of files -> History
# ============================================================================

#: Preference between formats when the same activity is present twice (higher wins).
FORMAT_RANK = {"fit": 3, "tcx": 2, "gpx": 1}
#: Record channels counted by :func:`richness`.
RICH_CHANNELS = ("hr_bpm", "cadence_spm", "temp_c", "power_w")
#: Two activities of different files whose time spans overlap by more than this
#: fraction of the longer span are the same activity.
DUPLICATE_OVERLAP = 0.5


def decode_file(source: str, data: bytes, tz=None) -> Outcome:
    """Decode one activity file's bytes; the task run in a worker process.

    A picklable top-level function: it needs neither the file system nor the
    cache, so it runs on any :class:`concurrent.futures.Executor` (a process
    pool, threads, a Dask client's executor).  It never raises.

    Parameters
    ----------
    source : str
        The file's name (``'folder/run.fit'``, ``'export.zip!activities/1.gpx.gz'``),
        used in messages and ``info['source']``.
    data : bytes
        The file's content (gzip-compressed or not).
    tz : str, optional
        Time zone override, passed to :func:`runlog.io.read_activities`.

    Returns
    -------
    Outcome
        'ok' with every session, 'skipped' for a valid non-activity file
        (:class:`~runlog.errors.NotAnActivityError`), 'error' with the
        :class:`~runlog.errors.FileFormatError` message, or 'error' (not
        cacheable) for an unexpected exception, so one bad file never stops
        an import.
    """
    from .io import read_activities

    quiet = threading.current_thread() is threading.main_thread()
    try:
        with warnings.catch_warnings() if quiet else contextlib.nullcontext():
            if quiet:  # truncation etc. is reported in the runs frame, not as a warning per file
                warnings.simplefilter("ignore", RunlogWarning)
            acts = read_activities(source, tz=tz, data=data)
            summaries = [summarize_activity(a) for a in acts]
    except NotAnActivityError as exc:
        return Outcome("skipped", [], exc.reason)
    except FileFormatError as exc:
        return Outcome("error", [], exc.reason)
    except Exception as exc:  # a reader bug must not stop the import
        return Outcome("error", [], f"unexpected {type(exc).__name__} while decoding ({exc}); "
                                    "please report this file to the runlog developers", cacheable=False)
    return Outcome("ok", acts, summaries=summaries)


# ---------------------------------------------------------------- duplicates
def richness(activity: Activity) -> tuple:
    """Sort key saying which copy of a duplicated activity to keep (larger wins).

    Lexicographic: number of :data:`RICH_CHANNELS` (heart rate, cadence,
    temperature, power) with any value, then the format (FIT over TCX over
    GPX, :data:`FORMAT_RANK`), then the number of records, then an intact
    file over a truncated one.
    """
    rec = activity.records
    channels = int(np.isfinite(rec[list(RICH_CHANNELS)].to_numpy()).any(axis=0).sum())
    fmt = str(activity.info.get("format"))
    return (channels, FORMAT_RANK.get(fmt, 0), len(rec), not bool(activity.info.get("truncated")))


def _span_ns(activity: Activity) -> tuple[int, int]:
    idx = activity.records.index.asi8
    return int(idx[0]), int(idx[-1])


def overlap_fractions(span_a: tuple[int, int], span_b: tuple[int, int]) -> tuple[float, float]:
    """Overlap of two time spans as fractions of the longer and of the shorter span.

    Parameters
    ----------
    span_a, span_b : (start, end)
        Times in any common unit (runlog uses ns since the epoch).

    Returns
    -------
    (of_longer, of_shorter) : tuple of float in [0, 1]
        ``overlap / max(len_a, len_b)`` and ``overlap / min(len_a, len_b)``
        with ``overlap = max(0, min(end) - max(start))``.  A zero-length span
        (one record) counts as fully overlapped when its instant lies inside
        the other span.
    """
    (s1, e1), (s2, e2) = span_a, span_b
    ov = max(0, min(e1, e2) - max(s1, s2))
    l1, l2 = e1 - s1, e2 - s2
    longer, shorter = max(l1, l2), min(l1, l2)
    if shorter <= 0:
        inst = (s1, l2, s2, e2) if l1 <= l2 else (s2, l1, s1, e1)
        inside = inst[2] <= inst[0] <= inst[3]
        of_shorter = 1.0 if inside else 0.0
        of_longer = of_shorter if longer <= 0 else ov / longer
        return of_longer, of_shorter
    return ov / longer, ov / shorter


def is_duplicate(a: Activity, b: Activity) -> bool:
    """True when *a* and *b* are the same activity recorded in two files.

    Sessions of one file are never duplicates of each other.  Two activities
    of different files are duplicates when their spans overlap by more than
    :data:`DUPLICATE_OVERLAP` of the longer span (e.g. a FIT and a GPX export
    of one run), or when they have the same ``run_id`` (same start minute)
    and overlap by more than that fraction of the shorter one (one is a
    cropped copy of the other).  Same-minute activities that do not overlap
    (chained sessions) are not duplicates: they get distinct run ids from
    :func:`unique_run_ids`.
    """
    if a.info.get("source") == b.info.get("source"):
        return False
    of_longer, of_shorter = overlap_fractions(_span_ns(a), _span_ns(b))
    if of_longer > DUPLICATE_OVERLAP:
        return True
    return a.run_id == b.run_id and of_shorter > DUPLICATE_OVERLAP


def _why_kept(kept: Activity, dropped: Activity) -> str:
    """The first :func:`richness` criterion that decided between two copies, in words."""
    rk, rd = richness(kept), richness(dropped)
    if rk[0] != rd[0]:
        return f"more sensor channels (heart rate, cadence, temperature, power: {rk[0]} vs {rd[0]})"
    if rk[1] != rd[1]:
        return f"preferred format ({kept.info.get('format')} over {dropped.info.get('format')})"
    if rk[2] != rd[2]:
        return f"more records ({rk[2]} vs {rd[2]})"
    if rk[3] != rd[3]:
        return "the other file is truncated"
    return "equally rich; the first by file name"


def _order_key(a: Activity) -> tuple:
    return (str(a.info.get("source")), int(a.info.get("session") or 1))


def deduplicate(activities: list[Activity]) -> tuple[list[Activity], pd.DataFrame]:
    """Keep one copy of every activity present in several files.

    Candidate pairs come from a sweep over the activities sorted by start
    (only overlapping spans are compared); the copies are then taken richest
    first (:func:`richness`, ties by source name) and an activity is dropped
    when it duplicates (:func:`is_duplicate`) one already kept.

    Returns
    -------
    (kept, skipped)
        The kept activities in start order, and one ``skipped`` row per
        dropped copy: ``path``, ``reason``, ``run_id``, ``kept`` (the source
        of the copy kept instead).
    """
    acts = sorted(activities, key=lambda a: (_span_ns(a)[0], *_order_key(a)))
    spans = [_span_ns(a) for a in acts]
    neighbours: list[list[int]] = [[] for _ in acts]
    active: list[int] = []
    for i, (s, _e) in enumerate(spans):
        active = [j for j in active if spans[j][1] >= s]
        for j in active:
            if is_duplicate(acts[i], acts[j]):
                neighbours[i].append(j)
                neighbours[j].append(i)
        active.append(i)
    # Only activities with a duplicate need ranking; the others are kept as they are.
    involved = [i for i in range(len(acts)) if neighbours[i]]
    order = sorted(involved, key=lambda i: (tuple(-x for x in richness(acts[i])), *_order_key(acts[i])))
    rank = {i: r for r, i in enumerate(order)}
    kept: set[int] = {i for i in range(len(acts)) if not neighbours[i]}
    rows = []
    for i in order:
        winners = [j for j in neighbours[i] if j in kept]
        if not winners:
            kept.add(i)
            continue
        w = min(winners, key=rank.__getitem__)
        a, k = acts[i], acts[w]
        rows.append({
            "path": str(a.info.get("source")),
            "reason": f"duplicate of {k.info.get('source')} (same activity; kept that copy: {_why_kept(k, a)})",
            "run_id": a.run_id,
            "kept": str(k.info.get("source")),
        })
    return [acts[i] for i in range(len(acts)) if i in kept], _frame(rows, SKIPPED_COLUMNS)


def unique_run_ids(activities: list[Activity]) -> list[Activity]:
    """Give activities that share a ``run_id`` (non-overlapping sessions started in
    the same minute) distinct ids: the first in start order keeps it, the next
    get ``-2``, ``-3``, ...  Returns the activities in start order, new Activity
    objects for the renamed ones (the originals are left alone)."""
    return [new for _old, new in _renamed(activities)]


def _renamed(activities: list[Activity]) -> list[tuple[Activity, Activity]]:
    out, seen = [], {}
    for a in sorted(activities, key=lambda a: (_span_ns(a)[0], *_order_key(a))):
        rid = a.run_id
        n = seen.get(rid, 0) + 1
        seen[rid] = n
        new = a
        if n > 1:
            info = a.info.copy()
            info["run_id"] = f"{rid}-{n}"
            new = Activity(a.records, a.laps, info)
        out.append((a, new))
    return out


def _frame(rows: list[dict], cols: list[str]) -> pd.DataFrame:
    if not rows:
        return _empty(cols)
    df = pd.DataFrame(rows, columns=cols)
    df = df.sort_values(cols[:3] if "run_id" in cols else cols, kind="stable", na_position="first")
    return df.astype("string").reset_index(drop=True)


# ------------------------------------------------------------------- sources
class _Item(NamedTuple):
    source: str
    data: bytes | None
    error: str | None
    digest: str | None = None  # known from the digest index: data not read yet
    signature: list | None = None  # stat signature of a plain file


def _read_file(path: str) -> tuple[bytes | None, str | None]:
    """A user file's bytes (read only), or an error row's reason."""
    from .io import MAX_FILE_BYTES, open_user_file

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
        # absolute paths: the sources in the frames (and in the cache's snapshots) name the same
        # file whichever working folder an import is run from
        if isinstance(source, (str, os.PathLike)):
            p = Path(os.path.abspath(Path(source).expanduser()))
            if p.is_symlink() and not p.exists():
                raise FileFormatError(_read_file(str(p))[1], p)  # its reason: a broken link
            if not p.exists():
                raise FileFormatError("no such file or folder; check the path", p)
            self._add(p)
        else:
            seen = set()
            for s in source:
                p = Path(os.path.abspath(Path(s).expanduser()))
                key = str(p)
                if key not in seen:
                    seen.add(key)
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
        from .io import open_user_file

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
            fut = cf.Future()
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


def _progress_bar(total: int, enabled: bool):
    """A ``tqdm.auto`` bar: a widget in Jupyter (with ipywidgets), text elsewhere."""
    from tqdm import TqdmWarning

    with warnings.catch_warnings():
        # Jupyter without ipywidgets: tqdm.auto falls back to the text bar; its
        # "IProgress not found" warning would only clutter the notebook.
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, unit="file", desc="runlog: reading activities",
                dynamic_ncols=True, leave=True)


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
          never extracted (see :mod:`runlog.exports` for the safety limits);
        * a list of files, folders and exports.
    cache : bool or str or PathLike, default True
        Cache decoded files as Parquet (:mod:`runlog.cache`) in
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
    :class:`~runlog.cache.DigestIndex`; and when *every* file of a folder or
    list is unchanged, the whole History comes from one snapshot written by
    the previous import (:meth:`~runlog.cache.ActivityCache.get_snapshot`),
    without reading the per-file entries.  A worker process that dies (crash,
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
    store = resolve_cache(cache)
    if store is not None:
        store.prune_temp()
    scan = _Scan(source)
    snapshot = _snapshot_key(scan, store, tz)
    if snapshot is not None:
        frames = store.get_snapshot(snapshot)
        if frames is not None:  # nothing changed since an earlier import: one read, no assembly
            # Parquet keeps the run_id index's values, not its pandas string flavour
            frames["runs"].index = frames["runs"].index.astype("string")
            return History(**frames)
    runner = _Runner(workers, executor)
    bar = _progress_bar(scan.total, progress)

    def grow(n):
        bar.total = (bar.total or 0) + n
        bar.refresh()

    scan.on_more = grow
    results: list[tuple[str, Outcome]] = []
    pending: dict[cf.Future, _Task] = {}
    waiting: dict[str, list[str]] = {}  # key -> sources sharing an in-flight decode
    done: dict[str, Outcome] = {}
    suspects: list[_Task] = []  # tasks lost with a crashed worker process

    def finish(task: _Task, out: Outcome) -> None:
        if store is not None:
            store.put(task.key, out)
        done[task.key] = out
        for src in waiting.pop(task.key):
            results.append((src, out if src == task.source else _with_source(out, src)))
            bar.update(1)

    def collect(futures) -> None:
        for fut in futures:
            task = pending.pop(fut)
            try:
                out = fut.result()
            except cf.BrokenExecutor as exc:
                # A worker died (crash, out of memory): every task in that pool fails.
                # Own pool: replace it and decode those files again one by one at the end.
                if runner.reset(task.generation):
                    suspects.append(task)
                    continue
                out = Outcome("error", [], f"the worker process decoding it stopped abruptly ({exc}); "
                                           "re-run with workers=1 to see whether this file is the cause",
                              cacheable=False)
            except Exception as exc:  # e.g. a remote executor failing to run the task
                out = Outcome("error", [], f"unexpected {type(exc).__name__} in the worker ({exc})",
                              cacheable=False)
            if not isinstance(out, Outcome):  # a foreign executor returning plain tuples
                out = Outcome(*out)
            finish(task, out)

    index = store.digests if store is not None else None

    def settled(source: str, key: str) -> bool:
        """Settle *source* from an in-flight decode, this import or the cache; True if done."""
        if key in waiting:
            waiting[key].append(source)
            return True
        if key in done:
            results.append((source, _with_source(done[key], source)))
        else:
            hit = store.get(key, source) if store is not None else None
            if hit is None:
                return False
            done[key] = hit
            results.append((source, hit))
        bar.update(1)
        return True

    try:
        for item in scan.items(index):
            data, digest = item.data, item.digest
            if digest is not None:  # unchanged file known to the digest index: not read
                if settled(item.source, ActivityCache.key(digest, tz)):
                    continue
                data, err = _read_file(item.source)  # its entry is gone: read it after all
                item = item._replace(error=err)
            if item.error is not None:
                results.append((item.source, Outcome("error", [], item.error, cacheable=False)))
                bar.update(1)
                continue
            digest = content_digest(data)
            if index is not None and item.signature is not None:
                index.remember(item.source, item.signature, digest)
            key = ActivityCache.key(digest, tz)
            if settled(item.source, key):
                continue
            waiting[key] = [item.source]
            fut, gen = runner.submit(decode_file, item.source, data, tz)
            pending[fut] = _Task(key, item.source, data, gen)
            while len(pending) >= runner.max_pending:
                finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
                collect(finished)
        while pending:
            finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            collect(finished)
        for task, out in runner.isolate(suspects, tz):
            finish(task, out)
    finally:
        runner.close()
        bar.close()
        if index is not None:
            index.save()
    history = _assemble(results, scan)
    if store is not None and all(out.cacheable for _src, out in results):
        snapshot = _snapshot_key(scan, store, tz)
        if snapshot is not None:
            store.put_snapshot(snapshot, {f: getattr(history, f) for f in store.SNAPSHOT_FRAMES})
    return history


def _snapshot_key(scan: _Scan, store: ActivityCache | None, tz) -> str | None:
    """Key of the whole-history snapshot for *scan*, or None when there is none to use.

    Only a source made of plain files (folders, lists; not zip exports, whose
    members must be read anyway) whose every file is unchanged since it was
    last hashed (:class:`~runlog.cache.DigestIndex`) has a key: the hash of
    every (path, cache entry key) pair, the export metadata and the scan's
    own errors.  Any new, removed or changed file gives another key, so a
    stale snapshot is never used.
    """
    if store is None or not scan.plan or any(kind != "file" for kind, _path in scan.plan):
        return None
    h = hashlib.sha256(b"runlog-history-snapshot-1\0")
    for _kind, path in sorted(scan.plan):
        try:
            digest = store.digests.lookup(path, stat_signature(os.stat(path)))
        except OSError:
            return None
        if digest is None:
            return None
        h.update(f"{os.path.abspath(path)}\0{ActivityCache.key(digest, tz)}\n".encode())
    for meta in scan.metadata:
        h.update(repr(list(meta.columns)).encode())
        h.update(pd.util.hash_pandas_object(meta, index=True).to_numpy().tobytes())
    for path, reason in scan.errors:
        h.update(f"{path}\0{reason}\n".encode())
    return h.hexdigest()


def _assemble(results: list[tuple[str, Outcome]], scan: _Scan) -> History:
    """Errors, skipped files, de-duplication, run ids and export metadata -> History."""
    results = sorted(results, key=lambda r: r[0])
    errors = [{"path": p, "reason": r} for p, r in scan.errors]
    skipped, acts, summary_of = [], [], {}
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
    pairs = _renamed(kept)
    kept = [new for _old, new in pairs]
    summaries = None
    if all(id(old) in summary_of for old, _new in pairs):
        summaries = [{**summary_of[id(old)], "run_id": new.run_id} for old, new in pairs]
    skipped_df = pd.concat([_frame(skipped, SKIPPED_COLUMNS), dups], ignore_index=True) if len(dups) \
        else _frame(skipped, SKIPPED_COLUMNS)
    metadata = _metadata(kept, dups, scan.metadata)
    return History.from_activities(kept, errors=_frame(errors, ERROR_COLUMNS), skipped=skipped_df,
                                   metadata=metadata, summaries=summaries)


def _metadata(kept: list[Activity], dups: pd.DataFrame, tables: list[pd.DataFrame]) -> pd.DataFrame | None:
    """Export metadata (Strava name, description, gear) per kept run_id, joined by file name.

    A dropped duplicate's metadata goes to the copy kept instead when that
    copy has none of its own.
    """
    if not tables:
        return None
    table = pd.concat(tables)
    table = table[~table.index.duplicated(keep="first")]
    by_source = {}
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
