"""Speed of the cause-level analysis (runlog.analysis.causes.decide) as the history grows.

The analysis must stay linear in the number of runs.  This script builds
per-run feature frames with every candidate measure of the catalogue (random
values, one runner's calendar: ~5 runs a week) for 150, 500 and 1,000 runs,
times ``decide`` with and without the per-measure table (the best of
``--repeat`` runs each, side by side in one process) and prints the times and
their ratio to the 150-run time next to the ratio of the run counts.

Usage::

    .venv/bin/python bench/bench_analysis.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from scipy import special

from runlog.features.catalog import FEATURES as CATALOG
from runlog.analysis.causes import decide


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


def best_of(fn, repeat: int) -> float:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
