"""Power of the randomisation test by simulation."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._design import layout, orders, switches
from ._intervals import wilson_ci
from ._randomization import assignment_matrix

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


def _mc_pvalues(codes: np.ndarray, observed: np.ndarray, ran: np.ndarray, numb: np.ndarray, k: int) -> np.ndarray:
    """Randomisation p-values of many simulated experiments at once (one run per slot, no washout)."""
    ranf, numbf = ran.astype("float64").T, numb.astype("float64").T  # slots x sims
    n = np.stack([(codes == lv).astype("float64") @ ranf for lv in range(k)], axis=0)  # k x draws x sims
    e = np.stack([(codes == lv).astype("float64") @ numbf for lv in range(k)], axis=0)
    on = np.stack([((observed == lv) & ran).sum(axis=1) for lv in range(k)], axis=0)[:, None, :].astype("float64")
    oe = np.stack([((observed == lv) & numb).sum(axis=1) for lv in range(k)], axis=0)[:, None, :].astype("float64")

    def stat(nn, ee):
        tot_n, tot_e = nn.sum(axis=0), ee.sum(axis=0)
        pooled = np.where(tot_n > 0, tot_e / np.maximum(tot_n, 1), 0.0)
        risk = np.where(nn > 0, ee / np.maximum(nn, 1), pooled[None])
        if k == 2:
            return np.abs(risk[1] - risk[0])
        var = pooled * (1 - pooled)
        return np.where(var > 0, (nn * (risk - pooled[None]) ** 2).sum(axis=0) / np.where(var > 0, var, 1), 0.0)

    t_all, t_obs = stat(n, e), stat(on, oe)
    return (t_all >= t_obs - 1e-9).mean(axis=0)


def power(p: Plan, baseline_risk: float, risk_ratio: float, *, sizes=None, n_sim: int = 400,
          n_resamples: int = 1000, alpha: float = 0.05, seed: int = 0) -> pd.DataFrame:
    """Power of the plan's randomisation test by simulation, at the planned size and larger ones.

    The reference level (first) has risk *baseline_risk* per run, the others
    ``baseline_risk * risk_ratio`` (at most 0.95).  In a plan by date each
    day is run with probability ``runs_per_week / 7``.  Each simulated
    experiment is tested with a Monte Carlo randomisation test of
    *n_resamples* schedules (exact when fewer are possible).

    Parameters
    ----------
    p : Plan
        The plan (its design, block and levels).
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
    alpha : float
        Significance level [-].
    seed : int
        Seed of the simulation.

    Returns
    -------
    DataFrame
        ``slots``, ``runs`` (expected runs), ``power`` and its 95 % Wilson
        Monte Carlo interval ``lo``, ``hi``; the plan's own size first.

    References
    ----------
    .. [1] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC, ch. 13 (power).
    """
    k = len(p.levels)
    cyc = k * p.block
    run_prob = min(1.0, (p.runs_per_week or 7.0) / 7.0) if p.by_date else 1.0
    if sizes is None:
        base = p.n_slots
        more = [c * cyc for c in (2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 50) if c * cyc > base]
        sizes = [base] + [s for s in more if s <= max(6 * base, 40 * cyc)]
    risks = [baseline_risk] + [min(0.95, baseline_risk * risk_ratio)] * (k - 1)
    rng = np.random.default_rng(seed)
    rows = []
    for size in sizes:
        q = p if size == p.n_slots else _resized(p, int(size))
        codes, _ = assignment_matrix(q, max_exact=max(n_resamples, 1), n_resamples=n_resamples,
                                     seed=int(rng.integers(2**31)))
        observed = np.array([q.levels.index(v) for v in q.schedule["level"]], dtype=np.int8)
        ran, numb = simulated_outcomes(observed, risks, rng, run_prob=run_prob, n=n_sim)
        pv = _mc_pvalues(codes, observed, ran, numb, k)
        hits = int((pv <= alpha + 1e-12).sum())
        lo, hi = wilson_ci(hits, n_sim)
        rows.append({"slots": int(size), "runs": int(round(size * run_prob)), "power": hits / n_sim,
                     "lo": lo, "hi": hi})
    return pd.DataFrame(rows)


def _resized(p: Plan, n_slots: int) -> Plan:
    """The plan's design with *n_slots* slots and a fresh random order (for power at other sizes)."""
    k = len(p.levels)
    lay = layout(n_slots, k, p.block, p.design)
    perms = orders(k)
    rng = np.random.default_rng([int(p.seed), n_slots])
    choice = rng.integers(len(perms), size=int(lay["unit"].max()) + 1)
    codes = perms[choice[lay["unit"].to_numpy()], lay["idx"].to_numpy()]
    sched = pd.DataFrame({"date": pd.Series(pd.NaT, index=range(n_slots), dtype="datetime64[ns]").to_numpy(),
                          "cycle": lay["cycle"].to_numpy(), "period": lay["period"].to_numpy(),
                          "level": np.asarray(p.levels, dtype=object)[codes],
                          "switch": switches(codes, lay["period"].to_numpy())},
                         index=pd.RangeIndex(n_slots, name="slot"))
    return dataclasses.replace(p, schedule=sched, end=None, power=None, baseline_risk=None, risk_ratio=None,
                               runs_per_week=None, notes=[])
