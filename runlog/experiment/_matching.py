"""Tying the runs made to the plan's slots."""

from __future__ import annotations

import difflib
import itertools
import math
import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ._plan import Plan


def running(runs: pd.DataFrame) -> pd.DataFrame:
    """Only running activities, when the frame says the sport."""
    if "sport" not in runs:
        return runs
    sp = runs["sport"].astype("string").str.lower().fillna("")
    sel = (sp == "running") | (sp == "")
    return runs[sel.to_numpy()]


def match_runs(p: Plan, runs: pd.DataFrame) -> pd.DataFrame:
    """Tie the runs made to the plan's slots (by local date, or by order for a plan by runs).

    Parameters
    ----------
    p : Plan
        The plan.
    runs : DataFrame
        ``History.runs`` (index ``run_id``, ``start_local``); only running
        activities are used when it has a ``sport`` column.

    Returns
    -------
    DataFrame
        Index ``run_id``, one row per run from the plan's start to its end
        (a plan by runs: to the last run): ``date`` (local), ``slot``
        (0-based; -1 for an extra run), ``period``, ``assigned`` (level or
        <NA>), ``first_in_period`` (the first run made in its period),
        ``status`` ('planned' or 'extra: ...').
    """
    runs = running(runs)
    local = pd.to_datetime(runs["start_local"]).astype("datetime64[ns]")
    day = local.dt.normalize()
    inside = day >= p.start
    if p.end is not None:
        inside &= day <= p.end
    order = local[inside.to_numpy()].sort_values(kind="stable")
    out = pd.DataFrame(index=pd.Index(order.index.astype("string"), name="run_id"))
    out["date"] = order.dt.normalize().to_numpy()
    out["start_local"] = order.to_numpy()
    sched = p.schedule
    if p.by_date:
        pos = pd.Series(sched.index.to_numpy(), index=pd.DatetimeIndex(sched["date"]))
        slot = pos.reindex(pd.DatetimeIndex(out["date"])).to_numpy()
        status = np.where(np.isnan(slot.astype("float64")), "extra: not a planned day", "planned")
        slot = np.where(np.isnan(slot.astype("float64")), -1, slot).astype(np.int64)
    else:
        n = min(len(out), p.n_slots)
        slot = np.full(len(out), -1, dtype=np.int64)
        slot[:n] = np.arange(n)
        status = np.where(slot >= 0, "planned", f"extra: after the {p.n_slots} planned runs")
    out["slot"] = slot
    ok = slot >= 0
    out["period"] = np.where(ok, sched["period"].to_numpy()[np.maximum(slot, 0)], -1)
    out["assigned"] = pd.array(np.where(ok, sched["level"].to_numpy()[np.maximum(slot, 0)], None), dtype="string")
    first = np.zeros(len(out), dtype=bool)
    seen: set[int] = set()
    for i, per in enumerate(out["period"].to_numpy()):
        if per >= 0 and per not in seen:
            first[i] = True
            seen.add(int(per))
    out["first_in_period"] = first
    out["status"] = pd.array(status, dtype="string")
    return out


def normalised(text: str) -> str:
    """A level name reduced to what a typo rarely changes: case-folded letters and digits only.

    ``'TrailGlide 2'``, ``'trail-glide 2'`` and ``'Trail Glide 2'`` all give ``'trailglide2'``.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(text)).casefold() if ch.isalnum())


def _initials(level: str) -> str:
    """``'Daily Cushion 5'`` -> ``'dc5'``: first letters of words, numbers whole."""
    out = []
    for w in re.findall(r"[^\W_]+", unicodedata.normalize("NFKC", level).casefold()):
        out.append(w if w.isdigit() else w[0])
    return "".join(out)


def level_of(value, levels: tuple[str, ...]) -> str | None:
    """The level *value* (what the notes say was used) stands for; None when it is none of them.

    Text matches a level when both are equal after :func:`normalised`
    (spaces, punctuation and case do not count); a number matches the
    nearest numeric level within a quarter of the smallest gap between
    levels (``480`` ml is ``500``).

    Parameters
    ----------
    value : object
        A run-notes cell.
    levels : tuple of str
        The plan's levels.

    Returns
    -------
    str or None
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if not text:
        return None
    key = normalised(text)
    for lv in levels:
        if key and key == normalised(lv):
            return lv
    try:
        nums = [float(lv) for lv in levels]
        x = float(text)
    except ValueError:
        return None
    best = int(np.argmin([abs(x - v) for v in nums]))
    gaps = sorted(abs(a - b) for a, b in itertools.combinations(nums, 2))
    return levels[best] if abs(x - nums[best]) <= 0.25 * gaps[0] else None


def suggestion(value, levels: tuple[str, ...]) -> str | None:
    """The level an unrecognised run-notes value is probably a typo or an abbreviation of, or None.

    Parameters
    ----------
    value : object
        A run-notes cell that :func:`level_of` did not recognise.
    levels : tuple of str

    Returns
    -------
    str or None
        A close match (difflib ratio >= 0.6 after :func:`normalised`), or
        the level whose initials the value is (``'DC5'`` for ``'Daily
        Cushion 5'``).
    """
    key = normalised(value)
    if not key:
        return None
    keys = {normalised(lv): lv for lv in levels}
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
    if close:
        return keys[close[0]]
    for lv in levels:
        if key == _initials(lv) and len(key) >= 2:
            return lv
    return None
