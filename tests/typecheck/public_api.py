"""A typed use of runlog's public API, checked by mypy (``make lint``), never run.

Every name exported by :mod:`runlog` is used here the way the README uses it,
so that a public name that disappears, moves without its re-export, or changes
its signature or return type fails the type check.  Not a test module (pytest
does not collect it; nothing imports it).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

import runlog
from runlog import (
    Activity,
    AnalysisError,
    Athlete,
    AthleteError,
    FileFormatError,
    History,
    JournalError,
    NotAnActivityError,
    NotesError,
    Report,
    RunlogError,
    RunlogWarning,
    TruncatedFileWarning,
    UntimedPointsWarning,
    WeatherError,
    XmlRecoveryWarning,
    analyze,
    episode_flags,
    notes_from_history,
    read_activities,
    read_activity,
    read_episodes,
    read_fit,
    read_gpx,
    read_history,
    read_run_notes,
    read_tcx,
    run_features,
)


def readers(folder: Path) -> list[Activity]:
    one: Activity = read_activity(folder / "a.fit")
    out = [one, read_fit(folder / "a.fit"), read_gpx(folder / "a.gpx"), read_tcx(folder / "a.tcx")]
    out += read_activities(folder / "b.fit", tz="Europe/Berlin")
    return out


def report(folder: Path) -> str:
    history: History = read_history(folder, cache=False, progress=False)
    listing: pd.DataFrame = history.listing()
    counts: pd.Series = history.summary()
    episodes: pd.DataFrame = read_episodes(folder / "numbness.csv", history=history)
    notes: pd.DataFrame = read_run_notes(folder / "notes.csv", history=history)
    gear: pd.DataFrame = notes_from_history(history)
    flags: pd.DataFrame = episode_flags(history.runs, episodes)
    athlete = Athlete.from_history(history, hr_max_bpm=190)
    features: pd.DataFrame = run_features(history, athlete, notes=notes)
    rep: Report = analyze(history, episodes, athlete=athlete, notes=notes, features=features, seed=1)
    rep.to_html(folder / "report.html")
    del listing, counts, gear, flags
    return rep.to_text() + rep.to_markdown() + rep.answer + str(len(rep.sections()))


def demo(folder: Path) -> Path:
    season = runlog.simulate.simulate_season(folder, scenario="hydration", seed=0, weeks=8)
    axes = runlog.plot.calendar(read_history(season.gpx_dir).runs)
    del axes
    return season.episodes_csv


def experiment(folder: Path) -> str:
    plan: runlog.experiment.Plan = runlog.experiment.plan("shoes", ["Trail Glide 2", "Daily Cushion 5"], weeks=8,
                                                          start="2024-09-02", seed=1, baseline_risk=0.15)
    plan.to_csv(folder / "plan.csv")
    plan.to_ics(folder / "plan.ics")
    history: History = read_history(folder, cache=False, progress=False)
    episodes: pd.DataFrame = read_episodes(folder / "numbness.csv", history=history)
    res: runlog.experiment.Experiment = runlog.experiment.analyze(history, episodes, folder / "plan.csv",
                                                                  notes=folder / "notes.csv", washout=True)
    p: float = res.test.p_value
    del p
    try:
        runlog.experiment.plan("air_temp_c", ["cold", "hot"], runs=8)
    except runlog.ExperimentError as exc:
        return str(exc)
    return res.to_text()


def errors() -> tuple[type[Exception], ...]:
    warnings.simplefilter("error", XmlRecoveryWarning)
    warnings.simplefilter("error", UntimedPointsWarning)
    warnings.simplefilter("ignore", TruncatedFileWarning)
    assert issubclass(XmlRecoveryWarning, RunlogWarning) and issubclass(UntimedPointsWarning, RunlogWarning)
    return (RunlogError, FileFormatError, NotAnActivityError, JournalError, NotesError, AnalysisError,
            WeatherError, AthleteError)


def features_catalogue() -> list[str]:
    from runlog.features.catalog import FEATURES

    return [f.name for f in FEATURES.values() if f.candidate and f.unit]


__all__ = ["readers", "report", "demo", "errors", "features_catalogue"]
