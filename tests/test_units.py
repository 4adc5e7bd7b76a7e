"""runlog.units: one way to write numbers, odds ratios, p-values, paces and durations (issue 13)."""

import math

from hypothesis import given
from hypothesis import strategies as st

from runlog.units import MISSING, duration_text, mmss, number_text, p_text, pace_text, quantity_text, ratio_text


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


def test_number_text_by_hand():
    # 3 significant digits, no trailing zeros, whole from 100 on, at most 2 significant digits below 1
    assert [number_text(v) for v in (1234.5, 22.44, 1.50, 1.0, 0.0512, 0.5, 100.0, 12.34)] == \
        ["1234", "22.4", "1.5", "1", "0.051", "0.5", "100", "12.3"]
    # rounding edges: 9.996 is 10 (not 10.0), 99.96 is 100, 0.09996 is 0.1, 999.6 is 1000 (not 1e+03)
    assert [number_text(v) for v in (9.996, 99.96, 0.09996, 999.6)] == ["10", "100", "0.1", "1000"]
    # negative numbers as their absolute value with a sign; -0.0 is 0; never an exponent
    assert [number_text(v) for v in (-3.14159, -250.4, -0.0, 0.0, 0.00123)] == ["-3.14", "-250", "0", "0", "0.0012"]
    # below 0.001 in size: not a run of zeros (a training load decayed over a long break, 8.7e-22 AU)
    assert [number_text(v) for v in (1.234e-5, 8.7e-22, -2e-9)] == ["<0.001", "<0.001", ">-0.001"]
    # 2 digits (in a sentence)
    assert [number_text(v, 2) for v in (2.744, 12.34, 0.512, 148.7, 9.96)] == ["2.7", "12", "0.51", "149", "10"]
    # unknown and infinite
    assert [number_text(v) for v in (float("nan"), None, "x", math.inf, -math.inf)] == [MISSING, MISSING, MISSING,
                                                                                      "∞", "-∞"]


def test_ratio_text_by_hand():
    assert [ratio_text(v) for v in (2.4, 2.744, 0.512, 3.0, 57074.0, math.inf, 999.4, 4.9e-10, 0.005)] == \
        ["2.4", "2.74", "0.51", "3", ">1000", ">1000", "999", "<0.01", "0.005"]
    assert ratio_text(float("nan")) == MISSING and ratio_text(None) == MISSING


def test_p_text_by_hand():
    # 2 significant digits; below 0.001 '<0.001' (the rule of the HTML tables and the plots)
    assert [p_text(v) for v in (0.0432, 0.00113, 0.001, 0.000999, 3e-7, 0.0, 0.05, 0.99, 0.9949)] == \
        ["0.043", "0.0011", "0.001", "<0.001", "<0.001", "<0.001", "0.05", "0.99", "0.99"]
    # from 0.995 (which would round to 1) '>0.99': never "p = 1" beside an odds ratio (a p-value capped
    # at 1 by an adjustment, or one-sided against the estimate's direction)
    assert [p_text(v) for v in (0.995, 1.0)] == [">0.99", ">0.99"] and p_text(1.0, "p") == "p > 0.99"
    assert p_text(3e-7, "p") == "p < 0.001" and p_text(0.0123, "q") == "q = 0.012"
    assert p_text(float("nan")) == MISSING and p_text(None, "p") == f"p = {MISSING}"


def test_quantity_text_by_hand():
    assert quantity_text(15.33, "°C") == "15.3 °C"
    assert quantity_text(5, "%") == "5%"
    assert quantity_text(0.1, "") == "0.1" and quantity_text(0.1, None) == "0.1"
    assert quantity_text(float("nan"), "km") == MISSING
    assert quantity_text(12.34, "km", 2) == "12 km"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9), st.integers(1, 4))
def test_number_text_is_the_rounded_number(v, digits):
    text = number_text(v, digits)
    a = abs(v)
    if 0 < a < 0.001:
        assert text == ("<0.001" if v > 0 else ">-0.001")
        return
    assert "e" not in text and not text.endswith(".") and not ("." in text and text.endswith("0"))
    back = float(text)
    if a >= 10 ** (digits - 1):
        assert back == round(v) or abs(back - v) <= 0.5
    elif a > 0:
        sig = min(digits, 2) if a < 1 else digits
        assert abs(back - v) <= 0.5 * 10 ** (math.floor(math.log10(a)) - sig + 1) * (1 + 1e-9) + 1e-300
