"""Validate the experiment's randomisation test: false-positive rate and power, with Monte Carlo intervals.

Part 1 (outcome level, fast).  Each simulated experiment draws its own plan
(:func:`runlog.experiment.plan`: an 8-week, two-pair shoe test by date,
periods of 2 days, seed = experiment number), lets the runner run on a
day with probability 5/7, draws numbness per run under a scenario and
computes the exact randomisation-test p-value
(:func:`runlog.experiment.randomization_test`, 2**14 schedules).  Scenarios:

* ``null``: constant risk 15 % under both pairs (the sharp null);
* ``null_trend``: no effect of the pair, but the risk rises from 5 % to 35 %
  over the 8 weeks and is doubled on Sundays (long runs): what a
  before/after comparison would mistake for an effect;
* ``null_washout``: as ``null``, analysed with the first run after each
  switch left out (the washout re-computed for every re-drawn schedule);
* ``effect_rr3``: 15 % vs 45 % (risk ratio 3), the size
  :func:`runlog.experiment.plan` computes power for by default;
* ``effect_rr2``: 15 % vs 30 %.

The false-positive rate (share of p <= 0.05 under a null) must be at most
5 %: the test is exact, so it is at most 5 % by construction; the bench
shows it is so in practice.  Power is compared with the plan's own
simulated estimate (``Plan.power``).  Rates come with Wilson 95 % Monte
Carlo intervals (Wilson 1927, J. Am. Stat. Assoc. 22(158)).

Part 2 (end to end, slow; ``--seasons``).  Seasons written by
:func:`runlog.simulate.simulate_season` with ``experiment=plan`` (GPX files,
journal, run notes with 90 % adherence) read back with
:func:`runlog.read_history` and analysed with :func:`runlog.experiment.analyze`,
half of them with an effect (odds of the first pair x 9: 15 % vs about 61 %),
half without.

Usage::

    .venv/bin/python bench/validate_experiment.py               # 2000 experiments per scenario, 4 seasons
    .venv/bin/python bench/validate_experiment.py --n 500 --seasons 0
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import runlog
from runlog import experiment as ex

LEVELS = ("Trail Glide 2", "Daily Cushion 5")
START = "2024-09-02"
WEEKS = 8
RUN_PROB = 5 / 7

SCENARIOS = {
    # name: (risk under the first pair, risk under the second, trend, washout)
    "null": (0.15, 0.15, False, False),
    "null_trend": (None, None, True, False),
    "null_washout": (0.15, 0.15, False, True),
    "effect_rr3": (0.45, 0.15, False, False),
    "effect_rr2": (0.30, 0.15, False, False),
}


def one(scenario: str, i: int) -> tuple[float, int, int]:
    """p-value, runs and numb runs of simulated experiment *i*."""
    r_a, r_b, trend, washout = SCENARIOS[scenario]
    p = ex.plan("shoes", LEVELS, weeks=WEEKS, start=START, seed=i)
    rng = np.random.default_rng([i, 7])
    s = p.schedule
    ran = rng.random(len(s)) < RUN_PROB
    if trend:
        frac = np.arange(len(s)) / (len(s) - 1)
        risk = 0.05 + 0.30 * frac
        risk = np.where(s["date"].dt.day_of_week.to_numpy() == 6, np.minimum(2 * risk, 0.95), risk)
    else:
        risk = np.where(s["level"].to_numpy() == LEVELS[0], r_a, r_b)
    numb = rng.random(len(s)) < risk
    slots = np.flatnonzero(ran)
    period = s["period"].to_numpy()[slots]
    first = np.r_[True, period[1:] != period[:-1]]
    t = ex.randomization_test(p, slots, numb[slots], first_in_period=first, washout=washout)
    return t.p_value, len(slots), int(numb[slots].sum())


def part1(n: int) -> pd.DataFrame:
    rows = []
    for sc in SCENARIOS:
        t0 = time.perf_counter()
        res = np.array([one(sc, i) for i in range(n)])
        hits = int((res[:, 0] <= 0.05).sum())
        lo, hi = ex.wilson_ci(hits, n)
        rows.append({"scenario": sc, "experiments": n, "rate_p_le_0.05": hits / n, "lo": lo, "hi": hi,
                     "runs_mean": res[:, 1].mean(), "numb_runs_mean": res[:, 2].mean(),
                     "seconds": time.perf_counter() - t0})
        print(f"{sc:14s} p<=0.05 in {hits / n:6.1%} of {n} experiments (95 % MC interval {lo:.1%}-{hi:.1%}); "
              f"{res[:, 1].mean():.1f} runs, {res[:, 2].mean():.1f} numb runs on average "
              f"[{time.perf_counter() - t0:.0f} s]", flush=True)
    return pd.DataFrame(rows)


def planned_power() -> None:
    p = ex.plan("shoes", LEVELS, weeks=WEEKS, start=START, seed=0)
    for rr in (3.0, 2.0):
        pw = ex.power(p, 0.15, rr, sizes=[p.n_slots], n_sim=2000, seed=1).iloc[0]
        print(f"plan's own power estimate, 15 % x {rr:g}: {pw['power']:.1%} (95 % MC interval "
              f"{pw['lo']:.1%}-{pw['hi']:.1%}) for {int(pw['runs'])} expected runs", flush=True)


def part2(n_seasons: int) -> pd.DataFrame:
    from runlog import simulate

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n_seasons):
            effect = i % 2 == 0
            p = ex.plan("shoes", LEVELS, weeks=WEEKS, start=START, seed=100 + i)
            risk = {LEVELS[0]: 0.61 if effect else 0.15, LEVELS[1]: 0.15}
            s = simulate.simulate_season(Path(tmp) / f"s{i}", scenario="shoes_null", seed=100 + i, start=START,
                                         weeks=WEEKS, history_weeks=1, experiment=p, level_risk=risk,
                                         adherence=0.9, sample_s=10.0)
            h = runlog.read_history(s.gpx_dir, cache=False, progress=False)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = ex.analyze(h, runlog.read_episodes(s.episodes_csv, history=h), p,
                                 notes=runlog.read_run_notes(s.notes_csv, history=h))
            a = res.levels
            rows.append({"season": i, "effect": effect, "runs": int(a["runs"].sum()),
                         "risk_first": a["risk"].iloc[0], "risk_second": a["risk"].iloc[1],
                         "deviations": len(res.deviations), "p_value": res.test.p_value})
            print(f"season {i} ({'effect' if effect else 'no effect'}): {rows[-1]['runs']} runs, risk "
                  f"{a['risk'].iloc[0]:.0%} vs {a['risk'].iloc[1]:.0%}, {len(res.deviations)} deviations, "
                  f"p = {res.test.p_value:.3g}", flush=True)
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="simulated experiments per scenario")
    ap.add_argument("--seasons", type=int, default=4, help="end-to-end simulated seasons (GPX files)")
    ap.add_argument("--out", help="CSV of part 1's rates")
    args = ap.parse_args(argv)
    print(f"Part 1: {args.n} simulated {WEEKS}-week shoe experiments per scenario (periods of 2 days, "
          f"run on a day with probability {RUN_PROB:.2f}; exact randomisation test over 2**14 schedules)")
    table = part1(args.n)
    planned_power()
    if args.out:
        table.to_csv(args.out, index=False)
    bad = table[table["scenario"].str.startswith("null") & (table["lo"] > 0.05)]
    if len(bad):
        print(f"FAIL: false-positive rate above 5 % in {list(bad['scenario'])}")
    if args.seasons:
        print(f"Part 2: {args.seasons} end-to-end seasons")
        part2(args.seasons)
    return 1 if len(bad) else 0


if __name__ == "__main__":
    sys.exit(main())
