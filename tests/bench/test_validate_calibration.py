"""A short run of bench/validate_calibration.py: the cause decision's false findings and power.

The full run (100 no-cause seasons per scenario, 40 per power scenario) is the bench; here 12 of each
check that nothing is far off.  Measured on the full run: docs/validation.md."""

from __future__ import annotations

import pytest
from statsmodels.stats.proportion import proportion_confint
from validate_calibration import false_findings, power


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["trend", "ar1"])
def test_few_false_findings(scenario):
    # no cause planted: any finding is false; at most 5 % expected, so the Wilson interval of 12
    # seasons must reach down to 5 %
    k = false_findings(12, scenario)
    lo, _ = proportion_confint(k, 12, method="wilson")
    assert lo <= 0.05, f"{k}/12 seasons with a false finding"


@pytest.mark.slow
def test_the_planted_causes_are_found():
    # full run: heat alone 34/40, heat with consecutive days 27/40
    exact = power(12)
    assert exact["heat"] >= 7 and exact["two"] >= 5, exact
