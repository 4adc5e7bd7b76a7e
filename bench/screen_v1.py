"""The old univariate screen: the decision rule before v2, kept as the 'v1' baseline.

``bench/validate_analysis.py`` compares the analysis as it stands (v2:
``report.findings``) with this rule on the same seasons.  It is not part of
runlog: nothing in the package decides with it.  Each candidate factor was
tested against the per-run outcome ``numb`` by the test that fits its kind:

* **numeric** - Mann-Whitney U test (Mann & Whitney 1947) of the factor in numb
  runs vs the others, with Cliff's delta (Cliff 1993), ``delta = 2 U / (n1 n2) - 1``
  = P(X_numb > X_other) - P(X_numb < X_other), and its BCa bootstrap interval
  (Efron 1987); the effect is the odds ratio per interquartile-range increase
  from a Firth logistic regression (:func:`univariate_or`).
* **binary** - Fisher's exact test (Fisher 1935) and the conditional maximum
  likelihood odds ratio with its exact interval (Cornfield 1956; scipy's
  ``odds_ratio(kind='conditional')``).
* **categorical** - each level against the most common (reference) level,
  as a binary factor.

p-values of all rows are adjusted together for the false-discovery rate by
Benjamini-Hochberg (1995), or Benjamini-Yekutieli (2001) when asked for.
A row is a *finding* (:func:`is_finding`) when its q-value is below ``fdr``,
its 95 % interval excludes 1 and at least :data:`MIN_FINDING_EPISODES` numb
runs are on the side with more numbness.  Under the global null
Benjamini-Hochberg at level 0.05 gives at least one rejection in at most 5 % of
seasons for independent or positively dependent tests (Benjamini & Hochberg
1995, Theorem 1); the other two conditions can only remove findings.

The screen is computed on the features the analysis saw (in-run measures
taken before onset, :func:`runlog.report.before_onset`).

References
----------
Mann HB, Whitney DR (1947). Ann Math Stat 18, 50-60.
Cliff N (1993). Dominance statistics: ordinal analyses to answer ordinal questions.
Psychological Bulletin 114, 494-509.
Efron B (1987). Better bootstrap confidence intervals. JASA 82, 171-185.
Fisher RA (1935). The logic of inductive inference. JRSS 98, 39-82.
Cornfield J (1956). A statistical problem arising from retrospective studies.
Proc. 3rd Berkeley Symposium 4, 135-148.
Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. JRSS B 57, 289-300.
Benjamini Y, Yekutieli D (2001). The control of the false discovery rate in multiple
testing under dependency. Annals of Statistics 29, 1165-1188.
Firth D (1993). Bias reduction of maximum likelihood estimates. Biometrika 80, 27-38.
Heinze G, Schemper M (2002). A solution to the problem of separation in logistic
regression. Statistics in Medicine 21, 2409-2419.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from firthmodels import FirthLogisticRegression
from scipy import stats
from scipy.stats.contingency import odds_ratio

from runlog.analysis.stats import (
    BOOKKEEPING,
    FACTOR_COLUMNS,
    MAX_LEVELS,
    MIN_GROUP,
    MIN_LEVEL_RUNS,
    MIN_RUNS,
    NOT_TESTED_COLUMNS,
    factor_meta,
    fdr_adjust,
    split_counts,
)
from runlog.units import number_text

__all__ = ["FDR", "MIN_FINDING_EPISODES", "firth_fit", "univariate_or", "cliffs_delta", "compare_numeric",
           "compare_binary", "compare_categorical", "screen", "is_finding"]

#: Default false-discovery rate a finding must pass.
FDR = 0.05
#: A finding needs at least this many numb runs on its higher-risk side.
MIN_FINDING_EPISODES = 3


def too_few(n_runs: int, n_numb: int, what: str = "runs with a value") -> str | None:
    """Why a factor with *n_runs* runs with a value, *n_numb* of them numb, cannot be tested (in words, as
    the screen reported it); None when it can."""
    if n_runs < MIN_RUNS:
        return f"only {n_runs} {what} (need {MIN_RUNS})"
    if n_numb < MIN_GROUP:
        return f"only {n_numb} numb run(s) among the {n_runs} {what} (need {MIN_GROUP})"
    if n_runs - n_numb < MIN_GROUP:
        return f"only {n_runs - n_numb} run(s) without numbness among the {what} (need {MIN_GROUP})"
    return None


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


def _delta_stat(x, y, axis=-1):
    """Cliff's delta of samples x vs y along *axis* via the Mann-Whitney U."""
    u = stats.mannwhitneyu(x, y, axis=axis, method="asymptotic").statistic
    return 2.0 * u / (np.shape(x)[axis] * np.shape(y)[axis]) - 1.0


def cliffs_delta(x, y, *, n_resamples: int = 1000, seed: int = 0,
                 confidence_level: float = 0.95) -> tuple[float, float, float]:
    """Cliff's delta of *x* vs *y* with a bootstrap interval.

    Parameters
    ----------
    x, y : array-like of float
        The factor in numb runs (*x*) and in the other runs (*y*).
    n_resamples : int
        Bootstrap resamples (each sample resampled separately).
    seed : int
        Seed of the bootstrap's random generator.
    confidence_level : float

    Returns
    -------
    delta, low, high : float
        ``delta = P(X > Y) - P(X < Y) = 2 U_x / (n_x n_y) - 1`` (Cliff 1993),
        and its BCa bootstrap interval (Efron 1987; percentile interval when BCa
        is degenerate, e.g. delta = +-1).

    References
    ----------
    .. [1] Cliff, N. (1993). Dominance statistics: ordinal analyses to answer
       ordinal questions. Psychol Bull 114(3):494-509.
    .. [2] Efron, B. (1987). Better bootstrap confidence intervals. J Am Stat
       Assoc 82:171-185.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    d = float(_delta_stat(x, y))
    lo = hi = np.nan
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                r = stats.bootstrap((x, y), _delta_stat, n_resamples=n_resamples, vectorized=True,
                                    method=method, confidence_level=confidence_level,
                                    rng=np.random.default_rng(seed))
                lo, hi = float(r.confidence_interval.low), float(r.confidence_interval.high)
            except Exception:  # pragma: no cover - degenerate resamples
                continue
        if np.isfinite(lo) and np.isfinite(hi):
            break
    if not (np.isfinite(lo) and np.isfinite(hi)) and abs(d) == 1.0:
        lo = hi = d
    return d, lo, hi


def _table(c: dict) -> np.ndarray:
    """[[exposed numb, exposed not numb], [other numb, other not numb]]."""
    return np.array([
        [c["exposed_numb"], c["exposed_runs"] - c["exposed_numb"]],
        [c["other_numb"], c["other_runs"] - c["other_numb"]],
    ])


def _fisher(c: dict) -> dict:
    """Fisher exact p and conditional MLE odds ratio with its exact 95 % interval."""
    t = _table(c)
    p = float(stats.fisher_exact(t).pvalue)
    r = odds_ratio(t, kind="conditional")
    ci = r.confidence_interval(0.95)
    return {"effect": float(r.statistic), "ci_low": float(ci.low), "ci_high": float(ci.high), "p_value": p}


def compare_numeric(x: pd.Series, numb: pd.Series, *, unit: str = "", n_resamples: int = 1000,
                    seed: int = 0) -> dict:
    """Test a numeric factor.

    Parameters
    ----------
    x : Series of float
        The factor per run [its unit].
    numb : Series of bool
        Outcome per run (same index).
    unit : str
        Unit of *x*, for the ``effect_unit`` text.
    n_resamples, seed : int
        Bootstrap settings of Cliff's delta interval.

    Returns
    -------
    dict
        Keys of :data:`FACTOR_COLUMNS` that depend on the data, or
        ``{'reason': ...}`` when the factor cannot be tested.  ``effect`` is the
        Firth odds ratio per interquartile range (per standard deviation when
        the IQR is 0), ``p_value`` the two-sided Mann-Whitney p-value (exact for
        small samples without ties, normal approximation with tie correction
        otherwise, scipy ``method='auto'``), the counts describe the split at the
        median (``x > median`` vs the rest).
    """
    x = pd.to_numeric(x, errors="coerce").astype("float64")
    ok = x.notna() & numb.notna()
    xv = x[ok].to_numpy()
    yv = numb[ok].to_numpy(dtype=bool)
    n, k = len(xv), int(yv.sum())
    out = {"n_runs": n, "n_episodes": k}
    why = too_few(n, k)
    if why:
        return {**out, "reason": why}
    if np.unique(xv).size < 2:
        return {**out, "reason": "constant across runs"}
    q1, med, q3 = np.percentile(xv, [25, 50, 75])
    exposed = xv > med
    split = f"> {number_text(med)}"
    iqr = q3 - q1
    if iqr > 0:
        scale, unit_txt = iqr, f"per {number_text(iqr)} {unit} increase (interquartile range)".replace("  ", " ")
    else:
        scale = float(np.std(xv, ddof=1))
        unit_txt = f"per {number_text(scale)} {unit} increase (standard deviation; the IQR is 0)".replace("  ", " ")
    mw = stats.mannwhitneyu(xv[yv], xv[~yv], alternative="two-sided", method="auto")
    d, dlo, dhi = cliffs_delta(xv[yv], xv[~yv], n_resamples=n_resamples, seed=seed)
    method = ("Mann-Whitney U; Cliff's delta (BCa bootstrap CI); OR per IQR by Firth logistic "
              "regression (profile-likelihood CI)")
    try:
        orr = univariate_or(pd.Series(xv), pd.Series(yv), center=med, scale=scale)
    except Exception as exc:  # numerically singular fit: keep the rank test, no odds ratio
        orr = {"effect": np.nan, "ci_low": np.nan, "ci_high": np.nan}
        method += f" [odds ratio not estimable: {type(exc).__name__}]"
    return {
        **out,
        "effect": orr["effect"], "ci_low": orr["ci_low"], "ci_high": orr["ci_high"],
        "p_value": float(mw.pvalue), "method": method,
        "effect_unit": unit_txt, "center": float(med), "scale": float(scale),
        "cliffs_delta": d, "delta_ci_low": dlo, "delta_ci_high": dhi,
        "split": split, **split_counts(exposed, yv),
    }


def compare_binary(x: pd.Series, numb: pd.Series) -> dict:
    """Test a yes/no factor by Fisher's exact test.

    Parameters
    ----------
    x : Series of bool (or 0/1)
        The factor per run; missing values are dropped.
    numb : Series of bool
        Outcome per run.

    Returns
    -------
    dict
        ``effect``: conditional maximum-likelihood odds ratio of numbness on runs
        with the factor vs without, ``ci_low``/``ci_high`` its exact 95 %
        interval (0 or inf when a cell is empty), ``p_value`` two-sided Fisher
        exact; or ``{'reason': ...}``.
    """
    ok = x.notna() & numb.notna()
    xv = x[ok].astype(bool).to_numpy(dtype=bool)
    yv = numb[ok].to_numpy(dtype=bool)
    n, k = len(xv), int(yv.sum())
    out = {"n_runs": n, "n_episodes": k}
    why = too_few(n, k)
    if why:
        return {**out, "reason": why}
    if xv.all() or not xv.any():
        return {**out, "reason": "constant across runs"}
    if min(xv.sum(), (~xv).sum()) < MIN_LEVEL_RUNS:
        return {**out, "reason": f"only {min(xv.sum(), (~xv).sum())} run(s) in one level "
                                 f"(need {MIN_LEVEL_RUNS})"}
    c = split_counts(xv, yv)
    return {**out, **_fisher(c),
            "method": "Fisher exact; conditional MLE odds ratio (exact CI)",
            "effect_unit": "yes vs no", "center": 0.0, "scale": 1.0, "split": "yes", **c}


def compare_categorical(x: pd.Series, numb: pd.Series, *, reference: str | None = None) -> tuple[list, list]:
    """Test each level of a categorical factor against the reference level.

    Parameters
    ----------
    x : Series
        Labels per run (e.g. shoe model); missing values dropped.
    numb : Series of bool
    reference : str, optional
        Reference level; default the most common level (alphabetical on ties).

    Returns
    -------
    rows : list of dict
        One per tested level (keys as :func:`compare_binary` plus ``level`` and
        ``reference``), comparing runs at that level with runs at the reference
        level only.
    skipped : list of dict
        ``level`` and ``reason`` for the levels (or the whole factor, level None)
        not tested.
    """
    lab = x.astype("object")
    ok = lab.notna() & numb.notna()
    lab = lab[ok].astype(str)
    yv = numb[ok].astype(bool)
    n, k = len(lab), int(yv.sum())
    why = too_few(n, k)
    if why:
        return [], [{"level": None, "n_runs": n, "n_episodes": k, "reason": why}]
    counts = lab.value_counts()
    if len(counts) < 2:
        return [], [{"level": None, "n_runs": n, "n_episodes": k, "reason": "constant across runs"}]
    if len(counts) > MAX_LEVELS:
        return [], [{"level": None, "n_runs": n, "n_episodes": k,
                     "reason": f"{len(counts)} different values (more than {MAX_LEVELS}): looks like free "
                               "text or an id; group it into a few categories to test it"}]
    if reference is None:
        top = counts[counts == counts.max()].index
        reference = sorted(top)[0]
    rows, skipped = [], []
    ref = (lab == reference).to_numpy()
    small = [lv for lv in sorted(counts.index) if lv != reference and counts[lv] < MIN_LEVEL_RUNS]
    if small:
        m = lab.isin(small).to_numpy()
        skipped.append({"level": ", ".join(small), "reference": reference, "n_runs": int(m.sum()),
                        "n_episodes": int(yv.to_numpy()[m].sum()),
                        "reason": f"fewer than {MIN_LEVEL_RUNS} runs at each of these levels"})
    for level in sorted(counts.index):
        if level == reference or level in small:
            continue
        cur = (lab == level).to_numpy()
        both = cur | ref
        nn, kk = int(both.sum()), int(yv.to_numpy()[both].sum())
        base = {"level": level, "reference": reference, "n_runs": nn, "n_episodes": kk}
        why = too_few(nn, kk, f"runs at '{level}' or '{reference}'")
        if why:
            skipped.append({**base, "reason": why})
            continue
        c = split_counts(cur[both], yv.to_numpy()[both])
        rows.append({**base, **_fisher(c),
                     "method": "Fisher exact (level vs reference); conditional MLE odds ratio (exact CI)",
                     "effect_unit": f"'{level}' vs '{reference}'", "center": np.nan, "scale": np.nan,
                     "split": f"= {level}", **c})
    return rows, skipped


def screen(features: pd.DataFrame, numb: pd.Series, catalog: dict | None = None, *,
           fdr_method: str = "bh", n_resamples: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Univariate screen of every candidate factor.

    Parameters
    ----------
    features : DataFrame
        One row per run (index run_id), one column per feature.
    numb : Series of bool
        Outcome per run, same index (tracked runs only; other rows are ignored).
    catalog : dict, optional
        name -> :class:`runlog.schema.Feature`; only ``candidate`` columns are
        tested.  None: every column, kinds inferred from dtypes.
    fdr_method : {'bh', 'by'}
        False-discovery-rate adjustment over all tested rows.
    n_resamples, seed : int
        Bootstrap settings (Cliff's delta intervals).

    Returns
    -------
    factors : DataFrame
        Columns :data:`FACTOR_COLUMNS`, one row per tested factor (per level for
        categories), strongest evidence first (ascending p-value, then larger
        |log odds ratio|).
    not_tested : DataFrame
        Columns :data:`NOT_TESTED_COLUMNS`: candidates not tested and why.
    """
    numb = numb.dropna().astype(bool)
    features = features.reindex(numb.index)
    rows, skipped = [], []
    for name in features.columns:
        s = features[name]
        meta = factor_meta(name, s, catalog)
        if meta is None:
            continue
        base = {"factor": name, "cause": meta["cause"], "description": meta["description"],
                "kind": meta["kind"], "unit": meta["unit"]}
        if name in BOOKKEEPING:
            skipped.append({**base, "level": None, "n_runs": int(s.notna().sum()),
                            "n_episodes": int((s.notna() & numb).sum()),
                            "reason": "bookkeeping column of the journal or notes file, not a factor"})
            continue
        if meta["kind"] == "categorical":
            rr, sk = compare_categorical(s, numb)
            rows += [{**base, **r} for r in rr]
            skipped += [{**base, **r} for r in sk]
            continue
        if meta["kind"] == "binary":
            r = compare_binary(s, numb)
        else:
            r = compare_numeric(s, numb, unit=meta["unit"], n_resamples=n_resamples, seed=seed)
        (skipped if "reason" in r else rows).append({**base, "level": None, **r})
    factors = pd.DataFrame(rows, columns=FACTOR_COLUMNS)
    if len(factors):
        factors["q_value"] = fdr_adjust(factors["p_value"].to_numpy(), fdr_method)
        strength = np.abs(np.log(factors["effect"].astype(float).clip(1e-12, 1e12)))
        order = np.lexsort((-strength.to_numpy(), factors["p_value"].to_numpy()))
        factors = factors.iloc[order].reset_index(drop=True)
    for c in ("n_runs", "n_episodes", "exposed_runs", "exposed_numb", "other_runs", "other_numb"):
        factors[c] = factors[c].astype("Int64")
    not_tested = pd.DataFrame(skipped, columns=NOT_TESTED_COLUMNS)
    return factors, not_tested


def is_finding(factors: pd.DataFrame, *, fdr: float = FDR,
               min_episodes: int = MIN_FINDING_EPISODES) -> pd.Series:
    """Which rows of ``Report.factors`` are findings (see the module docstring).

    Parameters
    ----------
    factors : DataFrame
        ``Report.factors``.
    fdr : float
        q-value threshold.
    min_episodes : int
        Numb runs needed on the higher-risk side.

    Returns
    -------
    Series of bool
        Aligned with *factors*.
    """
    if len(factors) == 0:
        return pd.Series([], dtype=bool, index=factors.index)
    q = pd.to_numeric(factors["q_value"], errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(factors["ci_low"], errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(factors["ci_high"], errors="coerce").to_numpy(dtype=float)
    eff = pd.to_numeric(factors["effect"], errors="coerce").to_numpy(dtype=float)
    side = np.where(eff >= 1, factors["exposed_numb"].astype("float64").to_numpy(),
                    factors["other_numb"].astype("float64").to_numpy())
    ok = (q < fdr) & ((lo > 1) | (hi < 1)) & (side >= min_episodes)
    return pd.Series(ok, index=factors.index)
