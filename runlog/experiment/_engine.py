"""Randomisation tests over many experiments at once: per-level totals, statistics, group-sequential boundaries.

Everything here works on arrays whose last axis is *experiments* (one observed
experiment in :func:`runlog.experiment.analyze`; thousands of simulated ones in
:func:`runlog.experiment.power` and ``bench/validate_experiment.py``), so the
analysis of one experiment and the validation of the procedure run the same
code.  The schedules the randomisation could have drawn are the rows of a code
matrix (:func:`runlog.experiment.assignment_matrix`); the observed schedule is
either one of those rows (exact enumeration) or added to them (Monte Carlo,
``add_obs``), as in Edgington & Onghena (2007), ch. 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

#: Relative tolerance under which two statistics count as tied (they are ratios of small counts).
TIE = 1e-9


def spending(t, alpha: float) -> np.ndarray:
    """Cumulative type I error spent by information fraction *t*: the O'Brien-Fleming-type Lan-DeMets function.

    ``alpha(t) = 2 - 2 Phi(z_{1 - alpha/2} / sqrt(t))`` (two-sided), 0 at
    ``t = 0`` and *alpha* at ``t = 1``.

    Parameters
    ----------
    t : array_like of float
        Information fractions in (0, 1] [-].
    alpha : float
        Overall two-sided level [-].

    Returns
    -------
    ndarray
        Cumulative level spent at each *t* [-].

    References
    ----------
    .. [1] Lan, K. K. G. & DeMets, D. L. (1983). Discrete sequential boundaries
       for clinical trials. Biometrika 70(3):659-663.
    .. [2] O'Brien, P. C. & Fleming, T. R. (1979). A multiple testing procedure
       for clinical trials. Biometrics 35(3):549-556.
    """
    t = np.clip(np.asarray(t, dtype="float64"), 1e-12, 1.0)
    z = norm.isf(alpha / 2.0)
    out = 2.0 * norm.sf(z / np.sqrt(t))
    return np.where(t >= 1.0, alpha, out)


def level_totals(codes: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    """Per level and schedule: the sum of *x* over the slots the schedule gives that level.

    Parameters
    ----------
    codes : ndarray of int, shape (rows, slots)
        Level codes of the schedules.
    x : ndarray, shape (slots, m)
        Per slot, *m* quantities (runs, numb runs, ... per experiment and look).
    k : int
        Number of levels.

    Returns
    -------
    ndarray, shape (k, rows, m)
        Totals (float32: exact for counts below 2**24).
    """
    x = np.asarray(x, dtype=np.float32)
    out = np.empty((k, codes.shape[0], x.shape[1]), dtype=np.float32)
    if k == 2:
        out[1] = (codes == 1).astype(np.float32) @ x
        out[0] = x.sum(axis=0)[None, :] - out[1]
    else:
        for lv in range(k):
            out[lv] = (codes == lv).astype(np.float32) @ x
    return out


def observed_totals(codes: np.ndarray, x: np.ndarray, k: int) -> np.ndarray:
    """:func:`level_totals` for one schedule per experiment.

    Parameters
    ----------
    codes : ndarray of int, shape (experiments, slots)
        Each experiment's own schedule.
    x : ndarray, shape (experiments, m, slots)
        Per experiment, *m* quantities per slot.
    k : int
        Number of levels.

    Returns
    -------
    ndarray, shape (k, m, experiments)
    """
    x = np.asarray(x, dtype=np.float32)
    return np.stack([np.einsum("is,ims->mi", (codes == lv).astype(np.float32), x) for lv in range(k)])


def segment_indicators(codes: np.ndarray, ends, k: int) -> list[list[np.ndarray]]:
    """Per look segment (the slots a look adds) and level: the schedules' 0/1 indicator, contiguous float32.

    Computed once per set of schedules and re-used for every quantity
    :func:`look_totals` sums (two levels: only the second's, the first is
    the rest).

    Parameters
    ----------
    codes : ndarray of int, shape (rows, slots)
    ends : array_like of int
        Each look's end slot (exclusive), increasing.
    k : int

    Returns
    -------
    list of list of ndarray
    """
    out, begin = [], 0
    for end in np.asarray(ends, dtype=np.int64):
        seg = codes[:, begin:max(begin, int(end))]
        out.append([np.ascontiguousarray(seg == lv, dtype=np.float32) for lv in ((1,) if k == 2 else range(k))])
        begin = max(begin, int(end))
    return out


def look_totals(codes: np.ndarray, x: np.ndarray, ends: np.ndarray, k: int,
                ind: list[list[np.ndarray]] | None = None) -> np.ndarray:
    """:func:`level_totals` of per-slot quantities of many experiments, summed up to each look.

    Parameters
    ----------
    codes : ndarray of int, shape (rows, slots)
        Level codes of the schedules.
    x : ndarray, shape (experiments, slots)
        One quantity per experiment and slot (runs, numb runs, ...).
    ends : ndarray of int, shape (looks,)
        Each look covers the slots before ``ends[j]``.
    k : int
        Number of levels.
    ind : list, optional
        :func:`segment_indicators` of *codes* and *ends* (computed when not given).

    Returns
    -------
    ndarray, shape (k, rows, experiments, looks)
    """
    x = np.asarray(x, dtype=np.float32)
    ends = np.asarray(ends, dtype=np.int64)
    ind = segment_indicators(codes, ends, k) if ind is None else ind
    out = np.empty((len(ends), k, codes.shape[0], x.shape[0]), dtype=np.float32)  # look first: contiguous writes
    begin = 0
    for j, end in enumerate(ends):  # each look's new slots once, then running sums
        end = max(begin, int(end))
        xs = np.ascontiguousarray(x[:, begin:end].T)
        seg = out[j]
        if k == 2:
            np.matmul(ind[j][0], xs, out=seg[1])
            seg[0] = xs.sum(axis=0)[None, :] - seg[1]
        else:
            for lv in range(k):
                np.matmul(ind[j][lv], xs, out=seg[lv])
        if j:
            seg += out[j - 1]
        begin = end
    return np.moveaxis(out, 0, -1)


def observed_look_totals(obs: np.ndarray, x: np.ndarray, ends: np.ndarray, k: int) -> np.ndarray:
    """:func:`look_totals` for each experiment's own schedule.

    Parameters
    ----------
    obs : ndarray of int, shape (experiments, slots)
    x : ndarray, shape (experiments, slots)
    ends : ndarray of int, shape (looks,)
    k : int

    Returns
    -------
    ndarray, shape (k, experiments, looks)
    """
    x = np.asarray(x, dtype=np.float32)
    prefix = (np.arange(x.shape[1])[None, :] < np.asarray(ends)[:, None]).astype(np.float32)
    xp = x[:, None, :] * prefix[None, :, :]
    return observed_totals(obs, xp, k).transpose(0, 2, 1)


def risks(n: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Per level: events / runs, the pooled risk where a level has no run (axis 0 = level).

    Parameters
    ----------
    n, e : ndarray
        Runs and events per level (axis 0).

    Returns
    -------
    ndarray
        Risks, same shape [-].
    """
    tot_n, tot_e = n.sum(axis=0), e.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.where(tot_n > 0, tot_e / np.maximum(tot_n, 1.0), 0.0)
        return np.where(n > 0, e / np.maximum(n, 1.0), pooled[None, ...])


def pair_statistic(n: tuple, e: tuple, g: tuple | None = None, d: tuple | None = None, *, lo=0.0,
                   hi=1.0) -> np.ndarray:
    """|mean outcome of level i - level j|, or its skipping-robust version when days are given.

    The robust version first takes the level run on a smaller share of its
    planned days and counts the days it was skipped beyond the other level's
    share (rounded up) as runs with the outcome least favourable to a difference (*hi*
    when that level looks better, *lo* when it looks worse): the worst case
    for days skipped *because of* the level (a bound in the manner of
    Horowitz & Manski 2000, for the excess missingness only as in Lee 2009).
    Used as a randomisation-test statistic it keeps the test exact under
    the sharp null, and it stops level-dependent skipping from making a
    difference on its own.

    Parameters
    ----------
    n, e : (ndarray, ndarray)
        Runs and outcome sums of levels i and j.
    g, d : (ndarray, ndarray), optional
        Days run and planned days of levels i and j (robust version).
    lo, hi : float or ndarray
        Smallest and largest outcome a run can have (0 and 1 for numbness).

    Returns
    -------
    ndarray
        The statistic (0 where a level has no run).

    References
    ----------
    .. [1] Horowitz, J. L. & Manski, C. F. (2000). Nonparametric analysis of
       randomized experiments with missing covariate and outcome data.
       J Am Stat Assoc 95(449):77-84.
    .. [2] Lee, D. S. (2009). Training, wages, and sample selection:
       estimating sharp bounds on treatment effects. Rev Econ Stud
       76(3):1071-1102.
    """
    ni, nj = n
    ei, ej = e
    with np.errstate(invalid="ignore", divide="ignore"):
        both = (ni > 0) & (nj > 0)
        mi, mj = ei / np.maximum(ni, 1.0), ej / np.maximum(nj, 1.0)
        if g is None or d is None:
            return np.where(both, np.abs(mi - mj), 0.0)
        gi, gj = g
        di, dj = d
        qi, qj = gi / np.maximum(di, 1.0), gj / np.maximum(dj, 1.0)
        i_low = qi < qj
        n_l, e_l, g_l, d_l = (np.where(i_low, a, b) for a, b in ((ni, nj), (ei, ej), (gi, gj), (di, dj)))
        m_l, m_h, q_h = np.where(i_low, mi, mj), np.where(i_low, mj, mi), np.where(i_low, qj, qi)
        extra = np.maximum(0.0, np.ceil(d_l * q_h - g_l - 1e-9))  # rounded up: the worst case
        better = m_l < m_h
        imputed = (e_l + extra * np.where(better, hi, lo)) / np.maximum(n_l + extra, 1.0)
        t = np.where(better, np.maximum(0.0, m_h - imputed), np.maximum(0.0, imputed - m_h))
    return np.where(both, t, 0.0)


def statistic(n: np.ndarray, e: np.ndarray, g: np.ndarray | None = None, d: np.ndarray | None = None, *,
              lo=0.0, hi=1.0) -> np.ndarray:
    """The test statistic: the largest (skipping-robust) difference between two levels (axis 0 = level).

    Two levels: :func:`pair_statistic` of the two.  More: its largest value
    over all pairs (a max-type statistic, whose randomisation test is the
    global test the pairwise comparisons follow).

    Parameters
    ----------
    n, e : ndarray
        Runs and outcome sums per level (axis 0).
    g, d : ndarray, optional
        Days run and planned days per level (the robust statistic).
    lo, hi : float or ndarray
        Outcome range of a run.

    Returns
    -------
    ndarray
        One value per remaining index; large values are extreme.
    """
    k = n.shape[0]
    best = None
    for i in range(k):
        for j in range(i + 1, k):
            t = pair_statistic((n[i], n[j]), (e[i], e[j]), None if g is None else (g[i], g[j]),
                               None if d is None else (d[i], d[j]), lo=lo, hi=hi)
            best = t if best is None else np.maximum(best, t)
    assert best is not None
    return best


@dataclass
class Sequential:
    """The group-sequential randomisation test of each experiment (see :func:`sequential`).

    Attributes
    ----------
    cross : ndarray of int
        Per experiment: the first look whose boundary the observed statistic
        crossed (0-based), or -1.
    p_value : ndarray of float
        Stage-wise ordered p-value at the look the experiment stopped (the
        crossing, or the last look when *final*); NaN for an interim look
        that did not cross.
    p_look : ndarray, shape (looks, experiments)
        The plain randomisation p-value of each look's data.
    nominal : ndarray, shape (looks, experiments)
        Each look's boundary as a p-value: the look crosses when
        ``p_look <= nominal``.
    """

    cross: np.ndarray
    p_value: np.ndarray
    p_look: np.ndarray
    nominal: np.ndarray


def sequential(t_rows: np.ndarray, t_obs: np.ndarray, spent: np.ndarray, *, add_obs: bool,
               final: bool = True) -> Sequential:
    """Group-sequential randomisation test: at each look, reject for the schedules whose statistic is in the
    top share the spending function allows, among the schedules not rejected at an earlier look.

    At look *j* the boundary is the strict threshold on the statistic that
    keeps the share of schedules rejected at looks ``0..j`` at most
    ``spent[j]``.  Because the outcomes are fixed under the sharp null and the
    observed schedule is one of the rows (or added to them), the chance of
    crossing any boundary is at most ``spent[-1]`` exactly, whatever the
    outcomes: the permutational group-sequential test of Mehta et al. (1994).
    The p-value is the stage-wise ordered one (Jennison & Turnbull 2000,
    §8.4): the share of schedules that stop earlier, plus those that reach
    the observed look with a statistic at least as large; it is at most
    ``spent[-1]`` exactly when a boundary is crossed.

    Parameters
    ----------
    t_rows : ndarray, shape (looks, rows, experiments)
        Statistic of every schedule at every look.
    t_obs : ndarray, shape (looks, experiments)
        Statistic of the observed schedule.
    spent : ndarray, shape (looks,)
        Cumulative level spent by each look (:func:`spending`) [-].
    add_obs : bool
        The observed schedule is not among the rows (Monte Carlo): count it as one more.
    final : bool
        The last look given is the planned end (else an interim look: no
        p-value unless a boundary is crossed).

    Returns
    -------
    Sequential

    References
    ----------
    .. [1] Mehta, C. R., Patel, N. R., Senchaudhuri, P. & Tsiatis, A. A.
       (1994). Exact permutational tests for group sequential clinical
       trials. Biometrics 50(4):1042-1053.
    .. [2] Jennison, C. & Turnbull, B. W. (2000). Group Sequential Methods
       with Applications to Clinical Trials. Chapman & Hall/CRC, ch. 8.
    """
    n_looks, n_rows, n_exp = t_rows.shape
    extra = 1 if add_obs else 0
    total = n_rows + extra
    alive = np.ones((n_rows, n_exp), dtype=bool)
    alive_o = np.ones(n_exp, dtype=bool)
    done = np.zeros(n_exp)  # schedules rejected so far
    cross = np.full(n_exp, -1)
    p_value = np.full(n_exp, np.nan)
    p_look = np.empty((n_looks, n_exp))
    nominal = np.empty((n_looks, n_exp))
    cols = np.arange(n_exp)
    for j in range(n_looks):
        t, to = t_rows[j].astype("float64"), t_obs[j].astype("float64")
        allowed = np.floor(spent[j] * total + 1e-9) - done
        vals = np.where(alive, t, -np.inf)
        if add_obs:
            vals = np.vstack([vals, np.where(alive_o, to, -np.inf)[None, :]])
        ordered = -np.sort(-vals, axis=0)  # descending
        idx = np.clip(allowed, 0, total - 1).astype(np.int64)
        thr = ordered[idx, cols]
        thr = np.where(allowed <= 0, np.inf, thr)
        tol = TIE * np.maximum(1.0, np.abs(np.where(np.isfinite(thr), thr, 0.0)))
        with np.errstate(invalid="ignore"):
            rej = alive & (t > thr + tol)
            rej_o = alive_o & (to > thr + tol)
            ge_all = (t >= to - TIE * np.maximum(1.0, np.abs(to))).sum(axis=0) + extra
            ge_alive = (alive & (t >= to - TIE * np.maximum(1.0, np.abs(to)))).sum(axis=0) + (extra & alive_o)
            over = (t > thr + tol).sum(axis=0) + (extra & (to > thr + tol))
        p_look[j] = ge_all / total
        nominal[j] = over / total
        stop = alive_o & (rej_o | (final and j == n_looks - 1))
        p_value = np.where(stop, (done + ge_alive) / total, p_value)
        cross = np.where(rej_o, j, cross)
        done = done + rej.sum(axis=0) + extra * rej_o
        alive &= ~rej
        alive_o &= ~rej_o
    return Sequential(cross=cross, p_value=p_value, p_look=p_look, nominal=nominal)


def plain_p(t_rows: np.ndarray, t_obs: np.ndarray, *, add_obs: bool) -> np.ndarray:
    """Randomisation p-value: the share of schedules with a statistic at least the observed one.

    Parameters
    ----------
    t_rows : ndarray, shape (rows, experiments)
    t_obs : ndarray, shape (experiments,)
    add_obs : bool
        Count the observed schedule as one more row (Monte Carlo).

    Returns
    -------
    ndarray
        p-values [-].
    """
    to = t_obs.astype("float64")
    ge = (t_rows.astype("float64") >= to - TIE * np.maximum(1.0, np.abs(to))).sum(axis=0)
    return (ge + (1 if add_obs else 0)) / (t_rows.shape[0] + (1 if add_obs else 0))


def smallest_p(t_rows: np.ndarray, *, add_obs: bool) -> np.ndarray:
    """The smallest p-value the data could give: the share of schedules tied with the most extreme one.

    Parameters
    ----------
    t_rows : ndarray, shape (rows, experiments)
    add_obs : bool
        Monte Carlo: the observed schedule could be beyond every draw.

    Returns
    -------
    ndarray
        Per experiment [-] (with *add_obs*, 1 / (rows + 1)).
    """
    if add_obs:  # the observed schedule alone beyond every draw
        return np.full(t_rows.shape[1], 1.0 / (t_rows.shape[0] + 1))
    top = t_rows.max(axis=0).astype("float64")
    n_top = (t_rows >= top - TIE * np.maximum(1.0, np.abs(top))).sum(axis=0)
    return np.maximum(n_top, 1) / t_rows.shape[0]
