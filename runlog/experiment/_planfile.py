"""Reading a plan back from its CSV file."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ExperimentError
from ._design import DESIGNS, layout, orders, switches
from ._plan import PLAN_COLUMNS, Plan


def _cell_read(text: str) -> str:
    """Undo :func:`_cell_safe`."""
    from ..report import FORMULA_STARTS

    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def read_plan(path_or_frame) -> Plan:
    """Read a plan written by :meth:`Plan.to_csv` (or ``runlog experiment plan``).

    The file is checked against its own design: every cycle must hold each
    level once (a schedule edited by hand is no longer the randomised one,
    and its randomisation test would be wrong).

    Parameters
    ----------
    path_or_frame : str, PathLike or DataFrame
        The plan CSV, or the frame :meth:`Plan.to_frame` returns.

    Returns
    -------
    Plan
        Without the power table.

    Raises
    ------
    ExperimentError
        Missing columns, or a schedule that does not follow its design.
    """
    if isinstance(path_or_frame, pd.DataFrame):
        df, src = path_or_frame.copy(), "plan"
    else:
        src = str(path_or_frame)
        try:
            df = pd.read_csv(path_or_frame, dtype=str, keep_default_na=False)
        except (OSError, ValueError) as exc:
            raise ExperimentError(f"{src}: cannot read the plan ({exc}); give the plan.csv 'runlog experiment "
                                  "plan' wrote") from exc
    missing = [c for c in PLAN_COLUMNS if c not in df.columns and c not in ("weekday", "start")]
    if missing or not len(df):
        raise ExperimentError(f"{src}: not a runlog experiment plan (missing columns {missing or 'rows'}); give "
                              "the plan.csv 'runlog experiment plan' wrote")
    df = df.astype({c: str for c in df.columns})
    factor = _cell_read(df["factor"].iloc[0])
    levels = tuple(_cell_read(x.strip()) for x in df["levels"].iloc[0].split(" | "))
    df["level"] = df["level"].map(_cell_read)
    try:
        block, seed = int(df["block"].iloc[0]), int(df["seed"].iloc[0])
        slot = df["slot"].astype(int).to_numpy() - 1
    except ValueError as exc:
        raise ExperimentError(f"{src}: block, seed and slot must be whole numbers ({exc})") from exc
    design = df["design"].iloc[0]
    if design not in DESIGNS or not np.array_equal(slot, np.arange(len(df))):
        raise ExperimentError(f"{src}: design {design!r} or the slot numbers 1..{len(df)} were changed; "
                              "re-create the plan with its seed")
    unknown = sorted(set(df["level"]) - set(levels))
    if unknown:
        raise ExperimentError(f"{src}: levels {unknown} are not among the plan's levels {list(levels)}")
    dates = pd.to_datetime(df["date"].replace("", None), errors="coerce")
    k = len(levels)
    lay = layout(len(df), k, block, design)
    codes = np.array([levels.index(v) for v in df["level"]], dtype=np.int8)
    # the design: every unit's slots follow one permutation
    perms = orders(k)
    for _u, g in lay.groupby("unit"):
        cand = perms[:, g["idx"].to_numpy()]
        if not (cand == codes[g.index.to_numpy()]).all(axis=1).any():
            raise ExperimentError(f"{src}: cycle {int(g['cycle'].iloc[0]) + 1} does not hold each level once in "
                                  f"periods of {block} (was the schedule edited?); the randomisation test needs the "
                                  "drawn schedule: re-create it with runlog experiment plan --seed "
                                  f"{seed}")
    schedule = pd.DataFrame({"date": dates.to_numpy(), "cycle": lay["cycle"].to_numpy(),
                             "period": lay["period"].to_numpy(),
                             "level": np.asarray(levels, dtype=object)[codes],
                             "switch": switches(codes, lay["period"].to_numpy())},
                            index=pd.RangeIndex(len(df), name="slot"))
    if "start" not in df.columns:  # written before the column existed: a plan by date starts on its first day
        if dates.isna().all():
            raise ExperimentError(f"{src}: a plan by runs needs its 'start' column (the day the runs count from)")
        df["start"] = f"{dates.min():%Y-%m-%d}"
    try:
        start = pd.Timestamp(df["start"].iloc[0])
    except (ValueError, TypeError) as exc:
        raise ExperimentError(f"{src}: start {df['start'].iloc[0]!r} is not an ISO date") from exc
    end = dates.max() if dates.notna().any() else None
    return Plan(factor=factor, levels=levels, schedule=schedule, block=block, design=design, seed=seed,
                start=pd.Timestamp(start), end=end)
