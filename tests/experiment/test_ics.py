"""The plan as an iCalendar file (runlog.experiment._ics)."""

from __future__ import annotations

import pytest

import runlog
from runlog import experiment as ex

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


def test_ics_is_rfc5545_all_day_events_folded_with_crlf(tmp_path):
    p = ex.plan("shoes", ["Trail Glide 2, size 42; wide", "Daily Cushion 5 — neu"], weeks=2, start="2024-09-02",
                seed=1)
    text = p.to_ics(tmp_path / "plan.ics")
    data = (tmp_path / "plan.ics").read_bytes()
    assert data.decode("utf-8") == text
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = data.split(b"\r\n")
    assert b"\n" not in b"".join(lines)
    assert all(len(x) <= 75 for x in lines)
    unfolded = text.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == 14
    assert "DTSTART;VALUE=DATE:20240902\r\n" in unfolded and "DTEND;VALUE=DATE:20240916\r\n" in unfolded
    uids = [x for x in unfolded.split("\r\n") if x.startswith("UID:")]
    assert len(set(uids)) == 14
    assert "DTSTAMP:" in unfolded and "SUMMARY:Run in: Trail Glide 2\\, size 42\\; wide" in unfolded
    by_runs = ex.plan("shoes", LEVELS, runs=8, seed=1)
    with pytest.raises(runlog.ExperimentError, match="no dates"):
        by_runs.to_ics()
