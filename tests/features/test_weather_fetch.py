"""Weather on request: Open-Meteo's documented query and answer, retries, the cache, and the report.

Every test talks to a local server on 127.0.0.1 (:mod:`weather_server`) that answers in the
service's documented format with synthetic values; the suite's conftest makes any other
connection fail.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import weather_server as ws

import runlog
from runlog.features import _openmeteo as om
from runlog.features import weather
from runlog.io import finalize

TODAY = dt.date(2026, 1, 15)
DATA = Path(__file__).parents[1] / "data" / "openmeteo"


def fast_client(**kw) -> om.Client:
    """A client that retries quickly (the default backoff waits seconds)."""
    return om.Client(**{"retries": 2, "backoff_s": 0.01, "timeout": (2.0, 2.0), **kw})


def _run(start: str, minutes: float, lat: float | None, lon: float | None, tz: str = "UTC"):
    idx = pd.Timestamp(start) + pd.to_timedelta(np.arange(0, minutes * 60 + 1, 60), unit="s")
    cols = {"speed_mps": 3.0, "hr_bpm": 140.0}
    if lat is not None:
        cols.update(lat_deg=lat, lon_deg=lon)
    rec = pd.DataFrame(cols, index=idx)
    return finalize(rec, None, {"source": f"{start}.gpx", "format": "gpx", "sport": "running"}, tz=tz)


def history(*runs) -> runlog.History:
    return runlog.History.from_activities([_run(*r) for r in runs])


def expected(lat: float, lon: float, t: pd.Timestamp) -> float:
    """The stand-in's temperature for a run at (lat, lon) whose nearest hour is *t* (UTC)."""
    plat, plon = om.place_of(lat, lon)
    glat, glon = ws.grid(float(plat), float(plon))
    return ws.temperature_c(glat, glon, int(t.timestamp() // 3600))


def nearest_hour(start: str, minutes: float) -> pd.Timestamp:
    return (pd.Timestamp(start) + pd.Timedelta(minutes=minutes / 2)).round("h")


# ------------------------------------------------------------------------------------------------
# the documented query and answer
# ------------------------------------------------------------------------------------------------
def test_query_is_the_documented_one():
    batch = [om.Span(49.4, 8.7, dt.date(2019, 9, 14), dt.date(2019, 9, 25)),
             om.Span(-8.0, -34.9, dt.date(2021, 1, 10), dt.date(2021, 1, 10))]
    assert om.build_query(batch) == (
        "latitude=49.4,-8.0&longitude=8.7,-34.9&start_date=2019-09-14,2021-01-10&end_date=2019-09-25,2021-01-10"
        "&hourly=temperature_2m,relative_humidity_2m,dew_point_2m&timezone=GMT")


def test_documented_answer_fixture_is_parsed():
    """A documented answer (Heidelberg, 2019-09-14, the day of runpandas__run.fit): one location object,
    times in GMT, one value per hour, null where the reanalysis has none."""
    text = (DATA / "archive_heidelberg_2019-09-14.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    span = om.Span(49.4, 8.7, dt.date(2019, 9, 14), dt.date(2019, 9, 14))
    [vals] = om.parse_response(text, [span])
    assert len(vals["time"]) == 24
    assert vals["time"][0] == pd.Timestamp("2019-09-14T00:00Z").timestamp()
    np.testing.assert_array_equal(vals["air_temp_c"][:3], [v for v in doc["hourly"]["temperature_2m"][:3]])
    assert np.isnan(vals["air_temp_c"][5]) and doc["hourly"]["temperature_2m"][5] is None
    np.testing.assert_array_equal(vals["rel_humidity_pct"], np.array(doc["hourly"]["relative_humidity_2m"],
                                                                      dtype=float))


def test_documented_list_answer_and_errors():
    text = (DATA / "archive_two_places.json").read_text(encoding="utf-8")
    spans = [om.Span(49.4, 8.7, dt.date(2019, 9, 18), dt.date(2019, 9, 18)),
             om.Span(-8.0, -34.9, dt.date(2021, 1, 10), dt.date(2021, 1, 10))]
    a, b = om.parse_response(text, spans)
    assert len(a["time"]) == len(b["time"]) == 24
    assert b["time"][0] == pd.Timestamp("2021-01-10T00:00Z").timestamp()
    # the same list for the places in the other order: each entry is 'another place'
    bad = om.parse_response(text, spans[::-1])
    assert all(isinstance(x, om.ResponseError) and "km from the place asked for" in str(x) for x in bad)
    with pytest.raises(om.ResponseError, match=r"1 location.* for 2 asked"):
        om.parse_response((DATA / "archive_heidelberg_2019-09-14.json").read_text(encoding="utf-8"), spans)
    with pytest.raises(om.ResponseError, match="not JSON"):
        om.parse_response("{'latitude': 49.4", spans[:1])
    with pytest.raises(om.ResponseError, match="refused: Parameter 'start_date'"):
        om.parse_response(json.dumps({"error": True, "reason": "Parameter 'start_date' is out of allowed range"}),
                          spans[:1])


def test_places_are_rounded_to_a_tenth_of_a_degree_and_the_date_line_is_one_meridian():
    lat, lon = om.place_of([49.40602, -8.04508, -16.80, -16.80], [8.69417, -34.89379, 179.97, -179.97])
    assert list(lat) == [49.4, -8.0, -16.8, -16.8]
    assert list(lon) == [8.7, -34.9, -180.0, -180.0]


def test_spans_bridge_short_gaps_and_batches_stay_small():
    d = dt.date(2024, 1, 1)
    days = [d, d + dt.timedelta(days=1), d + dt.timedelta(days=5), d + dt.timedelta(days=30)]
    spans = om.spans_for(days, 1.0, 2.0)
    assert [(s.start.day, s.end.day, s.end.month) for s in spans] == [(1, 6, 1), (31, 31, 1)]
    many = [om.Span(float(i), 0.0, d, d) for i in range(120)]
    assert [len(b) for b in om.plan_requests(many)] == [50, 50, 20]
    long = om.plan_requests([om.Span(0.0, 0.0, d, d + dt.timedelta(days=3999))])
    assert sum(s.days for b in long for s in b) == 4000 and all(sum(s.days for s in b) <= om.MAX_DAYS for b in long)


# ------------------------------------------------------------------------------------------------
# fetch: places, times, batching
# ------------------------------------------------------------------------------------------------
def test_several_places_a_dst_change_and_the_date_line_in_one_request(archive):
    runs = [
        ("2023-10-28T05:30Z", 50, 52.52, 13.40, "Europe/Berlin"),     # 07:30 CEST, the day before the change
        ("2023-10-29T06:30Z", 50, 52.52, 13.40, "Europe/Berlin"),     # 07:30 CET, the day of the change
        ("2023-03-26T00:40Z", 40, 52.52, 13.40, "Europe/Berlin"),     # 01:40 CET, 20 min before the spring change
        ("2023-07-01T19:10Z", 45, -16.79, 179.97, "Pacific/Fiji"),    # 07:10 on 2 July in Fiji: UTC day before
        ("2023-07-02T19:20Z", 45, -16.81, -179.98, "Pacific/Fiji"),   # just east of the date line, same place
        ("2023-06-10T23:40Z", 60, -33.87, 151.21, "Australia/Sydney"),  # crosses midnight UTC
    ]
    h = history(*runs)
    table = weather.fetch(h, today=TODAY)
    info = table.attrs["weather"]
    assert len(archive.queries) == 1 and info.n_requests == 1
    q = archive.queries[0]
    asked = sorted(zip(*(q[k].split(",") for k in ("latitude", "longitude", "start_date", "end_date"))))
    # UTC days, never local ones: Fiji's runs are on 1 and 2 July UTC (2 and 3 July local);
    # Sydney's run spans 10-11 June UTC; each run's hours from an hour before to an hour after (00:40 on
    # 26 March needs 25 March too); Berlin's gap of 7 months is two spans, the two October days one
    assert asked == [("-16.8", "-180.0", "2023-07-01", "2023-07-02"), ("-33.9", "151.2", "2023-06-10", "2023-06-11"),
                     ("52.5", "13.4", "2023-03-25", "2023-03-26"), ("52.5", "13.4", "2023-10-28", "2023-10-29")]
    sent = info.sent.sort_values(["latitude", "start_date"]).reset_index(drop=True)
    assert sent.to_dict("records") == [
        {"latitude": -33.9, "longitude": 151.2, "start_date": "2023-06-10", "end_date": "2023-06-11"},
        {"latitude": -16.8, "longitude": -180.0, "start_date": "2023-07-01", "end_date": "2023-07-02"},
        {"latitude": 52.5, "longitude": 13.4, "start_date": "2023-03-25", "end_date": "2023-03-26"},
        {"latitude": 52.5, "longitude": 13.4, "start_date": "2023-10-28", "end_date": "2023-10-29"},
    ]
    assert set(sent.columns) == {"latitude", "longitude", "start_date", "end_date"}   # nothing else was sent
    assert set(q) - {"user_agent", "raw"} == {"latitude", "longitude", "start_date", "end_date", "hourly", "timezone"}
    assert q["timezone"] == "GMT" and q["user_agent"].startswith("runlog/")
    j = weather.join_weather(h.runs, table, positions=weather.run_positions(h.records))
    for (start, minutes, lat, lon, _tz), rid in zip(sorted(runs), h.runs.sort_values("start_time").index):
        t = nearest_hour(start, minutes)
        assert j.loc[rid, "weather_time"] == t, rid
        assert j.loc[rid, "air_temp_c"] == expected(lat, lon, t), rid
    # the two runs either side of the date line share one place
    fiji = j[j["weather_station"] == "-16.8,-180.0"]
    assert len(fiji) == 2


def test_nulls_leave_only_those_hours_unknown_and_are_cached(archive):
    runs = [("2020-03-14T13:52Z", 48, 49.88, 14.68), ("2020-03-14T18:10Z", 30, 49.88, 14.68)]
    for hour in ("13:00", "14:00", "15:00"):   # the first run's hours (middle 14:16) and its neighbours
        archive.nulls.add((49.9, 14.7, f"2020-03-14T{hour}"))
    h = history(*runs)
    table = weather.fetch(h, today=TODAY)
    assert table["air_temp_c"].isna().sum() == 3 and table["air_temp_c"].notna().sum() == 21
    feats = runlog.run_features(h, weather=table)
    first, second = h.runs.sort_values("start_time").index
    assert np.isnan(feats.loc[first, "air_temp_c"])
    assert feats.loc[second, "air_temp_c"] == expected(49.88, 14.68, nearest_hour(*runs[1][:2]))
    info = feats.attrs["weather"]
    assert info.run_status[first] == weather.NO_VALUE and info.run_status[second] == ""
    # the partly empty day is cached as it is: a second call asks for nothing
    again = weather.fetch(h, today=TODAY)
    assert len(archive.queries) == 1 and again.attrs["weather"].n_requests == 0
    pd.testing.assert_frame_equal(again, table, check_like=False)


def test_runs_without_gps_and_an_empty_history_send_nothing(archive):
    h = history(("2021-04-08T00:28Z", 30, None, None))
    table = weather.fetch(h, today=TODAY)
    assert table.empty and list(table.columns) == list(weather.WEATHER_COLUMNS)
    assert table.attrs["weather"].run_status.tolist() == [weather.NO_POSITION]
    empty = runlog.History.from_activities([])
    assert weather.fetch(empty, today=TODAY).empty
    assert archive.queries == []


def test_too_recent_and_too_old_runs_are_not_asked_for(archive):
    h = history(("2026-01-13T07:00Z", 30, 48.1, 11.6), ("1939-06-01T07:00Z", 30, 48.1, 11.6),
                ("2025-12-01T07:00Z", 30, 48.1, 11.6))
    info = weather.fetch(h, today=TODAY).attrs["weather"]
    st = info.run_status.sort_index()
    assert st.tolist() == [weather.BEFORE_ARCHIVE, "", weather.NOT_PUBLISHED]
    assert len(archive.queries) == 1 and archive.queries[0]["start_date"] == "2025-12-01"


# ------------------------------------------------------------------------------------------------
# failures never stop the caller
# ------------------------------------------------------------------------------------------------
def test_429_with_retry_after_then_success(archive):
    archive.faults.append((429, json.dumps({"error": True, "reason": "Minutely API request limit exceeded"}),
                           {"Retry-After": "1"}))
    h = history(("2019-09-14T15:22Z", 53, 49.406, 8.694))
    table = weather.fetch(h, today=TODAY, client=fast_client())
    assert len(archive.queries) == 2
    assert archive.arrivals[1] - archive.arrivals[0] >= 0.95   # waited as Retry-After asked (not the 0.01 s backoff)
    assert table.attrs["weather"].run_status.tolist() == [""] and table["air_temp_c"].notna().all()
    assert table.attrs["weather"].n_requests == 2


@pytest.mark.parametrize("fault, reason", [
    ((500, "oops", {}), "the service failed (HTTP 500)"),
    ((503, json.dumps({"error": True, "reason": "maintenance"}), {}), "HTTP 503: maintenance"),
])
def test_server_errors_leave_runs_unknown(archive, fault, reason):
    archive.faults.extend([fault] * 3)
    h = history(("2019-09-14T15:22Z", 53, 49.406, 8.694), ("2019-09-18T14:02Z", 55, 49.406, 8.688))
    feats = runlog.run_features(h, weather=weather.fetch(h, today=TODAY, client=fast_client()))
    assert len(archive.queries) == 3            # the first try and two retries
    assert feats["air_temp_c"].isna().all()
    st = feats.attrs["weather"].run_status
    assert all(s.startswith("download failed: ") and reason in s for s in st)


def test_timeout_leaves_runs_unknown(archive):
    archive.faults.extend([("sleep", 1.5)] * 2)
    h = history(("2019-09-14T15:22Z", 53, 49.406, 8.694))
    table = weather.fetch(h, today=TODAY, client=fast_client(retries=1, timeout=(1.0, 0.5)))
    st = table.attrs["weather"].run_status
    assert "timed out" in st.iloc[0] and table.empty
    archive.wait(2)   # the server is still answering the retry late: let it finish inside this test


def test_malformed_json_and_a_wrong_place_leave_runs_unknown(archive):
    h = history(("2019-09-14T15:22Z", 53, 49.406, 8.694))
    archive.faults.append((200, '{"latitude": 49.5, "hourly": {"time": ["2019-09-14T00:00", ', {}))
    st = weather.fetch(h, today=TODAY, client=fast_client()).attrs["weather"].run_status
    assert st.iloc[0].startswith("download failed: the answer is not JSON")
    archive.shift_deg = 3.0     # the answer is for a grid cell 3° further north
    st = weather.fetch(h, today=TODAY, client=fast_client()).attrs["weather"].run_status
    assert "the service answered for 52.50, 8.75" in st.iloc[0] and "km from the place asked for" in st.iloc[0]
    archive.shift_deg = 0.0
    assert weather.fetch(h, today=TODAY).attrs["weather"].run_status.iloc[0] == ""   # nothing bad was cached


def test_unreachable_service_stops_after_the_first_request(monkeypatch, tmp_path):
    """A dead address (nothing listens): the first request fails, the others are not sent, nothing raises."""
    monkeypatch.setenv("RUNLOG_CACHE_DIR", str(tmp_path))
    h = history(*[(f"2019-0{m}-14T15:22Z", 50, 10.0 * m, 8.7) for m in range(1, 4)])
    client = fast_client(retries=0)
    monkeypatch.setattr(om, "MAX_LOCATIONS", 1)
    info = weather.fetch(h, today=TODAY, client=client).attrs["weather"]
    assert client.url == "http://127.0.0.1:9/v1/archive"            # the suite's dead port (conftest)
    assert info.n_requests == 1
    assert info.run_status.str.startswith("download failed: could not reach 127.0.0.1:9").sum() == 1
    assert info.run_status.str.startswith("download failed: not sent after an earlier failure").sum() == 2


def test_the_suite_cannot_reach_the_network():
    with pytest.raises(OSError, match="tests may not"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    with pytest.raises(OSError, match="tests may not"):
        socket.getaddrinfo("archive-api.open-meteo.com", 443)


# ------------------------------------------------------------------------------------------------
# cache and offline
# ------------------------------------------------------------------------------------------------
def test_second_call_sends_nothing_and_offline_uses_the_cache(archive, tmp_path):
    h = history(("2019-09-14T15:22Z", 53, 49.406, 8.694), ("2019-09-18T14:02Z", 55, 49.406, 8.688))
    first = weather.fetch(h, today=TODAY)
    assert len(archive.queries) == 1
    files = list((tmp_path / "cache" / "weather" / "open-meteo").glob("*.json"))
    assert [f.name for f in files] == ["49.4_8.7.json"]
    doc = json.loads(files[0].read_text())
    assert doc["place"] == [49.4, 8.7] and sorted(doc["days"])[0] == "2019-09-14" and len(doc["days"]) == 5
    assert not list(files[0].parent.glob(".tmp-*"))                  # written atomically, nothing left over
    second = weather.fetch(h, today=TODAY)
    offline = weather.fetch(h, today=TODAY, offline=True)
    assert len(archive.queries) == 1
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(first, offline)
    later = history(("2019-09-14T15:22Z", 53, 49.406, 8.694), ("2019-10-01T08:00Z", 40, 49.406, 8.688))
    st = weather.fetch(later, today=TODAY, offline=True).attrs["weather"].run_status.sort_index()
    assert st.tolist() == ["", weather.NOT_CACHED] and len(archive.queries) == 1
    # a damaged cache file is a miss, not an error
    files[0].write_text("{not json", encoding="utf-8")
    assert weather.fetch(h, today=TODAY).attrs["weather"].n_requests == 1


def test_url_keyword_beats_the_environment(archive, monkeypatch):
    monkeypatch.setenv(weather.URL_ENV, "http://127.0.0.1:9/nothing")
    h = history(("2019-09-14T15:22Z", 53, 49.406, 8.694))
    info = weather.fetch(h, today=TODAY, url=archive.url).attrs["weather"]
    assert info.url == archive.url and len(archive.queries) == 1
