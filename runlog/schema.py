"""The single source of runlog's column names, units and dtypes.

Every frame runlog returns is described here: per-sample ``records``, ``laps``,
the per-run summary ``runs`` of a :class:`~runlog.history.History`, the
numbness ``episodes`` journal and per-run ``notes``.  Feature columns are
described by :class:`Feature` entries in :data:`runlog.features.catalog.FEATURES`.

Names carry their unit as a suffix: ``_m`` metres, ``_s`` seconds, ``_mps``
metres per second, ``_bpm`` beats per minute, ``_spm`` steps per minute,
``_c`` degrees Celsius, ``_deg`` decimal degrees (WGS84), ``_w`` watts,
``_kg``, ``_ml``, ``_min``, ``_km``, ``_pct`` percent, ``_ms``
milliseconds, ``_mm`` millimetres.  Times are
timezone-aware UTC unless the name says ``_local`` (naive wall-clock time in
the run's own time zone, given by the ``tz`` column).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Column",
    "Feature",
    "RECORD_COLUMNS",
    "DYNAMICS_COLUMNS",
    "RECORD_DTYPE_GROUPS",
    "FOOT_SPORTS",
    "MOVING_SPEED_MPS",
    "MAX_SAMPLE_GAP_S",
    "HR_RANGE_BPM",
    "FOOT_CADENCE_MAX_SPM",
    "TEMP_RANGE_C",
    "mask_impossible",
    "possible_hr",
    "LAP_COLUMNS",
    "INFO_KEYS",
    "RUN_COLUMNS",
    "EPISODE_COLUMNS",
    "NOTES_COLUMNS",
    "SIDES",
    "LOCATIONS",
    "CAUSES",
    "empty_records",
    "conform_records",
    "record_matrix",
    "record_arrays",
    "records_from_arrays",
    "impossible_masked",
    "conform_laps",
    "lap_arrays",
    "column_reference",
]


@dataclass(frozen=True)
class Column:
    """Description of one column.

    Attributes
    ----------
    name : str
        Column name (with unit suffix).
    unit : str
        Unit in words, '' for dimensionless or text.
    dtype : str
        pandas dtype the column is stored with.
    description : str
        What the column means.
    """

    name: str
    unit: str
    dtype: str
    description: str


def _table(*cols: Column) -> dict[str, Column]:
    return {c.name: c for c in cols}


UTC_TIME = "datetime64[ns, UTC]"
LOCAL_TIME = "datetime64[ns]"

# --------------------------------------------------------------------------
# Per-sample records of one activity: index ``time`` (UTC), float columns.
# --------------------------------------------------------------------------
RECORD_COLUMNS = _table(
    Column("elapsed_s", "s", "float64", "Seconds since the first record (wall-clock, pauses included)."),
    Column("distance_m", "m", "float64", "Cumulative distance from the start."),
    Column("speed_mps", "m/s", "float64", "Instantaneous speed."),
    Column("hr_bpm", "1/min", "float64",
           "Heart rate; 0 (no strap contact) and above 250 are missing (NaN)."),
    Column("cadence_spm", "steps/min", "float64",
           "Cadence in steps per minute for foot sports (FIT/GPX/TCX store strides "
           "per minute for running; runlog doubles it and adds FIT fractional_cadence); "
           "revolutions per minute for cycling.  Above 260 steps/min in a foot sport: missing (NaN)."),
    Column("temp_c", "°C", "float64",
           "Device temperature (a wrist reading is biased by body heat); outside -40 to 60 °C: missing (NaN)."),
    Column("altitude_m", "m", "float64", "Altitude above sea level."),
    Column("lat_deg", "°", "float64", "Latitude (WGS84)."),
    Column("lon_deg", "°", "float64", "Longitude (WGS84)."),
    Column("power_w", "W", "float64", "Power (running or cycling power meter)."),
    # Running dynamics (FIT record fields of a chest strap, pod or wrist; float32, NaN when the file has none)
    Column("stance_time_ms", "ms", "float32",
           "Ground contact time of each step (FIT stance_time); running dynamics, NaN without them "
           "or where the watch wrote 0 (no running step measured), as for the other four."),
    Column("stance_time_balance_left_pct", "%", "float32",
           "Ground contact time balance: the left foot's share of the contact time (FIT "
           "stance_time_balance; 50 = even, above 50 = longer on the left)."),
    Column("vertical_oscillation_mm", "mm", "float32",
           "Vertical oscillation: the torso's bounce per step (FIT vertical_oscillation)."),
    Column("vertical_ratio_pct", "%", "float32",
           "Vertical ratio: vertical oscillation / step length x 100 (FIT vertical_ratio)."),
    Column("step_length_mm", "mm", "float32",
           "Step length, one footfall to the next (FIT step_length)."),
)
#: The running-dynamics record columns.  Always present (NaN without them, as
#: in every GPX/TCX file and most FIT files) so every records frame has one
#: shape; stored as float32 to keep the cost of five mostly-empty columns at
#: 20 bytes per record instead of 40 (a record is ~94 bytes without them).
#: float32 holds every FIT value exactly enough: the files store them as
#: 16-bit integers at 0.1 ms / 0.1 mm / 0.01 % resolution (FIT SDK
#: Profile.xlsx, ``record``), and float32 keeps 7 significant digits.
DYNAMICS_COLUMNS = ("stance_time_ms", "stance_time_balance_left_pct", "vertical_oscillation_mm",
                    "vertical_ratio_pct", "step_length_mm")
RECORD_INDEX = "time"
#: The record columns grouped by dtype, each group in schema order: ``{'float64': (...), 'float32':
#: DYNAMICS_COLUMNS}``; the records frame holds one block per group.
RECORD_DTYPE_GROUPS: dict[str, tuple[str, ...]] = {
    d: tuple(c for c, col in RECORD_COLUMNS.items() if col.dtype == d)
    for d in dict.fromkeys(col.dtype for col in RECORD_COLUMNS.values())}

#: Physiologically impossible samples are missing values, not data: the readers
#: (every FIT/GPX/TCX activity passes :func:`runlog.io.finalize`) set them
#: to NaN with :func:`mask_impossible`, so a run whose strap sent only zeros is a
#: run without heart rate everywhere (its training load is estimated like any
#: run without HR, see :func:`runlog.features.core.session_load`).
#: Heart rate is kept when ``HR_RANGE_BPM[0] < hr_bpm <= HR_RANGE_BPM[1]`` [1/min]:
#: 0 is what a watch records without strap contact; above 250 no human heart
#: beats (the highest recorded rates in adults are ~220-230).
HR_RANGE_BPM = (0.0, 250.0)
#: Largest cadence kept in a foot sport [steps/min]: elite sprinters reach
#: ~260-280 only at top speed for seconds; a running recording above 260 is a
#: sensor or unit error.
FOOT_CADENCE_MAX_SPM = 260.0
#: Device temperature kept [°C], both ends included: the operating range of
#: sports watches; readings outside it are sensor faults.
TEMP_RANGE_C = (-40.0, 60.0)
# Running dynamics are missing (NaN) at 0 or below: Garmin watches write 0
# ms contact time, 0 mm step length, 0 % vertical ratio and balance for
# records where no running step was measured (standing, walking, transitions
# of a triathlon), which no running step can have; a balance is a share of
# 100 %, so 100 or more is no reading either (see :func:`mask_impossible`).

#: Sports whose cadence is in steps per minute (the files store strides per
#: minute; the readers double it).
FOOT_SPORTS = frozenset({"running", "walking", "hiking", "mountaineering", "snowshoeing"})

#: Speed above which a sample counts as moving [m/s] (1.8 km/h: slower than walking).
MOVING_SPEED_MPS = 0.5
#: Longest gap between samples still counted as moving time [s]; longer gaps are pauses.
MAX_SAMPLE_GAP_S = 30.0

# --------------------------------------------------------------------------
# Laps of one activity.
# --------------------------------------------------------------------------
LAP_COLUMNS = _table(
    Column("lap", "", "int64", "Lap number, from 1."),
    Column("start_time", "", UTC_TIME, "Lap start (UTC)."),
    Column("end_time", "", UTC_TIME, "Lap end (UTC)."),
    Column("elapsed_s", "s", "float64", "Lap wall-clock duration."),
    Column("timer_s", "s", "float64", "Lap timer (moving) duration."),
    Column("distance_m", "m", "float64", "Lap distance."),
    Column("avg_hr_bpm", "1/min", "float64", "Lap average heart rate (device value; 0 or above 250: NaN)."),
    Column("max_hr_bpm", "1/min", "float64", "Lap maximum heart rate (device value; 0 or above 250: NaN)."),
    Column("trigger", "", "string",
           "Why the lap ended: 'manual' (lap button: runners may press it when numbness "
           "starts), 'distance', 'time', 'position', 'session_end', ... or <NA>."),
)

# --------------------------------------------------------------------------
# Activity.info keys (a pandas Series).
# --------------------------------------------------------------------------
INFO_KEYS = {
    "run_id": "Stable id derived from the activity's UTC start minute (same run in FIT and GPX: same id).",
    "source": "Path of the file (inside an archive: 'archive.zip!member').",
    "format": "'fit', 'gpx' or 'tcx'.",
    "sport": "Sport in lower case ('running', 'cycling', ...) or 'unknown'.",
    "sub_sport": "Sub-sport ('trail', 'treadmill', ...) or None.",
    "device": "Recording device or app, e.g. 'garmin fr645m'.",
    "start_time": "First record time (UTC pandas Timestamp).",
    "end_time": "Last record time (UTC pandas Timestamp).",
    "tz": "IANA zone name ('Europe/Berlin') or fixed offset ('+02:00'), or 'UTC'.",
    "tz_source": "'argument', 'fit_local_timestamp', 'position' or 'default'.",
    "start_local": "start_time in the run's own time zone (naive wall-clock Timestamp).",
    "truncated": "True when the file ended early and only the records before the damage were kept.",
    "session": "Session number within a multisport / chained file, from 1.",
    "n_sessions": "Number of sessions in the file.",
    "device_distance_m": "Device session total distance [m].",
    "device_elapsed_s": "Device session total elapsed time [s].",
    "device_timer_s": "Device session total timer time [s].",
    "device_avg_hr_bpm": "Device session average heart rate [1/min] (0 or above 250: NaN).",
    "device_max_hr_bpm": "Device session maximum heart rate [1/min] (0 or above 250: NaN).",
    "device_ascent_m": "Device session total ascent [m].",
    "name": "The activity's own name (GPX <name>; FIT: the workout's wkt_name), or None.",
    "description": "The activity's own description (GPX <desc>, TCX <Notes>), or None.",
}

# --------------------------------------------------------------------------
# History.runs: one row per activity, index ``run_id``.
# --------------------------------------------------------------------------
RUN_COLUMNS = _table(
    Column("start_time", "", UTC_TIME, "Start (UTC)."),
    Column("start_local", "", LOCAL_TIME, "Start in the run's own time zone (naive wall clock)."),
    Column("tz", "", "string", "Time zone of the run (IANA name or fixed offset)."),
    Column("sport", "", "string", "Sport ('running', 'cycling', ...)."),
    Column("sub_sport", "", "string", "Sub-sport, or <NA>."),
    Column("device", "", "string", "Recording device or app."),
    Column("format", "", "string", "'fit', 'gpx' or 'tcx'."),
    Column("source", "", "string", "File the run was read from."),
    Column("distance_m", "m", "float64", "Distance (from the records)."),
    Column("elapsed_s", "s", "float64", "Wall-clock duration, first to last record."),
    Column("moving_s", "s", "float64", "Time moving faster than 0.5 m/s (pauses excluded)."),
    Column("avg_speed_mps", "m/s", "float64", "distance_m / moving_s."),
    Column("avg_hr_bpm", "1/min", "float64", "Time-weighted mean heart rate."),
    Column("max_hr_bpm", "1/min", "float64", "Maximum heart rate."),
    Column("avg_cadence_spm", "steps/min", "float64", "Mean cadence while moving."),
    Column("avg_temp_c", "°C", "float64", "Mean device temperature."),
    Column("max_temp_c", "°C", "float64", "Maximum device temperature."),
    Column("ascent_m", "m", "float64", "Total ascent (smoothed altitude)."),
    Column("n_records", "", "int64", "Number of samples."),
    Column("truncated", "", "bool", "File ended early (records before the damage kept)."),
    Column("device_distance_m", "m", "float64", "Device session total distance, when the file has one."),
    Column("device_elapsed_s", "s", "float64", "Device session elapsed time."),
    Column("device_timer_s", "s", "float64", "Device session timer time."),
    Column("device_avg_hr_bpm", "1/min", "float64", "Device session average HR."),
    Column("name", "", "string", "Activity name: an export's metadata (Strava activities.csv), else the "
                                 "file's own (GPX <name>, the FIT workout's name)."),
    Column("description", "", "string", "Activity description: an export's metadata, else the file's own "
                                        "(GPX <desc>, TCX <Notes>)."),
    Column("gear", "", "string", "Gear (shoes) from an export's metadata."),
)

# --------------------------------------------------------------------------
# Numbness journal (runlog.read_episodes): one row per episode.
# --------------------------------------------------------------------------
SIDES = ("left", "right", "both")
LOCATIONS = (
    "toes", "forefoot", "midfoot", "heel", "sole", "top_of_foot", "whole_foot",
    "lower_leg", "thigh", "other",
)
EPISODE_COLUMNS = _table(
    Column("run_id", "", "string", "The run the episode happened on."),
    Column("date", "", LOCAL_TIME, "The run's local date."),
    Column("time", "", "string", "The run's local start time as written ('HH:MM'), or <NA>."),
    Column("run", "", "string", "The 'run' cell as written (run_id or activity file name), or <NA>."),
    Column("onset_min", "min", "float64", "Minutes into the run when numbness started."),
    Column("onset_km", "km", "float64", "Distance into the run when numbness started."),
    Column("duration_min", "min", "float64", "How long the numbness lasted."),
    Column("side", "", "string", "left / right / both."),
    Column("location", "", "string", "One of " + ", ".join(LOCATIONS) + "."),
    Column("severity", "0-10", "float64", "Severity, 0 (barely) to 10 (worst)."),
    Column("notes", "", "string", "Free text."),
    Column("line", "", "int64", "Line of the journal file the episode came from."),
)

# --------------------------------------------------------------------------
# Per-run notes (runlog.read_run_notes): one row per run, index run_id.
# --------------------------------------------------------------------------
NOTES_COLUMNS = _table(
    Column("shoes", "", "string", "Shoe model / pair."),
    Column("lacing", "", "string", "Lacing (e.g. 'tight', 'loose', 'heel lock')."),
    Column("fluid_ml", "ml", "float64", "Fluid drunk during the run."),
    Column("body_mass_pre_kg", "kg", "float64", "Body mass before the run."),
    Column("body_mass_post_kg", "kg", "float64", "Body mass after the run."),
    Column("rpe", "0-10", "float64", "Session rating of perceived exertion (CR-10)."),
    Column("surface", "", "string", "Surface (road, trail, track, treadmill, ...)."),
    Column("warmup_min", "min", "float64", "Minutes of warm-up before the run."),
    Column("sleep_h", "h", "float64", "Hours slept the night before."),
)

# The article-named causes every factor is filed under.
CAUSES = (
    "overtraining", "hydration", "distance", "intensity", "warm-up",
    "footwear", "form", "terrain", "other",
)

@dataclass(frozen=True)
class Feature:
    """Description of one per-run feature column (see :func:`runlog.run_features`).

    Attributes
    ----------
    name : str
        Column name with unit suffix.
    unit : str
        Unit in words ('' if none).
    dtype : str
        'float64', 'bool' or 'string'.
    description : str
        What it measures, in a runner's words.
    cause : str
        The article-named cause it belongs to, one of :data:`CAUSES`.
    kind : str
        'numeric', 'binary' or 'categorical': how the analysis tests it.
    candidate : bool
        True when the analysis tests it as a factor (False for bookkeeping
        columns such as dates or ids).
    citation : str
        The formula's source, '' for plain measurements.  (Its plain name for a
        reader is :data:`runlog.render.labels.MEASURE_LABELS`.)
    per : float
        The fixed, meaningful unit effects are reported per (5 for 'per 5 °C');
        NaN: chosen from the data (:func:`runlog.analysis.causes.nice_unit`).
    primary : int
        1 when this is its cause's primary measure, 2 for the fallback used when
        the primary is missing (device temperature when there is no weather);
        0 for a secondary measure.  Declared before looking at any outcome.
    in_run : bool
        True when the value is measured during the run (heart rate, pace,
        cadence, ...): for the analysis it is computed on the part of the run
        before numbness started (and a comparable window of the other runs).
    dose : bool
        True for a heat measure that acts over the time on the feet (sweat
        loss and heat storage build up with time, Sawka et al. 2007): the
        analysis enters it as ``(value - the runner's median) x hours run``
        [°C h], a heat exposure, with effects "per 5 °C above your usual, per
        hour on your feet".
    """

    name: str
    unit: str
    dtype: str
    description: str
    cause: str
    kind: str = "numeric"
    candidate: bool = True
    citation: str = ""
    per: float = float("nan")
    primary: int = 0
    in_run: bool = False
    dose: bool = False


def empty_records() -> pd.DataFrame:
    """An empty records frame with the canonical columns, dtypes and index.

    Returns
    -------
    DataFrame
        No rows, :data:`RECORD_COLUMNS` with their dtypes, index ``time`` (UTC).
    """
    idx = pd.DatetimeIndex([], tz="UTC", name=RECORD_INDEX)
    return pd.DataFrame({c: pd.Series([], dtype=col.dtype) for c, col in RECORD_COLUMNS.items()}, index=idx)


_RECORD_DTYPES = {c: np.dtype(col.dtype) for c, col in RECORD_COLUMNS.items()}


def record_arrays(df: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The canonical records of *df* as arrays: what :func:`conform_records` puts in its frame.

    Parameters
    ----------
    df : DataFrame or RecordArrays
        Records indexed by time (naive = UTC), any subset of
        :data:`RECORD_COLUMNS`; other columns are ignored.  Or the same as
        a :class:`runlog.io.RecordArrays` (``ns``: times [ns since 1970,
        UTC], ``columns``: name -> array).

    Returns
    -------
    (ns, columns)
        The times [ns since 1970, UTC] as int64, and one array per
        :data:`RECORD_COLUMNS` name in schema order with its dtype (NaN when
        *df* lacks it; non-float columns through ``pandas.to_numeric``):
        rows with a missing time dropped, sorted by time (stable), and of
        duplicate times the first kept.  The arrays may share memory with
        *df*: copy before changing them in place.
    """
    if isinstance(df, pd.DataFrame):
        idx = df.index if isinstance(df.index, pd.DatetimeIndex) else pd.DatetimeIndex(df.index)
        idx = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
        ns, given = np.asarray(idx.as_unit("ns").asi8), df
    else:  # the decoder's arrays: no frame to take apart
        ns, given = np.asarray(df.ns, dtype="int64"), df.columns
    n = len(ns)
    cols: dict[str, np.ndarray] = {}
    for c, dtype in _RECORD_DTYPES.items():
        if c not in given:
            cols[c] = np.full(n, np.nan, dtype=dtype)
            continue
        v = given[c]
        if v.dtype.kind != "f":
            v = pd.to_numeric(v, errors="coerce")
        cols[c] = v.to_numpy(dtype=dtype) if isinstance(v, pd.Series) else np.asarray(v, dtype=dtype)
    take = None
    timed = ns != np.iinfo(np.int64).min   # NaT
    if not timed.all():
        take = np.flatnonzero(timed)
        ns = ns[take]
    if n and np.any(ns[1:] < ns[:-1]):
        order = np.argsort(ns, kind="stable")
        take = order if take is None else take[order]
        ns = ns[order]
    dup = ns[1:] == ns[:-1]
    if dup.any():
        first = np.flatnonzero(np.r_[True, ~dup])
        take = first if take is None else take[first]
        ns = ns[first]
    if take is not None:
        cols = {c: v[take] for c, v in cols.items()}
    return ns, cols


def records_from_arrays(ns: np.ndarray, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """A canonical records frame from :func:`record_arrays`-shaped arrays (copied into the frame).

    Parameters
    ----------
    ns : ndarray of int64
        Sample times [ns since 1970, UTC], sorted and unique.
    cols : dict
        One array per :data:`RECORD_COLUMNS` name, in schema order and dtypes.

    Returns
    -------
    DataFrame
        Index ``time`` (UTC), the :data:`RECORD_COLUMNS` in order.
    """
    idx = pd.DatetimeIndex(np.asarray(ns, dtype="int64"), tz="UTC", name=RECORD_INDEX)
    return pd.DataFrame({c: cols[c] for c in RECORD_COLUMNS}, index=idx)


_RECORD_NAMES = list(RECORD_COLUMNS)
_RECORD_INDEX = pd.Index(_RECORD_NAMES)


def record_matrix(records: pd.DataFrame) -> np.ndarray | None:
    """The values of a canonical records frame as one float64 array, a row per column.

    One conversion instead of a column look-up per column (each costs about
    as much as the conversion of all of them).

    Parameters
    ----------
    records : DataFrame
        Records with exactly the :data:`RECORD_COLUMNS`, in order.

    Returns
    -------
    ndarray or None
        Shape (columns, records), C-contiguous rows in :data:`RECORD_COLUMNS`
        order (float32 columns widened exactly); None when *records* has
        other columns.
    """
    if records.shape[1] != len(_RECORD_NAMES) or not records.columns.equals(_RECORD_INDEX):
        return None
    return records.to_numpy(dtype="float64").T


def conform_records(df: pd.DataFrame) -> pd.DataFrame:
    """Return *df* with exactly the canonical record columns (missing ones NaN),
    their dtypes (float64; float32 for :data:`DYNAMICS_COLUMNS`), a UTC ``time`` index sorted ascending and duplicate
    timestamps dropped (first kept).

    Parameters
    ----------
    df : DataFrame
        Records indexed by time (naive = UTC), any subset of
        :data:`RECORD_COLUMNS`; other columns are dropped.

    Returns
    -------
    DataFrame
        The :data:`RECORD_COLUMNS` in order; rows with a missing time dropped.
    """
    return records_from_arrays(*record_arrays(df))


def possible_hr(hr_bpm):
    """Heart rate [1/min] with impossible values (<= 0 or > 250, :data:`HR_RANGE_BPM`) as NaN.

    For the device's own lap and session heart rates (a session of an
    all-zero strap reports an average of 0).  Scalar in, float out; array in,
    float64 array out.

    Parameters
    ----------
    hr_bpm : float or array_like
        Heart rate [1/min].

    Returns
    -------
    float or ndarray
        Heart rate [1/min], NaN where impossible.
    """
    hr = np.asarray(hr_bpm, dtype="float64")
    with np.errstate(invalid="ignore"):
        out = np.where((hr <= HR_RANGE_BPM[0]) | (hr > HR_RANGE_BPM[1]), np.nan, hr)
    return float(out) if out.ndim == 0 else out


def impossible_masked(cols: dict[str, np.ndarray], sport: str | None = None) -> dict[str, np.ndarray]:
    """The array form of :func:`mask_impossible`: the columns with impossible samples as NaN.

    Parameters
    ----------
    cols : dict
        Record column name -> array (at least the columns checked).
    sport : str, optional
        The activity's sport.

    Returns
    -------
    dict
        The same mapping; a column with an impossible sample is a new array
        (the given arrays are never changed).
    """
    out = dict(cols)
    with np.errstate(invalid="ignore"):
        hr, temp = cols["hr_bpm"], cols["temp_c"]
        checks = [("hr_bpm", (hr <= HR_RANGE_BPM[0]) | (hr > HR_RANGE_BPM[1])),
                  ("temp_c", (temp < TEMP_RANGE_C[0]) | (temp > TEMP_RANGE_C[1]))]
        if sport in FOOT_SPORTS:
            checks.append(("cadence_spm", cols["cadence_spm"] > FOOT_CADENCE_MAX_SPM))
        for col in DYNAMICS_COLUMNS:
            v = cols[col]
            checks.append((col, (v <= 0) | (v >= 100) if col == "stance_time_balance_left_pct" else v <= 0))
    for col, bad in checks:
        if bad.any():
            v = cols[col]
            out[col] = np.where(bad, np.nan, v).astype(v.dtype, copy=False)
    return out


def mask_impossible(records: pd.DataFrame, sport: str | None = None) -> pd.DataFrame:
    """Set physiologically impossible samples to NaN (missing).

    Parameters
    ----------
    records : DataFrame
        Canonical records (:data:`RECORD_COLUMNS`); changed in place.
    sport : str, optional
        The activity's sport: the cadence limit applies to :data:`FOOT_SPORTS`.

    Returns
    -------
    DataFrame
        *records*, with ``hr_bpm`` outside (:data:`HR_RANGE_BPM`] (i.e. <= 0 or
        > 250 [1/min]), ``cadence_spm`` above :data:`FOOT_CADENCE_MAX_SPM`
        [steps/min] in a foot sport and ``temp_c`` outside :data:`TEMP_RANGE_C`
        [°C] set to NaN, and running dynamics (:data:`DYNAMICS_COLUMNS`) of 0
        or less (the 0 a watch writes for a step it did not measure: standing,
        walking, the strap off) or a balance of 100 % or more.  Every other
        value is unchanged.
    """
    names = ["hr_bpm", "temp_c", "cadence_spm", *DYNAMICS_COLUMNS]
    cols = {c: records[c].to_numpy() for c in names}
    for c, v in impossible_masked(cols, sport).items():
        if v is not cols[c]:
            records[c] = v
    return records


#: The dtype of runlog's text columns ("string": missing values are pd.NA, not NaN as in pandas 3's default str).
_STRING = pd.array([], dtype="string").dtype


def lap_arrays(df: pd.DataFrame) -> dict:
    """The columns of :func:`conform_laps` for a laps frame with rows, as arrays (schema order and dtypes).

    Parameters
    ----------
    df : DataFrame
        Laps as a reader gives them (see :func:`conform_laps`).

    Returns
    -------
    dict
        Column name -> ndarray (``int64``, ``float64``), DatetimeArray (UTC,
        ns) or StringArray.
    """
    n = len(df)
    out: dict = {}
    for name, col in LAP_COLUMNS.items():
        if name not in df:
            if name == "lap":
                out[name] = np.arange(1, n + 1, dtype="int64")
            elif col.dtype == UTC_TIME:
                out[name] = pd.array(np.full(n, np.iinfo(np.int64).min).view("datetime64[ns]")).tz_localize("UTC")
            elif col.dtype == "string":
                out[name] = pd.array([None] * n, dtype="string")
            else:
                out[name] = np.full(n, np.nan)
            continue
        s = df[name]
        if col.dtype == UTC_TIME:
            if isinstance(s.dtype, pd.DatetimeTZDtype):
                a = s.array.tz_convert("UTC")
            elif s.dtype.kind == "M":
                a = s.array.tz_localize("UTC")
            else:
                a = pd.to_datetime(s, utc=True).array
            out[name] = a.as_unit("ns")
        elif col.dtype == "string":
            if isinstance(s.dtype, pd.StringDtype):  # pandas 3's str (NaN for missing) or already "string"
                out[name] = s.array if s.dtype == _STRING else s.astype(_STRING).array
            else:
                out[name] = s.astype("object").where(s.notna(), None).astype(_STRING).array
        elif col.dtype == "int64":
            out[name] = s.to_numpy().astype("int64")
        elif s.dtype.kind in "fiub":
            out[name] = s.to_numpy(dtype="float64")
        else:
            out[name] = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
    return out


def conform_laps(df: pd.DataFrame | None) -> pd.DataFrame:
    """Return a laps frame with exactly the canonical columns and dtypes.

    Parameters
    ----------
    df : DataFrame or None
        Laps as a reader gives them: any subset of :data:`LAP_COLUMNS`
        (``lap`` numbered 1.. when missing).

    Returns
    -------
    DataFrame
        The :data:`LAP_COLUMNS` in order, index 0..n-1.
    """
    if df is None or len(df) == 0:
        return _EMPTY_LAPS.copy()
    return pd.DataFrame(lap_arrays(df), index=pd.RangeIndex(len(df)))


def _empty_laps() -> pd.DataFrame:
    cols = {}
    for name, col in LAP_COLUMNS.items():
        dtype = pd.DatetimeTZDtype("ns", "UTC") if col.dtype == UTC_TIME else col.dtype
        cols[name] = pd.Series([], dtype=dtype)
    return pd.DataFrame(cols, index=pd.RangeIndex(0))


_EMPTY_LAPS = _empty_laps()


def column_reference(table: dict[str, Column] | None = None) -> pd.DataFrame:
    """The column reference as a tidy frame (name, unit, dtype, description).

    Parameters
    ----------
    table : dict, optional
        One of the tables in this module; default: all of them, with a
        ``frame`` column saying which.

    Returns
    -------
    DataFrame
        One row per column: ``name``, ``unit``, ``dtype``, ``description``
        (after ``frame`` when *table* is None).
    """
    tables = (
        {"records": RECORD_COLUMNS, "laps": LAP_COLUMNS, "runs": RUN_COLUMNS,
         "episodes": EPISODE_COLUMNS, "notes": NOTES_COLUMNS}
        if table is None else {"": table}
    )
    rows = [
        {"frame": k, "name": c.name, "unit": c.unit, "dtype": c.dtype, "description": c.description}
        for k, t in tables.items() for c in t.values()
    ]
    out = pd.DataFrame(rows)
    return out.drop(columns="frame") if table is not None else out
