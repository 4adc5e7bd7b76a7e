"""Benchmark: the vectorised FIT decoder (runlog.io.fitfast) against bare fitparse, per record.

Measured side by side in one run, on the largest real FIT files (``--files``,
default 3, the biggest by size):

* **bare fitparse**: ``fitparse.FitFile(...).get_messages('record')`` ->
  ``get_values()`` for every record, the plain way (no DataFrame);
* **runlog, fitparse engine**: ``runlog.io.fit._parse(data, "fitparse")``,
  every message through fitparse with runlog's lean data processor (the
  reference and the fallback);
* **runlog, fast engine**: ``runlog.io.fit._parse(data, "fast")``: the
  vectorised record decoder, CRC checks and the few other messages
  (file_id, session, lap, ...) through fitparse included.

Each figure is the minimum over ``--repeat`` runs, in microseconds per
record message; the ratio bare fitparse / fast is the target of issue 12
(>= 50x).  Then every FIT file of the data folder is parsed once with the fast
engine, to count the files it hands to fitparse (damaged ones).  On a shared
machine the absolute times vary a lot from run to run; the ratios, measured
side by side, much less.  Nothing is asserted: the script prints figures.

Real files come from ``../shared/data/real/fit`` when present, else
``tests/data/fit``; they are read in place.

Run:  .venv/bin/python bench/bench_fit.py [--repeat 3] [--files 3]
"""

from __future__ import annotations

import argparse
import io
import os
import warnings
from pathlib import Path

import fitparse

from runlog.io import fit
from timing import best_of

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "real" / "fit"
DATA = SHARED if SHARED.is_dir() else ROOT / "tests" / "data" / "fit"


def bare_fitparse(data: bytes) -> int:
    """The plain fitparse way: every ``record`` message's values; returns the number of records."""
    ff = fitparse.FitFile(io.BytesIO(data))
    return len([m.get_values() for m in ff.get_messages("record")])


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
    print(f"fitparse {fitparse.__version__ if hasattr(fitparse, '__version__') else ''}, data from {DATA}, "
          f"{os.cpu_count()} cores, best of {args.repeat}")
    print(f"\n{'file':44s} {'kB':>6s} {'records':>8s} {'bare fitparse':>14s} {'runlog fitparse':>16s} "
          f"{'fast':>7s} {'ratio':>7s}   [us/record]")
    totals = [0.0, 0.0, 0.0]
    n_total = 0
    fast = runlog_engine("fast")
    reference = runlog_engine("fitparse")
    for path in paths[:args.files]:
        data = path.read_bytes()
        n = fast(data)
        if bare_fitparse(data) != n or fit._parse(data, "fast").engine != "fast":
            print(f"{path.name}: record counts differ or the fast path gave way; skipped")
            continue
        times = [best_of(lambda f=f, data=data: f(data), args.repeat) for f in (bare_fitparse, reference, fast)]
        totals = [a + b for a, b in zip(totals, times)]
        n_total += n
        us = [t / n * 1e6 for t in times]
        print(f"{path.name[:44]:44s} {len(data) / 1024:6.0f} {n:8d} {us[0]:14.1f} {us[1]:16.1f} {us[2]:7.2f} "
              f"{times[0] / times[2]:6.0f}x")
    if n_total:
        us = [t / n_total * 1e6 for t in totals]
        print(f"{'all':44s} {'':6s} {n_total:8d} {us[0]:14.1f} {us[1]:16.1f} {us[2]:7.2f} "
              f"{totals[0] / totals[2]:6.0f}x   (target >= 50x)")

    engines: dict[str, list[str]] = {"fast": [], "fitparse": [], "error": []}
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                engines[fit._parse(path.read_bytes(), "fast").engine].append(path.name)
        except Exception:  # noqa: BLE001 - not FIT at all: counted, not raised
            engines["error"].append(path.name)
    print(f"\nfast path on {len(engines['fast'])} of {len(paths)} FIT files; handed to fitparse: "
          f"{len(engines['fitparse'])} ({', '.join(engines['fitparse']) or '-'})"
          + (f"; not FIT: {', '.join(engines['error'])}" if engines["error"] else ""))


if __name__ == "__main__":
    main()
