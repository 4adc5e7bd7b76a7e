"""Air temperature and humidity for each run: the runner's own weather table, or a download on request.

A watch's temperature sensor sits on the wrist and reads body heat, so heat
features need the *air*.  Two ways to get it:

* :func:`read_weather` takes an hourly table (CSV or DataFrame) the runner
  has; :func:`join_weather` gives every run the observation nearest its middle
  in time (within a tolerance) and, when the table has station positions, from
  the nearest station.
* :func:`fetch` downloads such a table, **only when asked** (``weather="auto"``
  in :func:`runlog.analyze` / :func:`runlog.run_features`, ``--weather auto``
  or ``runlog weather`` on the command line), from Open-Meteo's historical
  weather API (ERA5 / ERA5-Land reanalysis, hourly, any place on earth, no
  account).  What is sent: each run's first GPS position rounded to 0.1°
  (about 10 km) and the UTC dates of the runs, nothing else.  Answers are
  cached by rounded place and day under runlog's cache folder, so a second
  report sends nothing and works offline for what is cached.  A failed or
  partial download never stops a report: those runs are 'weather unknown',
  and :class:`WeatherInfo` says which and why.  The data licence is CC BY 4.0
  (:data:`ATTRIBUTION`, shown in every report that used the data).
"""

from __future__ import annotations

import datetime as _dt
import os
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import geo
from ..errors import RunlogWarning, WeatherError
from . import _openmeteo as om

__all__ = ["WeatherError", "WEATHER_COLUMNS", "MAX_WEATHER_BYTES", "ATTRIBUTION", "ATTRIBUTION_HTML", "URL_ENV",
           "WeatherInfo", "read_weather", "run_positions", "join_weather", "fetch", "weather_to_csv"]

#: Columns of a normalised weather table (see :func:`read_weather`).
WEATHER_COLUMNS = ("time", "air_temp_c", "rel_humidity_pct", "dew_point_c", "station", "lat_deg", "lon_deg")
#: The credit the downloaded data needs wherever it is shown (Open-Meteo, CC BY 4.0, ERA5 / Copernicus).
ATTRIBUTION = om.ATTRIBUTION
#: The same credit with its links, for HTML pages.
ATTRIBUTION_HTML = om.ATTRIBUTION_HTML
#: Environment variable that sets the weather service's address (a mirror, or a local test server).
URL_ENV = om.URL_ENV

_ALIASES = {
    "time": ("time", "timestamp", "datetime", "date_time", "time_utc", "utc"),
    "air_temp_c": ("air_temp_c", "temp_c", "temperature_c", "temp", "temperature", "t2m_c", "temperature_2m"),
    "rel_humidity_pct": ("rel_humidity_pct", "humidity_pct", "rh_pct", "rhum", "rh", "relative_humidity",
                         "humidity", "relative_humidity_2m"),
    "dew_point_c": ("dew_point_c", "dew_point", "dewpoint", "dewpoint_c", "dwpt", "td", "dew_point_2m"),
    "station": ("station", "station_id", "site"),
    "lat_deg": ("lat_deg", "lat", "latitude"),
    "lon_deg": ("lon_deg", "lon", "lng", "longitude"),
}

#: Largest weather CSV runlog reads [bytes]: 256 MiB (years of hourly rows from many stations).
MAX_WEATHER_BYTES = 256 * 1024 * 1024

#: Valid range of each number column (both ends included).
_RANGES = (("air_temp_c", -90.0, 60.0), ("rel_humidity_pct", 0.0, 100.0), ("dew_point_c", -90.0, 60.0),
           ("lat_deg", -90.0, 90.0), ("lon_deg", -180.0, 180.0))
#: A time written with its offset (or Z / UTC / GMT) after the clock time.
_OFFSET_RE = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"


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


def _to_datetime(text: pd.Series, *, utc: bool) -> pd.Series:
    """ISO 8601 texts parsed in one vectorised call; the few that are not ISO 8601 with pandas' mixed parser."""
    out = pd.to_datetime(text, format="ISO8601", utc=utc, errors="coerce")
    rest = out.isna().to_numpy()
    if rest.any():
        try:
            more = pd.to_datetime(text[rest], format="mixed", utc=utc, errors="coerce")
        except (ValueError, TypeError):   # e.g. a zone name in a text meant to be naive
            more = pd.Series(pd.NaT, index=text.index[rest], dtype=out.dtype)
        if utc or getattr(more.dtype, "tz", None) is None:
            out[rest] = more
    return out


def _as_text(v) -> str:
    """A cell as text: Timestamps and datetimes in ISO form (with their offset), the rest with str()."""
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def parse_times(values, tz: str | None = None) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Times of a weather table as UTC, vectorised.

    Parameters
    ----------
    values : array_like
        Texts (ISO 8601 with or without offset; other formats pandas reads),
        Timestamps or datetime64 values; None / '' for a missing time.
    tz : str, optional
        Zone of the times written without an offset (default UTC).

    Returns
    -------
    (DatetimeIndex, ndarray, ndarray)
        The times (UTC, ns; NaT where unreadable), a bool mask of the
        unreadable ones, and a bool mask of those that do not exist or are
        ambiguous in *tz* (the hour of a daylight-saving change).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    s = pd.Series(values, dtype="object").reset_index(drop=True)
    arr = pc.utf8_trim_whitespace(pa.array(s.map(_as_text, na_action="ignore"), type=pa.string(), from_pandas=True))
    empty = pc.fill_null(pc.equal(arr, ""), True).to_numpy(zero_copy_only=False)
    aware = pc.fill_null(pc.match_substring_regex(arr, _OFFSET_RE), False).to_numpy(zero_copy_only=False) & ~empty
    naive = ~aware & ~empty
    text = pd.Series(arr.to_numpy(zero_copy_only=False), dtype="object")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns, UTC]")
    dst = np.zeros(len(s), dtype=bool)
    if aware.any():
        t = _to_datetime(text[aware], utc=True)
        out[aware] = t.dt.as_unit("ns")
    if naive.any():
        t = _to_datetime(text[naive], utc=False)
        if getattr(t.dtype, "tz", None) is None:
            ok = t.notna().to_numpy()
            loc = t.dt.tz_localize(tz or "UTC", ambiguous="NaT", nonexistent="NaT")
            dst[np.flatnonzero(naive)[ok & loc.isna().to_numpy()]] = True
            out[naive] = loc.dt.tz_convert("UTC").dt.as_unit("ns")
        else:
            out[naive] = t.dt.tz_convert("UTC").dt.as_unit("ns")
    bad = out.isna().to_numpy() & ~dst
    return pd.DatetimeIndex(out), bad, dst


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
        (``temp_c``, ``temperature``, ``temp``, ``temperature_2m``),
        ``rel_humidity_pct`` (``humidity``, ``rh``, ``rhum``,
        ``relative_humidity_2m``), optional ``dew_point_c`` (``dew_point``,
        ``dewpoint``, ``td``), ``station``, ``lat_deg``/``lat``/``latitude``,
        ``lon_deg``/``lon``/``longitude``.  In a ``;``- or tab-separated file
        a decimal comma is accepted too.
    tz : str, optional
        Zone of times written without an offset (default UTC).
    max_bytes : int, optional
        Largest file read [bytes]; default :data:`MAX_WEATHER_BYTES`.

    Returns
    -------
    DataFrame
        Columns :data:`WEATHER_COLUMNS`: ``time`` (UTC), ``air_temp_c`` [°C],
        ``rel_humidity_pct`` [%], ``dew_point_c`` [°C], ``station`` (string,
        '' when absent), ``lat_deg``, ``lon_deg`` [°] (NaN when absent);
        sorted by time.

    Raises
    ------
    WeatherError
        Naming the file and, for every bad time or value, its CSV line
        (header = line 1) and the fix; all problems of the file together.

    Notes
    -----
    Times and numbers are parsed column by column (vectorised), and a file
    read once in a process is not parsed again while it is unchanged (same
    size and modification time): analysing again in a notebook costs nothing
    here (``bench/bench_weather.py``).
    """
    key = _file_key(source, tz, max_bytes)
    if key is not None and key in _READ_MEMO:
        return _READ_MEMO[key].copy()
    out = _read_weather(source, tz=tz, max_bytes=max_bytes)
    if key is not None:
        while len(_READ_MEMO) >= 4:
            _READ_MEMO.pop(next(iter(_READ_MEMO)))
        _READ_MEMO[key] = out.copy()
    return out


#: Tables read from files in this process, by (path, size, modification time, tz, max_bytes): a notebook
#: that analyses again with the same weather file does not parse it again.
_READ_MEMO: dict[tuple, pd.DataFrame] = {}


def _file_key(source, tz, max_bytes) -> tuple | None:
    if not isinstance(source, (str, os.PathLike)):
        return None
    try:
        st = os.stat(source)
    except OSError:
        return None
    return (os.path.realpath(source), st.st_size, st.st_mtime_ns, st.st_ino, tz, max_bytes)


def _read_weather(source, *, tz: str | None, max_bytes: int | None) -> pd.DataFrame:
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
        lines = np.arange(2, len(raw) + 2)
    else:
        from ..journal.sheet import load_table

        limit = MAX_WEATHER_BYTES if max_bytes is None else max_bytes
        with warnings.catch_warnings():  # other columns are not used (not kept): no "did you mean" for them
            warnings.simplefilter("ignore", RunlogWarning)
            table = load_table(source, _ALIASES, _error, "weather", limit, check=_missing_columns,
                               row_word="hour", duplicates="first_alias",
                               size_note="ten years of hourly rows are a few megabytes")
        cols = dict(table.columns)  # canonical -> header as written
        values = {name: pd.Series(table.cells[name], dtype="object").replace("", None) for name in cols}
        lines = np.asarray(table.lines)
        decimal_comma = table.decimal_comma
    problems = []
    tcol = values["time"]
    if pd.api.types.is_datetime64_any_dtype(tcol):
        t = pd.to_datetime(tcol)
        t = t.dt.tz_localize(tz or "UTC") if t.dt.tz is None else t
        times = pd.DatetimeIndex(t.dt.tz_convert("UTC"))
    else:
        times, bad, dst = parse_times(tcol, tz)
        if bad.any():
            problems.append(f"line(s) {_line_list(lines, np.flatnonzero(bad))}: time cannot be read; write it as "
                            "ISO 8601, e.g. 2024-06-01T14:00Z or 2024-06-01 16:00+02:00")
        if dst.any():
            problems.append(f"line(s) {_line_list(lines, np.flatnonzero(dst))}: time does not exist or happens "
                            f"twice in {tz or 'UTC'} (a daylight-saving change); write it with its UTC offset, "
                            "e.g. 2024-10-27T02:30+01:00")
    out = pd.DataFrame({"time": times.as_unit("ns")})
    for name, lo, hi in _RANGES:
        if name in cols:
            col = values[name]
            v = pd.to_numeric(col.to_numpy(), errors="coerce").astype("float64")
            filled = col.notna().to_numpy()
            if not pd.api.types.is_numeric_dtype(col):   # '' and spaces are empty cells too
                filled = filled & (col.astype(str).str.strip() != "").to_numpy()
            if decimal_comma:  # '24,5' in a ';' or tab file
                v = _decimal_comma(col, v, filled)
            wrong = np.flatnonzero((filled & np.isnan(v)) | (v < lo) | (v > hi))
            if len(wrong):
                problems.append(f"line(s) {_line_list(lines, wrong)}: {cols[name]!r} must be a number from {lo:g} "
                                f"to {hi:g}" + (" (°C, not °F)" if name in ("air_temp_c", "dew_point_c") else ""))
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
    lat = records["lat_deg"].to_numpy(dtype="float64")
    lon = records["lon_deg"].to_numpy(dtype="float64")
    idx = records.index
    codes, levels = (idx.codes[0], idx.levels[0]) if isinstance(idx, pd.MultiIndex) else pd.factorize(idx)
    valid = np.flatnonzero(~np.isnan(lat) & ~np.isnan(lon))
    runs, first = np.unique(np.asarray(codes)[valid], return_index=True)   # each run's first located record
    order = np.argsort(valid[first], kind="stable")                       # in the records' order
    rows, runs = valid[first][order], runs[order]
    return pd.DataFrame({"lat_deg": lat[rows], "lon_deg": lon[rows]},
                        index=pd.Index(np.asarray(levels)[runs], name=idx.names[0]))


def _as_table(weather) -> pd.DataFrame:
    if isinstance(weather, pd.DataFrame) and list(weather.columns) == list(WEATHER_COLUMNS):
        return weather
    return read_weather(weather)


def _naive_utc_ns(t: pd.Series) -> np.ndarray:
    """Times as a naive datetime64[ns] array of UTC (tz-aware Series give Timestamp objects otherwise)."""
    t = pd.to_datetime(t, utc=True)
    return t.dt.tz_localize(None).to_numpy("datetime64[ns]")


def _unit_vectors(lat_deg, lon_deg) -> np.ndarray:
    lat, lon = np.radians(np.asarray(lat_deg, dtype="float64")), np.radians(np.asarray(lon_deg, dtype="float64"))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _station_pairs(run_pos: np.ndarray, st_pos: np.ndarray, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    """(run index, station index) of every run-station pair within *max_km* (both positions known)."""
    from scipy.spatial import cKDTree

    ok_r = np.flatnonzero(np.isfinite(run_pos).all(axis=1))
    ok_s = np.flatnonzero(np.isfinite(st_pos).all(axis=1))
    if not len(ok_r) or not len(ok_s):
        return np.array([], dtype="int64"), np.array([], dtype="int64")
    chord = 2.0 * np.sin(min(max_km * 1000.0 / geo.EARTH_RADIUS_M, np.pi) / 2.0) * (1 + 1e-9)
    tree = cKDTree(_unit_vectors(st_pos[ok_s, 0], st_pos[ok_s, 1]))
    hits = tree.query_ball_point(_unit_vectors(run_pos[ok_r, 0], run_pos[ok_r, 1]), r=chord)
    n = np.fromiter((len(h) for h in hits), dtype="int64", count=len(hits))
    ri = np.repeat(ok_r, n)
    si = ok_s[np.concatenate([np.asarray(h, dtype="int64") for h in hits])] if n.sum() else np.array([], "int64")
    return ri.astype("int64"), si.astype("int64")


def join_weather(runs: pd.DataFrame, weather, *, positions: pd.DataFrame | None = None,
                 tolerance: str | pd.Timedelta = "90min", max_station_km: float = 100.0) -> pd.DataFrame:
    """The weather observation for each run.

    Each run is matched at its middle (``start_time + elapsed_s / 2``) to the
    nearest observation in time within *tolerance* (hours with neither
    temperature nor humidity do not count).  When the table has stations
    with positions and the run has a position, the nearest station
    (great-circle distance, within *max_station_km*) that has an observation
    within the tolerance is used; a run without a position (or a station
    without one) takes any station, ranked after the located ones.  Without
    positions, the first station (in the table's order) with an observation
    within the tolerance is used.

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
        ``air_temp_c``, ``rel_humidity_pct``, ``dew_point_c``,
        ``weather_time`` (UTC of the observation used), ``weather_station``,
        ``weather_station_km`` (NaN without positions); NaN where nothing
        matched.

    Notes
    -----
    Vectorised: one ``merge_asof`` over the candidate (run, station) pairs
    (each run with the stations within *max_station_km*, found with a k-d
    tree on the unit sphere), so the time grows with those pairs and the
    observations, not with runs times every station's observations
    (``bench/bench_weather.py``).
    """
    w = _as_table(weather)
    tol = pd.Timedelta(tolerance)
    mid = (pd.to_datetime(runs["start_time"], utc=True)
           + pd.to_timedelta(pd.to_numeric(runs["elapsed_s"], errors="coerce").fillna(0.0) / 2, unit="s"))
    out = pd.DataFrame(index=runs.index)
    for c in ("air_temp_c", "rel_humidity_pct", "dew_point_c"):
        out[c] = np.nan
    out["weather_time"] = pd.Series(pd.NaT, index=runs.index, dtype="datetime64[ns, UTC]")
    out["weather_station"] = pd.Series(pd.NA, index=runs.index, dtype="string")
    out["weather_station_km"] = np.nan
    w = w[w["air_temp_c"].notna() | w["rel_humidity_pct"].notna()]
    mid_ns = _naive_utc_ns(mid)
    has_mid = ~pd.isna(mid_ns)
    if w.empty or not has_mid.any():
        return out
    # stations in order of first appearance, with the first position given for each
    codes, names = pd.factorize(w["station"].astype("string").fillna(""), sort=False)
    st = pd.DataFrame({"lat": w["lat_deg"].to_numpy(), "lon": w["lon_deg"].to_numpy()}).groupby(codes).first()
    st_pos = st[["lat", "lon"]].to_numpy(dtype="float64")
    n_run, n_st = len(runs), len(names)
    st_known = np.isfinite(st_pos).all(axis=1)
    have_pos = positions is not None and bool(st_known.any())
    if have_pos:
        assert positions is not None
        run_pos = positions.reindex(runs.index)[["lat_deg", "lon_deg"]].to_numpy(dtype="float64")
        run_known = np.isfinite(run_pos).all(axis=1)
        ri, si = _station_pairs(run_pos, st_pos, max_station_km)
        # a run without a position takes any station; a station without a position takes any run
        lone_r = np.flatnonzero(~run_known)
        lone_s = np.flatnonzero(~st_known)
        ri = np.concatenate([ri, np.repeat(lone_r, n_st), np.tile(np.flatnonzero(run_known), len(lone_s))])
        si = np.concatenate([si, np.tile(np.arange(n_st), len(lone_r)),
                             np.repeat(lone_s, int(run_known.sum()))])
        km = geo.haversine_m(run_pos[ri, 0], run_pos[ri, 1], st_pos[si, 0], st_pos[si, 1]) / 1000.0
        near = np.isnan(km) | (km <= max_station_km)   # the tree's radius has a hair of slack
        ri, si, km = ri[near], si[near], km[near]
        rank = np.where(np.isnan(km), 1e9, km)
    else:
        ri = np.repeat(np.arange(n_run), n_st)
        si = np.tile(np.arange(n_st), n_run)
        km = np.full(len(ri), np.nan)
        rank = np.zeros(len(ri))
    keep = has_mid[ri]
    left = pd.DataFrame({"run": ri[keep], "st": si[keep], "km": km[keep], "rank": rank[keep],
                         "mid": mid_ns[ri[keep]]}).sort_values("mid", kind="stable")
    right = pd.DataFrame({"st": codes, "wtime": _naive_utc_ns(w["time"]),
                          "air_temp_c": w["air_temp_c"].to_numpy(),
                          "rel_humidity_pct": w["rel_humidity_pct"].to_numpy(),
                          "dew_point_c": w["dew_point_c"].to_numpy()}).sort_values("wtime", kind="stable")
    if left.empty:
        return out
    m = pd.merge_asof(left, right, left_on="mid", right_on="wtime", by="st", direction="nearest", tolerance=tol)
    m = m[m["wtime"].notna()]
    if m.empty:
        return out
    best = m.sort_values(["run", "rank", "st"], kind="stable").drop_duplicates("run")
    rows = best["run"].to_numpy()
    for c in ("air_temp_c", "rel_humidity_pct", "dew_point_c"):
        out.iloc[rows, out.columns.get_loc(c)] = best[c].to_numpy()
    out.iloc[rows, out.columns.get_loc("weather_time")] = pd.DatetimeIndex(best["wtime"]).tz_localize("UTC")
    out.iloc[rows, out.columns.get_loc("weather_station")] = np.asarray(names)[best["st"].to_numpy()]
    out.iloc[rows, out.columns.get_loc("weather_station_km")] = best["km"].to_numpy()
    return out


# ------------------------------------------------------------------------------------------------
# download on request
# ------------------------------------------------------------------------------------------------
#: Why a run has no downloaded weather, in words (the keys of :attr:`WeatherInfo.run_status`).
NO_POSITION = "no GPS position"
BEFORE_ARCHIVE = "before 1940 (the archive starts then)"
NOT_PUBLISHED = "too recent (the archive is about five days behind)"
NOT_CACHED = "not in the cache and offline"
NO_VALUE = "no weather value within the hour of the run"


@dataclass(frozen=True, eq=False)
class WeatherInfo:
    """Where a run's weather came from and, for the runs without, why.

    Kept in ``run_features(...).attrs['weather']`` and
    ``Report.settings['weather']`` (never deep-copied: pandas copies attrs on
    every operation).

    Attributes
    ----------
    source : str
        'open-meteo' (downloaded on request) or 'table' (the runner's own).
    run_status : Series
        Index run_id of the runs weather was looked for: '' when it was found
        (before joining), else why not (:data:`NO_POSITION`,
        :data:`NOT_PUBLISHED`, 'download failed: ...', ...).
    url : str
        The service address used ('' for a table).
    sent : DataFrame
        What left the computer: ``latitude``, ``longitude`` (rounded to 0.1°),
        ``start_date``, ``end_date`` (UTC days) of every pair asked for.
    n_requests : int
        HTTP requests sent (retries included); 0 when everything was cached.
    days_cached, days_downloaded : int
        Place-days answered from the cache / by the service.
    attribution : str
        The data credit ('' for a table).
    """

    source: str
    run_status: pd.Series
    url: str = ""
    sent: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["latitude", "longitude", "start_date", "end_date"]))
    n_requests: int = 0
    days_cached: int = 0
    days_downloaded: int = 0
    attribution: str = ""

    def __deepcopy__(self, memo):   # immutable once made: pandas' attrs copies share it
        return self

    def with_joined(self, joined: pd.DataFrame) -> WeatherInfo:
        """The same, with the runs the join left without air temperature marked.

        Parameters
        ----------
        joined : DataFrame
            :func:`join_weather` output (``air_temp_c`` by run_id).

        Returns
        -------
        WeatherInfo
            Every looked-for run with status '' but no air temperature gets :data:`NO_VALUE`.
        """
        status = self.run_status.copy()
        air = joined["air_temp_c"].reindex(status.index)
        status[(status == "") & air.isna().to_numpy()] = NO_VALUE
        return WeatherInfo(self.source, status, self.url, self.sent, self.n_requests, self.days_cached,
                           self.days_downloaded, self.attribution)

    def coverage(self, run_ids=None) -> dict:
        """Counts for a report: runs looked at, with weather, and the runs without by reason.

        Parameters
        ----------
        run_ids : index-like, optional
            The runs to count (the analysed ones); default all looked-for runs.

        Returns
        -------
        dict
            ``source``, ``n_runs``, ``n_known``, ``unknown`` (reason -> count,
            most frequent first), ``unknown_runs`` (reason -> the run ids, in
            start order), ``n_requests``, ``n_places_sent``, ``days_cached``,
            ``days_downloaded``, ``attribution``, ``url``.
        """
        st = self.run_status if run_ids is None else self.run_status.reindex(pd.Index(run_ids)).fillna(NO_VALUE)
        unknown = st[st != ""].value_counts()
        missing = st[st != ""].sort_index()
        sent = self.sent
        places = len(sent[["latitude", "longitude"]].drop_duplicates()) if len(sent) else 0
        return {"source": self.source, "n_runs": int(len(st)), "n_known": int((st == "").sum()),
                "unknown": {str(k): int(v) for k, v in unknown.items()},
                "unknown_runs": {str(k): [str(r) for r in missing.index[missing == k]] for k in unknown.index},
                "n_requests": int(self.n_requests),
                "n_places_sent": int(places), "days_cached": int(self.days_cached),
                "days_downloaded": int(self.days_downloaded), "attribution": self.attribution, "url": self.url}

    def __repr__(self) -> str:
        c = self.coverage()
        return (f"WeatherInfo(source={self.source!r}, runs={c['n_runs']}, with weather={c['n_known']}, "
                f"requests={c['n_requests']}, unknown={c['unknown']})")


def _run_window_days(runs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """First and last UTC day number (days since 1970) each run needs: start - 1 h to end + 1 h."""
    start = pd.to_datetime(runs["start_time"], utc=True).dt.tz_localize(None)
    el = pd.to_numeric(runs["elapsed_s"], errors="coerce").fillna(0.0).clip(lower=0.0).to_numpy()
    s = start.to_numpy("datetime64[s]").astype("int64") - 3600
    e = s + 7200 + el.astype("int64")
    return s // 86400, e // 86400


def fetch(history, *, runs=None, url: str | None = None, cache=True, offline: bool = False,
          client: om.Client | None = None, today: _dt.date | None = None, progress: bool | None = None) -> pd.DataFrame:
    """Download hourly air temperature, humidity and dew point for the runs' places and times.

    Sends nothing but rounded places and dates (see the module docstring) to
    Open-Meteo's historical weather API, and only for what the cache lacks.
    Never raises on a network or service problem: the runs it could not get
    weather for are listed, with the reason, in ``result.attrs['weather']``.

    Parameters
    ----------
    history : runlog.History
        The runs (``runs``: ``start_time``, ``elapsed_s``) and their records
        (the first GPS position of each run is its place).
    runs : index-like of run_id, optional
        The runs to get weather for; default the running activities
        (:func:`runlog.features.context.is_running`).
    url : str, optional
        The API address; default ``$RUNLOG_WEATHER_URL``, else
        ``https://archive-api.open-meteo.com/v1/archive``.
    cache : bool, str or PathLike
        True: runlog's cache folder (``weather/open-meteo`` under
        :func:`runlog.history.default_cache_dir`); a folder; False: no cache.
    offline : bool
        Send nothing; use the cache only.
    client : runlog.features._openmeteo.Client, optional
        The HTTP client (timeouts, retries, backoff); default one for *url*.
    today : date, optional
        Today's date (UTC), for what the archive can have; default the clock.
    progress : bool, optional
        A progress bar over the requests (default: when there are more than two).

    Returns
    -------
    DataFrame
        A :func:`read_weather` table (columns :data:`WEATHER_COLUMNS`): the
        hours of every UTC day the runs need, one ``station`` per rounded place
        (``'48.1,11.6'``, with ``lat_deg``/``lon_deg`` that place), ready for
        :func:`join_weather`; ``attrs['weather']`` is a :class:`WeatherInfo`.

    Raises
    ------
    TypeError
        When *history* is not a History.

    Examples
    --------
    >>> table = runlog.features.weather.fetch(history)                  # doctest: +SKIP
    >>> table.attrs["weather"].coverage()                       # doctest: +SKIP
    """
    if not hasattr(history, "runs") or not hasattr(history, "records"):
        raise TypeError("fetch needs a runlog.History (runlog.read_history(...))")
    from .context import is_running

    all_runs = history.runs
    if runs is None:
        ids = all_runs.index[is_running(all_runs).to_numpy(dtype=bool)]
    else:
        ids = pd.Index(runs)
        ids = ids[ids.isin(all_runs.index)]
    sel = all_runs.loc[ids]
    pos = _first_positions(history, ids)
    client = client or om.Client(url=url)
    today = today or _dt.datetime.now(_dt.UTC).date()
    store = om.PlaceCache(_cache_folder(cache))
    status, located, need = _needed(sel, pos, today)
    present = {k: store.days_present(k) for k in pd.unique(need["key"])}
    missing = need[[iso not in present[k] for k, iso in zip(need["key"], need["iso"])]]
    failed: dict[tuple[str, str], str] = {}
    sent_rows: list[dict] = []
    n_down = 0
    if len(missing) and offline:
        failed = {(k, iso): NOT_CACHED for k, iso in zip(missing["key"], missing["iso"])}
    elif len(missing):
        failed, sent_rows, n_down = _download(missing, store, client, today, progress)
        store.save()
    if failed:   # a run's status: the first failed day of its place, if any
        for i, k, a, b in located.itertuples(index=False):
            for d in range(int(a), int(b) + 1):
                why = failed.get((k, _iso(d)))
                if why:
                    status.iloc[i] = why
                    break
    table = _hourly_table(need, store)
    sent = pd.DataFrame(sent_rows, columns=["latitude", "longitude", "start_date", "end_date"])
    table.attrs["weather"] = WeatherInfo("open-meteo", status, str(client.url), sent, client.n_requests,
                                         len(need) - len(missing), n_down, om.ATTRIBUTION)
    return table


_EPOCH = _dt.date(1970, 1, 1)


def _iso(day: int) -> str:
    """'YYYY-MM-DD' of a day number (days since 1970-01-01)."""
    return (_EPOCH + _dt.timedelta(days=int(day))).isoformat()


def _first_positions(history, ids: pd.Index) -> pd.DataFrame:
    """:func:`run_positions` of the runs *ids* (NaN for a run without one)."""
    if not len(history.records) or not len(ids):
        return pd.DataFrame({"lat_deg": np.nan, "lon_deg": np.nan}, index=ids)
    return run_positions(history.records).reindex(ids)


def _cache_folder(cache):
    """The weather cache folder *cache* means (None: no cache)."""
    if cache is True:
        from ..history import default_cache_dir

        return default_cache_dir() / "weather" / "open-meteo"
    if cache is False or cache is None:
        return None
    return os.fspath(cache)


def _needed(runs: pd.DataFrame, pos: pd.DataFrame, today: _dt.date) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """What the runs need from the archive.

    Returns
    -------
    (Series, DataFrame, DataFrame)
        The status of every run ('' or why it cannot have weather: no
        position, before the archive, not published yet); the runs that can
        (``i`` = position in *runs*, ``key`` = place, ``d0``/``d1`` = first and
        last day number); every (place, day) they need (``key``, ``day``,
        ``iso``, ``lat``, ``lon``), once.
    """
    status = pd.Series("", index=runs.index, dtype="object")
    status[pos["lat_deg"].isna().to_numpy() | pos["lon_deg"].isna().to_numpy()] = NO_POSITION
    located = np.flatnonzero((status == "").to_numpy())
    lat, lon = om.place_of(pos["lat_deg"].to_numpy()[located], pos["lon_deg"].to_numpy()[located])
    d0, d1 = _run_window_days(runs.iloc[located])
    too_old = d0 < (om.FIRST_DAY - _EPOCH).days
    too_new = d1 > (today - _EPOCH).days - om.PUBLISH_DELAY_DAYS
    status.iloc[located[too_old]] = BEFORE_ARCHIVE
    status.iloc[located[too_new & ~too_old]] = NOT_PUBLISHED
    ok = ~too_old & ~too_new
    located, lat, lon, d0, d1 = located[ok], lat[ok], lon[ok], d0[ok], d1[ok]
    keys = np.array([om.place_key(a, b) for a, b in zip(lat, lon)], dtype=object)
    n_days = (d1 - d0 + 1).astype("int64")
    need = pd.DataFrame({"key": np.repeat(keys, n_days),
                         "day": (np.repeat(d0, n_days) + _ranges(n_days)).astype("int64"),
                         "lat": np.repeat(lat, n_days), "lon": np.repeat(lon, n_days)}).drop_duplicates(["key", "day"])
    need["iso"] = [_iso(d) for d in need["day"]]
    return status, pd.DataFrame({"i": located, "key": keys, "d0": d0, "d1": d1}), need


def _download(missing: pd.DataFrame, store: om.PlaceCache, client: om.Client, today: _dt.date,
              progress: bool | None) -> tuple[dict[tuple[str, str], str], list[dict], int]:
    """Ask the archive for the *missing* (place, day) pairs, batched; the answers go into *store*.

    Returns
    -------
    (dict, list, int)
        (place, day) -> why it failed; the pairs sent (one dict per span);
        the number of place-days answered.
    """
    spans: list[om.Span] = []
    for (_key, a, b), grp in missing.groupby(["key", "lat", "lon"], sort=True):
        spans += om.spans_for([_EPOCH + _dt.timedelta(days=int(d)) for d in sorted(grp["day"])], float(a), float(b))
    batches = om.plan_requests(spans)
    failed: dict[tuple[str, str], str] = {}
    sent: list[dict] = []
    n_down = 0
    stop = ""
    it = batches
    if (len(batches) > 2) if progress is None else progress:
        from tqdm.auto import tqdm

        it = tqdm(batches, desc="runlog: weather", unit="request", leave=False)
    for batch in it:
        answers: list = []
        if stop:
            answers = [om.ResponseError(f"not sent after an earlier failure ({stop})")] * len(batch)
        else:
            sent += [{"latitude": s.lat, "longitude": s.lon, "start_date": s.start.isoformat(),
                      "end_date": s.end.isoformat()} for s in batch]
            try:
                answers = om.parse_response(client.get(om.build_query(batch)), batch)
            except om.Unreachable as err:   # no connection, rate limit, server down: send nothing more
                stop = str(err)
                answers = [err] * len(batch)
            except om.ResponseError as err:
                answers = [err] * len(batch)
        for span, ans in zip(batch, answers):
            key = om.place_key(span.lat, span.lon)
            if isinstance(ans, om.ResponseError):
                for d in range(span.days):
                    failed[(key, (span.start + _dt.timedelta(days=d)).isoformat())] = f"download failed: {ans}"
            else:
                store.add(key, (span.lat, span.lon), ans, span, today)
                n_down += span.days
    return failed, sent, n_down


def _hourly_table(need: pd.DataFrame, store: om.PlaceCache) -> pd.DataFrame:
    """A :func:`read_weather` table of every needed day that *store* now holds, one station per place."""
    frames = []
    for k, grp in need.groupby("key", sort=True):
        h = store.hourly(str(k), list(grp["iso"]))
        if not len(h["time"]):
            continue
        frames.append(pd.DataFrame({"time": pd.to_datetime(h["time"], unit="s", utc=True).as_unit("ns"),
                                    "air_temp_c": h["air_temp_c"], "rel_humidity_pct": h["rel_humidity_pct"],
                                    "dew_point_c": h["dew_point_c"], "station": k,
                                    "lat_deg": float(grp["lat"].iloc[0]), "lon_deg": float(grp["lon"].iloc[0])}))
    if not frames:
        table = pd.DataFrame({c: pd.Series(dtype="float64") for c in WEATHER_COLUMNS})
        table["time"] = pd.Series(dtype="datetime64[ns, UTC]")
        table["station"] = pd.Series(dtype="string")
        return table[list(WEATHER_COLUMNS)]
    table = pd.concat(frames, ignore_index=True)
    table["station"] = table["station"].astype("string")
    return table.sort_values(["time", "station"], kind="stable").reset_index(drop=True)[list(WEATHER_COLUMNS)]


def _ranges(n: np.ndarray) -> np.ndarray:
    """0..n_i-1 for every n_i, concatenated (vectorised)."""
    n = np.asarray(n, dtype="int64")
    if not len(n) or n.sum() == 0:
        return np.array([], dtype="int64")
    ends = np.cumsum(n)
    return np.arange(ends[-1], dtype="int64") - np.repeat(ends - n, n)


def table_info(runs: pd.DataFrame, run_ids=None) -> WeatherInfo:
    """A :class:`WeatherInfo` for the runner's own table.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs``.
    run_ids : index-like, optional
        The runs looked for (default all).

    Returns
    -------
    WeatherInfo
        Source 'table', every run '' (the join decides: :meth:`WeatherInfo.with_joined`).
    """
    ids = runs.index if run_ids is None else pd.Index(run_ids)
    return WeatherInfo("table", pd.Series("", index=ids, dtype="object"))


def weather_to_csv(table: pd.DataFrame) -> str:
    """A weather table as CSV text that :func:`read_weather` reads back (times as ``YYYY-MM-DDTHH:MMZ``).

    Parameters
    ----------
    table : DataFrame
        :func:`read_weather` / :func:`fetch` output.

    Returns
    -------
    str
    """
    out = table[list(WEATHER_COLUMNS)].copy()
    out["time"] = pd.DatetimeIndex(out["time"]).tz_convert("UTC").strftime("%Y-%m-%dT%H:%MZ")
    return out.to_csv(index=False, float_format="%.6g", lineterminator="\n")


def _check_meteostat(weather) -> None:
    if isinstance(weather, str) and weather.strip().lower() == "meteostat":
        raise WeatherError("weather='meteostat' is no longer offered (meteostat 2 removed the API runlog used); "
                           "use weather='auto' (Open-Meteo, no account) or pass your own hourly table")


def is_auto(weather) -> bool:
    """Whether a ``weather=`` value asks for the download.

    Parameters
    ----------
    weather : object
        The value given (a table, a path, ``'auto'``, None).

    Returns
    -------
    bool
        True for the text ``'auto'`` (any case, spaces ignored).
    """
    return isinstance(weather, str) and weather.strip().lower() == "auto"
