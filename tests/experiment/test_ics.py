"""The plan as an iCalendar file (runlog.experiment._ics): RFC 5545, stable UIDs, reminders, any text as data."""

from __future__ import annotations

import dataclasses
import unicodedata

import icalendar
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import runlog
from runlog import experiment as ex
from runlog.experiment._ics import ics_escape, instruction

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


def _events(text: str) -> list:
    return icalendar.Calendar.from_ical(text).walk("VEVENT")


def test_ics_is_rfc5545_all_day_events_folded_with_crlf(tmp_path):
    p = ex.plan("shoes", ["Trail Glide 2, size 42; wide", "Daily Cushion 5 — neu"], weeks=2, start="2024-09-02",
                seed=1)
    text = p.to_ics(tmp_path / "plan.ics")
    data = (tmp_path / "plan.ics").read_bytes()
    assert data.decode("utf-8") == text
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines)
    assert all(len(x) <= 75 for x in lines)
    unfolded = text.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 14
    assert "DTSTART;VALUE=DATE:20240902\r\n" in unfolded and "DTEND;VALUE=DATE:20240916\r\n" in unfolded
    assert "SUMMARY:Run in: Trail Glide 2\\, size 42\\; wide" in unfolded
    events = _events(text)
    assert len(events) == 14 and len({str(e["UID"]) for e in events}) == 14
    assert str(events[0]["SUMMARY"]).startswith("Run in: ")
    assert "rest day" not in text.lower()
    with pytest.raises(runlog.ExperimentError, match="no dates"):
        ex.plan("shoes", LEVELS, runs=8, seed=1).to_ics()


def test_uids_are_stable_for_the_same_plan_and_new_for_any_other():
    p = ex.plan("shoes", LEVELS, weeks=8, start="2024-09-02", seed=5)
    again = dataclasses.replace(p, created=p.created + pd.Timedelta(days=3))  # the same plan exported later
    uids = [str(e["UID"]) for e in _events(p.to_ics())]
    assert uids == [str(e["UID"]) for e in _events(again.to_ics())]
    # issue 27: a re-plan reused 31 of 32 UIDs on other days; now none is shared
    for other in (ex.plan("shoes", LEVELS, weeks=8, start="2024-09-02", seed=6),
                  ex.plan("shoes", LEVELS, weeks=4, start="2024-09-02", seed=5),
                  ex.plan("shoes", LEVELS, weeks=8, start="2024-09-09", seed=5),
                  ex.plan("shoes", LEVELS, weeks=8, start="2024-09-02", seed=5, washout=1, block=3)):
        assert not set(uids) & {str(e["UID"]) for e in _events(other.to_ics())}


def test_reminder_the_evening_before_and_plain_words():
    p = ex.plan("fluid_ml", ["0", "500"], weeks=1, start="2024-09-02", seed=2, block=1, washout=0)
    events = _events(p.to_ics(reminder="20:00"))
    alarms = [a for e in events for a in e.walk("VALARM")]
    assert len(alarms) == 7
    assert all(a["TRIGGER"].dt == pd.Timedelta(hours=-4) and str(a["ACTION"]) == "DISPLAY" for a in alarms)
    summaries = {str(e["SUMMARY"]).split(" (")[0] for e in events}
    assert summaries <= {"Drink 500 ml before you run", "Drink nothing before you run"}
    assert all("fluid_ml:" not in str(e["SUMMARY"]) for e in events)
    assert instruction("shoes", "Trail Glide 2")[0] == "Run in: Trail Glide 2"
    assert instruction("warmup_min", "10")[0] == "Warm up for 10 min before you run"
    assert instruction("fluid_ml_per_h", "400")[0] == "Drink 400 ml per hour while you run"
    assert instruction("lacing", "tight")[0] == "Lacing: tight"
    with pytest.raises(runlog.ExperimentError, match="HH:MM"):
        p.to_ics(reminder="8pm")
    washed = ex.plan("shoes", LEVELS, weeks=1, start="2024-09-02", seed=2, block=3, washout=1)
    first = _events(washed.to_ics())[0]
    assert "(washout day, not counted)" in str(first["SUMMARY"]) and "washout day" in str(first["DESCRIPTION"])


@pytest.mark.parametrize("bad", ["\r", "\n", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1b", "\x00",
                                 "\x7f", "\x9b"])
def test_control_characters_in_a_level_never_make_a_line_or_an_event(bad):
    # issue 25, item 6: a bare CR (or any line break a parser may honour) in a level name made
    # 'SUMMARY:INJECTED' events for parsers that split lines on it
    level = f"Trail{bad}END:VEVENT{bad}BEGIN:VEVENT{bad}SUMMARY:INJECTED"
    p = ex.plan("shoes", [level, "Daily Cushion 5"], weeks=1, start="2024-09-02", seed=3)
    text = p.to_ics(reminder="21:30")
    body = text.replace("\r\n ", "").split("\r\n")
    assert all(ch not in x for x in body for ch in "\r\n\x0b\x0c\x1b\x00\x7f\x85\x9b\u2028\u2029")
    assert not any(x.startswith("SUMMARY:INJECTED") for x in body)
    assert body.count("BEGIN:VEVENT") == 7 and len(text.splitlines()) == len(text.split("\r\n")) - 1
    assert len(_events(text)) == 7


def _expected_text(s: str) -> str:
    """What a TEXT value should read after the round trip: line breaks as newlines, forbidden controls gone."""
    out = []
    s = s.replace("\r\n", "\n")
    for ch in s:
        if ch in "\r\n\x85\u2028\u2029":
            out.append("\n")
        elif ch == "\t" or unicodedata.category(ch) not in ("Cc", "Cs"):
            out.append(ch)
    return "".join(out)


def _unescape(raw: str) -> str:
    """RFC 5545 TEXT unescaping (written here, independently of runlog's escaping)."""
    out, i = [], 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw):
            out.append({"n": "\n", "N": "\n"}.get(raw[i + 1], raw[i + 1]))
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(level=st.text(min_size=1, max_size=40), factor=st.text(min_size=1, max_size=25))
def test_any_unicode_level_and_factor_parse_back_as_text_and_nothing_else(level, factor):
    assume(level.strip() and level.strip().casefold() != "daily cushion 5")
    assume(factor.strip() and ex.refusal(factor) is None)
    assume(not any(unicodedata.category(c) == "Cs" for c in level + factor))  # not encodable: no file holds it
    p = ex.plan(factor, [level, "Daily Cushion 5"], weeks=1, start="2024-09-02", seed=1, block=1)
    text = p.to_ics(reminder="20:00")
    data = text.encode("utf-8")
    assert all(len(x) <= 75 for x in data.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(text)
    events = cal.walk("VEVENT")
    assert len(events) == 7  # nothing else appears: no extra event, no lost one
    assert [c.name for c in cal.subcomponents] == ["VEVENT"] * 7
    assert _unescape(str(cal["X-WR-CALNAME"])) == _expected_text(f"runlog experiment: {factor}")  # X-: raw
    for e, (_, r) in zip(events, p.schedule.iterrows()):
        assert set(e.keys()) == {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "TRANSP"}
        title = instruction(factor, str(r["level"]))[0]
        assert str(e["SUMMARY"]).startswith(_expected_text(title))
        assert [a.name for a in e.subcomponents] == ["VALARM"]


def test_escape_is_rfc5545_text():
    assert ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert ics_escape("x\r\ny\rz\u2028w") == "x\\ny\\nz\\nw"
    assert ics_escape("tab\tkept\x1bgone") == "tab\tkeptgone"
