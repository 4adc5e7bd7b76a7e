"""When in a run does numbness come on?

Time to onset is analysed as survival data: a run with an episode is an event
at its onset (minutes or km into the run); a run without one is censored at
its end.  The Kaplan-Meier estimator (Kaplan & Meier 1958; statsmodels
``SurvfuncRight``) gives the share of runs still free of numbness after *t*
minutes (or km); its median, when reached, has the Brookmeyer-Crowley (1982)
interval on the complementary log-log scale.  Because most runs usually end
without numbness, the Kaplan-Meier median is often "not reached"; the median
onset *among runs with numbness* is therefore also given, with the exact
distribution-free order-statistic interval (Conover 1999, sec. 3.2; scipy
``quantile_test``).

What the two numbers describe, and how the report words them
(:func:`runlog.render.wording.onset_sentences`; this module returns numbers and codes only):

* the median onset describes only the runs where numbness came on ("in the
  12 runs where numbness came on, it came on after a median of 31 minutes");
* the Kaplan-Meier curve counts every run for as long as it lasted, so
  ``1 - S(t)`` is the estimated share of runs with numbness by *t* minutes
  *among runs that go on that long* (:data:`LANDMARKS`: by 30, 60 and 90
  minutes; 5, 10 and 15 km), not the share of all runs: with 12 of 100 runs
  numb, the curve can still reach one half at 64 minutes when few runs last
  that long.  Its median is worded as "half of the runs that last 64
  minutes have numbness by then", followed by the plain count (12 of 100
  runs had numbness); when not reached, "fewer than half of the runs had
  numbness by their end" (the Kaplan-Meier share at the last time is at
  least the plain share, so both are below one half).

Onset is called *reproducible* when at least :data:`MIN_ONSETS_REPRODUCIBLE`
onsets are known and their quartile coefficient of dispersion,
``(Q3 - Q1) / (Q3 + Q1)`` (Bonett 2006), is at most :data:`QCD_REPRODUCIBLE`
in minutes or in km: numbness that comes at a consistent time or distance
is a pattern worth showing to a clinician (exertional symptoms that recur at
the same point of a run are one of the things they ask about).  This is a
description of the runner's data, never a diagnosis.

Why at least 11 onsets: the dispersion rests on the quartiles, and a
quartile is pinned down by the data only when some interval between two of
the onsets covers it with 95 % confidence.  The widest such interval, from
the smallest to the largest of *n* onsets, covers the lower (or upper)
quartile with probability ``1 - 0.75**n - 0.25**n`` (order statistics,
Conover 1999, section 3.2): 94.4 % for 10 onsets, 95.8 % for 11.  With
fewer, not even the whole range of the onsets is a 95 % interval for a
quartile, so a small middle half may be luck; the report then says there
are too few episodes to say (never "consistent", never "show a doctor this
pattern").

References
----------
Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
JASA 53, 457-481.
Brookmeyer R, Crowley J (1982). A confidence interval for the median survival time.
Biometrics 38, 29-41.
Conover WJ (1999). Practical Nonparametric Statistics, 3rd ed. Wiley.
Bonett DG (2006). Confidence interval for a coefficient of quartile variation.
Computational Statistics & Data Analysis 50, 2953-2957.
Wilcoxon F (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1, 80-83.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight

__all__ = [
    "MIN_ONSETS_REPRODUCIBLE",
    "QCD_REPRODUCIBLE",
    "SUMMARY_COLUMNS",
    "AT_ONSET_COLUMNS",
    "OnsetResult",
    "LANDMARKS",
    "kaplan_meier",
    "km_landmarks",
    "median_ci",
    "onset_spread",
    "onset_durations",
    "at_onset_comparison",
    "side_comparison",
    "SIDE_COLUMNS",
    "SIDE_CODES",
    "MIN_SIDED",
    "side_balance_comparison",
    "BALANCE_COLUMNS",
    "BALANCE_CODES",
    "MIN_SIDED_BALANCE",
    "MIN_BALANCE_SAMPLES",
    "side_cause_comparison",
    "SIDE_CAUSE_COLUMNS",
    "SIDE_CAUSE_CODES",
    "NOTE_CODES",
    "analyze_onset",
]

#: Fewest known onsets for a claim that onset is consistent (reproducible): the smallest *n* with
#: ``1 - 0.75**n - 0.25**n >= 0.95`` (see the module docstring).
MIN_ONSETS_REPRODUCIBLE = 11
#: Largest quartile coefficient of dispersion of onsets called consistent.
QCD_REPRODUCIBLE = 0.20
#: Minimum pairs for the Wilcoxon signed-rank comparison at onset.
MIN_PAIRS = 5
#: Times [min] and distances [km] at which the Kaplan-Meier share of runs with
#: numbness is reported.
LANDMARKS = {"minutes": (30.0, 60.0, 90.0), "km": (5.0, 10.0, 15.0)}
LANDMARK_COLUMNS = ["scale", "time", "share_numb", "ci_low", "ci_high", "n_at_risk"]

SUMMARY_COLUMNS = [
    "scale", "unit", "n_runs", "n_onsets", "n_censored", "km_median", "km_ci_low", "km_ci_high",
    "median", "ci_low", "ci_high", "q1", "q3", "min", "max", "qcd", "reproducible",
]
#: The comparison at onset (:func:`at_onset_comparison`): ``variable`` is the record column (its name for a
#: reader: :data:`runlog.render.labels.AT_ONSET_LABELS`), ``unit`` its unit.
AT_ONSET_COLUMNS = [
    "variable", "unit", "n_episodes", "at_onset", "same_point_others",
    "difference", "p_value",
]
#: Sided episodes (left or right) each side needs before onset is compared between the sides.
MIN_SIDED = 5
SIDE_COLUMNS = ["side", "n_episodes", "n_runs", "onset_median_min", "onset_q1_min", "onset_q3_min", "p_value"]
#: What :func:`side_comparison` found (its outcome's ``code``): no episode names a side (``no_side``),
#: fewer than :data:`MIN_SIDED` sided episodes with a known onset on a side (``too_few``), onset minutes
#: that differ between the sides at p < 0.05 (``different``) or not (``similar``).
SIDE_CODES = ("no_side", "too_few", "different", "similar")
#: Sided episodes with ground-contact balance before onset each side needs for the balance test: with 4
#: and 4 the exact one-sided Mann-Whitney p can reach 1/70 = 0.014 (with 3 and 3 no better than 0.05).
MIN_SIDED_BALANCE = 4
#: Least samples (about seconds) with a ground-contact balance before onset for an episode's balance.
MIN_BALANCE_SAMPLES = 60
BALANCE_COLUMNS = ["group", "n", "balance_median_pct", "balance_q1_pct", "balance_q3_pct", "p_value"]
#: What :func:`side_balance_comparison` found (its outcome's ``code``; no outcome when no episode names
#: a side): no sided episode with a balance before onset (``no_balance``), fewer than
#: :data:`MIN_SIDED_BALANCE` on a side (``too_few``), left-sided episodes with the larger left share at
#: one-sided p < 0.05 (``leans``) or not (``no_lean``).
BALANCE_CODES = ("no_balance", "too_few", "leans", "no_lean")
SIDE_CAUSE_COLUMNS = ["cause", "factor", "factor_label", "n_left", "n_right", "left_median", "right_median",
                      "p_value", "q_value"]
#: What :func:`side_cause_comparison` found (its outcome's ``code``; no outcome when no run is sided):
#: fewer than :data:`MIN_SIDED` runs with a value on a side for every cause (``too_few``), a cause whose
#: measure differs between the sides at Holm q < 0.05 (``different``) or none (``similar``).
SIDE_CAUSE_CODES = ("too_few", "different", "similar")
#: What :func:`analyze_onset` could not compute (:attr:`OnsetResult.notes`, each a dict with this ``code``):
#: numb runs without an onset in a scale's unit (``onset_unknown``: ``unit``, ``n_missing``, ``n_numb``),
#: no records to compare at onset (``no_records``).
NOTE_CODES = ("onset_unknown", "no_records")
#: The unit of each record column compared at onset.
_UNITS = {"speed_mps": "m/s", "hr_bpm": "1/min", "temp_c": "°C"}


def kaplan_meier(durations, events, *, alpha: float = 0.05) -> tuple[pd.DataFrame, dict]:
    """Kaplan-Meier curve and median.

    Parameters
    ----------
    durations : array-like of float
        Onset (event) or end of run (censored) [min or km].
    events : array-like of bool
        True for an onset, False for a censored run.
    alpha : float
        1 - confidence level.

    Returns
    -------
    curve : DataFrame
        ``time``, ``survival`` (share of runs still without numbness),
        ``ci_low``, ``ci_high`` (pointwise, log-log; statsmodels
        ``simultaneous_cb`` is not used), ``n_at_risk``, ``n_events``; starts
        with time 0, survival 1.
    median : dict
        ``km_median``, ``km_ci_low``, ``km_ci_high``: NaN median when the curve
        never drops to 0.5 ("not reached"); inf upper bound when the interval
        is open.
    """
    d = np.asarray(durations, dtype=float)
    e = np.asarray(events, dtype=bool)
    ok = np.isfinite(d)
    d, e = d[ok], e[ok]
    empty = pd.DataFrame({"time": [0.0], "survival": [1.0], "ci_low": [1.0], "ci_high": [1.0],
                          "n_at_risk": [len(d)], "n_events": [0]})
    nan = {"km_median": np.nan, "km_ci_low": np.nan, "km_ci_high": np.nan}
    if len(d) == 0 or not e.any():
        return empty, nan
    sf = SurvfuncRight(d, e.astype(int))
    se = np.asarray(sf.surv_prob_se, dtype=float)
    s = np.asarray(sf.surv_prob, dtype=float)
    z = stats.norm.ppf(1 - alpha / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        # log(-log S) interval (Kalbfleisch & Prentice 2002, eq. 1.12)
        sd = se / (s * np.abs(np.log(s)))
        lo = np.where(s < 1, s ** np.exp(z * sd), np.nan)
        hi = np.where(s < 1, s ** np.exp(-z * sd), np.nan)
        lo = np.where(s > 0, lo, 0.0)
        hi = np.where(s > 0, hi, 0.0)
    curve = pd.DataFrame({
        "time": np.r_[0.0, sf.surv_times], "survival": np.r_[1.0, s],
        "ci_low": np.r_[1.0, lo], "ci_high": np.r_[1.0, hi],
        "n_at_risk": np.r_[len(d), sf.n_risk].astype(int), "n_events": np.r_[0, sf.n_events].astype(int),
    })
    med = float(sf.quantile(0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lo_m, hi_m = sf.quantile_ci(0.5, alpha=alpha)
    return curve, {"km_median": med, "km_ci_low": float(lo_m), "km_ci_high": float(hi_m)}


def km_landmarks(curve: pd.DataFrame, durations, times) -> pd.DataFrame:
    """Kaplan-Meier share of runs with numbness by each of *times*.

    Parameters
    ----------
    curve : DataFrame
        :func:`kaplan_meier` curve (``time``, ``survival``, ``ci_low``, ``ci_high``).
    durations : array-like of float
        The durations the curve was estimated from [min or km] (onset, or end
        of a run without numbness).
    times : iterable of float
        Where to read the curve [min or km].

    Returns
    -------
    DataFrame
        ``time``, ``share_numb`` = ``1 - S(t)`` (share of runs with numbness
        by *t* among runs that go on that long; Kaplan & Meier 1958),
        ``ci_low``, ``ci_high`` (from the curve's pointwise log-log interval),
        ``n_at_risk`` (runs still going without numbness at *t*: duration >=
        *t*).  Only times up to the longest duration (later the curve says
        nothing).

    References
    ----------
    .. [1] Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from
       incomplete observations. J Am Stat Assoc 53:457-481.
    """
    d = np.asarray(durations, dtype=float)
    d = d[np.isfinite(d)]
    rows = []
    t_curve = curve["time"].to_numpy(dtype=float)
    for t in times:
        if not len(d) or t > d.max():
            continue
        j = int(np.searchsorted(t_curve, t, side="right")) - 1   # last step at or before t
        s, lo, hi = (float(curve[c].iloc[j]) for c in ("survival", "ci_low", "ci_high"))
        rows.append({"time": float(t), "share_numb": 1.0 - s, "ci_low": 1.0 - hi, "ci_high": 1.0 - lo,
                     "n_at_risk": int((d >= t).sum())})
    return pd.DataFrame(rows, columns=LANDMARK_COLUMNS[1:])


def median_ci(x, *, confidence_level: float = 0.95) -> tuple[float, float, float]:
    """Median with its exact distribution-free (order-statistic) interval.

    Parameters
    ----------
    x : array-like of float
    confidence_level : float

    Returns
    -------
    median, low, high : float
        The interval is ``[x_(j), x_(n-j+1)]`` with the binomial(n, 1/2) order
        statistics (Conover 1999, sec. 3.2), from :func:`scipy.stats.quantile_test`;
        NaN bounds when *n* is too small for the requested level (n < 6 at 95 %).

    References
    ----------
    .. [1] Conover, W. J. (1999). Practical Nonparametric Statistics, 3rd ed.
       Wiley (section 3.2).
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    med = float(np.median(x))
    if len(x) < 2:
        return med, np.nan, np.nan
    ci = stats.quantile_test(x, q=med, p=0.5).confidence_interval(confidence_level)
    return med, float(ci.low), float(ci.high)


def onset_spread(x) -> dict:
    """Spread of onsets: quartiles, range and quartile coefficient of dispersion.

    Parameters
    ----------
    x : array-like of float
        Known onsets [min or km].

    Returns
    -------
    dict
        ``q1``, ``q3``, ``min``, ``max``, ``qcd = (Q3 - Q1) / (Q3 + Q1)`` (Bonett
        2006; quartiles by linear interpolation, numpy's default), and
        ``reproducible`` (n >= MIN_ONSETS_REPRODUCIBLE and qcd <= QCD_REPRODUCIBLE).

    References
    ----------
    .. [1] Bonett, D. G. (2006). Confidence interval for a coefficient of
       quartile variation. Comput Stat Data Anal 50:2953-2957.
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return {"q1": np.nan, "q3": np.nan, "min": np.nan, "max": np.nan, "qcd": np.nan,
                "reproducible": False}
    q1, q3 = np.percentile(x, [25, 75])
    qcd = (q3 - q1) / (q3 + q1) if (q3 + q1) > 0 else np.nan
    return {"q1": float(q1), "q3": float(q3), "min": float(x.min()), "max": float(x.max()),
            "qcd": float(qcd),
            "reproducible": bool(len(x) >= MIN_ONSETS_REPRODUCIBLE and np.isfinite(qcd)
                                 and qcd <= QCD_REPRODUCIBLE)}


def onset_durations(flags: pd.DataFrame, runs: pd.DataFrame, scale: str = "minutes") -> pd.DataFrame:
    """Survival data for time (or distance) to onset.

    Parameters
    ----------
    flags : DataFrame
        :func:`runlog.journal.episode_flags` output for the analysed runs
        (``numb``, ``onset_min``, ``onset_km``).
    runs : DataFrame
        ``History.runs`` (``elapsed_s`` [s], ``distance_m`` [m]).
    scale : {'minutes', 'km'}

    Returns
    -------
    DataFrame
        Index run_id, ``duration`` [min or km] and ``event`` (bool).  Numb runs
        with an unknown onset are left out; runs without numbness are censored
        at their end (elapsed_s / 60 or distance_m / 1000).
    """
    onset_col, end = ("onset_min", runs["elapsed_s"] / 60.0) if scale == "minutes" else \
        ("onset_km", runs["distance_m"] / 1000.0)
    end = end.reindex(flags.index).astype("float64")
    numb = flags["numb"].astype(bool)
    onset = pd.to_numeric(flags[onset_col], errors="coerce").astype("float64")
    dur = pd.Series(np.where(numb, onset, end), index=flags.index, dtype="float64")
    out = pd.DataFrame({"duration": dur, "event": numb})
    return out[out["duration"].notna()]


def _run_arrays(records: pd.DataFrame, run_ids, columns) -> dict:
    """run_id -> (elapsed_s array, {column: array}) for the runs present in *records*.

    One factorisation of the run_id level and one stable sort, then slices
    (a pandas groupby built a frame per run: most of the onset analysis's time).
    """
    want = set(run_ids)
    codes, uniques = pd.factorize(records.index.get_level_values("run_id"))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    el = records["elapsed_s"].to_numpy(dtype=float)[order]
    cols = {c: (records[c].to_numpy(dtype=float)[order] if c in records else np.full(len(records), np.nan))
            for c in columns}
    out = {}
    for i, rid in enumerate(uniques):
        if rid in want:
            a, b = bounds[i], bounds[i + 1]
            out[rid] = (el[a:b], {c: v[a:b] for c, v in cols.items()})
    return out


def _window_means(arrays, t_s: np.ndarray, window_s: float, columns) -> np.ndarray:
    """Mean of each of *columns* over elapsed time [t - window_s, t] of one run, for every t in *t_s* at once.

    Cumulative sums of the finite samples and two binary searches per t (shared
    by the columns), so a run costs O((samples + len(t_s)) log samples) however
    many windows are asked for.  NaN where the window holds no finite sample.

    Returns
    -------
    ndarray
        Shape (len(columns), len(t_s)).
    """
    el, vals = arrays
    v = np.vstack([vals[c] for c in columns])
    if len(el) > 1 and np.any(np.diff(el) < 0):   # elapsed time should rise; sort if it does not
        order = np.argsort(el, kind="stable")
        el, v = el[order], v[:, order]
    ok = np.isfinite(v)
    zero = np.zeros((len(v), 1))
    csum = np.hstack([zero, np.cumsum(np.where(ok, v, 0.0), axis=1)])
    ccnt = np.hstack([zero, np.cumsum(ok, axis=1)])
    lo = np.searchsorted(el, t_s - window_s, side="left")
    hi = np.searchsorted(el, t_s, side="right")
    n = ccnt[:, hi] - ccnt[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (csum[:, hi] - csum[:, lo]) / np.maximum(n, 1), np.nan)


#: Distinct onset times whose controls' windows are held at once (bounds the memory of
#: :func:`at_onset_comparison` to columns x this x controls).
_ONSET_BLOCK = 64


def at_onset_comparison(records: pd.DataFrame, flags: pd.DataFrame, runs: pd.DataFrame, *,
                        window_s: float = 120.0, columns=("speed_mps", "hr_bpm", "temp_c")) -> pd.DataFrame:
    """Pace, heart rate and temperature just before onset vs the same point of runs without numbness.

    For every numb run with a known onset *t* [min], the mean of each column over
    the *window_s* seconds before *t* is paired with the median of the same
    window in all runs without numbness that lasted at least *t*; the pairs are
    compared by the Wilcoxon signed-rank test (Wilcoxon 1945).

    Parameters
    ----------
    records : DataFrame
        ``History.records`` (MultiIndex run_id, time; ``elapsed_s`` [s] and *columns*).
    flags : DataFrame
        Episode flags of the analysed runs.
    runs : DataFrame
        ``History.runs`` (``elapsed_s``).
    window_s : float
        Window length before onset [s].
    columns : sequence of str
        Record columns to compare.

    Returns
    -------
    DataFrame
        Columns :data:`AT_ONSET_COLUMNS`: medians over episodes of the value at
        onset and of the matched control value, the median paired difference,
        and the signed-rank p-value (NaN with fewer than MIN_PAIRS pairs).

    References
    ----------
    .. [1] Wilcoxon, F. (1945). Individual comparisons by ranking methods.
       Biometrics Bulletin 1(6):80-83.
    """
    columns = list(columns)
    numb = flags["numb"].astype(bool)
    onset = pd.to_numeric(flags["onset_min"], errors="coerce")
    cases = onset[numb & onset.notna()]
    controls = flags.index[~numb]
    end_s = runs["elapsed_s"].reindex(controls)
    arrays = _run_arrays(records, list(cases.index) + list(controls), columns) if len(records) else {}
    pairs: dict[str, list[tuple[float, float]]] = {c: [] for c in columns}
    case_ids = [rid for rid in cases.index if rid in arrays]
    ctrl_ids = [k for k in end_s.index if k in arrays]
    t_s = cases.reindex(case_ids).to_numpy(dtype=float) * 60.0
    own_all = np.full((len(columns), len(case_ids)), np.nan)
    for i, rid in enumerate(case_ids):
        own_all[:, i] = _window_means(arrays[rid], t_s[i:i + 1], window_s, columns)[:, 0]
    # the controls' side depends on the onset time only: once per distinct onset time (a
    # journal's minutes repeat across runs), a block of onsets at a time
    t_u, t_of_case = np.unique(t_s, return_inverse=True)
    end_ctrl = end_s.reindex(ctrl_ids).to_numpy(dtype=float)
    med_u = np.full((len(columns), len(t_u)), np.nan)
    for a in range(0, len(t_u) if len(ctrl_ids) else 0, _ONSET_BLOCK):
        t_b = t_u[a:a + _ONSET_BLOCK]
        ctrl_all = np.full((len(columns), len(t_b), len(ctrl_ids)), np.nan)
        for j, k in enumerate(ctrl_ids):
            ctrl_all[:, :, j] = _window_means(arrays[k], t_b, window_s, columns)
        ctrl_all[:, ~(end_ctrl[None, :] >= t_b[:, None])] = np.nan   # only controls that lasted that long
        with warnings.catch_warnings():   # an onset no control reaches: all-NaN row, NaN median, no pair
            warnings.simplefilter("ignore", RuntimeWarning)
            med_u[:, a:a + _ONSET_BLOCK] = np.nanmedian(ctrl_all, axis=2)
    for ci, c in enumerate(columns):
        own, med = own_all[ci], med_u[ci][t_of_case]
        pairs[c] = [(float(a), float(m)) for a, m in zip(own, med) if np.isfinite(a) and np.isfinite(m)]
    rows = []
    for c in columns:
        unit = _UNITS.get(c, "")
        p = np.array(pairs[c], dtype=float).reshape(-1, 2)
        n = len(p)
        pval = np.nan
        if n >= MIN_PAIRS and np.any(p[:, 0] != p[:, 1]):
            pval = float(stats.wilcoxon(p[:, 0], p[:, 1]).pvalue)
        rows.append({
            "variable": c, "unit": unit, "n_episodes": n,
            "at_onset": float(np.median(p[:, 0])) if n else np.nan,
            "same_point_others": float(np.median(p[:, 1])) if n else np.nan,
            "difference": float(np.median(p[:, 0] - p[:, 1])) if n else np.nan,
            "p_value": pval,
        })
    return pd.DataFrame(rows, columns=AT_ONSET_COLUMNS)


def side_comparison(episodes: pd.DataFrame, run_ids=None) -> tuple[pd.DataFrame, dict]:
    """Left against right: how many episodes each side had and whether onset comes at another time.

    One-sided nerve compression (a tight lace, a swollen forefoot in one shoe)
    shows as episodes on one side with a pattern of their own.  Onset minutes
    of left-sided and right-sided episodes are compared by the two-sided
    Mann-Whitney U test (exact for small samples without ties, scipy
    ``method='auto'``) when each side has at least :data:`MIN_SIDED`
    episodes with a known onset; 'both' is counted, not compared.

    Parameters
    ----------
    episodes : DataFrame
        :func:`runlog.read_episodes` output (``run_id``, ``side``,
        ``onset_min`` [min]).
    run_ids : sequence, optional
        Only episodes on these runs (the analysed ones).

    Returns
    -------
    (DataFrame, dict)
        :data:`SIDE_COLUMNS`, one row per side present ('left', 'right',
        'both', 'not given'), onset quartiles [min] and the left-right
        ``p_value`` (on the 'left' row; NaN when not compared); and the
        outcome: ``code`` (one of :data:`SIDE_CODES`), the episodes per side
        (``left``, ``right``, ``both``) and, when compared, the median onset
        of each side (``left_median``, ``right_median`` [min]) and ``p_value``
        (worded by :func:`runlog.render.wording.side_sentence`).

    References
    ----------
    .. [1] Mann, H. B. & Whitney, D. R. (1947). On a test of whether one of
       two random variables is stochastically larger than the other. Ann
       Math Stat 18(1):50-60.
    """
    ep = episodes if run_ids is None else episodes[episodes["run_id"].isin(list(run_ids))]
    side = ep["side"].astype("string").str.lower().fillna("not given") if "side" in ep else \
        pd.Series("not given", index=ep.index, dtype="string")
    onset = pd.to_numeric(ep.get("onset_min", pd.Series(np.nan, index=ep.index)), errors="coerce")
    rows = []
    for name in ("left", "right", "both", "not given"):
        m = (side == name).to_numpy(dtype=bool)
        if not m.any():
            continue
        o = onset[m].dropna().to_numpy(dtype=float)
        q = np.percentile(o, [25, 50, 75]) if len(o) else [np.nan] * 3
        rows.append({"side": name, "n_episodes": int(m.sum()), "n_runs": int(ep.loc[m, "run_id"].nunique()),
                     "onset_median_min": float(q[1]), "onset_q1_min": float(q[0]), "onset_q3_min": float(q[2]),
                     "p_value": np.nan})
    out = pd.DataFrame(rows, columns=SIDE_COLUMNS)
    n = {r.side: r.n_episodes for r in out.itertuples(index=False)}
    left, right = onset[(side == "left").to_numpy()].dropna(), onset[(side == "right").to_numpy()].dropna()
    if not (n.get("left", 0) or n.get("right", 0)):
        return out, {"code": "no_side"}
    counts = {k: int(n.get(k, 0)) for k in ("left", "right", "both")}
    if min(len(left), len(right)) < MIN_SIDED:
        return out, {"code": "too_few", **counts}
    p = float(stats.mannwhitneyu(left, right, alternative="two-sided", method="auto").pvalue)
    out.loc[out["side"] == "left", "p_value"] = p
    return out, {"code": "different" if p < 0.05 else "similar", **counts,
                 "left_median": float(np.median(left)), "right_median": float(np.median(right)), "p_value": p}


def _balance_before(arrays, t_s: float) -> float:
    """Mean ground-contact balance (left share [%]) from the start to *t_s* [s]; NaN with too few samples."""
    el, vals = arrays
    v = vals["stance_time_balance_left_pct"][el <= t_s]
    v = v[np.isfinite(v)]
    return float(v.mean()) if len(v) >= MIN_BALANCE_SAMPLES else float("nan")


def side_balance_comparison(episodes: pd.DataFrame, records: pd.DataFrame,
                            flags: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """Do left-sided episodes come with a left-leaning ground contact, and right-sided with a right-leaning one?

    A runner who loads one foot longer (ground contact time balance, the
    left foot's share of the contact time, :data:`runlog.schema.DYNAMICS_COLUMNS`)
    may compress that foot's nerves more.  For every left- or right-sided
    episode with a known onset, the mean balance from the start of the run to
    onset (at least :data:`MIN_BALANCE_SAMPLES` samples; after onset a limp
    would be a consequence) is compared between left and right episodes by
    the one-sided Mann-Whitney U test, alternative "left-sided episodes have
    the larger left share" (the direction the question names, declared
    before looking; exact for small samples without ties, scipy
    ``method='auto'``), when each side has at least
    :data:`MIN_SIDED_BALANCE` such episodes.  Runs without numbness are
    shown for reference (their balance over the same first minutes: the
    median onset of the sided episodes), not tested.

    Parameters
    ----------
    episodes : DataFrame
        :func:`runlog.read_episodes` output (``run_id``, ``side``, ``onset_min`` [min]).
    records : DataFrame
        ``History.records`` (MultiIndex run_id, time; ``elapsed_s``,
        ``stance_time_balance_left_pct``).
    flags : DataFrame, optional
        Episode flags of the analysed runs (index run_id, ``numb``): only
        episodes on these runs, and its runs without numbness as the
        reference; default every episode, no reference.

    Returns
    -------
    (DataFrame, dict)
        :data:`BALANCE_COLUMNS`, one row per group ('left', 'right', 'no
        numbness') with ``n`` episodes (runs) with a balance, the balance's
        median and quartiles [% on the left foot] and the one-sided
        ``p_value`` (on the 'left' row; NaN when not tested); and the
        outcome (empty when no episode says its side): ``code`` (one of
        :data:`BALANCE_CODES`), ``n_left``, ``n_right`` (sided episodes with
        a balance) and, when tested, ``left_median``, ``right_median``,
        ``reference_median`` (runs without numbness; NaN without them) [%]
        and ``p_value`` (worded by
        :func:`runlog.render.wording.side_balance_sentence`).

    References
    ----------
    .. [1] Mann, H. B. & Whitney, D. R. (1947). Ann Math Stat 18(1):50-60.
    .. [2] Garmin, running dynamics: ground contact time balance (Running
       Dynamics Pod and HRM-Run owner's manuals).
    """
    ep = episodes if flags is None else episodes[episodes["run_id"].isin(list(flags.index))]
    side = (ep["side"].astype("string").str.lower() if "side" in ep
            else pd.Series(pd.NA, index=ep.index, dtype="string"))
    onset = pd.to_numeric(ep.get("onset_min", pd.Series(np.nan, index=ep.index)), errors="coerce")
    sided = (side.isin(["left", "right"]).fillna(False) & onset.notna()).to_numpy(dtype=bool)
    out = pd.DataFrame(columns=BALANCE_COLUMNS)
    if not side.isin(["left", "right"]).fillna(False).any():
        return out, {}
    ep, side, onset = ep[sided], side[sided], onset[sided]
    controls = ([] if flags is None
                else list(flags.index[~flags["numb"].fillna(False).astype(bool).to_numpy()]))
    have = (records is not None and len(records) and "stance_time_balance_left_pct" in records
            and records["stance_time_balance_left_pct"].notna().any())
    arrays = (_run_arrays(records, list(ep["run_id"]) + controls, ["stance_time_balance_left_pct"])
              if have else {})
    bal = np.array([_balance_before(arrays[r], o * 60.0) if r in arrays else np.nan
                    for r, o in zip(ep["run_id"], onset)], dtype=float)
    groups = {name: bal[(side == name).to_numpy()] for name in ("left", "right")}
    groups = {k: v[np.isfinite(v)] for k, v in groups.items()}
    if controls and (len(groups["left"]) or len(groups["right"])):
        t_ref = float(np.median(onset[np.isfinite(bal)])) * 60.0
        ref = np.array([_balance_before(arrays[r], t_ref) for r in controls if r in arrays], dtype=float)
        groups["no numbness"] = ref[np.isfinite(ref)]
    rows = []
    for name, v in groups.items():
        q = np.percentile(v, [25, 50, 75]) if len(v) else [np.nan] * 3
        rows.append({"group": name, "n": len(v), "balance_median_pct": float(q[1]),
                     "balance_q1_pct": float(q[0]), "balance_q3_pct": float(q[2]), "p_value": np.nan})
    out = pd.DataFrame(rows, columns=BALANCE_COLUMNS)
    nl, nr = len(groups["left"]), len(groups["right"])
    if nl + nr == 0:
        return out, {"code": "no_balance", "n_left": 0, "n_right": 0}
    if min(nl, nr) < MIN_SIDED_BALANCE:
        return out, {"code": "too_few", "n_left": nl, "n_right": nr}
    p = float(stats.mannwhitneyu(groups["left"], groups["right"], alternative="greater", method="auto").pvalue)
    out.loc[out["group"] == "left", "p_value"] = p
    ref = groups.get("no numbness", np.array([]))
    return out, {"code": "leans" if p < 0.05 else "no_lean", "n_left": nl, "n_right": nr,
                 "left_median": float(np.median(groups["left"])), "right_median": float(np.median(groups["right"])),
                 "reference_median": float(np.median(ref)) if len(ref) else np.nan, "p_value": p}


def _run_sides(episodes: pd.DataFrame, run_ids=None) -> pd.Series:
    """The side of each run's numbness: 'left' or 'right' when all its sided episodes say so (a run
    with both, or with 'both', is neither); index run_id."""
    ep = episodes if run_ids is None else episodes[episodes["run_id"].isin(list(run_ids))]
    if "side" not in ep or not len(ep):
        return pd.Series(dtype="string")
    side = ep["side"].astype("string").str.lower()
    sided = pd.DataFrame({"run_id": ep["run_id"], "side": side})
    sided = sided[sided["side"].isin(["left", "right", "both"])]
    one = sided.groupby("run_id")["side"].agg(lambda v: v.iloc[0] if v.nunique() == 1 else "mixed")
    return one[one.isin(["left", "right"])].astype("string")


def side_cause_comparison(episodes: pd.DataFrame, features: pd.DataFrame, causes: pd.DataFrame,
                          run_ids=None) -> tuple[pd.DataFrame, dict]:
    """Do left-sided and right-sided episodes come on different kinds of run (another cause)?

    For each cause the report judged on a numeric measure (the ``factor`` of
    :attr:`Report.causes <runlog.report.Report.causes>`: air
    temperature, consecutive days, ...), the measure on the runs with
    left-sided numbness is compared with the runs with right-sided numbness
    by the two-sided Mann-Whitney U test (exact for small samples without
    ties, scipy ``method='auto'``), Holm's adjustment over the causes
    compared (Holm 1979); each side needs :data:`MIN_SIDED` runs with a
    value.  A run whose episodes name both sides counts for neither.  In-run
    measures are the ones taken before onset (the *features* the cause
    model used).

    Parameters
    ----------
    episodes : DataFrame
        :func:`runlog.read_episodes` output (``run_id``, ``side``).
    features : DataFrame
        Features of the analysed runs (index run_id).
    causes : DataFrame
        The causes table (``cause``, ``cause_label``, ``factor``, ``factor_label``).
    run_ids : sequence, optional
        Only episodes on these runs.

    Returns
    -------
    (DataFrame, dict)
        :data:`SIDE_CAUSE_COLUMNS`, one row per cause compared, smallest p
        first; and the outcome (empty when no run is sided): ``code`` (one of
        :data:`SIDE_CAUSE_CODES`), ``runs_left``, ``runs_right`` (runs numb
        on that side only) and, when compared, the first row's ``factor``,
        ``factor_label``, ``left_median``, ``right_median``, ``n_left``,
        ``n_right``, ``p_value``, ``q_value`` and ``n_tested`` (causes in
        Holm's adjustment; worded by
        :func:`runlog.render.wording.side_cause_sentence`).

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test
       procedure. Scand J Stat 6(2):65-70.
    """
    from .causes import holm

    sides = _run_sides(episodes, run_ids)
    empty = pd.DataFrame(columns=SIDE_CAUSE_COLUMNS)
    if not len(sides):
        return empty, {}
    rows = []
    for r in causes.itertuples(index=False):
        name = r.factor
        if not isinstance(name, str) or name not in features:
            continue
        col = features[name]
        if not (pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)):
            continue   # the shoes: a pair per run, not a measure
        v = col.astype("float64").reindex(sides.index)
        left = v[(sides == "left").to_numpy()].dropna().to_numpy(dtype=float)
        right = v[(sides == "right").to_numpy()].dropna().to_numpy(dtype=float)
        p = (float(stats.mannwhitneyu(left, right, alternative="two-sided", method="auto").pvalue)
             if min(len(left), len(right)) >= MIN_SIDED and np.unique(np.r_[left, right]).size > 1 else np.nan)
        rows.append({"cause": r.cause, "factor": name, "factor_label": r.factor_label or name,
                     "n_left": len(left), "n_right": len(right),
                     "left_median": float(np.median(left)) if len(left) else np.nan,
                     "right_median": float(np.median(right)) if len(right) else np.nan, "p_value": p})
    out = pd.DataFrame(rows, columns=SIDE_CAUSE_COLUMNS)
    # runs, not episodes: a run counts once however many episodes it had, and not at all when both sides
    # went numb
    runs = {"runs_left": int((sides == "left").sum()), "runs_right": int((sides == "right").sum())}
    tested = out["p_value"].notna().to_numpy()
    if not tested.any():
        return out, {"code": "too_few", **runs}
    out.loc[tested, "q_value"] = holm(out.loc[tested, "p_value"].to_numpy())
    out = out.sort_values("p_value", na_position="last", kind="stable").reset_index(drop=True)
    top = out.iloc[0]
    return out, {"code": "different" if top["q_value"] < 0.05 else "similar", **runs,
                 **{k: top[k] for k in ("factor", "factor_label", "left_median", "right_median", "p_value",
                                        "q_value")},
                 "n_left": int(top["n_left"]), "n_right": int(top["n_right"]), "n_tested": int(tested.sum())}


@dataclass
class OnsetResult:
    """Time (and distance) to onset of numbness within a run: numbers and codes, worded by
    :func:`runlog.render.wording.onset_sentences`.

    Attributes
    ----------
    summary : DataFrame
        One row per scale ('minutes', 'km'), columns :data:`SUMMARY_COLUMNS`:
        Kaplan-Meier median and interval over all runs (runs without numbness
        censored at their end), the median onset among numb runs with its exact
        interval, quartiles, range, quartile coefficient of dispersion and
        whether onset is reproducible.
    curves : DataFrame
        Kaplan-Meier curves, long format: ``scale`` + the columns of
        :func:`kaplan_meier`'s curve.
    landmarks : DataFrame
        Kaplan-Meier share of runs with numbness by 30/60/90 minutes and
        5/10/15 km (:data:`LANDMARKS`): ``scale`` + the columns of
        :func:`km_landmarks`.
    at_onset : DataFrame
        :func:`at_onset_comparison` output.
    by_side : DataFrame
        :func:`side_comparison` table (empty without the journal's episodes).
    side_outcome : dict
        What the sides show, or why they cannot be compared (:func:`side_comparison`'s outcome; empty
        without episodes).
    by_side_balance : DataFrame
        :func:`side_balance_comparison` table: ground contact time balance
        before onset of left- and right-sided episodes (empty without sided
        episodes).
    side_balance_outcome : dict
        Whether the side of the numbness goes with the side the runner leans
        on, or why it cannot be tested (:func:`side_balance_comparison`'s outcome; empty without sided
        episodes).
    by_side_cause : DataFrame
        :func:`side_cause_comparison` table: each cause's measure on left-
        against right-sided runs (empty until the cause analysis fills it).
    side_cause_outcome : dict
        Whether the two sides' episodes came on different kinds of run (:func:`side_cause_comparison`'s
        outcome).
    notes : list of dict
        What could not be computed and why: a ``code`` of :data:`NOTE_CODES` and its numbers.
    """

    summary: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SUMMARY_COLUMNS))
    curves: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["scale", "time", "survival", "ci_low", "ci_high", "n_at_risk", "n_events"]))
    at_onset: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AT_ONSET_COLUMNS))
    notes: list = field(default_factory=list)
    landmarks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LANDMARK_COLUMNS))
    by_side: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SIDE_COLUMNS))
    side_outcome: dict = field(default_factory=dict)
    by_side_balance: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BALANCE_COLUMNS))
    side_balance_outcome: dict = field(default_factory=dict)
    by_side_cause: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SIDE_CAUSE_COLUMNS))
    side_cause_outcome: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """The onset summary table (one row per scale).

        Returns
        -------
        DataFrame
            :attr:`summary` (itself, not a copy).
        """
        return self.summary

    def _repr_html_(self) -> str:  # pragma: no cover - cosmetic
        return self.summary.to_html(index=False) + self.at_onset.to_html(index=False)

    @property
    def reproducible(self) -> bool:
        """True when onset is consistent in minutes or in km."""
        return bool(len(self.summary) and self.summary["reproducible"].astype(bool).any())


def analyze_onset(flags: pd.DataFrame, runs: pd.DataFrame, records: pd.DataFrame | None = None, *,
                  window_s: float = 120.0, episodes: pd.DataFrame | None = None) -> OnsetResult:
    """Kaplan-Meier time and distance to onset, spread, reproducibility and the comparison at onset.

    Parameters
    ----------
    flags : DataFrame
        Episode flags of the analysed (tracked) runs.
    runs : DataFrame
        ``History.runs``.
    records : DataFrame, optional
        ``History.records``; without it the comparison at onset is skipped.
    window_s : float
        Window before onset for the comparison [s].
    episodes : DataFrame, optional
        The journal (:func:`runlog.read_episodes`): left against right
        (:func:`side_comparison`) on the runs of *flags*, and their ground
        contact time balance before onset (:func:`side_balance_comparison`,
        with *records*).

    Returns
    -------
    OnsetResult
    """
    res = OnsetResult()
    rows, curves, landmarks = [], [], []
    n_numb = int(flags["numb"].astype(bool).sum())
    for scale, _col, unit in (("minutes", "onset_min", "min"), ("km", "onset_km", "km")):
        dur = onset_durations(flags, runs, scale)
        curve, med = kaplan_meier(dur["duration"], dur["event"])
        known = dur.loc[dur["event"], "duration"].to_numpy()
        if n_numb and len(known) < n_numb:
            res.notes.append({"code": "onset_unknown", "unit": unit, "n_missing": n_numb - len(known),
                              "n_numb": n_numb})
        lm = km_landmarks(curve, dur["duration"], LANDMARKS[scale])
        landmarks.append(lm.assign(scale=scale))
        m, lo, hi = median_ci(known)
        rows.append({"scale": scale, "unit": unit, "n_runs": len(dur), "n_onsets": len(known),
                     "n_censored": int((~dur["event"]).sum()), **med,
                     "median": m, "ci_low": lo, "ci_high": hi, **onset_spread(known)})
        curves.append(curve.assign(scale=scale))
    res.summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    res.curves = pd.concat(curves, ignore_index=True)
    res.curves = res.curves[["scale", *[c for c in res.curves.columns if c != "scale"]]]
    res.landmarks = pd.concat(landmarks, ignore_index=True)[LANDMARK_COLUMNS]
    if records is not None and len(records) and n_numb:
        res.at_onset = at_onset_comparison(records, flags, runs, window_s=window_s)
    elif n_numb:
        res.notes.append({"code": "no_records"})
    if episodes is not None and len(episodes) and "run_id" in episodes:
        res.by_side, res.side_outcome = side_comparison(episodes, flags.index)
        res.by_side_balance, res.side_balance_outcome = side_balance_comparison(episodes, records, flags)
    return res
