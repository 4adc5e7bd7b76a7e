"""The report's content in words: its tables' words, the answer line, one paragraph per finding cause.

The analysis (:mod:`runlog.analysis`) returns codes and numbers; every word a
runner reads about them is composed here, once: what an odds ratio is per
(:func:`effect_unit_text`), a cause's status (:func:`status_text`), the risks
on either side of a finding's split (:func:`risk_text`), the report's frames
with their words (:func:`cause_frame`, :func:`finding_frame`,
:func:`factor_frame`), the answer line, the finding paragraphs and when
numbness starts (:func:`onset_sentences`, the side outcomes).  The
renderers (text, Markdown, HTML, command line) only lay it out.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..analysis.causes import EFFECT_COLUMNS
from ..analysis.onset import MIN_ONSETS_REPRODUCIBLE, MIN_PAIRS, MIN_SIDED, MIN_SIDED_BALANCE
from ..units import number_text, p_text, pace_text, per_text, quantity_text
from .labels import at_onset_label, cause_label, cause_short, measure_label, unit_label, upper_first

__all__ = ["CAUSE_COLUMNS", "FINDING_COLUMNS", "FACTOR_TABLE_COLUMNS", "effect_unit_text", "explained_text",
           "threshold_phrases", "in_the_model", "worth_testing_paragraphs", "EXPERIMENT_FACTORS", "PROMISE",
           "unmeasured_causes", "others_note", "heat_paragraph",
           "status_text", "risk_text", "cause_frame", "finding_frame", "factor_frame", "answer_line",
           "cause_paragraph", "with_sentences", "HEAT_TESTABLE_HINT", "with_heat_hint", "weather_lines",
           "physiology_caveat", "NOT_A_DIAGNOSIS", "CAUSES_NOTE", "MEASURES_NOTE", "RUNS_SO_FAR_NOTE",
           "AT_ONSET_NOTE", "n_causes_tested", "count_line", "untestable_reason", "answer_text", "finding_paragraphs",
           "caveats", "not_tested_reason", "descriptive_text", "MAX_CI_RATIO", "too_uncertain", "TOO_UNCERTAIN",
           "TOO_WIDE", "TOO_FEW_TO_SAY", "left_out_text", "onset_sentences", "at_onset_sentence", "side_sentence",
           "side_balance_sentence", "side_cause_sentence", "onset_note"]

#: The widest 95 % interval of an odds ratio whose size the report gives: an interval whose upper end is
#: more than this many times its lower end (or that is open) is "too uncertain" (:func:`too_uncertain`).
MAX_CI_RATIO = 100.0
#: What the report writes instead of an odds ratio whose interval is too wide (:func:`too_uncertain`).
TOO_UNCERTAIN = "too uncertain"
#: ... and instead of that interval.
TOO_WIDE = "wider than 100-fold"
#: What the report says of a pattern that needs more episodes than there are (onset, sides).
TOO_FEW_TO_SAY = "too few episodes to say"


def too_uncertain(ci_low, ci_high) -> bool:
    """Whether an odds ratio's 95 % interval is too wide for the report to give the ratio as a number.

    The rule: the interval's upper end is more than :data:`MAX_CI_RATIO` (100) times its lower end, or an
    end is 0, infinite or unknown while the other is known.  An interval that wide holds effects two orders
    of magnitude apart (from 'about the same odds' to 'a hundred times the odds'), so the data fix no
    size at all; the estimate in its middle mostly reflects the step it is given per (e.g. 30.1 per 1 %
    of estimated sweat loss, interval 2.89 to 315: a 1 % step is larger than the spread of the measure).
    The p- and q-values are still shown: they do not depend on the step.

    Parameters
    ----------
    ci_low, ci_high : float
        The interval's ends (NaN for a measure not tested).

    Returns
    -------
    bool
        False when both ends are unknown (nothing was estimated).
    """
    try:
        lo, hi = float(ci_low), float(ci_high)
    except (TypeError, ValueError):
        return False
    if math.isnan(lo) and math.isnan(hi):
        return False
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0:
        return True
    return hi / lo > MAX_CI_RATIO


def left_out_text(n: int) -> str:
    """The line under the runs-so-far table: how many measures have no value on any run.

    Parameters
    ----------
    n : int
        Measures left out.

    Returns
    -------
    str
    """
    return (f"Left out: {n} measure{'s' if n != 1 else ''} with no value on any of these runs (the files or "
            "the notes do not record {0}).".format("it" if n == 1 else "them"))


#: Columns of ``Report.causes``: the decision per cause with its words.
CAUSE_COLUMNS = [
    "cause", "cause_label", "factor", "factor_label", "level", "effect", "ci_low", "ci_high", "p_value",
    "q_value", "effect_unit", "finding", "status", "explained_by", "kappa", *EFFECT_COLUMNS,
    "form", "direction", "weight", "alpha_level", "p_alone", "suggestive", "n_runs", "n_numb", "n_missing",
    "adjusted_for", "season_r2",
]
#: Columns of ``Report.findings``: one row per finding cause with its words and paragraph.
FINDING_COLUMNS = [
    "cause", "cause_label", "factor", "factor_label", "level", "effect", "ci_low", "ci_high", "p_value",
    "q_value", "effect_unit", "risk_text", "best_measure", "sentence", *EFFECT_COLUMNS,
]


#: The runner's values a physiology caveat names, with their plain names.
_PHYSIOLOGY_NAMES = {"hr_max_bpm": "maximum heart rate", "hr_rest_bpm": "resting heart rate", "sex": "sex",
                     "body_mass_kg": "body mass"}


def others_note(others: pd.DataFrame) -> str:
    """The sentence that says which runs were left out as someone else's, how they differ, and how
    to keep them.

    Parameters
    ----------
    others : DataFrame
        :meth:`runlog.History.others` rows (``how``, ``speed_diff_pct``, ``cadence_diff_spm``,
        ``hr_diff_bpm``, ``start_hour_h``).

    Returns
    -------
    str
        E.g. '23 runs look like someone else's (recorded on a garmin fr235; 19 % slower, heart rate
        17 beats/min higher for the pace, usually started around 19:00): they are left out of the
        analysis and of your training load. If they are yours: runlog report --keep-others, or
        analyze(..., others='keep').'
    """
    n = len(others)
    first = others.iloc[0]
    why = []
    how = str(first.get("how", ""))
    if how.startswith("device: "):
        why.append(f"recorded on a {how.removeprefix('device: ')}")
    sp = first.get("speed_diff_pct", np.nan)
    if np.isfinite(sp) and abs(sp) >= 5:
        why.append(f"{number_text(abs(sp), 2)} % {'slower' if sp < 0 else 'faster'}")
    for col, what, unit in (("hr_diff_bpm", "heart rate", "beats/min"), ("cadence_diff_spm", "cadence", "steps/min")):
        v = first.get(col, np.nan)
        if np.isfinite(v) and abs(v) >= 3:
            why.append(f"{what} {number_text(abs(v), 2)} {unit} {'higher' if v > 0 else 'lower'} for the pace")
    hour = first.get("start_hour_h", np.nan)
    if np.isfinite(hour):
        why.append(f"usually started around {int(hour) % 24:02d}:{int(round((hour % 1) * 60)) % 60:02d}")
    detail = f" ({'; '.join(why)})" if why else ""
    return (f"{n} run{'s' if n != 1 else ''} look{'' if n != 1 else 's'} like someone else's{detail}: "
            "they are left out of the analysis and of your training load. If they are yours: "
            "runlog report --keep-others, or analyze(..., others='keep'); history.others() lists them.")


def physiology_caveat(provenance: pd.DataFrame) -> str:
    """The caveat saying which of the runner's values (maximum and resting heart rate, sex, body
    mass) were given and which were assumed, and how.

    Parameters
    ----------
    provenance : DataFrame
        :meth:`runlog.Athlete.provenance` (``value``, ``unit``, ``status``, ``how``).

    Returns
    -------
    str
        One sentence per kind: the values given (and where), then each assumed one with its
        method, then how to give one's own.
    """
    def value(name) -> str:
        v, unit = provenance.loc[name, "value"], provenance.loc[name, "unit"]
        if name == "sex":
            return str(v)
        return f"{number_text(float(v), 3)} {unit}".strip()

    rows = [n for n in _PHYSIOLOGY_NAMES if n in provenance.index]
    given = [n for n in rows if provenance.loc[n, "status"] == "given"]
    assumed = [n for n in rows if n not in given]
    parts = []
    if given:
        where = sorted({str(provenance.loc[n, "how"]) for n in given})
        parts.append("Your values: " + ", ".join(f"{_PHYSIOLOGY_NAMES[n]} {value(n)}" for n in given)
                     + f" (given: {'; '.join(where)}).")
    for n in assumed:
        status, how = provenance.loc[n, "status"], str(provenance.loc[n, "how"])
        if status == "unknown" and n == "sex":
            parts.append(f"Sex not given: {how}.")
        elif status == "unknown":
            parts.append(f"{_PHYSIOLOGY_NAMES[n].capitalize()} unknown: {how}.")
        else:
            parts.append(f"{_PHYSIOLOGY_NAMES[n].capitalize()} {value(n)} "
                         f"{'estimated from your runs' if status == 'estimated' else 'assumed'}: {how}.")
    if assumed:
        parts.append("Heart-rate zones and training load depend on them; give your own with runlog report "
                     "--hr-max, --hr-rest and --sex, or once in the settings file ([athlete] table).")
    return " ".join(parts)

FACTOR_TABLE_COLUMNS = [
    "factor", "level", "label", "cause", "role", "kind", "unit", "n_runs", "n_episodes",
    "effect", "ci_low", "ci_high", "p_value", "q_value", "effect_unit",
    "adjusted_effect", "adjusted_ci_low", "adjusted_ci_high", "adjusted_p", "explained_by",
    "description", "exposed_runs", "exposed_numb", "other_runs", "other_numb", "finding",
]


def effect_unit_text(kind: str, per: float = float("nan"), per_unit: str = "", usual: float = float("nan")) -> str:
    """What an odds ratio is per, in words, from :data:`runlog.analysis.causes.EFFECT_COLUMNS`.

    Parameters
    ----------
    kind : str
        One of :data:`runlog.analysis.causes.EFFECT_KINDS` ('' for a cause not tested).
    per : float
        The step (per_step, exposure).
    per_unit : str
        Its unit as written after the step.
    usual : float
        The runner's usual value (exposure) [per_unit].

    Returns
    -------
    str
        E.g. 'per 5 °C', 'per 5 °C above your usual 16 °C, per hour on your feet'; '' for ''.
    """
    if kind == "with_without":
        return "with vs without"
    if kind == "level":
        return "this one against the others"
    if kind == "per_doubling":
        return "per doubling of the run, beyond the doubled time on the feet"
    unit = unit_label(per_unit)
    if kind == "exposure":
        return f"{per_text(per, unit)} above your usual {quantity_text(usual, unit)}, per hour on your feet"
    if kind == "per_step":
        return per_text(per, unit)
    return ""


def _effect_unit(row) -> str:
    kind = row.get("effect_kind")
    return effect_unit_text(kind if isinstance(kind, str) else "", row.get("effect_per", float("nan")),
                            row.get("effect_per_unit") or "", row.get("effect_usual", float("nan")))


def explained_text(explained_by) -> str:
    """The causes that explain a link, as a sentence names them: 'heat', 'heat and training load'.

    Parameters
    ----------
    explained_by : str
        Cause ids joined by ',' (the analysis' ``explained_by``); '' for none.

    Returns
    -------
    str
    """
    ids = [c for c in str(explained_by or "").split(",") if c]
    return " and ".join(cause_short(c).lower() for c in ids)


#: The words of each cause status of :data:`runlog.analysis.causes.STATUSES` but 'explained' and
#: 'not_testable', which name what explains the link or why it cannot be tested.
STATUS_WORDS = {
    "finding": "finding",
    "not_clear_adjusted": "no clear link once the others are accounted for",
    "no_rise_beyond_time": ("no rise beyond the time on the feet: numbness came about once per run, "
                            "not more often per minute on long runs"),
    "no_clear_link": "no clear link",
    "entangled": ("cannot be told apart from the season: it rose and fell with the months so closely that "
                  "your journal cannot say which of the two goes with the numbness"),
}


def _reason_text(reason: str, label: str, value) -> str:
    if reason == "no_pair":
        return f"no pair of shoes was worn on at least {value} runs and left out of {value} others"
    if reason == "coverage":
        return (f"{label} is known for only {value:.0%} of the runs, or on too few runs with numbness "
                "(runlog needs 40 % of the runs and 3 with numbness)")
    if reason == "no_spread":
        return f"{label} hardly varies between runs"
    if reason == "no_fit":
        return f"the model could not be fitted ({value})"
    return "no measure of it in the data"


def _excludes_one(row) -> str:
    """Which side of 1 the row's interval lies on, against the articles' direction (``direction``, +1:
    raises the odds; -1: lowers them; missing: +1): 'named' (the side the articles name), 'opposite',
    or '' when the interval holds 1 or is unknown."""
    try:
        lo, hi = float(row.get("ci_low")), float(row.get("ci_high"))
    except (TypeError, ValueError):
        return ""
    above, below = math.isfinite(lo) and lo > 1, math.isfinite(hi) and hi < 1
    if not (above or below):
        return ""
    try:
        direction = float(row.get("direction", 1))
    except (TypeError, ValueError):
        direction = 1.0
    up = not math.isfinite(direction) or direction >= 0
    return "named" if above == up else "opposite"


def status_text(row, factor_label: str = "", n_tested: int = 0) -> str:
    """A cause's status in words: 'finding', 'goes with numbness only through heat', 'not testable: ...'.

    'no clear link' beside an interval that excludes 1 says why in the same sentence: the allowance for
    the number of causes tested ('no clear link once the 7 causes tested are allowed for (q = 0.055),
    though its interval alone excludes 1'), or, when the interval lies on the other side of 1 than the
    articles name (the one-sided test's p is then near 1), that the link goes the other way.

    Parameters
    ----------
    row : Series or mapping
        A row of the analysis' causes (``status``, ``explained_by``, ``reason``, ``reason_value``,
        ``ci_low``, ``ci_high``, ``q_value``, ``direction``).
    factor_label : str
        The plain name of the cause's measure, for the reason it cannot be tested.
    n_tested : int
        How many causes were tested.

    Returns
    -------
    str
    """
    status = row.get("status")
    if bool(row.get("suggestive", False)) and status != "finding":
        return (f"worth testing: on its own {p_text(row.get('p_alone'), 'p')}, not strong enough to count once "
                "the number of causes tested is allowed for")
    side = _excludes_one(row) if status == "no_clear_link" else ""
    if side == "named":
        causes = f"the {n_tested} causes tested" if n_tested else "the number of causes tested"
        return (f"no clear link once {causes} are allowed for ({p_text(row.get('q_value'), 'q')}), though "
                "its interval alone excludes 1")
    if side == "opposite":
        return "no link in the direction the articles name: its interval lies on the other side of 1"
    if status == "explained":
        return "goes with numbness only through " + explained_text(row.get("explained_by"))
    if status == "not_testable":
        return "not testable: " + _reason_text(row.get("reason"), factor_label, row.get("reason_value"))
    return STATUS_WORDS.get(status, str(status))


def _risk(k: int, n: int) -> str:
    """'1 run in 4' / 'none of 30' / 'every one of 5'."""
    if n == 0:
        return "no run"
    if k == 0:
        return f"none of {n}"
    if k == n:
        return f"every one of {n}"
    r = n / k
    return f"1 run in {r:.0f}" if r >= 3 else f"{k} of {n} runs"


def risk_text(row) -> str:
    """Absolute risks on either side of a finding's split: '1 run in 4 above 22 °C had numbness, 1 run in 20
    at or below'.

    Parameters
    ----------
    row : Series or mapping
        :data:`runlog.analysis.causes.RISK_COLUMNS` (and ``level`` for a shoe pair).

    Returns
    -------
    str
    """
    a = _risk(int(row["exposed_numb"]), int(row["exposed_runs"]))
    b = _risk(int(row["other_numb"]), int(row["other_runs"]))
    if row["risk_kind"] == "level":
        return f"{a} in '{row['level']}' had numbness, {b} in the others"
    if row["risk_kind"] == "with_without":
        return f"{a} with it had numbness, {b} without"
    above, below = threshold_phrases(str(row.get("factor", "")), float(row["risk_threshold"]), row["risk_unit"])
    return f"{a} {above} had numbness, {b} {below}"


#: How a split of a measure relative to the runner's own usual reads: (above, at or below), with {t} the
#: threshold's size in words; for a threshold of 0 the second pair.
_RELATIVE_SPLITS = {
    "speed_vs_usual_pct": (("more than {t} faster than your usual pace", "at or below that"),
                           ("faster than your usual pace", "at your usual pace or slower")),
    "cadence_vs_pace_spm": (("with a cadence more than {t} above your usual for the pace", "at or below that"),
                            ("with a cadence above your usual for the pace", "at or below it")),
}


def threshold_phrases(factor: str, threshold: float, unit: str) -> tuple[str, str]:
    """The two sides of a finding's split in words, saying what was measured.

    'above 15 °C air temperature' / 'at or below'; 'above 20 °C on the watch (wrist, reads high)';
    'faster than your usual pace' / 'at your usual pace or slower' (not 'above 0%');
    'on day 3 or later of a running streak' / 'on the first 2 days'; else 'above 2 (ratio) of the
    sudden rise in distance' style: the value with its unit and the measure's name.

    Parameters
    ----------
    factor : str
        The measure (feature column).
    threshold : float
        The split [the measure's unit].
    unit : str
        The measure's unit (as the catalogue writes it: 'AU' is said 'load units', :func:`unit_label`).

    Returns
    -------
    (str, str)
        The phrase for the runs above the split and for the others.
    """
    q = quantity_text(threshold, unit_label(unit))
    if factor == "air_temp_c":
        return f"above {q} air temperature", "at or below"
    if factor.startswith("device_temp"):
        return f"above {q} on the watch (wrist, reads high)", "at or below"
    if factor in _RELATIVE_SPLITS:
        (above, below), (above0, below0) = _RELATIVE_SPLITS[factor]
        if abs(threshold) < 1e-9:
            return above0, below0
        if threshold > 0:
            return above.format(t=q), below
    if factor == "run_streak_days" and threshold >= 1:
        t = int(round(threshold))
        return (f"on day {t + 1} or later of a running streak",
                "on the first day of a streak" if t == 1 else f"on the first {t} days")
    if factor == "acwr_distance":
        if abs(threshold - 1.0) < 0.005:   # "more than 1 times" is not how anyone says it
            return "after a week with more than your usual distance", "after a usual or lighter week"
        return (f"after a week with more than {number_text(threshold, 2)} times your usual distance",
                "at or below that")
    label = measure_label(factor, "") if factor else ""
    return f"above {q}" + (f" ({label})" if label and label != factor.replace("_", " ") else ""), "at or below"


def _measure_label(name, catalog: dict) -> str:
    f = catalog.get(name)
    return str(name).replace("_", " ") if f is None else measure_label(name, f.description)


def cause_frame(causes: pd.DataFrame, catalog: dict) -> pd.DataFrame:
    """``Report.causes``: the analysis' causes (:data:`runlog.analysis.causes.CAUSE_COLUMNS`) with their words.

    Parameters
    ----------
    causes : DataFrame
        :func:`runlog.analysis.causes.decide`'s ``causes``.
    catalog : dict
        name -> Feature (for the measures' names).

    Returns
    -------
    DataFrame
        Columns :data:`CAUSE_COLUMNS`: ``cause_label``, ``factor_label``, ``effect_unit`` and ``status``
        and ``explained_by`` in words.
    """
    out = causes.copy()
    if not len(out):
        return pd.DataFrame({c: pd.Series([], dtype="bool" if c == "finding" else "object") for c in CAUSE_COLUMNS})
    out["cause_label"] = [cause_label(c) for c in out["cause"]]
    out["factor_label"] = [_measure_label(n, catalog) if n else "" for n in out["factor"]]
    out["effect_unit"] = [_effect_unit(r) for _, r in out.iterrows()]
    n_tested = int(out["p_value"].notna().sum()) if "p_value" in out else 0
    out["status"] = [status_text(r, lab, n_tested) for (_, r), lab in zip(out.iterrows(), out["factor_label"])]
    out["explained_by"] = [explained_text(e) for e in out["explained_by"]]
    return out.reindex(columns=CAUSE_COLUMNS)


def factor_frame(measures: pd.DataFrame, catalog: dict) -> pd.DataFrame:
    """``Report.factors``: :func:`runlog.analysis.measures.measure_table` with its words.

    Parameters
    ----------
    measures : DataFrame
        :func:`runlog.analysis.measures.measure_table` output.
    catalog : dict
        name -> Feature.

    Returns
    -------
    DataFrame
        Columns :data:`FACTOR_TABLE_COLUMNS`: ``label`` (the measure's plain name), ``effect_unit`` and
        ``explained_by`` in words.
    """
    if measures is None or not len(measures):
        return pd.DataFrame(columns=FACTOR_TABLE_COLUMNS)
    m = measures.copy()
    m["label"] = [_measure_label(n, catalog) for n in m["factor"]]
    m["effect_unit"] = [_effect_unit(r) for _, r in m.iterrows()]
    m["explained_by"] = [explained_text(e) for e in m["explained_by"]]
    return m.reindex(columns=FACTOR_TABLE_COLUMNS)


def finding_frame(findings: pd.DataFrame, causes: pd.DataFrame, factors: pd.DataFrame,
                  catalog: dict) -> pd.DataFrame:
    """``Report.findings``: the analysis' findings with their words and one paragraph each.

    Parameters
    ----------
    findings : DataFrame
        :func:`runlog.analysis.causes.decide`'s ``findings`` (strongest first).
    causes : DataFrame
        ``Report.causes`` (:func:`cause_frame`).
    factors : DataFrame
        ``Report.factors`` (:func:`factor_frame`).
    catalog : dict
        name -> Feature.

    Returns
    -------
    DataFrame
        Columns :data:`FINDING_COLUMNS`, a fresh 0..n-1 index; ``sentence`` by :func:`cause_paragraph`.
    """
    if not len(findings):
        return pd.DataFrame(columns=FINDING_COLUMNS)
    out = findings.copy()
    if len(out):
        out["cause_label"] = [cause_label(c) for c in out["cause"]]
        out["factor_label"] = [_measure_label(n, catalog) for n in out["factor"]]
        out["effect_unit"] = [_effect_unit(r) for _, r in out.iterrows()]
        out["risk_text"] = [risk_text(r) for _, r in out.iterrows()]
        out["best_measure"] = [_measure_label(n, catalog) for n in out["best_measure"]]
    out = out.reindex(columns=FINDING_COLUMNS)
    return with_sentences(out, causes, factors)


def _join(words: list[str]) -> str:
    words = [w for w in words if w]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _subject(row) -> tuple[str, bool]:
    """What goes with the numbness, in the direction the data show, and whether it is plural.

    'Heat' (odds ratio > 1 on air temperature), 'Lower air temperature' (< 1),
    "The shoes 'Trail Glide 2'" (a pair with more numbness), "Shoes other than
    'Racer'" (a pair with less), 'Training load'.
    """
    cause, eff = row["cause"], float(row["effect"])
    level = row.get("level")
    if isinstance(level, str) and level:
        return (f"The shoes '{level}'", True) if eff >= 1 else (f"Shoes other than '{level}'", True)
    if eff >= 1:
        return cause_short(cause), cause == "footwear"
    return f"Lower {row['factor_label']}", False


def answer_line(report) -> str:
    """The first line of every rendering: which causes go with the numbness, strongest first.

    'Heat goes with your numbness: 1 run in 4 above 15 °C had numbness, 1 run
    in 20 at or below.' / 'Heat and training load go with your numbness: ...'
    / 'No cause stands out yet among the 8 tested (23 runs with numbness):
    about 30 more would be needed to show one as strong as the strongest
    estimate (heat and hydration).'  A cause whose measure goes the other way
    than the articles say is named in its own direction ('Lower air
    temperature goes with your numbness').

    Parameters
    ----------
    report : Report
        The analysis result (``testable``, ``findings``, ``causes``,
        ``n_numb_runs``, ``n_runs``, ``more_needed``).

    Returns
    -------
    str
        The line.
    """
    if not report.testable:
        return untestable_reason(report)
    f = report.findings
    if f is not None and len(f):
        subjects = [_subject(r) for _, r in f.iterrows()]
        names = [subjects[0][0]] + [n[:1].lower() + n[1:] for n, _ in subjects[1:]]
        verb = "go" if len(names) > 1 or subjects[0][1] else "goes"
        return f"{_join(names)} {verb} with your numbness: {f.iloc[0]['risk_text']}."
    causes = report.causes
    tested = causes[causes["p_value"].notna()] if causes is not None and len(causes) else causes
    n = 0 if tested is None else len(tested)
    s = (f"No cause stands out yet among the {n} tested ({report.n_numb_runs} runs with numbness "
         f"out of {report.n_runs}).")
    more = getattr(report, "more_needed", None)
    if more and n:
        top = tested.sort_values("p_value").iloc[0]
        name = cause_short(str(top["cause"])).lower()   # 'training load', not its label's own brackets
        if more >= 200:
            s += f" None comes close: even the strongest estimate ({name}) is the size chance gives."
        else:
            s += (f" About {more} more runs with numbness would be needed to show an effect as strong as "
                  f"the strongest estimate ({name}), if it is real.")
    return s


def _effect_phrase(row) -> str:
    """'x 2.7 per 5 °C of air temperature' / "x 3.1 in 'Racer' against the other shoes" /
    'x 1.8 per doubling of the run duration, beyond the doubled time on the feet', from the row's
    ``effect_kind``, ``effect_per``, ``effect_per_unit`` and ``effect_usual`` (a row without them:
    its ``effect_unit`` as written)."""
    eff = number_text(row["effect"], 2)
    level = row.get("level")
    kind = row.get("effect_kind")
    label = row["factor_label"]
    if (isinstance(level, str) and level) or kind == "level":
        return f"x {eff} in '{level}' against the other {label}"
    if kind == "per_doubling":
        return f"x {eff} per doubling of the {label}, beyond the doubled time on the feet"
    if kind == "with_without":
        return f"x {eff} with {label} against without"
    if kind in ("per_step", "exposure"):
        unit = unit_label(row["effect_per_unit"])
        step = per_text(row["effect_per"], unit)
        if kind == "per_step":
            return f"x {eff} {step} of {label}"
        return (f"x {eff} {step} of {label} above your usual "
                f"{quantity_text(row['effect_usual'], unit)}, per hour on your feet")
    return f"x {eff} {row.get('effect_unit') or ''} of {label}".replace("  ", " ")


def cause_paragraph(row: pd.Series, causes: pd.DataFrame, factors: pd.DataFrame, *, first: bool = False) -> str:
    """One short paragraph for a finding cause: risks, the effect with its interval, what else it explains.

    The *first* finding's risks are already in the answer line, so its paragraph
    starts with the effect.  It names exactly what the model holds beside the
    cause: the other finding causes, the season and the time on the feet.

    Parameters
    ----------
    row : Series
        The finding's row of ``Report.findings`` (``cause``, ``cause_label``,
        ``factor_label``, ``risk_text``, effect, interval, p and q values,
        ``best_measure``).
    causes : DataFrame
        ``Report.causes`` (``cause``, ``p_value``, ``finding``).
    factors : DataFrame
        ``Report.factors`` (``explained_by``, ``cause``, ``label``).
    first : bool
        True for the first finding: its risks are left out.

    Returns
    -------
    str
        The paragraph.
    """
    tested = causes.loc[causes["p_value"].notna(), "cause"].tolist()
    own = causes[causes["cause"] == row["cause"]]
    adjusted = str(own["adjusted_for"].iloc[0]) if len(own) and "adjusted_for" in own else "season,time_on_feet"
    subject, plural = _subject(row)
    head = "" if first else f"{subject} {'go' if plural else 'goes'} with your numbness: {row['risk_text']}. "
    if too_uncertain(row["ci_low"], row["ci_high"]):   # a direction without a size
        up, level = float(row["effect"]) >= 1, row.get("level")
        if isinstance(level, str) and level:
            what = f"are {'higher' if up else 'lower'} in '{level}' than in the other {row['factor_label']}"
        elif row.get("effect_kind") == "with_without":
            what = f"are {'higher' if up else 'lower'} with {row['factor_label']} than without"
        else:
            what = f"{'rise' if up else 'fall'} with {row['factor_label']}"
        effect = (f"Odds of numbness {what}, by an amount too uncertain to give (its 95 % interval is "
                  f"{TOO_WIDE}, ")
    else:
        effect = (f"Odds of numbness {_effect_phrase(row)} "
                  f"(95 % CI {number_text(row['ci_low'], 2)}-{number_text(row['ci_high'], 2)}, ")
    s = (head + effect + f"{p_text(row['p_value'], 'p')}; {p_text(row['q_value'], 'q')} allowing for the "
         f"{len(tested)} cause{'s' if len(tested) != 1 else ''} tested), {in_the_model(adjusted)}.")
    missing = int(own["n_missing"].iloc[0]) if len(own) and "n_missing" in own and pd.notna(
        own["n_missing"].iloc[0]) else 0
    if missing:
        s += (f" {missing} of your runs had no {row['factor_label']} and are not part of this test "
              f"({int(own['n_runs'].iloc[0])} are).")
    best = row.get("best_measure")
    if isinstance(best, str) and best and best != row["factor_label"]:
        s += f" Of the measures of {row['cause_label']}, {best} fits best."
    if factors is not None and len(factors) and "explained_by" in factors:
        key = cause_short(row["cause"]).lower()
        ex = factors[factors["explained_by"].astype(str).str.contains(key, regex=False)
                     & (factors["cause"] != row["cause"])]
        if len(ex):
            names = list(dict.fromkeys(ex["label"].astype(str)))[:5]
            verb = "goes" if len(names) == 1 else "go"
            s += f" {upper_first(_join(names))} {verb} with numbness only through {key}."
    return s


def in_the_model(adjusted_for) -> str:
    """What a cause's model held besides its measure, from its ``adjusted_for`` codes: 'with the season
    and the time on your feet in the model', 'with training load and the season in the model'.

    Parameters
    ----------
    adjusted_for : str
        Codes joined by ',': 'season', 'time_on_feet' (the log-duration term and the offset),
        'minutes_on_feet' (the offset alone: a constant risk per minute) and cause ids.

    Returns
    -------
    str
        The phrase ('with nothing else in the model' when empty).
    """
    codes = [c for c in str(adjusted_for or "").split(",") if c]
    causes = [cause_label(c) for c in codes if c not in ("season", "time_on_feet", "minutes_on_feet")]
    other = (["the season"] if "season" in codes else []) + (
        ["the time on your feet"] if "time_on_feet" in codes or "minutes_on_feet" in codes else [])
    words = causes + other
    return f"with {_join(words)} in the model" if words else "with nothing else in the model"


def with_sentences(findings: pd.DataFrame, causes: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """*findings* with the ``sentence`` column filled (:func:`cause_paragraph`).

    Parameters
    ----------
    findings : DataFrame
        ``Report.findings`` rows, strongest first.
    causes : DataFrame
        ``Report.causes``.
    factors : DataFrame
        ``Report.factors``.

    Returns
    -------
    DataFrame
        A copy of *findings* with a fresh 0..n-1 index.
    """
    out = findings.copy()
    if len(out):
        out["sentence"] = [cause_paragraph(r, causes, factors, first=i == 0)
                           for i, (_, r) in enumerate(out.iterrows())]
    return out.reset_index(drop=True)


#: What the runner can do when heat cannot be tested for want of the air temperature.
HEAT_TESTABLE_HINT = ("To test heat, give runlog the air temperature: --weather auto downloads it for your runs "
                      "(their GPS places rounded to about 10 km, and dates), or --weather FILE.csv reads your own "
                      "hourly table (in Python: weather='auto' or a table).")


def with_heat_hint(causes: pd.DataFrame, weather: dict | None = None) -> pd.DataFrame:
    """*causes* with the heat row's 'not testable' status telling how to make heat testable.

    Parameters
    ----------
    causes : DataFrame
        ``Report.causes`` (``cause``, ``status``).
    weather : dict, optional
        :meth:`runlog.features.weather.WeatherInfo.coverage` of the weather used: when
        weather was given but covers too few runs, the hint says that instead.

    Returns
    -------
    DataFrame
        A copy; only an untestable ``hydration`` row changes.
    """
    if not len(causes) or "status" not in causes:
        return causes
    sel = (causes["cause"] == "hydration") & causes["status"].astype(str).str.startswith("not testable")
    if not sel.any():
        return causes
    if weather and weather.get("n_runs"):
        without = "; ".join(f"{why} ({n})" for why, n in weather.get("unknown", {}).items())
        hint = (f"The weather covered {weather['n_known']} of {weather['n_runs']} runs"
                + (f" (without: {without})" if without else "")
                + "; add an hourly table for the others with --weather FILE.csv (weather=table in Python).")
    else:
        hint = HEAT_TESTABLE_HINT
    out = causes.copy()
    out.loc[sel, "status"] = out.loc[sel, "status"].astype(str).str.rstrip(".") + ". " + hint
    return out


def weather_lines(weather: dict | None) -> list[str]:
    """Where the air temperature came from, which runs lack it and why, what was sent, and the data credit.

    Parameters
    ----------
    weather : dict or None
        :meth:`runlog.features.weather.WeatherInfo.coverage` of the analysed runs
        (``Report.settings['weather']``); None: no weather was given.

    Returns
    -------
    list of str
        Sentences for every rendering of the report (empty without weather).
    """
    if not weather:
        return []
    n, known = weather["n_runs"], weather["n_known"]
    unknown = weather.get("unknown") or {}
    runs = weather.get("unknown_runs") or {}

    def which(reason: str, n: int) -> str:   # the run ids (as runlog import --list shows them), at most 5
        ids = runs.get(reason, [])
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        return f"{reason} ({n}: {shown})" if shown else f"{reason} ({n})"

    why = "; ".join(which(r, c) for r, c in unknown.items())
    if weather.get("source") == "open-meteo":
        out = [f"Air temperature and humidity: Open-Meteo's historical weather (ERA5 reanalysis, the hour nearest "
               f"each run's middle), downloaded because you asked for it, for {known} of {n} runs."]
    else:
        out = [f"Air temperature and humidity: your weather table, for {known} of {n} runs."]
    if unknown:
        out.append(f"Weather unknown for {n - known} run{'s' if n - known != 1 else ''}: {why}.")
    if weather.get("source") == "open-meteo":
        sent = weather.get("n_places_sent", 0)
        if weather.get("n_requests"):
            out.append(f"Sent to the weather service this time: {sent} place{'s' if sent != 1 else ''} (GPS "
                       "positions rounded to 0.1°, about 10 km) and the runs' dates, in "
                       f"{weather['n_requests']} request{'s' if weather['n_requests'] != 1 else ''}; nothing "
                       "else about you or your runs.")
        else:
            out.append("Nothing was sent this time: the weather came from runlog's cache.")
        out.append(weather.get("attribution", ""))
    return [s for s in out if s]


# ---------------------------------------------------------------- the report's sentences about itself
#: The caveat every report ends with: runlog does not diagnose, and when to see a professional.
NOT_A_DIAGNOSIS = (
    "runlog does not diagnose. Numbness that persists after runs or keeps getting worse, that comes "
    "with weakness, pain, or a colour or temperature change of the foot or leg, or that appears at "
    "rest or at night needs a doctor or physiotherapist."
)

#: What the table of all measures is (every layout says it above the table).
MEASURES_NOTE = (
    "Findings first, then strongest evidence first. Each cause is tested once, on its own measure "
    "('main measure'), with the numbers of the By cause table (q allowing for the causes tested); every "
    "other measure is described by its own test with the season and the time on the feet (q allowing "
    "for those measures), not as an extra cause."
)
#: What the By cause table is.
CAUSES_NOTE = ("Each possible cause that articles on numb feet list, on the measure chosen for it before looking, "
               "tested in the direction the articles name, on the runs where that measure is known, with the "
               "season, the time on your feet (for heat on an air temperature, only as the hours in its "
               "measure) and the finding causes in the model; q allows for the number of causes tested. "
               "Strongest evidence first.")
#: What the table of the runs so far is, when nothing could be tested.
RUNS_SO_FAR_NOTE = ("Each measure on the runs with numbness and on the others: median [quartiles] for "
                    "numbers, count (share) for yes/no; Runs and Numb runs count the runs with a value. Too few "
                    "episodes to test yet: read these as a description, not as evidence.")
#: What the at-onset table compares.
AT_ONSET_NOTE = "Just before numbness started, compared with the same point of the runs without:"


def n_causes_tested(report) -> int:
    """How many causes were tested.

    Parameters
    ----------
    report : Report
        ``causes``.

    Returns
    -------
    int
        Rows of ``report.causes`` with a p-value.
    """
    causes = getattr(report, "causes", None)
    return int(causes["p_value"].notna().sum()) if isinstance(causes, pd.DataFrame) and len(causes) else 0


def count_line(report) -> str:
    """One line of counts: runs, numb runs, causes tested, measures compared, findings.

    Parameters
    ----------
    report : Report
        ``n_runs``, ``n_numb_runs``, ``n_episodes``, ``testable``, ``causes``, ``factors``, ``findings``.

    Returns
    -------
    str
        The line (without tests: runs and episodes only).
    """
    n_ep = int(report.n_episodes)
    s = (f"{report.n_runs} runs analysed, {report.n_numb_runs} with numbness "
         f"({n_ep} episode{'s' if n_ep != 1 else ''}).")
    if not report.testable:
        return s
    n_causes = n_causes_tested(report)
    causes = f" {n_causes} cause{'s' if n_causes != 1 else ''} tested," if n_causes else ""
    return s + (f"{causes} {len(report.factors)} measures compared, {len(report.findings)} finding"
                f"{'s' if len(report.findings) != 1 else ''}.")


def untestable_reason(report) -> str:
    """Why no test was run ('' when the report is testable).

    Parameters
    ----------
    report : Report
        ``testable``, ``n_runs``, ``n_numb_runs``.

    Returns
    -------
    str
        The reason in a sentence or two; '' for a testable report.
    """
    from ..analysis.stats import MIN_EPISODES

    if report.testable:
        return ""
    if report.n_numb_runs and report.n_numb_runs == report.n_runs:
        return ("Every analysed run had numbness, so there are no runs without it to compare with: "
                "testing is not possible.")
    more = max(MIN_EPISODES - int(report.n_numb_runs), 1)
    so_far = {0: "there is none so far", 1: "there is 1 so far"}.get(int(report.n_numb_runs),
                                                                      f"there are {report.n_numb_runs} so far")
    return (f"Testing is not possible yet: it needs {more} more run{'s' if more != 1 else ''} with numbness "
            f"(at least {MIN_EPISODES}; {so_far}). Keep the journal going; below is a plain description "
            "of the runs so far.")


def answer_text(report) -> str:
    """The first line of every rendering: ``report.answer``; for a report without one (made by hand):
    why nothing was tested, else the count line.

    Parameters
    ----------
    report : Report

    Returns
    -------
    str
    """
    a = str(getattr(report, "answer", "") or "").strip()
    return a or untestable_reason(report) or count_line(report)


#: Causes a runner can change on purpose, and the experiment factor that tests each
#: (``runlog experiment plan --factor ...``).
EXPERIMENT_FACTORS = {"footwear": "shoes", "warm-up": "warmup_min"}


def worth_testing_paragraphs(report) -> list[str]:
    """One paragraph per cause that is worth testing: below 0.05 on its own, not a finding.

    Never worded as a finding: it says the evidence is not strong enough once the number of causes
    tested is allowed for, and, for a cause the runner controls (shoes, warm-up), prints the
    ``runlog experiment plan`` command that would test it.

    Parameters
    ----------
    report : Report
        ``causes`` (with ``suggestive``, ``p_alone``, ``level``, ``factor_label``, ``cause_label``).

    Returns
    -------
    list of str
        Empty when no cause is worth testing.
    """
    causes = getattr(report, "causes", None)
    if not isinstance(causes, pd.DataFrame) or "suggestive" not in causes or not len(causes):
        return []
    n = int(causes["p_value"].notna().sum())
    out = []
    for _, r in causes[causes["suggestive"].astype(bool) & ~causes["finding"].astype(bool)].iterrows():
        what = r["cause_label"]
        level = r.get("level")
        measure = f"'{level}'" if isinstance(level, str) and level else r["factor_label"]
        s = (f"{upper_first(what)} may be worth testing: on its own, {measure} went with your numbness "
             f"({p_text(r['p_alone'], 'p')}), but not strongly enough to count as a finding once the {n} causes "
             "tested are allowed for.")
        factor = EXPERIMENT_FACTORS.get(r["cause"])
        if factor == "shoes" and isinstance(level, str) and level:
            s += (" To find out, switch pairs at random for a few weeks: runlog experiment plan --factor shoes "
                  f"--levels \"{level}\" OTHER_PAIR --weeks 8 (then runlog experiment report).")
        elif factor:
            s += (f" To find out, change it at random for a few weeks: runlog experiment plan --factor {factor} "
                  "--levels 5 15 --weeks 8 (minutes of warm-up; then runlog experiment report).")
        out.append(s)
    return out


def heat_paragraph(report) -> str:
    """The first screen's word on heat when it was not judged on the air temperature: not testable (and
    how to make it testable), or judged on the watch's wrist sensor (and how to get the air temperature).

    Parameters
    ----------
    report : Report
        ``causes`` (the heat row: ``status``, ``factor``, ``n_runs``, ``n_missing``).

    Returns
    -------
    str
        '' when heat was judged on the air temperature (or nothing was tested).
    """
    causes = getattr(report, "causes", None)
    if not isinstance(causes, pd.DataFrame) or not len(causes) or not getattr(report, "testable", True):
        return ""
    heat = causes[causes["cause"] == "hydration"]
    if not len(heat):
        return ""
    r = heat.iloc[0]
    if r["status"] == "not testable" or str(r["status"]).startswith("not testable"):
        return f"Heat and hydration could not be tested: {str(r['status']).removeprefix('not testable: ')}"
    if str(r["factor"]).startswith("device_temp") and not bool(r.get("finding")):
        n = int(r.get("n_runs", 0) or 0) + int(r.get("n_missing", 0) or 0)
        return (f"Heat was judged on the watch's wrist temperature (reads high), known for {int(r['n_runs'])} of "
                f"{n} runs. " + HEAT_TESTABLE_HINT)
    return ""


def finding_paragraphs(report) -> list[str]:
    """One paragraph per finding cause, strongest first (``report.findings['sentence']`` as is).

    Parameters
    ----------
    report : Report

    Returns
    -------
    list of str
        Empty when there is no finding.
    """
    findings = getattr(report, "findings", None)
    if not isinstance(findings, pd.DataFrame) or "sentence" not in findings:
        return []
    return [s for s in (str(v).strip() for v in findings["sentence"].dropna()) if s]


#: What runlog promises about its findings, in a runner's words (the test plan of
#: :mod:`runlog.analysis.plan`).
PROMISE = ("runlog tests the causes that articles on numb feet name in an order and with shares stated before "
           "it looks at your journal: heat and hydration, and training load first (30 % each of a 5 % allowance for a "
           "false finding), then shoes (20 %), then run length, intensity, warm-up, running form and terrain "
           "(4 % each); each only in the direction the articles name (hotter, more days in a row or a sudden "
           "rise in distance, one pair worse than the others, a lower cadence, ...), and a cause found hands "
           "its share on. So the chance that any cause without an effect is reported as a finding is at "
           "most 5 %.")


def _in_the_data(report, name: str) -> bool:
    """Whether the report has the measure *name* on some run: compared, not compared (and why), or
    described (the runs so far)."""
    for frame in ("factors", "not_tested", "descriptives"):
        df = getattr(report, frame, None)
        if isinstance(df, pd.DataFrame) and "factor" in df and len(df):
            rows = df[df["factor"] == name]
            if len(rows) and (frame != "descriptives" or (pd.to_numeric(rows.get("n_runs"), errors="coerce")
                                                         .fillna(0) > 0).any()):
                return True
    return False


#: The causes the articles name that run notes can hold: (column, what it measures, its unit in words).
_NOTES_CAUSES = (("lacing", "how tightly you lace your shoes", ""),
                 ("fluid_ml", "how much you drank during your runs", ", in millilitres,"))


def unmeasured_causes(report) -> str:
    """The caveat that names the article causes runlog did not measure in this report.

    Always: nerve compression (Morton's neuroma, tarsal tunnel), low vitamin B12 or other deficiencies,
    medication, and conditions such as diabetes or poor circulation; how tightly the shoes are laced and
    what was drunk during the runs unless the run notes have them (``lacing``, ``fluid_ml``), with the
    column that would let runlog weigh them.

    Parameters
    ----------
    report : Report
        ``factors``, ``not_tested``, ``descriptives`` (whether the run notes had ``lacing`` or
        ``fluid_ml``).

    Returns
    -------
    str
    """
    missing = [f"{what} (a {col} column in your run notes{unit} would let runlog weigh it)"
               for col, what, unit in _NOTES_CAUSES if not _in_the_data(report, col)]
    missing += ["nerve compression (such as Morton's neuroma or tarsal tunnel)", "low vitamin B12 or other "
                "deficiencies", "medication", "conditions such as diabetes or poor circulation"]
    return ("Some causes that articles on numb feet name are not in your watch data, so runlog cannot weigh them: "
            + _join(missing) + ". A doctor or physiotherapist can check the medical ones.")


def caveats(report) -> list[str]:
    """The caveats of a report, in plain words.

    Always: observational single-person data; runs not independent; wrist
    temperature biased by body heat; estimated quantities used outside their
    validated range; not a diagnosis, and when to see a health professional.
    When something was tested: few episodes and wide intervals.  Plus a
    reproducible onset.  Why nothing was tested is the report's answer line
    (:func:`untestable_reason`), not repeated here.

    Parameters
    ----------
    report : Report
        The analysis result (``testable``, ``n_numb_runs``, ``onset``).

    Returns
    -------
    list of str
        One caveat per item.
    """
    few = [] if not report.testable else [   # nothing tested: no word on intervals and q-values
        f"Only {report.n_numb_runs} runs with numbness: confidence intervals are wide. " + PROMISE
        + " The other measures in the tables are descriptions, not extra tests."]
    out = [
        "These are associations in one person's observational data, not proof of cause: a factor can go "
        "with numbness because something else drives both (long runs are often also hot, late and in "
        "older shoes). Change one thing at a time and keep the journal going to check.",
        *few,
        "Runs are not independent (consecutive runs share fitness, fatigue, season and shoes, and numbness "
        "can come in bad spells): the model takes up the season with a calendar-time term, and runlog "
        "measures how much your numbness and each measure come in spells (by shifting one against the other "
        "in time) and widens every test by that; a slow change that happens to follow one cause exactly "
        "cannot be told apart from it.",
        "Only what happened before the numbness counts as a possible cause: heart rate, pace, stops and "
        "cadence are measured up to the onset you wrote down (a comparable stretch of the other runs), so "
        "slowing down or stopping once numb is not mistaken for a cause.",
        "The watch temperature (wrist, reads high) is warmed by body heat (and sun): treat it as a relative "
        "measure, or let runlog get the air temperature (--weather auto, or your own weather table).",
        "Derived quantities (heart-rate zones, training load, sweat loss, maximum heart rate) come from "
        "published formulas validated in other groups of people; for you they are approximations, "
        "especially outside the ranges they were validated in.",
        unmeasured_causes(report),
        NOT_A_DIAGNOSIS,
    ]
    if report.onset.reproducible:
        out.append("Numbness came on at a consistent point of your runs. Show this pattern (the onset "
                   "table and plot) to a doctor or physiotherapist; it is something they will ask about.")
    return out


# ---------------------------------------------------------------- measures not compared, runs so far
def not_tested_reason(row) -> str:
    """Why a measure was not compared, in words, from its ``reason`` code and ``reason_value``.

    Parameters
    ----------
    row : Series or mapping
        A row of ``Report.not_tested`` (:data:`runlog.analysis.stats.NOT_TESTED_COLUMNS`).

    Returns
    -------
    str
        E.g. 'only 4 runs with a value (need 10)', 'constant across runs'.
    """
    from ..analysis.stats import MAX_LEVELS, MIN_GROUP, MIN_LEVEL_RUNS, MIN_RUNS

    reason, v = row.get("reason"), row.get("reason_value")
    if isinstance(v, (int, float)) and math.isfinite(v):   # a count, however the frame stored it
        v = int(v)
    n = int(row.get("n_runs") or 0)
    words = {
        "few_runs": lambda: f"only {v} runs with a value (need {MIN_RUNS})",
        "few_numb": lambda: f"only {v} numb run(s) among the {n} runs with a value (need {MIN_GROUP})",
        "few_other": lambda: f"only {v} run(s) without numbness among the runs with a value (need {MIN_GROUP})",
        "constant": lambda: "constant across runs",
        "one_level": lambda: f"only {v} run(s) in one level (need {MIN_LEVEL_RUNS})",
        "many_values": lambda: (f"{v} different values (more than {MAX_LEVELS}): looks like free text or an id; "
                                "group it into a few categories to test it"),
        "small_levels": lambda: f"fewer than {MIN_LEVEL_RUNS} runs at each of these levels or without them",
        "bookkeeping": lambda: "bookkeeping column of the journal or notes file, not a factor",
    }
    return words[reason]() if reason in words else str(reason)


def descriptive_text(row, group: str) -> str:
    """A measure in one group of runs, in words: median [quartiles] of a number, 'k of n (p %)' of a
    yes/no measure, the most common level of a category with its count; '-' when there is no value.

    Parameters
    ----------
    row : Series or mapping
        A row of ``Report.descriptives`` (:data:`runlog.analysis.stats.DESCRIPTIVES_COLUMNS`).
    group : {'numb', 'other'}
        The runs with numbness or the others.

    Returns
    -------
    str
    """
    kind = row.get("kind")
    if kind == "numeric":
        q1, med, q3 = (float(row.get(f"{group}_{c}")) for c in ("q1", "median", "q3"))
        if not math.isfinite(med):
            return "-"
        sep = " to " if q1 < 0 or q3 < 0 else "-"
        return f"{number_text(med)} [{number_text(q1)}{sep}{number_text(q3)}]"
    k, n = int(row.get(f"{group}_k") or 0), int(row.get(f"{group}_n") or 0)
    if kind == "binary":
        return f"{k} of {n}" + (f" ({100 * k / n:.0f} %)" if n else "")
    level = row.get(f"{group}_level")
    return "-" if not n or level is None else f"{level} ({k} of {n})"


# ---------------------------------------------------------------- when numbness starts (runlog.analysis.onset)
def onset_sentences(onset) -> list[str]:
    """When numbness starts, in words: one sentence per scale, per comparison at onset and per side outcome.

    Parameters
    ----------
    onset : OnsetResult
        :func:`runlog.analysis.onset.analyze_onset` output (``summary``, ``landmarks``, ``at_onset`` and the
        side outcomes).

    Returns
    -------
    list of str
        Empty when no run has a known onset and nothing about the sides is known.
    """
    out = []
    for _, r in onset.summary.iterrows():
        if r["n_onsets"] == 0:
            continue
        u = "minutes" if r["scale"] == "minutes" else "km"
        n = int(r["n_onsets"])
        s = (f"In the {n} run{'s' if n != 1 else ''} where numbness came on (onset known in {u}), it came on "
             f"after a median of {number_text(r['median'], 2)} {u} "
             f"(middle half {number_text(r['q1'], 2)}-{number_text(r['q3'], 2)} {u}, "
             f"range {number_text(r['min'], 2)}-{number_text(r['max'], 2)}")
        s += (f"; 95 % CI of the median {number_text(r['ci_low'], 2)}-{number_text(r['ci_high'], 2)})."
              if np.isfinite(r["ci_low"]) else ").")
        s += _km_sentence(onset.landmarks, r, u)
        what = "time" if u == "minutes" else "distance"
        if r["reproducible"]:
            s += (f" Onset is reproducible at a consistent {what}: "
                  "a pattern worth showing to a doctor or physiotherapist.")
        elif n < MIN_ONSETS_REPRODUCIBLE:
            s += (f" Too few episodes to say whether it comes at a consistent {what} (that needs at least "
                  f"{MIN_ONSETS_REPRODUCIBLE} with a known onset).")
        out.append(s)
    for _, r in onset.at_onset.iterrows():
        if r["n_episodes"] < MIN_PAIRS or not np.isfinite(r["p_value"]):
            continue
        out.append(at_onset_sentence(r))
    out += [s for s in (side_sentence(onset.side_outcome), side_balance_sentence(onset.side_balance_outcome),
                        side_cause_sentence(onset.side_cause_outcome)) if s]
    return out


def _km_sentence(landmarks: pd.DataFrame, r, u: str) -> str:
    """Kaplan-Meier shares by the landmarks and the median, worded as what they describe (see
    :mod:`runlog.analysis.onset`): a share among the runs that go on that long, not of all runs."""
    lm = landmarks[landmarks["scale"] == r["scale"]] if len(landmarks) else landmarks
    s = ""
    if len(lm):
        parts = [f"{100 * x['share_numb']:.0f} % by {number_text(x['time'], 2)} {u} "
                 f"({int(x['n_at_risk'])} still going without numbness)" for _, x in lm.iterrows()]
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        s += (" Counting each run only for as long as it lasted (Kaplan-Meier), the estimated share of runs "
              f"with numbness is {listed}.")
    count = f"{int(r['n_onsets'])} of {int(r['n_runs'])} runs had numbness"
    if np.isfinite(r["km_median"]):
        ci = (f" (95 % CI {number_text(r['km_ci_low'], 2)}-{number_text(r['km_ci_high'], 2)} {u})"
              if np.isfinite(r["km_ci_low"]) and np.isfinite(r["km_ci_high"]) else "")
        tail = (f"that is not half of all runs: {count}" if 2 * r["n_onsets"] < r["n_runs"]
                else f"in all, {count}")
        s += (f" Kaplan-Meier median {number_text(r['km_median'], 2)} {u}{ci}: half of the runs that last "
              f"{number_text(r['km_median'], 2)} {u} have numbness by then ({tail}).")
    else:
        fewer = ("fewer than half of the runs had numbness by their end" if 2 * r["n_onsets"] < r["n_runs"]
                 else "the estimated share of runs with numbness does not pass one half")
        s += f" The Kaplan-Meier median is not reached: {fewer} ({count})."
    return s


def at_onset_sentence(r) -> str:
    """One row of :func:`runlog.analysis.onset.at_onset_comparison` in words: the value just before onset
    against the same point of the runs without numbness (pace for speed), with the signed-rank p.

    Parameters
    ----------
    r : Series
        A row of the at-onset table (``variable``, ``unit``, ``n_episodes``, ``at_onset``,
        ``same_point_others``, ``p_value``).

    Returns
    -------
    str
    """
    if r["variable"] == "speed_mps":
        a, b = pace_text(r["at_onset"], unit=True), pace_text(r["same_point_others"], unit=True)
        what = f"pace just before onset was {a} vs {b} at the same point of runs without numbness"
    else:
        u = "beats/min" if r["unit"] == "1/min" else r["unit"]
        what = (f"{at_onset_label(r['variable']).split(' in the')[0].lower()} just before onset was "
                f"{number_text(r['at_onset'], 2)} {u} vs {number_text(r['same_point_others'], 2)} {u} "
                "at the same point of runs without numbness")
    return (f"{what[0].upper()}{what[1:]} (median of {r['n_episodes']} episodes, "
            f"signed-rank {p_text(r['p_value'], 'p')}).")


def side_sentence(outcome: dict) -> str:
    """Left against right (:func:`runlog.analysis.onset.side_comparison`'s outcome) in words.

    Parameters
    ----------
    outcome : dict
        ``code`` (:data:`runlog.analysis.onset.SIDE_CODES`) and its numbers; empty for nothing to say.

    Returns
    -------
    str
        '' for an empty outcome.
    """
    code = outcome.get("code")
    if not code:
        return ""
    if code == "no_side":
        return ("No episode says which side: write left, right or both in the journal's side column to "
                "see whether one side has a pattern of its own.")
    counts = f"{outcome['left']} left, {outcome['right']} right, {outcome['both']} both (episodes)"
    if code == "too_few":
        return (f"Sides: {counts}. Too few sided episodes with a known onset to compare the sides "
                f"(each side needs {MIN_SIDED}).")
    verdict = ("onset came at a different time on the two sides" if code == "different"
               else "no clear difference in onset time between the sides")
    return (f"Sides: {counts}; {verdict} (median {number_text(outcome['left_median'])} min left, "
            f"{number_text(outcome['right_median'])} min right, {p_text(outcome['p_value'], 'Mann-Whitney p')}).")


def side_balance_sentence(outcome: dict) -> str:
    """Ground contact time balance before onset against the side of the numbness
    (:func:`runlog.analysis.onset.side_balance_comparison`'s outcome) in words.

    Parameters
    ----------
    outcome : dict
        ``code`` (:data:`runlog.analysis.onset.BALANCE_CODES`) and its numbers; empty for nothing to say.

    Returns
    -------
    str
        '' for an empty outcome.
    """
    code = outcome.get("code")
    if not code:
        return ""
    nl, nr = outcome["n_left"], outcome["n_right"]
    if code == "no_balance":
        return ("No run with a left- or right-sided episode has ground contact time balance before onset "
                "(a chest strap or pod that records running dynamics measures it), so the side of the "
                "numbness cannot be set against the side you lean on.")
    if code == "too_few":
        return (f"Too few sided episodes with balance data to test whether the side of the numbness goes "
                f"with the side you lean on ({nl} left, {nr} right with a ground contact time balance before "
                f"onset; each side needs {MIN_SIDED_BALANCE}).")
    ref = outcome.get("reference_median", np.nan)
    ref_text = f", runs without numbness {number_text(ref, 3)} %" if np.isfinite(ref) else ""
    verdict = ("left-sided episodes came with a longer ground contact on the left foot than right-sided ones"
               if code == "leans" else "no clear sign that the side of the numbness goes with the side you lean on")
    return (f"Ground contact time balance before onset: {verdict} (median left share "
            f"{number_text(outcome['left_median'], 3)} % in {nl} left-sided, "
            f"{number_text(outcome['right_median'], 3)} % in {nr} right-sided "
            f"episodes{ref_text}; one-sided {p_text(outcome['p_value'], 'Mann-Whitney p')}).")


def side_cause_sentence(outcome: dict) -> str:
    """Whether left- and right-sided episodes came on different kinds of run
    (:func:`runlog.analysis.onset.side_cause_comparison`'s outcome) in words.

    Parameters
    ----------
    outcome : dict
        ``code`` (:data:`runlog.analysis.onset.SIDE_CAUSE_CODES`) and its numbers; empty for nothing to say.

    Returns
    -------
    str
        '' for an empty outcome.
    """
    code = outcome.get("code")
    if not code:
        return ""
    # runs, not episodes: the side counts of the other sentence count episodes, so say what these count
    runs_word = (f"{outcome['runs_left']} runs numb on the left only, {outcome['runs_right']} on the right only; "
                 "a run counts once however many episodes it had, and not at all when both sides went numb")
    if code == "too_few":
        return (f"Too few runs with numbness on one side to compare the causes between the sides "
                f"({runs_word}; each side needs {MIN_SIDED}).")
    if code == "different":
        return (f"Left- and right-sided episodes came on different runs: {outcome['factor_label']} "
                f"{number_text(outcome['left_median'])} on left-sided against "
                f"{number_text(outcome['right_median'])} on right-sided runs (medians of {outcome['n_left']} and "
                f"{outcome['n_right']}; {p_text(outcome['q_value'], 'q')}, Holm over {outcome['n_tested']} causes).")
    return (f"Left- and right-sided episodes came on similar runs: no cause's measure differs clearly "
            f"between the sides ({runs_word}; smallest {p_text(outcome['p_value'], 'p')}, "
            f"{outcome['factor_label']}; Holm over {outcome['n_tested']} causes).")


def onset_note(note) -> str:
    """What the onset analysis could not compute (one of :attr:`OnsetResult.notes
    <runlog.analysis.onset.OnsetResult>`, codes :data:`runlog.analysis.onset.NOTE_CODES`), in words.

    Parameters
    ----------
    note : dict
        ``code`` and its numbers.

    Returns
    -------
    str
    """
    code = note.get("code") if isinstance(note, dict) else None
    if code == "onset_unknown":
        unit = note["unit"]
        return (f"{note['n_missing']} of {note['n_numb']} numb runs have no onset in {unit}; "
                f"they are left out of the onset analysis in {unit}.")
    if code == "no_records":
        return "no records given: pace, heart rate and temperature at onset not compared."
    return str(note)
