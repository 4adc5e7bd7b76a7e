"""Which article-named causes go with numbness: one model per answer, time to onset, report.

Public API
----------
analyze : History + journal -> Report
analyze_frames : the same on ready-made feature / flag frames
Report : the result (factors, findings, onset, model, caveats)

Modules: :mod:`.causes` (the decision: one primary measure per cause in a
Firth model with exposure offset, season term and dependence correction;
Holm over causes), :mod:`.wording` (every sentence of the report),
:mod:`.stats` (univariate screen, kept for reference), :mod:`.model` (Firth
helpers), :mod:`.onset` (Kaplan-Meier time to onset), :mod:`.crossover`
(within-month comparison), :mod:`.report` (Report and its renderings),
:mod:`.core` (analyze).
"""

from __future__ import annotations

from .causes import decide
from .core import analyze, analyze_frames, before_onset, caveats
from .model import ModelResult, fit_model
from .onset import OnsetResult, analyze_onset
from .report import Report, finding_sentence, is_finding
from .stats import descriptives, fdr_adjust, screen

__all__ = [
    "analyze", "analyze_frames", "before_onset", "decide", "caveats", "Report", "ModelResult", "OnsetResult",
    "screen", "descriptives", "fdr_adjust", "fit_model", "analyze_onset", "is_finding", "finding_sentence",
]
