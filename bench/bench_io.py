"""Benchmark: runlog's readers against bare fitparse/gpxpy loops, and a cold vs warm history import.

Measured side by side in one run, on the same files:

1. ``runlog.read_fit`` vs a bare fitparse loop (``record`` messages ->
   ``get_values()`` -> DataFrame) on a few real FIT files.  Target: ratio
   <= 1.2.
2. ``runlog.read_gpx`` vs a bare gpxpy loop (track points -> time, lat, lon,
   elevation -> DataFrame) on real GPX files.  Target: ratio <= 1.2.
3. ``runlog.read_history`` of >= 200 distinct runs (time-shifted copies of a
   real GPX track, one day apart so run ids differ) cold (all workers, fresh
   cache folder) and then warm (from the cache).  Target: warm >= 50x faster.
   Peak memory: ``ru_maxrss`` of this process and of the worker processes, and
   the tracemalloc peak of a second warm import.
4. Peak memory of decoding one FIT file of 1 and 10 million records
   (``--memory-records``; a synthetic 29-byte record: time, position,
   distance, speed, altitude, heart rate, cadence, temperature): each in a
   fresh process, the rise of its peak RSS from before the file is read
   (the file's bytes count) over the file's size, for ``runlog.io.fit.decode``
   (the decoder and the raw frames) and, when the file is under
   ``MAX_FILE_BYTES``, ``runlog.read_activities`` (with
   ``finalize``) and an import worker's task
   (``runlog.history._decode.decode_file``: read_activities and the runs'
   summaries).  Target: decode <= ~8x the file.

Real files come from ``../shared/data/real`` when present, else ``tests/data``.
Times are the best of ``--repeat`` runs (reader comparisons; warm imports),
the cold import runs once (a fresh cache folder).  On a shared machine the
absolute times vary a lot from run to run; the ratios, measured side by side,
much less.
Nothing is asserted: the script prints figures.

Run:  .venv/bin/python bench/bench_io.py [--runs 200] [--repeat 3] [--workers N] [--memory-records 1e6 1e7]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from timing import best_of

import runlog

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "real"
DATA = SHARED if SHARED.is_dir() else ROOT / "tests" / "data"

FIT_FILES = ["fitparse__activity-small-fenix2-run.fit", "workoutizer__run_with_coordinates.fit",
             "runpandas__run.fit", "workoutizer__2019-09-25-16-15-53.fit", "heartandsole__testdata.fit"]
GPX_FILES = ["runpandas__run.gpx", "runpandas__strava_export.gpx", "heartandsole__testdata.gpx",
             "gpxpy__korita-zbevnica.gpx"]
#: The track copied (time-shifted) into the synthetic history, first one found.
TRACK_FILES = ["runpandas__strava_export.gpx", "runpandas__run.gpx", "heartandsole__testdata.gpx"]


def bare_fit(path: Path) -> pd.DataFrame:
    """The plain fitparse way: every ``record`` message's values into a DataFrame."""
    import fitparse

    ff = fitparse.FitFile(str(path))
    return pd.DataFrame([m.get_values() for m in ff.get_messages("record")])


def bare_gpx(path: Path) -> pd.DataFrame:
    """The plain gpxpy way: every track point's time and position into a DataFrame."""
    import gpxpy

    with open(path, encoding="utf-8") as fh:
        g = gpxpy.parse(fh)
    rows = [(p.time, p.latitude, p.longitude, p.elevation)
            for t in g.tracks for s in t.segments for p in s.points]
    return pd.DataFrame(rows, columns=["time", "lat", "lon", "ele"])


def compare(label: str, files: list[Path], ours, bare, repeat: int) -> None:
    print(f"\n== {label}: runlog vs bare loop (best of {repeat}) ==")
    print(f"{'file':48s} {'records':>8s} {'runlog s':>9s} {'bare s':>9s} {'ratio':>6s}")
    tot_ours = tot_bare = 0.0
    for p in files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            n = len(ours(p).records)
            bare(p)  # warm imports and caches for both before timing
            t_bare = best_of(lambda p=p: bare(p), repeat)
            t_ours = best_of(lambda p=p: ours(p), repeat)
        tot_ours += t_ours
        tot_bare += t_bare
        print(f"{p.name[:48]:48s} {n:8d} {t_ours:9.4f} {t_bare:9.4f} {t_ours / t_bare:6.2f}")
    print(f"{'total':48s} {'':8s} {tot_ours:9.4f} {tot_bare:9.4f} {tot_ours / tot_bare:6.2f}   (target <= 1.2)")


def find(names: list[str], sub: str) -> list[Path]:
    out = []
    for n in names:
        for folder in (DATA / sub, ROOT / "tests" / "data" / sub):
            if (folder / n).is_file():
                out.append(folder / n)
                break
    return out


_TIME_RE = re.compile(rb"<time>([^<]+)</time>")


def shifted_copies(track: Path, out: Path, n: int) -> None:
    """Write *n* copies of a GPX track, copy k shifted by k days (distinct run ids and dates)."""
    raw = track.read_bytes()
    stamps = [m.group(1).decode() for m in _TIME_RE.finditer(raw)]
    times = pd.to_datetime(pd.Series(stamps), utc=True, format="ISO8601")
    pieces = _TIME_RE.split(raw)  # text, time, text, time, ..., text
    for k in range(n):
        new = (times + pd.Timedelta(days=k)).dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()
        buf = bytearray()
        for i, piece in enumerate(pieces):
            if i % 2:
                buf += b"<time>" + new[i // 2].encode() + b"</time>"
            else:
                buf += piece
        (out / f"run_{k:04d}.gpx").write_bytes(bytes(buf))


def maxrss_mib(who=resource.RUSAGE_SELF) -> float:
    kb = resource.getrusage(who).ru_maxrss
    return kb / 1024.0 if sys.platform != "darwin" else kb / 1024.0**2


def history_bench(n_runs: int, workers: int | None, repeat: int = 3) -> None:
    track = find(TRACK_FILES, "gpx")[0]
    tmp = Path(tempfile.mkdtemp(prefix="runlog-bench-"))
    try:
        folder, cache = tmp / "history", tmp / "cache"
        folder.mkdir()
        shifted_copies(track, folder, n_runs)
        size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        print(f"\n== read_history: {n_runs} GPX files ({size_mb:.0f} MB, copies of {track.name}), "
              f"workers={workers or os.cpu_count()} ==")
        rss0 = maxrss_mib()
        t0 = time.perf_counter()
        cold = runlog.read_history(folder, cache=cache, workers=workers, progress=False)
        t_cold = time.perf_counter() - t0
        rss_cold = maxrss_mib()
        warm_times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            warm = runlog.read_history(folder, cache=cache, workers=workers, progress=False)
            warm_times.append(time.perf_counter() - t0)
        t_warm = min(warm_times)
        pd.testing.assert_frame_equal(cold.runs, warm.runs)
        pd.testing.assert_frame_equal(cold.records, warm.records)
        tracemalloc.start()
        runlog.read_history(folder, cache=cache, workers=workers, progress=False)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        entries = list(cache.rglob("*.parquet"))
        cache_mb = sum(p.stat().st_size for p in entries) / 1e6
        print(f"runs {len(cold)}, records {len(cold.records)}, errors {len(cold.errors)}, "
              f"skipped {len(cold.skipped)}; cache {len(entries)} entries, {cache_mb:.1f} MB")
        print(f"cold {t_cold:8.2f} s  ({t_cold / n_runs * 1000:.0f} ms/file)")
        print(f"warm {t_warm:8.2f} s  ({t_warm / n_runs * 1000:.1f} ms/file; best of "
              f"{', '.join(f'{t:.2f}' for t in warm_times)} s)")
        print(f"warm speed-up {t_cold / t_warm:6.1f}x (first warm import: {t_cold / warm_times[0]:.1f}x)"
              "   (target >= 50x)")
        print(f"peak RSS: this process {rss0:.0f} MiB before, {rss_cold:.0f} MiB after cold import; "
              f"worker processes {maxrss_mib(resource.RUSAGE_CHILDREN):.0f} MiB; "
              f"tracemalloc peak of a warm import {peak / 2**20:.0f} MiB "
              f"(frames held: {cold.records.memory_usage(deep=True).sum() / 2**20:.0f} MiB of records)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def synthetic_fit(n: int) -> bytes:
    """A FIT activity of *n* records of 29 bytes (time, position, distance, speed, altitude, HR, cadence, temp)."""
    from runlog.io._fitfast import crc16

    def definition(local, mesg_num, fields):
        return (bytes([0x40 | local, 0, 0]) + struct.pack("<H", mesg_num) + bytes([len(fields)])
                + b"".join(bytes(f) for f in fields))

    t0 = 1_000_000_000
    file_id = definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86)]) + b"\x00" + struct.pack("<BI", 4, t0)
    rec = definition(1, 20, [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86), (73, 4, 0x86),
                             (78, 4, 0x86), (3, 1, 0x02), (4, 1, 0x02), (53, 1, 0x02), (13, 1, 0x01)])
    dt = np.dtype([("h", "u1"), ("t", "<u4"), ("lat", "<i4"), ("lon", "<i4"), ("d", "<u4"), ("s", "<u4"),
                   ("a", "<u4"), ("hr", "u1"), ("cad", "u1"), ("fc", "u1"), ("temp", "i1")])
    a = np.zeros(n, dt)
    a["h"], a["t"], a["lat"], a["lon"] = 1, t0 + np.arange(n), 600_000_000 + np.arange(n) * 10, 100_000_000
    a["d"], a["s"], a["a"], a["hr"], a["cad"], a["temp"] = np.arange(n) * 300, 3000, 2600, 140, 85, 20
    body = file_id + rec + a.tobytes()
    head = struct.pack("<BBHI4s", 14, 0x20, 2093, len(body), b".FIT")
    head += struct.pack("<H", crc16(head))
    return head + body + struct.pack("<H", crc16(head + body))


_MEMORY_CHILD = """
import os, resource, sys, warnings
warnings.simplefilter("ignore")
import runlog
from runlog.io import fit
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
path, what = sys.argv[1], sys.argv[2]
base = rss()
data = open(path, "rb").read()
if what == "decode":
    rows = sum(len(r.records) for r in fit.decode(data, path))
elif what == "worker":  # an import worker's task: read_activities and the runs' summaries
    from runlog.history._decode import decode_file
    rows = sum(len(a.records) for a in decode_file(path, data).activities)
else:
    rows = sum(len(a.records) for a in runlog.read_activities(path, data=data))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(rows, (peak - base) / len(data))
"""


def memory_bench(sizes: list[int]) -> None:
    """Peak memory of decoding one large FIT file, each in a fresh process (see the module docstring)."""
    print(f"\n== peak memory decoding one FIT file (fresh process each; load {os.getloadavg()[0]:.1f}) ==")
    print(f"{'records':>11s} {'file MiB':>9s} {'decode':>9s} {'read_activities':>16s} {'import worker':>14s}"
          "   [peak RSS rise / file size]")
    tmp = Path(tempfile.mkdtemp(prefix="runlog-bench-mem-"))
    try:
        for n in sizes:
            path = tmp / f"synthetic_{n}.fit"
            path.write_bytes(synthetic_fit(n))
            size = path.stat().st_size
            ratios = []
            for what in ("decode", "read", "worker"):
                if what != "decode" and size > runlog.io.MAX_FILE_BYTES:
                    ratios.append("(too large)")
                    continue
                out = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, str(path), what],
                                     capture_output=True, text=True, check=True).stdout.split()
                assert int(out[0]) == n, out
                ratios.append(f"{float(out[1]):.1f}x")
            print(f"{n:11,d} {size / 2**20:9.0f} {ratios[0]:>9s} {ratios[1]:>16s} {ratios[2]:>14s}"
                  "   (target decode <= ~8x)")
            path.unlink()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--memory-records", type=float, nargs="*", default=[1e6, 1e7],
                    help="record counts of the synthetic FIT files whose decoding memory is measured")
    ap.add_argument("--only-memory", action="store_true", help="only the memory figures (section 4)")
    args = ap.parse_args(argv)
    if args.only_memory:
        memory_bench([int(n) for n in args.memory_records])
        return
    print(f"runlog {runlog.__version__}, pandas {pd.__version__}, data from {DATA}, {os.cpu_count()} cores")
    compare("FIT", find(FIT_FILES, "fit"), runlog.read_fit, bare_fit, args.repeat)
    compare("GPX", find(GPX_FILES, "gpx"), runlog.read_gpx, bare_gpx, args.repeat)
    history_bench(args.runs, args.workers, args.repeat)
    memory_bench([int(n) for n in args.memory_records])


if __name__ == "__main__":
    main()
