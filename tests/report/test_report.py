"""The Report: its defaults, its one content model and its renderings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runlog.report._report import Report


def _row(**kw):
    base = dict(factor="air_temp_c", level=None, reference=None, cause="hydration",
                description="Air temperature: the run notes, else the weather table", kind="numeric", unit="°C",
                n_runs=171, n_episodes=18, effect=2.9, ci_low=1.7, ci_high=5.3, p_value=1e-4, q_value=0.002,
                method="", effect_unit="", center=22.0, scale=6.5, split="> 22", exposed_runs=31,
                exposed_numb=12, other_runs=140, other_numb=6)
    base.update(kw)
    return pd.Series(base)


def test_empty_report_defaults():
    rep = Report()
    assert not rep.testable and len(rep.factors) == 0 and "sentence" in rep.findings.columns
    assert "Testing is not possible yet" in rep.summary()
    assert not rep.onset.reproducible


# ---------------------------------------------------------------------------
# rendering: one content model, the answer first
# ---------------------------------------------------------------------------
HEAT_ANSWER = "Heat goes with your numbness: 1 run in 4 above 22 °C had numbness, 1 in 20 below."
HEAT_SENTENCE = ("Heat and hydration: the odds of numbness were 2.4 times as high per 5 °C of air temperature "
                 "(95 % CI 1.5-3.9), with the other causes accounted for; 1 run in 4 above 22 °C, 1 in 20 below. "
                 "Of the measures of heat, air temperature fits best.")
NONE_ANSWER = ("No cause stands out yet: with 6 runs with numbness, about 10 more runs with numbness would be "
               "needed to see a doubling of the odds.")


def _causes(finding: bool) -> pd.DataFrame:
    return pd.DataFrame({
        "cause": ["hydration", "distance", "overtraining", "footwear"],
        "cause_label": ["heat and hydration", "run length", "training load", "shoes"],
        "factor": ["air_temp_c", "duration_min", "run_streak_days", "shoes"],
        "factor_label": ["air temperature", "duration", "consecutive days", "shoes"],
        "effect": [2.4 if finding else 1.3, 1.2, 1.1, np.nan],
        "ci_low": [1.5 if finding else 0.8, 0.8, 0.7, np.nan],
        "ci_high": [3.9 if finding else 2.1, 1.8, 1.7, np.nan],
        "p_value": [1e-4 if finding else 0.2, 0.4, 0.6, np.nan],
        "q_value": [8e-4 if finding else 0.6, 0.8, 0.8, np.nan],
        "effect_unit": ["per 5 °C", "per 30 min", "per extra consecutive day", ""],
        "finding": [finding, False, False, False],
        "status": ["finding" if finding else "no clear link", "no clear link", "no clear link",
                   "not testable: one pair of shoes"],
    })


def _factors(finding: bool) -> pd.DataFrame:
    rows = [
        _row(factor="air_temp_c", label="air temperature", role="primary", explained_by="", cause="hydration",
             effect=2.4, ci_low=1.5, ci_high=3.9, effect_unit="per 5 °C"),
        _row(factor="fluid_ml", label="fluid drunk", role="explained", explained_by="heat and hydration",
             cause="hydration", effect=1.8, ci_low=1.1, ci_high=2.9, p_value=0.01, q_value=0.04,
             effect_unit="per 250 ml"),
        _row(factor="hr_z4_pct", label="time in heart-rate zone 4", role="in-run", explained_by="",
             cause="intensity", effect=1.2, ci_low=0.8, ci_high=1.8, p_value=0.3, q_value=0.6),
        _row(factor="duration_min", label="duration", role="primary", explained_by="", cause="distance",
             effect=1.2, ci_low=0.8, ci_high=1.8, p_value=0.4, q_value=0.8, effect_unit="per 30 min"),
    ]
    f = pd.DataFrame(rows)
    f["finding"] = [finding, False, False, False]
    return f


def report_with(finding: bool) -> Report:
    """A report built by hand with the frames analyze() fills: one finding (heat) or none."""
    causes = _causes(finding)
    findings = causes[causes["finding"]].assign(
        risk_text="1 run in 4 above 22 °C, 1 in 20 below", best_measure="air temperature",
        sentence=HEAT_SENTENCE).drop(columns=["finding", "status"]).reset_index(drop=True)
    return Report(answer=HEAT_ANSWER if finding else NONE_ANSWER, findings=findings, causes=causes,
                  factors=_factors(finding), n_runs=171, n_numb_runs=18 if finding else 6,
                  n_episodes=18 if finding else 6, testable=True, settings={"fdr": 0.05},
                  caveats=["Associations in one runner's data, not proof of a cause."])


@pytest.mark.parametrize("finding", [True, False])
def test_summary_opens_with_the_answer(finding):
    rep = report_with(finding)
    lines = rep.summary().splitlines()
    answer = HEAT_ANSWER if finding else NONE_ANSWER
    # title, underline, then the answer (wrapped at 100 characters)
    assert lines[0].startswith("runlog report") and set(lines[1]) == {"="}
    assert " ".join(lines[2:4]).startswith(answer[:90])
    text = " ".join(rep.summary().split())
    assert text.index(answer) < text.index("By cause") < text.index("Caveats")
    if finding:
        # the finding paragraph as the report words it, right after the answer
        assert text.index(HEAT_SENTENCE) < text.index("By cause")
        assert text.count(HEAT_SENTENCE) == 1
    assert "Cause:" not in text
    # the per-cause status and the measures' roles in the report's words
    assert "shoes: not testable: one pair of shoes" in text
    assert "fluid drunk [goes with numbness only through heat and hydration (articles: heat and hydration)]" in text
    assert "time in heart-rate zone 4 [measured during the run (articles: intensity)]" in text
    assert rep.findings_text() == ([HEAT_SENTENCE] if finding else [NONE_ANSWER])


@pytest.mark.parametrize("finding", [True, False])
def test_markdown_and_notebook_html_open_with_the_answer(finding):
    rep = report_with(finding)
    answer = HEAT_ANSWER if finding else NONE_ANSWER
    md = rep.to_markdown().splitlines()
    body = [ln for ln in md[1:] if ln.strip()]
    assert md[0].startswith("# ") and body[0] == f"**{answer}**"
    if finding:
        assert body[1] == HEAT_SENTENCE
    assert "## By cause" in md and md.index("## By cause") < md.index("## Caveats")
    table = "\n".join(md[md.index("## By cause"):])
    est = "2.4 | per 5 °C | 1.5 to 3.9" if finding else "1.3 | per 5 °C | 0.8 to 2.1"
    assert f"| heat and hydration | air temperature | {est} |" in table
    assert "| not testable: one pair of shoes |" in table
    h = rep._repr_html_()
    first = h.split("</h3>", 1)[1]
    assert first.startswith("<p><b>" + answer.replace("°", "°") + "</b></p>")
    assert "<h4>By cause</h4>" in h and h.index("By cause") > h.index(answer)
    assert "Cause:" not in h


def test_report_without_an_answer_falls_back_without_composing():
    # a report of an older version (no answer): its own count line, its findings' sentences as they are
    rep = report_with(True)
    rep.answer = ""
    assert rep.answer_line() == rep.headline()
    assert rep.summary().splitlines()[2] == rep.headline()
    untestable = Report(n_runs=12, n_numb_runs=1, n_episodes=1)
    assert untestable.answer_line().startswith("Testing is not possible yet")


def test_causes_is_a_field():
    rep = Report()
    # an empty report has the same columns as one analyze() fills (runlog.analysis.causes.CAUSE_COLUMNS)
    assert list(rep.causes.columns) == ["cause", "cause_label", "factor", "factor_label", "level", "effect",
                                        "ci_low", "ci_high", "p_value", "q_value", "effect_unit", "finding",
                                        "status", "explained_by", "kappa",
                                        "effect_kind", "effect_per", "effect_per_unit", "effect_usual"]
    assert len(rep.causes) == 0 and rep.answer == ""
    assert Report(causes=_causes(True)).causes["cause"].iloc[0] == "hydration"


def test_ratio_text_caps_degenerate_intervals():
    from runlog.report._report import ratio_text

    assert [ratio_text(v) for v in (2.4, 0.5, 57074.0, 4.9e-10, np.nan)] == ["2.4", "0.5", ">1000", "<0.01", "–"]
    causes = _causes(True)
    causes.loc[1, ["effect", "ci_low", "ci_high"]] = [57074.0, 4.9e-10, 6.6e18]
    rep = Report(answer=HEAT_ANSWER, causes=causes, testable=True)
    assert "run length | duration | >1000 | per 30 min | <0.01 to >1000 |" in rep.to_markdown()
    assert "odds ratio >1000 per 30 min, 95 % CI <0.01 to >1000" in " ".join(rep.summary().split())


def test_measure_note_words():
    from runlog.report._report import measure_note

    labels = {"hydration": "heat and hydration", "other": "other"}
    assert measure_note(pd.Series({"cause": "hydration", "role": "secondary", "explained_by": ""}), labels) == \
        "other measure of heat and hydration"
    assert measure_note(pd.Series({"cause": "other", "role": "secondary", "explained_by": ""}), labels) == \
        "a measure of no named cause"
    assert measure_note(pd.Series({"cause": "hydration", "role": "explained", "explained_by": "heat"}), labels) == \
        "goes with numbness only through heat (articles: heat and hydration)"
    # a report without roles: the articles' cause, never 'Cause: ...'
    assert measure_note(pd.Series({"cause": "hydration"}), {}).startswith("articles: ")


def test_journal_period_given_or_the_span_of_the_tracked_runs():
    from runlog.report._report import journal_period

    ids = pd.Index(["20240301T0700Z", "20240305T0700Z", "20240320T0700Z"], name="run_id")
    flags = pd.DataFrame({"tracked": [False, True, True]}, index=ids)
    runs = pd.DataFrame({"start_local": pd.to_datetime(["2024-03-01 08:00", "2024-03-05 18:30",
                                                        "2024-03-20 07:15"])}, index=ids)
    # given: as Timestamps, an open end stays open
    assert journal_period(("2024-03-02", None), flags, runs) == (pd.Timestamp("2024-03-02"), None)
    # not given (or both ends open): first and last local date of the tracked runs
    assert journal_period(None, flags, runs) == (pd.Timestamp("2024-03-05"), pd.Timestamp("2024-03-20"))
    assert journal_period((None, None), flags, runs) == journal_period(None, flags, runs)
    assert journal_period(None, None, runs) is None
    assert journal_period(None, flags.assign(tracked=False), runs) is None
    # a report made by hand: the plots work the period out the same way
    from runlog.render import plot

    rep = Report(flags=flags, runs=runs)
    assert rep.tracked is None and plot.report_tracked(rep) == journal_period(None, flags, runs)
    rep.tracked = (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-31"))
    assert plot.report_tracked(rep) == rep.tracked

