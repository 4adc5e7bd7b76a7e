"""runlog.render.wording: the words of the analysis' codes and numbers, checked against hand-written text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from runlog.analysis import causes as C
from runlog.analysis.causes import STATUSES
from runlog.features.catalog import FEATURES
from runlog.render.wording import (
    CAUSE_COLUMNS,
    answer_line,
    cause_frame,
    cause_paragraph,
    effect_unit_text,
    explained_text,
    risk_text,
    status_text,
    threshold_phrases,
)


def _unit(name, per, kind="numeric", usual=None, catalog=FEATURES):
    c = C.effect_columns(name, per, catalog, kind, usual=usual)
    return effect_unit_text(c["effect_kind"], c["effect_per"], c["effect_per_unit"], c["effect_usual"])


def test_effect_unit_words():
    from runlog.schema import Feature

    assert _unit("air_temp_c", 5.0, usual=16.04) == "per 5 °C above your usual 16 °C, per hour on your feet"
    assert _unit("air_temp_c", 5.0) == "per 5 °C"
    assert _unit("run_streak_days", 1.0) == "per 1 day" and _unit("run_streak_days", 2.0) == "per 2 days"
    assert _unit("not_in_the_catalogue", 0.1) == "per 0.1 (ratio)"
    rating = {"rpe": Feature(name="rpe", unit="0-10", dtype="float64", description="RPE", cause="intensity")}
    assert _unit("rpe", 1.0, catalog=rating) == "per 1 point (0-10)"
    assert _unit("rpe", 2.0, catalog=rating) == "per 2 points (0-10)"
    assert _unit(C.EXPOSURE_TERM, math.nan) == "per doubling of the run, beyond the doubled time on the feet"
    assert _unit("shoes", 1.0, "categorical") == "this one against the others"
    assert _unit("x", 1.0, "binary") == "with vs without"
    assert effect_unit_text("") == ""


def _cause(status, **kw):
    base = {"cause": "hydration", "factor": "air_temp_c", "level": None, "effect": 1.2, "ci_low": 0.8,
            "ci_high": 1.9, "p_value": 0.3, "q_value": 0.9, "finding": False, "status": status, "explained_by": "",
            "reason": "", "reason_value": np.nan, "kappa": 1.0, "effect_kind": "per_step", "effect_per": 5.0,
            "effect_per_unit": "°C", "effect_usual": np.nan}
    return {**base, **kw}


def test_status_words_for_every_code():
    words = {
        "finding": "finding",
        "explained": "goes with numbness only through heat and training load",
        "not_clear_adjusted": "no clear link once the others are accounted for",
        "no_rise_beyond_time": ("no rise beyond the time on the feet: numbness came about once per run, "
                                "not more often per minute on long runs"),
        "no_clear_link": "no clear link",
        "entangled": ("cannot be told apart from the season: it rose and fell with the months so closely that "
                      "your journal cannot say which of the two goes with the numbness"),
        "not_testable": ("not testable: air temperature is known for only 40% of the runs, or on too few runs "
                         "with numbness (runlog needs 40 % of the runs and 3 with numbness)"),
    }
    assert set(words) == set(STATUSES)
    for status, want in words.items():
        row = _cause(status, explained_by="hydration,overtraining", reason="coverage", reason_value=0.4)
        assert status_text(row, "air temperature") == want
    reasons = {"no_measure": "no measure of it in the data",
               "no_pair": "no pair of shoes was worn on at least 8 runs and left out of 8 others",
               "no_spread": "shoes worn hardly varies between runs",
               "no_fit": "the model could not be fitted (singular matrix)"}
    assert set(reasons) | {"coverage"} == set(C.REASONS)
    for reason, want in reasons.items():
        value = {"no_pair": 8, "no_fit": "singular matrix"}.get(reason, np.nan)
        assert status_text(_cause("not_testable", reason=reason, reason_value=value), "shoes worn") == \
            "not testable: " + want
    assert explained_text("") == "" and explained_text("footwear") == "shoes"


def test_cause_frame_adds_the_words_in_the_reports_columns():
    causes = pd.DataFrame([_cause("finding", finding=True), _cause("not_testable", cause="footwear", factor="",
                                                                    reason="no_measure", effect_kind="")])
    f = cause_frame(causes, FEATURES)
    assert list(f.columns) == CAUSE_COLUMNS
    assert f["cause_label"].tolist() == ["heat and hydration", "shoes"]
    assert f["factor_label"].tolist() == ["air temperature", ""]
    assert f["effect_unit"].tolist() == ["per 5 °C", ""]
    assert f["status"].tolist() == ["finding", "not testable: no measure of it in the data"]


def test_risk_words():
    row = {"risk_kind": "threshold", "risk_threshold": 20.0, "risk_unit": "°C", "exposed_numb": 11,
           "exposed_runs": 32, "other_numb": 1, "other_runs": 7}
    assert risk_text(row) == "11 of 32 runs above 20 °C had numbness, 1 run in 7 at or below"
    row = {**row, "risk_kind": "with_without", "exposed_numb": 5, "exposed_runs": 20, "other_numb": 0}
    assert risk_text(row) == "1 run in 4 with it had numbness, none of 7 without"
    row = {**row, "risk_kind": "level", "level": "Racer", "exposed_numb": 6, "exposed_runs": 6,
           "other_runs": 0}
    assert risk_text(row) == "every one of 6 in 'Racer' had numbness, no run in the others"

def test_finding_paragraph_reads_the_structured_effect_unit():
    from runlog.features.catalog import FEATURES

    row = pd.Series({"cause": "hydration", "cause_label": "heat and hydration", "factor": "air_temp_c",
                     "factor_label": "air temperature", "level": None, "effect": 3.71, "ci_low": 1.68,
                     "ci_high": 8.2, "p_value": 0.00113, "q_value": 0.0077, "risk_text": "r",
                     "best_measure": "air temperature",
                     **C.effect_columns("air_temp_c", 5.0, FEATURES, "numeric", usual=14.62)})
    causes = pd.DataFrame({"cause": ["hydration", "footwear"], "p_value": [0.001, 0.5], "finding": [True, False]})
    text = cause_paragraph(row, causes, pd.DataFrame(), first=True)
    assert text.startswith("Odds of numbness x 3.7 per 5 °C of air temperature above your usual 14.6 °C, per hour "
                           "on your feet (95 % CI 1.7-8.2, p = 0.0011; q = 0.0077 allowing for the 2 causes tested)")
    # the phrase follows the columns, not the text: a step of 2 °C without the usual
    row2 = row.copy()
    row2["effect_kind"], row2["effect_per"], row2["p_value"] = "per_step", 2.0, 3e-7
    assert cause_paragraph(row2, causes, pd.DataFrame(), first=True).startswith(
        "Odds of numbness x 3.7 per 2 °C of air temperature (95 % CI 1.7-8.2, p < 0.001; q = 0.0077")


def test_not_tested_words_for_every_code():
    from runlog.analysis.stats import NOT_TESTED_REASONS
    from runlog.render.wording import not_tested_reason

    words = {
        "few_runs": ({"reason_value": 4, "n_runs": 4}, "only 4 runs with a value (need 10)"),
        "few_numb": ({"reason_value": 1, "n_runs": 43}, "only 1 numb run(s) among the 43 runs with a value (need 2)"),
        "few_other": ({"reason_value": 1, "n_runs": 20}, "only 1 run(s) without numbness among the runs with a value "
                                                         "(need 2)"),
        "constant": ({}, "constant across runs"),
        "one_level": ({"reason_value": 1}, "only 1 run(s) in one level (need 3)"),
        "many_values": ({"reason_value": 40}, "40 different values (more than 12): looks like free text or an id; "
                                              "group it into a few categories to test it"),
        "small_levels": ({}, "fewer than 3 runs at each of these levels or without them"),
        "bookkeeping": ({}, "bookkeeping column of the journal or notes file, not a factor"),
    }
    assert set(words) == set(NOT_TESTED_REASONS)
    for reason, (row, want) in words.items():
        assert not_tested_reason({"reason": reason, **row}) == want


def test_answer_without_a_finding_names_the_strongest_cause_in_plain_words():
    from types import SimpleNamespace

    labels = ["heat and hydration", "training load (too much too soon, too few rest days)"]
    causes = pd.DataFrame({"cause": ["hydration", "overtraining"], "p_value": [0.4, 0.2], "cause_label": labels})
    rep = SimpleNamespace(testable=True, findings=None, causes=causes, n_numb_runs=26, n_runs=116, more_needed=77)
    line = answer_line(rep)
    assert line == ("No cause stands out yet among the 2 tested (26 runs with numbness out of 116). About 77 more "
                    "runs with numbness would be needed to show an effect as strong as the strongest estimate "
                    "(training load), if it is real.")
    rep.more_needed = 500
    assert answer_line(rep).endswith("None comes close: even the strongest estimate (training load) is the size "
                                     "chance gives.")


def test_streak_split_reads_as_days_of_a_streak():
    assert threshold_phrases("run_streak_days", 1.0, "d") == ("on day 2 or later of a running streak",
                                                            "on the first day of a streak")
    assert threshold_phrases("run_streak_days", 2.0, "d") == ("on day 3 or later of a running streak",
                                                            "on the first 2 days")


def test_acute_chronic_split_reads_as_a_heavier_week():
    # the split is the runner's median ratio rounded to 0.2: at 1.0 "more than 1 times" is not English
    assert threshold_phrases("acwr_distance", 1.0, "") == ("after a week with more than your usual distance",
                                                         "after a usual or lighter week")
    assert threshold_phrases("acwr_distance", 1.4, "") == ("after a week with more than 1.4 times your usual "
                                                         "distance", "at or below that")


def test_onset_side_words_for_every_code():
    from runlog.analysis.onset import BALANCE_CODES, NOTE_CODES, SIDE_CAUSE_CODES, SIDE_CODES
    from runlog.render.wording import onset_note, side_balance_sentence, side_cause_sentence, side_sentence

    counts = {"left": 6, "right": 5, "both": 1}
    side = {
        "no_side": {},
        "too_few": counts,
        "different": {**counts, "left_median": 32.5, "right_median": 55.0, "p_value": 0.0043},
        "similar": {**counts, "left_median": 40.0, "right_median": 41.0, "p_value": 0.7},
    }
    assert set(side) == set(SIDE_CODES)
    said = {code: side_sentence({"code": code, **v}) for code, v in side.items()}
    assert said["no_side"].startswith("No episode says which side: write left, right or both")
    assert said["too_few"] == ("Sides: 6 left, 5 right, 1 both (episodes). Too few sided episodes with a known "
                               "onset to compare the sides (each side needs 5).")
    assert said["different"] == ("Sides: 6 left, 5 right, 1 both (episodes); onset came at a different time on "
                                 "the two sides (median 32.5 min left, 55 min right, Mann-Whitney p = 0.0043).")
    assert "no clear difference in onset time between the sides (median 40 min left, 41 min right" in said["similar"]
    assert side_sentence({}) == ""

    lean = {"n_left": 4, "n_right": 4, "left_median": 51.3, "right_median": 49.3, "p_value": 0.014}
    balance = {"no_balance": {"n_left": 0, "n_right": 0}, "too_few": {"n_left": 2, "n_right": 1},
               "leans": {**lean, "reference_median": 50.2}, "no_lean": {**lean, "reference_median": np.nan}}
    assert set(balance) == set(BALANCE_CODES)
    said = {code: side_balance_sentence({"code": code, **v}) for code, v in balance.items()}
    assert said["no_balance"].startswith("No run with a left- or right-sided episode has ground contact time")
    assert "(2 left, 1 right with a ground contact time balance before onset; each side needs 4)" in said["too_few"]
    assert said["leans"] == ("Ground contact time balance before onset: left-sided episodes came with a longer "
                             "ground contact on the left foot than right-sided ones (median left share 51.3 % in 4 "
                             "left-sided, 49.3 % in 4 right-sided episodes, runs without numbness 50.2 %; one-sided "
                             "Mann-Whitney p = 0.014).")
    assert "no clear sign" in said["no_lean"] and "runs without numbness" not in said["no_lean"]
    assert side_balance_sentence({}) == ""

    runs = {"runs_left": 5, "runs_right": 4}
    top = {**runs, "factor": "air_temp_c", "factor_label": "air temperature", "left_median": 22.0,
           "right_median": 12.0, "n_left": 5, "n_right": 5, "p_value": 0.0079, "q_value": 0.016, "n_tested": 2}
    cause = {"too_few": runs, "different": top, "similar": {**top, "q_value": 0.4}}
    assert set(cause) == set(SIDE_CAUSE_CODES)
    said = {code: side_cause_sentence({"code": code, **v}) for code, v in cause.items()}
    assert said["too_few"] == ("Too few runs with numbness on one side to compare the causes between the sides "
                               "(5 runs numb on the left only, 4 on the right only; a run counts once however many "
                               "episodes it had, and not at all when both sides went numb; each side needs 5).")
    assert said["different"] == ("Left- and right-sided episodes came on different runs: air temperature 22 on "
                                 "left-sided against 12 on right-sided runs (medians of 5 and 5; q = 0.016, Holm "
                                 "over 2 causes).")
    assert said["similar"].startswith("Left- and right-sided episodes came on similar runs: no cause's measure")
    assert "smallest p = 0.0079, air temperature; Holm over 2 causes" in said["similar"]
    assert side_cause_sentence({}) == ""

    notes = {"onset_unknown": {"unit": "km", "n_missing": 2, "n_numb": 9}, "no_records": {}}
    assert set(notes) == set(NOTE_CODES)
    assert onset_note({"code": "onset_unknown", **notes["onset_unknown"]}) == (
        "2 of 9 numb runs have no onset in km; they are left out of the onset analysis in km.")
    assert onset_note({"code": "no_records"}).startswith("no records given: pace, heart rate and temperature")
