"""Running form: cadence and step length.

Cadence in runlog is steps per minute for foot sports; for cycling the
same column holds pedal revolutions, so form features are computed for
running activities only (NaN for other sports).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._segments import Segments, gcumsum, gsum, segments, wmean, wstd

__all__ = ["step_length_m", "cadence_line", "cadence_vs_pace_spm", "form_features"]


def step_length_m(speed_mps, cadence_spm):
    """Distance covered per step [m]: ``speed / (cadence / 60)``.

    Garmin and most watches call this "stride length"; one stride (a full
    gait cycle) is two steps.  Returns NaN where cadence is not positive.

    Parameters
    ----------
    speed_mps : array_like
        Speed [m/s].
    cadence_spm : array_like
        Cadence [steps/min].

    Returns
    -------
    ndarray
        Step length [m]; NaN where the cadence is not positive.
    """
    cad = np.asarray(cadence_spm, dtype="float64")
    sp = np.asarray(speed_mps, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cad > 0, sp / (cad / 60.0), np.nan)


def cadence_line(cadence_spm, speed_mps) -> tuple[float, float]:
    """The runner's own cadence-speed line, ``cadence = a + b * speed``, by least squares.

    Runners raise cadence with speed (Cavanagh & Kram 1989, Med Sci Sports
    Exerc 21:467-479; about 10 steps/min per m/s over easy to threshold
    speeds), so a cadence is low or high only *for its pace*.

    Parameters
    ----------
    cadence_spm, speed_mps : array_like
        Per-run mean cadence [steps/min] and speed [m/s] of the reference runs.

    Returns
    -------
    (a, b) : float
        Intercept [steps/min] and slope [steps/min per m/s]; (mean, 0) with
        fewer than 3 runs or no spread in speed; (nan, nan) without cadence.

    References
    ----------
    .. [1] Cavanagh, P. R. & Kram, R. (1989). Stride length in distance
       running: velocity, body dimensions, and added mass effects. Med Sci
       Sports Exerc 21:467-479.
    """
    c = np.asarray(cadence_spm, dtype="float64")
    v = np.asarray(speed_mps, dtype="float64")
    ok = np.isfinite(c) & np.isfinite(v) & (c > 0) & (v > 0)
    if not ok.any():
        return float("nan"), float("nan")
    if ok.sum() < 3 or np.ptp(v[ok]) <= 0:
        return float(c[ok].mean()), 0.0
    b, a = np.polyfit(v[ok], c[ok], 1)
    return float(a), float(b)


def cadence_vs_pace_spm(cadence_spm, speed_mps, line: tuple[float, float]):
    """Cadence above (> 0) or below (< 0) the runner's own cadence at that pace [steps/min].

    ``cadence - (a + b * speed)`` with ``(a, b)`` from :func:`cadence_line`:
    low values at a given pace mean longer steps (overstriding, the form fault
    the articles name).

    Parameters
    ----------
    cadence_spm : array_like
        Cadence [steps/min].
    speed_mps : array_like
        Speed [m/s].
    line : (float, float)
        Intercept [steps/min] and slope [steps/min per m/s] of
        :func:`cadence_line`.

    Returns
    -------
    ndarray
        Cadence minus the cadence of the line at that speed [steps/min].
    """
    a, b = line
    return np.asarray(cadence_spm, dtype="float64") - (a + b * np.asarray(speed_mps, dtype="float64"))


def form_features(records: pd.DataFrame, is_running: pd.Series | None = None, *,
                  seg: Segments | None = None) -> pd.DataFrame:
    """Per-run cadence and step length over the moving samples with cadence.

    Parameters
    ----------
    records : DataFrame
        ``History.records``.
    is_running : Series of bool, optional
        Index run_id; runs marked False get NaN (cadence is not steps).
    seg : Segments, optional

    Returns
    -------
    DataFrame indexed by run_id
        * ``avg_cadence_spm``: time-weighted mean cadence while moving [steps/min].
        * ``cadence_cv_pct``: its coefficient of variation [%].
        * ``step_length_m``: distance per step, ``sum(speed dt) / sum(cadence/60 dt)``
          (the run's distance over its step count) [m].
        * ``cadence_drift_pct``: mean cadence of the second half of the moving
          time relative to the first, ``(c2 - c1) / c1 * 100`` [%] (negative:
          cadence dropped as the run went on).
    """
    seg = segments(records) if seg is None else seg
    out = pd.DataFrame(index=seg.run_ids)
    cad = seg.col("cadence_spm")
    speed = seg.col("speed_mps")
    dt = seg.dt_s
    ok = seg.moving & (cad > 0) & (dt > 0)
    m = wmean(seg, cad, dt, ok)
    out["avg_cadence_spm"] = m
    with np.errstate(invalid="ignore", divide="ignore"):
        out["cadence_cv_pct"] = np.where(m > 0, wstd(seg, cad, dt, ok) / m * 100.0, np.nan)
        both = ok & np.isfinite(speed)
        dist = gsum(seg, np.where(both, speed * dt, 0.0))
        steps = gsum(seg, np.where(both, cad / 60.0 * dt, 0.0))
        out["step_length_m"] = np.where(steps > 0, dist / steps, np.nan)
        w = np.where(ok, dt, 0.0)
        total = gsum(seg, w)
        first = (gcumsum(seg, w) - w) < (total / 2)[seg.codes]
        c1 = wmean(seg, cad, dt, ok & first)
        c2 = wmean(seg, cad, dt, ok & ~first)
        out["cadence_drift_pct"] = (c2 - c1) / c1 * 100.0
    if is_running is not None:
        keep = is_running.reindex(out.index).fillna(False).to_numpy(dtype=bool)
        out.loc[~keep, :] = np.nan
    return out
