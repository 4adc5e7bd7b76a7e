"""The analysis of an experiment: adherence, risk per level, the difference and the test."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ExperimentError, RunlogWarning
from ._intervals import risk_difference_ci, wilson_ci
from ._matching import level_of, match_runs
from ._plan import Plan
from ._planfile import read_plan
from ._randomization import DEFAULT_RESAMPLES, MAX_EXACT, TestResult, randomization_test, washout_keep
from ._render import experiment_html, experiment_page, plot_experiment


@dataclass
class Experiment:
    """The answer of an experiment (see :func:`analyze`).

    Attributes
    ----------
    plan : Plan
    runs : DataFrame
        One row per run in the experiment's dates: ``date``, ``slot``,
        ``assigned``, ``used`` (from the notes or gear), ``adherence``
        ('followed', 'deviated', 'other', 'not recorded', or 'extra'),
        ``numb``, ``onset_min`` [min], ``analysed`` (counted as assigned:
        planned, and not dropped by the washout).
    levels : DataFrame
        As assigned (the randomised comparison): per level ``runs``,
        ``numb_runs``, ``risk`` [-], ``lo``, ``hi`` (Wilson 95 %),
        ``onset_median_min`` [min].
    followed : DataFrame
        The same per level as actually used (runs not following the plan
        moved to the level used; runs with something else left out).
    difference : DataFrame
        Per level after the first: risk minus the reference level's,
        ``lo``, ``hi`` (Newcombe 95 %), as assigned and as followed.
    test : TestResult
        The randomisation test as assigned.
    deviations : DataFrame
        The runs that did not follow the plan.
    missing : int
        Planned slots without a run.
    washout : bool
        Whether the first run after each switch was left out.
    answer : str
        The answer in one paragraph.
    can_show, cannot_show : list of str
        What the data can and cannot show.
    notes : list of str
    """

    plan: Plan
    runs: pd.DataFrame = field(repr=False)
    levels: pd.DataFrame = field(repr=False)
    followed: pd.DataFrame = field(repr=False)
    difference: pd.DataFrame = field(repr=False)
    test: TestResult
    deviations: pd.DataFrame = field(repr=False)
    missing: int = 0
    washout: bool = False
    answer: str = ""
    can_show: list[str] = field(default_factory=list)
    cannot_show: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The answer, what it can and cannot show, per level, the test and the deviations, as text.

        Returns
        -------
        str
        """
        out = [self.answer, ""]
        out.append("Per level, as assigned:")
        out.append(_levels_text(self.levels))
        if self.deviations is not None and len(self.deviations):
            out.append("As followed:")
            out.append(_levels_text(self.followed))
        out.append(self.test.describe() + ".")
        out.append("")
        out.append("What this can show:")
        out.extend(f"  - {x}" for x in self.can_show)
        out.append("What this cannot show:")
        out.extend(f"  - {x}" for x in self.cannot_show)
        if self.notes:
            out.append("Notes:")
            out.extend(f"  - {x}" for x in self.notes)
        return "\n".join(out)

    def __repr__(self) -> str:
        return (f"<Experiment {self.plan.factor}: {int(self.runs['analysed'].sum())} runs analysed, "
                f"p = {self.test.p_value:.3g}>")

    def plot(self):
        """A panel per level: its runs in date order, numb runs marked, and the risk with its interval.

        Returns
        -------
        matplotlib.figure.Figure
        """
        return plot_experiment(self)

    def to_html(self, path=None, *, figure: bool = True) -> str:
        """The experiment section of the report (``<section id='experiment'>``), or a whole page with *path*.

        Parameters
        ----------
        path : str or PathLike, optional
            Write a self-contained page there (atomically).
        figure : bool
            Embed the per-level plot.

        Returns
        -------
        str
            The section (or, with *path*, the page).
        """
        section = experiment_html(self, figure=figure)
        if path is None:
            return section
        from ..history import atomic_write_text

        page = experiment_page(self, section)
        atomic_write_text(path, page, mkdir=True)
        return page

    def _repr_html_(self) -> str:  # pragma: no cover - cosmetic
        return experiment_html(self, figure=False)


def _levels_text(df: pd.DataFrame) -> str:
    rows = []
    for lv, r in df.iterrows():
        risk = "–" if not np.isfinite(r["risk"]) else f"{r['risk']:.0%} (95 % CI {r['lo']:.0%}-{r['hi']:.0%})"
        onset = "" if not np.isfinite(r["onset_median_min"]) else f", median onset {r['onset_median_min']:.0f} min"
        rows.append(f"  {lv}: {int(r['numb_runs'])} of {int(r['runs'])} runs numb, risk {risk}{onset}")
    return "\n".join(rows)


def _per_level(levels: tuple[str, ...], level: pd.Series, numb: pd.Series, onset: pd.Series) -> pd.DataFrame:
    rows = []
    for lv in levels:
        m = (level == lv).to_numpy()
        n, x = int(m.sum()), int(numb.to_numpy()[m].sum())
        lo, hi = wilson_ci(x, n)
        on = onset.to_numpy(dtype="float64")[m & numb.to_numpy(dtype=bool)]
        on = on[np.isfinite(on)]
        rows.append({"level": lv, "runs": n, "numb_runs": x, "risk": x / n if n else float("nan"), "lo": lo,
                     "hi": hi, "onset_median_min": float(np.median(on)) if len(on) else float("nan")})
    return pd.DataFrame(rows).set_index("level")


def _differences(df: pd.DataFrame, how: str) -> list[dict]:
    ref = df.iloc[0]
    out = []
    for lv, r in df.iloc[1:].iterrows():
        d, lo, hi = risk_difference_ci(int(r["numb_runs"]), int(r["runs"]), int(ref["numb_runs"]), int(ref["runs"]))
        out.append({"level": lv, "reference": df.index[0], "analysis": how, "difference": d, "lo": lo, "hi": hi,
                    "onset_difference_min": r["onset_median_min"] - ref["onset_median_min"]})
    return out


def _used(p: Plan, history, notes, run_ids: pd.Index) -> pd.Series:
    """What each run actually used, from the notes' *factor* column (and the export's gear for shoes)."""
    used = pd.Series(pd.NA, index=run_ids, dtype="object")
    if notes is not None:
        if not isinstance(notes, pd.DataFrame):
            from ..journal import read_run_notes

            notes = read_run_notes(notes, history=history)
        if p.factor in notes.columns:
            col = notes[p.factor]
            col = col[col.index.notna()]
            col.index = col.index.astype("string")
            col = col[~col.index.duplicated()]
            used = col.reindex(run_ids).astype("object")
    runs = getattr(history, "runs", history)
    if p.factor == "shoes" and "gear" in runs:
        gear = runs["gear"].astype("string")
        gear.index = gear.index.astype("string")
        gear = gear.reindex(run_ids)
        empty = used.isna().to_numpy()
        used = used.where(~empty, gear.astype("object"))
    return used


def analyze(history, episodes, plan, notes=None, *, washout: bool = False, max_exact: int = MAX_EXACT,
            n_resamples: int = DEFAULT_RESAMPLES, seed: int | None = None) -> Experiment:
    """Analyse an experiment: adherence, risk per level, the difference and the randomisation test.

    Parameters
    ----------
    history : History
        The runs, including the experiment's weeks.
    episodes : DataFrame
        :func:`runlog.read_episodes` output read with *history*.
    plan : Plan, str or PathLike
        The plan (or its CSV, :func:`read_plan`).
    notes : DataFrame, str or PathLike, optional
        Run notes (:func:`runlog.read_run_notes`) with a column named like
        the factor saying what was actually used; for shoes, the export's
        gear fills runs without notes.  Without either, adherence is not
        checked (every run counts as followed).
    washout : bool
        Leave out the first run after each switch of level (carry-over).
    max_exact, n_resamples : int
        Exact randomisation test up to *max_exact* possible schedules, else
        Monte Carlo with *n_resamples* draws.
    seed : int, optional
        Seed of a Monte Carlo test (default: derived from the plan's seed).

    Returns
    -------
    Experiment
        ``summary()`` prints the answer; ``to_html(path)`` writes the page.

    Raises
    ------
    ExperimentError
        No run on any planned day or run slot.

    References
    ----------
    .. [1] Vohra, S. et al. (2015). CONSORT extension for reporting N-of-1
       trials (CENT) 2015 Statement. BMJ 350:h1738.
    .. [2] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC.
    .. [3] Newcombe, R. G. (1998). Interval estimation for the difference
       between independent proportions. Stat Med 17(8):873-890.
    """
    from ..journal import episode_flags

    p = plan if isinstance(plan, Plan) else read_plan(plan)
    runs_frame = getattr(history, "runs", history)
    m = match_runs(p, runs_frame)
    planned = m[m["slot"] >= 0]
    if not len(planned):
        when = (f"{p.start:%Y-%m-%d} to {p.end:%Y-%m-%d}" if p.end is not None else f"from {p.start:%Y-%m-%d}")
        raise ExperimentError(f"no run of the history falls on the plan ({when}); import the weeks of the "
                              "experiment (runlog import PATH) and give that history")
    end = p.end if p.end is not None else m["date"].max()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunlogWarning)  # episodes before the experiment are not its business
        flags = episode_flags(history, episodes, tracked=(p.start, end))
    flags.index = flags.index.astype("string")
    m["numb"] = flags["numb"].reindex(m.index).fillna(False).astype(bool).to_numpy()
    m["onset_min"] = flags["onset_min"].reindex(m.index).astype("float64").to_numpy()
    used = _used(p, history, notes, m.index)
    m["used"] = pd.array([None if v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)
                          for v in used.to_numpy()], dtype="string")
    lv_used = [level_of(v, p.levels) for v in used.to_numpy()]
    adh = []
    for a, u, raw, st in zip(m["assigned"].to_numpy(), lv_used, m["used"].to_numpy(), m["status"].to_numpy()):
        if not str(st).startswith("planned"):
            adh.append("extra")
        elif raw is pd.NA or raw is None:
            adh.append("not recorded")
        elif u is None:
            adh.append("other")
        else:
            adh.append("followed" if u == a else "deviated")
    m["adherence"] = pd.array(adh, dtype="string")
    m["used_level"] = pd.array(lv_used, dtype="string")
    ok = (m["slot"] >= 0).to_numpy()
    # the randomisation test, as assigned (intention to treat)
    sub = m[ok]
    test = randomization_test(p, sub["slot"].to_numpy(), sub["numb"].to_numpy(),
                              first_in_period=sub["first_in_period"].to_numpy(), washout=washout,
                              max_exact=max_exact, n_resamples=n_resamples, seed=seed)
    observed = np.array([p.levels.index(v) for v in p.schedule["level"]], dtype=np.int8)
    period = p.schedule["period"].to_numpy()
    start_of = pd.Series(np.arange(p.n_slots)).groupby(period).transform("min").to_numpy()
    keep1 = washout_keep(observed[None, sub["slot"].to_numpy()], observed[None, :], start_of[sub["slot"].to_numpy()],
                  sub["first_in_period"].to_numpy(), washout)
    keep = np.ones(len(sub), dtype=bool) if keep1 is None else keep1[0]
    analysed = np.zeros(len(m), dtype=bool)
    analysed[np.flatnonzero(ok)[keep]] = True
    m["analysed"] = analysed
    a = m[analysed]
    levels_df = _per_level(p.levels, a["assigned"].astype("object"), a["numb"], a["onset_min"])
    fol_level = a["assigned"].astype("object").where(a["adherence"].isin(["followed", "not recorded"]),
                                                     a["used_level"].astype("object"))
    fol = a.assign(level=fol_level)
    fol = fol[fol["level"].notna().to_numpy() & (a["adherence"] != "other").to_numpy()]
    followed_df = _per_level(p.levels, fol["level"], fol["numb"], fol["onset_min"])
    diff = pd.DataFrame(_differences(levels_df, "as assigned") + _differences(followed_df, "as followed"))
    dev = m[m["adherence"].isin(["deviated", "other"]).to_numpy()][["date", "assigned", "used", "adherence",
                                                                      "numb"]]
    n_missing = int(p.n_slots - planned["slot"].nunique())
    res = Experiment(plan=p, runs=m, levels=levels_df, followed=followed_df, difference=diff, test=test,
                     deviations=dev, missing=n_missing, washout=washout)
    _words(res)
    return res


def _pct(x: float) -> str:
    return f"{100 * x:+.0f} percentage points" if np.isfinite(x) else "–"


def _words(res: Experiment) -> None:
    """Fill the answer and what the data can and cannot show."""
    p, lv, t = res.plan, res.levels, res.test
    a = res.runs[res.runs["analysed"]]
    n_runs, n_numb = len(a), int(a["numb"].sum())
    k = len(p.levels)
    d = res.difference[res.difference["analysis"] == "as assigned"]
    risks = ", ".join(f"{r['risk']:.0%} with {name} ({int(r['numb_runs'])}/{int(r['runs'])})"
                      for name, r in lv.iterrows() if r["runs"] > 0)
    if n_numb == 0:
        ans = (f"No numbness in any of the {n_runs} runs of the experiment, so there is nothing to compare: the "
               f"risk was low under every level (at most about {min(1.0, 3.0 / max(n_runs, 1)):.0%} per run, the "
               "rule of three).")
    else:
        ans = f"Risk of numbness per run: {risks}."
        if k == 2 and len(d):
            r0 = d.iloc[0]
            ans += (f" Difference ({r0['level']} minus {r0['reference']}): {_pct(r0['difference'])} "
                    f"(95 % CI {100 * r0['lo']:+.0f} to {100 * r0['hi']:+.0f}); {t.describe()}.")
        else:
            ans += f" {t.describe()}."
        if t.p_value <= 0.01:
            ans += (f" That is unlikely to be chance: strong evidence that the choice of {p.factor} itself changes "
                    "your risk.")
        elif t.p_value <= 0.05:
            ans += (f" That is unlikely to be chance, though not by a wide margin (p <= 0.05): evidence that the "
                    f"choice of {p.factor} itself changes your risk; a second experiment would confirm it.")
        else:
            ans += (" That difference is within what the random order alone produces: the experiment does not "
                    f"show that the choice of {p.factor} changes your risk.")
    res.answer = ans
    can = ["The order of the levels was drawn at random within each cycle, so weather, training load and the "
           "season fall on every level alike on average: a difference beyond chance is evidence of cause, "
           "not only of association."]
    cannot = []
    if 1.0 / p.n_assignments > 0.05:
        cannot.append(f"This plan has only {p.n_assignments} possible schedules: no outcome can reach p <= 0.05. "
                      "Plan more cycles.")
    if n_runs and k == 2:
        n0, n1 = lv["runs"].iloc[0], lv["runs"].iloc[1]
        pbar = n_numb / n_runs if n_runs else 0.0
        if n0 > 0 and n1 > 0 and 0 < pbar < 1:
            mdd = (1.959964 + 0.841621) * math.sqrt(pbar * (1 - pbar) * (1 / n0 + 1 / n1))
            cannot.append(f"With {n_numb} episode run{'s' if n_numb != 1 else ''} in {n_runs} runs, the test can "
                          f"only reliably (80 % power) detect a risk difference of about {100 * mdd:.0f} percentage "
                          "points or more; smaller effects may be there unseen.")
        if len(d) and np.isfinite(d.iloc[0]["lo"]) and t.p_value > 0.05:
            r0 = d.iloc[0]
            cannot.append(f"It cannot rule out a true difference anywhere from {100 * r0['lo']:+.0f} to "
                          f"{100 * r0['hi']:+.0f} percentage points.")
    cannot.append("It compares only these levels, for you, over these weeks: not other shoes or settings, not "
                  "other runners, and not why the level matters.")
    if len(res.deviations):
        cannot.append(f"{len(res.deviations)} run(s) did not follow the plan; the as-assigned comparison (the "
                      "randomised one) is the answer, the as-followed one is not randomised and can be biased by "
                      "why you deviated.")
    nr = int((a["adherence"] == "not recorded").sum())
    if nr:
        res.notes.append(f"{nr} run(s) have no record of the {p.factor} used; they count as following the plan. "
                         f"Write the {p.factor} in your run notes to check adherence.")
    extra = res.runs[res.runs["adherence"] == "extra"]
    if len(extra):
        res.notes.append(f"{len(extra)} run(s) on days the plan does not cover were left out (extra runs).")
    if res.missing:
        res.notes.append(f"{res.missing} planned {'day' if p.by_date else 'run'}(s) without a run (rest days are "
                         "fine; the test allows for them).")
    multi = a.groupby("slot").size()
    if (multi > 1).any():
        res.notes.append(f"{int((multi > 1).sum())} planned day(s) with more than one run: each run counts, with "
                         "the day's level.")
    if res.washout:
        res.notes.append(f"Carry-over set aside: {int((res.runs['slot'] >= 0).sum() - len(a))} first run(s) after "
                         "a switch left out.")
    if n_numb:
        on = lv["onset_median_min"]
        if on.notna().sum() == k:
            can.append("Onset: median " + ", ".join(f"{x:.0f} min with {name}" for name, x in on.items())
                       + " (numb runs only; a few episodes say little).")
    res.can_show, res.cannot_show = can, cannot
