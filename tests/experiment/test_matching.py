"""Tying runs to the plan and reading what was used (runlog.experiment._matching)."""

from __future__ import annotations

from runlog.experiment._matching import level_of as _level_of


def test_numeric_levels_match_the_nearest_amount():
    assert _level_of("480", ("0", "500")) == "500"
    assert _level_of(20.0, ("0", "500")) == "0"
    assert _level_of("250", ("0", "500")) is None
    assert _level_of(" tight ", ("loose", "Tight")) == "Tight"
