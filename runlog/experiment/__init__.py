"""From association to cause: plan and analyse your own randomised experiment (N-of-1).

The public names live in internal modules; this package re-exports them.
"""

from ._plan import (
    plan,
    analyze,
    read_plan,
    Plan,
    Experiment,
    TestResult,
    randomization_test,
    assignment_matrix,
    match_runs,
    power,
    wilson_ci,
    risk_difference_ci,
    refusal,
    simulated_outcomes,
    plot_experiment,
    DESIGNS,
    MAX_EXACT,
    REFUSED_FACTORS,
    PLAN_COLUMNS,
    ics_text,
    experiment_html,
)

__all__ = [
    "plan",
    "analyze",
    "read_plan",
    "Plan",
    "Experiment",
    "TestResult",
    "randomization_test",
    "assignment_matrix",
    "match_runs",
    "power",
    "wilson_ci",
    "risk_difference_ci",
    "refusal",
    "simulated_outcomes",
    "plot_experiment",
    "DESIGNS",
    "MAX_EXACT",
    "REFUSED_FACTORS",
    "PLAN_COLUMNS",
    "ics_text",
    "experiment_html",
]
