"""One thread for the numerical libraries while runlog fits its models.

runlog's matrices are small (a thousand runs by at most a few hundred columns).  OpenBLAS
and OpenMP start a thread per core for each product and, on a machine whose cores are busy
with other work, those threads wait for each other far longer than the product takes: on 2
shared cores at load 6, ``runlog report`` on 1,000 runs took 22-26 s with the libraries'
default threads and 9-10 s with one (the fit of :func:`runlog.history.likely_others` alone
5.5 s against 0.3 s).  On a quiet machine one thread costs nothing measurable at these sizes.

The limit (threadpoolctl, the tool scikit-learn uses) holds only inside the functions that
use it and only for the libraries loaded when they start, so a user's own numpy work in the
same session keeps its threads.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["one_thread"]

#: Held while the limit is on.  OpenBLAS on pthreads keeps one thread count for the whole process:
#: two blocks in threads at once would save and restore it interleaved and could leave the caller at
#: one thread, so blocks take turns (re-entrant: a limited function may call another).
_TURNS = threading.RLock()


@contextmanager
def one_thread() -> Iterator[None]:
    """Limit BLAS and OpenMP to one thread while the block (or decorated function) runs.

    Loads scipy's linear algebra first (its own OpenBLAS), so that it is limited as well;
    a library loaded later inside the block keeps its default.

    Blocks in several threads at once take turns (the limit can be process-wide).

    Returns
    -------
    contextlib.AbstractContextManager
        A context manager (also usable as a decorator: ``@one_thread()``) that restores the
        libraries' thread counts when the block ends.
    """
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS so that the limit reaches it)
    from threadpoolctl import threadpool_limits

    with _TURNS, threadpool_limits(limits=1):
        yield
