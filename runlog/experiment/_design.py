"""The randomisation designs: how a plan's slots fall into periods, cycles and randomised units."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ._plan import Plan

#: Randomisation designs: 'random' draws each cycle's order independently;
#: 'mirror' draws every other cycle and mirrors it in the next (AB|BA, the ABBA/BAAB design).
DESIGNS = ("random", "mirror")


def unit_count(p: Plan) -> int:
    """Independently randomised units: cycles ('random') or pairs of cycles ('mirror')."""
    n_cycles = int(p.schedule["cycle"].max()) + 1 if len(p.schedule) else 0
    return n_cycles if p.design == "random" else (n_cycles + 1) // 2


def layout(n_slots: int, k: int, block: int, design: str) -> pd.DataFrame:
    """Per slot: period, cycle, randomisation unit and the position its level is read from."""
    slot = np.arange(n_slots)
    period = slot // block
    cycle = period // k
    pos = period % k
    if design == "mirror":
        unit = cycle // 2
        idx = np.where(cycle % 2 == 1, k - 1 - pos, pos)
    else:
        unit = cycle
        idx = pos
    return pd.DataFrame({"period": period, "cycle": cycle, "unit": unit, "idx": idx}, index=slot)


def orders(k: int) -> np.ndarray:
    """Every order of *k* levels (k! rows of level codes)."""
    return np.array(list(itertools.permutations(range(k))), dtype=np.int8)


def switches(codes: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Per slot (last axis): first slot of a period whose level differs from the previous slot's."""
    first = np.r_[False, period[1:] != period[:-1]]
    prev = np.concatenate([codes[..., :1], codes[..., :-1]], axis=-1)
    return first & (codes != prev)


def washout_slots(n_slots: int, block: int, washout: int) -> np.ndarray:
    """Per slot: a scheduled washout slot (the first *washout* slots of every period), not counted.

    The set does not depend on the drawn order, so leaving these slots out
    keeps the randomisation test exact; a lingering effect of the previous
    level that lasts at most *washout* slots cannot reach a counted slot.
    """
    return (np.arange(n_slots) % block) < washout


def look_ends(n_slots: int, looks: int) -> np.ndarray:
    """End (exclusive slot index) of each of *looks* equally spaced looks; the last is the planned end.

    With one look a week in a plan by date (``looks = weeks``) each look
    falls on the last planned day of a week.
    """
    j = np.arange(1, looks + 1)
    return np.maximum(1, np.round(j * n_slots / looks)).astype(np.int64)


def schedule_of(n: int, k: int, block: int, design: str, seed: int, washout: int, looks: int,
                dates: pd.Series | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The schedule a seed draws: the whole design in one place, so a plan file can be checked against it.

    Parameters
    ----------
    n, k, block : int
        Slots, levels, slots per period.
    design : str
        One of :data:`DESIGNS`.
    seed : int
        The seed of the order.
    washout, looks : int
        Scheduled washout slots per period; number of looks.
    dates : Series, optional
        The planned days (a plan by date).

    Returns
    -------
    (DataFrame, ndarray)
        The schedule without level names (``date``, ``cycle``, ``period``,
        ``switch``, ``washout``, ``look``) and the level code per slot.
    """
    lay = layout(n, k, block, design)
    perms = orders(k)
    rng = np.random.default_rng(int(seed))
    choice = rng.integers(len(perms), size=int(lay["unit"].max()) + 1 if n else 0)
    codes = perms[choice[lay["unit"].to_numpy()], lay["idx"].to_numpy()] if n else np.zeros(0, dtype=np.int8)
    ends = look_ends(n, looks)
    date = pd.to_datetime(dates.to_numpy()) if dates is not None else \
        pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]").to_numpy()
    frame = pd.DataFrame({
        "date": date, "cycle": lay["cycle"].to_numpy(), "period": lay["period"].to_numpy(),
        "switch": switches(codes, lay["period"].to_numpy()),
        "washout": washout_slots(n, block, washout),
        "look": np.searchsorted(ends, np.arange(n), side="right"),
    }, index=pd.RangeIndex(n, name="slot"))
    return frame, codes
