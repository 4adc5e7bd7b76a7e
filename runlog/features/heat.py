"""Heat and hydration: heat index, dew point, WBGT, sweat loss.

Air temperature and humidity come from a weather table
(:mod:`runlog.features.weather`) or the run notes (columns ``air_temp_c`` and
``rel_humidity_pct``); the watch's own temperature sensor is reported
separately because a wrist reading is biased by body heat.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "c_to_f", "f_to_c", "heat_index_c", "dew_point_c", "vapour_pressure_hpa", "wbgt_estimate_c",
    "body_surface_area_m2", "running_metabolic_power_w", "sweat_loss_estimate_kg",
    "measured_sweat_loss", "is_wrist_device", "heat_features", "LATENT_HEAT_J_PER_G",
]

#: Latent heat of vaporisation of sweat at skin temperature [J/g] (~2426 J/g at 30-35 °C;
#: Wenger 1972, J Appl Physiol 32:824-828).
LATENT_HEAT_J_PER_G = 2426.0
#: Mean skin temperature assumed while running [°C].
SKIN_TEMP_C = 35.0
#: Linear radiative heat-transfer coefficient [W/m²/K] (Kerslake 1972, "The stress of hot environments").
H_RADIATIVE = 4.7
#: Oxygen energy equivalent [J/ml O2] (~5 kcal/l at a mixed diet; ACSM).
J_PER_ML_O2 = 20.9
#: ACSM 2007: a body-mass loss above this degrades performance [%].
DEHYDRATION_PCT = 2.0


def c_to_f(t_c):
    """°C -> °F.

    Parameters
    ----------
    t_c : array_like
        Temperature [°C].

    Returns
    -------
    ndarray
        The same temperature [°F].
    """
    return np.asarray(t_c, dtype="float64") * 9.0 / 5.0 + 32.0


def f_to_c(t_f):
    """°F -> °C.

    Parameters
    ----------
    t_f : array_like
        Temperature [°F].

    Returns
    -------
    ndarray
        The same temperature [°C].
    """
    return (np.asarray(t_f, dtype="float64") - 32.0) * 5.0 / 9.0


def heat_index_c(air_temp_c, rel_humidity_pct):
    """Heat index (apparent temperature) [°C], the US National Weather Service algorithm.

    NWS Weather Prediction Center, "The Heat Index Equation" (Rothfusz 1990,
    NWS Technical Attachment SR 90-23), in °F:

    1. ``HI = 0.5 * (T + 61 + (T - 68) * 1.2 + 0.094 RH)``; if the mean of this
       and T is below 80 °F, that is the heat index.
    2. Otherwise the Rothfusz regression
       ``HI = -42.379 + 2.04901523 T + 10.14333127 RH - 0.22475541 T RH
       - 6.83783e-3 T² - 5.481717e-2 RH² + 1.22874e-3 T² RH + 8.5282e-4 T RH²
       - 1.99e-6 T² RH²``,
       minus ``(13 - RH)/4 * sqrt((17 - |T - 95|)/17)`` when RH < 13 % and
       80 <= T <= 112 °F, plus ``(RH - 85)/10 * (87 - T)/5`` when RH > 85 %
       and 80 <= T <= 87 °F.

    Parameters
    ----------
    air_temp_c : array_like
        Air temperature [°C].
    rel_humidity_pct : array_like
        Relative humidity [%].

    Returns
    -------
    ndarray
        Heat index [°C].

    References
    ----------
    .. [1] Rothfusz, L. P. (1990). The heat index "equation" (or, more than you
       ever wanted to know about heat index). NWS Southern Region Technical
       Attachment SR 90-23.
    .. [2] NWS Weather Prediction Center. The Heat Index Equation.
    """
    t = c_to_f(air_temp_c)
    rh = np.asarray(rel_humidity_pct, dtype="float64")
    t, rh = np.broadcast_arrays(t, rh)
    simple = 0.5 * (t + 61.0 + (t - 68.0) * 1.2 + rh * 0.094)
    hi = (-42.379 + 2.04901523 * t + 10.14333127 * rh - 0.22475541 * t * rh
          - 6.83783e-3 * t * t - 5.481717e-2 * rh * rh + 1.22874e-3 * t * t * rh
          + 8.5282e-4 * t * rh * rh - 1.99e-6 * t * t * rh * rh)
    with np.errstate(invalid="ignore"):
        dry = (rh < 13) & (t >= 80) & (t <= 112)
        hi = np.where(dry, hi - (13 - rh) / 4 * np.sqrt(np.clip(17 - np.abs(t - 95.0), 0, None) / 17), hi)
        wet = (rh > 85) & (t >= 80) & (t <= 87)
        hi = np.where(wet, hi + (rh - 85) / 10 * (87 - t) / 5, hi)
        out = np.where((simple + t) / 2 < 80.0, simple, hi)
    return f_to_c(out)


def dew_point_c(air_temp_c, rel_humidity_pct, a: float = 17.625, b: float = 243.04):
    """Dew point [°C] from the Magnus formula.

    ``gamma = ln(RH/100) + a T / (b + T)``, ``Td = b gamma / (a - gamma)`` with
    ``a = 17.625``, ``b = 243.04 °C`` (Alduchov & Eskridge 1996, J Appl
    Meteor 35:601-609; Lawrence 2005, BAMS 86:225-233).

    Parameters
    ----------
    air_temp_c : array_like
        Air temperature [°C].
    rel_humidity_pct : array_like
        Relative humidity [%], > 0 (the dew point is NaN where it is not).
    a : float
        Magnus coefficient [-].
    b : float
        Magnus coefficient [°C].

    Returns
    -------
    ndarray
        Dew point [°C]; NaN where the humidity is not positive.

    References
    ----------
    .. [1] Alduchov, O. A. & Eskridge, R. E. (1996). Improved Magnus form
       approximation of saturation vapor pressure. J Appl Meteor 35:601-609.
    .. [2] Lawrence, M. G. (2005). The relationship between relative humidity
       and the dewpoint temperature in moist air: a simple conversion and
       applications. Bull Amer Meteor Soc 86:225-233.
    """
    t = np.asarray(air_temp_c, dtype="float64")
    rh = np.asarray(rel_humidity_pct, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.log(rh / 100.0) + a * t / (b + t)
        return np.where(rh > 0, b * g / (a - g), np.nan)


def vapour_pressure_hpa(air_temp_c, rel_humidity_pct):
    """Water-vapour pressure [hPa]: ``RH/100 * 6.105 * exp(17.27 T / (237.7 + T))``
    (the saturation formula used by the Australian Bureau of Meteorology for WBGT).

    Parameters
    ----------
    air_temp_c : array_like
        Air temperature [°C].
    rel_humidity_pct : array_like
        Relative humidity [%].

    Returns
    -------
    ndarray
        Water-vapour pressure [hPa].

    References
    ----------
    .. [1] Australian Bureau of Meteorology. About the WBGT and Apparent
       Temperature indices.
    """
    t = np.asarray(air_temp_c, dtype="float64")
    rh = np.asarray(rel_humidity_pct, dtype="float64")
    return rh / 100.0 * 6.105 * np.exp(17.27 * t / (237.7 + t))


def wbgt_estimate_c(air_temp_c, rel_humidity_pct):
    """Wet-bulb globe temperature estimated from air temperature and humidity [°C].

    ``WBGT = 0.567 T + 0.393 e + 3.94`` with ``e`` the vapour pressure [hPa]
    (:func:`vapour_pressure_hpa`); Australian Bureau of Meteorology, "About
    the WBGT and Apparent Temperature indices" (after ACSM 1984).  It assumes
    moderate sun and light wind, so it is an *estimate*: no globe or
    natural wet-bulb thermometer is involved.

    Parameters
    ----------
    air_temp_c : array_like
        Air temperature [°C].
    rel_humidity_pct : array_like
        Relative humidity [%].

    Returns
    -------
    ndarray
        Estimated wet-bulb globe temperature [°C].

    References
    ----------
    .. [1] Australian Bureau of Meteorology. About the WBGT and Apparent
       Temperature indices.
    .. [2] American College of Sports Medicine (1984). Position stand on the
       prevention of thermal injuries during distance running.
    """
    t = np.asarray(air_temp_c, dtype="float64")
    return 0.567 * t + 0.393 * vapour_pressure_hpa(t, rel_humidity_pct) + 3.94


def body_surface_area_m2(body_mass_kg):
    """Body surface area from body mass alone [m²]: ``0.1173 * mass^0.6466``
    (Livingston & Lee 2001, Am J Physiol Endocrinol Metab 281:E586-E591).

    Parameters
    ----------
    body_mass_kg : array_like
        Body mass [kg].

    Returns
    -------
    ndarray
        Body surface area [m²].

    References
    ----------
    .. [1] Livingston, E. H. & Lee, S. (2001). Body surface area prediction in
       normal-weight and obese patients. Am J Physiol Endocrinol Metab
       281:E586-E591.
    """
    return 0.1173 * np.asarray(body_mass_kg, dtype="float64") ** 0.6466


def running_metabolic_power_w(speed_mps, body_mass_kg, grade=0.0):
    """Metabolic power of running [W] from the ACSM running equation.

    ``VO2 = 3.5 + 0.2 v + 0.9 v grade`` [ml/kg/min], ``v`` in m/min (ACSM's
    Guidelines for Exercise Testing and Prescription, metabolic equations);
    ``P = VO2 * mass * 20.9 J/ml / 60``.

    Parameters
    ----------
    speed_mps : array_like
        Running speed [m/s].
    body_mass_kg : float or array_like
        Body mass [kg].
    grade : array_like
        Rise/run [-] (0.05 = 5 %); downhill counts as level.

    Returns
    -------
    ndarray
        Metabolic power [W].

    References
    ----------
    .. [1] American College of Sports Medicine. ACSM's Guidelines for Exercise
       Testing and Prescription (metabolic equations for running).
    """
    v = np.asarray(speed_mps, dtype="float64") * 60.0
    g = np.clip(np.asarray(grade, dtype="float64"), 0.0, None)
    vo2 = 3.5 + 0.2 * v + 0.9 * v * g
    return vo2 * body_mass_kg * J_PER_ML_O2 / 60.0


def sweat_loss_estimate_kg(speed_mps, moving_s, air_temp_c, body_mass_kg, grade=0.0):
    """Estimated sweat loss of a run [kg] from a steady-state heat balance.

    *Model (runlog "heat-balance required evaporation")*: all metabolic heat
    ``M`` (:func:`running_metabolic_power_w`; mechanical work neglected) that
    dry heat exchange ``(h_c + h_r) A (T_skin - T_air)`` cannot remove must
    be evaporated as sweat: ``E_req = max(M - (h_c + h_r) A (35 - T_air), 0)``
    with the convective coefficient ``h_c = 8.3 sqrt(v)`` W/m²/K (Kerslake
    1972, air speed = running speed), ``h_r = 4.7`` W/m²/K, ``A`` from
    :func:`body_surface_area_m2`; ``sweat = E_req / 2426 J/g * moving time``.

    It is an **estimate**: humidity, sun, wind and clothing are ignored and all
    sweat is assumed to evaporate, so it is a lower bound in humid heat
    (where sweat drips).  For a 70 kg runner at 3 m/s it gives about 0.65 l/h
    at 20 °C and 1.2 l/h at 30 °C, within the 0.5-2 l/h reported for runners
    (Baker 2017, Sports Med 47:111-128).

    Parameters
    ----------
    speed_mps : array_like
        Mean moving speed [m/s].
    moving_s : array_like
        Moving time [s].
    air_temp_c : array_like
        Air temperature [°C].
    body_mass_kg : float or array_like
        Body mass [kg].
    grade : array_like
        Mean uphill grade [-].

    Returns
    -------
    ndarray
        Estimated sweat loss of the run [kg] (~ litres).

    References
    ----------
    .. [1] Kerslake, D. McK. (1972). The stress of hot environments. Cambridge
       University Press.
    .. [2] Wenger, C. B. (1972). Heat of evaporation of sweat: thermodynamic
       considerations. J Appl Physiol 32:824-828.
    .. [3] Livingston, E. H. & Lee, S. (2001). Body surface area prediction in
       normal-weight and obese patients. Am J Physiol Endocrinol Metab
       281:E586-E591.
    .. [4] Baker, L. B. (2017). Sweating rate and sweat sodium concentration in
       athletes: a review of methodology and intra/interindividual variability.
       Sports Med 47:111-128.
    """
    v = np.asarray(speed_mps, dtype="float64")
    m = running_metabolic_power_w(v, body_mass_kg, grade)
    area = body_surface_area_m2(body_mass_kg)
    h = 8.3 * np.sqrt(np.clip(v, 0.0, None)) + H_RADIATIVE
    dry = h * area * (SKIN_TEMP_C - np.asarray(air_temp_c, dtype="float64"))
    e_req = np.clip(m - dry, 0.0, None)
    return e_req / LATENT_HEAT_J_PER_G * np.asarray(moving_s, dtype="float64") / 1000.0


def measured_sweat_loss(body_mass_pre_kg, body_mass_post_kg, fluid_ml=0.0) -> dict:
    """Body-mass change over a run (ACSM 2007 position stand on fluid replacement).

    Sawka et al. (2007), "Exercise and fluid replacement", Med Sci Sports
    Exerc 39(2):377-390: ``sweat loss = pre - post + fluid drunk`` (urine
    and respiratory/metabolic mass loss neglected, 1 ml of fluid = 1 g);
    a body-mass loss above 2 % degrades performance.

    Parameters
    ----------
    body_mass_pre_kg : array_like
        Body mass before the run [kg].
    body_mass_post_kg : array_like
        Body mass after the run [kg].
    fluid_ml : array_like
        Fluid drunk during the run [ml]; NaN counts as none.

    Returns
    -------
    dict of arrays
        ``sweat_loss_kg``, ``sweat_loss_pct`` (of pre-run mass),
        ``body_mass_loss_pct`` ((pre - post)/pre*100: net dehydration),
        ``dehydrated`` (1.0 where body_mass_loss_pct > 2, NaN unknown).

    References
    ----------
    .. [1] Sawka, M. N., Burke, L. M., Eichner, E. R., Maughan, R. J., Montain,
       S. J. & Stachenfeld, N. S. (2007). American College of Sports Medicine
       position stand. Exercise and fluid replacement. Med Sci Sports Exerc
       39(2):377-390.
    """
    pre = np.asarray(body_mass_pre_kg, dtype="float64")
    post = np.asarray(body_mass_post_kg, dtype="float64")
    fl = np.nan_to_num(np.asarray(fluid_ml, dtype="float64"), nan=0.0)
    sweat = pre - post + fl / 1000.0
    with np.errstate(invalid="ignore", divide="ignore"):
        loss_pct = np.where(pre > 0, (pre - post) / pre * 100.0, np.nan)
        sweat_pct = np.where(pre > 0, sweat / pre * 100.0, np.nan)
    # "> 2 %" with a float tolerance: 70 -> 68.6 kg is exactly 2 %, not above it
    deh = np.where(np.isfinite(loss_pct), (loss_pct > DEHYDRATION_PCT + 1e-9).astype("float64"), np.nan)
    return {"sweat_loss_kg": sweat, "sweat_loss_pct": sweat_pct, "body_mass_loss_pct": loss_pct, "dehydrated": deh}


_NOT_WRIST = ("edge", "bike", "cycle", "bryton", "wahoo", "elemnt", "hammerhead", "karoo", "phone", "android")


def is_wrist_device(device: pd.Series) -> pd.Series:
    """True when a device name looks like a watch (its temperature sensor sits on the wrist).

    Bike computers (Garmin Edge, Wahoo, Hammerhead, Bryton) and phones
    (iPhone, Android) are not wrist devices; any other or unknown device is
    assumed to be a watch (the usual case for runners).

    Parameters
    ----------
    device : Series
        Device (product) names, e.g. ``History.runs["device"]``; NaN = unknown.

    Returns
    -------
    Series of bool
        Same index; True for a watch or an unknown device.
    """
    d = device.astype("object").where(device.notna(), "").astype(str).str.lower()
    return ~d.apply(lambda s: any(k in s for k in _NOT_WRIST)).astype(bool)


def heat_features(runs: pd.DataFrame, air: pd.DataFrame | None, notes: pd.DataFrame | None,
                  body_mass_kg: float | None, is_running: pd.Series | None = None,
                  ascent_m: pd.Series | None = None) -> pd.DataFrame:
    """Per-run heat and hydration features.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` (avg/max_temp_c, device, avg_speed_mps, moving_s, distance_m).
    air : DataFrame or None
        Index run_id, ``air_temp_c`` and ``rel_humidity_pct`` (from
        :func:`runlog.features.weather.join_weather`).
    notes : DataFrame or None
        Run notes; ``air_temp_c`` / ``rel_humidity_pct`` columns there take
        precedence over the weather table (the runner was there);
        ``body_mass_pre_kg``, ``body_mass_post_kg``, ``fluid_ml`` give the
        measured sweat loss.
    body_mass_kg : float or None
        For the estimated sweat loss (the run's ``body_mass_pre_kg`` when noted).
    is_running : Series of bool, optional
        The sweat-loss estimate uses the running equation: NaN for other sports.
    ascent_m : Series, optional
        For the mean uphill grade of the estimate (ascent / distance).

    Returns
    -------
    DataFrame indexed by run_id.
    """
    idx = runs.index
    out = pd.DataFrame(index=idx)
    out["device_temp_mean_c"] = pd.to_numeric(runs["avg_temp_c"], errors="coerce").astype("float64")
    out["device_temp_max_c"] = pd.to_numeric(runs["max_temp_c"], errors="coerce").astype("float64")
    wrist = is_wrist_device(runs["device"]) if "device" in runs else pd.Series(True, index=idx)
    out["device_temp_wrist"] = np.where(out["device_temp_mean_c"].notna(), wrist.astype("float64"), np.nan)

    def _pick(col):
        s = pd.Series(np.nan, index=idx)
        if air is not None and col in air:
            s = pd.to_numeric(air[col], errors="coerce").reindex(idx).astype("float64")
        if notes is not None and col in notes:
            n = pd.to_numeric(notes[col], errors="coerce").reindex(idx).astype("float64")
            s = n.fillna(s)
        return s

    t = _pick("air_temp_c")
    rh = _pick("rel_humidity_pct")
    out["air_temp_c"] = t
    out["rel_humidity_pct"] = rh
    out["heat_index_c"] = heat_index_c(t, rh)
    out["dew_point_c"] = dew_point_c(t, rh)
    out["wbgt_est_c"] = wbgt_estimate_c(t, rh)

    mass = pd.Series(np.nan if body_mass_kg is None else float(body_mass_kg), index=idx)
    pre = post = fluid = pd.Series(np.nan, index=idx)
    if notes is not None:
        if "body_mass_pre_kg" in notes:
            pre = pd.to_numeric(notes["body_mass_pre_kg"], errors="coerce").reindex(idx).astype("float64")
        if "body_mass_post_kg" in notes:
            post = pd.to_numeric(notes["body_mass_post_kg"], errors="coerce").reindex(idx).astype("float64")
        if "fluid_ml" in notes:
            fluid = pd.to_numeric(notes["fluid_ml"], errors="coerce").reindex(idx).astype("float64")
    mass = pre.fillna(mass)
    speed = pd.to_numeric(runs["avg_speed_mps"], errors="coerce").astype("float64")
    moving = pd.to_numeric(runs["moving_s"], errors="coerce").astype("float64")
    dist = pd.to_numeric(runs["distance_m"], errors="coerce").astype("float64")
    grade = (ascent_m.reindex(idx) / dist).where(dist > 0).fillna(0.0) if ascent_m is not None else 0.0
    est = sweat_loss_estimate_kg(speed, moving, t, mass.to_numpy(), grade)
    est_pct = est / mass.to_numpy() * 100.0
    if is_running is not None:
        est_pct = np.where(is_running.reindex(idx).fillna(False).to_numpy(dtype=bool), est_pct, np.nan)
    out["sweat_loss_est_pct"] = est_pct
    meas = measured_sweat_loss(pre, post, fluid)
    out["sweat_loss_pct"] = meas["sweat_loss_pct"]
    out["body_mass_loss_pct"] = meas["body_mass_loss_pct"]
    out["dehydrated_2pct"] = meas["dehydrated"]
    return out
