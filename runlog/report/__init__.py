"""From a history and a numbness journal to a :class:`Report`: the layer above analysis and rendering.

* ``_analyze`` -- :func:`analyze` / :func:`analyze_frames`: features, the journal's flags, the
  decision (:mod:`runlog.analysis`) and the report's text (:mod:`runlog.render.wording`) together
* ``_report`` -- :class:`Report`, the result, and its layouts
"""

from __future__ import annotations

from ._analyze import analyze, analyze_frames, before_onset, caveats
from ._report import (
    FDR,
    FORMULA_STARTS,
    MEASURES_NOTE,
    NOT_A_DIAGNOSIS,
    Report,
    cause_display,
    cause_labels,
    cell_safe,
    journal_period,
    measure_name,
    measure_note,
    spreadsheet_safe,
)

__all__ = [
    "analyze", "analyze_frames", "before_onset", "caveats", "Report",
    "FDR", "NOT_A_DIAGNOSIS", "MEASURES_NOTE", "FORMULA_STARTS",
    "journal_period", "cause_labels", "cause_display", "measure_name", "measure_note",
    "cell_safe", "spreadsheet_safe",
]
