"""Honest with few episodes, and the small words a runner trips over (issue 24 items 3 and 8).

Each rule is checked on the layouts a runner reads (the report's content model, which text, Markdown
and HTML lay out), with hand-made frames whose numbers are the issue's own: a 4-episode onset, shoes at
odds ratio 1.59 with p capped at 1, intensity at 1.2 to 4.06 with q = 0.055, estimated sweat loss at
30.1 (2.89 to 315).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from runlog.analysis.onset import MIN_ONSETS_REPRODUCIBLE, OnsetResult, analyze_onset
from runlog.render import html as htmlreport
from runlog.render import labels, wording
from runlog.render.content import Table, report_sections
from runlog.render.wording import MAX_CI_RATIO, onset_sentences, status_text, too_uncertain
from runlog.report._report import Report


def _tables(report) -> dict[str, pd.DataFrame]:
    return {s.key: b.frame for s in report_sections(report) for b in s.blocks if isinstance(b, Table)}


def _cause_row(cause, factor, label, effect, lo, hi, p, q, status="no clear link", level=None, finding=False,
               unit="per 10%"):
    return {"cause": cause, "cause_label": labels.cause_label(cause), "factor": factor, "factor_label": label,
            "level": level, "effect": effect, "ci_low": lo, "ci_high": hi, "p_value": p, "q_value": q,
            "effect_unit": unit, "finding": finding, "status": status, "explained_by": "", "kappa": 1.0,
            "effect_kind": "per_step", "effect_per": 10.0, "effect_per_unit": "%", "effect_usual": np.nan}


def _report(onset=None) -> Report:
    causes = pd.DataFrame([
        _cause_row("intensity", "speed_vs_usual_pct", "pace relative to your usual", 2.2, 1.2, 4.06, 0.0079,
                   0.055, status=status_text({"status": "no_clear_link", "ci_low": 1.2, "ci_high": 4.06,
                                              "q_value": 0.055}, n_tested=7)),
        _cause_row("footwear", "shoes", "shoes worn", 1.59, 0.44, 5.82, 1.0, 1.0, level="Trail Glide 2",
                   unit="this one against the others"),
    ])
    factors = pd.DataFrame({
        "factor": ["sweat_loss_est_pct", "shoes"], "level": [None, "Trail Glide 2"],
        "label": ["estimated sweat loss", "shoes worn"], "cause": ["hydration", "footwear"],
        "role": ["secondary", "primary"], "n_runs": [134, 134], "n_episodes": [20, 20],
        "effect": [30.1, 1.59], "ci_low": [2.89, 0.44], "ci_high": [315.0, 5.82], "p_value": [0.0044, 1.0],
        "q_value": [0.06, 1.0], "effect_unit": ["per 1%", "this one against the others"],
        "explained_by": ["", ""], "finding": [False, False], "description": ["", ""]})
    return Report(answer="No cause stands out yet.", causes=causes, factors=factors, testable=True, n_runs=134,
                  n_numb_runs=20, n_episodes=20, onset=onset if onset is not None else OnsetResult())


# ------------------------------------------------------------------ onset: no pattern claimed on 4 episodes
def _onsets(minutes):
    n = len(minutes)
    idx = pd.Index([f"r{i}" for i in range(n + 6)], name="run_id")
    numb = np.r_[np.ones(n, bool), np.zeros(6, bool)]
    onset = np.r_[minutes, np.full(6, np.nan)]
    flags = pd.DataFrame({"tracked": True, "numb": numb, "n_episodes": numb.astype(int), "onset_min": onset,
                          "onset_km": onset / 6.0}, index=idx)
    runs = pd.DataFrame({"elapsed_s": 3600.0, "distance_m": 10000.0}, index=idx)
    return analyze_onset(flags, runs)


def test_four_tight_onsets_are_too_few_to_call_consistent():
    # four onsets 30, 31, 32, 33 min: middle half 30.75-32.25, qcd 0.024, as tight as it gets, yet 4 < 11
    res = _onsets([30.0, 31.0, 32.0, 33.0])
    assert not res.reproducible and MIN_ONSETS_REPRODUCIBLE == 11
    said = " ".join(onset_sentences(res))
    assert "reproducible" not in said and "doctor" not in said
    assert "Too few episodes to say whether it comes at a consistent time (that needs at least 11" in said
    rep = _report(res)
    onset = _tables(rep)["onset"]
    assert onset["Consistent?"].tolist() == ["too few episodes to say"] * 2
    # the median has no 95 % interval from 4 values (1 - 2/16 < 95 %): said so, not '(–––)'
    assert onset["Median (95% CI)"].tolist()[0] == "31.5 (too few for one)"
    assert not any("consistent point" in c or ("doctor or physiotherapist" in c and "pattern" in c)
                   for c in wording.caveats(rep))


def test_eleven_tight_onsets_are_consistent():
    res = _onsets(list(np.linspace(30.0, 35.0, 11)))
    assert res.reproducible
    assert "Onset is reproducible at a consistent time" in " ".join(onset_sentences(res))
    assert _tables(_report(res))["onset"]["Consistent?"].tolist() == ["yes", "yes"]
    assert any("consistent point" in c for c in wording.caveats(_report(res)))


# ------------------------------------------------------------------ p = 1, no clear link, too uncertain
def test_no_p_of_one_beside_an_odds_ratio():
    t = _tables(_report())
    shoes = t["measures"].set_index("Measure").loc["shoes worn = Trail Glide 2"]
    assert shoes["Odds ratio"] == "1.59" and shoes["p"] == ">0.99" and shoes["q"] == ">0.99"
    for table in t.values():
        for col in ("p", "q"):
            if col in table:
                assert "1" not in set(table[col]), table
    assert "p = 1" not in _report().to_text() and "| 1 |" not in _report().to_markdown()


def test_an_interval_excluding_one_beside_no_clear_link_says_why():
    causes = _tables(_report())["causes"].set_index("Cause")
    row = causes.loc["intensity"]
    assert row["95 % CI"] == "1.2 to 4.06"
    # the reason, the allowance for the causes tested, in the same sentence as 'no clear link'
    assert row["Status"] == ("no clear link once the 7 causes tested are allowed for (q = 0.055), though its "
                             "interval alone excludes 1")
    # an interval that includes 1: plain 'no clear link'
    assert status_text({"status": "no_clear_link", "ci_low": 0.44, "ci_high": 5.82, "q_value": 1.0},
                       n_tested=7) == "no clear link"
    # an interval on the other side of 1 than the articles name (one-sided p near 1): not 'hidden by the
    # allowance' but the other way; for a cause whose articles name a lower value (direction -1) the
    # sides swap
    other = "no link in the direction the articles name: its interval lies on the other side of 1"
    assert status_text({"status": "no_clear_link", "ci_low": 0.12, "ci_high": 0.7, "q_value": 1.0,
                        "direction": 1}, n_tested=7) == other
    assert status_text({"status": "no_clear_link", "ci_low": 1.3, "ci_high": 3.0, "q_value": 1.0,
                        "direction": -1}, n_tested=7) == other
    assert status_text({"status": "no_clear_link", "ci_low": 0.2, "ci_high": 0.8, "q_value": 0.06,
                        "direction": -1}, n_tested=7).endswith("though its interval alone excludes 1")
    # the analysis' causes framed with words: the number of causes tested is counted there
    from runlog.features.catalog import FEATURES

    raw = pd.DataFrame([{**_cause_row("intensity", "speed_vs_usual_pct", "", 2.2, 1.2, 4.06, 0.0079, 0.055),
                         "status": "no_clear_link", "reason": "", "reason_value": np.nan},
                        {**_cause_row("terrain", "ascent_per_km_m", "", 1.1, 0.5, 2.0, 0.8, 1.0),
                         "status": "no_clear_link", "reason": "", "reason_value": np.nan}])
    framed = wording.cause_frame(raw, FEATURES)
    assert framed["status"].tolist()[0].startswith("no clear link once the 2 causes tested are allowed for")
    assert framed["status"].tolist()[1] == "no clear link"


def test_absurd_intervals_are_too_uncertain_not_numbers():
    # the rule: upper end more than 100 times the lower (2.89 to 315: 109-fold), or an open end
    assert MAX_CI_RATIO == 100
    assert too_uncertain(2.89, 315.0) and too_uncertain(0.01, 1.97) and too_uncertain(0.0, 3.0)
    assert too_uncertain(0.5, np.inf) and too_uncertain(np.nan, 3.0)
    assert not too_uncertain(0.16, 13.2) and not too_uncertain(1.82, 9.21) and not too_uncertain(np.nan, np.nan)
    row = _tables(_report())["measures"].set_index("Measure").loc["estimated sweat loss"]
    assert row["Odds ratio"] == "too uncertain" and row["95 % CI"] == "wider than 100-fold"
    assert row["p"] == "0.0044"   # the p- and q-values do not depend on the step: kept
    for text in (_report().to_text(), _report().to_markdown(), _report()._repr_html_()):
        assert "30.1" not in text and "315" not in text


def test_a_finding_with_an_absurd_interval_gives_its_direction_not_a_size():
    row = pd.Series({"cause": "hydration", "cause_label": "heat and hydration", "factor": "sweat_loss_est_pct",
                     "factor_label": "estimated sweat loss", "level": None, "effect": 30.1, "ci_low": 2.89,
                     "ci_high": 315.0, "p_value": 0.0004, "q_value": 0.003, "risk_text": "1 run in 3 above 1%",
                     "best_measure": "estimated sweat loss", "effect_kind": "per_step", "effect_per": 1.0,
                     "effect_per_unit": "%", "effect_usual": np.nan})
    causes = pd.DataFrame({"cause": ["hydration"], "p_value": [0.0004], "finding": [True]})
    text = wording.cause_paragraph(row, causes, pd.DataFrame(), first=True)
    assert text.startswith("Odds of numbness rise with estimated sweat loss, by an amount too uncertain to give "
                           "(its 95 % interval is wider than 100-fold, p < 0.001; q = 0.003 allowing for the 1 "
                           "cause tested)")
    assert "30" not in text and "315" not in text


# ------------------------------------------------------------------ small things a runner notices
def test_form_means_running_form_only():
    assert labels.MEASURE_LABELS["tsb_au"] == "freshness (TSB, fitness minus fatigue)"
    assert [k for k, v in labels.MEASURE_LABELS.items() if re.search(r"\bform\b", v)] == []
    assert labels.cause_label("form") == "running form"


def test_units_in_words():
    assert labels.unit_label("AU") == "load units" and labels.unit_label("1/min") == "beats/min"
    assert labels.unit_label("°C") == "°C" and labels.unit_label(None) == ""
    assert wording.effect_unit_text("per_step", 100.0, "AU") == "per 100 load units"


def test_glossary_does_not_name_the_wrong_correction():
    glossary = " ".join(d for _, d in htmlreport.HOW_TO_READ)
    assert "Benjamini" not in glossary and "Holm" not in glossary
    assert "adjusted for" in glossary and "number of causes tested" in glossary
    page = _report().to_html(figures=False)
    assert "Benjamini" not in page and "Cause (articles)" not in page


def test_shoes_that_cannot_be_tested_read_as_shoes():
    said = status_text({"status": "not_testable", "reason": "no_pair", "reason_value": 8}, "shoes worn")
    assert said == "not testable: no pair of shoes was worn on at least 8 runs and left out of 8 others"


@pytest.mark.parametrize("sports, boxes, sport", [
    (["running"] * 34 + ["cycling"] * 30 + ["swimming"] * 9,
     [("runs in the history", "34"), ("other activities (30 rides, 9 swims)", "39")], "running"),
    (["running"] * 5, [("runs in the history", "5")], "running"),
    # what was analysed: every activity (sport=None), or another sport
    (["running"] * 34 + ["cycling"] * 30, [("activities in the history", "64")], None),
    (["running"] * 34 + ["cycling"] * 30, [("cycling activities in the history", "30"), ("other activities (34 runs)",
                                                                                        "34")], "cycling"),
])
def test_html_count_boxes_count_what_was_analysed(sports, boxes, sport):
    runs = pd.DataFrame({"sport": sports}, index=pd.Index([f"r{i}" for i in range(len(sports))], name="run_id"))
    rep = _report()
    rep.runs = runs
    rep.settings = {**(rep.settings or {}), "sport": sport}
    stats = htmlreport._stats(rep)
    assert stats[:len(boxes)] == boxes
    assert ("runs analysed (journal period)", "134") in stats


# ------------------------------------------------------------------ what looking at the rendered pages changed
def test_by_cause_names_the_shoe_pair_tested():
    # 'shoes | shoes worn | 1.59 | this one against the others': which one? the pair, as in the plot
    causes = _tables(_report())["causes"].set_index("Cause")
    assert causes.loc["shoes", "Measure"] == "shoes worn = Trail Glide 2"


def test_nothing_tested_shows_no_boxes_of_zeros():
    rep = Report(n_runs=11, n_numb_runs=4, n_episodes=4, testable=False)
    assert [k for k, _ in htmlreport._stats(rep)] == ["runs analysed (journal period)", "runs with numbness"]


def test_at_onset_table_without_tests_has_no_empty_p_column():
    at = pd.DataFrame({"variable": ["speed_mps", "hr_bpm"], "unit": ["m/s", "1/min"],
                       "n_episodes": [4, 3], "at_onset": [3.17, 174.0], "same_point_others": [2.33, 162.0],
                       "p_value": [np.nan, np.nan]})
    rep = _report(OnsetResult(at_onset=at))
    tables = [b.frame for s in report_sections(rep) if s.key == "onset" for b in s.blocks if isinstance(b, Table)]
    assert list(tables[-1].columns) == ["What", "Unit", "Episodes", "Before onset", "Other runs"]
    assert tables[-1]["Unit"].tolist() == ["min/km", "beats/min"]
    # the names come from render.labels, not from the analysis
    assert tables[-1]["What"].tolist() == ["Pace in the 2 minutes before onset",
                                           "Heart rate in the 2 minutes before onset"]
    rep.onset.at_onset.loc[0, "p_value"] = 0.02
    tables = [b.frame for s in report_sections(rep) if s.key == "onset" for b in s.blocks if isinstance(b, Table)]
    assert tables[-1]["p"].tolist() == ["0.02", ""]


def test_forest_plot_writes_a_capped_q_as_a_bound():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from runlog.render import plot

    ax = plot.cause_forest(_report().causes)
    texts = [t.get_text() for t in ax.texts]
    plt.close(ax.figure)
    assert "q>0.99" in texts and "q=>0.99" not in texts and "q=0.055" in texts


# ------------------------------------------------------------------ what the notes could hold
def test_unmeasured_causes_ask_for_a_notes_column_only_when_the_notes_lack_it():
    from runlog.render.wording import unmeasured_causes

    lacks = unmeasured_causes(Report(n_runs=11, n_numb_runs=4, n_episodes=4, testable=False))
    assert ("how tightly you lace your shoes (a lacing column in your run notes would let runlog weigh it), how "
            "much you drank during your runs (a fluid_ml column in your run notes, in millilitres, would let "
            "runlog weigh it), nerve compression") in lacks
    # compared (a measure of the table), or not comparable with a reason: it is in the data, nothing asked
    has = Report(n_runs=60, n_numb_runs=12, n_episodes=12, testable=True,
                 factors=pd.DataFrame({"factor": ["fluid_ml"]}),
                 not_tested=pd.DataFrame({"factor": ["lacing"], "reason": ["constant"]}))
    text = unmeasured_causes(has)
    assert "lace" not in text and "drank" not in text and text.startswith(
        "Some causes that articles on numb feet name are not in your watch data, so runlog cannot weigh them: "
        "nerve compression")
    # the runs so far list a column with no value on any run: still not measured
    so_far = Report(n_runs=11, n_numb_runs=4, n_episodes=4, testable=False,
                    descriptives=pd.DataFrame({"factor": ["fluid_ml", "lacing"], "n_runs": [0, 3]}))
    text = unmeasured_causes(so_far)
    assert "a fluid_ml column" in text and "lacing column" not in text
