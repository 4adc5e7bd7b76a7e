"""A runner's whole history: many activities in three tidy frames.

:class:`History` holds ``runs`` (one row per activity), ``records`` (all
samples, MultiIndex ``run_id``/``time``), ``errors`` (files not read and why)
and ``skipped`` (duplicates and non-activity files).
:func:`read_history` builds one from a folder, a bulk export or a list of
files.

Internal modules (their public names are re-exported here):

* ``_history`` -- the :class:`History` container and its frame helpers
* ``_runs`` -- one row of ``History.runs`` per activity (distance, duration, moving time, ...)
* ``_decode`` -- one file's activities, never raising (the worker task)
* ``_dedup`` -- the same activity recorded twice (watch and phone, FIT and GPX)
* ``_cache`` -- the cache of decoded files (Arrow IPC), whole-history snapshots and remembered
  answers, and ``atomic_write`` (every file runlog writes)
* ``_importer`` -- :func:`read_history`: scan, cache look-ups, workers, assembly
* ``_people`` -- :func:`likely_others`: the runs that look like another person's (:func:`remember_in`: also
  in a cache)
"""

from __future__ import annotations

from ._cache import ActivityCache, DigestIndex, atomic_write, atomic_write_text, default_cache_dir, resolve_cache
from ._decode import Outcome, decode_file
from ._dedup import (
                     DUPLICATE_OVERLAP,
                     FORMAT_RANK,
                     RICH_CHANNELS,
                     deduplicate,
                     is_duplicate,
                     overlap_fractions,
                     richness,
                     two_people,
                     unique_run_ids,
)
from ._history import (
                     ERROR_COLUMNS,
                     SKIPPED_COLUMNS,
                     SPORT_NOUNS,
                     History,
                     activity_counts_text,
                     empty_frame,
                     empty_records,
                     record_blocks,
                     records_from_blocks,
                     records_index,
                     rows_frame,
                     sport_counts,
                     sports,
                     stack_records,
)
from ._importer import read_history
from ._people import MIN_POSTERIOR, OTHER_COLUMNS, likely_others, remember_in
from ._runs import (
                     ascent_by_run,
                     ascent_m,
                     moving_mask,
                     runs_frame,
                     sample_durations_s,
                     summarize_activity,
                     summarize_records,
)

__all__ = [
    "History", "read_history", "ERROR_COLUMNS", "SKIPPED_COLUMNS", "SPORT_NOUNS", "activity_counts_text",
    "empty_frame", "empty_records", "records_index", "stack_records", "record_blocks", "records_from_blocks",
    "rows_frame", "sport_counts", "sports",
    "Outcome", "decode_file",
    "richness", "overlap_fractions", "is_duplicate", "two_people", "deduplicate", "unique_run_ids", "FORMAT_RANK",
    "RICH_CHANNELS", "DUPLICATE_OVERLAP",
    "ActivityCache", "DigestIndex", "default_cache_dir", "resolve_cache", "atomic_write", "atomic_write_text",
    "sample_durations_s", "moving_mask", "ascent_m", "ascent_by_run", "summarize_records", "summarize_activity",
    "runs_frame", "likely_others", "remember_in", "OTHER_COLUMNS", "MIN_POSTERIOR",
]
