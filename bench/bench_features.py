"""Benchmark: runlog.run_features over a synthetic 1,000-run, 1 Hz history.

Builds the history in the script (fixed seed), then times ``run_features``
and, side by side, a naive per-run loop (``groupby(level='run_id')`` calling
the one-run formulas) on a subset, and prints seconds and the ratio.

Run:  .venv/bin/python bench/bench_features.py [n_runs]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

import runlog
from runlog.features import intensity
from runlog.io._activity import finalize


def synthetic_history(n_runs: int = 1000, seed: int = 42) -> runlog.History:
    """*n_runs* runs of 30-70 min at 1 Hz, one a day with some rest days, positions, HR, cadence, altitude."""
    rng = np.random.default_rng(seed)
    acts = []
    day = pd.Timestamp("2022-01-01T06:30Z")
    for i in range(n_runs):
        day += pd.Timedelta(days=int(rng.choice([1, 1, 1, 2])))
        n = int(rng.integers(30 * 60, 70 * 60))
        t = day + pd.to_timedelta(np.arange(n), unit="s")
        speed = np.clip(3.0 + 0.3 * np.sin(np.arange(n) / 300) + rng.normal(0, 0.15, n), 0.0, None)
        dist = np.cumsum(speed)
        hr = 120 + 35 * (1 - np.exp(-np.arange(n) / 240)) + rng.normal(0, 2, n)
        alt = 100 + 20 * np.sin(dist / 800)
        rec = pd.DataFrame({
            "distance_m": dist, "speed_mps": speed, "hr_bpm": hr,
            "cadence_spm": 170 + rng.normal(0, 3, n), "temp_c": 25 + rng.normal(0, 0.5, n),
            "altitude_m": alt, "lat_deg": 48.1 + dist / 111_000, "lon_deg": np.full(n, 11.5),
        }, index=t)
        acts.append(finalize(rec, None, {"source": f"synthetic_{i}.fit", "format": "fit", "sport": "running",
                                         "device": "bench watch"}, tz="Europe/Berlin"))
    return runlog.History.from_activities(acts)


def naive_loop(history: runlog.History, athlete: runlog.Athlete) -> pd.Series:
    """Per-run Python loop computing TRIMP only (the reference a vectorised version must beat)."""
    out = {}
    for rid, rec in history.records.groupby(level="run_id", sort=False):
        t = rec.index.get_level_values("time").asi8 / 1e9
        dt = np.append(np.diff(t), 0.0)
        dt = np.where(dt > 30, 0.0, dt)
        out[rid] = intensity.banister_trimp(rec["hr_bpm"], dt, athlete.hr_rest_bpm, athlete.hr_max_bpm)
    return pd.Series(out)


def main(n_runs: int = 1000) -> None:
    t0 = time.perf_counter()
    h = synthetic_history(n_runs)
    t1 = time.perf_counter()
    print(f"built {h!r} in {t1 - t0:.1f} s")
    athlete = runlog.Athlete(hr_max_bpm=190, hr_rest_bpm=50, sex="male", body_mass_kg=70)
    t2 = time.perf_counter()
    f = runlog.run_features(h, athlete)
    t3 = time.perf_counter()
    print(f"run_features: {len(f)} runs x {f.shape[1]} features, {len(h.records):,} samples in {t3 - t2:.2f} s")
    t4 = time.perf_counter()
    trimp = naive_loop(h, athlete)
    t5 = time.perf_counter()
    print(f"naive per-run loop for TRIMP alone: {t5 - t4:.2f} s "
          f"(run_features computes ~{f.shape[1]} features in {(t3 - t2) / (t5 - t4):.2f}x that time)")
    assert np.allclose(trimp.reindex(f.index).to_numpy(), f["trimp"].to_numpy())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
