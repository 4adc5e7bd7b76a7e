"""The season: :func:`simulate_season` and :func:`demo_season` write the files.

A part of :mod:`runlog.simulate` (its public names are re-exported there).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import RunlogError
from ..io import make_run_id
from ._episodes import draw_journal, episode_probability, heat_dose_ch
from ._notes import draw_notes, draw_shoes
from ._plan import training_plan
from ._run import ROUTES, gpx_text, make_route, run_records
from ._scenarios import (
    DEFAULT_BASE_RISK,
    DEFAULT_STRENGTH,
    DEMO_SEED,
    LONG_HISTORY_WEEKS,
    PARTNER,
    SCENARIO_CAUSES,
    SCENARIOS,
    SECOND_WATCH_SHARE,
    SPELL_PHI,
    STREAMS,
    Runner,
    Season,
)
from ._weather import ar1, hourly_weather, weather_at


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators per component, derived from *seed* (so components do not shift
    each other: a scenario change leaves the weather as it was)."""
    return {name: np.random.default_rng([int(seed), i]) for i, name in enumerate(STREAMS)}


def _prepare_out_dir(out_dir: Path) -> Path:
    """Create *out_dir*/gpx; refuse a folder holding files this module did not write."""
    gpx_dir = out_dir / "gpx"
    marker = out_dir / "season.json"
    if gpx_dir.is_dir() and any(gpx_dir.iterdir()):
        if not marker.is_file():
            raise RunlogError(
                f"{gpx_dir}: folder is not empty and was not written by runlog.simulate; "
                "choose an empty or new folder for the simulated season")
        for p in gpx_dir.glob("*.gpx"):
            p.unlink()
    gpx_dir.mkdir(parents=True, exist_ok=True)
    return gpx_dir


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write a CSV with fixed formatting ('\\n' line ends, UTF-8) atomically."""
    from ..history import atomic_write_text

    atomic_write_text(path, df.to_csv(index=False, lineterminator="\n", float_format="%.10g"))


def simulate_season(out_dir, *, scenario: str = "hydration", seed: int = 0, start: str = "2024-03-04",
                    weeks: int = 26, history_weeks: int | None = None,
                    location: tuple[float, float] = (47.9959, 7.8522), tz: str = "Europe/Berlin",
                    runner: Runner | None = None, strength: float | None = None, base_risk: float | None = None,
                    sample_s: float = 5.0, experiment=None, level_risk: dict | None = None,
                    adherence: float = 1.0) -> Season:
    """Write a synthetic season with a planted cause of numbness.

    Parameters
    ----------
    out_dir : str or PathLike
        Folder to write to (created; refused if its ``gpx/`` holds files not
        written by this function).
    scenario : str
        One of :data:`SCENARIOS` (see the module docstring).
    seed : int
        Random seed; the same seed and arguments give byte-identical files.
    start : str
        First day of the journal (ISO date; moved back to its Monday).
    weeks : int
        Weeks the journal covers.
    history_weeks : int, optional
        Weeks of runs before *start* without a journal (training-load
        history; default 4, :data:`LONG_HISTORY_WEEKS` in 'long_history').
    location : (float, float)
        Home (latitude, longitude) [°]; the loops start and end there.
    tz : str
        The runner's IANA time zone (local start times, journal dates).
    runner : Runner, optional
        Athlete parameters (default :class:`Runner`).
    strength, base_risk : float, optional
        Effect size and risk at zero driver (defaults :data:`DEFAULT_STRENGTH`,
        ``DEFAULT_BASE_RISK``); see :func:`episode_probability`.
    sample_s : float
        Record interval [s].
    experiment : runlog.experiment.Plan, optional
        A runner following this experiment plan: every run on a planned day
        (a plan by runs: the first N journal runs from its start) uses the
        day's level of the plan's factor (``shoes``, or a run-notes column of
        that name), recorded in the run notes, and its risk of numbness is
        ``level_risk[level]`` instead of the scenario's.
    level_risk : dict, optional
        Risk of numbness per run under each level [-] (default: the
        scenario's *base_risk* for every level: no effect).
    adherence : float
        Probability that a run follows the plan [-]; otherwise another level
        is used (and written in the notes, and it sets the risk).

    Returns
    -------
    Season
        Paths of the files written, the answer key (``truth``, with
        ``assigned`` and ``used`` levels in an experiment) and the
        ``tracked`` period to pass to ``runlog.analyze``.

    Raises
    ------
    RunlogError
        Unknown scenario, bad arguments, or an *out_dir* with foreign files.
    """
    if scenario not in SCENARIOS:
        raise RunlogError(f"unknown scenario {scenario!r}; use one of {', '.join(SCENARIOS)}")
    if history_weeks is None:
        history_weeks = LONG_HISTORY_WEEKS if scenario == "long_history" else 4
    if weeks < 1 or history_weeks < 0:
        raise RunlogError(f"weeks must be >= 1 and history_weeks >= 0 (got {weeks}, {history_weeks})")
    if not 0.5 <= sample_s <= 60.0:
        raise RunlogError(f"sample_s must be between 0.5 and 60 s (got {sample_s})")
    runner = runner or Runner()
    strength = DEFAULT_STRENGTH[scenario] if strength is None else float(strength)
    base_risk = DEFAULT_BASE_RISK[scenario] if base_risk is None else float(base_risk)
    if not 0.0 < base_risk < 1.0:
        raise RunlogError(f"base_risk must be a probability strictly between 0 and 1 (got {base_risk})")
    lat_deg, lon_deg = (float(v) for v in location)
    out_dir = Path(out_dir)
    gpx_dir = _prepare_out_dir(out_dir)
    rng = _streams(seed)

    journal_start = pd.Timestamp(start).normalize()
    journal_start = journal_start - pd.Timedelta(days=journal_start.day_of_week)
    first_day = journal_start - pd.Timedelta(weeks=history_weeks)
    tracked = (journal_start.strftime("%Y-%m-%d"),
               (journal_start + pd.Timedelta(days=7 * weeks - 1)).strftime("%Y-%m-%d"))
    # the marker first: a season interrupted half-way can be regenerated into the same folder
    meta = {"scenario": scenario, "cause": next(iter(SCENARIO_CAUSES[scenario]), None),
            "causes": list(SCENARIO_CAUSES[scenario]),
            "seed": int(seed),
            "strength": strength, "base_risk": base_risk, "start": tracked[0], "end": tracked[1],
            "history_weeks": history_weeks, "location": [lat_deg, lon_deg], "tz": tz,
            "sample_s": sample_s, "runner": asdict(runner), "generator": "runlog.simulate"}
    if experiment is not None:
        meta["experiment"] = {"factor": experiment.factor, "levels": list(experiment.levels),
                              "seed": int(experiment.seed), "adherence": float(adherence),
                              "level_risk": {str(k): float(v) for k, v in (level_risk or {}).items()}}
    (out_dir / "season.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    n_weeks = weeks + history_weeks
    n_days = 7 * n_weeks
    # weather from the day before (UTC hours of early local runs) to the day after
    weather = hourly_weather(first_day - pd.Timedelta(days=1), n_days + 2, rng["weather"], lon_deg=lon_deg)
    daily_max = (weather.assign(day=weather["time"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize())
                 .groupby("day")["air_temp_c"].max()
                 .reindex(pd.date_range(first_day, periods=n_days, freq="D")).to_numpy())
    plan = training_plan(first_day, n_weeks, rng["plan"], daily_max_temp_c=daily_max,
                         long_on_hot_days=scenario in ("confounded", "heat_long"), tz=tz,
                         spikes=scenario == "spike")
    plan["shoes"] = draw_shoes(plan, rng["notes"], at_random=scenario in ("shoes", "shoes_null"))
    plan["run_id"] = [make_run_id(t) for t in plan["start_time"]]
    plan["tracked"] = (plan["date"] >= journal_start).to_numpy()
    plan["journal_frac"] = np.clip((plan["date"] - journal_start).dt.days.to_numpy() / max(7 * weeks - 1, 1),
                                   0.0, 1.0)
    if experiment is not None:
        plan["assigned"], plan["used"] = _experiment_levels(plan, experiment, rng["experiment"], adherence)
        if experiment.factor == "shoes":
            plan["shoes"] = plan["used"].where(plan["used"].notna(), plan["shoes"])

    # duration_s: as recorded (the plan's duration floored to whole sample intervals); planned_s: as planned
    truth = _as_recorded(plan, weather, sample_s)
    if scenario == "bad_spells":
        latent = ar1(rng["latent"], n_days, SPELL_PHI, strength)
        truth["latent_logodds"] = latent[(truth["date"] - first_day).dt.days.to_numpy()]
    # the planted risk and the journal, drawn before the files are written (the 'stopping'
    # runner's GPX shows what she did after the onset)
    truth["p_true"] = episode_probability(truth, scenario, strength, base_risk)
    if experiment is not None:
        risk = {str(k): float(v) for k, v in (level_risk or {}).items()}
        lv_risk = truth["used"].map(lambda v: risk.get(v, base_risk) if isinstance(v, str) else np.nan)
        truth["p_true"] = lv_risk.where(truth["used"].notna(), truth["p_true"]).astype("float64")
    truth["p_true"] = truth["p_true"].where(truth["tracked"], 0.0)  # not journalled: never reported
    truth["numb"] = rng["episodes"].random(len(truth)) < truth["p_true"].to_numpy()
    journal = draw_journal(truth.set_index("run_id"), rng["episodes"], runner)
    counts = journal.groupby("run_id").size()
    first_onset = journal.groupby("run_id")["onset_min"].min()
    truth["n_episodes"] = counts.reindex(truth["run_id"]).fillna(0).astype("int64").to_numpy()
    truth["onset_min"] = first_onset.reindex(truth["run_id"]).astype("float64").to_numpy()
    # 'stopping': 0-1 min after the onset the runner stops for 1-2 min to loosen the laces
    stop_start = np.full(len(truth), np.nan)
    stop_len = np.full(len(truth), np.nan)
    if scenario in ("stopping", "trend_stopping"):
        idx = np.flatnonzero(truth["numb"].to_numpy())
        stop_start[idx] = truth["onset_min"].to_numpy()[idx] * 60.0 + rng["stops"].uniform(0.0, 60.0, idx.size)
        stop_len[idx] = rng["stops"].uniform(60.0, 120.0, idx.size)
    truth["stop_start_s"] = np.round(stop_start, 1)
    truth["stop_s"] = np.round(stop_len, 1)
    truth["partner"] = False
    if scenario == "partner":   # appended after the runner's runs: her files stay as in 'hydration'
        other = _as_recorded(_partner_plan(first_day, n_days, set(truth["run_id"]), rng["partner"], tz),
                             weather, sample_s)
        other["tracked"] = (other["date"] >= journal_start).to_numpy()
        other = other.assign(p_true=0.0, numb=False, n_episodes=0, onset_min=np.nan, stop_start_s=np.nan,
                             stop_s=np.nan, partner=True, shoes=None)
        truth = pd.concat([truth, other], ignore_index=True)
    second = (rng["devices"].random(len(truth)) < SECOND_WATCH_SHARE if scenario == "missing_temp"
              else np.zeros(len(truth), dtype=bool))
    truth["second_watch"] = second

    routes = [make_route(length, bearing_deg=b, hill_m=h, n_hills=k) for length, b, h, k in ROUTES]
    dist, names = [], []
    for r in truth.itertuples(index=False):
        who, draw = (PARTNER, rng["partner"]) if r.partner else (runner, rng["runs"])
        route = routes[2] if r.kind == "long" else routes[int(draw.integers(2))]
        stop = (r.stop_start_s, r.stop_s) if np.isfinite(r.stop_start_s) else None
        rec = run_records(r.start_time, r.planned_s, r.kind, weather, who, draw, route=route,
                          lat_deg=lat_deg, lon_deg=lon_deg,
                          season_fraction=(r.date - first_day).days / n_days, sample_s=sample_s,
                          numb_stop=stop)
        part = "Morning" if r.start_local.hour < 11 else ("Lunch" if r.start_local.hour < 14 else "Evening")
        name = f"{r.start_local:%Y-%m-%d-%H%M}.gpx"
        (gpx_dir / name).write_text(gpx_text(rec, f"{part} Run", temperature=not r.second_watch),
                                    encoding="utf-8", newline="\n")
        dist.append(float(rec["distance_m"].iloc[-1]))
        names.append(name)
    truth["distance_m"] = np.round(dist, 1)
    truth["file"] = names
    truth = truth.sort_values("start_time", kind="stable").reset_index(drop=True)

    truth["heat_dose_ch"] = np.round(heat_dose_ch(truth["air_temp_c"].to_numpy(dtype="float64"),
                                                  truth["duration_s"].to_numpy(dtype="float64") / 3600.0), 3)
    notes = draw_notes(truth[~truth["partner"]], runner, rng["notes"])
    if experiment is not None and experiment.factor != "shoes":
        notes[experiment.factor] = truth["used"].to_numpy()

    episodes_csv, notes_csv = out_dir / "episodes.csv", out_dir / "run_notes.csv"
    weather_csv, truth_csv = out_dir / "weather.csv", out_dir / "truth.csv"
    _write_csv(journal.drop(columns="run_id"), episodes_csv)
    _write_csv(notes, notes_csv)
    _write_csv(weather.assign(time=weather["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")), weather_csv)
    truth_out = truth[["run_id", "file", "start_local", "start_time", "week", "kind", "duration_s",
                       "distance_m", "air_temp_c", "heat_dose_ch", "consecutive_days", "rest_days_7",
                       "shoes", "tracked", "p_true", "numb", "n_episodes", "onset_min", "partner",
                       "second_watch"]
                      + (["stop_start_s", "stop_s"] if scenario in ("stopping", "trend_stopping") else [])
                      + (["acwr_min"] if scenario == "spike" else [])
                      + (["long_day_before"] if scenario == "long_before" else [])
                      + (["latent_logodds"] if scenario == "bad_spells" else [])
                      + (["assigned", "used"] if experiment is not None else [])].copy()
    truth_out["start_local"] = truth_out["start_local"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    truth_out["start_time"] = truth_out["start_time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    truth_out["p_true"] = truth_out["p_true"].round(6)
    _write_csv(truth_out, truth_csv)

    truth = truth.set_index("run_id")
    return Season(out_dir=out_dir, gpx_dir=gpx_dir, episodes_csv=episodes_csv, notes_csv=notes_csv,
                  weather_csv=weather_csv, truth_csv=truth_csv, scenario=scenario,
                  cause=next(iter(SCENARIO_CAUSES[scenario]), None), strength=strength, base_risk=base_risk,
                  seed=int(seed),
                  tz=tz, tracked=tracked, truth=truth, episodes=journal, causes=SCENARIO_CAUSES[scenario],
                  use_weather=scenario != "missing_temp")


def _as_recorded(plan: pd.DataFrame, weather: pd.DataFrame, sample_s: float) -> pd.DataFrame:
    """*plan* with what the runner will experience, known before the run is recorded (no random
    numbers): ``planned_s`` (the plan's duration), ``duration_s`` (as recorded: floored to whole
    sample intervals) and ``air_temp_c`` (mean over the samples, as :func:`run_records` takes it)."""
    air, dur = [], []
    for r in plan.itertuples(index=False):
        t = np.arange(0.0, r.duration_s + 1e-9, sample_s)
        t0 = (pd.Timestamp(r.start_time) - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
        air.append(float(weather_at(weather, t0 + t, "air_temp_c").mean()))
        dur.append(pd.to_timedelta(t[-1], unit="s") / pd.Timedelta(seconds=1))
    return plan.assign(planned_s=plan["duration_s"], duration_s=dur, air_temp_c=np.round(air, 2))


def _partner_plan(first_day: pd.Timestamp, n_days: int, taken: set, rng: np.random.Generator,
                  tz: str) -> pd.DataFrame:
    """The partner's runs ('partner'): on 40 % of days an easy evening run of 30-50 min starting
    18:00-20:30 (on Saturdays half of them a long run of 60-85 min), never on a minute the runner
    started a run (*taken* run ids), so that the two are separate activities."""
    rows = []
    for d in range(n_days):
        if rng.random() >= 0.4:
            continue
        day = pd.Timestamp(first_day) + pd.Timedelta(days=d)
        kind = "long" if day.day_of_week == 5 and rng.random() < 0.5 else "easy"
        dur_min = rng.uniform(60.0, 85.0) if kind == "long" else rng.uniform(30.0, 50.0)
        start_local = day + pd.Timedelta(seconds=int((18 * 60 + rng.uniform(0.0, 150.0)) * 60))
        rows.append({"date": day, "week": d // 7, "kind": kind, "duration_s": float(round(dur_min * 60.0)),
                     "start_local": start_local})
    plan = pd.DataFrame(rows)
    start = pd.DatetimeIndex(plan["start_local"]).tz_localize(tz, nonexistent="shift_forward", ambiguous=False)
    start = start.tz_convert("UTC").as_unit("ns")
    ids = [make_run_id(t) for t in start]
    clash = np.asarray([i in taken for i in ids])
    plan.loc[clash, "start_local"] += pd.Timedelta(minutes=7)
    start = start + pd.to_timedelta(np.where(clash, 7, 0), unit="min")
    plan["start_time"] = start
    plan["run_id"] = [make_run_id(t) for t in start]
    plan = plan.assign(consecutive_days=0, rest_days_7=0, acwr_min=np.nan, long_day_before=False,
                       journal_frac=np.nan)
    return plan


def _experiment_levels(plan: pd.DataFrame, experiment, rng: np.random.Generator,
                       adherence: float) -> tuple[pd.Series, pd.Series]:
    """Per run of the training plan: the experiment's assigned level and the level used (or None).

    A plan by date assigns the level of the run's local date; a plan by runs
    the first N runs from its start, in order.  A run does not follow the
    plan with probability ``1 - adherence`` and then uses another level,
    drawn at random."""
    day = pd.to_datetime(plan["start_local"]).dt.normalize()
    sched = experiment.schedule
    assigned = pd.Series([None] * len(plan), index=plan.index, dtype="object")
    if experiment.by_date:
        by_day = pd.Series(sched["level"].to_numpy(), index=pd.DatetimeIndex(sched["date"]))
        hit = day.isin(by_day.index).to_numpy()
        assigned[hit] = by_day.reindex(day[hit]).to_numpy()
    else:
        idx = np.flatnonzero((day >= experiment.start).to_numpy())[:len(sched)]
        assigned.iloc[idx] = sched["level"].to_numpy()[:len(idx)]
    levels = list(experiment.levels)
    used = assigned.copy()
    deviate = rng.random(len(plan)) >= adherence
    for i in np.flatnonzero(deviate & assigned.notna().to_numpy()):
        others = [lv for lv in levels if lv != assigned.iloc[i]]
        used.iloc[i] = others[int(rng.integers(len(others)))]
    return assigned, used


def demo_season(out_dir, **kwargs) -> Season:
    """The demo data set: the 'hydration' scenario with seed :data:`DEMO_SEED`.

    Extra keyword arguments go to :func:`simulate_season`.

    Parameters
    ----------
    out_dir : str or PathLike
        Folder the season's files are written to.
    **kwargs
        Passed to :func:`simulate_season`.

    Returns
    -------
    Season
        As :func:`simulate_season`.
    """
    kwargs.setdefault("scenario", "hydration")
    kwargs.setdefault("seed", DEMO_SEED)
    return simulate_season(out_dir, **kwargs)
