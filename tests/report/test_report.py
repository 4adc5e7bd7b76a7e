"""The Report: its defaults, its one content model and its renderings."""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd
import pytest

from runlog.render.content import Bullets, Paragraph, Table
from runlog.render.wording import count_line
from runlog.report import Report


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
    assert "Testing is not possible yet" in rep.to_text()
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
def test_one_content_model_opens_with_the_answer(finding):
    rep = report_with(finding)
    answer = HEAT_ANSWER if finding else NONE_ANSWER
    sections = rep.sections()
    assert [s.key for s in sections] == ["answer", "causes", "onset", "measures", "caveats"]
    opening = sections[0].blocks
    assert opening[0] == Paragraph(answer, strong=True)
    assert [b.text for b in opening[1:]] == ([HEAT_SENTENCE] if finding else []) + [count_line(rep)]
    causes = next(b for b in sections[1].blocks if isinstance(b, Table))
    assert list(causes.frame.columns) == ["Cause", "Measure", "Odds ratio", "per", "95 % CI", "q", "Status"]
    assert causes.frame.iloc[-1].tolist() == ["shoes", "shoes", "–", "", "–", "", "not testable: one pair of shoes"]
    assert causes.highlight == [finding, False, False, False]
    measures = next(b for b in sections[3].blocks if isinstance(b, Table))
    assert measures.frame["What it is"].tolist()[:3] == [
        "main measure of heat and hydration",
        "goes with numbness only through heat and hydration (a measure of heat and hydration)",
        "measured during the run (a measure of intensity)"]
    assert sections[-1].blocks == [Bullets(["Associations in one runner's data, not proof of a cause."])]


@pytest.mark.parametrize("finding", [True, False])
def test_every_layout_lays_out_the_same_sections(finding):
    rep = report_with(finding)
    answer = HEAT_ANSWER if finding else NONE_ANSWER
    sections = rep.sections()
    words = [b.text for s in sections for b in s.blocks if isinstance(b, Paragraph)]
    words += [i for s in sections for b in s.blocks if isinstance(b, Bullets) for i in b.items]
    cells = [c for s in sections for b in s.blocks if isinstance(b, Table) for c in b.frame.to_numpy().ravel()]
    titles = [s.title for s in sections if s.title]
    text = rep.to_text()
    md = rep.to_markdown()
    nb = rep._repr_html_()
    page = rep.to_html(figures=False)
    flat = " ".join(text.split())
    for w in words:          # every sentence in every layout, as the content model has it
        assert " ".join(w.split()) in flat, w
        assert w in md, w
        assert html.escape(w) in nb, w
        # the page lays out the count line as its boxes of numbers
        assert html.escape(w) in page or w == count_line(rep), w
    assert "<div class='stat'><b>171</b>runs analysed (journal period)</div>" in page
    for c in cells:
        assert str(c) in text and str(c).replace("|", "\\|") in md and html.escape(str(c)) in nb, c
    for t in titles:
        assert f"## {t}" in md and f"<h4>{t}</h4>" in nb and t in text
    # the answer first, in bold where a layout has bold
    assert text.splitlines()[2] == textwrap.wrap(answer, 100)[0]
    assert next(ln for ln in md.splitlines()[1:] if ln.strip()) == f"**{answer}**"
    assert nb.split("</h3>", 1)[1].startswith(f"<p><b>{html.escape(answer)}</b></p>")
    assert f"<p class='answer' id='answer'>{html.escape(answer)}</p>" in page
    assert "Cause:" not in text + md + nb


def test_report_without_an_answer_falls_back_without_composing():
    # a report made by hand (no answer): its own count line, its findings' sentences as they are
    rep = report_with(True)
    rep.answer = ""
    assert rep.sections()[0].blocks[0].text == count_line(rep)
    assert rep.to_text().splitlines()[2] == count_line(rep)
    untestable = Report(n_runs=12, n_numb_runs=1, n_episodes=1)
    assert untestable.sections()[0].blocks[0].text.startswith("Testing is not possible yet")


def test_causes_is_a_field():
    rep = Report()
    # an empty report has the same columns as one analyze() fills (runlog.analysis.causes.CAUSE_COLUMNS)
    assert list(rep.causes.columns) == ["cause", "cause_label", "factor", "factor_label", "level", "effect",
                                        "ci_low", "ci_high", "p_value", "q_value", "effect_unit", "finding",
                                        "status", "explained_by", "kappa",
                                        "effect_kind", "effect_per", "effect_per_unit", "effect_usual",
                                        "form", "direction", "weight", "alpha_level", "p_alone", "suggestive",
                                        "n_runs", "n_numb", "n_missing", "adjusted_for", "season_r2"]
    assert len(rep.causes) == 0 and rep.answer == ""
    assert Report(causes=_causes(True)).causes["cause"].iloc[0] == "hydration"


def test_ratio_text_caps_degenerate_intervals():
    from runlog.units import ratio_text

    assert [ratio_text(v) for v in (2.4, 0.5, 57074.0, 4.9e-10, np.nan)] == ["2.4", "0.5", ">1000", "<0.01", "–"]
    causes = _causes(True)
    causes.loc[1, ["effect", "ci_low", "ci_high"]] = [57074.0, 4.9e-10, 6.6e18]
    rep = Report(answer=HEAT_ANSWER, causes=causes, testable=True)
    # an interval that wide (more than 100-fold) gives no size: 'too uncertain', not '>1000 (<0.01 to >1000)'
    assert "run length | duration | too uncertain | per 30 min | wider than 100-fold |" in rep.to_markdown()
    assert ">1000" not in rep.to_text() and "too uncertain" in rep.to_text()


def test_measure_note_words():
    from runlog.render.content import measure_note

    labels = {"hydration": "heat and hydration", "other": "other"}
    assert measure_note(pd.Series({"cause": "hydration", "role": "secondary", "explained_by": ""}), labels) == \
        "other measure of heat and hydration"
    assert measure_note(pd.Series({"cause": "other", "role": "secondary", "explained_by": ""}), labels) == \
        "a measure of no named cause"
    assert measure_note(pd.Series({"cause": "hydration", "role": "explained", "explained_by": "heat"}), labels) == \
        "goes with numbness only through heat (a measure of heat and hydration)"
    # a report without roles: the cause it measures, never 'Cause: ...' nor 'articles: ...' (which articles?)
    assert measure_note(pd.Series({"cause": "hydration"}), {}) == "a measure of hydration"
    assert measure_note(pd.Series({"cause": "other", "role": "in-run"}), labels) == "measured during the run"


def test_journal_period_given_or_the_span_of_the_tracked_runs():
    from runlog.journal.period import journal_period

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

