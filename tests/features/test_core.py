"""run_features over real files from tests/data, the catalogue, notes and weather."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog import schema
from runlog.features import catalog
from runlog.features.catalog import FEATURES

FILES = [
    "fit/fitparse__activity-small-fenix2-run.fit",
    "fit/heartandsole__testdata.fit",
    "fit/workoutizer__run_with_coordinates.fit",
    "fit/workoutizer__2019-09-25-16-15-53.fit",     # running without HR
    "fit/sweatpy__2020-06-01-16-52-40.fit",         # cycling
    "gpx/runpandas__strava_export.gpx",             # has stops
    "tcx/sweatpy__3173437224.tcx",
    "tcx/runpandas__run_garmin.tcx",
]
ATHLETE = runlog.Athlete(hr_max_bpm=190, hr_rest_bpm=50, sex="female", body_mass_kg=60)


@pytest.fixture(scope="module")
def real(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acts = {}
        for f in FILES:
            a = runlog.read_activity(data_dir / f)
            for x in (a if isinstance(a, list) else [a]):
                acts.setdefault(x.run_id, (f, x))
    history = runlog.History.from_activities([x for _, x in acts.values()])
    ids = {f: rid for rid, (f, _) in acts.items()}
    return history, ids


def test_one_row_per_activity_and_every_column_catalogued(real):
    h, _ = real
    f = runlog.run_features(h, ATHLETE)
    assert f.index.name == "run_id" and list(f.index) == list(h.runs.index)
    assert f.attrs["catalog"] == FEATURES  # no notes: the fixed catalogue
    for c in f.columns:
        feat = FEATURES[c]
        assert feat.cause in schema.CAUSES and feat.kind in ("numeric", "binary", "categorical")
        if feat.dtype == "float64":
            assert f[c].dtype == "float64", c
    assert f.attrs["athlete"] == ATHLETE
    assert not FEATURES["sport"].candidate and not FEATURES["date_local"].candidate
    assert FEATURES["rest_days_7d"].cause == "overtraining"
    assert FEATURES["shoes"].cause == "footwear"
    assert FEATURES["avg_cadence_spm"].cause == "form"
    assert FEATURES["grade_sd_pct"].cause == "terrain"
    assert FEATURES["heat_index_c"].cause == "hydration"


def test_trimp_of_a_real_file_matches_a_plain_loop(real):
    h, ids = real
    rid = ids["fit/heartandsole__testdata.fit"]
    f = runlog.run_features(h, ATHLETE)
    rec = h.run(rid)
    # independent computation: plain Python over the samples, female constants 0.86 / 1.67
    t = [ts.value / 1e9 for ts in rec.index]
    total = 0.0
    for i in range(len(t) - 1):
        dt = t[i + 1] - t[i]
        hr = rec["hr_bpm"].iloc[i]
        if dt > 30 or math.isnan(hr):
            continue
        hrr = min(max((hr - 50) / 140, 0.0), 1.0)
        total += dt / 60 * hrr * 0.86 * math.exp(1.67 * hrr)
    assert f.loc[rid, "trimp"] == pytest.approx(total, rel=1e-12)
    assert total > 0
    assert f.loc[rid, "distance_km"] == pytest.approx(h.runs.loc[rid, "distance_m"] / 1000)


def test_sports_no_hr_and_stops_on_real_files(real):
    h, ids = real
    f = runlog.run_features(h, ATHLETE)
    ride = ids["fit/sweatpy__2020-06-01-16-52-40.fit"]
    assert f.loc[ride, "sport"] == "cycling"
    assert np.isfinite(f.loc[ride, "trimp"])                     # load counts every sport
    assert np.isnan(f.loc[ride, "avg_cadence_spm"]) and np.isnan(f.loc[ride, "step_length_m"])
    assert f.loc[ride, "device_temp_wrist"] == 0.0               # Garmin Edge bike computer
    no_hr = ids["fit/workoutizer__2019-09-25-16-15-53.fit"]
    assert np.isnan(f.loc[no_hr, "trimp"]) and np.isnan(f.loc[no_hr, "avg_hr_bpm"])
    assert f.loc[no_hr, "load_imputed"] and f.loc[no_hr, "session_load_au"] > 0
    # imputed = moving minutes * median TRIMP per moving minute of the runs with HR
    with_hr = f["trimp"].notna() & (f["moving_min"] > 0)
    per_min = (f.loc[with_hr, "trimp"] / f.loc[with_hr, "moving_min"]).median()
    assert f.loc[no_hr, "session_load_au"] == pytest.approx(f.loc[no_hr, "moving_min"] * per_min)
    stops = ids["gpx/runpandas__strava_export.gpx"]
    assert f.loc[stops, "stopped_min"] > 0
    assert f.loc[stops, "duration_min"] == pytest.approx(f.loc[stops, "moving_min"] + f.loc[stops, "stopped_min"])
    # these runs are years apart: the 28-day windows before them hold no other run
    assert (f["distance_28d_km"].dropna() == 0).all()
    assert np.isnan(f["acwr_rolling"].iloc[0])


def test_default_athlete_is_estimated_and_reported(real):
    h, _ = real
    f = runlog.run_features(h)
    ath = f.attrs["athlete"]
    assert ath.hr_max_bpm is not None and "estimated" in ath.estimated["hr_max_bpm"]
    assert ath.estimated["hr_rest_bpm"].startswith("default")
    assert np.isfinite(f["trimp"]).any()


def test_notes_known_and_extra_columns(real):
    h, ids = real
    r1, r2 = ids["fit/workoutizer__run_with_coordinates.fit"], ids["tcx/sweatpy__3173437224.tcx"]
    day = lambda rid: f"{h.runs.loc[rid, 'start_local']:%Y-%m-%d}"   # noqa: E731
    table = pd.DataFrame({
        "date": [day(r1), day(r2)], "shoes": ["Pegasus 40", "Clifton 9"], "lacing": ["tight", "loose"],
        "fluid_ml": [500, 0], "body_mass_pre_kg": [70.0, 60.0], "body_mass_post_kg": [69.0, 58.5],
        "rpe": [6, 8], "surface": ["road", "trail"], "insoles": ["custom", "stock"], "caffeine_mg": [100, 0],
    })
    notes = runlog.read_run_notes(table, history=h)
    f = runlog.run_features(h, ATHLETE, notes=notes)
    assert f.loc[r1, "shoes"] == "Pegasus 40" and pd.isna(f.loc[ids["fit/heartandsole__testdata.fit"], "shoes"])
    # measured: 70 -> 69 kg with 0.5 l: sweat 1.5 kg = 2.142857 %; net loss 1.428571 %
    assert f.loc[r1, "sweat_loss_pct"] == pytest.approx(1.5 / 70 * 100)
    assert f.loc[r2, "body_mass_loss_pct"] == pytest.approx(2.5) and f.loc[r2, "dehydrated_2pct"] == 1.0
    assert f.loc[r2, "surface"] == "trail" and f.loc[r1, "rpe"] == 6
    cat = f.attrs["catalog"]
    assert cat["lacing"].cause == "footwear" and cat["lacing"].kind == "categorical"
    assert cat["fluid_ml"].cause == "hydration"
    assert cat["surface"].cause == "terrain" and cat["rpe"].cause == "intensity"
    assert cat["insoles"].cause == "other" and cat["insoles"].kind == "categorical"
    assert cat["caffeine_mg"].kind == "numeric" and cat["caffeine_mg"].candidate
    # the runner's cadence-speed line survives the join with the notes columns (the analysis reuses it)
    assert f.attrs["cadence_line"] == runlog.run_features(h, ATHLETE).attrs["cadence_line"]
    # this notes file's columns stay with this result: the global catalogue is unchanged
    assert "insoles" not in FEATURES and "caffeine_mg" not in FEATURES
    for c in ("date", "time", "run", "line", "body_mass_pre_kg"):
        assert c not in f.columns


def test_weather_table_joined(real):
    h, ids = real
    rid = ids["fit/workoutizer__run_with_coordinates.fit"]
    mid = h.runs.loc[rid, "start_time"] + pd.Timedelta(seconds=h.runs.loc[rid, "elapsed_s"] / 2)
    hour = mid.round("h")
    wx = pd.DataFrame({"time": [hour - pd.Timedelta(hours=1), hour, hour + pd.Timedelta(hours=1)],
                       "air_temp_c": [20.0, 30.0, 25.0], "rel_humidity_pct": [40.0, 60.0, 50.0]})
    f = runlog.run_features(h, ATHLETE, weather=wx)
    assert f.loc[rid, "air_temp_c"] == 30.0 and f.loc[rid, "rel_humidity_pct"] == 60.0
    assert f.loc[rid, "heat_index_c"] == pytest.approx(runlog.features.heat.heat_index_c(30.0, 60.0))
    assert f.loc[rid, "sweat_loss_est_pct"] > 0
    # the other runs are years away from the table: no match, NaN
    assert f["air_temp_c"].notna().sum() == 1


def test_catalogue_frame_and_fixed_entries():
    cf = catalog.catalog_frame()
    assert set(catalog.FEATURES) <= set(cf["name"])
    assert set(cf["cause"]) <= set(schema.CAUSES)
    assert all(f.citation for n, f in catalog.FEATURES.items() if n in ("trimp", "acwr_ewma", "monotony_7d",
                                                                       "ctl_au", "heat_index_c", "wbgt_est_c"))


def test_empty_history():
    h = runlog.History.from_activities([])
    f = runlog.run_features(h, ATHLETE)
    assert len(f) == 0 and "trimp" in f.columns


@pytest.mark.slow
def test_load_history_matches_the_simulator_answer_key(tmp_path):
    """rest days and running streaks agree with runlog.simulate's own (independent) bookkeeping."""
    from runlog.simulate import simulate_season

    season = simulate_season(tmp_path / "season", scenario="overtraining", seed=3, weeks=8, history_weeks=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = runlog.History.from_activities([runlog.read_activity(p) for p in sorted(season.gpx_dir.glob("*.gpx"))])
    notes = runlog.read_run_notes(season.notes_csv, history=h)
    f = runlog.run_features(h, notes=notes, weather=season.weather_csv)
    truth = season.truth.reindex(f.index)
    assert len(f) == len(season.truth) > 30
    # the simulator counts streaks the same way (running days up to and including the run)
    assert (f["run_streak_days"] == truth["consecutive_days"]).all()
    # its rest_days_7 uses partial windows at the start; ours is NaN there (warm-up), equal afterwards
    known = f["rest_days_7d"].notna()
    assert known.sum() > 30 and (f.loc[known, "rest_days_7d"] == truth.loc[known, "rest_days_7"]).all()
    assert f["rest_days_7d"].iloc[:5].isna().all()
    # the hourly weather joined at the run's middle is within ~1 °C of the air the simulator ran in
    assert (f["air_temp_c"] - truth["air_temp_c"]).abs().max() < 1.5
    # never-filled notes columns are not features; filled ones are
    for c in ("lacing", "fluid_ml", "rpe", "surface", "warmup_min", "sleep_h"):
        assert (c in f.columns) == bool(notes[c].notna().any()), c


def test_history_without_any_hr_uses_moving_minutes_as_load(activity, history_of):
    acts = [activity(f"2024-05-{d:02d}T06:00Z", speed=3.0, n=600, step_s=1.0) for d in range(1, 11)]
    h = history_of(*acts)
    with pytest.warns(runlog.RunlogWarning, match="moving minutes instead of TRIMP"):
        f = runlog.run_features(h, runlog.Athlete(hr_max_bpm=190, hr_rest_bpm=50))
    assert f.attrs["load_unit"] == "moving_min"
    # 599 s of moving time per run (the last sample weighs 0) -> 9.983 min a day; day 8 sees days 1-7
    assert f["session_load_au"].iloc[0] == pytest.approx(599 / 60)
    assert f["load_7d_au"].iloc[7] == pytest.approx(7 * 599 / 60)
    assert np.isnan(f["trimp"]).all()


def test_trimp_constants_override(activity, history_of):
    act = activity("2024-05-01T06:00Z", hr=[130, 160, 190], speed=3.0, times_s=[0, 30, 60])
    h = history_of(act)
    f = runlog.run_features(h, runlog.Athlete(hr_max_bpm=190, hr_rest_bpm=50), trimp_constants=(0.86, 1.67))
    # female constants, 30-s samples: 3.785836 / 2 (see test_intensity)
    assert f.loc[act.run_id, "trimp"] == pytest.approx(3.785836 / 2, abs=1e-6)
    assert f.attrs["trimp_constants"] == (0.86, 1.67)


@pytest.mark.shared
@pytest.mark.slow
def test_whole_shared_corpus(shared_dir):
    """Every activity of the full real corpus gets a row; every column is catalogued."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = runlog.read_history(shared_dir, cache=False, workers=1, progress=False)
        f = runlog.run_features(h)
    assert list(f.index) == list(h.runs.index) and len(f) > 20
    assert set(f.columns) <= set(FEATURES)
    running = runlog.features.context.is_running(h.runs)
    # form features exist only for running activities, and then give a plausible step
    assert f.loc[~running, "avg_cadence_spm"].isna().all()
    step = f.loc[running, "step_length_m"].dropna()
    assert len(step) > 5 and step.between(0.3, 2.5).all()
    assert f["trimp"].dropna().ge(0).all() and f["distance_km"].dropna().ge(0).all()


def test_the_catalogue_in_a_frames_attrs_is_copied_as_a_new_dict_of_the_same_entries():
    # pandas deep-copies a frame's attrs at every operation: the frozen entries are shared, the dict is new
    import copy

    from runlog import schema

    f = schema.Feature("x_km", "km", "float64", "A test measure.", "distance")
    cat = catalog.with_entries([f])
    assert isinstance(cat, catalog.Catalog) and cat["x_km"] is f and "x_km" not in catalog.FEATURES
    frame = pd.DataFrame({"x_km": [1.0, 2.0]})
    frame.attrs["catalog"] = cat
    copied = (frame * 2).attrs["catalog"]
    assert copied == cat and copied is not cat and copied["x_km"] is f
    assert isinstance(copy.deepcopy(cat), catalog.Catalog)
    copied["y_km"] = f
    assert "y_km" not in cat
