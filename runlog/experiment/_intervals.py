"""Confidence intervals for risks and risk differences."""

from __future__ import annotations

import math


def wilson_ci(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a proportion *x*/*n*.

    Parameters
    ----------
    x, n : int
        Successes and trials.
    z : float
        Normal quantile (1.96: 95 %).

    Returns
    -------
    (float, float)
        Lower and upper bound [-]; (nan, nan) when *n* is 0.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession,
       and statistical inference. J Am Stat Assoc 22(158):209-212.
    """
    if n <= 0:
        return float("nan"), float("nan")
    ph = x / n
    den = 1.0 + z * z / n
    mid = (ph + z * z / (2 * n)) / den
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def risk_difference_ci(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float, float]:
    """Difference of two risks ``x1/n1 - x0/n0`` with Newcombe's hybrid score 95 % interval (method 10).

    Parameters
    ----------
    x1, n1 : int
        Numb runs and runs under the compared level.
    x0, n0 : int
        Numb runs and runs under the reference level.

    Returns
    -------
    (float, float, float)
        Difference, lower and upper bound [-] (NaN without runs on a level).

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference
       between independent proportions: comparison of eleven methods. Stat
       Med 17(8):873-890.
    """
    if n1 <= 0 or n0 <= 0:
        return float("nan"), float("nan"), float("nan")
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson_ci(x1, n1)
    l0, u0 = wilson_ci(x0, n0)
    d = p1 - p0
    lo = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return d, max(-1.0, lo), min(1.0, hi)
