"""Every layout of a report speaks plain words: no code name a runner would have to decode (issue 24).

Two reports go through every layout a runner reads -- the command's screen,
plain text, Markdown (rendered by a Markdown parser), the notebook view, the
HTML page and every plot of it: the first week of a runner with four episodes
on the bundled real files (``tests/data/journals/four_episodes.csv``: too few
to test, so the "runs so far" table), and the simulated demo season (tested:
the By cause and All measures tables).  The visible text must hold no
catalogued column name (features, the schema's frames, the report's own
frames), no other ``snake_case`` word, no code abbreviation in lower case
(``qcd``, ``trimp``) and no bare ``AU`` or ``1/min``.  Code names stay where a
program reads them: ``Report.factors`` and ``factors.csv`` (and the hover text
of the HTML tables).
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from markdown_it import MarkdownIt
from matplotlib.text import Text

from runlog import cli, schema, simulate
from runlog.analysis import causes as causes_mod
from runlog.analysis import onset as onset_mod
from runlog.analysis import stats
from runlog.features.catalog import FEATURES
from runlog.render import html as htmlreport
from runlog.render import wording

#: Abbreviations as code writes them (in lower case); a label may use the acronym ('TRIMP') in capitals.
CODE_WORDS = {"qcd", "trimp", "rpe", "tz", "acwr", "ewma", "tsb", "ctl", "atl", "wbgt", "hrr", "gct", "au"}


def catalogued_names() -> set[str]:
    """Every name the code gives a column, a status or a reason: features, the schema's frames, the
    columns of the report's frames and the analysis' codes."""
    names = set(FEATURES)
    for table in (schema.RECORD_COLUMNS, schema.LAP_COLUMNS, schema.RUN_COLUMNS, schema.EPISODE_COLUMNS,
                  schema.NOTES_COLUMNS, schema.INFO_KEYS):
        names |= set(table)
    for cols in (wording.CAUSE_COLUMNS, wording.FINDING_COLUMNS, wording.FACTOR_TABLE_COLUMNS,
                 onset_mod.SUMMARY_COLUMNS, onset_mod.AT_ONSET_COLUMNS, stats.NOT_TESTED_COLUMNS,
                 causes_mod.EFFECT_COLUMNS):
        names |= set(cols)
    names |= set(causes_mod.STATUSES) | set(causes_mod.REASONS) | set(causes_mod.EFFECT_KINDS)
    return {str(n) for n in names}


#: The code names a runner must not read: those with an underscore or a code abbreviation.
CODE_NAMES = sorted(n for n in catalogued_names() if "_" in n or n.lower() in CODE_WORDS)
_CODE = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, CODE_NAMES + sorted(CODE_WORDS)))
                   + r")(?![\w/-])")
#: Any other snake_case word, catalogued or not.
_SNAKE = re.compile(r"(?<![\w/.-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w/-])")
#: A unit a runner cannot read: arbitrary units without a word, heart rate as '1/min'.
_BARE_UNIT = re.compile(r"(?<![\w])AU(?![\w])|(?<![\w/])1/min(?![\w])")


_FILE = re.compile(r"\.(fit|gpx|tcx|csv|md|html|zip|gz|toml|json)\b", re.IGNORECASE)


#: A run-notes column the report asks the runner to add ('a fluid_ml column in your run notes'): a name to
#: type, not one to decode.
_TO_ADD = re.compile(r"\ba (" + "|".join(map(re.escape, schema.NOTES_COLUMNS)) + r") column in your run notes")


def code_words_in(text: str) -> list[str]:
    """The code names, snake_case words and bare units in *text* (paths, file names and run-notes columns
    the report asks for left out)."""
    text = _TO_ADD.sub("a column in your run notes", " ".join(text.split()))
    prose = " ".join(w for w in text.split() if "/" not in w and not _FILE.search(w))
    found = [m.group(0) for m in _CODE.finditer(prose)] + [m.group(0) for m in _SNAKE.finditer(prose)]
    found += [m.group(0) for m in _BARE_UNIT.finditer(text)]
    return sorted(set(found))


class _Visible(HTMLParser):
    """The text a reader sees in an HTML page: text outside <style>/<script>, and images' alt texts
    (hover texts, the ``title`` attributes, may name the code)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._hidden += 1
        self.parts += [v for k, v in attrs if k == "alt" and v]

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_html(page: str) -> str:
    p = _Visible()
    p.feed(page)
    p.close()
    return " ".join(p.parts)


def visible_markdown(md: str) -> str:
    return visible_html(MarkdownIt("commonmark").enable("table").render(md))


def figure_texts(fig) -> str:
    """Every visible text of a drawn figure: titles, axis labels, tick labels, legends, annotations."""
    fig.canvas.draw()
    return " ".join(t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text())


def layouts(report, history, cli_text: str) -> dict[str, str]:
    """The visible text of every layout of *report*, by layout."""
    out = {"command": cli_text, "text": report.to_text(), "markdown": visible_markdown(report.to_markdown()),
           "notebook": visible_html(report._repr_html_())}
    figures = htmlreport.default_figures(report, history)
    out["page"] = visible_html(report.to_html(figures=dict(figures)))
    for caption, fig in figures.items():
        out[f"plot: {caption[:40]}"] = figure_texts(fig)
    plt.close("all")
    fig = report.plot()
    out["Report.plot()"] = figure_texts(fig)
    plt.close(fig)
    return out


def run_command(path, episodes, **kw):
    """What ``runlog report`` prints and the report it writes: the import lines and the first screen."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report, hist = cli._analyse(path, episodes, cache=False, settings=False, **kw)
        cli._print_findings(report)
    return report, hist, buf.getvalue()


def assert_plain(views: dict[str, str]) -> None:
    bad = {k: code_words_in(v) for k, v in views.items()}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"code names a runner reads: {bad}"


@pytest.fixture(scope="module")
def first_week(data_dir):
    """The runner's first week: the bundled real files, a journal of four episodes (too few to test)."""
    report, hist, said = run_command(data_dir, data_dir / "journals" / "four_episodes.csv")
    assert not report.testable and report.n_episodes == 4
    return report, hist, said


@pytest.fixture(scope="module")
def demo(simulated, tmp_path_factory):
    """The demo season as ``runlog demo`` analyses it (tested: a finding, all measures)."""
    season = simulated("hydration", seed=simulate.DEMO_SEED)
    report, hist, said = run_command(season.gpx_dir, season.episodes_csv, notes_csv=season.notes_csv,
                                     weather_csv=season.weather_csv, tracked=season.tracked)
    assert report.testable and len(report.findings)
    return report, hist, said


def test_code_names_are_caught():
    # the check itself: each kind of code name the issue found is caught, plain words pass
    for said in ("sub_sport", "avg_speed_mps 2.89 [2.45-3.28]", "acwr_ewma <0.001", "trimp AU",
                 "km_median | n_censored | qcd | reproducible", "per 10 1/min", "not_clear_adjusted"):
        assert code_words_in(said), said
    plain = ("average speed 2.89 m/s; TRIMP, training impulse, per 50 load units; heart rate 120 beats/min; "
             "read /tmp/x_y/report.md and fitparse__Activity.fit; a 1/2 marathon")
    assert code_words_in(plain) == []


def test_first_week_report_speaks_plain_words(first_week):
    report, hist, said = first_week
    views = layouts(report, hist, said)
    assert "The runs so far" in views["text"]   # the table the issue found code names in
    assert_plain(views)


def test_demo_report_speaks_plain_words(demo):
    report, hist, said = demo
    views = layouts(report, hist, said)
    assert "All measures" in views["page"] and "By cause" in views["markdown"]
    assert_plain(views)


def test_code_names_stay_where_a_program_reads_them(demo):
    report, _, _ = demo
    # Report.factors and factors.csv keep the column names (a script joins them to run_features)
    assert set(report.factors["factor"]) <= set(FEATURES) | set(schema.NOTES_COLUMNS) | {"fluid_ml"}
    csv = pd.read_csv(io.StringIO(report.to_csv()))
    assert "air_temp_c" in set(csv["factor"])
    # the page's measures table says what each measure is on hover (the catalogue's description)
    page = report.to_html(figures=False)
    assert re.search(r"<td title='[^']+'>air temperature</td>", page)
