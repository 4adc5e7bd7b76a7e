"""Validate the cause decision's error rates on simulated per-run frames: false findings and power.

Each season is one runner's half-year of runs (:func:`season_frame`: the
primary measure of every cause, air temperature with a seasonal rise and
AR(1) weather, weekly long runs, shoes rotated at random), analysed by
:func:`runlog.analysis.causes.decide` on the frames directly (no files, no
features: the decision alone).  Two experiments:

* **false findings** (``--null``): no cause at all; the risk rises over the
  season (``trend``: 4 % to 30 %) or follows a day-to-day AR(1) (``ar1``,
  phi 0.9), as the weather does.  Any finding is false; the rate must be at
  most 5 % (the graphical procedure over the pre-stated test plan,
  :mod:`runlog.analysis.plan`, controls the family-wise error; the shift
  calibration of :mod:`runlog.analysis._dependence` keeps it under the
  AR(1) spells).  The same check on whole simulated seasons, files to
  report, is ``bench/validate_analysis.py --bad-spells N``.
* **power** (``--power``): a heat dose (excess of the air temperature over
  12 °C, times the hours run, as ``runlog.simulate``'s seasons) alone, and
  with consecutive running days: the share of seasons whose findings are
  exactly the planted causes.

Rates come with Wilson 95 % Monte Carlo intervals (Wilson 1927).  The suite
runs a short version (``tests/bench/test_validate_calibration.py``, marked
slow); this script runs the full one.  Measured figures: ``docs/validation.md``.

Usage::

    .venv/bin/python bench/validate_calibration.py                    # 100 null and 40 power seasons
    .venv/bin/python bench/validate_calibration.py --null 400 --power 0
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special
from statsmodels.stats.proportion import proportion_confint

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runlog.analysis import causes as C
from runlog.features.catalog import FEATURES

SHOES = ("A", "B", "C")


def season_frame(seed: int, *, n_days: int = 182, phi: float = 0.9) -> pd.DataFrame:
    """One runner's half-year: the primary measures of every cause, with their usual dependence.

    Runs on about 5 days of 7; air temperature = seasonal rise (6 -> 22 °C) plus AR(1)
    weather (phi per day, sd 3 °C) plus time of day; durations 30-120 min with a weekly
    long run; shoes rotated at random.
    """
    rng = np.random.default_rng(seed)
    day = np.arange(n_days)
    run_day = rng.random(n_days) < 5 / 7
    weather = np.zeros(n_days)
    e = rng.normal(0, 3.0 * math.sqrt(1 - phi ** 2), n_days)
    weather[0] = rng.normal(0, 3.0)
    for i in range(1, n_days):
        weather[i] = phi * weather[i - 1] + e[i]
    temp_day = 6.0 + 16.0 * day / n_days + weather
    streak = np.zeros(n_days)
    for i in range(n_days):
        streak[i] = (streak[i - 1] + 1 if i and run_day[i - 1] else 1) if run_day[i] else 0
    d = day[run_day]
    n = d.size
    long_run = (d % 7) == 6
    dur = np.where(long_run, rng.uniform(80, 120, n), rng.uniform(30, 60, n))
    f = pd.DataFrame({
        "air_temp_c": temp_day[run_day] + rng.normal(0, 2.0, n),
        "duration_min": dur,
        "run_streak_days": streak[run_day],
        "speed_vs_usual_pct": rng.normal(0, 5, n),
        "warmup_speed_ratio": rng.normal(0.95, 0.04, n),
        "cadence_vs_pace_spm": rng.normal(0, 3, n),
        "ascent_per_km_m": rng.gamma(4.0, 3.0, n),
        "shoes": rng.choice(SHOES, n),
    }, index=pd.Index([f"r{i:03d}" for i in range(n)], name="run_id"))
    f["day"] = d.astype(float)
    return f


def decide(f: pd.DataFrame, numb: np.ndarray) -> pd.DataFrame:
    """The causes table of :func:`runlog.analysis.causes.decide` on a :func:`season_frame` and an outcome."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = C.decide(f.drop(columns="day"), pd.Series(numb, index=f.index), f["day"], f["duration_min"],
                       FEATURES, measures=False)
    return out["causes"]


def rate_line(name: str, k: int, n: int) -> str:
    """'name: k/n seasons = rate (95 % CI low-high)' with a Wilson interval."""
    lo, hi = proportion_confint(k, n, method="wilson")
    return f"{name}: {k}/{n} seasons = {k / n:.3f} (95 % CI {lo:.3f}-{hi:.3f})"


def false_findings(n_seasons: int, scenario: str, *, first_seed: int = 1000) -> int:
    """Seasons (of *n_seasons*) with a finding though no cause is planted ('trend' or 'ar1')."""
    k = 0
    for seed in range(n_seasons):
        f = season_frame(first_seed + seed)
        rng = np.random.default_rng(first_seed + 1000 + seed)
        t = f["day"].to_numpy() / 182.0
        if scenario == "trend":
            logit = special.logit(0.04) + (special.logit(0.30) - special.logit(0.04)) * t
        else:
            u = np.zeros(len(f))
            e = rng.normal(0, math.sqrt(1 - 0.9 ** 2), len(f))
            for i in range(1, len(f)):
                u[i] = 0.9 * u[i - 1] + e[i]
            logit = special.logit(0.15) + 1.0 * u
        numb = rng.random(len(f)) < special.expit(logit)
        k += bool(decide(f, numb)["finding"].any())
    return k


def power(n_seasons: int, *, first_seed: int = 3000) -> dict[str, int]:
    """Seasons (of *n_seasons*) whose findings are exactly the planted causes: heat alone ('heat'), heat
    with consecutive running days ('two')."""
    exact = {"heat": 0, "two": 0}
    for seed in range(n_seasons):
        f = season_frame(first_seed + seed)
        rng = np.random.default_rng(first_seed + 1000 + seed)
        # a heat dose like runlog.simulate's 'hydration' and 'two_causes' seasons, (T - 12 °C)+ x hours,
        # twice as strong (these frames have less within-season weather than the simulator's)
        dose = (f["air_temp_c"] - 12).clip(lower=0) * f["duration_min"] / 60.0
        p1 = special.expit(special.logit(0.04) + 0.5 * dose)
        c1 = decide(f, rng.random(len(f)) < p1.to_numpy())
        exact["heat"] += set(c1.loc[c1["finding"], "cause"]) == {"hydration"}
        p2 = special.expit(special.logit(0.03) + 0.4 * dose + 0.4 * (f["run_streak_days"] - 1))
        c2 = decide(f, rng.random(len(f)) < p2.to_numpy())
        exact["two"] += set(c2.loc[c2["finding"], "cause"]) == {"hydration", "overtraining"}
    return exact


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--null", type=int, default=100, help="seasons per no-cause scenario (default 100)")
    ap.add_argument("--power", type=int, default=40, help="seasons of each power scenario (default 40)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    lines = []
    for scenario in ("trend", "ar1") if args.null else ():
        lines.append(rate_line(f"false findings, {scenario}", false_findings(args.null, scenario), args.null))
    if args.power:
        exact = power(args.power)
        lines += [rate_line(f"exactly the planted causes, {k}", v, args.power) for k, v in exact.items()]
    print("\n".join(lines))
    print(f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
