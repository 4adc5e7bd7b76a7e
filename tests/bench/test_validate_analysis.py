"""bench/validate_analysis.py's scoring: exact / wrong flags, the heat coverage rule, the done-when block.

The simulations themselves are the bench (make bench, docs/validation.md); here the rules that turn a
season's findings into the issue's numbers are checked on hand-made rows."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from validate_analysis import STRONG_SPELLS, base_scenario, covered_flags, done_when, heat_row, outcomes, summarize


def test_outcomes_planted_allowed_and_wrong():
    # planted {hydration}, allowed {distance}
    assert outcomes(["hydration"], ("hydration",), ("distance",)) == {
        "exact": True, "found": True, "top": True, "wrong": False, "n": 1}
    assert outcomes(["hydration", "distance"], ("hydration",), ("distance",))["exact"]
    o = outcomes(["intensity", "hydration"], ("hydration",), ("distance",))
    assert (o["exact"], o["found"], o["top"], o["wrong"]) == (False, True, False, True)
    o = outcomes(["hydration"], ("hydration", "overtraining"))
    assert (o["exact"], o["found"], o["wrong"]) == (False, False, False)
    # nothing planted: clean is no finding; found/top are not defined
    assert outcomes([], ()) == {"exact": True, "found": None, "top": None, "wrong": False, "n": 0}
    assert outcomes(["distance"], (), ("distance",))["exact"]
    assert outcomes(["hydration"], ())["wrong"]


def _causes(factor="air_temp_c", form="exposure", lo=2.0, hi=6.0, per=5.0):
    return pd.DataFrame([{"cause": "hydration", "factor": factor, "form": form, "status": "finding",
                          "effect": 3.5, "ci_low": lo, "ci_high": hi, "effect_per": per},
                         {"cause": "footwear", "factor": "shoes", "form": "", "status": "no clear link",
                          "effect": 1.1, "ci_low": 0.5, "ci_high": 2.0, "effect_per": np.nan}])


def test_heat_row_planted_odds_ratio_and_when_it_is_judged():
    # 'hydration' plants 0.25 per °C h: per 5 °C per hour exp(1.25) = 3.49
    h = heat_row(_causes(), "hydration", 0.25)
    assert h["heat_planted"] == pytest.approx(math.exp(1.25)) == pytest.approx(3.4903, abs=1e-4)
    assert h["heat_covered"] is True
    assert heat_row(_causes(lo=3.6, hi=9.0), "hydration", 0.25)["heat_covered"] is False
    # the watch's temperature, a per-run form, or a planted per-run driver ('confounded') are not judged
    assert heat_row(_causes(factor="device_temp_mean_c"), "missing_temp", 0.25)["heat_covered"] is None
    assert heat_row(_causes(form="per_run"), "hydration", 0.25)["heat_covered"] is None
    h = heat_row(_causes(), "confounded", 0.2)
    assert h["heat_covered"] is None and math.isnan(h["heat_planted"])
    assert heat_row(_causes(lo=np.nan), "hydration", 0.25)["heat_covered"] is None
    assert heat_row(_causes().iloc[1:], "hydration", 0.25)["heat_covered"] is None


def _rows(label, causes, n, strength=1.0, covered=None):
    return pd.DataFrame({"scenario": label, "seed": range(n), "strength": strength, "runs": 140, "numb_runs": 20,
                         "runlog_causes": causes, "heat_covered": covered, "t_analyze_s": 2.0})


def test_done_when_passes_and_fails_on_the_issues_thresholds():
    planted = _rows("hydration", ["hydration"] * 12 + ["hydration;intensity"] * 4, 16, covered=[True] * 15 + [False])
    clean = _rows("null", ["-"] * 15 + ["terrain"], 16)
    # Wilson upper bounds over 200 journals: 6 -> 6.4 %, 8 -> 7.7 % (pass); 9 -> 8.3 %, 10 -> 9.0 % (fail)
    spells = _rows("bad_spells", ["overtraining"] * 6 + ["-"] * 194, 200)
    strong = _rows(f"bad_spells@{STRONG_SPELLS:g}", ["overtraining"] * 20 + ["-"] * 80, 100, strength=STRONG_SPELLS)
    lines, ok = done_when(pd.concat([planted, clean, spells, strong], ignore_index=True))
    text = "\n".join(lines)
    assert ok, text
    assert text.count("PASS") == 4 and "6/200 = 3.0 %" in text and "15/16 = 93.8 %" in text
    assert "(fail)" in text     # the stronger sd is reported, not judged

    worse = _rows("bad_spells", ["overtraining"] * 9 + ["-"] * 191, 200)
    lines, ok = done_when(pd.concat([planted, clean, worse], ignore_index=True))
    assert not ok and any(line.startswith("FAIL  false findings") for line in lines)
    # 12/16 = 75 % exact passes; 11/16 fails; 15 seeds fail whatever the rate
    lines, ok = done_when(pd.concat([planted.iloc[1:], clean, spells], ignore_index=True))
    assert not ok and "fewer than 16 seeds" in "\n".join(lines)
    eleven = planted.assign(runlog_causes=["hydration"] * 11 + ["-"] * 5)
    lines, ok = done_when(pd.concat([eleven, clean, spells], ignore_index=True))
    assert not ok and "<- below" in "\n".join(lines)


def test_summary_pools_labels_and_reads_coverage_from_csv_text():
    assert base_scenario("bad_spells@1.6") == "bad_spells" and base_scenario("null") == "null"
    cells = pd.DataFrame({"heat_covered": ["True", "False", "", None, True]})
    assert covered_flags(cells).tolist() == [True, False, True]
    res = pd.concat([_rows("null", ["-", "hydration"], 2), _rows("bad_spells@1.6", ["-"], 1)], ignore_index=True)
    table = summarize(res, methods=("runlog",))
    assert table.loc["null", "runlog wrong"].strip().startswith("50 %")
    assert table.loc["null", "runlog wrong causes"] == "hydration:1"
    assert table.loc["bad_spells@1.6", "runlog exact"].strip().startswith("100 %")
