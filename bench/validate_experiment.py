"""Validate the experiment protocol (issue 27): false positives, power, the detectable difference, coverage.

Every row simulates at least 1,000 experiments and gives a Wilson 95 % Monte
Carlo interval (Wilson 1927, J Am Stat Assoc 22(158)).  The experiments are
simulated in arrays (numpy over experiments) and go through the very
functions :func:`runlog.experiment.analyze` calls: the plan's schedules
(exact enumeration of the 2**14 orders of an eight-week plan), the
skipping-robust statistic, the weekly looks with their O'Brien-Fleming-type
boundary (Lan-DeMets alpha spending), the intervals by test inversion.
Each simulated experiment draws its own schedule (a random row of the
enumeration: a plan with its own seed).

Design: two pairs of shoes, 8 weeks by date, periods of 2 days, a run on a
day with probability 5/7, 8 weekly looks, alpha 0.05.

False positives (share of experiments whose protocol says "a difference"):

* ``constant``: risk 15 % on every run;
* ``trend``: 5 % rising to 35 % over the weeks, doubled on Sundays;
* ``ar1``: logit risk around 15 % follows an AR(1) over days, phi = 0.95, sd 1;
* ``skip_bad_B``: 20 % of days are bad-leg days (risk 70 %, else 5 %), and the
  runner skips pair B on every bad-leg day (the issue's runner);
* ``skip_good_A``: the runner skips pair A on 30 % of good days;
* ``linger_washout``: periods of 3 days, the first a scheduled washout day; the
  first day after a switch from A to B has risk 60 % (A's lingering effect),
  every other day 15 %: no direct effect;
* ``weekly_looks``: constant risk, the runner looks every week and stops at the
  first crossing (that is the protocol: every row above includes the looks).

Contrasts (what the plain analysis did): the same experiments analysed with
the plain statistic at the end (skipping), without the washout (lingering),
and stopping at the first weekly p <= 0.05.

Power at the planned effect (15 % vs 45 %) against what ``plan()`` prints; the
detectable-difference sentence (its difference, simulated afresh with the
runs each experiment made) against 80 %; coverage of every printed interval
(the difference's and the effect-of-what-was-used's by test inversion, the
odds ratio's, the per-level Wilson intervals, every pair of a three-level
experiment, the Bayesian credible interval).

Usage::

    .venv/bin/python bench/validate_experiment.py              # 2000 experiments per row
    .venv/bin/python bench/validate_experiment.py --n 1000 --detect 200
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # a shared machine: one thread per process, measured honestly

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
from scipy.special import expit, logit
from scipy.stats import beta as beta_dist

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from runlog import experiment as ex
from runlog.experiment._design import layout, orders
from runlog.experiment._engine import plain_p, sequential
from runlog.experiment._inference import holm_levels, odds_ratio, swap_rows
from runlog.experiment._randomization import look_statistics, schedule_rows

LEVELS = ("Trail Glide 2", "Daily Cushion 5")
START = "2024-09-02"
RUN_PROB = 5 / 7
ALPHA = 0.05


@dataclasses.dataclass
class Design:
    """A plan's structure and the schedules its test compares (shared by every simulated experiment)."""

    plan: ex.Plan
    codes: np.ndarray
    add_obs: bool
    counted: np.ndarray
    ends: np.ndarray
    spent: np.ndarray
    k: int

    @classmethod
    def make(cls, *, weeks=8, block=2, washout=0, levels=LEVELS, looks=None, n_resamples=2000):
        p = ex.plan("shoes", list(levels), weeks=weeks, block=block, washout=washout, start=START, seed=0,
                    looks=looks)
        codes, add_obs = schedule_rows(p, n_resamples=n_resamples, seed=1)
        return cls(p, codes, add_obs, p.counted, p.look_ends, p.spent, len(levels))

    def draw(self, m: int, rng) -> np.ndarray:
        """*m* schedules drawn as plan() draws them (each experiment its own seed)."""
        p = self.plan
        lay = layout(p.n_slots, self.k, p.block, p.design)
        perms = orders(self.k)
        choice = rng.integers(len(perms), size=(m, int(lay["unit"].max()) + 1))
        return perms[choice[:, lay["unit"].to_numpy()], lay["idx"].to_numpy()]


def protocol(d: Design, obs, ran, numb, *, robust=True, counted=None, y=None, lo=0.0, hi=1.0, final=True):
    """Statistics at every look and the group-sequential result of many experiments."""
    counted = d.counted if counted is None else counted
    n = (ran & counted).astype("float64")
    yy = (numb & counted).astype("float64") if y is None else y * counted
    arr = {"n": n, "y": yy, "g": n, "a": counted.astype("float64")}
    t_rows, t_obs = look_statistics(d.codes, obs, arr, d.ends, d.k, robust=robust, lo=lo, hi=hi)
    return t_rows, t_obs, sequential(t_rows, t_obs, d.spent, add_obs=d.add_obs, final=final)


def batches(n: int, size: int):
    for i in range(0, n, size):
        yield min(size, n - i)


def wilson(x: int, n: int) -> tuple[float, float]:
    return ex.wilson_ci(int(x), int(n))


ROWS: list[tuple[str, str, int, int, float]] = []


def report(group: str, name: str, hits: int, n: int, target: str, t0: float) -> None:
    lo, hi = wilson(hits, n)
    ROWS.append((group, name, hits, n, time.process_time() - t0))
    print(f"  {name:58s} {hits / n:6.1%}  ({lo:5.1%}-{hi:5.1%})  of {n:5d}   target {target:14s} "
          f"[{time.process_time() - t0:5.0f} s CPU]", flush=True)


# ------------------------------------------------------------------------------------------------
# scenarios: (ran, numb) given the experiments' schedules
# ------------------------------------------------------------------------------------------------
def scenario(name: str, obs: np.ndarray, rng, p: ex.Plan):
    m, s = obs.shape
    ran = rng.random((m, s)) < RUN_PROB
    if name in ("constant", "weekly_looks"):
        risk = np.full((m, s), 0.15)
    elif name == "trend":
        frac = np.arange(s) / (s - 1)
        base = 0.05 + 0.30 * frac
        sunday = p.schedule["date"].dt.day_of_week.to_numpy() == 6
        risk = np.broadcast_to(np.where(sunday, np.minimum(2 * base, 0.95), base), (m, s))
    elif name == "ar1":
        phi = 0.95
        x = np.empty((m, s))
        x[:, 0] = rng.standard_normal(m)
        for t in range(1, s):
            x[:, t] = phi * x[:, t - 1] + np.sqrt(1 - phi**2) * rng.standard_normal(m)
        risk = expit(logit(0.15) + x)
    elif name in ("skip_bad_B", "skip_good_A"):
        bad = rng.random((m, s)) < 0.2
        risk = np.where(bad, 0.7, 0.05)
        if name == "skip_bad_B":
            ran &= ~(bad & (obs == 1))
        else:
            ran &= ~(~bad & (obs == 0) & (rng.random((m, s)) < 0.3))
    elif name == "linger":
        period = p.schedule["period"].to_numpy()
        first = np.r_[True, period[1:] != period[:-1]]
        prev = np.concatenate([obs[:, :1], obs[:, :-1]], axis=1)
        risk = np.where(first[None, :] & (prev == 0) & (obs == 1), 0.6, 0.15)
    else:
        raise ValueError(name)
    numb = ran & (rng.random((m, s)) < risk)
    return ran, numb


FP_SCENARIOS = ("constant", "trend", "ar1", "skip_bad_B", "skip_good_A", "linger_washout", "weekly_looks")


def false_positives(n: int, names=FP_SCENARIOS) -> None:
    print(f"\nFalse positives: share of null experiments the protocol calls a difference (target <= 5 %, upper "
          f"bound <= 6.5 %); {n} experiments each")
    d2 = Design.make()
    d3 = Design.make(block=3, washout=1)
    d3_plain = Design.make(block=3, washout=0)
    rng = np.random.default_rng(2027)
    for name in names:
        t0 = time.process_time()
        d = d3 if name == "linger_washout" else d2
        hits = naive = 0
        for m in batches(n, 100):
            obs = d.draw(m, rng)
            ran, numb = scenario("linger" if name == "linger_washout" else name, obs, rng, d.plan)
            t_rows, t_obs, seq = protocol(d, obs, ran, numb)
            hits += int((seq.cross >= 0).sum())
            if name in ("skip_bad_B", "skip_good_A"):  # the plain statistic at the end: what the old test did
                tr, to, _ = protocol(d, obs, ran, numb, robust=False)
                naive += int((plain_p(tr[-1], to[-1], add_obs=d.add_obs) <= ALPHA).sum())
            elif name == "linger_washout":  # the same runner, a plan without washout
                tr, to, _ = protocol(d3_plain, obs, ran, numb, robust=False)
                naive += int((plain_p(tr[-1], to[-1], add_obs=d.add_obs) <= ALPHA).sum())
            elif name == "weekly_looks":  # stopping at the first weekly p <= 0.05
                pl = np.stack([plain_p(t_rows[j], t_obs[j], add_obs=d.add_obs) for j in range(len(d.ends))])
                naive += int((pl <= ALPHA).any(axis=0).sum())
        report("false positives", name, hits, n, "<= 5 %", t0)
        if name in ("skip_bad_B", "skip_good_A", "linger_washout", "weekly_looks"):
            what = {"skip_bad_B": "plain statistic, end only", "skip_good_A": "plain statistic, end only",
                    "linger_washout": "same runner, plan without washout",
                    "weekly_looks": "stop at first weekly p <= 0.05"}[name]
            report("contrast", f"  contrast: {what}", naive, n, "(old behaviour)", t0)


def power_rows(n: int) -> None:
    print(f"\nPower at the planned effect (15 % vs 45 %, risk ratio 3) against plan()'s printed power; {n} experiments")
    t0 = time.process_time()
    p = ex.plan("shoes", list(LEVELS), weeks=8, start=START, seed=0, baseline_risk=0.15, risk_ratio=3.0)
    planned = p.power.iloc[0]
    d = Design.make()
    rng = np.random.default_rng(99)
    own = np.array([p.levels.index(v) for v in p.schedule["level"]], dtype=np.int8)
    hits = design_hits = 0
    for m in batches(n, 100):
        for which in ("own", "design"):  # the plan's own schedule (what plan() prints), and schedules drawn anew
            obs = np.broadcast_to(own, (m, len(own))).copy() if which == "own" else d.draw(m, rng)
            ran = rng.random(obs.shape) < RUN_PROB
            numb = ran & (rng.random(obs.shape) < np.where(obs == 1, 0.45, 0.15))
            h = int((protocol(d, obs, ran, numb)[2].cross >= 0).sum())
            if which == "own":
                hits += h
            else:
                design_hits += h
    print(f"  plan() prints {planned['power']:.1%} (its own 95 % MC interval {planned['lo']:.1%}-{planned['hi']:.1%}, "
          f"{int(planned['runs'])} expected runs)")
    report("power", "simulated power of the protocol, the plan's schedule", hits, n,
           f"{planned['power']:.0%} +- 5", t0)
    lo, hi = wilson(design_hits, n)
    print(f"  (averaged over schedules drawn anew: {design_hits / n:.1%}, {lo:.1%}-{hi:.1%})")
    global POWER_PLANNED
    POWER_PLANNED = float(planned["power"])


POWER_PLANNED = float("nan")


def detectable_rows(n_plans: int, per_plan: int) -> None:
    print(f"\nThe detectable-difference sentence: {n_plans} null experiments (15 %) each get the difference their "
          f"analysis would state, then {per_plan} fresh experiments with the same runs at that difference "
          "(target 80 % +- 5)")
    t0 = time.process_time()
    d = Design.make()
    rng = np.random.default_rng(7)
    hits, total, per = 0, 0, []
    for _ in range(n_plans):
        obs = d.draw(1, rng)
        ran = rng.random(obs.shape) < RUN_PROB
        numb = ran & (rng.random(obs.shape) < 0.15)
        counted = ran[0] & d.counted
        pooled = numb[0][counted].mean() if counted.any() else 0.0
        if not 0 < pooled < 1:
            continue
        q = dataclasses.replace(d.plan, schedule=d.plan.schedule.assign(
            level=np.asarray(LEVELS, dtype=object)[obs[0]]))
        delta = ex.detectable_difference(q, np.flatnonzero(ran[0]), q.n_slots, baseline=pooled,
                                         seed=int(rng.integers(2**31)))
        if delta is None:
            continue
        risk = np.where(obs == 1, pooled + delta, pooled)
        fresh = ran.repeat(per_plan, axis=0) & (rng.random((per_plan, obs.shape[1])) < risk)
        res = protocol(d, obs.repeat(per_plan, axis=0), ran.repeat(per_plan, axis=0), fresh)[2]
        h = int((res.cross >= 0).sum())
        hits += h
        total += per_plan
        per.append(h / per_plan)
    report("detectable", "power at the stated detectable difference", hits, total, "80 % +- 5", t0)
    per_a = np.array(per)
    se = per_a.std(ddof=1) / np.sqrt(len(per_a))
    print(f"  between-plan interval (clustered by plan, {len(per_a)} plans): {per_a.mean():.1%} "
          f"({per_a.mean() - 1.96 * se:.1%}-{per_a.mean() + 1.96 * se:.1%})")


def coverage_rows(n: int) -> None:
    print(f"\nCoverage of every printed interval (target >= 93 %); {n} experiments each")
    d = Design.make()
    rng = np.random.default_rng(11)
    for r0, r1, label in ((0.15, 0.45, "15 % vs 45 %"), (0.15, 0.15, "15 % vs 15 %")):
        t0 = time.process_time()
        cov = {"difference (test inverted)": 0, "odds ratio (test-based)": 0, "per-level risk (Wilson)": 0,
               "Bayesian 95 % credible interval": 0}
        n_or = 0
        true_or = (r1 / (1 - r1)) / (r0 / (1 - r0))
        delta = r1 - r0
        for m in batches(n, 100):
            obs = d.draw(m, rng)
            ran = rng.random(obs.shape) < RUN_PROB
            numb = ran & (rng.random(obs.shape) < np.where(obs == 1, r1, r0))
            _, _, seq = protocol(d, obs, ran, numb)
            look = np.where(seq.cross >= 0, seq.cross, len(d.ends) - 1)
            cols = np.arange(m)
            level = seq.nominal[look, cols]
            # difference: covered when the test of the true shift does not reject at the look's level
            z = ((ran & d.counted) * (obs == 1)).astype("float64")
            y_adj = (numb & d.counted) - delta * z
            tr, to, _ = protocol(d, obs, ran, numb, y=y_adj, lo=min(0.0, -delta), hi=max(1.0, 1.0 - delta))
            p_true = np.stack([plain_p(tr[j], to[j], add_obs=d.add_obs) for j in range(len(d.ends))])[look, cols]
            cov["difference (test inverted)"] += int((p_true > level).sum())
            for i in range(m):
                until = d.ends[look[i]]
                sel = ran[i] & d.counted & (np.arange(obs.shape[1]) < until)
                n1, n0 = int((sel & (obs[i] == 1)).sum()), int((sel & (obs[i] == 0)).sum())
                x1, x0 = int((numb[i] & sel & (obs[i] == 1)).sum()), int((numb[i] & sel & (obs[i] == 0)).sum())
                _, lo, hi = odds_ratio(x1, n1, x0, n0, seq.p_look[look[i], i], level[i])
                if np.isfinite(lo):
                    n_or += 1
                    cov["odds ratio (test-based)"] += int(lo <= true_or <= hi)
                for x, nn, r in ((x1, n1, r1), (x0, n0, r0)):  # each level's printed interval
                    wl, wh = ex.wilson_ci(x, nn)
                    cov["per-level risk (Wilson)"] += int(wl <= r <= wh)
                draws = (beta_dist.rvs(1 + x1, 1 + n1 - x1, size=4000, random_state=rng)
                         - beta_dist.rvs(1 + x0, 1 + n0 - x0, size=4000, random_state=rng))
                cov["Bayesian 95 % credible interval"] += int(np.quantile(draws, 0.025) <= delta
                                                              <= np.quantile(draws, 0.975))
        for name, c in cov.items():
            total = n_or if name.startswith("odds") else 2 * n if name.startswith("per-level") else n
            report("coverage", f"{name}, {label}", c, total, ">= 93 %", t0)
    cace_rows(n)
    pairwise_rows(n)


def cace_rows(n: int) -> None:
    t0 = time.process_time()
    d = Design.make()
    rng = np.random.default_rng(12)
    beta_true = -0.30
    hits = 0
    est = []
    for m in batches(n, 100):
        obs = d.draw(m, rng)
        ran = rng.random(obs.shape) < RUN_PROB
        wrong = rng.random(obs.shape) < 0.2  # 20 % of runs in the other pair
        used = np.where(wrong, 1 - obs, obs)
        numb = ran & (rng.random(obs.shape) < np.where(used == 1, 0.15, 0.45))
        _, _, seq = protocol(d, obs, ran, numb)
        look = np.where(seq.cross >= 0, seq.cross, len(d.ends) - 1)
        cols = np.arange(m)
        level = seq.nominal[look, cols]
        dvec = ((ran & d.counted) * (used == 1)).astype("float64")
        y_adj = (numb & d.counted) - beta_true * dvec
        tr, to, _ = protocol(d, obs, ran, numb, y=y_adj, lo=min(0.0, -beta_true), hi=max(1.0, 1.0 - beta_true))
        p_true = np.stack([plain_p(tr[j], to[j], add_obs=d.add_obs) for j in range(len(d.ends))])[look, cols]
        hits += int((p_true > level).sum())
        sel = ran & d.counted
        itt = (numb & sel & (obs == 1)).sum(1) / (sel & (obs == 1)).sum(1) - \
            (numb & sel & (obs == 0)).sum(1) / (sel & (obs == 0)).sum(1)
        up = (sel & (obs == 1) & (used == 1)).sum(1) / (sel & (obs == 1)).sum(1) - \
            (sel & (obs == 0) & (used == 1)).sum(1) / (sel & (obs == 0)).sum(1)
        est.append(np.column_stack([itt, itt / up]))
    e = np.vstack(est)
    report("coverage", "effect of what was used (CACE), 20 % in the wrong pair", hits, n, ">= 93 %", t0)
    print(f"    (true effect -0.30: as-assigned estimate averages {np.nanmean(e[:, 0]):+.2f}, CACE "
          f"{np.nanmedian(e[:, 1]):+.2f} median)")


def pairwise_rows(n: int) -> None:
    t0 = time.process_time()
    levels = ("A", "B", "C")
    risks = np.array([0.15, 0.15, 0.45])
    d = Design.make(weeks=12, levels=levels, n_resamples=2000)
    rng = np.random.default_rng(13)
    unit = layout(d.plan.n_slots, 3, d.plan.block, d.plan.design)["unit"].to_numpy()
    pairs = [(0, 1), (0, 2), (1, 2)]
    hits = {pr: 0 for pr in pairs}
    count = 0
    swaps = {}
    for m in batches(n, 50):
        obs = d.draw(m, rng)
        ran = rng.random(obs.shape) < RUN_PROB
        numb = ran & (rng.random(obs.shape) < risks[obs])
        _, _, seq = protocol(d, obs, ran, numb)
        look = np.where(seq.cross >= 0, seq.cross, len(d.ends) - 1)
        for i in range(m):
            until = int(d.ends[look[i]])
            base = float(seq.nominal[look[i], i])
            inside_t = np.arange(obs.shape[1]) < until
            n_s = (ran[i] & d.counted & inside_t).astype("float64")
            y_s = (numb[i] & d.counted & inside_t).astype("float64")
            pv, tests = [], []
            for a, b in pairs:
                key = (a, b, obs[i].tobytes())
                if key not in swaps:
                    swaps.clear()
                    swaps[key] = swap_rows(obs[i], unit, a, b, max_exact=100_000, n_resamples=2000, seed=a + b)
                rows_ab, add = swaps[key]
                inside = ((obs[i] == a) | (obs[i] == b)).astype("float64")
                o = (obs[i] == b).astype(np.int8)
                arr = {"n": n_s * inside, "y": y_s * inside, "g": n_s * inside,
                       "a": (d.counted & inside_t).astype("float64") * inside}
                tr, to = look_statistics(rows_ab, o[None, :], arr, [until], 2, robust=True)
                pv.append(float(plain_p(tr[0], to[0], add_obs=add)[0]))
                tests.append((rows_ab, add, o, arr))
            lv = holm_levels(pv, base)
            for (a, b), (rows_ab, add, o, arr), lvl in zip(pairs, tests, lv):
                dl = risks[b] - risks[a]
                arr_adj = dict(arr, y=arr["y"] - dl * arr["n"] * o)
                tr, to = look_statistics(rows_ab, o[None, :], arr_adj, [until], 2, robust=True,
                                         lo=min(0.0, -dl), hi=max(1.0, 1.0 - dl))
                hits[(a, b)] += int(plain_p(tr[0], to[0], add_obs=add)[0] > lvl)
            count += 1
    for (a, b), h in hits.items():
        report("coverage", f"pair {levels[b]} minus {levels[a]} (3 levels, Holm-consistent)", h, count, ">= 93 %",
               t0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="simulated experiments per row")
    ap.add_argument("--detect", type=int, default=200, help="experiments whose detectable difference is computed")
    ap.add_argument("--per", type=int, default=5, help="fresh experiments per detectable difference")
    ap.add_argument("--only", choices=("fp", "power", "detect", "coverage"), help="one part only")
    ap.add_argument("--scenario", choices=FP_SCENARIOS, action="append", help="false-positive rows to run")
    args = ap.parse_args(argv)
    print(f"runlog experiment protocol validation; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "at the start (CPU seconds per row below)")
    t0 = time.perf_counter()
    if args.only in (None, "fp"):
        false_positives(args.n, args.scenario or FP_SCENARIOS)
    if args.only in (None, "power"):
        power_rows(args.n)
    if args.only in (None, "detect"):
        detectable_rows(args.detect, args.per)
    if args.only in (None, "coverage"):
        coverage_rows(args.n)
    print(f"\nDone in {time.perf_counter() - t0:.0f} s wall; load average {os.getloadavg()[0]:.1f} at the end.")
    bad = []
    for group, name, hits, n, _ in ROWS:
        hi = wilson(hits, n)[1]
        if group == "false positives" and (hits / n > 0.05 and hi > 0.065):
            bad.append(name)
        if group == "coverage" and hits / n < 0.93:
            bad.append(name)
        if group == "detectable" and abs(hits / n - 0.8) > 0.05:
            bad.append(name)
        if group == "power" and abs(hits / n - POWER_PLANNED) > 0.05:
            bad.append(name)
    if bad:
        print("FAIL: " + "; ".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
