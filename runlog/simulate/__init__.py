"""A synthetic running season with a planted cause of numbness: demo data and a test bed.

:func:`simulate_season` writes what a real runner would hand to runlog:

* one GPX 1.1 file per run (``gpx/``), with positions on loops around home,
  elevation, heart rate, cadence and the watch's wrist temperature in the
  Garmin TrackPointExtension (``hr``, ``cad`` in strides/min, ``atemp``),
  times in UTC;
* ``episodes.csv``: the numbness journal in the documented format
  (``date``, ``time``, ``onset_min``, ``duration_min``, ``side``,
  ``location``, ``severity``, ``notes``; see ``docs/journal.md``);
* ``run_notes.csv``: per-run notes (``shoes``, ``fluid_ml``, ``rpe``, and
  ``body_mass_pre_kg``/``body_mass_post_kg`` on the days the runner weighed);
* ``weather.csv``: hourly air temperature and relative humidity for the
  location (``time`` in UTC, ``air_temp_c``, ``rel_humidity_pct``) -- the
  realistic source of heat data, since a wrist reading is biased by body heat;
* ``truth.csv``: the answer key, one row per run with the planted risk;
* ``season.json``: the parameters that made the season.

The season has a weekly structure (rest days, one quality session, a long run)
in 3:1 build/recovery blocks, a seasonal and daily temperature cycle with
day-to-day weather, heart-rate drift with heat and duration, heat slowing the
pace, hills slowing it and raising the heart rate by their energy cost
(Minetti et al. 2002, J. Appl. Physiol. 93(3):1039; :func:`running_cost_j_kg_m`),
and a few traffic-light stops.  The journal covers ``weeks`` weeks from
``start``; ``history_weeks`` of earlier runs give the training-load features
their history (the runner wore the watch before starting the journal).

Scenarios (the planted causes, :data:`SCENARIO_CAUSES`; ``truth['p_true']``
is the per-run probability that numbness starts during the run, a logistic
model on the driver unless said otherwise, see :func:`episode_probability`;
numb runs: mean over seeds 0-7 of the expected count in the 137 or so
journal runs of the default 26 weeks):

============== ================================================== ============= =====
scenario       driver of the log-odds                             planted cause numb
============== ================================================== ============= =====
'hydration'    heat dose: (air temperature - 12 °C)+ x hours      hydration     21
'overtraining' consecutive running days up to the run             overtraining  21
'footwear'     wearing one particular pair of shoes (odds x 5;    footwear      19
               it is never worn for quality sessions)
'null'         nothing: constant risk 12 %                        --            17
'confounded'   air temperature only; long runs are put on the     hydration     22
               hottest day of the week at 12-14 h, so duration
               goes with heat but does not cause numbness
'trend'        nothing but the date: the log-odds rise linearly   --            20
               from 5 % on the first to 30 % on the last journal
               day (so does the weather, and the long run grows)
'stopping'     nothing: constant risk 15 %; but 0-1 min after     --            21
               the onset the runner stops 1-2 min to loosen the
               laces (speed, cadence 0, HR falling) and runs 5 %
               slower for the rest of that run, in its GPX
'per_minute'   time on the feet: a constant hazard per minute,    -- ('distance' 30
               p = 1 - exp(-lambda min), 25 % on a 60-min run     allowed)
'shoes_null'   nothing: constant risk 15 %; the three pairs are   --            21
               rotated at random (uniform, any kind of run)
'shoes'        the random rotation of 'shoes_null'; one pair      footwear      26
               multiplies the odds by 9
'two_causes'   heat dose (0.25 per °C h) plus consecutive running hydration,    34
               days (0.38 per day) at once                        overtraining
'heat_long'    heat dose (0.15 per °C h); long runs on the        hydration     22
               hottest day of the week at 12-14 h as in
               'confounded', so long runs are hot runs
============== ================================================== ============= =====

:data:`SCENARIO_ALLOWED` names causes that are not planted but not wrong
either ('distance' where the risk grows with time on the feet or with the
heat dose).  For the same seed, the scenarios that keep the default
schedule and shoe rotation ('hydration', 'overtraining', 'footwear',
'null', 'trend', 'per_minute', 'two_causes') write byte-identical GPX,
notes and weather files; only the journal and the answer key differ.

Records are written every ``sample_s`` seconds (default 5 s, like a watch's
"smart recording"; 1 s works too but makes files five times larger).  The
same ``seed`` gives byte-identical files.  All randomness comes from
:func:`numpy.random.default_rng` streams derived from ``seed`` per component
(weather, plan, runs, episodes, notes, stops), so two scenarios with the
same seed share the same weather.  The journal is drawn from the answer key
before the GPX files are written, so the same seed gives the same journal
whatever the records look like.
"""

from __future__ import annotations

from ._episodes import draw_onset_min, episode_probability, heat_dose_ch, true_drivers
from ._plan import training_plan
from ._run import (
    cadence_spm,
    gpx_text,
    grade_speed_factor,
    heart_rate_bpm,
    make_route,
    run_records,
    running_cost_j_kg_m,
    speed_profile_mps,
    wrist_temp_c,
)
from ._scenarios import (
    DEFAULT_BASE_RISK,
    DEFAULT_STRENGTH,
    DEMO_SEED,
    SCENARIO_ALLOWED,
    SCENARIO_CAUSES,
    SCENARIOS,
    STREAK_STRENGTH_TWO_CAUSES,
    Runner,
    Season,
)
from ._season import demo_season, simulate_season
from ._weather import hourly_weather, relative_humidity_pct, seasonal_mean_temp_c

__all__ = [
    "SCENARIOS", "SCENARIO_CAUSES", "SCENARIO_ALLOWED", "DEFAULT_STRENGTH",
    "DEFAULT_BASE_RISK", "STREAK_STRENGTH_TWO_CAUSES", "DEMO_SEED", "Runner", "Season",
    "simulate_season", "demo_season",
    "seasonal_mean_temp_c", "relative_humidity_pct", "hourly_weather",
    "training_plan", "speed_profile_mps", "running_cost_j_kg_m", "grade_speed_factor", "heart_rate_bpm",
    "cadence_spm", "wrist_temp_c", "make_route", "run_records", "gpx_text", "episode_probability",
    "true_drivers", "heat_dose_ch", "draw_onset_min",
]
