"""Within-person, time-stratified comparison (case-crossover) so a season is not mistaken for a trigger.

The case-crossover design (Maclure 1991) compares each case with referent
periods of the same person.  With time-stratified referents (Levy et al.
2001; Janes, Sheppard & Lumley 2005) the referents are the other runs of the
same calendar month, and the analysis is a conditional logistic regression
stratified by month.  Anything that changes slowly over the year (season,
fitness, a new pair of shoes bought in spring) is constant within a stratum
and drops out; only the run-to-run variation inside each month is used.  A
factor whose overall odds ratio is far from 1 but whose within-month odds
ratio is near 1 probably reflects a seasonal trend rather than a trigger.

Months with no numb run or with only numb runs carry no information and are
left out.

References
----------
Maclure M (1991). The case-crossover design: a method for studying transient effects
on the risk of acute events. American Journal of Epidemiology 133, 144-153.
Levy D, Lumley T, Sheppard L, Kaufman J, Checkoway H (2001). Referent selection in
case-crossover analyses of acute health effects of air pollution. Epidemiology 12, 186-192.
Janes H, Sheppard L, Lumley T (2005). Case-crossover analyses of air pollution exposure
data: referent selection strategies and their implications for bias. Epidemiology 16, 717-726.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.discrete.conditional_models import ConditionalLogit

from .model import design_matrix

__all__ = ["CROSSOVER_COLUMNS", "month_strata", "conditional_or", "within_month"]

CROSSOVER_COLUMNS = ["factor", "level", "n_strata", "n_runs", "n_episodes", "effect", "ci_low",
                     "ci_high", "p_value", "note"]

#: A within-month estimate beyond this |log OR| is reported as not estimable (separation).
_MAX_ABS_LOG_OR = 8.0


def month_strata(start_local: pd.Series) -> pd.Series:
    """Calendar month 'YYYY-MM' of each run's local start (the time stratum).

    Parameters
    ----------
    start_local : Series of datetime
        Local start of each run.

    Returns
    -------
    Series of str
        Same index.
    """
    return pd.to_datetime(start_local).dt.strftime("%Y-%m")


def conditional_or(x: pd.Series, numb: pd.Series, strata: pd.Series, *, alpha: float = 0.05) -> dict:
    """Odds ratio of numbness per unit of *x*, within strata (conditional logistic regression).

    Parameters
    ----------
    x : Series of float
        The factor, already scaled (per IQR, or 0/1).
    numb : Series of bool
    strata : Series
        Stratum label per run (calendar month).
    alpha : float

    Returns
    -------
    dict
        ``n_strata`` (informative strata), ``n_runs``, ``n_episodes``, ``effect``,
        ``ci_low``, ``ci_high`` (Wald, on the log scale), ``p_value`` (Wald), ``note``.
    """
    df = pd.DataFrame({"x": x, "y": numb, "g": strata}).dropna()
    df["y"] = df["y"].astype(bool)
    g = df.groupby("g")["y"]
    informative = g.transform("any") & ~g.transform("all")
    # strata where x does not vary carry no information either
    informative &= df.groupby("g")["x"].transform("nunique") > 1
    df = df[informative]
    n_episodes = int(df["y"].sum())
    out = {"n_strata": int(df["g"].nunique()), "n_runs": len(df), "n_episodes": n_episodes,
           "effect": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan, "note": ""}
    if n_episodes < 3:
        out["note"] = f"only {n_episodes} numb run(s) in months that also have other runs"
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = ConditionalLogit(df["y"].astype(float).to_numpy(), df[["x"]].to_numpy(dtype=float),
                                   groups=df["g"].to_numpy()).fit(disp=0)
        except Exception as exc:  # pragma: no cover - singular designs
            out["note"] = f"not estimable ({type(exc).__name__})"
            return out
    b, se = float(fit.params[0]), float(fit.bse[0])
    if not np.isfinite(b) or not np.isfinite(se) or abs(b) > _MAX_ABS_LOG_OR:
        out["note"] = "not estimable (the factor separates numb and other runs within months)"
        return out
    z = stats.norm.ppf(1 - alpha / 2)
    out.update(effect=float(np.exp(b)), ci_low=float(np.exp(b - z * se)), ci_high=float(np.exp(b + z * se)),
               p_value=float(2 * stats.norm.sf(abs(b / se))))
    return out


def within_month(features: pd.DataFrame, numb: pd.Series, factors: pd.DataFrame,
                 start_local: pd.Series) -> pd.DataFrame:
    """Within-month odds ratio of every tested factor (same scaling as ``Report.factors``).

    Parameters
    ----------
    features : DataFrame
        Per-run features.
    numb : Series of bool
        Outcome per analysed run.
    factors : DataFrame
        ``Report.factors`` (``factor``, ``level``, ``kind``, ``center``, ``scale``).
    start_local : Series
        ``History.runs['start_local']``.

    Returns
    -------
    DataFrame
        Columns :data:`CROSSOVER_COLUMNS`, rows in the order of *factors*.
        A category level is entered as its indicator (the level vs every other
        run of the month), not only against the reference level.
    """
    strata = month_strata(start_local.reindex(numb.index))
    rows = []
    for i in range(len(factors)):
        r = factors.iloc[[i]]
        x = design_matrix(features.reindex(numb.index), r).iloc[:, 0]
        rows.append({"factor": r["factor"].iloc[0], "level": r["level"].iloc[0],
                     **conditional_or(x, numb, strata)})
    return pd.DataFrame(rows, columns=CROSSOVER_COLUMNS)
