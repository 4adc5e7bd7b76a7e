"""Weather tables: reading, joining to runs by time and place, the optional Meteostat path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runlog.errors import RunlogError
from runlog.features import weather


def _runs(starts, elapsed_s):
    idx = pd.Index([f"r{i}" for i in range(len(starts))], name="run_id")
    return pd.DataFrame({"start_time": pd.to_datetime(starts, utc=True), "elapsed_s": elapsed_s}, index=idx)


def test_read_weather_csv_with_offsets_and_aliases(tmp_path):
    p = tmp_path / "wx.csv"
    p.write_text("Timestamp;Temperature;Humidity\n"
                 "2024-06-01T14:00+02:00;24.5;55\n"
                 "2024-06-01T13:00Z;23.0;60\n"
                 "2024-06-01 15:00;;50\n", encoding="utf-8")
    w = weather.read_weather(p)
    assert list(w.columns) == list(weather.WEATHER_COLUMNS)
    # 14:00+02:00 is 12:00 UTC; a time without offset is UTC; sorted by time
    assert list(w["time"]) == list(pd.to_datetime(["2024-06-01T12:00Z", "2024-06-01T13:00Z", "2024-06-01T15:00Z"]))
    assert list(w["air_temp_c"].fillna(-1)) == [24.5, 23.0, -1]
    assert list(w["rel_humidity_pct"]) == [55.0, 60.0, 50.0]


def test_read_weather_errors_name_file_and_line(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("time,air_temp_c\n2024-06-01T12:00Z,20\nyesterday,21\n", encoding="utf-8")
    with pytest.raises(weather.WeatherError, match=r"bad\.csv: line\(s\) 3: time cannot be read"):
        weather.read_weather(p)
    p.write_text("time,air_temp_c\n2024-06-01T12:00Z,95\n", encoding="utf-8")
    with pytest.raises(weather.WeatherError, match=r"line\(s\) 2: 'air_temp_c' must be a number from -90 to 60"):
        weather.read_weather(p)
    with pytest.raises(weather.WeatherError, match="no time column"):
        weather.read_weather(pd.DataFrame({"temp": [1.0]}))
    with pytest.raises(weather.WeatherError, match="no such file"):
        weather.read_weather(tmp_path / "missing.csv")
    assert issubclass(weather.WeatherError, RunlogError)


def test_join_nearest_hour_within_tolerance():
    table = pd.DataFrame({"time": pd.date_range("2024-06-01T06:00Z", periods=6, freq="h"),
                          "air_temp_c": [10.0, 11, 12, 13, 14, 15], "rel_humidity_pct": [90.0, 85, 80, 75, 70, 65]})
    runs = _runs(["2024-06-01T07:05Z", "2024-06-01T10:50Z", "2024-06-01T20:00Z"], [1800.0, 600.0, 600.0])
    j = weather.join_weather(runs, table)
    # r0: 07:05 + 30 min / 2 -> middle 07:20 -> nearest observation 07:00 (2nd row: 11 °C, 85 %)
    assert j.loc["r0", "air_temp_c"] == 11.0 and j.loc["r0", "rel_humidity_pct"] == 85.0
    # r1 middle 10:55 -> 11:00 (last row, 15 °C)
    assert j.loc["r1", "air_temp_c"] == 15.0
    assert j.loc["r1", "weather_time"] == pd.Timestamp("2024-06-01T11:00Z")
    # r2 middle 20:05 is 9 h after the last observation: beyond the 90-min tolerance -> NaN
    assert np.isnan(j.loc["r2", "air_temp_c"])
    j2 = weather.join_weather(runs, table, tolerance="10h")
    assert j2.loc["r2", "air_temp_c"] == 15.0


def test_join_nearest_station_by_position():
    t = pd.Timestamp("2024-06-01T07:00Z")
    table = pd.DataFrame({"time": [t, t, t], "air_temp_c": [10.0, 20.0, 30.0], "rel_humidity_pct": [50.0, 60, 70],
                          "station": ["munich", "berlin", "far"],
                          "lat_deg": [48.14, 52.52, -33.9], "lon_deg": [11.58, 13.40, 151.2]})
    runs = _runs(["2024-06-01T06:50Z", "2024-06-01T06:50Z", "2024-06-01T06:50Z"], [1200.0, 1200.0, 1200.0])
    pos = pd.DataFrame({"lat_deg": [48.2, 52.4, np.nan], "lon_deg": [11.6, 13.5, np.nan]}, index=runs.index)
    j = weather.join_weather(runs, table, positions=pos)
    assert j.loc["r0", "weather_station"] == "munich" and j.loc["r0", "air_temp_c"] == 10.0
    # munich station to (48.2, 11.6): haversine ~ 6.9 km
    assert j.loc["r0", "weather_station_km"] == pytest.approx(6.85, abs=0.2)
    assert j.loc["r1", "weather_station"] == "berlin" and j.loc["r1", "air_temp_c"] == 20.0
    # a run without a position still gets an observation (any station), marked with no distance
    assert np.isfinite(j.loc["r2", "air_temp_c"]) and np.isnan(j.loc["r2", "weather_station_km"])


def test_station_too_far_is_not_used():
    t = pd.Timestamp("2024-06-01T07:00Z")
    table = pd.DataFrame({"time": [t], "air_temp_c": [30.0], "rel_humidity_pct": [70.0], "station": ["far"],
                          "lat_deg": [-33.9], "lon_deg": [151.2]})
    runs = _runs(["2024-06-01T06:50Z"], [1200.0])
    pos = pd.DataFrame({"lat_deg": [48.2], "lon_deg": [11.6]}, index=runs.index)
    assert np.isnan(weather.join_weather(runs, table, positions=pos).loc["r0", "air_temp_c"])


def test_meteostat_is_no_longer_offered():
    import runlog
    from runlog.io import finalize

    idx = pd.Timestamp("2024-06-01T07:00Z") + pd.to_timedelta(np.arange(3), unit="s")
    rec = pd.DataFrame({"speed_mps": 3.0, "lat_deg": 48.1, "lon_deg": 11.5}, index=idx)
    h = runlog.History.from_activities([finalize(rec, None, {"source": "x.fit", "format": "fit"}, tz="UTC")])
    with pytest.raises(weather.WeatherError, match="weather='auto'"):
        runlog.run_features(h, weather="meteostat")


def test_times_in_a_zone_with_daylight_saving_changes(tmp_path):
    """Times without offset are local to tz=: 02:30 on 2024-03-31 does not exist in Berlin, 02:30 on
    2024-10-27 happens twice; both are named, with the fix (write the offset)."""
    p = tmp_path / "wx.csv"
    p.write_text("time,temp\n2024-03-31 01:30,5\n2024-03-31 03:30,6\n2024-10-27 01:30,7\n"
                 "2024-10-27T02:30+01:00,8\n", encoding="utf-8")
    w = weather.read_weather(p, tz="Europe/Berlin")
    assert list(w["time"]) == list(pd.to_datetime(["2024-03-31T00:30Z", "2024-03-31T01:30Z", "2024-10-26T23:30Z",
                                                   "2024-10-27T01:30Z"]))
    p.write_text("time,temp\n2024-03-31 02:30,5\n2024-10-27 02:30,6\n2024-10-27 04:30,7\n", encoding="utf-8")
    with pytest.raises(weather.WeatherError, match=r"line\(s\) 2, 3: time does not exist or happens twice in "
                                                   r"Europe/Berlin .* write it with its UTC offset"):
        weather.read_weather(p, tz="Europe/Berlin")


def test_time_formats_and_the_dew_point_column():
    table = pd.DataFrame({"Datetime": ["2024-06-01T12:00Z", "2024-06-01 13:00", "2024-06-01T16:00+02:00",
                                       "2024-06-01T15:00:00.000Z", "June 1, 2024 16:00"],
                          "temperature_2m": [20.0, 21, 22, 23, 24], "dew_point_2m": [10.0, 11, 12, 13, 14]})
    w = weather.read_weather(table)
    assert list(w["time"]) == list(pd.date_range("2024-06-01T12:00Z", periods=5, freq="h"))
    assert list(w["air_temp_c"]) == [20.0, 21, 22, 23, 24] and list(w["dew_point_c"]) == [10.0, 11, 12, 13, 14]
    assert w["rel_humidity_pct"].isna().all()


def test_a_file_is_parsed_again_only_when_it_changes(tmp_path):
    p = tmp_path / "wx.csv"
    p.write_text("time,temp\n2024-06-01T12:00Z,20\n", encoding="utf-8")
    a = weather.read_weather(p)
    a.loc[0, "air_temp_c"] = -5.0                   # the caller's copy, not the remembered table
    assert weather.read_weather(p).loc[0, "air_temp_c"] == 20.0
    p.write_text("time,temp\n2024-06-01T12:00Z,25.5\n", encoding="utf-8")
    assert weather.read_weather(p).loc[0, "air_temp_c"] == 25.5


def test_hours_without_any_value_are_skipped_by_the_join():
    table = pd.DataFrame({"time": pd.to_datetime(["2024-06-01T06:00Z", "2024-06-01T07:00Z"]),
                          "air_temp_c": [10.0, np.nan], "rel_humidity_pct": [80.0, np.nan]})
    j = weather.join_weather(_runs(["2024-06-01T06:50Z"], [1200.0]), table)
    # middle 07:00: the 07:00 row is empty, so the 06:00 one (60 min, within 90) is used
    assert j.loc["r0", "air_temp_c"] == 10.0 and j.loc["r0", "weather_time"] == pd.Timestamp("2024-06-01T06:00Z")


def test_join_matches_the_per_run_rule():
    """The vectorised join against a direct per-run computation (nearest located station within 100 km
    that has an hour within 90 min; then the nearest hour) on random runs and stations."""
    rng = np.random.default_rng(3)
    st = pd.DataFrame({"station": [f"s{i}" for i in range(6)], "lat_deg": rng.uniform(47, 49, 6),
                       "lon_deg": rng.uniform(10, 12, 6)})
    times = pd.date_range("2024-06-01T00:00Z", periods=48, freq="h")
    table = pd.DataFrame([(t, s.station, s.lat_deg, s.lon_deg, float(rng.normal(15, 5)))
                          for s in st.itertuples() for t in times if rng.random() > 0.3],
                         columns=["time", "station", "lat_deg", "lon_deg", "air_temp_c"])
    runs = _runs(list(pd.Timestamp("2024-06-01T01:00Z") + pd.to_timedelta(rng.uniform(0, 44 * 3600, 40), unit="s")),
                 list(rng.uniform(600, 3600, 40)))
    pos = pd.DataFrame({"lat_deg": rng.uniform(46.5, 49.5, 40), "lon_deg": rng.uniform(9.5, 12.5, 40)},
                       index=runs.index)
    j = weather.join_weather(runs, table, positions=pos)
    from runlog.geo import haversine_m
    for rid, r in runs.iterrows():
        mid = r.start_time + pd.Timedelta(seconds=r.elapsed_s / 2)
        km = haversine_m(pos.loc[rid, "lat_deg"], pos.loc[rid, "lon_deg"], st.lat_deg, st.lon_deg) / 1000
        want = np.nan
        for i in np.argsort(km, kind="stable"):
            if km[i] > 100:
                break
            rows = table[table.station == st.station[i]]
            gap = (rows.time - mid).abs()
            if gap.min() <= pd.Timedelta("90min"):
                want = rows.loc[gap.idxmin(), "air_temp_c"]
                break
        assert (np.isnan(want) and np.isnan(j.loc[rid, "air_temp_c"])) or j.loc[rid, "air_temp_c"] == want, rid
