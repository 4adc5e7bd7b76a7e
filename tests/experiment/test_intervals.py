"""Intervals for risks and risk differences (runlog.experiment._intervals)."""

from __future__ import annotations

import pytest

from runlog import experiment as ex


def test_risk_difference_interval_newcombe_example():
    # Newcombe (1998), Table II example (a): 56/70 vs 48/80 -> 0.2000, 95 % CI 0.0524 to 0.3339
    d, lo, hi = ex.risk_difference_ci(56, 70, 48, 80)
    assert d == pytest.approx(0.2)
    assert lo == pytest.approx(0.0524, abs=5e-4) and hi == pytest.approx(0.3339, abs=5e-4)
    lo1, hi1 = ex.wilson_ci(0, 10)
    assert lo1 == 0.0 and hi1 == pytest.approx(0.2775, abs=5e-4)
