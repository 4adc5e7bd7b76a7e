"""The randomisation test over the plan's own randomisation."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import ExperimentError
from ._design import layout, orders, unit_count

if TYPE_CHECKING:
    from ._plan import Plan

#: Largest number of possible assignments enumerated exactly; above it, Monte Carlo.
MAX_EXACT = 100_000
#: Re-drawn assignments of a Monte Carlo randomisation test.
DEFAULT_RESAMPLES = 20_000


def assignment_matrix(p: Plan, *, max_exact: int = MAX_EXACT, n_resamples: int = DEFAULT_RESAMPLES,
                      seed: int | None = None) -> tuple[np.ndarray, bool]:
    """Every schedule the plan's randomisation could have drawn, or a random sample of them.

    Parameters
    ----------
    p : Plan
        The plan; its design says what was randomised (each cycle's order, or
        each mirrored pair's).
    max_exact : int
        Enumerate every schedule when there are at most this many.
    n_resamples : int
        Otherwise draw this many at random (the observed schedule is row 0).
    seed : int, optional
        Seed of the draw (default: derived from the plan's seed).

    Returns
    -------
    (ndarray, bool)
        Level codes (index into ``p.levels``), one row per schedule and one
        column per slot, and whether the enumeration is exact.  In the
        exact case every schedule appears once (the observed one among
        them); in the Monte Carlo case row 0 is the observed schedule.

    References
    ----------
    .. [1] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC, ch. 3 and 11.
    """
    k = len(p.levels)
    lay = layout(p.n_slots, k, p.block, p.design)
    perms = orders(k)
    n_units = unit_count(p)
    unit, idx = lay["unit"].to_numpy(), lay["idx"].to_numpy()
    n_total = len(perms) ** n_units
    if n_total <= max_exact:
        return _enumerated(p.n_slots, k, p.block, p.design), True
    rng = np.random.default_rng([int(p.seed), 1] if seed is None else int(seed))
    choice = rng.integers(len(perms), size=(int(n_resamples), n_units))
    observed = np.array([p.levels.index(v) for v in p.schedule["level"]], dtype=np.int8)
    return np.vstack([observed[None, :], perms[choice[:, unit], idx]]), False


@functools.lru_cache(maxsize=8)
def _enumerated(n_slots: int, k: int, block: int, design: str) -> np.ndarray:
    """Every schedule of a design (read-only; cached: it depends on the design only, not on the draw)."""
    lay = layout(n_slots, k, block, design)
    perms = orders(k)
    n_units = int(lay["unit"].max()) + 1 if n_slots else 0
    # row i: the digits of i in base k! (unit 0 the most significant), i.e. itertools.product's order
    powers = len(perms) ** np.arange(n_units - 1, -1, -1, dtype=np.int64)
    choice = (np.arange(len(perms) ** n_units, dtype=np.int64)[:, None] // powers[None, :]) % len(perms)
    out = perms[choice[:, lay["unit"].to_numpy()], lay["idx"].to_numpy()]
    out.flags.writeable = False
    return out


@dataclass
class TestResult:
    """A randomisation test (see :func:`randomization_test`).

    Attributes
    ----------
    statistic : float
        Observed statistic: risk difference (level 2 - level 1) [-] for two
        levels, Pearson chi-square otherwise.
    statistic_name : str
    p_value : float
        Two-sided: share of schedules with a statistic at least as extreme.
    exact : bool
        Every possible schedule enumerated (else Monte Carlo).
    n_assignments : int
        Possible schedules.
    n_used : int
        Schedules compared (all, or the Monte Carlo draws + the observed one).
    min_p : float
        Smallest p-value these runs could have given.
    seed : int or None
        Seed of the Monte Carlo draw.
    """

    statistic: float
    statistic_name: str
    p_value: float
    exact: bool
    n_assignments: int
    n_used: int
    min_p: float
    seed: int | None = None

    __test__ = False  # not a pytest test class

    def describe(self) -> str:
        """The test in one sentence.

        Returns
        -------
        str
        """
        how = (f"exact, over all {self.n_assignments:,} schedules the plan could have drawn" if self.exact else
               f"Monte Carlo, {self.n_used - 1:,} schedules re-drawn with seed {self.seed} out of "
               f"{self.n_assignments:.3g} possible")
        return f"randomisation test p = {self.p_value:.3g} ({how})"


def _statistics(codes_r: np.ndarray, keep: np.ndarray | None, y: np.ndarray, k: int) -> np.ndarray:
    """Per schedule (rows): risk difference (k = 2) or Pearson chi-square (k > 2); *keep* None = every run."""
    yf = y.astype(np.float32)
    n = np.empty((codes_r.shape[0], k))
    e = np.empty((codes_r.shape[0], k))
    if k == 2 and keep is None:  # fast path: level 1 where the code is 1, level 0 the rest
        c = codes_r.astype(np.float32)
        n[:, 1], e[:, 1] = c.sum(axis=1), c @ yf
        n[:, 0], e[:, 0] = codes_r.shape[1] - n[:, 1], float(yf.sum()) - e[:, 1]
    for lv in range(k if (k != 2 or keep is not None) else 0):
        m = codes_r == lv
        if keep is not None:
            m &= keep
        mf = m.astype(np.float32)
        n[:, lv] = mf.sum(axis=1)
        e[:, lv] = mf @ yf
    tot_n, tot_e = n.sum(axis=1), e.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.where(tot_n > 0, tot_e / np.maximum(tot_n, 1.0), 0.0)
        risk = np.where(n > 0, e / np.maximum(n, 1.0), pooled[:, None])
        if k == 2:
            return risk[:, 1] - risk[:, 0]
        var = pooled * (1.0 - pooled)
        x2 = (n * (risk - pooled[:, None]) ** 2).sum(axis=1) / np.where(var > 0, var, 1.0)
    return np.where(var > 0, x2, 0.0)


def washout_keep(codes_r: np.ndarray, codes_slots: np.ndarray, period_start: np.ndarray, first: np.ndarray,
          washout: bool) -> np.ndarray | None:
    """Which runs count per schedule: all (None), or (washout) not the first run after a switch."""
    if not washout:
        return None
    prev = np.maximum(period_start - 1, 0)
    switched = (codes_slots[:, period_start] != codes_slots[:, prev]) & (period_start > 0)
    return ~(switched & first[None, :])


def randomization_test(p: Plan, slots, numb, *, first_in_period=None, washout: bool = False,
                       max_exact: int = MAX_EXACT, n_resamples: int = DEFAULT_RESAMPLES,
                       seed: int | None = None) -> TestResult:
    """Randomisation test of the plan's levels on the runs made: is the observed difference beyond chance?

    The runs' outcomes are held fixed (the sharp null: the level made no
    difference to any run) and the levels are re-drawn as the plan drew
    them, within every cycle; the p-value is the share of schedules whose
    statistic is at least as extreme as the one observed.

    Parameters
    ----------
    p : Plan
        The plan the runs followed.
    slots : array_like of int
        Per run: its slot in the plan (0-based; two runs may share a day).
    numb : array_like of bool
        Per run: numbness during the run.
    first_in_period : array_like of bool, optional
        Per run: the first run made in its period (needed for *washout*).
    washout : bool
        Drop the first run after each switch of level (carry-over); which
        runs are dropped is re-computed for every re-drawn schedule.
    max_exact, n_resamples : int
        Enumerate when at most *max_exact* schedules are possible, else draw
        *n_resamples* (:func:`assignment_matrix`).
    seed : int, optional
        Seed of a Monte Carlo draw (default: from the plan's seed).

    Returns
    -------
    TestResult
        Statistic (two levels: risk under level 2 minus level 1), two-sided
        p-value and how it was computed.

    References
    ----------
    .. [1] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC.
    """
    slots = np.asarray(slots, dtype=np.int64)
    y = np.asarray(numb, dtype=bool)
    if slots.shape != y.shape:
        raise ExperimentError("slots and numb must have one value per run")
    k = len(p.levels)
    codes, exact = assignment_matrix(p, max_exact=max_exact, n_resamples=n_resamples, seed=seed)
    observed = np.array([p.levels.index(v) for v in p.schedule["level"]], dtype=np.int8)
    period = p.schedule["period"].to_numpy()
    start_of = pd.Series(np.arange(p.n_slots)).groupby(period).transform("min").to_numpy()
    period_start = start_of[slots] if len(slots) else np.zeros(0, dtype=np.int64)
    first = np.ones(len(slots), dtype=bool) if first_in_period is None else np.asarray(first_in_period, bool)
    codes_r = codes[:, slots]
    keep = washout_keep(codes_r, codes, period_start, first, washout)
    stats_all = _statistics(codes_r, keep, y, k)
    obs_keep = washout_keep(observed[None, slots], observed[None, :], period_start, first, washout)
    t_obs = float(_statistics(observed[None, slots], obs_keep, y, k)[0])
    mag = np.abs(stats_all) if k == 2 else stats_all
    t = abs(t_obs) if k == 2 else t_obs
    tol = 1e-9 * max(1.0, abs(t))
    hits = int((mag >= t - tol).sum())
    top = mag.max() if len(mag) else 0.0
    n_top = int((mag >= top - tol).sum())
    if exact:
        pval, min_p = hits / len(mag), n_top / len(mag)
    else:  # row 0 is the observed schedule: (1 + hits among the draws) / (1 + draws)
        pval, min_p = hits / len(mag), max(n_top / len(mag), 1.0 / len(mag))
    return TestResult(statistic=t_obs, statistic_name="risk difference" if k == 2 else "chi-square",
                      p_value=float(pval), exact=exact, n_assignments=p.n_assignments, n_used=len(mag),
                      min_p=float(min_p), seed=None if exact else (int(p.seed) if seed is None else int(seed)))
