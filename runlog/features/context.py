"""Context of a run: when, which sport, which shoes (and their mileage), the runner's notes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import schema

__all__ = ["RUNNING_SPORTS", "UNKNOWN_MAX_SPEED_MPS", "UNKNOWN_MIN_CADENCE_SPM", "is_running", "start_hour_local",
           "shoe_distance_km", "context_features",
           "NOTE_CAUSES", "notes_features"]

#: Sports counted as running (distance and form features).  'unknown' is
#: included (GPX files and many exports carry no sport, and runlog is read by
#: runners) when the data look like running, see :func:`is_running`; pass
#: ``running_sports=`` to :func:`runlog.run_features` to change it.
RUNNING_SPORTS = frozenset({"running", "trail_running", "treadmill_running", "track_running", "unknown"})

#: The cause each known notes column is filed under (decided for runlog):
#: shoes and lacing -> footwear (lacing pressure over the dorsal foot nerves);
#: fluid_ml -> hydration; surface -> terrain; warmup_min -> warm-up;
#: rpe -> intensity; sleep_h -> overtraining (recovery).  The body-mass
#: columns are inputs to the sweat-loss features (not candidates themselves).
NOTE_CAUSES = {
    "shoes": "footwear",
    "lacing": "footwear",
    "fluid_ml": "hydration",
    "surface": "terrain",
    "warmup_min": "warm-up",
    "rpe": "intensity",
    "sleep_h": "overtraining",
    "body_mass_pre_kg": "hydration",
    "body_mass_post_kg": "hydration",
    "air_temp_c": "hydration",
    "rel_humidity_pct": "hydration",
}


#: An activity of unknown sport faster than this on average is not a run [m/s] (25 km/h).
UNKNOWN_MAX_SPEED_MPS = 7.0
#: An activity of unknown sport with a mean cadence below this is not a run [1/min]:
#: runners step at about 150-200 steps/min, cyclists pedal at 60-100 rpm.
UNKNOWN_MIN_CADENCE_SPM = 120.0


def is_running(runs: pd.DataFrame, running_sports=RUNNING_SPORTS) -> pd.Series:
    """True for activities whose ``sport`` is in *running_sports* (missing sport = 'unknown').

    An activity of sport 'unknown' counts only when its data look like
    running: mean moving speed at most :data:`UNKNOWN_MAX_SPEED_MPS` and mean
    cadence at least :data:`UNKNOWN_MIN_CADENCE_SPM` (each test skipped when
    the value is missing) -- indoor rides and rowing files often carry no sport.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` (``sport``; ``avg_speed_mps`` and ``avg_cadence_spm``
        for the activities of unknown sport).
    running_sports : iterable of str
        Sports counted as running (lower case).

    Returns
    -------
    Series of bool
        Same index as *runs*.
    """
    sport = runs["sport"].astype("object").where(runs["sport"].notna(), "unknown").astype(str).str.lower()
    out = sport.isin(set(running_sports))
    unknown = sport == "unknown"
    if unknown.any():
        def col(name):
            return (pd.to_numeric(runs[name], errors="coerce").astype("float64") if name in runs
                    else pd.Series(np.nan, index=runs.index))
        sp, cad = col("avg_speed_mps"), col("avg_cadence_spm")
        looks = (sp.isna() | (sp <= UNKNOWN_MAX_SPEED_MPS)) & (cad.isna() | (cad >= UNKNOWN_MIN_CADENCE_SPM))
        out = out & (~unknown | looks)
    return out.astype(bool)


def start_hour_local(start_local: pd.Series) -> pd.Series:
    """Local start time of day as decimal hours [h] (07:30 -> 7.5).

    Parameters
    ----------
    start_local : Series of datetime
        Local start times.

    Returns
    -------
    Series of float64
        Same index [h].
    """
    t = pd.to_datetime(start_local)
    return (t.dt.hour + t.dt.minute / 60.0 + t.dt.second / 3600.0).astype("float64")


def shoe_distance_km(shoe: pd.Series, start_time: pd.Series, distance_m: pd.Series,
                     running: pd.Series | None = None) -> pd.Series:
    """Distance the run's shoes had covered *before* this run, within the history [km].

    Cumulative running distance of the earlier runs with the same shoe
    (the mileage before the history began is unknown, so this is a lower
    bound).  NaN where the shoe is unknown.

    Parameters
    ----------
    shoe : Series
        Shoe (gear) name of each activity; NaN = unknown.
    start_time : Series of datetime
        Activity starts, same index.
    distance_m : Series
        Activity distances [m], same index.
    running : Series of bool, optional
        Which activities are runs; only their distance counts (default all).

    Returns
    -------
    Series of float64
        Same index as *shoe* [km].
    """
    df = pd.DataFrame({
        "shoe": shoe.astype("object"),
        "t": pd.to_datetime(start_time),
        "km": pd.to_numeric(distance_m, errors="coerce").astype("float64").fillna(0.0) / 1000.0,
    })
    if running is not None:
        df["km"] = df["km"].where(running.reindex(df.index).fillna(False).to_numpy(dtype=bool), 0.0)
    df = df[df["shoe"].notna()].sort_values("t", kind="stable")
    prev = df.groupby("shoe", sort=False)["km"].cumsum() - df["km"]
    return prev.reindex(shoe.index).astype("float64")


def context_features(runs: pd.DataFrame, notes: pd.DataFrame | None = None,
                     running: pd.Series | None = None) -> pd.DataFrame:
    """When, what and with which shoes.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` (``start_local``, ``start_time``, ``sport``,
        ``distance_m``; ``sub_sport`` and ``gear`` when present).
    notes : DataFrame, optional
        Run notes indexed by run_id; a ``shoes`` column overrides the gear.
    running : Series of bool, optional
        Which activities are runs (only their distance adds to the shoe mileage).

    Returns
    -------
    DataFrame indexed by run_id
        ``date_local`` (bookkeeping), ``start_hour_local_h``, ``weekday``
        (Monday=0), ``sport``, ``sub_sport`` (trail, treadmill, ...),
        ``shoes`` (notes ``shoes``, else the export's ``gear``),
        ``shoe_distance_km`` (:func:`shoe_distance_km`).
    """
    out = pd.DataFrame(index=runs.index)
    start_local = pd.to_datetime(runs["start_local"])
    out["date_local"] = start_local.dt.normalize()
    out["start_hour_local_h"] = start_hour_local(start_local)
    out["weekday"] = start_local.dt.day_of_week.astype("float64")
    out["sport"] = runs["sport"].astype("string")
    out["sub_sport"] = runs["sub_sport"].astype("string") if "sub_sport" in runs else pd.NA
    gear = runs["gear"].astype("string") if "gear" in runs else pd.Series(pd.NA, index=runs.index, dtype="string")
    if notes is not None and "shoes" in notes:
        ns = notes["shoes"].reindex(runs.index).astype("string")
        gear = ns.fillna(gear)
    gear = gear.str.strip().replace("", pd.NA)
    out["shoes"] = gear.astype("string")
    out["shoe_distance_km"] = shoe_distance_km(gear, runs["start_time"], runs["distance_m"], running)
    return out


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "binary"
    if pd.api.types.is_numeric_dtype(s):
        vals = set(pd.unique(s.dropna()))
        return "binary" if vals and vals <= {0, 1} else "numeric"
    return "categorical"


def notes_features(notes: pd.DataFrame | None, index: pd.Index, taken=()) -> tuple[pd.DataFrame, list]:
    """The run-notes columns as features, and their catalogue entries.

    Known columns (:data:`runlog.schema.NOTES_COLUMNS`) get the cause in
    :data:`NOTE_CAUSES`; any other column becomes a candidate with cause
    'other', numeric or categorical by dtype (binary when a numeric column
    holds only 0/1).  The bookkeeping columns of :func:`runlog.read_run_notes`
    (``date``, ``time``, ``run``, ``line``) are not features, nor are columns
    left entirely empty.  ``shoes`` is handled by
    :func:`context_features` and the body-mass / air columns by
    :func:`runlog.features.heat.heat_features`; they are skipped here.
    A column whose name is already a feature in *taken* is renamed
    ``note_<name>``.

    Parameters
    ----------
    notes : DataFrame or None
        :func:`runlog.read_run_notes` output (index run_id).
    index : Index
        The run_ids of the history (the rows of the result).
    taken : collection of str
        Feature names already in use.

    Returns
    -------
    (DataFrame indexed like *index*, list of :class:`runlog.schema.Feature`)
    """
    out = pd.DataFrame(index=index)
    feats: list[schema.Feature] = []
    if notes is None or not len(notes.columns):
        return out, feats
    # handled elsewhere (shoes, body mass, air) or bookkeeping of read_run_notes (date, time, run, line)
    skip = {"shoes", "body_mass_pre_kg", "body_mass_post_kg", "air_temp_c", "rel_humidity_pct", "run_id",
            "date", "time", "run", "line"}
    for col in notes.columns:
        if col in skip:
            continue
        if notes[col].isna().all():
            continue          # a column the runner never filled is not a factor
        s = notes[col].reindex(index)
        known = schema.NOTES_COLUMNS.get(col)
        if known is not None and known.dtype == "float64":
            s = pd.to_numeric(s, errors="coerce").astype("float64")
        kind = _kind(s)
        if kind == "numeric" or kind == "binary":
            s = pd.to_numeric(s, errors="coerce").astype("float64")
            dtype = "float64"
        else:
            s = s.astype("object").where(s.notna(), None).astype("string")
            dtype = "string"
        name = f"note_{col}" if col in taken else str(col)
        out[name] = s
        if known is not None:
            desc, unit = f"Run notes: {known.description}", known.unit
        else:
            desc, unit = f"Run notes column '{col}' (the runner's own; not interpreted by runlog).", ""
        feats.append(schema.Feature(name, unit, dtype, desc, NOTE_CAUSES.get(col, "other"), kind, True, ""))
    return out, feats
