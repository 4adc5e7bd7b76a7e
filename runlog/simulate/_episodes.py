"""Episodes: each run's planted risk, the true drivers, onsets and the journal.

A part of :mod:`runlog.simulate` (its public names are re-exported there).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special, stats

from ..errors import RunlogError
from ._scenarios import HEAT_THRESHOLD_C, SCENARIO_CAUSES, SCENARIOS, SHOES, STREAK_STRENGTH_TWO_CAUSES, Runner


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


def draw_journal(truth: pd.DataFrame, rng: np.random.Generator, runner: Runner) -> pd.DataFrame:
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
