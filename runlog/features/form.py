"""Running form: cadence and step length, and the watch's running dynamics.

Cadence in runlog is steps per minute for foot sports; for cycling the
same column holds pedal revolutions, so form features are computed for
running activities only (NaN for other sports).

Running dynamics (ground contact time and its left/right balance, vertical
oscillation and ratio, step length: :data:`runlog.schema.DYNAMICS_COLUMNS`)
come from a chest strap, pod or watch that measures them; most runs have
none, and their features are then NaN, never 0 (:func:`dynamics_features`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._segments import Segments, gcumsum, gsum, segments, wmean, wstd

__all__ = ["step_length_m", "cadence_line", "cadence_vs_pace_spm", "form_features", "step_length_line",
           "dynamics_features", "DYNAMICS_FEATURES", "MIN_DYNAMICS_S"]

#: Least moving time with a running-dynamics value for a run's dynamics features [s]; less: NaN
#: (a strap that dropped out after a few seconds measures nothing of the run).
MIN_DYNAMICS_S = 60.0
#: The columns of :func:`dynamics_features`.
DYNAMICS_FEATURES = ("avg_ground_contact_ms", "avg_vertical_oscillation_mm", "avg_vertical_ratio_pct",
                     "step_length_vs_pace_pct", "avg_gct_balance_left_pct", "gct_imbalance_pct",
                     "gct_balance_drift_pct")


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
    return _own_line(cadence_spm, speed_mps)


def _own_line(values, speed_mps) -> tuple[float, float]:
    """Least-squares line ``value = a + b * speed`` over the positive pairs (see :func:`cadence_line`)."""
    c = np.asarray(values, dtype="float64")
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


def step_length_line(step_length_mm, speed_mps) -> tuple[float, float]:
    """The runner's own step-length-speed line, ``step length = a + b * speed``, by least squares.

    Runners lengthen their steps as they speed up (Cavanagh & Kram 1989), so
    a step is long (overstriding) or short only *for its pace*; the line
    over the runner's own runs says what is usual at each pace.

    Parameters
    ----------
    step_length_mm, speed_mps : array_like
        Per-run mean step length [mm] (the watch's running dynamics) and
        speed [m/s] of the reference runs.

    Returns
    -------
    (a, b) : float
        Intercept [mm] and slope [mm per m/s]; (mean, 0) with fewer than 3
        runs or no spread in speed; (nan, nan) without step lengths.
    """
    return _own_line(step_length_mm, speed_mps)


def dynamics_features(records: pd.DataFrame, is_running: pd.Series | None = None, *,
                      seg: Segments | None = None, step_ref: tuple[float, float] | None = None) -> pd.DataFrame:
    """Per-run running-dynamics features over the moving samples that have them.

    Each mean is time-weighted over the moving samples with a value; a run
    with less than :data:`MIN_DYNAMICS_S` of such time (no strap or pod, or
    one that dropped out) gets NaN, not 0, as do runs that are not running.

    Parameters
    ----------
    records : DataFrame
        ``History.records`` (the :data:`runlog.schema.DYNAMICS_COLUMNS`).
    is_running : Series of bool, optional
        Index run_id; runs marked False get NaN.
    seg : Segments, optional
    step_ref : (float, float), optional
        The runner's step-length-speed line (:func:`step_length_line`) for
        ``step_length_vs_pace_pct``; default fitted on these runs.

    Returns
    -------
    DataFrame indexed by run_id
        * ``avg_ground_contact_ms``: mean ground contact time [ms].
        * ``avg_vertical_oscillation_mm``: mean vertical oscillation [mm].
        * ``avg_vertical_ratio_pct``: mean vertical ratio [%].
        * ``step_length_vs_pace_pct``: the run's mean step length against the
          runner's usual step length at the run's speed, ``(L / (a + b v) -
          1) * 100`` [%] (> 0: longer steps than usual for the pace, the
          overstriding proxy); speed averaged over the same samples.
        * ``avg_gct_balance_left_pct``: mean ground contact time balance, the
          left foot's share [%] (50: even).
        * ``gct_imbalance_pct``: ``|balance - 50|``, how far from even
          [percentage points], whichever side.
        * ``gct_balance_drift_pct``: mean balance of the second half of the
          moving time with a balance minus the first half [percentage points]
          (> 0: shifted to the left as the run went on).

        ``attrs['step_line']``: the (a, b) used.
    """
    seg = segments(records) if seg is None else seg
    out = pd.DataFrame(index=seg.run_ids, columns=list(DYNAMICS_FEATURES), dtype="float64")
    if seg.n == 0:
        out.attrs["step_line"] = (float("nan"), float("nan")) if step_ref is None else step_ref
        return out
    dt = seg.dt_s
    moving = seg.moving & (dt > 0)

    def values(col):   # a frame without the column (built by hand) has no dynamics
        return seg.col(col) if col in seg.frame else np.full(len(seg.frame), np.nan)

    def mean_of(col):
        v = values(col)
        ok = moving & np.isfinite(v)
        enough = gsum(seg, np.where(ok, dt, 0.0)) >= MIN_DYNAMICS_S
        return np.where(enough, wmean(seg, v, dt, ok), np.nan), ok, enough

    for col, name in (("stance_time_ms", "avg_ground_contact_ms"),
                      ("vertical_oscillation_mm", "avg_vertical_oscillation_mm"),
                      ("vertical_ratio_pct", "avg_vertical_ratio_pct")):
        out[name] = mean_of(col)[0]
    step, ok_step, enough = mean_of("step_length_mm")
    speed = values("speed_mps")
    v = np.where(enough, wmean(seg, speed, dt, ok_step & np.isfinite(speed)), np.nan)
    keep = (np.ones(seg.n, dtype=bool) if is_running is None
            else is_running.reindex(out.index).fillna(False).to_numpy(dtype=bool))
    line = step_length_line(step[keep], v[keep]) if step_ref is None else step_ref
    a, b = line
    with np.errstate(invalid="ignore", divide="ignore"):
        usual = a + b * v
        out["step_length_vs_pace_pct"] = np.where(usual > 0, (step / usual - 1.0) * 100.0, np.nan)
    bal, ok_bal, enough = mean_of("stance_time_balance_left_pct")
    out["avg_gct_balance_left_pct"] = bal
    out["gct_imbalance_pct"] = np.abs(bal - 50.0)
    w = np.where(ok_bal, dt, 0.0)
    first = (gcumsum(seg, w) - w) < (gsum(seg, w) / 2)[seg.codes]
    b1 = wmean(seg, values("stance_time_balance_left_pct"), dt, ok_bal & first)
    b2 = wmean(seg, values("stance_time_balance_left_pct"), dt, ok_bal & ~first)
    out["gct_balance_drift_pct"] = np.where(enough, b2 - b1, np.nan)
    out.loc[~keep, :] = np.nan
    out.attrs["step_line"] = line
    return out
