"""The :class:`Report` of an analysis: findings, causes, measures, onset and caveats, in plain words.

A *finding* is a cause the analysis stands behind (:mod:`runlog.analysis.causes`:
each cause judged on its primary measure, Holm over the causes tested).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..analysis.onset import OnsetResult
from ..analysis.stats import FACTOR_COLUMNS, MIN_EPISODES, NOT_TESTED_COLUMNS
from ..render.labels import CAUSE_LABELS, cause_label
from ..render.wording import CAUSE_COLUMNS
from ..render.wording import FINDING_COLUMNS as CAUSE_FINDING_COLUMNS
from ..units import MISSING, number_text, p_text, ratio_text

__all__ = ["Report", "spreadsheet_safe", "cell_safe", "FORMULA_STARTS", "FDR",
           "CAUSE_COLUMNS", "CAUSE_FINDING_COLUMNS", "NOT_A_DIAGNOSIS", "cause_display",
           "factor_display", "measure_note", "ratio_text", "cause_labels", "measure_name", "journal_period"]

#: Default family-wise error rate of the findings (Holm over causes) and false-discovery rate of the
#: per-measure q-values.
FDR = 0.05


NOT_A_DIAGNOSIS = (
    "runlog does not diagnose. Numbness that persists after runs or keeps getting worse, that comes "
    "with weakness, pain, or a colour or temperature change of the foot or leg, or that appears at "
    "rest or at night needs a doctor or physiotherapist."
)

#: What the table of all measures is (the Markdown and HTML pages say it above the table).
MEASURES_NOTE = (
    "Findings first, then strongest evidence first. Each cause is tested once, on its own measure "
    "('main measure'), with the numbers of the By cause table (q allowing for the causes tested); every "
    "other measure is described by its own test with the season and the time on the feet (q allowing "
    "for those measures), not as an extra cause."
)


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _unit(u) -> str:
    return "" if u is None or (isinstance(u, float) and np.isnan(u)) or u == "" else f" {u}"


#: Columns of the report's tables that hold p- or q-values (written by :func:`runlog.units.p_text`).
_P_COLUMNS = frozenset({"p", "q", "p_value", "q_value", "adjusted_p"})


def _weather_lines(report) -> list[str]:
    """Where the report's air temperature came from (:func:`runlog.render.wording.weather_lines`)."""
    from ..render.wording import weather_lines

    return weather_lines((report.settings or {}).get("weather"))


def _md_table(df: pd.DataFrame, columns=None, max_rows: int = 40) -> str:
    """A GitHub-flavoured markdown table (numbers by :func:`runlog.units.number_text`, p- and q-values by
    :func:`runlog.units.p_text`)."""
    if df is None or len(df) == 0:
        return "_(none)_"
    df = df[list(columns)] if columns is not None else df
    df = df.head(max_rows)

    p_columns = {i for i, c in enumerate(df.columns) if str(c) in _P_COLUMNS}

    def cell(v, i):
        if isinstance(v, (float, np.floating)):
            if np.isnan(v):
                return ""
            return p_text(v) if i in p_columns else number_text(v)
        if v is None or v is pd.NA:
            return ""
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(str, df.columns)) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(cell(v, i) for i, v in enumerate(row)) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


_SHORT = ["factor", "level", "cause", "n_runs", "n_episodes", "effect", "ci_low", "ci_high",
          "p_value", "q_value", "effect_unit"]

_ROLE_WORDS = {"primary": "main measure of {cause}", "secondary": "other measure of {cause}",
               "in-run": "measured during the run (articles: {cause})"}


def _text(v) -> str:
    """A cell as text: '' for None / NaN / NA."""
    if v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and np.isnan(v)):
        return ""
    return str(v)


def _ci_text(lo, hi) -> str:
    return MISSING if np.isnan(_num(lo)) and np.isnan(_num(hi)) else f"{ratio_text(lo)} to {ratio_text(hi)}"


def _readable(df: pd.DataFrame) -> pd.DataFrame:
    """A display frame for text: odds ratio as :func:`ratio_text`, the interval as one 'a to b' column."""
    if len(df) == 0 or "95 % CI low" not in df:
        return df
    out = df.copy()
    out["Odds ratio"] = [ratio_text(v) for v in out["Odds ratio"]]
    out.insert(out.columns.get_loc("95 % CI low"), "95 % CI",
               [_ci_text(a, b) for a, b in zip(out["95 % CI low"], out["95 % CI high"])])
    return out.drop(columns=["95 % CI low", "95 % CI high"])


def cause_labels(causes: pd.DataFrame | None) -> dict:
    """cause id -> its plain label: ``Report.causes['cause_label']``, else :func:`runlog.render.labels.cause_label`.

    Parameters
    ----------
    causes : DataFrame or None
        ``Report.causes`` (``cause``, ``cause_label``); its labels override the
        schema's.

    Returns
    -------
    dict
        Cause id -> label without its parenthesised part.
    """
    out = {str(c): cause_label(c, brief=True) for c in CAUSE_LABELS}
    if isinstance(causes, pd.DataFrame) and {"cause", "cause_label"} <= set(causes.columns):
        out.update({str(c): _text(lab).split(" (")[0] for c, lab in zip(causes["cause"], causes["cause_label"])
                    if _text(lab)})
    return out


def measure_note(row, cause_labels: dict | None = None) -> str:
    """What one row of ``Report.factors`` is, in words, as the report says it.

    'main measure of heat and hydration'; 'goes with numbness only through heat
    (articles: heat and hydration)' when the report names what explains it
    (``explained_by``); 'articles: hydration' for a report without roles.  It
    never says the measure is a cause: only the report's ``findings`` do.

    Parameters
    ----------
    row : Series or mapping
        A row of ``Report.factors`` (``cause``, ``role``, ``explained_by``).
    cause_labels : dict, optional
        Cause id -> plain label (:func:`cause_labels`); default the cause ids.

    Returns
    -------
    str
        The note; '' when there is nothing to say.
    """
    cause = _text(row.get("cause"))
    label = (cause_labels or {}).get(cause) or cause
    explained = _text(row.get("explained_by"))
    if explained:
        return f"goes with numbness only through {explained}" + (f" (articles: {label})" if label else "")
    role = _text(row.get("role"))
    if role in _ROLE_WORDS and label:
        if label == "other" and role != "in-run":  # 'other measure of other' says nothing
            return "a measure of no named cause"
        return _ROLE_WORDS[role].format(cause=label)
    return f"articles: {label}" if label else ""


def measure_name(row) -> str:
    """A factor row's plain name ('air temperature', 'shoes = racer'); its column name without a label.

    Parameters
    ----------
    row : Series or mapping
        A row of ``Report.factors`` (``label``, ``factor``, ``level``).

    Returns
    -------
    str
        The name.
    """
    name = _text(row.get("label")) or _text(row.get("factor"))
    lev = _text(row.get("level"))
    return f"{name} = {lev}" if lev else name


def cause_display(causes: pd.DataFrame) -> pd.DataFrame:
    """``Report.causes`` for reading: one row per cause with plain headers.

    Columns 'Cause', 'Measure', 'Odds ratio', 'per', '95 % CI low',
    '95 % CI high', 'q', 'Status': the report's own words (``cause_label``,
    ``factor_label``, ``effect_unit``, ``status``), nothing re-decided.

    Parameters
    ----------
    causes : DataFrame or None
        ``Report.causes``.

    Returns
    -------
    DataFrame
        The columns above, one row per cause (empty for None).
    """
    cols = ["Cause", "Measure", "Odds ratio", "per", "95 % CI low", "95 % CI high", "q", "Status"]
    if causes is None or len(causes) == 0:
        return pd.DataFrame(columns=cols)
    rows = []
    for _, r in causes.iterrows():
        rows.append([_text(r.get("cause_label")) or _text(r.get("cause")),
                     _text(r.get("factor_label")) or _text(r.get("factor")),
                     _num(r.get("effect")), _text(r.get("effect_unit")), _num(r.get("ci_low")),
                     _num(r.get("ci_high")), _num(r.get("q_value")), _text(r.get("status"))])
    return pd.DataFrame(rows, columns=cols)


def factor_display(factors: pd.DataFrame, causes: pd.DataFrame | None = None,
                   max_rows: int | None = None) -> pd.DataFrame:
    """``Report.factors`` for reading: 'Measure', 'Numb runs', 'Odds ratio', 'per', 'p', 'q', 'What it is'.

    'What it is' is :func:`measure_note` (the report's ``role`` and
    ``explained_by``); strongest first as the report orders them.

    Parameters
    ----------
    factors : DataFrame or None
        ``Report.factors``.
    causes : DataFrame, optional
        ``Report.causes``, for the cause labels of :func:`measure_note`.
    max_rows : int, optional
        Keep only the first (strongest) rows; default all.

    Returns
    -------
    DataFrame
        The columns above plus '95 % CI low' and '95 % CI high', one row per
        measure (empty for None).
    """
    cols = ["Measure", "Numb runs", "Odds ratio", "per", "95 % CI low", "95 % CI high", "p", "q", "What it is"]
    if factors is None or len(factors) == 0:
        return pd.DataFrame(columns=cols)
    labels = cause_labels(causes)
    df = factors if max_rows is None else factors.head(max_rows)
    rows = []
    for _, r in df.iterrows():
        n = (f"{int(r['n_episodes'])} / {int(r['n_runs'])}"
             if pd.notna(r.get("n_episodes")) and pd.notna(r.get("n_runs")) else "")
        rows.append([measure_name(r), n, _num(r.get("effect")), _text(r.get("effect_unit")),
                     _num(r.get("ci_low")), _num(r.get("ci_high")), _num(r.get("p_value")),
                     _num(r.get("q_value")), measure_note(r, labels)])
    return pd.DataFrame(rows, columns=cols)


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


def journal_period(tracked, flags: pd.DataFrame | None, runs: pd.DataFrame | None = None):
    """The journal period of an analysis as the report shows it (``Report.tracked``).

    Parameters
    ----------
    tracked : tuple (start, end) or None
        The period as given to :func:`runlog.analyze` (``None`` or
        ``(None, None)``: not given).
    flags : DataFrame or None
        :func:`runlog.episode_flags` of every run (``tracked``).
    runs : DataFrame, optional
        ``History.runs`` (the runs' local dates).

    Returns
    -------
    tuple (start, end) or None
        The given period as Timestamps (None for an open end); when none was
        given, the first and last local date of the tracked runs
        (:func:`runlog.journal.period.tracked_span`); None without either.
    """
    if tracked is not None and len(tracked) == 2 and any(v is not None for v in tracked):
        return tuple(None if v is None else pd.Timestamp(v) for v in tracked)
    from ..journal.period import tracked_span

    return tracked_span(flags, runs)


def _empty_causes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="bool" if c == "finding" else "object") for c in CAUSE_COLUMNS})


@dataclass(repr=False)
class Report:
    """What goes with this runner's numbness: :func:`runlog.analyze` output.

    Every renderer (:meth:`summary`, :meth:`to_markdown`, :meth:`_repr_html_`,
    :func:`runlog.render.html.render_report`, the ``runlog`` command) shows the
    same content in the same order: :attr:`answer`, one paragraph per finding
    cause (``findings['sentence']``), then the evidence (:attr:`causes`, onset,
    :attr:`factors`, caveats).  Renderers never compose or re-decide it.

    Attributes
    ----------
    answer : str
        One line naming the finding causes strongest first ('Heat goes with
        your numbness: ...'), or saying that no cause stands out yet and how
        many more runs with numbness would be needed.  Shown first.
    findings : DataFrame
        One row per finding cause, strongest first: ``cause``,
        ``cause_label``, ``factor``, ``factor_label``, ``effect`` (odds ratio),
        ``ci_low``, ``ci_high``, ``p_value``, ``q_value``, ``effect_unit``,
        ``risk_text``, ``best_measure`` and a plain-language ``sentence``
        (shown as is), then what the odds ratio is per, as columns
        (:data:`runlog.analysis.causes.EFFECT_COLUMNS`: ``effect_kind``,
        ``effect_per``, ``effect_per_unit``, ``effect_usual``; ``effect_unit``
        is their text).  Empty when nothing holds up.
    causes : DataFrame
        One row per article-named cause, strongest evidence first
        (:data:`CAUSE_COLUMNS`): its measure, estimate (per ``effect_unit``, and
        its pieces ``effect_kind``, ``effect_per``, ``effect_per_unit``,
        ``effect_usual``), ``finding`` (bool) and ``status`` in plain words ('finding', 'no clear link', 'goes with
        numbness only through heat', 'not testable: ...').
    more_needed : int or None
        About how many more runs with numbness would show the strongest
        current estimate (:func:`runlog.analysis.causes.more_episodes_needed`).
    factors : DataFrame
        Every measure tested (per level for categories), strongest evidence
        first; columns :data:`runlog.analysis.stats.FACTOR_COLUMNS`,
        ``finding`` and, from :func:`runlog.analyze`, ``role`` ('primary',
        'secondary', 'in-run', 'explained'), ``label`` (plain name) and
        ``explained_by`` (the cause label that explains it, or '').
    onset : OnsetResult
        Kaplan-Meier time and distance to onset, median, spread,
        reproducibility, and pace / HR / temperature at onset vs other runs.
    caveats : list of str
        What the numbers cannot say, and when to see a health professional.
    not_tested : DataFrame
        Candidate factors (or levels) not tested and why.
    descriptives : DataFrame
        Each candidate factor in numb runs vs the others, without tests.
    n_runs : int
        Runs analysed (tracked, of the chosen sport).
    n_numb_runs : int
        Analysed runs with numbness.
    n_episodes : int
        Episodes on the analysed runs.
    testable : bool
        False when there are too few episodes (or no run without) to test.
    settings : dict
        fdr, fdr_method, sport, tracked period, ...
    notes : list of str
        Anything the analysis had to work around.
    flags, features, runs : DataFrame or None
        The inputs (episode flags of every run, per-run features, History.runs),
        kept for plots.
    analysed_runs : Index or None
        The run ids analysed (cases and controls: tracked runs of the sport),
        ``n_runs`` of them; set by :func:`runlog.analyze` and
        :func:`runlog.analysis.analyze_frames`.
    tracked : tuple (start, end) or None
        The journal period the report covers, as Timestamps (None for an open
        end): the period given to :func:`runlog.analyze`, else the first and
        last local date of the tracked runs (:func:`journal_period`); the
        plots shade and window by it.
    """

    factors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[*FACTOR_COLUMNS, "finding"]))
    findings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CAUSE_FINDING_COLUMNS))
    onset: OnsetResult = field(default_factory=OnsetResult)
    caveats: list = field(default_factory=list)
    not_tested: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NOT_TESTED_COLUMNS))
    descriptives: pd.DataFrame = field(default_factory=pd.DataFrame)
    n_runs: int = 0
    n_numb_runs: int = 0
    n_episodes: int = 0
    testable: bool = False
    settings: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    flags: pd.DataFrame | None = field(default=None, repr=False)
    features: pd.DataFrame | None = field(default=None, repr=False)
    runs: pd.DataFrame | None = field(default=None, repr=False)
    answer: str = ""
    causes: pd.DataFrame = field(default_factory=_empty_causes)
    more_needed: int | None = None
    analysed_runs: pd.Index | None = field(default=None, repr=False)
    tracked: tuple | None = None

    # ------------------------------------------------------------------ content
    @property
    def n_causes_tested(self) -> int:
        """How many causes were tested (rows of ``causes`` with a p-value)."""
        return int(self.causes["p_value"].notna().sum()) if len(self.causes) else 0

    def headline(self) -> str:
        """One line of counts: runs, numb runs, causes tested, measures compared, findings.

        Returns
        -------
        str
            The line (without tests: runs and episodes only).
        """
        s = (f"{self.n_runs} runs analysed, {self.n_numb_runs} with numbness "
             f"({self.n_episodes} episode{'s' if self.n_episodes != 1 else ''}).")
        if not self.testable:
            return s
        n_causes = self.n_causes_tested
        causes = f" {n_causes} cause{'s' if n_causes != 1 else ''} tested," if n_causes else ""
        return s + (f"{causes} {len(self.factors)} measures compared, {len(self.findings)} finding"
                    f"{'s' if len(self.findings) != 1 else ''}.")

    def untestable_reason(self) -> str:
        """Why no test was run ('' when the report is testable).

        Returns
        -------
        str
            The reason in a sentence or two; '' for a testable report.
        """
        if self.testable:
            return ""
        if self.n_numb_runs and self.n_numb_runs == self.n_runs:
            return ("Every analysed run had numbness, so there are no runs without it to compare with: "
                    "testing is not possible.")
        more = max(MIN_EPISODES - int(self.n_numb_runs), 1)
        so_far = {0: "there is none so far", 1: "there is 1 so far"}.get(int(self.n_numb_runs),
                                                                          f"there are {self.n_numb_runs} so far")
        return (f"Testing is not possible yet: it needs {more} more run{'s' if more != 1 else ''} with numbness "
                f"(at least {MIN_EPISODES}; {so_far}). Keep the journal going; below is a plain description "
                "of the runs so far.")

    def answer_line(self) -> str:
        """The first line of every rendering: :attr:`answer` (for a report without one, e.g. built by
        hand or by an older version: why nothing was tested, else the count line).

        Returns
        -------
        str
            The line.
        """
        a = _text(self.answer).strip()
        if a:
            return a
        return self.untestable_reason() or self.headline()

    def finding_paragraphs(self) -> list[str]:
        """One paragraph per finding cause, strongest first (``findings['sentence']`` as is).

        Returns
        -------
        list of str
            Empty when there is no finding.
        """
        if not isinstance(self.findings, pd.DataFrame) or "sentence" not in self.findings:
            return []
        return [s for s in (_text(v).strip() for v in self.findings["sentence"]) if s]

    def findings_text(self) -> list[str]:
        """The finding paragraphs, or (none) the answer line: for callers that print a list.

        Returns
        -------
        list of str
            At least one item.
        """
        return self.finding_paragraphs() or [self.answer_line()]

    def cause_table(self) -> pd.DataFrame:
        """``causes`` for reading (:func:`cause_display`).

        Returns
        -------
        DataFrame
            One row per cause (see :func:`cause_display`).
        """
        return cause_display(self.causes)

    def factor_table(self, max_rows: int | None = None) -> pd.DataFrame:
        """``factors`` for reading (:func:`factor_display`), strongest first.

        Parameters
        ----------
        max_rows : int, optional
            Keep only the first (strongest) rows; default all.

        Returns
        -------
        DataFrame
            One row per measure (see :func:`factor_display`).
        """
        return factor_display(self.factors, self.causes, max_rows=max_rows)

    # ------------------------------------------------------------------ text
    def summary(self) -> str:
        """The report as plain text: the answer, one paragraph per finding cause, then the evidence.

        Returns
        -------
        str
            Multi-line text, lines wrapped at 100 characters.
        """
        import textwrap

        def wrap(t, first="", rest=""):
            return textwrap.fill(t, width=100, initial_indent=first, subsequent_indent=rest)

        out = ["runlog report: what goes with your numbness", "=" * 44, wrap(self.answer_line()), ""]
        for p in self.finding_paragraphs():
            out += [wrap(p), ""]
        if _text(self.answer).strip() or not self.testable:
            out += [self.headline(), ""]
        if len(self.causes):
            out += ["By cause", "--------"]
            for _, c in self.cause_table().iterrows():
                est = ""
                if np.isfinite(c["Odds ratio"]):
                    est = (f" (odds ratio {ratio_text(c['Odds ratio'])}{_unit(c['per'])}, 95 % CI "
                           f"{_ci_text(c['95 % CI low'], c['95 % CI high'])})")
                out.append(wrap(f"{c['Cause']}: {c['Status']}; {c['Measure']}{est}", "  ", "    "))
            out += [""]
        weather = _weather_lines(self)
        if weather:
            out += ["Weather", "-------"] + [wrap(s, "* ", "  ") for s in weather] + [""]
        onset = self.onset.sentences()
        if onset:
            out += ["When numbness starts", "--------------------"] + [wrap(s, "* ", "  ") for s in onset] + [""]
        if self.testable and len(self.factors):
            out += ["Measures with the strongest evidence", "------------------------------------"]
            for _, r in self.factor_table(10).iterrows():
                note = f" [{r['What it is']}]" if r["What it is"] else ""
                out.append(wrap(f"{r['Measure']}{note}: odds ratio {ratio_text(r['Odds ratio'])}{_unit(r['per'])} "
                                f"({_ci_text(r['95 % CI low'], r['95 % CI high'])}), "
                                f"{p_text(r['p'], 'p')}, {p_text(r['q'], 'q')}", "  ", "    "))
            out += [""]
        out += ["Caveats", "-------"] + [wrap(c, "* ", "  ") for c in self.caveats]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return f"<runlog.Report: {self.headline()}>"

    def to_markdown(self) -> str:
        """The report as Markdown: the answer, the finding paragraphs, then the evidence
        (by cause, onset, measures, not tested, caveats).

        Returns
        -------
        str
            Markdown text.
        """
        md = ["# runlog report: what goes with your numbness", "", f"**{self.answer_line()}**", ""]
        for p in self.finding_paragraphs():
            md += [p, ""]
        if _text(self.answer).strip() or not self.testable:
            md += [self.headline(), ""]
        if len(self.causes):
            md += ["## By cause", "", _md_table(_readable(self.cause_table())), ""]
        weather = _weather_lines(self)
        if weather:
            md += ["## Weather", ""] + [f"- {s}" for s in weather] + [""]
        onset = self.onset.sentences()
        md += ["## When numbness starts", ""] + ([f"- {s}" for s in onset] or ["_(no episode)_"]) + [""]
        if len(self.onset.summary):
            md += [_md_table(self.onset.summary), ""]
        if len(self.onset.at_onset):
            md += [_md_table(self.onset.at_onset), ""]
        if self.testable:
            md += ["## All measures", "", MEASURES_NOTE, "",
                   _md_table(_readable(self.factor_table()), max_rows=200), "", ""]
        else:
            md += ["## The runs so far (no tests)", "", _md_table(self.descriptives), ""]
        if self.testable and len(self.not_tested):  # untestable: the answer line says why, once
            md += ["## Not tested", "", _md_table(self.not_tested), ""]
        md += ["## Caveats", ""] + [f"- {c}" for c in self.caveats] + [""]
        return "\n".join(md)

    def to_csv(self, path=None) -> str:
        """``factors`` as CSV for a spreadsheet, text cells made inert (:func:`spreadsheet_safe`).

        Parameters
        ----------
        path : str or PathLike, optional
            Where to write it (atomically, :func:`runlog.history.atomic_write`).

        Returns
        -------
        str
            The CSV text (UTF-8, ``\\n`` line ends, no index).
        """
        text = spreadsheet_safe(self.factors).to_csv(index=False, lineterminator="\n")
        if path is not None:
            from ..history import atomic_write_text

            atomic_write_text(path, text)
        return text

    # ------------------------------------------------------------------ HTML
    def _repr_html_(self) -> str:
        e = html.escape

        def table(df):
            return df.to_html(index=False, float_format=number_text, na_rep="")

        parts = ["<h3>runlog report</h3>", f"<p><b>{e(self.answer_line())}</b></p>"]
        parts += [f"<p>{e(p)}</p>" for p in self.finding_paragraphs()]
        if _text(self.answer).strip() or not self.testable:
            parts.append(f"<p>{e(self.headline())}</p>")
        if len(self.causes):
            parts += ["<h4>By cause</h4>", table(_readable(self.cause_table()))]
        weather = _weather_lines(self)
        if weather:
            parts += ["<h4>Weather</h4><ul>"] + [f"<li>{e(s)}</li>" for s in weather] + ["</ul>"]
        onset = self.onset.sentences()
        if onset:
            parts += ["<h4>When numbness starts</h4><ul>"] + [f"<li>{e(s)}</li>" for s in onset] + ["</ul>"]
        if self.testable and len(self.factors):
            parts += ["<h4>Measures (strongest first)</h4>", table(_readable(self.factor_table(15)))]
        elif not self.testable and len(self.descriptives):
            parts += ["<h4>The runs so far (no tests)</h4>", self.descriptives.to_html(index=False)]
        parts += ["<h4>Caveats</h4><ul>"] + [f"<li>{e(c)}</li>" for c in self.caveats] + ["</ul>"]
        return "".join(parts)


    def to_html(self, path=None, *, figures=None, **kwargs) -> str:
        """A self-contained HTML page: findings in plain words, tables, caveats and plots.

        Parameters
        ----------
        path : str or PathLike, optional
            Where to write the page (atomically, :func:`runlog.history.atomic_write`).
        figures : dict or list or False, optional
            {caption: matplotlib Figure} (or [(caption, Figure)]) to embed as
            inline PNGs.  None: the standard plots of :mod:`runlog.plot` when
            available; False: no figures.
        **kwargs
            Passed to :func:`runlog.render.html.render_report` (``title``, ``dpi``).

        Returns
        -------
        str
            The HTML page.
        """
        from ..render.html import render_report

        return render_report(self, path, figures=figures, **kwargs)

    # ------------------------------------------------------------------ plots
    def plot(self, **kwargs):
        """The report's main plots in one figure (:func:`runlog.plot.report_figure`).

        Parameters
        ----------
        **kwargs
            Passed to :func:`runlog.plot.report_figure` (``top``, ``fig``).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ..render import plot as _plot

        return _plot.report_figure(self, **kwargs)
