"""read_history on real files: folders, Strava/Garmin exports, lists, duplicates, errors, executors.

Expected run ids are the UTC start floored to the minute, read independently
of runlog from the files themselves:

* heartandsole__testdata.{fit,gpx,tcx}: first GPX ``<time>`` / TCX ``<Id>`` /
  fitparse record timestamp 2021-04-16T13:37:53Z, last 13:41:35Z ->
  ``20210416T1337Z``; 46 FIT records.
* sweatpy__2020-06-01-16-52-40.fit and sweatpy__activity_5039744860.gpx:
  first time 2020-06-01T14:52:40Z (fitparse and the GPX's first ``<time>``)
  -> ``20200601T1452Z``; 96 records / 96 track points.
* fitparse__Activity.fit: fitparse records 2012-04-09 21:22:26 to 21:22:39,
  14 records -> ``20120409T2122Z``.
* heartandsole__B47I2852.FIT: fitparse records 2021-04-08 00:28:52 to
  00:29:38, 7 records -> ``20210408T0028Z``.
* sweatpy__6471559601_ACTIVITY.fit: fitparse ``session`` messages start
  10:48:16 (running), 10:48:40 (transition), 10:48:52 (rowing) on
  2021-03-22: three sessions in one minute -> ``20210322T1048Z``, ``-2``, ``-3``.
"""

from __future__ import annotations

import concurrent.futures as cf
import gzip
import io
import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import runlog
import runlog.io
from runlog import schema
from runlog.errors import FileFormatError
from runlog.history import deduplicate, is_duplicate, overlap_fractions, richness, two_people, unique_run_ids

HS_FIT = "fit/heartandsole__testdata.fit"
HS_GPX = "gpx/heartandsole__testdata.gpx"
HS_TCX = "tcx/heartandsole__testdata.tcx"
SW_FIT = "fit/sweatpy__2020-06-01-16-52-40.fit"
SW_GPX = "gpx/sweatpy__activity_5039744860.gpx"
ACT_FIT = "fit/fitparse__Activity.fit"
SHORT_FIT = "fit/heartandsole__B47I2852.FIT"
MULTI_FIT = "fit/sweatpy__6471559601_ACTIVITY.fit"
SETTINGS_FIT = "fit/fitparse__Settings.fit"
EOF_FIT = "fit/fitparse__activity-unexpected-eof.fit"

STRAVA_HEADER = ("Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
                 "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,"
                 "Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed")
STRAVA_CSV = (
    STRAVA_HEADER + "\n"
    '5305263871,"Apr 16, 2021, 1:37:53 PM",Hill repeats,Run,"numb left toes, 3 km",222,0.16,160,,false,,'
    "Pegasus 38,activities/5305263871.fit.gz,,,222,222,158,2\n"
    '5039744860,"Jun 1, 2020, 2:52:40 PM",Commute,Ride,,126,0.66,,,true,,Old bike,activities/5039744860.gpx.gz,'
    ",,126,126,661,9\n"
    '4000000001,"Apr 9, 2012, 9:22:26 PM",Test run,Run,,13,0.01,,,false,,,activities/4000000001.fit,,,13,13,6,1\n'
)


def read(source, **kw):
    kw.setdefault("cache", False)
    kw.setdefault("workers", 1)
    kw.setdefault("progress", False)
    return runlog.read_history(source, **kw)


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _strava_members(data_dir) -> dict[str, bytes]:
    return {
        "activities.csv": STRAVA_CSV.encode("utf-8"),
        "activities/5305263871.fit.gz": gzip.compress((data_dir / HS_FIT).read_bytes()),
        "activities/5039744860.gpx.gz": gzip.compress((data_dir / SW_GPX).read_bytes()),
        "activities/4000000001.fit": (data_dir / ACT_FIT).read_bytes(),
        "profile.csv": b"Email,First Name\nme@example.com,Me\n",
        "media/": b"",
    }


def _frames_equal(h1, h2):
    for name in ("runs", "records", "laps", "errors", "skipped"):
        pd.testing.assert_frame_equal(getattr(h1, name), getattr(h2, name), obj=name)


# --------------------------------------------------------------------- units
def test_overlap_fractions_by_hand():
    # spans [0,100] and [50,250]: overlap 50, longer 200, shorter 100.
    assert overlap_fractions((0, 100), (50, 250)) == (0.25, 0.5)
    assert overlap_fractions((0, 100), (0, 100)) == (1.0, 1.0)
    assert overlap_fractions((0, 10), (20, 30)) == (0.0, 0.0)
    # a one-record activity inside another span counts as fully overlapped by it
    assert overlap_fractions((40, 40), (0, 100)) == (0.0, 1.0)
    assert overlap_fractions((40, 40), (40, 40)) == (1.0, 1.0)
    assert overlap_fractions((140, 140), (0, 100)) == (0.0, 0.0)


def test_richness_prefers_channels_then_fit_then_records(data_dir):
    fit = runlog.read_fit(data_dir / HS_FIT)
    gpx = runlog.read_gpx(data_dir / HS_GPX)
    # both carry heart rate and cadence (2 channels) and 46 samples: the format decides.
    assert richness(fit) == (2, 3, 46, True)
    assert richness(gpx) == (2, 1, 46, True)
    kept, skipped = deduplicate([gpx, fit])
    assert [a.info["format"] for a in kept] == ["fit"]
    assert skipped[["path", "run_id", "kept"]].values.tolist() == [
        [str(data_dir / HS_GPX), "20210416T1337Z", str(data_dir / HS_FIT)]]


def _other_copy(act, *, north_m=0.0, hr_add=0.0, positions=True, lag_s=0.0):
    """*act* as another file would hold it: positions moved *north_m* north (1 deg latitude is
    111.2 km on runlog's sphere), heart rate + *hr_add*, times later by *lag_s*."""
    rec = act.records.copy()
    rec["lat_deg"] = rec["lat_deg"] + north_m / 111_195.0
    rec["hr_bpm"] = rec["hr_bpm"] + hr_add
    if not positions:
        rec[["lat_deg", "lon_deg"]] = np.nan
    rec.index = rec.index + pd.Timedelta(seconds=lag_s)
    info = act.info.copy()
    info["source"] = str(info["source"]) + ".other.fit"
    return runlog.io.Activity(records=rec, laps=act.laps, info=info)


def test_a_partners_run_at_the_same_time_is_not_a_duplicate(data_dir):
    # heartandsole's run (46 samples over 3 min 42 s, HR 70-100): a copy whose track is 1 km away
    # at every moment is someone else's run; 20 m away is the GPS error of a second device on the
    # same runner (SAME_TRACK_MAX_M = 200 m, the median over 64 moments of the shared time).
    act = runlog.read_fit(data_dir / HS_FIT)
    far, near = _other_copy(act, north_m=1000.0), _other_copy(act, north_m=20.0)
    assert two_people(act, far) and not is_duplicate(act, far)
    assert not two_people(act, near) and is_duplicate(act, near)
    kept, skipped = deduplicate([act, far])
    assert len(kept) == 2 and skipped.empty
    # without positions in one copy the heart rates decide (SAME_HR_MAX_BPM = 20 beats/min)
    assert two_people(act, _other_copy(act, positions=False, hr_add=30.0))
    assert not two_people(act, _other_copy(act, positions=False, hr_add=5.0))
    assert is_duplicate(act, _other_copy(act, positions=False, hr_add=5.0))
    # side by side (positions 5 m apart) but hearts 30 beats/min apart: a partner running alongside
    assert two_people(act, _other_copy(act, north_m=5.0, hr_add=30.0))
    assert is_duplicate(act, _other_copy(act, north_m=5.0, hr_add=3.0))



def test_unique_run_ids_suffixes_same_minute_sessions(data_dir):
    acts = runlog.read_activities(data_dir / MULTI_FIT)
    kept, skipped = deduplicate(acts)  # sessions of one file never duplicate each other
    assert len(kept) == 3 and len(skipped) == 0
    out = unique_run_ids(kept)
    assert [a.run_id for a in out] == ["20210322T1048Z", "20210322T1048Z-2", "20210322T1048Z-3"]
    assert [a.info["sport"] for a in out] == ["running", "transition", "rowing"]
    assert acts[1].run_id == "20210322T1048Z"  # the originals are left alone


# ------------------------------------------------------------------- sources
def test_folder_import_is_recursive_case_insensitive_and_reads_gz(tmp_path, data_dir):
    (tmp_path / "a" / "b").mkdir(parents=True)
    shutil.copy(data_dir / HS_FIT, tmp_path / "RUN.FIT")
    (tmp_path / "a" / "b" / "ride.GPX.gz").write_bytes(gzip.compress((data_dir / SW_GPX).read_bytes()))
    shutil.copy(data_dir / SHORT_FIT, tmp_path / "a" / "short.fit")
    (tmp_path / "a" / "notes.txt").write_text("not an activity file: ignored")
    h = read(tmp_path)
    assert list(h.runs.index) == ["20200601T1452Z", "20210408T0028Z", "20210416T1337Z"]
    assert h.runs["format"].tolist() == ["gpx", "fit", "fit"]
    assert h.runs["source"].tolist() == [str(tmp_path / "a" / "b" / "ride.GPX.gz"), str(tmp_path / "a" / "short.fit"),
                                         str(tmp_path / "RUN.FIT")]
    assert h.runs["n_records"].tolist() == [96, 7, 46]
    assert len(h.records) == 96 + 7 + 46
    assert h.records.index.names == ["run_id", "time"]
    assert list(h.records.columns) == list(schema.RECORD_COLUMNS)
    assert list(h.laps.columns) == ["run_id", *schema.LAP_COLUMNS]
    assert set(h.laps["run_id"]) <= set(h.runs.index)
    assert h.errors.empty and h.skipped.empty
    assert list(h.errors.columns) == ["path", "reason"]
    assert list(h.skipped.columns) == ["path", "reason", "run_id", "kept"]


def test_strava_zip_export_joins_name_description_gear(tmp_path, data_dir):
    export = tmp_path / "export_12345.zip"
    content = _zip_bytes(_strava_members(data_dir))
    export.write_bytes(content)
    h = read(export)
    assert list(h.runs.index) == ["20120409T2122Z", "20200601T1452Z", "20210416T1337Z"]
    r = h.runs.loc["20210416T1337Z"]
    assert r["source"] == f"{export}!activities/5305263871.fit.gz"
    assert (r["name"], r["description"], r["gear"]) == ("Hill repeats", "numb left toes, 3 km", "Pegasus 38")
    r = h.runs.loc["20200601T1452Z"]
    assert (r["name"], r["gear"], r["format"]) == ("Commute", "Old bike", "gpx")
    assert pd.isna(r["description"])
    assert h.runs.loc["20120409T2122Z", "name"] == "Test run" and pd.isna(h.runs.loc["20120409T2122Z", "gear"])
    assert h.errors.empty and h.skipped.empty
    assert export.read_bytes() == content  # only read


def test_strava_export_folder_with_activities_csv(tmp_path, data_dir):
    for name, data in _strava_members(data_dir).items():
        if name.endswith("/"):
            continue
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    h = read(tmp_path)
    assert h.runs.loc["20210416T1337Z", "gear"] == "Pegasus 38"
    assert h.runs.loc["20200601T1452Z", "name"] == "Commute"
    assert len(h) == 3


def test_garmin_nested_zip_export(tmp_path, data_dir):
    part1 = _zip_bytes({"me@example.com_1001.fit": (data_dir / HS_FIT).read_bytes(),
                        "me@example.com_1002.fit": (data_dir / SW_FIT).read_bytes()})
    part2 = _zip_bytes({"me@example.com_1003.FIT": (data_dir / SHORT_FIT).read_bytes()})
    export = tmp_path / "garmin.zip"
    export.write_bytes(_zip_bytes({
        "DI_CONNECT/DI-Connect-Fitness/me_0_summarizedActivities.json": b"[]",
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip": part1,
        "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part2.zip": part2,
    }))
    h = read(export)
    assert list(h.runs.index) == ["20200601T1452Z", "20210408T0028Z", "20210416T1337Z"]
    assert h.runs.loc["20210416T1337Z", "source"] == (
        f"{export}!DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip!me@example.com_1001.fit")
    assert h.runs["n_records"].tolist() == [96, 7, 46]
    assert h.errors.empty and h.skipped.empty


def test_list_of_paths_mixes_files_folders_and_missing_ones(tmp_path, data_dir):
    folder = tmp_path / "f"
    folder.mkdir()
    shutil.copy(data_dir / SHORT_FIT, folder)
    missing, missing_zip = tmp_path / "nope.fit", tmp_path / "gone.zip"
    h = read([data_dir / HS_FIT, str(data_dir / SW_FIT), folder, missing, data_dir / HS_FIT, missing_zip])
    assert list(h.runs.index) == ["20200601T1452Z", "20210408T0028Z", "20210416T1337Z"]
    assert h.errors.values.tolist() == [[str(missing_zip), "no such file or folder; check the path"],
                                        [str(missing), "no such file or folder; check the path"]]
    assert h.skipped.empty  # the path given twice is read once


def test_single_missing_source_raises(tmp_path):
    with pytest.raises(FileFormatError, match="no such file or folder") as err:
        read(tmp_path / "missing")
    assert err.value.path == str(tmp_path / "missing")


# ---------------------------------------------------- duplicates and skipping
def test_same_activity_as_fit_gpx_tcx_keeps_the_fit(tmp_path, data_dir):
    for rel in (HS_FIT, HS_GPX, HS_TCX):
        shutil.copy(data_dir / rel, tmp_path)
    h = read(tmp_path)
    assert list(h.runs.index) == ["20210416T1337Z"]
    assert h.runs.loc["20210416T1337Z", "format"] == "fit"
    sk = h.skipped.sort_values("path")
    fit = str(tmp_path / "heartandsole__testdata.fit")
    assert sk["path"].tolist() == [str(tmp_path / "heartandsole__testdata.gpx"),
                                   str(tmp_path / "heartandsole__testdata.tcx")]
    assert sk["run_id"].tolist() == ["20210416T1337Z"] * 2
    assert sk["kept"].tolist() == [fit, fit]
    # FIT, GPX and TCX all carry heart rate and cadence: the format decides.
    assert sk["reason"].tolist() == [
        f"duplicate of {fit} (same activity; kept that copy: preferred format (fit over gpx))",
        f"duplicate of {fit} (same activity; kept that copy: preferred format (fit over tcx))"]
    assert h.errors.empty


def test_duplicate_keeps_export_metadata_of_the_dropped_copy(tmp_path, data_dir):
    export = tmp_path / "strava.zip"
    export.write_bytes(_zip_bytes({
        "activities.csv": STRAVA_CSV.encode(),
        "activities/5039744860.gpx.gz": gzip.compress((data_dir / SW_GPX).read_bytes()),
    }))
    h = read([export, data_dir / SW_FIT])
    # The FIT has power and temperature, the GPX not: the FIT is kept, and
    # gets the name and gear Strava stored for the GPX upload.
    assert h.runs.loc["20200601T1452Z", "format"] == "fit"
    assert (h.runs.loc["20200601T1452Z", "name"], h.runs.loc["20200601T1452Z", "gear"]) == ("Commute", "Old bike")
    assert h.skipped["path"].tolist() == [f"{export}!activities/5039744860.gpx.gz"]


def test_identical_files_under_two_names_are_decoded_once(tmp_path, data_dir, monkeypatch):
    shutil.copy(data_dir / HS_FIT, tmp_path / "a.fit")
    shutil.copy(data_dir / HS_FIT, tmp_path / "b.fit")
    calls = []
    real = runlog.io.read_activities
    monkeypatch.setattr(runlog.io, "read_activities", lambda p, **kw: calls.append(p) or real(p, **kw))
    h = read(tmp_path)
    assert len(calls) == 1
    assert h.runs["source"].tolist() == [str(tmp_path / "a.fit")]
    assert h.skipped[["path", "kept"]].values.tolist() == [[str(tmp_path / "b.fit"), str(tmp_path / "a.fit")]]
    assert h.skipped["reason"].iloc[0].endswith("equally rich; the first by file name)")


def test_intact_copy_is_kept_over_a_truncated_one(data_dir):
    # fitparse__activity-unexpected-eof.fit is Activity.fit cut short after its
    # 14 records: same channels, format and record count, so truncation decides.
    h = read([data_dir / EOF_FIT, data_dir / ACT_FIT])
    assert h.runs["source"].tolist() == [str(data_dir / ACT_FIT)]
    assert not h.runs["truncated"].iloc[0]
    assert h.skipped["path"].tolist() == [str(data_dir / EOF_FIT)]
    assert h.skipped["reason"].iloc[0].endswith("kept that copy: the other file is truncated)")


def test_multisport_sessions_are_kept_with_suffixed_ids(data_dir):
    h = read([data_dir / MULTI_FIT])
    assert list(h.runs.index) == ["20210322T1048Z", "20210322T1048Z-2", "20210322T1048Z-3"]
    assert h.runs["sport"].tolist() == ["running", "transition", "rowing"]
    assert h.runs["n_records"].tolist() == [24, 12, 24]
    assert h.run("20210322T1048Z-2").shape == (12, len(schema.RECORD_COLUMNS))


def test_settings_file_is_skipped_not_an_error(data_dir):
    h = read([data_dir / SETTINGS_FIT, data_dir / ACT_FIT])
    assert list(h.runs.index) == ["20120409T2122Z"]
    assert h.skipped["path"].tolist() == [str(data_dir / SETTINGS_FIT)]
    assert h.skipped["reason"].iloc[0].startswith("not an activity:")
    assert h.skipped["run_id"].isna().all() and h.skipped["kept"].isna().all()
    assert h.errors.empty


def test_garbage_and_truncated_files_do_not_abort_the_import(tmp_path, data_dir):
    rng = np.random.default_rng(7)
    (tmp_path / "garbage.fit").write_bytes(rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    (tmp_path / "empty.gpx").write_bytes(b"")
    shutil.copy(data_dir / EOF_FIT, tmp_path)
    shutil.copy(data_dir / HS_FIT, tmp_path)
    h = read(tmp_path)
    assert list(h.runs.index) == ["20120409T2122Z", "20210416T1337Z"]
    # the cut-off copy of Activity.fit keeps its 14 records and says so
    assert h.runs["truncated"].tolist() == [True, False]
    assert h.runs.loc["20120409T2122Z", "n_records"] == 14
    assert h.errors["path"].tolist() == [str(tmp_path / "empty.gpx"), str(tmp_path / "garbage.fit")]
    assert h.errors["reason"].str.len().gt(10).all()


def test_unexpected_worker_exception_becomes_an_error_row_and_is_not_cached(tmp_path, data_dir, monkeypatch):
    real = runlog.io.read_activities

    def flaky(path, **kw):
        if str(path).endswith(".gpx"):
            raise KeyError("reader bug")
        return real(path, **kw)

    monkeypatch.setattr(runlog.io, "read_activities", flaky)
    paths = [data_dir / HS_FIT, data_dir / SW_GPX]
    h = read(paths, cache=tmp_path / "c")
    assert list(h.runs.index) == ["20210416T1337Z"]
    assert h.errors["path"].tolist() == [str(data_dir / SW_GPX)]
    assert "unexpected KeyError" in h.errors["reason"].iloc[0]
    monkeypatch.setattr(runlog.io, "read_activities", real)
    h2 = read(paths, cache=tmp_path / "c")
    assert list(h2.runs.index) == ["20200601T1452Z", "20210416T1337Z"] and h2.errors.empty


def test_zip_slip_and_bomb_members_are_error_rows(tmp_path, data_dir):
    export = tmp_path / "evil.zip"
    export.write_bytes(_zip_bytes({
        "../../outside.fit": (data_dir / SW_FIT).read_bytes(),
        "activities/bomb.gpx": bytes(16 * 1024**2),
        "activities/ok.fit": (data_dir / HS_FIT).read_bytes(),
    }))
    h = read(export)
    assert list(h.runs.index) == ["20210416T1337Z"]
    reasons = dict(zip(h.errors["path"], h.errors["reason"]))
    assert "path traversal" in reasons[f"{export}!../../outside.fit"]
    assert "decompression bomb" in reasons[f"{export}!activities/bomb.gpx"]
    assert not (tmp_path.parent / "outside.fit").exists()


def test_tz_argument_sets_local_times_and_has_its_own_cache_entry(tmp_path, data_dir):
    h_utc = read([data_dir / HS_FIT], cache=tmp_path / "c", tz="UTC")
    h_ber = read([data_dir / HS_FIT], cache=tmp_path / "c", tz="Europe/Berlin")
    # 13:37:53 UTC is 15:37:53 in Berlin (CEST, UTC+2, in April).
    assert h_utc.runs["start_local"].iloc[0] == pd.Timestamp("2021-04-16 13:37:53")
    assert h_ber.runs["start_local"].iloc[0] == pd.Timestamp("2021-04-16 15:37:53")
    assert h_ber.runs["tz"].iloc[0] == "Europe/Berlin"


def test_summary_counts(tmp_path, data_dir):
    for rel in (HS_FIT, HS_GPX, SETTINGS_FIT, EOF_FIT):
        shutil.copy(data_dir / rel, tmp_path)
    (tmp_path / "junk.tcx").write_bytes(b"<html>not tcx</html>")
    h = read(tmp_path)
    s = h.summary()
    assert (s["runs"], s["errors"], s["duplicates"], s["not_activities"], s["truncated"]) == (2, 1, 1, 1, 1)
    assert s["records"] == 46 + 14
    assert s["first_run"] == pd.Timestamp("2012-04-09")
    assert "2 runs" in repr(h) and "1 errors" in repr(h) and "2 skipped" in repr(h)
    assert s["activities"] == 2 and s["by_sport"] == {"running": 2}


def test_summary_counts_by_sport_and_listing(data_dir):
    # the multi-sport file (swim, transition, ride, transition, run) and one more run
    h = read([data_dir / "fit/fitparse__sample_mulitple_header.fit", data_dir / HS_FIT])
    s = h.summary()
    assert s["activities"] == 6 and s["runs"] == 2
    assert s["by_sport"] == {"running": 2, "transition": 2, "swimming": 1, "cycling": 1}
    lst = h.listing()
    assert list(lst.columns) == ["run_id", "date", "start", "sport", "distance_km", "duration_min", "file"]
    assert isinstance(lst.index, pd.RangeIndex) and len(lst) == 6
    assert lst["date"].is_monotonic_increasing
    assert lst["sport"].tolist() == ["swimming", "transition", "cycling", "transition", "running", "running"]
    ride = lst.iloc[2]
    # local date and start of the ride: 08:08:58 UTC at +02:00; 40.907 km in 4419 s
    assert (ride["run_id"], ride["date"], ride["start"]) == ("20180527T0808Z", pd.Timestamp("2018-05-27"), "10:08")
    # to 10 m and 0.1 min as a runner reads them (issue 24: listing() showed 0.018644 km)
    assert ride["distance_km"] == 40.91 and ride["duration_min"] == 73.65
    assert ride["file"].endswith("fitparse__sample_mulitple_header.fit")
    # the last run: heartandsole testdata, 07:37 local (-06:00), 158.71 m in 222 s
    last = lst.iloc[-1]
    assert (last["date"], last["start"], last["file"]) == (pd.Timestamp("2021-04-16"), "07:37", str(data_dir / HS_FIT))
    assert last["distance_km"] == 0.16 and last["duration_min"] == 3.7
    # one row per run of History.runs, same ids
    assert sorted(lst["run_id"]) == sorted(h.runs.index)
    # 'runs' are foot runs: the other sports are counted apart, in the repr as in the import line
    assert repr(h).startswith("<History 6 activities: 2 runs, 2 transitions, 1 ride, 1 swim (2018-05-27 to "
                              "2021-04-16), ")
    # in a notebook: the counts in words and the listing (file names without folders), not raw frames
    page = h._repr_html_()
    assert page.startswith("<p><b>History 6 activities: 2 runs, 2 transitions, 1 ride, 1 swim (")
    assert "<th>distance_km</th>" in page and ">fitparse__sample_mulitple_header.fit<" in page
    assert "by_sport" not in page and str(data_dir) not in page


def test_activity_counts_text():
    from runlog.history import activity_counts_text

    assert activity_counts_text({"running": 23, "unknown": 9, "cycling": 2, "swimming": 1}) == \
        "35 activities: 23 runs, 9 of unknown sport, 2 rides, 1 swim"
    assert activity_counts_text({"running": 1}) == "1 run"
    assert activity_counts_text({"unknown": 1}) == "1 activity: 1 of unknown sport"
    assert activity_counts_text({"cycling": 3, "fitness_equipment": 1, "running": 0}) == \
        "4 activities: 3 rides, 1 fitness equipment activity"
    assert activity_counts_text({}) == "no activities"


# ------------------------------------------------------------- executors
@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory, data_dir):
    folder = tmp_path_factory.mktemp("mixed")
    for rel in (HS_FIT, HS_GPX, SW_FIT, SHORT_FIT, MULTI_FIT, SETTINGS_FIT, EOF_FIT):
        shutil.copy(data_dir / rel, folder)
    (folder / "garbage.gpx").write_bytes(b"<gpx><trk><trkseg><trkpt lat='x'")
    return folder


# In threads runlog leaves the (process-wide) warning filters alone, so the
# truncated file's TruncatedFileWarning shows there.
@pytest.mark.filterwarnings("ignore::runlog.errors.TruncatedFileWarning")
def test_thread_executor_and_process_pool_give_the_same_frames(mixed_folder):
    ref = read(mixed_folder, workers=1)
    assert len(ref) == 7 and len(ref.errors) == 1 and len(ref.skipped) == 2
    with cf.ThreadPoolExecutor(max_workers=3) as ex:
        _frames_equal(ref, read(mixed_folder, executor=ex))
    _frames_equal(ref, read(mixed_folder, workers=2))


def test_progress_bar_on_by_default_and_silent_when_off(data_dir, capsys):
    read([data_dir / ACT_FIT], progress=True)
    assert "runlog: reading activities" in capsys.readouterr().err
    read([data_dir / ACT_FIT], progress=False)
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""


@pytest.mark.skipif(__import__("multiprocessing").get_start_method() != "fork",
                    reason="the crashing decoder is patched in the parent and inherited by forked workers")
def test_a_file_that_kills_its_worker_process_is_the_only_error(tmp_path, data_dir, monkeypatch):
    import os as _os

    for rel in (HS_FIT, SW_FIT, SHORT_FIT, ACT_FIT):
        shutil.copy(data_dir / rel, tmp_path)
    shutil.copy(data_dir / HS_GPX, tmp_path / "crash.gpx")
    real = runlog.io.read_activities

    def crashing(path, **kw):
        if str(path).endswith("crash.gpx"):
            _os._exit(3)  # like a segfault or the OOM killer: no exception, the process is gone
        return real(path, **kw)

    monkeypatch.setattr(runlog.io, "read_activities", crashing)
    h = read(tmp_path, workers=2)
    assert list(h.runs.index) == ["20120409T2122Z", "20200601T1452Z", "20210408T0028Z", "20210416T1337Z"]
    assert h.errors["path"].tolist() == [str(tmp_path / "crash.gpx")]
    assert "crashed" in h.errors["reason"].iloc[0]


def test_broken_user_executor_gives_error_rows(data_dir):
    class Broken(cf.Executor):
        def submit(self, fn, *args, **kwargs):
            fut = cf.Future()
            fut.set_exception(cf.BrokenExecutor("cluster went away"))
            return fut

    h = read([data_dir / HS_FIT, data_dir / SW_FIT], executor=Broken())
    assert len(h) == 0
    assert h.errors["path"].tolist() == [str(data_dir / HS_FIT), str(data_dir / SW_FIT)]
    assert h.errors["reason"].str.contains("cluster went away").all()


# ------------------------------------------------------------- properties

@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_overlap_fractions_are_symmetric_bounded_and_ordered(a0, a_len, b0, b_len):
    a, b = (a0, a0 + a_len), (b0, b0 + b_len)
    of_longer, of_shorter = overlap_fractions(a, b)
    assert (of_longer, of_shorter) == overlap_fractions(b, a)
    assert 0.0 <= of_longer <= of_shorter <= 1.0
    if a == b:
        assert of_shorter == 1.0 and of_longer == 1.0


@pytest.mark.shared
@pytest.mark.slow
def test_every_file_of_the_shared_corpus_is_accounted_for_once(shared_dir, tmp_path):
    # The real corpus (FIT, GPX, TCX of many devices, damaged and edge files;
    # files under 100 kB to keep the test short): the import never stops, and
    # every file ends up in runs, errors or skipped.
    files = sorted(str(p) for p in shared_dir.rglob("*") if p.is_file() and p.suffix.lower() in
                   (".fit", ".gpx", ".tcx") and p.stat().st_size < 100_000)
    assert len(files) >= 50
    h = read(files, workers=2, cache=tmp_path / "c")
    from_runs = set(h.runs["source"]) | set(h.skipped["path"]) | set(h.errors["path"])
    assert from_runs == set(files)
    assert len(set(h.errors["path"]) & set(h.runs["source"])) == 0
    assert not h.errors["reason"].str.contains("unexpected").any(), h.errors.to_string()
    assert h.runs.index.is_unique
    again = read(files, workers=1, cache=tmp_path / "c")  # from the cache, in process
    _frames_equal(h, again)


def test_empty_folder_gives_an_empty_history_with_the_schema(tmp_path):
    (tmp_path / "readme.txt").write_text("no activities here")
    h = read(tmp_path)
    assert len(h) == 0 and h.records.empty and h.errors.empty and h.skipped.empty
    assert list(h.runs.columns[: len(schema.RUN_COLUMNS)]) == list(schema.RUN_COLUMNS)
    assert h.records.index.names == ["run_id", "time"]
    assert h.summary()["runs"] == 0 and h.summary()["by_sport"] == {}
    assert len(h.listing()) == 0 and list(h.listing().columns)[:2] == ["run_id", "date"]


def test_workers_must_be_positive(data_dir):
    with pytest.raises(ValueError, match="workers must be >= 1"):
        read([data_dir / ACT_FIT], workers=0)


def test_stack_records_is_the_concat_of_the_activities_records(data_dir):
    from runlog.history import stack_records

    acts = unique_run_ids(runlog.read_activities(data_dir / MULTI_FIT) + runlog.read_activities(data_dir / HS_FIT)
                          + runlog.read_activities(data_dir / SW_GPX))
    want = pd.concat({a.run_id: a.records for a in acts}, names=["run_id", "time"])
    got = stack_records(acts)
    pd.testing.assert_frame_equal(got, want)
    assert got._mgr.nblocks == 2  # one block per dtype (float64, and float32 for the running dynamics)
    # out of start order (times not increasing): the same values, a time level of unique times
    rev = acts[::-1]
    got = stack_records(rev)
    pd.testing.assert_frame_equal(got, pd.concat({a.run_id: a.records for a in rev}, names=["run_id", "time"]))
    assert got.index.levels[1].is_unique and got.loc[acts[0].run_id].shape == acts[0].records.shape
    # release=True (the importer's own activities): the same frame, the activities' records emptied as stacked
    want = pd.concat({a.run_id: a.records for a in acts}, names=["run_id", "time"])
    got = stack_records(acts, release=True)
    pd.testing.assert_frame_equal(got, want)
    assert all(len(a.records) == 0 and list(a.records.columns) == list(schema.RECORD_COLUMNS) for a in acts)
    # records that are not the schema's (a column missing) are stacked by pd.concat
    odd = [runlog.Activity(a.records.drop(columns="power_w"), a.laps, a.info) for a in acts]
    pd.testing.assert_frame_equal(stack_records(odd),
                                  pd.concat({a.run_id: a.records for a in odd}, names=["run_id", "time"]))


def _vm_flags(address: int) -> list[str] | None:
    """The VmFlags of the mapping of this process holding *address* (Linux /proc/self/smaps), or None."""
    try:
        with open("/proc/self/smaps") as fh:
            text = fh.read()
    except OSError:
        return None
    inside = False
    for line in text.splitlines():
        head = line.split()[0]
        if "-" in head and all(c in "0123456789abcdef-" for c in head):
            lo, hi = (int(x, 16) for x in head.split("-"))
            inside = lo <= address < hi
        elif inside and line.startswith("VmFlags:"):
            return line.split()[1:]
    return None


def test_empty_small_pages_is_np_empty_without_huge_pages_when_large():
    import mmap
    import pickle

    from runlog.history._history import SMALL_PAGES_MIN_BYTES, empty_small_pages

    def owner(a):
        while isinstance(a, np.ndarray):
            a = a.base
        return a.obj if isinstance(a, memoryview) else a

    small = empty_small_pages((3, 5), "float32")
    assert small.shape == (3, 5) and small.dtype == np.float32 and not isinstance(owner(small), mmap.mmap)
    n = SMALL_PAGES_MIN_BYTES // 8 + 1
    big = empty_small_pages((2, n), "float64")
    assert big.shape == (2, n) and big.dtype == np.float64 and big.flags.c_contiguous and big.flags.writeable
    big[:] = 1.5
    assert float(big.sum()) == 1.5 * 2 * n
    back = pickle.loads(pickle.dumps(big))  # a History holding it pickles as any other
    assert np.array_equal(back, big) and not isinstance(owner(back), mmap.mmap)
    if hasattr(mmap, "MADV_NOHUGEPAGE") and hasattr(mmap, "MAP_ANONYMOUS"):
        assert isinstance(owner(big), mmap.mmap)
        flags = _vm_flags(big.ctypes.data)
        if flags is not None:  # the kernel was asked for ordinary pages ("nh": no huge pages)
            assert "nh" in flags
    assert empty_small_pages(0, "int64").shape == (0,)


def test_stack_records_in_small_pages_is_the_same_frame(data_dir, monkeypatch):
    from runlog.history import _history, stack_records

    acts = unique_run_ids(runlog.read_activities(data_dir / MULTI_FIT) + runlog.read_activities(data_dir / HS_FIT))
    want = stack_records(acts)
    monkeypatch.setattr(_history, "SMALL_PAGES_MIN_BYTES", 0)  # every block memory-mapped, as in a large history
    got = stack_records(acts)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


# ------------------------------------------------------------ whole-history snapshot
def _snapshot_files(cache_dir):
    return sorted(p.name for p in cache_dir.rglob("histories/*.arrow"))


def test_unchanged_history_is_served_from_one_snapshot(data_dir, tmp_path, monkeypatch):
    src = tmp_path / "runs"
    src.mkdir()
    for name in (HS_FIT, SW_GPX, ACT_FIT, SETTINGS_FIT, EOF_FIT, HS_GPX):
        shutil.copy(data_dir / name, src / name.split("/")[1])
    (src / "broken.fit").write_bytes(b"not a fit file at all")
    cache = tmp_path / "cache"
    cold = read(src, cache=cache)
    assert len(_snapshot_files(cache)) == 5  # runs, laps, errors, skipped, records
    # The snapshot answers alone: the per-file entries are not consulted, nothing is decoded.
    monkeypatch.setattr("runlog.history._cache.ActivityCache.get", lambda *a: pytest.fail("entry read"))
    monkeypatch.setattr("runlog.history._importer.decode_file", lambda *a: pytest.fail("file decoded"))
    warm = read(src, cache=cache)
    _frames_equal(cold, warm)
    assert len(warm.errors) == 1 and len(warm.skipped) >= 2  # the broken file, Settings.fit, GPX duplicate


def test_a_changed_file_gets_a_new_snapshot_not_the_stale_one(data_dir, tmp_path):
    src = tmp_path / "runs"
    src.mkdir()
    shutil.copy(data_dir / HS_FIT, src / "a.fit")
    shutil.copy(data_dir / SW_GPX, src / "b.gpx")
    cache = tmp_path / "cache"
    first = read(src, cache=cache)
    assert len(first.runs) == 2
    (src / "b.gpx").unlink()
    second = read(src, cache=cache)
    # the folder's snapshot is replaced (runs, laps, errors, skipped, one record segment), not added to
    assert len(second.runs) == 1 and len(_snapshot_files(cache)) == 5
    shutil.copy(data_dir / ACT_FIT, src / "b.gpx")  # same name, other content (a FIT file)
    third = read(src, cache=cache)
    assert sorted(third.runs["format"]) == ["fit", "fit"]


def test_an_interrupted_snapshot_is_a_miss(data_dir, tmp_path):
    src = tmp_path / "runs"
    src.mkdir()
    shutil.copy(data_dir / HS_FIT, src / "a.fit")
    cache = tmp_path / "cache"
    cold = read(src, cache=cache)
    records = next(cache.rglob("histories/*.records.arrow"))
    records.unlink()  # as if the disk lost it
    _frames_equal(cold, read(src, cache=cache))
    assert len(list(cache.rglob("histories/*.records.arrow"))) == 1  # written afresh (a new name)


def _manifest(cache_dir):
    import json

    (path,) = cache_dir.rglob("histories/*.json")
    return json.loads(path.read_text())


def _base_folder(data_dir, tmp_path):
    src = tmp_path / "runs"
    src.mkdir()
    for name in (HS_FIT, SW_GPX, SETTINGS_FIT):
        shutil.copy(data_dir / name, src / name.split("/")[1])
    (src / "broken.fit").write_bytes(b"not a fit file at all")
    return src


def _watch(monkeypatch):
    """Count decodes, user-file reads and per-file cache entry reads of the imports that follow."""
    import runlog.history._cache
    import runlog.history._importer as imp

    seen = {"decoded": [], "read": [], "entries": []}
    real_decode, real_read, real_get = imp.decode_file, imp._read_file, runlog.history._cache.ActivityCache.get

    def decode(source, *a):
        seen["decoded"].append(source)
        return real_decode(source, *a)

    def get(self, key, source):
        seen["entries"].append(source)
        return real_get(self, key, source)

    monkeypatch.setattr(imp, "decode_file", decode)
    monkeypatch.setattr(imp, "_read_file", lambda p: seen["read"].append(p) or real_read(p))
    monkeypatch.setattr(runlog.history._cache.ActivityCache, "get", get)
    return seen


def test_adding_runs_reads_the_snapshot_and_decodes_only_the_new_files(data_dir, tmp_path, monkeypatch):
    src = _base_folder(data_dir, tmp_path)
    cache = tmp_path / "cache"
    read(src, cache=cache)
    assert len(_manifest(cache)["segments"]) == 1
    seen = _watch(monkeypatch)
    # later than every run (three sessions in one minute: -2, -3; laps), then earlier than every run (its
    # records go first: the segments are reordered), then a file that is not an activity at all
    for n, (name, new) in enumerate([(MULTI_FIT, "multi.fit"), (ACT_FIT, "act.fit"), (None, "junk.gpx")], 2):
        if name is None:
            (src / new).write_bytes(b"<gpx>not closed")
        else:
            shutil.copy(data_dir / name, src / new)
        before = {k: len(v) for k, v in seen.items()}
        added = read(src, cache=cache)
        # the one file new is read, looked up in the cache (a miss) and decoded; no other file is touched
        assert {k: v[before[k]:] for k, v in seen.items()} == {k: [str(src / new)] for k in seen}
        assert len(_manifest(cache)["segments"]) == (n if name else n - 1)  # the new records: one more segment
        _frames_equal(added, read(src))  # identical to a full import without the cache
    assert list(added.runs.index[:1]) == ["20120409T2122Z"]
    assert {"20210322T1048Z-2", "20210322T1048Z-3"} <= set(added.runs.index)
    assert len(added.errors) == 2 and len(added.skipped) == 1 and len(added.laps) > 0
    # ... and the next import is warm: no decode, no entry
    before = {k: len(v) for k, v in seen.items()}
    _frames_equal(added, read(src, cache=cache))
    assert {k: len(v) for k, v in seen.items()} == before


def test_an_added_duplicate_or_same_minute_run_is_imported_in_full(data_dir, tmp_path, monkeypatch):
    """A new file whose activity overlaps (or starts in the minute of) a snapshot's activity may
    change which copy is kept or a run id suffix: the import reads every file's entry instead."""
    src = _base_folder(data_dir, tmp_path)
    cache = tmp_path / "cache"
    read(src, cache=cache)
    seen = _watch(monkeypatch)
    shutil.copy(data_dir / HS_GPX, src / "hs.gpx")  # the GPX copy of heartandsole's FIT run
    h = read(src, cache=cache)
    assert seen["decoded"] == [str(src / "hs.gpx")]
    # the try (the new file's entry: a miss), then the full import: every file's entry, the new one written
    assert sorted(seen["entries"]) == sorted([str(src / "hs.gpx"), *map(str, src.iterdir())])
    _frames_equal(h, read(src))
    assert h.skipped["path"].str.endswith("hs.gpx").any()
    assert len(_manifest(cache)["segments"]) == 1  # written afresh as one


def test_a_history_without_runs_is_snapshotted_and_grows_from_it(data_dir, tmp_path):
    src = tmp_path / "runs"
    src.mkdir()
    (src / "broken.fit").write_bytes(b"not a fit file at all")
    cache = tmp_path / "cache"
    read(src, cache=cache)
    _frames_equal(read(src), read(src, cache=cache))  # warm, from a snapshot of no records
    shutil.copy(data_dir / ACT_FIT, src / "a.fit")
    added = read(src, cache=cache)
    assert len(_manifest(cache)["segments"]) == 2
    _frames_equal(read(src), added)


def test_segments_are_joined_into_one_beyond_the_limit(data_dir, tmp_path, monkeypatch):
    from runlog.history._cache import ActivityCache

    monkeypatch.setattr(ActivityCache, "MAX_SEGMENTS", 2)
    src = _base_folder(data_dir, tmp_path)
    cache = tmp_path / "cache"
    read(src, cache=cache)
    counts = []
    for name in (MULTI_FIT, ACT_FIT, SHORT_FIT):
        shutil.copy(data_dir / name, src / name.split("/")[1])
        h = read(src, cache=cache)
        counts.append(len(_manifest(cache)["segments"]))
        _frames_equal(h, read(src))
    assert counts == [2, 1, 2]
    assert len(_snapshot_files(cache)) == 4 + 2  # earlier snapshots' files are deleted


class _Killed(BaseException):
    """The process is killed: nothing after it runs (no ``except Exception``, no clean-up)."""


def _kill_at(monkeypatch, k):
    """From the *k*-th file write on (0-based), the import is killed halfway through writing."""
    import runlog.history._cache

    real = runlog.history._cache.atomic_write
    state = {"n": 0, "killed": False}

    def write(path, fill, **kw):
        i, state["n"] = state["n"], state["n"] + 1
        if state["killed"] or i < k:
            if state["killed"]:
                raise _Killed()
            return real(path, fill, **kw)

        def half(fh):
            state["killed"] = True
            fh.write(b"PAR1 half")
            raise _Killed()

        return real(path, half, **kw)

    monkeypatch.setattr(runlog.history._cache, "atomic_write", write)
    return state


@pytest.mark.slow
@pytest.mark.parametrize("adding", [False, True], ids=["cold", "add-one"])
def test_an_import_killed_at_any_write_recovers_identical_frames(data_dir, tmp_path, monkeypatch, adding):
    """Kill the import at each of its file writes in turn (cache entries, digest index, snapshot files,
    manifest), leaving the temporary file behind as a killed process does; the next import gives the
    frames of an import without a cache, and so does the one after it (from what that one wrote)."""
    src = _base_folder(data_dir, tmp_path)
    base = tmp_path / "base"
    if adding:  # the cache of the folder before the new file came
        read(src, cache=base)
        shutil.copy(data_dir / MULTI_FIT, src / "multi.fit")
    expected = read(src)
    k, writes = 0, None
    while writes is None or k < writes:
        cache = tmp_path / f"cache{k}"
        if adding:
            shutil.copytree(base, cache)
        state = _kill_at(monkeypatch, k)
        try:
            read(src, cache=cache)
            writes = state["n"]  # not killed: every write point has been tried
        except _Killed:
            pass
        monkeypatch.undo()
        _frames_equal(expected, read(src, cache=cache))
        _frames_equal(expected, read(src, cache=cache))
        k += 1
    assert writes >= (7 if not adding else 6)  # entries (4 files or 1) + digest index + 5 snapshot files + manifest


def test_snapshots_of_folders_not_imported_for_30_days_are_deleted(data_dir, tmp_path):
    import os
    import time

    cache = tmp_path / "cache"
    folders = []
    for name in (HS_FIT, ACT_FIT):
        folders.append(tmp_path / name.split("/")[1])
        folders[-1].mkdir()
        shutil.copy(data_dir / name, folders[-1])
        read(folders[-1], cache=cache)
    long_ago = time.time() - 31 * 86400
    for p in cache.rglob("histories/*.json"):
        os.utime(p, (long_ago, long_ago))
    read(folders[1], cache=cache)  # warm: marks its snapshot as used
    (used,) = [p.name for p in cache.rglob("histories/*.json") if p.stat().st_mtime > long_ago + 86400]
    shutil.copy(data_dir / SHORT_FIT, folders[1])
    read(folders[1], cache=cache)  # writes a snapshot: the other folder's, unused for 31 days, goes
    assert [p.name for p in cache.rglob("histories/*.json")] == [used]
    assert len(_snapshot_files(cache)) == 4 + 2


def test_zip_exports_get_no_snapshot(data_dir, tmp_path):
    z = tmp_path / "export.zip"
    z.write_bytes(_zip_bytes({"activities/a.fit": (data_dir / HS_FIT).read_bytes()}))
    cache = tmp_path / "cache"
    read(z, cache=cache)
    read(z, cache=cache)
    assert _snapshot_files(cache) == []


# ------------------------------------------- files that are not regular files
def _read_guarded(source, fifos=(), **kw):
    """read() in a thread; if it is still running after a long grace period (it opened a named
    pipe and waits for a writer), open the pipes' write ends so it ends, and fail."""
    import threading

    box = {}
    t = threading.Thread(target=lambda: box.update(h=read(source, **kw)), daemon=True)
    t.start()
    t.join(120)
    hung = t.is_alive()
    if hung:
        for f in fifos:
            with open(f, "wb"):
                pass
        t.join()
    assert not hung, "read_history opened a named pipe and waited for a writer"
    return box["h"]


def test_pipes_sockets_and_broken_links_are_listed_not_opened(tmp_path, data_dir):
    import os
    import socket

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy(data_dir / HS_FIT, d)
    os.mkfifo(d / "pipe.gpx")
    os.symlink(tmp_path / "missing.fit", d / "gone.fit")
    sock = None
    if hasattr(socket, "AF_UNIX") and len(str(d / "sock.tcx")) < 100:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(d / "sock.tcx"))
    try:
        h = _read_guarded(d, [d / "pipe.gpx"])
        # the named pipe and the socket given on their own are error rows too, not a hang
        alone = _read_guarded([d / "pipe.gpx", d / "gone.fit"], [d / "pipe.gpx"])
    finally:
        if sock is not None:
            sock.close()
    assert list(h.runs.index) == ["20210416T1337Z"]
    expected = [[str(d / "gone.fit"),
                 f"is a broken link (it points to {tmp_path / 'missing.fit'}, which does not exist); "
                 "fix or delete the link"],
                [str(d / "pipe.gpx"), "is a named pipe (FIFO), not a regular file; not opened"]]
    if sock is not None:
        expected.append([str(d / "sock.tcx"), "is a socket, not a regular file; not opened"])
    assert h.errors.values.tolist() == expected
    assert h.skipped.empty
    assert alone.errors.values.tolist() == expected[:2]
    # a broken link given as the only source says so (not "no such file")
    with pytest.raises(FileFormatError, match="is a broken link"):
        read(d / "gone.fit")


def test_reading_a_named_pipe_directly_is_refused(tmp_path):
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    os.mkfifo(tmp_path / "run.fit")
    with pytest.raises(FileFormatError, match=r"run\.fit: is a named pipe \(FIFO\), not a regular file"):
        runlog.read_activity(tmp_path / "run.fit")
