"""Synthetic frames with known content, shared by tests/test_plot.py and tests/test_cli.py.

They follow the documented contracts (docs/DESIGN.md) with fixed numbers so
the expected counts are known by construction.  A helper module, not a test
module: ``tests/`` is on ``sys.path`` (``pythonpath`` in pyproject.toml).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

N_DAYS = 70  # 10 weeks, Monday 2024-03-04 .. Sunday 2024-05-12
START = pd.Timestamp("2024-03-04")
# runs every day except Wednesdays and Sundays: 5 runs/week -> 50 runs
RUN_DAYS = [d for d in (START + pd.Timedelta(days=i) for i in range(N_DAYS)) if d.weekday() not in (2, 6)]
# numbness on the 5th, 15th, 25th, 35th, 45th run
NUMB_IDX = [4, 14, 24, 34, 44]
# the journal covers the runs from day 7 (2024-03-11) on: 45 tracked runs
TRACKED_FROM = pd.Timestamp("2024-03-11")


def synthetic_runs() -> pd.DataFrame:
    """50 runs at 07:30 local (UTC+1), 5..14 km, 6 min/km."""
    local = pd.DatetimeIndex([d + pd.Timedelta(hours=7, minutes=30) for d in RUN_DAYS])
    utc = (local - pd.Timedelta(hours=1)).tz_localize("UTC")
    ids = pd.Index(utc.strftime("%Y%m%dT%H%MZ"), name="run_id")
    dist = 5000.0 + 1000.0 * (np.arange(len(local)) % 10)
    return pd.DataFrame({"start_time": utc, "start_local": local, "distance_m": dist,
                         "elapsed_s": dist / 1000.0 * 360.0}, index=ids)


def synthetic_flags(runs: pd.DataFrame) -> pd.DataFrame:
    n = len(runs)
    numb = np.zeros(n, dtype=bool)
    numb[NUMB_IDX] = True
    tracked = (runs["start_local"] >= TRACKED_FROM).to_numpy()
    onset = np.where(numb, 20.0 + np.arange(n) / 2.0, np.nan)  # runs 4, 14, 24, 34, 44: 22, 27, 32, 37, 42 min
    return pd.DataFrame({"tracked": tracked, "numb": numb, "n_episodes": numb.astype("int64"),
                         "onset_min": onset, "onset_km": onset / 6.0,
                         "max_severity": np.where(numb, 4.0, np.nan)}, index=runs.index)


def synthetic_episodes(runs: pd.DataFrame) -> pd.DataFrame:
    r = runs.iloc[NUMB_IDX]
    return pd.DataFrame({"run_id": r.index.to_numpy(), "date": r["start_local"].dt.normalize().to_numpy(),
                         "onset_min": [20.0 + i / 2.0 for i in NUMB_IDX], "side": "left", "severity": 4.0})


def synthetic_features(runs: pd.DataFrame) -> pd.DataFrame:
    k = np.arange(len(runs), dtype="float64")
    return pd.DataFrame({"ctl_au": 30 + 0.2 * k, "atl_au": 30 + 0.2 * k + 8 * np.sin(k / 3),
                         "tsb_au": -8 * np.sin(k / 3),
                         "duration_min": runs["elapsed_s"].to_numpy() / 60.0,
                         "avg_temp_c": 5 + 0.3 * k, "long_run": (runs["distance_m"] >= 12000).to_numpy()},
                        index=runs.index)


def synthetic_factors() -> pd.DataFrame:
    return pd.DataFrame({
        "factor": ["avg_temp_c", "duration_min", "tsb", "new_shoes", "ascent_m"],
        "cause": ["other", "distance", "overtraining", "footwear", "terrain"],
        "effect": [2.5, 1.8, 0.9, 3.0, 1.1],
        "ci_low": [1.4, 1.1, 0.5, 0.8, 0.6],
        "ci_high": [4.4, 2.9, 1.6, 11.0, 2.0],
        "p_value": [0.001, 0.02, 0.7, 0.1, 0.8],
        "q_value": [0.005, 0.05, 0.8, 0.25, 0.8],
    })


def synthetic_records() -> pd.DataFrame:
    """A 40-min run at 1 Hz: 5:00 min/km (3.333 m/s), HR 140->170, 20 °C, 170 spm."""
    n = 2400
    t = pd.date_range("2024-03-05T06:30:00Z", periods=n, freq="1s", name="time")
    el = np.arange(n, dtype="float64")
    speed = np.full(n, 1000.0 / 300.0)
    return pd.DataFrame({"elapsed_s": el, "distance_m": el * speed, "speed_mps": speed,
                         "hr_bpm": 140 + 30 * el / n, "cadence_spm": np.full(n, 170.0),
                         "temp_c": np.full(n, 20.0), "altitude_m": 100 + 10 * np.sin(el / 300),
                         "lat_deg": np.nan, "lon_deg": np.nan, "power_w": np.nan}, index=t)
