"""Power of the protocol's test, and the smallest difference it detects, by simulating the plan's randomisation."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._design import look_ends
from ._engine import sequential, spending
from ._intervals import wilson_ci
from ._randomization import look_statistics, observed_codes, schedule_rows

if TYPE_CHECKING:
    from ._plan import Plan



def simulated_outcomes(codes: np.ndarray, risks, rng: np.random.Generator, *, run_prob: float = 1.0,
                       n: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Simulated experiments: which slots were run and which runs were numb, given the levels' risks.

    Parameters
    ----------
    codes : ndarray of int
        The level code per slot (the schedule followed).
    risks : sequence of float
        Risk of numbness per run under each level [-].
    rng : numpy.random.Generator
    run_prob : float
        Probability that a slot is run (a plan by date: runs per week / 7) [-].
    n : int
        Experiments to simulate.

    Returns
    -------
    (ndarray, ndarray)
        ``ran`` and ``numb``, booleans of shape (n, slots).
    """
    r = np.asarray(risks, dtype="float64")[np.asarray(codes, dtype=np.int64)]
    ran = rng.random((n, len(r))) < run_prob
    numb = ran & (rng.random((n, len(r))) < r[None, :])
    return ran, numb


def protocol_decisions(codes: np.ndarray, add_obs: bool, obs: np.ndarray, n: np.ndarray, y: np.ndarray,
                       a: np.ndarray, ends, spent, k: int, *, robust: bool, final: bool = True):
    """The protocol's group-sequential test of many experiments at once (batched).

    Parameters
    ----------
    codes : ndarray, shape (rows, slots)
        Schedules compared (:func:`runlog.experiment._randomization.schedule_rows`).
    add_obs : bool
        The rows are Monte Carlo draws.
    obs : ndarray, shape (experiments, slots) or (slots,)
        The experiments' own schedules.
    n, y : ndarray, shape (experiments, slots)
        Counted runs and numb runs per slot (*n* may be one row for all).
    a : ndarray, shape (slots,) or (experiments, slots)
        Counted planned slots that have happened.
    ends, spent : array_like
        Look ends and the cumulative level spent by each look.
    k : int
        Levels.
    robust : bool
        The skipping-robust statistic.
    final : bool
        The last look is the planned end.

    Returns
    -------
    runlog.experiment._engine.Sequential
        Concatenated over the experiments.
    """
    n_exp = y.shape[0]
    same_runs = np.ndim(n) == 1  # the runs made are the same in every experiment (only numbness varies)
    one_run = bool(((np.asarray(n) == 0) | (np.asarray(n) == 1)).all())  # one run per slot: days run = runs
    obs = np.broadcast_to(np.atleast_2d(obs), (n_exp, y.shape[1]))
    parts = []
    batch = max(8, min(200, int(8e6 / (codes.shape[0] * max(len(np.atleast_1d(ends)), 1)))))
    for i in range(0, n_exp, batch):
        sl = slice(i, i + batch)
        a_i = a if np.ndim(a) == 1 else a[sl]
        n_i = n if same_runs else n[sl]
        g = n_i if one_run else (n_i > 0).astype("float64")
        arr = {"n": n_i, "y": y[sl], "g": g, "a": a_i}
        t_rows, t_obs = look_statistics(codes, obs[sl], arr, ends, k, robust=robust)
        parts.append(sequential(t_rows, t_obs, np.asarray(spent), add_obs=add_obs, final=final))
    first = parts[0]
    return dataclasses.replace(first, **{f.name: np.concatenate([getattr(x, f.name) for x in parts],
                                                                axis=-1) for f in dataclasses.fields(first)})


def power(p: Plan, baseline_risk: float, risk_ratio: float, *, sizes=None, n_sim: int = 400,
          n_resamples: int = 1000, seed: int = 0, stop_at: float | None = 0.8) -> pd.DataFrame:
    """Power of the plan's protocol by simulation, at the planned size and larger ones.

    The reference level (first) has risk *baseline_risk* per run, the others
    ``baseline_risk * risk_ratio`` (at most 0.95).  In a plan by date each
    day is run with probability ``runs_per_week / 7``, and the test is the
    skipping-robust one.  Each simulated experiment goes through the
    protocol's test: the scheduled washout left out, the looks with their
    O'Brien-Fleming-type boundary (scaled to the size), a Monte Carlo
    randomisation distribution of *n_resamples* schedules (exact when fewer
    are possible).  Power is the share of experiments crossing a boundary.

    Parameters
    ----------
    p : Plan
        The plan (its design, block, washout, looks, alpha and levels).
    baseline_risk : float
        Risk of numbness per run under the reference level [-].
    risk_ratio : float
        Risk under the other level(s) / baseline [-].
    sizes : sequence of int, optional
        Numbers of slots to evaluate (default: the plan's, then more cycles
        up to 6 times as many).
    n_sim : int
        Simulated experiments per size.
    n_resamples : int
        Schedules per randomisation test.
    seed : int
        Seed of the simulation.
    stop_at : float or None
        Stop after the first size (the plan's own always included) whose
        power reaches this (None: every size).

    Returns
    -------
    DataFrame
        ``slots``, ``runs`` (expected runs), ``power`` and its 95 % Wilson
        Monte Carlo interval ``lo``, ``hi``; the plan's own size first.

    References
    ----------
    .. [1] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC, ch. 13 (power).
    .. [2] Mehta, C. R., Patel, N. R., Senchaudhuri, P. & Tsiatis, A. A.
       (1994). Exact permutational tests for group sequential clinical
       trials. Biometrics 50(4):1042-1053.
    """
    k = len(p.levels)
    cyc = k * p.block
    run_prob = min(1.0, (p.runs_per_week or 7.0) / 7.0) if p.by_date else 1.0
    if sizes is None:
        base = p.n_slots
        more = [c * cyc for c in (2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 50) if c * cyc > base]
        sizes = [base] + [s for s in more if s <= max(6 * base, 40 * cyc)]
    risks = np.array([baseline_risk] + [min(0.95, baseline_risk * risk_ratio)] * (k - 1))
    rng = np.random.default_rng(seed)
    rows = []
    for size in sizes:
        q = p if size == p.n_slots else resized(p, int(size))
        codes, add_obs = schedule_rows(q, max_exact=max(n_resamples, 1), n_resamples=n_resamples,
                                       seed=int(rng.integers(2**31)))
        obs = observed_codes(q)
        ran, numb = simulated_outcomes(obs, risks, rng, run_prob=run_prob, n=n_sim)
        counted = q.counted
        ends = q.look_ends
        res = protocol_decisions(codes, add_obs, obs, (ran & counted).astype("float64"),
                                 (numb & counted).astype("float64"), counted.astype("float64"), ends, q.spent, k,
                                 robust=p.by_date)
        hits = int((res.cross >= 0).sum())
        lo, hi = wilson_ci(hits, n_sim)
        rows.append({"slots": int(size), "runs": int(round(counted.sum() * run_prob)), "power": hits / n_sim,
                     "lo": lo, "hi": hi})
        if stop_at is not None and hits / n_sim >= stop_at:
            break
    return pd.DataFrame(rows)


def resized(p: Plan, n_slots: int) -> Plan:
    """The plan's design and protocol with *n_slots* slots and a fresh random order (power at other sizes)."""
    from ._design import schedule_of

    looks = max(1, int(round(p.looks * n_slots / max(p.n_slots, 1))))
    frame, codes = schedule_of(n_slots, len(p.levels), p.block, p.design, int(np.random.default_rng(
        [int(p.seed), n_slots]).integers(2**31)), p.washout, looks)
    frame.insert(3, "level", np.asarray(p.levels, dtype=object)[codes])
    return dataclasses.replace(p, schedule=frame, end=None, looks=looks, power=None, baseline_risk=None,
                               risk_ratio=None, notes=[])


def detectable_difference(p: Plan, slots, elapsed: int, *, baseline: float, washout: int | None = None,
                          looks: int | None = None, target: float = 0.8, n_sim: int = 400,
                          n_resamples: int = 1000, seed: int = 0) -> float | None:
    """The smallest risk difference the protocol's test finds with *target* power, given the runs actually made.

    The runs made (their slots) are kept; numbness is simulated with risk
    *baseline* under the first level and ``baseline + d`` under the second,
    the plan's schedule re-used, and each simulated experiment tested as
    :func:`analyze` tests the real one (washout, looks and boundary,
    skipping-robust statistic in a plan by date).  *d* is found by
    bisection with common random numbers, so power rises with *d*.

    Parameters
    ----------
    p : Plan
    slots : array_like of int
        Slot of every run made (0-based).
    elapsed : int
        Planned slots that have happened.
    baseline : float
        Risk under the first level [-] (e.g. the pooled observed risk).
    washout, looks : int, optional
        The analysis' washout and looks (default: the plan's).
    target : float
        The power wanted [-].
    n_sim, n_resamples : int
        Simulated experiments per step; schedules per test.
    seed : int

    Returns
    -------
    float or None
        The difference [-]; None when even ``1 - baseline`` gives less
        than *target* power.

    References
    ----------
    .. [1] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC, ch. 13 (power).
    """
    from ._randomization import slot_arrays

    k = len(p.levels)
    arr = slot_arrays(p, slots, np.zeros(len(np.asarray(slots))), elapsed=elapsed, washout=washout)
    n_looks = p.looks if looks is None else looks
    ends_all = look_ends(p.n_slots, n_looks)
    done = ends_all[ends_all <= elapsed]
    ends = done if len(done) else np.array([elapsed])
    spent = spending(ends / p.n_slots, p.alpha)
    codes, add_obs = schedule_rows(p, max_exact=max(n_resamples, 1), n_resamples=n_resamples, seed=seed)
    obs = observed_codes(p)
    rng = np.random.default_rng(seed)
    u = rng.random((n_sim, p.n_slots, max(1, int(arr["n"].max()))))  # one uniform per possible run of a slot
    runs_in = np.arange(u.shape[2])[None, None, :] < arr["n"][None, :, None]
    top = min(0.999, 1.0) - baseline

    def pw(d: float) -> float:
        risk = np.where(obs == 1, baseline + d, baseline)
        y = ((u < risk[None, :, None]) & runs_in).sum(axis=2).astype("float64")
        res = protocol_decisions(codes, add_obs, obs, arr["n"], y, arr["a"], ends, spent, k, robust=p.by_date)
        return float((res.cross >= 0).mean())

    if top <= 0 or pw(top) < target:
        return None
    lo, hi = 0.0, top
    for _ in range(8):
        mid = (lo + hi) / 2
        if pw(mid) >= target:
            hi = mid
        else:
            lo = mid
    return hi
