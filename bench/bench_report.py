"""Speed of what a user reads from a :class:`runlog.Report` as the history grows (issue 28: linear in runs).

A Report is plain data: its attributes (``causes``, ``factors``, ``findings``,
``onset``, ...) are filled by :func:`runlog.analyze` and cost nothing to read.
What a user can still call are its layouts: ``sections()``, ``to_text()``,
``to_markdown()``, ``to_csv()``, the notebook view (``_repr_html_``),
``plot()`` and the page ``to_html()`` with its figures.  This script times
each (the best of ``--repeat`` calls, side by side in one process) on the
reports of simulated histories of about 1,000 and 3,000 runs
(:func:`runlog.simulate.simulate_season`, the 'hydration' scenario, records
every 30 s, as ``bench_analysis.py --end-to-end`` builds them; the
simulation, the import and ``analyze`` are done once and not timed) and
prints each time's ratio between the sizes next to the ratio of the run
counts: linear is a ratio near the runs' ratio or below.  The CPU seconds of
the process (``time.process_time``, the least of the calls) are printed
beside the wall-clock times: on a loaded machine they vary much less.

Nothing is asserted; the machine load (1-minute load average) is printed.

Run:  .venv/bin/python bench/bench_report.py [--runs 1000 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from bench_analysis import simulated_history


def _layouts(report, history) -> dict:
    """What a user calls on a Report, each a function of no arguments."""

    def plot():
        plt.close(report.plot())

    return {
        "sections()": report.sections,
        "to_text()": report.to_text,
        "to_markdown()": report.to_markdown,
        "to_csv()": report.to_csv,
        "_repr_html_() (notebook)": report._repr_html_,
        "plot()": plot,
        "to_html(history=...) (page + figures)": lambda: report.to_html(history=history),
    }


def _load(path: Path):
    """The history, journal and analyze keywords of a :func:`bench_analysis.simulated_history` pickle,
    read as :func:`bench_analysis.child_analyze` reads it."""
    import pickle

    import pandas as pd

    import runlog
    from runlog.history import History

    with open(path, "rb") as fh:
        d = pickle.load(fh)
    hist = History(**d["frames"])
    episodes = runlog.read_episodes(d["episodes_csv"], history=hist)
    notes = runlog.read_run_notes(d["notes_csv"], history=hist)
    return hist, episodes, {"notes": notes, "weather": pd.read_csv(d["weather_csv"]), "tracked": d["tracked"]}


def best(fn, repeat: int) -> tuple[float, float]:
    """The least wall-clock time and the least CPU time of *repeat* calls of ``fn()`` [s]."""
    wall, cpu = float("inf"), float("inf")
    for _ in range(max(repeat, 1)):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w), min(cpu, time.process_time() - c)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, nargs="+", default=[1000, 3000], help="history sizes")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    import runlog

    load0 = os.getloadavg()[0]
    rows: dict[str, list[tuple[float, float]]] = {}
    sizes = []
    with tempfile.TemporaryDirectory(prefix="runlog-bench-report-") as tmp:
        for n in args.runs:
            h, ep, kw = _load(simulated_history(n, Path(tmp)))
            rep = runlog.analyze(h, ep, **kw)
            sizes.append(rep.n_runs)
            for name, fn in _layouts(rep, h).items():
                rows.setdefault(name, []).append(best(fn, args.repeat))
    print(f"Report layouts on analysed simulated histories (best of {args.repeat}; "
          f"load {load0:.1f} -> {os.getloadavg()[0]:.1f}); wall-clock s / CPU s:")
    head = "".join(f"{f'{n} runs':>16}" for n in sizes)
    ratio = "".join(f"{f'x{sizes[0]} (CPU)':>18}" for _ in sizes[1:])
    print(f"{'layout':<40}{head}{ratio}")
    for name, ts in rows.items():
        (w0, c0), rest = ts[0], ts[1:]
        print(f"{name:<40}" + "".join(f"{f'{w:.3f} / {c:.3f}':>16}" for w, c in ts)
              + "".join(f"{f'{w / w0:.2f} ({c / c0:.2f})':>18}" for w, c in rest))
    print(f"{'runs':<40}" + "".join(f"{n:>16}" for n in sizes) + "".join(f"{n / sizes[0]:>18.2f}" for n in sizes[1:]))

if __name__ == "__main__":
    main()
