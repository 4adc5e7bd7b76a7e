"""A runner's whole history: many activities in three tidy frames.

:class:`History` holds ``runs`` (one row per activity), ``records`` (all
samples, MultiIndex ``run_id``/``time``), ``errors`` (files not read and why)
and ``skipped`` (duplicates and non-activity files).  :func:`read_history`
builds one from a folder, a bulk export or a list of files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import schema
from .summary import runs_frame, summarize_activity

__all__ = ["History", "ERROR_COLUMNS", "SKIPPED_COLUMNS"]

ERROR_COLUMNS = ["path", "reason"]
SKIPPED_COLUMNS = ["path", "reason", "run_id", "kept"]


def _empty(cols):
    return pd.DataFrame({c: pd.Series(dtype="string") for c in cols})


@dataclass
class History:
    """A runner's activities.

    Attributes
    ----------
    runs : DataFrame
        One row per activity, index ``run_id``, columns
        :data:`runlog.schema.RUN_COLUMNS` (+ export metadata).
    records : DataFrame
        All samples; MultiIndex (``run_id``, ``time``), columns
        :data:`runlog.schema.RECORD_COLUMNS`.
    errors : DataFrame
        ``path``, ``reason``: files that could not be read.
    skipped : DataFrame
        ``path``, ``reason``, ``run_id``, ``kept``: duplicates and non-activity files.
    laps : DataFrame
        All laps; columns ``run_id`` + :data:`runlog.schema.LAP_COLUMNS`.
    """

    runs: pd.DataFrame
    records: pd.DataFrame
    errors: pd.DataFrame = field(default_factory=lambda: _empty(ERROR_COLUMNS))
    skipped: pd.DataFrame = field(default_factory=lambda: _empty(SKIPPED_COLUMNS))
    laps: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["run_id", *schema.LAP_COLUMNS]))

    @classmethod
    def from_activities(cls, activities, *, errors=None, skipped=None, metadata=None) -> "History":
        """Assemble a History from Activity objects (already de-duplicated).

        Parameters
        ----------
        activities : iterable of Activity
        errors, skipped : DataFrame, optional
        metadata : DataFrame, optional
            Extra per-run columns indexed by run_id (e.g. Strava name/gear),
            joined onto ``runs``.
        """
        activities = list(activities)
        runs = runs_frame([summarize_activity(a) for a in activities])
        if metadata is not None and len(metadata):
            for c in metadata.columns:
                vals = metadata[c].reindex(runs.index)
                runs[c] = runs[c].fillna(vals.astype(runs[c].dtype)) if c in runs else vals
        if activities:
            records = pd.concat(
                {a.run_id: a.records for a in activities}, names=["run_id", schema.RECORD_INDEX])
            laps = pd.concat([a.laps.assign(run_id=a.run_id) for a in activities], ignore_index=True)
            laps = laps[["run_id", *schema.LAP_COLUMNS]]
        else:
            records = schema.empty_records()
            records.index = pd.MultiIndex.from_arrays(
                [pd.Index([], dtype="string"), records.index], names=["run_id", schema.RECORD_INDEX])
            laps = pd.DataFrame(columns=["run_id", *schema.LAP_COLUMNS])
        records = records.loc[runs.index] if len(runs) else records
        return cls(
            runs=runs,
            records=records,
            errors=_empty(ERROR_COLUMNS) if errors is None else errors,
            skipped=_empty(SKIPPED_COLUMNS) if skipped is None else skipped,
            laps=laps,
        )

    def run(self, run_id: str) -> pd.DataFrame:
        """The records of one run (index ``time``)."""
        return self.records.xs(run_id, level="run_id")

    def __len__(self) -> int:
        return len(self.runs)

    def __repr__(self) -> str:
        if len(self.runs):
            span = f"{self.runs['start_local'].min():%Y-%m-%d} to {self.runs['start_local'].max():%Y-%m-%d}"
        else:
            span = "empty"
        return (f"<History {len(self.runs)} runs ({span}), {len(self.records)} records, "
                f"{len(self.errors)} errors, {len(self.skipped)} skipped>")

    def _repr_html_(self) -> str:  # pragma: no cover - cosmetic
        return f"<p><b>{repr(self)[1:-1]}</b></p>" + self.runs.head(20).to_html()
