"""Timing helper shared by the scripts in ``bench/`` (run as scripts, so ``bench/`` is on the path)."""

from __future__ import annotations

import time


def best_of(fn, repeat: int) -> float:
    """The shortest of *repeat* calls of ``fn()`` [s] (the least disturbed by other work on the machine).

    Parameters
    ----------
    fn : callable
        Called without arguments.
    repeat : int
        Number of calls (at least 1).

    Returns
    -------
    float
        Wall-clock time of the fastest call [s].
    """
    best = float("inf")
    for _ in range(max(int(repeat), 1)):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best
