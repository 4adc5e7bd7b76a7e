"""Benchmark: the vectorised FIT decoder (runlog.io._fitfast) against bare fitparse, per record.

Measured side by side in one run, on the largest real FIT files (``--files``,
default 3, the biggest by size):

* **bare fitparse**: ``fitparse.FitFile(...).get_messages('record')`` ->
  ``get_values()`` for every record, the plain way (no DataFrame);
* **runlog, fitparse engine**: ``runlog.io.fit._parse(data, "fitparse")``,
  every message through fitparse with runlog's lean data processor (the
  reference and the fallback);
* **runlog, fast engine**: ``runlog.io.fit._parse(data, "fast")``: the
  vectorised record decoder, CRC checks and the few other messages
  (file_id, session, lap, ...) through fitparse included;
* **fitdecode** (when installed: ``pip install -e '.[bench]'``, which
  ``make bench`` does): ``fitdecode.FitReader`` with its CRC check, the
  values of every ``record`` data message, the plain way;
* **read-bytes limit**: reading the file and ``numpy.frombuffer`` over it,
  the floor of any decoder that starts from the bytes on disk.

Each figure is the minimum over ``--repeat`` runs, in microseconds per
record message; the ratio bare fitparse / fast is the target of issue 12
(>= 50x), fitdecode / fast is shown beside it.  Then every FIT file of the data folder is parsed once with the fast
engine, to count the files it hands to fitparse (damaged ones).  On a shared
machine the absolute times vary a lot from run to run; the ratios, measured
side by side, much less.  Nothing is asserted: the script prints figures.

Real files come from ``../shared/data/real/fit`` when present, else
``tests/data/fit``; they are read in place.

Run:  .venv/bin/python bench/bench_fit.py [--repeat 3] [--files 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import warnings
from pathlib import Path

import fitparse
import numpy as np
from timing import best_of

from runlog.io import fit

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "real" / "fit"
DATA = SHARED if SHARED.is_dir() else ROOT / "tests" / "data" / "fit"


def bare_fitparse(data: bytes) -> int:
    """The plain fitparse way: every ``record`` message's values; returns the number of records."""
    ff = fitparse.FitFile(io.BytesIO(data))
    return len([m.get_values() for m in ff.get_messages("record")])


def bare_fitdecode(data: bytes) -> int:
    """fitdecode's plain way: every ``record`` data message's values; returns the number of records."""
    import fitdecode

    with fitdecode.FitReader(io.BytesIO(data)) as fr:
        return len([{f.name: f.value for f in frame.fields} for frame in fr
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record"])


def read_bytes(path: Path) -> int:
    """The floor: the file's bytes from disk (page cache) seen as a numpy array; returns its size."""
    return len(np.frombuffer(path.read_bytes(), dtype=np.uint8))


def runlog_engine(engine: str):
    """runlog's parse of every message with *engine*; returns the number of records."""
    def run(data: bytes) -> int:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return len(fit._parse(data, engine).rec_group)
    return run


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (minimum is shown)")
    ap.add_argument("--files", type=int, default=3, help="how many of the largest FIT files")
    args = ap.parse_args(argv)
    paths = sorted((p for p in DATA.iterdir() if p.suffix.lower() == ".fit"), key=lambda p: -p.stat().st_size)
    has_fitdecode = importlib.util.find_spec("fitdecode") is not None
    print(f"fitparse {fitparse.__version__ if hasattr(fitparse, '__version__') else ''}, data from {DATA}, "
          f"{os.cpu_count()} cores, best of {args.repeat}"
          + ("" if has_fitdecode else "; fitdecode not installed (pip install -e '.[bench]'): its column is '-'"))
    print(f"\n{'file':40s} {'records':>8s} {'fitparse':>9s} {'fitdecode':>10s} {'runlog fitparse':>16s} "
          f"{'fast':>6s} {'read bytes':>11s} {'fitparse/fast':>14s} {'fitdecode/fast':>15s}   [us/record]")
    totals = [0.0] * 5
    n_total = 0
    fast = runlog_engine("fast")
    reference = runlog_engine("fitparse")
    nan = float("nan")
    for path in paths[:args.files]:
        data = path.read_bytes()
        n = fast(data)
        if bare_fitparse(data) != n or fit._parse(data, "fast").engine != "fast":
            print(f"{path.name}: record counts differ or the fast path gave way; skipped")
            continue
        if has_fitdecode and bare_fitdecode(data) != n:
            print(f"{path.name}: fitdecode counts {bare_fitdecode(data)} records, runlog {n}")
        contenders = [lambda data=data: bare_fitparse(data),
                      (lambda data=data: bare_fitdecode(data)) if has_fitdecode else None,
                      lambda data=data: reference(data), lambda data=data: fast(data),
                      lambda path=path: read_bytes(path)]
        times = [best_of(f, args.repeat) if f is not None else nan for f in contenders]
        totals = [a + b for a, b in zip(totals, times)]
        n_total += n
        _row(path.name[:40], n, times)
    if n_total:
        _row("all", n_total, totals, note="   (target fitparse/fast >= 50x)")

    engines: dict[str, list[str]] = {"fast": [], "fitparse": [], "error": []}
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                engines[fit._parse(path.read_bytes(), "fast").engine].append(path.name)
        except Exception:  # not FIT at all: counted, not raised
            engines["error"].append(path.name)
    print(f"\nfast path on {len(engines['fast'])} of {len(paths)} FIT files; handed to fitparse: "
          f"{len(engines['fitparse'])} ({', '.join(engines['fitparse']) or '-'})"
          + (f"; not FIT: {', '.join(engines['error'])}" if engines["error"] else ""))


def _row(name: str, n: int, times: list, note: str = "") -> None:
    """One line of the table: microseconds per record and the two ratios to the fast engine."""
    us = [t / n * 1e6 for t in times]
    fd = "-" if us[1] != us[1] else f"{us[1]:10.1f}"
    fd_ratio = "-" if us[1] != us[1] else f"{times[1] / times[3]:14.0f}x"
    print(f"{name:40s} {n:8d} {us[0]:9.1f} {fd:>10s} {us[2]:16.1f} {us[3]:6.2f} {us[4]:11.3f} "
          f"{times[0] / times[3]:13.0f}x {fd_ratio:>15s}{note}")


if __name__ == "__main__":
    main()
