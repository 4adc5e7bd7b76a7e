"""Univariate screening: does numbness go with this factor, and how strongly?

Each candidate factor is tested against the per-run outcome ``numb`` (True on
runs with at least one numbness episode) by the test that fits its kind:

* **numeric** - Mann-Whitney U test (Mann & Whitney 1947) of the factor in numb
  runs vs the others, with Cliff's delta (Cliff 1993), ``delta = 2 U / (n1 n2) - 1``
  = P(X_numb > X_other) - P(X_numb < X_other), and its BCa bootstrap interval
  (Efron 1987); the effect is the odds ratio per interquartile-range increase
  from a Firth logistic regression (:func:`runlog.analysis.model.univariate_or`).
* **binary** - Fisher's exact test (Fisher 1935) and the conditional maximum
  likelihood odds ratio with its exact interval (Cornfield 1956; scipy's
  ``odds_ratio(kind='conditional')``).
* **categorical** - each level against the most common (reference) level,
  as a binary factor.

p-values of all rows are adjusted together for the false-discovery rate by
Benjamini-Hochberg (1995), or Benjamini-Yekutieli (2001) when asked for
(valid under any dependence between the factors).

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
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.multitest import multipletests

from ..units import number_text
from .model import univariate_or

__all__ = [
    "format_number",
    "MIN_EPISODES",
    "MIN_RUNS",
    "MIN_LEVEL_RUNS",
    "MAX_LEVELS",
    "BOOKKEEPING",
    "FACTOR_COLUMNS",
    "NOT_TESTED_COLUMNS",
    "fdr_adjust",
    "cliffs_delta",
    "compare_numeric",
    "compare_binary",
    "compare_categorical",
    "factor_meta",
    "screen",
    "descriptives",
]

#: Below this many numb runs no test is attempted (descriptives only).
MIN_EPISODES = 5
#: A factor needs at least this many runs with a value.
MIN_RUNS = 10
#: Each level of a binary/categorical factor (and each side of a numeric split) needs this many runs.
MIN_LEVEL_RUNS = 3
#: ... and at least this many numb runs and this many other runs among the runs with a value.
MIN_GROUP = 2
#: A categorical factor with more levels than this is not tested (free text or an id).
MAX_LEVELS = 12
#: Columns that identify a row of the journal / notes file rather than describe the run; never
#: tested even when a catalogue lists them as candidates (the line number or clock time of a
#: notes row follows the calendar and would masquerade as a factor).
BOOKKEEPING = frozenset({"line", "run", "run_id", "date", "time", "file", "source", "start_local",
                         "start_time"})

FACTOR_COLUMNS = [
    "factor", "level", "reference", "cause", "description", "kind", "unit",
    "n_runs", "n_episodes", "effect", "ci_low", "ci_high", "p_value", "q_value", "method",
    "effect_unit", "center", "scale", "cliffs_delta", "delta_ci_low", "delta_ci_high",
    "split", "exposed_runs", "exposed_numb", "other_runs", "other_numb",
]
NOT_TESTED_COLUMNS = ["factor", "level", "cause", "description", "n_runs", "n_episodes", "reason"]


# --------------------------------------------------------------------------
# building blocks
# --------------------------------------------------------------------------
def fdr_adjust(p_values, method: str = "bh") -> np.ndarray:
    """False-discovery-rate adjusted p-values (q-values).

    Parameters
    ----------
    p_values : array-like of float
        Raw p-values; NaN entries stay NaN and do not count as tests.
    method : {'bh', 'by'}
        Benjamini-Hochberg (1995), valid for independent or positively dependent
        tests, or Benjamini-Yekutieli (2001), valid under any dependence
        (multiplies by sum_{i<=m} 1/i).

    Returns
    -------
    ndarray of float
        ``q_(i) = min_{j >= i} min(1, m p_(j) / j)`` (BH), computed by
        :func:`statsmodels.stats.multitest.multipletests`.

    References
    ----------
    .. [1] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery
       rate: a practical and powerful approach to multiple testing. J R Stat
       Soc B 57:289-300.
    .. [2] Benjamini, Y. & Yekutieli, D. (2001). The control of the false
       discovery rate in multiple testing under dependency. Ann Stat
       29:1165-1188.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        sm = {"bh": "fdr_bh", "by": "fdr_by"}[method]
        out[ok] = multipletests(p[ok], method=sm)[1]
    return out


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


def _counts(exposed: np.ndarray, numb: np.ndarray) -> dict:
    """2x2 counts: exposed/other runs and numb runs among them."""
    return {
        "exposed_runs": int(exposed.sum()),
        "exposed_numb": int((exposed & numb).sum()),
        "other_runs": int((~exposed).sum()),
        "other_numb": int((~exposed & numb).sum()),
    }


def _table(c: dict) -> np.ndarray:
    """[[exposed numb, exposed not numb], [other numb, other not numb]]."""
    return np.array([
        [c["exposed_numb"], c["exposed_runs"] - c["exposed_numb"]],
        [c["other_numb"], c["other_runs"] - c["other_numb"]],
    ])


def _guard(n_runs: int, n_numb: int, what: str = "runs with a value") -> str | None:
    if n_runs < MIN_RUNS:
        return f"only {n_runs} {what} (need {MIN_RUNS})"
    if n_numb < MIN_GROUP:
        return f"only {n_numb} numb run(s) among the {n_runs} {what} (need {MIN_GROUP})"
    if n_runs - n_numb < MIN_GROUP:
        return f"only {n_runs - n_numb} run(s) without numbness among the {what} (need {MIN_GROUP})"
    return None


def _fisher(c: dict) -> dict:
    """Fisher exact p and conditional MLE odds ratio with its exact 95 % interval."""
    t = _table(c)
    p = float(stats.fisher_exact(t).pvalue)
    r = odds_ratio(t, kind="conditional")
    ci = r.confidence_interval(0.95)
    return {"effect": float(r.statistic), "ci_low": float(ci.low), "ci_high": float(ci.high), "p_value": p}


# --------------------------------------------------------------------------
# one factor
# --------------------------------------------------------------------------
def compare_numeric(x: pd.Series, numb: pd.Series, *, unit: str = "", n_resamples: int = 1000,
                 seed: int = 0, tests: bool = True) -> dict:
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
    tests : bool
        False: only the counts of the split at the median (no Mann-Whitney,
        bootstrap or odds ratio; ``p_value`` and ``effect`` NaN).

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
    why = _guard(n, k)
    if why:
        return {**out, "reason": why}
    if np.unique(xv).size < 2:
        return {**out, "reason": "constant across runs"}
    q1, med, q3 = np.percentile(xv, [25, 50, 75])
    exposed = xv > med
    split = f"> {number_text(med)}"
    if not tests:
        return {**out, "effect": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan,
                "method": "counts only", "effect_unit": "", "center": float(med), "scale": np.nan,
                "cliffs_delta": np.nan, "delta_ci_low": np.nan, "delta_ci_high": np.nan,
                "split": split, **_counts(exposed, yv)}
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
        "split": split, **_counts(exposed, yv),
    }


def compare_binary(x: pd.Series, numb: pd.Series, *, tests: bool = True) -> dict:
    """Test a yes/no factor by Fisher's exact test.

    Parameters
    ----------
    x : Series of bool (or 0/1)
        The factor per run; missing values are dropped.
    numb : Series of bool
        Outcome per run.
    tests : bool
        False: only the counts (no Fisher test; ``p_value`` and ``effect`` NaN).

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
    why = _guard(n, k)
    if why:
        return {**out, "reason": why}
    if xv.all() or not xv.any():
        return {**out, "reason": "constant across runs"}
    if min(xv.sum(), (~xv).sum()) < MIN_LEVEL_RUNS:
        return {**out, "reason": f"only {min(xv.sum(), (~xv).sum())} run(s) in one level "
                                 f"(need {MIN_LEVEL_RUNS})"}
    c = _counts(xv, yv)
    return {**out, **(_fisher(c) if tests else _NO_TEST),
            "method": "Fisher exact; conditional MLE odds ratio (exact CI)" if tests else "counts only",
            "effect_unit": "yes vs no", "center": 0.0, "scale": 1.0, "split": "yes", **c}


def compare_categorical(x: pd.Series, numb: pd.Series, *, reference: str | None = None,
                        tests: bool = True) -> tuple[list, list]:
    """Test each level of a categorical factor against the reference level.

    Parameters
    ----------
    x : Series
        Labels per run (e.g. shoe model); missing values dropped.
    numb : Series of bool
    reference : str, optional
        Reference level; default the most common level (alphabetical on ties).
    tests : bool
        False: only the counts of each level against *all other runs* (the
        coding of the cause model, :mod:`runlog.analysis.causes`: one pair
        against the others), every level with at least ``MIN_LEVEL_RUNS`` runs
        (the reference included, ``reference`` = 'the others'); no Fisher test.

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
    why = _guard(n, k)
    if why:
        return [], [{"level": None, "n_runs": n, "n_episodes": k, "reason": why}]
    counts = lab.value_counts()
    if len(counts) < 2:
        return [], [{"level": None, "n_runs": n, "n_episodes": k, "reason": "constant across runs"}]
    if len(counts) > MAX_LEVELS:
        return [], [{"level": None, "n_runs": n, "n_episodes": k,
                     "reason": f"{len(counts)} different values (more than {MAX_LEVELS}): looks like free "
                               "text or an id; group it into a few categories to test it"}]
    if not tests:
        return _level_counts(lab, yv.to_numpy(dtype=bool), counts)
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
        why = _guard(nn, kk, f"runs at '{level}' or '{reference}'")
        if why:
            skipped.append({**base, "reason": why})
            continue
        c = _counts(cur[both], yv.to_numpy()[both])
        rows.append({**base, **_fisher(c),
                     "method": "Fisher exact (level vs reference); conditional MLE odds ratio (exact CI)",
                     "effect_unit": f"'{level}' vs '{reference}'", "center": np.nan, "scale": np.nan,
                     "split": f"= {level}", **c})
    return rows, skipped


_NO_TEST = {"effect": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}


def _level_counts(lab: pd.Series, yv: np.ndarray, counts: pd.Series) -> tuple[list, list]:
    """Counts of each level against all other runs (levels with fewer than MIN_LEVEL_RUNS runs on
    either side: skipped), as :func:`compare_categorical` with ``tests=False``."""
    rows, skipped = [], []
    n = len(lab)
    small = [lv for lv in sorted(counts.index) if min(counts[lv], n - counts[lv]) < MIN_LEVEL_RUNS]
    if small:
        m = lab.isin(small).to_numpy()
        skipped.append({"level": ", ".join(small), "reference": "the others", "n_runs": int(m.sum()),
                        "n_episodes": int(yv[m].sum()),
                        "reason": f"fewer than {MIN_LEVEL_RUNS} runs at each of these levels or without them"})
    for level in sorted(counts.index):
        if level in small:
            continue
        cur = (lab == level).to_numpy()
        rows.append({"level": level, "reference": "the others", "n_runs": n, "n_episodes": int(yv.sum()),
                     **_NO_TEST, "method": "counts only", "effect_unit": f"'{level}' vs the others",
                     "center": np.nan, "scale": np.nan, "split": f"= {level}", **_counts(cur, yv)})
    return rows, skipped


# --------------------------------------------------------------------------
# all factors
# --------------------------------------------------------------------------
def factor_meta(name: str, s: pd.Series, catalog: dict | None) -> dict | None:
    """Cause, description, kind and unit of a feature column.

    Parameters
    ----------
    name : str
        Column name.
    s : Series
        The column (used to infer the kind when there is no catalogue).
    catalog : dict or None
        ``runlog.features.catalog.FEATURES``-like mapping name -> Feature.  ``None``: infer
        everything (bool -> binary, numbers -> numeric, text -> categorical,
        cause 'other').

    Returns
    -------
    dict or None
        None when the catalogue does not list the column or says it is not a
        candidate.
    """
    if catalog is not None:
        f = catalog.get(name)
        if f is None or not f.candidate:
            return None
        return {"cause": f.cause, "description": f.description, "kind": f.kind, "unit": f.unit}
    if pd.api.types.is_bool_dtype(s.dtype):
        kind = "binary"
    elif pd.api.types.is_numeric_dtype(s.dtype):
        kind = "numeric"
    else:
        kind = "categorical"
    return {"cause": "other", "description": name, "kind": kind, "unit": ""}


def screen(features: pd.DataFrame, numb: pd.Series, catalog: dict | None = None, *,
           fdr_method: str = "bh", n_resamples: int = 1000, seed: int = 0,
           tests: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    tests : bool
        False: only the counts the factor table needs, no test: numeric
        factors split at the median, yes/no factors yes against no, each
        level of a categorical factor against all other runs (the coding of
        the cause model).

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
            rr, sk = compare_categorical(s, numb, tests=tests)
            rows += [{**base, **r} for r in rr]
            skipped += [{**base, **r} for r in sk]
            continue
        if meta["kind"] == "binary":
            r = compare_binary(s, numb, tests=tests)
        else:
            r = compare_numeric(s, numb, unit=meta["unit"], n_resamples=n_resamples, seed=seed, tests=tests)
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


def descriptives(features: pd.DataFrame, numb: pd.Series, catalog: dict | None = None) -> pd.DataFrame:
    """Plain description of each candidate factor in numb runs vs the others (no tests).

    Parameters
    ----------
    features : DataFrame
    numb : Series of bool
    catalog : dict, optional

    Returns
    -------
    DataFrame
        Columns ``factor``, ``cause``, ``description``, ``kind``, ``unit``,
        ``n_runs``, ``n_episodes``, ``numb_runs`` and ``other_runs`` (median
        [quartiles] for numeric factors, "k of n (p %)" for binary ones, the most
        common level for categories).
    """
    numb = numb.dropna().astype(bool)
    features = features.reindex(numb.index)
    all_metas = {name: factor_meta(name, features[name], catalog) for name in features.columns}
    metas = {k: v for k, v in all_metas.items() if v is not None}
    # quartiles of every numeric column in each group at once (a pandas percentile per column and
    # group was most of this table's time)
    num = [k for k, m in metas.items() if m["kind"] == "numeric"]
    yv = numb.to_numpy(dtype=bool)
    values = np.column_stack([pd.to_numeric(features[k], errors="coerce").to_numpy(dtype="float64")
                              for k in num]) if num else np.empty((len(numb), 0))
    quart = {}
    with warnings.catch_warnings():   # an all-NaN column in a group: NaN quartiles, written '-'
        warnings.simplefilter("ignore", RuntimeWarning)
        for g, m in (("numb", yv), ("other", ~yv)):
            quart[g] = (np.nanpercentile(values[m], [25, 50, 75], axis=0) if m.any()
                        else np.full((3, len(num)), np.nan))

    def quartile_text(g: str, j: int) -> str:
        q = quart[g][:, j]
        if not np.isfinite(q[1]):
            return "-"
        sep = " to " if q[0] < 0 or q[2] < 0 else "-"
        return f"{number_text(q[1])} [{number_text(q[0])}{sep}{number_text(q[2])}]"

    def level_text(v: pd.Series, kind: str) -> str:
        if kind == "binary":
            v = v.astype(bool)
            return f"{int(v.sum())} of {len(v)}" + (f" ({100 * v.mean():.0f} %)" if len(v) else "")
        vc = v.astype("object").astype(str).value_counts()
        return "-" if not len(vc) else f"{vc.index[0]} ({vc.iloc[0]} of {len(v)})"

    rows = []
    for name, meta in metas.items():
        ok = features[name].notna()
        if meta["kind"] == "numeric":
            j = num.index(name)
            texts = quartile_text("numb", j), quartile_text("other", j)
        else:
            s = features[name]
            texts = level_text(s[ok & numb], meta["kind"]), level_text(s[ok & ~numb], meta["kind"])
        rows.append({"factor": name, **{k: meta[k] for k in ("cause", "description", "kind", "unit")},
                     "n_runs": int(ok.sum()), "n_episodes": int((ok & numb).sum()),
                     "numb_runs": texts[0], "other_runs": texts[1]})
    return pd.DataFrame(rows, columns=["factor", "cause", "description", "kind", "unit", "n_runs",
                                       "n_episodes", "numb_runs", "other_runs"])


def format_number(v: float) -> str:
    """A number with 3 significant digits, no trailing zeros ('22.4', '0.05', '1200').

    Kept for callers of earlier versions: :func:`runlog.units.number_text`
    (which writes an unknown value as '–').

    Parameters
    ----------
    v : float
        The number (None or non-finite: written as ``str(v)``).

    Returns
    -------
    str
        E.g. 1234.5 -> '1234', 22.44 -> '22.4', 1.50 -> '1.5', 0.0512 -> '0.051'.
    """
    if v is None or not np.isfinite(v):
        return str(v)
    return number_text(v)
