"""Hand-made runs and journals on given days, for the experiment tests (imported by tests/experiment/)."""

from __future__ import annotations

import pandas as pd

import runlog


def runs_on(days, gear=None) -> pd.DataFrame:
    """A History.runs frame: one run at 07:00 local (Europe/Berlin, summer) on each of *days*."""
    local = pd.DatetimeIndex([pd.Timestamp(d) + pd.Timedelta(hours=7) for d in days])
    utc = (local - pd.Timedelta(hours=2)).tz_localize("UTC")
    runs = pd.DataFrame({"start_time": utc, "start_local": local, "tz": "Europe/Berlin",
                         "elapsed_s": 3600.0, "distance_m": 10000.0, "sport": "running"},
                        index=pd.Index(utc.strftime("%Y%m%dT%H%MZ"), name="run_id"))
    if gear is not None:
        runs["gear"] = pd.array(gear, dtype="string")
    return runs


def episodes_on(runs, idx, onset=30):
    """Episodes (read_episodes output) on the runs at positions *idx*, onset *onset* min."""
    r = runs.iloc[list(idx)]
    frame = pd.DataFrame({"date": r["start_local"].dt.strftime("%Y-%m-%d"), "time": r["start_local"].dt.strftime(
        "%H:%M"), "onset_min": onset, "side": "left", "location": "forefoot", "severity": 3})
    return runlog.read_episodes(frame.reset_index(drop=True), history=runs)
