"""Warm-up: how the first minutes of a run compare with the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._segments import Segments, gsum, segments, wmean

__all__ = ["WARMUP_S", "HARD_START_SPEED_RATIO", "HARD_START_HRR", "warmup_features"]

#: Length of the opening compared with the rest of the run [s].
WARMUP_S = 600.0
#: Least moving time after the opening for a comparison [s].
MIN_REST_S = 300.0
#: Opening at least this fast relative to the rest counts as a hard start [-].
HARD_START_SPEED_RATIO = 1.0
#: Opening mean HR at or above this HR-reserve fraction counts as a hard start [-].
#: runlog's choice: the middle of ACSM's "vigorous" band (60-89 % HRR; ACSM's
#: Guidelines for Exercise Testing and Prescription, 11th ed., 2021), far above
#: the light-to-moderate intensity of a warm-up.
HARD_START_HRR = 0.75


def warmup_features(records: pd.DataFrame, hr_rest_bpm: float | None = None, hr_max_bpm: float | None = None,
                    *, warmup_s: float = WARMUP_S, seg: Segments | None = None) -> pd.DataFrame:
    """Compare the first *warmup_s* of each run (wall-clock ``elapsed_s``) with the rest.

    Parameters
    ----------
    records : DataFrame
        ``History.records``.
    hr_rest_bpm, hr_max_bpm : float, optional
        For the HR-reserve part of the hard-start flag.
    warmup_s : float
        Opening length [s], default 10 min.

    Returns
    -------
    DataFrame indexed by run_id (NaN when the run has less than 5 min of
    moving time after the opening)
        * ``warmup_speed_ratio``: mean moving speed of the opening / of the rest [-]
          (1 = started at the run's pace; < 1 = eased in).
        * ``warmup_hr_ratio``: mean HR of the opening / of the rest [-].
        * ``warmup_hr_rise_bpm``: HR ramp, mean HR of the opening's last 2 min minus
          its first 2 min [1/min].
        * ``warmup_hrr_pct``: mean HR of the opening as % of HR reserve.
        * ``hard_start``: 1.0 when ``warmup_speed_ratio >= 1.0`` or
          ``warmup_hrr_pct >= 75``, else 0.0 (NaN when neither is known).
    """
    seg = segments(records) if seg is None else seg
    out = pd.DataFrame(index=seg.run_ids)
    el = seg.elapsed_s
    dt = seg.dt_s
    speed = seg.col("speed_mps")
    hr = seg.col("hr_bpm")
    early = el < warmup_s
    rest_time = gsum(seg, np.where(seg.moving & ~early, dt, 0.0))
    enough = rest_time >= MIN_REST_S
    sp1 = wmean(seg, speed, dt, seg.moving & early)
    sp2 = wmean(seg, speed, dt, seg.moving & ~early)
    hr1 = wmean(seg, hr, dt, early)
    hr2 = wmean(seg, hr, dt, ~early)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["warmup_speed_ratio"] = np.where(enough & (sp2 > 0), sp1 / sp2, np.nan)
        out["warmup_hr_ratio"] = np.where(enough & (hr2 > 0), hr1 / hr2, np.nan)
    first2 = wmean(seg, hr, dt, el < 120.0)
    last2 = wmean(seg, hr, dt, (el >= warmup_s - 120.0) & early)
    out["warmup_hr_rise_bpm"] = np.where(enough, last2 - first2, np.nan)
    if hr_rest_bpm is not None and hr_max_bpm is not None:
        hrr = (hr1 - hr_rest_bpm) / (hr_max_bpm - hr_rest_bpm)
    else:
        hrr = np.full(seg.n, np.nan)
    out["warmup_hrr_pct"] = np.where(enough, hrr * 100.0, np.nan)
    sr = out["warmup_speed_ratio"].to_numpy()
    hp = out["warmup_hrr_pct"].to_numpy()
    known = np.isfinite(sr) | np.isfinite(hp)
    hard = (np.nan_to_num(sr, nan=-1) >= HARD_START_SPEED_RATIO) | (np.nan_to_num(hp, nan=-1) >= HARD_START_HRR * 100)
    out["hard_start"] = np.where(known, hard.astype("float64"), np.nan)
    return out
