"""From association to cause: plan and analyse your own randomised experiment (N-of-1).

An analysis of past runs (:func:`runlog.analyze`) finds associations: hot runs
are also long, late in a training block, in older shoes.  For what a runner
controls -- which shoes, how tight the laces, how much to drink, how long to
warm up -- a randomised experiment on oneself answers the causal question.
This package follows the clinical N-of-1 design (CENT 2015 [1]_):

1. :func:`plan` draws a *blocked, randomised* schedule.  The planned days (or
   the next N runs) are cut into periods of ``block`` days/runs on one level,
   the first ``washout`` of them scheduled washout (followed, not counted);
   a *cycle* holds every level once, in a random order (``design='mirror'``:
   AB|BA pairs).  It fixes the *protocol* before the first run -- primary
   analysis as assigned, alpha, washout, planned end and the looks allowed
   before it -- and records it in ``plan.csv``.  It estimates by simulation,
   from the runner's own episode rate, the power of that protocol, and writes
   the schedule as CSV and as an iCalendar file (``.ics``).
2. The runner follows the calendar and keeps the numbness journal and the
   run notes (what was actually worn or drunk).
3. :func:`analyze` follows the protocol: it ties the runs made to the plan
   by their local date (or their order), checks adherence, and tests the
   levels as assigned with the randomisation test over the plan's own
   randomisation (Edgington & Onghena [2]_), valid under the sharp null
   whatever the weather, training load or seasonal trend did.  Before the
   planned end it is an interim look with an O'Brien-Fleming-type boundary
   (Lan-DeMets alpha spending [3]_), so looking early cannot raise the
   chance of a false finding.  The interval of the difference inverts the
   same test; the effect of what was actually used and, with three or more
   levels, every pair (Holm-adjusted) come the same way.

Matching runs to the plan
-------------------------
* A plan by date (``weeks=``): a run gets the level of its local date.  Two
  runs on one day share that day's level.  Runs on a day that is not in the
  plan are *extra*: listed and not analysed.  A planned day without a run
  is *skipped*; skipping is tested (running / not running by level) and the
  test's statistic counts the days a level was skipped beyond the other's
  share in the way least favourable to a difference, so skipping that
  follows the level cannot make a difference on its own.
* A plan by runs (``runs=N``): the first N runs from ``start`` (local start
  time order) get slots 1..N; later runs are extra.  Read the next line only
  after deciding to run, and skipping cannot depend on the level.

Only activities of sport 'running' count when the history says the sport.

References
----------
.. [1] Vohra, S. et al. (2015). CONSORT extension for reporting N-of-1 trials
   (CENT) 2015 Statement. BMJ 350:h1738.
.. [2] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th ed.
   Chapman & Hall/CRC.
.. [3] Lan, K. K. G. & DeMets, D. L. (1983). Discrete sequential boundaries
   for clinical trials. Biometrika 70(3):659-663.
"""

from __future__ import annotations

from ._analysis import ADHERENCE, Experiment, analyze
from ._design import DESIGNS
from ._engine import spending
from ._factors import ASSIGNABLE_FACTORS, REFUSED_FACTORS, refusal
from ._ics import ics_text
from ._intervals import risk_difference_ci, wilson_ci
from ._matching import match_runs
from ._plan import BOUNDARY, PLAN_COLUMNS, PRIMARY, Plan, plan
from ._planfile import read_plan
from ._power import detectable_difference, power, simulated_outcomes
from ._randomization import MAX_EXACT, TestResult, assignment_matrix, randomization_test
from ._render import experiment_html, plot_experiment

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
    "detectable_difference",
    "spending",
    "wilson_ci",
    "risk_difference_ci",
    "refusal",
    "simulated_outcomes",
    "plot_experiment",
    "ics_text",
    "experiment_html",
    "DESIGNS",
    "MAX_EXACT",
    "REFUSED_FACTORS",
    "ASSIGNABLE_FACTORS",
    "PLAN_COLUMNS",
    "PRIMARY",
    "BOUNDARY",
    "ADHERENCE",
]
