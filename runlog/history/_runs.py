"""Per-run summary statistics computed from an activity's records.

Pure functions: :func:`summarize_records` turns one records frame into the
values of one row of ``History.runs`` (:data:`runlog.schema.RUN_COLUMNS`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema
from ..schema import MAX_SAMPLE_GAP_S, MOVING_SPEED_MPS

__all__ = ["sample_durations_s", "moving_mask", "ascent_m", "ascent_by_run", "summarize_records",
           "summarize_activity", "runs_frame"]


def sample_durations_s(index: pd.DatetimeIndex) -> np.ndarray:
    """Duration each sample stands for [s]: the time to the next sample (0 for the last).

    Parameters
    ----------
    index : DatetimeIndex
        Sample times, sorted.

    Returns
    -------
    ndarray of float64
        One duration per sample [s].
    """
    t = pd.DatetimeIndex(index).as_unit("ns").asi8 / 1e9
    if len(t) == 0:
        return np.zeros(0)
    return np.append(np.diff(t), 0.0)


def moving_mask(records: pd.DataFrame) -> np.ndarray:
    """True where the runner is moving: speed above :data:`MOVING_SPEED_MPS` and the
    next sample within :data:`MAX_SAMPLE_GAP_S` (when speed is unknown, any sample
    inside the gap bound counts).

    Parameters
    ----------
    records : DataFrame
        Canonical records of one run (index ``time``, ``speed_mps``).

    Returns
    -------
    ndarray of bool
        One value per sample.
    """
    dt = sample_durations_s(records.index)
    sp = records["speed_mps"].to_numpy()
    speed_ok = np.where(np.isnan(sp), True, sp > MOVING_SPEED_MPS)
    return speed_ok & (dt <= MAX_SAMPLE_GAP_S)


def ascent_m(altitude_m: pd.Series, threshold_m: float = 2.0) -> float:
    """Total ascent [m] with a hysteresis threshold to ignore barometric/GPS noise.

    A climb is counted once the altitude has risen more than *threshold_m*
    above the last low point (the usual dead-band method of watch software).
    Returns NaN when there is no altitude.

    Parameters
    ----------
    altitude_m : Series
        Altitude of each sample [m]; NaN samples are skipped.
    threshold_m : float
        Dead band [m].

    Returns
    -------
    float
        Total ascent [m].
    """
    return _dead_band_ascent(altitude_m.dropna().to_numpy().tolist(), threshold_m)


def _dead_band_ascent(alt: list, threshold_m: float) -> float:
    """The dead-band walk of :func:`ascent_m` over plain floats (NaN for none)."""
    if not alt:
        return float("nan")
    total, ref = 0.0, alt[0]
    for a in alt[1:]:
        if a - ref >= threshold_m:
            total += a - ref
            ref = a
        elif a < ref:
            ref = a
    return float(total)


def ascent_by_run(altitude_m: np.ndarray, starts: np.ndarray, threshold_m: float = 2.0) -> np.ndarray:
    """:func:`ascent_m` of every run of a stacked altitude array, in one pass.

    Parameters
    ----------
    altitude_m : ndarray
        Altitude of each sample [m], the runs one after the other; NaN samples are skipped.
    starts : ndarray of int
        First sample of each run (increasing).
    threshold_m : float
        Dead band [m].

    Returns
    -------
    ndarray
        Total ascent of each run [m]; NaN for a run without altitude.
    """
    alt = np.asarray(altitude_m, dtype="float64")
    bounds = np.append(np.asarray(starts, dtype="int64"), len(alt))
    out = np.empty(len(bounds) - 1)
    for r in range(len(out)):
        v = alt[bounds[r]:bounds[r + 1]]
        out[r] = _dead_band_ascent(v[~np.isnan(v)].tolist(), threshold_m)
    return out


def _time_weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    ok = ~np.isnan(values) & (weights > 0)
    if not ok.any():
        ok = ~np.isnan(values)
        return float(values[ok].mean()) if ok.any() else float("nan")
    return float(np.average(values[ok], weights=weights[ok]))


def summarize_records(records: pd.DataFrame) -> dict:
    """Summary values of one run from its canonical records.

    Parameters
    ----------
    records : DataFrame
        Canonical records of one run (index ``time``).

    Returns
    -------
    dict
        distance_m, elapsed_s, moving_s, avg_speed_mps, avg_hr_bpm (time
        weighted), max_hr_bpm, avg_cadence_spm (moving samples),
        avg_temp_c, max_temp_c, ascent_m, n_records.
    """
    ns = pd.DatetimeIndex(records.index).as_unit("ns").asi8
    m = schema.record_matrix(records) if len(records) <= _MATRIX_MAX_RECORDS else None
    if m is not None:
        return _summary(ns, {c: m[_SUMMARY_ROWS[c]] for c in _SUMMARY_COLUMNS})
    return _summary(ns, {c: records[c].to_numpy() for c in _SUMMARY_COLUMNS})


#: The record columns a summary reads.
_SUMMARY_COLUMNS = ("distance_m", "speed_mps", "hr_bpm", "cadence_spm", "temp_c", "altitude_m")
_SUMMARY_ROWS = {c: list(schema.RECORD_COLUMNS).index(c) for c in _SUMMARY_COLUMNS}
#: Longest run summarised from one matrix of all record columns (a copy of every column, quicker than
#: a look-up per column for a short run); a longer run reads its 6 columns as views, so that the
#: summary does not add a copy of the whole frame (120 bytes a record) to an import worker's peak.
_MATRIX_MAX_RECORDS = 50_000


def _summary(ns: np.ndarray, cols: dict[str, np.ndarray]) -> dict:
    """:func:`summarize_records` over the times [ns] and the :data:`_SUMMARY_COLUMNS` arrays of one run."""
    n = len(ns)
    out: dict[str, float] = {"n_records": n}
    if n == 0:
        return out
    dt = np.append(np.diff(ns / 1e9), 0.0)
    sp = cols["speed_mps"]
    moving = np.where(np.isnan(sp), True, sp > MOVING_SPEED_MPS) & (dt <= MAX_SAMPLE_GAP_S)
    dt = np.where(dt > MAX_SAMPLE_GAP_S, 0.0, dt)
    dist = cols["distance_m"]
    dist = dist[~np.isnan(dist)]
    out["distance_m"] = float(dist.max() - dist[0]) if len(dist) else np.nan
    out["elapsed_s"] = float((ns[-1] - ns[0]) / 1e9)
    out["moving_s"] = float(dt[moving].sum())
    out["avg_speed_mps"] = (out["distance_m"] / out["moving_s"]
                            if out["moving_s"] > 0 and np.isfinite(out["distance_m"]) else np.nan)
    hr = cols["hr_bpm"]
    out["avg_hr_bpm"] = _time_weighted_mean(hr, dt)
    out["max_hr_bpm"] = float(np.nanmax(hr)) if np.isfinite(hr).any() else np.nan
    cad = cols["cadence_spm"]
    with np.errstate(invalid="ignore"):
        cad_m = np.where(moving & (cad > 0), cad, np.nan)
    out["avg_cadence_spm"] = _time_weighted_mean(cad_m, dt)
    temp = cols["temp_c"]
    out["avg_temp_c"] = _time_weighted_mean(temp, dt)
    out["max_temp_c"] = float(np.nanmax(temp)) if np.isfinite(temp).any() else np.nan
    alt = cols["altitude_m"]
    out["ascent_m"] = _dead_band_ascent(alt[~np.isnan(alt)].tolist(), 2.0)
    return out


def summarize_activity(activity) -> dict:
    """One ``History.runs`` row (as a dict, including ``run_id``) for an Activity.

    Parameters
    ----------
    activity : Activity
        A canonical activity (:func:`runlog.io.finalize`).

    Returns
    -------
    dict
        The ``info`` fields of a runs row and :func:`summarize_records`.
    """
    info = activity.info
    if isinstance(info, pd.Series):  # one pass over its values, not a look-up per key
        info = dict(zip(info.index, info.to_numpy(dtype=object)))
    row = {k: info.get(k) for k in ("run_id", "start_time", "start_local", "tz", "sport", "sub_sport",
                                     "device", "format", "source", "truncated", "name", "description")}
    for k in ("device_distance_m", "device_elapsed_s", "device_timer_s", "device_avg_hr_bpm"):
        row[k] = info.get(k, np.nan)
    row.update(summarize_records(activity.records))
    return row


def runs_frame(rows: list[dict]) -> pd.DataFrame:
    """Build ``History.runs`` from summary rows: index ``run_id``, the columns of
    :data:`runlog.schema.RUN_COLUMNS` in order with their dtypes, then any
    extra columns (export metadata) after them.

    Parameters
    ----------
    rows : list of dict
        One :func:`summarize_activity` row per activity.

    Returns
    -------
    DataFrame
        Sorted by ``start_time``.
    """
    df = pd.DataFrame(rows)
    if "run_id" not in df:
        df["run_id"] = pd.Series(dtype="string")
    df = df.set_index("run_id")
    out = pd.DataFrame(index=df.index.astype("string"))
    for name, col in schema.RUN_COLUMNS.items():
        s = df[name] if name in df else pd.Series(np.nan, index=df.index)
        if col.dtype == schema.UTC_TIME:
            s = pd.to_datetime(s, utc=True).dt.as_unit("ns")
        elif col.dtype == schema.LOCAL_TIME:
            s = pd.to_datetime(s).dt.as_unit("ns")
        elif col.dtype == "string":
            s = s.astype("object").where(s.notna(), None).astype("string")
        elif col.dtype == "bool":
            s = s.fillna(False).astype("bool")
        elif col.dtype == "int64":
            s = s.fillna(0).astype("int64")
        else:
            s = pd.to_numeric(s, errors="coerce").astype("float64")
        out[name] = s.set_axis(out.index)
    for extra in df.columns.difference(list(schema.RUN_COLUMNS), sort=False):
        out[extra] = df[extra]
    out.index.name = "run_id"
    return out.sort_values("start_time", kind="stable")
