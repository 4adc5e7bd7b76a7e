"""The shift calibration of runlog.analysis._dependence, against a direct computation and on series
whose dependence is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from runlog.analysis._dependence import _shift_moments, memory_lag, shift_inflation


def _ar1(rng, n, phi):
    e = rng.normal(0, math.sqrt(1 - phi * phi), n)
    e[0] = rng.normal()
    return signal.lfilter([1.0], [1.0, -phi], e)


def _direct(x, r, w, days, base, shortest):
    """The same inflation, shift by shift with a weighted least-squares fit per shift (no shortcuts): each
    shifted copy's score for being added to the model of the season, the other columns and the measure."""
    n = len(x)
    order = np.argsort(days, kind="stable")
    Z = np.column_stack([np.ones(n), base, x])   # the model holds the measure: the copy is added to it
    sw = np.sqrt(w)
    zs = []
    for k in range(shortest, n - shortest + 1):
        xs = np.empty(n)
        xs[order] = np.roll(x[order], k)
        beta = np.linalg.lstsq(Z * sw[:, None], xs * sw, rcond=None)[0]
        res = xs - Z @ beta
        zs.append(float(res @ r) / math.sqrt(float(np.sum(w * res * res))))
    return max(1.0, math.sqrt(np.mean(np.square(zs))))


def test_the_shift_inflation_equals_a_direct_computation():
    rng = np.random.default_rng(3)
    n = 90
    days = np.sort(rng.uniform(0, 180, n))[rng.permutation(n)]   # any order
    base = np.column_stack([days / 30.0, rng.normal(size=n)])
    x = rng.normal(size=n)
    p = rng.uniform(0.1, 0.3, n)
    y = (rng.random(n) < p).astype(float)
    got = shift_inflation(x, y - p, p * (1 - p), days, base, min_shift_days=14.0)
    # shortest shift: 14 days of 180 over 90 runs = 7 runs (the memory of white noise is 1 run)
    assert got == pytest.approx(_direct(x, y - p, p * (1 - p), days, base, 7), rel=1e-10)


def test_independent_runs_inflate_little_and_shared_spells_a_lot():
    rng = np.random.default_rng(11)
    n = 400
    days = np.arange(n, dtype=float)
    base = (days / 30.0).reshape(-1, 1)
    # no dependence: kappa stays near 1 in most seasons (floored at 1)
    kappas = []
    for _ in range(20):
        x = rng.normal(size=n)
        y = (rng.random(n) < 0.2).astype(float)
        kappas.append(shift_inflation(x, y - 0.2, np.full(n, 0.16), days, base))
    assert np.median(kappas) < 1.15
    # a measure in spells and numbness in spells (both AR(1), phi 0.95 per day, independent of each
    # other): the score's variance is 1 + 2 sum_k phi^2k ~ 1 + 2 (0.9025 / 0.0975) = 19.5 times the
    # independent one; kappa^2 estimates it with noise, far above 1
    kappas = []
    for _ in range(20):
        x = _ar1(rng, n, 0.95)
        p = 1 / (1 + np.exp(-(-1.4 + 1.2 * _ar1(rng, n, 0.95))))
        y = (rng.random(n) < p).astype(float)
        kappas.append(shift_inflation(x, y - 0.22, np.full(n, 0.17), days, base))
    assert np.median(kappas) > 1.5


def test_memory_of_an_ar1_series():
    rng = np.random.default_rng(2)
    x = _ar1(rng, 20_000, 0.9)
    # autocorrelation 0.9^k falls below 0.1 at k = ln 0.1 / ln 0.9 = 21.9: lag 22
    assert abs(memory_lag(x, 500) - 22) <= 2
    assert memory_lag(rng.normal(size=1000), 100) == 1
    assert memory_lag(np.ones(10), 5) == 1          # no variation: no memory


def test_too_short_a_history_is_not_shifted():
    rng = np.random.default_rng(1)
    n = 12
    days = np.arange(n, dtype=float) * 7.0
    assert shift_inflation(rng.normal(size=n), rng.normal(size=n), np.full(n, 0.2), days, None,
                           min_shift_days=30.0) == 1.0


def _moments_by_residualising(a, r, w, Z, ks):
    """U_k and V_k with each shifted copy built (np.roll) and residualised on Z explicitly."""
    A = np.linalg.pinv(Z.T @ (Z * w[:, None]))
    U, V = [], []
    for k in ks:
        s = np.roll(a, k)                                  # s[t] = a[(t - k) mod n]
        res = s - Z @ (A @ (Z.T @ (w * s)))
        U.append(float(res @ r))
        V.append(float(np.sum(w * res * res)))
    return np.array(U), np.array(V)


@pytest.mark.parametrize("n", [7, 50, 97, 700])
def test_all_shifts_at_once_equal_the_shift_by_shift_residualisation(n):
    # the FFT moments against each shifted copy residualised on its own: every shift 0..n, a model with a
    # column the others repeat (pseudo-inverse), a measure with long memory and one the model nearly holds
    rng = np.random.default_rng(n)
    ks = np.arange(0, n + 1)
    base = rng.normal(size=(n, 3))
    Z = np.column_stack([np.ones(n), base, base[:, 0] * 2.0])
    w = rng.uniform(0.05, 0.25, n)
    r = rng.normal(size=n)
    A = np.linalg.pinv(Z.T @ (Z * w[:, None]))
    for a in (rng.normal(size=n), np.cumsum(rng.normal(size=n)), base[:, 1] * 3 + rng.normal(0, 0.01, n)):
        U, V, scale = _shift_moments(a, r, w, Z, A, ks)
        U0, V0 = _moments_by_residualising(a, r, w, Z, ks)
        size = float(np.sqrt(scale.max() * np.sum(r * r)))
        np.testing.assert_allclose(U, U0, rtol=0, atol=1e-12 * size)
        np.testing.assert_allclose(V, V0, rtol=0, atol=1e-12 * scale.max())
        np.testing.assert_allclose(U[[0, -1]], U0[0], rtol=1e-9)   # no shift and a whole turn: the series


def test_the_memory_is_the_first_lag_a_lag_by_lag_scan_finds():
    rng = np.random.default_rng(5)

    def scan(x, cap, level=0.1):
        x = x - x.mean()
        v = x @ x
        return next((k for k in range(1, cap) if (x[k:] @ x[:-k]) / v < level), cap)

    for n in (5, 40, 333, 2000):
        for x in (rng.normal(size=n), np.cumsum(rng.normal(size=n)), _ar1(rng, n, 0.95),
                  np.sin(np.arange(n) / 9.0) + rng.normal(0, 0.1, n)):
            assert memory_lag(x, max(n // 4, 2)) == scan(x, max(n // 4, 2))


def test_a_constant_added_to_the_measure_changes_nothing():
    # the intercept is in the model: a measure far from zero (a date written as 20240601, a body mass in g)
    # is calibrated as the same measure near zero, not left uncalibrated by rounding
    rng = np.random.default_rng(8)
    n = 600
    days = np.arange(n) * 1.3
    x, r = 2.3 * _ar1(rng, n, 0.9), _ar1(rng, n, 0.9)
    w, base = np.full(n, 0.16), (days / 30.0).reshape(-1, 1)
    k0 = shift_inflation(x, r, w, days, base)
    assert k0 > 2.0
    for offset in (1e4, 1e6, 1e8):
        assert shift_inflation(x + offset, r, w, days, base) == pytest.approx(k0, rel=1e-7)
    # a measure the model holds in every shift (a constant, held by the intercept) leaves nothing to shift:
    # no calibration, not a division by rounding
    assert shift_inflation(np.full(n, 7.5), r, w, days, base) == 1.0
