"""runlog.render.html: the report's sections as a self-contained page and as the notebook view."""

from __future__ import annotations

import base64
import re
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from synthetic_report import ANSWER, NO_ANSWER, after_title, synthetic_report

from runlog.render import html as htmlreport

import synthetic_frames as tp


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
    assert "goes with numbness only through heat (articles: run length)" in table
    assert "main measure of heat" in table and "measured during the run (articles: terrain)" in table
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
