"""The experiment's plot and HTML section."""

from __future__ import annotations

import datetime as _dt
import html
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._words import confidence, p_text, pct, points, ratio

if TYPE_CHECKING:
    from ._analysis import Experiment


def plot_experiment(res: Experiment):
    """One panel per level: the runs under it in date order (numb runs marked) and the risk with its 95 % CI.

    Parameters
    ----------
    res : Experiment
        :func:`analyze` output.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    levels = list(res.plan.levels)
    a = res.runs[res.runs["analysed"]]
    fig, axes = plt.subplots(len(levels), 1, figsize=(7.5, 1.3 + 1.2 * len(levels)), sharex=True, squeeze=False)
    x0 = a["date"].min() if len(a) else res.plan.start
    for ax, lv in zip(axes[:, 0], levels):
        g = a[a["assigned"] == lv]
        days = (pd.to_datetime(g["date"]) - x0).dt.days.to_numpy() if len(g) else np.zeros(0)
        numb = g["numb"].to_numpy(dtype=bool)
        ax.scatter(days[~numb], np.zeros((~numb).sum()), marker="|", s=160, color="0.55", label="run")
        ax.scatter(days[numb], np.zeros(numb.sum()), marker="o", s=60, color="#c0392b", label="numb")
        r = res.levels.loc[lv]
        risk = "–" if not np.isfinite(r["risk"]) else f"{r['risk']:.0%} [{r['lo']:.0%}, {r['hi']:.0%}]"
        name = str(lv).replace("$", r"\$")  # a '$' in a level name is text, not matplotlib mathtext
        ax.set_title(f"{name}: {int(r['numb_runs'])} of {int(r['runs'])} runs numb, risk {risk}", fontsize=9,
                     loc="left")
        ax.set_yticks([])
        ax.set_ylim(-1, 1)
        ax.spines[["left", "right", "top"]].set_visible(False)
    axes[-1, 0].set_xlabel(f"days since {pd.Timestamp(x0):%d %b %Y}")
    axes[0, 0].legend(loc="upper right", fontsize=8, frameon=False, ncol=2)
    fig.tight_layout()
    return fig


def experiment_html(res: Experiment, *, figure: bool = True) -> str:
    """The experiment section of a report page.

    Parameters
    ----------
    res : Experiment
        :func:`analyze` output.
    figure : bool
        Embed :func:`plot_experiment` as a PNG.

    Returns
    -------
    str
        ``<section id='experiment'>`` with the answer, what the data can and
        cannot show, the per-level tables, the comparisons, the looks, the
        deviations and the plot.
    """
    e = html.escape
    parts = ["<section id='experiment'><h2>Your experiment</h2>",
             f"<p class='answer'>{e(res.answer)}</p>",
             "<h3>What this can show</h3><ul>" + "".join(f"<li>{e(x)}</li>" for x in res.can_show) + "</ul>",
             "<h3>What this cannot show</h3><ul>" + "".join(f"<li>{e(x)}</li>" for x in res.cannot_show) + "</ul>"]

    def table(df: pd.DataFrame) -> str:
        rows = "".join(
            f"<tr><td>{e(str(lv))}</td><td>{int(r['runs'])}</td><td>{int(r['numb_runs'])}</td>"
            f"<td>{pct(r['risk'])}</td>"
            f"<td>{'–' if not np.isfinite(r['lo']) else pct(r['lo']) + '–' + pct(r['hi'])}</td>"
            f"<td>{'–' if not np.isfinite(r['onset_median_min']) else format(r['onset_median_min'], '.0f')}</td></tr>"
            for lv, r in df.iterrows())
        return ("<table><tr><th>Level</th><th>Runs</th><th>Numb runs</th><th>Risk</th><th>95 % CI</th>"
                "<th>Median onset [min]</th></tr>" + rows + "</table>")

    parts.append("<h3>As assigned (randomised)</h3>" + table(res.levels))
    parts.append(f"<p>{e(res.test.describe())}.</p>")
    if len(res.difference) and not (res.interim and not res.test.crossed):
        holm = "p_holm" in res.difference.columns
        rows = "".join(
            f"<tr><td>{e(str(r['level']))} minus {e(str(r['reference']))}</td><td>{points(r['difference'])}</td>"
            f"<td>{points(r['lo'])} to {points(r['hi'])} ({confidence(r['confidence'])})</td>"
            f"<td>{ratio(r['odds_ratio'])} ({ratio(r['or_lo'])} to {ratio(r['or_hi'])})</td>"
            f"<td>{p_text(r['p_value'])}</td>" + (f"<td>{p_text(r['p_holm'])}</td>" if holm else "") + "</tr>"
            for _, r in res.difference.iterrows())
        parts.append("<table><tr><th>Comparison</th><th>Difference [points]</th><th>Interval (the test "
                     "inverted)</th><th>Odds ratio</th><th>p (this look)</th>" + ("<th>p (Holm)</th>" if holm else "")
                     + "</tr>" + rows + "</table>")
    if len(res.looks) > 1 or res.interim:
        rows = "".join(
            f"<tr><td>{int(r['look'])}</td><td>{_until_text(r['until'])}</td><td>{int(r['runs'])}</td>"
            f"<td>{int(r['numb_runs'])}</td><td>{p_text(r['p_value'])}</td>"
            f"<td>{'≤ ' + p_text(r['boundary']) if r['boundary'] > 0 else 'not reachable'}</td>"
            f"<td>{'yes' if r['crossed'] else ''}</td></tr>" for _, r in res.looks.iterrows())
        parts.append("<h3>Looks</h3><table><tr><th>Look</th><th>Data to</th><th>Runs</th><th>Numb runs</th>"
                     "<th>p</th><th>Boundary</th><th>Crossed</th></tr>" + rows + "</table>")
    if len(res.deviations):
        parts.append("<h3>As actually used (exploratory)</h3>" + table(res.followed))
        dev = res.deviations
        parts.append("<details><summary>Runs that used the other level "
                     f"({len(dev)})</summary><table><tr><th>Date</th><th>Assigned</th><th>Used</th><th>Numb</th>"
                     "</tr>" + "".join(
                         f"<tr><td>{pd.Timestamp(r['date']):%Y-%m-%d}</td><td>{e(str(r['assigned']))}</td>"
                         f"<td>{e(str(r['used']))}</td><td>{'yes' if r['numb'] else ''}</td></tr>"
                         for _, r in dev.iterrows()) + "</table></details>")
    if res.notes:
        parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in res.notes) + "</ul>")
    if figure:
        import matplotlib.pyplot as plt

        from ..render.html import figure_to_data_uri

        fig = plot_experiment(res)
        parts.append(f"<figure><img alt='runs per level' src='{figure_to_data_uri(fig)}'><figcaption>Each level's "
                     "runs in date order; red dots are runs with numbness.</figcaption></figure>")
        plt.close(fig)
    parts.append(f"<p class='sub'>Plan: {e(res.plan.describe())}. References: CENT 2015 (Vohra et al., BMJ "
                 "350:h1738); Edgington &amp; Onghena, Randomization Tests, 4th ed. 2007; Lan &amp; DeMets, "
                 "Biometrika 1983; Imbens &amp; Rosenbaum, JRSS A 2005.</p></section>")
    return "".join(parts)


def _until_text(u) -> str:
    return f"{pd.Timestamp(u):%a %d %b %Y}" if isinstance(u, pd.Timestamp) else f"run {int(u)}"


def experiment_page(res: Experiment, section: str) -> str:
    """A self-contained HTML page around the experiment's *section* (:func:`experiment_html`)."""
    from .._version import __version__
    from ..render.html import PAGE_CSS

    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>runlog experiment: {html.escape(res.plan.factor)}</title><style>{PAGE_CSS}</style></head>"
            f"<body><h1>runlog: your experiment on {html.escape(res.plan.factor)}</h1>{section}"
            f"<footer>Generated {_dt.datetime.now():%Y-%m-%d %H:%M} by runlog {__version__}.</footer>"
            "</body></html>")
