"""Benchmark: reading and joining weather, against pandas' own floor, side by side in one run.

Writes ten years of hourly rows (87,600; fixed seed) for ``--stations`` stations
as a CSV and as a frame, and ``--runs`` runs spread over those years with
positions near the stations, then measures:

1. ``pandas.read_csv`` + ``pandas.to_datetime`` of the file (the floor: parsing only);
2. ``runlog.features.weather.read_weather(path)`` (the journal's CSV reader, then every
   time and value checked, vectorised), and the same file again (not parsed again while
   it is unchanged);
3. ``read_weather(frame)`` (the same checks on a frame);
4. one bare ``pandas.merge_asof`` of the runs' middles on the hours (the join's floor);
5. ``runlog.features.weather.join_weather`` with positions (nearest station within 100 km,
   then nearest hour), on 1/3 and all of ``--runs``: linear in runs.

Times are the best of ``--repeat`` calls [s] and ratios to the floors.  Before
issue 28 ``read_weather`` parsed each time with ``pd.Timestamp`` in a Python loop
and ``join_weather`` ran one ``merge_asof`` per station over all runs.  Nothing is
asserted: the script prints figures.

Run:  .venv/bin/python bench/bench_weather.py [--runs 10000] [--stations 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from timing import best_of

from runlog.features import weather


def synthetic(n_runs: int, n_stations: int, seed: int = 1):
    """A 10-year hourly table of *n_stations* stations, a runs frame and the runs' positions."""
    rng = np.random.default_rng(seed)
    hours = pd.date_range("2015-01-01", periods=24 * 3650, freq="h", tz="UTC")
    st_lat = rng.uniform(45, 55, n_stations)
    st_lon = rng.uniform(5, 15, n_stations)
    per = len(hours) // n_stations     # each station a share of the hours, so the table stays 87,600 rows
    k = np.arange(len(hours)) // per % n_stations
    table = pd.DataFrame({"time": hours.strftime("%Y-%m-%dT%H:%MZ"),
                          "air_temp_c": rng.normal(12, 8, len(hours)).round(1),
                          "rel_humidity_pct": rng.uniform(30, 100, len(hours)).round(0),
                          "station": [f"st{i}" for i in k], "lat_deg": st_lat[k].round(3),
                          "lon_deg": st_lon[k].round(3)})
    start = hours[0] + pd.to_timedelta(np.sort(rng.uniform(0, 3649 * 86400, n_runs)), unit="s")
    idx = pd.Index([f"r{i}" for i in range(n_runs)], name="run_id")
    runs = pd.DataFrame({"start_time": start, "elapsed_s": rng.uniform(1800, 7200, n_runs)}, index=idx)
    j = rng.integers(0, n_stations, n_runs)
    pos = pd.DataFrame({"lat_deg": st_lat[j] + rng.normal(0, 0.1, n_runs),
                        "lon_deg": st_lon[j] + rng.normal(0, 0.1, n_runs)}, index=idx)
    return table, runs, pos


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--stations", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    table, runs, pos = synthetic(a.runs, a.stations)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "weather.csv"
        table.to_csv(path, index=False)

        def floor_read():
            df = pd.read_csv(path)
            df["time"] = pd.to_datetime(df["time"], utc=True)
            return df

        t_floor = best_of(floor_read, a.repeat)
        stamp = [path.stat().st_mtime_ns]

        def first_read():   # a new modification time each call: parsed, not the process's remembered table
            stamp[0] += 1_000_000
            os.utime(path, ns=(stamp[0], stamp[0]))
            return weather.read_weather(path)

        t_path = best_of(first_read, a.repeat)
        t_again = best_of(lambda: weather.read_weather(path), a.repeat)
    t_frame = best_of(lambda: weather.read_weather(table), a.repeat)
    w = weather.read_weather(table)
    mid = (runs["start_time"] + pd.to_timedelta(runs["elapsed_s"] / 2, unit="s")).sort_values()

    def floor_join():
        return pd.merge_asof(pd.DataFrame({"mid": mid}), w[["time", "air_temp_c"]], left_on="mid", right_on="time",
                             direction="nearest", tolerance=pd.Timedelta("90min"))

    t_mfloor = best_of(floor_join, a.repeat)
    third = runs.iloc[: a.runs // 3]
    t_join3 = best_of(lambda: weather.join_weather(third, w, positions=pos), a.repeat)
    t_join = best_of(lambda: weather.join_weather(runs, w, positions=pos), a.repeat)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"weather: {len(table):,} hourly rows, {a.stations} stations, {a.runs:,} runs "
          f"(best of {a.repeat}; load {load:.1f})")
    print(f"  read_csv + to_datetime (floor)   {t_floor:7.3f} s")
    print(f"  read_weather(CSV path)           {t_path:7.3f} s   {t_path / t_floor:5.1f}x the floor")
    print(f"  read_weather(same file again)    {t_again:7.3f} s   (unchanged since the last read: not parsed)")
    print(f"  read_weather(frame)              {t_frame:7.3f} s   {t_frame / t_floor:5.1f}x")
    print(f"  merge_asof, one series (floor)   {t_mfloor:7.3f} s")
    print(f"  join_weather, {len(third):,} runs         {t_join3:7.3f} s")
    print(f"  join_weather, {a.runs:,} runs        {t_join:7.3f} s   {t_join / t_mfloor:5.1f}x the floor, "
          f"{t_join / t_join3:4.2f}x the time for 3x the runs")


if __name__ == "__main__":
    main()
