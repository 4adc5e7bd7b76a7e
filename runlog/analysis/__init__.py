"""Which factors go with numbness: univariate screen, Firth model, time to onset, report.

Public API
----------
analyze : History + journal -> Report
analyze_frames : the same on ready-made feature / flag frames
Report : the result (factors, findings, onset, model, caveats)

Modules: :mod:`.stats` (univariate tests, FDR), :mod:`.model` (Firth logistic
regression), :mod:`.onset` (Kaplan-Meier time to onset), :mod:`.crossover`
(within-month case-crossover comparison), :mod:`.report` (Report, findings),
:mod:`.core` (analyze).
"""

from __future__ import annotations

from .core import analyze, analyze_frames, caveats
from .model import ModelResult, fit_model
from .onset import OnsetResult, analyze_onset
from .report import Report, finding_sentence, is_finding
from .stats import descriptives, fdr_adjust, screen

__all__ = [
    "analyze", "analyze_frames", "caveats", "Report", "ModelResult", "OnsetResult",
    "screen", "descriptives", "fdr_adjust", "fit_model", "analyze_onset", "is_finding", "finding_sentence",
]
