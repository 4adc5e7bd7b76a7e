"""runlog: what goes with your feet or legs going numb on runs, from your own GPS-watch history.

Public API
----------
read_activity, read_activities, read_fit, read_gpx, read_tcx : one file -> Activity
read_history : folder / export / list of files -> History
read_episodes, read_run_notes : the runner's journal
run_features, Athlete : per-run features
analyze -> Report : which factors go with numbness
simulate : a synthetic season (demo data)
plot : matplotlib plots
"""

from __future__ import annotations

from .activity import Activity
from .errors import (AnalysisError, EpisodeError, FileFormatError, NotAnActivityError, NotesError,
                     RunlogError, RunlogWarning, TruncatedFileWarning)
from .history import History, read_history
from .episodes import episode_flags, notes_from_history, read_episodes, read_run_notes
from .io import read_activities, read_activity, read_fit, read_gpx, read_tcx
from .analysis import Report, analyze
from . import features
from .athlete import Athlete
from .features import run_features
from . import simulate


def __getattr__(name):
    # runlog.plot is imported on first use: matplotlib adds about a second to `import runlog`
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'runlog' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Activity", "History", "read_history",
    "read_activity", "read_activities", "read_fit", "read_gpx", "read_tcx",
    "RunlogError", "FileFormatError", "NotAnActivityError", "EpisodeError", "NotesError", "AnalysisError",
    "RunlogWarning", "TruncatedFileWarning",
    "read_episodes", "read_run_notes", "episode_flags", "notes_from_history",
    "analyze", "Report",
    "Athlete", "run_features", "features",
    "simulate",
]
