"""Per-measure numbers of the analysed runs: counts, what cannot be compared, descriptives.

:func:`measure_counts` splits every candidate measure as the cause model
codes it (numeric: above the median against the rest; yes/no: with against
without; a category: each level against the other runs) and counts runs and
numb runs on each side; :func:`descriptives` describes each measure in numb
runs and the others without a test; :func:`fdr_adjust` gives q-values.

The old univariate screen (Mann-Whitney / Fisher tests of each measure, the
decision rule before v2) is the validation baseline ``bench/screen_v1.py``.

References
----------
Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. JRSS B 57, 289-300.
Benjamini Y, Yekutieli D (2001). The control of the false discovery rate in multiple
testing under dependency. Annals of Statistics 29, 1165-1188.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from ..units import number_text

__all__ = [
    "MIN_EPISODES",
    "MIN_RUNS",
    "MIN_LEVEL_RUNS",
    "MIN_GROUP",
    "MAX_LEVELS",
    "BOOKKEEPING",
    "FACTOR_COLUMNS",
    "NOT_TESTED_COLUMNS",
    "NOT_TESTED_REASONS",
    "DESCRIPTIVES_COLUMNS",
    "fdr_adjust",
    "split_counts",
    "too_few",
    "numeric_counts",
    "binary_counts",
    "categorical_counts",
    "level_counts",
    "factor_meta",
    "measure_counts",
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
#: Columns of the measures that cannot be compared (:func:`measure_counts`): ``reason`` is one of
#: :data:`NOT_TESTED_REASONS`, ``reason_value`` the number it names.
NOT_TESTED_COLUMNS = ["factor", "level", "cause", "description", "n_runs", "n_episodes", "reason", "reason_value"]
#: Why a measure cannot be compared, and its ``reason_value``: fewer than :data:`MIN_RUNS` runs with a
#: value (``few_runs``), fewer than :data:`MIN_GROUP` numb runs or runs without numbness among them
#: (``few_numb``, ``few_other``: that number), the same value on every run (``constant``), fewer than
#: :data:`MIN_LEVEL_RUNS` runs at one of a yes/no measure's two levels (``one_level``: that number),
#: more than :data:`MAX_LEVELS` different values (``many_values``: how many), levels with fewer than
#: :data:`MIN_LEVEL_RUNS` runs at them or without them (``small_levels``, the levels in ``level``), a
#: row number or date of the journal or notes file (``bookkeeping``).
NOT_TESTED_REASONS = ("few_runs", "few_numb", "few_other", "constant", "one_level", "many_values", "small_levels",
                      "bookkeeping")


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


def split_counts(exposed: np.ndarray, numb: np.ndarray) -> dict:
    """2x2 counts: exposed/other runs and numb runs among them.

    Parameters
    ----------
    exposed, numb : ndarray of bool
        Per run: on the exposed side (above the split, with the factor, at the level); with numbness.

    Returns
    -------
    dict
        ``exposed_runs``, ``exposed_numb``, ``other_runs``, ``other_numb``.
    """
    return {
        "exposed_runs": int(exposed.sum()),
        "exposed_numb": int((exposed & numb).sum()),
        "other_runs": int((~exposed).sum()),
        "other_numb": int((~exposed & numb).sum()),
    }


def too_few(n_runs: int, n_numb: int) -> dict | None:
    """Why a measure with *n_runs* runs with a value, *n_numb* of them numb, cannot be compared; None when it can.

    Parameters
    ----------
    n_runs, n_numb : int
        Runs with a value, and numb runs among them.

    Returns
    -------
    dict or None
        ``reason`` ('few_runs': fewer than :data:`MIN_RUNS` runs; 'few_numb' / 'few_other': fewer than
        :data:`MIN_GROUP` on a side) and ``reason_value`` (the number that is too small).
    """
    if n_runs < MIN_RUNS:
        return {"reason": "few_runs", "reason_value": n_runs}
    if n_numb < MIN_GROUP:
        return {"reason": "few_numb", "reason_value": n_numb}
    if n_runs - n_numb < MIN_GROUP:
        return {"reason": "few_other", "reason_value": n_runs - n_numb}
    return None


_NO_TEST = {"effect": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_value": np.nan}


def numeric_counts(x: pd.Series, numb: pd.Series) -> dict:
    """A numeric measure split at its median: runs and numb runs above it and at or below.

    Parameters
    ----------
    x : Series of float
        The measure per run [its unit].
    numb : Series of bool
        Outcome per run (same index).

    Returns
    -------
    dict
        Keys of :data:`FACTOR_COLUMNS` (tests NaN, ``center`` the median, ``split`` its text) with
        the counts of :func:`split_counts`; or ``{'reason': ...}`` when it cannot be compared.
    """
    x = pd.to_numeric(x, errors="coerce").astype("float64")
    ok = x.notna() & numb.notna()
    xv = x[ok].to_numpy()
    yv = numb[ok].to_numpy(dtype=bool)
    n, k = len(xv), int(yv.sum())
    out = {"n_runs": n, "n_episodes": k}
    why = too_few(n, k)
    if why:
        return {**out, **why}
    if np.unique(xv).size < 2:
        return {**out, "reason": "constant", "reason_value": np.nan}
    med = float(np.percentile(xv, 50))
    return {**out, **_NO_TEST, "method": "counts only", "effect_unit": "", "center": med, "scale": np.nan,
            "cliffs_delta": np.nan, "delta_ci_low": np.nan, "delta_ci_high": np.nan,
            "split": f"> {number_text(med)}", **split_counts(xv > med, yv)}


def binary_counts(x: pd.Series, numb: pd.Series) -> dict:
    """A yes/no measure: runs and numb runs with it and without.

    Parameters
    ----------
    x : Series of bool (or 0/1)
        The measure per run; missing values are dropped.
    numb : Series of bool
        Outcome per run.

    Returns
    -------
    dict
        As :func:`numeric_counts` (``split`` 'yes'); or ``{'reason': ...}``.
    """
    ok = x.notna() & numb.notna()
    xv = x[ok].astype(bool).to_numpy(dtype=bool)
    yv = numb[ok].to_numpy(dtype=bool)
    n, k = len(xv), int(yv.sum())
    out = {"n_runs": n, "n_episodes": k}
    why = too_few(n, k)
    if why:
        return {**out, **why}
    if xv.all() or not xv.any():
        return {**out, "reason": "constant", "reason_value": np.nan}
    if min(xv.sum(), (~xv).sum()) < MIN_LEVEL_RUNS:
        return {**out, "reason": "one_level", "reason_value": int(min(xv.sum(), (~xv).sum()))}
    return {**out, **_NO_TEST, "method": "counts only", "effect_unit": "yes vs no", "center": 0.0, "scale": 1.0,
            "split": "yes", **split_counts(xv, yv)}


def _known_text(x: pd.Series) -> pd.Series:
    """Whether each run has a level: a value that is not missing and not blank (white space only), as
    the cause model reads a text measure (:meth:`runlog.analysis.causes.CauseAnalysis._known`)."""
    return x.notna() & (x.astype("object").astype(str).str.strip() != "")


def categorical_counts(x: pd.Series, numb: pd.Series) -> tuple[list, list]:
    """A category: each level against the other runs (:func:`level_counts`), after the checks a
    category must pass (enough runs, at least two levels, at most :data:`MAX_LEVELS`).

    Parameters
    ----------
    x : Series
        Labels per run (e.g. shoe model); missing and blank values dropped.
    numb : Series of bool

    Returns
    -------
    rows, skipped : list of dict
        As :func:`level_counts`; the whole measure in *skipped* (level None) when it fails a check.
    """
    lab = x.astype("object")
    ok = _known_text(x) & numb.notna()
    lab = lab[ok].astype(str)
    yv = numb[ok].astype(bool)
    n, k = len(lab), int(yv.sum())
    why = too_few(n, k)
    if why:
        return [], [{"level": None, "n_runs": n, "n_episodes": k, **why}]
    counts = lab.value_counts()
    if len(counts) < 2:
        return [], [{"level": None, "n_runs": n, "n_episodes": k, "reason": "constant", "reason_value": np.nan}]
    if len(counts) > MAX_LEVELS:
        return [], [{"level": None, "n_runs": n, "n_episodes": k, "reason": "many_values",
                     "reason_value": len(counts)}]
    return level_counts(lab, yv.to_numpy(dtype=bool), counts)


def level_counts(lab: pd.Series, yv: np.ndarray, counts: pd.Series) -> tuple[list, list]:
    """Counts of each level against all other runs (the coding of the cause model: one pair against
    the others); levels with fewer than :data:`MIN_LEVEL_RUNS` runs on either side are skipped.

    Parameters
    ----------
    lab : Series of str
        The level of each run with a value.
    yv : ndarray of bool
        Numbness of those runs.
    counts : Series
        ``lab.value_counts()``.

    Returns
    -------
    rows : list of dict
        One per level: ``level``, ``reference`` ('the others'), the counts of :func:`split_counts`.
    skipped : list of dict
        The small levels together, with the ``reason``.
    """
    rows, skipped = [], []
    n = len(lab)
    small = [lv for lv in sorted(counts.index) if min(counts[lv], n - counts[lv]) < MIN_LEVEL_RUNS]
    if small:
        m = lab.isin(small).to_numpy()
        skipped.append({"level": ", ".join(small), "reference": "the others", "n_runs": int(m.sum()),
                        "n_episodes": int(yv[m].sum()),
                        "reason": "small_levels", "reason_value": np.nan})
    for level in sorted(counts.index):
        if level in small:
            continue
        cur = (lab == level).to_numpy()
        rows.append({"level": level, "reference": "the others", "n_runs": n, "n_episodes": int(yv.sum()),
                     **_NO_TEST, "method": "counts only", "effect_unit": f"'{level}' vs the others",
                     "center": np.nan, "scale": np.nan, "split": f"= {level}", **split_counts(cur, yv)})
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


def measure_counts(features: pd.DataFrame, numb: pd.Series,
                   catalog: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts of every candidate measure split as the cause model codes it, and what cannot be compared.

    Parameters
    ----------
    features : DataFrame
        One row per run (index run_id), one column per feature.
    numb : Series of bool
        Outcome per run, same index (tracked runs only; other rows are ignored).
    catalog : dict, optional
        name -> :class:`runlog.schema.Feature`; only ``candidate`` columns are
        counted.  None: every column, kinds inferred from dtypes.

    Returns
    -------
    counts : DataFrame
        Columns :data:`FACTOR_COLUMNS` (the tests NaN), one row per measure (per level for
        categories), in the order of the columns.
    not_tested : DataFrame
        Columns :data:`NOT_TESTED_COLUMNS`: candidates that cannot be compared and why.
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
                            "reason": "bookkeeping", "reason_value": np.nan})
            continue
        if meta["kind"] == "categorical":
            rr, sk = categorical_counts(s, numb)
            rows += [{**base, **r} for r in rr]
            skipped += [{**base, **r} for r in sk]
            continue
        r = binary_counts(s, numb) if meta["kind"] == "binary" else numeric_counts(s, numb)
        (skipped if "reason" in r else rows).append({**base, "level": None, **r})
    counts = pd.DataFrame(rows, columns=FACTOR_COLUMNS)
    for c in ("n_runs", "n_episodes", "exposed_runs", "exposed_numb", "other_runs", "other_numb"):
        counts[c] = counts[c].astype("Int64")
    return counts, pd.DataFrame(skipped, columns=NOT_TESTED_COLUMNS)


#: Columns of :func:`descriptives`: per group (``numb`` runs, ``other`` runs) the quartiles of a numeric
#: measure (``_q1``, ``_median``, ``_q3``), the runs with a yes/no measure or at a category's most
#: common level (``_k``) of the runs with a value (``_n``), and that level (``_level``).
DESCRIPTIVES_COLUMNS = ["factor", "cause", "description", "kind", "unit", "n_runs", "n_episodes",
                        *[f"{g}_{c}" for g in ("numb", "other") for c in ("q1", "median", "q3", "k", "n", "level")]]


def descriptives(features: pd.DataFrame, numb: pd.Series, catalog: dict | None = None) -> pd.DataFrame:
    """Each candidate measure in numb runs and in the others, without a test.

    Parameters
    ----------
    features : DataFrame
    numb : Series of bool
    catalog : dict, optional

    Returns
    -------
    DataFrame
        Columns :data:`DESCRIPTIVES_COLUMNS`: quartiles for numeric measures,
        counts for yes/no ones, the most common level and its count for
        categories (in words: :func:`runlog.render.wording.descriptive_text`).
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
    with warnings.catch_warnings():   # an all-NaN column in a group: NaN quartiles
        warnings.simplefilter("ignore", RuntimeWarning)
        for g, m in (("numb", yv), ("other", ~yv)):
            quart[g] = (np.nanpercentile(values[m], [25, 50, 75], axis=0) if m.any()
                        else np.full((3, len(num)), np.nan))

    def counts(v: pd.Series, kind: str) -> dict:
        if kind == "binary":
            return {"k": int(v.astype(bool).sum()), "n": len(v), "level": None}
        vc = v.astype("object").astype(str).value_counts()
        return {"k": int(vc.iloc[0]) if len(vc) else 0, "n": len(v), "level": vc.index[0] if len(vc) else None}

    nan = float("nan")
    rows = []
    for name, meta in metas.items():
        ok = _known_text(features[name]) if meta["kind"] == "categorical" else features[name].notna()
        row: dict[str, object] = {"factor": name, **{k: meta[k] for k in ("cause", "description", "kind", "unit")},
                                  "n_runs": int(ok.sum()), "n_episodes": int((ok & numb).sum())}
        for g, m in (("numb", numb), ("other", ~numb)):
            if meta["kind"] == "numeric":
                q = quart[g][:, num.index(name)]
                row.update({f"{g}_q1": float(q[0]), f"{g}_median": float(q[1]), f"{g}_q3": float(q[2])})
            else:
                c = counts(features[name][ok & m], meta["kind"])
                row.update({f"{g}_k": c["k"], f"{g}_n": c["n"], f"{g}_level": c["level"]})
        rows.append(row)
    out = pd.DataFrame(rows, columns=DESCRIPTIVES_COLUMNS)
    for col in (f"{g}_{q}" for g in ("numb", "other") for q in ("q1", "median", "q3")):
        out[col] = out[col].astype("float64").fillna(nan)
    return out
