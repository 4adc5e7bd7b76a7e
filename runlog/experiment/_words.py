"""The experiment's answer in words: every sentence the summary, the page and the command line show."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._randomization import p_is

if TYPE_CHECKING:
    from ._analysis import Experiment


def pct(x: float) -> str:
    """A share as a whole percentage (``'45%'``), ``'–'`` when missing."""
    return f"{x:.0%}" if x is not None and np.isfinite(x) else "–"


def points(x: float) -> str:
    """A risk difference in signed percentage points (``'+30'``), ``'–'`` when missing, infinite as ``'±∞'``."""
    if x is None or np.isnan(x):
        return "–"
    if np.isinf(x):
        return "+∞" if x > 0 else "-∞"
    return f"{100 * x:+.0f}"


def p_text(p: float) -> str:
    """A p-value as a runner reads it: two significant digits, ``'<0.001'`` below."""
    if p is None or not np.isfinite(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.2g}" if p < 0.01 else f"{p:.2f}"


def ratio(x: float) -> str:
    """An odds ratio: two significant digits, ``'∞'`` when unbounded."""
    if x is None or np.isnan(x):
        return "–"
    if np.isinf(x):
        return "∞"
    return f"{x:.2g}" if x < 10 else f"{x:.0f}"


def confidence(c: float) -> str:
    """A confidence level: ``'95 %'``, or ``'95.7 %'`` when the boundary makes it other than a whole number."""
    v = 100 * c
    if abs(v - round(v)) < 0.05:
        return f"{v:.0f} %"
    return f"{v:.1f} %" if v < 99.9 else f"{v:.3g} %"


def describe_levels(df: pd.DataFrame) -> str:
    """One line per level: runs, numb runs, risk with its Wilson interval, median onset."""
    rows = []
    for lv, r in df.iterrows():
        risk = "–" if not np.isfinite(r["risk"]) else f"{pct(r['risk'])} (95 % CI {pct(r['lo'])}-{pct(r['hi'])})"
        onset = "" if not np.isfinite(r["onset_median_min"]) else f", median onset {r['onset_median_min']:.0f} min"
        rows.append(f"  {lv}: {int(r['numb_runs'])} of {int(r['runs'])} runs numb, risk {risk}{onset}")
    return "\n".join(rows)


def _until(res: Experiment, look: int) -> str:
    row = res.looks[res.looks["look"] == look]
    if not len(row):
        return ""
    u = row["until"].iloc[0]
    return f"{pd.Timestamp(u):%a %d %b %Y}" if res.plan.by_date else f"run {int(u)}"


def _interval(r) -> str:
    return f"{confidence(r['confidence'])} CI {points(r['lo'])} to {points(r['hi'])}"


def fill_words(res: Experiment) -> None:
    """Fill the answer, what the data can and cannot show, and the notes of *res* (in place).

    Parameters
    ----------
    res : Experiment
    """
    p, t, lv = res.plan, res.test, res.levels
    k = len(p.levels)
    a = res.runs[res.runs["analysed"].to_numpy()]
    n_runs, n_numb = len(a), int(a["numb"].sum())
    risks = ", ".join(f"{pct(r['risk'])} with {name} ({int(r['numb_runs'])}/{int(r['runs'])})"
                      for name, r in lv.iterrows() if r["runs"] > 0)
    parts = []
    if res.exploratory:
        parts.append("Exploratory analysis (" + "; ".join(res.exploratory) + "): not the protocol fixed in the plan, "
                     "so its result is not the experiment's answer.")
    planned_end = f"{p.end:%a %d %b %Y}" if p.by_date and p.end is not None else f"run {p.n_slots}"
    if res.interim and not t.crossed:
        if t.look == 0:
            first = p.schedule["date"].iloc[int(p.look_ends[0]) - 1] if p.by_date else int(p.look_ends[0])
            when = f"{pd.Timestamp(first):%a %d %b %Y}" if p.by_date else f"run {first}"
            parts.append(f"Too early for a look: the plan's first look is after {when}. So far: "
                         f"{risks or 'no counted run'}.")
        else:
            row = res.looks.iloc[-1]
            parts.append(f"Interim look {t.look} of {t.looks} (data to {_until(res, t.look)}): risk of numbness per "
                         f"run {risks or 'not yet known'}. No boundary crossed: this look's randomisation "
                         f"{p_is(row['p_value'])}, and "
                         + (f"stopping here would need p ≤ {p_text(row['boundary'])}" if row["boundary"] > 0 else
                            "no look this early can stop the experiment (the boundary is out of reach)")
                         + ". Keep "
                         f"going to the planned end ({planned_end}): a difference at an interim look is not an "
                         "answer, and this look is not evidence that there is none.")
    elif n_numb == 0:
        parts.append(f"No numbness in any of the {n_runs} counted runs, so there is nothing to compare: the risk was "
                     f"low under every level (at most about {min(1.0, 3.0 / max(n_runs, 1)):.0%} per run, the rule "
                     "of three).")
    else:
        ans = f"Risk of numbness per run: {risks}."
        if k == 2 and len(res.difference):
            r0 = res.difference.iloc[0]
            ans += (f" Difference ({r0['level']} minus {r0['reference']}): {points(r0['difference'])} percentage "
                    f"points ({_interval(r0)}; odds ratio {ratio(r0['odds_ratio'])}, {ratio(r0['or_lo'])} to "
                    f"{ratio(r0['or_hi'])}); {t.describe()}.")
        else:
            ans += f" Overall: {t.describe()}."
        if t.crossed:
            strong = t.p_value <= res.alpha / 5
            ans += (f" That is unlikely to be chance: {'strong ' if strong else ''}evidence that the choice of "
                    f"{p.factor} itself changes your risk" + ("." if strong else
                                                             f" (p ≤ {res.alpha:g}); a second experiment would "
                                                             "confirm it."))
            if res.stopped_early:
                ans += (f" It crossed the early-stopping boundary at look {t.look} of {t.looks} (data to "
                        f"{_until(res, t.look)}): you may stop the experiment; this is its answer.")
        else:
            ans += (" That difference is within what the random order alone produces: the experiment does not show "
                    f"that the choice of {p.factor} changes your risk.")
        if k > 2:
            ans += " " + _pairs_text(res)
        parts.append(ans)
    res.answer = " ".join(parts)
    res.can_show, res.cannot_show, res.notes = _can(res, n_numb), _cannot(res, n_runs, n_numb), _notes(res, a)


def _pairs_text(res: Experiment) -> str:
    out = []
    for _, r in res.difference.iterrows():
        differs = r["p_value"] <= 1 - r["confidence"] + 1e-12
        verdict = ("differs" if res.test.crossed else "its own test rejects, but the overall test crossed no "
                   "boundary, so the protocol does not count it") if differs else "no clear difference"
        out.append(f"{r['level']} minus {r['reference']}: {points(r['difference'])} points ({_interval(r)}; "
                   f"Holm-adjusted {p_is(r['p_holm'])}): {verdict}")
    return "Every pair (randomisation test of that pair, Holm-adjusted): " + "; ".join(out) + "."


def _can(res: Experiment, n_numb: int) -> list[str]:
    p = res.plan
    can = ["The order of the levels was drawn at random within each cycle, so weather, training load and the "
           "season fall on every level alike on average: a difference beyond chance is evidence of cause, "
           "not only of association."]
    if res.cace is not None and np.isfinite(res.cace["estimate"]) and not (res.interim and not res.test.crossed):
        c = res.cace
        can.append(f"The effect of what you actually used ({c['level']} rather than {c['reference']}, "
                   f"allowing for the runs that did not follow the plan): {points(c['estimate'])} percentage points "
                   f"({confidence(c['confidence'])} CI {points(c['lo'])} to {points(c['hi'])}); it is the "
                   f"as-assigned difference divided by how much more often {c['level']} was used on its days "
                   f"({pct(c['uptake'][1])}) than on the other days ({pct(c['uptake'][0])}), and its interval "
                   "inverts the same randomisation test (Imbens & Rosenbaum 2005).")
    if n_numb:
        on = res.levels["onset_median_min"]
        if on.notna().sum() == len(p.levels):
            can.append("Onset: median " + ", ".join(f"{x:.0f} min with {name}" for name, x in on.items())
                       + " (numb runs only; a few episodes say little).")
    if res.bayes is not None and len(res.bayes):
        for _, b in res.bayes.iterrows():
            margin = f" by more than {100 * b['margin']:.0f} percentage points" if b["margin"] > 0 else ""
            can.append(f"Bayesian summary (uniform priors, runs of one level taken as alike; Schmid & Yang 2022): "
                       f"the probability that {b['level']} is worse than {b['reference']}{margin} is "
                       f"{pct(b['p_worse'])}, that it is better{margin} {pct(b['p_better'])}; 95 % credible "
                       f"interval of the difference {points(b['lo'])} to {points(b['hi'])} points.")
    return can


def _cannot(res: Experiment, n_runs: int, n_numb: int) -> list[str]:
    p, t = res.plan, res.test
    k = len(p.levels)
    cannot = []
    if p.min_p > res.alpha:
        cannot.append(f"This plan has only {p.n_assignments} possible schedules: no outcome can reach p ≤ "
                      f"{res.alpha:g}. Plan more cycles.")
    if res.detectable is not None and n_numb:
        pooled = n_numb / n_runs
        cannot.append(f"With {n_numb} episode run{'s' if n_numb != 1 else ''} in {n_runs} counted runs, the test "
                      f"finds a difference 80 % of the time only when it is about {100 * res.detectable:.0f} "
                      f"percentage points or more (from {pct(pooled)} to {pct(pooled + res.detectable)}, simulated "
                      "with these very runs and the plan's randomisation); smaller effects may be there unseen.")
    elif not res.interim and k == 2 and n_numb and not t.crossed and res.detectable is None and n_runs:
        cannot.append("With these runs even the largest possible difference would be found less than 80 % of the "
                      "time: the experiment was too small to tell.")
    if k == 2 and len(res.difference) and not t.crossed and not res.interim and n_numb:
        r0 = res.difference.iloc[0]
        if np.isfinite(r0["lo"]):
            cannot.append(f"It cannot rule out a true difference anywhere from {points(r0['lo'])} to "
                          f"{points(r0['hi'])} percentage points: the differences the test does not reject "
                          f"({confidence(r0['confidence'])} interval), no difference at all among them.")
    cannot.append("It compares only these levels, for you, over these weeks: not other shoes or settings, not "
                  "other runners, and not why the level matters.")
    if len(res.deviations):
        cannot.append(f"{len(res.deviations)} run(s) used the other level than the plan said; the as-assigned "
                      "comparison (the randomised one) is the answer; the as-used table is exploratory and can be "
                      "biased by why you deviated.")
    return cannot


def _notes(res: Experiment, a: pd.DataFrame) -> list[str]:
    p = res.plan
    notes = []
    if res.skipping is not None and res.skipping_p is not None:
        s = res.skipping
        shares = " and ".join(f"{pct(r['share'])} of the {name} days ({int(r['days_run'])} of "
                              f"{int(r['planned_days'])})" for name, r in s.iterrows())
        if res.skipping_p <= res.alpha:
            notes.append(f"Skipping: you ran on {shares}; randomisation test of running by level "
                         f"{p_is(res.skipping_p)}: the level seems to have decided whether you ran. If you skipped a "
                         "level on days your legs felt bad (or good), its runs are not like the other's, and a plain "
                         "comparison would be biased either way. The test above counts the days skipped beyond the "
                         "other level's share in the way least favourable to a difference, so its answer holds; next "
                         "time, plan by runs and read the next line only after you have decided to run.")
        else:
            notes.append(f"Skipping: you ran on {shares} (randomisation test of running by level "
                         f"{p_is(res.skipping_p)}): within chance, so skipping does not seem to follow the level. "
                         "The test allows for skipping that does, in any case.")
    nr = int((a["adherence"] == "not recorded").sum())
    if nr:
        notes.append(f"{nr} run(s) have no record of the {p.factor} used; they count as following the plan. "
                     f"Write the {p.factor} in your run notes to check adherence.")
    if len(res.unrecognised):
        examples = []
        for used, sugg in res.unrecognised[["used", "suggestion"]].drop_duplicates().itertuples(index=False):
            examples.append(f"'{used}'" + (f" (did you mean '{sugg}'?)" if sugg is not pd.NA and sugg else ""))
        notes.append(f"{len(res.unrecognised)} run(s) name none of the plan's levels: " + ", ".join(examples[:5])
                     + (" ..." if len(examples) > 5 else "") + "; they are not counted as deviations and count as "
                     "following the plan. Write the level as the plan names it.")
    extra = res.runs[res.runs["adherence"] == "extra"]
    if len(extra):
        notes.append(f"{len(extra)} run(s) on days the plan does not cover were left out (extra runs).")
    if res.missing:
        notes.append(f"{res.missing} counted planned {'day' if p.by_date else 'run'}(s) so far without a run.")
    multi = a.groupby("slot").size()
    if (multi > 1).any():
        notes.append(f"{int((multi > 1).sum())} planned day(s) with more than one run: each run counts, with "
                     "the day's level.")
    if res.washout:
        n_w = int(res.runs["washout"].sum())
        unit = "day" if p.by_date else "run"
        first = f"first {unit} of every period is" if res.washout == 1 else \
            f"first {res.washout} {unit}s of every period are"
        notes.append(f"Washout: the {first} not counted ({n_w} run(s) left out), so a lingering effect of the "
                     "previous level cannot reach a counted run.")
    pending = res.runs[(res.runs["slot"] >= 0).to_numpy() & ~res.runs["analysed"].to_numpy()
                       & ~res.runs["washout"].to_numpy()]
    if len(pending) and (res.interim or res.stopped_early):
        notes.append(f"{len(pending)} run(s) after the look the answer is from are not counted in it"
                     + (" (they count at the next look)." if res.interim and not res.test.crossed else "."))
    if len(res.looks) > 1 or p.looks > 1:
        notes.append(f"Looks: the protocol allows {p.looks}; an O'Brien-Fleming-type boundary (Lan-DeMets alpha "
                     "spending) on the randomisation test makes early looks safe: the chance of any false finding "
                     f"over all of them stays at most {res.alpha:g}.")
    if math.isnan(res.test.p_value) and not res.interim:
        notes.append("No p-value: no counted run yet.")
    return notes
