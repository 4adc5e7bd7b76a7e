"""The plan as an iCalendar file (RFC 5545): plain-words events, stable UIDs, optional reminders."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING

import pandas as pd

from ._factors import factor_words

if TYPE_CHECKING:
    from ._plan import Plan

#: Line breaks of any convention (CRLF, CR, LF, NEL, LINE / PARAGRAPH SEPARATOR): one escaped newline each.
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_UNITS = {"ml": "ml", "l": "l", "min": "min", "s": "s", "g": "g", "mg": "mg", "kg": "kg", "km": "km", "m": "m",
          "h": "h", "mmol": "mmol", "pct": "%"}


def ics_clean(text: str) -> str:
    """Text made safe for an RFC 5545 TEXT value, before escaping: every line break becomes ``\\n``, and every
    control character the standard forbids (C0 but tab, DEL, C1) and every lone surrogate is dropped.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
    """
    text = _BREAKS.sub("\n", str(text))
    return "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cs"))


def ics_escape(text: str) -> str:
    """RFC 5545 §3.3.11 TEXT: :func:`ics_clean`, then backslash, semicolon, comma and newline escaped.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        One line of TEXT, whatever *text* holds.

    References
    ----------
    .. [1] Desruisseaux, B. (2009). Internet Calendaring and Scheduling Core
       Object Specification (iCalendar). RFC 5545, IETF, §3.3.11.
    """
    return (ics_clean(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _ics_fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets folded (CRLF + space), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, cur, limit = [], b"", 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > limit:
            parts.append(cur.decode("utf-8"))
            cur, limit = b"", 74  # continuation lines start with a space
        cur += b
    parts.append(cur.decode("utf-8"))
    return "\r\n ".join(parts)


def instruction(factor: str, level: str) -> tuple[str, str]:
    """What to do on a day, in plain words: an event title and the same as part of a sentence.

    Parameters
    ----------
    factor : str
        The plan's factor (``shoes``, ``fluid_ml``, ``warmup_min``, ``lacing``, ...).
    level : str
        The day's level.

    Returns
    -------
    (str, str)
        E.g. ``('Run in: Trail Glide 2', 'run in Trail Glide 2')``,
        ``('Drink 500 ml before you run', 'drink 500 ml before you run')``.
    """
    words = factor_words(factor)
    unit = _UNITS.get(words[-1]) if len(words) > 1 else None
    per_hour = "per" in words and words[-1] in ("h", "hour", "hr")
    if per_hour:
        unit = _UNITS.get(words[words.index("per") - 1])
    zero = level.strip() in ("0", "0.0", "none")
    amount = f"{level} {unit}" if unit else level
    if {"shoe", "shoes", "pair"} & set(words):
        title = f"Run in: {level}"
    elif {"fluid", "drink", "water"} & set(words):
        if zero:
            title = "Drink nothing during the run" if per_hour else "Drink nothing before you run"
        else:
            title = f"Drink {amount} per hour while you run" if per_hour else f"Drink {amount} before you run"
    elif {"warmup", "warm"} & set(words):
        title = "No warm-up before you run" if zero else f"Warm up for {amount} before you run"
    elif "caffeine" in words:
        title = "No caffeine before you run" if zero else f"Take {amount} of caffeine before you run"
    else:
        name = " ".join(w for w in words if w not in _UNITS and w != "per") or str(factor)
        title = f"{name[:1].upper()}{name[1:]}: {amount}"
    sentence = title[:1].lower() + title[1:] if not title.startswith("Run in:") else f"run in {level}"
    return title, sentence


def _key(p: Plan) -> str:
    """A digest of the whole schedule and protocol: the same plan gives the same UIDs, any other plan others."""
    h = hashlib.sha256()
    h.update("\x1f".join([p.factor, *p.levels, str(p.seed), p.design, str(p.block), str(p.washout), str(p.looks),
                          f"{p.alpha:g}"]).encode("utf-8", "surrogatepass"))
    for d, lv in zip(p.schedule["date"], p.schedule["level"]):
        h.update(f"\x1e{pd.Timestamp(d):%Y%m%d}\x1f{lv}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:20]


def _trigger(reminder: str) -> str:
    """``'20:00'`` -> ``'-PT4H'``: that time the evening before an all-day event."""
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(reminder))
    if not m or not (0 <= int(m.group(1)) <= 23 and 0 <= int(m.group(2)) <= 59):
        from ..errors import ExperimentError

        raise ExperimentError(f"reminder '{reminder}' is not a time of day; give HH:MM, e.g. 20:00")
    before = 24 * 60 - (int(m.group(1)) * 60 + int(m.group(2)))
    h, mi = divmod(before, 60)
    return "-PT" + (f"{h}H" if h else "") + (f"{mi}M" if mi else "")


def ics_text(p: Plan, *, reminder: str | None = None) -> str:
    """The iCalendar text of a plan by date: one all-day, free (transparent) event per planned day.

    UIDs are a digest of the whole schedule and protocol plus the day's
    number: exporting the same plan again gives the same UIDs (a calendar
    updates its events), and any other plan (another seed, start, size or
    level) gives other UIDs.  Every TEXT value is cleaned and escaped
    (:func:`ics_escape`), so a level name holds no line break or control
    character that could end a line or start an event.

    Parameters
    ----------
    p : Plan
        A plan by date.
    reminder : str, optional
        ``'HH:MM'``: an alarm (VALARM, DISPLAY) at that time the evening before.

    Returns
    -------
    str
        VCALENDAR with one VEVENT per day (DTSTART;VALUE=DATE, UID, DTSTAMP,
        SUMMARY, DESCRIPTION, optional VALARM), CRLF line ends, folded at 75
        octets.

    References
    ----------
    .. [1] Desruisseaux, B. (2009). Internet Calendaring and Scheduling Core
       Object Specification (iCalendar). RFC 5545, IETF.
    """
    from .._version import __version__

    key = _key(p)
    trigger = _trigger(reminder) if reminder else None
    stamp = pd.Timestamp(p.created).tz_convert("UTC") if pd.Timestamp(p.created).tzinfo else pd.Timestamp(p.created)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//runlog//experiment {__version__}//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:" + ics_escape(f"runlog experiment: {p.factor}")]
    n = p.n_slots
    look_end = set((p.look_ends - 1).tolist()) if p.looks > 1 else set()
    for slot, r in p.schedule.iterrows():
        day = pd.Timestamp(r["date"])
        title, sentence = instruction(p.factor, str(r["level"]))
        if r["washout"]:
            title += " (washout day, not counted)"
        elif r["switch"]:
            title += " (new level today)"
        desc = f"If you run today: {sentence}. Day {int(slot) + 1} of {n}, cycle {int(r['cycle']) + 1}."
        if r["washout"]:
            desc += (" Today is a washout day: use it as planned; it is not counted, so that a lingering effect of "
                     "the previous level can wear off.")
        desc += (" Run or rest as you would anyway: do not let today's level decide whether you run. Write what "
                 f"you actually used in your run notes ({p.factor} column) and any numbness in your journal, also "
                 "when you did not follow the plan.")
        if int(slot) in look_end and int(slot) < n - 1:
            desc += (" After today you may look at the results (runlog experiment report); an early look stops the "
                     "experiment only when it crosses its boundary.")
        lines += ["BEGIN:VEVENT",
                  f"UID:{key}-{int(slot) + 1}@runlog",
                  f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
                  f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{day + pd.Timedelta(days=1):%Y%m%d}",
                  "SUMMARY:" + ics_escape(title),
                  "DESCRIPTION:" + ics_escape(desc),
                  "TRANSP:TRANSPARENT"]
        if trigger:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:" + ics_escape(f"Tomorrow: {title}"),
                      f"TRIGGER:{trigger}", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(x) + "\r\n" for x in lines)
