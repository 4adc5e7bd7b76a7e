"""FIT reader (runlog.io.fit) on the real files bundled in tests/data/fit.

Expected numbers come from the files themselves, read with a bare fitparse
loop (an independent decoder path: fitparse's default data processor, no
runlog code) or computed by hand in the comments.  Files of the full corpus
(AGPL sportslib files included) are only read through the ``shared_dir``
fixture and never copied.
"""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import fitparse
import numpy as np
import pandas as pd
import pytest
from fitparse.utils import FitCRCError, FitParseError

import runlog
from runlog.errors import FileFormatError, NotAnActivityError, RunlogWarning, TruncatedFileWarning
from runlog.history._runs import summarize_records
from runlog.io import _fitfast as fitfast
from runlog.io import fit


def _fit(data_dir, name):
    return data_dir / "fit" / name


def _raw_records(path) -> list[dict]:
    """Record messages as plain fitparse returns them (the independent reference)."""
    with fitparse.FitFile(str(path)) as ff:
        return [m.get_values() for m in ff.get_messages("record")]


def _read_all(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunlogWarning)
        return runlog.read_activities(path, **kw)


# --------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------
def test_semicircles_to_deg():
    # 2**31 semicircles = 180°, so 2**30 = 90° and -2**29 = -45°.
    assert fit.semicircles_to_deg(np.array([2**30, -(2**29), 0])).tolist() == [90.0, -45.0, 0.0]


def test_cadence_doubled_only_for_foot_sports():
    cad, frac = np.array([80.0, 82.0, np.nan]), np.array([0.5, np.nan, 0.0])
    # running: 2 * (80 + 0.5) = 161; 2 * (82 + 0) = 164 (missing fraction counts as 0)
    np.testing.assert_array_equal(fit.cadence_spm(cad, frac, "running"), [161.0, 164.0, np.nan])
    np.testing.assert_array_equal(fit.cadence_spm(cad, frac, "walking"), [161.0, 164.0, np.nan])
    # cycling keeps revolutions per minute (+ fraction); unknown sport is not guessed
    np.testing.assert_array_equal(fit.cadence_spm(cad, frac, "cycling"), [80.5, 82.0, np.nan])
    np.testing.assert_array_equal(fit.cadence_spm(cad, frac, "unknown"), [80.5, 82.0, np.nan])


def test_device_name_uses_sdk_names_and_product_name():
    assert fit.device_name({"manufacturer": "garmin", "garmin_product": "fenix2"}) == "garmin fenix2"
    # 2888 is not in fitparse 1.2.0's profile; the FIT SDK names it fr645m.
    assert fit.device_name({"manufacturer": "garmin", "garmin_product": 2888}) == "garmin fr645m"
    # COROS (manufacturer 294, newer than fitparse 1.2.0) writes its own product_name.
    assert fit.device_name({"manufacturer": 294, "product": 841,
                            "product_name": "COROS APEX Pro"}) == "coros COROS APEX Pro"
    assert fit.device_name({"manufacturer": "strava", "product": 102}) == "strava product 102"
    assert fit.device_name({}) is None


def test_utc_offset_from_activity_message():
    t = pd.Timestamp("2020-12-10 06:59:50").to_pydatetime()
    # local 07:59:50 - UTC 06:59:50 = +3600 s (workoutizer run_with_coordinates.fit)
    assert fit.utc_offset_s({"timestamp": t, "local_timestamp": t + pd.Timedelta(hours=1)}) == 3600.0
    west = t - pd.Timedelta(hours=5, minutes=30)  # -05:30 = -19800 s
    assert fit.utc_offset_s({"timestamp": t, "local_timestamp": west}) == -19800.0
    # Zwift writes local_timestamp = 0 (1989-12-31): no offset rather than -28 years
    assert fit.utc_offset_s({"timestamp": t,
                             "local_timestamp": pd.Timestamp("1989-12-31").to_pydatetime()}) is None
    # COROS copies timestamp into local_timestamp: 0 is left to the position's zone
    assert fit.utc_offset_s({"timestamp": t, "local_timestamp": t}) is None
    # 17 min is no time zone
    assert fit.utc_offset_s({"timestamp": t, "local_timestamp": t + pd.Timedelta(minutes=17)}) is None
    assert fit.utc_offset_s(None) is None


def test_merge_same_time_keeps_every_field():
    t = pd.to_datetime(["2021-09-27 14:13:12", "2021-09-27 14:13:10", "2021-09-27 14:13:10"], utc=True)
    df = pd.DataFrame({"distance_m": [3.27, np.nan, 0.0], "speed_mps": [1.65, 1.367, np.nan]}, index=t)
    out = fit.merge_same_time(df)
    assert list(out.index) == sorted(set(t))
    assert out["distance_m"].tolist() == [0.0, 3.27]
    assert out["speed_mps"].tolist() == [1.367, 1.65]


def test_main_body_mask_drops_only_far_minorities():
    t = pd.to_datetime(["2021-06-20 04:08:36", "2021-06-20 04:08:40",      # clock not set yet
                        "2021-07-18 00:07:22", "2021-07-18 00:08:51", "2021-07-18 02:18:19"], utc=True)
    assert fit.main_body_mask(pd.DatetimeIndex(t)).tolist() == [False, False, True, True, True]
    # a 5 h pause (< 12 h) splits nothing
    t = pd.to_datetime(["2016-08-08 13:10:28", "2016-08-08 13:11:00", "2016-08-08 18:30:08"], utc=True)
    assert fit.main_body_mask(pd.DatetimeIndex(t)).all()
    # one record dated 2085 after a run
    t = pd.to_datetime(["2021-09-27 14:13:10", "2021-09-27 14:13:12", "2085-12-21 16:46:58"], utc=True)
    assert fit.main_body_mask(pd.DatetimeIndex(t)).tolist() == [True, True, False]
    assert fit.main_body_mask(pd.DatetimeIndex([], tz="UTC")).tolist() == []


def test_session_distance_starts_at_zero():
    np.testing.assert_array_equal(fit.session_distance_m(np.array([np.nan, 42727.8, 42730.0])),
                                  [np.nan, 0.0, 42730.0 - 42727.8])


def test_split_segments_of_chained_and_cut_files(data_dir):
    a = _fit(data_dir, "fitparse__Activity.fit").read_bytes()
    assert len(a) == 771  # 12-byte header + 757 data bytes + 2 CRC bytes
    segs, trailing = fit.split_segments(a + a)
    assert [s.offset for s in segs] == [0, 771] and trailing == b""
    assert all(s.declared_size == 771 and len(s.data) == 771 for s in segs)
    segs, trailing = fit.split_segments(a + b"JUNK" * 5)
    assert len(segs) == 1 and trailing == b"JUNK" * 5
    segs, _ = fit.split_segments(a[:500])
    assert len(segs) == 1 and len(segs[0].data) == 500 and segs[0].declared_size == 771
    assert fit.split_segments(b"not a fit file at all") == ([], b"not a fit file at all")


# --------------------------------------------------------------------------
# Real files
# --------------------------------------------------------------------------
def test_fenix2_run_records(data_dir):
    path = _fit(data_dir, "fitparse__activity-small-fenix2-run.fit")
    (act,) = _read_all(path)
    raw = _raw_records(path)
    rec = act.records
    assert len(rec) == len(raw) == 2809
    assert list(rec.columns) == list(runlog.schema.RECORD_COLUMNS)
    assert rec.index[0] == pd.Timestamp("2015-08-15 14:45:08", tz="UTC")
    assert rec.index[-1] == pd.Timestamp("2015-08-15 15:32:21", tz="UTC")
    # first fix: position_lat 703410450, position_long 68347712 semicircles
    assert raw[0]["position_lat"] == 703410450 and raw[0]["position_long"] == 68347712
    assert rec["lat_deg"].iloc[0] == pytest.approx(703410450 * 180 / 2**31)  # 58.959183...
    assert rec["lon_deg"].iloc[0] == pytest.approx(68347712 * 180 / 2**31)  # 5.728839...
    assert rec["lat_deg"].iloc[0] == pytest.approx(58.959183, abs=1e-6)
    # running cadence: fitparse gives 56 and 82 strides/min at records 0 and 100 -> 112, 164 steps/min
    assert (raw[0]["cadence"], raw[100]["cadence"]) == (56, 82)
    assert rec["cadence_spm"].iloc[[0, 100]].tolist() == [112.0, 164.0]
    # every cadence: 2 * raw (this watch writes no fractional_cadence)
    raw_cad = np.array([r["cadence"] if r["cadence"] is not None else np.nan for r in raw], dtype=float)
    np.testing.assert_array_equal(rec["cadence_spm"].to_numpy(), 2 * raw_cad)
    assert rec["hr_bpm"].iloc[0] == 69 and rec["temp_c"].iloc[0] == 21
    assert rec["speed_mps"].iloc[0] == 5.89 and rec["altitude_m"].iloc[0] == 55.0
    assert rec["power_w"].isna().all()  # no power meter: NaN column
    info = act.info
    assert (info["sport"], info["sub_sport"], info["device"]) == ("running", None, "garmin fenix2")
    assert (info["session"], info["n_sessions"], info["truncated"]) == (1, 1, False)
    # activity.local_timestamp 17:32:46 - timestamp 15:32:46 = +2 h
    assert (info["tz"], info["tz_source"]) == ("+02:00", "fit_local_timestamp")
    assert info["start_local"] == pd.Timestamp("2015-08-15 16:45:08")
    totals = (info["device_distance_m"], info["device_elapsed_s"], info["device_ascent_m"])
    assert totals == (9008.22, 2832.0, 64.0)
    # 4 laps, no lap_trigger written by the fenix 2; lap distances add up to the session's
    laps = act.laps
    assert laps["lap"].tolist() == [1, 2, 3, 4]
    assert laps["distance_m"].tolist() == [848.94, 2987.88, 2978.79, 2192.61]
    assert sum(laps["distance_m"]) == pytest.approx(9008.22)
    assert laps["trigger"].isna().all()
    assert laps["start_time"].iloc[1] == pd.Timestamp("2015-08-15 14:49:40", tz="UTC")


def test_lap_triggers_and_fr220(data_dir):
    (act,) = _read_all(_fit(data_dir, "heartandsole__testdata.fit"))
    assert len(act.records) == 46 and act.info["device"] == "garmin fr220"
    assert act.laps["trigger"].tolist() == ["manual", "manual", "manual", "session_end"]
    assert act.laps["distance_m"].tolist() == [52.8, 36.27, 27.42, 42.22]
    assert act.laps["trigger"].dtype == "string"
    # local 07:41:40 vs UTC 13:41:40 -> -06:00 (US Mountain daylight time)
    assert act.info["tz"] == "-06:00"


def test_garmin_product_missing_from_fitparse_profile(data_dir):
    (act,) = _read_all(_fit(data_dir, "workoutizer__run_with_coordinates.fit"))
    assert act.info["device"] == "garmin fr645m"
    assert act.info["tz"] == "+01:00"
    assert len(act.records) == 1945
    assert act.laps["trigger"].tolist() == ["session_end"]
    assert (act.laps["avg_hr_bpm"].iloc[0], act.laps["max_hr_bpm"].iloc[0]) == (157.0, 184.0)


def test_multisport_triathlon_sessions(data_dir):
    path = _fit(data_dir, "fitparse__sample_mulitple_header.fit")
    acts = _read_all(path)
    assert [a.info["sport"] for a in acts] == ["swimming", "transition", "cycling", "transition", "running"]
    assert [a.info["sub_sport"] for a in acts] == ["open_water", None, None, None, None]
    assert [a.info["session"] for a in acts] == [1, 2, 3, 4, 5]
    assert {a.info["n_sessions"] for a in acts} == {5}
    # every record lands in exactly one session: 349 + 38 + 854 + 14 + 518 = 1773
    raw = _raw_records(path)
    assert [len(a.records) for a in acts] == [349, 38, 854, 14, 518]
    assert sum(len(a.records) for a in acts) == len(raw) == 1773
    starts = [a.records.index[0] for a in acts]
    assert starts[4] == pd.Timestamp("2018-05-27 09:23:41", tz="UTC")  # session 5 start_time
    assert len({a.run_id for a in acts}) == 5
    # record.distance is cumulative over the whole file on the 920XT (the run's first
    # record says 42727.8 m); each session starts from 0
    run = acts[4]
    assert run.records["distance_m"].iloc[0] == 0.0
    assert run.records["distance_m"].max() == pytest.approx(9803.46)
    assert run.info["device_distance_m"] == 9805.92
    # cadence against the raw values: run = 2*(cadence + fractional), bike = rpm + fractional
    by_time = {pd.Timestamp(r["timestamp"], tz="UTC"): r for r in raw}
    r = by_time[pd.Timestamp("2018-05-27 09:24:00", tz="UTC")]
    assert (r["cadence"], r["fractional_cadence"]) == (82, 0.5)
    assert run.records.loc[pd.Timestamp("2018-05-27 09:24:00", tz="UTC"), "cadence_spm"] == 2 * (82 + 0.5)
    bike = acts[2]
    bike_cad = bike.records["cadence_spm"].dropna()
    for t, v in bike_cad.items():
        raw_t = by_time[t]
        assert v == raw_t["cadence"] + (raw_t["fractional_cadence"] or 0.0)
    assert len(bike_cad) > 0
    # one lap per session; the run's lap ended with the lap button
    assert [a.laps["trigger"].tolist() for a in acts] == [["session_end"]] * 4 + [["manual"]]


def test_read_activity_picks_the_run_of_a_multisport_file(data_dir):
    with pytest.warns(UserWarning, match="5 sessions"):
        act = runlog.read_activity(_fit(data_dir, "fitparse__sample_mulitple_header.fit"))
    assert (act.info["sport"], act.info["session"]) == ("running", 5)


def test_short_multisport_run_transition_rowing(data_dir):
    acts = _read_all(_fit(data_dir, "sweatpy__6471559601_ACTIVITY.fit"))
    assert [(a.info["sport"], len(a.records)) for a in acts] == [("running", 24), ("transition", 12),
                                                                ("rowing", 24)]
    assert [a.laps["trigger"].tolist() for a in acts] == [["session_end"], ["session_end"], ["manual"]]


def test_cycling_keeps_rpm(data_dir):
    path = _fit(data_dir, "sweatpy__2020-06-01-16-52-40.fit")
    (act,) = _read_all(path)
    raw = _raw_records(path)
    assert act.info["sport"] == "cycling" and act.info["device"] == "garmin edge1000"
    raw_cad = [r["cadence"] + (r.get("fractional_cadence") or 0.0) for r in raw[:3]]
    assert act.records["cadence_spm"].iloc[:3].tolist() == raw_cad == [90.0, 91.0, 92.0]
    raw_power = np.array([np.nan if r.get("power") is None else r["power"] for r in raw], dtype=float)
    np.testing.assert_array_equal(act.records["power_w"].to_numpy(), raw_power)
    assert act.records["power_w"].iloc[0] == 162.0


def test_truncated_file_keeps_records_and_warns(data_dir):
    whole = _read_all(_fit(data_dir, "fitparse__Activity.fit"))[0]
    path = _fit(data_dir, "fitparse__activity-unexpected-eof.fit")
    with pytest.warns(TruncatedFileWarning, match="activity-unexpected-eof.fit.*ends early"):
        (act,) = runlog.read_activities(path)
    assert act.info["truncated"] is True
    assert whole.info["truncated"] is False
    # the cut removed only the end of the file (activity message and CRC): all 14 records remain
    pd.testing.assert_frame_equal(act.records, whole.records)


def test_chained_files_damage_marks_only_the_damaged_part(data_dir):
    a = _fit(data_dir, "fitparse__Activity.fit").read_bytes()
    bad_crc = a[:-1] + bytes([a[-1] ^ 0x10])  # the corpus' activity-activity-filecrc.fit, made here
    with pytest.warns(TruncatedFileWarning, match="chained.fit: fails its checksum"):
        raws = fit.decode(a + bad_crc, "chained.fit")
    assert [r.info["truncated"] for r in raws] == [False, True]
    assert [len(r.records) for r in raws] == [14, 14]
    assert [r.info["session"] for r in raws] == [1, 2]
    with pytest.warns(TruncatedFileWarning, match="8 bytes after its last FIT file"):
        (raw,) = fit.decode(a + b"\x01garbage", "trailing.fit")
    assert raw.info["truncated"] is True
    # zero padding after the last file is not damage
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (raw,) = fit.decode(a + b"\0" * 16, "padded.fit")
    assert raw.info["truncated"] is False


def test_unfinished_header_keeps_the_data(data_dir):
    # A watch writes the data size into the header when it closes the file; one that
    # died leaves 0 there.  Activity.fit with its data size zeroed and CRC cut off:
    a = _fit(data_dir, "fitparse__Activity.fit").read_bytes()
    unfinished = a[:4] + b"\0\0\0\0" + a[8:-2]
    (seg,), trailing = fit.split_segments(unfinished)
    assert seg.unfinished and trailing == b""
    with pytest.warns(TruncatedFileWarning, match="never finished"):
        (raw,) = fit.decode(unfinished, "died.fit")
    assert len(raw.records) == 14 and raw.info["truncated"] is True
    assert raw.info["device_distance_m"] == 5.73  # the session message was written before


def test_settings_file_is_not_an_activity(data_dir):
    with pytest.raises(NotAnActivityError, match="is a settings file, not an activity") as e:
        runlog.read_activity(_fit(data_dir, "fitparse__Settings.fit"))
    assert e.value.path.endswith("fitparse__Settings.fit")


def test_device_relative_timestamps_are_refused(data_dir):
    # Forerunner 70 raw dump: every date_time < 0x10000000 (time_created = 17217864 s
    # after power-on), so there is no date for the run.
    path = _fit(data_dir, "fitparse__compressed-speed-distance.fit")
    with fitparse.FitFile(str(path)) as ff:
        created = next(ff.get_messages("file_id")).get_value("time_created")
    assert created == 17217864 < fit.DEVICE_RELATIVE_LIMIT
    with pytest.raises(FileFormatError, match=r"device-relative times.*Garmin Connect") as e:
        runlog.read_activity(path)
    assert not isinstance(e.value, NotAnActivityError)


def test_garbage_is_a_file_format_error_with_cause(tmp_path, data_dir):
    rng = np.random.default_rng(20240601)
    junk = tmp_path / "junk.fit"
    junk.write_bytes(rng.integers(0, 256, 3000, dtype=np.uint8).tobytes())
    with pytest.raises(FileFormatError, match="not a FIT file") as e:
        runlog.read_activity(junk)
    assert e.value.path == str(junk)
    # a valid 12-byte header followed by noise: fitparse stops at the first message
    head = _fit(data_dir, "fitparse__Activity.fit").read_bytes()[:12]
    noisy = tmp_path / "noisy.fit"
    noisy.write_bytes(head + rng.integers(0, 256, 757, dtype=np.uint8).tobytes())
    with pytest.raises(FileFormatError, match="nothing could be read") as e:
        runlog.read_activity(noisy)
    assert e.value.path == str(noisy)
    assert isinstance(e.value.__cause__, fitfast.FitDamage)  # the damage, chained


def test_gzipped_fit_via_read_activity(tmp_path, data_dir):
    src = _fit(data_dir, "heartandsole__testdata.fit")
    gz = tmp_path / "morning run.fit.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    act = runlog.read_activity(gz)
    plain = runlog.read_activity(src)
    assert act.info["format"] == "fit" and act.info["source"] == str(gz)
    assert act.run_id == plain.run_id == "20210416T1337Z"
    pd.testing.assert_frame_equal(act.records, plain.records)


# --------------------------------------------------------------------------
# Device totals: the records must reproduce the watch's own session totals
# --------------------------------------------------------------------------
#: (file, session) -> why a check cannot hold; the other checks of that session still run.
TOTALS_EXCEPTIONS = {
    ("sweatpy__2020-06-01-16-52-40.fit", 1, "elapsed"):
        "Edge 1000 wrote total_elapsed_time 113.15 s, shorter than its own session "
        "start_time..timestamp (138 s) and than its records (126 s, 14:52:40-14:54:46)",
    ("fitparse__sample_mulitple_header.fit", 1, "hr"):
        "open-water swim: the HRM-Tri strap stores swim HR in 'hr' messages of the chained "
        "segments (device avg 165), the records only hold the few wrist readings (avg 143.9)",
    ("fitparse__sample_mulitple_header.fit", 2, "elapsed"):
        "multisport with smart recording: the transition's last record is 3.3 s before the "
        "next session starts (records 167 s vs 170.27 s)",
    ("fitparse__sample_mulitple_header.fit", 3, "elapsed"):
        "multisport with smart recording: the bike's last record is 3.1 s before the next "
        "session starts (records 4419 s vs 4422.14 s)",
    ("tormoderfit__0134902991.fit", 1, "elapsed"):
        "Onelap: records continue 20 s past start_time + total_elapsed_time (12:16:46 vs "
        "12:16:26), and the session timestamp equals its start_time",
}


def _bundled_sessions(data_dir):
    for path in sorted((data_dir / "fit").iterdir()):
        try:
            acts = _read_all(path)
        except FileFormatError:
            continue
        for act in acts:
            if np.isfinite(act.info["device_elapsed_s"]):
                yield path.name, act


def check_device_totals(name: str, act, exceptions: dict) -> list[str]:
    """The failed checks of one session (those without a stated reason)."""
    s = summarize_records(act.records)
    info, num = act.info, act.info["session"]
    bad = []
    if np.isfinite(info["device_distance_m"]) and (name, num, "distance") not in exceptions:
        tol = max(50.0, 0.01 * info["device_distance_m"])
        if not abs(s["distance_m"] - info["device_distance_m"]) <= tol:
            bad.append(f"{name} s{num}: distance {s['distance_m']:.1f} vs {info['device_distance_m']:.1f}")
    if (name, num, "elapsed") not in exceptions and not abs(s["elapsed_s"] - info["device_elapsed_s"]) <= 2.0:
        bad.append(f"{name} s{num}: elapsed {s['elapsed_s']:.0f} vs device {info['device_elapsed_s']:.1f}")
    if (np.isfinite(info["device_avg_hr_bpm"]) and (name, num, "hr") not in exceptions
            and not abs(s["avg_hr_bpm"] - info["device_avg_hr_bpm"]) <= 1.0):
        bad.append(f"{name} s{num}: avg HR {s['avg_hr_bpm']:.1f} vs {info['device_avg_hr_bpm']:.0f}")
    return bad


def test_records_agree_with_device_totals(data_dir):
    sessions = list(_bundled_sessions(data_dir))
    # Activity, fenix2, unexpected-eof, 5 + 3 multisport sessions, B47I2852, testdata,
    # edge1000, two fr645m runs, the Onelap indoor ride
    assert len(sessions) == 17
    bad = [msg for name, act in sessions for msg in check_device_totals(name, act, TOTALS_EXCEPTIONS)]
    assert bad == []
    # every stated exception is still needed (else the reason is stale)
    needed = set()
    for name, act in sessions:
        for key in [k for k in TOTALS_EXCEPTIONS if k[:2] == (name, act.info["session"])]:
            if check_device_totals(name, act, {k: v for k, v in TOTALS_EXCEPTIONS.items() if k != key}):
                needed.add(key)
    assert needed == set(TOTALS_EXCEPTIONS)


# --------------------------------------------------------------------------
# Quirky files of the shared corpus (read in place, never copied)
# --------------------------------------------------------------------------
def test_misaligned_fields_decoded_in_full(shared_dir):
    path = shared_dir / "fit" / "fitparse__coros-pace-2-cycling-misaligned-fields.fit"
    with pytest.raises(FitParseError, match="Invalid field size"):
        fitparse.FitFile(str(path)).parse()  # plain fitparse 1.2.0 gives up
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and runlog reads it without damage
        (act,) = runlog.read_activities(path)
    assert len(act.records) == 11272  # SOURCES.md: 11272 records
    assert act.info["device"] == "coros COROS PACE 2"
    assert act.info["device_distance_m"] == pytest.approx(32145.8, abs=0.1)


def test_stray_timestamps_are_dropped(shared_dir):
    path = shared_dir / "fit" / "sportslib__27-days-activity.fit"
    with pytest.warns(RunlogWarning, match="dropped 3 record.*2021-06-20 04:08:36"):
        (act,) = runlog.read_activities(path)
    # 3699 records: 3 dated 2021-06-20, the ride 2021-07-18 00:07:22 .. 02:18:19
    assert len(act.records) == 3699 - 3
    assert act.records.index[0] == pd.Timestamp("2021-07-18 00:07:22", tz="UTC")
    assert act.records["elapsed_s"].iloc[-1] == (pd.Timestamp("2021-07-18 02:18:19")
                                                 - pd.Timestamp("2021-07-18 00:07:22")).total_seconds()
    assert act.info["device_elapsed_s"] == 2412583.0  # the device's own (contaminated) total is reported


def test_undefined_message_strava_file(shared_dir):
    path = shared_dir / "fit" / "fitparse__strava-android-app-201.10-b1218918.fit"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (act,) = runlog.read_activities(path)
    messages = sorted((w.category.__name__, str(w.message)) for w in caught)
    assert [c for c, _ in messages] == ["RunlogWarning", "TruncatedFileWarning"]
    assert "dropped 1 record(s) dated 2085-12-21 16:46:58" in messages[0][1]
    assert "never defined" in messages[1][1] and path.name in messages[1][1]
    # 473 record messages before the damage = 236 timestamps written twice (position+speed,
    # then distance) + 1 stray record dated 2085 -> 235 samples with both halves merged
    assert len(act.records) == 235
    assert act.records["distance_m"].notna().all() and act.records["lat_deg"].notna().all()
    assert act.info["truncated"] is True and act.info["sport"] == "running"


def test_truncated_file_without_session(shared_dir):
    path = shared_dir / "fit" / "fitparse__nick.fit"
    with pytest.warns(TruncatedFileWarning, match="ends early"):
        (act,) = runlog.read_activities(path)
    assert act.info["truncated"] is True
    assert np.isnan(act.info["device_distance_m"])
    assert act.info["device"] == "sigmasport product 46"


@pytest.mark.slow
def test_fenix2_multisport_with_early_records(shared_dir):
    path = shared_dir / "fit" / "fitparse__activity-large-fenxi2-multisport.fit"
    acts = _read_all(path)
    assert [a.info["sport"] for a in acts] == ["unknown", "transition", "running", "transition",
                                               "running", "transition", "cycling"]
    # the first session's start_time (08:00:01) is 45 min after the first record (07:14:44);
    # its timestamp - total_elapsed_time (10:30:24 - 11738.24 s = 07:14:45.76) matches the records
    assert acts[0].records.index[0] == pd.Timestamp("2015-08-29 07:14:44", tz="UTC")
    raw = _raw_records(path)
    assert len(raw) == 24239
    # records sharing a timestamp are merged: one sample per distinct time, none lost
    assert sum(len(a.records) for a in acts) == len({r["timestamp"] for r in raw}) == 24232


def test_unfinished_file_is_read(shared_dir):
    # Zwift wrote a 12-byte header announcing 0 data bytes and never updated it:
    # plain fitparse stops at the (absent) CRC; the 86 kB of messages after it are a ride.
    path = shared_dir / "fit" / "sportslib__empty-activities.fit"
    with pytest.raises(FitCRCError):
        fitparse.FitFile(str(path)).parse()
    with pytest.warns(TruncatedFileWarning, match="never finished"):
        (act,) = runlog.read_activities(path)
    assert len(act.records) == 2319 and act.info["truncated"] is True
    assert act.info["device"] == "zwift product 0"


ZERO_HR_FIT = "tormoderfit__0134902991.fit"  # Onelap indoor ride: every record's heart_rate is 0


def test_all_zero_heart_rate_is_no_heart_rate(data_dir):
    path = _fit(data_dir, ZERO_HR_FIT)
    raw = _raw_records(path)
    # the independent reference: bare fitparse finds 739 records, every heart_rate 0
    assert len(raw) == 739 and {r.get("heart_rate") for r in raw} == {0}
    (act,) = _read_all(path)
    rec = act.records
    assert act.info["sport"] == "cycling" and len(rec) == 715  # same-second records merged
    assert rec["hr_bpm"].isna().all()          # 0 bpm is no strap contact: missing, not a heart rate
    assert rec["power_w"].notna().all() and rec["cadence_spm"].max() == 88.0  # other channels untouched
    s = summarize_records(rec)
    assert np.isnan(s["avg_hr_bpm"]) and np.isnan(s["max_hr_bpm"])
    # the device's session and lap heart rates of that strap are 0 too: also missing
    with fitparse.FitFile(str(path)) as ff:
        (session,) = [m.get_values() for m in ff.get_messages("session")]
    assert session["avg_heart_rate"] == 0 and session["max_heart_rate"] == 0
    assert np.isnan(act.info["device_avg_hr_bpm"]) and np.isnan(act.info["device_max_hr_bpm"])
    assert act.laps[["avg_hr_bpm", "max_hr_bpm"]].isna().all().all()


def test_zero_hr_run_gets_the_load_of_a_run_without_hr(data_dir):
    """With HR NaN the run's TRIMP is missing and its load is imputed from moving minutes
    (features.core.session_load), as for any run recorded without a strap."""
    from runlog.features import run_features

    acts = _read_all(_fit(data_dir, ZERO_HR_FIT)) + _read_all(_fit(data_dir, "heartandsole__testdata.fit"))
    h = runlog.History.from_activities(acts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunlogWarning)
        f = run_features(h)
    zero, strap = "20210304T1204Z", "20210416T1337Z"
    assert np.isnan(f.loc[zero, "trimp"]) and np.isfinite(f.loc[strap, "trimp"])
    assert f.loc[zero, "load_imputed"] and not f.loc[strap, "load_imputed"]
    per_min = f.loc[strap, "trimp"] / f.loc[strap, "moving_min"]  # the only run with HR: its TRIMP per minute
    assert f.loc[zero, "session_load_au"] == pytest.approx(f.loc[zero, "moving_min"] * per_min)
    assert f.attrs["load_unit"] == "trimp"


def test_impossible_samples_become_missing():
    from runlog import schema

    idx = pd.date_range("2024-03-01", periods=7, freq="s", tz="UTC")
    rec = schema.conform_records(pd.DataFrame({
        "hr_bpm": [0.0, 1.0, 150.0, 250.0, 251.0, -5.0, np.nan],
        "cadence_spm": [0.0, 170.0, 260.0, 261.0, 400.0, np.nan, 180.0],
        "temp_c": [-40.0, -40.5, 25.0, 60.0, 60.1, 127.0, np.nan],
        "power_w": [0.0, 300.0, 2000.0, 0.0, 0.0, 0.0, 0.0],
    }, index=idx))
    run = schema.mask_impossible(rec.copy(), "running")
    np.testing.assert_array_equal(run["hr_bpm"], [np.nan, 1, 150, 250, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(run["cadence_spm"], [0, 170, 260, np.nan, np.nan, np.nan, 180])
    np.testing.assert_array_equal(run["temp_c"], [-40, np.nan, 25, 60, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(run["power_w"], rec["power_w"])
    # cycling cadence is revolutions per minute: no steps/min limit
    ride = schema.mask_impossible(rec.copy(), "cycling")
    np.testing.assert_array_equal(ride["cadence_spm"], rec["cadence_spm"])
    # every reader passes finalize, which applies it
    act = runlog.io._activity.finalize(rec, None, {"source": "synthetic", "format": "gpx", "sport": "running"})
    np.testing.assert_array_equal(act.records["hr_bpm"], run["hr_bpm"])
    np.testing.assert_array_equal(act.records["cadence_spm"], run["cadence_spm"])


def _fit_crc(data: bytes) -> bytes:
    """The FIT CRC-16 of *data*, little-endian (fitparse's own implementation)."""
    import struct

    from fitparse.records import Crc

    crc = Crc()
    crc.update(data)
    return struct.pack("<H", crc.value)


@pytest.mark.parametrize("header, reason", [
    # 14-byte header: protocol byte 0xa7 ("10.7"), random profile bytes, no data; valid file CRC
    (bytes([14, 0xA7, 0x3C, 0x91, 0, 0, 0, 0]) + b".FIT\0\0",
     "x.fit: has a damaged FIT header (protocol version 10.7; FIT files are version 2 or older), so the data "
     "after it cannot be trusted; nothing could be read from it"),
    # a plausible header (protocol 1.0, profile 20.93) over no data: nothing says what the file is
    (bytes([14, 0x10, 0x2D, 0x08, 0, 0, 0, 0]) + b".FIT\0\0",
     "x.fit: is damaged or empty: a FIT header but no FIT messages (no file type, records or sessions), "
     "so nothing can be read from it"),
])
def test_random_fit_header_is_damaged_not_a_non_activity(tmp_path, data_dir, header, reason):
    path = tmp_path / "x.fit"
    path.write_bytes(header + _fit_crc(header))
    with pytest.raises(FileFormatError) as exc:
        runlog.read_activity(path)
    assert not isinstance(exc.value, NotAnActivityError)
    assert str(exc.value) == str(path.parent / reason)
    # in a folder import: rejected with that reason, not skipped as "not an activity"; a valid
    # FIT file of another type (settings) is still skipped
    import shutil

    shutil.copy(_fit(data_dir, "fitparse__Settings.fit"), tmp_path)
    h = runlog.read_history(tmp_path, cache=False, workers=1, progress=False)
    assert h.errors.values.tolist() == [[str(path), reason.split(": ", 1)[1]]]
    assert h.skipped["path"].tolist() == [str(tmp_path / "fitparse__Settings.fit")]
    assert h.skipped["reason"].tolist() == [
        "not an activity: is a settings file, not an activity; runlog reads recorded runs (FIT file type "
        "'activity')"]


# --------------------------------------------------------------------------
# Running dynamics
# --------------------------------------------------------------------------
#: FIT record field -> records column; scales per fitparse's profile (FIT SDK Profile.xlsx):
#: stance_time ms /10, stance_time_balance % /100, vertical_oscillation mm /10, vertical_ratio % /100,
#: step_length mm /10.
DYNAMICS = {"stance_time": "stance_time_ms", "stance_time_balance": "stance_time_balance_left_pct",
            "vertical_oscillation": "vertical_oscillation_mm", "vertical_ratio": "vertical_ratio_pct",
            "step_length": "step_length_mm"}


def test_dynamics_scales_are_fitparse_profile_scales():
    from fitparse.profile import MESSAGE_TYPES

    fields = {f.name: f for f in MESSAGE_TYPES[20].fields.values()}
    assert {k: (fields[k].scale, fields[k].offset, fields[k].units) for k in DYNAMICS} == {
        "stance_time": (10, None, "ms"), "stance_time_balance": (100, None, "percent"),
        "vertical_oscillation": (10, None, "mm"), "vertical_ratio": (100, None, "percent"),
        "step_length": (10, None, "mm")}


def assert_dynamics_match_fitparse(path, acts) -> int:
    """Every dynamics value equals bare fitparse's (as float32), 0 read as missing; returns the values compared."""
    by_time = {pd.Timestamp(r["timestamp"], tz="UTC"): r for r in _raw_records(path) if r.get("timestamp")}
    n = 0
    for act in acts:
        rec = act.records
        assert all(str(rec[c].dtype) == "float32" for c in DYNAMICS.values())
        for field, col in DYNAMICS.items():
            raw = np.array([by_time[t].get(field) for t in rec.index], dtype="float64")
            ref = np.where(raw > 0, raw, np.nan)
            if col == "stance_time_balance_left_pct":
                ref = np.where(ref < 100, ref, np.nan)
            np.testing.assert_array_equal(rec[col].to_numpy(), ref.astype("float32"), err_msg=col)
            n += int(np.isfinite(ref).sum())
    return n


def test_triathlon_run_dynamics_against_fitparse(data_dir):
    path = _fit(data_dir, "fitparse__sample_mulitple_header.fit")
    acts = _read_all(path)
    assert assert_dynamics_match_fitparse(path, acts) > 5 * 518
    run = acts[4].records
    # 518 records, the last (10:11:12, the finish) with every dynamics field 0: 517 values each
    assert run[list(DYNAMICS.values())].notna().sum().tolist() == [517] * 5
    assert run.loc[pd.Timestamp("2018-05-27 10:11:12", tz="UTC"), list(DYNAMICS.values())].isna().all()
    # the strap's first record of the file (08:06:17, in the swim's transition): fitparse gives
    # stance_time 464.0 ms, balance 51.15 %, vertical_oscillation 80.0 mm, and 0.0 for vertical_ratio and
    # step_length: no step measured, so missing
    t = pd.Timestamp("2018-05-27 08:06:17", tz="UTC")
    first = pd.concat([a.records for a in acts]).loc[t, list(DYNAMICS.values())]
    assert first.iloc[:3].tolist() == [464.0, np.float32(51.15), 80.0]
    assert first.iloc[3:].isna().all()
    # the run's means: bare fitparse's non-zero values of the records from the run's start (09:23:41)
    # averaged (252.159 ms, 51.644 %, 101.589 mm, 8.156 %, 1214.221 mm)
    means = run[list(DYNAMICS.values())].astype("float64").mean().round(3).tolist()
    assert means == [252.159, 51.644, 101.589, 8.156, 1214.221]


def test_example_fit_is_shipped_and_is_the_tested_triathlon(data_dir):
    """runlog.io.EXAMPLE_FIT (package data, what the notebook reads) is the triathlon tested above, byte for
    byte, and its run reads with the same 517 dynamics values per field, so it works from an installed
    wheel as from a checkout."""
    from runlog.io import EXAMPLE_FIT

    shipped = Path(EXAMPLE_FIT)
    assert shipped.parent.name == "data" and shipped.parent.parent == Path(runlog.__file__).parent
    assert shipped.read_bytes() == _fit(data_dir, "fitparse__sample_mulitple_header.fit").read_bytes()
    assert "example_triathlon_fr920xt.fit" in (shipped.parent / "SOURCES.md").read_text(encoding="utf-8")
    run = next(a for a in runlog.read_activities(EXAMPLE_FIT) if a.info["sport"] == "running").records
    assert run[list(DYNAMICS.values())].notna().sum().tolist() == [517] * 5


def test_fenix2_has_contact_time_and_oscillation_only(data_dir):
    path = _fit(data_dir, "fitparse__activity-small-fenix2-run.fit")
    (act,) = _read_all(path)
    assert assert_dynamics_match_fitparse(path, [act]) == 2684 + 2795
    rec = act.records
    # first record: stance_time 531.0 ms, vertical_oscillation 54.5 mm; the HRM-Run of 2015 sent no balance,
    # vertical ratio or step length: NaN columns, not zeros
    assert (rec["stance_time_ms"].iloc[0], rec["vertical_oscillation_mm"].iloc[0]) == (531.0, 54.5)
    assert rec[["stance_time_balance_left_pct", "vertical_ratio_pct", "step_length_mm"]].isna().all().all()


def test_files_without_dynamics_have_nan_columns(data_dir):
    (act,) = _read_all(_fit(data_dir, "heartandsole__testdata.fit"))
    assert act.records[list(DYNAMICS.values())].isna().all().all()


@pytest.mark.shared
@pytest.mark.parametrize("name, counts", [
    # records with each of stance_time, balance, vertical_oscillation, vertical_ratio, step_length (> 0,
    # the values themselves compared with bare fitparse)
    ("fitparse__garmin-fenix-5-run.fit", [18, 19, 18, 19, 19]),
    ("fitparse__garmin-fenix-5-walk.fit", [7, 7, 17, 17, 17]),
    ("sportslib__6916663933.fit", [2910, 2908, 2910, 2908, 2908]),  # COROS APEX Pro: a few zeros
    ("fitparse__activity-large-fenxi2-multisport.fit", [1478, 0, 1444, 0, 0]),
])
def test_shared_files_dynamics_against_fitparse(shared_dir, name, counts):
    path = shared_dir / "fit" / name
    acts = _read_all(path)
    assert assert_dynamics_match_fitparse(path, acts) == sum(counts)
    rec = pd.concat([a.records for a in acts])
    assert rec[list(DYNAMICS.values())].notna().sum().tolist() == counts


def test_fenix5_dynamics_by_hand(shared_dir):
    (act,) = _read_all(shared_dir / "fit" / "fitparse__garmin-fenix-5-run.fit")
    rec = act.records
    # the first two records carry no dynamics; the third (14:34:11): fitparse gives no stance_time,
    # balance 53.21 %, vertical_ratio 2.34 %, step_length 578.0 mm (raw 5321 / 100, 234 / 100, 5780 / 10)
    assert rec[list(DYNAMICS.values())].iloc[:2].isna().all().all()
    first = rec.loc[pd.Timestamp("2017-06-11 14:34:11", tz="UTC")]
    assert np.isnan(first["stance_time_ms"])
    assert (first["stance_time_balance_left_pct"], first["vertical_ratio_pct"], first["step_length_mm"]) == (
        np.float32(53.21), np.float32(2.34), 578.0)


# --------------------------------------------------------------------------
# The decoder's arrays (what read_activities finalizes) against its frames
# --------------------------------------------------------------------------
def _finalized(raws, source):
    out = []
    for raw in raws:
        info = {**raw.info, "source": source, "format": "fit"}
        out.append(runlog.io.finalize(raw.records, raw.laps, info))
    return out


def _same_both_ways(path):
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            framed = fit.decode(data, str(path))
        except FileFormatError:
            with pytest.raises(FileFormatError):
                fit.decode(data, str(path), frames=False)
            return 0
        arrays = fit.decode(data, str(path), frames=False)
    assert all(isinstance(r.records, pd.DataFrame) for r in framed)
    assert all(isinstance(r.records, runlog.io.RecordArrays) for r in arrays)
    assert len(framed) == len(arrays)
    for a, b in zip(_finalized(framed, str(path)), _finalized(arrays, str(path))):
        pd.testing.assert_frame_equal(a.records, b.records, check_exact=True)
        pd.testing.assert_frame_equal(a.laps, b.laps, check_exact=True)
        pd.testing.assert_series_equal(a.info, b.info, check_exact=True)
    return len(framed)


def test_decode_arrays_finalize_as_frames(data_dir):
    assert sum(_same_both_ways(p) for p in sorted((data_dir / "fit").iterdir())) > 0


def test_decode_arrays_finalize_as_frames_shared(shared_dir):
    assert sum(_same_both_ways(p) for p in sorted((shared_dir / "fit").iterdir())) > 0


def test_merged_same_time_arrays_as_frame():
    # unsorted, a time repeated with its fields split over the two records (as merge_same_time's test)
    ns = pd.to_datetime(["2021-09-27 14:13:12", "2021-09-27 14:13:10", "2021-09-27 14:13:10"],
                        utc=True).as_unit("ns").asi8
    cols = {"distance_m": np.array([3.27, np.nan, 0.0]), "stance_time_ms": np.array([1, 2, np.nan], "float32")}
    t, out = fit._merged_same_time(ns, cols)
    assert t.tolist() == sorted(set(ns.tolist()))
    assert out["distance_m"].tolist() == [0.0, 3.27]
    assert out["stance_time_ms"].tolist() == [2.0, 1.0] and out["stance_time_ms"].dtype == np.float32


def test_drop_stray_arrays_warns_and_drops():
    t = pd.to_datetime(["2021-06-20 04:08:36", "2021-06-20 04:08:40", "2021-06-22 08:00:00",
                        "2021-06-22 08:00:01", "2021-06-22 08:00:02"], utc=True).as_unit("ns").asi8
    with pytest.warns(RunlogWarning, match="dropped 2 record"):
        ns, cols = fit._drop_stray(t, {"hr_bpm": np.arange(5.0)}, "x.fit", "records")
    assert ns.tolist() == t[2:].tolist() and cols["hr_bpm"].tolist() == [2.0, 3.0, 4.0]
