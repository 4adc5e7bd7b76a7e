"""Firth-penalized logistic regression: univariate odds ratios and the multivariable model.

A runner has few numbness episodes, so ordinary maximum-likelihood logistic
regression is biased away from 1 and breaks down (infinite estimates) when a
factor separates the runs perfectly.  Firth's penalty (Firth 1993; Heinze &
Schemper 2002) gives finite, less biased estimates; confidence intervals are
profile penalized-likelihood intervals (Heinze & Schemper 2002, Venzon &
Moolgavkar 1988) and p-values penalized likelihood-ratio tests.  The fitting
is done by :class:`firthmodels.FirthLogisticRegression`.

The multivariable model limits the number of predictor degrees of freedom to
``n_episodes / epv_min`` (events per variable; Vittinghoff & McCulloch 2007
show that 5-9 events per variable are usually enough, and Firth's penalty
keeps the bias small at such low EPV, van Smeden et al. 2016), so that
factors that travel together (hot days are also long-run days in summer) are
separated as far as the data allow - and not further.

References
----------
Firth D (1993). Bias reduction of maximum likelihood estimates. Biometrika 80, 27-38.
Heinze G, Schemper M (2002). A solution to the problem of separation in logistic
regression. Statistics in Medicine 21, 2409-2419.
Venzon DJ, Moolgavkar SH (1988). A method for computing profile-likelihood-based
confidence intervals. Applied Statistics 37, 87-94.
Vittinghoff E, McCulloch CE (2007). Relaxing the rule of ten events per variable in
logistic and Cox regression. American Journal of Epidemiology 165, 710-718.
van Smeden M et al. (2016). No rationale for 1 variable per 10 events criterion for
binary logistic regression analysis. BMC Medical Research Methodology 16, 163.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from firthmodels import FirthLogisticRegression

from ..units import p_text

__all__ = [
    "EPV_MIN",
    "MODEL_COLUMNS",
    "ModelResult",
    "firth_fit",
    "univariate_or",
    "design_matrix",
    "select_predictors",
    "fit_model",
]

#: Minimum events (numb runs) per predictor degree of freedom in the multivariable model.
EPV_MIN = 5
#: Predictors whose |Spearman rho| with an already chosen one exceeds this are not added
#: (they measure the same thing; the model cannot tell them apart).
RHO_MAX = 0.8

MODEL_COLUMNS = [
    "factor", "level", "cause", "description", "effect", "ci_low", "ci_high", "p_value",
    "unadjusted_effect", "unadjusted_ci_low", "unadjusted_ci_high", "effect_unit",
]


def firth_fit(X: pd.DataFrame, y, *, alpha: float = 0.05, profile: bool = True) -> pd.DataFrame:
    """Fit a Firth logistic regression and return one row per predictor.

    Parameters
    ----------
    X : DataFrame
        Predictors (float, no missing values), one column each; an intercept is added.
    y : array-like of bool
        Outcome (True = numb run).
    alpha : float
        1 - confidence level of the intervals.
    profile : bool
        Profile penalized-likelihood intervals (Heinze & Schemper 2002) when True,
        Wald intervals otherwise.

    Returns
    -------
    DataFrame
        Index: the columns of *X*; columns ``coef`` (log odds ratio per unit),
        ``odds_ratio``, ``ci_low``, ``ci_high`` (odds-ratio scale), ``p_value``
        (penalized likelihood-ratio test; Wald when the constrained fit fails),
        and the attribute-like columns ``converged`` (bool).

    Notes
    -----
    Firth's penalized log-likelihood is ``l(b) + 0.5 log|I(b)|`` (Firth 1993,
    eq. 4); with it the estimates stay finite under separation.

    References
    ----------
    .. [1] Firth, D. (1993). Bias reduction of maximum likelihood estimates.
       Biometrika 80(1):27-38.
    .. [2] Heinze, G. & Schemper, M. (2002). A solution to the problem of
       separation in logistic regression. Stat Med 21:2409-2419.
    """
    Xv = np.asarray(X, dtype=float)
    yv = np.asarray(y, dtype=float).astype(int)
    m = FirthLogisticRegression(backend="numpy", max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(Xv, yv)
        k = Xv.shape[1]
        if profile:
            try:
                ci = m.conf_int(alpha=alpha, method="pl", features=list(range(k)))
            except Exception:  # pragma: no cover - fall back to Wald when profiling fails
                ci = m.conf_int(alpha=alpha, method="wald")
        else:
            ci = m.conf_int(alpha=alpha, method="wald")
        try:
            m.lrt(list(range(k)))
            p = np.asarray(m.lrt_pvalues_[:k], dtype=float)
        except Exception:  # pragma: no cover
            p = np.full(k, np.nan)
    wald_p = np.asarray(m.pvalues_[:k], dtype=float)
    p = np.where(np.isfinite(p), p, wald_p)
    ci = np.asarray(ci, dtype=float)[:k]
    # a failed profile bound is NaN: fall back to the Wald bound for that side
    wald = np.asarray(m.conf_int(alpha=alpha, method="wald"), dtype=float)[:k]
    ci = np.where(np.isfinite(ci), ci, wald)
    coef = np.asarray(m.coef_, dtype=float)
    return pd.DataFrame(
        {
            "coef": coef,
            "odds_ratio": np.exp(coef),
            "ci_low": np.exp(ci[:, 0]),
            "ci_high": np.exp(ci[:, 1]),
            "p_value": p,
            "converged": bool(m.converged_),
        },
        index=pd.Index(list(X.columns) if isinstance(X, pd.DataFrame) else range(k), name="term"),
    )


def univariate_or(x: pd.Series, numb: pd.Series, *, center: float, scale: float,
                  alpha: float = 0.05) -> dict:
    """Odds ratio of numbness per *scale* units of *x* (Firth logistic regression).

    Parameters
    ----------
    x : Series of float
        The factor, missing values already removed.
    numb : Series of bool
        Outcome aligned with *x*.
    center, scale : float
        The factor is entered as ``(x - center) / scale``, so the odds ratio is
        per *scale* units (e.g. per interquartile range [unit of x]).
    alpha : float
        1 - confidence level.

    Returns
    -------
    dict
        ``effect`` (odds ratio), ``ci_low``, ``ci_high`` (profile penalized
        likelihood, Heinze & Schemper 2002), ``p_firth`` (penalized LRT).

    References
    ----------
    .. [1] Heinze, G. & Schemper, M. (2002). A solution to the problem of
       separation in logistic regression. Stat Med 21:2409-2419.
    """
    X = pd.DataFrame({"x": (x.to_numpy(dtype=float) - center) / scale})
    res = firth_fit(X, numb.to_numpy(dtype=bool), alpha=alpha).iloc[0]
    return {"effect": float(res["odds_ratio"]), "ci_low": float(res["ci_low"]),
            "ci_high": float(res["ci_high"]), "p_firth": float(res["p_value"])}


def design_matrix(features: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Model columns for the factor rows *rows* (as in ``Report.factors``).

    Numeric factors enter as ``(x - center) / scale`` (``center``/``scale`` columns
    of *rows*: median and interquartile range), binary ones as 0/1, a categorical
    level as the indicator ``x == level`` (its reference is the level with all
    indicators 0; levels not tested fall into the reference).

    Parameters
    ----------
    features : DataFrame
        Per-run features, index run_id.
    rows : DataFrame
        Factor rows with columns ``factor``, ``level``, ``kind``, ``center``, ``scale``.

    Returns
    -------
    DataFrame
        One float column per row of *rows*, named ``term`` (``factor`` or
        ``factor=level``); NaN where the factor is missing.
    """
    cols = {}
    for _, r in rows.iterrows():
        s = features[r["factor"]]
        if r["kind"] == "numeric":
            v = (pd.to_numeric(s, errors="coerce").astype("float64") - r["center"]) / r["scale"]
            cols[r["factor"]] = v
        elif r["kind"] == "binary":
            cols[r["factor"]] = _as_float01(s)
        else:
            lab = s.astype("object")
            v = pd.Series(np.where(lab.isna(), np.nan, (lab == r["level"]).astype(float)), index=s.index)
            cols[f"{r['factor']}={r['level']}"] = v
    return pd.DataFrame(cols, index=features.index)


def _as_float01(s: pd.Series) -> pd.Series:
    """A bool / 0-1 column as float 1.0 / 0.0 with NaN for missing."""
    out = pd.Series(np.nan, index=s.index, dtype="float64")
    ok = s.notna().to_numpy()
    out[ok] = s[ok].astype(bool).to_numpy(dtype=float)
    return out


def select_predictors(factors: pd.DataFrame, features: pd.DataFrame, *, max_df: int,
                      p_enter: float = 0.20, rho_max: float = RHO_MAX,
                      numb: pd.Series | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Choose the model's predictors: strongest univariate evidence first, within the EPV budget.

    Parameters
    ----------
    factors : DataFrame
        ``Report.factors`` (sorted, strongest first).
    features : DataFrame
        Per-run features.
    max_df : int
        Largest number of model columns (events / EPV_MIN).
    p_enter : float
        Only factors with univariate ``p_value < p_enter`` enter (Hosmer & Lemeshow 2000, ch. 4:
        a 0.20-0.25 screen).
    rho_max : float
        A factor whose |Spearman rho| with an already chosen one exceeds this is left out.
    numb : Series of bool, optional
        Outcome; when given, a factor that would leave fewer than ``EPV_MIN``
        numb runs per predictor among the runs with every chosen factor
        recorded (e.g. one measured only on weigh-in days) is left out.

    Returns
    -------
    chosen : DataFrame
        The rows of *factors* that enter.
    notes : list of str
        Why other eligible factors did not enter.

    References
    ----------
    .. [1] Hosmer, D. W. & Lemeshow, S. (2000). Applied Logistic Regression,
       2nd ed. Wiley (chapter 4).
    """
    notes: list[str] = []
    chosen_idx: list = []
    chosen_cols: dict[str, pd.Series] = {}
    waiting: list[str] = []
    complete = pd.Series(True, index=features.index)
    elig = factors[(factors["p_value"] < p_enter)]
    for idx, r in elig.iterrows():
        if len(chosen_idx) >= max_df:
            waiting.append(f"{_term(r)} ({p_text(r['p_value'], 'p')})")
            continue
        col = design_matrix(features, factors.loc[[idx]]).iloc[:, 0]
        clash = None
        for name, other in chosen_cols.items():
            ok = col.notna() & other.notna()
            if ok.sum() > 3 and col[ok].nunique() > 1 and other[ok].nunique() > 1:
                rho = col[ok].corr(other[ok], method="spearman")
                if abs(rho) > rho_max:
                    clash = (name, rho)
                    break
        if clash:
            notes.append(f"{_term(r)} left out: it moves with {clash[0]} (Spearman rho {clash[1]:.2f}); "
                         "the data cannot tell them apart.")
            continue
        if numb is not None:
            cc = complete & col.notna()
            ev = int(numb.reindex(features.index).fillna(False).astype(bool)[cc].sum())
            if ev < EPV_MIN * (len(chosen_idx) + 1):
                notes.append(f"{_term(r)} left out: recorded on too few runs ({int(col.notna().sum())}); "
                             f"with it only {ev} numb runs would have every factor.")
                continue
            complete = cc
        chosen_idx.append(idx)
        chosen_cols[_term(r)] = col
    if waiting:
        notes.append(f"{len(waiting)} more factor(s) with p < {p_enter} left out, because {max_df} "
                     f"predictor(s) is all the number of episodes allows (at least {EPV_MIN} per "
                     f"predictor): {', '.join(waiting[:8])}{', ...' if len(waiting) > 8 else ''}.")
    return factors.loc[chosen_idx], notes


def _term(r) -> str:
    lev = r.get("level")
    return r["factor"] if lev is None or (isinstance(lev, float) and np.isnan(lev)) or pd.isna(lev) \
        else f"{r['factor']}={lev}"


@dataclass
class ModelResult:
    """The multivariable Firth logistic model.

    Attributes
    ----------
    table : DataFrame
        One row per predictor, columns :data:`MODEL_COLUMNS`: ``effect`` is the
        adjusted odds ratio (per interquartile range for numeric factors, level
        vs reference for categories), ``ci_low``/``ci_high`` its 95 % profile
        penalized-likelihood interval, ``p_value`` the penalized LRT; the
        ``unadjusted_*`` columns repeat the univariate estimate for comparison.
    n_runs : int
        Runs used (complete cases).
    n_episodes : int
        Numb runs among them.
    n_predictors : int
        Model degrees of freedom (predictor columns).
    epv : float
        Events per variable, ``n_episodes / n_predictors``.
    notes : list of str
        Why factors were left out, convergence problems, or why no model was fitted.
    """

    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MODEL_COLUMNS))
    n_runs: int = 0
    n_episodes: int = 0
    n_predictors: int = 0
    epv: float = float("nan")
    notes: list = field(default_factory=list)

    @property
    def fitted(self) -> bool:
        """True when a model was fitted."""
        return len(self.table) > 0

    def describe(self) -> str:
        """One line: runs, episodes, predictors and events per variable.

        Returns
        -------
        str
            The line, or why no model was fitted.
        """
        if not self.fitted:
            return "No multivariable model: " + (" ".join(self.notes) or "nothing to adjust for.")
        return (f"Firth logistic model on {self.n_runs} runs ({self.n_episodes} with numbness), "
                f"{self.n_predictors} predictor(s), {self.epv:.1f} episodes per predictor.")

    def _repr_html_(self) -> str:  # pragma: no cover - cosmetic
        return f"<p>{self.describe()}</p>" + self.table.to_html(index=False)


def fit_model(features: pd.DataFrame, numb: pd.Series, factors: pd.DataFrame, *,
              epv_min: int = EPV_MIN, p_enter: float = 0.20, alpha: float = 0.05) -> ModelResult:
    """Multivariable Firth logistic regression on the most promising factors.

    Parameters
    ----------
    features : DataFrame
        Per-run features (index run_id).
    numb : Series of bool
        Outcome per run (same index, tracked runs only).
    factors : DataFrame
        The univariate table (``Report.factors``), with ``center``/``scale``.
    epv_min : int
        Minimum events per predictor; the model gets ``floor(n_numb / epv_min)``
        predictor columns at most.
    p_enter : float
        Univariate screen for entry.
    alpha : float
        1 - confidence level.

    Returns
    -------
    ModelResult
        With an empty table and an explanation when fewer than two predictors
        qualify (a one-predictor model is the univariate estimate again).
    """
    numb = numb.astype(bool)
    n_ev = int(numb.sum())
    max_df = n_ev // epv_min
    res = ModelResult(n_runs=len(numb), n_episodes=n_ev)
    if factors is None or len(factors) == 0:
        res.notes.append("no factor could be tested.")
        return res
    if max_df < 2:
        res.notes.append(f"{n_ev} runs with numbness allow at most {max_df} predictor(s) at "
                         f"{epv_min} episodes per predictor; at least 2 are needed to adjust one "
                         "factor for another.")
        return res
    chosen, notes = select_predictors(factors, features, max_df=max_df, p_enter=p_enter, numb=numb)
    res.notes.extend(notes)
    if len(chosen) < 2:
        res.notes.append(f"fewer than 2 factors passed the univariate screen (p < {p_enter}); "
                         "nothing to adjust for.")
        return res
    X = design_matrix(features, chosen)
    ok = X.notna().all(axis=1) & numb.reindex(X.index).notna()
    X = X[ok]
    y = numb.reindex(X.index).astype(bool)
    n_ev_cc = int(y.sum())
    if n_ev_cc < 2 * epv_min or y.all():
        res.notes.append(f"only {n_ev_cc} numb runs have all chosen factors recorded; no model fitted.")
        return res
    try:
        fit = firth_fit(X, y.to_numpy(), alpha=alpha)
    except Exception as exc:  # singular design (e.g. collinear indicators)
        res.notes.append(f"the Firth fit failed ({type(exc).__name__}: {exc}); no adjusted estimates.")
        return res
    if not bool(fit["converged"].iloc[0]):
        res.notes.append("the Firth fit did not converge; treat the adjusted estimates with caution.")
    rows = []
    for (_term, f), (_, r) in zip(fit.iterrows(), chosen.iterrows()):
        rows.append({
            "factor": r["factor"], "level": r["level"], "cause": r["cause"],
            "description": r["description"],
            "effect": f["odds_ratio"], "ci_low": f["ci_low"], "ci_high": f["ci_high"],
            "p_value": f["p_value"],
            "unadjusted_effect": r["effect"], "unadjusted_ci_low": r["ci_low"],
            "unadjusted_ci_high": r["ci_high"], "effect_unit": r["effect_unit"],
        })
    res.table = pd.DataFrame(rows, columns=MODEL_COLUMNS)
    res.n_runs = len(y)
    res.n_episodes = n_ev_cc
    res.n_predictors = int(X.shape[1])
    res.epv = n_ev_cc / X.shape[1]
    dropped = int((~ok).sum())
    if dropped:
        res.notes.append(f"{dropped} run(s) left out of the model because a chosen factor is missing.")
    return res
