"""Air temperature and humidity for each run, from the runner's own weather table.

A watch's temperature sensor sits on the wrist and reads body heat, so heat
features need the *air*: :func:`read_weather` takes an hourly table (CSV or
DataFrame) and :func:`join_weather` gives every run the observation nearest
its middle in time (within a tolerance) and, when the table has station
positions, from the nearest station.  :func:`fetch_meteostat` optionally
downloads such a table (extra dependency ``meteostat``: ``pip install
runlog[weather]``).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd

from .. import geo
from ..errors import RunlogWarning, WeatherError

__all__ = ["WeatherError", "WEATHER_COLUMNS", "MAX_WEATHER_BYTES", "read_weather",
           "run_positions", "join_weather", "fetch_meteostat"]

#: Columns of a normalised weather table (see :func:`read_weather`).
WEATHER_COLUMNS = ("time", "air_temp_c", "rel_humidity_pct", "station", "lat_deg", "lon_deg")

_ALIASES = {
    "time": ("time", "timestamp", "datetime", "date_time", "time_utc", "utc"),
    "air_temp_c": ("air_temp_c", "temp_c", "temperature_c", "temp", "temperature", "t2m_c"),
    "rel_humidity_pct": ("rel_humidity_pct", "humidity_pct", "rh_pct", "rhum", "rh", "relative_humidity",
                         "humidity"),
    "station": ("station", "station_id", "site"),
    "lat_deg": ("lat_deg", "lat", "latitude"),
    "lon_deg": ("lon_deg", "lon", "lng", "longitude"),
}


#: Largest weather CSV runlog reads [bytes]: 256 MiB (years of hourly rows from many stations).
MAX_WEATHER_BYTES = 256 * 1024 * 1024


def _where(source) -> str:
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else "weather table"


def _error(problems, path=None) -> WeatherError:
    """A :class:`WeatherError` with every problem on one line, called as the spreadsheet reader's
    ``err(problems, path)``."""
    problems = [problems] if isinstance(problems, str) else list(problems)
    head = f"{path}: " if path else ""
    if len(problems) == 1:
        return WeatherError(head + problems[0])
    return WeatherError(head + f"{len(problems)} problems: " + " | ".join(problems))


def _missing_columns(found, headers, line: int = 1) -> list[str]:
    """Problems with the columns of a weather table: no time, or neither temperature nor humidity."""
    problems = []
    if "time" not in found:
        problems.append("no time column; add a 'time' column (UTC or with offset, "
                        f"e.g. 2024-06-01T14:00Z). Columns found: {list(headers)}")
    elif "air_temp_c" not in found and "rel_humidity_pct" not in found:
        problems.append(f"neither 'air_temp_c' nor 'rel_humidity_pct' found; columns found: {list(headers)}")
    return problems


def _line_list(lines, bad) -> str:
    return ", ".join(str(lines[i]) for i in bad[:5]) + (" ..." if len(bad) > 5 else "")


def read_weather(source, *, tz: str | None = None, max_bytes: int | None = None) -> pd.DataFrame:
    """Read and normalise an hourly weather table.

    Parameters
    ----------
    source : str, PathLike, file object or DataFrame
        CSV (read like the journal, :mod:`runlog.journal.sheet`: UTF-8 or
        UTF-16 with a byte-order mark, separator ``,``, ``;`` or tab sniffed
        from the header) or a frame with a time column and air temperature
        and/or relative humidity.  Accepted headers (case insensitive):
        ``time`` (also ``timestamp``, ``datetime``), ``air_temp_c``
        (``temp_c``, ``temperature``, ``temp``), ``rel_humidity_pct``
        (``humidity``, ``rh``, ``rhum``), optional ``station``,
        ``lat_deg``/``lat``/``latitude``, ``lon_deg``/``lon``/``longitude``.
        In a ``;``- or tab-separated file a decimal comma is accepted too.
    tz : str, optional
        Zone of times written without an offset (default UTC).
    max_bytes : int, optional
        Largest file read [bytes]; default :data:`MAX_WEATHER_BYTES`.

    Returns
    -------
    DataFrame
        Columns :data:`WEATHER_COLUMNS`: ``time`` (UTC), ``air_temp_c`` [°C],
        ``rel_humidity_pct`` [%], ``station`` (string, '' when absent),
        ``lat_deg``, ``lon_deg`` [°] (NaN when absent); sorted by time.

    Raises
    ------
    WeatherError
        Naming the file and, for every bad time or value, its CSV line
        (header = line 1) and the fix; all problems of the file together.
    """
    where = _where(source)
    decimal_comma = False
    if isinstance(source, pd.DataFrame):
        raw = source.copy()
        if raw.index.name and raw.index.name.lower() in _ALIASES["time"]:
            raw = raw.reset_index()
        lower = {str(c).strip().lower(): c for c in raw.columns}
        cols = {}
        for name, alias in _ALIASES.items():
            for a in alias:
                if a in lower:
                    cols[name] = lower[a]
                    break
        problems = _missing_columns(cols, raw.columns)
        if problems:
            raise _error(problems, where)
        values = {name: raw[c].reset_index(drop=True) for name, c in cols.items()}
        lines = list(range(2, len(raw) + 2))
    else:
        from ..journal.sheet import load_table

        limit = MAX_WEATHER_BYTES if max_bytes is None else max_bytes
        with warnings.catch_warnings():  # other columns are not used (not kept): no "did you mean" for them
            warnings.simplefilter("ignore", RunlogWarning)
            table = load_table(source, _ALIASES, _error, "weather", limit, check=_missing_columns,
                               row_word="hour", duplicates="first_alias",
                               size_note="ten years of hourly rows are a few megabytes")
        cols = dict(table.columns)  # canonical -> header as written
        values = {name: pd.Series([v if v != "" else None for v in table.cells[name]], dtype="object")
                  for name in cols}
        lines = table.lines
        decimal_comma = table.decimal_comma
    problems = []
    tcol = values["time"]
    if pd.api.types.is_datetime64_any_dtype(tcol):
        t = pd.to_datetime(tcol)
        t = t.dt.tz_localize(tz or "UTC") if t.dt.tz is None else t
        t = t.dt.tz_convert("UTC")
    else:
        txt = tcol.astype("object").where(tcol.notna(), None)
        parsed = [pd.NaT] * len(txt)
        bad = []
        for i, v in enumerate(txt):
            if v is None or str(v).strip() == "":
                bad.append(i)
                continue
            try:
                ts = pd.Timestamp(str(v).strip())
            except (ValueError, TypeError):
                bad.append(i)
                continue
            ts = ts.tz_localize(tz or "UTC") if ts.tzinfo is None else ts
            parsed[i] = ts.tz_convert("UTC")
        if bad:
            problems.append(f"line(s) {_line_list(lines, bad)}: time cannot be read; write it as ISO 8601, "
                            "e.g. 2024-06-01T14:00Z or 2024-06-01 16:00+02:00")
        t = pd.Series(pd.DatetimeIndex(parsed))
    out = pd.DataFrame({"time": pd.DatetimeIndex(t).as_unit("ns")})
    for name, lo, hi in (("air_temp_c", -90.0, 60.0), ("rel_humidity_pct", 0.0, 100.0),
                         ("lat_deg", -90.0, 90.0), ("lon_deg", -180.0, 180.0)):
        if name in cols:
            col = values[name]
            v = pd.to_numeric(col.to_numpy(), errors="coerce").astype("float64")
            filled = col.notna().to_numpy() & (col.astype(str).str.strip() != "").to_numpy()
            if decimal_comma:  # '24,5' in a ';' or tab file
                v = _decimal_comma(col, v, filled)
            wrong = np.flatnonzero((filled & np.isnan(v)) | (v < lo) | (v > hi))
            if len(wrong):
                problems.append(f"line(s) {_line_list(lines, wrong)}: {cols[name]!r} must be a number from {lo:g} "
                                f"to {hi:g}" + (" (°C, not °F)" if name == "air_temp_c" else ""))
            out[name] = v
        else:
            out[name] = np.nan
    if problems:
        raise _error(problems, where)
    if "station" in cols:
        station = values["station"]
        out["station"] = station.astype("object").where(station.notna(), "").astype(str).to_numpy()
    else:
        out["station"] = ""
    out["station"] = out["station"].astype("string")
    return out[list(WEATHER_COLUMNS)].sort_values("time", kind="stable").reset_index(drop=True)


def _decimal_comma(col: pd.Series, v: np.ndarray, filled: np.ndarray) -> np.ndarray:
    """*v* with the filled cells pandas could not read parsed with a decimal comma where they have one."""
    from ..journal.sheet import parse_number

    v = v.copy()
    for i in np.flatnonzero(filled & np.isnan(v)):
        text = str(col.iloc[i])
        if "," in text:
            try:
                v[i] = parse_number(text, True)
            except ValueError:
                pass
    return v


def run_positions(records: pd.DataFrame) -> pd.DataFrame:
    """First recorded position of every run (``lat_deg``, ``lon_deg``), index run_id.

    Parameters
    ----------
    records : DataFrame
        ``History.records`` (MultiIndex ``run_id``, ``time``; ``lat_deg``,
        ``lon_deg``).

    Returns
    -------
    DataFrame
        ``lat_deg``, ``lon_deg`` [°]; runs without a position are absent.
    """
    pos = records[["lat_deg", "lon_deg"]].dropna()
    return pos.groupby(level=0, sort=False).first()


def join_weather(runs: pd.DataFrame, weather, *, positions: pd.DataFrame | None = None,
                 tolerance: str | pd.Timedelta = "90min", max_station_km: float = 100.0) -> pd.DataFrame:
    """The weather observation for each run.

    Each run is matched at its middle (``start_time + elapsed_s / 2``) to the
    nearest observation in time within *tolerance*.  When the table has
    several stations with positions and the run has a position, the nearest
    station (great-circle distance, within *max_station_km*) that has an
    observation within the tolerance is used; without positions all rows are
    one series.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` (``start_time``, ``elapsed_s``).
    weather : DataFrame, str or PathLike
        A table for :func:`read_weather` (or its result).
    positions : DataFrame, optional
        ``lat_deg``, ``lon_deg`` per run_id (:func:`run_positions`).
    tolerance : str or Timedelta
        Largest time difference accepted.
    max_station_km : float
        Farthest station accepted [km].

    Returns
    -------
    DataFrame indexed by run_id
        ``air_temp_c``, ``rel_humidity_pct``, ``weather_time`` (UTC of the
        observation used), ``weather_station``, ``weather_station_km``
        (NaN without positions); NaN where nothing matched.
    """
    w = weather if (isinstance(weather, pd.DataFrame) and list(weather.columns) == list(WEATHER_COLUMNS)) \
        else read_weather(weather)
    tol = pd.Timedelta(tolerance)
    mid = (pd.to_datetime(runs["start_time"], utc=True)
           + pd.to_timedelta(pd.to_numeric(runs["elapsed_s"], errors="coerce").fillna(0.0) / 2, unit="s"))
    left = pd.DataFrame({"run_id": runs.index.astype("object"), "mid": mid.dt.as_unit("ns").to_numpy()})
    left = left[left["mid"].notna()].sort_values("mid", kind="stable")
    out = pd.DataFrame(index=runs.index)
    out["air_temp_c"] = np.nan
    out["rel_humidity_pct"] = np.nan
    out["weather_time"] = pd.Series(pd.NaT, index=runs.index, dtype="datetime64[ns, UTC]")
    out["weather_station"] = pd.Series(pd.NA, index=runs.index, dtype="string")
    out["weather_station_km"] = np.nan
    if w.empty or left.empty:
        return out
    stations = w.groupby("station", sort=False)[["lat_deg", "lon_deg"]].first()
    have_pos = positions is not None and stations[["lat_deg", "lon_deg"]].notna().all(axis=1).any()
    best_km = pd.Series(np.inf, index=runs.index)
    for st, grp in w.groupby("station", sort=False):
        right = grp[["time", "air_temp_c", "rel_humidity_pct"]].rename(columns={"time": "wtime"})
        right = right.assign(wtime=right["wtime"].dt.as_unit("ns")).sort_values("wtime")
        m = pd.merge_asof(left, right, left_on="mid", right_on="wtime", direction="nearest", tolerance=tol)
        m = m[m["wtime"].notna()].set_index("run_id")
        if m.empty:
            continue
        if have_pos:
            slat, slon = stations.loc[st, "lat_deg"], stations.loc[st, "lon_deg"]
            assert positions is not None  # have_pos
            pos = positions.reindex(m.index)
            km = geo.haversine_m(pos["lat_deg"], pos["lon_deg"], slat, slon) / 1000.0
            km = pd.Series(km, index=m.index)
            if np.isnan(slat) or np.isnan(slon):
                km[:] = np.nan
            # a run without a position (or station without one) takes any station, ranked last
            rank = km.where(km.notna(), 1e9)
            ok = (km.isna() | (km <= max_station_km)) & (rank < best_km.reindex(m.index))
        else:
            km = pd.Series(np.nan, index=m.index)
            rank = pd.Series(0.0, index=m.index)
            ok = rank < best_km.reindex(m.index)
        sel = m.index[ok.to_numpy()]
        if not len(sel):
            continue
        best_km[sel] = rank[sel]
        out.loc[sel, "air_temp_c"] = m.loc[sel, "air_temp_c"].to_numpy()
        out.loc[sel, "rel_humidity_pct"] = m.loc[sel, "rel_humidity_pct"].to_numpy()
        out.loc[sel, "weather_time"] = m.loc[sel, "wtime"].to_numpy()
        out.loc[sel, "weather_station"] = str(st)
        out.loc[sel, "weather_station_km"] = km[sel].to_numpy()
    return out


def fetch_meteostat(runs: pd.DataFrame, positions: pd.DataFrame) -> pd.DataFrame:
    """Download hourly air temperature and humidity for every run (Meteostat).

    Needs the optional ``meteostat`` package (``pip install runlog[weather]``)
    and network access; not used by any test.  One request per run position
    rounded to 0.1° over the runs' time span.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs``.
    positions : DataFrame
        :func:`run_positions`.

    Returns
    -------
    DataFrame
        A :func:`read_weather` table with one ``station`` per rounded position
        (``lat_deg``/``lon_deg`` the position), ready for :func:`join_weather`.

    Raises
    ------
    WeatherError
        When the package is missing, there is no position, or the download fails.
    """
    try:
        import meteostat
    except ImportError as exc:
        raise WeatherError("fetching weather needs the optional 'meteostat' package: "
                           "pip install 'runlog[weather]' (or pass your own table with weather=...)") from exc
    pos = positions.dropna()
    if pos.empty:
        raise WeatherError("no run has a GPS position, so there is no place to fetch weather for; "
                           "pass your own hourly table with weather=...")
    start = pd.to_datetime(runs["start_time"], utc=True)
    frames = []
    keys = (pos.round(1)).drop_duplicates()
    for lat, lon in keys.itertuples(index=False):
        ids = pos.index[(pos["lat_deg"].round(1) == lat) & (pos["lon_deg"].round(1) == lon)]
        t0 = start.reindex(ids).min().tz_convert("UTC").tz_localize(None).floor("D")
        t1 = start.reindex(ids).max().tz_convert("UTC").tz_localize(None).ceil("D") + pd.Timedelta(days=1)
        try:
            data = meteostat.Hourly(meteostat.Point(float(lat), float(lon)), t0.to_pydatetime(),
                                    t1.to_pydatetime()).fetch()
        except Exception as exc:  # network, API changes: one clear message
            raise WeatherError(f"Meteostat download for {lat:.1f}, {lon:.1f} failed ({exc}); check the network "
                               "or pass your own hourly table with weather=...") from exc
        if data is None or len(data) == 0:
            continue
        frames.append(pd.DataFrame({
            "time": pd.DatetimeIndex(data.index).tz_localize("UTC") if pd.DatetimeIndex(data.index).tz is None
            else pd.DatetimeIndex(data.index).tz_convert("UTC"),
            "air_temp_c": data["temp"].to_numpy(dtype="float64"),
            "rel_humidity_pct": data["rhum"].to_numpy(dtype="float64"),
            "station": f"meteostat {lat:.1f},{lon:.1f}", "lat_deg": lat, "lon_deg": lon,
        }))
    if not frames:
        raise WeatherError("Meteostat has no hourly data for the runs' places and times; "
                           "pass your own hourly table with weather=...")
    return read_weather(pd.concat(frames, ignore_index=True))
