"""The runner's numbness journal, per-run notes and the per-run outcome table.

The watch cannot tell when a foot goes numb; the runner writes it down.  This
package reads two small CSV files a runner keeps in a spreadsheet (or
pandas frames with the same columns) and ties every row to one run of a
:class:`~runlog.history.History`:

* :func:`read_episodes` -- the numbness journal, one row per episode
  (several per run allowed);
* :func:`read_run_notes` -- optional per-run context the watch cannot
  record (shoes, lacing, fluid, body mass before/after, RPE, ...), one row
  per run; :func:`notes_from_history` turns the gear of an export into notes;
* :func:`episode_flags` -- one row per run: is it inside the period the
  journal covers (``tracked``), was it a numbness run (``numb``), when did
  the first episode start.

The journal can state the period it covers itself, with a row whose
``notes`` say ``tracking started`` (or ``tracking ended``) and that holds
only a date (:data:`TRACKING_NOTES`); such rows are not episodes.  Without
them (and without an explicit ``tracked``) the period runs from the first
journal entry to the end of the history, never to the last episode: a period
ending at the last episode is defined by the outcome and drops every run
after it (e.g. all autumn runs of a heat season).

The file format is documented in ``docs/journal.md`` and in the docstring
of :func:`read_episodes`; :data:`EXAMPLE_EPISODES` and
:data:`EXAMPLE_RUN_NOTES` are example files shipped with the package.

Modules
-------
* :mod:`~runlog.journal.sheet` -- reading a user's spreadsheet: decoding,
  separator sniffing, header aliases, value parsers, line numbers, every
  problem reported together (also used by :func:`runlog.features.weather.read_weather`);
* :mod:`~runlog.journal.matching` -- tying rows to runs (run_id, file name,
  local date and time);
* :mod:`~runlog.journal.readers` -- :func:`read_episodes`,
  :func:`read_run_notes`, :func:`notes_from_history` (the gear merge);
* :mod:`~runlog.journal.period` -- the case/control definition the analysis
  uses: :func:`tracked_period`, :func:`episode_flags`;
* :mod:`~runlog.journal.suggest` -- :func:`suggest_episodes`: journal rows
  drafted from lap-button presses and ``#numb`` notes in activity names and
  descriptions, for the runner to confirm (``runlog journal draft``).

Rules that hold everywhere
--------------------------
* User files are only ever read (opened ``'rb'``), never written.
* Every problem in a file is collected and reported together in one
  :class:`~runlog.errors.JournalError` (:class:`~runlog.errors.NotesError`
  for notes) whose message names the CSV line (header = line 1), shows the
  runs nearest to the row and says how to fix it.  Nothing is dropped or
  guessed silently.
* A run's *local date* is the date of its own wall clock
  (``History.runs['start_local']``, in the run's zone ``tz``), not the UTC
  date: a run started at 23:30 in New York belongs to that evening.
"""

from __future__ import annotations

from .matching import MATCH_TOLERANCE_MIN, START_TOLERANCE_MIN
from .period import FLAG_COLUMNS, STATE_PERIOD, episode_flags, tracked_period
from .readers import (
                      EPISODE_ALIASES,
                      EXAMPLE_EPISODES,
                      EXAMPLE_RUN_NOTES,
                      LOCATION_ALIASES,
                      MAX_MASS_CHANGE_FRACTION,
                      NOTES_ALIASES,
                      NOTES_RANGES,
                      SIDE_ALIASES,
                      TRACKING_NOTES,
                      notes_from_history,
                      read_episodes,
                      read_run_notes,
)
from .sheet import MAX_JOURNAL_BYTES
from .suggest import parse_note, suggest_episodes

__all__ = [
    "read_episodes",
    "suggest_episodes",
    "parse_note",
    "read_run_notes",
    "notes_from_history",
    "episode_flags",
    "tracked_period",
    "TRACKING_NOTES",
    "EXAMPLE_EPISODES",
    "EXAMPLE_RUN_NOTES",
    "EPISODE_ALIASES",
    "NOTES_ALIASES",
    "SIDE_ALIASES",
    "LOCATION_ALIASES",
    "NOTES_RANGES",
    "MATCH_TOLERANCE_MIN",
    "MAX_JOURNAL_BYTES",
    "START_TOLERANCE_MIN",
    "FLAG_COLUMNS",
    "MAX_MASS_CHANGE_FRACTION",
    "STATE_PERIOD",
]
