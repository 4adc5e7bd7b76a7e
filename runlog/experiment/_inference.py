"""Estimates that cannot contradict the test: intervals by inverting the randomisation test, pairwise
comparisons with Holm's adjustment, the odds ratio, the effect of what was actually used, a Bayesian summary."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist
from scipy.stats import norm

from ._engine import level_totals, observed_totals, pair_statistic, plain_p

#: Range searched for a shift: a risk difference lies in [-1, 1]; an effect of what was used can be larger.
_RANGE = {"difference": 1.0, "cace": 4.0}


def _totals(codes: np.ndarray, obs: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two-level totals of a per-slot quantity over the rows (2, rows) and for the observed schedule (2,)."""
    rows = level_totals(codes, x[:, None], 2)[:, :, 0]
    ob = observed_totals(obs[None, :], x[None, None, :], 2)[:, 0, 0]
    return rows.astype("float64"), ob.astype("float64")


class ShiftTest:
    """p-values of the hypotheses "the outcome minus ``delta`` times *x* does not depend on the assignment".

    With *x* the observed assignment (1 on runs assigned the second level)
    this is the constant-shift model whose inversion gives an interval for
    the difference that is the randomisation test's own: ``delta = 0`` is
    exactly the test (Lehmann 1975; Ernst 2004).  With *x* what each run
    actually used, ``delta`` is the effect of using the second level rather
    than the first (the complier average causal effect), and the inversion
    is the randomisation-inference interval of Imbens & Rosenbaum (2005).

    Parameters
    ----------
    codes : ndarray, shape (rows, slots)
        Schedules compared, codes 0/1 (slots outside the comparison carry
        no runs).
    add_obs : bool
        The rows are Monte Carlo draws.
    obs : ndarray, shape (slots,)
        The observed schedule's codes.
    arr : dict
        ``n``, ``y``, ``g``, ``a`` per slot (:func:`runlog.experiment._randomization.slot_arrays`).
    x : ndarray, shape (slots,)
        Per slot, the sum over its counted runs of the shifted quantity.
    robust : bool
        The skipping-robust statistic.

    References
    ----------
    .. [1] Lehmann, E. L. (1975). Nonparametrics: Statistical Methods Based
       on Ranks. Holden-Day, ch. 2.
    .. [2] Ernst, M. D. (2004). Permutation methods: a basis for exact
       inference. Stat Sci 19(4):676-685.
    .. [3] Imbens, G. W. & Rosenbaum, P. R. (2005). Robust, accurate
       confidence intervals with a weak instrument: quarter of birth and
       education. J R Stat Soc A 168(1):109-126.
    """

    def __init__(self, codes: np.ndarray, add_obs: bool, obs: np.ndarray, arr: dict, x: np.ndarray, *,
                 robust: bool):
        self.add_obs, self.robust = add_obs, robust
        self.rows: dict[str, np.ndarray] = {}
        self.obs: dict[str, np.ndarray] = {}
        for name, vec in (("n", arr["n"]), ("y", arr["y"]), ("g", arr["g"]), ("a", arr["a"]), ("x", x)):
            self.rows[name], self.obs[name] = _totals(codes, obs, np.asarray(vec, dtype="float64"))

    def _stat(self, t: dict, delta: np.ndarray) -> np.ndarray:
        d = delta.reshape((1,) * t["n"][0].ndim + (-1,))
        ex = [t["y"][i][..., None] - d * t["x"][i][..., None] for i in (0, 1)]
        nn = [np.broadcast_to(t["n"][i][..., None], ex[i].shape) for i in (0, 1)]
        lo, hi = np.minimum(0.0, -d), np.maximum(1.0, 1.0 - d)
        if self.robust:
            gg = [np.broadcast_to(t["g"][i][..., None], ex[i].shape) for i in (0, 1)]
            aa = [np.broadcast_to(t["a"][i][..., None], ex[i].shape) for i in (0, 1)]
            return pair_statistic((nn[0], nn[1]), (ex[0], ex[1]), (gg[0], gg[1]), (aa[0], aa[1]), lo=lo, hi=hi)
        return pair_statistic((nn[0], nn[1]), (ex[0], ex[1]), lo=lo, hi=hi)

    def p_values(self, delta) -> np.ndarray:
        """Randomisation p-value of each *delta*.

        Parameters
        ----------
        delta : array_like of float

        Returns
        -------
        ndarray
        """
        delta = np.atleast_1d(np.asarray(delta, dtype="float64"))
        out = np.empty(len(delta))
        for i in range(0, len(delta), 64):  # bounded memory: rows x 64
            d = delta[i:i + 64]
            t_rows = self._stat(self.rows, d)
            t_obs = self._stat(self.obs, d)
            out[i:i + 64] = plain_p(t_rows, t_obs, add_obs=self.add_obs)
        return out

    def interval(self, level: float, estimate: float, *, span: float = 1.0) -> tuple[float, float]:
        """The shifts the test does not reject at *level*: their stretch around *estimate*, and no difference
        inside exactly when the test of no difference rejects.

        Parameters
        ----------
        level : float
            The test's level [-]; the interval's confidence is ``1 - level``.
        estimate : float
            The point estimate.
        span : float
            Shifts are searched in ``estimate +- 2 * span``; a bound not
            found inside is infinite.

        Returns
        -------
        (float, float)
            Lower and upper bound (``-inf`` / ``inf`` when unbounded, NaN
            when no shift near the estimate is accepted).
        """
        if not np.isfinite(estimate):
            return float("nan"), float("nan")
        grid = np.unique(np.r_[estimate + np.linspace(-2.0 * span, 2.0 * span, 201), 0.0])
        ok = self.p_values(grid) > level
        zero_ok = bool(ok[np.searchsorted(grid, 0.0)])
        mid = int(np.argmin(np.abs(grid - estimate)))
        if not ok[mid]:
            near = np.flatnonzero(ok)
            if not len(near):
                return float("nan"), float("nan")
            mid = int(near[np.argmin(np.abs(near - mid))])
        lo_i, hi_i = mid, mid
        while lo_i > 0 and ok[lo_i - 1]:
            lo_i -= 1
        while hi_i < len(grid) - 1 and ok[hi_i + 1]:
            hi_i += 1
        bounds = []
        for inside, outside in ((lo_i, lo_i - 1), (hi_i, hi_i + 1)):
            if outside < 0 or outside >= len(grid):
                bounds.append(-np.inf if outside < 0 else np.inf)
                continue
            a, b = grid[inside], grid[outside]  # a accepted, b rejected: bisect
            for _ in range(14):
                m = (a + b) / 2
                if self.p_values([m])[0] > level:
                    a = m
                else:
                    b = m
            bounds.append(a)
        lo, hi = float(bounds[0]), float(bounds[1])
        if zero_ok:  # ties make "no difference" accepted on its own: the interval holds it
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        return lo, hi


def odds_ratio(x1: float, n1: float, x0: float, n0: float, p_value: float, level: float) -> tuple[float, float,
                                                                                                  float]:
    """Odds ratio of level 2 vs level 1 with a test-based interval that agrees with the randomisation test.

    The estimate adds 0.5 to every cell when one is empty (Haldane). The
    interval is Miettinen's test-based one, ``OR ** (1 +- z_level / z_p)``
    with ``z_p`` the normal quantile of the test's two-sided p-value, so it
    excludes 1 exactly when ``p <= level``.

    Parameters
    ----------
    x1, n1, x0, n0 : float
        Numb runs and runs under level 2 and level 1.
    p_value : float
        The randomisation test's p-value of this comparison.
    level : float
        The interval's level (1 - confidence) [-].

    Returns
    -------
    (float, float, float)
        Odds ratio, lower and upper bound (NaN without runs on a level).

    References
    ----------
    .. [1] Miettinen, O. (1976). Estimability and estimation in
       case-referent studies. Am J Epidemiol 103(2):226-235.
    """
    if n1 <= 0 or n0 <= 0:
        return float("nan"), float("nan"), float("nan")
    a, b, c, d = x1, n1 - x1, x0, n0 - x0
    if min(a, b, c, d) == 0:
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    ratio = (a * d) / (b * c)
    z_p = norm.isf(min(max(p_value, 1e-300), 1.0) / 2.0)
    if z_p <= 0 or ratio == 1.0:
        return float(ratio), 0.0, float("inf")
    z = norm.isf(level / 2.0)
    ends = sorted((ratio ** (1 - z / z_p), ratio ** (1 + z / z_p)))
    return float(ratio), float(ends[0]), float(ends[1])


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values.

    Parameters
    ----------
    p_values : array_like of float

    Returns
    -------
    ndarray
        Adjusted p-values (monotone in the raw ones, at most 1).

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test
       procedure. Scand J Stat 6(2):65-70.
    """
    p = np.asarray(p_values, dtype="float64")
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def holm_levels(p_values, alpha: float) -> np.ndarray:
    """Per comparison, the level of an interval that agrees with Holm's decisions at *alpha*.

    The comparison ranked *r* (by p-value) gets ``alpha / (m - min(r, s) + 1)``
    with *s* the first rank Holm does not reject: a rejected comparison's
    interval excludes no effect, and the others' include it.

    Parameters
    ----------
    p_values : array_like of float
    alpha : float

    Returns
    -------
    ndarray
        Levels [-].
    """
    p = np.asarray(p_values, dtype="float64")
    m = len(p)
    order = np.argsort(p, kind="stable")
    s = m + 1
    for r, i in enumerate(order, start=1):
        if p[i] > alpha / (m - r + 1):
            s = r
            break
    out = np.empty(m)
    for r, i in enumerate(order, start=1):
        out[i] = alpha / (m - min(r, s) + 1)
    return out


def swap_rows(obs: np.ndarray, unit: np.ndarray, i: int, j: int, *, max_exact: int, n_resamples: int,
              seed: int) -> tuple[np.ndarray, bool]:
    """Schedules for comparing levels *i* and *j*: the observed one with i and j swapped in any set of units.

    Given which periods the other levels took, the randomisation made the
    two orders of i and j within every unit equally likely, so these
    schedules are the conditional randomisation distribution of the pair.

    Parameters
    ----------
    obs : ndarray of int
        The observed schedule.
    unit : ndarray of int
        Randomisation unit of each slot.
    i, j : int
        The pair (codes).
    max_exact, n_resamples, seed : int
        Enumerate up to *max_exact* schedules, else draw *n_resamples*.

    Returns
    -------
    (ndarray, bool)
        Codes 1 where the schedule puts *j*, 0 elsewhere; and *add_obs*
        (True for Monte Carlo draws).
    """
    n_units = int(unit.max()) + 1
    pair = (obs == i) | (obs == j)
    if 2 ** n_units <= max_exact:
        swap = np.array(list(itertools.product([False, True], repeat=n_units)), dtype=bool)
        add_obs = False
    else:
        swap = np.random.default_rng(seed).random((n_resamples, n_units)) < 0.5
        add_obs = True
    is_j = obs == j
    flipped = np.where(swap[:, unit] & pair[None, :], ~is_j[None, :], is_j[None, :]) & pair[None, :]
    return flipped.astype(np.int8), add_obs


def bayes_summary(counts: pd.DataFrame, *, margin: float = 0.0, draws: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """Posterior probability that a level is worse (or better) than the reference by more than *margin*.

    Each level's risk per run gets a uniform Beta(1, 1) prior and a
    binomial likelihood from its counted runs (runs of one level taken as
    exchangeable, as the simplest N-of-1 model of Schmid & Yang 2022); the
    difference's posterior is sampled.

    Parameters
    ----------
    counts : DataFrame
        Index: levels, reference first; columns ``runs``, ``numb_runs``.
    margin : float
        The difference in risk the runner cares about [-] (0: any).
    draws : int
        Posterior samples.
    seed : int

    Returns
    -------
    DataFrame
        Per level after the reference: ``level``, ``reference``,
        ``difference`` (posterior median), ``lo``, ``hi`` (95 % equal-tailed
        credible interval), ``p_worse`` (P[risk - reference risk > margin]),
        ``p_better`` (P[reference risk - risk > margin]), ``margin``.

    References
    ----------
    .. [1] Schmid, C. H. & Yang, J. (2022). Bayesian models for N-of-1
       trials. Harvard Data Science Review, Special Issue 3.
    """
    rng = np.random.default_rng(seed)
    post = {lv: beta_dist.rvs(1 + r["numb_runs"], 1 + r["runs"] - r["numb_runs"], size=draws, random_state=rng)
            for lv, r in counts.iterrows()}
    ref = counts.index[0]
    rows = []
    for lv in counts.index[1:]:
        d = post[lv] - post[ref]
        rows.append({"level": lv, "reference": ref, "difference": float(np.median(d)),
                     "lo": float(np.quantile(d, 0.025)), "hi": float(np.quantile(d, 0.975)),
                     "p_worse": float((d > margin).mean()), "p_better": float((d < -margin).mean()),
                     "margin": float(margin)})
    return pd.DataFrame(rows)
