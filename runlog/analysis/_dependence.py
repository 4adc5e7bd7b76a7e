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
explains does not either; each shifted copy's score is that of adding it to the model that
already holds the measure.

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
#: Margin of the FFT autocorrelation around the memory level [-]: its rounding is ~1e-12.
_ACF_MARGIN = 1e-9
#: A shifted measure's weighted sum of squares left by the model below this share of its own is
#: rounding (the measure lies in the model's columns), not a variance, and that shift is not used.
_V_FLOOR = 1e-9


def memory_lag(x: np.ndarray, cap: int, level: float = MEMORY_ACF) -> int:
    """First lag (in runs, time order) at which the autocorrelation of *x* falls below *level*.

    The autocorrelation at every lag comes from one FFT (O(n log n): a measure that never forgets,
    such as a shoe's distance, no longer costs one dot product per lag up to n/4); the first
    crossing is confirmed with the exact dot product at each lag, so the answer is the one a
    lag-by-lag scan gives.

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
    n = len(x)
    acf = np.fft.irfft(np.abs(np.fft.rfft(x, 2 * n)) ** 2, 2 * n)[1:cap] / v   # lags 1 .. cap-1
    # an FFT value is within ~1e-12 of the exact one: every lag whose exact value is below the level
    # is among these candidates, checked in order with the exact product
    for k in np.flatnonzero(acf < level + _ACF_MARGIN) + 1:
        if float(x[k:] @ x[:-k]) / v < level:
            return int(k)
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
        intercept, one row per run.  Each shifted copy of the measure is residualised on them,
        the intercept and the measure itself with *weight*, as the score test of adding the
        copy to the model is; the measure's memory is read from it residualised on them alone.
    min_shift_days : float
        Shortest shift [days] (longer when the measure's memory is longer).
    max_shifts : int
        Most shifts used.

    Returns
    -------
    float
        kappa >= 1; 1 when the series is too short to shift (fewer than 3 x the shortest shift) or
        when the model's other columns hold the measure (nothing of it is left to shift).

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
    # the intercept is among the model's columns: a constant added to the measure changes no residualised
    # shift, so the measure is centred first (its mean would otherwise dominate s'Ws, the floor's scale, and
    # the cancellation in V = s'Ws - c'A+c: a measure of mean 1e5 and SD 2 lost every shift)
    xc = x - float(np.mean(x))
    a = xc[order]
    # each shifted copy's score test is that of adding it to the model that holds the measure itself:
    # residualised on the other columns and the measure (without the measure its variance came out
    # 1-5 % too large, kappa as much too small)
    sd = float(np.std(x))
    Zx = np.column_stack([Z, xc / sd]) if sd > 0 else Z   # the measure's span, standardised for the inverse
    ZxWZxinv = np.linalg.pinv(Zx.T @ (Zx * w[:, None]))
    score, var, scale = _shift_moments(a, np.asarray(resid, dtype="float64")[order], w[order], Zx[order],
                                       ZxWZxinv, ks)
    ok = var > _V_FLOOR * scale   # a measure the model holds leaves rounding, not a variance
    if not ok.any():
        return 1.0
    return max(1.0, math.sqrt(float(np.mean(score[ok] ** 2 / var[ok]))))


def _shift_moments(a: np.ndarray, r: np.ndarray, w: np.ndarray, Z: np.ndarray, ZWZinv: np.ndarray,
                   ks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score ``U_k`` and its variance ``V_k`` of the measure shifted by each of *ks* runs, all shifts at once.

    The shifted measure ``s_k[t] = a[(t - k) mod n]`` (time order, the last runs wrapping round)
    residualised on the model's columns *Z* with weights *w* is ``s_k - Z beta_k``, ``beta_k = A+ c_k``,
    ``A = Z'WZ`` (*ZWZinv* = its pseudo-inverse ``A+``), ``c_k = Z'W s_k``.  Its score against the
    residuals *r* and its weighted sum of squares are

    ``U_k = s_k'r - c_k' A+ Z'r``  and  ``V_k = s_k'W s_k - c_k' A+ c_k``

    (``A+ A A+ = A+``).  ``s_k'r``, ``s_k'W s_k`` and every column of ``c_k`` are circular
    cross-correlations of the series with *r*, ``w a^2`` and ``w Z``: one FFT each for all *n* shifts
    (O(p n log n) instead of O(p n) per shift; the 199 shifts of a measure at 10,000 runs took 25 ms,
    a tenth of an analysis there).  The numbers equal the shift-by-shift residualisation's to about
    1e-12 relative (tests/analysis/test_dependence.py).

    Parameters
    ----------
    a, r, w : ndarray
        The measure, the model's residuals and weights, each in time order.
    Z : ndarray
        The model's columns (intercept first), rows in time order.
    ZWZinv : ndarray
        Pseudo-inverse of ``Z'WZ``.
    ks : ndarray of int
        Shifts [runs].

    Returns
    -------
    U, V : ndarray
        Per shift in *ks*.
    scale : ndarray
        ``s_k'W s_k`` per shift: *V* relative to it says how much of the shifted measure the model
        leaves (a *V* below ~1e-9 of it is rounding, not a variance).
    """
    n = len(a)

    def corr(b: np.ndarray, f: np.ndarray) -> np.ndarray:
        """``sum_t b[t] g[(t - k) mod n]`` at each shift in *ks*, with *f* = conj(rfft(g)); *b* (n,) or (n, m)."""
        fb = np.fft.rfft(b, axis=0)
        prod = fb * (f if b.ndim == 1 else f[:, None])
        return np.fft.irfft(prod, n, axis=0)[np.asarray(ks) % n]   # a whole turn (k = n) is no shift

    fa = np.conj(np.fft.rfft(a))
    sr = corr(r, fa)
    sws = corr(w, np.conj(np.fft.rfft(a * a)))
    c = corr(Z * w[:, None], fa)                      # (shifts, p): Z'W s_k per shift
    cA = c @ ZWZinv
    U = sr - cA @ (Z.T @ r)
    V = sws - np.einsum("ij,ij->i", cA, c)
    return U, V, sws
