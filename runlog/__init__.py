"""runlog: what goes with your feet or legs going numb on runs, from your own GPS-watch history.

Public API
----------
read_activity, read_activities, read_fit, read_gpx, read_tcx : one file -> Activity
read_history : folder / export / list of files -> History
read_episodes, read_run_notes : the runner's journal
suggest_episodes : journal rows drafted from lap presses and #numb notes
run_features, Athlete : per-run features
analyze -> Report : which factors go with numbness
simulate : a synthetic season (demo data)
experiment : plan and analyse your own randomised test of a cause you control (N-of-1)
plot : matplotlib plots

``dir(runlog)`` lists exactly these public names (:data:`__all__`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import _program, features  # noqa: F401  (_program first: the program's BLAS threads, before numpy)
from ._version import __version__ as __version__
from .errors import (
    AnalysisError,
    AthleteError,
    ExperimentError,
    FileFormatError,
    JournalError,
    NotAnActivityError,
    NotesError,
    RunlogDeprecationWarning,
    RunlogError,
    RunlogWarning,
    TruncatedFileWarning,
    UntimedPointsWarning,
    WeatherError,
    XmlRecoveryWarning,
)
from .features import run_features
from .features.athlete import Athlete
from .history import History, read_history
from .io import Activity, read_activities, read_activity, read_fit, read_gpx, read_tcx
from .journal import episode_flags, notes_from_history, read_episodes, read_run_notes, suggest_episodes

if TYPE_CHECKING:  # what the lazy names below resolve to, for type checkers and IDEs
    from . import experiment as experiment
    from . import simulate as simulate
    from .render import plot as plot
    from .report import Report, analyze


#: Names loaded on first use: name -> (module, attribute or None for the module itself).
#: The analysis needs scipy.stats, statsmodels and firthmodels, the simulator
#: scipy.stats, and the plots matplotlib: together about 2 s that
#: ``import runlog`` (and ``runlog --help``) should not pay.
_LAZY = {
    "analyze": (".report", "analyze"),
    "Report": (".report", "Report"),
    "simulate": (".simulate", None),
    "plot": (".render.plot", None),
    "experiment": (".experiment", None),
}


if not TYPE_CHECKING:  # hidden from type checkers, which would accept any name of a module with __getattr__
    def __getattr__(name: str):
        try:
            module, attr = _LAZY[name]
        except KeyError:
            raise AttributeError(f"module 'runlog' has no attribute {name!r}") from None
        mod = importlib.import_module(module, __name__)
        value = mod if attr is None else getattr(mod, attr)
        globals()[name] = value  # later lookups skip __getattr__
        return value


def __dir__() -> list[str]:
    return list(__all__)


# sorted, so that dir(runlog) (which sorts) is exactly this list
__all__ = [
    "Activity",
    "AnalysisError",
    "Athlete",
    "AthleteError",
    "ExperimentError",
    "FileFormatError",
    "History",
    "JournalError",
    "NotAnActivityError",
    "NotesError",
    "Report",
    "RunlogDeprecationWarning",
    "RunlogError",
    "RunlogWarning",
    "TruncatedFileWarning",
    "UntimedPointsWarning",
    "WeatherError",
    "XmlRecoveryWarning",
    "analyze",
    "episode_flags",
    "experiment",
    "features",
    "notes_from_history",
    "plot",
    "read_activities",
    "read_activity",
    "read_episodes",
    "read_fit",
    "read_gpx",
    "read_history",
    "read_run_notes",
    "read_tcx",
    "run_features",
    "simulate",
    "suggest_episodes",
]
