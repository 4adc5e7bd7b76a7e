"""An independent generator of running seasons with planted causes of numbness.

Written without reading runlog's own simulator or analysis, to check runlog on data
built on other assumptions.  A season is a folder with what a runner would hand over:

* ``activities/``: GPX 1.1 files as Garmin Connect exports them (TrackPointExtension
  ``atemp``/``hr``/``cad``, cadence in strides/min, smart recording), FIT files for
  treadmill and GPS-off runs (and for a partner's watch), GPX from a phone app
  (Strava, no temperature) where the scenario has a second device;
* ``episodes.csv``: the numbness journal (docs/journal.md), starting with a
  ``tracking started`` row;
* ``run_notes.csv`` (shoes) where the scenario has notes; ``weather.csv`` (hourly, UTC)
  where it has weather;
* ``truth.json``: the planted causes (runlog's cause ids), their effects, the risk
  model, the partner's files; ``truth_runs.csv``: one row per activity with what was
  planted (exposures, probability, numbness, onset).

The risk model (the same for every scenario, terms switched on per scenario): the
probability that a run of the runner's brings numbness is

    logit p = alpha + log(hours on the feet) + sum_k beta_k x_k

(odds proportional to time on the feet: at small p a constant risk per minute), alpha
calibrated so the expected number of numb runs in the journal period is the scenario's
target.  Two scenarios use other forms, stated in their truth: ``null_constant``
(p = 1 - exp(-lambda * minutes), a true constant hazard per minute) and ``null_plain``
(p constant per run).  Given numbness, its onset minute is drawn from a hazard profile
over the run (zero in the first minutes, rising with accumulated heat in heat seasons).

Usage: ``python generate.py SCENARIO SEED OUTDIR`` (``--list`` names the scenarios).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.signal import lfilter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fitwrite import write_run_fit

# --------------------------------------------------------------------------- places

CITIES = {
    # annual mean, amplitude, day of year of the warmest day, diurnal range [°C], humidity [%], synoptic sd [°C]
    "lyon": dict(lat=45.760, lon=4.835, tz="Europe/Paris", mean=12.5, amp=9.5, peak=200, diurnal=10.0, rh=72,
                 syn=3.3, name="Lyon"),
    "toronto": dict(lat=43.655, lon=-79.390, tz="America/Toronto", mean=9.0, amp=13.0, peak=202, diurnal=9.0,
                    rh=70, syn=4.0, name="Toronto"),
    "madrid": dict(lat=40.418, lon=-3.700, tz="Europe/Madrid", mean=15.0, amp=9.5, peak=205, diurnal=13.0, rh=55,
                   syn=3.0, name="Madrid"),
    "melbourne": dict(lat=-37.812, lon=144.962, tz="Australia/Melbourne", mean=15.5, amp=5.0, peak=25,
                      diurnal=10.0, rh=64, syn=4.5, name="Melbourne"),
}

INDOOR_C = 20.5  # treadmill room

# --------------------------------------------------------------------------- scenarios


@dataclass
class Scenario:
    """What a season holds; every field has a plain meaning (see SCENARIOS)."""

    name: str
    planted: tuple[str, ...] = ()
    heat_or5: float = 0.0  # odds ratio per 5 °C above the reference, per hour on the feet
    streak_or: float = 0.0  # odds ratio per extra consecutive running day
    acwr_beta: float = 0.0  # log-odds per unit of acute:chronic distance ratio above 1
    shoe_or: float = 0.0  # odds ratio of the causal pair against the others
    longrun_before_or: float = 0.0  # odds ratio when the day before held a run >= 15 km
    badweeks_sd: float = 0.0  # marginal sd of a daily AR(1) (phi 0.9) on the log-odds
    trend_logodds: float = 0.0  # log-odds added from the first to the last journal day
    stop_after_onset: bool = False  # the runner cuts the run short once numb
    form: str = "logistic"  # 'logistic', 'constant_hazard' (1-exp(-lambda t)), 'per_run' (constant p)
    target_numb: float = 27.0  # expected numb runs in the journal period
    months: int = 10  # history length
    journal_months: float = 7.5  # journal period (the last months of the history)
    weather_file: bool = True
    notes_file: bool = False
    phone_share: float = 0.0  # share of the runner's runs from a phone app without temperature
    partner: bool = False
    spikes: str = "normal"  # 'normal' or 'strong' (too much too soon, no extra run days)
    long_on_hot: bool = False  # long runs on the hotter weekend day, late morning, longer in summer
    description: str = ""


def _heat(name, **kw):
    base = dict(planted=("hydration",), heat_or5=2.2)
    base.update(kw)
    return Scenario(name=name, **base)


SCENARIOS: dict[str, Scenario] = {}


def _add(s: Scenario) -> None:
    SCENARIOS[s.name] = s


_add(_heat("heat", description="heat (~27 numb runs), weather file"))
_add(_heat("heat_nowx", weather_file=False, description="heat (~27 numb runs), no weather file (wrist temperature)"))
_add(_heat("heat_few", target_numb=8, description="heat with only ~8 numb runs, weather file"))
_add(_heat("heat_few_nowx", target_numb=8, weather_file=False,
           description="heat with only ~8 numb runs, no weather file"))
_add(Scenario("spike", planted=("overtraining",), acwr_beta=2.5, spikes="strong", weather_file=False,
              description="too much too soon: risk follows the acute:chronic distance ratio (spikes, same run days)"))
_add(_heat("heat_phone", weather_file=False, phone_share=0.35,
           description="heat; 35 % of runs from a phone app without temperature; no weather file"))
_add(_heat("heat_partner", partner=True, description="heat; a partner's runs in the same export, weather file"))
_add(_heat("heat_partner_nowx", partner=True, weather_file=False,
           description="heat; a partner's runs in the same export, no weather file"))
_add(_heat("heat_3y", months=36, journal_months=6, description="heat; 3 years of runs, journal the last 6 months"))
_add(Scenario("streak", planted=("overtraining",), streak_or=1.9, weather_file=False, notes_file=True,
              description="consecutive running days (notes with shoes that do nothing)"))
_add(Scenario("shoes", planted=("footwear",), shoe_or=3.0, weather_file=False, notes_file=True,
              description="one causal pair of shoes (run notes)"))
_add(_heat("heat_longhot", long_on_hot=True, description="heat with long runs put on hot days, weather file"))
_add(_heat("heat_longhot_nowx", long_on_hot=True, weather_file=False,
           description="heat with long runs put on hot days, no weather file"))
_add(_heat("heat_streak", planted=("hydration", "overtraining"), streak_or=1.9,
           description="heat + consecutive days, weather file"))
_add(Scenario("null_badweeks", badweeks_sd=1.0, description="no cause: latent bad weeks, AR(1) phi 0.9/day"))
_add(Scenario("null_longrun_before", longrun_before_or=3.5,
              description="no cause in the catalogue: a run >= 15 km the day before"))
_add(Scenario("null_trend_stop", trend_logodds=1.6, stop_after_onset=True, weather_file=False,
              description="no cause: risk rises over the journal, runner stops soon after onset"))
_add(Scenario("null_constant", form="constant_hazard", description="no cause: constant risk per minute"))
_add(Scenario("null_plain", form="per_run", weather_file=False, notes_file=True,
              description="no cause: constant risk per run (notes with shoes that do nothing)"))


# --------------------------------------------------------------------------- weather


def _ar1(rng, n, phi, sd):
    """Stationary AR(1) with marginal sd."""
    e = rng.normal(0.0, sd * math.sqrt(1 - phi * phi), n)
    e[0] = rng.normal(0.0, sd)
    return lfilter([1.0], [1.0, -phi], e)


def make_weather(rng, city, start_utc: pd.Timestamp, end_utc: pd.Timestamp) -> pd.DataFrame:
    """Hourly air temperature and humidity: season + day cycle + synoptic spells.

    Synoptic weather is two AR(1) processes: a slow one (phi 0.8 per day, multi-day warm
    and cold spells) at hourly resolution and a fast day-to-day one (phi 0.3), plus a daily
    cloudiness that scales the day cycle and a small hourly noise.
    """
    c = CITIES[city]
    times = pd.date_range(start_utc.floor("h"), end_utc.ceil("h"), freq="h", tz="UTC")
    n = len(times)
    loc = times.tz_convert(c["tz"])
    doy = loc.day_of_year.to_numpy()
    hour = loc.hour.to_numpy() + loc.minute.to_numpy() / 60
    season = c["mean"] + c["amp"] * np.cos(2 * np.pi * (doy - c["peak"]) / 365.25)
    slow = _ar1(rng, n, 0.8 ** (1 / 24), c["syn"])
    ndays = n // 24 + 3
    fast_d = _ar1(rng, ndays, 0.3, 1.3)
    cloud_d = np.clip(0.8 + _ar1(rng, ndays, 0.5, 0.3), 0.25, 1.3)
    day_idx = (np.arange(n) + 0.5) / 24
    fast = np.interp(day_idx, np.arange(ndays), fast_d)
    cloud = cloud_d[np.minimum(np.arange(n) // 24, ndays - 1)]
    # day cycle: minimum at 05:00, maximum at 15:00 local, asymmetric
    shape = np.where((hour >= 5) & (hour < 15), -np.cos(np.pi * (hour - 5) / 10),
                     np.cos(np.pi * ((hour - 15) % 24) / 14))
    diurnal = 0.5 * c["diurnal"] * cloud * shape
    temp = season + slow + fast + diurnal + rng.normal(0, 0.3, n)
    rh = c["rh"] - 2.2 * diurnal - 1.2 * (slow + fast) + _ar1(rng, n, 0.97, 7.0) + 10 * (cloud - 0.8)
    rh = np.clip(rh, 12, 100)
    return pd.DataFrame({"time": times, "air_temp_c": temp, "rel_humidity_pct": rh})


# --------------------------------------------------------------------------- routes


@dataclass
class Route:
    name: str
    kind: str  # 'loop' or 'outback'
    xyz: np.ndarray  # (n, 3) every 5 m of arc length: east, north [m], elevation [m]
    lights: tuple[float, ...] = ()  # distances of crossings with traffic lights [m]

    @property
    def length(self) -> float:
        return 5.0 * (len(self.xyz) - 1)

    def at(self, s: np.ndarray, total: float) -> np.ndarray:
        """Position for distances s along a run of length total."""
        if self.kind == "loop":
            u = np.mod(s, self.length)
        else:
            u = np.where(s <= total / 2, s, total - s)
            u = np.clip(u, 0, self.length)
        i = u / 5.0
        i0 = np.clip(np.floor(i).astype(int), 0, len(self.xyz) - 2)
        f = (i - i0)[:, None]
        return self.xyz[i0] * (1 - f) + self.xyz[i0 + 1] * f


def _resample(points: np.ndarray) -> np.ndarray:
    """Resample a dense polyline (x, y, z) to 5 m of arc length."""
    seg = np.hypot(np.diff(points[:, 0]), np.diff(points[:, 1]))
    s = np.concatenate([[0], np.cumsum(seg)])
    grid = np.arange(0, s[-1], 5.0)
    return np.column_stack([np.interp(grid, s, points[:, k]) for k in range(3)])


def make_routes(rng) -> dict[str, Route]:
    """Four routes from home: a flat park loop, a river path, a hill out-and-back, a ridge loop."""
    routes = {}
    base_ele = rng.uniform(20, 400)
    # park loop ~5.3 km, gentle
    th = np.linspace(0, 2 * np.pi, 4000)
    ph = rng.uniform(0, 2 * np.pi)
    r = 1.0 + 0.25 * np.cos(2 * th + ph) + 0.08 * np.sin(3 * th)
    x, y = r * np.cos(th), r * np.sin(th)
    x, y = x - x[0], y - y[0]
    per = np.sum(np.hypot(np.diff(x), np.diff(y)))
    k = 5300 / per
    z = base_ele + 6 * np.sin(th * 2 + 1.0) + 3 * np.sin(5 * th)
    routes["park"] = Route("park", "loop", _resample(np.column_stack([k * x, k * y, z])), lights=(350.0,))
    # river path, 18 km one way, meandering, slight slope
    h0 = rng.uniform(0, 2 * np.pi)
    s = np.linspace(0, 18500, 8000)
    lat_off = 300 * np.sin(s / 1300) + 120 * np.sin(s / 370 + 1)
    x = s * np.cos(h0) - lat_off * np.sin(h0)
    y = s * np.sin(h0) + lat_off * np.cos(h0)
    z = base_ele - 0.0015 * s + 2 * np.sin(s / 900)
    routes["river"] = Route("river", "outback", _resample(np.column_stack([x, y, z])), lights=(400.0, 1900.0))
    # hill out-and-back: 1.5 km flat then 150 m up over 4 km, steeper ramps
    h1 = h0 + rng.uniform(1.8, 4.4)
    s = np.linspace(0, 6500, 3000)
    climb = np.clip((s - 1500) / 4000, 0, 1)
    z = base_ele + 150 * (climb + 0.06 * np.sin(2 * np.pi * climb * 3)) * (climb > 0)
    x = s * np.cos(h1) + 150 * np.sin(s / 500) * np.sin(h1)
    y = s * np.sin(h1) - 150 * np.sin(s / 500) * np.cos(h1)
    routes["hill"] = Route("hill", "outback", _resample(np.column_stack([x, y, z])), lights=(300.0,))
    # ridge loop ~16.5 km with two climbs (~280 m)
    th = np.linspace(0, 2 * np.pi, 6000)
    r = 1.0 + 0.35 * np.cos(th + rng.uniform(0, 6)) + 0.1 * np.cos(4 * th)
    x, y = r * np.cos(th), r * np.sin(th)
    x, y = x - x[0], y - y[0]
    per = np.sum(np.hypot(np.diff(x), np.diff(y)))
    k = 16500 / per
    z = base_ele + 90 * (1 - np.cos(2 * th)) / 2 * (1 + 0.5 * np.sin(th)) + 10 * np.sin(7 * th)
    routes["ridge"] = Route("ridge", "loop", _resample(np.column_stack([k * x, k * y, z])), lights=())
    return routes


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    who: str
    easy_mps: float
    cadence_spm: float  # at easy pace, on the flat
    hr_rest: float
    hr_max: float
    hr_frac0: float  # HR reserve fraction at rest pace 0 (intercept) ...
    hr_frac_v: float  # ... and per unit of speed / easy speed
    wrist_k: float  # share of the gap to skin temperature a wrist sensor reads
    warmup_mean_min: float
    day_probs: np.ndarray  # Mon..Sun
    morning_share: float
    week_km0: float


def make_runner(rng) -> Person:
    probs = np.array([0.2, 0.85, 0.35, 0.8, 0.15, 0.45, 0.9])
    if rng.random() < 0.5:  # some runners keep Saturday for the long run
        probs[5], probs[6] = probs[6], probs[5]
    if rng.random() < 0.5:
        probs[[1, 2]] = probs[[2, 1]]
    return Person("runner", easy_mps=rng.uniform(2.75, 3.2), cadence_spm=rng.uniform(164, 176),
                  hr_rest=rng.uniform(46, 56), hr_max=rng.uniform(182, 195), hr_frac0=0.30, hr_frac_v=0.40,
                  wrist_k=rng.uniform(0.2, 0.32), warmup_mean_min=rng.uniform(4, 12), day_probs=probs,
                  morning_share=rng.uniform(0.45, 0.85), week_km0=rng.uniform(26, 42))


def make_partner(rng) -> Person:
    return Person("partner", easy_mps=rng.uniform(2.4, 2.65), cadence_spm=rng.uniform(154, 162),
                  hr_rest=rng.uniform(58, 66), hr_max=rng.uniform(184, 194), hr_frac0=0.38, hr_frac_v=0.42,
                  wrist_k=rng.uniform(0.2, 0.32), warmup_mean_min=2.0,
                  day_probs=np.array([0.7, 0.1, 0.7, 0.15, 0.6, 0.1, 0.25]), morning_share=0.05,
                  week_km0=rng.uniform(14, 20))


# --------------------------------------------------------------------------- runs


@dataclass
class Run:
    who: str
    date: pd.Timestamp  # local date
    start_local: pd.Timestamp  # naive local wall clock
    kind: str  # easy, long, tempo, intervals, recovery, double
    plan_km: float
    route: str = "park"
    device: str = "garmin_gpx"  # garmin_gpx, phone_gpx, watch_fit (treadmill / no GPS), partner_fit
    treadmill: bool = False
    no_gps: bool = False
    missed_start_s: float = 0.0
    forgot_stop_s: float = 0.0
    warmup_min: float = 0.0
    warmup_factor: float = 1.0
    cadence_offset: float = 0.0
    shoes: str = ""
    # filled by simulate()
    track: dict = field(default_factory=dict)
    start_utc: pd.Timestamp | None = None
    duration_s: float = 0.0  # true time on the feet (watch or not)
    distance_m: float = 0.0
    air_mid_c: float = float("nan")  # the air the runner ran in, at mid-run
    # risk
    tracked: bool = False
    streak: int = 1
    acwr: float = 1.0
    prev_day_km: float = 0.0
    latent: float = 0.0
    p: float = 0.0
    numb: bool = False
    onset_min: float = float("nan")  # true onset [min from the true start]
    file: str = ""


def _utc(tz, local: pd.Timestamp) -> pd.Timestamp:
    return local.tz_localize(tz, ambiguous=False, nonexistent="shift_forward").tz_convert("UTC")


def plan_runner(rng, sc: Scenario, person: Person, days: pd.DatetimeIndex, daily_temp: pd.Series,
                city: dict) -> list[Run]:
    """The runner's runs: weekly mileage in build/recovery blocks with spikes, holiday, injury."""
    weeks = pd.date_range(days[0] - pd.Timedelta(days=days[0].day_of_week), days[-1], freq="7D")
    nw = len(weeks)
    hol = int(rng.integers(6, max(7, nw - 4)))
    inj = int(rng.integers(3, max(4, nw - 3)))
    while abs(inj - hol) < 4 and nw > 12:
        inj = int(rng.integers(3, max(4, nw - 3)))
    hol_start = weeks[hol] + pd.Timedelta(days=int(rng.integers(0, 7)))
    hol_days = set(pd.date_range(hol_start, periods=14, freq="D"))
    inj_start = weeks[inj] + pd.Timedelta(days=int(rng.integers(0, 7)))
    inj_len = int(rng.integers(10, 22))
    inj_days = set(pd.date_range(inj_start, periods=inj_len, freq="D"))
    block = [1.0, 1.07, 1.14, 0.78]
    trend = 1 + 0.35 * np.sin(np.pi * np.arange(nw) / max(nw - 1, 1)) ** 2 * rng.uniform(0.3, 1.0)
    p_spike, spike_lo, spike_hi = (0.07, 1.3, 1.55) if sc.spikes == "normal" else (0.2, 1.5, 2.1)
    runs: list[Run] = []
    for w, wk in enumerate(weeks):
        mult = block[w % 4] * trend[w] * math.exp(rng.normal(0, 0.08))
        spike = rng.random() < p_spike
        if spike:
            mult *= rng.uniform(spike_lo, spike_hi)
        after_inj = (wk - inj_start).days
        if 0 <= after_inj - inj_len < 21:
            mult *= 0.5 + 0.5 * (after_inj - inj_len) / 21
        target = person.week_km0 * mult
        wdays = [wk + pd.Timedelta(days=i) for i in range(7)]
        run_day = rng.random(7) < person.day_probs
        if sc.spikes == "normal" and mult > 1.3 and rng.random() < 0.5 and (~run_day).any():
            run_day[int(rng.choice(np.flatnonzero(~run_day)))] = True  # more mileage, one more day
        # the long run: Sunday or Saturday by habit, or the hotter of the two
        wkend = [5, 6] if person.day_probs[6] >= person.day_probs[5] else [6, 5]
        long_d = wkend[0]
        if sc.long_on_hot:
            t5 = daily_temp.get(wdays[5], np.nan)
            t6 = daily_temp.get(wdays[6], np.nan)
            long_d = 5 if (np.nan_to_num(t5) > np.nan_to_num(t6)) else 6
            run_day[long_d] = True
        if not run_day[long_d]:
            long_d = wkend[1] if run_day[wkend[1]] else None
        n_runs = int(run_day.sum())
        if n_runs == 0:
            continue
        quality = next((d for d in (1, 3, 2) if run_day[d] and d != long_d), None)
        shares = np.zeros(7)
        for d in np.flatnonzero(run_day):
            shares[d] = rng.uniform(0.8, 1.2)
        if long_d is not None:
            shares[long_d] = max(2.3, 0.3 * shares.sum() / 0.7)
        if sc.long_on_hot and long_d is not None:
            # training for an autumn race: long runs grow with the summer
            tl = daily_temp.get(wdays[long_d], city["mean"])
            shares[long_d] *= float(np.clip(1 + 0.05 * (tl - city["mean"]), 0.7, 1.6))
        km = target * shares / shares.sum()
        for d in np.flatnonzero(run_day):
            day = wdays[d]
            if day < days[0] or day > days[-1] or day in hol_days or day in inj_days:
                continue
            kind = "long" if d == long_d else ("tempo" if d == quality else "easy")
            if kind == "tempo" and rng.random() < 0.4:
                kind = "intervals"
            if d > 0 and long_d is not None and d == long_d + 1:
                kind = "recovery"
            dist = float(np.clip(km[d] * (0.7 if kind == "recovery" else 1.0), 3.0, 34.0))
            if d in (5, 6):
                hh = rng.uniform(7.5, 10.5)
                if sc.long_on_hot and kind == "long":
                    hh = rng.uniform(10.0, 12.0)
            elif rng.random() < person.morning_share:
                hh = rng.uniform(6.2, 7.6)
            else:
                hh = rng.uniform(17.8, 19.8)
            runs.append(Run("runner", day, day + pd.Timedelta(hours=hh), kind, dist))
            if kind in ("easy", "recovery") and rng.random() < 0.03 and hh < 12:  # a double day
                runs.append(Run("runner", day, day + pd.Timedelta(hours=rng.uniform(18.0, 19.5)), "double",
                                rng.uniform(4, 6.5)))
    return runs


def plan_partner(rng, person: Person, days: pd.DatetimeIndex) -> list[Run]:
    runs = []
    for day in days:
        if rng.random() < person.day_probs[day.day_of_week]:
            hh = rng.uniform(18.4, 20.1) if day.day_of_week < 5 else rng.uniform(16.5, 18.5)
            runs.append(Run("partner", day, day + pd.Timedelta(hours=hh), "easy", rng.uniform(4.5, 8.5),
                            device="partner_fit"))
    return runs


# --------------------------------------------------------------------------- one run's track


def simulate(rng, run: Run, person: Person, routes: dict[str, Route], wx_unix: np.ndarray, wx_temp: np.ndarray,
             tz: str, cut_at_s: float | None = None) -> None:
    """The run's samples: speed from route grade, warm-up, heat, fatigue; HR, cadence, wrist temperature."""
    start = _utc(tz, run.start_local)
    run.start_utc = start
    t_start = start.value / 1e9
    air0 = float(np.interp(t_start, wx_unix, wx_temp))
    air_run = INDOOR_C if run.treadmill else air0
    route = routes[run.route]
    total = run.plan_km * 1000
    if route.kind == "loop":
        laps = max(1, round(total / route.length))
        total = laps * route.length
    else:
        total = min(total, 2 * route.length)
    ds = 5.0
    s = np.arange(0, total + ds, ds)
    pos = route.at(s, total)
    z = pos[:, 2] if not run.treadmill else np.full(len(s), pos[0, 2])
    grade = np.clip(np.gradient(z, ds), -0.15, 0.15)
    grade = np.convolve(grade, np.ones(5) / 5, mode="same")
    v0 = person.easy_mps * {"easy": 1.0, "long": 0.95, "tempo": 1.14, "intervals": 1.0, "recovery": 0.9,
                            "double": 0.97}[run.kind]
    v0 *= math.exp(rng.normal(0, 0.03))
    heat_slow = 1 - 0.008 * max(0.0, air_run - 12)
    t_nom = s / v0
    v = v0 * heat_slow * np.ones(len(s))
    if run.kind == "intervals":
        rep = np.mod(t_nom - 900, 300)
        v = np.where((t_nom > 900) & (t_nom < 900 + 6 * 300) & (rep < 180), v * 1.3, v * np.where(
            (t_nom > 900) & (t_nom < 900 + 6 * 300), 0.8, 1.0))
    if run.kind == "tempo":
        v = np.where((t_nom > 900) & (t_nom < t_nom[-1] - 600), v, v / 1.14)
    wu = run.warmup_min * 60
    if wu > 0:
        ramp = np.clip(t_nom / wu, 0, 1)
        v = v * (run.warmup_factor + (1 - run.warmup_factor) * ramp)
    if not run.treadmill:
        v = v * np.where(grade > 0, np.exp(-3.2 * grade), 1 + np.minimum(1.2 * -grade, 0.08))
    v = v * (1 - 0.025 * t_nom / 3600)
    v = v * np.exp(_ar1(rng, len(s), 0.97, 0.035))
    v = np.clip(v, 0.8, 7.0)
    dt = ds / v
    # traffic lights: a stop of 10-45 s at a crossing, now and then
    if not run.treadmill and route.lights:
        pass_at = []
        for L in route.lights:
            if route.kind == "loop":
                pass_at += [L + k * route.length for k in range(int(total // route.length) + 1)]
            else:
                pass_at += [L, total - L]
        for pa in pass_at:
            if 0 < pa < total and rng.random() < 0.35:
                dt[int(pa // ds)] += rng.uniform(10, 45)
    t_at_s = np.concatenate([[0], np.cumsum(dt[:-1])])
    dur = float(t_at_s[-1])
    if cut_at_s is not None and cut_at_s < dur:
        keep = t_at_s <= cut_at_s
        s, t_at_s, pos, z, grade = s[keep], t_at_s[keep], pos[keep], z[keep], grade[keep]
        dur = float(t_at_s[-1])
        total = float(s[-1])
    run.duration_s, run.distance_m = dur, total
    run.air_mid_c = INDOOR_C if run.treadmill else float(np.interp(t_start + dur / 2, wx_unix, wx_temp))
    # recording instants: smart recording, 1-7 s apart
    gaps = 1 + rng.geometric(0.27, size=int(dur / 1.5) + 10)
    tr = np.concatenate([[0.0], np.cumsum(np.minimum(gaps, 8))])
    tr = tr[tr <= dur]
    if tr[-1] < dur:
        tr = np.append(tr, dur)
    sr = np.interp(tr, t_at_s, s)
    vr = np.interp(tr, t_at_s[:-1] + dt[: len(t_at_s) - 1] / 2, ds / dt[: len(t_at_s) - 1]) if len(
        t_at_s) > 1 else np.full(len(tr), v0)
    # stopped at a light: speed ~0 where time advances without distance
    moving = np.gradient(sr, tr) > 0.5
    vr = np.where(moving, vr, 0.0)
    gr = np.interp(sr, s, grade)
    xyz = np.column_stack([np.interp(sr, s, pos[:, k]) for k in range(3)])
    air = INDOOR_C if run.treadmill else np.interp(t_start + tr, wx_unix, wx_temp)
    # heart rate: reserve fraction from speed and grade, heat, drift; first-order lag
    frac = person.hr_frac0 + person.hr_frac_v * vr / person.easy_mps + 2.5 * gr * (vr > 0)
    frac = np.where(vr > 0, frac, 0.25)
    target = person.hr_rest + (person.hr_max - person.hr_rest) * np.clip(frac, 0.15, 0.98)
    target += 0.6 * np.maximum(air - 15, 0) + 0.08 * np.maximum(tr / 60 - 20, 0) + rng.normal(0, 3)
    hr = np.empty(len(tr))
    h = person.hr_rest + 25
    for i in range(len(tr)):
        a = 1 - math.exp(-(tr[i] - tr[i - 1]) / 35) if i else 0.0
        h += a * (target[i] - h)
        hr[i] = h
    hr += _ar1(rng, len(tr), 0.9, 1.8)
    if rng.random() < 0.05:  # optical sensor locked on cadence for the first minutes
        lock = tr < rng.uniform(120, 420)
        hr[lock] = person.cadence_spm + rng.normal(0, 2, lock.sum())
    hr = np.clip(hr, 40, 215)
    # cadence [steps/min]
    cad = person.cadence_spm + run.cadence_offset + 8 * (vr - person.easy_mps) + 40 * np.maximum(gr, 0)
    cad += -1.0 * tr / 3600 + _ar1(rng, len(tr), 0.8, 1.6)
    cad = np.where(vr > 0, np.clip(cad, 120, 215), 0.0)
    # wrist temperature: body heat pulls it toward skin temperature; starts from indoors or from the air
    t0w = rng.uniform(21, 25) if rng.random() < 0.6 else air0 + 1
    eq = air + 1.0 + person.wrist_k * (33 - air) + (rng.uniform(0, 2.0) if not run.treadmill else 0.0)
    wrist = eq + (t0w - eq) * np.exp(-tr / 420) + np.minimum(0.025 * tr / 60, 2.0) + _ar1(rng, len(tr), 0.95, 0.3)
    # GPS noise: correlated error, sometimes a bad stretch
    en = np.column_stack([_ar1(rng, len(tr), 0.95, 2.5), _ar1(rng, len(tr), 0.95, 2.5)])
    if rng.random() < 0.3:
        a = int(rng.integers(0, max(1, len(tr) - 20)))
        en[a:a + 20] += rng.normal(0, 6, (min(20, len(tr) - a), 2))
    ele = xyz[:, 2] + rng.normal(0, 8) + _ar1(rng, len(tr), 0.98, 0.6)
    tt = t_start + tr
    # the watch started late, or kept recording a walk after the run
    keep = tr >= run.missed_start_s
    tr_rec = tr[keep]
    tr_rec = tr_rec - tr_rec[0]
    trk = dict(unix=tt[keep], east=xyz[keep, 0] + en[keep, 0], north=xyz[keep, 1] + en[keep, 1], ele=ele[keep],
               hr=hr[keep], cad=cad[keep], temp=wrist[keep], dist=sr[keep] - sr[keep][0])
    if run.forgot_stop_s > 0:
        k = int(run.forgot_stop_s // 4)
        tw = tt[-1] + 4 * np.arange(1, k + 1)
        walk = 1.3 * 4 * np.arange(1, k + 1) * (np.arange(1, k + 1) < k * 0.6)
        ang = rng.uniform(0, 2 * np.pi)
        trk["unix"] = np.append(trk["unix"], tw)
        trk["east"] = np.append(trk["east"], trk["east"][-1] + walk * math.cos(ang) + rng.normal(0, 2, k))
        trk["north"] = np.append(trk["north"], trk["north"][-1] + walk * math.sin(ang) + rng.normal(0, 2, k))
        trk["ele"] = np.append(trk["ele"], np.full(k, trk["ele"][-1]))
        trk["hr"] = np.append(trk["hr"], np.linspace(trk["hr"][-1], person.hr_rest + 30, k))
        trk["cad"] = np.append(trk["cad"], np.where(walk > np.append(0, walk[:-1]), 112.0, 0.0))
        trk["temp"] = np.append(trk["temp"], np.full(k, trk["temp"][-1]))
        trk["dist"] = np.append(trk["dist"], trk["dist"][-1] + walk)
    run.track = trk


# --------------------------------------------------------------------------- risk


def _streaks(runs: list[Run]) -> None:
    dates = sorted({r.date for r in runs})
    streak, prev, by = 0, None, {}
    for d in dates:
        streak = streak + 1 if prev is not None and (d - prev).days == 1 else 1
        by[d], prev = streak, d
    daily = pd.Series(0.0, index=pd.date_range(dates[0] - pd.Timedelta(days=28), dates[-1], freq="D"))
    for r in runs:
        daily[r.date] += r.distance_m / 1000
    acute = daily.shift(1).rolling(7, min_periods=1).sum()
    chronic = daily.shift(1).rolling(28, min_periods=1).sum() / 4
    for r in runs:
        r.streak = by[r.date]
        c = chronic.get(r.date, 0.0)
        r.acwr = float(acute.get(r.date, 0.0) / c) if c > 3 else 1.0
        r.prev_day_km = float(daily.get(r.date - pd.Timedelta(days=1), 0.0))


def linear_predictor(sc: Scenario, runs: list[Run], t_ref: float, j0, j1, shoe_bad: str) -> np.ndarray:
    """Everything but alpha, per run (time on the feet included)."""
    hours = np.array([r.duration_s / 3600 for r in runs])
    eta = np.zeros(len(runs)) if sc.form == "per_run" else np.log(hours)
    if sc.heat_or5:
        g = math.log(sc.heat_or5) / 5
        eta += g * np.array([(r.air_mid_c - t_ref) for r in runs]) * hours
    if sc.streak_or:
        eta += math.log(sc.streak_or) * np.array([r.streak - 1 for r in runs])
    if sc.acwr_beta:
        eta += sc.acwr_beta * np.array([r.acwr - 1 for r in runs])
    if sc.shoe_or:
        eta += math.log(sc.shoe_or) * np.array([r.shoes == shoe_bad for r in runs])
    if sc.longrun_before_or:
        eta += math.log(sc.longrun_before_or) * np.array([r.prev_day_km >= 15 for r in runs])
    if sc.badweeks_sd:
        eta += np.array([r.latent for r in runs])
    if sc.trend_logodds:
        span = max((j1 - j0).days, 1)
        eta += sc.trend_logodds * np.array([((r.date - j0).days / span) - 0.5 for r in runs])
    return eta


def probability(sc: Scenario, alpha: float, eta: np.ndarray, runs: list[Run]) -> np.ndarray:
    if sc.form == "constant_hazard":
        minutes = np.array([r.duration_s / 60 for r in runs])
        return 1 - np.exp(-math.exp(alpha) * minutes)
    return 1 / (1 + np.exp(-(alpha + eta)))


def calibrate(sc: Scenario, eta: np.ndarray, runs: list[Run], target: float) -> float:
    lo, hi = -20.0, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if probability(sc, mid, eta, runs).sum() < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def draw_onset(rng, sc: Scenario, run: Run, t_ref: float) -> float:
    """Onset minute from a hazard profile: none in the first minutes, heat makes it later-heavy."""
    dur_min = run.duration_s / 60
    m = np.arange(0.5, max(dur_min, 1.0), 1.0)
    w = np.clip((m - 3) / 12, 0, 1)
    if sc.heat_or5:
        dT = max(run.air_mid_c - t_ref, 0)
        w = w * np.exp(math.log(sc.heat_or5) / 5 * dT * m / 60)
    if sc.form == "constant_hazard":
        w = np.ones(len(m))
    if w.sum() <= 0:
        w = np.ones(len(m))
    i = rng.choice(len(m), p=w / w.sum())
    return float(m[i] + rng.uniform(-0.5, 0.5))


# --------------------------------------------------------------------------- writers


def _ll(lat0, lon0, east, north):
    return lat0 + north / 111_320.0, lon0 + east / (111_320.0 * math.cos(math.radians(lat0)))


def _iso(unix_s: float, frac: bool) -> str:
    t = pd.Timestamp(unix_s, unit="s")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (".000Z" if frac else "Z")


def write_gpx(path, run: Run, lat0, lon0, city_name: str, phone: bool) -> None:
    tr = run.track
    lat, lon = _ll(lat0, lon0, tr["east"], tr["north"])
    out = []
    if phone:
        out.append('<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="StravaGPX" '
                   'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.topografix'
                   '.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd" version="1.1" '
                   'xmlns="http://www.topografix.com/GPX/1/1" '
                   'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
                   'xmlns:gpxx="http://www.garmin.com/xmlschemas/GpxExtensions/v3">\n')
        out.append(f" <metadata>\n  <time>{_iso(tr['unix'][0], False)}</time>\n </metadata>\n <trk>\n"
                   f"  <name>{'Morning' if run.start_local.hour < 12 else 'Evening'} Run</name>\n"
                   "  <type>9</type>\n  <trkseg>\n")
        for i in range(len(lat)):
            out.append(f'   <trkpt lat="{lat[i]:.7f}" lon="{lon[i]:.7f}">\n    <ele>{tr["ele"][i]:.1f}</ele>\n'
                       f'    <time>{_iso(tr["unix"][i], False)}</time>\n    <extensions>\n'
                       f'     <gpxtpx:TrackPointExtension>\n      <gpxtpx:hr>{round(tr["hr"][i])}</gpxtpx:hr>\n'
                       f'      <gpxtpx:cad>{round(tr["cad"][i] / 2)}</gpxtpx:cad>\n'
                       '     </gpxtpx:TrackPointExtension>\n    </extensions>\n   </trkpt>\n')
        out.append("  </trkseg>\n </trk>\n</gpx>\n")
    else:
        out.append('<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="Garmin Connect" version="1.1"\n'
                   '  xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/11.xsd"\n'
                   '  xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"\n'
                   '  xmlns="http://www.topografix.com/GPX/1/1"\n'
                   '  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                   'xmlns:ns2="http://www.garmin.com/xmlschemas/GpxExtensions/v3">\n')
        out.append(f'  <metadata>\n    <link href="connect.garmin.com">\n      <text>Garmin Connect</text>\n'
                   f'    </link>\n    <time>{_iso(tr["unix"][0], True)}</time>\n  </metadata>\n  <trk>\n'
                   f'    <name>{city_name} Running</name>\n    <type>running</type>\n    <trkseg>\n')
        for i in range(len(lat)):
            out.append(f'      <trkpt lat="{lat[i]:.15f}" lon="{lon[i]:.15f}">\n'
                       f'        <ele>{tr["ele"][i]:.1f}</ele>\n        <time>{_iso(tr["unix"][i], True)}</time>\n'
                       '        <extensions>\n          <ns3:TrackPointExtension>\n'
                       f'            <ns3:atemp>{round(tr["temp"][i]):.1f}</ns3:atemp>\n'
                       f'            <ns3:hr>{round(tr["hr"][i])}</ns3:hr>\n'
                       f'            <ns3:cad>{round(tr["cad"][i] / 2)}</ns3:cad>\n'
                       '          </ns3:TrackPointExtension>\n        </extensions>\n      </trkpt>\n')
        out.append("    </trkseg>\n  </trk>\n</gpx>\n")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("".join(out))


def write_fit(path, run: Run, lat0, lon0, tz: str, partner: bool) -> None:
    tr = run.track
    gps = not (run.treadmill or run.no_gps)
    lat, lon = _ll(lat0, lon0, tr["east"], tr["north"]) if gps else (None, None)
    off = run.start_utc.tz_convert(tz).utcoffset().total_seconds()
    write_run_fit(path, unix_s=tr["unix"], distance_m=tr["dist"] * (run.track.get("pod", 1.0)), hr_bpm=tr["hr"],
                  cadence_spm=tr["cad"], temp_c=tr["temp"], lat_deg=lat, lon_deg=lon,
                  altitude_m=tr["ele"] if gps else None, utc_offset_s=off,
                  product=2431 if partner else 2691, serial=3_800_000_000 + (7 if partner else 1),
                  sub_sport=1 if run.treadmill else 0)


# --------------------------------------------------------------------------- the season


def _seed_seq(name: str, seed: int) -> np.random.Generator:
    return np.random.default_rng([zlib.crc32(name.encode()), seed])


def generate(scenario: str | Scenario, seed: int, out: str, files: bool = True) -> dict:
    """Write one season into folder *out*; return its truth (also written as truth.json).

    ``files=False`` writes no activity file (the truth and the journal only: same draws).
    """
    sc = SCENARIOS[scenario] if isinstance(scenario, str) else scenario
    rng = _seed_seq(sc.name, seed)
    city_key = str(rng.choice(sorted(CITIES)))
    city = CITIES[city_key]
    tz = city["tz"]
    first = pd.Timestamp(int(rng.integers(2019, 2024)), int(rng.integers(1, 13)), 1) + pd.Timedelta(
        days=int(rng.integers(0, 28)))
    days = pd.date_range(first, first + pd.DateOffset(months=sc.months), freq="D")
    j0 = days[-1] - pd.Timedelta(days=int(sc.journal_months * 30.44))
    j1 = days[-1]
    wx = make_weather(rng, city_key, _utc(tz, days[0]) - pd.Timedelta(days=2), _utc(tz, days[-1]) + pd.Timedelta(
        days=2))
    wx_unix = (wx["time"] - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy()
    wx_temp = wx["air_temp_c"].to_numpy()
    daily_temp = _daily_mean(wx, tz)
    runner = make_runner(rng)
    routes = make_routes(rng)
    runs = plan_runner(rng, sc, runner, days, daily_temp, city)
    partner = make_partner(rng) if sc.partner else None
    if partner is not None:
        runs += plan_partner(rng, partner, days)
    runs.sort(key=lambda r: r.start_local)
    # habits per run: route, device, warm-up, cadence, shoes, recording slips
    shoe_names = ["Pegasus 39", "Clifton 8", "Kinvara 13"]
    phone_state = False
    for r in runs:
        person = runner if r.who == "runner" else partner
        dmean = daily_temp.get(r.date, city["mean"])
        if r.who == "runner":
            if (dmean < -2 and rng.random() < 0.6) or rng.random() < 0.035:
                r.treadmill, r.device = True, "watch_fit"
            elif rng.random() < 0.02:
                r.no_gps, r.device = True, "watch_fit"
            if sc.phone_share and not r.treadmill and not r.no_gps:
                # a second device used in stretches (watch charging, broken, left at home)
                stay = 0.85
                p_on = sc.phone_share * (1 - stay) / (1 - sc.phone_share) if not phone_state else stay
                phone_state = rng.random() < (p_on if not phone_state else stay)
                if phone_state:
                    r.device = "phone_gpx"
        r.route = _choose_route(rng, r)
        r.warmup_min = float(np.clip(rng.normal(person.warmup_mean_min, 4), 0, 20))
        r.warmup_factor = float(rng.uniform(0.8, 0.97))
        r.cadence_offset = float(rng.normal(0, 2.5))
        if r.who == "runner":
            r.missed_start_s = float(rng.uniform(60, 540)) if rng.random() < 0.03 else 0.0
            r.forgot_stop_s = float(rng.uniform(120, 600)) if rng.random() < 0.03 else 0.0
            probs = {"long": [0.7, 0.2, 0.1], "tempo": [0.1, 0.2, 0.7], "intervals": [0.1, 0.2, 0.7]}.get(
                r.kind, [0.35, 0.5, 0.15])
            r.shoes = shoe_names[int(rng.choice(3, p=probs))]
        simulate(rng, r, person, routes, wx_unix, wx_temp, tz)
        if r.treadmill:
            r.track["pod"] = float(rng.uniform(0.95, 1.07))
    mine = [r for r in runs if r.who == "runner"]
    _streaks(mine)
    if sc.badweeks_sd:
        lat_days = pd.date_range(days[0], days[-1], freq="D")
        z = pd.Series(_ar1(rng, len(lat_days), 0.9, sc.badweeks_sd), index=lat_days)
        for r in mine:
            r.latent = float(z[r.date])
    for r in mine:
        r.tracked = j0 <= r.date <= j1
    tracked = [r for r in mine if r.tracked]
    t_ref = float(np.median([r.air_mid_c for r in tracked]))
    shoe_bad = str(rng.choice(shoe_names))
    eta = linear_predictor(sc, mine, t_ref, j0, j1, shoe_bad)
    eta_tr = np.array([e for e, r in zip(eta, mine) if r.tracked])
    alpha = calibrate(sc, eta_tr, tracked, sc.target_numb)
    p = probability(sc, alpha, eta, mine)
    for r, pi in zip(mine, p):
        r.p = float(pi)
        r.numb = bool(rng.random() < pi)
        if r.numb:
            r.onset_min = draw_onset(rng, sc, r, t_ref)
            if sc.stop_after_onset:
                cut = r.onset_min * 60 + rng.uniform(60, 600)
                if cut < r.duration_s:
                    simulate(rng, r, runner, routes, wx_unix, wx_temp, tz, cut_at_s=cut)
    oracle = oracle_fit(sc, tracked, t_ref, shoe_bad)
    truth = _write_season(rng, sc, seed, out, city_key, city, days, j0, j1, wx, runs, t_ref, alpha, shoe_bad,
                          files=files)
    truth["oracle"] = oracle
    with open(os.path.join(out, "truth.json"), "w", encoding="utf-8") as fh:
        json.dump(truth, fh, indent=1)
    return truth


def oracle_fit(sc: Scenario, tracked: list[Run], t_ref: float, shoe_bad: str) -> dict:
    """The planted effects re-estimated by the true model (logistic, log-hours offset, the planted terms only).

    Tells how well a correctly specified analysis of these runs could do: its interval
    should cover the planted odds ratio in ~95 % of seasons.  Empty for no-cause seasons
    and the two other risk forms.
    """
    if sc.form != "logistic" or not sc.planted:
        return {}
    import statsmodels.api as sm

    hours = np.array([r.duration_s / 3600 for r in tracked])
    cols: dict[str, np.ndarray] = {}
    if sc.heat_or5:
        cols["hydration"] = np.array([r.air_mid_c - t_ref for r in tracked]) * hours / 5
    if sc.streak_or:
        cols["overtraining"] = np.array([r.streak - 1.0 for r in tracked])
    if sc.acwr_beta:
        cols["overtraining"] = np.array([r.acwr - 1 for r in tracked]) / 0.5
    if sc.shoe_or:
        cols["footwear"] = np.array([r.shoes == shoe_bad for r in tracked], float)
    X = sm.add_constant(np.column_stack(list(cols.values())))
    y = np.array([r.numb for r in tracked], float)
    try:
        fit = sm.GLM(y, X, family=sm.families.Binomial(), offset=np.log(hours)).fit()
    except Exception as exc:  # separation in a tiny season
        return {"error": str(exc)}
    ci = fit.conf_int()
    return {c: dict(odds_ratio=float(np.exp(fit.params[i + 1])), ci_low=float(np.exp(ci[i + 1][0])),
                    ci_high=float(np.exp(ci[i + 1][1]))) for i, c in enumerate(cols)}


def _daily_mean(wx: pd.DataFrame, tz: str) -> pd.Series:
    loc = wx["time"].dt.tz_convert(tz).dt.tz_localize(None)
    day = wx.assign(d=loc.dt.floor("D"), h=loc.dt.hour)
    return day[day["h"].between(9, 17)].groupby("d")["air_temp_c"].mean()


def _choose_route(rng, r: Run) -> str:
    if r.treadmill or r.who == "partner":
        return "park" if r.who == "partner" and rng.random() < 0.7 else ("river" if r.who == "partner" else "park")
    if r.kind == "long":
        return "ridge" if 14 <= r.plan_km <= 20 and rng.random() < 0.4 else "river"
    if r.kind in ("tempo", "intervals"):
        return "river" if rng.random() < 0.8 else "park"
    if r.kind in ("recovery", "double"):
        return "park" if rng.random() < 0.7 else "river"
    u = rng.random()
    return "park" if u < 0.45 else ("river" if u < 0.8 else "hill")


def _write_season(rng, sc, seed, out, city_key, city, days, j0, j1, wx, runs, t_ref, alpha, shoe_bad,
                  files=True) -> dict:
    tz = city["tz"]
    act = os.path.join(out, "activities")
    os.makedirs(act, exist_ok=True)
    base_id = int(rng.integers(4_000_000_000, 9_000_000_000))
    for k, r in enumerate(runs):
        aid = base_id + 137 * k + int(rng.integers(0, 100))
        if r.device in ("garmin_gpx", "phone_gpx"):
            r.file = f"activities/activity_{aid}.gpx"
            if files:
                write_gpx(os.path.join(out, r.file), r, city["lat"], city["lon"], city["name"], r.device == "phone_gpx")
        else:
            r.file = f"activities/activity_{aid}.fit"
            if files:
                write_fit(os.path.join(out, r.file), r, city["lat"], city["lon"], tz, r.who == "partner")
    mine = [r for r in runs if r.who == "runner"]
    # the journal
    ep_rows = [dict(date=j0.strftime("%Y-%m-%d"), notes="tracking started")]
    per_day = pd.Series([r.date for r in runs]).value_counts()
    locs = ["forefoot", "toes", "toes", "forefoot", "whole_foot", "midfoot", "lower_leg"]
    for r in mine:
        if not (r.tracked and r.numb):
            continue
        row: dict = dict(date=r.date.strftime("%Y-%m-%d"))
        if per_day[r.date] > 1 or rng.random() < 0.3:
            t = r.start_local + pd.Timedelta(minutes=float(rng.integers(-4, 5)))
            row["time"] = t.strftime("%H:%M")
        watch_min = r.onset_min - r.missed_start_s / 60
        u = rng.random()
        if watch_min < 0 or u < 0.05:
            pass  # not known
        elif u < 0.15 and not r.treadmill:
            km = np.interp(watch_min * 60, r.track["unix"] - r.track["unix"][0], r.track["dist"]) / 1000
            row["onset_km"] = f"{math.floor(km * 2) / 2:.1f}"
        elif u < 0.7:
            row["onset_min"] = str(max(0, int(5 * round(watch_min / 5))))
        else:
            row["onset_min"] = str(int(round(watch_min)))
        if "onset_min" in row:
            rec_min = (r.track["unix"][-1] - r.track["unix"][0]) / 60
            row["onset_min"] = str(min(int(row["onset_min"]), int(rec_min)))
        row["duration_min"] = str(int(rng.choice([5, 10, 10, 15, 20, 30])))
        row["side"] = str(rng.choice(["left", "left", "right", "both"]))
        row["location"] = str(rng.choice(locs))
        row["severity"] = str(int(rng.integers(2, 8)))
        if rng.random() < 0.25:
            row["notes"] = str(rng.choice(["hot", "long one", "had to stop", "tingling", "laces?", "went away"]))
        ep_rows.append(row)
        if rng.random() < 0.08:
            extra = dict(row)
            extra["side"] = "right" if row["side"] == "left" else "left"
            if "onset_min" in row:
                extra["onset_min"] = str(min(int(row["onset_min"]) + 5, int(rec_min)))
            ep_rows.append(extra)
    cols = ["date", "time", "onset_min", "onset_km", "duration_min", "side", "location", "severity", "notes"]
    with open(os.path.join(out, "episodes.csv"), "w", newline="", encoding="utf-8") as fh:
        wr = csv.DictWriter(fh, cols)
        wr.writeheader()
        for row in ep_rows:
            wr.writerow({c: row.get(c, "") for c in cols})
    if sc.notes_file:
        with open(os.path.join(out, "run_notes.csv"), "w", newline="", encoding="utf-8") as fh:
            wr = csv.writer(fh)
            wr.writerow(["date", "time", "shoes"])
            for r in mine:
                if rng.random() < 0.9:
                    wr.writerow([r.date.strftime("%Y-%m-%d"), r.start_local.strftime("%H:%M"), r.shoes])
    if sc.weather_file:
        w = wx[(wx["time"] >= _utc(tz, days[0]) - pd.Timedelta(days=1))]
        keep = rng.random(len(w)) > 0.01  # a station misses an hour now and then
        w = w[keep]
        with open(os.path.join(out, "weather.csv"), "w", encoding="utf-8") as fh:
            fh.write("time,air_temp_c,rel_humidity_pct\n")
            for t, a, h in zip(w["time"].dt.strftime("%Y-%m-%d %H:%M"), w["air_temp_c"], w["rel_humidity_pct"]):
                fh.write(f"{t},{a:.1f},{h:.0f}\n")
    # truth
    tracked = [r for r in mine if r.tracked]
    effects: dict = {}
    if sc.heat_or5:
        effects["hydration"] = dict(
            odds_ratio=sc.heat_or5, per="5 °C of air temperature above t_ref_c, per hour on the feet",
            coef_per_c_h=math.log(sc.heat_or5) / 5, t_ref_c=t_ref,
            exposure="(air temperature at the run's middle - t_ref_c) x hours on the feet; treadmill runs "
                     f"{INDOOR_C} °C; linear (no threshold)")
    if sc.streak_or:
        effects["overtraining"] = dict(odds_ratio=sc.streak_or, per="extra consecutive running day (streak - 1)")
    if sc.acwr_beta:
        effects["overtraining"] = dict(
            odds_ratio=math.exp(sc.acwr_beta * 0.5), per="0.5 of acute:chronic distance ratio",
            coef_per_unit=sc.acwr_beta,
            exposure="acute = km on the 7 days before the run's day, chronic = km on the 28 days before / 4")
    if sc.shoe_or:
        effects["footwear"] = dict(odds_ratio=sc.shoe_or, per="the causal pair against the other pairs",
                                   pair=shoe_bad)
    nocause = {}
    if sc.longrun_before_or:
        nocause["long_run_day_before"] = dict(odds_ratio=sc.longrun_before_or, per="a run >= 15 km the day before")
    if sc.badweeks_sd:
        nocause["bad_weeks"] = dict(ar1_phi_per_day=0.9, marginal_sd_logodds=sc.badweeks_sd)
    if sc.trend_logodds:
        nocause["trend"] = dict(logodds_over_journal=sc.trend_logodds, stop_after_onset=sc.stop_after_onset)
    form_text = {
        "logistic": "logit p = alpha + log(hours on the feet) + sum beta_k x_k",
        "constant_hazard": "p = 1 - exp(-lambda * minutes on the feet), lambda = exp(alpha)",
        "per_run": "logit p = alpha (the same risk for every run)",
    }[sc.form]
    truth = dict(
        generator="bench/seasons2", scenario=sc.name, seed=seed, description=sc.description,
        city=city_key, tz=tz, history=[str(days[0].date()), str(days[-1].date())],
        journal=[str(j0.date()), None], planted=sorted(set(sc.planted)), effects=effects, not_a_cause=nocause,
        heat_or_per_5c_h=sc.heat_or5 or None, risk_model=form_text, alpha=alpha,
        weather_file=sc.weather_file, notes_file=sc.notes_file,
        n_files=len(runs), n_runner_runs=len(mine), n_partner_runs=sum(r.who == "partner" for r in runs),
        n_tracked_runs=len(tracked), n_numb_tracked=sum(r.numb for r in tracked),
        expected_numb=float(sum(r.p for r in tracked)),
        n_tracked_without_temperature=sum(r.device == "phone_gpx" for r in tracked),
        partner_files=[r.file for r in runs if r.who == "partner"],
        files_by_device={d: sum(r.device == d for r in runs) for d in sorted({r.device for r in runs})},
    )
    with open(os.path.join(out, "truth.json"), "w", encoding="utf-8") as fh:
        json.dump(truth, fh, indent=1)
    rows = [dict(file=r.file, who=r.who, device=r.device, start_utc=str(r.start_utc), local_date=str(r.date.date()),
                 kind=r.kind, route=r.route, km=round(r.distance_m / 1000, 3), hours=round(r.duration_s / 3600, 4),
                 air_mid_c=round(r.air_mid_c, 2), treadmill=r.treadmill, streak=r.streak, acwr=round(r.acwr, 3),
                 prev_day_km=round(r.prev_day_km, 2), shoes=r.shoes, tracked=r.tracked, p=round(r.p, 5),
                 numb=r.numb, onset_min=round(r.onset_min, 2), missed_start_s=round(r.missed_start_s),
                 warmup_min=round(r.warmup_min, 1), cadence_offset=round(r.cadence_offset, 2))
            for r in runs]
    pd.DataFrame(rows).to_csv(os.path.join(out, "truth_runs.csv"), index=False)
    return truth


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", nargs="?")
    ap.add_argument("seed", nargs="?", type=int, default=0)
    ap.add_argument("out", nargs="?", default="season")
    ap.add_argument("--list", action="store_true", help="list the scenarios")
    a = ap.parse_args(argv)
    if a.list or not a.scenario:
        for s in SCENARIOS.values():
            print(f"{s.name:22s} {s.description}")
        return
    t = generate(a.scenario, a.seed, a.out)
    print(json.dumps({k: t[k] for k in ("scenario", "seed", "city", "n_files", "n_tracked_runs", "n_numb_tracked",
                                         "planted")}))


if __name__ == "__main__":
    main()
