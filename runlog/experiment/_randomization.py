"""The randomisation test over the plan's own randomisation."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ExperimentError
from ._design import layout, orders, unit_count, washout_slots
from ._engine import look_totals, observed_look_totals, plain_p, segment_indicators, smallest_p, statistic

if TYPE_CHECKING:
    from ._plan import Plan

#: Largest number of possible assignments enumerated exactly; above it, Monte Carlo.
MAX_EXACT = 100_000
#: Re-drawn assignments of a Monte Carlo randomisation test.
DEFAULT_RESAMPLES = 20_000


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
    lay = layout(p.n_slots, k, p.block, p.design)
    perms = orders(k)
    n_units = unit_count(p)
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
    lay = layout(n_slots, k, block, design)
    perms = orders(k)
    n_units = int(lay["unit"].max()) + 1 if n_slots else 0
    # row i: the digits of i in base k! (unit 0 the most significant), i.e. itertools.product's order
    powers = len(perms) ** np.arange(n_units - 1, -1, -1, dtype=np.int64)
    choice = (np.arange(len(perms) ** n_units, dtype=np.int64)[:, None] // powers[None, :]) % len(perms)
    out = perms[choice[:, lay["unit"].to_numpy()], lay["idx"].to_numpy()]
    out.flags.writeable = False
    return out


@dataclass
class TestResult:
    """A randomisation test (see :func:`randomization_test`, and :func:`analyze` for the protocol's test).

    Attributes
    ----------
    statistic : float
        Observed difference: risk under level 2 minus level 1 [-] for two
        levels, the largest difference between two levels for more.
    statistic_name : str
    p_value : float
        Two-sided: share of schedules with a statistic at least as extreme
        (with looks, the stage-wise ordered p-value; NaN at an interim look
        that crossed no boundary).
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
    robust : bool
        Days skipped beyond the other level's share counted in the way least
        favourable to a difference (a plan by date).
    look, looks : int
        The look (1-based) the answer is from, of how many the protocol allows.
    boundary : float or None
        That look's boundary as a p-value (with looks).
    crossed : bool or None
        Whether a boundary was crossed by that look (with looks).
    interim : bool
        The look is before the planned end.
    """

    statistic: float
    statistic_name: str
    p_value: float
    exact: bool
    n_assignments: int
    n_used: int
    min_p: float
    seed: int | None = None
    robust: bool = False
    look: int = 1
    looks: int = 1
    boundary: float | None = None
    crossed: bool | None = None
    interim: bool = False

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
        if self.robust:
            how += "; skipped days allowed for"
        if self.looks > 1:
            how += f"; look {self.look} of {self.looks}, O'Brien-Fleming-type boundary"
        if self.interim and not self.crossed:
            return f"randomisation test at an interim look: no boundary crossed ({how})"
        return f"randomisation test {p_is(self.p_value)} ({how})"


def p_is(p: float) -> str:
    """``'p = 0.012'``, ``'p < 0.001'``: a p-value in a sentence."""
    if not np.isfinite(p):
        return "p not computed"
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}" if p < 0.01 else f"p = {p:.2f}"


def observed_codes(p: Plan) -> np.ndarray:
    """The plan's own schedule as level codes (index into ``p.levels``).

    Parameters
    ----------
    p : Plan

    Returns
    -------
    ndarray of int8
    """
    return np.array([p.levels.index(v) for v in p.schedule["level"]], dtype=np.int8)


def schedule_rows(p: Plan, *, max_exact: int = MAX_EXACT, n_resamples: int = DEFAULT_RESAMPLES,
                  seed: int | None = None) -> tuple[np.ndarray, bool]:
    """The schedules a test compares the observed one with: all of them (the observed among them), or draws.

    Parameters
    ----------
    p : Plan
    max_exact, n_resamples : int
    seed : int, optional

    Returns
    -------
    (ndarray, bool)
        Level codes (rows x slots) and *add_obs*: True when the rows are
        Monte Carlo draws, the observed schedule not among them.
    """
    codes, exact = assignment_matrix(p, max_exact=max_exact, n_resamples=n_resamples, seed=seed)
    return (codes, False) if exact else (codes[1:], True)


def slot_arrays(p: Plan, slots, values, *, elapsed: int | None = None,
                washout: int | None = None) -> dict[str, np.ndarray]:
    """Per slot of the plan: counted runs, the sum of their values, whether run, and whether a counted planned slot.

    Parameters
    ----------
    p : Plan
    slots : array_like of int
        Per run: its slot (0-based; several runs may share a day).
    values : array_like of float
        Per run: the outcome (numbness 0/1, or an adjusted outcome).
    elapsed : int, optional
        Slots that have happened (default: all).
    washout : int, optional
        Washout slots per period (default: the plan's).

    Returns
    -------
    dict
        ``n`` (counted runs), ``y`` (their values' sum), ``g`` (1 when the
        slot has a counted run), ``a`` (1 for a counted slot that has
        happened), each of length ``p.n_slots``.
    """
    slots = np.asarray(slots, dtype=np.int64)
    values = np.asarray(values, dtype="float64")
    if slots.shape != values.shape:
        raise ExperimentError("slots and numb must have one value per run")
    n_slots = p.n_slots
    w = p.washout if washout is None else int(washout)
    counted = ~washout_slots(n_slots, p.block, w)
    if elapsed is not None:
        counted &= np.arange(n_slots) < int(elapsed)
    keep = counted[slots] if len(slots) else np.zeros(0, dtype=bool)
    n = np.bincount(slots[keep], minlength=n_slots).astype("float64")
    y = np.bincount(slots[keep], weights=values[keep], minlength=n_slots)
    return {"n": n, "y": y, "g": (n > 0).astype("float64"), "a": counted.astype("float64")}


def look_statistics(codes: np.ndarray, obs: np.ndarray, arrays: dict[str, np.ndarray], ends, k: int, *,
                    robust: bool, lo=0.0, hi=1.0) -> tuple[np.ndarray, np.ndarray]:
    """The test statistic of every schedule and of the observed one at every look, for many experiments.

    Parameters
    ----------
    codes : ndarray, shape (rows, slots)
        The schedules compared.
    obs : ndarray, shape (experiments, slots)
        Each experiment's own schedule.
    arrays : dict
        ``n``, ``y``, ``g``, ``a`` as in :func:`slot_arrays`, each of shape
        (experiments, slots) or (slots,).
    ends : array_like of int
        Each look's end slot (exclusive).
    k : int
        Levels.
    robust : bool
        The skipping-robust statistic (:func:`runlog.experiment._engine.pair_statistic`).
    lo, hi : float
        Outcome range of a run.

    Returns
    -------
    (ndarray, ndarray)
        Shapes (looks, rows, experiments) and (looks, experiments).
    """
    ends = np.asarray(ends)
    obs = np.atleast_2d(obs)
    n_exp = obs.shape[0]

    def two(x):
        x = np.asarray(x, dtype="float64")
        return np.broadcast_to(x, (n_exp, x.shape[-1])) if x.ndim == 1 else x

    ind = segment_indicators(codes, ends, k)
    names = ("n", "y", "g", "a") if robust else ("n", "y")
    tot: dict[str, np.ndarray] = {}
    ot: dict[str, np.ndarray] = {}
    for name in names:
        x = np.asarray(arrays[name], dtype="float64")
        if name == "g" and arrays["g"] is arrays["n"]:  # one run per slot: the same totals
            tot["g"], ot["g"] = tot["n"], ot["n"]
            continue
        # the same for every experiment (1-d): summed once, shape (k, rows, 1, looks), broadcast in the statistic
        tot[name] = look_totals(codes, x[None, :] if x.ndim == 1 else x, ends, k, ind)
        ot[name] = observed_look_totals(obs, two(x), ends, k)
    t_rows = np.empty((len(ends), codes.shape[0], n_exp))
    t_obs = np.empty((len(ends), n_exp))
    for j in range(len(ends)):  # one look at a time (small arrays, kept in cache), in float64 for exact ties
        parts = [np.moveaxis(tot[name], -1, 0)[j].astype("float64") for name in names]  # contiguous per look
        oparts = [ot[name][..., j].astype("float64") for name in names]
        t_rows[j] = statistic(*parts, lo=lo, hi=hi)
        t_obs[j] = statistic(*oparts, lo=lo, hi=hi)
    return t_rows, t_obs


def randomization_test(p: Plan, slots, numb, *, washout: int | None = None, robust: bool | None = None,
                       elapsed: int | None = None, max_exact: int = MAX_EXACT,
                       n_resamples: int = DEFAULT_RESAMPLES, seed: int | None = None) -> TestResult:
    """Randomisation test of the plan's levels on the runs made: is the observed difference beyond chance?

    The runs' outcomes are held fixed (the sharp null: the level made no
    difference to any run) and the levels are re-drawn as the plan drew
    them, within every cycle; the p-value is the share of schedules whose
    statistic is at least as extreme as the one observed.  This is one look
    at the data; :func:`analyze` runs the protocol's test (its looks and
    boundary) with it.

    Parameters
    ----------
    p : Plan
        The plan the runs followed.
    slots : array_like of int
        Per run: its slot in the plan (0-based; two runs may share a day).
    numb : array_like of bool
        Per run: numbness during the run.
    washout : int, optional
        Washout slots at the start of every period left out (default: the
        plan's scheduled washout).  The left-out slots do not depend on the
        drawn order, so the test stays exact.
    robust : bool, optional
        Count the days a level was skipped beyond the other level's share in
        the way least favourable to a difference (default: for a plan by
        date, where whether you run could follow the day's level).
    elapsed : int, optional
        Planned slots that have happened (default: all).
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
    k = len(p.levels)
    robust = p.by_date if robust is None else bool(robust)
    arr = slot_arrays(p, slots, np.asarray(numb, dtype=bool), elapsed=elapsed, washout=washout)
    codes, add_obs = schedule_rows(p, max_exact=max_exact, n_resamples=n_resamples, seed=seed)
    obs = observed_codes(p)
    t_rows, t_obs = look_statistics(codes, obs[None, :], arr, [p.n_slots], k, robust=robust)
    pval = float(plain_p(t_rows[0], t_obs[0], add_obs=add_obs)[0])
    min_p = float(smallest_p(t_rows[0], add_obs=add_obs)[0])
    return TestResult(statistic=observed_difference(obs, arr, k), statistic_name="risk difference" if k == 2 else
                      "largest risk difference between two levels", p_value=pval, exact=not add_obs,
                      n_assignments=p.n_assignments, n_used=len(codes) + int(add_obs), min_p=min_p,
                      seed=None if not add_obs else (int(p.seed) if seed is None else int(seed)), robust=robust)


def observed_difference(obs: np.ndarray, arr: dict[str, np.ndarray], k: int) -> float:
    """Risk under level 2 minus level 1 (two levels), or the largest difference between two levels [-]."""
    n = np.array([arr["n"][obs == lv].sum() for lv in range(k)])
    y = np.array([arr["y"][obs == lv].sum() for lv in range(k)])
    if (n == 0).any():
        return float("nan")
    r = y / n
    return float(r[1] - r[0]) if k == 2 else float(r.max() - r.min())


def plan_floor(p: Plan, *, max_exact: int = MAX_EXACT) -> float:
    """The smallest p-value the plan's final test can give (see :attr:`Plan.min_p`).

    Parameters
    ----------
    p : Plan
    max_exact : int

    Returns
    -------
    float
        [-]
    """
    k = len(p.levels)
    if p.n_assignments > max_exact:
        return 1.0 / (DEFAULT_RESAMPLES + 1)
    codes, _ = schedule_rows(p, max_exact=max_exact)
    obs = observed_codes(p)
    counted = ~washout_slots(p.n_slots, p.block, p.washout)
    best = 1.0
    for size in range(1, k):
        for subset in itertools.combinations(range(k), size):
            y = np.isin(obs, subset) & counted
            arr = {"n": counted.astype("float64"), "y": y.astype("float64"), "g": counted.astype("float64"),
                   "a": counted.astype("float64")}
            t_rows, _ = look_statistics(codes, obs[None, :], arr, [p.n_slots], k, robust=p.by_date)
            best = min(best, float(smallest_p(t_rows[0], add_obs=False)[0]))
    return best
