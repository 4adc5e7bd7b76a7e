"""How much one runner's runs depend on each other, measured for each measure tested.

Numbness can come in bad spells that nothing in the data explains (a week of poor sleep, a
niggle), and many measures come in spells too (a heat wave, a block of hard training). Two
series that both wander slowly line up by chance more often than independent runs would: a test
that takes the runs as independent finds too much.

runlog calibrates each test against the runner's own history by **circular shifts**: the
measure's series is shifted in time against the numbness series (the last runs wrap round to the
start), which keeps the spells of both and breaks any real link between them; the score
statistic of the shifted measure is computed for up to 199 shifts, and the variance inflation
``kappa^2 = mean(z_shift^2)`` (at least 1) widens the test's interval by ``kappa`` and divides
its likelihood-ratio statistic by ``kappa^2``: the torus-translation test of Harms et al. (2001)
and the circular-shift surrogates of time-series analysis (Lancaster et al. 2018), used here as
a variance calibration so that the p-value stays continuous with a few dozen shifts. Shifts
shorter than the measure's own memory (the lag at which its autocorrelation falls below 0.1, at
least 14 days) are left out, so a real effect that persists over a few runs does not count as
dependence; the residuals are those of the model with the measure, so numbness the measure
explains does not either.

References
----------
Harms KE, Condit R, Hubbell SP, Foster RB (2001). Habitat associations of trees and shrubs in a
50-ha neotropical forest plot. J Ecol 89, 947-959 (the torus-translation test).
Lancaster G, Iatsenko D, Pidde A, Ticcinelli V, Stefanovska A (2018). Surrogate data for
hypothesis testing of physical systems. Physics Reports 748, 1-60.
Fortin MJ, Jacquez GM (2000). Randomization tests and spatially auto-correlated data.
Bull Ecol Soc Am 81, 201-205.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["MIN_SHIFT_DAYS", "MAX_SHIFTS", "memory_lag", "shift_inflation"]

#: Shortest shift of the calibration [days].
MIN_SHIFT_DAYS = 14.0
#: Most shifts per measure (evenly spread over the allowed ones).
MAX_SHIFTS = 199
#: The measure's memory ends where its autocorrelation falls below this.
MEMORY_ACF = 0.1
#: Shifts worked out at once [-]: an n x 32 block stays in the processor's cache where all 199 at
#: 10,000 runs (16 MB a copy) do not; half the time there.  The same numbers as all at once up to
#: the last bit or two (BLAS may sum a narrower product in another order; tests/analysis/test_dependence.py).
_SHIFT_BLOCK = 32


def memory_lag(x: np.ndarray, cap: int, level: float = MEMORY_ACF) -> int:
    """First lag (in runs, time order) at which the autocorrelation of *x* falls below *level*.

    Parameters
    ----------
    x : ndarray
        A series in time order.
    cap : int
        Largest lag returned.
    level : float
        Autocorrelation threshold [-].

    Returns
    -------
    int
        The lag [runs], between 1 and *cap*.
    """
    x = np.asarray(x, dtype="float64") - float(np.mean(x))
    v = float(x @ x)
    if v <= 0 or cap <= 1:
        return 1
    for k in range(1, cap):
        if float(x[k:] @ x[:-k]) / v < level:
            return k
    return cap


def shift_inflation(x: np.ndarray, resid: np.ndarray, weight: np.ndarray, days: np.ndarray,
                    base: np.ndarray, *, min_shift_days: float = MIN_SHIFT_DAYS,
                    max_shifts: int = MAX_SHIFTS) -> float:
    """Variance inflation ``kappa`` of a measure's score from circular shifts (see the module docstring).

    Parameters
    ----------
    x : ndarray
        The measure's model term per run.
    resid : ndarray
        Residuals ``y - p`` of the model with the measure, per run.
    weight : ndarray
        ``p (1 - p)`` of that model, per run.
    days : ndarray
        Each run's time [days] (any origin).
    base : ndarray
        The model's other columns (season, time on the feet, other causes), without the
        intercept, one row per run; the shifted measure is residualised on them (and the
        intercept) with *weight*, as its score test is.
    min_shift_days : float
        Shortest shift [days] (longer when the measure's memory is longer).
    max_shifts : int
        Most shifts used.

    Returns
    -------
    float
        kappa >= 1; 1 when the series is too short to shift (fewer than 3 x the shortest shift).

    References
    ----------
    .. [1] Harms, K. E., Condit, R., Hubbell, S. P. & Foster, R. B. (2001). Habitat associations of
       trees and shrubs in a 50-ha neotropical forest plot. J Ecol 89:947-959.
    .. [2] Lancaster, G., Iatsenko, D., Pidde, A., Ticcinelli, V. & Stefanovska, A. (2018).
       Surrogate data for hypothesis testing of physical systems. Physics Reports 748:1-60.
    """
    n = len(x)
    order = np.argsort(days, kind="stable")
    t = np.asarray(days, dtype="float64")[order]
    span = max(float(t[-1] - t[0]), 1.0) if n else 1.0
    Z = np.column_stack([np.ones(n), base]) if base is not None and np.size(base) else np.ones((n, 1))
    w = np.asarray(weight, dtype="float64")
    ZWZinv = np.linalg.pinv(Z.T @ (Z * w[:, None]))
    x = np.asarray(x, dtype="float64")
    xt = x - Z @ (ZWZinv @ (Z.T @ (w * x)))
    shortest = max(3, int(round(min_shift_days / span * n)), memory_lag(xt[order], n // 4))
    if n < 3 * shortest:
        return 1.0
    ks = np.arange(shortest, n - shortest + 1)
    if len(ks) > max_shifts:
        ks = ks[np.linspace(0, len(ks) - 1, max_shifts).round().astype(int)]
    resid = np.asarray(resid, dtype="float64")
    wc = w[:, None]
    V, U = np.empty(len(ks)), np.empty(len(ks))
    for a in range(0, len(ks), _SHIFT_BLOCK):   # the shifted measure residualised on the model, a block at a time
        shifted = _shifted_copies(x, order, ks[a:a + _SHIFT_BLOCK])
        R = Z @ (ZWZinv @ (Z.T @ (wc * shifted)))
        np.subtract(shifted, R, out=R)
        V[a:a + _SHIFT_BLOCK] = np.sum(wc * R * R, axis=0)
        U[a:a + _SHIFT_BLOCK] = R.T @ resid
    ok = V > 0
    if not ok.any():
        return 1.0
    return max(1.0, math.sqrt(float(np.mean(U[ok] ** 2 / V[ok]))))


def _shifted_copies(x: np.ndarray, order: np.ndarray, ks: np.ndarray) -> np.ndarray:
    """The series *x* shifted circularly by each of *ks* runs in time order, one column per shift.

    Column ``j`` holds, for the run at time rank ``r``, the value of the run at rank ``(r - ks[j]) mod n``
    (the last runs wrap round to the start), in the runs' own order.  Each column is one slice of the
    series written out twice in time order (``xx[n - k : 2n - k]``), gathered by the runs' ranks (a plain
    copy when the runs are in time order already, as a history's are): a fraction of the time of an
    ``n x shifts`` modular index array and a scatter through *order*, for the same numbers.

    Parameters
    ----------
    x : ndarray
        The series, in the runs' order.
    order : ndarray of int
        The runs' positions in time order (``argsort`` of their days).
    ks : ndarray of int
        Shifts [runs], each in ``0..n``.

    Returns
    -------
    ndarray
        Shape ``(n, len(ks))``, C-ordered.
    """
    n = len(x)
    xx = np.concatenate([x[order], x[order]])
    out = np.empty((n, len(ks)))
    if np.array_equal(order, np.arange(n)):
        for j, k in enumerate(ks):
            out[:, j] = xx[n - k:2 * n - k]
        return out
    rank = np.empty(n, dtype=np.intp)
    rank[order] = np.arange(n)
    for j, k in enumerate(ks):
        out[:, j] = xx[n - k:2 * n - k][rank]
    return out
