"""The report's sections as plain text, as Markdown, and its measures as CSV for a spreadsheet.

Layouts of :func:`runlog.render.content.report_sections`: they add no word
of their own (but the report's title) and decide nothing.  The sections hold
the runner's own text (shoe names, notes columns and their values), so every
layout writes text as data: Markdown escapes whatever a Markdown viewer would
run (:func:`markdown_text`), plain text drops control characters
(:func:`plain_text`), and a text cell of the CSV cannot become a formula
(:func:`spreadsheet_safe`).
"""

from __future__ import annotations

import re
import textwrap

import pandas as pd

from .content import Bullets, Paragraph, Section, Table

__all__ = ["TITLE", "to_text", "to_markdown", "text_table", "markdown_table", "markdown_text", "plain_text",
           "spreadsheet_safe", "cell_safe", "FORMULA_STARTS"]

#: The report's title, the first line of every layout.
TITLE = "runlog report: what goes with your numbness"
#: Width of the plain-text layout [characters].
WIDTH = 100

#: Line breaks of any kind (those str.splitlines splits at, CommonMark's \r among them): a cell or a
#: paragraph is one line in every layout.
_LINE_BREAKS = re.compile("[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")
#: Other control characters (C0, DEL, C1): a terminal would act on them (ESC starts an escape sequence).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


def plain_text(text) -> str:
    """*text* as one line of plain text: line breaks as spaces, control characters as U+FFFD.

    Parameters
    ----------
    text : object
        A paragraph, bullet or cell (the runner's text among ours).

    Returns
    -------
    str
    """
    return _CONTROLS.sub("\ufffd", _LINE_BREAKS.sub(" ", str(text)))


#: Characters escaped wherever they stand: the backslash, emphasis, code, links and images, table
#: cells, strikethrough, math (GitHub renders $...$), e-mail autolinks and headings (a '#' ends one too).
_MD_ALWAYS = re.compile(r"[\\`*_\[\]|~$@#]")
#: ... and where they would start something: raw HTML and autolinks ('<' before a letter, '/', '!' or
#: '?'), entities ('&' before a name or '#'), web addresses a viewer links by itself ('example.com',
#: 'www.x', 'http://', '//x') ...
_MD_CONTEXT = [
    (re.compile(r"<(?=[A-Za-z/!?])"), r"\\<"),
    (re.compile(r"&(?=[A-Za-z0-9#])"), r"\\&"),
    (re.compile(r"(?<=\w)\.(?=[^\W\d_])"), r"\\."),
    (re.compile(r":(?=/)"), r"\\:"),
    (re.compile(r"/(?=/)"), r"\\/"),
]
#: ... and, in a paragraph or a bullet (not in a table cell, which holds no block), a list, quote,
#: setext line or ordered list ('1. ') at the start.
_MD_BLOCK = [
    (re.compile(r"^([+\-=>])"), r"\\\1"),
    (re.compile(r"^(\d{1,9})([.)])(?=\s|$)"), r"\1\\\2"),
]


def markdown_text(text, *, block: bool = True) -> str:
    r"""*text* as Markdown that shows exactly that text: no markup, link, image or HTML of its own.

    The runner's shoe names, notes columns and their values reach report.md
    inside our sentences and cells; a name like ``<img src=x onerror=...>``,
    ``[site](javascript:...)``, ``# Title`` or ``a|b`` must read as written
    and must not break a table.  The text becomes one line (line breaks, ``\r``
    among them, as spaces; NUL as U+FFFD, as CommonMark reads it), without
    the surrounding white space, and every character that a CommonMark or
    GitHub-flavoured viewer (tables, strikethrough, autolinked web and
    e-mail addresses, math) would read as markup gets a backslash, which
    CommonMark allows before any ASCII punctuation.

    Parameters
    ----------
    text : object
        A paragraph, bullet, title, header or cell.
    block : bool
        False for a table cell: a cell holds no block, so its start ('-3', '>0.99') stays as written.

    Returns
    -------
    str
        The escaped text; it renders as *text* (up to line breaks and the
        white space around it).

    References
    ----------
    CommonMark Spec 0.31.2, section 2.4 (backslash escapes), https://spec.commonmark.org/0.31.2/;
    GitHub Flavored Markdown Spec, section 6.9 (autolinks extension), https://github.github.com/gfm/
    """
    s = _LINE_BREAKS.sub(" ", str(text)).replace("\x00", "\ufffd").strip()
    s = _MD_ALWAYS.sub(lambda m: "\\" + m.group(0), s)
    for pattern, repl in _MD_CONTEXT + (_MD_BLOCK if block else []):
        s = pattern.sub(repl, s)
    return s


def text_table(t: Table) -> str:
    """A table as fixed-width text (columns left-aligned, two spaces apart).

    Parameters
    ----------
    t : Table
        A table of the content model.

    Returns
    -------
    str
        Header, a rule, one line per row; '(none)' when the table is empty.
    """
    df = t.frame
    if df is None or len(df) == 0:
        return "(none)"
    cols = [plain_text(c) for c in df.columns]
    rows = [[plain_text(v) for v in r] for r in df.itertuples(index=False)]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def to_text(sections: list[Section], *, width: int = WIDTH, title: bool = True) -> str:
    """The sections as plain text: titles underlined, paragraphs wrapped at *width*, '* ' bullets.

    Parameters
    ----------
    sections : list of Section
        :func:`runlog.render.content.report_sections`.
    width : int
        Line width for paragraphs and bullets [characters].
    title : bool
        Start with the report's title.

    Returns
    -------
    str
    """
    out = [TITLE, "=" * len(TITLE)] if title else []
    for s in sections:
        if s.title:
            shown = plain_text(s.title)
            out += [shown, "-" * len(shown)]
        for b in s.blocks:
            if isinstance(b, Paragraph):
                out += [textwrap.fill(plain_text(b.text), width=width), ""]
            elif isinstance(b, Bullets):
                out += [textwrap.fill(plain_text(i), width=width, initial_indent="* ", subsequent_indent="  ")
                        for i in b.items] + [""]
            elif isinstance(b, Table):
                out += [text_table(b), ""]
    return "\n".join(out).rstrip() + "\n"


def markdown_table(t: Table) -> str:
    """A GitHub-flavoured Markdown table.

    Parameters
    ----------
    t : Table
        A table of the content model.

    Returns
    -------
    str
        The table, every header and cell escaped (:func:`markdown_text`); '_(none)_' when it is empty.
    """
    df = t.frame
    if df is None or len(df) == 0:
        return "_(none)_"
    lines = ["| " + " | ".join(markdown_text(c, block=False) for c in df.columns) + " |",
             "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(markdown_text(v, block=False) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join(lines)


def to_markdown(sections: list[Section]) -> str:
    """The sections as Markdown: '#' title, '##' sections, the answer in bold, '- ' bullets, tables.

    Parameters
    ----------
    sections : list of Section
        :func:`runlog.render.content.report_sections`.

    Returns
    -------
    str
    """
    md = [f"# {markdown_text(TITLE)}", ""]
    for s in sections:
        if s.title:
            md += [f"## {markdown_text(s.title)}", ""]
        for b in s.blocks:
            if isinstance(b, Paragraph):
                text = markdown_text(b.text)
                md += [f"**{text}**" if b.strong else text, ""] if text else []
            elif isinstance(b, Bullets):   # (an item without text shows nothing)
                md += [f"- {t}" for t in map(markdown_text, b.items) if t] + [""]
            elif isinstance(b, Table):
                md += [markdown_table(b), ""]
    return "\n".join(md)


#: First characters that make a spreadsheet read a text cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def cell_safe(value):
    """One cell made inert for a spreadsheet (the rule of :func:`spreadsheet_safe`).

    Parameters
    ----------
    value : object
        A cell; only text is changed.

    Returns
    -------
    object
        Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
        return, and not a number, with a leading single quote; anything else
        as it was.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value.strip()):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """*frame* with every text cell that a spreadsheet would run as a formula made inert.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading single quote (OWASP, "CSV Injection"), so a shoe
    name or a notes column called ``=HYPERLINK(...)`` is shown as text, not
    run.  Numbers are kept as they are (a negative number stays a number),
    also when written as text (``"-3.5"``); column names are treated the same.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    DataFrame
        A copy; numeric columns unchanged.

    References
    ----------
    OWASP, CSV Injection, https://owasp.org/www-community/attacks/CSV_Injection
    """
    out = frame.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype) \
                or isinstance(col.dtype, pd.CategoricalDtype):
            out[c] = col.astype(object).map(cell_safe)
    out.columns = [cell_safe(c) for c in out.columns]
    return out
