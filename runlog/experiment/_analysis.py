"""The analysis of an experiment, as its protocol says: adherence, risk per level, the test, its estimates."""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ExperimentError, RunlogWarning
from ._design import layout, look_ends
from ._engine import sequential, smallest_p, spending
from ._inference import ShiftTest, bayes_summary, holm, holm_levels, odds_ratio, swap_rows
from ._intervals import wilson_ci
from ._matching import level_of, match_runs, suggestion
from ._plan import Plan
from ._planfile import read_plan
from ._power import detectable_difference
from ._randomization import (
    DEFAULT_RESAMPLES,
    MAX_EXACT,
    TestResult,
    look_statistics,
    observed_codes,
    observed_difference,
    schedule_rows,
    slot_arrays,
)
from ._render import experiment_html, experiment_page, plot_experiment
from ._words import describe_levels, fill_words

#: Adherence of a run: what its notes say against what the plan assigned.
ADHERENCE = ("followed", "deviated", "unrecognised", "not recorded", "extra")


@dataclass
class Experiment:
    """The answer of an experiment (see :func:`analyze`).

    Attributes
    ----------
    plan : Plan
    runs : DataFrame
        One row per run in the experiment's dates up to the analysis date:
        ``date``, ``slot``, ``assigned``, ``used`` (from the notes or gear),
        ``used_level`` (the level it stands for), ``adherence`` (one of
        :data:`ADHERENCE`), ``suggestion`` (the level an unrecognised value
        is probably a typo of), ``numb``, ``onset_min`` [min], ``washout``
        (on a washout slot), ``analysed`` (counted in the answer: a planned
        run, not on a washout slot, in the data of the look the answer is from).
    levels : DataFrame
        As assigned (the randomised comparison): per level ``runs``,
        ``numb_runs``, ``risk`` [-], ``lo``, ``hi`` (Wilson 95 %),
        ``onset_median_min`` [min].
    followed : DataFrame
        Exploratory: the same per level as actually used (a deviated run
        moved to the level it used).
    difference : DataFrame
        One row per comparison (two levels: the second against the first;
        more: every pair): ``level``, ``reference``, ``difference`` (risk of
        level minus reference) [-], ``lo``, ``hi`` (the randomisation test
        inverted: no difference inside exactly when the test does not
        reject), ``confidence`` [-], ``odds_ratio``, ``or_lo``, ``or_hi``,
        ``p_value`` and, with three or more levels, ``p_holm``.
    test : TestResult
        The protocol's test (as assigned, its washout, looks and boundary).
    looks : DataFrame
        The looks made so far: ``look``, ``until`` (last day or slot
        covered), ``runs``, ``numb_runs``, ``p_value`` (that look's plain
        randomisation p-value), ``boundary`` (crossed when p_value <=
        boundary), ``crossed``.
    skipping : DataFrame or None
        Plan by date: per level ``planned_days``, ``days_run``, ``share``;
        ``skipping_p`` is the randomisation test of running by level.
    skipping_p : float or None
    cace : dict or None
        Effect of what was actually used (second level rather than first):
        ``estimate``, ``lo``, ``hi``, ``confidence``, ``uptake`` (per level,
        the share of runs that used the second level).
    bayes : DataFrame or None
        :func:`runlog.experiment._inference.bayes_summary`, when asked for.
    detectable : float or None
        The risk difference the protocol's test finds with 80 % power given
        the runs made [-] (final analysis of two levels).
    deviations : DataFrame
        Runs that used the other level.
    unrecognised : DataFrame
        Runs whose notes name no level of the plan (with a suggestion).
    missing : int
        Planned counted slots without a run, up to the analysis.
    washout : int
        Washout slots per period left out.
    alpha : float
    exploratory : list of str
        Why the analysis is not the protocol's (empty: it is).
    interim : bool
        The analysis is before the planned end.
    stopped_early : bool
        A boundary was crossed before the last look.
    as_of : Timestamp or None
        The analysis date (a plan by date).
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
    looks: pd.DataFrame = field(repr=False)
    deviations: pd.DataFrame = field(repr=False)
    unrecognised: pd.DataFrame = field(repr=False)
    skipping: pd.DataFrame | None = field(default=None, repr=False)
    skipping_p: float | None = None
    cace: dict | None = None
    bayes: pd.DataFrame | None = field(default=None, repr=False)
    detectable: float | None = None
    missing: int = 0
    washout: int = 0
    alpha: float = 0.05
    exploratory: list[str] = field(default_factory=list)
    interim: bool = False
    stopped_early: bool = False
    as_of: pd.Timestamp | None = None
    answer: str = ""
    can_show: list[str] = field(default_factory=list)
    cannot_show: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_text(self) -> str:
        """The answer, what it can and cannot show, per level, the test and the deviations, as text.

        Returns
        -------
        str
        """
        out = [self.answer, ""]
        out.append("Per level, as assigned:")
        out.append(describe_levels(self.levels))
        if len(self.deviations):
            out.append("As actually used (exploratory):")
            out.append(describe_levels(self.followed))
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


def _adherence(m: pd.DataFrame, used: pd.Series, levels: tuple[str, ...]) -> None:
    """Fill ``used``, ``used_level``, ``adherence`` and ``suggestion`` of the matched runs *m* (in place)."""
    raw = [None if v is pd.NA or v is None or (isinstance(v, float) and math.isnan(v)) or not str(v).strip()
           else str(v) for v in used.to_numpy()]
    lv_used = [None if v is None else level_of(v, levels) for v in raw]
    adh, sugg = [], []
    for a, u, r, st in zip(m["assigned"].to_numpy(), lv_used, raw, m["status"].to_numpy()):
        s = None
        if not str(st).startswith("planned"):
            adh.append("extra")
        elif r is None:
            adh.append("not recorded")
        elif u is None:
            adh.append("unrecognised")
            s = suggestion(r, levels)
        else:
            adh.append("followed" if u == a else "deviated")
        sugg.append(s)
    m["used"] = pd.array(raw, dtype="string")
    m["used_level"] = pd.array(lv_used, dtype="string")
    m["adherence"] = pd.array(adh, dtype="string")
    m["suggestion"] = pd.array(sugg, dtype="string")


def _as_of(p: Plan, as_of) -> pd.Timestamp:
    if as_of is None:
        return pd.Timestamp.now().normalize()
    try:
        day = pd.Timestamp(as_of)
    except (ValueError, TypeError) as exc:
        raise ExperimentError(f"as_of '{as_of}' is not a date; give an ISO date such as 2024-10-27") from exc
    return (day.tz_localize(None) if day.tzinfo else day).normalize()


def analyze(history, episodes, plan, notes=None, *, washout: int | None = None, alpha: float | None = None,
            as_of=None, bayes: bool = False, margin: float = 0.0, detectable: bool = True,
            max_exact: int = MAX_EXACT, n_resamples: int = DEFAULT_RESAMPLES, seed: int | None = None) -> Experiment:
    """Analyse an experiment as its protocol says: adherence, risk per level, the test and its estimates.

    The protocol fixed in the plan decides: the levels as assigned, the
    plan's washout and alpha, and its looks.  Before the planned end the
    analysis is an *interim look*: it uses the data up to the last
    scheduled look, and it stops the experiment only when that look
    crosses the O'Brien-Fleming-type boundary (Lan-DeMets alpha spending
    on the randomisation test; the p-value is then the stage-wise ordered
    one).  A plan by date uses the skipping-robust statistic: the days a
    level was skipped beyond the other level's share count in the way
    least favourable to a difference, so skipping that follows the level
    cannot make a difference on its own; the skipping itself is tested
    (running / not running per planned day, by the same randomisation).
    The interval of the difference inverts the same test, so it excludes
    no difference exactly when the test rejects; the odds ratio's interval
    is test-based for the same reason.  With notes saying what was used,
    the effect of what was used (complier average causal effect: as-assigned
    difference / difference in uptake) gets its interval by the same
    inversion.  With three or more levels every pair is compared by a
    randomisation test that swaps only that pair, Holm-adjusted.

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
    washout : int, optional
        Washout slots per period to leave out instead of the plan's: an
        exploratory analysis.
    alpha : float, optional
        Another level than the plan's: an exploratory analysis.
    as_of : str or date, optional
        The analysis date (default: today); runs after it are ignored, and
        before the planned end the analysis is an interim look.
    bayes : bool
        Add the Bayesian summary (:attr:`Experiment.bayes`).
    margin : float
        The difference in risk the Bayesian summary asks about [-].
    detectable : bool
        Simulate the smallest difference the protocol finds with 80 % power
        given the runs made (a second or two).
    max_exact, n_resamples : int
        Exact randomisation test up to *max_exact* possible schedules, else
        Monte Carlo with *n_resamples* draws.
    seed : int, optional
        Seed of a Monte Carlo test (default: derived from the plan's seed).

    Returns
    -------
    Experiment
        ``to_text()`` is the answer in words; ``to_html(path)`` writes the page.

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
    .. [3] Lan, K. K. G. & DeMets, D. L. (1983). Discrete sequential
       boundaries for clinical trials. Biometrika 70(3):659-663.
    .. [4] Mehta, C. R., Patel, N. R., Senchaudhuri, P. & Tsiatis, A. A.
       (1994). Exact permutational tests for group sequential clinical
       trials. Biometrics 50(4):1042-1053.
    .. [5] Rigdon, J. & Hudgens, M. G. (2015). Randomization inference for
       treatment effects on a binary outcome. Stat Med 34(6):924-935.
    .. [6] Imbens, G. W. & Rosenbaum, P. R. (2005). Robust, accurate
       confidence intervals with a weak instrument. J R Stat Soc A
       168(1):109-126.
    .. [7] Holm, S. (1979). A simple sequentially rejective multiple test
       procedure. Scand J Stat 6(2):65-70.
    """
    from ..journal import episode_flags

    p = plan if isinstance(plan, Plan) else read_plan(plan)
    k = len(p.levels)
    w = p.washout if washout is None else int(washout)
    level = p.alpha if alpha is None else float(alpha)
    exploratory = []
    if w != p.washout:
        exploratory.append(f"washout {w} instead of the plan's {p.washout}")
    if level != p.alpha:
        exploratory.append(f"alpha {level:g} instead of the plan's {p.alpha:g}")
    day = _as_of(p, as_of)
    runs_frame = getattr(history, "runs", history)
    m = match_runs(p, runs_frame)
    m = m[(m["date"] <= day).to_numpy()]
    planned = m[m["slot"] >= 0]
    if not len(planned):
        when = (f"{p.start:%Y-%m-%d} to {p.end:%Y-%m-%d}" if p.end is not None else f"from {p.start:%Y-%m-%d}")
        raise ExperimentError(f"no run of the history falls on the plan ({when}) up to {day:%Y-%m-%d}; import "
                              "the weeks of the experiment (runlog import PATH) and give that history")
    elapsed = (int((p.schedule["date"] <= day).sum()) if p.by_date
               else int(min(p.n_slots, planned["slot"].max() + 1)))
    end = min(p.end, day) if p.end is not None else m["date"].max()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunlogWarning)  # episodes before the experiment are not its business
        flags = episode_flags(history, episodes, tracked=(p.start, end))
    flags.index = flags.index.astype("string")
    m["numb"] = flags["numb"].reindex(m.index).fillna(False).astype(bool).to_numpy()
    m["onset_min"] = flags["onset_min"].reindex(m.index).astype("float64").to_numpy()
    _adherence(m, _used(p, history, notes, m.index), p.levels)

    # the looks made so far, and the protocol's test over them
    ends_all = look_ends(p.n_slots, p.looks)
    done = ends_all[ends_all <= elapsed]
    final = elapsed >= p.n_slots
    ends = done if len(done) else np.array([max(elapsed, 1)])
    spent = spending(done / p.n_slots, level) if len(done) else np.zeros(1)
    ok = (m["slot"] >= 0).to_numpy()
    slots_all = m["slot"].to_numpy()[ok]
    numb_all = m["numb"].to_numpy()[ok]
    arr = slot_arrays(p, slots_all, numb_all, elapsed=elapsed, washout=w)
    codes, add_obs = schedule_rows(p, max_exact=max_exact, n_resamples=n_resamples, seed=seed)
    obs = observed_codes(p)
    t_rows, t_obs = look_statistics(codes, obs[None, :], arr, ends, k, robust=p.by_date)
    seq = sequential(t_rows, t_obs, spent, add_obs=add_obs, final=final)
    cross = int(seq.cross[0])
    look = cross if cross >= 0 else len(ends) - 1
    until = int(ends[look])
    confidence_level = level if p.looks == 1 else float(seq.nominal[look, 0])
    arr_l = slot_arrays(p, slots_all, numb_all, elapsed=until, washout=w)
    test = TestResult(statistic=observed_difference(obs, arr_l, k),
                      statistic_name="risk difference" if k == 2 else "largest risk difference between two levels",
                      p_value=float(seq.p_value[0]), exact=not add_obs, n_assignments=p.n_assignments,
                      n_used=len(codes) + int(add_obs), min_p=float(smallest_p(t_rows[look], add_obs=add_obs)[0]),
                      seed=None if not add_obs else (int(p.seed) if seed is None else int(seed)), robust=p.by_date,
                      look=look + 1 if len(done) else 0, looks=p.looks,
                      boundary=float(seq.nominal[look, 0]) if len(done) else 0.0, crossed=cross >= 0,
                      interim=not final)
    looks_df = _looks_table(p, m, ends, done, seq, w)

    # which runs the answer counts
    slot_of = m["slot"].to_numpy()
    m["washout"] = ok & _washout(p, w)[np.maximum(slot_of, 0)]
    m["analysed"] = ok & ~m["washout"].to_numpy() & (slot_of < until)
    a = m[m["analysed"].to_numpy()]
    levels_df = _per_level(p.levels, a["assigned"].astype("object"), a["numb"], a["onset_min"])
    uses = a["used_level"].astype("object").where(a["adherence"].isin(["deviated", "followed"]).to_numpy(),
                                                  a["assigned"].astype("object"))
    followed_df = _per_level(p.levels, uses, a["numb"], a["onset_min"])

    diff, cace = _estimates(p, a, arr_l, codes, add_obs, obs, until, seq.p_look[look, 0], confidence_level,
                            levels_df, uses, max_exact=max_exact, n_resamples=n_resamples)
    skipping, skipping_p = _skipping(p, arr_l, codes, add_obs, obs, until) if p.by_date else (None, None)
    dev = m[(m["adherence"] == "deviated").to_numpy()][["date", "assigned", "used", "numb"]]
    unrec = m[(m["adherence"] == "unrecognised").to_numpy()][["date", "assigned", "used", "suggestion"]]
    n_missing = int(((arr["a"] > 0) & (arr["g"] == 0)).sum())
    res = Experiment(plan=p, runs=m, levels=levels_df, followed=followed_df, difference=diff, test=test,
                     looks=looks_df, deviations=dev, unrecognised=unrec, skipping=skipping, skipping_p=skipping_p,
                     cace=cace, missing=n_missing, washout=w, alpha=level, exploratory=exploratory,
                     interim=not final, stopped_early=0 <= cross < p.looks - 1, as_of=day if p.by_date else None)
    if bayes:
        res.bayes = bayes_summary(levels_df[["runs", "numb_runs"]], margin=margin, seed=p.seed)
    if detectable and final and k == 2 and cross < 0 and len(a):
        pooled = float(a["numb"].mean())
        if 0 < pooled < 1:
            res.detectable = detectable_difference(p, slots_all, p.n_slots, baseline=pooled, washout=w,
                                                   seed=p.seed)
    fill_words(res)
    return res


def _washout(p: Plan, w: int) -> np.ndarray:
    from ._design import washout_slots

    return washout_slots(p.n_slots, p.block, w)


def _looks_table(p: Plan, m: pd.DataFrame, ends: np.ndarray, done: np.ndarray, seq, w: int) -> pd.DataFrame:
    rows = []
    washed = _washout(p, w)
    slot = m["slot"].to_numpy()
    for j, e in enumerate(done):
        sel = (slot >= 0) & (slot < e) & ~washed[np.maximum(slot, 0)]
        until = p.schedule["date"].iloc[int(e) - 1] if p.by_date else int(e)
        rows.append({"look": j + 1, "until": until, "runs": int(sel.sum()), "numb_runs": int(m["numb"].to_numpy()[
            sel].sum()), "p_value": float(seq.p_look[j, 0]), "boundary": float(seq.nominal[j, 0]),
            "crossed": bool(seq.cross[0] == j)})
    return pd.DataFrame(rows, columns=["look", "until", "runs", "numb_runs", "p_value", "boundary", "crossed"])


def _estimates(p: Plan, a: pd.DataFrame, arr: dict, codes: np.ndarray, add_obs: bool, obs: np.ndarray, until: int,
               p_look: float, conf: float, levels_df: pd.DataFrame, uses: pd.Series, *, max_exact: int,
               n_resamples: int) -> tuple[pd.DataFrame, dict | None]:
    """The comparisons (difference, inverted-test interval, odds ratio, p) and the effect of what was used."""
    k = len(p.levels)
    rows = []
    cace = None
    if k == 2:
        x1, n1 = levels_df["numb_runs"].iloc[1], levels_df["runs"].iloc[1]
        x0, n0 = levels_df["numb_runs"].iloc[0], levels_df["runs"].iloc[0]
        d = x1 / n1 - x0 / n0 if n1 and n0 else float("nan")
        z = arr["n"] * (obs == 1)
        lo, hi = _clip(ShiftTest(codes, add_obs, obs, arr, z, robust=p.by_date).interval(conf, d))
        ratio, or_lo, or_hi = odds_ratio(x1, n1, x0, n0, p_look, conf)
        rows.append({"level": p.levels[1], "reference": p.levels[0], "difference": d, "lo": lo, "hi": hi,
                     "confidence": 1 - conf, "odds_ratio": ratio, "or_lo": or_lo, "or_hi": or_hi,
                     "p_value": p_look})
        # the effect of what was actually used (runs without a recognised use count as assigned)
        used1 = (uses.to_numpy() == p.levels[1]).astype("float64")
        if (uses.to_numpy() != a["assigned"].astype("object").to_numpy()).any() and n1 and n0:
            xd = np.bincount(a["slot"].to_numpy(), weights=used1, minlength=p.n_slots)
            assigned1 = (a["assigned"].astype("object").to_numpy() == p.levels[1])
            uptake = (float(used1[~assigned1].mean()) if (~assigned1).any() else float("nan"),
                      float(used1[assigned1].mean()) if assigned1.any() else float("nan"))
            gap = uptake[1] - uptake[0]
            est = d / gap if gap > 0.1 else float("nan")
            c_lo, c_hi = (_clip(ShiftTest(codes, add_obs, obs, arr, xd, robust=p.by_date).interval(conf, est, span=4.0))
                          if np.isfinite(est) else (float("nan"), float("nan")))
            cace = {"level": p.levels[1], "reference": p.levels[0], "estimate": est, "lo": c_lo, "hi": c_hi,
                    "confidence": 1 - conf, "uptake": uptake}
        return pd.DataFrame(rows), cace
    # three or more levels: every pair, by a randomisation test that swaps only that pair; Holm
    unit = layout(p.n_slots, k, p.block, p.design)["unit"].to_numpy()
    pairs = list(itertools.combinations(range(k), 2))
    tests = []
    for i, j in pairs:
        rows_ij, add_ij = swap_rows(obs, unit, i, j, max_exact=max_exact, n_resamples=n_resamples,
                                    seed=int(p.seed) + 7919 * (i + 1) + j)
        inside = ((obs == i) | (obs == j)).astype("float64")
        arr_ij = {name: arr[name] * inside for name in ("n", "y", "g", "a")}
        obs_ij = (obs == j).astype(np.int8)
        t_rows, t_obs = look_statistics(rows_ij, obs_ij[None, :], arr_ij, [until], 2, robust=p.by_date)
        from ._engine import plain_p

        pv = float(plain_p(t_rows[0], t_obs[0], add_obs=add_ij)[0])
        tests.append((i, j, rows_ij, add_ij, arr_ij, obs_ij, pv))
    p_raw = np.array([t[-1] for t in tests])
    p_adj = holm(p_raw)
    levels_each = holm_levels(p_raw, conf)
    for (i, j, rows_ij, add_ij, arr_ij, obs_ij, pv), padj, lvl in zip(tests, p_adj, levels_each):
        ri, rj = levels_df.iloc[i], levels_df.iloc[j]
        d = rj["risk"] - ri["risk"]
        z = arr_ij["n"] * obs_ij
        lo, hi = _clip(ShiftTest(rows_ij, add_ij, obs_ij, arr_ij, z, robust=p.by_date).interval(lvl, d))
        ratio, or_lo, or_hi = odds_ratio(rj["numb_runs"], rj["runs"], ri["numb_runs"], ri["runs"], pv, lvl)
        rows.append({"level": p.levels[j], "reference": p.levels[i], "difference": d, "lo": lo, "hi": hi,
                     "confidence": 1 - lvl, "odds_ratio": ratio, "or_lo": or_lo, "or_hi": or_hi, "p_value": pv,
                     "p_holm": float(padj)})
    return pd.DataFrame(rows), cace


def _clip(bounds: tuple[float, float]) -> tuple[float, float]:
    """A difference of two risks lies in [-1, 1]: the shifts outside it are not differences (NaN stays NaN)."""
    lo, hi = bounds
    return (max(lo, -1.0) if np.isfinite(lo) or lo == -np.inf else lo,
            min(hi, 1.0) if np.isfinite(hi) or hi == np.inf else hi)


def _skipping(p: Plan, arr: dict, codes: np.ndarray, add_obs: bool, obs: np.ndarray,
              until: int) -> tuple[pd.DataFrame, float]:
    """Per level: planned counted days, days run, share; and the randomisation test of running by level."""
    from ._engine import plain_p

    k = len(p.levels)
    run = {"n": arr["a"], "y": arr["g"]}
    t_rows, t_obs = look_statistics(codes, obs[None, :], run, [until], k, robust=False)
    pv = float(plain_p(t_rows[0], t_obs[0], add_obs=add_obs)[0])
    rows = []
    inside = np.arange(p.n_slots) < until
    for lv, name in enumerate(p.levels):
        sel = (obs == lv) & inside & (arr["a"] > 0)
        days, ran = int(sel.sum()), int(arr["g"][sel].sum())
        rows.append({"level": name, "planned_days": days, "days_run": ran,
                     "share": ran / days if days else float("nan")})
    return pd.DataFrame(rows).set_index("level"), pv
