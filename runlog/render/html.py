"""The report in HTML: the notebook view and a self-contained page, both layouts of its sections.

:func:`sections_html` lays out the content model
(:func:`runlog.render.content.report_sections`) for a notebook
(``Report._repr_html_``); :func:`render_report` lays out the same sections
as one HTML file with everything inline (CSS, and the plots as base64 PNG),
so it can be mailed, archived or opened offline (``Report.to_html(path)``,
``runlog report``).  The page adds only what a page has: cause badges, count
boxes, the notice, the plots and how to read it; it never composes or
re-decides a finding.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..history import activity_counts_text, sport_counts
from . import wording
from .content import Bullets, Paragraph, Section, Table, report_sections
from .labels import lower_first

__all__ = ["sections_html", "render_report", "figure_to_data_uri", "default_figures",
           "column_reference_markdown", "HOW_TO_READ", "NOT_A_DIAGNOSIS", "PAGE_CSS"]

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
     "The p-value is the chance of an association at least this strong (for a cause, in the direction the "
     "articles name) if the factor had no effect. "
     "Many things are tested at once, so some small p-values happen by luck; the q-value is the p-value "
     "adjusted for that: a cause's for the number of causes tested, by the share of the 5 % the test plan "
     "gives it, any other measure's for the number of measures compared. A cause counts as a finding only "
     "when its q is below 0.05; for the other measures "
     "take q < 0.05 as worth a closer look, not as proof. '>0.99' is a p- or q-value that rounds to 1: no "
     "sign of a link at all (for a cause, none in the direction the articles name: an odds ratio below 1 "
     "for a cause the articles say raises the odds gives a p near 1)."),
    ("Too uncertain",
     "An odds ratio whose 95% interval is wider than 100-fold (its upper end more than 100 times its "
     "lower end) is not given as a number: data that allow anything from no change to a hundred times the "
     "odds fix no size. Its p- and q-values are still shown."),
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


#: zlib compression level of the page's PNG figures (0-9; Pillow's default 6 takes 12 % longer for 4 % less).
PNG_COMPRESS_LEVEL = 3


def figure_to_data_uri(fig, *, dpi: int = 110) -> str:
    """A matplotlib Figure as a ``data:image/png;base64,...`` URI (the figure is not closed).

    A figure with a layout engine (runlog's figures have a constrained layout) is saved as laid
    out; one without is cropped to what it draws (``bbox_inches='tight'``), which costs a second
    drawing of the figure.

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
    tight = "tight" if fig.get_layout_engine() is None else None
    # zlib level 3 instead of Pillow's 6: 12 % less time saving a report's figures, 4.5 % larger PNGs
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches=tight, facecolor="white",
                pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _esc(x) -> str:
    return html.escape("" if x is None else str(x))


#: Cells that are numbers (right-aligned): '2.5', '<0.001', '4 / 45', '1.4 to 4.4', '6:09', '–'.
_NUMBER_CELL = re.compile(r"^[<>+-]?[0-9.,]+( ?%| / [0-9]+)?$|^[<>]?[0-9.]+ to [<>]?[0-9.]+$|^\d+:\d\d$|^–$")


def _table_html(t: Table, cls: str = "") -> str:
    """A table of the content model: header, text cells (numbers right-aligned), finding rows shaded
    (``Table.highlight``), the first cell's hover text (``Table.titles``); '(none)' when empty."""
    df = t.frame
    if df is None or len(df) == 0:
        return "<p>(none)</p>"
    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    rows = []
    for i, r in enumerate(df.itertuples(index=False)):
        cells = []
        for j, v in enumerate(r):
            attr = " class='num'" if _NUMBER_CELL.match(str(v)) else ""
            if j == 0 and i < len(t.titles) and t.titles[i]:
                attr += f" title='{_esc(t.titles[i])}'"
            cells.append(f"<td{attr}>{_esc(v)}</td>")
        sig = " class=sig" if i < len(t.highlight) and t.highlight[i] else ""
        rows.append(f"<tr{sig}>" + "".join(cells) + "</tr>")
    klass = f" class='{cls}'" if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>" + "".join(rows) + "</tbody></table>"


def _blocks_html(blocks, *, table_class: str = "") -> str:
    parts = []
    for b in blocks:
        if isinstance(b, Paragraph):
            parts.append(f"<p><b>{_esc(b.text)}</b></p>" if b.strong else f"<p>{_esc(b.text)}</p>")
        elif isinstance(b, Bullets):
            parts.append("<ul>" + "".join(f"<li>{_esc(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Table):
            parts.append(_table_html(b, table_class))
    return "".join(parts)


def sections_html(sections: list[Section], *, title: str = "runlog report: what goes with your numbness") -> str:
    """The sections as an HTML fragment (the notebook view of a Report): a title, ``<h4>`` sections.

    Parameters
    ----------
    sections : list of Section
        :func:`runlog.render.content.report_sections`.
    title : str
        The fragment's heading.

    Returns
    -------
    str
    """
    parts = [f"<h3>{_esc(title)}</h3>"]
    for s in sections:
        if s.title:
            parts.append(f"<h4>{_esc(s.title)}</h4>")
        parts.append(_blocks_html(s.blocks))
    return "".join(parts)


def _stats(report) -> list[tuple[str, str]]:
    """Headline numbers: runs read, analysed, with numbness, episodes, factors tested, findings."""
    out = []
    runs = getattr(report, "runs", None)
    flags = getattr(report, "flags", None)
    if runs is not None:   # runs are foot runs (History.summary), other activities counted apart
        by_sport = sport_counts(runs)
        settings = getattr(report, "settings", None) or {}
        sport = settings.get("sport", "running")   # what was analysed: None for every activity
        if sport is not None:
            sport = str(sport).strip().lower()
        n_main = sum(by_sport.values()) if sport is None else int(by_sport.get(sport, 0))
        one, many = (("run", "runs") if sport == "running" else
                     ("activity", "activities") if sport is None else (f"{sport} activity", f"{sport} activities"))
        out.append((f"{one if n_main == 1 else many} in the history", n_main))
        others = {} if sport is None else {k: v for k, v in by_sport.items() if k != sport}
        if others:
            n_other = sum(others.values())
            out.append((f"other {'activity' if n_other == 1 else 'activities'} "
                        f"({activity_counts_text(others).split(': ', 1)[-1]})", n_other))
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
    if not getattr(report, "testable", True):   # nothing tested: no boxes of zeros
        return [(k, str(v)) for k, v in out]
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
        figs["Each possible cause that articles on numb feet list, on the measure chosen for it (the By cause "
             "table), with the season, "
             "the time on the feet (for heat on an air temperature, only as the hours in its measure) and the "
             "finding causes in the model: odds ratio of numbness per the step "
             "shown, with its 95% confidence interval and q-value (allowing for the number of causes tested). "
             "Filled points: findings."] = fig
    elif factors is not None and len(factors):
        n = min(20, len(factors))
        fig, ax = _new(10, max(2.6, 0.3 * n + 1.4))
        plot.factor_forest(plot.report_factors(report), top=20, ax=ax)
        figs[f"The {n} measures with the strongest evidence, each on its own: odds ratio of numbness with its 95% "
             "confidence interval, coloured by the possible cause (as articles on numb feet list them)."] = fig
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
        fig, ax = _new(*plot.calendar_figsize(start, end))
        plot.calendar(runs, flags, tracked=tracked, start=start, end=end, ax=ax)
        hatched = _legend_has(ax, plot.UNTRACKED_LABEL)
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
            if _legend_has(ax, plot.UNTRACKED_LABEL):
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
                  title: str = "runlog: what goes with your numbness", dpi: int = 110, experiment=None,
                  sections=None) -> str:
    """Render *report* as one self-contained HTML page.

    Parameters
    ----------
    report : Report
        :func:`runlog.analyze` output.  The page lays out its sections
        (:func:`runlog.render.content.report_sections`) and adds what only a
        page has: the cause badges, the count boxes, the notice, the plots
        (from ``flags``/``features``/``runs``) and how to read it.
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
    sections : list of Section, optional
        ``report.sections()`` when the caller has them already (``runlog report`` lays the same
        sections out as text, Markdown and this page: worked out once); default: worked out here.

    Returns
    -------
    str
        The HTML.
    """
    import matplotlib.pyplot as plt

    from .._version import __version__

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

    weather = _weather(report)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_esc(title)}</title><style>{PAGE_CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
    ]
    for s in (report_sections(report) if sections is None else sections):
        if s.key == "answer":
            # the first screen: the answer, one paragraph per finding cause (with its cause's badge), the counts
            answer = s.blocks[0].text
            rest = [b.text for b in s.blocks[1:]]
            n_find = len(wording.finding_paragraphs(report))
            parts.append(f"<p class='answer' id='answer'>{_esc(answer)}</p>")
            if n_find:
                parts.append(_finding_items(report, rest[:n_find]))
            stats = _stats(report)
            if stats:   # the boxes say what the count line says
                parts.append("<div class='stats'>" + "".join(
                    f"<div class='stat'><b>{_esc(v)}</b>{_esc(k)}</div>" for k, v in stats) + "</div>")
            else:
                parts += [f"<p class='sub'>{_esc(t)}</p>" for t in rest[n_find:]]
            parts.append(f"<div class='notice'><b>Not a diagnosis.</b> {_esc(NOT_A_DIAGNOSIS)}</div>")
            if experiment is not None:
                parts.append(experiment.to_html(figure=True))
            continue
        anchor = _ANCHORS.get(s.key, s.key)
        if s.key == "not_tested":
            table = next(b for b in s.blocks if isinstance(b, Table))
            parts.append(f"<details><summary>{_esc(s.title)} ({len(table.frame)})</summary>"
                         + _blocks_html(s.blocks) + "</details>")
            continue
        head = f"<h2 id='{anchor}'>{_esc(s.title)}</h2>"
        if s.key == "notes":
            head = f"<h3 id='{anchor}'>{_esc(s.title)}</h3>"
        blocks = _blocks_html(s.blocks, table_class={"causes": "causes", "measures": "factors"}.get(s.key, ""))
        if s.key == "weather" and weather and weather.get("source") == "open-meteo":
            from ..features.weather import ATTRIBUTION_HTML  # the credit with its links, as Open-Meteo asks

            credit = _esc(weather.get("attribution", ""))
            blocks = blocks.replace(f"<li>{credit}</li>", f"<li>{ATTRIBUTION_HTML}</li>")
        parts.append(head + _PAGE_NOTES.get(s.key, "") + blocks)
        if s.key == "onset" and imgs:
            parts.append("<h2 id='plots'>Plots</h2>")
            parts.extend(imgs)
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


#: The page's anchors of the sections (the content model's keys otherwise).
_ANCHORS = {"causes": "by-cause", "runs": "runs-so-far", "measures": "factors", "notes": "notes"}
#: What a reader of the page needs to know about its shaded rows and hover texts (the other layouts
#: have neither).
_PAGE_NOTES = {
    "causes": "<p class='note'>Shaded rows are findings.</p>",
    "measures": "<p class='note'>Shaded rows are findings. Hover over a measure for what it measures; the column "
                "reference in the README gives every measure's unit.</p>",
}


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
