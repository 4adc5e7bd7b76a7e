"""From association to cause: plan and analyse your own randomised experiment (N-of-1).

An analysis of past runs (:func:`runlog.analyze`) finds associations: hot runs
are also long, late in a training block, in older shoes.  For what a runner
controls -- which shoes, how tight the laces, how much to drink, how long to
warm up -- a randomised experiment on oneself answers the causal question.
This module follows the clinical N-of-1 design (CENT 2015 [1]_):

1. :func:`plan` draws a *blocked, randomised* schedule.  The planned days (or
   the next N runs) are cut into periods of ``block`` days/runs on one level;
   a *cycle* holds every level once, in a random order (with
   ``design='mirror'`` cycles come in mirrored pairs: AB|BA, the ABBA/BAAB
   design).  It estimates by simulation, from the runner's own episode rate,
   how many runs the experiment needs, and writes the schedule as CSV and as
   an iCalendar file (``.ics``) a phone calendar imports.
2. The runner follows the calendar and keeps the numbness journal and the
   run notes (what was actually worn or drunk).
3. :func:`analyze` ties the runs made to the plan by their local date (or
   their order), checks adherence, and reports the risk of numbness under
   each level, the difference with a 95 % interval and the exact
   randomisation-test p-value over the plan's own randomisation (Edgington &
   Onghena [2]_): the test re-draws the order within every cycle exactly as
   :func:`plan` drew it, so under the sharp null hypothesis (the level makes
   no difference to any run) the p-value is valid whatever the weather,
   training load or seasonal trend did.

Matching runs to the plan
-------------------------
* A plan by date (``weeks=``): a run gets the level of its local date.  Two
  runs on one day share that day's level.  Runs on a day that is not in the
  plan (outside its weeks, or on a weekday left out) are *extra*: listed and
  not analysed.  Planned days without a run are simply rest days (*missing*,
  counted): the test conditions on which days were run.
* A plan by runs (``runs=N``): the first N runs from ``start`` (local start
  time order) get slots 1..N; later runs are extra; slots without a run are
  missing.

Only activities of sport 'running' count when the history says the sport.

References
----------
.. [1] Vohra, S. et al. (2015). CONSORT extension for reporting N-of-1 trials
   (CENT) 2015 Statement. BMJ 350:h1738.
.. [2] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th ed.
   Chapman & Hall/CRC.
.. [3] Newcombe, R. G. (1998). Interval estimation for the difference between
   independent proportions: comparison of eleven methods. Stat Med
   17(8):873-890.
"""

from __future__ import annotations

from ._analysis import Experiment, analyze
from ._design import DESIGNS
from ._factors import REFUSED_FACTORS, refusal
from ._ics import ics_text
from ._intervals import risk_difference_ci, wilson_ci
from ._matching import match_runs
from ._plan import PLAN_COLUMNS, Plan, plan
from ._planfile import read_plan
from ._power import power, simulated_outcomes
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
