"""Speed of the cause-level analysis (runlog.analysis.causes.decide) as the history grows.

The analysis must stay linear in the number of runs.  This script builds
per-run feature frames with every candidate measure of the catalogue (random
values, one runner's calendar: ~5 runs a week) for 150, 500 and 1,000 runs,
times ``decide`` with and without the per-measure table (the best of
``--repeat`` runs each, side by side in one process) and prints the times and
their ratio to the 150-run time next to the ratio of the run counts.

With ``--end-to-end`` it then times the whole :func:`runlog.analyze`
(windowing the in-run measures before onset, the cause model, the measures
table, the onset analysis) on simulated histories of about 1,000 and 3,000
runs (:func:`runlog.simulate.simulate_season` over 4 and 11 years, records
every 30 s, the 'hydration' scenario), read through the public API as a user
would; the simulation and import are done once and not timed.

With ``--report`` it times the command a runner types, ``runlog report``
on the simulated history of about 1,000 runs (its GPX folder, journal, run
notes and weather, as ``runlog demo`` passes them), end to end in a fresh
process each time (interpreter start-up, imports, the import of the
history, the analysis, report.html, report.md and factors.csv): once with
an empty cache (*cold*) and ``--repeat`` times with the cache filled
(*warm*, the best shown), beside the start-up of ``python -c "import
runlog"`` alone.  The processes import the same runlog as this script.

Usage::

    .venv/bin/python bench/bench_analysis.py [--repeat 3] [--end-to-end [--runs 1000 3000]] [--report]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special
from timing import best_of

from runlog.analysis.causes import decide
from runlog.features.catalog import FEATURES as CATALOG


def frame(n_runs: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Features of *n_runs* runs (every catalogue candidate), outcome driven by air temperature."""
    rng = np.random.default_rng(seed)
    days = np.sort(rng.choice(int(n_runs * 7 / 5) + 1, n_runs, replace=False)).astype(float)
    idx = pd.Index([f"r{i:05d}" for i in range(n_runs)], name="run_id")
    cols = {}
    for name, f in CATALOG.items():
        if not f.candidate:
            continue
        if f.kind == "categorical":
            cols[name] = rng.choice(["A", "B", "C"], n_runs)
        elif f.kind == "binary":
            cols[name] = (rng.random(n_runs) < 0.3).astype(float)
        else:
            per = f.per if np.isfinite(f.per) else 1.0
            cols[name] = rng.normal(0, 2 * per, n_runs)
    F = pd.DataFrame(cols, index=idx)
    F["air_temp_c"] = 12 + 8 * np.sin(days / 365 * 2 * np.pi) + rng.normal(0, 4, n_runs)
    F["duration_min"] = rng.uniform(30, 120, n_runs)
    F["run_streak_days"] = rng.integers(1, 6, n_runs).astype(float)
    p = special.expit(-2.5 + 0.15 * (F["air_temp_c"] - 12))
    numb = pd.Series(rng.random(n_runs) < p, index=idx)
    return F, numb, pd.Series(days, index=idx)


def simulated_history(n_runs: int, root: Path) -> dict:
    """A simulated history of about *n_runs* runs, read as a user would (inputs of ``runlog.analyze``)."""
    import runlog
    from runlog import simulate

    weeks = int(round(n_runs / 5.4))       # the simulated runner runs about 5.4 times a week
    start = (pd.Timestamp("2026-01-05") - pd.Timedelta(weeks=weeks)).strftime("%Y-%m-%d")
    season = simulate.simulate_season(root / f"h{n_runs}", scenario="hydration", seed=5, sample_s=30,
                                      start=start, weeks=weeks)
    hist = runlog.read_history(season.gpx_dir, cache=False, workers=1, progress=False)
    notes = runlog.read_run_notes(season.notes_csv, history=hist)
    weather = pd.read_csv(season.weather_csv)
    return {"history": hist, "episodes": runlog.read_episodes(season.episodes_csv, history=hist),
            "notes": notes, "weather": weather, "tracked": season.tracked,
            "features": runlog.run_features(hist, notes=notes, weather=weather)}


def end_to_end(sizes, repeat: int) -> None:
    """Print the best-of-*repeat* time of ``runlog.analyze`` per history size, and its ratios."""
    import runlog

    rows = []
    with tempfile.TemporaryDirectory(prefix="runlog-bench-analysis-") as tmp:
        for n in sizes:
            t0 = time.perf_counter()
            d = simulated_history(n, Path(tmp))
            setup = time.perf_counter() - t0
            h = d.pop("history")
            ep = d.pop("episodes")
            rep = runlog.analyze(h, ep, **d)
            t = best_of(lambda h=h, ep=ep, d=d: runlog.analyze(h, ep, **d), repeat)
            rows.append((rep.n_runs, rep.n_numb_runs, len(h.records), t, setup))
    print(f"\nrunlog.analyze end to end (best of {repeat}; simulation + import not timed):")
    print(f"{'runs':>6} {'numb':>5} {'records':>9} {'analyze s':>10} {'x first':>8} {'runs x':>7} {'setup s':>8}")
    for n, k, r, t, setup in rows:
        print(f"{n:>6} {k:>5} {r:>9} {t:>10.2f} {t / rows[0][3]:>8.2f} {n / rows[0][0]:>7.2f} {setup:>8.0f}")


def _process(args: list[str], cwd: Path, cache: Path) -> float:
    """Wall-clock time of ``python *args*`` in a fresh process [s] (start-up included); raises on failure."""
    import runlog

    here = str(Path(runlog.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]),
           "RUNLOG_CACHE_DIR": str(cache), "MPLBACKEND": "Agg"}
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)
    t = time.perf_counter() - t0
    if out.returncode:
        raise SystemExit(f"{args[:3]} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return t


def report_end_to_end(n_runs: int, repeat: int) -> None:
    """Print the time of ``runlog report`` on a simulated history: cold, warm (best of *repeat*), start-up alone."""
    from runlog import simulate

    cli = ["-c", "import sys; from runlog.cli import main; sys.exit(main())"]
    with tempfile.TemporaryDirectory(prefix="runlog-bench-report-") as tmp:
        root = Path(tmp)
        weeks = int(round(n_runs / 5.4))
        start = (pd.Timestamp("2026-01-05") - pd.Timedelta(weeks=weeks)).strftime("%Y-%m-%d")
        season = simulate.simulate_season(root / "season", scenario="hydration", seed=5, sample_s=30,
                                          start=start, weeks=weeks)
        n_files = len(list(Path(season.gpx_dir).glob("*.gpx")))
        cmd = [*cli, "report", str(season.gpx_dir), "--episodes", str(season.episodes_csv),
               "--notes", str(season.notes_csv), "--weather", str(season.weather_csv),
               "--tracked", ":".join(str(t) for t in season.tracked), "--out", str(root / "report")]
        cache = root / "cache"
        startup = min(_process(["-c", "import runlog"], root, cache) for _ in range(repeat))
        cold = _process(cmd, root, cache)
        warm = [_process(cmd, root, cache) for _ in range(repeat)]
        written = sorted(p.name for p in (root / "report").iterdir())
    print(f"\nrunlog report end to end, simulated history of {n_files} GPX runs (records every 30 s), "
          f"a fresh process each (load {os.getloadavg()[0]:.1f}):")
    print(f"  python -c 'import runlog' (start-up alone, best of {repeat}): {startup:.2f} s")
    print(f"  cold (empty cache):  {cold:.2f} s")
    print(f"  warm (cache filled): {min(warm):.2f} s (best of {repeat}; all: "
          + ", ".join(f"{t:.2f}" for t in warm) + ")")
    print(f"  writes: {', '.join(written)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--end-to-end", action="store_true", help="also time runlog.analyze on simulated histories")
    ap.add_argument("--runs", type=int, nargs="+", default=[1000, 3000], help="history sizes for --end-to-end")
    ap.add_argument("--report", action="store_true", help="only time 'runlog report' end to end (1,000 runs)")
    args = ap.parse_args()
    if args.report:
        report_end_to_end(1000, args.repeat)
        return
    warnings.simplefilter("ignore")
    sizes = (150, 500, 1000)
    rows = []
    for n in sizes:
        F, numb, days = frame(n)
        t_causes = best_of(lambda F=F, numb=numb, days=days: decide(F, numb, days, F["duration_min"], CATALOG,
                                                                    measures=False), args.repeat)
        t_all = best_of(lambda F=F, numb=numb, days=days: decide(F, numb, days, F["duration_min"], CATALOG),
                        args.repeat)
        rows.append((n, t_causes, t_all))
    base = rows[0]
    print(f"{'runs':>6} {'causes s':>9} {'x 150':>6} {'+ measures s':>13} {'x 150':>6} {'runs x':>7}")
    for n, tc, ta in rows:
        print(f"{n:>6} {tc:>9.3f} {tc / base[1]:>6.2f} {ta:>13.3f} {ta / base[2]:>6.2f} {n / base[0]:>7.2f}")
    if args.end_to_end:
        end_to_end(args.runs, args.repeat)


if __name__ == "__main__":
    main()
