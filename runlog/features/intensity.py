"""Volume and intensity of each run: distance, duration, speed, heart rate, TRIMP, decoupling.

Formulas work on plain arrays / Series (one run); the ``*_features``
functions apply them to a whole ``History.records`` frame at once (vectorised
over runs, see :mod:`runlog.features._segments`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._segments import Segments, gcumsum, gmax, gsum, lag_index, segments, wmean, wstd
from .athlete import TRIMP_CONSTANTS

__all__ = ["speed_vs_usual_pct",
    "HR_ZONE_BOUNDS", "hr_reserve_fraction", "trimp_weight", "banister_trimp", "hr_zone",
    "decoupling_pct", "volume_features", "intensity_features",
]

#: Lower bounds of the five HR zones as fractions of HR max (Edwards 1993,
#: "The Heart Rate Monitor Book": 50-60, 60-70, 70-80, 80-90, 90-100 %).
HR_ZONE_BOUNDS = (0.5, 0.6, 0.7, 0.8, 0.9)
#: Window of the "best sustained" maximum speed [s].
MAX_SPEED_WINDOW_S = 30.0
#: Shortest moving time with HR for which decoupling is computed [s].
MIN_DECOUPLING_S = 20 * 60.0


def hr_reserve_fraction(hr_bpm, hr_rest_bpm: float, hr_max_bpm: float):
    """Fraction of heart-rate reserve (Karvonen et al. 1957).

    ``HRr = (HR - HR_rest) / (HR_max - HR_rest)``

    Parameters
    ----------
    hr_bpm : array_like or Series
        Heart rate [1/min].
    hr_rest_bpm, hr_max_bpm : float
        Resting and maximum heart rate [1/min].

    Returns
    -------
    Same type as *hr_bpm*: HRr [-], not clipped.

    References
    ----------
    .. [1] Karvonen, M. J., Kentala, E. & Mustala, O. (1957). The effects of
       training on heart rate; a longitudinal study. Ann Med Exp Biol Fenn
       35(3):307-315.
    """
    return (hr_bpm - hr_rest_bpm) / (hr_max_bpm - hr_rest_bpm)


def trimp_weight(hrr, a: float = 0.64, b: float = 1.92):
    """Banister TRIMP intensity weight per minute, ``HRr * a * exp(b * HRr)``.

    Morton, Fitz-Clarke & Banister (1990), "Modeling human performance in
    running", J Appl Physiol 69(3):1171-1177.  The weighting follows the
    blood-lactate rise with HR reserve: ``a=0.64, b=1.92`` for men,
    ``a=0.86, b=1.67`` for women (:data:`runlog.features.athlete.TRIMP_CONSTANTS`).

    Parameters
    ----------
    hrr : array_like
        Heart-rate reserve fraction [-] (clip it to [0, 1] first).
    a, b : float
        Weighting constants [-].

    Returns
    -------
    ndarray
        Weight per minute [-] (TRIMP per minute at this HR reserve).

    References
    ----------
    .. [1] Morton, R. H., Fitz-Clarke, J. R. & Banister, E. W. (1990). Modeling
       human performance in running. J Appl Physiol 69(3):1171-1177.
    """
    return hrr * a * np.exp(b * hrr)


def banister_trimp(hr_bpm, dt_s, hr_rest_bpm: float, hr_max_bpm: float,
                   a: float = TRIMP_CONSTANTS["male"][0], b: float = TRIMP_CONSTANTS["male"][1]) -> float:
    """Banister training impulse of one run, summed per sample.

    ``TRIMP = sum_i (dt_i / 60) * HRr_i * a * exp(b * HRr_i)``, with
    ``HRr_i`` the HR-reserve fraction clipped to [0, 1] (Morton, Fitz-Clarke &
    Banister 1990).  Summing per sample (rather than applying the formula to
    the average HR) keeps intervals from being under-counted.

    Parameters
    ----------
    hr_bpm : array_like
        Heart rate of each sample [1/min]; NaN samples contribute nothing.
    dt_s : array_like
        Time each sample stands for [s] (0 over pauses).
    hr_rest_bpm, hr_max_bpm : float
        [1/min].
    a, b : float
        TRIMP constants (men 0.64/1.92, women 0.86/1.67).

    Returns
    -------
    float
        TRIMP [arbitrary units, ~ weighted minutes]; NaN when no sample has HR.

    References
    ----------
    .. [1] Morton, R. H., Fitz-Clarke, J. R. & Banister, E. W. (1990). Modeling
       human performance in running. J Appl Physiol 69(3):1171-1177.
    .. [2] Karvonen, M. J., Kentala, E. & Mustala, O. (1957). The effects of
       training on heart rate; a longitudinal study. Ann Med Exp Biol Fenn
       35(3):307-315.
    """
    hr = np.asarray(hr_bpm, dtype="float64")
    dt = np.asarray(dt_s, dtype="float64")
    if not np.isfinite(hr).any():
        return float("nan")
    hrr = np.clip(hr_reserve_fraction(hr, hr_rest_bpm, hr_max_bpm), 0.0, 1.0)
    return float(np.nansum(dt / 60.0 * trimp_weight(hrr, a, b)))


def hr_zone(hr_bpm, hr_max_bpm: float, bounds=HR_ZONE_BOUNDS) -> np.ndarray:
    """HR zone of each sample: 0 below zone 1, 1..5 (Edwards zones of %HR max), -1 for NaN.

    Parameters
    ----------
    hr_bpm : array_like
        Heart rate of each sample [1/min].
    hr_max_bpm : float
        Maximum heart rate [1/min].
    bounds : sequence of float
        Lower bounds of zones 1..5 as fractions of HR max [-]
        (:data:`HR_ZONE_BOUNDS`).

    Returns
    -------
    ndarray of int
        Zone of each sample: 0 below zone 1, 1..5, -1 where HR is NaN.

    References
    ----------
    .. [1] Edwards, S. (1993). The Heart Rate Monitor Book.
    """
    hr = np.asarray(hr_bpm, dtype="float64")
    z = np.searchsorted(np.asarray(bounds) * hr_max_bpm, hr, side="right")
    return np.where(np.isnan(hr), -1, z)


def decoupling_pct(speed_mps, hr_bpm, dt_s) -> float:
    """Aerobic decoupling (Pa:HR) of one run [%].

    The efficiency factor ``EF = mean speed / mean HR`` of the first and the
    second half of the moving time; ``decoupling = (EF1 - EF2) / EF1 * 100``
    (Friel, "The Cyclist's/Triathlete's Training Bible"; TrainingPeaks
    Pa:HR).  Positive: HR drifted up (or pace down) in the second half.
    Samples need finite speed and HR and dt > 0.

    Returns NaN when fewer than two samples qualify.

    Parameters
    ----------
    speed_mps : array_like
        Speed of each sample [m/s].
    hr_bpm : array_like
        Heart rate of each sample [1/min].
    dt_s : array_like
        Time each sample stands for [s] (0 over pauses).

    Returns
    -------
    float
        Decoupling [%]; NaN when fewer than two samples qualify.

    References
    ----------
    .. [1] Friel, J. The Cyclist's Training Bible / The Triathlete's Training
       Bible (aerobic decoupling).
    .. [2] TrainingPeaks. Pa:HR (aerobic decoupling).
    """
    sp = np.asarray(speed_mps, dtype="float64")
    hr = np.asarray(hr_bpm, dtype="float64")
    dt = np.asarray(dt_s, dtype="float64")
    ok = np.isfinite(sp) & np.isfinite(hr) & (dt > 0)
    if ok.sum() < 2:
        return float("nan")
    w = np.where(ok, dt, 0.0)
    before = np.cumsum(w) - w
    first = before < w.sum() / 2
    ef1 = np.sum((w * np.nan_to_num(sp))[first]) / np.sum((w * np.nan_to_num(hr))[first])
    ef2 = np.sum((w * np.nan_to_num(sp))[~first]) / np.sum((w * np.nan_to_num(hr))[~first])
    return float((ef1 - ef2) / ef1 * 100.0)


def volume_features(runs: pd.DataFrame) -> pd.DataFrame:
    """Distance and duration of each run from ``History.runs``.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` (``distance_m``, ``elapsed_s``, ``moving_s``,
        ``avg_speed_mps``).

    Returns
    -------
    DataFrame
        ``distance_km``, ``duration_min`` (wall clock), ``moving_min``,
        ``stopped_min`` (elapsed - moving), ``avg_speed_mps`` (distance /
        moving time), ``avg_pace_min_per_km`` (= 1000 / 60 / avg speed).
    """
    out = pd.DataFrame(index=runs.index)
    dist = pd.to_numeric(runs["distance_m"], errors="coerce").astype("float64")
    el = pd.to_numeric(runs["elapsed_s"], errors="coerce").astype("float64")
    mv = pd.to_numeric(runs["moving_s"], errors="coerce").astype("float64")
    sp = pd.to_numeric(runs["avg_speed_mps"], errors="coerce").astype("float64")
    out["distance_km"] = dist / 1000.0
    out["duration_min"] = el / 60.0
    out["moving_min"] = mv / 60.0
    out["stopped_min"] = (el - mv).clip(lower=0) / 60.0
    out["avg_speed_mps"] = sp
    out["avg_pace_min_per_km"] = (1000.0 / 60.0 / sp).where(sp > 0)
    return out


def speed_vs_usual_pct(speed_mps, usual_speed_mps: float):
    """Pace relative to the runner's usual: ``(speed / usual - 1) * 100`` [%].

    Parameters
    ----------
    speed_mps : array_like
        Average (moving) speed of each run [m/s].
    usual_speed_mps : float
        The runner's usual speed [m/s] (runlog uses the median average speed
        of the history's running activities).

    Returns
    -------
    ndarray or Series
        > 0 faster than usual, < 0 slower [%]; NaN where either is missing or
        the usual speed is not positive.
    """
    if not np.isfinite(usual_speed_mps) or usual_speed_mps <= 0:
        return speed_mps * np.nan
    return (speed_mps / usual_speed_mps - 1.0) * 100.0


def intensity_features(records: pd.DataFrame, hr_rest_bpm: float | None, hr_max_bpm: float | None,
                       a: float = 0.64, b: float = 1.92, *, seg: Segments | None = None) -> pd.DataFrame:
    """Per-run speed and heart-rate intensity from the stacked records.

    Parameters
    ----------
    records : DataFrame
        ``History.records`` (MultiIndex ``run_id``, ``time``).
    hr_rest_bpm, hr_max_bpm : float or None
        [1/min]; None makes the HR-reserve features NaN.
    a, b : float
        TRIMP constants (:func:`trimp_weight`).
    seg : Segments, optional
        Precomputed :func:`~runlog.features._segments.segments` of *records*.

    Returns
    -------
    DataFrame indexed by run_id
        * ``max_speed_mps``: best 30-s average speed (distance over 30 s;
          a single GPS sample is too noisy).
        * ``speed_cv_pct``: pace variability, time-weighted coefficient of
          variation of the moving speed [%].
        * ``avg_hr_bpm``, ``max_hr_bpm``: time-weighted mean, maximum HR.
        * ``hr_reserve_pct``: mean HR as % of HR reserve (Karvonen).
        * ``trimp``: :func:`banister_trimp` summed per sample.
        * ``hr_z1_s`` .. ``hr_z5_s``: time in the Edwards zones [s] and
          ``hr_z1_pct`` .. ``hr_z5_pct`` as % of the time with HR.
        * ``decoupling_pct``: :func:`decoupling_pct` over the moving samples
          (NaN under 20 min of moving time with HR).
    """
    seg = segments(records) if seg is None else seg
    out = pd.DataFrame(index=seg.run_ids)
    dt = seg.dt_s
    mv = seg.moving
    speed = seg.col("speed_mps")
    dist = seg.col("distance_m")
    hr = seg.col("hr_bpm")

    # best 30-s speed
    j = lag_index(seg, MAX_SPEED_WINDOW_S)
    jj = np.clip(j, 0, None)
    span = seg.elapsed_s - seg.elapsed_s[jj]
    with np.errstate(invalid="ignore", divide="ignore"):
        v30 = np.where((j >= 0) & (span <= 1.5 * MAX_SPEED_WINDOW_S) & (span > 0),
                       (dist - dist[jj]) / span, np.nan)
    out["max_speed_mps"] = gmax(seg, np.where(v30 >= 0, v30, np.nan))

    m_sp = wmean(seg, speed, dt, mv)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["speed_cv_pct"] = np.where(m_sp > 0, wstd(seg, speed, dt, mv) / m_sp * 100.0, np.nan)

    out["avg_hr_bpm"] = wmean(seg, hr, dt)
    n_hr = gsum(seg, np.isfinite(hr))
    out["max_hr_bpm"] = gmax(seg, hr)
    if hr_rest_bpm is not None and hr_max_bpm is not None:
        hrr = hr_reserve_fraction(hr, hr_rest_bpm, hr_max_bpm)
        out["hr_reserve_pct"] = hr_reserve_fraction(out["avg_hr_bpm"].to_numpy(), hr_rest_bpm, hr_max_bpm) * 100
        contrib = dt / 60.0 * trimp_weight(np.clip(hrr, 0.0, 1.0), a, b)
        out["trimp"] = np.where(n_hr > 0, gsum(seg, contrib), np.nan)
        zone = hr_zone(hr, hr_max_bpm)
        tz = np.bincount(seg.codes * 7 + (zone + 1), weights=dt, minlength=seg.n * 7).reshape(seg.n, 7)
        t_hr = tz[:, 1:].sum(axis=1)
        for z in range(1, 6):
            out[f"hr_z{z}_s"] = np.where(n_hr > 0, tz[:, z + 1], np.nan)
        for z in range(1, 6):
            with np.errstate(invalid="ignore", divide="ignore"):
                out[f"hr_z{z}_pct"] = np.where((n_hr > 0) & (t_hr > 0), tz[:, z + 1] / t_hr * 100.0, np.nan)
    else:
        for c in ["hr_reserve_pct", "trimp", *(f"hr_z{z}_s" for z in range(1, 6)),
                  *(f"hr_z{z}_pct" for z in range(1, 6))]:
            out[c] = np.nan

    # decoupling over the moving samples with speed and HR
    ok = mv & np.isfinite(speed) & np.isfinite(hr) & (dt > 0)
    w = np.where(ok, dt, 0.0)
    total = gsum(seg, w)
    before = gcumsum(seg, w) - w
    first = before < (total / 2)[seg.codes]
    ws, wh = w * np.nan_to_num(speed), w * np.nan_to_num(hr)
    with np.errstate(invalid="ignore", divide="ignore"):
        ef1 = gsum(seg, np.where(first, ws, 0)) / gsum(seg, np.where(first, wh, 0))
        ef2 = gsum(seg, np.where(~first, ws, 0)) / gsum(seg, np.where(~first, wh, 0))
        dec = (ef1 - ef2) / ef1 * 100.0
    out["decoupling_pct"] = np.where(total >= MIN_DECOUPLING_S, dec, np.nan)
    return out
