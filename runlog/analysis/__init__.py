"""Which article-named causes go with numbness: the decision, time to onset, the numbers.

Public API
----------
decide : the cause tests (one primary measure per cause)
analyze_onset : time to onset
measure_counts, descriptives, fdr_adjust : per-measure numbers

:func:`runlog.analyze` and :class:`runlog.Report` live in :mod:`runlog.report`, above this
package and :mod:`runlog.render`.

Modules: :mod:`.causes` (the decision: one primary measure per cause in a
Firth model with exposure offset, season term and dependence correction;
Holm over causes), :mod:`.stats` (per-measure counts and descriptives),
:mod:`.onset` (Kaplan-Meier time to onset, left against right).
"""

from __future__ import annotations

from .causes import decide
from .onset import OnsetResult, analyze_onset
from .stats import descriptives, fdr_adjust, measure_counts

__all__ = ["decide", "OnsetResult", "analyze_onset", "measure_counts", "descriptives", "fdr_adjust"]
