"""Weather on request in the report: analyze(weather='auto'), runlog report --weather auto, runlog weather.

On the shared corpus's real GPS runs, against the local stand-in of Open-Meteo's archive API
(tests/weather_server.py, the ``archive`` fixture of tests/conftest.py): heat is tested on the air
temperature, every GPS run gets it within an hour of its middle, the report credits the data and
says what was sent, and a second report sends nothing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import weather_server as ws

import runlog
from runlog.features import _openmeteo as om
from runlog.features import weather
from runlog.render.text import markdown_text

pytestmark = pytest.mark.shared


def expected(lat: float, lon: float, t: pd.Timestamp) -> float:
    """The stand-in's temperature for a run at (lat, lon) whose nearest hour is *t* (UTC)."""
    plat, plon = om.place_of(lat, lon)
    glat, glon = ws.grid(float(plat), float(plon))
    return ws.temperature_c(glat, glon, int(t.timestamp() // 3600))


EPISODES = """date,time,onset_min,onset_km,duration_min,side,location,severity,notes
2012-08-18,,120,,20,left,forefoot,5,
2015-08-29,12:36,20,,10,both,toes,4,
2016-09-12,,25,,10,left,toes,3,
2019-06-15,,50,,15,right,forefoot,4,
2019-09-14,17:22,30,,20,left,forefoot,5,
2020-03-14,,30,,10,left,toes,3,
2021-01-10,,45,,10,right,toes,4,
2021-05-29,,150,,30,both,whole_foot,6,
"""


@pytest.fixture(scope="module")
def real_history(shared_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runlog.read_history(shared_dir, cache=False, progress=False)


def test_analyze_auto_joins_air_temperature_to_every_gps_run(archive, real_history, tmp_path):
    journal = tmp_path / "episodes.csv"
    journal.write_text(EPISODES, encoding="utf-8")
    rep = runlog.analyze(real_history, journal, weather="auto", tracked=("2012-01-01", "2021-12-31"))
    feats = rep.features.loc[rep.analysed_runs]
    pos = weather.run_positions(real_history.records).reindex(rep.analysed_runs)
    gps = pos["lat_deg"].notna()
    runs = real_history.runs.loc[rep.analysed_runs]
    mid = runs["start_time"] + pd.to_timedelta(runs["elapsed_s"] / 2, unit="s")
    assert gps.sum() >= 25
    assert feats.loc[gps, "air_temp_c"].notna().all()
    joined = weather.join_weather(runs, weather.fetch(real_history, runs=rep.analysed_runs, offline=True),
                                  positions=weather.run_positions(real_history.records))
    assert ((joined.loc[gps, "weather_time"] - mid[gps]).abs() <= pd.Timedelta("1h")).all()
    np.testing.assert_array_equal(joined.loc[gps, "air_temp_c"], feats.loc[gps, "air_temp_c"])
    # each value is the stand-in's temperature at the run's rounded place and nearest hour
    for rid in gps[gps].index[:5]:
        t = joined.loc[rid, "weather_time"]
        assert feats.loc[rid, "air_temp_c"] == expected(pos.loc[rid, "lat_deg"], pos.loc[rid, "lon_deg"], t)
    assert feats.loc[~gps, "air_temp_c"].isna().all()
    cov = rep.settings["weather"]
    assert cov["n_known"] == int(gps.sum()) and cov["unknown"] == {weather.NO_POSITION: int((~gps).sum())}
    assert cov["unknown_runs"] == {weather.NO_POSITION: sorted(gps.index[~gps])}   # which runs, not only how many
    heat = rep.causes.set_index("cause").loc["hydration"]
    assert heat["factor"] == "air_temp_c" and not str(heat["status"]).startswith("not testable")
    assert len(archive.queries) == 1


@pytest.mark.slow
def test_report_weather_auto_on_real_files_then_offline(archive, shared_dir, tmp_path, capsys):
    from runlog.cli import main

    journal = tmp_path / "episodes.csv"
    journal.write_text(EPISODES, encoding="utf-8")
    args = ["report", str(shared_dir), "--episodes", str(journal), "--tracked", "2012-01-01:2021-12-31",
            "--weather", "auto"]
    assert main([*args, "--out", str(tmp_path / "r1")]) == 0
    n_first = len(archive.queries)
    assert n_first == 1
    out = capsys.readouterr()
    md = (tmp_path / "r1" / "report.md").read_text(encoding="utf-8")
    row = next(line for line in md.splitlines() if line.startswith("| heat and hydration"))
    assert "| air temperature |" in row and "not testable" not in row
    # (report.md escapes what a viewer would turn into a link: the credit reads as written)
    assert markdown_text("Weather data by Open-Meteo.com") in md and "CC BY 4.0" in md
    assert "rounded to 0.1°" in out.err + out.out
    html = (tmp_path / "r1" / "report.html").read_text(encoding="utf-8")
    assert "Weather data by Open-Meteo.com" in html and "nothing leaves your computer" not in html
    # the second report sends nothing, with the service gone as well
    archive.server.clear()
    assert main([*args, "--out", str(tmp_path / "r2")]) == 0
    assert len(archive.queries) == n_first
    md2 = (tmp_path / "r2" / "report.md").read_text(encoding="utf-8")
    assert next(line for line in md2.splitlines() if line.startswith("| heat and hydration")) == row


def test_weather_command_writes_a_table_read_weather_reads(archive, shared_dir, tmp_path, capsys):
    from runlog.cli import main

    out = tmp_path / "weather.csv"
    assert main(["weather", str(shared_dir), "--out", str(out)]) == 0
    table = weather.read_weather(out)
    assert len(table) and table["station"].str.match(r"^-?\d+\.\d,-?\d+\.\d$").all()
    said = capsys.readouterr().out
    assert "Weather data by Open-Meteo.com" in said and "request" in said
    assert len(archive.queries) == 1
    assert main(["weather", str(shared_dir), "--out", str(tmp_path / "again.csv")]) == 0
    assert len(archive.queries) == 1
    assert (tmp_path / "again.csv").read_bytes() == out.read_bytes()
