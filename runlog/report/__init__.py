"""From a history and a numbness journal to a :class:`Report`: the layer above analysis and rendering.

* ``_analyze`` -- :func:`analyze` / :func:`analyze_frames`: features, the journal's flags, the
  decision (:mod:`runlog.analysis`) and the report's words (:mod:`runlog.render.wording`) together
* ``_report`` -- :class:`Report`, plain data with one content model (:meth:`Report.sections`) that
  :mod:`runlog.render` lays out
"""

from __future__ import annotations

from ._analyze import analyze, analyze_frames, before_onset
from ._report import FDR, Report

__all__ = ["analyze", "analyze_frames", "before_onset", "Report", "FDR"]
