"""The report's one content model: titled sections of paragraphs, bullet lists and tables of text.

:func:`report_sections` turns a :class:`~runlog.report.Report` into the
sections every rendering shows, in order: the answer and one paragraph per
finding cause, by cause, weather, when numbness starts, all measures (or the
runs so far, when nothing could be tested), notes on the data, what was not
tested, caveats.  Every word comes from :mod:`runlog.render.wording`, every
number from :mod:`runlog.units`; the layouts (:mod:`runlog.render.text` for
plain text and Markdown, :mod:`runlog.render.html` for the notebook view and
the HTML page, the command line) only lay the sections out.  It reads the
report's attributes and imports nothing above :mod:`runlog.render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analysis.onset import MIN_ONSETS_REPRODUCIBLE
from ..units import MISSING, number_text, p_text, pace_text, ratio_text
from . import wording
from .labels import at_onset_label, cause_label, measure_label, unit_label

__all__ = ["Paragraph", "Bullets", "Table", "Section", "report_sections", "cause_labels", "measure_name",
           "measure_note", "cause_display", "factor_display", "P_COLUMNS"]

#: Columns of the report's tables that hold p- or q-values (written by :func:`runlog.units.p_text`).
P_COLUMNS = frozenset({"p", "q", "p_value", "q_value", "adjusted_p"})


@dataclass
class Paragraph:
    """One paragraph; *strong* for the answer (bold in Markdown and HTML)."""

    text: str
    strong: bool = False


@dataclass
class Bullets:
    """A bulleted list of sentences."""

    items: list[str]


@dataclass
class Table:
    """A table of text cells, as every layout shows it.

    Attributes
    ----------
    frame : DataFrame
        Headers and cells, all text (numbers already written by :mod:`runlog.units`).
    highlight : list of bool
        Rows a layout that can shade rows shades (the findings).
    titles : list of str
        What each row's first cell is, for a layout that can show it on hover ('' for nothing).
    """

    frame: pd.DataFrame
    highlight: list[bool] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)


@dataclass
class Section:
    """A titled part of the report: its *key* ('answer', 'causes', 'weather', 'onset', 'measures',
    'runs', 'notes', 'not_tested', 'caveats'), its *title* ('' for the answer) and its blocks in order."""

    key: str
    title: str
    blocks: list = field(default_factory=list)


# ---------------------------------------------------------------- cells
def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _text(v) -> str:
    """A cell as text: '' for None / NaN / NA."""
    if v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and np.isnan(v)):
        return ""
    return str(v)


def _cell(v, p_column: bool = False) -> str:
    """One table cell: numbers by :func:`runlog.units.number_text` (p- and q-values by
    :func:`runlog.units.p_text`), '' for a missing value, anything else as text."""
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return ""
        return p_text(v) if p_column else number_text(v)
    if v is None or v is pd.NA:
        return ""
    return str(v).replace("\n", " ")


def _strings(df: pd.DataFrame, max_rows: int | None = None) -> pd.DataFrame:
    """*df* with every cell written as text (:func:`_cell`), at most *max_rows* rows."""
    df = df if max_rows is None else df.head(max_rows)
    out = pd.DataFrame({c: [_cell(v, str(c) in P_COLUMNS) for v in df[c]] for c in df.columns},
                       index=range(len(df)))
    return out.reindex(columns=list(df.columns))


def _ci_text(lo, hi) -> str:
    if np.isnan(_num(lo)) and np.isnan(_num(hi)):
        return MISSING
    if wording.too_uncertain(lo, hi):
        return wording.TOO_WIDE
    return f"{ratio_text(lo)} to {ratio_text(hi)}"


def _readable(df: pd.DataFrame) -> pd.DataFrame:
    """A display frame: the odds ratio as :func:`runlog.units.ratio_text` ('too uncertain' when its interval
    is too wide to give a size, :func:`runlog.render.wording.too_uncertain`), the interval as one 'a to b'
    column."""
    if len(df) == 0 or "95 % CI low" not in df:
        return df
    out = df.copy()
    out["Odds ratio"] = [wording.TOO_UNCERTAIN if wording.too_uncertain(lo, hi) else ratio_text(v)
                         for v, lo, hi in zip(out["Odds ratio"], out["95 % CI low"], out["95 % CI high"])]
    out.insert(out.columns.get_loc("95 % CI low"), "95 % CI",
               [_ci_text(a, b) for a, b in zip(out["95 % CI low"], out["95 % CI high"])])
    return out.drop(columns=["95 % CI low", "95 % CI high"])


# ---------------------------------------------------------------- the report's tables for reading
_ROLE_WORDS = {"primary": "main measure of {cause}", "secondary": "other measure of {cause}",
               "in-run": "measured during the run (a measure of {cause})"}


def cause_labels(causes: pd.DataFrame | None) -> dict:
    """cause id -> its plain label: ``Report.causes['cause_label']``, else :func:`runlog.render.labels.cause_label`.

    Parameters
    ----------
    causes : DataFrame or None
        ``Report.causes`` (``cause``, ``cause_label``); its labels override the
        defaults.

    Returns
    -------
    dict
        Cause id -> label without its parenthesised part.
    """
    from .labels import CAUSE_LABELS

    out = {str(c): cause_label(c, brief=True) for c in CAUSE_LABELS}
    if isinstance(causes, pd.DataFrame) and {"cause", "cause_label"} <= set(causes.columns):
        out.update({str(c): _text(lab).split(" (")[0] for c, lab in zip(causes["cause"], causes["cause_label"])
                    if _text(lab)})
    return out


def measure_note(row, cause_labels: dict | None = None) -> str:
    """What one row of ``Report.factors`` is, in words, as the report says it.

    'main measure of heat and hydration'; 'goes with numbness only through heat
    (a measure of heat and hydration)' when the report names what explains it
    (``explained_by``); 'a measure of heat and hydration' for a report without
    roles.  It never says the measure is a cause: only the report's
    ``findings`` do.

    Parameters
    ----------
    row : Series or mapping
        A row of ``Report.factors`` (``cause``, ``role``, ``explained_by``).
    cause_labels : dict, optional
        Cause id -> plain label (:func:`cause_labels`); default the cause ids.

    Returns
    -------
    str
        The note; '' when there is nothing to say.
    """
    cause = _text(row.get("cause"))
    label = (cause_labels or {}).get(cause) or cause
    named = bool(label) and label != "other"   # 'a measure of other' says nothing
    explained = _text(row.get("explained_by"))
    if explained:
        return f"goes with numbness only through {explained}" + (f" (a measure of {label})" if named else "")
    role = _text(row.get("role"))
    if role in _ROLE_WORDS and label:
        if not named:
            return "measured during the run" if role == "in-run" else "a measure of no named cause"
        return _ROLE_WORDS[role].format(cause=label)
    return f"a measure of {label}" if named else ""


def measure_name(row) -> str:
    """A factor row's plain name ('air temperature', 'shoes = racer'); its column name without a label.

    Parameters
    ----------
    row : Series or mapping
        A row of ``Report.factors`` (``label``, ``factor``, ``level``).

    Returns
    -------
    str
        The name.
    """
    name = _text(row.get("label")) or _text(row.get("factor"))
    lev = _text(row.get("level"))
    return f"{name} = {lev}" if lev else name


def cause_display(causes: pd.DataFrame) -> pd.DataFrame:
    """``Report.causes`` for reading: one row per cause with plain headers.

    Columns 'Cause', 'Measure', 'Odds ratio', 'per', '95 % CI low',
    '95 % CI high', 'q', 'Status': the report's own words (``cause_label``,
    ``factor_label``, ``effect_unit``, ``status``), nothing re-decided.

    Parameters
    ----------
    causes : DataFrame or None
        ``Report.causes``.

    Returns
    -------
    DataFrame
        The columns above, one row per cause (empty for None).
    """
    cols = ["Cause", "Measure", "Odds ratio", "per", "95 % CI low", "95 % CI high", "q", "Status"]
    if causes is None or len(causes) == 0:
        return pd.DataFrame(columns=cols)
    rows = []
    for _, r in causes.iterrows():
        measure = _text(r.get("factor_label")) or _text(r.get("factor"))
        rows.append([_text(r.get("cause_label")) or _text(r.get("cause")),
                     measure_name({"label": measure, "level": r.get("level")}),   # the shoe pair tested
                     _num(r.get("effect")), _text(r.get("effect_unit")), _num(r.get("ci_low")),
                     _num(r.get("ci_high")), _num(r.get("q_value")), _text(r.get("status"))])
    return pd.DataFrame(rows, columns=cols)


def factor_display(factors: pd.DataFrame, causes: pd.DataFrame | None = None,
                   max_rows: int | None = None) -> pd.DataFrame:
    """``Report.factors`` for reading: 'Measure', 'Numb runs', 'Odds ratio', 'per', 'p', 'q', 'What it is'.

    'What it is' is :func:`measure_note` (the report's ``role`` and
    ``explained_by``); strongest first as the report orders them.

    Parameters
    ----------
    factors : DataFrame or None
        ``Report.factors``.
    causes : DataFrame, optional
        ``Report.causes``, for the cause labels of :func:`measure_note`.
    max_rows : int, optional
        Keep only the first (strongest) rows; default all.

    Returns
    -------
    DataFrame
        The columns above plus '95 % CI low' and '95 % CI high', one row per
        measure (empty for None).
    """
    cols = ["Measure", "Numb runs", "Odds ratio", "per", "95 % CI low", "95 % CI high", "p", "q", "What it is"]
    if factors is None or len(factors) == 0:
        return pd.DataFrame(columns=cols)
    labels = cause_labels(causes)
    df = factors if max_rows is None else factors.head(max_rows)
    rows = []
    for _, r in df.iterrows():
        n = (f"{int(r['n_episodes'])} / {int(r['n_runs'])}"
             if pd.notna(r.get("n_episodes")) and pd.notna(r.get("n_runs")) else "")
        rows.append([measure_name(r), n, _num(r.get("effect")), _text(r.get("effect_unit")),
                     _num(r.get("ci_low")), _num(r.get("ci_high")), _num(r.get("p_value")),
                     _num(r.get("q_value")), measure_note(r, labels)])
    return pd.DataFrame(rows, columns=cols)


#: The onset summary's scales in words.
_ONSET_SCALE = {"min": "minutes", "km": "km"}


def _onset_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """Time and distance to onset for reading: median with its interval, middle half, range, and whether
    onset is consistent: 'yes', 'no', or 'too few episodes to say' below
    :data:`runlog.analysis.onset.MIN_ONSETS_REPRODUCIBLE` known onsets."""
    rows = []
    for _, r in summary.iterrows():
        n = int(_num(r.get("n_onsets"))) if np.isfinite(_num(r.get("n_onsets"))) else 0
        ci = (f"{number_text(r['ci_low'])}–{number_text(r['ci_high'])}"
              if np.isfinite(_num(r["ci_low"])) and np.isfinite(_num(r["ci_high"])) else "too few for one")
        consistent = ("yes" if bool(r.get("reproducible")) else
                      wording.TOO_FEW_TO_SAY if n < MIN_ONSETS_REPRODUCIBLE else "no")
        unit = _text(r.get("unit"))
        rows.append({"Onset in": _ONSET_SCALE.get(unit, unit), "Episodes": str(n),
                     "Median (95% CI)": f"{number_text(r['median'])} ({ci})",
                     "Middle half": f"{number_text(r['q1'])}–{number_text(r['q3'])}",
                     "Range": f"{number_text(r['min'])}–{number_text(r['max'])}",
                     "Consistent?": consistent})
    return pd.DataFrame(rows, columns=["Onset in", "Episodes", "Median (95% CI)", "Middle half", "Range",
                                       "Consistent?"])


def _at_onset(at: pd.DataFrame) -> pd.DataFrame:
    """The at-onset comparison for reading: speed as pace [min/km], numbers to 3 significant digits,
    units in words (:func:`runlog.render.labels.unit_label`)."""
    rows = []
    for _, r in at.iterrows():
        what, unit = at_onset_label(r.get("variable")), unit_label(_text(r.get("unit")))
        if r.get("variable") == "speed_mps":
            what, unit = what.replace("Speed (pace)", "Pace"), "min/km"
            a, b = pace_text(r["at_onset"]), pace_text(r["same_point_others"])
        else:
            a, b = number_text(r["at_onset"]), number_text(r["same_point_others"])
        rows.append({"What": what, "Unit": unit, "Episodes": _cell(r.get("n_episodes")), "Before onset": a,
                     "Other runs": b, "p": _cell(_num(r.get("p_value")), True)})
    out = pd.DataFrame(rows, columns=["What", "Unit", "Episodes", "Before onset", "Other runs", "p"])
    # no test with too few pairs (runlog.analysis.onset.MIN_PAIRS): no empty p column
    return out.drop(columns="p") if len(out) and (out["p"] == "").all() else out


def _descriptives(d: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The runs so far for reading: each measure with a value on some run, by its plain name and unit, in
    the runs with numbness and in the others, in words; and how many measures have no value on any run
    (left out)."""
    cols = ["Measure", "Unit", "Runs", "Numb runs", "On numb runs", "On the other runs"]
    if d is None or not len(d):
        return pd.DataFrame(columns=cols), 0
    n = pd.to_numeric(d["n_runs"], errors="coerce").fillna(0) if "n_runs" in d else pd.Series(1, index=d.index)
    shown = d[(n > 0).to_numpy()]
    out = pd.DataFrame({
        "Measure": [measure_label(str(r["factor"]), _text(r.get("description")) or None) for _, r in shown.iterrows()],
        "Unit": [unit_label(u) for u in shown.get("unit", pd.Series("", index=shown.index))],
        "Runs": shown.get("n_runs", pd.Series("", index=shown.index)).to_numpy(),
        "Numb runs": shown.get("n_episodes", pd.Series("", index=shown.index)).to_numpy(),
        "On numb runs": [wording.descriptive_text(r, "numb") for _, r in shown.iterrows()],
        "On the other runs": [wording.descriptive_text(r, "other") for _, r in shown.iterrows()],
    }, columns=cols)
    return _strings(out), int(len(d) - len(shown))


def _not_tested(nt: pd.DataFrame) -> pd.DataFrame:
    names = [measure_name({"label": measure_label(str(r.get("factor")), _text(r.get("description")) or None),
                           "level": r.get("level")}) for _, r in nt.iterrows()]
    out = pd.DataFrame({"Measure": names, "Runs": nt["n_runs"].to_numpy(), "Numb runs": nt["n_episodes"].to_numpy(),
                        "Why not": [wording.not_tested_reason(r) for _, r in nt.iterrows()]})
    return _strings(out)


def _flags(frame: pd.DataFrame | None, n: int) -> list[bool]:
    if isinstance(frame, pd.DataFrame) and "finding" in frame:
        return [bool(v) if pd.notna(v) else False for v in frame["finding"].head(n)]
    return [False] * n


def report_sections(report) -> list[Section]:
    """The report's content, in order, as every rendering shows it.

    Parameters
    ----------
    report : Report
        :func:`runlog.analyze` output (or any object with its attributes).

    Returns
    -------
    list of Section
        'answer' (the answer in bold, one paragraph per finding cause, the
        count line), 'causes', 'weather', 'onset', 'measures' (or 'runs' when
        nothing could be tested), 'notes', 'not_tested', 'caveats'; a section
        with nothing to show is left out (but 'onset', 'measures' and
        'caveats', which say so).
    """
    testable = bool(getattr(report, "testable", True))
    opening = [Paragraph(wording.answer_text(report), strong=True)]
    opening += [Paragraph(p) for p in wording.finding_paragraphs(report)]
    opening += [Paragraph(p) for p in wording.worth_testing_paragraphs(report)]
    heat = wording.heat_paragraph(report)
    if heat:
        opening.append(Paragraph(heat))
    if hasattr(report, "n_runs") and (_text(getattr(report, "answer", "")).strip() or not testable):
        opening.append(Paragraph(wording.count_line(report)))
    out = [Section("answer", "", opening)]

    causes = getattr(report, "causes", None)
    if isinstance(causes, pd.DataFrame) and len(causes):
        out.append(Section("causes", "By cause", [
            Paragraph(wording.CAUSES_NOTE),
            Table(_strings(_readable(cause_display(causes))), highlight=_flags(causes, len(causes)))]))

    settings = getattr(report, "settings", None) or {}
    weather = wording.weather_lines(settings.get("weather") if isinstance(settings, dict) else None)
    if weather:
        out.append(Section("weather", "Weather", [Bullets(weather)]))

    onset = getattr(report, "onset", None)
    blocks: list = []
    sentences = wording.onset_sentences(onset) if onset is not None else []
    blocks.append(Bullets(list(sentences)) if sentences else Paragraph("No episode with a known onset yet."))
    summary = getattr(onset, "summary", None)
    if isinstance(summary, pd.DataFrame) and len(summary) and (summary["n_onsets"] > 0).any():
        blocks.append(Table(_onset_summary(summary)))
    at = getattr(onset, "at_onset", None)
    if isinstance(at, pd.DataFrame) and len(at):
        blocks += [Paragraph(wording.AT_ONSET_NOTE), Table(_at_onset(at))]
    blocks += [Paragraph(wording.onset_note(n)) for n in (getattr(onset, "notes", None) or [])]
    out.append(Section("onset", "When numbness starts", blocks))

    if testable:
        factors = getattr(report, "factors", None)
        shown = _strings(_readable(factor_display(factors, causes)))
        titles = ([_text(d) for d in factors["description"]] if isinstance(factors, pd.DataFrame)
                  and "description" in factors else [])
        out.append(Section("measures", "All measures", [
            Paragraph(wording.MEASURES_NOTE), Table(shown, highlight=_flags(factors, len(shown)), titles=titles)]))
    else:
        d = getattr(report, "descriptives", None)
        table, left_out = _descriptives(d if isinstance(d, pd.DataFrame) else None)
        blocks = [Paragraph(wording.RUNS_SO_FAR_NOTE), Table(table)]
        if left_out:
            blocks.append(Paragraph(wording.left_out_text(left_out)))
        out.append(Section("runs", "The runs so far (no tests)", blocks))

    notes = [str(n) for n in (getattr(report, "notes", None) or [])]
    if notes:
        out.append(Section("notes", "Notes on the data", [Bullets(notes)]))
    nt = getattr(report, "not_tested", None)
    if testable and isinstance(nt, pd.DataFrame) and len(nt):   # untestable: the answer says why, once
        out.append(Section("not_tested", "Not tested", [Table(_not_tested(nt))]))
    caveats = [str(c) for c in (getattr(report, "caveats", None) or [])]
    out.append(Section("caveats", "Caveats", [Bullets(caveats) if caveats else Paragraph("None recorded.")]))
    return out
