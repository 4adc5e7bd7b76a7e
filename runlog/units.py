"""Numbers a runner reads: paces, durations and clock times, formatted one way everywhere.

The terminal, Markdown, HTML and the plots all format paces and durations
through these functions, so a pace is ``5:00 /km`` in every rendering (never
``4:60``: the seconds are rounded on the total, then split).
"""

from __future__ import annotations

import math

__all__ = ["pace_text", "mmss", "duration_text"]

#: Shown for a value that is unknown or not a pace (standing still).
MISSING = "–"


def _finite(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def mmss(minutes, _pos=None) -> str:
    """Minutes as ``m:ss`` (a pace in min/km or a short duration); '' when unknown.

    Also a matplotlib tick formatter (the unused *_pos*).

    Parameters
    ----------
    minutes : float
        Minutes [min].

    Returns
    -------
    str
        ``m:ss`` with the seconds rounded on the total (299.7 s is ``5:00``).
    """
    v = _finite(minutes)
    if v is None:
        return ""
    total = int(round(v * 60.0))
    sign = "-" if total < 0 else ""
    total = abs(total)
    return f"{sign}{total // 60}:{total % 60:02d}"


def pace_text(speed_mps, *, unit: bool = False) -> str:
    """Speed as a runner's pace, ``1000 / 60 / speed`` [min/km], as ``m:ss`` (``m:ss /km`` with *unit*).

    Parameters
    ----------
    speed_mps : float
        Speed [m/s].
    unit : bool
        Append ``' /km'``.

    Returns
    -------
    str
        The pace, or :data:`MISSING` when the speed is unknown or not positive.
    """
    v = _finite(speed_mps)
    if v is None or v <= 0:
        return MISSING
    text = mmss(1000.0 / v / 60.0)
    return f"{text} /km" if unit else text


def duration_text(minutes) -> str:
    """Minutes as ``H:MM:SS`` ('' when unknown).

    Parameters
    ----------
    minutes : float
        Duration [min].

    Returns
    -------
    str
    """
    v = _finite(minutes)
    if v is None:
        return ""
    total = int(round(v * 60.0))
    return f"{total // 3600}:{total // 60 % 60:02d}:{total % 60:02d}"
