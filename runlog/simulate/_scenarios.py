"""The scenarios, their planted causes and strengths, the runner, and the season a simulation returns.

A part of :mod:`runlog.simulate` (its public names are re-exported there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from scipy import special

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
STREAMS = ("weather", "plan", "runs", "episodes", "notes", "stops", "experiment", "latent", "devices",
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
