"""The promise stated before looking: which causes are tested, in what order and weighting, and how
the 5 % family-wise error is shared between them.

runlog tests the article-named causes with a **graphical procedure** (Bretz et al. 2009): each
cause gets a share (its weight) of the 5 % error rate, fixed here before any journal is read, and
tests one-sided in the direction the articles name ("hotter runs", "more consecutive days",
"one pair of shoes worse than the others", "a lower cadence").  When a cause is found, its share is
passed on to the causes still untested, in proportion to their own weights (the weighted Holm
procedure, Holm 1979, as a graph: Bretz et al. 2009, section 3.2), so a second cause is judged at a
looser level once a first one is found.  The family-wise error (the chance that any cause without
an effect is reported as a finding) stays at most 5 % whatever the dependence between the tests
(the procedure is a shortcut of a closed test of weighted Bonferroni tests).

Heat and hydration, and training load, lead (weights 0.30 each), as the articles and runlog
do; shoes follow (0.20: tight or unsupportive shoes and lacing are the cause runners can change
most easily); run length, intensity, warm-up, running form and terrain share the rest (0.04 each).

References
----------
Bretz F, Maurer W, Brannath W, Posch M (2009). A graphical approach to sequentially rejective
multiple test procedures. Statistics in Medicine 28, 586-604.
Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat 6, 65-70.
Wiens BL (2003). A fixed sequence Bonferroni procedure for testing multiple endpoints.
Pharmaceutical Statistics 2, 211-215.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["CauseTest", "TEST_PLAN", "ALPHA", "graphical_test"]

#: Family-wise error rate of the findings.
ALPHA = 0.05


@dataclass(frozen=True)
class CauseTest:
    """One line of the test plan.

    Attributes
    ----------
    cause : str
        Cause id (``runlog.schema.CAUSES``).
    weight : float
        Its share of the family-wise error rate [-] (the plan's weights sum to 1).
    measures : tuple
        The measures it is judged on, in the plan's order; an entry that is a tuple of
        names takes the first one the data have (e.g. air temperature, else the watch's).
        Two entries are tested together (the smaller p-value, adjusted exactly for the two).
    direction : int
        +1: more of the measure goes with more numbness (the articles' claim); -1: less.
    forms : tuple of str
        How a temperature (``Feature.dose``) enters: ``'exposure'`` (its excess over the runner's
        usual times the hours run) and/or ``'per_run'`` (the excess alone, whatever the run's
        length); two forms are tested together as two measures are.
    """

    cause: str
    weight: float
    measures: tuple
    direction: int = 1
    forms: tuple[str, ...] = ("exposure",)


#: The causes in the articles' order with their weights, measures and directions (stated before
#: any journal is read; see the module docstring).
TEST_PLAN: tuple[CauseTest, ...] = (
    CauseTest("hydration", 0.30, (("air_temp_c", "device_temp_mean_c"),), +1, forms=("exposure", "per_run")),
    CauseTest("overtraining", 0.30, ("run_streak_days", "acwr_distance"), +1),
    CauseTest("distance", 0.04, ("duration_min",), +1),
    CauseTest("intensity", 0.04, ("speed_vs_usual_pct",), +1),
    CauseTest("warm-up", 0.04, ("warmup_speed_ratio",), +1),
    CauseTest("footwear", 0.20, ("shoes",), +1),
    CauseTest("form", 0.04, ("cadence_vs_pace_spm",), -1),
    CauseTest("terrain", 0.04, ("ascent_per_km_m",), +1),
)


def graphical_test(p: Mapping[str, float], weights: Mapping[str, float], *, alpha: float = ALPHA,
                   retest: Callable[[str, list[str]], float | None] | None = None) -> dict:
    """The weighted Holm procedure as a graph, with the remaining causes re-tested after each finding.

    Step by step: a hypothesis is rejected when ``p_j <= alpha w_j`` for its current weight ``w_j``
    (the one with the smallest ``p_j / w_j`` first); its weight then goes to the hypotheses still
    active in proportion to theirs (``w_k += w_j w_k / sum(w_active)``, the weighted-Holm graph of
    Bretz et al. 2009) and, with *retest*, each remaining hypothesis gets a new p-value with the
    rejected ones in its model (a second cause measured beside the first).

    Parameters
    ----------
    p : mapping
        Hypothesis -> p-value (one-sided); NaN: untestable (left out, its weight shared out).
    weights : mapping
        Hypothesis -> initial weight (renormalised over the testable hypotheses).
    alpha : float
        Family-wise error rate.
    retest : callable, optional
        ``retest(h, rejected) -> p`` (None keeps the previous p-value).

    Returns
    -------
    dict
        ``rejected`` (in order), ``q`` (hypothesis -> adjusted p-value: the smallest family-wise
        level at which the sequence rejects it, the sequence continued past *alpha* without further
        re-testing; capped at 1; Holm's adjusted p-values for equal weights), ``level`` (hypothesis ->
        the level ``alpha w_j`` it was last judged at), ``p`` (the last p-value of each hypothesis).

    References
    ----------
    .. [1] Bretz, F., Maurer, W., Brannath, W. & Posch, M. (2009). A graphical approach to
       sequentially rejective multiple test procedures. Statistics in Medicine 28:586-604.
    """
    pv = {h: float(v) for h, v in p.items() if v is not None and np.isfinite(v)}
    w0 = {h: float(weights.get(h, 0.0)) for h in pv}
    total = sum(w0.values())
    if not pv or total <= 0:
        return {"rejected": [], "q": {}, "level": {}, "p": pv}
    active = {h: v / total for h, v in w0.items()}
    order: list[str] = []
    q: dict[str, float] = {}
    level: dict[str, float] = {}
    running = 0.0
    while active:
        ratio = {h: (pv[h] / active[h] if active[h] > 0 else np.inf) for h in active}
        h = min(ratio, key=lambda k: (ratio[k], k))
        if running <= alpha:          # the levels the hypotheses were judged at, while the procedure runs
            for k in active:
                level[k] = alpha * active[k]
        # the procedure goes on past alpha only to give each hypothesis its adjusted p-value: the
        # smallest family-wise level at which it would be rejected (Bretz et al. 2009, section 3)
        running = max(running, min(1.0, ratio[h]))
        q[h] = running
        order.append(h)
        wh = active.pop(h)
        rest = sum(active.values())
        if rest > 0:
            active = {k: v + wh * v / rest for k, v in active.items()}
        if retest is not None and running <= alpha:   # re-tested beside real findings only
            for k in active:
                new = retest(k, list(order))
                if new is not None and np.isfinite(new):
                    pv[k] = float(new)
    rejected = [h for h in order if q[h] <= alpha]
    return {"rejected": rejected, "q": q, "level": level, "p": pv}
