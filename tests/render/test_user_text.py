"""The runner's own text is data in every output (issue 25 items 2 and 7).

Shoe names, the levels and the names of notes columns and journal notes reach
the report inside our sentences and table cells.  Whatever they hold -- any
Unicode, ``$x^{$``, ``<script>``, ``[link](javascript:...)``, ``# heading``,
``a|b``, a carriage return -- each output shows exactly that text and nothing
else:

* report.md, parsed by markdown-it-py as a GitHub-flavoured viewer would
  (tables, strikethrough, autolinked addresses, raw HTML on): no element,
  link, image, emphasis or HTML that we did not write, every table keeps its
  shape, every cell and paragraph reads as the text it was given;
* the HTML page and the notebook view, parsed by html.parser: the same tags
  whatever the text, every cell's text as given;
* the plots: saved as PNG without error, the text drawn literally (never
  mathtext).

The property tests run the real analysis (``analyze_frames``, half a second)
on hand-made frames whose shoe names, notes column and its levels and
journal notes hypothesis chooses.
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
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from matplotlib import cbook
from matplotlib.text import Text

from runlog import cli, schema, simulate
from runlog.features.catalog import FEATURES
from runlog.render import html as htmlreport
from runlog.render import labels
from runlog.render.content import Bullets, Paragraph, Section, Table
from runlog.render.text import markdown_text, to_markdown, to_text
from runlog.report import analyze_frames

import synthetic_frames as tp

# ------------------------------------------------------------------ the runner's text
#: Pieces of markup a viewer would act on, mixed with arbitrary Unicode.
_MARKUP = ["<", ">", "&", "&lt;", "&#60;", "[", "]", "(", ")", "!", "*", "**", "_", "`", "~~", "|", "#", "# ",
           "- ", "+ ", "1. ", "> ", "=", "---", ".", ":", "/", "//", "@", "$", "$x^{$", "\\", "\\$", " ", "    ",
           "\t", "\r", "\n", "\r\n", "\u2028", "\x85", "\x00", "\x1b[31m", "http://", "https://evil.example/x",
           "www.", "evil.com", "a@b.org", "javascript:alert(1)", "<script>alert(1)</script>",
           "<img src=x onerror=alert(1)>", "[site](http://x.y)", "![i](x.png)", "<b>", "</td>", "x", "Pegasus 40",
           "é", "\u202e", "\U0001d518", "中文"]
USER_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=24),
    st.lists(st.sampled_from(_MARKUP), min_size=1, max_size=6).map("".join),
)


def markdown_text_plain(s) -> str:
    """What a one-line layout shows of *s*: line breaks as spaces, NUL as U+FFFD, no surrounding space."""
    return re.sub("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+", " ", str(s)).replace("\x00", "\ufffd").strip()


# ------------------------------------------------------------------ a report over the runner's text
def _notes_feature(col: str) -> schema.Feature:
    # as runlog.features.context.note_features describes a notes column it does not know
    return schema.Feature(col, "", "string", labels.NOTES_COLUMN_START + col + labels.NOTES_COLUMN_END,
                          "other", "categorical", True, "")


def user_report(shoes: list[str], col: str, levels: list[str], note: str):
    """The analysis of 50 hand-made runs (5 with numbness): air temperature, run duration, three pairs of
    shoes and a notes column with two levels, named by the runner."""
    rng = np.random.default_rng(1)
    runs = tp.synthetic_runs().assign(sport="running", tz="Europe/Berlin")
    n = len(runs)
    flags = tp.synthetic_flags(runs).assign(tracked=True)
    feats = pd.DataFrame({"duration_min": runs["elapsed_s"] / 60.0, "air_temp_c": 10 + 10 * rng.random(n),
                          "shoes": pd.array([shoes[i % 3] for i in range(n)], dtype="string"),
                          col: pd.array([levels[(i // 3) % 2] for i in range(n)], dtype="string")},
                         index=runs.index)
    catalog = {**FEATURES, col: _notes_feature(col)}
    episodes = tp.synthetic_episodes(runs).assign(notes=note, location="toes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = analyze_frames(feats, flags, runs=runs, catalog=catalog, episodes=episodes)
    assert rep.testable
    return rep


#: A shoe name or a level: text with something besides white space (a blank one is a run without a value,
#: which changes what the report holds, not how it shows text).
_LEVEL = USER_TEXT.filter(lambda s: s.strip() != "")
_NAMES = dict(
    shoes=st.lists(_LEVEL, min_size=3, max_size=3, unique=True),
    col=USER_TEXT.filter(lambda c: c not in FEATURES and c != "shoes"),
    levels=st.lists(_LEVEL, min_size=2, max_size=2, unique=True),
    note=USER_TEXT,
)
_SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def test_a_notes_column_is_named_as_the_runner_wrote_it():
    from runlog.features.context import notes_features

    idx = pd.Index(["a", "b"], name="run_id")
    notes = pd.DataFrame({"sleep (h); quality: good": ["x", "y"]}, index=idx)
    _, (feat,) = notes_features(notes, idx, set(FEATURES))
    # the description runlog writes is the one labels reads the column back from (not 'run notes column ...')
    assert labels.measure_label(feat.name, feat.description) == "sleep (h); quality: good (your notes)"
    assert _notes_feature("x").description == feat.description.replace("sleep (h); quality: good", "x")


# ------------------------------------------------------------------ Markdown
def _inline_text(tok) -> str:
    return "".join(c.content for c in (tok.children or []) if c.type in ("text", "text_special"))


def check_markdown(md: str, sections: list[Section] | None = None) -> None:
    """*md* parsed by a GitHub-flavoured Markdown viewer holds only what we wrote: no link, image, HTML,
    code, emphasis, quote or rule; tables whose rows are as wide as their header.  With *sections*
    (what *md* lays out): exactly our headings, one bold answer, and every paragraph, bullet, header and
    cell reads as the text it was given, each table one row per frame row."""
    tokens = MarkdownIt("gfm-like").parse(md)
    types = [t.type for t in tokens] + [c.type for t in tokens for c in (t.children or [])]
    for bad in ("link_open", "image", "html_inline", "html_block", "code_inline", "code_block", "fence", "em_open",
                "s_open", "blockquote_open", "hr", "ordered_list_open", "softbreak", "hardbreak"):
        assert bad not in types, (bad, md)
    rows, widths, cells = [], [], 0
    for t in tokens:
        if t.type == "tr_open":
            cells = 0
        elif t.type in ("th_open", "td_open"):
            cells += 1
        elif t.type == "tr_close":
            widths.append(cells)
        elif t.type == "table_close":
            rows.append(widths)
            widths = []
    assert all(len(set(w)) == 1 for w in rows), md
    if sections is None:
        return
    headings = [(t.tag, _inline_text(tokens[i + 1])) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[1:] == [("h2", markdown_text_plain(s.title)) for s in sections if s.title]
    want: list[str] = []
    for s in sections:
        for b in s.blocks:
            if isinstance(b, Paragraph):
                want += [markdown_text_plain(b.text)] if markdown_text_plain(b.text) else []
            elif isinstance(b, Bullets):
                want += [markdown_text_plain(i) for i in b.items if markdown_text_plain(i)]
            elif isinstance(b, Table):
                if len(b.frame):
                    want += [markdown_text_plain(c) for c in b.frame.columns]
                    want += [markdown_text_plain(v) for r in b.frame.itertuples(index=False) for v in r]
                else:
                    want += ["(none)"]
    body = [_inline_text(tokens[i + 1]) for i, t in enumerate(tokens)
            if t.type in ("paragraph_open", "th_open", "td_open")]
    assert body == want, md
    strong = [c for t in tokens for c in (t.children or []) if c.type == "strong_open"]
    bold = [b for s in sections for b in s.blocks if isinstance(b, Paragraph) and b.strong]
    assert len(strong) == sum(1 for b in bold if markdown_text_plain(b.text))
    tables = [b.frame for s in sections for b in s.blocks if isinstance(b, Table) and len(b.frame)]
    assert rows == [[f.shape[1]] * (len(f) + 1) for f in tables]


@_SETTINGS
@given(**_NAMES)
@example(shoes=["Pegasus $x^{$", "<script>alert(1)</script>", "Trail\r| Glide"], col="sleep | <b>h</b>",
         levels=["[site](javascript:alert(1))", "# big"], note="<img src=x onerror=alert(1)>")
def test_report_md_shows_the_runners_text_as_text(shoes, col, levels, note):
    rep = user_report(shoes, col, levels, note)
    check_markdown(rep.to_markdown(), rep.sections())


@settings(max_examples=300, deadline=None, derandomize=True)
@given(USER_TEXT, USER_TEXT, USER_TEXT)
def test_markdown_layout_keeps_any_text_as_text(para, item, cell):
    # the layout alone, on many more texts: a bold answer, a paragraph, bullets, a table of the text
    frame = pd.DataFrame({cell: [item, para], "Odds ratio": ["1.2", cell]})
    sections = [Section("answer", "", [Paragraph(para, strong=True), Paragraph(item)]),
                Section("x", cell, [Bullets([item, para]), Table(frame), Paragraph(cell)])]
    check_markdown(to_markdown(sections), sections)
    # the plain-text layout: one line per paragraph, no control character a terminal would act on
    text = to_text(sections, width=10_000)
    assert not any(ch in text for ch in "\r\x00\x1b\x85\u2028\x7f")


def test_markdown_regressions():
    # each of these went into report.md raw (issue 25 item 7)
    for raw, shown in [("<script>alert(1)</script>", "\\<script>alert(1)\\</script>"),
                       ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
                       ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)>"),
                       ("# Title", "\\# Title"), ("a|b", "a\\|b"), ("a\rb", "a b"), ("evil.com", "evil\\.com")]:
        assert markdown_text(raw) == shown
    # a carriage return in a cell no longer breaks the table
    t = Table(pd.DataFrame({"Measure": ["shoes worn = Trail\r| Glide"], "Odds ratio": ["2"]}))
    check_markdown(to_markdown([Section("x", "T", [t])]), [Section("x", "T", [t])])
    # a title's underline is as long as the title as shown (line breaks become one space)
    lines = to_text([Section("x", "Shoes\r\nworn", [Paragraph("p")])], title=False).splitlines()
    assert lines[:2] == ["Shoes worn", "-" * len("Shoes worn")]


# ------------------------------------------------------------------ HTML
class _Tags(HTMLParser):
    """Start tags with their attributes, and the text of every table cell."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple]] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, tuple(k for k, _ in attrs)))
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    p.close()
    return p


_PLAIN = user_report(["shoe A", "shoe B", "shoe C"], "my notes", ["level one", "level two"], "a note")


def _page_and_view(rep) -> tuple[str, str]:
    return rep.to_html(figures=False), rep._repr_html_()


@_SETTINGS
@given(**_NAMES)
@example(shoes=["Pegasus $x^{$", "<script>alert(1)</script>", "Trail\r| Glide"], col="sleep | <b>h</b>",
         levels=["[site](javascript:alert(1))", "</td></tr></table><img src=x onerror=alert(1)>"],
         note="<img src=x onerror=alert(1)>")
def test_html_page_and_notebook_view_show_the_runners_text_as_text(shoes, col, levels, note):
    rep = user_report(shoes, col, levels, note)
    for got, plain in zip(_page_and_view(rep), _page_and_view(_PLAIN)):
        g, p = _parse(got), _parse(plain)
        # the same elements and attributes as with plain names: nothing added, nothing broken
        assert g.tags == p.tags
        assert not any(t in ("script", "img", "a", "iframe") for t, _ in g.tags)
        # every cell reads as the content model wrote it
        want = [str(v) for s in rep.sections() for b in s.blocks if isinstance(b, Table) and len(b.frame)
                for v in [*b.frame.columns, *(x for r in b.frame.itertuples(index=False) for x in r)]]
        assert g.cells == want


# ------------------------------------------------------------------ plots
def _drawn(fig) -> list[str]:
    """The texts of a saved figure as matplotlib draws them (mathtext parsed, '\\$' shown as '$')."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)   # raises on a text matplotlib cannot draw
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    out = []
    for t in fig.findobj(Text):
        s = t.get_text()
        if s and t.get_visible():
            assert not cbook.is_math_text(s), s   # never read as mathtext
            out.append(s.replace("\\$", "$"))
    return out


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(**_NAMES)
@example(shoes=["Pegasus $x^{$", "$\\frac{1}{$", "Trail Glide"], col="sleep $h$", levels=["$a$", "b$"],
         note="$x$")
def test_plots_draw_the_runners_text_literally(shoes, col, levels, note):
    rep = user_report(shoes, col, levels, note)
    figures = htmlreport.default_figures(rep)
    figures["Report.plot()"] = rep.plot()
    texts: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # a glyph missing from the font is drawn as a box, not an error
            for fig in figures.values():
                texts += _drawn(fig)
    finally:
        plt.close("all")
    # the shoe the cause test chose is named in the cause plot, as written (up to line breaks)
    chosen = rep.causes.set_index("cause").loc["footwear", "level"]
    assert any(str(chosen) in t for t in texts)


def test_plot_regression_dollar_pair_in_a_shoe_name():
    # 'Pegasus $x^{$' made savefig raise matplotlib's mathtext ParseSyntaxException (issue 25 item 2)
    from synthetic_report import synthetic_report

    rep = synthetic_report()
    rep.causes["level"] = [None, "Pegasus $x^{$ 40", None]
    assert rep.to_html().startswith("<!DOCTYPE html>")
    figures = htmlreport.default_figures(rep)
    try:
        forest = _drawn(next(iter(figures.values())))
    finally:
        plt.close("all")
    assert "Run length: duration 'Pegasus $x^{$ 40' (per 30 min)" in forest


@pytest.mark.slow
def test_runlog_report_with_markup_in_the_shoe_names(simulated, tmp_path):
    # the command end to end on the demo season, its shoes renamed: no traceback, the text as text
    season = simulated("hydration", seed=simulate.DEMO_SEED)
    notes = pd.read_csv(season.notes_csv)
    names = {n: f"{n} $x^{{$ <script>alert(1)</script> [x](javascript:alert(1)) a|b"
             for n in notes["shoes"].dropna().unique()}
    notes["shoes"] = notes["shoes"].map(lambda v: names.get(v, v))
    path = tmp_path / "notes.csv"
    notes.to_csv(path, index=False)
    out = tmp_path / "out"
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = cli.main(["report", str(season.gpx_dir), "--episodes", str(season.episodes_csv), "--notes",
                         str(path), "--weather", str(season.weather_csv), "--out", str(out), "--no-cache"])
    assert code == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<script|(?<!\\)\]\(javascript|(?<!\\)\$x", md)
    assert "\\<script>alert(1)\\</script>" in md
    check_markdown(md)
