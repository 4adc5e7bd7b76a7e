"""Numbers a runner reads: numbers, odds ratios, p-values, quantities with a unit, paces and durations.

The one place where runlog turns a number into text: the terminal, Markdown,
HTML and the plots all call these functions, so a number reads the same in
every rendering.  The house rules:

* a number (:func:`number_text`): 3 significant digits (2 in a sentence),
  no trailing zeros, whole from 100 on (``22.4``, ``1.5``, ``1234``), never
  in exponent notation; below 1 at most 2 significant digits (``0.051``);
* an odds ratio (:func:`ratio_text`): a number, ``>1000`` and ``<0.01``
  beyond (a penalised model's interval can run to 1e18);
* a p- or q-value (:func:`p_text`): 2 significant digits, ``<0.001`` below
  0.001 and ``>0.99`` from 0.995 on (never "p = 1" beside an estimate);
* a quantity (:func:`quantity_text`): the number, a space, the unit (``16 °C``;
  ``5%`` without the space); a step (:func:`per_text`) ``per 5 °C``;
* a pace (:func:`pace_text`) is ``5:00 /km`` (never ``4:60``: the seconds
  are rounded on the total, then split); durations ``H:MM:SS``;
* unknown is :data:`MISSING` (``–``).
"""

from __future__ import annotations

import math

__all__ = ["MISSING", "P_FLOOR", "P_CEILING", "RATIO_CEILING", "RATIO_FLOOR", "number_text", "ratio_text", "p_text",
           "quantity_text", "per_text", "pace_text", "mmss", "duration_text"]

#: Shown for a value that is unknown or not a pace (standing still).
MISSING = "–"
#: p- and q-values below this are written ``<0.001``.
P_FLOOR = 0.001
#: p- and q-values from this on (they would round to 1) are written ``>0.99``: a p-value is 1 only when an
#: adjustment capped it there (Bonferroni over shoe pairs, the test plan's graphical procedure over causes)
#: or a one-sided test points the other way, and "p = 1" beside an odds ratio of 1.6 reads as proof of no
#: effect.
P_CEILING = 0.995
#: Odds ratios from this on are written ``>1000``.
RATIO_CEILING = 1000.0
#: Odds ratios below this are written ``<0.01`` (they would round to 0.00).
RATIO_FLOOR = 0.005


def _finite(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def number_text(v, digits: int = 3) -> str:
    """A number for reading: *digits* significant digits, no trailing zeros, no exponent.

    Numbers with *digits* or more digits before the point are written whole;
    below 1 at most 2 significant digits are kept (``0.051``: a third digit
    there is noise to a runner); below 0.001 in size a number reads
    ``'<0.001'`` (``'>-0.001'`` when negative), not as a run of zeros (a
    training load that has decayed over a long break is 1e-22 AU).

    Parameters
    ----------
    v : float
        The number (anything :func:`float` accepts; None, NaN or text that is
        not a number is unknown).
    digits : int
        Significant digits (3 in tables, 2 in sentences).

    Returns
    -------
    str
        E.g. with 3 digits 1234.5 -> ``'1234'``, 22.44 -> ``'22.4'``, 1.50 -> ``'1.5'``,
        9.996 -> ``'10'``, 0.0512 -> ``'0.051'``, -3.14159 -> ``'-3.14'``, 8.7e-22 -> ``'<0.001'``;
        :data:`MISSING` when unknown, ``'∞'`` / ``'-∞'`` for an infinity.
    """
    try:
        f = float(v)
    except (TypeError, ValueError):
        return MISSING
    if math.isnan(f):
        return MISSING
    if math.isinf(f):
        return "∞" if f > 0 else "-∞"
    digits = max(1, int(digits))
    a = abs(f)
    if a == 0:
        return "0"
    if a < 0.001:
        return "<0.001" if f > 0 else ">-0.001"
    if a < 1:
        digits = min(digits, 2)
    # decimals for *digits* significant digits; none once the whole part has them
    decimals = max(0, digits - 1 - math.floor(math.log10(a)))
    text = f"{f:.{decimals}f}"   # 9.996 -> '10.00': the zeros go below
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def ratio_text(v) -> str:
    """An odds ratio (or an interval end) for reading: :func:`number_text`, ``>1000`` and ``<0.01`` beyond.

    Parameters
    ----------
    v : float
        The ratio [-].

    Returns
    -------
    str
        E.g. 2.4 -> ``'2.4'``, 2.744 -> ``'2.74'``, 0.512 -> ``'0.51'``,
        57074 or inf -> ``'>1000'``, 4.9e-10 -> ``'<0.01'``; :data:`MISSING`
        when unknown.
    """
    f = _number(v)
    if f is None or math.isnan(f):
        return MISSING
    if f >= RATIO_CEILING:
        return ">1000"
    if f < RATIO_FLOOR:
        return "<0.01"
    return number_text(f)


def p_text(p, label: str | None = None) -> str:
    """A p- or q-value: 2 significant digits, ``<0.001`` below 0.001, ``>0.99`` from 0.995 on.

    Parameters
    ----------
    p : float
        The value (0 to 1).
    label : str, optional
        Its name in a sentence: ``p_text(0.012, "q")`` is ``'q = 0.012'``,
        ``p_text(3e-7, "p")`` is ``'p < 0.001'``.

    Returns
    -------
    str
        E.g. 0.0432 -> ``'0.043'``, 0.00113 -> ``'0.0011'``, 3e-7 ->
        ``'<0.001'``, 1.0 -> ``'>0.99'`` (``'p > 0.99'`` with a label); :data:`MISSING` when unknown.
    """
    f = _number(p)
    if f is None or math.isnan(f):
        text = MISSING
    elif f < P_FLOOR:
        return f"{label} < 0.001" if label else "<0.001"
    elif f >= P_CEILING:
        return f"{label} > 0.99" if label else ">0.99"
    else:
        text = f"{f:.2g}"
    return f"{label} = {text}" if label else text


def quantity_text(v, unit: str = "", digits: int = 3) -> str:
    """A number with its unit: ``'16 °C'``, ``'5%'`` (no space before %), ``'0.8'`` (no unit).

    Parameters
    ----------
    v : float
        The value, in *unit*.
    unit : str
        Its unit (``''`` for none).
    digits : int
        Significant digits (:func:`number_text`).

    Returns
    -------
    str
        The text; :data:`MISSING` (without the unit) when unknown.
    """
    n = number_text(v, digits)
    unit = "" if unit is None else str(unit)
    if n == MISSING or not unit:
        return n
    return f"{n}{'' if unit == '%' else ' '}{unit}"


def per_text(step, unit: str = "") -> str:
    """The step an effect is given per: ``'per 5 °C'``, ``'per 2 days'``, ``'per 10%'``, ``'per 0.5'``.

    Parameters
    ----------
    step : float
        The step, in *unit*.
    unit : str
        Its unit as written after the number ('' for none).

    Returns
    -------
    str
        ``'per '`` and :func:`quantity_text`.
    """
    return f"per {quantity_text(step, unit)}"


def _number(x) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


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
