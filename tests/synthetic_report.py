"""A Report built by hand over the synthetic frames (synthetic_frames.py): what the HTML and command
tests lay out."""

from __future__ import annotations

import re

import pandas as pd

import synthetic_frames as tp

ANSWER = "Heat goes with your numbness: 1 run in 4 above 22 °C had numbness, 1 in 20 below."
NO_ANSWER = "No cause stands out yet: about 12 more runs with numbness would be needed to see a doubling."


def synthetic_causes(finding: bool = True) -> pd.DataFrame:
    """Report.causes as analyze() fills it: heat (a finding or not), run length, shoes (not testable)."""
    return pd.DataFrame({
        "cause": ["other", "distance", "footwear"], "cause_label": ["heat", "run length", "shoes"],
        "factor": ["avg_temp_c", "duration_min", "new_shoes"],
        "factor_label": ["air temperature", "duration", "new shoes"],
        "effect": [2.5, 1.8, float("nan")], "ci_low": [1.4, 0.9, float("nan")],
        "ci_high": [4.4, 3.5, float("nan")], "p_value": [0.001, 0.09, float("nan")],
        "q_value": [0.005, 0.2, float("nan")], "effect_unit": ["per 5 °C", "per 30 min", ""],
        "finding": [finding, False, False],
        "status": ["finding" if finding else "no clear link", "goes with numbness only through heat",
                   "not testable: too few runs in other shoes"]})


def synthetic_report(finding: bool = True):
    """A Report (the real dataclass) over the synthetic frames of test_plot.py: 5 measures, 1 finding
    cause (heat) with two paragraphs' worth of sentences; or no finding."""
    from runlog.report._report import Report

    runs = tp.synthetic_runs()
    factors = tp.synthetic_factors().assign(
        n_runs=45, n_episodes=4, finding=[finding, False, False, False, False],
        label=["air temperature", "duration", "form", "new shoes", "ascent"],
        role=["primary", "explained", "primary", "primary", "in-run"],
        explained_by=["", "heat", "", "", ""])
    causes = synthetic_causes(finding)
    findings = causes[causes["finding"]].drop(columns=["finding", "status"]).assign(
        risk_text="1 run in 4 above 22 °C, 1 in 20 below", best_measure="air temperature",
        sentence="Numbness went with hotter runs: odds 2.5 times higher per 5 °C (95% CI 1.4-4.4). "
                 "Second <finding> & more.")
    return Report(answer=ANSWER if finding else NO_ANSWER, factors=factors, findings=findings, causes=causes,
                  caveats=["Only 4 runs with numbness: wide intervals."],
                  notes=["1 run(s) with numbness outside the analysed runs were left out."],
                  n_runs=45, n_numb_runs=4, n_episodes=4, testable=True, settings={"fdr": 0.05},
                  flags=tp.synthetic_flags(runs), features=tp.synthetic_features(runs), runs=runs)


def after_title(page: str) -> str:
    """The first element after the page's <h1> title."""
    rest = page.split("</h1>", 1)[1].lstrip()
    return re.match(r"<(\w+)[^>]*>(.*?)</\1>", rest, re.S).group(0)


def with_old_run(rep):
    """*rep* with one more run, in 2012, outside the journal period (years of history before it)."""
    old = pd.Timestamp("2012-05-06 07:30")
    rid = "20120506T0630Z"
    runs = pd.concat([pd.DataFrame({"start_time": [(old - pd.Timedelta(hours=1)).tz_localize("UTC")],
                                    "start_local": [old], "distance_m": [8000.0], "elapsed_s": [2880.0]},
                                   index=pd.Index([rid], name="run_id")), rep.runs])
    flags = pd.concat([pd.DataFrame({"tracked": [False], "numb": [False], "n_episodes": [0]}, index=[rid]),
                       rep.flags])
    features = pd.concat([rep.features.iloc[:1].set_axis([rid]), rep.features])
    rep.runs, rep.flags, rep.features = runs.assign(tz="+01:00"), flags, features
    return rep
