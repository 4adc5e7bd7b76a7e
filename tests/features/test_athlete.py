"""Athlete: validation, estimates from a history, and their reporting."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog.features.athlete import DEFAULT_BODY_MASS_KG, DEFAULT_HR_REST_BPM, AthleteError, estimate_hr_max_bpm
from runlog.io._activity import finalize


def _history(max_hrs):
    acts = []
    for i, m in enumerate(max_hrs):
        idx = pd.Timestamp("2024-01-01T07:00Z") + pd.Timedelta(days=i) + pd.to_timedelta(np.arange(3), unit="s")
        rec = pd.DataFrame({"hr_bpm": [m - 20.0, m, m - 10.0], "speed_mps": 3.0}, index=idx)
        acts.append(finalize(rec, None, {"source": f"r{i}.fit", "format": "fit", "sport": "running"}))
    return runlog.History.from_activities(acts)


def test_hr_max_from_a_high_percentile_of_per_run_maxima():
    # per-run maxima 150..190 step 10 plus a run of 280-300 bpm artefacts (all above 230: dropped):
    # 98th percentile of [150, 160, 170, 180, 190] = 180 + 0.92 * 10 = 189.2 (linear interpolation)
    h = _history([150, 160, 170, 180, 190, 300])
    value, how = estimate_hr_max_bpm(h)
    assert value == pytest.approx(189.2)
    assert "98th percentile" in how and "5 per-run" in how


def test_from_history_reports_every_estimate():
    h = _history([150, 170, 190])
    a = runlog.Athlete.from_history(h, sex="f")
    assert a.sex == "female" and a.trimp_constants == (0.86, 1.67)
    assert a.hr_max_bpm == pytest.approx(np.percentile([150, 170, 190], 98))
    assert a.estimated["hr_max_bpm"].startswith("estimated:")
    assert a.hr_rest_bpm == DEFAULT_HR_REST_BPM and a.estimated["hr_rest_bpm"].startswith("default:")
    assert a.body_mass_kg == DEFAULT_BODY_MASS_KG and a.estimated["body_mass_kg"].startswith("default:")
    assert "sex" not in a.estimated                      # given
    assert a.estimated["threshold_hr_bpm"].startswith("unknown:")
    s = a.to_series()
    assert s[("sex", "source")] == "given" and s[("hr_rest_bpm", "source")].startswith("default")


def test_known_values_win_and_body_mass_from_notes():
    h = _history([150, 170, 190])
    notes = pd.DataFrame({"body_mass_pre_kg": [61.0, 62.0, np.nan, 63.0]})
    a = runlog.Athlete.from_history(h, notes=notes, hr_max_bpm=195, hr_rest_bpm=45)
    assert (a.hr_max_bpm, a.hr_rest_bpm) == (195.0, 45.0)
    assert "hr_max_bpm" not in a.estimated and "hr_rest_bpm" not in a.estimated
    assert a.body_mass_kg == 62.0 and "3 run notes" in a.estimated["body_mass_kg"]
    assert a.sex is None and a.trimp_constants == (0.64, 1.92) and "men's constants" in a.estimated["sex"]


def test_history_without_hr():
    idx = pd.Timestamp("2024-01-01T07:00Z") + pd.to_timedelta(np.arange(3), unit="s")
    act = finalize(pd.DataFrame({"speed_mps": 3.0}, index=idx), None, {"source": "x.gpx", "format": "gpx"})
    a = runlog.Athlete.from_history(runlog.History.from_activities([act]))
    assert a.hr_max_bpm is None and a.estimated["hr_max_bpm"].startswith("unknown:")


@pytest.mark.parametrize("kwargs, match", [
    ({"hr_max_bpm": 150, "hr_rest_bpm": 160}, "below hr_max_bpm"),
    ({"hr_max_bpm": 400}, "outside"),
    ({"sex": "x"}, "'male', 'female'"),
    ({"body_mass_kg": -3}, "positive"),
    ({"body_mass_kg": "heavy"}, "must be a number"),
])
def test_invalid_values_raise(kwargs, match):
    with pytest.raises(AthleteError, match=match):
        runlog.Athlete(**kwargs)
    assert issubclass(AthleteError, runlog.RunlogError) and issubclass(AthleteError, ValueError)


def test_unknown_keyword_is_refused():
    with pytest.raises(AthleteError, match="unknown Athlete value"):
        runlog.Athlete.from_history(None, hr_maximum=190)


def test_frozen_picklable_and_equality_ignores_estimated():
    a = runlog.Athlete.from_history(None, hr_max_bpm=190)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.hr_max_bpm = 180
    with pytest.raises(TypeError):
        a.estimated["x"] = "y"
    b = pickle.loads(pickle.dumps(a))
    assert b == a and dict(b.estimated) == dict(a.estimated)
    assert copy.deepcopy(a) == a
    c = a.with_values(hr_rest_bpm=40)
    assert c.hr_rest_bpm == 40 and "hr_rest_bpm" not in c.estimated and "sex" in c.estimated


# --------------------------------------------------------------------------
# The runner's own values: settings file, provenance, the report's caveat (issue 24 item 4)
# --------------------------------------------------------------------------
def test_settings_file_is_read_and_known_values_win(tmp_path, monkeypatch):
    from runlog.features.athlete import read_settings, settings_path

    f = tmp_path / "settings.toml"
    f.write_text('[athlete]\nhr_max_bpm = 186\nhr_rest_bpm = 48\nsex = "f"\n', encoding="utf-8")
    monkeypatch.setenv("RUNLOG_SETTINGS", str(f))
    assert settings_path() == f
    assert read_settings() == {"hr_max_bpm": 186.0, "hr_rest_bpm": 48.0, "sex": "female"}
    h = _history([150, 170, 190])
    a = runlog.Athlete.from_history(h, hr_max_bpm=190, given_by="command line")
    assert (a.hr_max_bpm, a.hr_rest_bpm, a.sex) == (190.0, 48.0, "female")
    assert dict(a.given) == {"hr_max_bpm": "command line", "hr_rest_bpm": f"settings file {f}",
                             "sex": f"settings file {f}"}
    prov = a.provenance()
    assert list(prov.columns) == ["value", "unit", "status", "how"]
    assert prov.loc["hr_max_bpm"].tolist() == [190.0, "beats/min", "given", "command line"]
    assert prov.loc["sex", "value"] == "female" and prov.loc["sex", "status"] == "given"
    assert prov.loc["body_mass_kg", "status"] == "default"
    assert prov.loc["threshold_hr_bpm", "value"] is None and prov.loc["threshold_hr_bpm", "status"] == "unknown"
    # settings=False: the file is not read (the demo's runner is not you)
    assert runlog.Athlete.from_history(h, settings=False).hr_rest_bpm == DEFAULT_HR_REST_BPM


def test_default_config_folder_is_platformdirs(monkeypatch):
    import platformdirs

    from runlog.features.athlete import settings_path

    monkeypatch.delenv("RUNLOG_SETTINGS")
    assert settings_path() == Path(platformdirs.user_config_dir("runlog")) / "settings.toml"


@pytest.mark.parametrize("text, match", [
    ("[athlete\nhr_max_bpm = 186\n", r"is not a TOML settings file \(.*line 1"),
    ("[athlete]\nhr_max = 186\n", r"unknown key\(s\) hr_max; the keys are hr_max_bpm, "),
    ("[athlete]\nhr_max_bpm = 186\nhr_rest_bpm = 190\n", r"hr_rest_bpm \(190\) must be below hr_max_bpm"),
    ("athlete = 3\n", r"'athlete' must be a table"),
])
def test_bad_settings_file_names_the_file_and_the_fix(tmp_path, text, match):
    from runlog.features.athlete import read_settings

    f = tmp_path / "settings.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(AthleteError, match=match) as exc:
        read_settings(f)
    assert str(exc.value).startswith(f"{f}: ")
    with pytest.raises(AthleteError, match="no such settings file"):
        read_settings(tmp_path / "none.toml", missing_ok=False)
    assert read_settings(tmp_path / "none.toml") == {}


def test_estimates_name_their_method_and_source():
    a = runlog.Athlete.from_history(_history([150, 170, 190]))
    prov = a.provenance()
    assert prov.loc["hr_max_bpm", "status"] == "estimated"
    assert "98th percentile of the 3 per-run maximum HRs" in prov.loc["hr_max_bpm", "how"]
    assert "Tanaka, Monahan & Seals 2001" in prov.loc["hr_max_bpm", "how"]
    assert prov.loc["hr_rest_bpm", "status"] == "default" and "Karvonen" in prov.loc["hr_rest_bpm", "how"]
    assert prov.loc["sex", "status"] == "unknown" and "Morton, Fitz-Clarke & Banister 1990" in prov.loc["sex", "how"]


def test_physiology_caveat_says_what_was_given_and_what_assumed():
    from runlog.render.wording import physiology_caveat

    given = runlog.Athlete.from_history(_history([150, 170, 190]), hr_max_bpm=186, hr_rest_bpm=48, sex="f",
                                        given_by="command line")
    text = physiology_caveat(given.provenance())
    assert text.startswith("Your values: maximum heart rate 186 beats/min, resting heart rate 48 beats/min, "
                           "sex female (given: command line).")
    assert "Body mass 70 kg assumed" in text
    assumed = physiology_caveat(runlog.Athlete.from_history(_history([150, 170, 190])).provenance())
    assert not assumed.startswith("Your values")
    assert "Maximum heart rate 189 beats/min estimated from your runs: 98th percentile" in assumed
    assert "Resting heart rate 60 beats/min assumed: a typical adult value (resting HR" in assumed
    assert "Sex not given: training load (TRIMP) uses the men's constants" in assumed
    assert assumed.endswith("give your own with runlog report --hr-max, --hr-rest and --sex, or once in the "
                            "settings file ([athlete] table).")
