"""One run: speed, heart rate, cadence, temperature, positions, and its GPX file.

A part of :mod:`runlog.simulate` (its public names are re-exported there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import signal

from ._scenarios import HEAT_THRESHOLD_C, STOP_SLOWDOWN, Runner
from ._weather import ar1, weather_at


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
    v = v * np.exp(ar1(rng, t.size, math.exp(-dt_s / 60.0), 0.03))
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
    hr = lagged + ar1(rng, elapsed_s.size, math.exp(-dt_s / 20.0), 1.5)
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
ROUTES = ((3100.0, 20.0, 8.0, 1), (5200.0, 140.0, 25.0, 2), (8300.0, 260.0, 40.0, 3))


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
    air = weather_at(weather, t0 + t, "air_temp_c")
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
    x = np.interp(s, route.s_m, route.x_m) + ar1(rng, t.size, 0.97, 1.5)
    y = np.interp(s, route.s_m, route.y_m) + ar1(rng, t.size, 0.97, 1.5)
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
