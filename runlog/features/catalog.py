"""The feature catalogue: every column of :func:`runlog.run_features` described.

This module owns the catalogue: :data:`FEATURES` holds the fixed columns.
Columns from the runner's notes are described per call in
``run_features(...).attrs['catalog']`` (:func:`with_entries`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from .. import schema
from ..schema import Feature

if TYPE_CHECKING:  # for the annotation only; catalog_frame imports pandas itself, as before
    import pandas as pd

NAN = float("nan")

__all__ = ["FEATURES", "Catalog", "with_entries", "catalog_frame"]

_F = "float64"

MORTON = ("Morton, Fitz-Clarke & Banister (1990) J Appl Physiol 69:1171-1177; constants a/b: men 0.64/1.92, "
          "women 0.86/1.67")
GARMIN_RD = ("Garmin running dynamics definitions (Running Dynamics Pod / HRM-Run owner's manuals; "
             "garmin.com/performance-data/running)")
MOORE = "Moore (2016) Sports Med 46:793-807 (running economy and modifiable running technique)"
ASYMMETRY = ("Radzak et al. (2017) Gait Posture 51:268-274 (contact-time asymmetry, rested and fatigued); "
             "Furlong & Egginton (2018) Med Sci Sports Exerc 50:1241-1248")
WINDOW = ("window = the days before the run's local date (same-day sessions not counted); "
          "NaN during the history's warm-up")


def _entries() -> list[Feature]:
    e: list[Feature] = []
    add = e.append
    # --- bookkeeping / context ---------------------------------------------------------
    add(Feature("date_local", "", "datetime64[ns]", "Local calendar date of the run.", "other", "numeric", False))
    add(Feature("sport", "", "string",
                "Sport of the activity. Load features count every sport; distance and form features "
                "count running only (runlog.features.context.RUNNING_SPORTS; 'unknown' counts when speed "
                "and cadence look like running, runlog.features.context.is_running).",
                "other", "categorical", False))
    add(Feature("sub_sport", "", "string", "Sub-sport from the file (trail, treadmill, track, ...).",
                "terrain", "categorical", True))
    add(Feature("start_hour_local_h", "h", _F, "Local start time of day as decimal hours (07:30 = 7.5).",
                "other", "numeric", True))
    add(Feature("weekday", "", _F, "Day of the week of the local start, Monday = 0.", "other", "numeric", False))
    add(Feature("shoes", "", "string", "Shoes worn: the notes' 'shoes', else the export's gear.",
                "footwear", "categorical", True))
    add(Feature("shoe_distance_km", "km", _F,
                "Running distance the shoes had covered before this run, within the history "
                "(a lower bound: mileage before the history is unknown).", "footwear", "numeric", True))
    # --- volume ------------------------------------------------------------------------
    add(Feature("distance_km", "km", _F, "Distance of the run.", "distance", "numeric", True))
    add(Feature("duration_min", "min", _F, "Wall-clock duration, first to last sample (pauses included).",
                "distance", "numeric", True))
    add(Feature("moving_min", "min", _F, "Moving time (speed > 0.5 m/s, gaps > 30 s excluded).",
                "distance", "numeric", False))
    add(Feature("stopped_min", "min", _F, "Time stopped or paused: duration - moving time.",
                "other", "numeric", True))
    # --- intensity ---------------------------------------------------------------------
    add(Feature("avg_speed_mps", "m/s", _F, "Average speed = distance / moving time.", "intensity", "numeric", True))
    add(Feature("avg_pace_min_per_km", "min/km", _F, "Average pace = 1000 / 60 / average speed.",
                "intensity", "numeric", False))
    add(Feature("speed_vs_usual_pct", "%", _F,
                "Pace relative to the runner's usual: (average speed / median average speed of the history's "
                "runs - 1) * 100; > 0: faster than usual.", "intensity", "numeric", True))
    add(Feature("max_speed_mps", "m/s", _F, "Best 30-s average speed (distance covered over 30 s).",
                "intensity", "numeric", True))
    add(Feature("speed_cv_pct", "%", _F,
                "Pace variability: time-weighted coefficient of variation of the moving speed.",
                "intensity", "numeric", True))
    add(Feature("avg_hr_bpm", "1/min", _F, "Time-weighted mean heart rate.", "intensity", "numeric", True))
    add(Feature("max_hr_bpm", "1/min", _F, "Maximum heart rate.", "intensity", "numeric", True))
    add(Feature("hr_reserve_pct", "%", _F,
                "Mean heart rate as % of heart-rate reserve: (HR - HRrest) / (HRmax - HRrest) * 100.",
                "intensity", "numeric", True, "Karvonen, Kentala & Mustala (1957) Ann Med Exp Biol Fenn 35:307-315"))
    add(Feature("trimp", "AU", _F,
                "Banister training impulse summed per sample: sum(dt/60 * HRr * a * exp(b * HRr)), "
                "HRr clipped to [0, 1]; gaps > 30 s excluded.", "intensity", "numeric", True, MORTON))
    for z, (lo, hi) in enumerate(((50, 60), (60, 70), (70, 80), (80, 90), (90, 100)), start=1):
        add(Feature(f"hr_z{z}_s", "s", _F, f"Time with HR in zone {z} ({lo}-{hi} % of HR max).",
                    "intensity", "numeric", False, "Edwards (1993) The Heart Rate Monitor Book"))
        add(Feature(f"hr_z{z}_pct", "%", _F,
                    f"Share of the time with HR spent in zone {z} ({lo}-{hi} % of HR max).",
                    "intensity", "numeric", True, "Edwards (1993) The Heart Rate Monitor Book"))
    add(Feature("decoupling_pct", "%", _F,
                "Aerobic decoupling Pa:HR: (EF1 - EF2) / EF1 * 100 with EF = mean speed / mean HR of the "
                "first and second half of the moving time; NaN under 20 min.", "intensity", "numeric", True,
                "Friel, The Triathlete's Training Bible (TrainingPeaks Pa:HR)"))
    add(Feature("session_load_au", "AU", _F,
                "Load of this activity in the daily load series: its TRIMP, or for an activity without HR "
                "its moving minutes times the history's median TRIMP per moving minute; moving minutes when "
                "no activity of the history has HR (attrs['load_unit']).",
                "overtraining", "numeric", False, MORTON))
    add(Feature("load_imputed", "", "bool", "True when session_load_au was imputed (no HR).",
                "overtraining", "binary", False))
    # --- load history ------------------------------------------------------------------
    add(Feature("rest_days_7d", "d", _F, "Days without any activity among the 7 days before the run. " + WINDOW + ".",
                "overtraining", "numeric", True))
    add(Feature("rest_days_14d", "d", _F, "Days without any activity among the 14 days before the run. " + WINDOW
                + ".", "overtraining", "numeric", True))
    add(Feature("run_streak_days", "d", _F,
                "Consecutive days with a run, up to and including the run's day (only recorded days).",
                "overtraining", "numeric", True))
    add(Feature("days_since_last_run_d", "d", _F,
                "Calendar days since the previous run (0: an earlier run the same day; NaN: first run).",
                "overtraining", "numeric", True))
    add(Feature("distance_7d_km", "km", _F, "Running distance over the 7 days before the run. " + WINDOW + ".",
                "overtraining", "numeric", True))
    add(Feature("distance_28d_km", "km", _F, "Running distance over the 28 days before the run. " + WINDOW + ".",
                "overtraining", "numeric", True))
    add(Feature("load_7d_au", "AU", _F, "Training load (all sports) over the 7 days before the run. " + WINDOW + ".",
                "overtraining", "numeric", True))
    add(Feature("load_28d_au", "AU", _F, "Training load (all sports) over the 28 days before the run. " + WINDOW
                + ".", "overtraining", "numeric", True))
    add(Feature("acwr_distance", "", _F,
                "Sudden rise in running distance: acute:chronic ratio of the daily running distance, uncoupled "
                "rolling averages: mean daily distance of the last 7 days / mean of the 21 days before them "
                "(1.5: half as much again as usual; 'too much too soon'). " + WINDOW + " (28 days).",
                "overtraining", "numeric", True,
                "Gabbett (2016) Br J Sports Med 50:273-280; Lolli et al. (2019) Br J Sports Med 53:921-922; "
                "Nielsen et al. (2014) J Orthop Sports Phys Ther 44:739-747 (distance progression in novice runners)"))
    add(Feature("acwr_rolling", "", _F,
                "Acute:chronic workload ratio, uncoupled rolling averages: mean daily load of the last 7 days / "
                "mean of the 21 days before them. " + WINDOW + " (28 days).", "overtraining", "numeric", True,
                "Gabbett (2016) Br J Sports Med 50:273-280; Lolli et al. (2019) Br J Sports Med 53:921-922"))
    add(Feature("acwr_ewma", "", _F,
                "Acute:chronic workload ratio from exponentially weighted averages, EWMA7 / EWMA28, "
                "lambda = 2/(N+1), each seeded with the mean daily load of its first 7 / 28 days of the history "
                "(not started from 0; a constant load gives 1). " + WINDOW + " (28 days).",
                "overtraining", "numeric", True,
                "Williams et al. (2017) Br J Sports Med 51:209-210; seed: NIST/SEMATECH e-Handbook of "
                "Statistical Methods, sec. 6.4.3.1"))
    add(Feature("monotony_7d", "", _F,
                "Training monotony: mean / SD (sample) of the daily load over the 7 days before the run, rest days "
                "as 0; NaN when every day had the same load.", "overtraining", "numeric", True,
                "Foster (1998) Med Sci Sports Exerc 30:1164-1168"))
    add(Feature("strain_7d_au", "AU", _F, "Training strain: 7-day load * monotony.", "overtraining", "numeric", True,
                "Foster (1998) Med Sci Sports Exerc 30:1164-1168"))
    add(Feature("ctl_au", "AU", _F,
                "Fitness (chronic training load): exponentially weighted daily load, time constant 42 d, "
                "seeded with the mean daily load of the history's first 42 days (not started from 0; a "
                "constant load gives that load), on the day before the run; NaN in the first 42 days.",
                "overtraining", "numeric", True,
                "Banister et al. (1975) Aust J Sports Med 7:57-61; Coggan's Performance Manager"))
    add(Feature("atl_au", "AU", _F,
                "Fatigue (acute training load): exponentially weighted daily load, time constant 7 d, seeded "
                "with the mean daily load of the history's first 7 days (not started from 0), on the day before "
                "the run; NaN in the first 7 days.",
                "overtraining", "numeric", True, "Banister et al. (1975) Aust J Sports Med 7:57-61"))
    add(Feature("tsb_au", "AU", _F,
                "Form (training stress balance) = CTL - ATL on the day before the run (0 on a constant load); "
                "NaN in the first 42 days.",
                "overtraining", "numeric", True, "Banister et al. (1975); Coggan's Performance Manager"))
    add(Feature("week_distance_change_pct", "%", _F,
                "Week-over-week change of running distance: (last 7 days - the 7 before) / the 7 before * 100; "
                "NaN when the earlier week had no running. " + WINDOW + " (14 days).",
                "overtraining", "numeric", True))
    add(Feature("distance_vs_longest_30d_ratio", "", _F,
                "This run's distance / the longest run started in the previous 30 days (> 1.1: a single-session "
                "spike); NaN for non-running activities and in the first 30 days.", "distance", "numeric", True,
                "Frandsen et al. (2025) Br J Sports Med, 'How much running is too much?' (5,205 runners)"))
    # --- heat and hydration ------------------------------------------------------------
    add(Feature("device_temp_mean_c", "°C", _F,
                "Mean watch temperature (wrist, reads high): the device's own sensor, which body heat warms "
                "when it is worn on the wrist (see device_temp_wrist); not the air temperature.", "hydration",
                "numeric", True))
    add(Feature("device_temp_max_c", "°C", _F,
                "Highest watch temperature (wrist, reads high; see device_temp_mean_c).", "hydration", "numeric",
                True))
    add(Feature("device_temp_wrist", "", _F,
                "1.0 when the temperature comes from a wrist device (reads several °C above air), 0.0 for a bike "
                "computer or phone; NaN without temperature.", "hydration", "binary", False))
    add(Feature("air_temp_c", "°C", _F,
                "Air temperature: the run notes, else the weather (your table, or downloaded with --weather auto; "
                "the hour nearest the run's middle).", "hydration", "numeric", True))
    add(Feature("rel_humidity_pct", "%", _F, "Relative humidity: the run notes, else the weather (table or download).",
                "hydration", "numeric", True))
    add(Feature("heat_index_c", "°C", _F, "Heat index (NWS Rothfusz regression with its adjustments).",
                "hydration", "numeric", True,
                "Rothfusz (1990) NWS Technical Attachment SR 90-23; NWS WPC 'The Heat Index Equation'"))
    add(Feature("dew_point_c", "°C", _F, "Dew point (Magnus formula, a=17.625, b=243.04 °C).", "hydration",
                "numeric", True, "Alduchov & Eskridge (1996) J Appl Meteor 35:601-609"))
    add(Feature("wbgt_est_c", "°C", _F,
                "Wet-bulb globe temperature ESTIMATED from air temperature and humidity: 0.567 T + 0.393 e + 3.94.",
                "hydration", "numeric", True, "Australian Bureau of Meteorology, 'About the WBGT' (after ACSM 1984)"))
    add(Feature("sweat_loss_est_pct", "%", _F,
                "ESTIMATED sweat loss as % of body mass, runlog heat-balance model: metabolic heat (ACSM running "
                "equation) minus dry heat loss (Kerslake convection + radiation) must evaporate; needs air "
                "temperature; running only.", "hydration", "numeric", True,
                "ACSM metabolic equations; Kerslake (1972) The Stress of Hot Environments; Livingston & Lee (2001)"))
    add(Feature("sweat_loss_pct", "%", _F,
                "Measured sweat loss as % of pre-run mass: (pre - post + fluid) / pre * 100 (from the notes).",
                "hydration", "numeric", True,
                "Sawka et al. (2007) ACSM position stand, Med Sci Sports Exerc 39:377-390"))
    add(Feature("body_mass_loss_pct", "%", _F, "Net body-mass loss over the run: (pre - post) / pre * 100.",
                "hydration", "numeric", True, "Sawka et al. (2007) ACSM position stand"))
    add(Feature("dehydrated_2pct", "", _F, "1.0 when the body-mass loss exceeded 2 % (ACSM 2007), else 0.0.",
                "hydration", "binary", True, "Sawka et al. (2007) ACSM position stand"))
    # --- warm-up -----------------------------------------------------------------------
    add(Feature("warmup_speed_ratio", "", _F,
                "Mean moving speed of the first 10 min / of the rest of the run (< 1: eased in).",
                "warm-up", "numeric", True))
    add(Feature("warmup_hr_ratio", "", _F, "Mean HR of the first 10 min / of the rest of the run.",
                "warm-up", "numeric", True))
    add(Feature("warmup_hr_rise_bpm", "1/min", _F,
                "HR ramp: mean HR of minutes 8-10 minus minutes 0-2.", "warm-up", "numeric", True))
    add(Feature("warmup_hrr_pct", "%", _F, "Mean HR of the first 10 min as % of HR reserve.", "warm-up",
                "numeric", True))
    add(Feature("hard_start", "", _F,
                "1.0 when the first 10 min were at least as fast as the rest or above 75 % HR reserve, else 0.0.",
                "warm-up", "binary", True))
    # --- form --------------------------------------------------------------------------
    add(Feature("avg_cadence_spm", "steps/min", _F, "Mean cadence while moving (running only).", "form",
                "numeric", True))
    add(Feature("cadence_vs_pace_spm", "steps/min", _F,
                "Cadence against the runner's own cadence at that pace: mean cadence minus a + b * average speed, "
                "the line fitted over the history's runs (< 0: fewer, longer steps than usual at that pace).",
                "form", "numeric", True, "Cavanagh & Kram (1989) Med Sci Sports Exerc 21:467-479"))
    add(Feature("cadence_cv_pct", "%", _F, "Coefficient of variation of the moving cadence.", "form", "numeric", True))
    add(Feature("step_length_m", "m", _F,
                "Distance per step = distance / steps (watches call it stride length).", "form", "numeric", True))
    add(Feature("cadence_drift_pct", "%", _F,
                "Mean cadence of the second half of the moving time vs the first, (c2 - c1)/c1 * 100.",
                "form", "numeric", True))
    # running dynamics (runlog.features.form.dynamics_features): NaN for runs without them
    add(Feature("avg_ground_contact_ms", "ms", _F,
                "Mean ground contact time per step while moving (watch running dynamics; NaN without them).",
                "form", "numeric", True, GARMIN_RD + "; " + MOORE))
    add(Feature("avg_vertical_oscillation_mm", "mm", _F,
                "Mean vertical oscillation (the torso's bounce per step) while moving (running dynamics).",
                "form", "numeric", True, GARMIN_RD + "; " + MOORE))
    add(Feature("avg_vertical_ratio_pct", "%", _F,
                "Mean vertical ratio = vertical oscillation / step length * 100 while moving (running dynamics; "
                "lower: less bounce for the distance).", "form", "numeric", True, GARMIN_RD))
    add(Feature("step_length_vs_pace_pct", "%", _F,
                "Step length for the pace (overstriding proxy): the run's mean step length (running dynamics) "
                "against the runner's own step length at that speed, (L / (a + b * speed) - 1) * 100, the line "
                "fitted over the history's runs (> 0: longer steps than usual at that pace).",
                "form", "numeric", True,
                MOORE + "; Cavanagh & Williams (1982) Med Sci Sports Exerc 14:30-35"))
    add(Feature("avg_gct_balance_left_pct", "%", _F,
                "Mean ground contact time balance: the left foot's share of the contact time (50: even; "
                "above 50: longer on the left; running dynamics).", "form", "numeric", True,
                GARMIN_RD + " (balance zones: within 50.8 % even, beyond 52.2 % poor)"))
    add(Feature("gct_imbalance_pct", "%", _F,
                "Ground contact time asymmetry, either side: |balance - 50| [percentage points].",
                "form", "numeric", True, GARMIN_RD + "; " + ASYMMETRY))
    add(Feature("gct_balance_drift_pct", "%", _F,
                "Drift of the ground contact time balance through the run: mean balance of the second half of "
                "the moving time minus the first [percentage points] (> 0: shifted to the left).",
                "form", "numeric", True, ASYMMETRY))
    # --- terrain -----------------------------------------------------------------------
    add(Feature("ascent_m", "m", _F, "Total ascent (2 m dead band).", "terrain", "numeric", True))
    add(Feature("ascent_per_km_m", "m/km", _F, "Ascent per kilometre.", "terrain", "numeric", True))
    add(Feature("altitude_range_m", "m", _F, "Highest minus lowest altitude.", "terrain", "numeric", True))
    add(Feature("grade_abs_mean_pct", "%", _F, "Mean absolute grade over 30-s windows while moving (hilliness).",
                "terrain", "numeric", True))
    add(Feature("grade_sd_pct", "%", _F, "SD of the 30-s grade while moving (uneven, rolling terrain).",
                "terrain", "numeric", True))
    return e


# name: (effect unit `per`, primary rank, measured during the run); the plain names a reader sees are
# runlog.render.labels.MEASURE_LABELS.
# The primary measure of each cause is declared here, before any outcome is seen
# (issue 10): heat = air temperature (device temperature when there is no weather),
# run length = duration beyond the time at risk, training load = consecutive running
# days, intensity = pace relative to the runner's usual pace, warm-up = how gently
# the first 10 minutes started, shoes = the pair worn, form = cadence, terrain =
# climbing per kilometre.
_ROLES: dict[str, tuple[float, int, bool]] = {
    "sub_sport": (NAN, 0, False),
    "start_hour_local_h": (3.0, 0, False),
    "shoes": (NAN, 1, False),
    "shoe_distance_km": (100.0, 0, False),
    "distance_km": (5.0, 0, False),
    "duration_min": (30.0, 1, False),
    "moving_min": (30.0, 0, True),
    "stopped_min": (1.0, 0, True),
    "avg_speed_mps": (0.5, 0, True),
    "avg_pace_min_per_km": (0.5, 0, True),
    "speed_vs_usual_pct": (10.0, 1, True),
    "max_speed_mps": (0.5, 0, True),
    "speed_cv_pct": (5.0, 0, True),
    "avg_hr_bpm": (10.0, 0, True),
    "max_hr_bpm": (10.0, 0, True),
    "hr_reserve_pct": (10.0, 0, True),
    "trimp": (50.0, 0, True),
    **{f"hr_z{z}_pct": (10.0, 0, True) for z in range(1, 6)},
    **{f"hr_z{z}_s": (600.0, 0, True) for z in range(1, 6)},
    "decoupling_pct": (5.0, 0, True),
    "session_load_au": (50.0, 0, False),
    "rest_days_7d": (1.0, 0, False),
    "rest_days_14d": (1.0, 0, False),
    "run_streak_days": (1.0, 1, False),
    "days_since_last_run_d": (1.0, 0, False),
    "distance_7d_km": (10.0, 0, False),
    "distance_28d_km": (25.0, 0, False),
    "load_7d_au": (100.0, 0, False),
    "load_28d_au": (250.0, 0, False),
    "acwr_distance": (0.2, 1, False),
    "acwr_rolling": (0.2, 0, False),
    "acwr_ewma": (0.2, 0, False),
    "monotony_7d": (0.5, 0, False),
    "strain_7d_au": (500.0, 0, False),
    "ctl_au": (10.0, 0, False),
    "atl_au": (10.0, 0, False),
    "tsb_au": (10.0, 0, False),
    "week_distance_change_pct": (10.0, 0, False),
    "distance_vs_longest_30d_ratio": (0.2, 0, False),
    "device_temp_mean_c": (5.0, 2, True),
    "device_temp_max_c": (5.0, 0, True),
    "air_temp_c": (5.0, 1, False),
    "rel_humidity_pct": (10.0, 0, False),
    "heat_index_c": (5.0, 0, False),
    "dew_point_c": (5.0, 0, False),
    "wbgt_est_c": (5.0, 0, False),
    "sweat_loss_est_pct": (1.0, 0, False),
    "sweat_loss_pct": (1.0, 0, False),
    "body_mass_loss_pct": (1.0, 0, False),
    "dehydrated_2pct": (1.0, 0, False),
    "warmup_speed_ratio": (0.1, 1, True),
    "warmup_hr_ratio": (0.1, 0, True),
    "warmup_hr_rise_bpm": (10.0, 0, True),
    "warmup_hrr_pct": (10.0, 0, True),
    "hard_start": (1.0, 0, True),
    "avg_cadence_spm": (5.0, 0, True),
    "cadence_vs_pace_spm": (5.0, 1, True),
    "cadence_cv_pct": (2.0, 0, True),
    "step_length_m": (0.1, 0, True),
    "cadence_drift_pct": (2.0, 0, True),
    "avg_ground_contact_ms": (10.0, 0, True),
    "avg_vertical_oscillation_mm": (10.0, 0, True),
    "avg_vertical_ratio_pct": (1.0, 0, True),
    "step_length_vs_pace_pct": (5.0, 0, True),
    "avg_gct_balance_left_pct": (1.0, 0, True),
    "gct_imbalance_pct": (1.0, 0, True),
    "gct_balance_drift_pct": (0.5, 0, True),
    "ascent_m": (100.0, 0, True),
    "ascent_per_km_m": (10.0, 1, True),
    "altitude_range_m": (50.0, 0, True),
    "grade_abs_mean_pct": (1.0, 0, True),
    "grade_sd_pct": (1.0, 0, True),
}


#: Heat measures that act over the time on the feet (``Feature.dose``): temperatures, not humidity
#: or sweat loss (already a whole-run amount).
_DOSE = frozenset({"air_temp_c", "device_temp_mean_c", "device_temp_max_c", "heat_index_c", "dew_point_c",
                   "wbgt_est_c"})


def _with_roles(features):
    for f in features:
        per, primary, in_run = _ROLES.get(f.name, (NAN, 0, False))
        yield replace(f, per=per, primary=primary, in_run=in_run, dose=f.name in _DOSE)


def _checked(features):
    for f in features:
        if f.cause not in schema.CAUSES:
            raise ValueError(f"feature {f.name!r}: cause {f.cause!r} is not one of {schema.CAUSES}")
        yield f


#: The feature columns, in output order: name -> Feature.
FEATURES: dict[str, Feature] = {f.name: f for f in _checked(_with_roles(_entries()))}


class Catalog(dict):
    """Feature name -> :class:`~runlog.schema.Feature`: a dict whose deep copy is a new dict of the same
    (frozen) entries.

    pandas deep-copies a frame's ``attrs`` at every operation, and ``run_features(...).attrs['catalog']``
    is one: copying each entry again took 0.5 ms a copy (about 0.05 s of a report).
    """

    def __deepcopy__(self, memo) -> Catalog:
        return Catalog(self)


def with_entries(features) -> dict[str, Feature]:
    """The fixed catalogue plus *features* (e.g. one notes file's columns), as a new
    dict; the global :data:`FEATURES` is left unchanged.

    Parameters
    ----------
    features : iterable of Feature
        Entries to add (replacing any of the same name).

    Returns
    -------
    Catalog
        Feature name -> :class:`~runlog.schema.Feature` (a dict).

    Raises
    ------
    ValueError
        When an entry's cause is not one of ``runlog.schema.CAUSES``.
    """
    out = Catalog(FEATURES)
    out.update({f.name: f for f in _checked(features)})
    return out


def catalog_frame() -> pd.DataFrame:
    """The catalogue as a tidy frame (one row per feature), for docs and notebooks.

    Returns
    -------
    DataFrame
        One row per feature of :data:`FEATURES`, one column per
        :class:`~runlog.schema.Feature` field.
    """
    import pandas as pd

    return pd.DataFrame([f.__dict__ for f in FEATURES.values()])
