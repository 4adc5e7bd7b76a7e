"""The plan: a randomised, blocked schedule of the levels of one factor, and the protocol fixed with it."""

from __future__ import annotations

import datetime as _dt
import html
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ExperimentError, RunlogWarning
from ._design import DESIGNS, look_ends, schedule_of, unit_count, washout_slots
from ._engine import spending
from ._factors import refusal
from ._ics import ics_text
from ._matching import running
from ._power import power
from ._randomization import plan_floor

#: Columns of a plan's CSV file (one row per planned day or run; the plan's settings and protocol on every row).
PLAN_COLUMNS = ("slot", "date", "weekday", "cycle", "period", "level", "switch", "washout", "look",
                "factor", "levels", "block", "design", "seed", "start", "end", "weekdays",
                "primary", "alpha", "washout_slots", "looks", "boundary")
#: The protocol's primary analysis: the levels as assigned by the randomisation (intention to treat).
PRIMARY = "as assigned"
#: How early looks are allowed: the boundary every plan uses (:func:`runlog.experiment.spending`).
BOUNDARY = "O'Brien-Fleming-type alpha spending (Lan-DeMets)"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Plan:
    """A randomised, blocked schedule of the levels of one factor and the protocol of its analysis (see :func:`plan`).

    Attributes
    ----------
    factor : str
        The factor tested (a run-notes column such as ``shoes``).
    levels : tuple of str
        The levels compared; the first is the reference of the differences.
    schedule : DataFrame
        One row per slot (planned day, or planned run), index ``slot``
        (0-based): ``date`` (local day; NaT in a plan by runs), ``cycle``,
        ``period`` (``block`` consecutive slots on one level), ``level``,
        ``switch`` (the first slot of a period whose level differs from the
        previous period's), ``washout`` (a scheduled washout slot: followed,
        not counted) and ``look`` (the look, 0-based, the slot is first
        analysed at).
    block : int
        Slots per period.
    design : str
        One of :data:`DESIGNS`.
    seed : int
        The seed the order was drawn with (and the Monte Carlo test re-draws with).
    start : Timestamp
        First local day of the experiment.
    end : Timestamp or None
        Last planned day (None in a plan by runs: open until N runs are made).
    alpha : float
        The protocol's significance level (two-sided) [-].
    washout : int
        Scheduled washout slots at the start of every period (not counted).
    looks : int
        Equally spaced analyses the protocol allows, the last at the planned
        end (a plan by date: one a week).
    weekdays : tuple of int or None
        Planned weekdays (0 = Monday) of a plan by date.
    created : Timestamp
        When the plan was made (UTC; the calendar's DTSTAMP).
    power : DataFrame or None
        Power of the protocol's test by number of runs (``runs``, ``power``,
        ``lo``, ``hi``: 95 % Monte Carlo interval), when a baseline risk was
        known.
    baseline_risk : float or None
        The runner's episode risk per run [-] the power assumes.
    risk_ratio : float or None
        The effect the power is for: risk under the other level(s) / baseline.
    runs_per_week : float or None
        Runs per week assumed for a plan by date.
    notes : list of str
        What the plan assumed.
    """

    factor: str
    levels: tuple[str, ...]
    schedule: pd.DataFrame = field(repr=False)
    block: int = 2
    design: str = "random"
    seed: int = 0
    start: pd.Timestamp = field(default_factory=lambda: pd.Timestamp("2024-01-01"))
    end: pd.Timestamp | None = None
    alpha: float = 0.05
    washout: int = 0
    looks: int = 1
    weekdays: tuple[int, ...] | None = None
    created: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.now(tz="UTC").floor("s"))
    power: pd.DataFrame | None = field(default=None, repr=False)
    baseline_risk: float | None = None
    risk_ratio: float | None = None
    runs_per_week: float | None = None
    notes: list[str] = field(default_factory=list, repr=False)

    @property
    def by_date(self) -> bool:
        """True for a plan by date (``weeks=``), False for a plan by runs (``runs=``)."""
        return bool(self.schedule["date"].notna().any())

    @property
    def n_slots(self) -> int:
        """Number of planned days or runs."""
        return len(self.schedule)

    @property
    def n_assignments(self) -> int:
        """Number of equally likely schedules the randomisation could have drawn."""
        return math.factorial(len(self.levels)) ** unit_count(self)

    @property
    def primary(self) -> str:
        """The protocol's primary analysis: :data:`PRIMARY`."""
        return PRIMARY

    @property
    def look_ends(self) -> np.ndarray:
        """Per look: the slots it covers end before this index (the last look: every slot)."""
        return look_ends(self.n_slots, self.looks)

    @property
    def spent(self) -> np.ndarray:
        """Per look: the cumulative level the boundary has spent by then [-] (:func:`spending`)."""
        return spending(self.look_ends / max(self.n_slots, 1), self.alpha)

    @property
    def counted(self) -> np.ndarray:
        """Per slot: counted in the analysis (not a scheduled washout slot)."""
        return ~washout_slots(self.n_slots, self.block, self.washout)

    @property
    def min_p(self) -> float:
        """The smallest p-value the protocol's final test can give, whatever the runs show.

        Computed as :func:`randomization_test` computes its minimum: the share
        of schedules tied with the most extreme one, for the most extreme
        outcomes (every counted slot run, numbness on all runs of some levels
        and none of the others).  With two levels a schedule and its mirror
        image always tie, so the floor is at least 2 / :attr:`n_assignments`.
        """
        return plan_floor(self)

    def runs_needed(self, target: float = 0.8) -> int | None:
        """Fewest runs with at least *target* power in :attr:`power` (None: not reached or not computed).

        Parameters
        ----------
        target : float
            The power wanted [-].

        Returns
        -------
        int or None
            Runs needed.
        """
        if self.power is None or not len(self.power):
            return None
        ok = self.power[self.power["power"] >= target]
        return int(ok["runs"].min()) if len(ok) else None

    def to_frame(self) -> pd.DataFrame:
        """The schedule with the plan's settings and protocol on every row, as the CSV file holds it.

        Returns
        -------
        DataFrame
            Columns :data:`PLAN_COLUMNS` (slot, cycle, period and look
            1-based, dates ISO text).
        """
        s = self.schedule
        return pd.DataFrame({
            "slot": s.index.to_numpy() + 1,
            "date": s["date"].dt.strftime("%Y-%m-%d").fillna("").to_numpy(),
            "weekday": s["date"].dt.day_name().str[:3].fillna("").to_numpy(),
            "cycle": s["cycle"].to_numpy() + 1,
            "period": s["period"].to_numpy() + 1,
            "level": s["level"].to_numpy(),
            "switch": np.where(s["switch"].to_numpy(), "yes", ""),
            "washout": np.where(s["washout"].to_numpy(), "yes", ""),
            "look": s["look"].to_numpy() + 1,
            "factor": self.factor,
            "levels": " | ".join(self.levels),
            "block": self.block,
            "design": self.design,
            "seed": self.seed,
            "start": f"{self.start:%Y-%m-%d}",
            "end": "" if self.end is None else f"{self.end:%Y-%m-%d}",
            "weekdays": ",".join(_WEEKDAYS[d].title() for d in self.weekdays) if self.weekdays else "",
            "primary": PRIMARY,
            "alpha": f"{self.alpha:g}",
            "washout_slots": self.washout,
            "looks": self.looks,
            "boundary": BOUNDARY,
        }, columns=list(PLAN_COLUMNS))

    def to_csv(self, path=None) -> str:
        """The plan as CSV (one row per planned day or run); written atomically when *path* is given.

        Parameters
        ----------
        path : str or PathLike, optional
            File to write.

        Returns
        -------
        str
            The CSV text.
        """
        frame = self.to_frame()
        frame["level"] = frame["level"].map(_cell_safe)
        frame["levels"] = " | ".join(_cell_safe(v) for v in self.levels)
        frame["factor"] = _cell_safe(self.factor)
        text = frame.to_csv(index=False, lineterminator="\n")
        if path is not None:
            from ..history import atomic_write_text

            atomic_write_text(path, text, mkdir=True)
        return text

    def to_ics(self, path=None, *, reminder: str | None = None) -> str:
        """The plan as an iCalendar file (RFC 5545): one all-day event per planned day.

        Parameters
        ----------
        path : str or PathLike, optional
            File to write (atomically).
        reminder : str, optional
            ``'HH:MM'``: an alarm at that time the evening before each day.

        Returns
        -------
        str
            The calendar, CRLF line ends, lines folded at 75 octets.

        Raises
        ------
        ExperimentError
            A plan by runs has no dates to put in a calendar.
        """
        if not self.by_date:
            raise ExperimentError("a plan by runs (runs=N) has no dates to put in a calendar; plan by weeks "
                                  "(weeks=N) for a calendar, or follow the CSV's order")
        text = ics_text(self, reminder=reminder)
        if path is not None:
            from ..history import atomic_write

            data = text.encode("utf-8")
            atomic_write(path, lambda fh: fh.write(data), mkdir=True, raise_errors=True)
        return text

    def describe(self) -> str:
        """The plan in a few plain words (factor, levels, size, seed), for page footers and messages.

        Returns
        -------
        str
        """
        size = (f"{self.n_slots} days from {self.start:%d %b %Y}" if self.by_date else
                f"{self.n_slots} runs from {self.start:%d %b %Y}")
        return (f"{self.factor}: {' vs '.join(self.levels)}; {size}; periods of {self.block}"
                f"{f' (washout {self.washout})' if self.washout else ''}; {self.design} design, seed {self.seed}")

    def to_text(self) -> str:
        """The plan in words: what to do, the protocol, how many runs, what it can detect.

        Returns
        -------
        str
            A few lines of text.
        """
        lv = " vs ".join(self.levels)
        unit = "day" if self.by_date else "run"
        lines = [f"Experiment on {self.factor}: {lv}."]
        if self.by_date:
            assert self.end is not None
            lines.append(f"{self.n_slots} planned days from {self.start:%a %d %b %Y} to {self.end:%a %d %b %Y}; "
                         f"each day says which {self.factor} to use if you run that day.")
        else:
            lines.append(f"Your next {self.n_slots} runs from {self.start:%a %d %b %Y}, in order.")
        wash = ""
        if self.washout:
            wash = (f", the first {self.washout} of them washout {unit}{'s' if self.washout > 1 else ''} (use the "
                    "new level, but they are not counted: a lingering effect of the previous level can wear off)")
        floor = self.min_p
        lines.append(f"Periods of {self.block} {unit}{'s' if self.block > 1 else ''} on one level{wash}; every cycle "
                     f"of {len(self.levels)} periods holds each level once in a random order ({self.design} design, "
                     f"seed {self.seed}): {self.n_assignments:,} possible schedules; the smallest p-value the "
                     f"randomisation test can give is {floor:.2g}"
                     + (" (a schedule and its mirror image always tie)." if len(self.levels) == 2 else "."))
        if floor > self.alpha:
            lines.append(f"That is above {self.alpha:g}: this plan cannot show a difference at the {self.alpha:.0%} "
                         "level whatever happens; plan more weeks or runs, or shorter periods.")
        when = f"after the last planned day ({self.end:%a %d %b %Y})" if self.by_date else \
            f"after the {self.n_slots}th planned run"
        lines.append(f"Protocol (fixed now, written in the plan file): the primary analysis compares the levels as "
                     f"assigned, at the {self.alpha:.0%} level (two-sided), {when}. Any other analysis "
                     "(another washout, the levels as actually used) is exploratory.")
        if self.looks > 1:
            every = "each week" if self.by_date and self.looks * 7 >= self.n_slots - 6 else \
                f"every {math.ceil(self.n_slots / self.looks)} {unit}s"
            lines.append(f"You may look {every} ({self.looks} looks): a look before the end stops the experiment "
                         "only when its evidence crosses an O'Brien-Fleming-type boundary (Lan-DeMets alpha "
                         "spending), so looking early does not raise the chance of a false finding.")
        if self.by_date:
            lines.append("Run or rest as you would anyway: do not let the day's level decide whether you run. The "
                         "analysis allows for skipping that follows the level, at a cost in power; if it is likely, "
                         "plan by runs (runs=N) and read the next line of the plan only after you have decided to "
                         "run.")
        if self.power is not None and self.baseline_risk is not None:
            planned = self.power.iloc[0]
            lines.append(f"With your baseline risk of {self.baseline_risk:.0%} per run and a level that multiplies "
                         f"it by {self.risk_ratio:g}, the planned {int(planned['runs'])} runs give the protocol's "
                         f"test a power of {planned['power']:.0%} (95 % Monte Carlo interval {planned['lo']:.0%}-"
                         f"{planned['hi']:.0%}).")
            need = self.runs_needed()
            if need is not None and need <= int(planned["runs"]):
                lines.append("The planned size is enough for 80 % power.")
            elif need is not None:
                lines.append(f"About {need} runs would give 80 % power: plan more weeks for this effect, or "
                             "accept that a smaller effect may go unseen.")
            else:
                lines.append(f"Even {int(self.power['runs'].max())} runs do not give 80 % power for this effect.")
        lines.extend(self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<Plan {self.factor}: {' vs '.join(self.levels)}, {self.n_slots} "
                f"{'days' if self.by_date else 'runs'}, block {self.block}, {self.design}, seed {self.seed}>")

    def _repr_html_(self) -> str:  # pragma: no cover - cosmetic
        head = "".join(f"<p>{html.escape(x)}</p>" for x in self.to_text().split("\n"))
        table = self.to_frame()[["slot", "date", "weekday", "cycle", "period", "level", "switch", "washout",
                                 "look"]]
        return head + table.to_html(index=False)


def _cell_safe(text: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading quote (OWASP, CSV injection;
    the rule of the report's CSV, :func:`runlog.render.text.cell_safe`)."""
    from ..render.text import cell_safe

    return cell_safe(text)


def _start_day(start) -> pd.Timestamp:
    if start is None:
        today = pd.Timestamp(_dt.date.today())
        return today + pd.Timedelta(days=(7 - today.day_of_week) % 7 or 7)  # next Monday
    try:
        day = pd.Timestamp(start)
    except (ValueError, TypeError) as exc:
        raise ExperimentError(f"start '{start}' is not a date; give an ISO date such as 2024-09-02") from exc
    if day is pd.NaT:
        raise ExperimentError(f"start '{start}' is not a date; give an ISO date such as 2024-09-02")
    return day.tz_localize(None).normalize() if day.tzinfo else day.normalize()


def weekday_numbers(weekdays) -> list[int]:
    """Weekdays as numbers (0 = Monday) from ``'Mon,Wed,Fri'``, names or numbers; None = every day.

    Parameters
    ----------
    weekdays : str, sequence or None

    Returns
    -------
    list of int
        Sorted, without repeats.

    Raises
    ------
    ExperimentError
        A weekday not understood, or none.
    """
    if weekdays is None:
        return list(range(7))
    if isinstance(weekdays, str):
        weekdays = [w for w in weekdays.replace(";", ",").split(",") if w.strip()]
    out = []
    for w in weekdays:
        if isinstance(w, (int, np.integer)) and 0 <= int(w) <= 6:
            out.append(int(w))
        elif str(w).strip().lower()[:3] in _WEEKDAYS:
            out.append(_WEEKDAYS.index(str(w).strip().lower()[:3]))
        else:
            raise ExperimentError(f"weekday '{w}' not understood; use Mon, Tue, ... Sun or 0 (Monday) to 6")
    if not out:
        raise ExperimentError("weekdays is empty; name at least one day, e.g. 'Mon,Wed,Fri,Sun'")
    return sorted(set(out))


def plan(factor: str, levels, *, runs: int | None = None, weeks: int | None = None, block: int = 2,
         washout: int = 0, alpha: float = 0.05, looks: int | None = None, start=None, seed: int | None = None,
         design: str = "random", weekdays=None, history=None, episodes=None, baseline_risk: float | None = None,
         risk_ratio: float = 3.0, n_sim: int = 400, power_seed: int = 0) -> Plan:
    """A randomised, blocked schedule for testing *factor* on yourself (N-of-1), with its protocol fixed.

    The planned days (``weeks=``) or runs (``runs=``) are cut into periods
    of *block* slots on one level; each cycle of ``len(levels)`` periods holds
    every level once in an order drawn at random (``design='mirror'``: every
    other cycle is the mirror of the one before, AB|BA).  The first
    *washout* slots of every period are scheduled washout (followed, not
    counted).  The protocol (primary analysis as assigned, *alpha*, the
    washout, the planned end and the *looks* allowed before it) is recorded
    in the plan and its file; :func:`analyze` follows it.  With a baseline
    risk (given, or the share of numb runs in *history* + *episodes*) the
    power of the protocol's test is estimated by simulation for the planned
    size and for larger ones.

    Parameters
    ----------
    factor : str
        What you will change: ``shoes``, ``lacing``, ``fluid_ml``,
        ``warmup_min`` or any run-notes column.  Refused for what a runner
        cannot assign (weather, distance, pace, heart rate, ...; :func:`refusal`).
    levels : sequence of str
        The two or more levels to compare, reference first (e.g. the pair
        you suspect second).  Numbers are allowed (``0, 500`` ml).
    runs : int, optional
        Plan your next *runs* runs (in order; no dates).
    weeks : int, optional
        Plan *weeks* weeks of days from *start*: each day says which level
        to use if you run.  Give exactly one of *runs* and *weeks*.
    block : int
        Slots (days or runs) in a row on one level.
    washout : int
        Scheduled washout slots at the start of every period, fewer than
        *block*: you use the new level, and they are not counted.
    alpha : float
        Significance level of the protocol's two-sided test [-].
    looks : int, optional
        Analyses the protocol allows, equally spaced, the last at the planned
        end (default: one a week in a plan by date, one per 7 runs in a plan
        by runs).  Early looks use an O'Brien-Fleming-type boundary.
    start : str or date, optional
        First day (default: next Monday).
    seed : int, optional
        Seed of the random order (default: drawn, and recorded in the plan).
    design : {'random', 'mirror'}
        See :data:`DESIGNS`.
    weekdays : str or sequence, optional
        Plan by date: only these weekdays (``'Mon,Wed,Fri,Sun'``); default all.
    history : History, optional
        Your runs so far, for the baseline risk and runs per week.
    episodes : DataFrame, optional
        :func:`runlog.read_episodes` output read with *history*.
    baseline_risk : float, optional
        Risk of numbness per run [-]; overrides the one from *history*.
    risk_ratio : float
        The effect the power is computed for: risk under the other level(s)
        divided by the baseline risk (reference level) [-].
    n_sim : int
        Simulated experiments per size for the power.
    power_seed : int
        Seed of the power simulation.

    Returns
    -------
    Plan
        The schedule; ``plan.to_text()`` says what it can detect,
        ``plan.to_csv(path)`` and ``plan.to_ics(path)`` write it.

    Raises
    ------
    ExperimentError
        A factor that cannot be assigned, fewer than two levels, both or
        neither of *runs* and *weeks*, a bad block, washout, alpha, looks,
        design or weekday.

    References
    ----------
    .. [1] Vohra, S. et al. (2015). CONSORT extension for reporting N-of-1
       trials (CENT) 2015 Statement. BMJ 350:h1738.
    .. [2] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC.
    .. [3] Lan, K. K. G. & DeMets, D. L. (1983). Discrete sequential
       boundaries for clinical trials. Biometrika 70(3):659-663.
    """
    why = refusal(factor)
    if why:
        raise ExperimentError(why)
    if isinstance(levels, str):
        raise ExperimentError(f"levels must be a list of the levels, not one text ('{levels}'); e.g. "
                              "levels=['Trail Glide 2', 'Daily Cushion 5']")
    levels = tuple(str(v).strip() for v in levels)
    if len(levels) < 2 or any(not v for v in levels):
        raise ExperimentError(f"an experiment compares at least two named levels (got {_listed(levels)}); "
                              "e.g. levels=['Trail Glide 2', 'Daily Cushion 5']")
    if len({v.casefold() for v in levels}) < len(levels):
        raise ExperimentError(f"levels {_listed(levels)} repeat a level; name each once")
    if (runs is None) == (weeks is None):
        raise ExperimentError("give either runs=N (your next N runs) or weeks=N (N weeks of days), not "
                              f"{'both' if runs is not None else 'neither'}")
    if design not in DESIGNS:
        raise ExperimentError(f"design '{design}' unknown; use one of {', '.join(DESIGNS)}")
    if int(block) < 1:
        raise ExperimentError(f"block must be at least 1 (got {block})")
    block = int(block)
    if not 0 <= int(washout) < block:
        raise ExperimentError(f"washout must be at least 0 and less than block ({block}) so that every period has "
                              f"a counted slot (got {washout}); e.g. block=3, washout=1")
    if not 0 < float(alpha) < 0.5:
        raise ExperimentError(f"alpha must be between 0 and 0.5 (got {alpha}); 0.05 is usual")
    k = len(levels)
    day0 = _start_day(start)
    wd = None
    if weeks is not None:
        if int(weeks) < 1:
            raise ExperimentError(f"weeks must be at least 1 (got {weeks})")
        wd = weekday_numbers(weekdays)
        days = pd.date_range(day0, periods=7 * int(weeks), freq="D")
        days = days[days.day_of_week.isin(wd)]
        dates: pd.Series | None = pd.Series(days)
        end = days[-1] if len(days) else None
        n = len(days)
        default_looks = int(weeks)
    else:
        if int(runs) < k:  # type: ignore[arg-type]
            raise ExperimentError(f"runs must be at least the number of levels ({k}); got {runs}")
        n = int(runs)  # type: ignore[arg-type]
        dates, end = None, None
        default_looks = max(1, round(n / 7))
    n_looks = default_looks if looks is None else int(looks)
    if not 1 <= n_looks <= max(n, 1):
        raise ExperimentError(f"looks must be between 1 and the number of planned slots ({n}); got {looks}")
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)  # drawn from the OS when none is given
        seed = int(entropy % (2**31))
    frame, codes = schedule_of(n, k, block, design, int(seed), int(washout), n_looks, dates)
    frame.insert(3, "level", np.asarray(levels, dtype=object)[codes])
    p = Plan(factor=str(factor), levels=levels, schedule=frame, block=block, design=design, seed=int(seed),
             start=day0, end=end, alpha=float(alpha), washout=int(washout), looks=n_looks,
             weekdays=tuple(wd) if wd is not None and len(wd) < 7 else None)
    n_cycles = int(frame["cycle"].max()) + 1 if n else 0
    if n % (k * block):
        p.notes.append(f"The last cycle is incomplete ({n % (k * block)} of {k * block} slots): its levels are "
                       "not balanced; the randomisation test allows for that.")
    if n_cycles < 2:
        p.notes.append("One cycle only: too short to test anything; plan at least 4 cycles.")
    # power from the runner's own baseline
    rpw = None
    if history is not None and episodes is not None and baseline_risk is None:
        baseline_risk, rpw = _baseline(history, episodes)
    elif history is not None:
        rpw = _baseline(history, None)[1]
    if weeks is not None:
        p.runs_per_week = rpw if rpw is not None else 5.0
        if rpw is None:
            p.notes.append("Runs per week assumed 5 (no history given).")
    if baseline_risk is not None and np.isfinite(baseline_risk):
        p.baseline_risk = float(baseline_risk)
        p.risk_ratio = float(risk_ratio)
        p.power = power(p, float(baseline_risk), float(risk_ratio), n_sim=n_sim, seed=power_seed)
    return p


def _listed(levels) -> str:
    return ", ".join(f"'{v}'" for v in levels) or "none"


def _baseline(history, episodes) -> tuple[float | None, float | None]:
    """(share of tracked runs with numbness, runs per week over the last 8 weeks of the history)."""
    runs = running(getattr(history, "runs", history))
    rpw = None
    if len(runs):
        local = pd.to_datetime(runs["start_local"]).astype("datetime64[ns]")
        last = local.max()
        recent = local[local > last - pd.Timedelta(weeks=8)]
        span_w = max((last - local.min()) / pd.Timedelta(weeks=1), 1.0)
        rpw = float(len(recent) / min(8.0, span_w))
    if episodes is None:
        return None, rpw
    from ..journal import episode_flags

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RunlogWarning)
        flags = episode_flags(history, episodes)
    flags = flags[flags["tracked"] & flags.index.isin(runs.index.astype("string"))]
    if not len(flags):
        return None, rpw
    return float(flags["numb"].mean()), rpw
