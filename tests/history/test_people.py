"""Runs that look like someone else's (runlog.history.likely_others, History.others / drop)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runlog.history import History, likely_others
from runlog.journal import read_episodes


def _runs(rng, n, *, speed=2.8, speed_sd=0.18, cadence_offset=0.0, hr_offset=0.0, device="watch", hours=(7, 18),
          start="2024-03-01", quality=0.15, hot_long=0.1):
    """Foot runs of one person: cadence 140 + 10 v, heart rate 40 + 35 v along their own lines, with a
    share of quality sessions (faster, heart rate above the line) and of long hot runs (heart rate drift)."""
    day = np.sort(rng.choice(np.arange(180), n, replace=False))
    v = rng.normal(speed, speed_sd, n)
    q = rng.random(n) < quality
    v[q] += 0.6
    hot = rng.random(n) < hot_long
    cad = 140 + 10 * v + cadence_offset + rng.normal(0, 1.5, n)
    hr = 40 + 35 * v + hr_offset + 8 * q + 10 * hot + rng.normal(0, 3, n)
    hour = rng.choice(hours, n) + rng.uniform(0, 1.5, n)
    start_local = pd.Timestamp(start) + pd.to_timedelta(day, unit="D") + pd.to_timedelta(hour, unit="h")
    return pd.DataFrame({"start_time": start_local.tz_localize("UTC"), "start_local": start_local,
                         "sport": "running", "avg_speed_mps": v, "avg_cadence_spm": cad, "avg_hr_bpm": hr,
                         "elapsed_s": np.where(hot, 6000.0, 2700.0), "device": device})


def _history(*parts) -> pd.DataFrame:
    runs = pd.concat(parts, ignore_index=True)
    runs.index = pd.Index([f"r{i:03d}" for i in range(len(runs))], name="run_id")
    return runs


def test_one_runner_with_hard_sessions_and_hot_long_runs_is_one_person():
    for seed in range(5):
        rng = np.random.default_rng(seed)
        out = likely_others(_history(_runs(rng, 150)))
        assert not out["other"].any(), seed


def test_a_partner_who_runs_differently_is_found():
    rng = np.random.default_rng(1)
    runs = _history(_runs(rng, 140), _runs(rng, 60, speed=2.3, speed_sd=0.08, cadence_offset=9, hr_offset=15,
                                         hours=(19,), quality=0.0, hot_long=0.0))
    out = likely_others(runs)
    partner = np.arange(len(runs)) >= 140
    assert (out["other"].to_numpy() == partner).all()
    flagged = out[out["other"]].iloc[0]
    assert flagged["how"] == "pattern"
    assert flagged["speed_diff_pct"] < -10 and flagged["cadence_diff_spm"] > 5 and flagged["hr_diff_bpm"] > 5
    assert 19 <= flagged["start_hour_h"] <= 21


def test_the_same_runs_are_worked_out_once_and_each_caller_gets_its_own_copy(monkeypatch):
    # a report asks for the same runs three times (import line, analysis, History.others): one fit
    from runlog.history import _people

    rng = np.random.default_rng(1)
    runs = _history(_runs(rng, 140), _runs(rng, 60, speed=2.3, speed_sd=0.08, cadence_offset=9, hr_offset=15,
                                         hours=(19,), quality=0.0, hot_long=0.0))
    calls = []
    real = _people._likely_others
    monkeypatch.setattr(_people, "_likely_others", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(_people, "_REMEMBERED", type(_people._REMEMBERED)())   # nothing remembered yet
    first = likely_others(runs)
    first.loc[:, "other"] = False   # a caller changing its answer changes nobody else's
    again = likely_others(runs.copy())
    assert len(calls) == 1 and again["other"].sum() == 60
    # any changed value, or another seed, is worked out afresh
    changed = runs.copy()
    changed.iloc[0, changed.columns.get_loc("avg_speed_mps")] += 0.01
    likely_others(changed)
    likely_others(runs, seed=1)
    assert len(calls) == 3


def test_with_a_cache_the_next_process_reads_the_answer_instead_of_fitting(tmp_path, monkeypatch):
    # the runlog program keeps the answer in its cache: a warm report does not fit the mixtures again
    from runlog.history import ActivityCache, _people

    rng = np.random.default_rng(1)
    runs = _history(_runs(rng, 140), _runs(rng, 60, speed=2.3, speed_sd=0.08, cadence_offset=9, hr_offset=15,
                                         hours=(19,), quality=0.0, hot_long=0.0))
    monkeypatch.setattr(_people, "_REMEMBERED", type(_people._REMEMBERED)())
    monkeypatch.setattr(_people, "_STORE", None)
    worked_out = likely_others(runs)
    store = ActivityCache(tmp_path)
    assert _people.remember_in(store) is None   # what the runlog program does with its cache; the store before
    monkeypatch.setattr(_people, "_REMEMBERED", type(_people._REMEMBERED)())   # a new process
    pd.testing.assert_frame_equal(likely_others(runs), worked_out)            # worked out and stored
    assert len(list(store.answer_dir.glob("others-*.arrow"))) == 1
    calls = []
    real = _people._likely_others
    monkeypatch.setattr(_people, "_likely_others", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(_people, "_REMEMBERED", type(_people._REMEMBERED)())   # another new process
    pd.testing.assert_frame_equal(likely_others(runs), worked_out)
    assert calls == []
    # other runs, another seed, or other code are other keys: worked out
    changed = runs.copy()
    changed.iloc[0, changed.columns.get_loc("avg_speed_mps")] += 0.01
    likely_others(changed)
    likely_others(runs, seed=1)
    assert len(calls) == 2
    key = _people._content_key(runs, 0)
    before = _people._stored_key(key)
    edited = tmp_path / "edited.py"
    edited.write_text("# the module, edited\n")
    monkeypatch.setattr(_people, "__file__", str(edited))
    assert _people._stored_key(key) != before
    # code whose source cannot be read cannot be told from another version's: nothing kept across processes
    monkeypatch.setattr(_people, "__file__", str(tmp_path / "gone.py"))
    assert _people._stored_key(key) is None
    n_answers = len(list(store.answer_dir.glob("others-*.arrow")))
    monkeypatch.setattr(_people, "_REMEMBERED", type(_people._REMEMBERED)())
    pd.testing.assert_frame_equal(likely_others(runs), worked_out)   # worked out, not read nor written
    assert len(calls) == 3 and len(list(store.answer_dir.glob("others-*.arrow"))) == n_answers
    monkeypatch.undo()   # the module as it is, with the cache as the program sets it
    monkeypatch.setattr(_people, "_STORE", store)
    monkeypatch.setattr(_people, "_likely_others", lambda *a: calls.append(1) or real(*a))
    # a stored frame of another shape (a foreign or older answer) is not taken
    store.put_answer("others", _people._stored_key(key), worked_out.iloc[:5])
    monkeypatch.setattr(_people, "_REMEMBERED", type(_people._REMEMBERED)())
    pd.testing.assert_frame_equal(likely_others(runs), worked_out)
    assert len(calls) == 4


def test_a_second_device_counts_only_when_its_person_runs_differently():
    rng = np.random.default_rng(2)
    # the runner's phone on some runs: same person, interleaved -> nobody else
    same = _history(_runs(rng, 120), _runs(rng, 40, device="phone"))
    assert not likely_others(same)["other"].any()
    # a partner's watch, slower with a higher heart rate for the pace, interleaved -> found, by device
    other = _history(_runs(rng, 120), _runs(rng, 80, speed=2.35, speed_sd=0.12, cadence_offset=-6, hr_offset=18,
                                            device="fr235", quality=0.0))
    out = likely_others(other)
    assert out["other"].sum() == 80 and (out.loc[out["other"], "how"] == "device: fr235").all()
    # a new watch half-way through the year, and fitter: two blocks, not turns -> the runner's own
    before = _runs(rng, 80, device="old watch")
    after = _runs(rng, 80, device="new watch", speed=3.1, hr_offset=-10, start="2024-09-01")
    assert not likely_others(_history(before, after))["other"].any()


def test_too_few_runs_are_never_split():
    rng = np.random.default_rng(3)
    runs = _history(_runs(rng, 15), _runs(rng, 10, speed=2.2, cadence_offset=10, hr_offset=20))
    assert not likely_others(runs)["other"].any()


@pytest.fixture(scope="module")
def partner_history(simulated, season_read):
    return season_read(simulated("partner", seed=1003, sample_s=30))["history"], simulated("partner", seed=1003,
                                                                                            sample_s=30)


def test_history_others_and_drop_on_a_simulated_export(partner_history):
    hist, season = partner_history
    truth = season.truth
    others = hist.others()
    # the partner's runs that the history holds (a run the two recorded together is read once)
    assert set(others.index) == set(truth.index[truth["partner"]]) & set(hist.runs.index)
    assert list(others.columns[:4]) == ["date", "start", "distance_km", "file"]
    kept = hist.drop(others.index)
    assert isinstance(kept, History) and len(kept) == len(hist) - len(others)
    assert not kept.records.index.get_level_values("run_id").isin(others.index).any()
    assert len(kept.others()) == 0


def test_analyze_leaves_them_out_and_says_so(partner_history):
    import warnings

    import runlog

    hist, season = partner_history
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = runlog.analyze(hist, season.episodes_csv, weather=season.weather_csv, tracked=season.tracked)
        kept = runlog.analyze(hist, season.episodes_csv, weather=season.weather_csv, tracked=season.tracked,
                              others="keep")
    n = int(season.truth["partner"].reindex(hist.runs.index).fillna(False).sum())
    assert len(rep.others) == n
    assert any(note.startswith(f"{n} runs look like someone else's") for note in rep.notes)
    assert not rep.analysed_runs.isin(rep.others.index).any()
    assert kept.others is None and kept.n_runs > rep.n_runs
    with pytest.raises(runlog.AnalysisError, match="others must be"):
        runlog.analyze(hist, season.episodes_csv, others="maybe")


def test_a_journal_date_with_a_partners_run_that_day_is_the_runners(partner_history):
    """A journal row with a date only, on a day the partner ran too: the runner's run is taken (before,
    the row was refused: '2 runs on <date>')."""
    hist, _season = partner_history
    others = set(hist.others().index)
    runs = hist.runs
    day = pd.to_datetime(runs["start_local"]).dt.normalize()
    both = [d for d, ids in runs.groupby(day).groups.items()
            if len(ids) == 2 and len(others.intersection(ids)) == 1]
    assert len(both) >= 3
    rows = pd.DataFrame({"date": [d.strftime("%Y-%m-%d") for d in both[:3]], "onset_min": [5, 5, 5]})
    ep = read_episodes(rows, history=hist)
    mine = [next(i for i in runs.index[day == d] if i not in others) for d in both[:3]]
    assert ep["run_id"].tolist() == mine
