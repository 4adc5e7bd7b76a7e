"""Decoding one activity file into its sessions, never raising: the task an import runs per file.

:func:`decode_file` is a picklable top-level function (it needs neither the
file system nor the cache), so :func:`runlog.read_history` runs it on any
:class:`concurrent.futures.Executor`; its :class:`Outcome` is what the
cache (:mod:`runlog.history._cache`) stores per file.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import warnings
from collections.abc import Iterator
from typing import NamedTuple

from ..errors import FileFormatError, NotAnActivityError, RunlogWarning
from ._runs import summarize_activity

__all__ = ["Outcome", "decode_file", "gc_paused"]

_gc_lock = threading.Lock()
_gc_pauses = 0          # decodes in progress with the collector paused (threads of one process)
_gc_resume = False      # whether the collector was enabled when the first of them paused it


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while decoding one file (or importing a history).

    An XML decode allocates ~12,000 tracked objects per file (the element
    tree), which trigger generation-2 collections; each one scans every
    object the process holds, which in an import (the activities read so
    far) grows with the history: a one-process GPX import spent 43-48 % of
    its time there and grew faster than linearly (issue 28).  The trees
    hold no reference cycles (reference counting frees them), so nothing
    is lost by not collecting during the decode; the collector resumes
    when the last concurrent decode of the process ends (threads share one
    collector), and only if it was enabled before.  :func:`runlog.read_history`
    pauses it for its whole import in the importing process, for the same
    reason: everything an import holds is reachable until it ends.

    Yields
    ------
    None
        The decode runs inside the ``with`` block.
    """
    global _gc_pauses, _gc_resume
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_resume:
                gc.enable()


class Outcome(NamedTuple):
    """What decoding one file gave.

    Attributes
    ----------
    kind : {'ok', 'error', 'skipped'}
        'ok': activities read; 'error': a :class:`~runlog.errors.FileFormatError`
        (or an unexpected failure); 'skipped': a valid non-activity file
        (:class:`~runlog.errors.NotAnActivityError`).
    activities : list of Activity
        The file's sessions ('ok' only).
    reason : str
        Why the file was not read ('' for 'ok').
    cacheable : bool
        False for failures that may not recur (a crashed worker), which are
        never written to the cache.
    summaries : list of dict or None
        ``History.runs`` rows of the activities
        (:func:`runlog.history.summarize_activity`), computed once by the
        worker and cached with them; None when not computed.
    """

    kind: str
    activities: list
    reason: str = ""
    cacheable: bool = True
    summaries: list | None = None


def decode_file(source: str, data: bytes, tz=None) -> Outcome:
    """Decode one activity file's bytes; the task run in a worker process.

    A picklable top-level function: it needs neither the file system nor the
    cache, so it runs on any :class:`concurrent.futures.Executor` (a process
    pool, threads, a Dask client's executor).  It never raises.

    Parameters
    ----------
    source : str
        The file's name (``'folder/run.fit'``, ``'export.zip!activities/1.gpx.gz'``),
        used in messages and ``info['source']``.
    data : bytes
        The file's content (gzip-compressed or not).
    tz : str, optional
        Time zone override, passed to :func:`runlog.io.read_activities`.

    Returns
    -------
    Outcome
        'ok' with every session, 'skipped' for a valid non-activity file
        (:class:`~runlog.errors.NotAnActivityError`), 'error' with the
        :class:`~runlog.errors.FileFormatError` message, or 'error' (not
        cacheable) for an unexpected exception, so one bad file never stops
        an import.
    """
    from ..io import read_activities

    quiet = threading.current_thread() is threading.main_thread()
    try:
        with gc_paused(), warnings.catch_warnings() if quiet else contextlib.nullcontext():
            if quiet:  # truncation etc. is reported in the runs frame, not as a warning per file
                warnings.simplefilter("ignore", RunlogWarning)
            acts = read_activities(source, tz=tz, data=data)
            summaries = [summarize_activity(a) for a in acts]
    except NotAnActivityError as exc:
        return Outcome("skipped", [], exc.reason)
    except FileFormatError as exc:
        return Outcome("error", [], exc.reason)
    except Exception as exc:  # a reader bug must not stop the import
        return Outcome("error", [], f"unexpected {type(exc).__name__} while decoding ({exc}); "
                                    "please report this file to the runlog developers", cacheable=False)
    return Outcome("ok", acts, summaries=summaries)
