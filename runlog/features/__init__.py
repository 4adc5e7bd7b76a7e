"""Per-run features, one module per topic.

* :mod:`~runlog.features.intensity` -- volume, speed, heart rate, TRIMP, decoupling
* :mod:`~runlog.features.load` -- daily load series, ACWR, monotony, CTL/ATL/TSB, rest days
* :mod:`~runlog.features.heat` -- heat index, dew point, WBGT, sweat loss
* :mod:`~runlog.features.warmup` -- first 10 minutes vs the rest
* :mod:`~runlog.features.form` -- cadence and step length
* :mod:`~runlog.features.terrain` -- ascent and grade variability
* :mod:`~runlog.features.context` -- time of day, sport, shoes, run notes
* :mod:`~runlog.features.catalog` -- the feature catalogue (:data:`~runlog.features.catalog.FEATURES`)
* :mod:`~runlog.features.core` -- :func:`run_features` assembles them

Every formula is a pure function over arrays/Series and can be used on its own.
"""

from __future__ import annotations

from . import catalog, context, form, heat, intensity, load, terrain, warmup
from .core import run_features, session_load

__all__ = ["run_features", "session_load", "catalog", "context", "form", "heat", "intensity", "load", "terrain",
           "warmup"]
