""":func:`analyze`: from a history and a numbness journal to a :class:`~runlog.report.Report`.

``analyze`` only assembles: the statistics are the pure functions of
:mod:`~runlog.analysis.causes` (the decision), :mod:`~runlog.analysis.stats`
(per-measure counts, descriptives) and :mod:`~runlog.analysis.onset`
(Kaplan-Meier), which :func:`analyze_frames` applies to a feature frame and an
outcome; :mod:`~runlog.render.wording` words the result.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .._threads import one_thread
from ..analysis.causes import decide, more_episodes_needed
from ..analysis.measures import measure_table
from ..analysis.onset import analyze_onset, side_cause_comparison
from ..analysis.stats import MIN_EPISODES, descriptives, measure_counts
from ..errors import AnalysisError
from ..history import sports
from ..journal.period import journal_period
from ..render.wording import answer_line, cause_frame, caveats, factor_frame, finding_frame, with_heat_hint
from ._report import FDR, Report

__all__ = ["analyze", "analyze_frames", "before_onset"]


def analyze_frames(features: pd.DataFrame, flags: pd.DataFrame, *, runs: pd.DataFrame | None = None,
                   records: pd.DataFrame | None = None, catalog: dict | None = None, fdr: float = FDR,
                   fdr_method: str = "bh", episodes: pd.DataFrame | None = None) -> Report:
    """The analysis on ready-made frames (the pure core of :func:`analyze`).

    Parameters
    ----------
    features : DataFrame
        Per-run features, index run_id; measures taken during the run should
        already be windowed before onset (:func:`runlog.features.core.in_run_features`,
        as :func:`analyze` does).
    flags : DataFrame
        Episode flags of the runs to analyse (index run_id; ``numb``,
        ``n_episodes``, ``onset_min``, ``onset_km``); every row is analysed
        (filter on ``tracked`` first).
    runs : DataFrame, optional
        ``History.runs`` (``elapsed_s``, ``distance_m``, ``start_local``):
        the calendar day of each run (season term, dependence) and the onset
        analysis; without it runs count as consecutive days.
    records : DataFrame, optional
        ``History.records`` for pace / HR / temperature at onset.
    catalog : dict, optional
        Feature catalogue (name -> Feature); default :data:`runlog.features.catalog.FEATURES`.
    fdr : float
        Family-wise error rate of the findings (the test plan's graphical
        procedure over the causes), and the false-discovery rate of the
        per-measure q-values.
    fdr_method : {'bh', 'by'}
        Adjustment of the per-measure q-values.
    episodes : DataFrame, optional
        The journal (:func:`runlog.read_episodes`), for left against right in
        the onset analysis.

    Returns
    -------
    Report
    """
    from ..features.catalog import FEATURES

    catalog = catalog if catalog is not None else FEATURES
    numb = flags["numb"].astype(bool)
    features = features.reindex(numb.index)
    n_numb = int(numb.sum())
    n_eps = int(pd.to_numeric(flags.get("n_episodes", numb.astype(int)), errors="coerce").fillna(0).sum())
    rep = Report(n_runs=len(numb), n_numb_runs=n_numb, n_episodes=n_eps, analysed_runs=numb.index.copy(),
                 settings={"fdr": fdr, "fdr_method": fdr_method,
                           "min_episodes": MIN_EPISODES})
    rep.descriptives = descriptives(features, numb, catalog)
    rep.testable = n_numb >= MIN_EPISODES and n_numb < len(numb)
    if rep.testable:
        screened, not_tested = measure_counts(features, numb, catalog)   # counts per measure for the table
        rep.not_tested = not_tested
        days, duration = _days_and_duration(features, numb.index, runs)
        out = decide(features, numb, days, duration, catalog, alpha=fdr)
        ca = out["analysis"]
        if ca.dropped:
            rep.notes.append(f"{ca.dropped} run(s) without a duration or a date were left out of the cause "
                             "analysis (they cannot be weighed by their time on the feet).")
        if ca.skipped:
            rep.notes.append("Measures the model could not be fitted with (left out of the table): "
                             + ", ".join(ca.skipped) + ".")
        rep.causes = cause_frame(out["causes"], catalog)
        measures = measure_table(out["measures"], out["causes"], screened, catalog, fdr_method=fdr_method)
        rep.factors = factor_frame(measures, catalog)
        rep.findings = finding_frame(out["findings"], rep.causes, rep.factors, catalog)
        rep.more_needed = more_episodes_needed(rep.causes, n_numb, alpha=fdr)
    if runs is not None and n_numb:
        rep.onset = analyze_onset(flags, runs, records, episodes=episodes)
        if episodes is not None and len(rep.causes):
            rep.onset.by_side_cause, rep.onset.side_cause_outcome = side_cause_comparison(
                episodes, features, rep.causes, flags.index)
    rep.answer = answer_line(rep)
    rep.caveats = caveats(rep)
    return rep


def _days_and_duration(features: pd.DataFrame, index: pd.Index, runs: pd.DataFrame | None):
    """Calendar day [d] and time at risk [min] of each analysed run."""
    if runs is not None and "start_local" in runs:
        start = pd.to_datetime(runs["start_local"].reindex(index))
        days = (start - pd.Timestamp("2000-01-01")) / pd.Timedelta(days=1)
    else:
        days = pd.Series(np.arange(len(index), dtype="float64"), index=index)
    duration = pd.Series(np.nan, index=index, dtype="float64")
    if "duration_min" in features:
        duration = pd.to_numeric(features["duration_min"].reindex(index), errors="coerce").astype("float64")
    if runs is not None and "elapsed_s" in runs:   # a run without the feature: its recorded duration
        el = pd.to_numeric(runs["elapsed_s"].reindex(index), errors="coerce").astype("float64") / 60.0
        duration = duration.where(duration > 0, el)
    if not (duration > 0).any():
        raise AnalysisError("the analysis needs each run's duration: a 'duration_min' feature or runs['elapsed_s']")
    return days, duration


def before_onset(history, features: pd.DataFrame, flags: pd.DataFrame, *, athlete=None, seed: int = 0) -> pd.DataFrame:
    """*features* of the flagged runs with every in-run measure taken before numbness started.

    The in-run columns (``Feature.in_run``: heart rate, pace, stops, cadence,
    warm-up, climbing, device temperature) are recomputed on each run's
    exposure window (:func:`runlog.analysis.causes.exposure_windows`: up to
    onset for a run with numbness, the typical onset time for the others) by
    :func:`runlog.features.core.in_run_features`; everything else is kept.

    Parameters
    ----------
    history : History
        The runs whose records the in-run measures are recomputed from.
    features : DataFrame
        :func:`runlog.run_features` output (index run_id).
    flags : DataFrame
        :func:`runlog.episode_flags` rows (``numb``, ``onset_min``), index run_id.
    athlete : Athlete, optional
        Default: the one in ``features.attrs['athlete']``.
    seed : int
        Seed of the exposure-window draws.

    Returns
    -------
    DataFrame
        Index: the rows of *flags*; no ``attrs`` (pass the catalogue separately).
    """
    from ..analysis.causes import exposure_windows
    from ..features.core import IN_RUN_COLUMNS, in_run_features

    out = features.reindex(flags.index).copy()
    dur = features.get("duration_min")
    win = exposure_windows(flags, dur, seed=seed)
    ath = athlete if athlete is not None else features.attrs.get("athlete")
    inrun = in_run_features(history, win, ath, trimp_constants=features.attrs.get("trimp_constants"),
                            cadence_ref=features.attrs.get("cadence_line"), step_ref=features.attrs.get("step_line"))
    cols = [c for c in IN_RUN_COLUMNS if c in out.columns or c in inrun.columns]
    for c in cols:
        out[c] = inrun[c].reindex(out.index)
    out.attrs = {}   # pandas deep-copies attrs on every operation: the catalogue travels separately
    return out


def others_to_leave_out(history, flags: pd.DataFrame) -> pd.DataFrame:
    """The foot runs of *history* that look like someone else's, as :meth:`runlog.History.others`
    finds them, with the journal deciding only which of the two groups is the runner's.

    The two groups are found from how each run's person runs, never from the journal; when the
    smaller group holds more of the journal's runs with numbness than the rest, it is the
    runner's, and the other group is the one left out.

    Parameters
    ----------
    history : History
    flags : DataFrame
        :func:`runlog.journal.episode_flags` of the history (``numb``).

    Returns
    -------
    DataFrame
        :meth:`runlog.History.others` rows of the runs to leave out (empty: none).
    """
    from ..history import MIN_POSTERIOR, likely_others

    runs = history.runs
    foot = runs[(sports(runs) == "running").to_numpy()]
    found = likely_others(foot)
    if not found["other"].any():
        return history.others().iloc[0:0]
    numb = flags["numb"].reindex(found.index).fillna(False).astype(bool)
    if numb[found["other"]].sum() > numb[~found["other"]].sum():   # the journal is the other group's
        flip = found["posterior"] <= 1.0 - MIN_POSTERIOR
        found = found.assign(other=flip.to_numpy())
    listing = history.listing().set_index("run_id")
    cols = ["date", "start", "distance_km", "file"]
    keep = found[found["other"]].drop(columns="other")
    return listing.loc[listing.index.isin(keep.index), cols].join(keep, how="inner")


@one_thread()
def analyze(history, episodes, *, athlete=None, notes=None, weather=None, tracked=None,
            sport: str | None = "running", features: pd.DataFrame | None = None, fdr: float = FDR,
            fdr_method: str = "bh", seed: int = 0, others: str = "drop") -> Report:
    """Which factors go with this runner's numbness, with honest small-sample statistics.

    Parameters
    ----------
    history : History
        The runner's activities (:func:`runlog.read_history`).
    episodes : DataFrame or str or PathLike
        The numbness journal: :func:`runlog.read_episodes` output read with
        this history, or the journal file (read here with the history).
    athlete : Athlete, optional
        Passed to :func:`runlog.run_features` (HR max, body mass, ...).
    notes : DataFrame or str or PathLike, optional
        Per-run notes (:func:`runlog.read_run_notes`), passed to run_features.
    weather : DataFrame, str or PathLike, optional
        Weather table (or its path), passed to run_features; ``'auto'``
        downloads one for the analysed runs (:func:`runlog.features.weather.fetch`:
        rounded places and dates sent, cached; runs it cannot get are 'weather
        unknown').  Where the air temperature came from is in
        ``Report.settings['weather']``.
    tracked : tuple (start, end), optional
        The period the journal covers (local dates, inclusive); default: as
        :func:`runlog.journal.episode_flags` decides (the journal's own 'tracking started' /
        'tracking ended' rows, else from the first journal entry to the last run,
        with a warning).  Only runs inside it are analysed: numb runs are
        cases, the others controls.
    sport : str or None
        Analyse only activities of this sport ('running'); None: all.
    features : DataFrame, optional
        Precomputed :func:`runlog.run_features` output (skips computing it).
    fdr : float
        Family-wise error rate of the findings (the test plan's weighted
        graphical procedure over the causes, :mod:`runlog.analysis.plan`), and
        the false-discovery rate of the per-measure q-values.
    fdr_method : {'bh', 'by'}
        Benjamini-Hochberg, or Benjamini-Yekutieli, for the per-measure
        q-values of ``Report.factors``.
    seed : int
        Seed of the comparison windows of the runs without numbness
        (:func:`before_onset`): results are reproducible.
    others : {'drop', 'keep'}
        Runs that look like someone else's (a partner's runs in the same export,
        :meth:`runlog.History.others`): left out of the analysis and of the
        training-load history ('drop', said in the report: ``Report.others``), or
        kept ('keep').

    Returns
    -------
    Report
        ``findings``, ``causes``, ``factors``, ``onset``, ``caveats``, ...,
        ``settings['athlete']`` (:meth:`runlog.Athlete.provenance`: which of the
        runner's values were given and which assumed, also said in a caveat),
        ``analysed_runs`` (the run ids analysed) and ``tracked`` (the journal
        period, resolved: :func:`runlog.journal.period.journal_period`).
        With fewer than 5 runs with numbness: descriptives only, and the report
        says that testing is not possible yet.

    Raises
    ------
    AnalysisError
        No run of *sport* in the history, or no run inside the tracked period.

    Notes
    -----
    Cases are the tracked runs with at least one episode, controls the other
    tracked runs.  Measures taken during a run count only up to onset (the
    other runs: up to the typical onset time), so what the runner does once
    numb is never taken for a cause (:func:`before_onset`).  Each
    article-named cause is tested on the measure the test plan chose for it
    before looking (:data:`runlog.analysis.plan.TEST_PLAN`), one-sided in the
    direction the articles name, on the runs where that measure is known, in a
    Firth logistic regression with a calendar-time term and the time on the
    feet (heat: its measure holds the hours); each likelihood-ratio test is
    widened by how much numbness and the measure come in spells (circular
    shifts, :mod:`runlog.analysis._dependence`), and the causes are tested by
    the plan's weighted graphical procedure (Bretz et al. 2009) at a
    family-wise error rate of *fdr* (:mod:`runlog.analysis.causes`).  A
    **finding** is a cause that procedure rejects.  ``Report.factors`` shows
    every measure alone and with the findings in the model.

    The analysis runs its linear algebra on one thread (``threadpoolctl``: its
    matrices are a few columns wide, and BLAS threads only wait on each other).
    The limit is process-wide while it runs; concurrent calls take turns, so
    the caller's own setting is back when the last one returns or raises.
    """
    return _analyze(history, episodes, athlete=athlete, notes=notes, weather=weather, tracked=tracked,
                    sport=sport, features=features, fdr=fdr, fdr_method=fdr_method, seed=seed, others=others)


def _analyze(history, episodes, *, athlete, notes, weather, tracked, sport, features, fdr, fdr_method, seed,
             others) -> Report:
    """:func:`analyze`, on the threads it is given."""
    from ..features.catalog import FEATURES
    from ..journal import episode_flags, read_episodes

    if others not in ("drop", "keep"):
        raise AnalysisError(f"others must be 'drop' or 'keep', not {others!r}")
    if isinstance(episodes, (str, os.PathLike)):
        episodes = read_episodes(episodes, history=history)
    if isinstance(notes, (str, os.PathLike)):
        from ..journal import read_run_notes

        notes = read_run_notes(notes, history=history)
    flags = episode_flags(history, episodes, tracked=tracked)
    left_out = others_to_leave_out(history, flags) if others == "drop" and features is None else None
    if left_out is not None and len(left_out):   # their runs count neither as runs nor as training load
        history = history.drop(left_out.index)
        flags = flags.drop(index=left_out.index, errors="ignore")
    runs = history.runs
    sel = pd.Series(True, index=runs.index)
    if sport is not None:
        sp = sports(runs)
        sel = (sp == sport.strip().lower()).to_numpy()
        sel = pd.Series(sel, index=runs.index)
        if not sel.any():
            found = ", ".join(sorted(set(sp))) or "none"
            raise AnalysisError(f"no '{sport}' activities in the history (sports found: {found}); "
                                "pass sport=None to analyse every activity.")
    tracked_mask = flags["tracked"].reindex(runs.index).fillna(False).astype(bool) & sel
    if not tracked_mask.any():
        raise AnalysisError("no run of the history falls inside the period the journal covers; "
                            "check the journal dates, or give the period: --tracked START[:END] on the command line, "
                            "tracked=(first_date, last_date) in Python.")
    ids = runs.index[tracked_mask.to_numpy()]
    if features is None:
        from ..features import run_features
        from ..features.weather import fetch, is_auto

        if is_auto(weather):   # only the analysed runs' places and days
            weather = fetch(history, runs=ids)
        features = run_features(history, athlete, notes=notes, weather=weather)
    analysed = before_onset(history, features, flags.loc[ids], athlete=athlete, seed=seed)
    rep = analyze_frames(analysed, flags.loc[ids], runs=runs, records=history.records,
                         catalog=features.attrs.get("catalog", FEATURES),
                         fdr=fdr, fdr_method=fdr_method,
                         episodes=episodes)
    rep.flags, rep.features, rep.runs = flags, features, runs
    if left_out is not None and len(left_out):
        from ..render.wording import others_note

        rep.others = left_out
        rep.notes.append(others_note(left_out))
    untracked_numb = int((flags["numb"].astype(bool) & ~tracked_mask).sum())
    if untracked_numb:
        rep.notes.append(f"{untracked_numb} run(s) with numbness outside the analysed runs "
                         "(other sport or outside the tracked period) were left out.")
    wx = features.attrs.get("weather")
    rep.settings.update(sport=sport, tracked=tracked, seed=seed, weather=None if wx is None else wx.coverage(ids))
    rep.causes = with_heat_hint(rep.causes, rep.settings["weather"])
    used = features.attrs.get("athlete")
    if used is not None:   # which of the runner's values were given, which assumed: kept and said
        from ..render.wording import physiology_caveat

        rep.settings["athlete"] = used.provenance()
        at = next((i + 1 for i, c in enumerate(rep.caveats) if c.startswith("Derived quantities")), len(rep.caveats))
        rep.caveats.insert(at, physiology_caveat(rep.settings["athlete"]))
    rep.tracked = journal_period(tracked, flags, runs)
    return rep
