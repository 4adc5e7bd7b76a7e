"""Tests of runlog.simulate: the synthetic season (files, structure, planted causes).

Seasons are generated once per module into a temporary folder (each takes
about a second).  Expected numbers for fixed seeds were read off the
generated answer key and are checked against an independent recomputation
where one exists (shown in the comments).
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from xml.etree import ElementTree as ET

import gpxpy
import numpy as np
import pandas as pd
import pytest

import runlog
from runlog import simulate as sim
from runlog.errors import RunlogError
from runlog.simulate import _notes, _scenarios

TPX = "{http://www.garmin.com/xmlschemas/TrackPointExtension/v1}"
#: The scenarios of the first version, tested on full seasons.
ORIGINAL_SCENARIOS = ("hydration", "overtraining", "footwear", "null", "confounded")


def _digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below *folder*, keyed by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


#: The full seasons' settings: 26 weeks, 10-s records (the session's cached seasons, conftest.simulated).
FULL = {"sample_s": 10.0}


@pytest.fixture(scope="module")
def seasons(simulated) -> dict[str, sim.Season]:
    """One full season per original scenario, seed 3 (the newer scenarios are tested on short
    seasons below)."""
    return {sc: simulated(sc, 3, **FULL) for sc in ORIGINAL_SCENARIOS}


# ---------------------------------------------------------------------------------------------
# Reproducibility and files
# ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_same_seed_gives_byte_identical_files(tmp_path, seasons):
    a = sim.simulate_season(tmp_path / "a", scenario="hydration", seed=3, **FULL)
    digest_a = _digest(a.out_dir)
    assert digest_a == _digest(seasons["hydration"].out_dir)
    # every file kind is there: one GPX per run + journal, notes, weather, answer key, parameters
    assert sum(k.startswith("gpx/") for k in digest_a) == a.n_runs
    assert {"episodes.csv", "run_notes.csv", "weather.csv", "truth.csv", "season.json"} <= set(digest_a)
    # regenerating into the same folder replaces the season and stays identical
    sim.simulate_season(tmp_path / "a", scenario="hydration", seed=3, **FULL)
    assert _digest(tmp_path / "a") == digest_a
    b = sim.simulate_season(tmp_path / "b", scenario="hydration", seed=4, **FULL)
    assert _digest(b.out_dir)["weather.csv"] != digest_a["weather.csv"]


def test_scenarios_share_weather_for_a_seed(seasons):
    """Independent random streams per component: the scenario does not change the weather,
    and outside 'confounded' (which moves the long runs) not the schedule either."""
    w = {sc: s.weather_csv.read_bytes() for sc, s in seasons.items()}
    assert len(set(w.values())) == 1
    idx = seasons["hydration"].truth.index
    assert seasons["overtraining"].truth.index.equals(idx)
    assert seasons["null"].truth.index.equals(idx)
    assert not seasons["confounded"].truth.index.equals(idx)


def test_season_size_and_episode_count(seasons):
    for sc, s in seasons.items():
        tracked = s.truth[s.truth["tracked"]]
        assert 100 <= len(tracked) <= 200, sc
        assert 10 <= int(tracked["numb"].sum()) <= 40, sc
        # nothing is reported outside the journal's period
        assert not s.truth.loc[~s.truth["tracked"], "numb"].any()
    # fixed seed 3, read off truth.csv: 159 runs, 137 in the 26 tracked weeks, 25 numb runs
    h = seasons["hydration"]
    assert (h.n_runs, int(h.truth["tracked"].sum()), int(h.truth["numb"].sum())) == (159, 137, 25)
    assert h.tracked == ("2024-03-04", "2024-09-01")


def test_gpx_is_valid_gpx11_with_trackpoint_extension(seasons):
    s = seasons["hydration"]
    first = s.truth.iloc[0]
    path = s.gpx_dir / first["file"]
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.topografix.com/GPX/1/1}gpx" and root.get("version") == "1.1"
    g = gpxpy.parse(path.read_text(encoding="utf-8"))
    pts = g.tracks[0].segments[0].points
    # duration_s / 10 s + 1 samples; first sample at the planned start (UTC)
    assert len(pts) == int(first["duration_s"]) // 10 + 1
    assert pd.Timestamp(pts[0].time) == first["start_time"]
    assert pd.Timestamp(pts[-1].time) - pd.Timestamp(pts[0].time) == pd.Timedelta(seconds=first["duration_s"])
    # every point has hr, cad, atemp in the Garmin extension, in schema order atemp, hr, cad
    for p in pts:
        tags = [c.tag for c in p.extensions[0]]
        assert tags == [TPX + "atemp", TPX + "hr", TPX + "cad"]
    # the loop starts at home (the location argument) within GPS error
    assert abs(pts[0].latitude - 47.9959) < 1e-4 and abs(pts[0].longitude - 7.8522) < 1e-4
    hr = np.array([int(p.extensions[0][1].text) for p in pts])
    cad = np.array([int(p.extensions[0][2].text) for p in pts])
    atemp = np.array([float(p.extensions[0][0].text) for p in pts])
    # an easy winter run: HR 95 at the start (the model's resting start), 120-150 while running
    assert hr[0] in range(90, 101) and 120 < np.median(hr) < 150
    # cadence in strides/min: ~ (140 + 10 * 2.85 m/s) / 2 = 84
    assert 80 <= np.median(cad) <= 88
    # the wrist sensor starts at indoor 22 °C and settles 6 °C above the air (truth air_temp_c)
    assert atemp[0] == 22.0
    assert abs(np.median(atemp[len(atemp) // 2:]) - (first["air_temp_c"] + 6.0)) <= 1.5


def test_runlog_reads_the_gpx_back(seasons):
    """runlog.read_gpx doubles GPX cadence (strides/min) to steps/min and keeps hr and atemp."""
    s = seasons["hydration"]
    row = s.truth.iloc[5]
    path = s.gpx_dir / row["file"]
    act = runlog.read_gpx(path)
    assert act.run_id == row.name
    assert act.info["tz"] == "Europe/Berlin"           # looked up from the first position
    assert act.info["start_local"] == row["start_local"].floor("s")
    rec = act.records
    pts = gpxpy.parse(path.read_text(encoding="utf-8")).tracks[0].segments[0].points
    assert len(rec) == len(pts)
    raw_cad = np.array([float(p.extensions[0][2].text) for p in pts])
    raw_hr = np.array([float(p.extensions[0][1].text) for p in pts])
    raw_t = np.array([float(p.extensions[0][0].text) for p in pts])
    np.testing.assert_array_equal(rec["cadence_spm"].to_numpy(), 2.0 * raw_cad)
    np.testing.assert_array_equal(rec["hr_bpm"].to_numpy(), raw_hr)
    np.testing.assert_array_equal(rec["temp_c"].to_numpy(), raw_t)
    # distance from positions agrees with the simulated distance within 2 % (GPS error adds a little)
    assert rec["distance_m"].max() == pytest.approx(row["distance_m"], rel=0.02)


# ---------------------------------------------------------------------------------------------
# Structure of the season
# ---------------------------------------------------------------------------------------------
def test_weekly_structure(seasons):
    t = seasons["hydration"].truth
    days = pd.DatetimeIndex(t["start_local"]).normalize()
    # one run a day at most
    assert days.is_unique
    per_week = pd.Series(1, index=days).groupby(t["week"].to_numpy()).sum()
    assert len(per_week) == 30  # 4 history + 26 journal weeks
    # rest days every week but a few: 7 - runs; build weeks 0-3 rest days, recovery weeks 2-3
    rest = 7 - per_week
    assert rest.between(0, 3).all()
    assert rest[per_week.index % 4 == 3].between(2, 3).all()
    assert (rest >= 1).mean() > 0.7
    # exactly one long run a week, on Sunday, the longest run of its week
    longs = t[t["kind"] == "long"]
    assert longs.groupby("week").size().eq(1).all() and len(longs) == 30
    assert (pd.DatetimeIndex(longs["start_local"]).day_of_week == 6).all()
    assert (t.groupby("week")["duration_s"].idxmax() == longs.reset_index().set_index("week")["run_id"]).all()
    # long runs grow through the build blocks: 65 + 2.5 w min (x 0.75 in recovery weeks), sd 5 min
    wk = longs["week"].to_numpy()
    expected_min = np.minimum(140, 65 + 2.5 * wk) * np.where(wk % 4 == 3, 0.75, 1.0)
    assert np.all(np.abs(longs["duration_s"].to_numpy() / 60 - expected_min) < 20)
    # quality sessions only in build weeks, at most one a week
    q = t[t["kind"].isin(["tempo", "intervals"])]
    assert (q["week"] % 4 != 3).all() and q.groupby("week").size().max() == 1
    # consecutive_days recomputed independently from the run dates
    ran = set(days)
    streak = [next(k for k in range(1, 60) if d - pd.Timedelta(days=k) not in ran) for d in days]
    assert list(t["consecutive_days"]) == streak
    assert t["consecutive_days"].max() >= 7  # some weeks without rest make long streaks


def test_confounded_long_runs_are_on_hot_days(seasons):
    c = seasons["confounded"].truth
    long_hot = c.loc[c["kind"] == "long", "air_temp_c"].mean()
    other = c.loc[c["kind"] != "long", "air_temp_c"].mean()
    # seed 3: long runs 8 °C hotter on average than the rest
    assert long_hot - other > 5.0
    assert np.corrcoef(c["duration_s"], c["air_temp_c"])[0, 1] > 0.3
    # recomputed from weather.csv: each week's long run is on the day with the highest hourly
    # air temperature (local calendar day), and starts between 12:00 and 14:00
    w = pd.read_csv(seasons["confounded"].weather_csv)
    local_day = pd.to_datetime(w["time"], utc=True).dt.tz_convert("Europe/Berlin").dt.tz_localize(None).dt.normalize()
    daily_max = w.groupby(local_day.to_numpy())["air_temp_c"].max()
    longs = c[c["kind"] == "long"]
    for wk, start in zip(longs["week"], pd.DatetimeIndex(longs["start_local"])):
        week_days = pd.date_range("2024-02-05", periods=7, freq="D") + pd.Timedelta(weeks=int(wk))
        assert start.normalize() == daily_max.reindex(week_days).idxmax()
        assert 12 * 60 <= start.hour * 60 + start.minute <= 14 * 60 + 1  # 12:00 + U(0, 120) min + < 60 s
    # ... but the planted risk depends on air temperature only
    tr = c[c["tracked"]]
    logit = np.log(tr["p_true"] / (1 - tr["p_true"]))
    heat = np.clip(tr["air_temp_c"] - 12.0, 0, None)
    np.testing.assert_allclose(logit, np.log(0.04 / 0.96) + 0.2 * heat, atol=1e-4)


# ---------------------------------------------------------------------------------------------
# Planted causes in the answer key
# ---------------------------------------------------------------------------------------------
def test_hydration_risk_higher_on_hot_long_runs(seasons):
    t = seasons["hydration"].truth
    t = t[t["tracked"]]
    hot_long = (t["air_temp_c"] >= 18) & (t["duration_s"] >= 3600)
    cool_short = (t["air_temp_c"] < 14) & (t["duration_s"] < 3600)
    n_hot, k_hot = int(hot_long.sum()), int(t.loc[hot_long, "numb"].sum())
    n_cool, k_cool = int(cool_short.sum()), int(t.loc[cool_short, "numb"].sum())
    # seed 3, counted in truth.csv: 6 of 9 hot long runs vs 1 of 49 cool short runs
    assert (k_hot, n_hot, k_cool, n_cool) == (6, 9, 1, 49)
    assert k_hot / n_hot > 5 * k_cool / n_cool


def test_overtraining_risk_rises_with_streak(seasons):
    t = seasons["overtraining"].truth
    t = t[t["tracked"]]
    long_streak = t["consecutive_days"] >= 5
    rate_long = t.loc[long_streak, "numb"].mean()
    rate_short = t.loc[~long_streak, "numb"].mean()
    assert rate_long > 2 * rate_short
    # p_true at a streak of 1 is the base risk; each extra day multiplies the odds by e^0.35
    one = t.loc[t["consecutive_days"] == 1, "p_true"]
    assert np.allclose(one, 0.05)
    four = t.loc[t["consecutive_days"] == 4, "p_true"].iloc[0]
    odds = 0.05 / 0.95 * math.exp(0.35 * 3)          # = 0.1504
    assert four == pytest.approx(odds / (1 + odds), abs=1e-6)  # = 0.1307


def test_footwear_risk_is_one_pair(seasons):
    t = seasons["footwear"].truth
    t = t[t["tracked"]]
    culprit = t["shoes"] == _scenarios.SHOES[0]
    assert set(t.loc[culprit, "p_true"].round(6)) == {round(5 * 0.07 / 0.93 / (1 + 5 * 0.07 / 0.93), 6)}
    assert set(t.loc[~culprit, "p_true"].round(6)) == {0.07}
    assert t.loc[culprit, "numb"].mean() > 2 * t.loc[~culprit, "numb"].mean()


def test_null_risk_is_constant(seasons):
    t = seasons["null"].truth
    assert set(t.loc[t["tracked"], "p_true"]) == {0.12}


def test_episode_probability_hand_computed():
    truth = pd.DataFrame({"air_temp_c": [22.0, 10.0], "duration_s": [7200.0, 1800.0],
                          "consecutive_days": [1, 8], "shoes": [_scenarios.SHOES[0], _scenarios.SHOES[1]]})
    # hydration: dose = (22 - 12) * 2 h = 20 °C h; logit = ln(0.04/0.96) + 0.25*20 = -3.1781 + 5 = 1.8219
    p = sim.episode_probability(truth, "hydration", 0.25, 0.04)
    assert p[0] == pytest.approx(1 / (1 + math.exp(-1.8219)), abs=1e-4)  # 0.8608
    assert p[1] == pytest.approx(0.04)
    # overtraining: 7 extra days * 0.35 = 2.45; logit = -2.9444 + 2.45 = -0.4944 -> 0.3789
    p = sim.episode_probability(truth, "overtraining", 0.35, 0.05)
    assert p[1] == pytest.approx(0.3789, abs=1e-4) and p[0] == pytest.approx(0.05)
    with pytest.raises(RunlogError, match="unknown scenario 'heat'"):
        sim.episode_probability(truth, "heat", 0.1, 0.1)


def test_true_drivers_hand_computed():
    truth = pd.DataFrame({"air_temp_c": [22.0, 10.0], "duration_s": [7200.0, 1800.0],
                          "consecutive_days": [1, 8], "shoes": [_scenarios.SHOES[0], _scenarios.SHOES[1]]},
                         index=["a", "b"])
    # heat dose: (22 - 12) * 2 h = 20 °C h; 10 °C is below the 12 °C threshold: 0
    d = sim.true_drivers(truth, "two_causes")
    assert list(d.columns) == ["hydration", "overtraining"] and list(d.index) == ["a", "b"]
    assert d["hydration"].tolist() == [20.0, 0.0] and d["overtraining"].tolist() == [0.0, 7.0]
    assert sim.true_drivers(truth, "confounded")["hydration"].tolist() == [10.0, 0.0]   # per run, no hours
    assert sim.true_drivers(truth, "shoes")["footwear"].tolist() == [1.0, 0.0]
    for sc in ("null", "trend", "stopping", "per_minute", "shoes_null"):
        assert sim.true_drivers(truth, sc).shape == (2, 0)
    # the drivers are what the episodes were drawn from: logit p - logit base = strength x driver
    for sc in ("hydration", "heat_long", "overtraining", "footwear", "confounded", "shoes"):
        lin = _logit(pd.Series(sim.episode_probability(truth, sc, 0.3, 0.05))) - math.log(0.05 / 0.95)
        np.testing.assert_allclose(lin, 0.3 * sim.true_drivers(truth, sc).iloc[:, 0].to_numpy(), atol=1e-9)
    with pytest.raises(RunlogError, match="unknown scenario 'heat'"):
        sim.true_drivers(truth, "heat")


# ---------------------------------------------------------------------------------------------
# Journal and notes
# ---------------------------------------------------------------------------------------------
def test_journal_rows_match_runs(seasons):
    for sc, s in seasons.items():
        j = pd.read_csv(s.episodes_csv, dtype={"time": str})
        assert list(j.columns) == ["date", "time", "onset_min", "duration_min", "side", "location",
                                   "severity", "notes"]
        starts = pd.DatetimeIndex(s.truth["start_local"])
        key = pd.Series(s.truth.index, index=starts.strftime("%Y-%m-%d %H:%M"))
        rid = key.reindex(j["date"] + " " + j["time"]).to_numpy()
        assert pd.notna(rid).all(), sc                           # every row names a run
        assert s.truth.loc[rid, "tracked"].all()
        assert (j["onset_min"].to_numpy() <= s.truth.loc[rid, "duration_s"].to_numpy() / 60).all()
        assert (j["onset_min"] >= 1).all()
        assert set(j["side"]) <= set(runlog.schema.SIDES)
        assert set(j["location"]) <= set(runlog.schema.LOCATIONS)
        assert j["severity"].between(0, 10).all()
        # journal rows per run agree with the answer key
        counts = pd.Series(rid).value_counts()
        assert (s.truth["n_episodes"].reindex(counts.index) == counts).all()
        assert s.truth["n_episodes"].sum() == len(j)


@pytest.mark.slow
def test_journal_reads_with_runlog(seasons):
    """read_episodes ties every row to the simulated run it was written for."""
    s = seasons["hydration"]
    hist = runlog.read_history(s.gpx_dir, cache=False, workers=1, progress=False)
    assert len(hist.runs) == s.n_runs and len(hist.errors) == 0
    ep = runlog.read_episodes(s.episodes_csv, history=hist)
    assert len(ep) == s.n_episodes
    assert (ep["run_id"].to_numpy() == s.episodes["run_id"].to_numpy()).all()
    flags = runlog.episode_flags(hist.runs, ep, tracked=s.tracked)
    assert flags["tracked"].sum() == s.truth["tracked"].sum()
    assert (flags["numb"].reindex(s.truth.index) == s.truth["numb"]).all()
    notes = runlog.read_run_notes(s.notes_csv, history=hist)
    assert len(notes) == s.n_runs
    assert (notes["shoes"].reindex(s.truth.index).to_numpy() == s.truth["shoes"].to_numpy()).all()


def test_onset_is_reproducible_and_censored():
    rng = np.random.default_rng(0)
    on = sim.draw_onset_min(np.full(4000, 180.0), rng, median_min=38.0, sigma=0.25)
    # on long runs the truncation hardly bites: median ~ 38 min, log-sd ~ 0.25
    assert np.median(on) == pytest.approx(38.0, rel=0.03)
    assert np.std(np.log(on)) == pytest.approx(0.25, rel=0.05)
    short = sim.draw_onset_min(np.full(1000, 30.0), rng)
    assert short.max() <= 30.0 and short.min() >= 3.0
    assert np.median(short) > 25.0  # onsets pile up near the end of short runs


# ---------------------------------------------------------------------------------------------
# Pure model pieces
# ---------------------------------------------------------------------------------------------
def test_weather_formulas():
    # Magnus (b = 17.625, c = 243.04): T = 20, Td = 10:
    # exp(17.625*10/253.04 - 17.625*20/263.04) = exp(0.696530 - 1.340101) = 0.52540
    assert sim.relative_humidity_pct(20.0, 10.0) == pytest.approx(52.54, abs=0.01)
    assert sim.relative_humidity_pct(15.0, 15.0) == pytest.approx(100.0)
    # the annual harmonic: coldest day = mean - amplitude, half a year later mean + amplitude
    assert sim.seasonal_mean_temp_c(20.0) == pytest.approx(11.0 - 9.5)
    assert sim.seasonal_mean_temp_c(20.0 + 365.25 / 2) == pytest.approx(11.0 + 9.5)
    w = sim.hourly_weather(pd.Timestamp("2024-07-01"), 30, np.random.default_rng(1))
    assert len(w) == 30 * 24 and w["time"].dt.tz is not None
    local_hour = (w["time"].dt.hour + 7.85 / 15) % 24
    by_hour = w.groupby(local_hour.round().astype(int) % 24)["air_temp_c"].mean()
    assert by_hour.idxmax() in (14, 15, 16) and by_hour.idxmin() in (2, 3, 4)
    assert w["rel_humidity_pct"].between(0, 100).all()


def test_demo_season_and_errors(tmp_path):
    d = sim.demo_season(tmp_path / "demo")
    assert d.scenario == "hydration" and d.seed == sim.DEMO_SEED and d.cause == "hydration"
    assert "runs with numbness" in repr(d)
    with pytest.raises(RunlogError, match="unknown scenario 'heatstroke'"):
        sim.simulate_season(tmp_path / "x", scenario="heatstroke")
    foreign = tmp_path / "mine" / "gpx"
    foreign.mkdir(parents=True)
    (foreign / "my_run.gpx").write_text("<gpx/>")
    with pytest.raises(RunlogError, match=r"not written by runlog.simulate"):
        sim.simulate_season(tmp_path / "mine")
    assert (foreign / "my_run.gpx").read_text() == "<gpx/>"  # the user's file is untouched


# ---------------------------------------------------------------------------------------------
# End to end: files -> history -> episodes -> features -> analyze (fixed seed 3, 10-s records)
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def analysed(seasons, season_read):
    """Seed 3 in the 'hydration', 'footwear' and 'null' scenarios, analysed through the public API.

    The three seasons write byte-identical GPX, notes and weather files (only
    the journal differs), so the history and the features are read once.
    """
    import warnings

    seasons = {sc: seasons[sc] for sc in ("hydration", "footwear", "null")}
    gpx = {sc: _digest(s.gpx_dir) for sc, s in seasons.items()}
    assert gpx["hydration"] == gpx["footwear"] == gpx["null"]
    read = season_read(seasons["null"])
    hist, notes, weather, feats = read["history"], read["notes"], read["weather"], read["features"]
    reports = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sc, s in seasons.items():
            ep = runlog.read_episodes(s.episodes_csv, history=hist)
            reports[sc] = runlog.analyze(hist, ep, notes=notes, weather=weather, tracked=s.tracked,
                                         features=feats)
    return seasons, feats, reports


@pytest.mark.slow
def test_features_see_the_simulated_schedule_and_weather(analysed):
    seasons, feats, _ = analysed
    truth = seasons["null"].truth
    f = feats.reindex(truth.index)
    # streak of running days up to and including the run: the planted overtraining driver
    assert (f["run_streak_days"].to_numpy() == truth["consecutive_days"].to_numpy()).all()
    # air temperature joined from weather.csv (nearest hour) vs the simulator's run mean
    # (hourly values interpolated over the run): within 1.5 °C on every run
    assert np.nanmax(np.abs(f["air_temp_c"].to_numpy() - truth["air_temp_c"].to_numpy())) < 1.5


@pytest.mark.slow
def test_analysis_finds_planted_hydration(analysed):
    seasons, _, reports = analysed
    rep = reports["hydration"]
    assert rep.n_numb_runs == int(seasons["hydration"].truth["numb"].sum()) == 25
    top = rep.factors.iloc[0]
    assert top["cause"] == "hydration" and top["effect"] > 1
    f = rep.findings.set_index("factor")
    # air temperature from the weather file: more numbness on hotter runs
    assert "air_temp_c" in f.index and f.loc["air_temp_c", "effect"] > 1 and f.loc["air_temp_c", "ci_low"] > 1
    assert f.loc["air_temp_c", "cause"] == "hydration"


@pytest.mark.slow
def test_analysis_ranks_planted_shoes_first(analysed):
    seasons, _, reports = analysed
    t = seasons["footwear"].truth
    t = t[t["tracked"]]
    culprit = t["shoes"] == _scenarios.SHOES[0]
    # seed 3: numbness on 13 of 47 runs in the culprit pair vs 6 of 90 in the others
    # (crude odds ratio (13/34) / (6/84) = 5.35; planted 5)
    assert (int(t.loc[culprit, "numb"].sum()), int(culprit.sum())) == (13, 47)
    assert (int(t.loc[~culprit, "numb"].sum()), int((~culprit).sum())) == (6, 90)
    top = reports["footwear"].factors.iloc[0]
    assert (top["factor"], top["level"], top["cause"]) == ("shoes", _scenarios.SHOES[0], "footwear")
    assert top["effect"] > 1


@pytest.mark.slow
def test_analysis_finds_nothing_in_a_null_season(analysed):
    _, _, reports = analysed
    rep = reports["null"]
    assert rep.testable and rep.n_numb_runs >= 10
    assert len(rep.findings) == 0


# ---------------------------------------------------------------------------------------------
# The newer scenarios, on short seasons (6 journal weeks + 4 of history, 30-s records)
# ---------------------------------------------------------------------------------------------
NEW_SCENARIOS = ("trend", "stopping", "per_minute", "shoes_null", "shoes", "two_causes", "heat_long")
SHORT = {"weeks": 6, "sample_s": 30.0}


@pytest.fixture(scope="module")
def short_seasons(simulated) -> dict[str, sim.Season]:
    """One short season per newer scenario, seed 5 (about half a second each)."""
    return {sc: simulated(sc, 5, **SHORT) for sc in NEW_SCENARIOS}


def _logit(p):
    p = np.asarray(p, dtype="float64")
    return np.log(p / (1 - p))


def test_scenario_tables_agree():
    assert set(NEW_SCENARIOS) | set(ORIGINAL_SCENARIOS) | set(HARD_SCENARIOS) == set(sim.SCENARIOS)
    assert set(sim.SCENARIO_CAUSES) == set(sim.SCENARIOS)
    assert set(sim.DEFAULT_STRENGTH) == set(sim.SCENARIOS) == set(sim.DEFAULT_BASE_RISK)
    for sc, causes in sim.SCENARIO_CAUSES.items():
        assert set(causes) <= set(runlog.schema.CAUSES), sc
    assert set(sim.SCENARIO_ALLOWED) <= set(sim.SCENARIOS)
    assert all(set(v) <= set(runlog.schema.CAUSES) for v in sim.SCENARIO_ALLOWED.values())
    assert sim.SCENARIO_CAUSES["two_causes"] == ("hydration", "overtraining")
    assert sim.SCENARIO_CAUSES["trend"] == () and sim.SCENARIO_CAUSES["shoes"] == ("footwear",)
    assert sim.SCENARIO_ALLOWED["per_minute"] == ("distance",)


def test_new_scenarios_generate(short_seasons):
    for sc, s in short_seasons.items():
        assert s.scenario == sc and s.causes == sim.SCENARIO_CAUSES[sc]
        assert s.cause == (s.causes[0] if s.causes else None)
        assert s.tracked == ("2024-03-04", "2024-04-14")
        t = s.truth
        assert len(list(s.gpx_dir.glob("*.gpx"))) == len(t) > 40, sc
        assert t["p_true"].between(0, 1).all() and not t.loc[~t["tracked"], "numb"].any(), sc
        assert t["n_episodes"].sum() == s.n_episodes == len(pd.read_csv(s.episodes_csv)), sc
        assert (t.loc[t["numb"], "n_episodes"] >= 1).all() and (t.loc[~t["numb"], "n_episodes"] == 0).all()
        meta = __import__("json").loads((s.out_dir / "season.json").read_text())
        assert meta["causes"] == list(s.causes) and meta["scenario"] == sc


def test_new_scenarios_are_reproducible(tmp_path, short_seasons):
    for sc in ("stopping", "shoes", "trend"):
        again = sim.simulate_season(tmp_path / sc, scenario=sc, seed=5, **SHORT)
        assert _digest(again.out_dir) == _digest(short_seasons[sc].out_dir), sc
    other = sim.simulate_season(tmp_path / "other", scenario="stopping", seed=6, **SHORT)
    assert _digest(other.out_dir)["episodes.csv"] != _digest(short_seasons["stopping"].out_dir)["episodes.csv"]


def test_journal_does_not_depend_on_the_records(short_seasons, tmp_path):
    """The journal is drawn from the answer key before any GPX is written: the same seed gives the
    same journal at any record interval, and the shared-schedule scenarios share GPX files."""
    a = sim.simulate_season(tmp_path / "a", scenario="two_causes", seed=5, weeks=6, sample_s=60.0)
    assert a.episodes_csv.read_bytes() != b"" and \
        _digest(a.out_dir)["episodes.csv"] == _digest(short_seasons["two_causes"].out_dir)["episodes.csv"]
    g = {sc: {k: v for k, v in _digest(short_seasons[sc].out_dir).items() if k.startswith("gpx/")}
         for sc in ("trend", "per_minute", "two_causes", "shoes", "stopping")}
    assert g["trend"] == g["per_minute"] == g["two_causes"] == g["shoes"]   # shoes only change the notes
    assert g["stopping"] != g["trend"]                                      # the lace stops are in the GPX


def test_trend_risk_rises_over_the_journal(short_seasons):
    s = short_seasons["trend"]
    t = s.truth[s.truth["tracked"]]
    day = (pd.DatetimeIndex(t["date"]) - pd.Timestamp(s.tracked[0])).days.to_numpy()
    frac = day / (6 * 7 - 1)                                    # 0 on 4 March, 1 on 14 April
    np.testing.assert_allclose(t["journal_frac"], frac)
    # logit rises linearly from logit(0.05) = -2.9444 to logit(0.30) = -0.8473 (strength 2.097141)
    np.testing.assert_allclose(_logit(t["p_true"]), math.log(0.05 / 0.95) + 2.097141 * frac, atol=1e-5)
    assert np.all(np.diff(t["p_true"].to_numpy()) >= -1e-12)   # never falls over the season
    assert t["p_true"].iloc[0] == pytest.approx(0.05, abs=0.005) and t["p_true"].iloc[-1] > 0.28


def test_per_minute_hazard_hand_computed():
    truth = pd.DataFrame({"air_temp_c": [20.0, 5.0, 30.0], "duration_s": [3600.0, 1800.0, 7200.0],
                          "consecutive_days": [1, 5, 9], "shoes": list(_scenarios.SHOES)})
    p = sim.episode_probability(truth, "per_minute", 0.0, 0.25)
    # lambda = -ln(0.75) / 60 = 0.0047947 /min; 30 min: 1 - exp(-0.14384) = 1 - sqrt(0.75) = 0.13397;
    # 120 min: 1 - 0.75^2 = 0.4375; temperature, streak and shoes play no part
    np.testing.assert_allclose(p, [0.25, 0.1339746, 0.4375], atol=1e-7)


def test_per_minute_season_follows_duration(short_seasons):
    s = short_seasons["per_minute"]
    t = s.truth[s.truth["tracked"]]
    lam = -math.log(0.75) / 60.0
    np.testing.assert_allclose(t["p_true"], 1 - np.exp(-lam * t["duration_s"] / 60.0), atol=1e-6)
    assert t.loc[t["kind"] == "long", "p_true"].min() > t.loc[t["kind"] == "recovery", "p_true"].max()


def test_two_causes_truth_depends_on_both_drivers(short_seasons):
    s = short_seasons["two_causes"]
    t = s.truth[s.truth["tracked"]]
    dose = np.clip(t["air_temp_c"] - 12.0, 0, None) * t["duration_s"] / 3600.0
    streak = t["consecutive_days"] - 1.0
    assert dose.std() > 0.5 and streak.std() > 0.5
    # the two slopes come back from the answer key by least squares on logit p = a + b dose + c streak
    X = np.column_stack([np.ones(len(t)), dose, streak])
    coef, *_ = np.linalg.lstsq(X, _logit(t["p_true"]), rcond=None)
    np.testing.assert_allclose(coef, [math.log(0.03 / 0.97), sim.DEFAULT_STRENGTH["two_causes"],
                                      sim.STREAK_STRENGTH_TWO_CAUSES], atol=1e-5)
    # neither driver alone explains it: a one-driver fit leaves residuals of more than 0.1 logit
    for X1 in (X[:, :2], X[:, [0, 2]]):
        c1, *_ = np.linalg.lstsq(X1, _logit(t["p_true"]), rcond=None)
        assert np.abs(X1 @ c1 - _logit(t["p_true"])).max() > 0.1
    # hand-computed: 22 °C for 2 h on the 4th day in a row: logit(0.03) + 0.25*20 + 0.38*3 = 2.6639
    one = pd.DataFrame({"air_temp_c": [22.0], "duration_s": [7200.0], "consecutive_days": [4],
                        "shoes": [_scenarios.SHOES[1]]})
    assert sim.STREAK_STRENGTH_TWO_CAUSES == 0.38
    assert sim.episode_probability(one, "two_causes", 0.25, 0.03)[0] == pytest.approx(0.93486, abs=1e-4)


def test_shoes_rotated_at_random_independent_of_kind(short_seasons):
    from scipy import stats

    for sc in ("shoes", "shoes_null"):
        t = short_seasons[sc].truth
        assert set(t["shoes"]) == set(_scenarios.SHOES)
        # quality sessions are no longer reserved to the racer, nor long runs to the trainers
        q = t[t["kind"].isin(["tempo", "intervals"])]
        assert q["shoes"].nunique() >= 2 and t.loc[t["kind"] == "long", "shoes"].nunique() >= 2
        notes = pd.read_csv(short_seasons[sc].notes_csv)
        assert list(notes["shoes"]) == list(t["shoes"])
    # over many runs: each pair on a third of them, whatever the kind (chi-square test of independence)
    kinds = np.resize(["easy", "recovery", "tempo", "intervals", "long", "easy", "long"], 7000)
    shoes = _notes.draw_shoes(pd.DataFrame({"kind": kinds}), np.random.default_rng(11), at_random=True)
    table = pd.crosstab(kinds, shoes)
    assert stats.chi2_contingency(table).pvalue > 0.01
    np.testing.assert_allclose(table.sum() / 7000, 1 / 3, atol=0.02)
    # shoes_null: nothing planted; shoes: the culprit pair multiplies the odds by 9
    tn = short_seasons["shoes_null"].truth
    assert set(tn.loc[tn["tracked"], "p_true"]) == {0.15}
    ts = short_seasons["shoes"].truth
    ts = ts[ts["tracked"]]
    culprit = ts["shoes"] == _scenarios.SHOES[0]
    odds = 9 * 0.07 / 0.93                                        # 0.67742 -> p = 0.40385
    assert set(ts.loc[culprit, "p_true"].round(5)) == {round(odds / (1 + odds), 5)}
    assert set(ts.loc[~culprit, "p_true"].round(6)) == {0.07}


def test_heat_long_puts_long_runs_on_hot_days(short_seasons):
    t = short_seasons["heat_long"].truth
    longs = t[t["kind"] == "long"]
    hours = pd.DatetimeIndex(longs["start_local"]).hour
    assert ((hours >= 12) & (hours <= 14)).all()
    assert longs["air_temp_c"].mean() > t.loc[t["kind"] != "long", "air_temp_c"].mean() + 3
    tr = t[t["tracked"]]
    dose = np.clip(tr["air_temp_c"] - 12.0, 0, None) * tr["duration_s"] / 3600.0
    np.testing.assert_allclose(_logit(tr["p_true"]), math.log(0.05 / 0.95) + 0.15 * dose, atol=1e-4)


def test_stopping_gpx_shows_the_lace_stop(short_seasons):
    s = short_seasons["stopping"]
    t = s.truth
    assert set(t.loc[t["tracked"], "p_true"]) == {0.15}             # no cause: constant risk
    numb = t[t["numb"]]
    assert len(numb) >= 3 and numb["stop_start_s"].notna().all() and t.loc[~t["numb"], "stop_s"].isna().all()
    # the stop starts 0-1 min after the journal's onset and lasts 1-2 min
    lag = numb["stop_start_s"] - 60 * numb["onset_min"]
    assert lag.between(0, 60).all() and numb["stop_s"].between(60, 120).all()
    truth_csv = pd.read_csv(s.truth_csv)
    assert {"stop_start_s", "stop_s"} <= set(truth_csv.columns)
    checked = 0
    for _, r in numb.iterrows():
        if r["stop_start_s"] + r["stop_s"] + 120 > r["duration_s"]:
            continue                                                 # the stop runs into the end
        rec = runlog.read_gpx(s.gpx_dir / r["file"]).records
        el = (rec.index - rec.index[0]).total_seconds().to_numpy()
        during = (el >= r["stop_start_s"] + 30) & (el < r["stop_start_s"] + r["stop_s"])
        before = (el >= r["stop_start_s"] - 240) & (el < r["stop_start_s"])
        assert during.sum() >= 1 and (rec.loc[during, "cadence_spm"] == 0).all()   # standing
        # positions move by GPS error only while standing (< 10 m), 400+ m in the 4 min before
        dist = rec["distance_m"].to_numpy()
        moved = dist[np.flatnonzero(during)[-1]] - dist[np.flatnonzero(during)[0]]
        assert moved < 10 and dist[np.flatnonzero(before)[-1]] - dist[np.flatnonzero(before)[0]] > 400
        # heart rate falls while standing (40-s time constant: 20+ bpm below the minutes before)
        hr = rec["hr_bpm"].to_numpy()
        assert hr[during].min() < np.median(hr[before]) - 15
        checked += 1
    assert checked >= 2
    # in the answer key: the same seed without the stop ('shoes_null' shares the plan, the journal
    # and the random draws of the records) covers more ground: stop + 5 % slower afterwards
    other = short_seasons["shoes_null"].truth
    assert (other.loc[numb.index, "distance_m"] > numb["distance_m"] + 100).all()
    assert (other.loc[~t["numb"], "distance_m"] == t.loc[~t["numb"], "distance_m"]).all()


# ---------------------------------------------------------------------------------------------
# Hills: the energy cost of running on gradients (Minetti et al. 2002)
# ---------------------------------------------------------------------------------------------
def test_minetti_cost_hand_computed():
    # C(i) = 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6 [J/(kg m)]
    # i = 0:    3.6
    # i = 0.1:  155.4e-5 - 30.4e-4 - 43.3e-3 + 46.3e-2 + 1.95 + 3.6
    #         = 0.001554 - 0.00304 - 0.0433 + 0.463 + 1.95 + 3.6 = 5.968214
    # i = -0.1: -0.001554 - 0.00304 + 0.0433 + 0.463 - 1.95 + 3.6 = 2.151706
    np.testing.assert_allclose(sim.running_cost_j_kg_m([0.0, 0.1, -0.1]), [3.6, 5.968214, 2.151706], rtol=1e-12)
    # clipped to the measured range +-0.45
    assert sim.running_cost_j_kg_m(0.6) == sim.running_cost_j_kg_m(0.45)
    # speed: r = 5.968214 / 3.6 = 1.657837 -> r^-0.5 = 0.77666 uphill;
    # r = 2.151706 / 3.6 = 0.597696 -> r^-0.3 = 1.1670, clipped to 1.12 downhill
    np.testing.assert_allclose(sim.grade_speed_factor([0.0, 0.1, -0.1]), [1.0, 0.776656, 1.12], atol=1e-6)


def test_runners_slow_uphill_and_heart_rate_follows_the_cost():
    w = sim.hourly_weather(pd.Timestamp("2024-05-01"), 3, np.random.default_rng(0))
    route = sim.make_route(8300.0, bearing_deg=260.0, hill_m=40.0, n_hills=3)
    rec = sim.run_records(pd.Timestamp("2024-05-02 07:00", tz="UTC"), 3600.0, "easy", w, sim.Runner(),
                          np.random.default_rng(1), route=route, lat_deg=48.0, lon_deg=7.85,
                          season_fraction=0.5, sample_s=5.0)
    rec = rec[rec.index >= rec.index[0] + pd.Timedelta(minutes=5)]      # past the warm-up of HR
    up, flat, down = rec["grade"] > 0.025, rec["grade"].abs() < 0.01, rec["grade"] < -0.025
    v = [rec.loc[m, "speed_mps"].mean() for m in (up, flat, down)]
    hr = [rec.loc[m, "hr_bpm"].mean() for m in (up, flat, down)]
    assert v[0] < 0.95 * v[1] and v[2] > 1.03 * v[1]                    # slower up, faster down
    assert hr[0] > hr[1] + 5 and hr[2] < hr[1] - 5                      # yet harder up, easier down
    # the distance is the integral of the recorded speed
    t = (rec.index - rec.index[0]).total_seconds().to_numpy()
    trap = np.sum(0.5 * (rec["speed_mps"].to_numpy()[1:] + rec["speed_mps"].to_numpy()[:-1]) * np.diff(t))
    assert rec["distance_m"].iloc[-1] - rec["distance_m"].iloc[0] == pytest.approx(trap, rel=0.005)


# ---------------------------------------------------------------------------------------------
# The hard cases of issue 22 (what a real runner's data brings), on short seasons
# ---------------------------------------------------------------------------------------------
HARD_SCENARIOS = ("spike", "missing_temp", "partner", "long_history", "few_episodes", "bad_spells", "long_before",
                  "trend_stopping", "heat_exposure")


@pytest.fixture(scope="module")
def hard(simulated):
    """One short season per hard scenario (8 journal weeks + 4 of history, 30-s records), seed 5; the
    long history is tested on its own (it writes two and a half years of runs)."""
    return {sc: simulated(sc, 5, weeks=8, sample_s=30.0) for sc in HARD_SCENARIOS if sc != "long_history"}


def test_spike_risk_follows_the_acute_chronic_ratio(hard):
    t = hard["spike"].truth
    tracked = t[t["tracked"]]
    acwr = tracked["acwr_min"].to_numpy()
    # spike weeks: half as much again or more, on the same days
    assert np.nanmax(acwr) > 1.4
    # logit p = logit(base) + strength (acwr - 1), by hand on every tracked run
    want = _logit(sim.DEFAULT_BASE_RISK["spike"]) + sim.DEFAULT_STRENGTH["spike"] * np.nan_to_num(acwr - 1.0)
    np.testing.assert_allclose(_logit(tracked["p_true"]), want, atol=1e-5)
    drv = sim.true_drivers(t, "spike")
    np.testing.assert_allclose(drv["overtraining"], np.nan_to_num(t["acwr_min"] - 1.0))


def test_a_second_watch_without_temperature(hard):
    s = hard["missing_temp"]
    assert not s.use_weather and hard["spike"].use_weather
    t = s.truth
    assert 0.2 < t["second_watch"].mean() < 0.5
    no_temp = [f for f in t.loc[t["second_watch"], "file"]]
    for f in no_temp[:3]:
        assert "atemp" not in (s.gpx_dir / f).read_text()
    with_temp = t.loc[~t["second_watch"], "file"].iloc[0]
    assert "atemp" in (s.gpx_dir / with_temp).read_text()


def test_a_partner_who_is_never_journalled(hard):
    s = hard["partner"]
    t = s.truth
    p = t[t["partner"]]
    assert len(p) > 10 and (p["p_true"] == 0).all() and not p["numb"].any()
    hour = pd.to_datetime(p["start_local"]).dt.hour
    assert hour.between(18, 21).all()
    assert set(p.index).isdisjoint(set(s.episodes.get("run_id", pd.Series(dtype=str))))
    assert len(list(s.gpx_dir.glob("*.gpx"))) == len(t)
    # the runner's own runs are the 'hydration' runner's, file for file
    assert (t.loc[~t["partner"], "p_true"] > 0).any()


def test_bad_spells_are_a_daily_ar1(hard):
    t = hard["bad_spells"].truth
    assert "latent_logodds" in t
    day = (pd.to_datetime(t["date"]) - pd.to_datetime(t["date"]).min()).dt.days.to_numpy()
    u = t["latent_logodds"].to_numpy()
    # consecutive days: correlation near phi (0.9); runs on the same day share the value
    nxt = np.searchsorted(day, day + 1)
    ok = (nxt < len(day)) & (day[np.minimum(nxt, len(day) - 1)] == day + 1)
    r = np.corrcoef(u[ok], u[nxt[ok]])[0, 1]
    assert 0.7 < r < 0.98
    np.testing.assert_allclose(_logit(t.loc[t["tracked"], "p_true"]),
                               _logit(sim.DEFAULT_BASE_RISK["bad_spells"]) + t.loc[t["tracked"], "latent_logodds"],
                               atol=1e-5)


def test_a_long_run_the_day_before(hard):
    t = hard["long_before"].truth
    tr = t[t["tracked"]]
    after = tr["long_day_before"].astype(bool)
    assert after.any() and (~after).any()
    assert tr.loc[after, "p_true"].min() > tr.loc[~after, "p_true"].max()
    assert sim.true_drivers(t, "long_before").shape[1] == 0       # outside runlog's catalogue


def test_heat_exposure_driver_by_hand(hard):
    t = hard["heat_exposure"].truth
    tr = t["tracked"].to_numpy()
    temp = t["air_temp_c"].to_numpy()
    want = (temp - np.median(temp[tr])) * t["duration_s"].to_numpy() / 3600.0
    np.testing.assert_allclose(sim.true_drivers(t, "heat_exposure")["hydration"], want)


def test_trend_stopping_and_few_episodes(hard):
    ts = hard["trend_stopping"].truth
    assert ts.loc[ts["numb"], "stop_s"].notna().all()
    few = hard["few_episodes"].truth
    assert few["numb"].sum() < hard["partner"].truth["numb"].sum()


@pytest.mark.slow
def test_long_history_writes_the_years_before(tmp_path):
    s = sim.simulate_season(tmp_path / "long", scenario="long_history", seed=5, weeks=2, sample_s=60.0)
    first = pd.to_datetime(s.truth["date"]).min()
    assert (pd.Timestamp(s.tracked[0]) - first).days >= 7 * _scenarios.LONG_HISTORY_WEEKS - 7
    assert s.truth["tracked"].mean() < 0.05
