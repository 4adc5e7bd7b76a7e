"""Benchmark: ``read_history`` on FIT and GPX histories, cold / warm / one run added, beside the decode alone.

For each format and history size (default 1,000 and 3,000 runs) the script
writes a folder of time-shifted copies of real recordings, copy *k* moved
by *k* days so every run has its own id and date:

* **FIT**: four real runs from three watches (``fitparse__activity-small-
  fenix2-run.fit``, ``fitparse__developer-types-sample.fit``,
  ``workoutizer__run_with_coordinates.fit``, ``runpandas__run.fit``; 2,345
  records per run on average, so 1,000 runs are 2.3 M records); every
  absolute ``date_time`` field is moved and the file CRC recomputed
  (:func:`shift_fit`), so the copies decode exactly as the originals, a
  quarter of them needing a time-zone lookup by position.
* **GPX**: four real tracks (``runpandas__run.gpx``,
  ``runpandas__strava_export.gpx``, ``runpandas__nike_run.gpx``,
  ``gpxpy__korita-zbevnica.gpx``; 1,090 points per run on average).
  Every fourth copy (``runpandas__nike_run.gpx``, whose first ``<time>``
  is its metadata's, a day after its track) overlaps the run before it
  in time without being a duplicate of it.

It then times, each in a fresh Python process (interpreter start-up and
``import runlog`` not counted), side by side in one run:

* the **decode-only references**, every file in turn in one process:
  *records alone* (FIT: the vectorised record decoder of
  :mod:`runlog.io._fitfast` -- the message walk, the CRC, the record
  columns -- without the other messages, frames or anything else; GPX: the
  fast point parse, :func:`runlog.io._gpxfast.read_points` of the decoded
  text) and *the decoder* (``runlog.io.fit.decode`` /
  ``runlog.io.gpx.decode``: everything a reader does before runlog's
  per-file work);
* **cold**: ``read_history`` into an empty cache folder, with 1 and with 2
  worker processes (``--workers``), and its ratio to *records alone*;
* **warm**: every file cached and unchanged (the best of ``--repeat``
  calls in one process);
* **add one**: one new run file added to the cached history.

The targets of issue 28 are printed beside the ratios: a cold FIT import
with 2 workers at most 2x the records alone, a cold GPX import with 1
worker at most 1.5x the fast point parse, and a cold import with 1 worker
at most 3.2x as long at 3,000 runs as at 1,000.  The references and cold
imports take turns within each of ``--repeat`` rounds (a load change on a
shared machine hits them alike); each figure is the best round.  Peak RSS
is ``ru_maxrss`` of the importing process (``self``) and of the largest
worker.  Nothing is asserted: the script prints tables and the machine
load (1-minute load average before and after).

The corpus is ``../shared/data/real`` (or ``$RUNLOG_BENCH_DATA``), else
``tests/data`` (where fewer of the tracks are).

With ``--against DIR`` every measurement is also made with the runlog
package in DIR (an older commit, say), the two taking turns, and the
ratios are printed: before and after in one run, under the same load.
The CPU seconds of each cold import (the importing process and its
workers) are shown beside its time, and each target's ratio is also given
in CPU seconds: on a loaded machine they vary much less.

Run:  .venv/bin/python bench/bench_history.py [--formats fit gpx] [--runs 1000 3000] [--repeat 1]
      [--workers 1 2] [--no-warm] [--against DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RUNLOG_BENCH_DATA") or ROOT.parent / "shared" / "data" / "real")
GPX_TRACKS = ["runpandas__run.gpx", "runpandas__strava_export.gpx", "runpandas__nike_run.gpx",
              "gpxpy__korita-zbevnica.gpx"]
FIT_RUNS = ["fitparse__activity-small-fenix2-run.fit", "fitparse__developer-types-sample.fit",
            "workoutizer__run_with_coordinates.fit", "runpandas__run.fit"]
_TIME_RE = re.compile(rb"<time>(\d{4})-(\d\d)-(\d\d)T([^<]+)</time>")
DAY_S = 86400


def find_files(fmt: str) -> list[Path]:
    """The real recordings copied into the histories (the shared corpus first, else ``tests/data``)."""
    out = []
    for name in (FIT_RUNS if fmt == "fit" else GPX_TRACKS):
        for folder in (SHARED / fmt, ROOT / "tests" / "data" / fmt):
            if (folder / name).is_file():
                out.append(folder / name)
                break
    if not out:
        raise SystemExit(f"no {fmt.upper()} file found in ../shared/data/real/{fmt} or tests/data/{fmt}")
    return out


class GpxCopier:
    """Writes copy *k* of the GPX tracks, its times shifted by *k* days (every copy starts on 2015-01-01 + k)."""

    suffix = ".gpx"

    def __init__(self, tracks: list[Path]):
        import numpy as np
        import pandas as pd

        self.np = np
        self.pieces, self.times = [], []
        for t in tracks:
            raw = t.read_bytes()
            stamps = [b"%s-%s-%sT%s" % m.groups() for m in _TIME_RE.finditer(raw)]
            times = pd.to_datetime(pd.Series([s.decode() for s in stamps]), utc=True, format="ISO8601")
            day0 = times.iloc[0].normalize()
            self.times.append((times - day0 + pd.Timestamp("2015-01-01", tz="UTC")).dt.tz_localize(None).to_numpy())
            self.pieces.append(re.split(rb"<time>[^<]+</time>", raw))

    def data(self, k: int) -> bytes:
        i = k % len(self.pieces)
        stamps = self.np.datetime_as_string(self.times[i] + self.np.timedelta64(k, "D"), unit="s")
        buf = bytearray()
        for j, piece in enumerate(self.pieces[i]):
            buf += piece
            if j < len(stamps):
                buf += b"<time>" + stamps[j].encode() + b"Z</time>"
        return bytes(buf)


#: (global message number, field number) of the absolute date_time fields besides field 253 (``timestamp``,
#: in every message): file_id.time_created, session/lap/length/segment_lap.start_time, activity.local_timestamp
_FIT_TIME_FIELDS = frozenset({(0, 4), (18, 2), (19, 2), (101, 2), (142, 2), (34, 5)})
#: FIT date_time values below this are relative (seconds since the device powered on), not moved
_FIT_MIN_DATE_TIME = 0x10000000


def shift_fit(data: bytes, seconds: int) -> bytes:
    """A FIT file with every absolute date_time field moved by *seconds* and its CRC recomputed.

    Walks the definition and data messages (FIT SDK "FIT File Structure")
    of each chained file; *seconds* must be a multiple of 32, so the 5-bit
    offsets of compressed-timestamp headers stay right.

    Parameters
    ----------
    data : bytes
        A whole, undamaged FIT file.
    seconds : int
        The shift [s].

    Returns
    -------
    bytes
        The same length as *data*.
    """
    from runlog.io._fitfast import crc16

    if seconds % 32:
        raise ValueError("the shift must be a multiple of 32 s (compressed timestamps)")
    out = bytearray(data)
    start = 0
    while start + 12 <= len(out) and out[start + 8:start + 12] == b".FIT":
        hsize = out[start]
        (dsize,) = struct.unpack_from("<I", out, start + 4)
        pos, end = start + hsize, start + hsize + dsize
        defs: dict[int, tuple[int, str, list[int]]] = {}
        while pos < end:
            h = out[pos]
            pos += 1
            if h & 0x80 == 0 and h & 0x40:  # definition message
                fmt = ">" if out[pos + 1] == 1 else "<"
                (gnum,) = struct.unpack_from(fmt + "H", out, pos + 2)
                p, off, times = pos + 5, 0, []
                for _ in range(out[pos + 4]):
                    fnum, size = out[p], out[p + 1]
                    if size == 4 and (fnum == 253 or (gnum, fnum) in _FIT_TIME_FIELDS):
                        times.append(off)
                    off += size
                    p += 3
                if h & 0x20:  # developer fields
                    for _ in range(out[p]):
                        off += out[p + 2]
                        p += 3
                    p += 1
                defs[h & 0x0F] = (off, fmt + "I", times)
                pos = p
                continue
            size, fmt, times = defs[(h >> 5) & 0x03 if h & 0x80 else h & 0x0F]
            for o in times:
                (v,) = struct.unpack_from(fmt, out, pos + o)
                if _FIT_MIN_DATE_TIME <= v < 0xFFFFFFFF:
                    struct.pack_into(fmt, out, pos + o, v + seconds)
            pos += size
        struct.pack_into("<H", out, end, crc16(bytes(out[start:end])))
        start = end + 2
    return bytes(out)


class FitCopier:
    """Writes copy *k* of the FIT runs, every date_time moved by *k* days."""

    suffix = ".fit"

    def __init__(self, files: list[Path]):
        self.raw = [p.read_bytes() for p in files]

    def data(self, k: int) -> bytes:
        return shift_fit(self.raw[k % len(self.raw)], k * DAY_S)


def write_copy(copier, folder: Path, k: int) -> Path:
    """Copy *k* as *folder*/run_<k>.<fmt>."""
    path = folder / f"run_{k:05d}{copier.suffix}"
    path.write_bytes(copier.data(k))
    return path


# ------------------------------------------------------------------- children (one measurement per process)
def _cpu() -> float:
    """CPU seconds of this process and its finished children (user + system)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def child_import(folder: str, cache: str, repeat: int, workers: int) -> dict:
    """*repeat* read_history calls in this process: times and CPU [s], sizes, peak RSS [MiB]."""
    import runlog

    times, cpu, h = [], [], None
    for _ in range(repeat):
        h = None  # the peak RSS is one import's, not two Histories held at once
        c0, t0 = _cpu(), time.perf_counter()
        h = runlog.read_history(folder, cache=cache, workers=workers, progress=False)
        times.append(time.perf_counter() - t0)
        cpu.append(_cpu() - c0)
    assert h is not None
    scale = 1024.0 if sys.platform != "darwin" else 1024.0**2
    return {"times": times, "cpu": cpu, "runs": len(h.runs), "records": len(h.records), "errors": len(h.errors),
            "rss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale,
            "rss_workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale}


def _fit_records_alone(data: bytes) -> int:
    """The records of a FIT file through the vectorised decoder alone (walk, CRC, record columns); their number."""
    from runlog.io import fit

    try:
        from runlog.io import _fitfast as fitfast
    except ImportError:  # a tree before the house moves (--against)
        from runlog.io import fitfast  # type: ignore[no-redef]

    n = 0
    for seg in fit.split_segments(data)[0]:
        d = seg.data
        hsize = d[0]
        (dsize,) = struct.unpack_from("<I", d, 4)
        end = min(hsize + dsize, len(d))
        walk = fitfast._walk(d, hsize, end)
        if walk.compressed:
            walk = fitfast._walk(d, hsize, end, stamped=True)
        stamps = fitfast._compressed_times(d, walk) if walk.compressed else {}
        fitfast.crc16(d[:end])
        n += len(fitfast._record_columns(d, walk, stamps)["timestamp"])
    return n


def _gpx_points(data: bytes, source: str) -> int:
    """The fast point parse of a GPX file (decoded text -> point arrays); the number of points."""
    from runlog.io import _gpxfast, gpx
    from runlog.io._xml import reject_dtd, xml_text

    text = xml_text(data, source)
    reject_dtd(text, source)
    return int(_gpxfast.read_points(text, source, gpx.EXTENSION_COLUMNS)[1].size)


def child_reference(kind: str, folder: str) -> dict:
    """One decode-only pass over every file of *folder* (read from disk included): time [s], records."""
    import warnings

    from runlog.io import fit, gpx

    one = {
        "fit-records": lambda d, s: _fit_records_alone(d),
        "fit-decoder": lambda d, s: sum(len(r.records) for r in fit.decode(d, s)),
        "gpx-records": _gpx_points,
        "gpx-decoder": lambda d, s: sum(len(r.records) for r in gpx.decode(d, s)),
    }[kind]
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    n = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c0, t0 = _cpu(), time.perf_counter()
        for f in files:
            with open(f, "rb") as fh:
                n += one(fh.read(), f)
        t, c = time.perf_counter() - t0, _cpu() - c0
    return {"times": [t], "cpu": [c], "records": n}


def this_tree() -> str:
    """The folder holding the runlog package this process imports."""
    import runlog

    return str(Path(runlog.__file__).resolve().parents[1])


def run_child(*args, tree: str) -> dict:
    """One measurement in a fresh process importing runlog from *tree* (run outside any worktree)."""
    cmd = [sys.executable, __file__, "--child", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tree, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------- measuring
def measure(fmt: str, n: int, copier, repeat: int, workers: list[int], warm: bool, trees: dict[str, str]) -> dict:
    """Every figure of one history (format, *n* runs) for every tree (label -> folder); see the module docstring."""
    tmp = Path(tempfile.mkdtemp(prefix=f"runlog-bench-history-{fmt}-"))
    try:
        folder = tmp / "runs"
        folder.mkdir()
        for k in range(n):
            write_copy(copier, folder, k)
        out: dict = {"fmt": fmt, "n": n, "mb": sum(p.stat().st_size for p in folder.iterdir()) / 1e6, "trees": {}}
        for label in trees:
            out["trees"][label] = {"ref": {"records": [], "decoder": []}, "cold": {w: [] for w in workers}}
        for _ in range(repeat):  # the trees, references and cold imports take turns
            for label, tree in trees.items():
                res, cache = out["trees"][label], tmp / f"cache-{label}"
                for kind in ("records", "decoder"):
                    res["ref"][kind].append(run_child("ref", f"{fmt}-{kind}", folder, tree=tree))
                for w in workers:
                    shutil.rmtree(cache, ignore_errors=True)
                    res["cold"][w].append(run_child("import", folder, cache, 1, w, tree=tree))
        if warm:  # each tree's cache of its last cold import
            w = workers[-1]
            for label, tree in trees.items():
                res, cache = out["trees"][label], tmp / f"cache-{label}"
                res["warm"] = run_child("import", folder, cache, repeat + 1, w, tree=tree)
                res["adds"] = []
                for i in range(repeat):
                    write_copy(copier, folder, n + i)
                    res["adds"].append(run_child("import", folder, cache, 1, w, tree=tree))
                for i in range(repeat):
                    (folder / f"run_{n + i:05d}{copier.suffix}").unlink()
        for label, res in out["trees"].items():
            best = {w: _best(rs) for w, rs in res["cold"].items()}
            print(f"  {label}: {fmt} {n} runs: records alone {_best(res['ref']['records']):.2f} s, cold "
                  + ", ".join(f"{w} worker(s) {t:.2f} s" for w, t in best.items()), file=sys.stderr, flush=True)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _best(rounds: list[dict]) -> float:
    return min(r["times"][0] for r in rounds)


def _best_cpu(rounds: list[dict]) -> float:
    return min(r["cpu"][0] for r in rounds)


def _cold(res: dict, w: int) -> dict:
    return min(res["cold"][w], key=lambda r: r["times"][0])


def _worker_words(w: int) -> str:
    return f"{w} worker{'s' if w > 1 else ''}"


def table(results: list[dict], workers: list[int], label: str) -> str:
    """The results of one format and tree as a Markdown table, then the ratios to their targets."""
    fmt = results[0]["fmt"]
    alone = "fast point parse" if fmt == "gpx" else "records alone"
    head = ["runs", "records", "MB", f"{alone} [s]", "decoder [s]"]
    head += [f"cold, {_worker_words(w)} [s] (x {alone}; CPU s)" for w in workers]
    has_warm = "warm" in results[0]["trees"][label]
    if has_warm:
        head += ["warm [s]", "add one [s]"]
    head += ["peak RSS cold: self / workers [MiB]"]
    lines = [f"\n{fmt.upper()}, {label}:", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for out in results:
        r = out["trees"][label]
        ref = _best(r["ref"]["records"])
        c = _cold(r, workers[-1])
        row = [f"{out['n']:,}", f"{c['records']:,}", f"{out['mb']:.0f}", f"{ref:.2f}",
               f"{_best(r['ref']['decoder']):.2f}"]
        for w in workers:
            cw = _cold(r, w)
            row.append(f"{cw['times'][0]:.2f} ({cw['times'][0] / ref:.2f}x; {cw['cpu'][0]:.1f})")
        if has_warm:
            row += [f"{min(r['warm']['times']):.3f}", f"{min(a['times'][0] for a in r['adds']):.3f}"]
        row += [f"{c['rss_self']:.0f} / {c['rss_workers']:.0f}"]
        lines.append("| " + " | ".join(row) + " |")
    # on a loaded machine the times swing with the others' work; the CPU seconds much less: each ratio is
    # also given in CPU (for 2 workers as half the import's CPU: its time on two idle cores at best)
    for out in results:
        r = out["trees"][label]
        ref, ref_cpu = _best(r["ref"]["records"]), _best_cpu(r["ref"]["records"])
        if fmt == "fit" and 2 in workers:
            c2 = _cold(r, 2)
            lines.append(f"{out['n']:,} runs: cold with 2 workers {c2['times'][0] / ref:.2f}x the records "
                         f"alone (target <= 2), {c2['times'][0] / _best(r['ref']['decoder']):.2f}x the "
                         f"decoder; in CPU: {c2['cpu'][0] / ref_cpu:.2f}x the records alone, half of it "
                         f"{c2['cpu'][0] / 2 / ref_cpu:.2f}x, {c2['cpu'][0] / _best_cpu(r['ref']['decoder']):.2f}x "
                         "the decoder")
        if fmt == "gpx" and 1 in workers:
            c1 = _cold(r, 1)
            lines.append(f"{out['n']:,} runs: cold with 1 worker {c1['times'][0] / ref:.2f}x the fast point "
                         f"parse (target <= 1.5); in CPU {c1['cpu'][0] / ref_cpu:.2f}x")
    by_n = {out["n"]: out["trees"][label] for out in results}
    if 1000 in by_n and 3000 in by_n:
        for w in workers:
            a, b = _cold(by_n[1000], w), _cold(by_n[3000], w)
            ra, rb = _best(by_n[1000]["ref"]["records"]), _best(by_n[3000]["ref"]["records"])
            ca, cb = _best_cpu(by_n[1000]["ref"]["records"]), _best_cpu(by_n[3000]["ref"]["records"])
            target = " (target <= 3.2)" if w == 1 else ""
            lines.append(f"3,000 / 1,000 runs, cold with {_worker_words(w)}: {b['times'][0] / a['times'][0]:.2f}x"
                         f"{target} (CPU {b['cpu'][0] / a['cpu'][0]:.2f}x); {alone}: {rb / ra:.2f}x "
                         f"(CPU {cb / ca:.2f}x)")
    return "\n".join(lines)


def comparison(results: list[dict], workers: list[int], labels: list[str]) -> str:
    """Each tree's cold, warm and add-one times as a multiple of the first tree's, measured in turns."""
    first, *others = labels
    lines = []
    for other in others:
        lines.append(f"\n{results[0]['fmt'].upper()}: {other} / {first} (time; < 1: {other} is faster)")
        for out in results:
            a, b = out["trees"][first], out["trees"][other]
            cells = [f"cold {_worker_words(w)} {_cold(b, w)['times'][0] / _cold(a, w)['times'][0]:.2f}x "
                     f"(CPU {_cold(b, w)['cpu'][0] / _cold(a, w)['cpu'][0]:.2f}x)" for w in workers]
            if "warm" in a:
                cells.append(f"warm {min(b['warm']['times']) / min(a['warm']['times']):.2f}x")
                cells.append("add one {:.2f}x".format(min(x["times"][0] for x in b["adds"]) /
                                                       min(x["times"][0] for x in a["adds"])))
            lines.append(f"  {out['n']:,} runs: " + ", ".join(cells))
    return "\n".join(lines)


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        if argv[1] == "import":
            out = child_import(argv[2], argv[3], int(argv[4]), int(argv[5]))
        else:
            out = child_reference(argv[2], argv[3])
        print(json.dumps(out))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--formats", nargs="+", choices=["fit", "gpx"], default=["fit", "gpx"])
    ap.add_argument("--runs", type=int, nargs="+", default=[1000, 3000])
    ap.add_argument("--repeat", type=int, default=1, help="rounds of references and cold imports (best is shown)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-warm", dest="warm", action="store_false", help="skip the warm and add-one imports")
    ap.add_argument("--against", metavar="DIR", help="also measure the runlog package in DIR (e.g. an older "
                    "commit: git worktree add DIR COMMIT), in turns with this one, and print the ratios")
    args = ap.parse_args(argv)
    import pandas as pd

    workers = sorted(set(args.workers))
    trees = {"this": this_tree()}
    if args.against:
        if not (Path(args.against) / "runlog" / "__init__.py").is_file():
            raise SystemExit(f"{args.against}: no runlog package there")
        trees = {"against": str(Path(args.against).resolve()), **trees}
    print(f"read_history beside the decode alone; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
          f"Python {sys.version.split()[0]}, pandas {pd.__version__}; best of {args.repeat}; "
          + "; ".join(f"{k}: runlog from {v}" for k, v in trees.items()))
    for fmt in args.formats:
        files = find_files(fmt)
        copier = FitCopier(files) if fmt == "fit" else GpxCopier(files)
        results = [measure(fmt, n, copier, args.repeat, workers, args.warm, trees) for n in sorted(set(args.runs))]
        for label in trees:
            print(table(results, workers, label), flush=True)
        if len(trees) > 1:
            print(comparison(results, workers, list(trees)), flush=True)
    print(f"\nload {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
