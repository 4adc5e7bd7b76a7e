"""Builders of small synthetic histories for the feature tests (fixed numbers, no randomness)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog.io._activity import finalize


def make_activity(start, *, hr=None, speed=None, n=None, step_s=1.0, sport="running", device="garmin fr645m",
                  cadence=None, altitude=None, temp=None, times_s=None, tz="UTC", dynamics=None):
    """One canonical Activity from per-sample arrays (distance integrated from speed); *dynamics*: running-dynamics
    column -> values (runlog.schema.DYNAMICS_COLUMNS)."""
    if times_s is None:
        n = n if n is not None else len(hr if hr is not None else speed)
        times_s = np.arange(n) * step_s
    times_s = np.asarray(times_s, dtype="float64")
    n = len(times_s)

    def arr(v):
        if v is None:
            return np.full(n, np.nan)
        return np.broadcast_to(np.asarray(v, dtype="float64"), (n,)).copy()

    sp = arr(speed)
    dt = np.diff(times_s, prepend=times_s[0])
    dist = np.cumsum(np.nan_to_num(sp) * dt) if speed is not None else np.full(n, np.nan)
    idx = pd.Timestamp(start) + pd.to_timedelta(times_s, unit="s")
    rec = pd.DataFrame({"speed_mps": sp, "distance_m": dist, "hr_bpm": arr(hr), "cadence_spm": arr(cadence),
                        "altitude_m": arr(altitude), "temp_c": arr(temp),
                        **{k: arr(v) for k, v in (dynamics or {}).items()}}, index=idx)
    return finalize(rec, None, {"source": f"synthetic {start}", "format": "fit", "sport": sport,
                                "device": device}, tz=tz)


@pytest.fixture
def activity():
    return make_activity


@pytest.fixture
def history_of():
    def _h(*acts):
        return runlog.History.from_activities(list(acts))
    return _h
