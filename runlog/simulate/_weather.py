"""Weather: the seasonal and daily temperature cycle with day-to-day weather, and humidity.

A part of :mod:`runlog.simulate` (its public names are re-exported there).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import signal


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


def ar1(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
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
    daily_mean = daily_mean + ar1(rng, n_days, 0.75, 3.5)
    half_range = np.clip(5.0 + ar1(rng, n_days, 0.5, 1.2), 3.0, 7.0)
    depression = np.clip(5.0 + ar1(rng, n_days, 0.6, 2.0), 1.0, 9.0)
    solar_hour = (hours % 24) + lon_deg / 15.0
    temp = daily_mean[day] + half_range[day] * np.cos(2.0 * np.pi * (solar_hour - 15.0) / 24.0)
    temp = temp + rng.normal(0.0, 0.3, temp.size)
    rh = relative_humidity_pct(temp, (daily_mean - depression)[day])
    return pd.DataFrame({"time": time, "air_temp_c": np.round(temp, 1),
                         "rel_humidity_pct": np.round(rh, 0)})


def weather_at(weather: pd.DataFrame, t_utc_s: np.ndarray, column: str) -> np.ndarray:
    """Linear interpolation of an hourly weather column at epoch seconds *t_utc_s*."""
    ts = ((pd.DatetimeIndex(weather["time"]) - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy()
    return np.interp(t_utc_s, ts, weather[column].to_numpy(dtype="float64"))
