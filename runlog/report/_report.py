"""The :class:`Report` of an analysis: plain data, one content model, its layouts.

A *finding* is a cause the analysis stands behind (:mod:`runlog.analysis.causes`:
each cause judged on its primary measure, Holm over the causes tested).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..analysis.onset import OnsetResult
from ..analysis.stats import NOT_TESTED_COLUMNS
from ..render import content, text, wording
from ..render.wording import CAUSE_COLUMNS, FACTOR_TABLE_COLUMNS, FINDING_COLUMNS

__all__ = ["Report", "FDR"]

#: Default family-wise error rate of the findings (Holm over causes) and false-discovery rate of the
#: per-measure q-values.
FDR = 0.05


def _empty_causes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype="bool" if c == "finding" else "object") for c in CAUSE_COLUMNS})


@dataclass(repr=False)
class Report:
    """What goes with this runner's numbness: :func:`runlog.analyze` output.

    Plain data (the frames below) with one content model, :meth:`sections`
    (:func:`runlog.render.content.report_sections`): titled sections of
    paragraphs, bullet lists and tables of text, in order: :attr:`answer`, one
    paragraph per finding cause (``findings['sentence']``), then the evidence
    (by cause, weather, onset, all measures, notes, not tested, caveats).
    :meth:`to_text`, :meth:`to_markdown`, the notebook view
    (:meth:`_repr_html_`), :meth:`to_html` and the ``runlog`` command only lay
    the sections out; none composes or re-decides anything.

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
        last local date of the tracked runs (:func:`runlog.journal.period.journal_period`); the
        plots shade and window by it.
    others : DataFrame or None
        The runs left out because they look like someone else's
        (:meth:`runlog.History.others` rows; None when none were).
    """

    factors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FACTOR_TABLE_COLUMNS))
    findings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FINDING_COLUMNS))
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
    others: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def n_causes_tested(self) -> int:
        """How many causes were tested (rows of :attr:`causes` with a p-value)."""
        return wording.n_causes_tested(self)

    # ------------------------------------------------------------------ the content
    def sections(self) -> list[content.Section]:
        """The report's content, in order, as every rendering shows it.

        Returns
        -------
        list of runlog.render.content.Section
            Each with a ``key``, a ``title`` and its blocks (paragraphs, bullet
            lists, tables of text); see :func:`runlog.render.content.report_sections`.
        """
        return content.report_sections(self)

    # ------------------------------------------------------------------ its layouts
    def to_text(self) -> str:
        """The report as plain text (:func:`runlog.render.text.to_text` of :meth:`sections`).

        Returns
        -------
        str
            Titles underlined, paragraphs wrapped at 100 characters, tables in columns.
        """
        return text.to_text(self.sections())

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"<runlog.Report: {wording.count_line(self)}>"

    def to_markdown(self) -> str:
        """The report as Markdown (:func:`runlog.render.text.to_markdown` of :meth:`sections`).

        Returns
        -------
        str
            Markdown text.
        """
        return text.to_markdown(self.sections())

    def to_csv(self, path=None) -> str:
        """:attr:`factors` as CSV for a spreadsheet, text cells made inert
        (:func:`runlog.render.text.spreadsheet_safe`).

        Parameters
        ----------
        path : str or PathLike, optional
            Where to write it (atomically, :func:`runlog.history.atomic_write`).

        Returns
        -------
        str
            The CSV text (UTF-8, ``\\n`` line ends, no index).
        """
        csv = text.spreadsheet_safe(self.factors).to_csv(index=False, lineterminator="\n")
        if path is not None:
            from ..history import atomic_write_text

            atomic_write_text(path, csv)
        return csv

    def _repr_html_(self) -> str:
        from ..render.html import sections_html

        return sections_html(self.sections())

    def to_html(self, path=None, *, figures=None, **kwargs) -> str:
        """A self-contained HTML page: :meth:`sections`, plots, and how to read them.

        Parameters
        ----------
        path : str or PathLike, optional
            Where to write the page (atomically, :func:`runlog.history.atomic_write`).
        figures : dict or list or False, optional
            {caption: matplotlib Figure} (or [(caption, Figure)]) to embed as
            inline PNGs.  None: the standard plots of :mod:`runlog.plot`;
            False: no figures.
        **kwargs
            Passed to :func:`runlog.render.html.render_report` (``title``, ``dpi``, ``history``).

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
