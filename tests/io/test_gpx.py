"""GPX reader (runlog.io.gpx) on the bundled real files and on documented damage.

Expected numbers come from the raw XML (quoted in the comments, or re-read
with the standard library's ElementTree in ``_raw_points``, an implementation
independent of gpxpy and of the reader).
"""

from __future__ import annotations

import gzip
import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog import schema
from runlog.io import gpx
from runlog.io._common import UntimedPointsWarning, cadence_is_strides, normalize_sport
from runlog.io._xml import XmlRecoveryWarning

GPX = "gpx"


def _raw_points(path) -> pd.DataFrame:
    """Track points straight from the XML with the standard library (independent check)."""
    root = ET.parse(path).getroot()
    rows = []
    for pt in root.iter():
        if not pt.tag.endswith("}trkpt"):
            continue
        row = {"lat": float(pt.get("lat")), "lon": float(pt.get("lon"))}
        for el in pt.iter():
            name = el.tag.rpartition("}")[2]
            if name in ("time", "hr", "cad", "atemp", "ele"):
                row[name] = el.text
        rows.append(row)
    df = pd.DataFrame(rows)
    df["time"] = pd.to_datetime(df["time"], utc=True)
    return df


def _read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the clean files must not warn
        return runlog.read_gpx(path, **kw)


def test_heartandsole_running_gpx(data_dir):
    path = data_dir / GPX / "heartandsole__testdata.gpx"
    act = _read(path)
    rec = act.records
    assert list(rec.columns) == list(schema.RECORD_COLUMNS)
    assert rec.dtypes.astype(str).tolist() == [c.dtype for c in schema.RECORD_COLUMNS.values()]
    assert rec[list(schema.DYNAMICS_COLUMNS)].isna().all().all()   # GPX carries no running dynamics
    assert len(rec) == 46  # 46 <trkpt>, all with distinct <time>
    assert rec.index[0] == pd.Timestamp("2021-04-16T13:37:53Z")
    assert rec.index[-1] == pd.Timestamp("2021-04-16T13:41:35Z")
    # <trkpt lat="40.03811557777225971221923828125" lon="-105.25865315459668636322021484375">
    assert rec["lat_deg"].iloc[0] == pytest.approx(40.03811557777226, abs=1e-12)
    assert rec["lon_deg"].iloc[0] == pytest.approx(-105.25865315459669, abs=1e-12)
    assert rec["altitude_m"].iloc[0] == 1626.0
    # 13:38:19 point: <ns3:hr>87</ns3:hr> <ns3:cad>62</ns3:cad> -> 62 strides/min = 124 steps/min
    row = rec.loc[pd.Timestamp("2021-04-16T13:38:19Z")]
    assert row["hr_bpm"] == 87.0
    assert row["cadence_spm"] == 124.0
    # every sample against the raw XML: hr as is, cadence doubled
    raw = _raw_points(path).set_index("time")
    np.testing.assert_array_equal(rec["hr_bpm"].to_numpy(), raw["hr"].astype(float).to_numpy())
    np.testing.assert_array_equal(rec["cadence_spm"].to_numpy(), 2 * raw["cad"].astype(float).to_numpy())
    assert rec["temp_c"].isna().all() and rec["power_w"].isna().all()
    # distance derived by finalize from the positions (no distance in GPX): > 0, non-decreasing
    assert rec["distance_m"].iloc[0] == 0.0
    assert (np.diff(rec["distance_m"].to_numpy()) >= 0).all()
    i = act.info
    assert (i["sport"], i["sub_sport"], i["device"], i["format"]) == ("running", None, "Garmin Connect", "gpx")
    # Boulder, Colorado: zone from the first position
    assert (i["tz"], i["tz_source"]) == ("America/Denver", "position")
    assert i["start_local"] == pd.Timestamp("2021-04-16 07:37:53")  # MDT = UTC-6
    assert act.run_id == "20210416T1337Z"
    assert len(act.laps) == 0


def test_strava_export_type_code_and_duplicate_time(data_dir):
    path = data_dir / GPX / "runpandas__strava_export.gpx"
    act = _read(path)
    rec = act.records
    # 1697 <trkpt>; two share <time>2021-01-10T09:43:05Z</time> (hr 113 then 112) -> merged, first kept
    assert len(rec) == 1696
    assert rec.loc[pd.Timestamp("2021-01-10T09:43:05Z"), "hr_bpm"] == 113.0
    assert rec.index.is_unique and rec.index.is_monotonic_increasing
    # first point: <gpxtpx:hr>174</gpxtpx:hr> <gpxtpx:cad>84</gpxtpx:cad>, lat -8.0450750 lon -34.8937870
    first = rec.iloc[0]
    assert rec.index[0] == pd.Timestamp("2021-01-10T08:54:28Z")
    assert (first["hr_bpm"], first["cadence_spm"]) == (174.0, 168.0)
    assert (first["lat_deg"], first["lon_deg"]) == (-8.045075, -34.893787)
    # <type>9</type>: Strava's code for Run
    assert act.info["sport"] == "running"
    assert act.info["device"] == "StravaGPX"
    assert act.info["tz"] == "America/Recife"
    assert act.run_id == "20210110T0854Z"


def test_cycling_gpx_keeps_rpm_and_reads_temperature(data_dir):
    path = data_dir / GPX / "sweatpy__activity_5039744860.gpx"
    act = _read(path)
    rec = act.records
    assert len(rec) == 96
    # first point: <ns3:atemp>22.0</ns3:atemp> <ns3:hr>154</ns3:hr> <ns3:cad>90</ns3:cad>
    assert rec["cadence_spm"].iloc[0] == 90.0  # rpm, not doubled
    assert rec["temp_c"].iloc[0] == 22.0
    assert rec["hr_bpm"].iloc[0] == 154.0
    raw = _raw_points(path)
    np.testing.assert_array_equal(rec["cadence_spm"].to_numpy(), raw["cad"].astype(float).to_numpy())
    assert act.info["sport"] == "cycling"
    assert act.info["tz"] == "Europe/Amsterdam"


def test_several_tracks_concatenated_and_untimed_points_dropped(data_dir):
    path = data_dir / GPX / "gpxpy__korita-zbevnica.gpx"
    # 4 <trk>: an empty one, '03-OCT-10 #2' with 358 points without <time>, then two
    # 'ACTIVE LOG' tracks with 176 + 337 timed points -> 513 kept, 358 dropped with a warning
    with pytest.warns(UntimedPointsWarning, match="358 of 871 track points"):
        act = runlog.read_gpx(path)
    rec = act.records
    assert len(rec) == 176 + 337
    assert rec.index[0] == pd.Timestamp("2010-10-03T09:36:30Z")
    assert rec.index[-1] == pd.Timestamp("2010-10-03T13:19:31Z")
    assert rec.index.is_monotonic_increasing
    # <trk><type>jkljkl</type>: not a sport name
    assert act.info["sport"] == "unknown"
    assert act.info["device"] == "GPSBabel - http://www.gpsbabel.org"
    assert act.info["tz"] == "Europe/Zagreb"


def test_gzipped_gpx_reads_like_the_plain_file(data_dir, tmp_path):
    src = data_dir / GPX / "heartandsole__testdata.gpx"
    gz = tmp_path / "run.gpx.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    a = runlog.read_activity(gz)
    b = runlog.read_activity(src)
    pd.testing.assert_frame_equal(a.records, b.records)
    assert a.info["format"] == "gpx" and a.run_id == b.run_id


# --------------------------------------------------------------------------
# Documented errors and recoveries
# --------------------------------------------------------------------------

def test_no_track_point_times_is_refused(data_dir):
    path = data_dir / GPX / "gpxpy__track-with-extremes.gpx"  # 25 trkpt, only a metadata <time>
    with pytest.raises(runlog.FileFormatError, match="has no times on its 25 track points") as e:
        runlog.read_gpx(path)
    assert e.value.path == str(path)
    assert not isinstance(e.value, runlog.NotAnActivityError)


def test_route_only_is_not_an_activity(data_dir):
    path = data_dir / GPX / "gpxpy__route.gpx"  # one <rte> with 55 <rtept>, no <trk>
    with pytest.raises(runlog.NotAnActivityError, match="55 route point") as e:
        runlog.read_gpx(path)
    assert "planned route" in str(e.value)


def _variant(data_dir, tmp_path, name: str, edit):
    text = (data_dir / GPX / "heartandsole__testdata.gpx").read_text(encoding="utf-8")
    p = tmp_path / name
    out = edit(text)
    p.write_bytes(out if isinstance(out, bytes) else out.encode("utf-8"))
    return p


def test_waypoints_only_is_not_an_activity(data_dir, tmp_path):
    p = _variant(data_dir, tmp_path, "wpt.gpx", lambda t: re.sub(
        r"<trk>.*</trk>", '<wpt lat="40.0" lon="-105.2"><name>car park</name></wpt>', t, flags=re.S))
    with pytest.raises(runlog.NotAnActivityError, match="1 waypoint"):
        runlog.read_gpx(p)


def test_empty_track_is_refused(data_dir, tmp_path):
    p = _variant(data_dir, tmp_path, "empty.gpx", lambda t: re.sub(
        r"<trkseg>.*</trkseg>", "<trkseg></trkseg>", t, flags=re.S))
    with pytest.raises(runlog.FileFormatError, match=r"1 track.* but no track points"):
        runlog.read_gpx(p)


def test_identical_times_are_refused(data_dir, tmp_path):
    p = _variant(data_dir, tmp_path, "stuck.gpx", lambda t: re.sub(
        r"<time>[^<]*</time>", "<time>2021-04-16T13:37:53Z</time>", t))
    with pytest.raises(runlog.FileFormatError, match=r"same time \(2021-04-16T13:37:53Z\) on all its 46"):
        runlog.read_gpx(p)


def test_broken_clock_1901_is_refused(data_dir, tmp_path):
    # gpxpy's Mojstrovka.gpx has every point at 1901-12-13T20:45:52.2Z (signed 32-bit epoch minimum)
    p = _variant(data_dir, tmp_path, "1901.gpx", lambda t: re.sub(
        r"<time>2021-04-16T", "<time>1901-12-13T", t))
    with pytest.raises(runlog.FileFormatError, match=r"outside any possible recording.*1901-12-13"):
        runlog.read_gpx(p)


def test_broken_clock_real_file(shared_dir):
    with pytest.raises(runlog.FileFormatError, match="first 1901-12-13T20:45:52Z"):
        runlog.read_gpx(shared_dir / GPX / "gpxpy__Mojstrovka.gpx")


def test_partial_times_rule(data_dir, tmp_path):
    def drop_times(every: int):
        def edit(t):
            k = iter(range(10**6))
            return re.sub(r"\s*<time>2021[^<]*</time>",
                          lambda m: "" if next(k) % every == 0 else m.group(0), t)
        return edit

    # 47 <time> elements (metadata + 46 points); removing numbers 0, 4, ..., 44 removes the
    # metadata time and 11 point times -> 11 of 46 untimed: dropped with a warning, 35 kept
    p = _variant(data_dir, tmp_path, "some.gpx", drop_times(4))
    with pytest.warns(UntimedPointsWarning, match="11 of 46 track points"):
        act = runlog.read_gpx(p)
    assert len(act.records) == 35
    # all times removed, one put back on the first point: 1 of 46 timed, below half -> refused
    p = _variant(data_dir, tmp_path, "few.gpx", lambda t: drop_times(1)(t).replace(
        "<ele>1626</ele>", "<ele>1626</ele><time>2021-04-16T13:37:53Z</time>", 1))
    with pytest.raises(runlog.FileFormatError, match="only 1 of its 46 track points"):
        runlog.read_gpx(p)


def test_partial_times_real_file(shared_dir):
    # only 5 of 296 <trkpt> carry <time>
    with pytest.raises(runlog.FileFormatError, match="only 5 of its 296"):
        runlog.read_gpx(shared_dir / GPX / "gpxpy__cerknicko-without-times.gpx")


def test_whitespace_and_bom_before_declaration_are_stripped(data_dir, tmp_path):
    ref = _read(data_dir / GPX / "heartandsole__testdata.gpx")
    p = _variant(data_dir, tmp_path, "bom.gpx", lambda t: b"\n  \xef\xbb\xbf" + t.encode())
    act = _read(p)
    pd.testing.assert_frame_equal(act.records, ref.records)


def test_unbound_prefix_is_declared_with_a_warning(data_dir, tmp_path):
    ref = _read(data_dir / GPX / "heartandsole__testdata.gpx")
    p = _variant(data_dir, tmp_path, "unbound.gpx", lambda t: t.replace(
        'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"', ""))
    with pytest.warns(XmlRecoveryWarning, match="ns3 used without a declaration"):
        act = runlog.read_gpx(p)
    pd.testing.assert_frame_equal(act.records, ref.records)


def test_unbound_prefix_real_file(shared_dir):
    # sports-lib (AGPL, read in place): BOM + undeclared 'gpxdata:' prefix, 4040 trkpts, Strava type 9
    with pytest.warns(XmlRecoveryWarning, match="gpxdata"):
        act = runlog.read_gpx(shared_dir / GPX / "sportslib__6037744996.gpx")
    assert len(act.records) == 4040
    assert act.info["sport"] == "running"
    # first point: <gpxdata:cadence>43</gpxdata:cadence> -> 86 steps/min
    assert act.records["cadence_spm"].iloc[0] == 86.0


def test_truncated_xml_names_the_problem(data_dir, tmp_path):
    p = _variant(data_dir, tmp_path, "cut.gpx", lambda t: t[: len(t) // 2])
    with pytest.raises(runlog.FileFormatError, match=r"not a valid GPX file.*line") as e:
        runlog.read_gpx(p)
    assert e.value.__cause__ is not None  # gpxpy's exception is chained
    assert e.value.path == str(p)


def test_not_gpx_root(tmp_path):
    p = tmp_path / "x.gpx"
    p.write_text('<?xml version="1.0"?><kml><Document/></kml>')
    with pytest.raises(runlog.FileFormatError, match=r"not GPX .root element <kml>"):
        runlog.read_gpx(p)


def test_gpx10_speed_element(shared_dir):
    # gpxpy's track_with_speed.gpx: <speed>1.2</speed>, <speed>2.2</speed>, <speed>3.2</speed>
    act = runlog.read_gpx(shared_dir / GPX / "gpxpy__track_with_speed.gpx")
    np.testing.assert_array_equal(act.records["speed_mps"].to_numpy(), [1.2, 2.2, 3.2])


def test_power_extension_and_unknown_sport_cadence(data_dir, tmp_path):
    # Strava writes power as <power> directly under <extensions>
    p = _variant(data_dir, tmp_path, "power.gpx", lambda t: t.replace(
        "<extensions>", "<extensions><power>250</power>").replace("<type>running</type>", ""))
    act = _read(p)
    assert (act.records["power_w"] == 250.0).all()
    assert act.info["sport"] == "unknown"
    # no sport, but ~0.8 m/s with 62 strides/min (~0.8 m per stride): a run -> still doubled
    assert act.records.loc[pd.Timestamp("2021-04-16T13:38:19Z"), "cadence_spm"] == 124.0


def test_unknown_sport_ride_cadence_not_doubled(data_dir, tmp_path):
    text = (data_dir / GPX / "sweatpy__activity_5039744860.gpx").read_text()
    p = tmp_path / "ride.gpx"
    p.write_text(text.replace("<type>cycling</type>", ""))
    act = _read(p)
    assert act.info["sport"] == "unknown"
    # ~6.3 m/s at 90/min is ~4.2 m per cycle: a pedal revolution, kept as rpm
    assert act.records["cadence_spm"].iloc[0] == 90.0


# --------------------------------------------------------------------------
# Sport names and the cadence rule
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("running", ("running", None)), ("Running", ("running", None)), ("9", ("running", None)),
    ("1", ("cycling", None)), ("Biking", ("cycling", None)), ("trail_running", ("running", "trail")),
    ("Trail Running", ("running", "trail")), ("hiking", ("hiking", None)), ("Walk", ("walking", None)),
    ("rowing", ("rowing", None)), ("Other", ("unknown", None)), ("jkljkl", ("unknown", None)),
    ("...", ("unknown", None)), (None, ("unknown", None)), ("42", ("unknown", None)),
])
def test_normalize_sport(name, expected):
    assert normalize_sport(name) == expected


def test_cadence_rule():
    run_cad, run_speed = np.full(10, 85.0), np.full(10, 3.0)  # 3 m/s * 60 / 85 = 2.1 m per stride
    ride_cad, ride_speed = np.full(10, 88.0), np.full(10, 8.0)  # 8 * 60 / 88 = 5.5 m per revolution
    assert cadence_is_strides("running", run_cad)
    assert cadence_is_strides("walking", run_cad)
    assert not cadence_is_strides("cycling", run_cad, run_speed)
    assert cadence_is_strides("unknown", run_cad, run_speed)
    assert not cadence_is_strides("unknown", ride_cad, ride_speed)
    assert cadence_is_strides("unknown", run_cad, None)  # no speed at all: taken as a run
    # a "cadence" of 170/min is already steps per minute (170 strides = 340 steps is impossible)
    assert not cadence_is_strides("running", np.full(10, 170.0))
    # speed above 6.5 m/s is not running even with short cycles
    assert not cadence_is_strides("unknown", np.full(10, 150.0 / 2), np.full(10, 7.0))


def test_decode_returns_raw_activity(data_dir):
    raws = gpx.decode((data_dir / GPX / "heartandsole__testdata.gpx").read_bytes(), "t.gpx")
    assert len(raws) == 1
    raw = raws[0]
    assert raw.laps is None
    assert set(raw.records.columns) <= set(schema.RECORD_COLUMNS)
    assert str(raw.records.index.tz) == "UTC"
    # <trk><name> is the activity's own name (a runner's '#numb' note can live there); no <desc>
    assert raw.info == {"sport": "running", "sub_sport": None, "device": "Garmin Connect",
                        "name": "Boulder Running", "description": None}


def test_all_shared_gpx_files_read_or_fail_cleanly(shared_dir):
    """Every corpus GPX either reads or raises FileFormatError (never another exception)."""
    outcomes = {}
    for path in sorted((shared_dir / GPX).glob("*.gpx")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                outcomes[path.name] = len(runlog.read_gpx(path).records)
            except runlog.NotAnActivityError:
                outcomes[path.name] = "not an activity"
            except runlog.FileFormatError:
                outcomes[path.name] = "error"
    assert outcomes["runpandas__run.gpx"] == 1424  # 2 segments, 1424 trkpts
    assert outcomes["sportslib__6909258631.gpx"] == 2665  # 2 segments
    assert outcomes["gpxpy__track-with-empty-segment.gpx"] == 9
    assert outcomes["gpxpy__unicode_with_bom.gpx"] == "not an activity"  # one waypoint
    assert outcomes["gpxpy__gpx_with_garmin_extension.gpx"] == "not an activity"
    assert outcomes["gpxpy__gpx1.1_with_all_fields.gpx"] == "error"  # a single timed point


@pytest.mark.parametrize("encoding, declared", [
    ("utf-16", "UTF-16"),  # with byte-order mark
    ("utf-16-be", "UTF-16"),  # without: detected from the 00 3C 00 3F ('<?') pattern
    ("latin-1", "ISO-8859-1"),  # declared single-byte encoding
    ("utf-8", "UTF-16"),  # mislabelled: an 8-bit declaration cannot be UTF-16 -> UTF-8
])
def test_declared_and_detected_encodings(data_dir, tmp_path, encoding, declared):
    text = (data_dir / GPX / "heartandsole__testdata.gpx").read_text(encoding="utf-8")
    text = text.replace('encoding="UTF-8"', f'encoding="{declared}"').replace("Boulder Running", "Läufer")
    p = tmp_path / f"enc-{encoding}.gpx"
    p.write_bytes(text.encode(encoding))
    act = _read(p)
    assert len(act.records) == 46
    assert act.records["hr_bpm"].iloc[0] == 71.0


def test_invalid_utf8_bytes_are_replaced_with_a_warning(data_dir, tmp_path):
    raw = (data_dir / GPX / "heartandsole__testdata.gpx").read_bytes()
    p = tmp_path / "latin1-in-utf8.gpx"
    p.write_bytes(raw.replace(b"Boulder Running", b"Boulder L\xe4ufer"))  # a Latin-1 byte in UTF-8
    with pytest.warns(XmlRecoveryWarning, match=r"1 character\(s\) are not valid utf-8"):
        act = runlog.read_gpx(p)
    assert len(act.records) == 46


def test_tracks_out_of_order_are_sorted_by_time(data_dir, tmp_path):
    """Two <trk> written late-first (as after a merge in some apps): records come out in time order."""
    ref = _read(data_dir / GPX / "heartandsole__testdata.gpx").records

    def swap(t):
        head, rest = t.split("<trkseg>", 1)
        body, tail = rest.rsplit("</trkseg>", 1)
        pts = re.findall(r"<trkpt .*?</trkpt>", body, flags=re.S)
        first, second = "".join(pts[:20]), "".join(pts[20:])
        return (head + "<trkseg>" + second + "</trkseg></trk><trk><trkseg>" + first + "</trkseg>" + tail)

    act = _read(_variant(data_dir, tmp_path, "swapped.gpx", swap))
    pd.testing.assert_frame_equal(act.records, ref)


def test_trackpointextension_v2_speed_and_power_extension(data_dir, tmp_path):
    """TrackPointExtension v2 adds <speed>; Garmin's PowerExtension carries <PowerInWatts>."""
    def edit(t):
        t = t.replace("TrackPointExtension/v1", "TrackPointExtension/v2")
        t = t.replace('xmlns:ns2=', 'xmlns:pwr="http://www.garmin.com/xmlschemas/PowerExtension/v1" xmlns:ns2=')
        return t.replace("</ns3:TrackPointExtension>",
                         "<ns3:speed>2.5</ns3:speed></ns3:TrackPointExtension>"
                         "<pwr:PowerInWatts>210</pwr:PowerInWatts>")

    act = _read(_variant(data_dir, tmp_path, "v2.gpx", edit))
    assert (act.records["speed_mps"] == 2.5).all()  # the file's speed, not derived from positions
    assert (act.records["power_w"] == 210.0).all()
    assert act.records.loc[pd.Timestamp("2021-04-16T13:38:19Z"), "cadence_spm"] == 124.0


def test_time_offsets_and_naive_times(data_dir, tmp_path):
    """<time> with a UTC offset is converted to UTC; a time without zone is taken as UTC (GPX 1.1 says UTC)."""
    ref = _read(data_dir / GPX / "heartandsole__testdata.gpx").records

    def local(t):  # 13:MM:SS.000Z -> 15:MM:SS.000+02:00, the same instants
        return re.sub(r"<time>2021-04-16T13:([0-9:.]+)Z</time>", r"<time>2021-04-16T15:\1+02:00</time>", t)

    act = _read(_variant(data_dir, tmp_path, "offset.gpx", local))
    pd.testing.assert_index_equal(act.records.index, ref.index)
    naive = _read(_variant(data_dir, tmp_path, "naive.gpx", lambda t: t.replace(".000Z</time>", "</time>")))
    pd.testing.assert_index_equal(naive.records.index, ref.index)
