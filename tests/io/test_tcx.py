"""TCX reader (runlog.io.tcx) on the bundled real files and on documented damage.

Expected numbers are quoted from the raw XML in the comments or re-read with
the standard library's ElementTree in ``_raw_trackpoints`` (independent of
the reader).
"""

from __future__ import annotations

import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog import schema
from runlog.io import tcx
from runlog.io._xml import XmlRecoveryWarning

TCX = "tcx"


def _raw_trackpoints(path) -> pd.DataFrame:
    """Trackpoints from the XML with the standard library; first row per <Time> (independent check)."""
    rows = []
    for tp in ET.parse(path).getroot().iter():
        if not tp.tag.endswith("}Trackpoint"):
            continue
        row = {}
        for el in tp.iter():
            name = el.tag.rpartition("}")[2]
            if name in ("Time", "Cadence", "RunCadence", "Watts", "Speed", "DistanceMeters"):
                row[name] = el.text
            elif name == "HeartRateBpm":
                row["hr"] = el.find("{*}Value").text
        rows.append(row)
    df = pd.DataFrame(rows)
    df["Time"] = pd.to_datetime(df["Time"], utc=True)
    return df.drop_duplicates("Time", keep="first").set_index("Time")


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # clean files must not warn
        return runlog.read_tcx(path)


def test_heartandsole_running_tcx(data_dir):
    path = data_dir / TCX / "heartandsole__testdata.tcx"
    act = _read(path)
    rec = act.records
    assert list(rec.columns) == list(schema.RECORD_COLUMNS)
    # 49 <Trackpoint>; the first point of laps 2-4 repeats the last time of the lap before
    # (13:38:56, 13:39:47, 13:40:53 appear twice) -> 46 samples, as the FIT file of this run
    assert len(rec) == 46
    assert rec.index[0] == pd.Timestamp("2021-04-16T13:37:53Z")
    assert rec.index[-1] == pd.Timestamp("2021-04-16T13:41:35Z")
    first = rec.iloc[0]
    # <LatitudeDegrees>40.03811557777226</LatitudeDegrees> <LongitudeDegrees>-105.25865315459669
    assert (first["lat_deg"], first["lon_deg"]) == (40.03811557777226, -105.25865315459669)
    assert (first["altitude_m"], first["distance_m"], first["hr_bpm"]) == (1626.0, 0.0, 71.0)
    # second point: <DistanceMeters>0.7599999904632568</DistanceMeters>, <ns3:Speed>0.008999999612569809
    assert rec["distance_m"].iloc[1] == 0.7599999904632568  # device distance kept, not derived
    assert rec["speed_mps"].iloc[1] == 0.008999999612569809
    raw = _raw_trackpoints(path)
    assert raw.index.equals(rec.index)
    np.testing.assert_array_equal(rec["hr_bpm"].to_numpy(), raw["hr"].astype(float).to_numpy())
    # RunCadence is strides/min -> doubled
    np.testing.assert_array_equal(rec["cadence_spm"].to_numpy(), 2 * raw["RunCadence"].astype(float).to_numpy())
    assert rec["cadence_spm"].max() == 2 * raw["RunCadence"].astype(float).max() > 0
    i = act.info
    assert (i["sport"], i["device"], i["format"]) == ("running", "Garmin Forerunner 220", "tcx")
    assert (i["tz"], i["tz_source"]) == ("America/Denver", "position")
    assert act.run_id == "20210416T1337Z"
    # device totals over the laps: 52.8 + 36.27 + 27.42 + 42.22 = 158.71 m;
    # 44.526 + 50.356 + 66.625 + 28.848 = 190.355 s (= FIT session total_timer_time)
    assert i["device_distance_m"] == pytest.approx(158.71, abs=1e-9)
    assert i["device_timer_s"] == pytest.approx(190.355, abs=1e-9)
    assert i["device_max_hr_bpm"] == 100.0
    # (83*44.526 + 85*50.356 + 77*66.625 + 90*28.848) / 190.355
    #   = (3695.658 + 4280.26 + 5130.125 + 2596.32) / 190.355 = 15702.363 / 190.355
    assert i["device_avg_hr_bpm"] == pytest.approx(15702.363 / 190.355, rel=1e-12)


def test_heartandsole_laps(data_dir):
    laps = _read(data_dir / TCX / "heartandsole__testdata.tcx").laps
    assert list(laps.columns) == list(schema.LAP_COLUMNS)
    assert laps["lap"].tolist() == [1, 2, 3, 4]
    assert laps["start_time"].tolist() == [pd.Timestamp(f"2021-04-16T13:{m}Z")
                                           for m in ("37:53", "38:56", "39:47", "40:53")]
    # end = next lap's StartTime; last lap: its last trackpoint 13:41:35 (later than
    # 13:40:53 + 28.848 s = 13:41:21.848)
    assert laps["end_time"].iloc[-1] == pd.Timestamp("2021-04-16T13:41:35Z")
    assert laps["elapsed_s"].tolist() == [63.0, 51.0, 66.0, 42.0]
    assert laps["timer_s"].tolist() == [44.526, 50.356, 66.625, 28.848]
    assert laps["distance_m"].tolist() == [52.8, 36.27, 27.42, 42.22]
    assert laps["avg_hr_bpm"].tolist() == [83.0, 85.0, 77.0, 90.0]
    assert laps["max_hr_bpm"].tolist() == [92.0, 94.0, 86.0, 100.0]
    assert laps["trigger"].tolist() == ["manual"] * 4  # <TriggerMethod>Manual</TriggerMethod>


def test_cycling_tcx_power_and_rpm(data_dir):
    path = data_dir / TCX / "sweatpy__activity_5039744860.tcx"
    act = _read(path)
    rec = act.records
    # 100 <Trackpoint>, 4 lap-boundary repeats -> 96 samples (the FIT file has 96 records)
    assert len(rec) == 96
    # first: <Cadence>90</Cadence> <ns3:Speed>6.438000202178955</ns3:Speed> <ns3:Watts>162</ns3:Watts>
    first = rec.iloc[0]
    assert (first["cadence_spm"], first["speed_mps"], first["power_w"]) == (90.0, 6.438000202178955, 162.0)
    raw = _raw_trackpoints(path)
    np.testing.assert_array_equal(rec["cadence_spm"].to_numpy(), raw["Cadence"].astype(float).to_numpy())
    assert act.info["sport"] == "cycling"  # Sport="Biking"
    assert act.info["device"] == "Garmin Edge 1000"
    assert len(act.laps) == 5
    assert act.laps["timer_s"].tolist() == [26.0, 14.0, 45.0, 17.0, 24.0]
    assert act.info["tz"] == "Europe/Amsterdam"


def test_run_garmin_laps(data_dir):
    act = _read(data_dir / TCX / "runpandas__run_garmin.tcx")
    assert len(act.records) == 147
    laps = act.laps
    # <Lap StartTime="2018-11-25T07:20:49.000Z">, 07:27:22, 07:33:38; TotalTimeSeconds 390, 372, 54
    assert laps["elapsed_s"].tolist() == [393.0, 376.0, 54.0]
    assert laps["timer_s"].tolist() == [390.0, 372.0, 54.0]
    assert laps["distance_m"].tolist() == [1000.0, 1000.0, 153.67]
    assert act.info["device"] == "Garmin Forerunner 620"
    assert act.info["tz"] == "Europe/Paris"
    # first trackpoint: <ns3:RunCadence>70</ns3:RunCadence> -> 140 steps/min
    assert act.records["cadence_spm"].iloc[0] == 140.0


def test_polar_running_cadence_without_runcadence_is_doubled(data_dir):
    path = data_dir / TCX / "sweatpy__3173437224.tcx"
    act = _read(path)
    rec = act.records
    assert len(rec) == 3507
    raw = _raw_trackpoints(path)
    # Polar M400 writes stride cadence in <Cadence> (no RunCadence) for a run
    assert "RunCadence" not in raw
    np.testing.assert_array_equal(rec["cadence_spm"].to_numpy(), 2 * raw["Cadence"].astype(float).to_numpy())
    assert act.info["device"] == "Polar M400"
    # Lap 2: start 10:27:35, TotalTimeSeconds 3368 but its last trackpoint is 11:30:16.719
    assert act.laps["end_time"].iloc[-1] == pd.Timestamp("2019-01-29T11:30:16.719Z")
    assert act.laps["elapsed_s"].iloc[-1] == pytest.approx(3761.719)


def test_malformed_tcx_is_recovered_with_warnings(data_dir):
    # runpandas' malformed.tcx: no <TrainingCenterDatabase> root and 'xsi:type' without xmlns:xsi
    path = data_dir / TCX / "runpandas__malformed.tcx"
    with pytest.warns(XmlRecoveryWarning) as rec_w:
        act = runlog.read_tcx(path)
    messages = " | ".join(str(w.message) for w in rec_w)
    assert "xsi used without a declaration" in messages and "line 4653, column 6" in messages
    assert "root element is missing" in messages
    assert len(act.records) == 384
    # <TriggerMethod>Distance</TriggerMethod> twice, then Manual
    assert act.laps["trigger"].tolist() == ["distance", "distance", "manual"]
    assert act.info["device"] == "Forerunner 410 Software Version 2.20"


def test_gzipped_tcx(data_dir, tmp_path):
    import gzip

    src = data_dir / TCX / "heartandsole__testdata.tcx"
    gz = tmp_path / "run.tcx.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    a = runlog.read_activity(gz)
    pd.testing.assert_frame_equal(a.records, runlog.read_activity(src).records)
    assert a.info["format"] == "tcx"


# --------------------------------------------------------------------------
# Documented errors
# --------------------------------------------------------------------------

def _variant(data_dir, tmp_path, edit, name="v.tcx"):
    text = (data_dir / TCX / "heartandsole__testdata.tcx").read_text(encoding="utf-8")
    p = tmp_path / name
    p.write_text(edit(text), encoding="utf-8")
    return p


def test_courses_only_is_not_an_activity(data_dir, tmp_path):
    p = _variant(data_dir, tmp_path, lambda t: re.sub(
        r"<Activities>.*</Activities>", "<Courses><Course><Name>loop</Name></Course></Courses>", t,
        flags=re.S))
    with pytest.raises(runlog.NotAnActivityError, match="holds courses but no recorded activity"):
        runlog.read_tcx(p)


def test_activity_without_trackpoints_is_refused(data_dir, tmp_path):
    p = _variant(data_dir, tmp_path, lambda t: re.sub(r"<Track>.*?</Track>", "", t, flags=re.S))
    with pytest.raises(runlog.FileFormatError, match="1 activity but no trackpoints"):
        runlog.read_tcx(p)


def test_unreadable_times_are_refused(data_dir, tmp_path):
    p = _variant(data_dir, tmp_path, lambda t: re.sub(r"<Time>[^<]*</Time>", "<Time>soon</Time>", t))
    with pytest.raises(runlog.FileFormatError, match="49 trackpoints but none with a readable <Time>"):
        runlog.read_tcx(p)


def test_truncated_tcx(data_dir, tmp_path):
    p = _variant(data_dir, tmp_path, lambda t: t[: len(t) // 3])
    with pytest.raises(runlog.FileFormatError, match=r"not well-formed TCX.*line") as e:
        runlog.read_tcx(p)
    assert e.value.__cause__ is not None


def test_wrong_root(tmp_path):
    p = tmp_path / "x.tcx"
    p.write_text("<?xml version='1.0'?><gpx version='1.1'/>")
    with pytest.raises(runlog.FileFormatError, match=r"not TCX .root element <gpx>"):
        tcx.decode(p.read_bytes(), str(p))


def test_multisport_session_gives_one_raw_activity_per_activity(data_dir):
    text = (data_dir / TCX / "heartandsole__testdata.tcx").read_text()
    act = re.search(r"<Activity .*?</Activity>", text, flags=re.S).group(0)
    # a second copy one hour later as 'Biking', both inside a MultiSportSession
    later = act.replace("2021-04-16T13:", "2021-04-16T14:").replace('Sport="Running"', 'Sport="Biking"')
    multi = re.sub(r"<Activities>.*</Activities>",
                   f"<Activities><MultiSportSession><Id>x</Id><FirstSport>{act}</FirstSport>"
                   f"<NextSport>{later}</NextSport></MultiSportSession></Activities>", text, flags=re.S)
    raws = tcx.decode(multi.encode(), "multi.tcx")
    assert [r.info["sport"] for r in raws] == ["running", "cycling"]
    assert [(r.info["session"], r.info["n_sessions"]) for r in raws] == [(1, 2), (2, 2)]
    assert [len(r.records) for r in raws] == [46, 46]


def test_all_shared_tcx_files_read_or_fail_cleanly(shared_dir):
    counts = {}
    for path in sorted((shared_dir / TCX).glob("*.tcx")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            counts[path.name] = len(runlog.read_tcx(path).records)
    # sports-lib V800 file (AGPL, read in place) has whitespace before <?xml
    assert counts["sportslib__6281425038.tcx"] > 1000
    assert counts["runpandas__run.tcx"] == 1424  # TomTom, one lap
    assert counts["sportslib__unknown_example.tcx"] > 700


def test_sport_other_cadence_rule(data_dir, tmp_path):
    # Sport="Other" with <ns3:RunCadence>: a RunCadence element means strides -> doubled
    run = (data_dir / TCX / "heartandsole__testdata.tcx").read_text().replace('Sport="Running"', 'Sport="Other"')
    p = tmp_path / "other-run.tcx"
    p.write_text(run)
    act = _read(p)
    assert act.info["sport"] == "unknown"
    raw = _raw_trackpoints(p)
    np.testing.assert_array_equal(act.records["cadence_spm"], 2 * raw["RunCadence"].astype(float))
    # Sport="Other" with <Cadence> at ~6.4 m/s: ~4.3 m per cycle is a pedal revolution -> rpm kept
    ride = (data_dir / TCX / "sweatpy__activity_5039744860.tcx").read_text().replace(
        'Sport="Biking"', 'Sport="Other"')
    p = tmp_path / "other-ride.tcx"
    p.write_text(ride)
    act = _read(p)
    assert act.info["sport"] == "unknown"
    assert act.records["cadence_spm"].iloc[0] == 90.0


def test_broken_clock_and_stuck_clock_are_refused(data_dir, tmp_path):
    p = _variant(data_dir, tmp_path, lambda t: t.replace("2021-04-16T", "1901-12-13T"), name="1901.tcx")
    with pytest.raises(runlog.FileFormatError, match="trackpoint times outside any possible recording"):
        runlog.read_tcx(p)
    p = _variant(data_dir, tmp_path, lambda t: re.sub(
        r"<Time>[^<]*</Time>", "<Time>2021-04-16T13:37:53.000Z</Time>", t), name="stuck.tcx")
    with pytest.raises(runlog.FileFormatError, match=r"same time .* on all its 49 timed trackpoints"):
        runlog.read_tcx(p)
