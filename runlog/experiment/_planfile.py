"""Reading a plan back from its CSV file: ISO dates only, and the schedule checked against its seed."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import ExperimentError
from ._design import DESIGNS
from ._plan import BOUNDARY, PLAN_COLUMNS, PRIMARY, Plan, plan, weekday_numbers

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Columns compared with the schedule the seed draws (their text, row by row).
_CHECKED = ("slot", "date", "weekday", "cycle", "period", "level", "switch", "washout", "look")


def _cell_read(text: str) -> str:
    """Undo the plan writer's formula quoting (:func:`runlog.render.text.cell_safe`)."""
    from ..render.text import FORMULA_STARTS

    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _iso_day(text: str, where: str) -> pd.Timestamp:
    if not _ISO.match(text):
        raise ExperimentError(f"{where}: '{text}' is not an ISO date (YYYY-MM-DD); a spreadsheet may have "
                              "re-saved the plan in another date format: use the plan.csv runlog wrote, or set the "
                              "column's format to YYYY-MM-DD")
    try:
        return pd.Timestamp(text)
    except ValueError as exc:
        raise ExperimentError(f"{where}: '{text}' is not a date of the calendar") from exc


def read_plan(path_or_frame) -> Plan:
    """Read a plan written by :meth:`Plan.to_csv` (or ``runlog experiment plan``), and check it.

    Dates must be ISO (``YYYY-MM-DD``): a blank, repeated or non-ISO date
    is refused with its row (rows numbered as a spreadsheet shows them,
    the header being row 1).  The schedule is then drawn again from the
    plan's seed and settings and compared cell by cell: a plan edited by
    hand (a level, a date, a cycle) or with a changed seed is refused with
    the first row that differs, since the randomisation test is only valid
    for the schedule that was drawn.

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
        Missing columns, a bad date, or a schedule that is not the one its seed draws.
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
    missing = [c for c in PLAN_COLUMNS if c not in df.columns]
    if missing or not len(df):
        old = [c for c in ("alpha", "looks", "washout_slots", "primary") if c in missing]
        why = ("it has no protocol (alpha, washout, looks): it was written by an earlier runlog; re-create it "
               "with the same seed" if old and "level" in df.columns else
               "give the plan.csv 'runlog experiment plan' wrote")
        raise ExperimentError(f"{src}: not a runlog experiment plan (missing columns "
                              f"{', '.join(missing) if missing else 'rows'}); {why}")
    df = df.astype({c: str for c in df.columns}).reset_index(drop=True)
    row = lambda i: f"{src} row {i + 2}"  # noqa: E731 - spreadsheet row: the header is row 1
    first = df.iloc[0]
    for c in ("factor", "levels", "block", "design", "seed", "start", "end", "weekdays", "primary", "alpha",
              "washout_slots", "looks", "boundary"):
        bad = np.flatnonzero(df[c].to_numpy() != first[c])
        if len(bad):
            raise ExperimentError(f"{row(int(bad[0]))}: '{c}' is '{df[c].iloc[bad[0]]}' but '{first[c]}' in the "
                                  "first row; a plan has one setting per column: re-create it with its seed")
    factor = _cell_read(first["factor"])
    levels = tuple(_cell_read(x.strip()) for x in first["levels"].split(" | "))
    try:
        block, seed = int(first["block"]), int(first["seed"])
        washout, looks, alpha = int(first["washout_slots"]), int(first["looks"]), float(first["alpha"])
    except ValueError as exc:
        raise ExperimentError(f"{row(0)}: block, seed, washout_slots and looks must be whole numbers and alpha a "
                              f"number ({exc})") from exc
    if first["design"] not in DESIGNS:
        raise ExperimentError(f"{row(0)}: design '{first['design']}' unknown; use one of {', '.join(DESIGNS)}")
    if first["primary"] != PRIMARY or first["boundary"] != BOUNDARY:
        raise ExperimentError(f"{row(0)}: the protocol's primary analysis or boundary was changed ('"
                              f"{first['primary']}', '{first['boundary']}'); runlog analyses '{PRIMARY}' with "
                              f"the {BOUNDARY}: re-create the plan with its seed")
    start = _iso_day(first["start"].strip(), f"{row(0)} (start)")
    dates = df["date"].str.strip()
    by_date = bool((dates != "").any())
    if by_date:
        for i, text in enumerate(dates):
            if not text:
                raise ExperimentError(f"{row(i)}: the date is blank; every day of a plan by date has its date")
            _iso_day(text, row(i))
        dup = np.flatnonzero(dates.duplicated().to_numpy())
        if len(dup):
            raise ExperimentError(f"{row(int(dup[0]))}: date {dates.iloc[dup[0]]} is already in an earlier row; "
                                  "each planned day appears once")
        end = _iso_day(first["end"].strip(), f"{row(0)} (end)")
        weeks = (end - start).days // 7 + 1
        kwargs = {"weeks": weeks, "weekdays": weekday_numbers(first["weekdays"]) if first["weekdays"] else None}
    else:
        kwargs = {"runs": len(df)}
    try:
        drawn = plan(factor, levels, block=block, washout=washout, alpha=alpha, looks=looks, start=start, seed=seed,
                     design=first["design"], **kwargs)
    except ExperimentError as exc:
        raise ExperimentError(f"{src}: its settings do not make a plan ({exc})") from exc
    expect = drawn.to_frame()
    got = df[list(_CHECKED)].copy()
    got["level"] = got["level"].map(_cell_read)
    got["date"] = dates
    if len(expect) != len(got):
        raise ExperimentError(f"{src}: {len(got)} rows, but the plan drawn with seed {seed} from {start:%Y-%m-%d} "
                              f"has {len(expect)}: rows were added or removed; re-create the plan with its seed")
    for i in range(len(got)):
        for c in _CHECKED:
            want = str(expect[c].iloc[i])
            if got[c].iloc[i].strip() != want:
                raise ExperimentError(
                    f"{row(i)}: {c} is '{got[c].iloc[i]}' but the plan drawn with seed {seed} says '{want}': "
                    "the schedule was edited, and the randomisation test is only valid for the schedule that was "
                    f"drawn; re-create it: runlog experiment plan ... --seed {seed}")
    drawn.created = pd.Timestamp.now(tz="UTC").floor("s")
    return drawn
