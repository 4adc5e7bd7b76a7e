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

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import signal, special, stats

from .errors import RunlogError
from .io import make_run_id

__all__ = [
    "SCENARIOS", "SCENARIO_CAUSES", "SCENARIO_ALLOWED", "DEFAULT_STRENGTH",
    "DEFAULT_BASE_RISK", "STREAK_STRENGTH_TWO_CAUSES", "DEMO_SEED", "Runner", "Season",
    "simulate_season", "demo_season",
    "seasonal_mean_temp_c", "relative_humidity_pct", "hourly_weather",
    "training_plan", "speed_profile_mps", "running_cost_j_kg_m", "grade_speed_factor", "heart_rate_bpm",
    "cadence_spm", "wrist_temp_c", "make_route", "run_records", "gpx_text", "episode_probability",
    "true_drivers", "heat_dose_ch", "draw_onset_min",
]

#: The scenarios :func:`simulate_season` can plant.
SCENARIOS = ("hydration", "overtraining", "footwear", "null", "confounded",
             "trend", "stopping", "per_minute", "shoes_null", "shoes", "two_causes", "heat_long",
             "spike", "missing_temp", "partner", "long_history", "few_episodes",
             "bad_spells", "long_before", "trend_stopping", "heat_exposure")
#: The article-named causes (:data:`runlog.schema.CAUSES`) each scenario plants (empty: nothing).
SCENARIO_CAUSES: dict[str, tuple[str, ...]] = {
    "hydration": ("hydration",), "overtraining": ("overtraining",), "footwear": ("footwear",),
    "null": (), "confounded": ("hydration",), "trend": (), "stopping": (), "per_minute": (),
    "shoes_null": (), "shoes": ("footwear",), "two_causes": ("hydration", "overtraining"),
    "heat_long": ("hydration",), "spike": ("overtraining",), "missing_temp": ("hydration",),
    "partner": ("hydration",), "long_history": ("hydration",), "few_episodes": ("hydration",),
    "bad_spells": (), "long_before": (), "trend_stopping": (), "heat_exposure": ("hydration",),
}
#: The first planted cause per scenario, or None (kept for code written before
#: :data:`SCENARIO_CAUSES`; 'two_causes' gives 'hydration').
#: Causes that are not planted but not wrong either, per scenario: where the
#: risk grows with time on the feet ('per_minute'), or the planted heat dose
#: is temperature x duration ('hydration', 'two_causes', 'heat_long'), a
#: 'distance' (duration, distance) finding describes a true dependence.
SCENARIO_ALLOWED: dict[str, tuple[str, ...]] = {
    "per_minute": ("distance",), "hydration": ("distance",), "two_causes": ("distance",),
    "heat_long": ("distance",), "missing_temp": ("distance",), "partner": ("distance",),
    "long_history": ("distance",), "few_episodes": ("distance",), "heat_exposure": ("distance",),
}
#: Default effect strength per scenario: log-odds per unit of the driver
#: (hydration, two_causes, heat_long [1/(°C h)], overtraining [1/day],
#: confounded [1/°C], trend: log-odds gained from the first to the last
#: journal day [-]) or, for footwear and shoes, the log odds ratio of the
#: culprit pair.  Not used by 'null', 'stopping', 'shoes_null', 'per_minute'.
DEFAULT_STRENGTH = {
    "hydration": 0.25, "overtraining": 0.35, "footwear": math.log(5.0), "null": 0.0, "confounded": 0.2,
    # logit(0.30) - logit(0.05): the risk rises from 5 % to 30 % over the journal
    "trend": round(float(special.logit(0.30) - special.logit(0.05)), 6),
    "stopping": 0.0, "per_minute": 0.0, "shoes_null": 0.0, "shoes": math.log(9.0),
    "two_causes": 0.25, "heat_long": 0.15, "spike": 4.0, "missing_temp": 0.25, "partner": 0.25,
    "long_history": 0.25, "few_episodes": 0.25, "bad_spells": 1.0, "long_before": math.log(4.0),
    "trend_stopping": round(float(special.logit(0.30) - special.logit(0.05)), 6), "heat_exposure": 0.2,
}
#: Probability of an episode when the driver is zero, per scenario
#: ('per_minute': the probability on a run of 60 min, see :func:`episode_probability`).
DEFAULT_BASE_RISK = {
    "hydration": 0.04, "overtraining": 0.05, "footwear": 0.07, "null": 0.12, "confounded": 0.04,
    "trend": 0.05, "stopping": 0.15, "per_minute": 0.25, "shoes_null": 0.15, "shoes": 0.07,
    "two_causes": 0.03, "heat_long": 0.05, "spike": 0.08, "missing_temp": 0.04, "partner": 0.04,
    "long_history": 0.04, "few_episodes": 0.01, "bad_spells": 0.12, "long_before": 0.08,
    "trend_stopping": 0.05, "heat_exposure": 0.1,
}
#: Log-odds per extra consecutive running day in 'two_causes' [1/day] (the
#: heat-dose slope is the scenario's ``strength``).  The two slopes are set so
#: that a logistic model given only the two true drivers finds both in most
#: seasons, the difficulty issue "Analysis v2" names (tally: docs/validation.md).
STREAK_STRENGTH_TWO_CAUSES = 0.38
#: Temperature above which heat counts in the hydration/confounded drivers [°C].
HEAT_THRESHOLD_C = 12.0
#: Seed of the demo data set (:func:`demo_season`).
DEMO_SEED = 7
#: Shoe rotation; the first pair is the one that causes trouble in the 'footwear' and 'shoes' scenarios.
SHOES = ("Trail Glide 2", "Daily Cushion 5", "Tempo Racer")
#: Slow-down after the lace stop in the 'stopping' scenario [-] (speed x this for the rest of the run).
STOP_SLOWDOWN = 0.95
#: Day-to-day correlation of the latent 'bad weeks' of the 'bad_spells' scenario [-].
SPELL_PHI = 0.9
#: Share of runs recorded by a second watch without a temperature sensor ('missing_temp') [-].
SECOND_WATCH_SHARE = 0.35
#: Weeks of runs before the journal in the 'long_history' scenario (the journal covers the last 26).
LONG_HISTORY_WEEKS = 130

_KINDS = ("easy", "recovery", "tempo", "intervals", "long")
_STREAMS = ("weather", "plan", "runs", "episodes", "notes", "stops", "experiment", "latent", "devices",
            "partner")


@dataclass(frozen=True)
class Runner:
    """The simulated athlete.

    Attributes
    ----------
    hr_rest_bpm, hr_max_bpm : float
        Resting and maximum heart rate [1/min].
    threshold_speed_mps : float
        Speed at lactate threshold at the start of the season [m/s]
        (3.7 m/s = 4:30 min/km).
    easy_speed_mps : float
        Easy-run speed at the start of the season [m/s] (2.85 m/s = 5:51 min/km).
    fitness_gain : float
        Relative speed gain over the season at equal effort [-].
    cadence_offset_spm : float
        Personal offset to the cadence-speed line [steps/min].
    body_mass_kg : float
        Body mass [kg].
    wrist_bias_c : float
        Steady-state excess of the wrist-worn sensor over air temperature
        while running [°C] (body heat reaching the sensor).
    onset_median_min, onset_sigma : float
        The runner's reproducible time to onset: log-normal with this median
        [min] and log-scale spread [-].
    """

    hr_rest_bpm: float = 50.0
    hr_max_bpm: float = 188.0
    threshold_speed_mps: float = 3.7
    easy_speed_mps: float = 2.85
    fitness_gain: float = 0.04
    cadence_offset_spm: float = 0.0
    body_mass_kg: float = 68.0
    wrist_bias_c: float = 6.0
    onset_median_min: float = 38.0
    onset_sigma: float = 0.25


#: The partner whose runs end up in the same export ('partner'): slower, a higher heart rate for the
#: pace, a quicker cadence, a watch worn looser (less body heat on the sensor); never journalled.
PARTNER = Runner(hr_rest_bpm=60.0, hr_max_bpm=182.0, threshold_speed_mps=3.2, easy_speed_mps=2.45,
                 fitness_gain=0.02, cadence_offset_spm=9.0, body_mass_kg=58.0, wrist_bias_c=4.5)


@dataclass
class Season:
    """What :func:`simulate_season` wrote.

    Attributes
    ----------
    out_dir, gpx_dir : Path
        The season folder and its GPX sub-folder (one file per run).
    episodes_csv, notes_csv, weather_csv, truth_csv : Path
        The journal, the run notes, the hourly weather and the answer key.
    scenario : str
        One of :data:`SCENARIOS`.
    cause : str or None
        The first planted article cause (``causes[0]``; None when nothing is planted),
        as the demo names it.
    strength, base_risk : float
        Log-odds slope (or log odds ratio) and risk at zero driver (see
        :func:`episode_probability`).
    seed : int
    tz : str
        The runner's time zone.
    tracked : tuple of str
        First and last local date (ISO) the journal covers; pass it to
        ``runlog.analyze(..., tracked=season.tracked)``.
    truth : DataFrame
        One row per run, index ``run_id``: schedule, weather, driver,
        ``journal_frac`` (fraction of the journal period gone [-]),
        ``p_true``, ``numb``, ``n_episodes``, ``onset_min`` [min], and
        ``stop_start_s``/``stop_s`` (the lace stop of the 'stopping'
        scenario from the start of the run and its length [s]; NaN
        otherwise) (see ``truth.csv``, which has the stop columns in the
        'stopping' scenario only).
    episodes : DataFrame
        The journal rows as written.
    causes : tuple of str
        All planted article causes (:data:`SCENARIO_CAUSES`; empty when
        nothing is planted).
    use_weather : bool
        Whether the runner has the weather table to hand over (False in
        'missing_temp': heat is known from the watches' sensors only;
        ``weather.csv`` is still written, for the answer key).
    """

    out_dir: Path
    gpx_dir: Path
    episodes_csv: Path
    notes_csv: Path
    weather_csv: Path
    truth_csv: Path
    scenario: str
    cause: str | None
    strength: float
    base_risk: float
    seed: int
    tz: str
    tracked: tuple[str, str]
    truth: pd.DataFrame = field(repr=False)
    episodes: pd.DataFrame = field(repr=False)
    causes: tuple[str, ...] = ()
    use_weather: bool = True

    @property
    def n_runs(self) -> int:
        """Number of runs written (tracked or not)."""
        return len(self.truth)

    @property
    def n_episodes(self) -> int:
        """Number of journal rows."""
        return len(self.episodes)

    def __repr__(self) -> str:
        n_tracked = int(self.truth["tracked"].sum())
        n_numb = int(self.truth["numb"].sum())
        return (f"<Season {self.scenario!r} seed={self.seed}: {self.n_runs} runs "
                f"({n_tracked} tracked {self.tracked[0]}..{self.tracked[1]}), "
                f"{n_numb} runs with numbness, {self.n_episodes} journal rows, in {self.out_dir}>")


# ----------------------------------------------------------------------------------------------
# Weather
# ----------------------------------------------------------------------------------------------
def seasonal_mean_temp_c(day_of_year, *, annual_mean_c: float = 11.0, amplitude_c: float = 9.5,
                         coldest_doy: float = 20.0):
    """Climatological daily mean air temperature [°C] on a day of the year.

    The first harmonic of the annual cycle,
    ``T = annual_mean - amplitude * cos(2 pi (doy - coldest_doy) / 365.25)``,
    which describes mid-latitude station climatologies to within about 1 °C
    (e.g. Epstein 1991, "On obtaining daily climatological values from
    monthly means", J. Climate 4(3)).  The defaults fit the upper Rhine valley
    (about 1.5 °C in January, 20.5 °C in July).

    Parameters
    ----------
    day_of_year : array_like
        Day of the year, 1 = 1 January (fractions allowed) [d].
    annual_mean_c, amplitude_c : float
        Annual mean and half the January-July range [°C].
    coldest_doy : float
        Day of the year of the coldest climatological day [d].

    Returns
    -------
    numpy.ndarray
        Mean air temperature [°C].

    References
    ----------
    .. [1] Epstein, E. S. (1991). On obtaining daily climatological values
       from monthly means. J Climate 4(3).
    """
    doy = np.asarray(day_of_year, dtype="float64")
    return annual_mean_c - amplitude_c * np.cos(2.0 * np.pi * (doy - coldest_doy) / 365.25)


def relative_humidity_pct(air_temp_c, dew_point_c):
    """Relative humidity [%] from air temperature and dew point (Magnus formula).

    ``RH = 100 exp(b Td / (c + Td) - b T / (c + T))`` with b = 17.625 and
    c = 243.04 °C (Alduchov & Eskridge 1996, "Improved Magnus form
    approximation of saturation vapor pressure", J. Appl. Meteor. 35(4)).
    Capped at 100 % (a dew point above the air temperature counts as equal).

    Parameters
    ----------
    air_temp_c, dew_point_c : array_like
        Air temperature and dew point [°C].

    Returns
    -------
    ndarray
        Relative humidity [%].

    References
    ----------
    .. [1] Alduchov, O. A. & Eskridge, R. E. (1996). Improved Magnus form
       approximation of saturation vapor pressure. J Appl Meteor 35(4):601-609.
    """
    b, c = 17.625, 243.04
    t = np.asarray(air_temp_c, dtype="float64")
    td = np.minimum(np.asarray(dew_point_c, dtype="float64"), t)
    return np.minimum(100.0 * np.exp(b * td / (c + td) - b * t / (c + t)), 100.0)


def _ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """Stationary AR(1) series of length *n* with lag-1 correlation *phi* and marginal sd *sd*."""
    if n == 0:
        return np.zeros(0)
    e = rng.normal(0.0, sd * math.sqrt(1.0 - phi * phi), n)
    e[0] = rng.normal(0.0, sd)
    return signal.lfilter([1.0], [1.0, -phi], e)


def hourly_weather(first_day: pd.Timestamp, n_days: int, rng: np.random.Generator, *,
                   lon_deg: float = 7.85, annual_mean_c: float = 11.0,
                   amplitude_c: float = 9.5) -> pd.DataFrame:
    """Hourly air temperature and humidity for *n_days* days from *first_day* (UTC midnight).

    Daily mean = :func:`seasonal_mean_temp_c` + an AR(1) weather anomaly
    (lag-1 correlation 0.75, sd 3.5 °C: synoptic spells of a few days).  The
    daily cycle is a cosine peaking at 15:00 local solar time (UTC +
    lon/15 h) with a half-range of 3-7 °C (larger on clear days).  Dew point =
    daily mean minus a 1-9 °C depression (AR(1)), so humidity falls in the
    afternoon as it does (:func:`relative_humidity_pct`).

    Parameters
    ----------
    first_day : Timestamp
        First day (its UTC midnight is the first hour).
    n_days : int
        Number of days.
    rng : numpy.random.Generator
    lon_deg : float
        Longitude [°] (sets local solar time).
    annual_mean_c, amplitude_c : float
        Climate of the place (:func:`seasonal_mean_temp_c`) [°C].

    Returns
    -------
    DataFrame
        Columns ``time`` (UTC), ``air_temp_c`` [°C] and ``rel_humidity_pct``
        [%], rounded to 0.1 and 1 as a weather service publishes them.
    """
    first_day = pd.Timestamp(first_day).tz_localize(None).normalize()
    hours = np.arange(n_days * 24)
    time = pd.DatetimeIndex(first_day + pd.to_timedelta(hours, unit="h")).tz_localize("UTC")
    day = hours // 24
    doy = (first_day + pd.to_timedelta(np.arange(n_days), unit="D")).day_of_year.to_numpy()
    daily_mean = seasonal_mean_temp_c(doy, annual_mean_c=annual_mean_c, amplitude_c=amplitude_c)
    daily_mean = daily_mean + _ar1(rng, n_days, 0.75, 3.5)
    half_range = np.clip(5.0 + _ar1(rng, n_days, 0.5, 1.2), 3.0, 7.0)
    depression = np.clip(5.0 + _ar1(rng, n_days, 0.6, 2.0), 1.0, 9.0)
    solar_hour = (hours % 24) + lon_deg / 15.0
    temp = daily_mean[day] + half_range[day] * np.cos(2.0 * np.pi * (solar_hour - 15.0) / 24.0)
    temp = temp + rng.normal(0.0, 0.3, temp.size)
    rh = relative_humidity_pct(temp, (daily_mean - depression)[day])
    return pd.DataFrame({"time": time, "air_temp_c": np.round(temp, 1),
                         "rel_humidity_pct": np.round(rh, 0)})


def _weather_at(weather: pd.DataFrame, t_utc_s: np.ndarray, column: str) -> np.ndarray:
    """Linear interpolation of an hourly weather column at epoch seconds *t_utc_s*."""
    ts = ((pd.DatetimeIndex(weather["time"]) - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy()
    return np.interp(t_utc_s, ts, weather[column].to_numpy(dtype="float64"))


# ----------------------------------------------------------------------------------------------
# Training plan
# ----------------------------------------------------------------------------------------------
def training_plan(first_day: pd.Timestamp, n_weeks: int, rng: np.random.Generator, *,
                  daily_max_temp_c: np.ndarray | None = None, long_on_hot_days: bool = False,
                  tz: str = "Europe/Berlin", spikes: bool = False) -> pd.DataFrame:
    """A periodised plan: which days are run, what kind of run, how long, when.

    Blocks of three build weeks and one recovery week (the 3:1 loading
    pattern of Bompa & Haff 2009, *Periodization*, 5th ed.).  Each week has
    one long run (Sunday at 08:00-09:30; with ``long_on_hot_days`` on the
    hottest day of the week at 12:00-14:00 instead), one quality session
    (tempo or intervals, build weeks only), a recovery run the day after the
    long run, easy runs otherwise, and 0-3 rest days (build weeks: 0/1/2/3
    with probability 0.15/0.45/0.3/0.1; recovery weeks 2 or 3), so streaks of
    consecutive running days range from one to about two weeks.  The long run
    grows from 65 to 140 min over the season (x 0.75 in recovery weeks).

    Parameters
    ----------
    first_day : Timestamp
        A Monday (local date).
    n_weeks : int
    rng : numpy.random.Generator
    daily_max_temp_c : array of float, optional
        Daily maximum air temperature, one per day [°C] (needed for
        ``long_on_hot_days``).
    long_on_hot_days : bool
        Schedule the long run on the hottest day (the 'confounded' scenario).
    tz : str
        Time zone of the local start times.
    spikes : bool
        Mileage spikes (the 'spike' scenario): a build week that follows a
        week without a spike is, with probability 0.3, run at 1.45-1.8 times
        the planned durations, on the same days (too much too soon without
        extra running days).

    Returns
    -------
    DataFrame
        One row per run: ``date`` (local), ``week``, ``kind`` (easy,
        recovery, tempo, intervals, long), ``duration_s``, ``start_local``
        (naive), ``start_time`` (UTC), ``consecutive_days`` (running days up
        to and including this one), ``rest_days_7`` (rest days in the 7 days
        before), ``acwr_min`` (acute:chronic ratio of the minutes run: the 7
        days up to and including the run's day against a quarter of the 28
        days up to it, the coupled ratio of Hulin et al. 2016; NaN in the
        first 28 days), ``long_day_before`` (a long run on the day before).

    References
    ----------
    .. [1] Bompa, T. O. & Haff, G. G. (2009). Periodization: Theory and
       Methodology of Training, 5th ed. Human Kinetics.
    .. [2] Hulin, B. T. et al. (2016). The acute:chronic workload ratio predicts
       injury: high chronic workload may decrease injury risk in elite rugby
       league players. Br J Sports Med 50:231-236.
    """
    first_day = pd.Timestamp(first_day).normalize()
    rows: list[dict] = []
    spiked = False
    for w in range(n_weeks):
        build = w % 4 != 3
        factor = 1.0
        if spikes:   # drawn only for the spike scenario: the other scenarios' plans stay as they were
            spiked = build and not spiked and w >= 3 and rng.random() < 0.3
            factor = float(rng.uniform(1.45, 1.8)) if spiked else 1.0
        days = [first_day + pd.Timedelta(days=7 * w + d) for d in range(7)]
        if long_on_hot_days:
            if daily_max_temp_c is None:
                raise ValueError("long_on_hot_days needs daily_max_temp_c")
            long_dow = int(np.argmax(daily_max_temp_c[7 * w: 7 * w + 7]))
        else:
            long_dow = 6
        n_rest = int(rng.choice([0, 1, 2, 3], p=[0.15, 0.45, 0.3, 0.1])) if build else int(rng.choice([2, 3]))
        others = [d for d in range(7) if d != long_dow]
        rest = set(int(d) for d in rng.choice(others, size=n_rest, replace=False))
        quality_dows = [d for d in (1, 2, 3) if d not in rest and d != long_dow and d != long_dow + 1]
        quality = quality_dows[int(rng.integers(len(quality_dows)))] if (build and quality_dows) else None
        long_min = min(140.0, 65.0 + 2.5 * w) * (1.0 if build else 0.75) + rng.normal(0.0, 5.0)
        for d in range(7):
            if d in rest:
                continue
            if d == long_dow:
                kind, dur_min = "long", long_min
            elif d == quality:
                if w % 2 == 0:
                    kind, dur_min = "tempo", 25.0 + rng.uniform(20.0, 30.0)
                else:
                    kind, dur_min = "intervals", 25.0 + 5.0 * int(rng.integers(5, 8))
            elif d == long_dow + 1 or (d == 0 and w > 0 and rows and rows[-1]["kind"] == "long"
                                       and rows[-1]["date"] == days[0] - pd.Timedelta(days=1)):
                kind, dur_min = "recovery", rng.uniform(25.0, 35.0)
            else:
                kind, dur_min = "easy", rng.uniform(35.0, 55.0) * (1.0 if build else 0.85)
            if kind == "long":
                minute = 12 * 60 + rng.uniform(0, 120) if long_on_hot_days else 8 * 60 + rng.uniform(0, 90)
            elif d >= 5:
                minute = 8 * 60 + rng.uniform(0, 150)
            elif rng.random() < 0.5:
                minute = 6 * 60 + 15 + rng.uniform(0, 75)
            else:
                minute = 17 * 60 + 30 + rng.uniform(0, 120)
            start_local = days[d] + pd.Timedelta(seconds=int(minute * 60) + int(rng.integers(60)))
            rows.append({"date": days[d], "week": w, "kind": kind,
                         "duration_s": float(round(dur_min * factor * 60.0)), "start_local": start_local})
    plan = pd.DataFrame(rows)
    plan["start_time"] = (pd.DatetimeIndex(plan["start_local"]).tz_localize(tz, nonexistent="shift_forward",
                                                                              ambiguous=False)
                          .tz_convert("UTC").as_unit("ns"))
    ran = pd.Series(True, index=pd.DatetimeIndex(plan["date"])).reindex(
        pd.date_range(first_day, periods=7 * n_weeks, freq="D"), fill_value=False)
    streak = np.zeros(len(ran), dtype="int64")
    run = 0
    for i, r in enumerate(ran.to_numpy()):
        run = run + 1 if r else 0
        streak[i] = run
    rest7 = pd.Series((~ran).astype("int64")).rolling(7, min_periods=1).sum().shift(1, fill_value=0)
    pos = ran.index.get_indexer(pd.DatetimeIndex(plan["date"]))
    plan["consecutive_days"] = streak[pos]
    plan["rest_days_7"] = rest7.to_numpy()[pos].astype("int64")
    minutes = (plan.groupby("date")["duration_s"].sum() / 60.0).reindex(ran.index, fill_value=0.0)
    acute = minutes.rolling(7, min_periods=7).sum()
    chronic = minutes.rolling(28, min_periods=28).sum() / 4.0
    plan["acwr_min"] = (acute / chronic.where(chronic > 0)).to_numpy()[pos]
    long_days = pd.DatetimeIndex(plan.loc[plan["kind"] == "long", "date"])
    plan["long_day_before"] = pd.DatetimeIndex(plan["date"] - pd.Timedelta(days=1)).isin(long_days)
    return plan


# ----------------------------------------------------------------------------------------------
# One run: speed, heart rate, cadence, temperature, positions
# ----------------------------------------------------------------------------------------------
def speed_profile_mps(kind: str, elapsed_s: np.ndarray, *, easy_mps: float, threshold_mps: float,
                      rng: np.random.Generator, dt_s: float) -> np.ndarray:
    """Planned speed of a run of a given kind at each sample [m/s], before heat and noise.

    easy 1.00, recovery 0.92, long 0.96 x easy speed; tempo: 15 min easy,
    then threshold speed x 0.97, last 10 min easy; intervals: 15 min easy,
    repeats of 3 min at threshold x 1.06 and 2 min jog at 0.85 x easy, last
    10 min easy.  Multiplied by a slow AR(1) fluctuation (sd 3 %, time scale
    60 s) and the first 40 s ramp up from a standing start.

    Parameters
    ----------
    kind : {'easy', 'recovery', 'long', 'tempo', 'intervals'}
    elapsed_s : ndarray
        Sample times from the start [s].
    easy_mps, threshold_mps : float
        The runner's easy and threshold speeds on the day [m/s].
    rng : numpy.random.Generator
    dt_s : float
        Sample interval [s] (sets the AR(1) lag-1 correlation exp(-dt/60)).

    Returns
    -------
    ndarray
        Speed [m/s] per sample.
    """
    t = elapsed_s
    dur = float(t[-1]) if len(t) else 0.0
    if kind in ("easy", "recovery", "long"):
        v = np.full(t.size, easy_mps * {"easy": 1.0, "recovery": 0.92, "long": 0.96}[kind])
    else:
        v = np.full(t.size, easy_mps)
        main = (t >= 900.0) & (t < dur - 600.0)
        if kind == "tempo":
            v[main] = 0.97 * threshold_mps
        else:
            phase = np.mod(t - 900.0, 300.0)
            v[main & (phase < 180.0)] = 1.06 * threshold_mps
            v[main & (phase >= 180.0)] = 0.85 * easy_mps
    v = v * np.exp(_ar1(rng, t.size, math.exp(-dt_s / 60.0), 0.03))
    return v * np.clip(t / 40.0, 0.3, 1.0)


#: Grades outside the range Minetti et al. (2002) measured are clipped to it [m/m].
MINETTI_GRADE_RANGE = (-0.45, 0.45)


def running_cost_j_kg_m(grade):
    """Energy cost of running on a gradient [J/(kg m)] (Minetti et al. 2002).

    The fifth-order polynomial of Minetti, Moia, Roi, Susta & Ferretti
    (2002), "Energy cost of walking and running at extreme uphill and
    downhill slopes", J. Appl. Physiol. 93(3):1039-1046::

        C(i) = 155.4 i^5 - 30.4 i^4 - 43.3 i^3 + 46.3 i^2 + 19.5 i + 3.6

    with *i* the gradient (rise over horizontal distance), fitted over
    -0.45 <= i <= 0.45; grades outside are clipped to that range.  On the
    flat C(0) = 3.6 J/(kg m); the minimum, about 1.8 J/(kg m), lies near
    i = -0.2.

    Parameters
    ----------
    grade : array_like
        Gradient [m/m].

    Returns
    -------
    ndarray
        Metabolic energy per kg of body mass and metre travelled [J/(kg m)].

    References
    ----------
    .. [1] Minetti, A. E., Moia, C., Roi, G. S., Susta, D. & Ferretti, G.
       (2002). Energy cost of walking and running at extreme uphill and
       downhill slopes. J Appl Physiol 93(3):1039-1046.
    """
    i = np.clip(np.asarray(grade, dtype="float64"), *MINETTI_GRADE_RANGE)
    return ((((155.4 * i - 30.4) * i - 43.3) * i + 46.3) * i + 19.5) * i + 3.6


def grade_speed_factor(grade, *, uphill_exponent: float = 0.5, downhill_exponent: float = 0.3,
                       lo: float = 0.6, hi: float = 1.12):
    """How much a runner's speed changes on a gradient at roughly constant effort [-].

    With the cost ratio ``r = C(i) / C(0)`` (:func:`running_cost_j_kg_m`),
    the speed is multiplied by ``r^-a``: runners do not hold the metabolic
    power fully constant, so uphill they slow by part of the cost ratio
    (``a = uphill_exponent``, power rises by ``r^(1-a)``) and downhill they
    speed up modestly (``a = downhill_exponent``, eccentric braking and
    footing limit it), clipped to [*lo*, *hi*].  At i = +0.05 (r = 1.30)
    the factor is 0.88, at i = -0.05 (r = 0.76) 1.08.

    Parameters
    ----------
    grade : array_like
        Gradient [m/m].
    uphill_exponent, downhill_exponent : float
        Exponents *a* for r >= 1 and r < 1 [-].
    lo, hi : float
        Bounds of the factor [-].

    Returns
    -------
    ndarray
        Speed multiplier [-].
    """
    r = running_cost_j_kg_m(grade) / running_cost_j_kg_m(0.0)
    a = np.where(r >= 1.0, uphill_exponent, downhill_exponent)
    return np.clip(r ** -a, lo, hi)


def heart_rate_bpm(speed_mps: np.ndarray, elapsed_s: np.ndarray, air_temp_c: np.ndarray,
                   grade: np.ndarray, runner: Runner, threshold_mps: float,
                   rng: np.random.Generator, dt_s: float) -> np.ndarray:
    """Heart rate [1/min]: steady state for the speed, cardiovascular drift, lag and noise.

    * steady state by heart-rate reserve (Karvonen, Kentala & Mustala 1957,
      Ann. Med. Exp. Biol. Fenn. 35): ``HR = HRrest + f (HRmax - HRrest)``
      with ``f = 0.9 (v_eff / v_threshold)^1.5`` capped at 1, where the
      effective (flat-equivalent) speed carries the metabolic cost of the
      gradient, ``v_eff = v C(i) / C(0)`` with the energy cost of running
      ``C`` of Minetti et al. 2002, J. Appl. Physiol. 93(3):1039
      (:func:`running_cost_j_kg_m`): +30 % at i = 0.05, -24 % at i = -0.05;
    * cardiovascular drift that grows with time and heat, ``(3 + 0.4 (T-10)+)``
      bpm per hour (the drift of Coyle & Gonzalez-Alonso 2001, Exerc. Sport
      Sci. Rev. 29(2): about 10-15 bpm over 1-2 h, more in the heat);
    * a first-order response with a 40 s time constant from 95 bpm at the
      start, and AR(1) noise (sd 1.5 bpm).

    Parameters
    ----------
    speed_mps, elapsed_s, air_temp_c, grade : ndarray
        Per sample: speed [m/s], time from the start [s], air temperature
        [°C] and grade [m/m].
    runner : Runner
    threshold_mps : float
        Threshold speed on the day [m/s].
    rng : numpy.random.Generator
    dt_s : float
        Sample interval [s].

    Returns
    -------
    ndarray
        Heart rate [1/min], within [60, ``runner.hr_max_bpm``].

    References
    ----------
    .. [1] Karvonen, M. J., Kentala, E. & Mustala, O. (1957). The effects of
       training on heart rate; a longitudinal study. Ann Med Exp Biol Fenn 35.
    .. [2] Minetti, A. E., Moia, C., Roi, G. S., Susta, D. & Ferretti, G.
       (2002). Energy cost of walking and running at extreme uphill and
       downhill slopes. J Appl Physiol 93(3):1039-1046.
    .. [3] Coyle, E. F. & González-Alonso, J. (2001). Cardiovascular drift
       during prolonged exercise: new perspectives. Exerc Sport Sci Rev 29(2).
    """
    v_eff = speed_mps * running_cost_j_kg_m(grade) / running_cost_j_kg_m(0.0)
    frac = np.minimum(0.9 * np.clip(v_eff / threshold_mps, 0.0, None) ** 1.5, 1.0)
    target = runner.hr_rest_bpm + frac * (runner.hr_max_bpm - runner.hr_rest_bpm)
    target = np.maximum(target, runner.hr_rest_bpm + 40.0)
    drift = (3.0 + 0.4 * np.clip(air_temp_c - 10.0, 0.0, None)) * elapsed_s / 3600.0
    a = math.exp(-dt_s / 40.0)
    lagged, _ = signal.lfilter([1.0 - a], [1.0, -a], target + drift, zi=[a * 95.0])
    hr = lagged + _ar1(rng, elapsed_s.size, math.exp(-dt_s / 20.0), 1.5)
    return np.clip(hr, 60.0, runner.hr_max_bpm)


def cadence_spm(speed_mps: np.ndarray, runner: Runner, rng: np.random.Generator) -> np.ndarray:
    """Cadence [steps/min]: ``140 + 10 v`` + personal offset + noise (sd 1.5); 0 when standing.

    Runners raise cadence modestly with speed (about 10 steps/min per m/s
    over 2.5-4 m/s; Cavanagh & Kram 1989, Med. Sci. Sports Exerc. 21(4)).

    Parameters
    ----------
    speed_mps : ndarray
        Speed per sample [m/s].
    runner : Runner
    rng : numpy.random.Generator

    Returns
    -------
    ndarray
        Cadence [steps/min] (both feet; GPX stores half of it).

    References
    ----------
    .. [1] Cavanagh, P. R. & Kram, R. (1989). Stride length in distance
       running: velocity, body dimensions, and added mass effects. Med Sci
       Sports Exerc 21(4):467-479.
    """
    cad = 140.0 + 10.0 * speed_mps + runner.cadence_offset_spm + rng.normal(0.0, 1.5, speed_mps.size)
    return np.where(speed_mps > 0.5, cad, 0.0)


def wrist_temp_c(air_temp_c: np.ndarray, elapsed_s: np.ndarray, runner: Runner, *,
                 start_temp_c: float = 22.0, tau_s: float = 600.0) -> np.ndarray:
    """Wrist-sensor temperature [°C]: starts at indoor temperature, relaxes to air + body-heat bias.

    ``T_dev = T_ss + (T_start - T_ss) exp(-t / tau)``, ``T_ss = T_air + bias``
    (Newton's law of cooling; the bias is body heat reaching the sensor),
    with tau = 10 min.

    Parameters
    ----------
    air_temp_c, elapsed_s : ndarray
        Air temperature [°C] and time from the start [s] per sample.
    runner : Runner
        ``wrist_bias_c`` is the steady-state excess [°C].
    start_temp_c : float
        Sensor temperature at the start (indoors) [°C].
    tau_s : float
        Time constant [s].

    Returns
    -------
    ndarray
        Device temperature [°C].
    """
    ss = air_temp_c + runner.wrist_bias_c
    return ss + (start_temp_c - ss) * np.exp(-elapsed_s / tau_s)


@dataclass(frozen=True)
class _Route:
    """A closed loop: positions [m east/north of home] and altitude [m] per metre of arc."""

    x_m: np.ndarray
    y_m: np.ndarray
    alt_m: np.ndarray
    s_m: np.ndarray

    @property
    def length_m(self) -> float:
        return float(self.s_m[-1])


def make_route(length_m: float, *, bearing_deg: float, hill_m: float, n_hills: int,
               base_alt_m: float = 250.0, n: int = 2000) -> _Route:
    """A smooth closed loop of *length_m* starting and ending at home (0, 0).

    The loop is ``r(phi) = R (1 + 0.18 cos 2phi + 0.08 sin 3phi)``, rotated by
    *bearing_deg* and shifted so phi = 0 is home; R is scaled so the arc
    length is *length_m*.  Altitude along the arc: ``base + hill sin^2(pi k s / L)``
    with k = *n_hills* (smooth hills that return to the start altitude).

    Parameters
    ----------
    length_m : float
        Loop length [m].
    bearing_deg : float
        Rotation of the loop [°].
    hill_m : float
        Height of the hills [m].
    n_hills : int
        Hills per lap.
    base_alt_m : float
        Altitude of home [m].
    n : int
        Vertices of the polyline.

    Returns
    -------
    _Route
        Positions ``x_m``/``y_m`` [m east/north of home], ``alt_m`` [m] and
        arc length ``s_m`` [m] per vertex.
    """
    phi = np.linspace(0.0, 2.0 * np.pi, n)
    r = 1.0 + 0.18 * np.cos(2.0 * phi) + 0.08 * np.sin(3.0 * phi)
    x, y = r * np.cos(phi), r * np.sin(phi)
    x, y = x - x[0], y - y[0]
    b = np.radians(bearing_deg)
    x, y = x * np.cos(b) - y * np.sin(b), x * np.sin(b) + y * np.cos(b)
    s = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    k = length_m / s[-1]
    s = s * k
    alt = base_alt_m + hill_m * np.sin(np.pi * n_hills * s / s[-1]) ** 2
    return _Route(x * k, y * k, alt, s)


#: The runner's loops: (length [m], bearing [°], hill height [m], number of hills).
_ROUTES = ((3100.0, 20.0, 8.0, 1), (5200.0, 140.0, 25.0, 2), (8300.0, 260.0, 40.0, 3))


def _ride_the_route(v_flat: np.ndarray, dt_s: float, route: _Route,
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Speed, distance and grade along *route* for a planned flat-ground speed *v_flat* [m/s].

    ``ds/dt = v_flat(t) g(i(s))`` with ``g`` = :func:`grade_speed_factor` and
    ``i(s)`` the loop's gradient at arc position ``s mod L`` (on a 1-m grid),
    integrated with Heun's method (an Euler predictor for the position, the
    trapezoid for the distance).

    Returns
    -------
    speed [m/s], distance [m] and grade [m/m] per sample.
    """
    n = v_flat.size
    length = route.length_m
    grid = np.arange(0.0, length, 1.0)
    grade_grid = np.interp(grid, route.s_m, np.gradient(route.alt_m, route.s_m))
    factor = grade_speed_factor(grade_grid).tolist()
    n_grid = len(factor)
    vf = v_flat.tolist()
    speed = [0.0] * n
    dist = [0.0] * n
    pos = [0] * n
    d = 0.0
    for k in range(n):
        j = min(int(d % length), n_grid - 1)
        pos[k] = j
        speed[k] = vf[k] * factor[j]
        dist[k] = d
        if k + 1 < n:
            # predictor: position after an Euler step; corrector: the trapezoid
            jp = min(int((d + speed[k] * dt_s) % length), n_grid - 1)
            d = d + 0.5 * (speed[k] + vf[k + 1] * factor[jp]) * dt_s
    return np.asarray(speed), np.asarray(dist), grade_grid[np.asarray(pos, dtype="int64")]


def run_records(start_time: pd.Timestamp, duration_s: float, kind: str, weather: pd.DataFrame,
                runner: Runner, rng: np.random.Generator, *, route: _Route, lat_deg: float,
                lon_deg: float, season_fraction: float, sample_s: float = 5.0,
                numb_stop: tuple[float, float] | None = None,
                slowdown_after_stop: float = STOP_SLOWDOWN) -> pd.DataFrame:
    """Samples of one run (every *sample_s* s), as a watch would record them.

    Speed from :func:`speed_profile_mps`, slowed in the heat by 0.6 % per °C
    above 12 °C (about the marathon slowdown of Ely et al. 2007, Med. Sci.
    Sports Exerc. 39(3)) and raised by ``runner.fitness_gain`` over the
    season; with probability 0.3 one or two stops of 15-60 s (traffic
    lights).  On the *route*'s hills the runner slows uphill and speeds up
    a little downhill (:func:`grade_speed_factor`, from the energy cost of
    Minetti et al. 2002), integrated along the loop sample by sample (Heun's
    method).
    Position = distance along the loop (laps) plus correlated GPS error
    (AR(1), sd 1.5 m); altitude with 0.3 m noise.  Heart rate, cadence and
    wrist temperature from :func:`heart_rate_bpm`, :func:`cadence_spm`,
    :func:`wrist_temp_c`, with the air temperature of *weather* at each
    sample.

    With *numb_stop* = (start [s], length [s]) the runner stands still for
    that long (speed and cadence 0, heart rate falling; loosening the laces
    after numbness sets in) and runs ``slowdown_after_stop`` x slower for the
    rest of the run.  It draws no random numbers, so the other samples stay
    as without the stop.

    Parameters
    ----------
    start_time : Timestamp
        Start (UTC).
    duration_s : float
        Planned duration [s]; the last sample is at the largest multiple of
        *sample_s* not beyond it.
    kind : str
        Run kind (:func:`speed_profile_mps`).
    weather : DataFrame
        :func:`hourly_weather` output covering the run.
    runner : Runner
    rng : numpy.random.Generator
    route : _Route
        The loop (:func:`make_route`).
    lat_deg, lon_deg : float
        Home [°].
    season_fraction : float
        Fraction of the season gone [-] (fitness gain).
    sample_s : float
        Record interval [s].
    numb_stop : (float, float), optional
        Start from the beginning of the run and length of a stop [s].
    slowdown_after_stop : float
        Speed factor after *numb_stop* [-].

    Returns
    -------
    DataFrame
        Index ``time`` (UTC); columns ``lat_deg``, ``lon_deg``,
        ``altitude_m``, ``hr_bpm``, ``cadence_spm`` [steps/min], ``temp_c``
        (device), ``air_temp_c``, ``speed_mps``, ``distance_m`` (true),
        ``grade`` [m/m] (of the loop where the runner is).

    References
    ----------
    .. [1] Ely, M. R. et al. (2007). Impact of weather on marathon-running
       performance. Med Sci Sports Exerc 39(3).
    .. [2] Minetti, A. E., Moia, C., Roi, G. S., Susta, D. & Ferretti, G.
       (2002). Energy cost of walking and running at extreme uphill and
       downhill slopes. J Appl Physiol 93(3):1039-1046.
    """
    t = np.arange(0.0, duration_s + 1e-9, sample_s)
    t0 = (pd.Timestamp(start_time) - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    air = _weather_at(weather, t0 + t, "air_temp_c")
    fit = 1.0 + runner.fitness_gain * season_fraction
    thr = runner.threshold_speed_mps * fit
    v = speed_profile_mps(kind, t, easy_mps=runner.easy_speed_mps * fit, threshold_mps=thr, rng=rng,
                          dt_s=sample_s)
    v = v * (1.0 - 0.006 * np.clip(air - HEAT_THRESHOLD_C, 0.0, None))
    if rng.random() < 0.3:
        for _ in range(int(rng.integers(1, 3))):
            a = rng.uniform(0.15, 0.85) * duration_s
            v[(t >= a) & (t < a + rng.uniform(15.0, 60.0))] = 0.0
    if numb_stop is not None:
        a, length = numb_stop
        v[t >= a + length] *= slowdown_after_stop
        v[(t >= a) & (t < a + length)] = 0.0
    v, dist, grade = _ride_the_route(v, sample_s, route)
    s = np.mod(dist, route.length_m)
    x = np.interp(s, route.s_m, route.x_m) + _ar1(rng, t.size, 0.97, 1.5)
    y = np.interp(s, route.s_m, route.y_m) + _ar1(rng, t.size, 0.97, 1.5)
    alt = np.interp(s, route.s_m, route.alt_m)
    alt = alt + rng.normal(0.0, 0.3, t.size)
    m_per_deg = 111_320.0
    lat = lat_deg + y / m_per_deg
    lon = lon_deg + x / (m_per_deg * math.cos(math.radians(lat_deg)))
    hr = heart_rate_bpm(v, t, air, grade, runner, thr, rng, sample_s)
    cad = cadence_spm(v, runner, rng)
    dev = wrist_temp_c(air, t, runner)
    time = pd.DatetimeIndex(pd.Timestamp(start_time) + pd.to_timedelta(t, unit="s"), name="time")
    return pd.DataFrame({"lat_deg": lat, "lon_deg": lon, "altitude_m": alt, "hr_bpm": hr,
                         "cadence_spm": cad, "temp_c": dev, "air_temp_c": air, "speed_mps": v,
                         "distance_m": dist, "grade": grade}, index=time)


_GPX_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx version="1.1" creator="runlog.simulate (synthetic season)"'
    ' xmlns="http://www.topografix.com/GPX/1/1"'
    ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd'
    ' http://www.garmin.com/xmlschemas/TrackPointExtension/v1'
    ' http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd">\n'
)


def gpx_text(records: pd.DataFrame, name: str, *, temperature: bool = True) -> str:
    """A GPX 1.1 document for one run, with the Garmin TrackPointExtension v1.

    Per point: ``lat``/``lon`` (7 decimals, about 1 cm), ``ele`` [m],
    ``time`` (UTC, ``Z``), and in the extension (schema order) ``atemp``
    [°C, whole degrees as watches store it], ``hr`` [1/min] and ``cad``
    [strides/min = steps/min / 2, rounded: GPX running cadence counts one
    foot].

    Parameters
    ----------
    records : DataFrame
        From :func:`run_records` (index ``time`` UTC).
    name : str
        Track name (XML-escaped here).
    temperature : bool
        Write ``atemp`` (False: a watch without a temperature sensor).

    Returns
    -------
    str
        The GPX document.
    """
    from xml.sax.saxutils import escape

    t = records.index.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")
    times = np.datetime_as_string(t, unit="s")
    lat = records["lat_deg"].to_numpy()
    lon = records["lon_deg"].to_numpy()
    ele = records["altitude_m"].to_numpy()
    atemp = np.rint(records["temp_c"].to_numpy()).astype("int64")
    hr = np.rint(records["hr_bpm"].to_numpy()).astype("int64")
    cad = np.rint(records["cadence_spm"].to_numpy() / 2.0).astype("int64")
    pts = [
        f'   <trkpt lat="{la:.7f}" lon="{lo:.7f}"><ele>{el:.1f}</ele><time>{ti}Z</time>'
        f"<extensions><gpxtpx:TrackPointExtension>{f'<gpxtpx:atemp>{at}.0</gpxtpx:atemp>' if temperature else ''}"
        f"<gpxtpx:hr>{h}</gpxtpx:hr><gpxtpx:cad>{c}</gpxtpx:cad></gpxtpx:TrackPointExtension>"
        f"</extensions></trkpt>\n"
        for la, lo, el, ti, at, h, c in zip(lat.tolist(), lon.tolist(), ele.tolist(), times.tolist(),
                                            atemp.tolist(), hr.tolist(), cad.tolist())
    ]
    return (_GPX_HEAD + f" <metadata><time>{times[0]}Z</time></metadata>\n"
            f" <trk>\n  <name>{escape(name)}</name>\n  <type>running</type>\n  <trkseg>\n"
            + "".join(pts) + "  </trkseg>\n </trk>\n</gpx>\n")


# ----------------------------------------------------------------------------------------------
# Episodes
# ----------------------------------------------------------------------------------------------
def episode_probability(truth: pd.DataFrame, scenario: str, strength: float, base_risk: float) -> np.ndarray:
    """Per-run probability that numbness starts during the run (the planted cause).

    A logistic model, ``logit p = logit(base_risk) + strength x driver``
    (Hosmer, Lemeshow & Sturdivant 2013, *Applied Logistic Regression*):

    * 'hydration', 'heat_long': driver = ``(air_temp_c - 12)+ x hours``
      [°C h], the heat dose that sets sweat loss (Sawka et al. 2007, ACSM
      position stand, Med. Sci. Sports Exerc. 39(2));
    * 'overtraining': driver = ``consecutive_days - 1`` [d];
    * 'footwear', 'shoes': driver = 1 in the culprit pair ``SHOES[0]``, else 0;
    * 'confounded': driver = ``(air_temp_c - 12)+`` [°C], duration plays no part;
    * 'two_causes': ``strength x heat dose [°C h] +``
      :data:`STREAK_STRENGTH_TWO_CAUSES` ``x (consecutive_days - 1) [d]``;
    * 'trend', 'trend_stopping': driver = ``journal_frac``, the fraction of the
      journal period gone on the run's day [-] (0 on the first, 1 on the last
      day), so the log-odds rise linearly by *strength* over the season;
    * 'spike': driver = ``acwr_min - 1``, the acute:chronic ratio of the
      minutes run (too much too soon, :func:`training_plan`) [-];
    * 'heat_exposure': driver = ``(air_temp_c - median) x hours`` [°C h], the
      excess over the runner's median temperature of the journal's runs times
      the hours: the form in which runlog reports a heat odds ratio ('per 5 °C
      above your usual, per hour on your feet'), so its interval can be checked
      against the planted ``exp(5 strength)``;
    * 'missing_temp', 'partner', 'long_history', 'few_episodes': as
      'hydration' (what differs is the data the runner hands over);
    * 'bad_spells': no cause; the log-odds carry ``latent_logodds``, a daily
      AR(1) of lag-1 correlation :data:`SPELL_PHI` and sd *strength* (bad
      weeks that come and go with nothing runlog measures);
    * 'long_before': no cause in the catalogue; driver = 1 on the day after a
      long run (*strength* = its log odds ratio);
    * 'null', 'stopping', 'shoes_null': p = base_risk;
    * 'per_minute': no logistic model but a constant hazard per minute on
      the feet (an exponential time to onset, Collett 2015, *Modelling
      Survival Data in Medical Research*, 3rd ed.):
      ``p = 1 - exp(-lambda x duration [min])`` with
      ``lambda = -ln(1 - base_risk) / 60 min`` (*base_risk* is the
      probability on a 60-min run; *strength* is not used).

    Parameters
    ----------
    truth : DataFrame
        Needs ``air_temp_c`` (mean over the run) [°C], ``duration_s`` [s],
        ``consecutive_days`` [d], ``shoes``, and as the scenario needs
        ``journal_frac`` [-], ``acwr_min`` [-], ``latent_logodds`` [-],
        ``long_day_before``.
    scenario : str
        One of :data:`SCENARIOS`.
    strength : float
        Log-odds per unit of the driver (footwear, shoes: log odds ratio).
    base_risk : float
        Probability at driver 0 ('per_minute': on a run of 60 min).

    Returns
    -------
    ndarray
        Probability per run.

    Raises
    ------
    RunlogError
        Unknown scenario.

    References
    ----------
    .. [1] Hosmer, D. W., Lemeshow, S. & Sturdivant, R. X. (2013). Applied
       Logistic Regression, 3rd ed. Wiley.
    .. [2] Sawka, M. N. et al. (2007). American College of Sports Medicine
       position stand. Exercise and fluid replacement. Med Sci Sports Exerc
       39(2):377-390.
    .. [3] Collett, D. (2015). Modelling Survival Data in Medical Research,
       3rd ed. CRC Press.
    """
    if scenario not in SCENARIOS:
        raise RunlogError(f"unknown scenario {scenario!r}; use one of {', '.join(SCENARIOS)}")
    if scenario == "per_minute":
        hours = truth["duration_s"].to_numpy(dtype="float64") / 3600.0
        hazard_per_min = -math.log1p(-base_risk) / 60.0
        return -np.expm1(-hazard_per_min * 60.0 * hours)
    logit = np.full(len(truth), special.logit(base_risk))
    if scenario in ("trend", "trend_stopping"):
        logit += strength * truth["journal_frac"].to_numpy(dtype="float64")
    if scenario == "bad_spells":
        logit += truth["latent_logodds"].to_numpy(dtype="float64")
    if scenario == "long_before":
        logit += strength * truth["long_day_before"].to_numpy(dtype="float64")
    for cause, driver in true_drivers(truth, scenario).items():
        slope = STREAK_STRENGTH_TWO_CAUSES if (scenario, cause) == ("two_causes", "overtraining") else strength
        logit += slope * driver.to_numpy(dtype="float64")
    return special.expit(logit)


def heat_dose_ch(air_temp_c, hours) -> np.ndarray:
    """The simulated runner's heat dose: ``(air_temp_c - HEAT_THRESHOLD_C)+ x hours``.

    Parameters
    ----------
    air_temp_c : array_like
        Air temperature of each run [°C].
    hours : array_like or float
        Time on the feet [h] (1: the per-run excess temperature [°C]).

    Returns
    -------
    ndarray
        Heat dose [°C h].

    References
    ----------
    .. [1] Sawka, M. N. et al. (2007). American College of Sports Medicine
       position stand. Exercise and fluid replacement. Med Sci Sports Exerc
       39(2):377-390.
    """
    return np.clip(np.asarray(air_temp_c, dtype="float64") - HEAT_THRESHOLD_C, 0.0, None) * hours


def true_drivers(truth: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """The planted causes' drivers of a scenario, one column per cause of :data:`SCENARIO_CAUSES`.

    What the episodes were drawn from (:func:`episode_probability`), so a
    model given only these columns is the best any analysis can do with the
    season's episodes (the 'oracle' of ``bench/validate_analysis.py``):

    * 'hydration' (scenarios 'hydration', 'heat_long', 'two_causes'): the heat
      dose ``(air_temp_c - 12)+ x hours`` [°C h]; ('confounded'):
      ``(air_temp_c - 12)+`` [°C];
    * 'overtraining': ``consecutive_days - 1`` [d]; ('spike'): ``acwr_min - 1`` [-];
    * 'footwear': 1 on runs in the culprit pair ``SHOES[0]``, else 0.

    Scenarios with nothing planted ('null', 'trend', 'stopping',
    'per_minute', 'shoes_null') give no columns.

    Parameters
    ----------
    truth : DataFrame
        Needs ``air_temp_c`` [°C], ``duration_s`` [s], ``consecutive_days``
        [d] and ``shoes`` as the scenario requires.
    scenario : str
        One of :data:`SCENARIOS`.

    Returns
    -------
    DataFrame
        Index of *truth*; columns the planted causes, in
        :data:`SCENARIO_CAUSES` order.

    Raises
    ------
    RunlogError
        Unknown scenario.

    References
    ----------
    .. [1] Sawka, M. N. et al. (2007). American College of Sports Medicine
       position stand. Exercise and fluid replacement. Med Sci Sports Exerc
       39(2):377-390 (sweat loss builds up with heat and time).
    """
    if scenario not in SCENARIOS:
        raise RunlogError(f"unknown scenario {scenario!r}; use one of {', '.join(SCENARIOS)}")
    out = pd.DataFrame(index=truth.index)
    for cause in SCENARIO_CAUSES[scenario]:
        if cause == "hydration" and scenario == "heat_exposure":
            temp = truth["air_temp_c"].to_numpy(dtype="float64")
            usual = float(np.median(temp[truth["tracked"].to_numpy(dtype=bool)]))
            out[cause] = (temp - usual) * truth["duration_s"].to_numpy(dtype="float64") / 3600.0
        elif cause == "hydration":
            hours = 1.0 if scenario == "confounded" else truth["duration_s"].to_numpy(dtype="float64") / 3600.0
            out[cause] = heat_dose_ch(truth["air_temp_c"].to_numpy(dtype="float64"), hours)
        elif cause == "overtraining" and scenario == "spike":
            out[cause] = np.nan_to_num(truth["acwr_min"].to_numpy(dtype="float64") - 1.0, nan=0.0)
        elif cause == "overtraining":
            out[cause] = truth["consecutive_days"].to_numpy(dtype="float64") - 1.0
        elif cause == "footwear":
            out[cause] = (truth["shoes"].to_numpy(dtype=object) == SHOES[0]).astype("float64")
    return out


def draw_onset_min(duration_min: np.ndarray, rng: np.random.Generator, *, median_min: float = 38.0,
                   sigma: float = 0.25, earliest_min: float = 3.0) -> np.ndarray:
    """Minutes into the run when numbness starts, given that it starts during the run.

    The runner's onset time is log-normal (median *median_min*, log-scale sd
    *sigma*): roughly reproducible, as clinicians look for.  Conditioned on
    the run lasting long enough, it is drawn from the distribution truncated
    to [*earliest_min*, duration] by inverse-CDF sampling (so on short runs it
    comes near the end).

    Parameters
    ----------
    duration_min : array_like
        Run durations [min].
    rng : numpy.random.Generator
    median_min, sigma : float
        Median [min] and log-scale sd [-] of the untruncated onset time.
    earliest_min : float
        Earliest onset [min].

    Returns
    -------
    ndarray
        Onset [min] per run, in [earliest_min, duration].
    """
    dist = stats.lognorm(s=sigma, scale=median_min)
    dur = np.asarray(duration_min, dtype="float64")
    lo = dist.cdf(earliest_min)
    hi = dist.cdf(np.maximum(dur, earliest_min + 1.0))
    u = lo + rng.uniform(0.0, 1.0, dur.size) * (hi - lo)
    return np.clip(dist.ppf(u), earliest_min, dur)


_EPISODE_NOTES = ("", "", "", "tingling first", "eased after loosening laces", "went away after walking",
                  "like pins and needles", "had to stop and stretch", "")


def _journal(truth: pd.DataFrame, rng: np.random.Generator, runner: Runner) -> pd.DataFrame:
    """Journal rows for the runs with numbness: one episode, sometimes a second on the other foot."""
    rows = []
    numb = truth[truth["numb"]]
    onset = draw_onset_min(numb["duration_s"].to_numpy() / 60.0, rng, median_min=runner.onset_median_min,
                           sigma=runner.onset_sigma)
    for (rid, r), on in zip(numb.iterrows(), onset):
        dur_min = r["duration_s"] / 60.0
        side = str(rng.choice(["left", "both", "right"], p=[0.7, 0.2, 0.1]))
        loc = str(rng.choice(["forefoot", "toes", "whole_foot"], p=[0.6, 0.3, 0.1]))
        first = max(1.0, min(math.floor(dur_min), round(on)))
        eps = [(first, side)]
        if side != "both" and rng.random() < 0.25:
            second = first + rng.uniform(5.0, 20.0)
            if second < dur_min - 1.0:
                eps.append((float(round(second)), "right" if side == "left" else "left"))
        for on_min, sd in eps:
            rows.append({
                "date": r["start_local"].strftime("%Y-%m-%d"), "time": r["start_local"].strftime("%H:%M"),
                "onset_min": int(on_min), "duration_min": int(rng.integers(5, 31)), "side": sd,
                "location": loc, "severity": int(rng.integers(2, 8)),
                "notes": str(rng.choice(_EPISODE_NOTES)), "run_id": rid,
            })
    cols = ["date", "time", "onset_min", "duration_min", "side", "location", "severity", "notes", "run_id"]
    return pd.DataFrame(rows, columns=cols)


# ----------------------------------------------------------------------------------------------
# Notes
# ----------------------------------------------------------------------------------------------
def _shoes(plan: pd.DataFrame, rng: np.random.Generator, *, at_random: bool = False) -> np.ndarray:
    """Shoe rotation: the racer for quality sessions, otherwise one of the two trainers at random
    (the culprit pair ``SHOES[0]`` on about 40 % of easy/long/recovery runs); with *at_random*
    each run's pair is drawn uniformly from all three, independent of the kind of run."""
    if at_random:
        return np.asarray(SHOES, dtype=object)[rng.integers(len(SHOES), size=len(plan))]
    pick = np.where(rng.random(len(plan)) < 0.4, SHOES[0], SHOES[1])
    quality = plan["kind"].isin(["tempo", "intervals"]).to_numpy()
    return np.where(quality, SHOES[2], pick).astype(object)


def _notes(truth: pd.DataFrame, runner: Runner, rng: np.random.Generator) -> pd.DataFrame:
    """Run notes: shoes, fluid drunk, session RPE, body mass before/after on ~30 % of runs.

    Sweat rate ``0.4 + 0.045 (T - 10)+ + 0.25 (v - 2.5)+`` [l/h] (within the
    0.5-2 l/h range of Sawka et al. 2007 for running in temperate to warm
    weather); body mass after = before - sweat + fluid (1 l = 1 kg).  Fluid:
    long runs carry 250-500 ml per hour on days above 18 °C, else none.
    RPE on Foster's CR-10 session scale (Foster et al. 2001, J. Strength
    Cond. Res. 15(1)): easy 3, recovery 2, long 5, tempo 7, intervals 8, +-1.
    """
    n = len(truth)
    hours = truth["duration_s"].to_numpy() / 3600.0
    temp = truth["air_temp_c"].to_numpy()
    speed = truth["distance_m"].to_numpy() / truth["duration_s"].to_numpy()
    long_hot = (truth["kind"].to_numpy() == "long") & (temp > 18.0)
    fluid = np.where(long_hot, np.round(rng.uniform(250.0, 500.0, n) * hours / 50.0) * 50.0, 0.0)
    sweat_l = (0.4 + 0.045 * np.clip(temp - 10.0, 0, None) + 0.25 * np.clip(speed - 2.5, 0, None)) * hours
    weighed = rng.random(n) < 0.3
    pre = np.round(runner.body_mass_kg + rng.normal(0.0, 0.6, n), 1)
    post = np.round(pre - sweat_l + fluid / 1000.0 + rng.normal(0.0, 0.1, n), 1)
    rpe_base = truth["kind"].map({"easy": 3, "recovery": 2, "long": 5, "tempo": 7, "intervals": 8}).to_numpy()
    rpe = np.clip(rpe_base + rng.integers(-1, 2, n), 1, 10)
    return pd.DataFrame({
        "date": truth["start_local"].dt.strftime("%Y-%m-%d").to_numpy(),
        "time": truth["start_local"].dt.strftime("%H:%M").to_numpy(),
        "shoes": truth["shoes"].to_numpy(),
        "fluid_ml": fluid.astype("int64"),
        "body_mass_pre_kg": np.where(weighed, pre, np.nan),
        "body_mass_post_kg": np.where(weighed, post, np.nan),
        "rpe": rpe.astype("int64"),
    })


# ----------------------------------------------------------------------------------------------
# The season
# ----------------------------------------------------------------------------------------------
def _streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators per component, derived from *seed* (so components do not shift
    each other: a scenario change leaves the weather as it was)."""
    return {name: np.random.default_rng([int(seed), i]) for i, name in enumerate(_STREAMS)}


def _prepare_out_dir(out_dir: Path) -> Path:
    """Create *out_dir*/gpx; refuse a folder holding files this module did not write."""
    gpx_dir = out_dir / "gpx"
    marker = out_dir / "season.json"
    if gpx_dir.is_dir() and any(gpx_dir.iterdir()):
        if not marker.is_file():
            raise RunlogError(
                f"{gpx_dir}: folder is not empty and was not written by runlog.simulate; "
                "choose an empty or new folder for the simulated season")
        for p in gpx_dir.glob("*.gpx"):
            p.unlink()
    gpx_dir.mkdir(parents=True, exist_ok=True)
    return gpx_dir


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write a CSV with fixed formatting ('\\n' line ends, UTF-8) atomically."""
    from .history import atomic_write_text

    atomic_write_text(path, df.to_csv(index=False, lineterminator="\n", float_format="%.10g"))


def simulate_season(out_dir, *, scenario: str = "hydration", seed: int = 0, start: str = "2024-03-04",
                    weeks: int = 26, history_weeks: int | None = None,
                    location: tuple[float, float] = (47.9959, 7.8522), tz: str = "Europe/Berlin",
                    runner: Runner | None = None, strength: float | None = None, base_risk: float | None = None,
                    sample_s: float = 5.0, experiment=None, level_risk: dict | None = None,
                    adherence: float = 1.0) -> Season:
    """Write a synthetic season with a planted cause of numbness.

    Parameters
    ----------
    out_dir : str or PathLike
        Folder to write to (created; refused if its ``gpx/`` holds files not
        written by this function).
    scenario : str
        One of :data:`SCENARIOS` (see the module docstring).
    seed : int
        Random seed; the same seed and arguments give byte-identical files.
    start : str
        First day of the journal (ISO date; moved back to its Monday).
    weeks : int
        Weeks the journal covers.
    history_weeks : int, optional
        Weeks of runs before *start* without a journal (training-load
        history; default 4, :data:`LONG_HISTORY_WEEKS` in 'long_history').
    location : (float, float)
        Home (latitude, longitude) [°]; the loops start and end there.
    tz : str
        The runner's IANA time zone (local start times, journal dates).
    runner : Runner, optional
        Athlete parameters (default :class:`Runner`).
    strength, base_risk : float, optional
        Effect size and risk at zero driver (defaults :data:`DEFAULT_STRENGTH`,
        ``DEFAULT_BASE_RISK``); see :func:`episode_probability`.
    sample_s : float
        Record interval [s].
    experiment : runlog.experiment.Plan, optional
        A runner following this experiment plan: every run on a planned day
        (a plan by runs: the first N journal runs from its start) uses the
        day's level of the plan's factor (``shoes``, or a run-notes column of
        that name), recorded in the run notes, and its risk of numbness is
        ``level_risk[level]`` instead of the scenario's.
    level_risk : dict, optional
        Risk of numbness per run under each level [-] (default: the
        scenario's *base_risk* for every level: no effect).
    adherence : float
        Probability that a run follows the plan [-]; otherwise another level
        is used (and written in the notes, and it sets the risk).

    Returns
    -------
    Season
        Paths of the files written, the answer key (``truth``, with
        ``assigned`` and ``used`` levels in an experiment) and the
        ``tracked`` period to pass to ``runlog.analyze``.

    Raises
    ------
    RunlogError
        Unknown scenario, bad arguments, or an *out_dir* with foreign files.
    """
    if scenario not in SCENARIOS:
        raise RunlogError(f"unknown scenario {scenario!r}; use one of {', '.join(SCENARIOS)}")
    if history_weeks is None:
        history_weeks = LONG_HISTORY_WEEKS if scenario == "long_history" else 4
    if weeks < 1 or history_weeks < 0:
        raise RunlogError(f"weeks must be >= 1 and history_weeks >= 0 (got {weeks}, {history_weeks})")
    if not 0.5 <= sample_s <= 60.0:
        raise RunlogError(f"sample_s must be between 0.5 and 60 s (got {sample_s})")
    runner = runner or Runner()
    strength = DEFAULT_STRENGTH[scenario] if strength is None else float(strength)
    base_risk = DEFAULT_BASE_RISK[scenario] if base_risk is None else float(base_risk)
    if not 0.0 < base_risk < 1.0:
        raise RunlogError(f"base_risk must be a probability strictly between 0 and 1 (got {base_risk})")
    lat_deg, lon_deg = (float(v) for v in location)
    out_dir = Path(out_dir)
    gpx_dir = _prepare_out_dir(out_dir)
    rng = _streams(seed)

    journal_start = pd.Timestamp(start).normalize()
    journal_start = journal_start - pd.Timedelta(days=journal_start.day_of_week)
    first_day = journal_start - pd.Timedelta(weeks=history_weeks)
    tracked = (journal_start.strftime("%Y-%m-%d"),
               (journal_start + pd.Timedelta(days=7 * weeks - 1)).strftime("%Y-%m-%d"))
    # the marker first: a season interrupted half-way can be regenerated into the same folder
    meta = {"scenario": scenario, "cause": next(iter(SCENARIO_CAUSES[scenario]), None),
            "causes": list(SCENARIO_CAUSES[scenario]),
            "seed": int(seed),
            "strength": strength, "base_risk": base_risk, "start": tracked[0], "end": tracked[1],
            "history_weeks": history_weeks, "location": [lat_deg, lon_deg], "tz": tz,
            "sample_s": sample_s, "runner": asdict(runner), "generator": "runlog.simulate"}
    if experiment is not None:
        meta["experiment"] = {"factor": experiment.factor, "levels": list(experiment.levels),
                              "seed": int(experiment.seed), "adherence": float(adherence),
                              "level_risk": {str(k): float(v) for k, v in (level_risk or {}).items()}}
    (out_dir / "season.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    n_weeks = weeks + history_weeks
    n_days = 7 * n_weeks
    # weather from the day before (UTC hours of early local runs) to the day after
    weather = hourly_weather(first_day - pd.Timedelta(days=1), n_days + 2, rng["weather"], lon_deg=lon_deg)
    daily_max = (weather.assign(day=weather["time"].dt.tz_convert(tz).dt.tz_localize(None).dt.normalize())
                 .groupby("day")["air_temp_c"].max()
                 .reindex(pd.date_range(first_day, periods=n_days, freq="D")).to_numpy())
    plan = training_plan(first_day, n_weeks, rng["plan"], daily_max_temp_c=daily_max,
                         long_on_hot_days=scenario in ("confounded", "heat_long"), tz=tz,
                         spikes=scenario == "spike")
    plan["shoes"] = _shoes(plan, rng["notes"], at_random=scenario in ("shoes", "shoes_null"))
    plan["run_id"] = [make_run_id(t) for t in plan["start_time"]]
    plan["tracked"] = (plan["date"] >= journal_start).to_numpy()
    plan["journal_frac"] = np.clip((plan["date"] - journal_start).dt.days.to_numpy() / max(7 * weeks - 1, 1),
                                   0.0, 1.0)
    if experiment is not None:
        plan["assigned"], plan["used"] = _experiment_levels(plan, experiment, rng["experiment"], adherence)
        if experiment.factor == "shoes":
            plan["shoes"] = plan["used"].where(plan["used"].notna(), plan["shoes"])

    # duration_s: as recorded (the plan's duration floored to whole sample intervals); planned_s: as planned
    truth = _as_recorded(plan, weather, sample_s)
    if scenario == "bad_spells":
        latent = _ar1(rng["latent"], n_days, SPELL_PHI, strength)
        truth["latent_logodds"] = latent[(truth["date"] - first_day).dt.days.to_numpy()]
    # the planted risk and the journal, drawn before the files are written (the 'stopping'
    # runner's GPX shows what she did after the onset)
    truth["p_true"] = episode_probability(truth, scenario, strength, base_risk)
    if experiment is not None:
        risk = {str(k): float(v) for k, v in (level_risk or {}).items()}
        lv_risk = truth["used"].map(lambda v: risk.get(v, base_risk) if isinstance(v, str) else np.nan)
        truth["p_true"] = lv_risk.where(truth["used"].notna(), truth["p_true"]).astype("float64")
    truth["p_true"] = truth["p_true"].where(truth["tracked"], 0.0)  # not journalled: never reported
    truth["numb"] = rng["episodes"].random(len(truth)) < truth["p_true"].to_numpy()
    journal = _journal(truth.set_index("run_id"), rng["episodes"], runner)
    counts = journal.groupby("run_id").size()
    first_onset = journal.groupby("run_id")["onset_min"].min()
    truth["n_episodes"] = counts.reindex(truth["run_id"]).fillna(0).astype("int64").to_numpy()
    truth["onset_min"] = first_onset.reindex(truth["run_id"]).astype("float64").to_numpy()
    # 'stopping': 0-1 min after the onset the runner stops for 1-2 min to loosen the laces
    stop_start = np.full(len(truth), np.nan)
    stop_len = np.full(len(truth), np.nan)
    if scenario in ("stopping", "trend_stopping"):
        idx = np.flatnonzero(truth["numb"].to_numpy())
        stop_start[idx] = truth["onset_min"].to_numpy()[idx] * 60.0 + rng["stops"].uniform(0.0, 60.0, idx.size)
        stop_len[idx] = rng["stops"].uniform(60.0, 120.0, idx.size)
    truth["stop_start_s"] = np.round(stop_start, 1)
    truth["stop_s"] = np.round(stop_len, 1)
    truth["partner"] = False
    if scenario == "partner":   # appended after the runner's runs: her files stay as in 'hydration'
        other = _as_recorded(_partner_plan(first_day, n_days, set(truth["run_id"]), rng["partner"], tz),
                             weather, sample_s)
        other["tracked"] = (other["date"] >= journal_start).to_numpy()
        other = other.assign(p_true=0.0, numb=False, n_episodes=0, onset_min=np.nan, stop_start_s=np.nan,
                             stop_s=np.nan, partner=True, shoes=None)
        truth = pd.concat([truth, other], ignore_index=True)
    second = (rng["devices"].random(len(truth)) < SECOND_WATCH_SHARE if scenario == "missing_temp"
              else np.zeros(len(truth), dtype=bool))
    truth["second_watch"] = second

    routes = [make_route(length, bearing_deg=b, hill_m=h, n_hills=k) for length, b, h, k in _ROUTES]
    dist, names = [], []
    for r in truth.itertuples(index=False):
        who, draw = (PARTNER, rng["partner"]) if r.partner else (runner, rng["runs"])
        route = routes[2] if r.kind == "long" else routes[int(draw.integers(2))]
        stop = (r.stop_start_s, r.stop_s) if np.isfinite(r.stop_start_s) else None
        rec = run_records(r.start_time, r.planned_s, r.kind, weather, who, draw, route=route,
                          lat_deg=lat_deg, lon_deg=lon_deg,
                          season_fraction=(r.date - first_day).days / n_days, sample_s=sample_s,
                          numb_stop=stop)
        part = "Morning" if r.start_local.hour < 11 else ("Lunch" if r.start_local.hour < 14 else "Evening")
        name = f"{r.start_local:%Y-%m-%d-%H%M}.gpx"
        (gpx_dir / name).write_text(gpx_text(rec, f"{part} Run", temperature=not r.second_watch),
                                    encoding="utf-8", newline="\n")
        dist.append(float(rec["distance_m"].iloc[-1]))
        names.append(name)
    truth["distance_m"] = np.round(dist, 1)
    truth["file"] = names
    truth = truth.sort_values("start_time", kind="stable").reset_index(drop=True)

    truth["heat_dose_ch"] = np.round(heat_dose_ch(truth["air_temp_c"].to_numpy(dtype="float64"),
                                                  truth["duration_s"].to_numpy(dtype="float64") / 3600.0), 3)
    notes = _notes(truth[~truth["partner"]], runner, rng["notes"])
    if experiment is not None and experiment.factor != "shoes":
        notes[experiment.factor] = truth["used"].to_numpy()

    episodes_csv, notes_csv = out_dir / "episodes.csv", out_dir / "run_notes.csv"
    weather_csv, truth_csv = out_dir / "weather.csv", out_dir / "truth.csv"
    _write_csv(journal.drop(columns="run_id"), episodes_csv)
    _write_csv(notes, notes_csv)
    _write_csv(weather.assign(time=weather["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")), weather_csv)
    truth_out = truth[["run_id", "file", "start_local", "start_time", "week", "kind", "duration_s",
                       "distance_m", "air_temp_c", "heat_dose_ch", "consecutive_days", "rest_days_7",
                       "shoes", "tracked", "p_true", "numb", "n_episodes", "onset_min", "partner",
                       "second_watch"]
                      + (["stop_start_s", "stop_s"] if scenario in ("stopping", "trend_stopping") else [])
                      + (["acwr_min"] if scenario == "spike" else [])
                      + (["long_day_before"] if scenario == "long_before" else [])
                      + (["latent_logodds"] if scenario == "bad_spells" else [])
                      + (["assigned", "used"] if experiment is not None else [])].copy()
    truth_out["start_local"] = truth_out["start_local"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    truth_out["start_time"] = truth_out["start_time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    truth_out["p_true"] = truth_out["p_true"].round(6)
    _write_csv(truth_out, truth_csv)

    truth = truth.set_index("run_id")
    return Season(out_dir=out_dir, gpx_dir=gpx_dir, episodes_csv=episodes_csv, notes_csv=notes_csv,
                  weather_csv=weather_csv, truth_csv=truth_csv, scenario=scenario,
                  cause=next(iter(SCENARIO_CAUSES[scenario]), None), strength=strength, base_risk=base_risk,
                  seed=int(seed),
                  tz=tz, tracked=tracked, truth=truth, episodes=journal, causes=SCENARIO_CAUSES[scenario],
                  use_weather=scenario != "missing_temp")


def _as_recorded(plan: pd.DataFrame, weather: pd.DataFrame, sample_s: float) -> pd.DataFrame:
    """*plan* with what the runner will experience, known before the run is recorded (no random
    numbers): ``planned_s`` (the plan's duration), ``duration_s`` (as recorded: floored to whole
    sample intervals) and ``air_temp_c`` (mean over the samples, as :func:`run_records` takes it)."""
    air, dur = [], []
    for r in plan.itertuples(index=False):
        t = np.arange(0.0, r.duration_s + 1e-9, sample_s)
        t0 = (pd.Timestamp(r.start_time) - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
        air.append(float(_weather_at(weather, t0 + t, "air_temp_c").mean()))
        dur.append(pd.to_timedelta(t[-1], unit="s") / pd.Timedelta(seconds=1))
    return plan.assign(planned_s=plan["duration_s"], duration_s=dur, air_temp_c=np.round(air, 2))


def _partner_plan(first_day: pd.Timestamp, n_days: int, taken: set, rng: np.random.Generator,
                  tz: str) -> pd.DataFrame:
    """The partner's runs ('partner'): on 40 % of days an easy evening run of 30-50 min starting
    18:00-20:30 (on Saturdays half of them a long run of 60-85 min), never on a minute the runner
    started a run (*taken* run ids), so that the two are separate activities."""
    rows = []
    for d in range(n_days):
        if rng.random() >= 0.4:
            continue
        day = pd.Timestamp(first_day) + pd.Timedelta(days=d)
        kind = "long" if day.day_of_week == 5 and rng.random() < 0.5 else "easy"
        dur_min = rng.uniform(60.0, 85.0) if kind == "long" else rng.uniform(30.0, 50.0)
        start_local = day + pd.Timedelta(seconds=int((18 * 60 + rng.uniform(0.0, 150.0)) * 60))
        rows.append({"date": day, "week": d // 7, "kind": kind, "duration_s": float(round(dur_min * 60.0)),
                     "start_local": start_local})
    plan = pd.DataFrame(rows)
    start = pd.DatetimeIndex(plan["start_local"]).tz_localize(tz, nonexistent="shift_forward", ambiguous=False)
    start = start.tz_convert("UTC").as_unit("ns")
    ids = [make_run_id(t) for t in start]
    clash = np.asarray([i in taken for i in ids])
    plan.loc[clash, "start_local"] += pd.Timedelta(minutes=7)
    start = start + pd.to_timedelta(np.where(clash, 7, 0), unit="min")
    plan["start_time"] = start
    plan["run_id"] = [make_run_id(t) for t in start]
    plan = plan.assign(consecutive_days=0, rest_days_7=0, acwr_min=np.nan, long_day_before=False,
                       journal_frac=np.nan)
    return plan


def _experiment_levels(plan: pd.DataFrame, experiment, rng: np.random.Generator,
                       adherence: float) -> tuple[pd.Series, pd.Series]:
    """Per run of the training plan: the experiment's assigned level and the level used (or None).

    A plan by date assigns the level of the run's local date; a plan by runs
    the first N runs from its start, in order.  A run does not follow the
    plan with probability ``1 - adherence`` and then uses another level,
    drawn at random."""
    day = pd.to_datetime(plan["start_local"]).dt.normalize()
    sched = experiment.schedule
    assigned = pd.Series([None] * len(plan), index=plan.index, dtype="object")
    if experiment.by_date:
        by_day = pd.Series(sched["level"].to_numpy(), index=pd.DatetimeIndex(sched["date"]))
        hit = day.isin(by_day.index).to_numpy()
        assigned[hit] = by_day.reindex(day[hit]).to_numpy()
    else:
        idx = np.flatnonzero((day >= experiment.start).to_numpy())[:len(sched)]
        assigned.iloc[idx] = sched["level"].to_numpy()[:len(idx)]
    levels = list(experiment.levels)
    used = assigned.copy()
    deviate = rng.random(len(plan)) >= adherence
    for i in np.flatnonzero(deviate & assigned.notna().to_numpy()):
        others = [lv for lv in levels if lv != assigned.iloc[i]]
        used.iloc[i] = others[int(rng.integers(len(others)))]
    return assigned, used


def demo_season(out_dir, **kwargs) -> Season:
    """The demo data set: the 'hydration' scenario with seed :data:`DEMO_SEED`.

    Extra keyword arguments go to :func:`simulate_season`.

    Parameters
    ----------
    out_dir : str or PathLike
        Folder the season's files are written to.
    **kwargs
        Passed to :func:`simulate_season`.

    Returns
    -------
    Season
        As :func:`simulate_season`.
    """
    kwargs.setdefault("scenario", "hydration")
    kwargs.setdefault("seed", DEMO_SEED)
    return simulate_season(out_dir, **kwargs)
