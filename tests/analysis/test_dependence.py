"""The shift calibration of runlog.analysis._dependence, against a direct computation and on series
whose dependence is known."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import signal

from runlog.analysis import _dependence
from runlog.analysis._dependence import _shifted_copies, memory_lag, shift_inflation


def _ar1(rng, n, phi):
    e = rng.normal(0, math.sqrt(1 - phi * phi), n)
    e[0] = rng.normal()
    return signal.lfilter([1.0], [1.0, -phi], e)


def _direct(x, r, w, days, base, shortest):
    """The same inflation, shift by shift with a weighted least-squares fit per shift (no shortcuts)."""
    n = len(x)
    order = np.argsort(days, kind="stable")
    Z = np.column_stack([np.ones(n), base])
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


@pytest.mark.parametrize("in_time_order", [False, True])
@pytest.mark.parametrize("n", [1, 2, 7, 50])
def test_shifted_copies_equal_the_modular_construction(n, in_time_order):
    # the straightforward construction: an n x shifts index (r - k) mod n into the time-ordered series,
    # scattered back to the runs' order; every shift 0..n, days in any order with ties, or in time order
    rng = np.random.default_rng(n)
    x = rng.normal(size=n)
    days = rng.integers(0, max(n // 2, 1), size=n).astype(float)
    if in_time_order:
        days = np.sort(days)
    order = np.argsort(days, kind="stable")
    assert in_time_order or n < 7 or not np.array_equal(order, np.arange(n))
    ks = np.arange(0, n + 1)
    expected = np.empty((n, len(ks)))
    expected[order] = x[order][(np.arange(n)[:, None] - ks[None, :]) % n]
    got = _shifted_copies(x, order, ks)
    assert got.shape == (n, n + 1)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got[:, 0], x)          # no shift: the series itself
    np.testing.assert_array_equal(got[:, -1], x)         # a whole turn: the same


def test_shifts_in_blocks_equal_all_at_once(monkeypatch):
    # 700 runs over two years: 199 shifts, worked out 32 at a time (7 blocks, the last of 7) and all at once
    rng = np.random.default_rng(11)
    n = 700
    days = np.sort(rng.uniform(0, 730, n))[rng.permutation(n)]
    x, r = _ar1(rng, n, 0.8), rng.normal(size=n)
    w, base = rng.uniform(0.05, 0.25, n), rng.normal(size=(n, 3))
    blocked = shift_inflation(x, r, w, days, base)
    monkeypatch.setattr(_dependence, "_SHIFT_BLOCK", 10**6)
    whole = shift_inflation(x, r, w, days, base)
    assert blocked > 1.0
    assert blocked == pytest.approx(whole, rel=1e-13, abs=0)
