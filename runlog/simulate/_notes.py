"""Notes: the shoes of each run and the runner's per-run notes.

A part of :mod:`runlog.simulate`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._scenarios import SHOES, Runner


def draw_shoes(plan: pd.DataFrame, rng: np.random.Generator, *, at_random: bool = False) -> np.ndarray:
    """Shoe rotation: the racer for quality sessions, otherwise one of the two trainers at random
    (the culprit pair ``SHOES[0]`` on about 40 % of easy/long/recovery runs); with *at_random*
    each run's pair is drawn uniformly from all three, independent of the kind of run."""
    if at_random:
        return np.asarray(SHOES, dtype=object)[rng.integers(len(SHOES), size=len(plan))]
    pick = np.where(rng.random(len(plan)) < 0.4, SHOES[0], SHOES[1])
    quality = plan["kind"].isin(["tempo", "intervals"]).to_numpy()
    return np.where(quality, SHOES[2], pick).astype(object)


def draw_notes(truth: pd.DataFrame, runner: Runner, rng: np.random.Generator) -> pd.DataFrame:
    """Run notes: shoes, fluid drunk, session RPE, body mass before/after on ~30 % of runs.

    Sweat rate ``0.4 + 0.045 (T - 10)+ + 0.25 (v - 2.5)+`` [l/h] (within the
    0.5-2 l/h range of Sawka et al. 2007 for running in temperate to warm
    weather); body mass after = before - sweat + fluid (1 l = 1 kg).  Fluid:
    long runs carry 250-500 ml per hour on days above 18 °C, else none.
    RPE on Foster's CR-10 session scale (Foster et al. 2001, J. Strength
    Cond. Res. 15(1)): easy 3, recovery 2, long 5, tempo 7, intervals 8, +-1.
    """
    n = len(truth)
    hours = truth["duration_s"].to_numpy() / 3600.0
    temp = truth["air_temp_c"].to_numpy()
    speed = truth["distance_m"].to_numpy() / truth["duration_s"].to_numpy()
    long_hot = (truth["kind"].to_numpy() == "long") & (temp > 18.0)
    fluid = np.where(long_hot, np.round(rng.uniform(250.0, 500.0, n) * hours / 50.0) * 50.0, 0.0)
    sweat_l = (0.4 + 0.045 * np.clip(temp - 10.0, 0, None) + 0.25 * np.clip(speed - 2.5, 0, None)) * hours
    weighed = rng.random(n) < 0.3
    pre = np.round(runner.body_mass_kg + rng.normal(0.0, 0.6, n), 1)
    post = np.round(pre - sweat_l + fluid / 1000.0 + rng.normal(0.0, 0.1, n), 1)
    rpe_base = truth["kind"].map({"easy": 3, "recovery": 2, "long": 5, "tempo": 7, "intervals": 8}).to_numpy()
    rpe = np.clip(rpe_base + rng.integers(-1, 2, n), 1, 10)
    return pd.DataFrame({
        "date": truth["start_local"].dt.strftime("%Y-%m-%d").to_numpy(),
        "time": truth["start_local"].dt.strftime("%H:%M").to_numpy(),
        "shoes": truth["shoes"].to_numpy(),
        "fluid_ml": fluid.astype("int64"),
        "body_mass_pre_kg": np.where(weighed, pre, np.nan),
        "body_mass_post_kg": np.where(weighed, post, np.nan),
        "rpe": rpe.astype("int64"),
    })
