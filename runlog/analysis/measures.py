"""The table of every measure: its role, its own test, its counts and whether it is a finding's measure.

:func:`measure_table` joins the cause decision (:mod:`runlog.analysis.causes`)
and the per-measure counts (:func:`runlog.analysis.stats.measure_counts`) into
one row per measure (per level for a category), in codes and numbers; the
report adds the words (:mod:`runlog.render.wording`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .causes import EFFECT_COLUMNS
from .stats import fdr_adjust

__all__ = ["MEASURE_COLUMNS", "ROLES", "measure_table"]

#: A measure's ``role``: the measure a cause is judged on (``primary``), one that goes with numbness
#: alone but not once the finding causes are in the model (``explained``), one measured during the
#: run before onset (``in-run``), or another measure of its cause (``secondary``).
ROLES = ("primary", "explained", "in-run", "secondary")

#: Columns of :func:`measure_table`.
MEASURE_COLUMNS = [
    "factor", "level", "cause", "role", "kind", "unit", "n_runs", "n_episodes",
    "effect", "ci_low", "ci_high", "p_value", "q_value", *EFFECT_COLUMNS,
    "adjusted_effect", "adjusted_ci_low", "adjusted_ci_high", "adjusted_p", "explained_by",
    "description", "exposed_runs", "exposed_numb", "other_runs", "other_numb", "finding",
]


def _row_key(factor, level) -> tuple:
    """A measure row's key: (measure, level), the level None unless it is a text (NaN, NA, None alike)."""
    return factor, level if isinstance(level, str) else None


def measure_table(measures: pd.DataFrame, causes: pd.DataFrame, counts: pd.DataFrame, catalog: dict, *,
                  fdr_method: str = "bh") -> pd.DataFrame:
    """Every measure tested, strongest first, with its cause and role.

    Parameters
    ----------
    measures : DataFrame
        :meth:`runlog.analysis.causes.CauseAnalysis.measures` output.
    causes : DataFrame
        The causes of :func:`runlog.analysis.causes.decide` (which measure is each cause's primary).
    counts : DataFrame
        :func:`runlog.analysis.stats.measure_counts` (runs and numb runs per side of the split).
    catalog : dict
        name -> Feature.
    fdr_method : {'bh', 'by'}
        q-values over the measures.

    Returns
    -------
    DataFrame
        Columns :data:`MEASURE_COLUMNS`; ``role`` is one of :data:`ROLES`;
        ``finding`` marks the measure of each finding cause (listed first).
        A cause's primary measure (for shoes: the pair its test chose)
        carries the cause test's ``effect``, interval, ``p_value`` and
        ``q_value`` (the numbers the answer rests on, Holm over causes), so a
        measure reads the same in every table; the other rows carry their own
        Wald test (with the season and the time on the feet) and ``q_value``
        adjusts those over the other rows (*fdr_method*).
    """
    if measures is None or not len(measures):
        return pd.DataFrame(columns=MEASURE_COLUMNS)
    m = measures.copy()
    tested = causes[causes["p_value"].notna()] if len(causes) else causes
    prim = set(tested["factor"].dropna().astype(str)) if len(tested) else set()
    m["cause"] = [getattr(catalog.get(n), "cause", "other") for n in m["factor"]]
    m["unit"] = [getattr(catalog.get(n), "unit", "") for n in m["factor"]]
    m["description"] = [getattr(catalog.get(n), "description", "") for n in m["factor"]]
    in_run = np.array([bool(getattr(catalog.get(n), "in_run", False)) for n in m["factor"]])
    expl = m["explained_by"].astype(str) != "" if "explained_by" in m else np.zeros(len(m), bool)
    role = np.where(m["factor"].isin(prim), "primary",
                    np.where(expl, "explained", np.where(in_run, "in-run", "secondary")))
    m["role"] = role
    # rows are matched to causes and counts by (measure, level or None)
    mkeys = [_row_key(f, lv) for f, lv in zip(m["factor"], m["level"])]
    # a cause's own measure: the cause test's numbers (one story per measure), else its own test
    own = {_row_key(r.factor, r.level): r for r in tested.itertuples(index=False)}
    rows = [own.get(k) for k in mkeys]
    is_own = np.array([r is not None for r in rows])
    m["q_value"] = np.nan
    m.loc[~is_own, "q_value"] = fdr_adjust(m.loc[~is_own, "p_value"].to_numpy(dtype="float64"), fdr_method)
    for c in ("effect", "ci_low", "ci_high", "p_value", "q_value"):
        vals = m[c].to_numpy(dtype="float64", copy=True)
        vals[is_own] = [float(getattr(r, c)) for r in rows if r is not None]
        m[c] = vals
    if counts is not None and len(counts):
        cols = ["n_runs", "n_episodes", "exposed_runs", "exposed_numb", "other_runs", "other_numb"]
        look = {_row_key(r.factor, r.level): r for r in counts.itertuples(index=False)}
        for c in cols:
            m[c] = [getattr(look.get(k), c, pd.NA) for k in mkeys]
            m[c] = m[c].astype("Int64")
    fc = causes[causes["finding"].astype(bool)] if len(causes) else causes
    found = {_row_key(r.factor, r.level) for r in fc.itertuples(index=False)}
    m["finding"] = [k in found for k in mkeys]
    m = m.sort_values(["finding", "p_value"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return m.reindex(columns=MEASURE_COLUMNS)
