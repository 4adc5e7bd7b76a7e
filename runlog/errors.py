"""The errors runlog raises.

Every error a user can cause derives from :class:`RunlogError`; the ones caused
by bad *input values* also derive from :class:`ValueError`, so generic
``except ValueError`` code keeps working.  Messages name the file (and line,
where there is one) and say how to fix the problem.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "RunlogError",
    "FileFormatError",
    "NotAnActivityError",
    "EpisodeError",
    "NotesError",
    "AnalysisError",
    "WeatherError",
    "AthleteError",
    "ExperimentError",
    "XmlRecoveryWarning",
    "UntimedPointsWarning",
    "RunlogWarning",
    "TruncatedFileWarning",
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


class EpisodeError(RunlogError, ValueError):
    """A numbness journal (or run-notes file) with rows runlog cannot use.

    Parameters
    ----------
    problems : str or iterable of str
        The problem(s) found, one message each (``'line 12: ...'``).
    path : str or PathLike, optional
        The file the rows were read from; it starts the message.

    Attributes
    ----------
    problems : list of str
        One entry per problem found; all problems of a file are reported
        together, not only the first.
    path : str or None
        The journal file, when it was read from disk.
    """

    def __init__(self, problems, path: str | PathLike | None = None):
        if isinstance(problems, str):
            problems = [problems]
        self.problems = list(problems)
        self.path = None if path is None else str(path)
        head = f"{self.path}: " if self.path else ""
        if len(self.problems) == 1:
            msg = head + self.problems[0]
        else:
            msg = head + f"{len(self.problems)} problems:\n" + "\n".join(
                f"  - {p}" for p in self.problems
            )
        super().__init__(msg)


class NotesError(EpisodeError):
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
