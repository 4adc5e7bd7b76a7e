"""Tying runs to the plan and reading what was used (runlog.experiment._matching)."""

from __future__ import annotations

from runlog.experiment._matching import level_of as _level_of
from runlog.experiment._matching import suggestion


def test_numeric_levels_match_the_nearest_amount():
    assert _level_of("480", ("0", "500")) == "500"
    assert _level_of(20.0, ("0", "500")) == "0"
    assert _level_of("250", ("0", "500")) is None
    assert _level_of(" tight ", ("loose", "Tight")) == "Tight"


def test_typed_levels_match_after_spaces_and_punctuation_and_others_get_a_suggestion():
    levels = ("Trail Glide 2", "Daily Cushion 5")
    # issue 27: 'TrailGlide 2', 'Daily Cushion5' are the plan's levels; 'DC5' is not, but is suggested
    assert _level_of("TrailGlide 2", levels) == "Trail Glide 2"
    assert _level_of("Daily Cushion5", levels) == "Daily Cushion 5"
    assert _level_of("trail-glide_2.", levels) == "Trail Glide 2"
    assert _level_of("DC5", levels) is None and suggestion("DC5", levels) == "Daily Cushion 5"
    assert suggestion("Trial Glide 2", levels) == "Trail Glide 2"
    assert suggestion("Racer X", levels) is None
