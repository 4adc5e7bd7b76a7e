"""Which article-named causes go with numbness: the decision, time to onset, the numbers.

Public API
----------
decide : the cause tests (one primary measure per cause)
analyze_onset : time to onset
descriptives, fdr_adjust, screen : per-measure numbers

:func:`runlog.analyze` and :class:`runlog.Report` live in :mod:`runlog.report`, above this
package and :mod:`runlog.render`.

Modules: :mod:`.causes` (the decision: one primary measure per cause in a
Firth model with exposure offset, season term and dependence correction;
Holm over causes),
:mod:`.stats` (univariate screen, kept for reference), :mod:`.model` (Firth
helpers), :mod:`.onset` (Kaplan-Meier time to onset), :mod:`.crossover`
(within-month comparison).
"""

from __future__ import annotations

from .causes import decide
from .model import ModelResult, fit_model
from .onset import OnsetResult, analyze_onset
from .stats import descriptives, fdr_adjust, screen

__all__ = [
    "decide", "ModelResult", "OnsetResult", "screen", "descriptives", "fdr_adjust", "fit_model", "analyze_onset",
]
