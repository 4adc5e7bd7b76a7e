"""Tests of runlog.read_run_notes and notes_from_history (per-run context and gear).

Notes files are hand-written into tmp_path and tied to a history of real FIT/GPX
files from tests/data; every user file is hashed before and after reading.
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog import schema
from runlog.errors import NotesError
from runlog.journal import EXAMPLE_RUN_NOTES, notes_from_history, read_run_notes

FILES = [
    "fit/fitparse__activity-small-fenix2-run.fit",   # 2015-08-15 16:45:08 local (+02:00)
    "fit/workoutizer__run_with_coordinates.fit",    # 2020-12-10 07:27:05 local (+01:00)
    "gpx/heartandsole__testdata.gpx",               # 2021-04-16 07:37:53 local (America/Denver)
    "fit/heartandsole__B47I2852.FIT",               # 2021-04-07 18:28:52 local (UTC date 2021-04-08)
]
FENIX, WKZ, DENVER, B47 = "20150815T1445Z", "20201210T0627Z", "20210416T1337Z", "20210408T0028Z"


def _read(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [runlog.read_activity(data_dir / p) for p in FILES]


@pytest.fixture(scope="module")
def activities(data_dir):
    return _read(data_dir)


@pytest.fixture(scope="module")
def history(activities):
    return runlog.History.from_activities(activities)


@pytest.fixture(scope="module")
def geared(activities):
    """The same runs with Strava-style gear metadata on two of them."""
    meta = pd.DataFrame({"gear": ["Pegasus 40", " Clifton 9 "]}, index=[FENIX, DENVER])
    return runlog.History.from_activities(activities, metadata=meta)


def write(tmp_path, text, name="notes.csv", *, bom=False, newline="\n"):
    data = text.replace("\n", newline).encode("utf-8")
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_column_round_trip(tmp_path, history):
    path = write(tmp_path, (
        "date,time,run,shoes,lacing,fluid_ml,body_mass_pre_kg,body_mass_post_kg,rpe,surface,warmup_min,"
        "sleep_h,insoles,caffeine_mg\n"
        "2015-08-15,16:45,,Pegasus 40,Tight,500,71.5,70.1,7,Road,10,6.5,custom,200\n"
        ",,workoutizer__run_with_coordinates.fit,Clifton 9,heel lock,0,70,69.8,3,trail,0,8,stock,\n"
        "2021-04-07,,,,,,,,,,,,,0\n"
    ))
    before = sha(path)
    notes = read_run_notes(path, history=history)
    assert sha(path) == before
    assert notes.index.name == "run_id"
    assert notes.index.tolist() == [FENIX, WKZ, B47]
    # only run properties: the notes columns, then the extras (all usable as factors)
    assert list(notes.columns) == [*schema.NOTES_COLUMNS, "insoles", "caffeine_mg"]
    assert notes.attrs["extras"] == ["insoles", "caffeine_mg"]
    assert notes["shoes"].tolist() == ["Pegasus 40", "Clifton 9", pd.NA]
    assert notes["lacing"].tolist() == ["tight", "heel lock", pd.NA]      # lower-cased categories
    assert notes["surface"].tolist() == ["road", "trail", pd.NA]
    np.testing.assert_array_equal(notes["fluid_ml"].to_numpy(), [500.0, 0.0, np.nan])
    np.testing.assert_array_equal(notes["body_mass_pre_kg"].to_numpy(), [71.5, 70.0, np.nan])
    np.testing.assert_array_equal(notes["body_mass_post_kg"].to_numpy(), [70.1, 69.8, np.nan])
    np.testing.assert_array_equal(notes["rpe"].to_numpy(), [7.0, 3.0, np.nan])
    np.testing.assert_array_equal(notes["warmup_min"].to_numpy(), [10.0, 0.0, np.nan])
    np.testing.assert_array_equal(notes["sleep_h"].to_numpy(), [6.5, 8.0, np.nan])
    # B47I2852 starts 2021-04-08 00:28 UTC: its local date 2021-04-07 finds it
    assert notes.attrs["lines"] == [2, 3, 4]
    assert notes.attrs["source"] == str(path)
    # extras: numeric when every filled cell is a number, else text
    assert str(notes["caffeine_mg"].dtype) == "float64"
    np.testing.assert_array_equal(notes["caffeine_mg"].to_numpy(), [200.0, np.nan, 0.0])
    assert str(notes["insoles"].dtype) == "string"
    assert notes["insoles"].tolist() == ["custom", "stock", pd.NA]
    for name, col in schema.NOTES_COLUMNS.items():
        assert str(notes[name].dtype) == col.dtype, name


def test_spellings_and_litres(tmp_path, history):
    path = write(tmp_path, "Date,Shoe,Laces,Fluid (l),Weight pre (kg),Weight post [kg],Effort (0-10),Warm-up,"
                           "Sleep (h)\n2015-08-15,X,loose,0.75,72,71,5,15,7\n")
    notes = read_run_notes(path, history=history)
    row = notes.loc[FENIX]
    assert (row["shoes"], row["lacing"]) == ("X", "loose")
    assert row["fluid_ml"] == pytest.approx(750.0, abs=1e-9)  # 0.75 l * 1000
    assert (row["body_mass_pre_kg"], row["body_mass_post_kg"], row["rpe"]) == (72.0, 71.0, 5.0)
    assert (row["warmup_min"], row["sleep_h"]) == (15.0, 7.0)
    assert notes.attrs["extras"] == []


def test_all_problems_reported_together(tmp_path, history):
    path = write(tmp_path, (
        "date,run,rpe,sleep_h,body_mass_pre_kg,body_mass_post_kg,warmup_min,fluid_ml\n"
        "2015-08-15,,11,,,,,\n"          # 2: rpe out of range
        "2020-12-10,,,30,,,,\n"          # 3: sleep out of range
        "2021-04-16,,,,500,,,\n"         # 4: body mass out of range
        "2021-04-07,,,,72,62,,\n"        # 5: 10 kg lost: > 10 % of 72 kg
        "2015-08-14,,,,,,,\n"            # 6: no run that day
        ",20150815T1445Z,,,,,abc,\n"     # 7: not a number, and a second row for FENIX
        "2020-12-10,,,,,,,-5\n"          # 8: negative fluid, second row for WKZ
    ))
    before = sha(path)
    with pytest.raises(NotesError) as exc:
        read_run_notes(path, history=history)
    assert sha(path) == before
    p = exc.value.problems
    assert str(exc.value).startswith(f"{path}: {len(p)} problems:")
    assert p == [
        "line 2: rpe 11 is outside 0-10; fix the value",
        "line 3: sleep_h 30 is outside 0-24; fix the value",
        "line 4: body_mass_pre_kg 500 is outside 25-250; fix the value",
        "line 5: body mass 72 kg before and 62 kg after differ by more than 10%; check for a typing or unit error",
        p[4],
        "line 7: warmup_min: 'abc' is not a number",
        "line 7: run 20150815T1445Z already has notes on line 2; merge the two rows into one",
        "line 8: fluid_ml -5 is outside 0-10000; fix the value",
        "line 8: run 20201210T0627Z already has notes on line 3; merge the two rows into one",
    ]
    assert p[4].startswith("line 6: no run on 2015-08-14 (the run's local date); runs nearest to it: "
                           "2015-08-15 16:45 (20150815T1445Z")


def test_units_must_be_stated(tmp_path):
    with pytest.raises(NotesError) as exc:
        read_run_notes(write(tmp_path, "date,fluid,weight_pre\n2024-03-05,500,70\n"))
    assert exc.value.problems == [
        "line 1: column 'fluid': say the unit: name the column 'fluid_ml' (millilitres) or 'fluid_l' (litres)",
        "line 1: column 'weight_pre': say the unit: name the column 'body_mass_pre_kg'"]


def test_european_excel_notes(tmp_path, history):
    text = ("Date;Shoes;Fluid (ml);Body mass pre (kg);Body mass post (kg);Sleep (h);Temperatur\n"
            "15.08.2015;Pegasus 40;1500;71,5;70,2;6,5;18,5\n"
            ";;;;;;\n"
            "10.12.2020;Clifton 9;1.500;70;69,5;8;\n")
    path = write(tmp_path, text, bom=True, newline="\r\n")
    before = sha(path)
    with pytest.raises(NotesError) as exc:
        read_run_notes(path, history=history)
    assert exc.value.problems == [
        "line 4: Fluid (ml): '1.500' is ambiguous (thousands separator or decimal point?); write it without a "
        "thousands separator, e.g. 1500 or 1,5"]
    path.write_bytes(path.read_bytes().replace(b"1.500", b"1500"))
    before = sha(path)
    notes = read_run_notes(path, history=history)
    assert sha(path) == before
    assert notes.index.tolist() == [FENIX, WKZ]
    assert notes.attrs["lines"] == [2, 4]
    np.testing.assert_array_equal(notes["body_mass_pre_kg"].to_numpy(), [71.5, 70.0])
    np.testing.assert_array_equal(notes["sleep_h"].to_numpy(), [6.5, 8.0])
    np.testing.assert_array_equal(notes["Temperatur"].to_numpy(), [18.5, np.nan])


def test_without_history(tmp_path):
    notes = read_run_notes(write(tmp_path, "date,run,rpe\n2024-03-05,,4\n,20240306T0600Z,5\n"))
    assert notes.index.isna().tolist() == [True, False]
    assert notes.index[1] == "20240306T0600Z"
    assert notes["rpe"].tolist() == [4.0, 5.0]


def test_example_notes_file_is_valid():
    before = hashlib.sha256(Path(EXAMPLE_RUN_NOTES).read_bytes()).hexdigest()
    notes = read_run_notes(EXAMPLE_RUN_NOTES)
    assert len(notes) == 5
    assert notes.attrs["extras"] == ["insoles"]
    assert notes["lacing"].tolist() == ["normal", "loose", "tight", "tight", "heel lock"]
    # sweat loss check: 71.4 -> 70.3 kg is 1.1 kg = 1.5 % of the pre-run mass, well inside 10 %
    assert notes["body_mass_pre_kg"].iloc[0] - notes["body_mass_post_kg"].iloc[0] == pytest.approx(1.1)
    assert hashlib.sha256(Path(EXAMPLE_RUN_NOTES).read_bytes()).hexdigest() == before


# --------------------------------------------------------------------------
# Gear from an export (History.runs['gear'])
# --------------------------------------------------------------------------
def test_notes_from_history(geared):
    notes = notes_from_history(geared)
    assert notes.index.tolist() == [FENIX, DENVER]
    assert notes["shoes"].tolist() == ["Pegasus 40", "Clifton 9"]  # trimmed
    assert notes["rpe"].isna().all() and notes["lacing"].isna().all()
    assert list(notes.columns) == list(schema.NOTES_COLUMNS)
    assert notes.attrs["lines"] == [None, None]


def test_gear_merged_file_wins(tmp_path, geared):
    path = write(tmp_path, "date,shoes,rpe\n2015-08-15,Vaporfly,8\n2020-12-10,,4\n2021-04-16,,2\n")
    notes = read_run_notes(path, history=geared)
    # FENIX: file says Vaporfly (gear says Pegasus 40); WKZ has no gear; DENVER filled from gear
    assert notes.index.tolist() == [FENIX, WKZ, DENVER]
    assert notes["shoes"].tolist() == ["Vaporfly", pd.NA, "Clifton 9"]
    assert notes["rpe"].tolist() == [8.0, 4.0, 2.0]
    assert notes.attrs["lines"] == [2, 3, 4]
    only_file = read_run_notes(path, history=geared, gear=False)
    assert only_file["shoes"].tolist() == ["Vaporfly", pd.NA, pd.NA]
    # a run with gear but no row in the file gets a row of its own (line <NA>)
    part = read_run_notes(write(tmp_path, "date,rpe\n2020-12-10,4\n", name="p.csv"), history=geared)
    assert part.index.tolist() == [WKZ, FENIX, DENVER]
    assert part["shoes"].tolist() == [pd.NA, "Pegasus 40", "Clifton 9"]
    assert part.attrs["lines"] == [2, None, None]
    assert str(part["rpe"].dtype) == "float64" and str(part["shoes"].dtype) == "string"
    assert part["rpe"].isna().tolist() == [False, True, True]


def test_notes_from_history_needs_a_history():
    # runs_of(None) is (None, None); before, this failed with "argument of type 'NoneType' is not iterable"
    with pytest.raises(TypeError, match=r"history must be a runlog.History or its runs DataFrame"):
        notes_from_history(None)


def test_history_without_gear(history):
    assert len(notes_from_history(history)) == 0
    notes = read_run_notes(pd.DataFrame({"date": ["2015-08-15"], "shoes": ["A"]}), history=history)
    assert notes.index.tolist() == [FENIX] and notes["shoes"].tolist() == ["A"]
