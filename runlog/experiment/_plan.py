"""From association to cause: plan and analyse your own randomised experiment (N-of-1).

An analysis of past runs (:func:`runlog.analyze`) finds associations: hot runs
are also long, late in a training block, in older shoes.  For what a runner
controls -- which shoes, how tight the laces, how much to drink, how long to
warm up -- a randomised experiment on oneself answers the causal question.
This module follows the clinical N-of-1 design (CENT 2015 [1]_):

1. :func:`plan` draws a *blocked, randomised* schedule.  The planned days (or
   the next N runs) are cut into periods of ``block`` days/runs on one level;
   a *cycle* holds every level once, in a random order (with
   ``design='mirror'`` cycles come in mirrored pairs: AB|BA, the ABBA/BAAB
   design).  It estimates by simulation, from the runner's own episode rate,
   how many runs the experiment needs, and writes the schedule as CSV and as
   an iCalendar file (``.ics``) a phone calendar imports.
2. The runner follows the calendar and keeps the numbness journal and the
   run notes (what was actually worn or drunk).
3. :func:`analyze` ties the runs made to the plan by their local date (or
   their order), checks adherence, and reports the risk of numbness under
   each level, the difference with a 95 % interval and the exact
   randomisation-test p-value over the plan's own randomisation (Edgington &
   Onghena [2]_): the test re-draws the order within every cycle exactly as
   :func:`plan` drew it, so under the sharp null hypothesis (the level makes
   no difference to any run) the p-value is valid whatever the weather,
   training load or seasonal trend did.

Matching runs to the plan
-------------------------
* A plan by date (``weeks=``): a run gets the level of its local date.  Two
  runs on one day share that day's level.  Runs on a day that is not in the
  plan (outside its weeks, or on a weekday left out) are *extra*: listed and
  not analysed.  Planned days without a run are simply rest days (*missing*,
  counted): the test conditions on which days were run.
* A plan by runs (``runs=N``): the first N runs from ``start`` (local start
  time order) get slots 1..N; later runs are extra; slots without a run are
  missing.

Only activities of sport 'running' count when the history says the sport.

References
----------
.. [1] Vohra, S. et al. (2015). CONSORT extension for reporting N-of-1 trials
   (CENT) 2015 Statement. BMJ 350:h1738.
.. [2] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th ed.
   Chapman & Hall/CRC.
.. [3] Newcombe, R. G. (1998). Interval estimation for the difference between
   independent proportions: comparison of eleven methods. Stat Med
   17(8):873-890.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import html
import itertools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ExperimentError, RunlogWarning

__all__ = [
    "plan", "analyze", "read_plan", "Plan", "Experiment", "TestResult",
    "randomization_test", "assignment_matrix", "match_runs", "power", "wilson_ci", "risk_difference_ci",
    "refusal", "simulated_outcomes", "plot_experiment", "DESIGNS", "MAX_EXACT", "REFUSED_FACTORS",
    "PLAN_COLUMNS", "ics_text", "experiment_html",
]

#: Randomisation designs: 'random' draws each cycle's order independently;
#: 'mirror' draws every other cycle and mirrors it in the next (AB|BA, the ABBA/BAAB design).
DESIGNS = ("random", "mirror")
#: Largest number of possible assignments enumerated exactly; above it, Monte Carlo.
MAX_EXACT = 100_000
#: Re-drawn assignments of a Monte Carlo randomisation test.
DEFAULT_RESAMPLES = 20_000
#: Columns of a plan's CSV file (one row per planned day or run).
PLAN_COLUMNS = ("slot", "date", "weekday", "cycle", "period", "level", "switch",
                "factor", "levels", "block", "design", "seed", "start")
#: Factors a runner cannot assign before a run, by a word in their name -> why.
REFUSED_FACTORS: dict[str, str] = {
    "weather": "the weather happens to you",
    "temp": "the air temperature happens to you",
    "humid": "the humidity happens to you",
    "heat": "the heat happens to you",
    "wind": "the wind happens to you",
    "rain": "the rain happens to you",
    "dew": "the dew point happens to you",
    "wbgt": "the heat stress happens to you",
    "distance": "distance is what a run turns out to be, and distance already run is history",
    "duration": "duration is what a run turns out to be",
    "elapsed": "time on your feet is what a run turns out to be",
    "pace": "pace is what a run turns out to be",
    "speed": "speed is what a run turns out to be",
    "heart": "heart rate is a response, not a choice",
    "hr": "heart rate is a response, not a choice",
    "cadence": "cadence is a response, not a choice",
    "elevation": "the hills of a run are measured, not assigned at random",
    "climb": "the hills of a run are measured, not assigned at random",
    "rpe": "effort is felt during the run, not chosen before it",
    "body_mass": "body mass is measured, not assigned",
    "sweat": "sweat loss is a response, not a choice",
    "numb": "numbness is the outcome",
    "onset": "the onset is the outcome",
    "episode": "episodes are the outcome",
    "severity": "severity is the outcome",
    "acwr": "training load already run is history",
    "load": "training load already run is history",
    "trimp": "training load already run is history",
    "date": "the calendar cannot be randomised",
    "season": "the season cannot be randomised",
}
_HOW = ("An experiment needs a factor you choose before each run: shoes, lacing, fluid_ml (per run or per hour), "
        "warmup_min, or any column of your run notes.")


def refusal(factor: str) -> str | None:
    """Why *factor* cannot be the subject of an experiment, or None when a runner can assign it.

    Parameters
    ----------
    factor : str
        A factor name (a run-notes column, e.g. ``shoes``, ``lacing``, ``fluid_ml``).

    Returns
    -------
    str or None
        The reason, as a sentence ending in what to do instead; None when the
        factor can be assigned.
    """
    name = str(factor).strip().lower().replace(" ", "_").replace("-", "_")
    words = set(name.split("_"))
    for word, why in REFUSED_FACTORS.items():
        if (word in words) if len(word) <= 3 else (word in name):
            return (f"'{factor}' cannot be assigned at random before a run ({why}); only a factor you control "
                    f"can be tested this way. {_HOW}")
    return None


# ----------------------------------------------------------------------------------------------
# The plan
# ----------------------------------------------------------------------------------------------
@dataclass
class Plan:
    """A randomised, blocked schedule of the levels of one factor (see :func:`plan`).

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
        previous period's: carry-over can show there).
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
    created : Timestamp
        When the plan was made (UTC; the calendar's DTSTAMP).
    power : DataFrame or None
        Power of the randomisation test by number of runs (``runs``,
        ``power``, ``lo``, ``hi``: 95 % Monte Carlo interval), when a
        baseline risk was known.
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
        return math.factorial(len(self.levels)) ** _n_units(self)

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
        """The schedule with the plan's settings on every row, as the CSV file holds it.

        Returns
        -------
        DataFrame
            Columns :data:`PLAN_COLUMNS` (slot 1-based, dates ISO text).
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
            "factor": self.factor,
            "levels": " | ".join(self.levels),
            "block": self.block,
            "design": self.design,
            "seed": self.seed,
            "start": f"{self.start:%Y-%m-%d}",
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
            from ..cache import atomic_write_text

            atomic_write_text(path, text, mkdir=True)
        return text

    def to_ics(self, path=None) -> str:
        """The plan as an iCalendar file (RFC 5545): one all-day event per planned day.

        Parameters
        ----------
        path : str or PathLike, optional
            File to write (atomically).

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
        text = ics_text(self)
        if path is not None:
            from ..cache import atomic_write

            data = text.encode("utf-8")
            atomic_write(path, lambda fh: fh.write(data), mkdir=True, raise_errors=True)
        return text

    def summary(self) -> str:
        """The plan in words: what to do, how many runs, what it can detect.

        Returns
        -------
        str
            A few lines of text.
        """
        lv = " vs ".join(self.levels)
        unit = "day" if self.by_date else "run"
        lines = [f"Experiment on {self.factor}: {lv}."]
        if self.by_date:
            lines.append(f"{self.n_slots} planned days from {self.start:%a %d %b %Y} to {self.end:%a %d %b %Y}; "
                         f"each day says which {self.factor} to use if you run that day.")
        else:
            lines.append(f"Your next {self.n_slots} runs from {self.start:%a %d %b %Y}, in order.")
        lines.append(f"Periods of {self.block} {unit}{'s' if self.block > 1 else ''} on one level; every cycle of "
                     f"{len(self.levels)} periods holds each level once in a random order ({self.design} design, "
                     f"seed {self.seed}): {self.n_assignments:,} possible schedules, so the smallest p-value the "
                     f"randomisation test can give is {1 / self.n_assignments:.2g}.")
        if 1.0 / self.n_assignments > 0.05:
            lines.append("That is above 0.05: this plan cannot show a difference at the 5 % level whatever "
                         "happens; plan more weeks or runs, or shorter periods.")
        if self.power is not None and self.baseline_risk is not None:
            planned = self.power.iloc[0]
            lines.append(f"With your baseline risk of {self.baseline_risk:.0%} per run and a level that multiplies "
                         f"it by {self.risk_ratio:g}, the planned {int(planned['runs'])} runs give the test a "
                         f"power of {planned['power']:.0%} (95 % MC interval {planned['lo']:.0%}-"
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
        head = "".join(f"<p>{html.escape(x)}</p>" for x in self.summary().split("\n"))
        return head + self.to_frame().drop(columns=["factor", "levels", "block", "design", "seed"]).to_html(
            index=False)


def _cell_safe(text: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading quote (OWASP, CSV injection;
    the rule of the report's CSV, :func:`runlog.analysis.report.cell_safe`)."""
    from ..analysis.report import cell_safe

    return cell_safe(text)


def _cell_read(text: str) -> str:
    """Undo :func:`_cell_safe`."""
    from ..analysis.report import FORMULA_STARTS

    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _n_units(p: Plan) -> int:
    """Independently randomised units: cycles ('random') or pairs of cycles ('mirror')."""
    n_cycles = int(p.schedule["cycle"].max()) + 1 if len(p.schedule) else 0
    return n_cycles if p.design == "random" else (n_cycles + 1) // 2


def _layout(n_slots: int, k: int, block: int, design: str) -> pd.DataFrame:
    """Per slot: period, cycle, randomisation unit and the position its level is read from."""
    slot = np.arange(n_slots)
    period = slot // block
    cycle = period // k
    pos = period % k
    if design == "mirror":
        unit = cycle // 2
        idx = np.where(cycle % 2 == 1, k - 1 - pos, pos)
    else:
        unit = cycle
        idx = pos
    return pd.DataFrame({"period": period, "cycle": cycle, "unit": unit, "idx": idx}, index=slot)


def _perms(k: int) -> np.ndarray:
    return np.array(list(itertools.permutations(range(k))), dtype=np.int8)


def _switch(codes: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Per slot (last axis): first slot of a period whose level differs from the previous slot's."""
    first = np.r_[False, period[1:] != period[:-1]]
    prev = np.concatenate([codes[..., :1], codes[..., :-1]], axis=-1)
    return first & (codes != prev)


def _start_day(start) -> pd.Timestamp:
    if start is None:
        today = pd.Timestamp(_dt.date.today())
        return today + pd.Timedelta(days=(7 - today.day_of_week) % 7 or 7)  # next Monday
    try:
        return pd.Timestamp(start).tz_localize(None).normalize() if pd.Timestamp(start).tzinfo else \
            pd.Timestamp(start).normalize()
    except (ValueError, TypeError) as exc:
        raise ExperimentError(f"start={start!r} is not a date; give an ISO date such as 2024-09-02") from exc


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(weekdays) -> list[int]:
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
            raise ExperimentError(f"weekday {w!r} not understood; use Mon, Tue, ... Sun or 0 (Monday) to 6")
    if not out:
        raise ExperimentError("weekdays is empty; name at least one day, e.g. 'Mon,Wed,Fri,Sun'")
    return sorted(set(out))


def plan(factor: str, levels, *, runs: int | None = None, weeks: int | None = None, block: int = 2,
         start=None, seed: int | None = None, design: str = "random", weekdays=None,
         history=None, episodes=None, baseline_risk: float | None = None, risk_ratio: float = 3.0,
         n_sim: int = 400, power_seed: int = 0) -> Plan:
    """A randomised, blocked schedule for testing *factor* on yourself (N-of-1).

    The planned days (``weeks=``) or runs (``runs=``) are cut into periods
    of *block* slots on one level; each cycle of ``len(levels)`` periods holds
    every level once in an order drawn at random (``design='mirror'``: every
    other cycle is the mirror of the one before, AB|BA).  With a baseline
    risk (given, or the share of numb runs in *history* + *episodes*) the
    power of the randomisation test is estimated by simulation for the
    planned size and for larger ones.

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
        Slots (days or runs) in a row on one level.  Longer periods allow
        dropping the first run after a switch (carry-over) but give fewer
        possible schedules.
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
        The schedule; ``plan.summary()`` says what it can detect,
        ``plan.to_csv(path)`` and ``plan.to_ics(path)`` write it.

    Raises
    ------
    ExperimentError
        A factor that cannot be assigned, fewer than two levels, both or
        neither of *runs* and *weeks*, a bad block, design or weekday.

    References
    ----------
    .. [1] Vohra, S. et al. (2015). CONSORT extension for reporting N-of-1
       trials (CENT) 2015 Statement. BMJ 350:h1738.
    .. [2] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC.
    """
    why = refusal(factor)
    if why:
        raise ExperimentError(why)
    if isinstance(levels, str):
        raise ExperimentError(f"levels must be a list of the levels, not one text ({levels!r}); e.g. "
                              "levels=['Trail Glide 2', 'Daily Cushion 5']")
    levels = tuple(str(v).strip() for v in levels)
    if len(levels) < 2 or any(not v for v in levels):
        raise ExperimentError(f"an experiment compares at least two named levels (got {list(levels)}); "
                              "e.g. levels=['Trail Glide 2', 'Daily Cushion 5']")
    if len({v.casefold() for v in levels}) < len(levels):
        raise ExperimentError(f"levels {list(levels)} repeat a level; name each once")
    if (runs is None) == (weeks is None):
        raise ExperimentError("give either runs=N (your next N runs) or weeks=N (N weeks of days), not "
                              f"{'both' if runs is not None else 'neither'}")
    if design not in DESIGNS:
        raise ExperimentError(f"design {design!r} unknown; use one of {', '.join(DESIGNS)}")
    if int(block) < 1:
        raise ExperimentError(f"block must be at least 1 (got {block})")
    block = int(block)
    k = len(levels)
    day0 = _start_day(start)
    if weeks is not None:
        if int(weeks) < 1:
            raise ExperimentError(f"weeks must be at least 1 (got {weeks})")
        days = pd.date_range(day0, periods=7 * int(weeks), freq="D")
        days = days[days.day_of_week.isin(_weekdays(weekdays))]
        dates = pd.Series(days)
        end = days[-1] if len(days) else None
    else:
        if int(runs) < k:  # type: ignore[arg-type]
            raise ExperimentError(f"runs must be at least the number of levels ({k}); got {runs}")
        dates = pd.Series(pd.NaT, index=range(int(runs)), dtype="datetime64[ns]")  # type: ignore[arg-type]
        end = None
    n = len(dates)
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)  # drawn from the OS when none is given
        seed = int(entropy % (2**31))
    lay = _layout(n, k, block, design)
    perms = _perms(k)
    rng = np.random.default_rng(int(seed))
    choice = rng.integers(len(perms), size=int(lay["unit"].max()) + 1 if n else 0)
    codes = perms[choice[lay["unit"].to_numpy()], lay["idx"].to_numpy()] if n else np.zeros(0, dtype=np.int8)
    schedule = pd.DataFrame({
        "date": pd.to_datetime(dates.to_numpy()),
        "cycle": lay["cycle"].to_numpy(), "period": lay["period"].to_numpy(),
        "level": np.asarray(levels, dtype=object)[codes],
        "switch": _switch(codes, lay["period"].to_numpy()),
    }, index=pd.RangeIndex(n, name="slot"))
    p = Plan(factor=str(factor), levels=levels, schedule=schedule, block=block, design=design, seed=int(seed),
             start=day0, end=end)
    n_cycles = int(lay["cycle"].max()) + 1 if n else 0
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


def _baseline(history, episodes) -> tuple[float | None, float | None]:
    """(share of tracked runs with numbness, runs per week over the last 8 weeks of the history)."""
    runs = _running(getattr(history, "runs", history))
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


def _running(runs: pd.DataFrame) -> pd.DataFrame:
    """Only running activities, when the frame says the sport."""
    if "sport" not in runs:
        return runs
    sp = runs["sport"].astype("string").str.lower().fillna("")
    sel = (sp == "running") | (sp == "")
    return runs[sel.to_numpy()]


# ----------------------------------------------------------------------------------------------
# Reading a plan back
# ----------------------------------------------------------------------------------------------
def read_plan(path_or_frame) -> Plan:
    """Read a plan written by :meth:`Plan.to_csv` (or ``runlog experiment plan``).

    The file is checked against its own design: every cycle must hold each
    level once (a schedule edited by hand is no longer the randomised one,
    and its randomisation test would be wrong).

    Parameters
    ----------
    path_or_frame : str, PathLike or DataFrame
        The plan CSV, or the frame :meth:`Plan.to_frame` returns.

    Returns
    -------
    Plan
        Without the power table.

    Raises
    ------
    ExperimentError
        Missing columns, or a schedule that does not follow its design.
    """
    if isinstance(path_or_frame, pd.DataFrame):
        df, src = path_or_frame.copy(), "plan"
    else:
        src = str(path_or_frame)
        try:
            df = pd.read_csv(path_or_frame, dtype=str, keep_default_na=False)
        except (OSError, ValueError) as exc:
            raise ExperimentError(f"{src}: cannot read the plan ({exc}); give the plan.csv 'runlog experiment "
                                  "plan' wrote") from exc
    missing = [c for c in PLAN_COLUMNS if c not in df.columns and c not in ("weekday", "start")]
    if missing or not len(df):
        raise ExperimentError(f"{src}: not a runlog experiment plan (missing columns {missing or 'rows'}); give "
                              "the plan.csv 'runlog experiment plan' wrote")
    df = df.astype({c: str for c in df.columns})
    factor = _cell_read(df["factor"].iloc[0])
    levels = tuple(_cell_read(x.strip()) for x in df["levels"].iloc[0].split(" | "))
    df["level"] = df["level"].map(_cell_read)
    try:
        block, seed = int(df["block"].iloc[0]), int(df["seed"].iloc[0])
        slot = df["slot"].astype(int).to_numpy() - 1
    except ValueError as exc:
        raise ExperimentError(f"{src}: block, seed and slot must be whole numbers ({exc})") from exc
    design = df["design"].iloc[0]
    if design not in DESIGNS or not np.array_equal(slot, np.arange(len(df))):
        raise ExperimentError(f"{src}: design {design!r} or the slot numbers 1..{len(df)} were changed; "
                              "re-create the plan with its seed")
    unknown = sorted(set(df["level"]) - set(levels))
    if unknown:
        raise ExperimentError(f"{src}: levels {unknown} are not among the plan's levels {list(levels)}")
    dates = pd.to_datetime(df["date"].replace("", None), errors="coerce")
    k = len(levels)
    lay = _layout(len(df), k, block, design)
    codes = np.array([levels.index(v) for v in df["level"]], dtype=np.int8)
    # the design: every unit's slots follow one permutation
    perms = _perms(k)
    for _u, g in lay.groupby("unit"):
        cand = perms[:, g["idx"].to_numpy()]
        if not (cand == codes[g.index.to_numpy()]).all(axis=1).any():
            raise ExperimentError(f"{src}: cycle {int(g['cycle'].iloc[0]) + 1} does not hold each level once in "
                                  f"periods of {block} (was the schedule edited?); the randomisation test needs the "
                                  "drawn schedule: re-create it with runlog experiment plan --seed "
                                  f"{seed}")
    schedule = pd.DataFrame({"date": dates.to_numpy(), "cycle": lay["cycle"].to_numpy(),
                             "period": lay["period"].to_numpy(),
                             "level": np.asarray(levels, dtype=object)[codes],
                             "switch": _switch(codes, lay["period"].to_numpy())},
                            index=pd.RangeIndex(len(df), name="slot"))
    if "start" not in df.columns:  # written before the column existed: a plan by date starts on its first day
        if dates.isna().all():
            raise ExperimentError(f"{src}: a plan by runs needs its 'start' column (the day the runs count from)")
        df["start"] = f"{dates.min():%Y-%m-%d}"
    try:
        start = pd.Timestamp(df["start"].iloc[0])
    except (ValueError, TypeError) as exc:
        raise ExperimentError(f"{src}: start {df['start'].iloc[0]!r} is not an ISO date") from exc
    end = dates.max() if dates.notna().any() else None
    return Plan(factor=factor, levels=levels, schedule=schedule, block=block, design=design, seed=seed,
                start=pd.Timestamp(start), end=end)


# ----------------------------------------------------------------------------------------------
# iCalendar
# ----------------------------------------------------------------------------------------------
def _ics_escape(text: str) -> str:
    """RFC 5545 3.3.11 TEXT: backslash, semicolon, comma and newline escaped."""
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _ics_fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets folded (CRLF + space), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, cur, limit = [], b"", 75
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > limit:
            parts.append(cur.decode("utf-8"))
            cur, limit = b"", 74  # continuation lines start with a space
        cur += b
    parts.append(cur.decode("utf-8"))
    return "\r\n ".join(parts)


def ics_text(p: Plan) -> str:
    """The iCalendar text of a plan by date: one all-day, free (transparent) event per planned day.

    Parameters
    ----------
    p : Plan
        A plan by date.

    Returns
    -------
    str
        VCALENDAR with one VEVENT per day (DTSTART;VALUE=DATE, UID, DTSTAMP,
        SUMMARY, DESCRIPTION), CRLF line ends, folded at 75 octets.

    References
    ----------
    .. [1] Desruisseaux, B. (2009). Internet Calendaring and Scheduling Core
       Object Specification (iCalendar). RFC 5545, IETF.
    """
    from .. import __version__

    key = hashlib.sha1(f"{p.factor}|{'|'.join(p.levels)}|{p.seed}|{p.start:%Y%m%d}".encode()).hexdigest()[:12]
    stamp = pd.Timestamp(p.created).tz_convert("UTC") if pd.Timestamp(p.created).tzinfo else pd.Timestamp(p.created)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//runlog//experiment {__version__}//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:" + _ics_escape(f"runlog experiment: {p.factor}")]
    n = p.n_slots
    for slot, r in p.schedule.iterrows():
        day = pd.Timestamp(r["date"])
        switch = " (switch today)" if r["switch"] else ""
        desc = (f"If you run today, use {p.factor} = {r['level']}{switch}. Day {int(slot) + 1} of {n}, cycle "
                f"{int(r['cycle']) + 1}. Write down what you actually used in your run notes and any numbness "
                "in your journal, also when you did not follow the plan. A rest day is fine: just skip it.")
        lines += ["BEGIN:VEVENT",
                  f"UID:{key}-{int(slot) + 1}@runlog",
                  f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
                  f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                  f"DTEND;VALUE=DATE:{day + pd.Timedelta(days=1):%Y%m%d}",
                  "SUMMARY:" + _ics_escape(f"Run in: {r['level']}" if p.factor == "shoes"
                                           else f"{p.factor}: {r['level']}"),
                  "DESCRIPTION:" + _ics_escape(desc),
                  "TRANSP:TRANSPARENT",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_ics_fold(x) + "\r\n" for x in lines)


# ----------------------------------------------------------------------------------------------
# Randomisation
# ----------------------------------------------------------------------------------------------
def assignment_matrix(p: Plan, *, max_exact: int = MAX_EXACT, n_resamples: int = DEFAULT_RESAMPLES,
                      seed: int | None = None) -> tuple[np.ndarray, bool]:
    """Every schedule the plan's randomisation could have drawn, or a random sample of them.

    Parameters
    ----------
    p : Plan
        The plan; its design says what was randomised (each cycle's order, or
        each mirrored pair's).
    max_exact : int
        Enumerate every schedule when there are at most this many.
    n_resamples : int
        Otherwise draw this many at random (the observed schedule is row 0).
    seed : int, optional
        Seed of the draw (default: derived from the plan's seed).

    Returns
    -------
    (ndarray, bool)
        Level codes (index into ``p.levels``), one row per schedule and one
        column per slot, and whether the enumeration is exact.  In the
        exact case every schedule appears once (the observed one among
        them); in the Monte Carlo case row 0 is the observed schedule.

    References
    ----------
    .. [1] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC, ch. 3 and 11.
    """
    k = len(p.levels)
    lay = _layout(p.n_slots, k, p.block, p.design)
    perms = _perms(k)
    n_units = _n_units(p)
    unit, idx = lay["unit"].to_numpy(), lay["idx"].to_numpy()
    n_total = len(perms) ** n_units
    if n_total <= max_exact:
        return _enumerated(p.n_slots, k, p.block, p.design), True
    rng = np.random.default_rng([int(p.seed), 1] if seed is None else int(seed))
    choice = rng.integers(len(perms), size=(int(n_resamples), n_units))
    observed = np.array([p.levels.index(v) for v in p.schedule["level"]], dtype=np.int8)
    return np.vstack([observed[None, :], perms[choice[:, unit], idx]]), False


@functools.lru_cache(maxsize=8)
def _enumerated(n_slots: int, k: int, block: int, design: str) -> np.ndarray:
    """Every schedule of a design (read-only; cached: it depends on the design only, not on the draw)."""
    lay = _layout(n_slots, k, block, design)
    perms = _perms(k)
    n_units = int(lay["unit"].max()) + 1 if n_slots else 0
    # row i: the digits of i in base k! (unit 0 the most significant), i.e. itertools.product's order
    powers = len(perms) ** np.arange(n_units - 1, -1, -1, dtype=np.int64)
    choice = (np.arange(len(perms) ** n_units, dtype=np.int64)[:, None] // powers[None, :]) % len(perms)
    out = perms[choice[:, lay["unit"].to_numpy()], lay["idx"].to_numpy()]
    out.flags.writeable = False
    return out


@dataclass
class TestResult:
    """A randomisation test (see :func:`randomization_test`).

    Attributes
    ----------
    statistic : float
        Observed statistic: risk difference (level 2 - level 1) [-] for two
        levels, Pearson chi-square otherwise.
    statistic_name : str
    p_value : float
        Two-sided: share of schedules with a statistic at least as extreme.
    exact : bool
        Every possible schedule enumerated (else Monte Carlo).
    n_assignments : int
        Possible schedules.
    n_used : int
        Schedules compared (all, or the Monte Carlo draws + the observed one).
    min_p : float
        Smallest p-value these runs could have given.
    seed : int or None
        Seed of the Monte Carlo draw.
    """

    statistic: float
    statistic_name: str
    p_value: float
    exact: bool
    n_assignments: int
    n_used: int
    min_p: float
    seed: int | None = None

    __test__ = False  # not a pytest test class

    def describe(self) -> str:
        """The test in one sentence.

        Returns
        -------
        str
        """
        how = (f"exact, over all {self.n_assignments:,} schedules the plan could have drawn" if self.exact else
               f"Monte Carlo, {self.n_used - 1:,} schedules re-drawn with seed {self.seed} out of "
               f"{self.n_assignments:.3g} possible")
        return f"randomisation test p = {self.p_value:.3g} ({how})"


def _statistics(codes_r: np.ndarray, keep: np.ndarray | None, y: np.ndarray, k: int) -> np.ndarray:
    """Per schedule (rows): risk difference (k = 2) or Pearson chi-square (k > 2); *keep* None = every run."""
    yf = y.astype(np.float32)
    n = np.empty((codes_r.shape[0], k))
    e = np.empty((codes_r.shape[0], k))
    if k == 2 and keep is None:  # fast path: level 1 where the code is 1, level 0 the rest
        c = codes_r.astype(np.float32)
        n[:, 1], e[:, 1] = c.sum(axis=1), c @ yf
        n[:, 0], e[:, 0] = codes_r.shape[1] - n[:, 1], float(yf.sum()) - e[:, 1]
    for lv in range(k if (k != 2 or keep is not None) else 0):
        m = codes_r == lv
        if keep is not None:
            m &= keep
        mf = m.astype(np.float32)
        n[:, lv] = mf.sum(axis=1)
        e[:, lv] = mf @ yf
    tot_n, tot_e = n.sum(axis=1), e.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = np.where(tot_n > 0, tot_e / np.maximum(tot_n, 1.0), 0.0)
        risk = np.where(n > 0, e / np.maximum(n, 1.0), pooled[:, None])
        if k == 2:
            return risk[:, 1] - risk[:, 0]
        var = pooled * (1.0 - pooled)
        x2 = (n * (risk - pooled[:, None]) ** 2).sum(axis=1) / np.where(var > 0, var, 1.0)
    return np.where(var > 0, x2, 0.0)


def _keep(codes_r: np.ndarray, codes_slots: np.ndarray, period_start: np.ndarray, first: np.ndarray,
          washout: bool) -> np.ndarray | None:
    """Which runs count per schedule: all (None), or (washout) not the first run after a switch."""
    if not washout:
        return None
    prev = np.maximum(period_start - 1, 0)
    switched = (codes_slots[:, period_start] != codes_slots[:, prev]) & (period_start > 0)
    return ~(switched & first[None, :])


def randomization_test(p: Plan, slots, numb, *, first_in_period=None, washout: bool = False,
                       max_exact: int = MAX_EXACT, n_resamples: int = DEFAULT_RESAMPLES,
                       seed: int | None = None) -> TestResult:
    """Randomisation test of the plan's levels on the runs made: is the observed difference beyond chance?

    The runs' outcomes are held fixed (the sharp null: the level made no
    difference to any run) and the levels are re-drawn as the plan drew
    them, within every cycle; the p-value is the share of schedules whose
    statistic is at least as extreme as the one observed.

    Parameters
    ----------
    p : Plan
        The plan the runs followed.
    slots : array_like of int
        Per run: its slot in the plan (0-based; two runs may share a day).
    numb : array_like of bool
        Per run: numbness during the run.
    first_in_period : array_like of bool, optional
        Per run: the first run made in its period (needed for *washout*).
    washout : bool
        Drop the first run after each switch of level (carry-over); which
        runs are dropped is re-computed for every re-drawn schedule.
    max_exact, n_resamples : int
        Enumerate when at most *max_exact* schedules are possible, else draw
        *n_resamples* (:func:`assignment_matrix`).
    seed : int, optional
        Seed of a Monte Carlo draw (default: from the plan's seed).

    Returns
    -------
    TestResult
        Statistic (two levels: risk under level 2 minus level 1), two-sided
        p-value and how it was computed.

    References
    ----------
    .. [1] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC.
    """
    slots = np.asarray(slots, dtype=np.int64)
    y = np.asarray(numb, dtype=bool)
    if slots.shape != y.shape:
        raise ExperimentError("slots and numb must have one value per run")
    k = len(p.levels)
    codes, exact = assignment_matrix(p, max_exact=max_exact, n_resamples=n_resamples, seed=seed)
    observed = np.array([p.levels.index(v) for v in p.schedule["level"]], dtype=np.int8)
    period = p.schedule["period"].to_numpy()
    start_of = pd.Series(np.arange(p.n_slots)).groupby(period).transform("min").to_numpy()
    period_start = start_of[slots] if len(slots) else np.zeros(0, dtype=np.int64)
    first = np.ones(len(slots), dtype=bool) if first_in_period is None else np.asarray(first_in_period, bool)
    codes_r = codes[:, slots]
    keep = _keep(codes_r, codes, period_start, first, washout)
    stats_all = _statistics(codes_r, keep, y, k)
    obs_keep = _keep(observed[None, slots], observed[None, :], period_start, first, washout)
    t_obs = float(_statistics(observed[None, slots], obs_keep, y, k)[0])
    mag = np.abs(stats_all) if k == 2 else stats_all
    t = abs(t_obs) if k == 2 else t_obs
    tol = 1e-9 * max(1.0, abs(t))
    hits = int((mag >= t - tol).sum())
    top = mag.max() if len(mag) else 0.0
    n_top = int((mag >= top - tol).sum())
    if exact:
        pval, min_p = hits / len(mag), n_top / len(mag)
    else:  # row 0 is the observed schedule: (1 + hits among the draws) / (1 + draws)
        pval, min_p = hits / len(mag), max(n_top / len(mag), 1.0 / len(mag))
    return TestResult(statistic=t_obs, statistic_name="risk difference" if k == 2 else "chi-square",
                      p_value=float(pval), exact=exact, n_assignments=p.n_assignments, n_used=len(mag),
                      min_p=float(min_p), seed=None if exact else (int(p.seed) if seed is None else int(seed)))


# ----------------------------------------------------------------------------------------------
# Power by simulation
# ----------------------------------------------------------------------------------------------
def simulated_outcomes(codes: np.ndarray, risks, rng: np.random.Generator, *, run_prob: float = 1.0,
                       n: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Simulated experiments: which slots were run and which runs were numb, given the levels' risks.

    Parameters
    ----------
    codes : ndarray of int
        The level code per slot (the schedule followed).
    risks : sequence of float
        Risk of numbness per run under each level [-].
    rng : numpy.random.Generator
    run_prob : float
        Probability that a slot is run (a plan by date: runs per week / 7) [-].
    n : int
        Experiments to simulate.

    Returns
    -------
    (ndarray, ndarray)
        ``ran`` and ``numb``, booleans of shape (n, slots).
    """
    r = np.asarray(risks, dtype="float64")[np.asarray(codes, dtype=np.int64)]
    ran = rng.random((n, len(r))) < run_prob
    numb = ran & (rng.random((n, len(r))) < r[None, :])
    return ran, numb


def _mc_pvalues(codes: np.ndarray, observed: np.ndarray, ran: np.ndarray, numb: np.ndarray, k: int) -> np.ndarray:
    """Randomisation p-values of many simulated experiments at once (one run per slot, no washout)."""
    ranf, numbf = ran.astype("float64").T, numb.astype("float64").T  # slots x sims
    n = np.stack([(codes == lv).astype("float64") @ ranf for lv in range(k)], axis=0)  # k x draws x sims
    e = np.stack([(codes == lv).astype("float64") @ numbf for lv in range(k)], axis=0)
    on = np.stack([((observed == lv) & ran).sum(axis=1) for lv in range(k)], axis=0)[:, None, :].astype("float64")
    oe = np.stack([((observed == lv) & numb).sum(axis=1) for lv in range(k)], axis=0)[:, None, :].astype("float64")

    def stat(nn, ee):
        tot_n, tot_e = nn.sum(axis=0), ee.sum(axis=0)
        pooled = np.where(tot_n > 0, tot_e / np.maximum(tot_n, 1), 0.0)
        risk = np.where(nn > 0, ee / np.maximum(nn, 1), pooled[None])
        if k == 2:
            return np.abs(risk[1] - risk[0])
        var = pooled * (1 - pooled)
        return np.where(var > 0, (nn * (risk - pooled[None]) ** 2).sum(axis=0) / np.where(var > 0, var, 1), 0.0)

    t_all, t_obs = stat(n, e), stat(on, oe)
    return (t_all >= t_obs - 1e-9).mean(axis=0)


def power(p: Plan, baseline_risk: float, risk_ratio: float, *, sizes=None, n_sim: int = 400,
          n_resamples: int = 1000, alpha: float = 0.05, seed: int = 0) -> pd.DataFrame:
    """Power of the plan's randomisation test by simulation, at the planned size and larger ones.

    The reference level (first) has risk *baseline_risk* per run, the others
    ``baseline_risk * risk_ratio`` (at most 0.95).  In a plan by date each
    day is run with probability ``runs_per_week / 7``.  Each simulated
    experiment is tested with a Monte Carlo randomisation test of
    *n_resamples* schedules (exact when fewer are possible).

    Parameters
    ----------
    p : Plan
        The plan (its design, block and levels).
    baseline_risk : float
        Risk of numbness per run under the reference level [-].
    risk_ratio : float
        Risk under the other level(s) / baseline [-].
    sizes : sequence of int, optional
        Numbers of slots to evaluate (default: the plan's, then more cycles
        up to 6 times as many).
    n_sim : int
        Simulated experiments per size.
    n_resamples : int
        Schedules per randomisation test.
    alpha : float
        Significance level [-].
    seed : int
        Seed of the simulation.

    Returns
    -------
    DataFrame
        ``slots``, ``runs`` (expected runs), ``power`` and its 95 % Wilson
        Monte Carlo interval ``lo``, ``hi``; the plan's own size first.

    References
    ----------
    .. [1] Edgington, E. S. & Onghena, P. (2007). Randomization Tests, 4th
       ed. Chapman & Hall/CRC, ch. 13 (power).
    """
    k = len(p.levels)
    cyc = k * p.block
    run_prob = min(1.0, (p.runs_per_week or 7.0) / 7.0) if p.by_date else 1.0
    if sizes is None:
        base = p.n_slots
        more = [c * cyc for c in (2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 50) if c * cyc > base]
        sizes = [base] + [s for s in more if s <= max(6 * base, 40 * cyc)]
    risks = [baseline_risk] + [min(0.95, baseline_risk * risk_ratio)] * (k - 1)
    rng = np.random.default_rng(seed)
    rows = []
    for size in sizes:
        q = p if size == p.n_slots else _resized(p, int(size))
        codes, _ = assignment_matrix(q, max_exact=max(n_resamples, 1), n_resamples=n_resamples,
                                     seed=int(rng.integers(2**31)))
        observed = np.array([q.levels.index(v) for v in q.schedule["level"]], dtype=np.int8)
        ran, numb = simulated_outcomes(observed, risks, rng, run_prob=run_prob, n=n_sim)
        pv = _mc_pvalues(codes, observed, ran, numb, k)
        hits = int((pv <= alpha + 1e-12).sum())
        lo, hi = wilson_ci(hits, n_sim)
        rows.append({"slots": int(size), "runs": int(round(size * run_prob)), "power": hits / n_sim,
                     "lo": lo, "hi": hi})
    return pd.DataFrame(rows)


def _resized(p: Plan, n_slots: int) -> Plan:
    """The plan's design with *n_slots* slots and a fresh random order (for power at other sizes)."""
    k = len(p.levels)
    lay = _layout(n_slots, k, p.block, p.design)
    perms = _perms(k)
    rng = np.random.default_rng([int(p.seed), n_slots])
    choice = rng.integers(len(perms), size=int(lay["unit"].max()) + 1)
    codes = perms[choice[lay["unit"].to_numpy()], lay["idx"].to_numpy()]
    sched = pd.DataFrame({"date": pd.Series(pd.NaT, index=range(n_slots), dtype="datetime64[ns]").to_numpy(),
                          "cycle": lay["cycle"].to_numpy(), "period": lay["period"].to_numpy(),
                          "level": np.asarray(p.levels, dtype=object)[codes],
                          "switch": _switch(codes, lay["period"].to_numpy())},
                         index=pd.RangeIndex(n_slots, name="slot"))
    return Plan(factor=p.factor, levels=p.levels, schedule=sched, block=p.block, design=p.design, seed=p.seed,
                start=p.start)


# ----------------------------------------------------------------------------------------------
# Intervals
# ----------------------------------------------------------------------------------------------
def wilson_ci(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a proportion *x*/*n*.

    Parameters
    ----------
    x, n : int
        Successes and trials.
    z : float
        Normal quantile (1.96: 95 %).

    Returns
    -------
    (float, float)
        Lower and upper bound [-]; (nan, nan) when *n* is 0.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession,
       and statistical inference. J Am Stat Assoc 22(158):209-212.
    """
    if n <= 0:
        return float("nan"), float("nan")
    ph = x / n
    den = 1.0 + z * z / n
    mid = (ph + z * z / (2 * n)) / den
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def risk_difference_ci(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float, float]:
    """Difference of two risks ``x1/n1 - x0/n0`` with Newcombe's hybrid score 95 % interval (method 10).

    Parameters
    ----------
    x1, n1 : int
        Numb runs and runs under the compared level.
    x0, n0 : int
        Numb runs and runs under the reference level.

    Returns
    -------
    (float, float, float)
        Difference, lower and upper bound [-] (NaN without runs on a level).

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference
       between independent proportions: comparison of eleven methods. Stat
       Med 17(8):873-890.
    """
    if n1 <= 0 or n0 <= 0:
        return float("nan"), float("nan"), float("nan")
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson_ci(x1, n1)
    l0, u0 = wilson_ci(x0, n0)
    d = p1 - p0
    lo = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    hi = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return d, max(-1.0, lo), min(1.0, hi)


# ----------------------------------------------------------------------------------------------
# Matching runs to the plan
# ----------------------------------------------------------------------------------------------
def match_runs(p: Plan, runs: pd.DataFrame) -> pd.DataFrame:
    """Tie the runs made to the plan's slots (by local date, or by order for a plan by runs).

    Parameters
    ----------
    p : Plan
        The plan.
    runs : DataFrame
        ``History.runs`` (index ``run_id``, ``start_local``); only running
        activities are used when it has a ``sport`` column.

    Returns
    -------
    DataFrame
        Index ``run_id``, one row per run from the plan's start to its end
        (a plan by runs: to the last run): ``date`` (local), ``slot``
        (0-based; -1 for an extra run), ``period``, ``assigned`` (level or
        <NA>), ``first_in_period`` (the first run made in its period),
        ``status`` ('planned' or 'extra: ...').
    """
    runs = _running(runs)
    local = pd.to_datetime(runs["start_local"]).astype("datetime64[ns]")
    day = local.dt.normalize()
    inside = day >= p.start
    if p.end is not None:
        inside &= day <= p.end
    order = local[inside.to_numpy()].sort_values(kind="stable")
    out = pd.DataFrame(index=pd.Index(order.index.astype("string"), name="run_id"))
    out["date"] = order.dt.normalize().to_numpy()
    out["start_local"] = order.to_numpy()
    sched = p.schedule
    if p.by_date:
        pos = pd.Series(sched.index.to_numpy(), index=pd.DatetimeIndex(sched["date"]))
        slot = pos.reindex(pd.DatetimeIndex(out["date"])).to_numpy()
        status = np.where(np.isnan(slot.astype("float64")), "extra: not a planned day", "planned")
        slot = np.where(np.isnan(slot.astype("float64")), -1, slot).astype(np.int64)
    else:
        n = min(len(out), p.n_slots)
        slot = np.full(len(out), -1, dtype=np.int64)
        slot[:n] = np.arange(n)
        status = np.where(slot >= 0, "planned", f"extra: after the {p.n_slots} planned runs")
    out["slot"] = slot
    ok = slot >= 0
    out["period"] = np.where(ok, sched["period"].to_numpy()[np.maximum(slot, 0)], -1)
    out["assigned"] = pd.array(np.where(ok, sched["level"].to_numpy()[np.maximum(slot, 0)], None), dtype="string")
    first = np.zeros(len(out), dtype=bool)
    seen: set[int] = set()
    for i, per in enumerate(out["period"].to_numpy()):
        if per >= 0 and per not in seen:
            first[i] = True
            seen.add(int(per))
    out["first_in_period"] = first
    out["status"] = pd.array(status, dtype="string")
    return out


def _level_of(value, levels: tuple[str, ...]) -> str | None:
    """The level *value* (what the notes say was used) stands for; None when it is none of them."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if not text:
        return None
    for lv in levels:
        if text.casefold() == lv.casefold():
            return lv
    try:
        nums = [float(lv) for lv in levels]
        x = float(text)
    except ValueError:
        return None
    best = int(np.argmin([abs(x - v) for v in nums]))
    gaps = sorted(abs(a - b) for a, b in itertools.combinations(nums, 2))
    return levels[best] if abs(x - nums[best]) <= 0.25 * gaps[0] else None


# ----------------------------------------------------------------------------------------------
# The analysis
# ----------------------------------------------------------------------------------------------
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
        from .. import __version__
        from ..cache import atomic_write_text
        from ..htmlreport import _CSS

        page = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                f"<title>runlog experiment: {html.escape(self.plan.factor)}</title><style>{_CSS}</style></head>"
                f"<body><h1>runlog: your experiment on {html.escape(self.plan.factor)}</h1>{section}"
                f"<footer>Generated {_dt.datetime.now():%Y-%m-%d %H:%M} by runlog {__version__}.</footer>"
                "</body></html>")
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
    lv_used = [_level_of(v, p.levels) for v in used.to_numpy()]
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
    keep1 = _keep(observed[None, sub["slot"].to_numpy()], observed[None, :], start_of[sub["slot"].to_numpy()],
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


# ----------------------------------------------------------------------------------------------
# Plot and HTML
# ----------------------------------------------------------------------------------------------
def plot_experiment(res: Experiment):
    """One panel per level: the runs under it in date order (numb runs marked) and the risk with its 95 % CI.

    Parameters
    ----------
    res : Experiment
        :func:`analyze` output.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    levels = list(res.plan.levels)
    a = res.runs[res.runs["analysed"]]
    fig, axes = plt.subplots(len(levels), 1, figsize=(7.5, 1.3 + 1.2 * len(levels)), sharex=True, squeeze=False)
    x0 = a["date"].min() if len(a) else res.plan.start
    for ax, lv in zip(axes[:, 0], levels):
        g = a[a["assigned"] == lv]
        days = (pd.to_datetime(g["date"]) - x0).dt.days.to_numpy() if len(g) else np.zeros(0)
        numb = g["numb"].to_numpy(dtype=bool)
        ax.scatter(days[~numb], np.zeros((~numb).sum()), marker="|", s=160, color="0.55", label="run")
        ax.scatter(days[numb], np.zeros(numb.sum()), marker="o", s=60, color="#c0392b", label="numb")
        r = res.levels.loc[lv]
        risk = "–" if not np.isfinite(r["risk"]) else f"{r['risk']:.0%} [{r['lo']:.0%}, {r['hi']:.0%}]"
        name = str(lv).replace("$", r"\$")  # a '$' in a level name is text, not matplotlib mathtext
        ax.set_title(f"{name}: {int(r['numb_runs'])} of {int(r['runs'])} runs numb, risk {risk}", fontsize=9,
                     loc="left")
        ax.set_yticks([])
        ax.set_ylim(-1, 1)
        ax.spines[["left", "right", "top"]].set_visible(False)
    axes[-1, 0].set_xlabel(f"days since {pd.Timestamp(x0):%d %b %Y}")
    axes[0, 0].legend(loc="upper right", fontsize=8, frameon=False, ncol=2)
    fig.tight_layout()
    return fig


def experiment_html(res: Experiment, *, figure: bool = True) -> str:
    """The experiment section of a report page.

    Parameters
    ----------
    res : Experiment
        :func:`analyze` output.
    figure : bool
        Embed :func:`plot_experiment` as a PNG.

    Returns
    -------
    str
        ``<section id='experiment'>`` with the answer, what the data can and
        cannot show, the per-level tables, the deviations and the plot.
    """
    e = html.escape
    parts = ["<section id='experiment'><h2>Your experiment</h2>",
             f"<p class='answer'>{e(res.answer)}</p>",
             "<h3>What this can show</h3><ul>" + "".join(f"<li>{e(x)}</li>" for x in res.can_show) + "</ul>",
             "<h3>What this cannot show</h3><ul>" + "".join(f"<li>{e(x)}</li>" for x in res.cannot_show) + "</ul>"]

    def table(df: pd.DataFrame) -> str:
        rows = "".join(
            f"<tr><td>{e(str(lv))}</td><td>{int(r['runs'])}</td><td>{int(r['numb_runs'])}</td>"
            f"<td>{'–' if not np.isfinite(r['risk']) else format(r['risk'], '.0%')}</td>"
            f"<td>{'–' if not np.isfinite(r['lo']) else format(r['lo'], '.0%') + '–' + format(r['hi'], '.0%')}</td>"
            f"<td>{'–' if not np.isfinite(r['onset_median_min']) else format(r['onset_median_min'], '.0f')}</td></tr>"
            for lv, r in df.iterrows())
        return ("<table><tr><th>Level</th><th>Runs</th><th>Numb runs</th><th>Risk</th><th>95 % CI</th>"
                "<th>Median onset [min]</th></tr>" + rows + "</table>")

    parts.append("<h3>As assigned (randomised)</h3>" + table(res.levels))
    parts.append(f"<p>{e(res.test.describe())}.</p>")
    if len(res.deviations):
        parts.append("<h3>As followed</h3>" + table(res.followed))
        dev = res.deviations
        parts.append("<details><summary>Runs that did not follow the plan "
                     f"({len(dev)})</summary><table><tr><th>Date</th><th>Assigned</th><th>Used</th><th>Numb</th>"
                     "</tr>" + "".join(
                         f"<tr><td>{pd.Timestamp(r['date']):%Y-%m-%d}</td><td>{e(str(r['assigned']))}</td>"
                         f"<td>{e(str(r['used']))}</td><td>{'yes' if r['numb'] else ''}</td></tr>"
                         for _, r in dev.iterrows()) + "</table></details>")
    if res.notes:
        parts.append("<ul>" + "".join(f"<li>{e(x)}</li>" for x in res.notes) + "</ul>")
    if figure:
        import matplotlib.pyplot as plt

        from ..htmlreport import figure_to_data_uri

        fig = plot_experiment(res)
        parts.append(f"<figure><img alt='runs per level' src='{figure_to_data_uri(fig)}'><figcaption>Each level's "
                     "runs in date order; red dots are runs with numbness.</figcaption></figure>")
        plt.close(fig)
    parts.append(f"<p class='sub'>Plan: {e(repr(res.plan))}. References: CENT 2015 (Vohra et al., BMJ "
                 "350:h1738); Edgington &amp; Onghena, Randomization Tests, 4th ed. 2007.</p></section>")
    return "".join(parts)
