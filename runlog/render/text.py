"""The report's sections as plain text, as Markdown, and its measures as CSV for a spreadsheet.

Layouts of :func:`runlog.render.content.report_sections`: they add no word
of their own (but the report's title) and decide nothing.
"""

from __future__ import annotations

import re
import textwrap

import pandas as pd

from .content import Bullets, Paragraph, Section, Table

__all__ = ["TITLE", "to_text", "to_markdown", "text_table", "markdown_table", "spreadsheet_safe", "cell_safe",
           "FORMULA_STARTS"]

#: The report's title, the first line of every layout.
TITLE = "runlog report: what goes with your numbness"
#: Width of the plain-text layout [characters].
WIDTH = 100


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
    cols = [str(c) for c in df.columns]
    rows = [[str(v) for v in r] for r in df.itertuples(index=False)]
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
            out += [s.title, "-" * len(s.title)]
        for b in s.blocks:
            if isinstance(b, Paragraph):
                out += [textwrap.fill(b.text, width=width), ""]
            elif isinstance(b, Bullets):
                out += [textwrap.fill(i, width=width, initial_indent="* ", subsequent_indent="  ")
                        for i in b.items] + [""]
            elif isinstance(b, Table):
                out += [text_table(b), ""]
    return "\n".join(out).rstrip() + "\n"


def _md_cell(v: str) -> str:
    return str(v).replace("|", "\\|")


def markdown_table(t: Table) -> str:
    """A GitHub-flavoured Markdown table.

    Parameters
    ----------
    t : Table
        A table of the content model.

    Returns
    -------
    str
        The table ('|' in a cell escaped); '_(none)_' when it is empty.
    """
    df = t.frame
    if df is None or len(df) == 0:
        return "_(none)_"
    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
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
    md = [f"# {TITLE}", ""]
    for s in sections:
        if s.title:
            md += [f"## {s.title}", ""]
        for b in s.blocks:
            if isinstance(b, Paragraph):
                md += [f"**{b.text}**" if b.strong else b.text, ""]
            elif isinstance(b, Bullets):
                md += [f"- {i}" for i in b.items] + [""]
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
