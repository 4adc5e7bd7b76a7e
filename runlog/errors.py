"""The errors and warnings runlog raises, and the one helper for renaming a public name.

Every error a user can cause derives from :class:`RunlogError`; the ones caused
by bad *input values* also derive from :class:`ValueError`, so generic
``except ValueError`` code keeps working.  Messages name the file (and line,
where there is one) and say how to fix the problem.

A public name that is renamed or removed goes through :func:`deprecated` for
at least one release: calling it warns :class:`RunlogDeprecationWarning`
with the version it was deprecated in, the version that removes it and what
to use instead.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from os import PathLike
from typing import Any, TypeVar

__all__ = [
    "RunlogError",
    "FileFormatError",
    "NotAnActivityError",
    "JournalError",
    "NotesError",
    "AnalysisError",
    "WeatherError",
    "AthleteError",
    "ExperimentError",
    "XmlRecoveryWarning",
    "UntimedPointsWarning",
    "RunlogWarning",
    "TruncatedFileWarning",
    "RunlogDeprecationWarning",
    "deprecated",
]


class RunlogError(Exception):
    """Base class of every error raised by runlog."""


class FileFormatError(RunlogError, ValueError):
    """An activity file runlog cannot use.

    Parameters
    ----------
    message : str
        What is wrong, in words a runner understands.
    path : str or PathLike, optional
        The file concerned; it is prefixed to the message.

    Attributes
    ----------
    path : str or None
        The offending file.  The decoder's own exception, if any, is chained
        as ``__cause__`` (raise ... from exc).
    """

    def __init__(self, message: str, path: str | PathLike | None = None):
        self.path = None if path is None else str(path)
        self.reason = message
        super().__init__(f"{self.path}: {message}" if self.path else message)


class NotAnActivityError(FileFormatError):
    """A valid file that is not an activity (settings, monitoring, course, route only).

    :func:`runlog.read_history` lists such files in ``History.skipped``, not in
    ``History.errors``.
    """


#: Problems of a journal listed in an :class:`JournalError`'s message; the rest are counted.
MAX_LISTED_PROBLEMS = 20


class JournalError(RunlogError, ValueError):
    """A numbness journal (or run-notes file) with rows runlog cannot use.

    Parameters
    ----------
    problems : str or iterable of str
        The problem(s) found, one message each (``'line 12: ...'``), first
        lines first.  A collector with a ``total`` attribute
        (:class:`runlog.journal.sheet.ProblemList`) may hold only the first
        of more problems.
    path : str or PathLike, optional
        The file the rows were read from; it starts the message.

    Attributes
    ----------
    problems : list of str
        The problems found (all of them, or the first ones of a very long
        list: see :attr:`n_problems`).
    n_problems : int
        How many problems were found in all.
    path : str or None
        The journal file, when it was read from disk.

    Notes
    -----
    The message lists at most :data:`MAX_LISTED_PROBLEMS` problems and
    counts the rest, so a large file of bad rows gives a message of a few
    kilobytes, not megabytes.
    """

    def __init__(self, problems, path: str | PathLike | None = None):
        if isinstance(problems, str):
            problems = [problems]
        total = getattr(problems, "total", None)
        self.problems = list(problems)
        self.n_problems = max(int(total), len(self.problems)) if total is not None else len(self.problems)
        self.path = None if path is None else str(path)
        head = f"{self.path}: " if self.path else ""
        if self.n_problems == 1:
            msg = head + self.problems[0]
        else:
            shown = self.problems[:MAX_LISTED_PROBLEMS]
            msg = head + f"{self.n_problems:,} problems" + (
                f" (the first {len(shown)} by line)" if len(shown) < self.n_problems else "") + ":\n" + \
                "\n".join(f"  - {p}" for p in shown)
            if len(shown) < self.n_problems:
                msg += (f"\n  ... and {self.n_problems - len(shown):,} more; fix these first (a file where every "
                        "row fails is often the wrong file, or written in another time zone or date order)")
        super().__init__(msg)


class NotesError(JournalError):
    """A per-run notes file with rows runlog cannot use."""


class AnalysisError(RunlogError, ValueError):
    """The inputs of an analysis do not fit together (e.g. no run in the tracked period)."""


class WeatherError(RunlogError, ValueError):
    """A weather table runlog cannot use, or a weather download that failed."""


class AthleteError(RunlogError, ValueError):
    """Athlete values that cannot be right (e.g. resting HR above maximum HR)."""


class ExperimentError(RunlogError, ValueError):
    """An experiment that cannot be planned or analysed as asked (a factor the runner cannot assign,
    a plan file that was edited, no run on a planned day)."""


class RunlogWarning(UserWarning):
    """Base class of runlog's warnings."""


class TruncatedFileWarning(RunlogWarning):
    """An activity file ended early; the records before the damage were kept."""


class XmlRecoveryWarning(RunlogWarning):
    """An XML activity file was damaged but could still be read (bytes replaced, prefixes declared)."""


class UntimedPointsWarning(RunlogWarning):
    """Some track points had no usable time and were dropped."""


class RunlogDeprecationWarning(RunlogWarning, FutureWarning):
    """A public name runlog will remove: the message says since when, until when and what to use.

    A :class:`FutureWarning`, so Python shows it to the user of a script or
    notebook (a :class:`DeprecationWarning` is hidden outside ``__main__``).
    """


_F = TypeVar("_F", bound=Callable[..., Any])


def deprecated(since: str, removal: str, instead: str | None = None) -> Callable[[_F], _F]:
    """Mark a function, method or class as deprecated: every call warns, the result is unchanged.

    The one way runlog renames or removes a public name: keep the old name
    for at least one release as a thin function (or class) decorated with
    this, so that code written for the old name keeps working and says what
    to change.

    Parameters
    ----------
    since : str
        The version that deprecates it ('0.2.0').
    removal : str
        The version that will remove it ('0.3.0').
    instead : str, optional
        What to use instead ('runlog.read_history'), named in the warning.

    Returns
    -------
    callable
        A decorator.  The decorated function (or the class's ``__init__``)
        warns :class:`RunlogDeprecationWarning` at the caller's line, then runs
        as before; its docstring starts with a ``.. deprecated::`` note.

    Examples
    --------
    >>> @deprecated("0.2.0", "0.3.0", instead="new_name")
    ... def old_name(x):
    ...     return new_name(x)
    """
    def decorate(obj: _F) -> _F:
        name = getattr(obj, "__qualname__", getattr(obj, "__name__", repr(obj)))
        message = (f"{name} is deprecated since runlog {since} and will be removed in runlog {removal}"
                   + (f"; use {instead} instead." if instead else "."))
        note = f".. deprecated:: {since}\n    {message}\n\n"
        if isinstance(obj, type):
            init = obj.__init__  # type: ignore[misc]

            @functools.wraps(init)
            def __init__(self, *args, **kwargs):
                warnings.warn(message, RunlogDeprecationWarning, stacklevel=2)
                init(self, *args, **kwargs)

            obj.__init__ = __init__  # type: ignore[misc]
            obj.__doc__ = note + (obj.__doc__ or "")
            return obj

        @functools.wraps(obj)
        def wrapper(*args, **kwargs):
            warnings.warn(message, RunlogDeprecationWarning, stacklevel=2)
            return obj(*args, **kwargs)

        wrapper.__doc__ = note + (obj.__doc__ or "")
        return wrapper  # type: ignore[return-value]

    return decorate
