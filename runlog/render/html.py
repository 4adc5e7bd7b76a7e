"""A self-contained HTML page of an analysis: the answer, findings, evidence, caveats and plots.

:func:`render_report` turns a :class:`~runlog.report.Report` into
one HTML file with everything inline (CSS, and the plots as base64 PNG), so
it can be mailed, archived or opened offline.  ``Report.to_html(path)`` and
the ``runlog report`` command use it.  The page shows the report's own
content in the report's order (``answer``, one paragraph per finding cause,
then the evidence); it never composes or re-decides a finding.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..units import number_text, p_text, pace_text, ratio_text
from .labels import lower_first

__all__ = ["render_report", "figure_to_data_uri", "default_figures", "factors_table", "causes_table",
           "column_reference_markdown", "HOW_TO_READ", "NOT_A_DIAGNOSIS", "report_content"]

#: The medical notice printed at the top of every report.
NOT_A_DIAGNOSIS = (
    "This report shows associations in your own running data. It is not a diagnosis. "
    "See a doctor or physiotherapist if numbness lasts after the run, comes on at rest or at night, "
    "spreads, affects both feet at once, comes with weakness, pain, colour or temperature changes of "
    "the foot, or if you have diabetes or a known nerve or circulation condition."
)

#: How to read a finding, in plain words (also in the README).
HOW_TO_READ = [
    ("Odds ratio (OR)",
     "How much the odds of numbness change when the measure is present, or one step higher. The step is "
     "written beside it ('per 5 °C', 'per 30 min'); for shoes and other categories it is one against the "
     "others. OR 2 means the odds of numbness double; OR 1 means no association; OR 0.5 halves them."),
    ("95% confidence interval (CI)",
     "The range of odds ratios compatible with your data. An interval that includes 1 means the data "
     "cannot tell an effect from chance; a wide interval means few runs or episodes."),
    ("p-value and q-value",
     "The p-value is the chance of an association at least this strong if the factor had no effect. "
     "Many measures are tested at once, so some small p-values happen by luck; the q-value corrects "
     "for that (Benjamini-Hochberg false discovery rate). Take q < 0.05 as worth a closer look, "
     "not as proof."),
    ("Association, not cause",
     "A measure can go with numbness because something else drives both (long runs are also hot, late "
     "and in older shoes); the report names a cause only when its evidence holds with the other causes "
     "accounted for. Change one thing at a time and keep the journal going to check."),
]

#: The report page's style sheet (also the experiment page's: runlog.experiment).
PAGE_CSS = """
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 max-width:1060px;margin:2em auto;padding:0 1.2em;color:#222;line-height:1.45}
h1{margin-bottom:.1em} h2{border-bottom:2px solid #e4e4e4;padding-bottom:.2em;margin-top:1.8em}
.sub{color:#666;margin-top:0}
.notice{background:#fff4e5;border-left:5px solid #e69500;padding:.7em 1em;margin:1em 0}
.stats{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}
.stat{background:#f4f6f8;border-radius:6px;padding:.5em .9em;min-width:8em}
.stat b{display:block;font-size:1.4em}
p.answer{font-size:1.3em;font-weight:600;margin:.6em 0 .4em;padding:.5em .8em;background:#eef5fb;
 border-left:5px solid #2f6f9f}
div.findings p{margin:.5em 0 .5em .2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border-bottom:1px solid #e4e4e4;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f6f8} td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.sig td{background:#fdecea}
figure{margin:1.2em 0} figure img{display:block;max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
dl dt{font-weight:bold;margin-top:.6em} dl dd{margin-left:1.2em}
footer{color:#888;font-size:.85em;margin:3em 0 1em}
td.per{color:#555;font-size:.9em} ul.methods{color:#666;font-size:.85em;list-style:none;padding-left:0}
details{margin:.8em 0} summary{cursor:pointer;color:#2f6f9f} p.note{color:#666;font-size:.9em}
td[title]{text-decoration:underline dotted #aaa}
span.cause{display:inline-block;color:#fff;border-radius:3px;padding:0 .45em;font-size:.8em;margin-right:.2em}
"""


def figure_to_data_uri(fig, *, dpi: int = 110) -> str:
    """A matplotlib Figure as a ``data:image/png;base64,...`` URI (the figure is not closed).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    dpi : int
        Resolution [dots per inch].

    Returns
    -------
    str
        The URI.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _esc(x) -> str:
    return html.escape("" if x is None else str(x))


def _formatted(v, fmt) -> str:
    """A table cell: ``fmt(v)`` (a :mod:`runlog.units` function) escaped for a number, *v* escaped as
    text when it is not one."""
    try:
        float(v)
    except (TypeError, ValueError):
        return _esc(v)
    return _esc(fmt(v))


def _fmt_num(v) -> str:
    """A number for a table (:func:`runlog.units.number_text`)."""
    return _formatted(v, number_text)


def _fmt_ratio(v) -> str:
    """An odds ratio for a table (:func:`runlog.units.ratio_text`: '&gt;1000' and '&lt;0.01' beyond)."""
    return _formatted(v, ratio_text)


def _fmt_p(v) -> str:
    """A p- or q-value for a table (:func:`runlog.units.p_text`: '&lt;0.001' below 0.001)."""
    return _formatted(v, p_text)


def _factor_name(r) -> str:
    lev = r.get("level")
    return f"{r['factor']} = {lev}" if isinstance(lev, str) and lev else str(r["factor"])


def _per(r) -> str:
    """The step of an odds ratio in short: 'per 8.53 °C', 'with vs without', "'A' vs 'B'"."""
    txt = str(r.get("effect_unit", "") or "")
    if txt in ("nan", "<NA>", "None"):
        return ""
    txt = txt.split(" (")[0]  # drop '(interquartile range)' and similar notes
    return txt.replace(" increase", "")


def factors_table(factors: pd.DataFrame, *, alpha: float = 0.05, max_rows: int | None = None,
                  causes: pd.DataFrame | None = None) -> str:
    """HTML table of ``Report.factors``, strongest evidence first.

    Columns: measure (its plain ``label``, the description on hover), numb
    runs / runs, odds ratio and its step, 95 % CI, p, q, and what the
    measure is in the report's words (:func:`~runlog.report.measure_note`:
    'main measure of heat and hydration', 'goes with numbness only through
    heat (articles: ...)'; cause labels from *causes*, ``Report.causes``).
    Rows that are findings (column ``finding``, else ``q_value < alpha``)
    are shaded.  The test behind each row (column ``method``) is listed under
    the table.

    Parameters
    ----------
    factors : DataFrame
        ``Report.factors``.
    alpha : float
        q-value below which a row is shaded, when there is no ``finding`` column.
    max_rows : int, optional
        Keep only the first (strongest) rows; default all.
    causes : DataFrame, optional
        ``Report.causes``, for the cause labels.

    Returns
    -------
    str
        HTML (a paragraph saying so when there is no factor).
    """
    from ..report import cause_labels, measure_name, measure_note

    if factors is None or len(factors) == 0:
        return "<p>No factor could be tested.</p>"
    df = factors
    if "q_value" in df:
        df = df.sort_values(["q_value"] + (["p_value"] if "p_value" in df else []), kind="stable",
                            na_position="last")
    if max_rows is not None:
        df = df.head(max_rows)
    has_n = {"n_episodes", "n_runs"} <= set(df.columns)
    labels = cause_labels(causes)
    head = ["Measure"] + (["Numb runs"] if has_n else []) + ["Odds ratio", "per", "95% CI", "p", "q", "What it is"]
    methods: dict[str, int] = {}
    rows = []
    for _, r in df.iterrows():
        q = r.get("q_value", np.nan)
        if "finding" in df:
            sig = bool(r["finding"]) if pd.notna(r["finding"]) else False
        else:
            sig = pd.notna(q) and float(q) < alpha
        ci = f"{_fmt_ratio(r.get('ci_low'))}&nbsp;–&nbsp;{_fmt_ratio(r.get('ci_high'))}"
        desc = r.get("description", "")
        title = f" title='{_esc(desc)}'" if isinstance(desc, str) and desc else ""
        mark = ""
        m = r.get("method")
        if isinstance(m, str) and m:
            methods.setdefault(m, len(methods) + 1)
            mark = f"<sup>{methods[m]}</sup>"
        cells = [f"<td{title}>{_esc(measure_name(r))}{mark}</td>"]
        if has_n:
            n = (f"{int(r['n_episodes'])} / {int(r['n_runs'])}"
                 if pd.notna(r["n_episodes"]) and pd.notna(r["n_runs"]) else "–")
            cells.append(f"<td class='num'>{n}</td>")
        cells += [f"<td class='num'>{_fmt_ratio(r.get('effect'))}</td>", f"<td class='per'>{_esc(_per(r))}</td>",
                  f"<td class='num'>{ci}</td>",
                  f"<td class='num'>{_fmt_p(r.get('p_value'))}</td>", f"<td class='num'>{_fmt_p(q)}</td>",
                  f"<td class='per'>{_esc(measure_note(r, labels))}</td>"]
        rows.append(f"<tr{' class=sig' if sig else ''}>" + "".join(cells) + "</tr>")
    notes = "".join(f"<li><sup>{i}</sup> {_esc(m)}</li>" for m, i in methods.items())
    return ("<table class='factors'><thead><tr>" + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            + (f"<ul class='methods'>{notes}</ul>" if notes else ""))


def _table(df: pd.DataFrame, columns: dict, *, formats: dict | None = None) -> str:
    """A small HTML table of *df*: {column: header}, numbers formatted by *formats* {column: func}."""
    formats = formats or {}
    cols = [c for c in columns if c in df]
    if df is None or len(df) == 0 or not cols:
        return ""
    out = ["<table><thead><tr>" + "".join(f"<th>{_esc(columns[c])}</th>" for c in cols) + "</tr></thead><tbody>"]
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if c in formats:
                cells.append(f"<td class='num'>{formats[c](v)}</td>")
            elif isinstance(v, (float, np.floating)):
                cells.append(f"<td class='num'>{_fmt_num(v)}</td>")
            else:
                cells.append(f"<td>{_esc('' if v is None or v is pd.NA else v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def causes_table(causes: pd.DataFrame | None) -> str:
    """HTML table of ``Report.causes`` (one row per article-named cause, as the report orders them).

    Columns: cause, its measure, odds ratio and its step, 95 % CI, q and the
    report's ``status`` ('finding', 'no clear link', 'goes with numbness only
    through heat', ...); finding rows shaded.  '' when there are no causes.

    Parameters
    ----------
    causes : DataFrame or None
        ``Report.causes``.

    Returns
    -------
    str
        HTML.
    """
    from ..report import cause_display

    if not isinstance(causes, pd.DataFrame) or len(causes) == 0:
        return ""
    shown = cause_display(causes)
    sig = (causes["finding"].fillna(False).astype(bool).to_numpy() if "finding" in causes
           else np.zeros(len(causes), dtype=bool))
    head = ["Cause", "Measure", "Odds ratio", "per", "95% CI", "q", "Status"]
    rows = []
    for (_, r), f in zip(shown.iterrows(), sig):
        ci = (f"{_fmt_ratio(r['95 % CI low'])}&nbsp;–&nbsp;{_fmt_ratio(r['95 % CI high'])}"
              if math.isfinite(r["95 % CI low"]) or math.isfinite(r["95 % CI high"]) else "–")
        cells = [f"<td>{_esc(r['Cause'])}</td>", f"<td>{_esc(r['Measure'])}</td>",
                 f"<td class='num'>{_fmt_ratio(r['Odds ratio'])}</td>",
                 f"<td class='per'>{_esc(_per_text(r['per']))}</td>",
                 f"<td class='num'>{ci}</td>", f"<td class='num'>{_fmt_p(r['q'])}</td>",
                 f"<td>{_esc(r['Status'])}</td>"]
        rows.append(f"<tr{' class=sig' if f else ''}>" + "".join(cells) + "</tr>")
    return ("<table class='causes'><thead><tr>" + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _per_text(txt) -> str:
    return _per({"effect_unit": txt})


def report_content(report) -> tuple[str, list[str]]:
    """The report's first screen as it says it: (answer line, one paragraph per finding cause).

    Uses ``report.answer_line()`` and ``report.finding_paragraphs()``; for an
    object without them (e.g. a report of an older version) its ``answer``
    and its ``findings['sentence']`` as they are.

    Parameters
    ----------
    report : Report
        The analysis result.

    Returns
    -------
    (str, list of str)
        The answer line and the paragraphs.
    """
    fn = getattr(report, "answer_line", None)
    answer = str(fn()) if callable(fn) else str(getattr(report, "answer", "") or "")
    fp = getattr(report, "finding_paragraphs", None)
    if callable(fp):
        paragraphs = [str(s) for s in fp()]
    else:
        findings = getattr(report, "findings", None)
        paragraphs = ([str(s) for s in findings["sentence"].dropna()]
                      if isinstance(findings, pd.DataFrame) and "sentence" in findings else [])
    return answer, paragraphs


def _stats(report) -> list[tuple[str, str]]:
    """Headline numbers: runs read, analysed, with numbness, episodes, factors tested, findings."""
    out = []
    runs = getattr(report, "runs", None)
    flags = getattr(report, "flags", None)
    if runs is not None:
        out.append(("runs in the history", len(runs)))
    n_runs = getattr(report, "n_runs", None)
    if n_runs is None and flags is not None and "tracked" in flags:
        n_runs = int(flags["tracked"].fillna(False).astype(bool).sum())
    if n_runs is not None:
        out.append(("runs analysed (journal period)", n_runs))
    n_numb = getattr(report, "n_numb_runs", None)
    if n_numb is None and flags is not None and {"tracked", "numb"} <= set(flags.columns):
        n_numb = int((flags["numb"].fillna(False).astype(bool) & flags["tracked"].fillna(False).astype(bool)).sum())
    if n_numb is not None:
        out.append(("runs with numbness", n_numb))
    n_causes = getattr(report, "n_causes_tested", None)
    if n_causes is not None:
        out.append(("causes tested", n_causes))
    factors = getattr(report, "factors", None)
    if factors is not None:
        out.append(("measures compared", len(factors)))
    findings = getattr(report, "findings", None)
    if isinstance(findings, pd.DataFrame):
        out.append(("finding" if len(findings) == 1 else "findings", len(findings)))
    return [(k, str(v)) for k, v in out]


def default_figures(report, history=None) -> dict:
    """The report's standard plots: {caption: Figure}, for what the report carries.

    Uses ``report.factors`` (forest plot) and, when present, ``report.flags``
    and ``report.runs`` (time to onset, calendar) and ``report.features``
    (training load, the strongest numeric factor against run duration).

    Parameters
    ----------
    report : Report
    history : History, optional
        The analysed history: adds the trace (pace, heart rate, temperature,
        cadence) of the most recent run with numbness, its onset marked.

    Returns
    -------
    dict
        Caption -> matplotlib Figure, in the order the report shows them; the
        figures are left open (the caller closes them).
    """
    import matplotlib.pyplot as plt

    from . import plot

    figs: dict = {}
    flags = plot.analysed_flags(report)
    features = getattr(report, "features", None)
    runs = getattr(report, "runs", None)
    factors = getattr(report, "factors", None)
    tracked = plot.report_tracked(report)

    def _new(w, h):
        return plt.subplots(figsize=(w, h), layout="constrained")

    causes = getattr(report, "causes", None)
    if isinstance(causes, pd.DataFrame) and len(causes) and causes["effect"].notna().any():
        n = int(causes["effect"].notna().sum())
        fig, ax = _new(10, max(2.6, 0.3 * n + 1.6))
        plot.cause_forest(causes, ax=ax)
        figs["Each cause the articles name, on the measure chosen for it (the By cause table), with the season, "
             "the time on the feet and the finding causes in the model: odds ratio of numbness per the step "
             "shown, with its 95% confidence interval and q-value (allowing for the number of causes tested). "
             "Filled points: findings."] = fig
    elif factors is not None and len(factors):
        n = min(20, len(factors))
        fig, ax = _new(10, max(2.6, 0.3 * n + 1.4))
        plot.factor_forest(plot.report_factors(report), top=20, ax=ax)
        figs[f"The {n} measures with the strongest evidence, each on its own: odds ratio of numbness with its 95% "
             "confidence interval, coloured by the cause the articles name."] = fig
    if flags is not None and "onset_min" in flags and flags["numb"].fillna(False).astype(bool).any() \
            and (runs is not None or "duration_min" in flags):
        fig, ax = _new(9, 4.2)
        plot.onset_survival(flags, runs=runs, ax=ax)
        figs["Share of the runs in the journal period still free of numbness after each minute "
             "(Kaplan-Meier, shaded: 95% confidence band); the ticks are runs that ended without "
             "numbness."] = fig
    # the time plots show the journal period (its last two years at most; the calendar its last year),
    # or without one the last year of the history
    window = plot.report_window(report, max_days=plot.PLOT_MAX_DAYS)
    if runs is not None and "start_local" in runs and len(runs):
        start, end, what = plot.report_window(report, max_days=plot.CALENDAR_MAX_DAYS)
        fig, ax = _new(11, 3.4)
        plot.calendar(runs, flags, tracked=tracked, start=start, end=end, ax=ax)
        hatched = _legend_has(ax, "Not tracked")
        figs[f"Every day of {what} ({_span_text(start, end)}): run days shaded by distance, rest days grey, "
             "runs with numbness as red dots" + ("; hatched days are outside the journal period." if hatched
                                                  else ".")] = fig
    if features is not None:
        try:
            cols = plot.training_load_columns(features, None)
        except KeyError:
            cols = None
        if cols:
            fig, ax = _new(10, 4)
            span = {"start": window[0], "end": window[1]} if window else {}
            plot.load_timeline(features, flags, runs=runs, tracked=tracked, ax=ax, **span)
            caption = "Training load" + (f" in {window[2]} ({_span_text(window[0], window[1])})" if window
                                         else " through the season")
            caption += ", from heart rate (or pace); red lines mark runs with numbness"
            if _legend_has(ax, "Not tracked in the journal"):
                caption += ", grey the time outside the journal period"
            figs[caption + "."] = fig
    if features is not None and factors is not None and len(factors) and flags is not None:
        top = _top_numeric(factors, features, report)
        other = next((c for c in ("duration_min", "distance_km") if c in features and c != top), None)
        if top is not None and other is not None:
            fig, ax = _new(7.5, 5)
            plot.factor_scatter(features, other, top, flags, ax=ax)
            figs[f"The measure of the leading cause ({lower_first(plot.pretty(top))}) against "
                 f"{lower_first(plot.pretty(other))}, one point per run."] = fig
    if history is not None and flags is not None and runs is not None:
        numb = flags.index[(flags["numb"].fillna(False).astype(bool)
                            & flags["tracked"].fillna(False).astype(bool)).to_numpy()]
        if len(numb):
            rid = runs.loc[runs.index.intersection(numb), "start_time"].idxmax()
            onset = float(flags.loc[rid, "onset_min"]) if pd.notna(flags.loc[rid, "onset_min"]) else None
            try:
                records = history.run(rid)
                shown = plot.trace_channels(records)
                fig = plot.run_trace(records, onset_min=onset, tz=str(runs.loc[rid, "tz"]))
            except (KeyError, ValueError):  # no records or none of the channels
                fig = None
            if fig is not None:
                when = f"{pd.Timestamp(runs.loc[rid, 'start_local']):%d %b %Y}"
                names = [plot.TRACE_NAMES[c] for c in shown]
                drawn = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
                mark = ("the onset marked in red" if onset is not None and np.isfinite(onset)
                        else "no onset written down for it")
                figs[f"The most recent run with numbness ({when}): {drawn} (30-second averages), {mark}."] = fig
    return figs


def _legend_has(ax, label: str) -> bool:
    """True when the legend of *ax* has an entry *label* (so a caption names only what is drawn)."""
    legend = ax.get_legend()
    return legend is not None and any(t.get_text() == label for t in legend.get_texts())


def _span_text(start, end) -> str:
    """'24 Apr to 1 Sep 2024' (the year once when both days are in it)."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    first = f"{start.day} {start:%b}" + ("" if start.year == end.year else f" {start.year}")
    return f"{first} to {end.day} {end:%b %Y}"


def _top_numeric(factors: pd.DataFrame, features: pd.DataFrame, report=None) -> str | None:
    """The numeric measure to plot against run length: the report's first finding cause's measure,
    else the strongest cause's (``report.causes`` order), else the measure with the smallest q."""
    df = factors.sort_values("q_value", kind="stable") if "q_value" in factors else factors
    order = []
    for frame in (getattr(report, "findings", None), getattr(report, "causes", None)):
        if isinstance(frame, pd.DataFrame) and "factor" in frame:
            order += [str(f) for f in frame["factor"].dropna()]
    for f in order + list(df["factor"].astype(str)):
        if f in features and pd.api.types.is_numeric_dtype(features[f].dtype) \
                and not pd.api.types.is_bool_dtype(features[f].dtype) and features[f].nunique() > 2:
            return f
    return None


def _onset_html(onset) -> str:
    if onset is None:
        return ""
    parts = []
    sentences = onset.sentences() if callable(getattr(onset, "sentences", None)) else []
    if sentences:
        parts.append("<ul>" + "".join(f"<li>{_esc(s)}</li>" for s in sentences) + "</ul>")
    summary = getattr(onset, "summary", None)
    if isinstance(summary, pd.DataFrame) and len(summary) and (summary.get("n_onsets", pd.Series([0])) > 0).any():
        df = summary.assign(
            median_ci=[f"{_fmt_num(m)} ({_fmt_num(lo)}–{_fmt_num(hi)})"
                       for m, lo, hi in zip(summary["median"], summary["ci_low"], summary["ci_high"])],
            middle=[f"{_fmt_num(a)}–{_fmt_num(b)}" for a, b in zip(summary["q1"], summary["q3"])],
            span=[f"{_fmt_num(a)}–{_fmt_num(b)}" for a, b in zip(summary["min"], summary["max"])],
            repro=np.where(summary["reproducible"].astype(bool), "yes", "no"))
        parts.append(_table(df, {"unit": "Onset in", "n_onsets": "Episodes", "median_ci": "Median (95% CI)",
                                 "middle": "Middle half", "span": "Range", "repro": "Consistent?"}))
    at = getattr(onset, "at_onset", None)
    if isinstance(at, pd.DataFrame) and len(at):
        parts.append("<p>Just before numbness started, compared with the same point of the runs without:</p>")
        parts.append(_table(_at_onset_display(at), {"description": "What", "unit": "Unit", "n_episodes": "Episodes",
                                                    "at_onset": "Before onset", "same_point_others": "Other runs",
                                                    "p_value": "p"},
                            formats={"p_value": _fmt_p, "at_onset": _esc, "same_point_others": _esc}))
    for n in getattr(onset, "notes", None) or []:
        parts.append(f"<p class='note'>{_esc(n)}</p>")
    return "".join(parts)


def _at_onset_display(at: pd.DataFrame) -> pd.DataFrame:
    """The at-onset table for reading: speed as pace [min/km], numbers to 3 significant digits."""
    rows = []
    for _, r in at.iterrows():
        r = r.copy()
        if r.get("variable") == "speed_mps":
            r["description"] = str(r["description"]).replace("Speed (pace)", "Pace")
            r["unit"] = "min/km"
            r["at_onset"], r["same_point_others"] = pace_text(r["at_onset"]), pace_text(r["same_point_others"])
        else:
            r["at_onset"], r["same_point_others"] = _fmt_num(r["at_onset"]), _fmt_num(r["same_point_others"])
        rows.append(r)
    return pd.DataFrame(rows)


def _finding_items(report, paragraphs: list[str]) -> str:
    """One paragraph per finding cause, each with a badge of its cause (the report's
    ``cause_label``) in the colour of the plots."""
    from .plot import CAUSE_COLORS

    table = getattr(report, "findings", None)
    causes: list[tuple[str, str] | tuple[None, None]] = [(None, None)] * len(paragraphs)
    if isinstance(table, pd.DataFrame) and "cause" in table and len(table) == len(paragraphs):
        labels = table["cause_label"] if "cause_label" in table else table["cause"]
        causes = [(str(c), str(lab) if isinstance(lab, str) and lab else str(c))
                  for c, lab in zip(table["cause"], labels)]
    items = []
    for text, (cause, label) in zip(paragraphs, causes):
        badge = ""
        if cause:
            color = CAUSE_COLORS.get(cause, CAUSE_COLORS["other"])
            badge = f"<span class='cause' style='background:{color}'>{_esc(label)}</span> "
        items.append(f"<p>{badge}{_esc(text)}</p>")
    return "<div class='findings'>" + "".join(items) + "</div>"


def _weather(report) -> dict | None:
    settings = getattr(report, "settings", None) or {}
    w = settings.get("weather") if isinstance(settings, dict) else None
    return w if isinstance(w, dict) else None


def render_report(report, path=None, *, figures=None, history=None,
                  title: str = "runlog: what goes with your numbness", dpi: int = 110, experiment=None) -> str:
    """Render *report* as one self-contained HTML page.

    Parameters
    ----------
    report : Report
        :func:`runlog.analyze` output.  Uses ``answer_line()`` and
        ``finding_paragraphs()`` (or ``answer`` and the ``findings['sentence']``
        column), ``causes``, ``caveats``, ``factors``,
        ``onset`` (sentences, summary, at-onset table), ``not_tested`` and,
        when present, ``flags``/``features``/
        ``runs`` for the plots and the headline numbers.
    path : str or PathLike, optional
        Where to write the page (atomically, :func:`runlog.history.atomic_write`:
        nothing half-written or left behind on failure).  Parent folders are created.
    figures : dict or list or False, optional
        {caption: Figure} or [(caption, Figure)] to embed; default
        :func:`default_figures` (closed after embedding).  ``False`` embeds none.
    history : History, optional
        The analysed history, for the default figures' run trace.
    title : str
    dpi : int
        Resolution of the embedded PNGs [dots per inch].
    experiment : runlog.experiment.Experiment, optional
        An experiment's answer: an "Your experiment" section (with a plot per
        level) follows the first screen; randomised evidence comes before
        the associations.

    Returns
    -------
    str
        The HTML.
    """
    import matplotlib.pyplot as plt

    from .. import __version__
    from ..report import MEASURES_NOTE

    own = figures is None
    if figures is None:
        figures = default_figures(report, history)
    elif figures is False:
        figures = {}
    items = list(figures.items()) if isinstance(figures, Mapping) else list(figures)
    imgs = []
    for cap, fig in items:
        imgs.append(f"<figure><img alt='{_esc(cap)}' src='{figure_to_data_uri(fig, dpi=dpi)}'>"
                    f"<figcaption>{_esc(cap)}</figcaption></figure>")
        if own:
            plt.close(fig)

    answer, paragraphs = report_content(report)
    caveats = [str(c) for c in (getattr(report, "caveats", None) or [])]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_esc(title)}</title><style>{PAGE_CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        # the first screen: the report's answer, then one paragraph per finding cause
        f"<p class='answer' id='answer'>{_esc(answer)}</p>",
    ]
    if paragraphs:
        parts.append(_finding_items(report, paragraphs))
    stats = _stats(report)
    headline = getattr(report, "headline", None)
    if not stats and callable(headline) and headline() != answer:  # the boxes below say the same
        parts.append(f"<p class='sub'>{_esc(headline())}</p>")
    if stats:
        parts.append("<div class='stats'>" + "".join(
            f"<div class='stat'><b>{_esc(v)}</b>{_esc(k)}</div>" for k, v in stats) + "</div>")
    parts.append(f"<div class='notice'><b>Not a diagnosis.</b> {_esc(NOT_A_DIAGNOSIS)}</div>")
    if experiment is not None:
        parts.append(experiment.to_html(figure=True))
    # the evidence
    causes_html = causes_table(getattr(report, "causes", None))
    if causes_html:
        parts.append("<h2 id='by-cause'>By cause</h2>")
        parts.append("<p>Each cause the articles name, on the measure chosen for it, with the season, the time "
                     "on your feet and the finding causes in the model; q allows for the number of causes tested. "
                     "Strongest evidence first; shaded rows are findings.</p>")
        parts.append(causes_html)
    weather = _weather(report)
    if weather:
        from .wording import weather_lines

        lines = [_esc(t) for t in weather_lines(weather)]
        if weather.get("source") == "open-meteo":   # the credit with its links, as Open-Meteo asks
            from ..features.weather import ATTRIBUTION_HTML

            lines[-1] = ATTRIBUTION_HTML
        parts.append("<h2 id='weather'>Weather</h2><ul>" + "".join(f"<li>{t}</li>" for t in lines) + "</ul>")
    onset_html = _onset_html(getattr(report, "onset", None))
    if onset_html:
        parts.append("<h2 id='onset'>When numbness starts</h2>" + onset_html)
    if imgs:
        parts.append("<h2 id='plots'>Plots</h2>")
        parts.extend(imgs)
    factors = getattr(report, "factors", None)
    descriptives = getattr(report, "descriptives", None)
    described = (factors is None or len(factors) == 0) and isinstance(descriptives, pd.DataFrame) \
        and len(descriptives) > 0
    if described:
        parts.append("<h2 id='runs-so-far'>The runs so far (no tests)</h2>")
        parts.append("<p>Each measure on the runs with numbness and on the others: median [quartiles] for "
                     "numbers, count (share) for yes/no. Too few episodes to test yet: read these as a "
                     "description, not as evidence.</p>")
        parts.append(_table(descriptives, {"factor": "Measure", "unit": "Unit",
                                           "n_runs": "Runs", "n_episodes": "Numb runs",
                                           "numb_runs": "Runs with numbness", "other_runs": "Other runs"}))
    if not described:  # nothing tested: the description above stands in for the (empty) table
        parts.append("<h2 id='factors'>All measures</h2>")
        if factors is not None and len(factors):
            parts.append(f"<p>{_esc(MEASURES_NOTE)} Shaded rows are findings. Hover over a measure for what "
                         "it measures; the column reference in the README gives every measure's unit.</p>")
        parts.append(factors_table(factors, causes=getattr(report, "causes", None)))
    parts.append("<h2 id='caveats'>Caveats</h2>")
    parts.append("<ul>" + "".join(f"<li>{_esc(c)}</li>" for c in caveats) + "</ul>" if caveats
                 else "<p>None recorded.</p>")
    notes = [str(n) for n in (getattr(report, "notes", None) or [])]
    if notes:
        parts.append("<h3>Notes on the data</h3><ul>" + "".join(f"<li>{_esc(n)}</li>" for n in notes) + "</ul>")
    not_tested = getattr(report, "not_tested", None)
    if isinstance(not_tested, pd.DataFrame) and len(not_tested) and getattr(report, "testable", True):
        nt = not_tested.assign(name=[_factor_name(r) for _, r in not_tested.iterrows()])
        parts.append(f"<details><summary>Not tested ({len(nt)})</summary>"
                     + _table(nt, {"name": "Measure", "reason": "Why not"}) + "</details>")
    parts.append("<h2 id='how-to-read'>How to read this report</h2><dl>" + "".join(
        f"<dt>{_esc(t)}</dt><dd>{_esc(d)}</dd>" for t, d in HOW_TO_READ) + "</dl>")
    sent = bool(weather and weather.get("source") == "open-meteo")
    parts.append(f"<footer>Generated {_dt.datetime.now():%Y-%m-%d %H:%M} by runlog {__version__}. runlog reads "
                 "your activity files and journal locally; "
                 + ("only the rounded places and dates of your runs were sent, for the weather you asked for "
                    "(see Weather)." if sent else "nothing leaves your computer.") + "</footer></body></html>")
    page = "\n".join(parts)
    if path is not None:
        from ..history import atomic_write_text

        atomic_write_text(path, page, mkdir=True)
    return page


def _md_cell(v) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ").strip()


def column_reference_markdown() -> str:
    """The column reference as Markdown: every frame's columns, then every feature.

    Built from :func:`runlog.schema.column_reference` (records, laps, runs,
    episodes, notes) and the feature catalogue
    :data:`runlog.features.catalog.FEATURES`; the README's column reference is
    this text (``runlog columns`` prints it).

    Returns
    -------
    str
    """
    from .. import schema
    from ..features.catalog import FEATURES

    titles = {
        "records": ("Records: one row per sample (`History.records`, index `run_id`, `time` UTC; "
                    "`Activity.records` and `History.run(run_id)`, index `time` UTC)"),
        "laps": "Laps (`History.laps`)",
        "runs": "Runs: one row per activity (`History.runs`, index `run_id`)",
        "episodes": "Episodes: the numbness journal (`read_episodes`)",
        "notes": "Run notes (`read_run_notes`, index `run_id`)",
    }
    ref = schema.column_reference()
    out = []
    for frame, rows in ref.groupby("frame", sort=False):
        out += [f"#### {titles.get(frame, frame)}", "", "| column | unit | description |", "|---|---|---|"]
        out += [f"| `{r.name}` | {_md_cell(r.unit)} | {_md_cell(r.description)} |" for r in rows.itertuples()]
        out.append("")
    out += ["#### Features: one row per run (`run_features`, index `run_id`)", "",
            "*tested*: the analysis tests it as a factor (yes) or keeps it as bookkeeping (no).", "",
            "| feature | unit | cause | tested | description | source |", "|---|---|---|---|---|---|"]
    for f in FEATURES.values():
        out.append(f"| `{f.name}` | {_md_cell(f.unit)} | {f.cause} | {'yes' if f.candidate else 'no'} | "
                   f"{_md_cell(f.description)} | {_md_cell(f.citation)} |")
    return "\n".join(out) + "\n"
