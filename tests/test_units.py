"""runlog.units: one way to write paces and durations (issue 13)."""

import math

from hypothesis import given
from hypothesis import strategies as st

from runlog.units import MISSING, duration_text, mmss, pace_text


def test_pace_rounds_on_the_total_never_60_seconds():
    # 1000 m in 299.7 s: 4:59.7 rounds to 5:00, not 4:60 (the old onset text did that)
    assert pace_text(1000.0 / 299.7) == "5:00"
    assert pace_text(1000.0 / 299.7, unit=True) == "5:00 /km"
    assert pace_text(1000.0 / 330.0) == "5:30"          # 3.03 m/s
    assert pace_text(0.0) == MISSING and pace_text(float("nan")) == MISSING and pace_text(None) == MISSING


def test_mmss_and_duration_text_by_hand():
    assert mmss(4.999) == "5:00"          # 299.94 s
    assert mmss(61.5) == "61:30"
    assert mmss(float("nan")) == ""
    assert duration_text(95.25) == "1:35:15"
    assert duration_text(59.999) == "1:00:00"
    assert duration_text(None) == ""


@given(st.floats(min_value=0.5, max_value=12.0, allow_nan=False))
def test_pace_text_is_the_rounded_pace(speed_mps):
    text = pace_text(speed_mps)
    m, s = text.split(":")
    assert 0 <= int(s) < 60 and len(s) == 2
    assert int(m) * 60 + int(s) == round(1000.0 / speed_mps)
    assert math.isclose(int(m) * 60 + int(s), 1000.0 / speed_mps, abs_tol=0.5 + 1e-9)
