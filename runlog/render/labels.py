"""Every name a runner reads for a measure or a cause, in one place.

The analysis works with codes (feature column names such as ``air_temp_c``,
cause ids such as ``hydration``); the report, the HTML page, the plots and
the command line read their names here.  This module imports nothing else
of runlog, so any layer that writes for a reader can use it.

* :data:`CAUSE_LABELS` -- a cause as the articles name it ('heat and hydration')
* :data:`CAUSE_SHORT` -- the short name a sentence starts with ('Heat')
* :data:`MEASURE_LABELS` -- a feature column's plain name ('air temperature')
* :data:`UNIT_WORDS` -- a unit as a runner reads it ('load units' for the code's 'AU')
* :data:`AT_ONSET_LABELS` -- a record column compared just before onset ('Heart rate in the 2 minutes ...')
* :func:`measure_label`, :func:`cause_label`, :func:`unit_label`, :func:`short_description`,
  :func:`lower_first`, :func:`upper_first`
"""

from __future__ import annotations

import re

__all__ = [
    "CAUSE_LABELS", "CAUSE_SHORT", "MEASURE_LABELS", "UNIT_WORDS", "AT_ONSET_LABELS",
    "at_onset_label", "cause_label", "cause_short", "measure_label", "unit_label", "short_description",
    "lower_first", "upper_first",
]

#: Each cause in a runner's words, as the articles name it (sentences, tables, plots).
CAUSE_LABELS = {
    "overtraining": "training load (too much too soon, too few rest days)",
    "hydration": "heat and hydration",
    "distance": "run length",
    "intensity": "intensity",
    "warm-up": "warm-up",
    "footwear": "shoes",
    "form": "running form",
    "terrain": "terrain",
    "other": "other",
}
#: The short name a sentence starts with ("Heat goes with your numbness").
CAUSE_SHORT = {
    "overtraining": "Training load", "hydration": "Heat", "distance": "Run length", "intensity": "Intensity",
    "warm-up": "Warm-up", "footwear": "Shoes", "form": "Running form", "terrain": "Terrain", "other": "Other",
}
#: Each feature column of :data:`runlog.features.catalog.FEATURES` in plain words, in catalogue order
#: (sentences, tables, plots); a measure without an entry (a column of the runner's notes) is named by the
#: first clause of its description (:func:`measure_label`).
MEASURE_LABELS = {
    "date_local": "local date",
    "sport": "sport",
    "sub_sport": "kind of ground (trail, treadmill, ...)",
    "start_hour_local_h": "time of day",
    "weekday": "day of the week",
    "shoes": "shoes worn",
    "shoe_distance_km": "distance already in the shoes",
    "distance_km": "run distance",
    "duration_min": "run duration",
    "moving_min": "moving time",
    "stopped_min": "time stopped",
    "avg_speed_mps": "average speed",
    "avg_pace_min_per_km": "average pace",
    "speed_vs_usual_pct": "pace relative to your usual",
    "max_speed_mps": "fastest 30 s",
    "speed_cv_pct": "pace variability",
    "avg_hr_bpm": "average heart rate",
    "max_hr_bpm": "maximum heart rate",
    "hr_reserve_pct": "heart-rate reserve used",
    "trimp": "training impulse (TRIMP)",
    "hr_z1_s": "seconds in heart-rate zone 1",
    "hr_z1_pct": "time in heart-rate zone 1",
    "hr_z2_s": "seconds in heart-rate zone 2",
    "hr_z2_pct": "time in heart-rate zone 2",
    "hr_z3_s": "seconds in heart-rate zone 3",
    "hr_z3_pct": "time in heart-rate zone 3",
    "hr_z4_s": "seconds in heart-rate zone 4",
    "hr_z4_pct": "time in heart-rate zone 4",
    "hr_z5_s": "seconds in heart-rate zone 5",
    "hr_z5_pct": "time in heart-rate zone 5",
    "decoupling_pct": "heart-rate drift against pace (decoupling)",
    "session_load_au": "this run's training load",
    "load_imputed": "training load imputed (no heart rate)",
    "rest_days_7d": "rest days in the week before",
    "rest_days_14d": "rest days in the two weeks before",
    "run_streak_days": "consecutive running days",
    "days_since_last_run_d": "days since the last run",
    "distance_7d_km": "distance in the week before",
    "distance_28d_km": "distance in the four weeks before",
    "load_7d_au": "training load in the week before",
    "load_28d_au": "training load in the four weeks before",
    "acwr_distance": "sudden rise in distance (acute:chronic ratio)",
    "acwr_rolling": "acute:chronic load ratio",
    "acwr_ewma": "acute:chronic load ratio (EWMA)",
    "monotony_7d": "training monotony",
    "strain_7d_au": "training strain",
    "ctl_au": "fitness (CTL, six-week training load)",
    "atl_au": "fatigue (ATL, one-week training load)",
    "tsb_au": "freshness (TSB, fitness minus fatigue)",
    "week_distance_change_pct": "week-on-week distance change",
    "distance_vs_longest_30d_ratio": "distance against the longest run of the month",
    "device_temp_mean_c": "watch temperature (wrist, reads high)",
    "device_temp_max_c": "highest watch temperature (wrist, reads high)",
    "device_temp_wrist": "temperature from a wrist device",
    "air_temp_c": "air temperature",
    "rel_humidity_pct": "relative humidity",
    "heat_index_c": "heat index",
    "dew_point_c": "dew point",
    "wbgt_est_c": "wet-bulb globe temperature (estimate)",
    "sweat_loss_est_pct": "estimated sweat loss",
    "sweat_loss_pct": "measured sweat loss",
    "body_mass_loss_pct": "body-mass loss",
    "dehydrated_2pct": "body-mass loss above 2 %",
    "warmup_speed_ratio": "warm-up pace against the rest",
    "warmup_hr_ratio": "warm-up heart rate against the rest",
    "warmup_hr_rise_bpm": "heart-rate rise in the warm-up",
    "warmup_hrr_pct": "warm-up heart-rate reserve",
    "hard_start": "hard start",
    "avg_cadence_spm": "cadence",
    "cadence_vs_pace_spm": "cadence for the pace",
    "cadence_cv_pct": "cadence variability",
    "step_length_m": "step length",
    "cadence_drift_pct": "cadence drift",
    "avg_ground_contact_ms": "ground contact time",
    "avg_vertical_oscillation_mm": "vertical oscillation (bounce)",
    "avg_vertical_ratio_pct": "vertical ratio",
    "step_length_vs_pace_pct": "step length for the pace (overstriding)",
    "avg_gct_balance_left_pct": "left share of ground contact time",
    "gct_imbalance_pct": "left/right contact-time imbalance",
    "gct_balance_drift_pct": "drift of the left/right balance",
    "ascent_m": "total climb",
    "ascent_per_km_m": "climb per kilometre",
    "altitude_range_m": "altitude range",
    "grade_abs_mean_pct": "hilliness (mean grade)",
    "grade_sd_pct": "unevenness (grade variability)",
}


#: Units as a runner reads them, where the code's symbol is not a unit anyone says: the arbitrary units
#: of training load (TRIMP and the loads built on it) and heart rate per minute.  Every other unit of the
#: catalogue ('°C', 'km', 'min/km', 'steps/min', '%') is read as written.
UNIT_WORDS = {"AU": "load units", "1/min": "beats/min", "d": "days", "h": "hours"}

#: The record columns compared just before onset (:func:`runlog.analysis.onset.at_onset_comparison`'s
#: ``variable``), as the report names them.
AT_ONSET_LABELS = {
    "speed_mps": "Speed (pace) in the 2 minutes before onset",
    "hr_bpm": "Heart rate in the 2 minutes before onset",
    "temp_c": "Watch temperature (wrist, reads high) in the 2 minutes before onset",
}


def at_onset_label(variable) -> str:
    """A record column compared just before onset, as the report names it.

    Parameters
    ----------
    variable : str
        The column (``speed_mps``, ``hr_bpm``, ``temp_c``).

    Returns
    -------
    str
        :data:`AT_ONSET_LABELS`, else *variable* itself ('' for none).
    """
    if not isinstance(variable, str):
        return ""
    return AT_ONSET_LABELS.get(variable, variable)


def unit_label(unit) -> str:
    """A unit as a runner reads it: :data:`UNIT_WORDS`, else *unit* as written ('' for none).

    Parameters
    ----------
    unit : str or None
        A unit of :data:`runlog.features.catalog.FEATURES` or of the schema ('AU', '1/min', '°C').

    Returns
    -------
    str
        'load units', 'beats/min', '°C'.
    """
    if not isinstance(unit, str):
        return ""
    return UNIT_WORDS.get(unit.strip(), unit.strip())


def lower_first(text: str) -> str:
    """The first letter in lower case, acronyms kept ('Air temperature' -> 'air temperature', 'WBGT' stays).

    Parameters
    ----------
    text : str
        A label.

    Returns
    -------
    str
    """
    return text[:1].lower() + text[1:] if len(text) > 1 and not text[:2].isupper() else text


def upper_first(text: str) -> str:
    """The first letter in upper case, the rest as written (keeps 'TRIMP', 'WBGT').

    Parameters
    ----------
    text : str
        A label or sentence.

    Returns
    -------
    str
    """
    return text[:1].upper() + text[1:]


def short_description(desc) -> str:
    """The first clause of a catalogue description, for a sentence.

    'ESTIMATED sweat loss as % of body mass, runlog heat-balance model: ...' ->
    'estimated sweat loss as % of body mass'; 'Run notes: Fluid drunk during
    the run' -> 'fluid drunk during the run'; 'heat index (NWS ...)' -> 'heat index'.

    Parameters
    ----------
    desc : str
        A :class:`~runlog.schema.Feature` description.

    Returns
    -------
    str
        The clause, starting in lower case.
    """
    d = str(desc).strip()
    head, sep, tail = d.partition(":")
    d = tail.strip() if sep and len(head) <= 12 and tail.strip() else head
    d = re.sub(r",\s*else\s+(?:0(?:\.0)?|false|no)\b.*$", "", d, flags=re.IGNORECASE)
    for mark in (";", " (", ". "):
        d = d.split(mark)[0]
    if len(d) > 60 and "," in d:
        d = d.split(",")[0]
    # shouted words ('ESTIMATED') in lower case; acronyms (WBGT, ACSM) are at most 4 letters
    words = [w.lower() if w.isupper() and len(w) > 4 else w for w in d.split()]
    s = " ".join(words).strip().rstrip(".")
    return s[:1].lower() + s[1:] if len(s) > 1 and not s[:2].isupper() else s


#: How :func:`runlog.features.context.notes_features` describes a notes column runlog does not know
#: (tests/render/test_user_text.py reads one back through :func:`measure_label`):
#: ``NOTES_COLUMN_START + col + NOTES_COLUMN_END``.
NOTES_COLUMN_START = "Run notes column '"
NOTES_COLUMN_END = "' (the runner's own; not interpreted by runlog)."


def measure_label(name: str, description: str | None = None) -> str:
    """A measure's plain name ('air temperature'): :data:`MEASURE_LABELS`; for a column of the runner's
    notes runlog does not know, the column as the runner wrote it ('sleep (h) (your notes)'); else the
    first clause of its description (:func:`short_description`: a known notes column), else *name* with
    spaces.

    Parameters
    ----------
    name : str
        The feature column.
    description : str, optional
        Its catalogue description, for a column without a label.

    Returns
    -------
    str
    """
    label = MEASURE_LABELS.get(name)
    if label:
        return label
    if description and description.startswith(NOTES_COLUMN_START) and description.endswith(NOTES_COLUMN_END):
        return f"{description[len(NOTES_COLUMN_START):-len(NOTES_COLUMN_END)]} (your notes)"
    if description:
        return short_description(description)
    return str(name).replace("_", " ")


def cause_label(cause: str, *, brief: bool = False) -> str:
    """A cause as the articles name it: 'heat and hydration', 'training load (too much too soon, too few
    rest days)'; *brief* without the part in brackets ('training load').  The cause id when unknown.

    Parameters
    ----------
    cause : str
        Cause id (:data:`runlog.schema.CAUSES`).
    brief : bool
        Leave out the explanation in brackets (legends, notes beside a measure).

    Returns
    -------
    str
    """
    label = CAUSE_LABELS.get(cause, "") or ""
    if brief:
        label = label.split(" (")[0].strip()
    return label or str(cause)


def cause_short(cause: str) -> str:
    """The short name a sentence about the cause starts with ('Heat', 'Training load').

    Parameters
    ----------
    cause : str
        Cause id.

    Returns
    -------
    str
        :data:`CAUSE_SHORT`, else the id capitalised.
    """
    return CAUSE_SHORT.get(cause, str(cause).capitalize())
