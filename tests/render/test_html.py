"""runlog.render.html: the report's sections as a self-contained page and as the notebook view."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from synthetic_report import ANSWER, NO_ANSWER, after_title, synthetic_report, with_old_run

from runlog.features.catalog import FEATURES
from runlog.render import html as htmlreport

import synthetic_frames as tp

ROOT = Path(__file__).resolve().parents[2]


def test_render_report_is_self_contained(tmp_path):
    path = tmp_path / "sub" / "report.html"
    page = htmlreport.render_report(synthetic_report(), path)
    assert path.read_text(encoding="utf-8") == page
    # the report's own to_html gives the same page (up to the time stamp)
    other = synthetic_report().to_html(figures=False)
    assert "odds 2.5 times higher" in other
    # the answer first, right after the title; then the finding paragraph as the report words it, escaped
    assert after_title(page) == f"<p class='answer' id='answer'>{ANSWER}</p>"
    assert "odds 2.5 times higher" in page and "Second &lt;finding&gt; &amp; more." in page
    assert ("<div class='findings'><p><span class='cause' style='background:#7f7f7f'>heat</span> "
            "Numbness went with hotter") in page
    assert page.index(ANSWER) < page.index("Numbness went with hotter") < page.index("Not a diagnosis")
    assert "Cause:" not in page
    # the By cause table, from the report's sections, before the plots and the measures
    causes = re.search(r"<table class='causes'>.*?</table>", page, re.S).group(0)
    assert causes.count("<tr") == 1 + 3 and causes.count("class=sig") == 1
    # odds ratios as runlog.units.ratio_text writes them everywhere: no trailing zeros
    assert "<td>heat</td><td>air temperature</td><td class='num'>2.5</td><td>per 5 °C</td>" in causes
    assert "<td>goes with numbness only through heat</td>" in causes
    assert "<td>not testable: too few runs in other shoes</td>" in causes
    assert page.index("id='by-cause'") < page.index("id='plots'") < page.index("id='factors'")
    assert "Only 4 runs with numbness" in page and "Not a diagnosis" in page
    assert "<h3 id='notes'>Notes on the data</h3><ul><li>1 run(s) with numbness outside" in page
    # the measures table: one row per measure, the finding's shaded
    table = re.search(r"<table class='factors'>.*?</table>", page, re.S).group(0)
    assert table.count("<tr") == 1 + 5
    assert table.count("class=sig") == 1 and ">air temperature</td>" in table and "avg_temp_c" not in table
    # what each measure is, as the report says it (cause labels from report.causes)
    assert "goes with numbness only through heat (a measure of run length)" in table
    assert "main measure of heat" in table and "measured during the run (a measure of terrain)" in table
    assert "articles:" not in page   # which articles? (issue 24)
    # 1.4 to 4.4 interval of the first measure, as in the text and Markdown; 4 numb runs of 45
    assert "<td class='num'>1.4 to 4.4</td>" in table and "<td class='num'>4 / 45</td>" in table
    # embedded PNGs: forest, onset, load, calendar, scatter
    imgs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(imgs) == 5
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in imgs)
    # nothing loaded from elsewhere
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_render_report_untestable():
    from runlog.report import Report

    rep = Report(n_runs=12, n_numb_runs=1, n_episodes=1, testable=False, caveats=["c"])
    page = htmlreport.render_report(rep, figures=False)
    # the report's own words for why nothing was tested, first; the runs so far instead of the measures
    assert after_title(page).startswith("<p class='answer' id='answer'>Testing is not possible yet")
    assert "id='runs-so-far'" in page and "id='factors'" not in page
    assert "data:image/png" not in page and "<table class='causes'>" not in page


def test_render_report_without_a_finding():
    page = htmlreport.render_report(synthetic_report(finding=False), figures=False)
    assert after_title(page) == f"<p class='answer' id='answer'>{NO_ANSWER}</p>"
    assert "<div class='findings'>" not in page and "class=sig" not in page
    causes = re.search(r"<table class='causes'>.*?</table>", page, re.S).group(0)
    assert "<td>no clear link</td>" in causes


def test_render_report_duck_typed():
    # any object with the report's attributes works
    rep = SimpleNamespace(factors=tp.synthetic_factors().assign(finding=[True, False, False, False, False]),
                          findings=pd.DataFrame({"sentence": ["A."]}), caveats=[], onset=None, answer="B.")
    page = htmlreport.render_report(rep, figures=False)
    assert after_title(page) == "<p class='answer' id='answer'>B.</p>"
    assert "<p>A.</p>" in page and page.count("class=sig") == 1


def test_notebook_view_is_the_sections():
    rep = synthetic_report()
    view = rep._repr_html_()
    assert view == htmlreport.sections_html(rep.sections())
    assert view.startswith("<h3>runlog report: what goes with your numbness</h3><p><b>")
    assert [t for t in re.findall(r"<h4>(.*?)</h4>", view)] == [s.title for s in rep.sections() if s.title]


def test_default_figures_cover_the_journal_period_and_say_what_is_drawn():
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    rep = with_old_run(synthetic_report())
    records = tp.synthetic_records().drop(columns="temp_c")   # a watch without a temperature sensor
    history = SimpleNamespace(run=lambda rid: records)
    figs = htmlreport.default_figures(rep, history)
    try:
        caps = list(figs)
        # the journal period: 11 Mar 2024 (first tracked run) to the last run, not the 2012 run before it
        first, last = pd.Timestamp("2024-03-11"), rep.runs["start_local"].max().normalize()
        span = f"11 Mar to {last.day} {last:%b %Y}"
        load_cap = next(c for c in caps if c.startswith("Training load"))
        assert load_cap == (f"Training load in the journal period ({span}), from heart rate (or pace); red lines "
                            "mark runs with numbness.")
        ax = figs[load_cap].axes[0]
        lo, hi = (pd.Timestamp(mdates.num2date(v)).tz_localize(None) for v in ax.get_xlim())
        assert lo == first and hi == last + pd.Timedelta(days=1)
        xs = np.concatenate([ln.get_xdata() for ln in ax.get_lines() if len(ln.get_xdata()) > 2])
        assert pd.Timestamp(xs.min()) >= first   # no line drawn back to 2012
        cal_cap = next(c for c in caps if c.startswith("Every day"))
        assert cal_cap.startswith(f"Every day of the journal period ({span}): ")  # 11 Mar 2024 is a Monday
        assert "hatched" not in cal_cap and "2012" not in cal_cap
        # the trace: the panels drawn, named; no temperature panel, so no temperature in the caption
        trace_cap = next(c for c in caps if c.startswith("The most recent run with numbness"))
        assert trace_cap.endswith(": pace, heart rate and cadence (30-second averages), the onset marked in red.")
        assert len(figs[trace_cap].axes) == 3
        assert [a.get_ylabel() for a in figs[trace_cap].axes] == ["Pace [min/km]", "Heart rate [beats/min]",
                                                                  "Cadence [steps/min]"]
    finally:
        for f in figs.values():
            plt.close(f)


def _drawn_inches(fig):
    """The box of everything *fig* draws once laid out for the page [inches]: what bbox_inches='tight' keeps."""
    htmlreport.figure_to_data_uri(fig)   # lays the figure out at the page's dpi, as the page saves it
    return fig.get_tightbbox(fig.canvas.get_renderer())


def test_page_figures_hold_everything_they_draw():
    # the page saves a laid-out figure as it is (no second, cropping draw), so nothing may stick out:
    # not the forest plot's legend beside its q-values, not the calendar's legend or colour bar label
    import matplotlib.pyplot as plt

    rep = with_old_run(synthetic_report())
    history = SimpleNamespace(run=lambda rid: tp.synthetic_records())
    figs = htmlreport.default_figures(rep, history)
    try:
        assert any(c.startswith("Each possible cause") for c in figs) and any(c.startswith("Every day") for c in figs)
        for cap, fig in figs.items():
            box = _drawn_inches(fig)
            w, h = fig.get_size_inches()
            tol = 1.0 / fig.dpi   # a pixel
            assert box.x0 >= -tol and box.y0 >= -tol and box.x1 <= w + tol and box.y1 <= h + tol, (cap[:40], box, w, h)
            png = base64.b64decode(htmlreport.figure_to_data_uri(fig, dpi=110).split(",", 1)[1])
            assert png[16:24] == np.array([round(w * 110), round(h * 110)], dtype=">u4").tobytes()   # not cropped
        forest = next(f for c, f in figs.items() if c.startswith("Each possible cause"))
        ax = forest.axes[0]
        legend = ax.get_legend().get_window_extent()
        q_labels = [t.get_window_extent() for t in ax.texts if t.get_text().startswith("q")]
        assert q_labels and legend.x0 > max(b.x1 for b in q_labels)   # beside the q-values, not over them
    finally:
        for f in figs.values():
            plt.close(f)


def test_a_figure_without_a_layout_is_cropped_to_what_it_draws():
    # a caller's figure without a layout engine: cropped (bbox_inches='tight'), so a label set outside
    # the axes' box is kept, as before
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_ylabel("a long label " * 3)
    try:
        png = base64.b64decode(htmlreport.figure_to_data_uri(fig, dpi=100).split(",", 1)[1])
        width, height = np.frombuffer(png[16:24], dtype=">u4")
        assert (width, height) != (400, 300)
    finally:
        plt.close(fig)


def test_column_reference_markdown_covers_every_column_and_feature():
    from runlog import schema

    md = htmlreport.column_reference_markdown()
    for table in (schema.RECORD_COLUMNS, schema.LAP_COLUMNS, schema.RUN_COLUMNS, schema.EPISODE_COLUMNS,
                  schema.NOTES_COLUMNS):
        for name, col in table.items():
            assert f"| `{name}` | {col.unit} |" in md
    assert len(FEATURES) > 30
    for f in FEATURES.values():
        assert f"| `{f.name}` | {f.unit} | {f.cause} | {'yes' if f.candidate else 'no'} |" in md
    # a pipe inside a description would break the Markdown table
    rows = [ln for ln in md.splitlines() if ln.startswith("| `")]
    assert all(ln.replace("\\|", "").count("|") in (4, 7) for ln in rows)


def test_readme_column_reference_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- column-reference:start -->\n", "<!-- column-reference:end -->"
    block = text[text.index(start) + len(start):text.index(end)]
    assert block == htmlreport.column_reference_markdown(), (
        "README.md's column reference is out of date: replace the text between the column-reference markers "
        "with the output of `.venv/bin/runlog columns`")
