"""Which article-named cause goes with numbness, once the others are accounted for.

The decision behind every finding of a :class:`~runlog.report.Report`
(issue "Analysis v2").  One model answers the runner's question:

* **one primary measure per cause**, declared in the feature catalogue before
  any outcome is seen (``Feature.primary``): heat = air temperature (the
  watch's temperature when there is no weather), run length = duration,
  training load = consecutive running days, intensity = pace relative to the
  runner's usual, warm-up = first-10-minute pace against the rest, shoes = the
  pair worn (one pair against the others), form = cadence, terrain = climb per
  kilometre;
* **heat acts over the hours**: sweat loss and heat storage build up with time
  (Sawka et al. 2007), so a heat measure (``Feature.dose``) enters as a heat
  exposure, its excess over the runner's median times the hours run (effect
  "per 5 °C above your usual, per hour on your feet").  Its test carries no
  other time-on-the-feet term: a ``log2 duration`` term would take away the
  part of the heat that comes with long hot runs, and the ``log duration``
  offset would assume that a cool run's risk doubles with its length, which
  is the run-length cause's claim, not heat's (:meth:`CauseAnalysis._offset`);
  whether run length adds anything is then decided with heat in the model
  (the simulated seasons that decided it: ``docs/validation.md``);
* **exposures come before the outcome**: measures taken during the run are
  computed on the part before numbness started
  (:func:`runlog.features.core.in_run_features`, see :func:`exposure_windows`);
* **time on the feet**: a run twice as long gives twice the opportunity, so
  the model carries ``log(duration)`` as an offset (Firth logistic ~
  complementary log-log for rare events; a constant risk per minute gives
  ``P(numb) = 1 - exp(-lambda T)``, ``cloglog P = log lambda + log T``); the
  run-length cause is then the risk per minute rising on longer runs;
* **the season**: a calendar-time term (linear plus hinges, about one degree of
  freedom per two months) takes up slow trends that move risk and exposure
  together;
* **each cause, then the causes together** (Firth-penalised logistic
  regression, Firth 1993; Heinze & Schemper 2002): each cause's measure is
  tested with the season and the time on the feet; Holm's step-down
  procedure over the causes, each step re-testing the remaining causes with
  the ones already passed in the model; the causes that pass are then fitted
  together and the weakest is dropped while
  it no longer holds with the others in the model (a measure that only moves
  with another cause - pace slows in the heat - drops out).  A model with all
  eight causes at once spends the few episodes on shadows (``docs/validation.md``);
  the price is that two real causes that mask each other (strongly negatively
  correlated) can both be missed;
* **dependence between runs**: each penalised likelihood-ratio statistic is
  divided by a variance-inflation factor kappa^2 >= 1, the ratio of a
  time-kernel (Bartlett, :data:`HAC_BANDWIDTH_D` days) heteroscedasticity-and-
  autocorrelation-consistent variance to the independent-runs sandwich of the
  same score (Newey & West 1987; Conley 1999 for a kernel in distance, here
  calendar days); the interval is ``coef +- z * se_LRT * kappa`` with
  ``se_LRT = |coef| / sqrt(LR)``, so estimate, interval and p-value are one
  story (the interval excludes 1 exactly when p < 0.05);
* **multiplicity**: Holm's step-down adjustment over the causes tested
  (family-wise error <= 5 %, Holm 1979): a cause is a **finding** when its
  Holm-adjusted p-value < 0.05 and it holds with the other findings.  The
  reported ``q_value`` is the larger of the two (Holm's, and the p-value in
  the final model), so q >= p.

Secondary measures of a finding cause (heat index, WBGT, dew point, sweat loss
for heat) are compared by penalised log-likelihood in the place of the primary
("which measure fits best"), never as separate findings; every other measure
is tested alone and with the finding causes in the model, and one that goes
with numbness alone but not once the findings are in is "explained" by them.

References
----------
Firth D (1993). Bias reduction of maximum likelihood estimates. Biometrika 80, 27-38.
Heinze G, Schemper M (2002). A solution to the problem of separation in logistic
regression. Statistics in Medicine 21, 2409-2419.
Sawka MN et al. (2007). American College of Sports Medicine position stand: exercise and
fluid replacement. Med Sci Sports Exerc 39, 377-390.
Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat 6, 65-70.
Newey WK, West KD (1987). A simple, positive semi-definite, heteroskedasticity and
autocorrelation consistent covariance matrix. Econometrica 55, 703-708.
Conley TG (1999). GMM estimation with cross sectional dependence. J Econometrics 92, 1-45.
Allison PD (1982). Discrete-time methods for the analysis of event histories.
Sociological Methodology 13, 61-98 (complementary log-log with log exposure).
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from .. import schema
from ..units import number_text

__all__ = [
    "ALPHA", "HAC_BANDWIDTH_D", "CAUSE_COLUMNS", "FINDING_COLUMNS", "MIN_LEVEL_RUNS",
    "EFFECT_COLUMNS", "EFFECT_KINDS", "STATUSES", "REASONS", "RISK_COLUMNS", "effect_columns",
    "nice_unit", "primary_measures", "exposure_windows", "calendar_basis",
    "firth", "inflation", "holm", "decide", "CauseAnalysis",
]

#: Family-wise error rate of the findings (Holm over causes).
ALPHA = 0.05
#: Bandwidth of the time kernel of the dependence correction [days].
HAC_BANDWIDTH_D = 7.0
#: Days of season per degree of freedom of the calendar-time term.
CALENDAR_DAYS_PER_DF = 90.0
#: Most degrees of freedom of the calendar-time term (None: by season length).
CALENDAR_MAX_DF: int | None = None
#: The run-length cause's measure: entered as log2(duration) next to the log(duration) offset, so its
#: odds ratio is per doubling of the run *beyond* the doubled time at risk; one-sided (risk rising).
EXPOSURE_TERM = "duration_min"
#: A numeric primary measure must vary by at least this fraction of its effect unit (SD) to be
#: judged: an odds ratio per 5 steps/min read off runs that differ by 0.1 steps/min is an
#: extrapolation, not evidence.
MIN_SPREAD_UNITS = 0.1
#: A shoe pair needs this many analysed runs to be compared with the others.
MIN_LEVEL_RUNS = 8
#: A primary measure is testable when at least this share of the runs has it.
MIN_PRESENT = 0.5

#: What an odds ratio is per (``effect_kind``): a fixed step of the measure ('per 5 °C'), a doubling
#: of the run, a step of a heat exposure above the runner's usual per hour on the feet, with vs
#: without (yes/no measures), one shoe pair against the others.
EFFECT_KINDS = ("per_step", "per_doubling", "exposure", "with_without", "level")
#: The pieces of ``effect_unit`` (:func:`effect_columns`): ``effect_kind`` (one of
#: :data:`EFFECT_KINDS`, '' when not tested), ``effect_per`` (the step [measure's unit], NaN unless
#: per_step / exposure), ``effect_per_unit`` (the unit as written after the step: '°C', 'days',
#: '(ratio)'), ``effect_usual`` (the runner's median of a heat exposure's measure [effect_per_unit],
#: else NaN).
EFFECT_COLUMNS = ["effect_kind", "effect_per", "effect_per_unit", "effect_usual"]

#: A cause's ``status``: a finding; it went with numbness but not once the findings were in the model
#: (``explained``, by the causes in ``explained_by``); it passed alone but not with the other candidates
#: (``not_clear_adjusted``); run length that rises no faster than the time on the feet
#: (``no_rise_beyond_time``); ``no_clear_link``; or ``not_testable`` (why: ``reason``).
STATUSES = ("finding", "explained", "not_clear_adjusted", "no_rise_beyond_time", "no_clear_link", "not_testable")
#: Why a cause is ``not_testable`` (``reason``) and what ``reason_value`` then holds: ``no_measure`` (no
#: measure of it in the data), ``no_pair`` (no shoe pair on at least ``reason_value`` runs and left out
#: of as many), ``coverage`` (the measure is known for only the share ``reason_value`` of the runs),
#: ``no_spread`` (it hardly varies between runs), ``no_fit`` (the model could not be fitted: the error).
REASONS = ("no_measure", "no_pair", "coverage", "no_spread", "no_fit")

#: The decision per cause, in codes and numbers (:meth:`CauseAnalysis.run`); ``explained_by`` holds the
#: explaining cause ids joined by ','.  Words for a reader: :mod:`runlog.render.wording`.
CAUSE_COLUMNS = [
    "cause", "factor", "level", "effect", "ci_low", "ci_high", "p_value", "q_value", "finding", "status",
    "explained_by", "reason", "reason_value", "kappa", *EFFECT_COLUMNS,
]
#: The absolute risks on either side of a finding's split (:meth:`CauseAnalysis.risk_split`):
#: ``risk_kind`` 'level' (at the level against the other runs), 'with_without' or 'threshold'
#: (above ``risk_threshold`` [``risk_unit``] against at or below), and the numb runs and runs on each side.
RISK_COLUMNS = ["risk_kind", "risk_threshold", "risk_unit", "exposed_numb", "exposed_runs", "other_numb",
                "other_runs"]
#: One row per finding cause: its numbers, the measure of the cause that fits best (``best_measure``, a
#: feature column) and the risks of :data:`RISK_COLUMNS`.
FINDING_COLUMNS = [
    "cause", "factor", "level", "effect", "ci_low", "ci_high", "p_value", "q_value", *EFFECT_COLUMNS,
    "best_measure", *RISK_COLUMNS,
]


# ----------------------------------------------------------------------------------------------
# Small pure helpers
# ----------------------------------------------------------------------------------------------
def nice_unit(x) -> float:
    """A round unit (1, 2 or 5 times a power of ten) close to the spread of *x*.

    Used for measures without a declared ``Feature.per`` (e.g. a run-notes
    column): the standard deviation rounded down to 1-2-5.

    Parameters
    ----------
    x : array_like
        The values of a measure (non-numeric entries are ignored).

    Returns
    -------
    float
        The unit, in the measure's own unit; 1.0 when the spread is 0 or unknown.
    """
    v = pd.to_numeric(pd.Series(x), errors="coerce").astype("float64").dropna()
    sd = float(v.std()) if len(v) > 1 else 0.0
    if not np.isfinite(sd) or sd <= 0:
        return 1.0
    p = 10.0 ** math.floor(math.log10(sd))
    for m in (5.0, 2.0, 1.0):
        if m * p <= sd:
            return m * p
    return p


def _per(name: str, x: pd.Series, catalog: dict) -> float:
    f = catalog.get(name)
    per = float(getattr(f, "per", float("nan"))) if f is not None else float("nan")
    return per if np.isfinite(per) and per > 0 else nice_unit(x)


def effect_columns(name: str, per: float, catalog: dict, kind: str, *, usual: float | None = None) -> dict:
    """What a measure's odds ratio is per, as the columns :data:`EFFECT_COLUMNS`.

    Parameters
    ----------
    name : str
        Feature column.
    per : float
        The step of a numeric measure [its unit] (ignored for the other kinds).
    catalog : dict
        name -> :class:`~runlog.schema.Feature` (``unit``, ``dose``).
    kind : {'numeric', 'binary', 'categorical'}
        The measure's kind.
    usual : float, optional
        The runner's median of the measure: a heat exposure (``Feature.dose``)
        is per step above it, per hour on the feet.

    Returns
    -------
    dict
        ``effect_kind``, ``effect_per``, ``effect_per_unit``, ``effect_usual``
        (their words, 'per 5 °C above your usual 16 °C, per hour on your feet':
        :func:`runlog.render.wording.effect_unit_text`).
    """
    nan = float("nan")
    f = catalog.get(name)
    unit = getattr(f, "unit", "") if f is not None else ""
    dose = usual is not None and bool(getattr(f, "dose", False))
    out: dict[str, Any]  # str and float values
    if kind == "binary" and not dose:
        out = {"effect_kind": "with_without", "effect_per": nan, "effect_per_unit": "", "effect_usual": nan}
    elif kind == "categorical" and not dose:
        out = {"effect_kind": "level", "effect_per": nan, "effect_per_unit": "", "effect_usual": nan}
    elif name == EXPOSURE_TERM and not dose:
        out = {"effect_kind": "per_doubling", "effect_per": nan, "effect_per_unit": "", "effect_usual": nan}
    else:
        word = {"d": "day", "h": "hours", "": "(ratio)"}.get(unit, unit)
        if word == "day" and number_text(per) != "1":
            word = "days"
        elif re.fullmatch(r"\d+-\d+", word):    # a rating scale ('0-10'): 'per 1 point (0-10)'
            word = f"{'point' if number_text(per) == '1' else 'points'} ({word})"
        out = {"effect_kind": "exposure" if dose else "per_step", "effect_per": float(per),
               "effect_per_unit": word, "effect_usual": float(usual) if dose and usual is not None else nan}
    return out


def _exp(v: float) -> float:
    """exp without overflow (an unbounded interval reads inf, not an error)."""
    return float(np.exp(np.clip(v, -700.0, 700.0))) if np.isfinite(v) else (float("inf") if v > 0 else 0.0)


def holm(p) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979), NaN kept.

    Parameters
    ----------
    p : array_like
        p-values.

    Returns
    -------
    ndarray
        Adjusted p-values (at most 1), same shape; NaN where *p* is not finite.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test
       procedure. Scand J Statist 6:65-70.
    """
    p = np.asarray(p, dtype="float64")
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m == 0:
        return out
    pv = p[ok]
    order = np.argsort(pv, kind="stable")
    adj = np.maximum.accumulate((m - np.arange(m)) * pv[order])
    res = np.empty(m)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def calendar_basis(days, *, days_per_df: float = CALENDAR_DAYS_PER_DF, max_df: int | None = None) -> pd.DataFrame:
    """A calendar-time term: linear trend plus hinges at quantile knots.

    Parameters
    ----------
    days : array_like
        Days since the first analysed run [d].
    days_per_df : float
        Season length per degree of freedom [d]; 1 to 4 df.

    Returns
    -------
    DataFrame
        Columns ``season_1`` (linear, per 30 d) and ``season_k`` = ``(d - knot)+ / 30``
        at the inner quantiles (a piecewise-linear spline, Harrell 2015,
        *Regression Modeling Strategies*, 2.4.3), centred.

    References
    ----------
    .. [1] Harrell, F. E. (2015). Regression Modeling Strategies, 2nd ed.
       Springer (section 2.4.3).
    """
    d = np.asarray(days, dtype="float64")
    span = float(np.nanmax(d) - np.nanmin(d)) if d.size else 0.0
    df = int(np.clip(round(span / days_per_df), 1, 4)) if span > 14 else 0
    df = df if max_df is None else min(df, int(max_df))
    cols = {}
    if df >= 1:
        cols["season_1"] = d / 30.0
        for k, q in enumerate(np.linspace(0, 1, df + 1)[1:-1], start=2):
            knot = float(np.nanquantile(d, q))
            cols[f"season_{k}"] = np.clip(d - knot, 0, None) / 30.0
    out = pd.DataFrame(cols)
    return out - out.mean() if len(out.columns) else out


def exposure_windows(flags: pd.DataFrame, duration_min: pd.Series | None = None, *, seed: int = 0) -> pd.Series:
    """Minutes of each run that count as 'before numbness' [min].

    A run with numbness: up to its (first) onset.  Every other run, and a
    numb run whose onset is unknown: a window drawn at random from the known
    onsets that fit into the run (risk-set sampling of exposure windows, as
    for time-matched controls; Greenland & Thomas 1982, Am J Epidemiol
    116:547-553; a run shorter than every onset is used whole), so that
    windows of runs with and without numbness have the same distribution of
    lengths and a measure that depends on the window's length (pace is
    slower in the first minutes) cannot differ between them by
    construction.  The draw is seeded: the same journal gives the same
    windows.

    Parameters
    ----------
    flags : DataFrame
        :func:`runlog.journal.episode_flags` rows (``numb``, ``onset_min``).
    duration_min : Series, optional
        Each run's duration [min] (index run_id); without it any onset may be drawn.
    seed : int
        Seed of the draws.

    Returns
    -------
    Series of float
        Index run_id; NaN = the whole run (no onset known at all).

    References
    ----------
    .. [1] Greenland, S. & Thomas, D. C. (1982). On the need for the rare
       disease assumption in case-control studies. Am J Epidemiol 116:547-553.
    """
    numb = flags["numb"].astype(bool)
    onset = pd.to_numeric(flags.get("onset_min", pd.Series(np.nan, index=flags.index)),
                          errors="coerce").astype("float64")
    has = numb & onset.notna()
    known = onset[has].to_numpy()
    win = pd.Series(np.nan, index=flags.index, dtype="float64")
    if known.size:
        rng = np.random.default_rng(seed)
        known = np.sort(known)
        dur = (np.full(len(win), np.inf) if duration_min is None else
               pd.to_numeric(duration_min.reindex(flags.index), errors="coerce").fillna(np.inf).to_numpy())
        fits = np.searchsorted(known, dur, side="right")          # onsets no longer than the run
        pick = np.floor(rng.random(len(win)) * np.maximum(fits, 1)).astype(int)
        win[:] = np.where(fits > 0, known[np.minimum(pick, known.size - 1)], np.nan)
        win[has] = onset[has]
    return win


def _usable(s: pd.Series) -> bool:
    """A measure the model can use: known for at least :data:`MIN_PRESENT` of the runs, and varying."""
    return bool(s.notna().mean() >= MIN_PRESENT and s.dropna().nunique() >= 2)


def primary_measures(features: pd.DataFrame, catalog: dict) -> dict[str, str]:
    """The measure each cause is judged on: its primary, or the fallback when the primary is missing.

    Parameters
    ----------
    features : DataFrame
        Per-run features (columns = feature names).
    catalog : dict
        Feature name -> :class:`~runlog.schema.Feature` (``cause``, ``primary``,
        ``candidate``).

    Returns
    -------
    dict
        cause -> column of *features* (causes without a usable measure are absent).
    """
    out: dict[str, str] = {}
    cands: dict[str, list] = {}
    for name, f in catalog.items():
        if getattr(f, "primary", 0) and f.candidate and name in features:
            cands.setdefault(f.cause, []).append((f.primary, name))
    for cause, lst in cands.items():
        lst = sorted(lst)
        for _, name in lst:
            s = features[name]
            if _usable(s):
                out[cause] = name
                break
        else:   # none usable: the first choice, for the 'not testable' row to name
            out.setdefault(cause, lst[0][1])
    return out


# ----------------------------------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------------------------------
def firth(X, y, offset=None, *, lrt=None, columns=None) -> dict:
    """Firth-penalised logistic regression with an offset.

    Parameters
    ----------
    X : DataFrame or 2-D ndarray
        Predictors (no missing values); an intercept is added.
    columns : list of str, optional
        Names of the columns of an ndarray *X* (default ``X.columns``).
    y : array-like of bool
    offset : array-like, optional
        Fixed term of the linear predictor (log exposure).
    lrt : list of str, optional
        Columns to give penalised likelihood-ratio tests for.

    Returns
    -------
    dict
        ``coef`` (Series), ``loglik`` (penalised), ``p`` (Series of LRT p-values,
        one per *lrt* column), ``lr`` (LR statistics), ``prob`` (fitted
        probabilities), ``model`` (the fitted estimator).
    """
    cols = list(X.columns) if columns is None else list(columns)
    idx = [cols.index(c) for c in lrt] if lrt else None
    fit = _firth_fit(np.asarray(X, dtype="float64"), y, offset, lrt_at=idx)
    names = list(lrt) if lrt else []
    return {**fit, "coef": pd.Series(fit["coef"], index=cols),
            "p": pd.Series(fit["p"], index=names, dtype="float64"),
            "lr": pd.Series(fit["lr"], index=names, dtype="float64")}


def _firth_fit(X: np.ndarray, y, offset=None, *, lrt_at: list[int] | None = None) -> dict:
    """:func:`firth` on an ndarray, with arrays out (``coef``, ``p``/``lr`` per column of *lrt_at*):
    the cause tests fit a model some 140 times per analysis, and building labelled Series for each
    fit cost about as much as the fit's own validation."""
    from firthmodels import FirthLogisticRegression

    yv = np.asarray(y).astype(int)
    m = FirthLogisticRegression(backend="numpy", max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X, yv, offset=offset)
        p = lr = np.empty(0)
        if lrt_at:
            m.lrt(lrt_at)
            p = np.asarray(m.lrt_pvalues_, dtype="float64")[lrt_at]
            # a failed constrained fit (NaN): the Wald test of the penalised fit instead
            p = np.where(np.isfinite(p), p, np.asarray(m.pvalues_, dtype="float64")[lrt_at])
            lr = special.chdtri(1, np.clip(p, 1e-300, 1.0))
    coef = np.asarray(m.coef_, dtype="float64")
    eta = X @ coef + float(m.intercept_)
    if offset is not None:
        eta = eta + np.asarray(offset, dtype="float64")
    return {"coef": coef, "loglik": float(m.loglik_), "p": p, "lr": lr, "prob": 1.0 / (1.0 + np.exp(-eta)),
            "model": m}


def inflation(X, y, prob, days, *, bandwidth_d: float = HAC_BANDWIDTH_D) -> pd.Series:
    """Variance inflation of each coefficient from dependence between nearby runs (kappa >= 1).

    ``kappa_j^2 = [B^-1 (S' K S) B^-1]_jj / [B^-1 (S' S) B^-1]_jj`` with the score
    contributions ``S_i = x_i (y_i - p_i)`` (intercept included), the information
    ``B = X' diag(p(1-p)) X`` and the Bartlett kernel in calendar days
    ``K_ij = max(0, 1 - |t_i - t_j| / bandwidth)`` (Newey & West 1987; Conley
    1999): the long-run variance of the score against its independent-runs
    value, floored at 1.

    Parameters
    ----------
    X : DataFrame or 2-D ndarray
        Design matrix without intercept, one row per run.
    y : array_like
        Outcome (1 = numbness) per run.
    prob : array_like
        Fitted probabilities of the model per run.
    days : array_like
        Each run's time [days] (any origin).
    bandwidth_d : float
        Bandwidth of the Bartlett kernel [days].

    Returns
    -------
    Series
        kappa per column of *X* (its names; positions for an ndarray).

    References
    ----------
    .. [1] Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite,
       heteroskedasticity and autocorrelation consistent covariance matrix.
       Econometrica 55(3):703-708.
    .. [2] Conley, T. G. (1999). GMM estimation with cross sectional
       dependence. J Econometrics 92:1-45.
    """
    Xv = np.asarray(X, dtype="float64")
    names = X.columns if isinstance(X, pd.DataFrame) else pd.RangeIndex(Xv.shape[1])
    kappa = _inflation(Xv, y, prob, *_kernel_lags(days, bandwidth_d))
    return pd.Series(kappa, index=names)


def _kernel_lags(days, bandwidth_d: float) -> tuple[np.ndarray, list[tuple[int, np.ndarray]]]:
    """The runs in time order and, per lag k, the Bartlett weights ``1 - gap / bandwidth`` of the
    pairs (i, i + k) of that order: the part of :func:`inflation` that depends on the days only
    (computed once per analysis).  Runs sorted by time, so k stops at the first lag whose gaps all
    reach the bandwidth (linear in the number of runs)."""
    t = np.asarray(days, dtype="float64")
    order = np.argsort(t, kind="stable")
    t = t[order]
    lags = []
    for k in range(1, len(t)):
        w = np.clip(1.0 - (t[k:] - t[:-k]) / bandwidth_d, 0.0, None)
        if not (w > 0).any():
            break
        lags.append((k, w))
    return order, lags


def _inflation(X: np.ndarray, y, prob, order: np.ndarray, lags: list) -> np.ndarray:
    """:func:`inflation` of the columns of *X* (without intercept) from :func:`_kernel_lags`."""
    Xv = np.column_stack([np.ones(len(X)), X])
    yv = np.asarray(y, dtype="float64")
    p = np.asarray(prob, dtype="float64")
    S = Xv * (yv - p)[:, None]
    B = Xv.T @ (Xv * (p * (1 - p))[:, None])
    try:
        Binv = np.linalg.pinv(B)
    except np.linalg.LinAlgError:  # pragma: no cover
        return np.ones(Xv.shape[1] - 1)
    So = S[order]
    meat = So.T @ So
    for k, w in lags:
        cross = (So[:-k] * w[:, None]).T @ So[k:]
        meat += cross + cross.T
    v_hac = np.diag(Binv @ meat @ Binv)
    v_iid = np.diag(Binv @ (S.T @ S) @ Binv)
    with np.errstate(divide="ignore", invalid="ignore"):
        k2 = np.where(v_iid > 0, v_hac / v_iid, 1.0)
    return np.sqrt(np.maximum(k2[1:], 1.0))


# ----------------------------------------------------------------------------------------------
# The analysis
# ----------------------------------------------------------------------------------------------
def _column(features: pd.DataFrame, name: str, catalog: dict) -> tuple[pd.Series, str]:
    """A feature as float with its kind (categorical handled by the caller)."""
    f = catalog.get(name)
    kind = getattr(f, "kind", "numeric") if f is not None else "numeric"
    s = features[name]
    if kind != "categorical":
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            s = pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index, name=s.name)
        else:   # text or mixed: numbers where they parse
            s = pd.to_numeric(s.astype("object"), errors="coerce").astype("float64")
    return s, kind


def _varies(name: str, term: pd.Series) -> bool:
    """Whether a numeric measure (in model units) varies enough to be judged (:data:`MIN_SPREAD_UNITS`)."""
    return term.nunique() >= 2 and (name == EXPOSURE_TERM or float(term.std()) >= MIN_SPREAD_UNITS)


def _levels(s: pd.Series, min_runs: int = MIN_LEVEL_RUNS) -> list:
    vc = s.dropna().astype(str).value_counts()
    lv = [k for k, v in vc.items() if v >= min_runs and v <= len(s.dropna()) - min_runs]
    return sorted(lv)


def _one_sided_if_exposure(name: str, effect: float, p: float) -> float:
    """Run length counts only when the risk rises beyond the time at risk: the run-length measure's
    p-value is one-sided (a risk per minute that falls on long runs is no evidence of it)."""
    if name != EXPOSURE_TERM or not np.isfinite(p):
        return p
    return p / 2 if effect > 1 else 1.0 - p / 2


def _threshold(x: pd.Series, per: float) -> float:
    """A round split near the median: the median rounded to the effect unit (or a fifth of it)."""
    med = float(x.median())
    step = per if per > 0 else 1.0
    t = round(med / step) * step
    lo, hi = (x <= t).mean(), (x > t).mean()
    if min(lo, hi) < 0.2:
        step = step / 5.0
        t = round(med / step) * step
    return t


class CauseAnalysis:
    """The cause-level analysis of one data set (see the module docstring).

    Parameters
    ----------
    features : DataFrame
        Features of the analysed runs (index run_id), in-run columns already
        windowed before onset.
    numb : Series of bool
        Outcome of the analysed runs.
    days : Series of float
        Calendar day of each run (days since an origin) [d].
    duration_min : Series of float
        Whole-run duration: the time at risk [min].
    catalog : dict
        name -> Feature.
    alpha : float
        Family-wise error rate over causes.
    """

    def __init__(self, features, numb, days, duration_min, catalog, *, alpha: float = ALPHA,
                 bandwidth_d: float | None = None):
        self.numb = numb.astype(bool)
        idx = self.numb.index
        self.features = features.reindex(idx)
        self.days = pd.to_numeric(days.reindex(idx), errors="coerce").astype("float64")
        dur = pd.to_numeric(duration_min.reindex(idx), errors="coerce").astype("float64")
        ok = self.days.notna() & (dur > 0)
        self.dropped = int((~ok).sum())
        self.skipped: list[str] = []
        self.numb, self.features, self.days, dur = self.numb[ok], self.features[ok], self.days[ok], dur[ok]
        self.offset = np.log(dur.to_numpy() / 60.0)
        self.hours = dur / 60.0
        self.catalog = catalog
        self.alpha = alpha
        self.bandwidth_d = HAC_BANDWIDTH_D if bandwidth_d is None else float(bandwidth_d)
        self.y = self.numb.to_numpy(dtype=bool)
        self.calendar = calendar_basis(self.days.to_numpy() - float(self.days.min()), max_df=CALENDAR_MAX_DF)
        self.calendar.index = self.numb.index
        self._calendar = self.calendar.to_numpy(dtype="float64")
        self._lags = _kernel_lags(self.days.to_numpy(), self.bandwidth_d)
        self._z = float(stats.norm.isf(self.alpha / 2))

    # ------------------------------------------------------------------ design
    def _numeric_term(self, name: str) -> tuple[pd.Series, float]:
        """A numeric measure in model units (per its effect unit; missing values at the median) and the unit.

        A heat measure that acts over the time on the feet (``Feature.dose``) is
        entered as its excess over the runner's median times the hours run (a
        heat exposure [°C h]; sweat loss and heat storage build up with time,
        Sawka et al. 2007): an hour 5 °C above the usual counts as much as two
        half-hours.
        """
        s, _ = _column(self.features, name, self.catalog)
        if name == EXPOSURE_TERM:
            # beyond the offset: log2 so that the effect is per doubling of the time on the feet
            return np.log2(s.clip(lower=1.0).fillna(s.median())).rename(name), float("nan")
        per = _per(name, s, self.catalog)
        x = s.fillna(s.median())
        if self._is_dose(name):
            return ((x - float(x.median())) * self.hours / per).rename(name), per
        return (x / per).rename(name), per

    def _is_dose(self, name: str) -> bool:
        return bool(getattr(self.catalog.get(name), "dose", False))

    def _usual(self, name: str) -> float | None:
        """The runner's median of a heat exposure's measure (what 'above your usual' means), else None."""
        if not self._is_dose(name):
            return None
        return float(_column(self.features, name, self.catalog)[0].median())

    def _base(self, name: str) -> dict[str, pd.Series]:
        """The time-on-the-feet terms a measure is tested with: ``log2 duration`` (beyond the offset),
        except for a heat exposure, which holds the hours itself (a ``log2 duration`` term would take
        away the part of the heat that comes with long hot runs; whether run length adds anything is
        decided with heat in the model)."""
        return {} if self._is_dose(name) else {k: v for k, v in self.duration_term.items() if k != name}

    def _offset(self, terms: dict[str, pd.Series]) -> np.ndarray | None:
        """The ``log hours`` offset of a model with *terms*: none for a model holding a heat exposure
        without the run-length term.

        The exposure (excess temperature x hours) carries the time on the feet itself; an offset on
        top would assume that a cool run's risk doubles with its length, which is the run-length
        cause's claim, not heat's (measured on simulated seasons: ``docs/validation.md``).  With
        the run-length term in the model the offset only moves that term's reference (risk per
        minute instead of per run).
        """
        if EXPOSURE_TERM not in terms and any(self._is_dose(k) for k in terms):
            return None
        return self.offset

    def _level_term(self, name: str, level: str) -> pd.Series:
        s = self.features[name]
        return (s.astype("object").astype(str).where(s.notna()) == level).astype("float64").rename(f"{name}={level}")

    def _design(self, terms: dict[str, pd.Series]) -> tuple[np.ndarray, list[str]]:
        """The design matrix of calendar + *terms* (one numpy block: every term is aligned on the
        analysed runs; a pandas frame per model fit was a third of the measures table's time) and
        its column names."""
        cols = [self._calendar] + [
            np.asarray(t.reindex(self.numb.index) if not t.index.equals(self.numb.index) else t,
                       dtype="float64").reshape(-1, 1) for t in terms.values()]
        return np.hstack(cols), list(self.calendar.columns) + list(terms.keys())

    def _test(self, terms: dict[str, pd.Series], names: list[str], *, wald: bool = False) -> dict[str, dict]:
        """Fit calendar + *terms*, test *names*: name -> coef, LR p deflated by kappa^2, CI.

        ``wald=True``: the Wald test of the penalised fit instead of the likelihood
        ratio (one fit instead of one per tested term; for the descriptive table).
        """
        X, columns = self._design(terms)
        at = [columns.index(n) for n in names]
        fit = _firth_fit(X, self.y, self._offset(terms), lrt_at=None if wald else at)
        if wald:
            lrs = special.chdtri(1, np.clip(np.asarray(fit["model"].pvalues_, dtype="float64")[at], 1e-300, 1.0))
        else:
            lrs = fit["lr"]
        coef = fit["coef"][at]
        kap = _inflation(X, self.y, fit["prob"], *self._lags)[at]
        out = {}
        z = self._z
        for n, b, lr, k in zip(names, coef, lrs, kap):
            b, lr, k = float(b), float(lr), float(k)
            lr_adj = lr / k ** 2
            p = float(special.chdtrc(1, lr_adj))    # chi-square(1) upper tail, as stats.chi2.sf
            se = abs(b) / math.sqrt(lr) if lr > 0 else float("inf")
            out[n] = {"coef": b, "p_value": p, "kappa": k, "effect": _exp(b), "ci_low": _exp(b - z * se * k),
                      "ci_high": _exp(b + z * se * k)}
        return out

    # ------------------------------------------------------------------ causes
    def run(self) -> dict:
        """Decide the findings: each cause alone, Holm over causes, then the candidates together.

        1. **Alone**: each cause's primary measure with the season term and the
           time on the feet (offset ``log duration`` plus ``log2 duration``, so a
           risk per run and a risk per minute both fit); shoes as each pair
           against the others, Bonferroni over the pairs; heat as an exposure
           without the ``log2 duration`` term (see the module docstring).  Holm's
           step-down over causes, re-testing the rest beside each cause passed
           (:meth:`_holm_sequential`), gives ``q_value``; the causes with
           q < alpha are candidates.
        2. **Together**: the candidates in one model; the one with the weakest
           evidence is dropped while its p >= alpha (backward elimination), so a
           measure that goes with numbness only because it moves with another
           candidate (pace slows in the heat) drops out, and what remains are the
           findings.  Their estimate, interval and p-value come from this final
           model; every other cause is shown with the findings in the model.

        Returns
        -------
        dict
            ``causes`` (:data:`CAUSE_COLUMNS`, strongest evidence first).
        """
        prim = primary_measures(self.features, self.catalog)
        terms: dict[str, pd.Series] = {}
        per: dict[str, float] = {}
        cause_term: dict[str, str] = {}
        untestable = []
        for cause in schema.CAUSES:
            name = prim.get(cause)
            if name is None:
                if cause != "other":
                    untestable.append(self._untestable(cause, "", "no_measure"))
                continue
            kind = getattr(self.catalog.get(name), "kind", "numeric")
            if kind == "categorical":
                levels = _levels(self.features[name])
                if not levels:
                    untestable.append(self._untestable(cause, name, "no_pair", MIN_LEVEL_RUNS))
                    continue
                for lv in levels:
                    terms[f"{name}={lv}"] = self._level_term(name, lv)
                cause_term[cause] = name
                continue
            raw = _column(self.features, name, self.catalog)[0]
            if raw.notna().mean() < MIN_PRESENT:
                untestable.append(self._untestable(cause, name, "coverage", float(raw.notna().mean())))
                continue
            t, u = self._numeric_term(name)
            if not _varies(name, t):
                untestable.append(self._untestable(cause, name, "no_spread"))
                continue
            terms[name] = t
            per[name] = u
            cause_term[cause] = name
        self.terms, self.per, self.cause_term = terms, per, cause_term
        self.duration_term = {EXPOSURE_TERM: terms[EXPOSURE_TERM]} if EXPOSURE_TERM in terms else {}

        # 1. each cause alone (with season and time on the feet)
        alone = {}
        for cause, name in list(cause_term.items()):
            try:
                alone[cause] = self._cause_test(cause, {})
            except (np.linalg.LinAlgError, ValueError, FloatingPointError) as err:
                untestable.append(self._untestable(cause, name, "no_fit", str(err)))
                del cause_term[cause]
        causes_tested = list(alone)
        self.alone = alone
        qv = self._holm_sequential({c: alone[c]["p_value"] for c in causes_tested})
        cand = [c for c in causes_tested if qv[c] < self.alpha]

        # 2. the candidates together: backward elimination
        explained: dict[str, list] = {}
        final = list(cand)
        while len(final) > 1:
            joint = {c: self._cause_test(c, self._terms_of([o for o in final if o != c])) for c in final}
            worst = max(final, key=lambda c: joint[c]["p_value"])
            if joint[worst]["p_value"] < self.alpha:
                break
            final.remove(worst)
            explained[worst] = []
        for c in explained:
            explained[c] = list(final)

        rows = []
        for cause in causes_tested:
            others = [o for o in final if o != cause]
            r = self._cause_test(cause, self._terms_of(others)) if others else alone[cause]
            name = cause_term[cause]
            kind = getattr(self.catalog.get(name), "kind", "numeric")
            if cause in final:
                status = "finding"
            elif cause in explained:
                status = "explained"
            elif cause in cand:
                status = "not_clear_adjusted"
            elif name == EXPOSURE_TERM and r["ci_high"] < 1:
                status = "no_rise_beyond_time"
            else:
                status = "no_clear_link"
            rows.append({"cause": cause, "factor": name, "level": r["level"],
                         "effect": r["effect"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                         "p_value": r["p_value"], "q_value": max(qv[cause], r["p_value"]),
                         **effect_columns(name, per.get(name, 1.0), self.catalog, kind, usual=self._usual(name)),
                         "finding": cause in final, "status": status,
                         "explained_by": ",".join(explained.get(cause, [])), "reason": "", "reason_value": np.nan,
                         "kappa": r["kappa"]})
        causes = pd.DataFrame(rows + untestable, columns=CAUSE_COLUMNS)
        causes["finding"] = causes["finding"].astype(bool)
        causes = causes.sort_values(["finding", "q_value", "p_value"], ascending=[False, True, True],
                                    na_position="last", kind="stable").reset_index(drop=True)
        return {"causes": causes}

    def _holm_sequential(self, p_alone: dict[str, float]) -> dict[str, float]:
        """Holm's step-down over causes, each step testing the rest with the causes already
        rejected in the model.

        Step k compares the smallest remaining p-value with alpha / (m - k); once a
        cause is rejected, the remaining causes are re-tested with it in the model
        (a second cause's evidence is measured beside the first, not diluted by
        the runs the first explains).  With nothing rejected this is Holm's
        procedure on the each-cause-alone p-values.

        Returns
        -------
        dict
            cause -> adjusted p-value (monotone along the steps, as Holm's).
        """
        m = len(p_alone)
        pv = dict(p_alone)
        remaining = list(p_alone)
        rejected: list[str] = []
        q: dict[str, float] = {}
        running = 0.0
        while remaining:
            c = min(remaining, key=lambda o: np.nan_to_num(pv[o], nan=1.0))   # ties: the first listed
            running = max(running, min(1.0, pv[c] * (m - len(rejected))))
            q[c] = running
            remaining.remove(c)
            if not running < self.alpha:
                for o in remaining:
                    q[o] = max(running, min(1.0, pv[o] * (m - len(rejected))))
                break
            rejected.append(c)
            for o in remaining:
                try:
                    pv[o] = self._cause_test(o, self._terms_of(rejected))["p_value"]
                except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                    pass
        return q

    def _terms_of(self, causes: list) -> dict[str, pd.Series]:
        """Model terms of *causes* (a shoe cause: the pair with the strongest evidence in its own test)."""
        out = {}
        for c in causes:
            name = self.cause_term[c]
            if getattr(self.catalog.get(name), "kind", "numeric") == "categorical":
                lv = self.alone[c]["level"]   # the pair its own test chose
                out[f"{name}={lv}"] = self.terms[f"{name}={lv}"]
            else:
                out[name] = self.terms[name]
        return out

    def _cause_test(self, cause: str, others: dict[str, pd.Series]) -> dict:
        """One cause's test with *others* (and the time on the feet, and the season) in the model."""
        name = self.cause_term[cause]
        base = {**self._base(name), **others}
        if getattr(self.catalog.get(name), "kind", "numeric") == "categorical":
            levels = [k.split("=", 1)[1] for k in self.terms if k.startswith(f"{name}=")]
            best = None
            for lv in levels:
                key = f"{name}={lv}"
                r = self._test({**{k: v for k, v in base.items() if not k.startswith(f"{name}=")},
                                key: self.terms[key]}, [key])[key]
                if best is None or r["p_value"] < best[1]["p_value"]:
                    best = (lv, r)
            assert best is not None  # a categorical cause has a term per level, at least one (see __init__)
            lv, r = best
            out = dict(r)
            out["p_value"] = min(1.0, out["p_value"] * len(levels))   # Bonferroni over the pairs
            # the interval at the same level, so that it excludes 1 exactly when p < alpha
            z0, z1 = self._z, stats.norm.isf(self.alpha / (2 * len(levels)))
            with np.errstate(divide="ignore"):
                b, lo, hi = np.log([out["effect"], out["ci_low"], out["ci_high"]])
            out["ci_low"] = _exp(b - (b - lo) * z1 / z0)
            out["ci_high"] = _exp(b + (hi - b) * z1 / z0)
            out["level"] = lv
            return out
        r = self._test({**base, name: self.terms[name]}, [name])[name]
        r["p_value"] = _one_sided_if_exposure(name, r["effect"], r["p_value"])
        r["level"] = None
        return r

    def _untestable(self, cause: str, name: str, reason: str, value: Any = np.nan) -> dict:
        """A cause that cannot be tested: status 'not_testable', the *reason* code and its *value*."""
        return {"cause": cause, "factor": name, "level": None,
                "effect": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "q_value": np.nan,
                "finding": False, "status": "not_testable", "explained_by": "", "reason": reason,
                "reason_value": value, "kappa": np.nan, **dict.fromkeys(EFFECT_COLUMNS, np.nan),
                "effect_kind": "", "effect_per_unit": ""}

    # ------------------------------------------------------------------ measures
    def finding_terms(self, causes: pd.DataFrame) -> dict[str, pd.Series]:
        """Model terms of the finding causes (their primary measure, or the shoe pair), plus the
        time on the feet.

        Parameters
        ----------
        causes : DataFrame
            One row per cause with ``cause`` and ``finding``.

        Returns
        -------
        dict
            Term name -> column of the design (index run_id).
        """
        return {**self.duration_term, **self._terms_of(list(causes.loc[causes["finding"], "cause"]))}

    def measures(self, causes: pd.DataFrame, names) -> pd.DataFrame:
        """Every measure alone (with season and exposure) and with the finding causes in the model.

        Parameters
        ----------
        causes : DataFrame
            One row per cause with ``cause`` and ``finding``.
        names : iterable of str
            Feature columns to test; a categorical one is tested level by level.

        Returns
        -------
        DataFrame
            One row per measure (per level for categories): ``factor``, ``level``,
            ``effect``, ``ci_low``, ``ci_high``, ``p_value`` (alone), ``adjusted_effect``,
            ``adjusted_p`` (with the finding causes), ``explained_by`` (the ids of the finding causes
            that take its link away, joined by ','), ``per``, ``kind`` and :data:`EFFECT_COLUMNS`.
        """
        fterms = self.finding_terms(causes)
        found = list(causes.loc[causes["finding"], "cause"])
        rows = []
        for name in names:
            f = self.catalog.get(name)
            kind = getattr(f, "kind", "numeric") if f is not None else "numeric"
            if kind == "categorical":
                items = [(lv, self._level_term(name, lv), 1.0) for lv in _levels(self.features[name])]
            else:
                s_, _ = _column(self.features, name, self.catalog)
                if not _usable(s_):
                    continue
                t, u = self._numeric_term(name)
                if not _varies(name, t):   # as for a cause: no odds ratio read off a measure that hardly varies
                    continue
                items = [(None, t, u)]
            for lv, t, u in items:
                key = name if lv is None else f"{name}={lv}"
                base = self._base(key)
                try:
                    alone = self._test({**base, key: t}, [key], wald=True)[key]
                    alone["p_value"] = _one_sided_if_exposure(key, alone["effect"], alone["p_value"])
                    own = {k: v for k, v in fterms.items() if k != key and not k.startswith(f"{name}=")}
                    if found and own.keys() != base.keys() and alone["p_value"] < self.alpha:
                        adj = self._test({**own, key: t}, [key], wald=True)[key]
                        adj["p_value"] = _one_sided_if_exposure(key, adj["effect"], adj["p_value"])
                    elif found and own.keys() != base.keys():
                        adj = dict.fromkeys(alone, np.nan)
                    else:
                        adj = alone
                except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                    self.skipped.append(key)
                    continue
                by = ""
                if (alone["p_value"] < self.alpha and not adj["p_value"] < self.alpha
                        and getattr(f, "cause", "") not in found):
                    by = self._explained_by(key, t, found)
                rows.append({"factor": name, "level": lv, "kind": kind, "per": u, "explained_by": by,
                             "effect": alone["effect"], "ci_low": alone["ci_low"], "ci_high": alone["ci_high"],
                             "p_value": alone["p_value"], "adjusted_effect": adj["effect"],
                             "adjusted_ci_low": adj["ci_low"], "adjusted_ci_high": adj["ci_high"],
                             "adjusted_p": adj["p_value"],
                             **effect_columns(name, u, self.catalog, kind, usual=self._usual(name))})
        return pd.DataFrame(rows)

    def _explained_by(self, key: str, term: pd.Series, found: list) -> str:
        """Which finding causes take away a measure's link (their ids joined by ','): each one alone in
        the model with it; when none does alone, all of them together."""
        who = []
        for c in found:
            terms = {k: v for k, v in {**self._base(key), **self._terms_of([c])}.items() if k != key}
            try:
                if not self._test({**terms, key: term}, [key], wald=True)[key]["p_value"] < self.alpha:
                    who.append(c)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                continue
        return ",".join(who or found)

    def best_measure(self, cause: str, causes: pd.DataFrame) -> tuple[str, pd.DataFrame]:
        """Which measure of a finding *cause* fits best in place of its primary.

        Parameters
        ----------
        cause : str
            Cause id (``runlog.schema.CAUSES``) of a finding.
        causes : DataFrame
            One row per cause with ``cause`` and ``finding`` (the causes table of
            :meth:`run`).

        Returns
        -------
        (name, table)
            The best measure (highest penalised log-likelihood with the other
            finding causes, season and exposure) and the table of all measures of
            the cause tried (``factor``, ``loglik``).
        """
        fterms = self.finding_terms(causes)
        prim = self.cause_term.get(cause)
        others = {k: v for k, v in fterms.items() if not (k == prim or k.startswith(f"{prim}="))}
        rows = []
        for name, f in self.catalog.items():
            if f.cause != cause or not f.candidate or name not in self.features or f.kind == "categorical":
                continue
            s, _ = _column(self.features, name, self.catalog)
            if not _usable(s):
                continue
            t, _ = self._numeric_term(name)
            try:
                terms = {**others, name: t}
                X, _ = self._design(terms)
                fit = _firth_fit(X, self.y, self._offset(terms))
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                continue
            rows.append({"factor": name, "loglik": fit["loglik"]})
        tab = pd.DataFrame(rows, columns=["factor", "loglik"]).sort_values("loglik", ascending=False)
        return (str(tab.iloc[0]["factor"]) if len(tab) else (prim or "")), tab.reset_index(drop=True)

    def risk_split(self, row) -> dict:
        """Absolute risks on either side of a round split of a finding's measure (:data:`RISK_COLUMNS`).

        Parameters
        ----------
        row : Series or mapping
            A causes row: ``factor`` (feature column) and ``level`` (a category,
            or NaN for a numeric or binary measure).

        Returns
        -------
        dict
            ``risk_kind`` ('level': at the level against the other runs with a
            value; 'with_without'; 'threshold': above ``risk_threshold``, a round
            value near the median, against at or below), ``risk_unit`` (the
            measure's unit) and the numb runs and runs on each side.
        """
        name, lv = row["factor"], row["level"]
        y = self.numb
        nan = float("nan")
        if isinstance(lv, str):
            s = self.features[name].astype("object").astype(str).where(self.features[name].notna())
            a = s == lv
            b = s.notna() & ~a
            kind, t, unit = "level", nan, ""
        else:
            s, k = _column(self.features, name, self.catalog)
            ok = s.notna()
            f = self.catalog.get(name)
            unit = getattr(f, "unit", "") if f is not None else ""
            if k == "binary":
                a = ok & (s > 0.5)
                b = ok & ~(s > 0.5)
                kind, t = "with_without", nan
            else:
                t = _threshold(s[ok], self.per.get(name, nice_unit(s)))
                a = ok & (s > t)
                b = ok & (s <= t)
                kind = "threshold"
        return {"risk_kind": kind, "risk_threshold": t, "risk_unit": unit,
                "exposed_numb": int(y[a].sum()), "exposed_runs": int(a.sum()),
                "other_numb": int(y[b].sum()), "other_runs": int(b.sum())}


def more_episodes_needed(causes: pd.DataFrame, n_numb: int, *, alpha: float = ALPHA, power: float = 0.8) -> int | None:
    """Roughly how many more runs with numbness would show the strongest current estimate.

    The z-statistic of a fixed effect grows with the square root of the number
    of events; to reach ``z_(1 - alpha / 2m) + z_power`` (Holm's first step over
    m causes, 80 % power) from the current ``z`` takes ``n (target / z)^2``
    events.  None when there is no estimate; capped at 200.

    Parameters
    ----------
    causes : DataFrame
        One row per cause with ``p_value`` (NaN = not tested).
    n_numb : int
        Runs with numbness so far.
    alpha : float
        Family-wise significance level.
    power : float
        Power aimed at.

    Returns
    -------
    int or None
        Additional runs with numbness (1 to 200).
    """
    tested = causes[causes["p_value"].notna()]
    if not len(tested) or n_numb <= 0:
        return None
    p = float(tested["p_value"].min())
    z = stats.norm.isf(max(p, 1e-12) / 2)
    m = len(tested)
    target = stats.norm.isf(alpha / (2 * m)) + stats.norm.isf(1 - power)
    if z <= 0.3:
        return 200
    need = n_numb * (target / z) ** 2 - n_numb
    return int(min(200, max(1, math.ceil(need))))


def decide(features: pd.DataFrame, numb: pd.Series, days: pd.Series, duration_min: pd.Series,
           catalog: dict, *, alpha: float = ALPHA, measures=True) -> dict:
    """The cause-level analysis as frames (the pure core used by :func:`runlog.analyze`).

    Parameters
    ----------
    features : DataFrame
        Analysed runs' features, in-run columns windowed before onset.
    numb : Series of bool
        Outcome.
    days : Series
        Calendar day of each run [d] (any origin).
    duration_min : Series
        Whole-run duration (time at risk) [min].
    catalog : dict
        name -> Feature.
    alpha : float
        Family-wise error rate over causes.
    measures : bool or list
        Also test every candidate measure (True), the given names, or none (False).

    Returns
    -------
    dict
        ``causes``, ``findings``, ``measures`` (DataFrames), ``analysis`` (the
        :class:`CauseAnalysis`).
    """
    ca = CauseAnalysis(features, numb, days, duration_min, catalog, alpha=alpha)
    causes = ca.run()["causes"]
    meas = pd.DataFrame()
    if measures is not False:
        names = [n for n, f in catalog.items() if f.candidate and n in features.columns] if measures is True \
            else list(measures)
        meas = ca.measures(causes, names)
    rows = []
    for _, r in causes[causes["finding"]].iterrows():
        best, _tab = ca.best_measure(r["cause"], causes) if not isinstance(r["level"], str) else (r["factor"], None)
        rows.append({**{c: r[c] for c in FINDING_COLUMNS if c in r.index}, "best_measure": best,
                     **ca.risk_split(r)})
    findings = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    return {"causes": causes, "findings": findings, "measures": meas, "analysis": ca}
