"""A self-contained HTML page of an analysis: findings, caveats, tables and plots.

:func:`render_report` turns a :class:`~runlog.analysis.report.Report` into
one HTML file with everything inline (CSS, and the plots as base64 PNG), so
it can be mailed, archived or opened offline.  ``Report.to_html(path)`` and
the ``runlog report`` command use it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import math
import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["render_report", "figure_to_data_uri", "default_figures", "factors_table", "HOW_TO_READ",
           "NOT_A_DIAGNOSIS"]

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
     "How much more likely numbness is when the factor is present (or one step higher, e.g. +1 °C or "
     "+10 minutes). OR 2 means the odds of numbness double; OR 1 means no association; OR 0.5 halves them."),
    ("95% confidence interval (CI)",
     "The range of odds ratios compatible with your data. An interval that includes 1 means the data "
     "cannot tell an effect from chance; a wide interval means few runs or episodes."),
    ("p-value and q-value",
     "The p-value is the chance of an association at least this strong if the factor had no effect. "
     "Many factors are tested at once, so some small p-values happen by luck; the q-value corrects "
     "for that (Benjamini-Hochberg false discovery rate). Take q < 0.05 as worth a closer look, "
     "not as proof."),
    ("Association, not cause",
     "A factor can go with numbness because something else drives both (long runs are also hot, late "
     "and in older shoes). Change one thing at a time and keep the journal going to check."),
]

_CSS = """
body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 max-width:1060px;margin:2em auto;padding:0 1.2em;color:#222;line-height:1.45}
h1{margin-bottom:.1em} h2{border-bottom:2px solid #e4e4e4;padding-bottom:.2em;margin-top:1.8em}
.sub{color:#666;margin-top:0}
.notice{background:#fff4e5;border-left:5px solid #e69500;padding:.7em 1em;margin:1em 0}
.stats{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}
.stat{background:#f4f6f8;border-radius:6px;padding:.5em .9em;min-width:8em}
.stat b{display:block;font-size:1.4em}
ul.findings li{margin:.35em 0}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border-bottom:1px solid #e4e4e4;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f6f8} td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.sig td{background:#fdecea}
figure{margin:1.2em 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
dl dt{font-weight:bold;margin-top:.6em} dl dd{margin-left:1.2em}
footer{color:#888;font-size:.85em;margin:3em 0 1em}
"""


def figure_to_data_uri(fig, *, dpi: int = 110) -> str:
    """A matplotlib Figure as a ``data:image/png;base64,...`` URI (the figure is not closed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _esc(x) -> str:
    return html.escape("" if x is None else str(x))


def _fmt_num(v, digits: int = 2) -> str:
    """A number for a table: *digits* significant digits below 1, *digits* decimals above; '–' if missing."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _esc(v)
    if not math.isfinite(f):
        return "–"
    return f"{f:.{digits}g}" if abs(f) < 1 else f"{f:.{digits}f}"


def _fmt_ratio(v) -> str:
    """An odds ratio: two decimals below 10, one below 100, none above ('0.50', '3.00', '11.0')."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _esc(v)
    if not math.isfinite(f):
        return "∞" if f == math.inf else "–"
    return f"{f:.2f}" if f < 10 else (f"{f:.1f}" if f < 100 else f"{f:.0f}")


def _fmt_p(v) -> str:
    """A p- or q-value: two significant digits, '&lt;0.001' below 0.001."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _esc(v)
    if not math.isfinite(f):
        return "–"
    return "&lt;0.001" if f < 0.001 else f"{f:.2g}"


def factors_table(factors: pd.DataFrame, *, alpha: float = 0.05, max_rows: int | None = None) -> str:
    """HTML table of ``Report.factors``: factor, cause, odds ratio with 95% CI, p, q (q < alpha shaded)."""
    if factors is None or len(factors) == 0:
        return "<p>No factor could be tested.</p>"
    df = factors
    if "q_value" in df:
        df = df.sort_values(["q_value"] + (["p_value"] if "p_value" in df else []), kind="stable",
                            na_position="last")
    if max_rows is not None:
        df = df.head(max_rows)
    extra = [c for c in ("n_cases", "n_controls", "n", "per", "unit", "method") if c in df]
    head = ["Factor", "Cause", "Odds ratio", "95% CI", "p", "q"] + [c.replace("_", " ") for c in extra]
    rows = []
    for _, r in df.iterrows():
        q = r.get("q_value", np.nan)
        sig = pd.notna(q) and float(q) < alpha
        ci = f"{_fmt_ratio(r.get('ci_low'))} – {_fmt_ratio(r.get('ci_high'))}"
        cells = [f"<td>{_esc(r.get('label', r['factor']))}</td>", f"<td>{_esc(r.get('cause', ''))}</td>",
                 f"<td class='num'>{_fmt_ratio(r.get('effect'))}</td>", f"<td class='num'>{ci}</td>",
                 f"<td class='num'>{_fmt_p(r.get('p_value'))}</td>", f"<td class='num'>{_fmt_p(q)}</td>"]
        cells += [f"<td>{_esc(r.get(c))}</td>" for c in extra]
        rows.append(f"<tr{' class=sig' if sig else ''}>" + "".join(cells) + "</tr>")
    return ("<table class='factors'><thead><tr>" + "".join(f"<th>{h}</th>" for h in head)
            + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _frame_html(obj, max_rows: int = 40) -> str:
    if obj is None:
        return ""
    if isinstance(obj, pd.Series):
        obj = obj.to_frame()
    if isinstance(obj, pd.DataFrame):
        if obj.empty:
            return ""
        return obj.head(max_rows).to_html(float_format=lambda v: _fmt_num(v, 3), na_rep="–", border=0,
                                          classes="frame")
    if isinstance(obj, Mapping):
        rows = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(_fmt_num(v, 3) if isinstance(v, float) else v)}</td></tr>"
                       for k, v in obj.items())
        return f"<table>{rows}</table>"
    for attr in ("to_frame", "table", "summary_frame"):
        val = getattr(obj, attr, None)
        if isinstance(val, pd.DataFrame):
            return _frame_html(val, max_rows)
        if callable(val):
            try:
                out = val()
            except Exception:  # noqa: BLE001 - optional cosmetic view of a model object
                continue
            if isinstance(out, pd.DataFrame):
                return _frame_html(out, max_rows)
    return f"<pre>{_esc(obj)}</pre>"


def _findings_list(findings) -> list[str]:
    if findings is None:
        return []
    if isinstance(findings, pd.DataFrame):
        if "sentence" in findings:
            return [str(s) for s in findings["sentence"].dropna()]
        return []
    return [str(f) for f in findings]


def _stats(report) -> list[tuple[str, str]]:
    out = []
    flags = getattr(report, "flags", None)
    runs = getattr(report, "runs", None)
    if runs is not None:
        out.append(("runs in the history", f"{len(runs)}"))
    if flags is not None and "tracked" in flags:
        tr = flags["tracked"].fillna(False).astype(bool)
        out.append(("runs in the journal period", f"{int(tr.sum())}"))
        if "numb" in flags:
            numb = flags["numb"].fillna(False).astype(bool) & tr
            out.append(("runs with numbness", f"{int(numb.sum())}"))
    factors = getattr(report, "factors", None)
    if factors is not None:
        out.append(("factors tested", f"{len(factors)}"))
        if "q_value" in factors:
            out.append(("with q < 0.05", f"{int((pd.to_numeric(factors['q_value'], errors='coerce') < 0.05).sum())}"))
    return out


def default_figures(report) -> dict:
    """The report's standard plots: {caption: Figure}, for what the report carries.

    Uses ``report.factors`` (forest plot) and, when present, ``report.flags``
    (time to onset), ``report.features`` (training load, the top numeric
    factor against run duration) and ``report.runs`` (calendar).
    """
    import matplotlib.pyplot as plt

    from . import plot

    figs: dict = {}
    flags = getattr(report, "flags", None)
    features = getattr(report, "features", None)
    runs = getattr(report, "runs", None)
    factors = getattr(report, "factors", None)
    tracked = plot._tracked_span(flags, runs)

    def _new(w, h):
        return plt.subplots(figsize=(w, h), layout="constrained")

    if factors is not None and len(factors):
        n = min(20, len(factors))
        fig, ax = _new(10, max(2.6, 0.32 * n + 1.4))
        plot.factor_forest(factors, top=20, ax=ax)
        figs["Odds ratio of numbness for each factor, with its 95% confidence interval. Filled points: "
             "q < 0.05 after correction for testing many factors."] = fig
    if flags is not None and "onset_min" in flags and (runs is not None or "duration_min" in flags):
        fig, ax = _new(8, 4.2)
        plot.onset_survival(flags, runs=runs, ax=ax)
        figs["Share of tracked runs still free of numbness after each minute (Kaplan-Meier); "
             "runs that ended without numbness are the ticks."] = fig
    if features is not None:
        try:
            fig, ax = _new(10, 4)
            plot.load_timeline(features, flags, runs=runs, tracked=tracked, ax=ax)
            figs["Training load over the season; red lines are runs with numbness."] = fig
        except KeyError:
            plt.close(fig)
    if runs is not None and "start_local" in runs and len(runs):
        fig, ax = _new(11, 3.4)
        plot.calendar(runs, flags, tracked=tracked, ax=ax)
        figs["Every day of the season: run days shaded by distance, rest days grey, numbness as red dots."] = fig
    if features is not None and factors is not None and len(factors) and flags is not None:
        top = _top_numeric(factors, features)
        other = next((c for c in ("duration_min", "elapsed_min", "distance_km") if c in features and c != top), None)
        if top is not None and other is not None:
            fig, ax = _new(7, 4.8)
            plot.factor_scatter(features, other, top, flags, ax=ax)
            figs[f"The strongest numeric factor ({plot.pretty(top).lower()}) against "
                 f"{plot.pretty(other).lower()}, one point per run."] = fig
    return figs


def _top_numeric(factors: pd.DataFrame, features: pd.DataFrame) -> str | None:
    df = factors.sort_values("q_value", kind="stable") if "q_value" in factors else factors
    for f in df["factor"].astype(str):
        if f in features and pd.api.types.is_numeric_dtype(features[f].dtype) \
                and not pd.api.types.is_bool_dtype(features[f].dtype) and features[f].nunique() > 2:
            return f
    return None


def render_report(report, path=None, *, figures=None, title: str = "runlog: what goes with your numbness",
                  dpi: int = 110) -> str:
    """Render *report* as one self-contained HTML page.

    Parameters
    ----------
    report : Report
        :func:`runlog.analyze` output.  Uses ``findings`` (column
        ``sentence``), ``caveats`` (list of str), ``factors``, ``onset``,
        ``model`` and, when present, ``flags``/``features``/``runs`` for the
        plots and the headline numbers.
    path : str or PathLike, optional
        Where to write the page (written atomically: temporary file, then
        ``os.replace``).  Parent folders are created.
    figures : dict or list, optional
        {caption: Figure} or [(caption, Figure)] to embed; default
        :func:`default_figures`.  ``False`` embeds none.  Figures made here are
        closed after embedding.
    title : str
    dpi : int
        Resolution of the embedded PNGs [dots per inch].

    Returns
    -------
    str
        The HTML.
    """
    import matplotlib.pyplot as plt

    from . import __version__

    own = figures is None
    if figures is None:
        figures = default_figures(report)
    elif figures is False:
        figures = {}
    items = list(figures.items()) if isinstance(figures, Mapping) else list(figures)
    imgs = []
    for cap, fig in items:
        imgs.append(f"<figure><img alt='{_esc(cap)}' src='{figure_to_data_uri(fig, dpi=dpi)}'>"
                    f"<figcaption>{_esc(cap)}</figcaption></figure>")
        if own:
            plt.close(fig)

    findings = _findings_list(getattr(report, "findings", None))
    caveats = [str(c) for c in (getattr(report, "caveats", None) or [])]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        f"<p class='sub'>Generated {_dt.datetime.now():%Y-%m-%d %H:%M} by runlog {__version__}</p>",
        f"<div class='notice'><b>Not a diagnosis.</b> {_esc(NOT_A_DIAGNOSIS)}</div>",
    ]
    stats = _stats(report)
    if stats:
        parts.append("<div class='stats'>" + "".join(
            f"<div class='stat'><b>{_esc(v)}</b>{_esc(k)}</div>" for k, v in stats) + "</div>")
    parts.append("<h2 id='findings'>Findings</h2>")
    if findings:
        parts.append("<ul class='findings'>" + "".join(f"<li>{_esc(s)}</li>" for s in findings) + "</ul>")
    else:
        parts.append("<p>No factor stands out: none is associated with numbness clearly enough "
                     "(q &lt; 0.05) in this data.</p>")
    parts.append("<h2 id='caveats'>Caveats</h2>")
    parts.append("<ul>" + "".join(f"<li>{_esc(c)}</li>" for c in caveats) + "</ul>" if caveats
                 else "<p>None recorded.</p>")
    parts.append("<h2 id='factors'>All factors tested</h2>")
    parts.append(factors_table(getattr(report, "factors", None)))
    if imgs:
        parts.append("<h2 id='plots'>Plots</h2>")
        parts.extend(imgs)
    onset = getattr(report, "onset", None)
    onset_html = _frame_html(onset)
    if onset_html:
        parts.append("<h2 id='onset'>When numbness starts</h2>" + onset_html)
    model_html = _frame_html(getattr(report, "model", None))
    if model_html:
        parts.append("<h2 id='model'>Multivariable model</h2><p>All leading factors in one penalised "
                     "(Firth) logistic regression, each adjusted for the others.</p>" + model_html)
    parts.append("<h2 id='how-to-read'>How to read this report</h2><dl>" + "".join(
        f"<dt>{_esc(t)}</dt><dd>{_esc(d)}</dd>" for t, d in HOW_TO_READ) + "</dl>")
    parts.append("<footer>runlog reads your activity files and journal locally; nothing leaves your "
                 "computer.</footer></body></html>")
    page = "\n".join(parts)
    if path is not None:
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(page)
        os.replace(tmp, path)
    return page
