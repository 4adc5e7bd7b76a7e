"""Which article-named cause goes with numbness, once the others are accounted for.

The decision behind every finding of a :class:`~runlog.report.Report` (issue "Analysis v3").
What is promised, and how it is kept:

* **a plan stated before looking** (:data:`runlog.analysis.plan.TEST_PLAN`): the causes, the
  measures each is judged on, the direction the articles name ("hotter runs", "more consecutive
  days or a sudden rise in distance", "one pair of shoes worse than the others", "a lower
  cadence"), and each cause's share of the 5 % family-wise error rate; the tests are one-sided in
  that direction and the shares pass on when a cause is found (a graphical procedure, Bretz et
  al. 2009; :func:`runlog.analysis.plan.graphical_test`), so the chance that any cause without an
  effect is reported stays at most 5 %;
* **training load as the articles describe it**: consecutive running days *and* a sudden rise in
  distance (the acute:chronic ratio), tested together: the smaller one-sided p-value, adjusted
  exactly for the two with their correlation (a bivariate normal min-p test);
* **missing is not zero**: each cause is tested on the runs where its measure is known (shoes
  among the runs with shoes noted); a cause whose measure is known for fewer than
  :data:`MIN_PRESENT` of the runs, or on fewer than :data:`MIN_KNOWN_NUMB` runs with numbness, is
  not testable, with the reason; every cause row counts the runs it used and the runs without
  its measure; a cause already found enters another cause's model with its missing values at the
  median and a missing-value indicator;
* **heat acts over the hours**: sweat loss and heat storage build up with time (Sawka et al.
  2007), so a temperature (``Feature.dose``) enters as a heat exposure, its excess over the
  runner's median times the hours run (effect "per 5 °C above your usual, per hour on your
  feet"); its test carries the season but no other time-on-the-feet term (the exposure holds the
  hours; whether run length adds anything is then decided with heat in the model), except the
  ``log hours`` offset on the watch's own temperature (:data:`WORN_SENSOR`), which body heat
  warms more the longer the run;
* **exposures come before the outcome**: measures taken during the run are computed on the part
  before numbness started (:func:`runlog.features.core.in_run_features`, see
  :func:`exposure_windows`);
* **time on the feet**: a run twice as long gives twice the opportunity, so the other causes'
  models carry ``log(duration)`` as an offset (Firth logistic ~ complementary log-log for rare
  events; a constant risk per minute gives ``P(numb) = 1 - exp(-lambda T)``, ``cloglog P = log
  lambda + log T``) and a ``log2 duration`` term; the run-length cause is the risk per minute
  rising on longer runs;
* **the season**: a calendar-time term (linear plus hinges, about one degree of freedom per
  three months) takes up slow trends that move risk and exposure together; when a measure moves
  with the season so closely that the two cannot be told apart (:data:`ENTANGLED_R2`), the cause
  says so (status ``entangled``) instead of "no clear link";
* **honest under dependence**: numbness can come in bad spells and measures in spells too; each
  test's likelihood-ratio statistic is divided by ``kappa^2``, the variance inflation measured by
  shifting the measure's series in time against the numbness series
  (:mod:`runlog.analysis._dependence`), and its interval widened by ``kappa``;
* **each cause, then the causes together** (Firth-penalised logistic regression, Firth 1993;
  Heinze & Schemper 2002): each cause alone, re-tested beside each cause found; the causes found
  are then fitted together and the weakest dropped while it no longer holds with the others in
  the model (a measure that only moves with another cause - pace slows in the heat - drops out);
* **one story per number**: a finding's estimate, interval and p-value come from one model; the
  interval is ``coef +- 1.96 se`` with ``se = |coef| / z`` and ``z`` the standard normal quantile
  of the (one-sided, adjusted) p-value, so it excludes 1 exactly when the two-sided p < 0.05;
  ``q_value`` is the graphical procedure's adjusted p-value (>= p);
* **worth testing**: a cause that is not a finding but whose own test gives p < 0.05 before the
  allowance for the number of causes tested is ``suggestive``: named as worth testing (with an
  experiment for a cause the runner controls), never as a finding.

Secondary measures of a finding cause (heat index, WBGT, dew point, sweat loss for heat) are
compared by penalised log-likelihood in the place of the primary ("which measure fits best"),
never as separate findings; every other measure is tested alone and with the finding causes in
the model, and one that goes with numbness alone but not once the findings are in is
"explained" by them.  What was tried on the way: ``docs/validation.md``.

References
----------
Bretz F, Maurer W, Brannath W, Posch M (2009). A graphical approach to sequentially rejective
multiple test procedures. Statistics in Medicine 28, 586-604.
Firth D (1993). Bias reduction of maximum likelihood estimates. Biometrika 80, 27-38.
Heinze G, Schemper M (2002). A solution to the problem of separation in logistic
regression. Statistics in Medicine 21, 2409-2419.
Sawka MN et al. (2007). American College of Sports Medicine position stand: exercise and
fluid replacement. Med Sci Sports Exerc 39, 377-390.
Allison PD (1982). Discrete-time methods for the analysis of event histories.
Sociological Methodology 13, 61-98 (complementary log-log with log exposure).
Genz A (1992). Numerical computation of multivariate normal probabilities. J Comput Graph Stat
1, 141-149 (the bivariate normal probability of the two-measure test).
"""

from __future__ import annotations

import hashlib
import math
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from ..units import number_text
from ._dependence import shift_inflation
from .plan import ALPHA, TEST_PLAN, CauseTest, graphical_test

__all__ = [
    "ALPHA", "CAUSE_COLUMNS", "FINDING_COLUMNS", "MIN_LEVEL_RUNS", "MIN_PRESENT", "MIN_KNOWN_NUMB",
    "ENTANGLED_R2", "SUGGESTIVE_P", "WORN_SENSOR",
    "EFFECT_COLUMNS", "EFFECT_KINDS", "STATUSES", "REASONS", "RISK_COLUMNS", "effect_columns",
    "nice_unit", "exposure_windows", "calendar_basis",
    "firth", "holm", "max_z_pvalue", "decide", "CauseAnalysis",
]

#: Days of season per degree of freedom of the calendar-time term.
CALENDAR_DAYS_PER_DF = 90.0
#: Most degrees of freedom of the calendar-time term (None: by season length).
CALENDAR_MAX_DF: int | None = None
#: The run-length cause's measure: entered as log2(duration) next to the log(duration) offset, so its
#: odds ratio is per doubling of the run *beyond* the doubled time at risk; one-sided (risk rising).
EXPOSURE_TERM = "duration_min"
#: A numeric measure must vary by at least this fraction of its effect unit (SD) to be judged: an odds
#: ratio per 5 steps/min read off runs that differ by 0.1 steps/min is an extrapolation, not evidence.
MIN_SPREAD_UNITS = 0.1
#: A shoe pair needs this many runs (with shoes noted) to be compared with the others, and as many others.
MIN_LEVEL_RUNS = 8
#: A cause is testable when its measure is known for at least this share of the analysed runs ...
MIN_PRESENT = 0.4
#: ... and on at least this many runs with numbness.
MIN_KNOWN_NUMB = 3
#: A measure whose season term explains this share of its variation (weighted R^2) cannot be told
#: apart from the season: a cause judged on it that is not a finding is ``entangled``.
ENTANGLED_R2 = 0.8
#: A cause whose own test (alone, one-sided, before the allowance for the causes tested) is below this
#: is ``suggestive``: worth testing, never a finding.
SUGGESTIVE_P = 0.05
#: Suffix of a model term holding a temperature per run rather than per hour (``CauseTest.forms``).
PER_RUN = ":per_run"
#: Temperatures read by the watch's own sensor: body heat warms it from the start of the run, so its
#: mean over a run rises with the run's length, and a heat test on it keeps the ``log hours`` offset
#: (a constant risk per minute on the feet is no heat); without it, numbness that comes with the
#: minutes run read as heat (measured on the independent generator: docs/validation.md).  A free
#: ``log2 duration`` term as well lost a third of the heat findings with ~8 numb runs there.
WORN_SENSOR = frozenset({"device_temp_mean_c", "device_temp_max_c"})

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
#: (``no_rise_beyond_time``); its measure moves with the season so closely that the two cannot be told
#: apart (``entangled``); ``no_clear_link``; or ``not_testable`` (why: ``reason``).
STATUSES = ("finding", "explained", "not_clear_adjusted", "no_rise_beyond_time", "entangled", "no_clear_link",
            "not_testable")
#: Why a cause is ``not_testable`` (``reason``) and what ``reason_value`` then holds: ``no_measure`` (no
#: measure of it in the data), ``no_pair`` (no shoe pair on at least ``reason_value`` runs and left out
#: of as many), ``coverage`` (the measure is known for only the share ``reason_value`` of the runs, or on
#: fewer than :data:`MIN_KNOWN_NUMB` runs with numbness), ``no_spread`` (it hardly varies between runs),
#: ``no_fit`` (the model could not be fitted: the error).
REASONS = ("no_measure", "no_pair", "coverage", "no_spread", "no_fit")

#: The decision per cause, in codes and numbers (:meth:`CauseAnalysis.run`); ``explained_by`` holds the
#: explaining cause ids joined by ','.  Besides the estimate: ``direction`` (+1/-1, the plan's),
#: ``weight`` (its share of the error rate at the start), ``alpha_level`` (the level it was last judged
#: at), ``p_alone`` (its own test before any allowance), ``suggestive``, ``n_runs`` / ``n_numb`` (runs,
#: and runs with numbness, its test used), ``n_missing`` (analysed runs without its measure),
#: ``adjusted_for`` (what its model held besides the measure: 'season', 'time_on_feet' (log2 duration and the
#: offset), 'minutes_on_feet' (the offset alone), cause ids,
#: joined by ','), ``season_r2`` (the share of its measure's variation the season explains), ``form``
#: (a temperature's: 'exposure', over the hours, or 'per_run'; '' for other measures).
#: Words for a reader: :mod:`runlog.render.wording`.
CAUSE_COLUMNS = [
    "cause", "factor", "level", "effect", "ci_low", "ci_high", "p_value", "q_value", "finding", "status",
    "explained_by", "reason", "reason_value", "kappa", *EFFECT_COLUMNS,
    "direction", "weight", "alpha_level", "p_alone", "suggestive", "n_runs", "n_numb", "n_missing",
    "adjusted_for", "season_r2", "form",
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
    """A measure the descriptive table can use: known for at least :data:`MIN_PRESENT` of the runs, and varying."""
    return bool(s.notna().mean() >= MIN_PRESENT and s.dropna().nunique() >= 2)


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


def _digest(*arrays) -> bytes:
    """A digest of the arrays' shapes, types and bytes (None counts as absent): the key of a fit."""
    h = hashlib.blake2b(digest_size=20)
    for a in arrays:
        if a is None:
            h.update(b"-")
            continue
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.digest()


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
    plan : tuple of CauseTest
        The test plan (default :data:`runlog.analysis.plan.TEST_PLAN`).
    """

    def __init__(self, features, numb, days, duration_min, catalog, *, alpha: float = ALPHA,
                 plan: tuple[CauseTest, ...] = TEST_PLAN):
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
        self.plan = tuple(plan)
        self.plan_of = {ct.cause: ct for ct in self.plan}
        self.y = self.numb.to_numpy(dtype=bool)
        self.calendar = calendar_basis(self.days.to_numpy() - float(self.days.min()), max_df=CALENDAR_MAX_DF)
        self.calendar.index = self.numb.index
        self._calendar = self.calendar.to_numpy(dtype="float64")
        self._days = self.days.to_numpy()
        self._z = float(stats.norm.isf(self.alpha / 2))
        self.duration_term = {EXPOSURE_TERM: np.log2(dur.clip(lower=1.0)).rename(EXPOSURE_TERM)}
        self.per: dict[str, float] = {}
        self.cause_measures: dict[str, list[str]] = {}
        self.levels: dict[str, list[str]] = {}
        self.alone: dict[str, dict] = {}
        self._tested: dict[tuple, dict[str, dict]] = {}   # _test's answers by the fit's content

    # ------------------------------------------------------------------ design
    def _kind(self, name: str) -> str:
        return getattr(self.catalog.get(name.removesuffix(PER_RUN)), "kind", "numeric")

    def _known(self, name: str) -> pd.Series:
        """Whether each analysed run has the measure (a text level: a non-empty one)."""
        name = name.removesuffix(PER_RUN)
        s = self.features[name]
        if self._kind(name) == "categorical":
            return s.notna() & (s.astype("object").astype(str).str.strip() != "")
        return _column(self.features, name, self.catalog)[0].notna()

    def _numeric_term(self, name: str, *, fill: bool = False) -> tuple[pd.Series, float]:
        """A numeric measure in model units (per its effect unit) and the unit; NaN where unknown
        (*fill*: at the median, for comparisons that need every run).

        A heat measure that acts over the time on the feet (``Feature.dose``) is
        entered as its excess over the runner's median times the hours run (a
        heat exposure [°C h]; sweat loss and heat storage build up with time,
        Sawka et al. 2007): an hour 5 °C above the usual counts as much as two
        half-hours.
        """
        if name == EXPOSURE_TERM:
            # beyond the offset: log2 so that the effect is per doubling of the time on the feet
            return self.duration_term[EXPOSURE_TERM], float("nan")
        key, name = name, name.removesuffix(PER_RUN)
        s, _ = _column(self.features, name, self.catalog)
        per = _per(name, s, self.catalog)
        x = s.fillna(s.median()) if fill else s
        if self._is_dose(name) and key.endswith(PER_RUN):    # the excess per run, whatever its length
            return ((x - float(s.median())) / per).rename(key), per
        if self._is_dose(name):
            return ((x - float(s.median())) * self.hours / per).rename(key), per
        return (x / per).rename(key), per

    def _is_dose(self, name: str) -> bool:
        return bool(getattr(self.catalog.get(name.removesuffix(PER_RUN)), "dose", False))

    def _usual(self, name: str) -> float | None:
        """The runner's median of a heat exposure's measure (what 'above your usual' means), else None."""
        if not self._is_dose(name) or name.endswith(PER_RUN):
            return None
        return float(_column(self.features, name, self.catalog)[0].median())

    def _base(self, name: str) -> dict[str, pd.Series]:
        """The time-on-the-feet terms a measure is tested with: ``log2 duration`` (beyond the offset),
        except for a heat exposure, which holds the hours itself, and for run length itself."""
        return {} if self._is_dose(name) or name == EXPOSURE_TERM else dict(self.duration_term)

    def _offset(self, terms: dict[str, pd.Series]) -> np.ndarray | None:
        """The ``log hours`` offset of a model with *terms*: none for a model holding a heat exposure
        on an air temperature without the run-length term.  The watch's own temperature
        (:data:`WORN_SENSOR`) keeps it: its reading rises with the run's length, so without the
        minutes at risk a constant risk per minute would read as heat.

        The exposure (excess temperature x hours) carries the time on the feet itself; an offset on
        top would assume that a cool run's risk doubles with its length, which is the run-length
        cause's claim, not heat's (measured on simulated seasons: ``docs/validation.md``).  With
        the run-length term in the model the offset only moves that term's reference (risk per
        minute instead of per run).
        """
        if EXPOSURE_TERM not in terms and any(self._is_dose(k) and k.removesuffix(PER_RUN) not in WORN_SENSOR
                                              for k in terms):
            return None
        return self.offset

    def _level_term(self, name: str, level: str) -> pd.Series:
        """1 on the runs in *level*, 0 on the other runs with the measure, NaN where it is unknown."""
        s = self.features[name]
        known = self._known(name)
        return (s.astype("object").astype(str) == level).astype("float64").where(known).rename(f"{name}={level}")

    def _design(self, terms: dict[str, pd.Series], tested: list[str] | None = None):
        """The design of calendar + *terms* on the runs where every *tested* term is known: other terms'
        missing values at their median, with a 0/1 column marking them (one numpy block).

        Returns
        -------
        (X, columns, rows)
            The design, its column names and the boolean mask of the analysed runs it holds.
        """
        tested = list(terms) if tested is None else tested
        vals = {k: np.asarray(t.reindex(self.numb.index) if not t.index.equals(self.numb.index) else t,
                              dtype="float64") for k, t in terms.items()}
        rows = np.ones(len(self.y), dtype=bool)
        for k in tested:
            rows &= np.isfinite(vals[k])
        cols, names = [self._calendar[rows]], list(self.calendar.columns)
        for k, v in vals.items():
            v = v[rows]
            miss = ~np.isfinite(v)
            if miss.any():
                v = np.where(miss, np.nanmedian(v) if (~miss).any() else 0.0, v)
            cols.append(v.reshape(-1, 1))
            names.append(k)
            if miss.any() and not miss.all():
                cols.append(miss.astype("float64").reshape(-1, 1))
                names.append(f"{k}:missing")
        return np.hstack(cols), names, rows

    def _test(self, terms: dict[str, pd.Series], names: list[str], *, wald: bool = False) -> dict[str, dict]:
        """Fit calendar + *terms* on the runs where *names* are known, test *names*.

        Each tested term's likelihood-ratio statistic (``wald=True``: the Wald
        statistic of the penalised fit, one fit instead of one per term, for the
        descriptive table) is divided by its shift-calibrated variance inflation
        ``kappa^2`` (:func:`runlog.analysis._dependence.shift_inflation`).

        Returns
        -------
        dict
            name -> ``coef``, ``z`` (signed root of the deflated statistic), ``p_value``
            (two-sided), ``kappa``, ``effect``, ``ci_low``, ``ci_high``, ``n_runs``, ``n_numb``,
            ``season_r2``.
        """
        X, columns, rows = self._design(terms, names)
        y = self.y[rows]
        at = [columns.index(n) for n in names]
        off = self._offset(terms)
        key = (tuple(names), tuple(columns), wald, _digest(X, rows, None if off is None else off[rows]))
        # the same fit again (the graphical procedure's retests and the final table ask with the same other
        # causes): a copy
        if key in self._tested:
            return {n: dict(r) for n, r in self._tested[key].items()}
        fit = _firth_fit(X, y, None if off is None else off[rows], lrt_at=None if wald else at)
        if wald:
            lrs = special.chdtri(1, np.clip(np.asarray(fit["model"].pvalues_, dtype="float64")[at], 1e-300, 1.0))
        else:
            lrs = fit["lr"]
        prob = fit["prob"]
        w = prob * (1.0 - prob)
        days = self._days[rows]
        ncal = self._calendar.shape[1]
        out = {}
        for j, n, lr in zip(at, names, lrs):
            b, lr = float(fit["coef"][j]), float(lr)
            base = np.delete(X, j, axis=1)
            k = shift_inflation(X[:, j], y - prob, w, days, base)
            z = math.copysign(math.sqrt(max(lr, 0.0)) / k, b)
            # se of the likelihood-ratio test (|coef| / z); near a zero statistic, the penalised fit's Wald se
            se = abs(b) / abs(z) if abs(z) > 0.05 else float(np.asarray(fit["model"].bse_)[j]) * k
            out[n] = {"coef": b, "z": z, "se": se, "p_value": float(2.0 * stats.norm.sf(abs(z))), "kappa": k,
                      "effect": _exp(b), "ci_low": _exp(b - self._z * se), "ci_high": _exp(b + self._z * se),
                      "n_runs": int(rows.sum()), "n_numb": int(y.sum()),
                      "season_r2": _weighted_r2(X[:, j], X[:, :ncal], w)}
        self._tested[key] = out
        return {n: dict(r) for n, r in out.items()}

    # ------------------------------------------------------------------ the plan's causes
    def _resolve(self, ct: CauseTest) -> tuple[list[str], dict | None]:
        """The measures a cause is tested on (the plan's, as the data have them), or why it cannot be.

        Returns
        -------
        (names, untestable)
            The feature columns (one, or two for a cause judged on two measures), and None; or an
            empty list and the ``not_testable`` row's reason and value (for the first measure).
        """
        names: list[str] = []
        why: tuple[str, str, Any] | None = None
        for spec in ct.measures:
            options = spec if isinstance(spec, tuple) else (spec,)
            chosen = None
            for name in options:
                problem = self._unusable(name)
                if problem is None:
                    chosen = name
                    break
                if why is None or (why[1] == "no_measure" and problem[0] != "no_measure"):
                    why = (name, *problem)
            if chosen is not None:
                names.append(chosen)
        if names:
            return names, None
        name, reason, value = why if why is not None else ("", "no_measure", np.nan)
        return [], self._untestable(ct.cause, name if reason != "no_measure" else "", reason, value)

    def _unusable(self, name: str) -> tuple[str, Any] | None:
        """Why *name* cannot judge its cause (reason code and value), or None."""
        if name not in self.features or not self._known(name).any():
            return ("no_measure", np.nan)
        known = self._known(name)
        share = float(known.mean())
        if share < MIN_PRESENT or int(self.numb[known].sum()) < MIN_KNOWN_NUMB:
            return ("coverage", share)
        if self._kind(name) == "categorical":
            if not _levels(self.features[name].where(known), MIN_LEVEL_RUNS):
                return ("no_pair", MIN_LEVEL_RUNS)
            return None
        t, _ = self._numeric_term(name)
        if not _varies(name, t.dropna()):
            return ("no_spread", np.nan)
        return None

    def _terms_of(self, causes: list) -> dict[str, pd.Series]:
        """Model terms of *causes*: the measure their own test chose (a shoe cause: its pair)."""
        out = {}
        for c in causes:
            a = self.alone[c]
            if self._kind(a["factor"]) == "categorical":
                out[f"{a['factor']}={a['level']}"] = self._level_term(a["factor"], a["level"])
            else:
                out[a["key"]] = self._numeric_term(a["key"])[0]
        return out

    def _cause_test(self, cause: str, others: list[str]) -> dict:
        """One cause's test, one-sided in the plan's direction, with the season, the time on the
        feet and the causes *others* in the model (see the module docstring)."""
        ct = self.plan_of[cause]
        d = ct.direction
        names = self.cause_measures[cause]
        oterms = self._terms_of([o for o in others if o != cause])
        adjusted_for = ["season"]
        keys = [n + (PER_RUN if form == "per_run" else "") for n in names
                for form in (ct.forms if self._is_dose(n) else ("exposure",))]
        if self._kind(names[0]) == "categorical":
            name = names[0]
            best = None
            for lv in self.levels[cause]:
                key = f"{name}={lv}"
                terms = {**{k: v for k, v in {**self._base(name), **oterms}.items() if not k.startswith(f"{name}=")},
                         key: self._level_term(name, lv)}
                r = self._test(terms, [key])[key]
                p1 = float(stats.norm.sf(d * r["z"]))
                if best is None or p1 < best[0]:
                    best = (p1, lv, r)
            assert best is not None  # a testable shoe cause has at least one pair (see _unusable)
            p1, lv, r = best
            p = min(1.0, p1 * len(self.levels[cause]))   # Bonferroni over the pairs
            out = {**r, "factor": name, "key": f"{name}={lv}", "level": lv, "p_one": p1, "p_value": p,
                   "crit": float(stats.norm.isf(0.025 / len(self.levels[cause])))}
        elif len(keys) == 1:
            key = keys[0]
            terms = {**self._base(key), **oterms, key: self._numeric_term(key)[0]}
            r = self._test(terms, [key])[key]
            p = float(stats.norm.sf(d * r["z"]))
            out = {**r, "factor": key, "key": key, "level": None, "p_one": p, "p_value": p, "crit": self._z}
        else:
            out = self._min_p_test(keys, d, oterms)
        out["form"] = "per_run" if out["key"].endswith(PER_RUN) else ("exposure" if self._is_dose(out["key"]) else "")
        out["factor"] = out["factor"].removesuffix(PER_RUN)
        base = self._base(out["factor"])
        if base:
            adjusted_for.append("time_on_feet")
        elif out["factor"] in WORN_SENSOR:
            adjusted_for.append("minutes_on_feet")   # the offset alone: each minute a chance
        adjusted_for += [o for o in others if o != cause]
        out["adjusted_for"] = ",".join(adjusted_for)
        out["p_value"] = min(1.0, out["p_value"])
        return self._with_interval(out, d)

    def _min_p_test(self, names: list[str], d: int, oterms: dict) -> dict:
        """Two measures of one cause tested together: the smaller one-sided p-value, adjusted exactly
        for the two with the correlation of their score statistics (bivariate normal)."""
        single = {}
        for name in names:
            terms = {**self._base(name), **oterms, name: self._numeric_term(name)[0]}
            single[name] = self._test(terms, [name])[name]
        zs = {n: d * r["z"] for n, r in single.items()}
        best = max(zs, key=lambda n: zs[n])
        rho = self._score_correlation(names, oterms)
        zmax = zs[best]
        p = max_z_pvalue(zmax, rho)
        crit = float(optimize.brentq(lambda c: max_z_pvalue(c, rho) - 0.025, 1.0, 6.0))
        return {**single[best], "factor": best, "key": best, "level": None, "p_one": float(stats.norm.sf(zmax)),
                "p_value": max(p, float(stats.norm.sf(zmax))), "rho": rho, "crit": crit}

    def _score_correlation(self, names: list[str], oterms: dict) -> float:
        """Correlation of two measures' score statistics under the model without them: their
        weighted partial correlation given the model's other columns, on the runs that have both."""
        terms = {**self._base(names[0]), **oterms, **{n: self._numeric_term(n)[0] for n in names}}
        X, columns, rows = self._design(terms, names)
        at = [columns.index(n) for n in names]
        base = np.delete(X, at, axis=1)
        off = self._offset(terms)
        fit = _firth_fit(base, self.y[rows], None if off is None else off[rows])
        w = fit["prob"] * (1.0 - fit["prob"])
        Z = np.column_stack([np.ones(len(w)), base])
        ZWZ = np.linalg.pinv(Z.T @ (Z * w[:, None]))
        r = [X[:, j] - Z @ (ZWZ @ (Z.T @ (w * X[:, j]))) for j in at]
        den = math.sqrt(float(np.sum(w * r[0] ** 2)) * float(np.sum(w * r[1] ** 2)))
        return float(np.clip(np.sum(w * r[0] * r[1]) / den, -0.999, 0.999)) if den > 0 else 0.0

    def _with_interval(self, out: dict, d: int) -> dict:
        """The interval at the level of the reported p-value: ``coef +- crit se`` with ``se`` the test's
        (the likelihood-ratio test's, widened by kappa) and ``crit`` the critical value of the test as
        adjusted (1.96 for one measure; for m shoe pairs ``z_(0.025/m)``; for two measures the ``c`` with
        ``P(max(Z1, Z2) >= c) = 0.025`` at their correlation), so the interval excludes 1 exactly when the
        two-sided p-value, twice the one-sided one in the plan's direction, is below 0.05."""
        b, se = out["coef"], out["se"]
        crit = out.get("crit", self._z)
        out["ci_low"], out["ci_high"] = _exp(b - crit * se), _exp(b + crit * se)
        return out

    def run(self) -> dict:
        """Decide the findings: the plan's causes alone, the graphical procedure, then the
        candidates together.

        1. **Alone**: each cause's measure(s) with the season term and the time on the feet, on the
           runs that have it, one-sided in the plan's direction (:meth:`_cause_test`).
        2. **The graphical procedure** (:func:`runlog.analysis.plan.graphical_test`): each cause at
           its share of the error rate; a cause found passes its share on and the rest are re-tested
           beside it; ``q_value`` is its adjusted p-value; the causes rejected are candidates.
        3. **Together**: the candidates in one model; the one with the weakest evidence is dropped
           while its p >= alpha (backward elimination), so a measure that goes with numbness only
           because it moves with another candidate (pace slows in the heat) drops out, and what
           remains are the findings.  Their estimate, interval and p-value come from this final
           model; every other cause is shown with the findings in the model.

        Returns
        -------
        dict
            ``causes`` (:data:`CAUSE_COLUMNS`, strongest evidence first).
        """
        untestable = []
        for ct in self.plan:
            names, why = self._resolve(ct)
            if why is not None:
                untestable.append(why)
                continue
            self.cause_measures[ct.cause] = names
            if self._kind(names[0]) == "categorical":
                self.levels[ct.cause] = _levels(self.features[names[0]].where(self._known(names[0])),
                                                MIN_LEVEL_RUNS)
            for name in names:
                if self._kind(name) != "categorical" and name != EXPOSURE_TERM:
                    self.per[name] = self._numeric_term(name)[1]

        # 1. each cause alone
        for cause in list(self.cause_measures):
            try:
                self.alone[cause] = self._cause_test(cause, [])
            except (np.linalg.LinAlgError, ValueError, FloatingPointError) as err:
                untestable.append(self._untestable(cause, self.cause_measures[cause][0], "no_fit", str(err)))
                del self.cause_measures[cause]
        tested = list(self.alone)

        # 2. the graphical procedure, re-testing the rest beside each cause found
        def retest(cause: str, found: list[str]) -> float | None:
            try:
                return self._cause_test(cause, found)["p_value"]
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                return None

        weights = {c: self.plan_of[c].weight for c in tested}
        gt = graphical_test({c: self.alone[c]["p_value"] for c in tested}, weights, alpha=self.alpha,
                            retest=retest)
        cand, qv, level = gt["rejected"], gt["q"], gt["level"]

        # 3. the candidates together: backward elimination
        explained: dict[str, list] = {}
        final = list(cand)
        while len(final) > 1:
            joint = {c: self._cause_test(c, [o for o in final if o != c]) for c in final}
            worst = max(final, key=lambda c: joint[c]["p_value"])
            if joint[worst]["p_value"] < self.alpha:
                break
            final.remove(worst)
            explained[worst] = []
        for c in explained:
            explained[c] = list(final)

        n_all = len(self.y)
        rows = []
        for cause in tested:
            others = [o for o in final if o != cause]
            r = self._cause_test(cause, others) if others else self.alone[cause]
            name = r["factor"]
            a = self.alone[cause]
            if cause in final:
                status = "finding"
            elif cause in explained:
                status = "explained"
            elif cause in cand:
                status = "not_clear_adjusted"
            elif name == EXPOSURE_TERM and r["ci_high"] < 1:
                status = "no_rise_beyond_time"
            elif r["season_r2"] >= ENTANGLED_R2:
                status = "entangled"
            else:
                status = "no_clear_link"
            known = self._known(name)
            rows.append({"cause": cause, "factor": name, "level": r["level"],
                         "effect": r["effect"], "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                         "p_value": r["p_value"], "q_value": max(qv.get(cause, 1.0), r["p_value"]),
                         **effect_columns(name, self.per.get(name, 1.0), self.catalog, self._kind(name),
                                          usual=self._usual(r["key"])), "form": r["form"],
                         "finding": cause in final, "status": status,
                         "explained_by": ",".join(explained.get(cause, [])), "reason": "", "reason_value": np.nan,
                         "kappa": r["kappa"], "direction": self.plan_of[cause].direction,
                         "weight": self.plan_of[cause].weight, "alpha_level": level.get(cause, np.nan),
                         "p_alone": a["p_value"],
                         "suggestive": cause not in final and a["p_value"] < SUGGESTIVE_P,
                         "n_runs": r["n_runs"], "n_numb": r["n_numb"], "n_missing": int(n_all - known.sum()),
                         "adjusted_for": r["adjusted_for"], "season_r2": r["season_r2"]})
        causes = pd.DataFrame(rows + untestable, columns=CAUSE_COLUMNS)
        causes["finding"] = causes["finding"].astype(bool)
        causes["suggestive"] = causes["suggestive"].fillna(False).astype(bool)
        causes = causes.sort_values(["finding", "q_value", "p_value"], ascending=[False, True, True],
                                    na_position="last", kind="stable").reset_index(drop=True)
        return {"causes": causes}

    def _untestable(self, cause: str, name: str, reason: str, value: Any = np.nan) -> dict:
        """A cause that cannot be tested: status 'not_testable', the *reason* code and its *value*."""
        ct = self.plan_of.get(cause)
        known = self._known(name) if name and name in self.features else pd.Series(False, index=self.numb.index)
        return {"cause": cause, "factor": name, "level": None,
                "effect": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "q_value": np.nan,
                "finding": False, "status": "not_testable", "explained_by": "", "reason": reason,
                "reason_value": value, "kappa": np.nan, **dict.fromkeys(EFFECT_COLUMNS, np.nan),
                "effect_kind": "", "effect_per_unit": "",
                "direction": ct.direction if ct else np.nan, "weight": ct.weight if ct else np.nan,
                "alpha_level": np.nan, "p_alone": np.nan, "suggestive": False, "n_runs": 0, "n_numb": 0,
                "n_missing": int(len(self.y) - known.sum()), "adjusted_for": "", "season_r2": np.nan, "form": ""}

    # ------------------------------------------------------------------ measures
    def finding_terms(self, causes: pd.DataFrame) -> dict[str, pd.Series]:
        """Model terms of the finding causes (the measure their test chose, or the shoe pair), plus
        the time on the feet.

        Parameters
        ----------
        causes : DataFrame
            One row per cause with ``cause`` and ``finding``.

        Returns
        -------
        dict
            Term name -> column of the design (index run_id; NaN where the measure is unknown).
        """
        return {**self.duration_term, **self._terms_of(list(causes.loc[causes["finding"], "cause"]))}

    def measures(self, causes: pd.DataFrame, names) -> pd.DataFrame:
        """Every measure alone (with season and exposure) and with the finding causes in the model,
        each on the runs that have it.

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
            ``effect``, ``ci_low``, ``ci_high``, ``p_value`` (alone, two-sided; run length
            one-sided), ``adjusted_effect``, ``adjusted_p`` (with the finding causes), ``explained_by``
            (the ids of the finding causes that take its link away, joined by ','), ``per``, ``kind``
            and :data:`EFFECT_COLUMNS`.
        """
        fterms = self.finding_terms(causes)
        found = list(causes.loc[causes["finding"], "cause"])
        rows = []
        for name in names:
            f = self.catalog.get(name)
            kind = getattr(f, "kind", "numeric") if f is not None else "numeric"
            if kind == "categorical":
                known = self._known(name)
                items = [(lv, self._level_term(name, lv), 1.0)
                         for lv in _levels(self.features[name].where(known), MIN_LEVEL_RUNS)]
            else:
                s_, _ = _column(self.features, name, self.catalog)
                if not _usable(s_):
                    continue
                t, u = self._numeric_term(name)
                if not _varies(name, t.dropna()):   # as for a cause: no odds ratio off a measure that hardly varies
                    continue
                items = [(None, t, u)]
            for lv, t, u in items:
                key = name if lv is None else f"{name}={lv}"
                base = self._base(key if lv is None else name)
                try:
                    alone = self._test({**base, key: t}, [key], wald=True)[key]
                    alone["p_value"] = _one_sided_if_exposure(key, alone["effect"], alone["p_value"])
                    own = {**base, **{k: v for k, v in fterms.items()
                                      if k != key and not k.startswith(f"{name}=") and k != EXPOSURE_TERM}}
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
                    by = self._explained_by(key, t, found, base)
                rows.append({"factor": name, "level": lv, "kind": kind, "per": u, "explained_by": by,
                             "effect": alone["effect"], "ci_low": alone["ci_low"], "ci_high": alone["ci_high"],
                             "p_value": alone["p_value"], "adjusted_effect": adj["effect"],
                             "adjusted_ci_low": adj["ci_low"], "adjusted_ci_high": adj["ci_high"],
                             "adjusted_p": adj["p_value"],
                             **effect_columns(name, u, self.catalog, kind, usual=self._usual(name))})
        return pd.DataFrame(rows)

    def _explained_by(self, key: str, term: pd.Series, found: list, base: dict) -> str:
        """Which finding causes take away a measure's link (their ids joined by ','): each one alone in
        the model with it; when none does alone, all of them together."""
        who = []
        for c in found:
            terms = {k: v for k, v in {**base, **self._terms_of([c])}.items() if k != key}
            try:
                if not self._test({**terms, key: term}, [key], wald=True)[key]["p_value"] < self.alpha:
                    who.append(c)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                continue
        return ",".join(who or found)

    def best_measure(self, cause: str, causes: pd.DataFrame) -> tuple[str, pd.DataFrame]:
        """Which measure of a finding *cause* fits best in place of the one its test chose.

        The measures are compared on the same runs (every analysed run, a missing value at the
        measure's median), by penalised log-likelihood with the other finding causes, the season
        and the time on the feet, all with the time at risk (offset) of the chosen measure's model:
        a likelihood with an offset is not comparable with one without.

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
            The best measure and the table of all measures of the cause tried (``factor``,
            ``loglik``).
        """
        prim = self.alone[cause]["factor"] if cause in self.alone else ""
        others = {k: v.fillna(float(v.median())) for k, v in self.finding_terms(causes).items()
                  if not (k == prim or k.startswith(f"{prim}="))}
        chosen = {k: v for k, v in others.items() if not (self._is_dose(prim) and k == EXPOSURE_TERM)}
        offset = self._offset({**chosen, prim: None} if prim else chosen)   # one time at risk for all
        rows = []
        for name, f in self.catalog.items():
            if f.cause != cause or not f.candidate or name not in self.features or f.kind == "categorical":
                continue
            s, _ = _column(self.features, name, self.catalog)
            if not _usable(s):
                continue
            t, _ = self._numeric_term(name, fill=True)
            try:
                terms = {**{k: v for k, v in others.items() if not (self._is_dose(name) and k == EXPOSURE_TERM)},
                         name: t}
                X, _, _ = self._design(terms)
                fit = _firth_fit(X, self.y, offset)
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
            known = self._known(name)
            s = self.features[name].astype("object").astype(str)
            a = known & (s == lv)
            b = known & ~(s == lv)
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


def max_z_pvalue(z: float, rho: float) -> float:
    """One-sided p-value of the larger of two standard normal statistics with correlation *rho*.

    ``P(max(Z1, Z2) >= z) = 1 - Phi_2(z, z; rho)`` under the null (the exact adjustment of the smaller
    of two one-sided p-values: Bonferroni's ``2 p`` when *rho* = 0 less ``p^2``, ``p`` when *rho* -> 1;
    Genz 1992 for the bivariate normal probability).

    Parameters
    ----------
    z : float
        The larger statistic (in the direction tested).
    rho : float
        Correlation of the two statistics, in (-1, 1).

    Returns
    -------
    float
        The p-value, in [0, 1].

    References
    ----------
    .. [1] Genz, A. (1992). Numerical computation of multivariate normal probabilities. J Comput
       Graph Stat 1:141-149.
    """
    if not np.isfinite(z):
        return 0.0 if z > 0 else 1.0
    rho = float(np.clip(rho, -0.999, 0.999))
    cdf = float(stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]]).cdf([z, z]))
    return float(np.clip(1.0 - cdf, 0.0, 1.0))


def _weighted_r2(x: np.ndarray, basis: np.ndarray, w: np.ndarray) -> float:
    """Share of the weighted variation of *x* that an intercept and *basis* explain [-] (0 without a basis)."""
    if basis.shape[1] == 0 or len(x) < 3:
        return 0.0
    Z = np.column_stack([np.ones(len(x)), basis])
    beta = np.linalg.lstsq(Z * np.sqrt(w)[:, None], x * np.sqrt(w), rcond=None)[0]
    res = x - Z @ beta
    mean = float(np.sum(w * x) / np.sum(w)) if np.sum(w) > 0 else float(np.mean(x))
    tot = float(np.sum(w * (x - mean) ** 2))
    return float(1.0 - np.sum(w * res ** 2) / tot) if tot > 0 else 0.0


def more_episodes_needed(causes: pd.DataFrame, n_numb: int, *, alpha: float = ALPHA, power: float = 0.8) -> int | None:
    """Roughly how many more runs with numbness would show the strongest current estimate.

    The z-statistic of a fixed effect grows with the square root of the number
    of events; to reach ``z_(1 - alpha w) + z_power`` (the cause's first level in the test plan,
    one-sided, 80 % power) from the current ``z`` takes ``n (target / z)^2`` events.  None when
    there is no estimate; capped at 200.

    Parameters
    ----------
    causes : DataFrame
        One row per cause with ``p_value`` (one-sided; NaN = not tested) and ``weight``.
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
    best = tested.loc[tested["p_value"].idxmin()]
    z = stats.norm.isf(max(float(best["p_value"]), 1e-12))
    w = float(best["weight"]) if "weight" in best and np.isfinite(best["weight"]) else 1.0 / len(tested)
    target = stats.norm.isf(alpha * w) + stats.norm.isf(1 - power)
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
