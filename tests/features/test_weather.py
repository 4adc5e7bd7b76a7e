"""Weather tables: reading, joining to runs by time and place, the optional Meteostat path."""

from __future__ import annotations

import sys

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


def test_meteostat_missing_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "meteostat", None)      # import fails as if not installed
    runs = _runs(["2024-06-01T06:50Z"], [1200.0])
    pos = pd.DataFrame({"lat_deg": [48.2], "lon_deg": [11.6]}, index=runs.index)
    with pytest.raises(weather.WeatherError, match=r"pip install 'runlog\[weather\]'"):
        weather.fetch_meteostat(runs, pos)


def test_run_features_weather_meteostat_without_package(monkeypatch):
    import runlog
    from runlog.io._activity import finalize

    monkeypatch.setitem(sys.modules, "meteostat", None)
    idx = pd.Timestamp("2024-06-01T07:00Z") + pd.to_timedelta(np.arange(3), unit="s")
    rec = pd.DataFrame({"speed_mps": 3.0, "lat_deg": 48.1, "lon_deg": 11.5}, index=idx)
    h = runlog.History.from_activities([finalize(rec, None, {"source": "x.fit", "format": "fit"}, tz="UTC")])
    with pytest.raises(weather.WeatherError, match="optional 'meteostat' package"):
        runlog.run_features(h, weather="meteostat")
