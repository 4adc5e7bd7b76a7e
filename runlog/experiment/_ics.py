"""The plan as an iCalendar file (RFC 5545)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ._plan import Plan


def _ics_escape(text: str) -> str:
    """RFC 5545 3.3.11 TEXT: backslash, semicolon, comma and newline escaped."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


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


def ics_text(p: Plan) -> str:
    """The iCalendar text of a plan by date: one all-day, free (transparent) event per planned day.

    Parameters
    ----------
    p : Plan
        A plan by date.

    Returns
    -------
    str
        VCALENDAR with one VEVENT per day (DTSTART;VALUE=DATE, UID, DTSTAMP,
        SUMMARY, DESCRIPTION), CRLF line ends, folded at 75 octets.

    References
    ----------
    .. [1] Desruisseaux, B. (2009). Internet Calendaring and Scheduling Core
       Object Specification (iCalendar). RFC 5545, IETF.
    """
    from .. import __version__

    key = hashlib.sha1(f"{p.factor}|{'|'.join(p.levels)}|{p.seed}|{p.start:%Y%m%d}".encode()).hexdigest()[:12]
    stamp = pd.Timestamp(p.created).tz_convert("UTC") if pd.Timestamp(p.created).tzinfo else pd.Timestamp(p.created)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//runlog//experiment {__version__}//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:" + _ics_escape(f"runlog experiment: {p.factor}")]
    n = p.n_slots
    for slot, r in p.schedule.iterrows():
        day = pd.Timestamp(r["date"])
        switch = " (switch today)" if r["switch"] else ""
        desc = (f"If you run today, use {p.factor} = {r['level']}{switch}. Day {int(slot) + 1} of {n}, cycle "
                f"{int(r['cycle']) + 1}. Write down what you actually used in your run notes and any numbness "
                "in your journal, also when you did not follow the plan. A rest day is fine: just skip it.")
        lines += ["BEGIN:VEVENT",
                  f"UID:{key}-{int(slot) + 1}@runlog",
                  f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
                  f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{day + pd.Timedelta(days=1):%Y%m%d}",
                  "SUMMARY:" + _ics_escape(f"Run in: {r['level']}" if p.factor == "shoes"
                                           else f"{p.factor}: {r['level']}"),
                  "DESCRIPTION:" + _ics_escape(desc),
                  "TRANSP:TRANSPARENT",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(x) + "\r\n" for x in lines)
