"""Benchmark: ``read_history`` cold, warm and add-one-run on synthetic histories of 100 to 3,000 runs.

For each history size the script writes a folder of GPX files: time-shifted
copies of real tracks (``runpandas__run.gpx``, ``runpandas__strava_export.gpx``,
``runpandas__nike_run.gpx``, ``gpxpy__korita-zbevnica.gpx``, taken in turn,
copy *k* shifted by *k* days so every run has its own id and date; about
1,170 records per run, so 3,000 runs are about 3.5 M records).  It then
times, each import in a fresh Python process (so the peak memory is that
import's own):

* **cold**: an empty cache folder (every file decoded, on all cores);
* **warm**: every file cached and unchanged (the best of ``--repeat`` calls in
  one process, and in brackets the first call in a process: the better of
  two processes);
* **add one**: one new run file added to the cached history (best of
  ``--repeat``, each adding one more file).

Peak RSS is ``ru_maxrss`` of the importing process (``self``: the Python
interpreter with pandas and pyarrow is about 150 MiB of it) and the largest of
its decoding worker processes (``workers``); the warm figure is a process
making one import.  Every fourth copy (``runpandas__nike_run.gpx``, whose
first ``<time>`` is its metadata's, a day after its track) overlaps the run
before it in time without being a duplicate of it.  Times exclude the
interpreter start-up and ``import runlog``.  Nothing is asserted: the script
prints one table, the sizes side by side.  On a shared machine the absolute
times vary from run to run.

The corpus is ``../shared/data/real`` (or ``$RUNLOG_BENCH_DATA``), else ``tests/data``.

Run:  .venv/bin/python bench/bench_history.py [--runs 100 1000] [--big] [--repeat 3] [--workers N]
(``--big`` adds the 3,000-run history, a few minutes.)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RUNLOG_BENCH_DATA") or ROOT.parent / "shared" / "data" / "real")
TRACKS = ["runpandas__run.gpx", "runpandas__strava_export.gpx", "runpandas__nike_run.gpx",
          "gpxpy__korita-zbevnica.gpx"]
_TIME_RE = re.compile(rb"<time>(\d{4})-(\d\d)-(\d\d)T([^<]+)</time>")


def find_tracks() -> list[Path]:
    """The real GPX tracks copied into the histories (the shared corpus first, else ``tests/data``)."""
    out = []
    for name in TRACKS:
        for folder in (SHARED / "gpx", ROOT / "tests" / "data" / "gpx"):
            if (folder / name).is_file():
                out.append(folder / name)
                break
    if not out:
        raise SystemExit("no GPX track found in ../shared/data/real/gpx or tests/data/gpx")
    return out


class Copier:
    """Writes copy *k* of the tracks, its times shifted by *k* days (plus 2 h per track in turn)."""

    def __init__(self, tracks: list[Path]):
        import numpy as np
        import pandas as pd

        self.np, self.pd = np, pd
        self.pieces, self.times = [], []
        for t in tracks:
            raw = t.read_bytes()
            stamps = [b"%s-%s-%sT%s" % m.groups() for m in _TIME_RE.finditer(raw)]
            times = pd.to_datetime(pd.Series([s.decode() for s in stamps]), utc=True, format="ISO8601")
            # every copy starts on the same day (2015-01-01 + its time of day): k days later for copy k
            day0 = times.iloc[0].normalize()
            self.times.append((times - day0 + pd.Timestamp("2015-01-01", tz="UTC")).dt.tz_localize(None).to_numpy())
            self.pieces.append(re.split(rb"<time>[^<]+</time>", raw))

    def write(self, folder: Path, k: int) -> Path:
        """Write copy *k* to *folder*/run_<k>.gpx; returns the path."""
        i = k % len(self.pieces)
        t = self.times[i] + self.np.timedelta64(k, "D")
        stamps = self.np.datetime_as_string(t, unit="s")
        buf = bytearray()
        pieces = self.pieces[i]
        for j, piece in enumerate(pieces):
            buf += piece
            if j < len(stamps):
                buf += b"<time>" + stamps[j].encode() + b"Z</time>"
        path = folder / f"run_{k:05d}.gpx"
        path.write_bytes(bytes(buf))
        return path


def child(folder: str, cache: str, repeat: int, workers: int | None) -> None:
    """One import process: time *repeat* read_history calls, print JSON (times [s], peak RSS [MiB])."""
    import runlog

    times, h = [], None
    for _ in range(repeat):
        h = None  # the peak RSS is one import's, not two Histories held at once
        t0 = time.perf_counter()
        h = runlog.read_history(folder, cache=cache, workers=workers, progress=False)
        times.append(time.perf_counter() - t0)
    scale = 1024.0 if sys.platform != "darwin" else 1024.0**2
    print(json.dumps({
        "times": times, "runs": len(h.runs), "records": len(h.records), "errors": len(h.errors),
        "rss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale,
        "rss_workers": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale,
    }))


def run_child(folder: Path, cache: Path, repeat: int, workers: int | None) -> dict:
    cmd = [sys.executable, __file__, "--child", str(folder), str(cache), str(repeat), str(workers or 0)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(n: int, copier: Copier, repeat: int, workers: int | None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="runlog-bench-history-"))
    try:
        folder, cache = tmp / "runs", tmp / "cache"
        folder.mkdir()
        for k in range(n):
            copier.write(folder, k)
        mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        cold = run_child(folder, cache, 1, workers)
        warm = run_child(folder, cache, repeat, workers)
        warm1 = run_child(folder, cache, 1, workers)  # the first call's time and peak RSS, alone
        warm["times"][0] = min(warm["times"][0], warm1["times"][0])
        warm["rss_self"] = warm1["rss_self"]
        adds = []
        for i in range(repeat):
            copier.write(folder, n + i)
            adds.append(run_child(folder, cache, 1, workers))
        res = {"n": n, "mb": mb, "cold": cold, "warm": warm, "adds": adds}
        print(f"  {n} runs done: cold {cold['times'][0]:.2f} s, warm {min(warm['times']):.3f} s, "
              f"add one {min(a['times'][0] for a in adds):.3f} s", file=sys.stderr, flush=True)
        return res
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def table(results: list[dict]) -> str:
    head = ["runs", "records", "MB of GPX", "cold [s]", "warm [s] (1st call)", "add one [s]",
            "peak RSS cold: self / workers [MiB]", "warm [MiB]", "add one [MiB]"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        c, w, a = r["cold"], r["warm"], r["adds"]
        best_add = min(a, key=lambda x: x["times"][0])
        lines.append("| " + " | ".join([
            f"{r['n']:,}", f"{c['records']:,}", f"{r['mb']:.0f}", f"{c['times'][0]:.2f}",
            f"{min(w['times']):.3f} ({w['times'][0]:.3f})", f"{best_add['times'][0]:.3f}",
            f"{c['rss_self']:.0f} / {c['rss_workers']:.0f}", f"{w['rss_self']:.0f}",
            f"{max(x['rss_self'] for x in a):.0f}"]) + " |")
    if len(results) > 1:
        r0, r1 = results[0], results[-1]
        k = r1["n"] / r0["n"]
        warm = min(r1["warm"]["times"]) / min(r0["warm"]["times"])
        add = min(x["times"][0] for x in r1["adds"]) / min(x["times"][0] for x in r0["adds"])
        lines.append(f"\n{k:.0f}x the runs: warm {warm:.1f}x the time, add one {add:.1f}x")
    return "\n".join(lines)


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        folder, cache, repeat, workers = argv[1:5]
        child(folder, cache, int(repeat), int(workers) or None)
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--big", action="store_true", help="add the 3,000-run history")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args(argv)
    sizes = sorted(set(args.runs + ([3000] if args.big else [])))
    copier = Copier(find_tracks())
    import pandas as pd

    print(f"read_history, GPX copies of {len(copier.pieces)} real tracks; {os.cpu_count()} cores, "
          f"workers={args.workers or os.cpu_count()}; Python {sys.version.split()[0]}, pandas {pd.__version__}")
    results = [measure(n, copier, args.repeat, args.workers) for n in sizes]
    print(table(results))


if __name__ == "__main__":
    main()
