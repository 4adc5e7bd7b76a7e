"""Training load history and overtraining markers, from a daily load series.

Every activity is put on its *local date* (``start_local.normalize()``).  The
daily series covers every day from the first to the last activity; days with
no activity are rest days and count as zero load.

Conventions (all documented in the feature catalogue):

* **Windows end the day before the run.**  A run on day ``D`` sees the days
  ``D-N .. D-1``: what the legs carried *into* the run.  Earlier sessions on
  the same day are not counted (use ``days_since_last_run_d == 0`` to spot
  doubles).
* **Warm-up of the history.**  A window reaching before the first recorded
  day would silently count unrecorded days as rest, so it is NaN instead:
  7-day values are NaN for runs in the first 7 days of the history, 28-day
  values (and the ACWRs) in the first 28 days, CTL in the first 42 days.
  NaN, never zero.
* **Exponentially weighted averages are seeded, not started from zero.**
  EWMA7, EWMA28 (ACWR-EWMA), ATL and CTL start on the last day of their
  first window (day N or tau of the history) at the *mean daily load of
  that window*, then follow their recursion.  Started from 0 they would
  read a runner new to the watch as untrained for months: a constant
  50 AU/day would give CTL 31.6 on day 42, TSB -18.3 and ACWR-EWMA 1.16
  on day 28 instead of 50, 0 and 1.  The seed is the usual initialisation
  of exponential smoothing (NIST/SEMATECH e-Handbook of Statistical
  Methods, sec. 6.4.3.1; Hyndman & Athanasopoulos 2021, Forecasting:
  Principles and Practice, 3rd ed., sec. 8.1) and plays the role of the
  "starting fitness" that training software asks for; for the EWMA with
  ``lambda = 2/(N+1)`` the N-day mean is the moving average it stands for
  (same mean age of the loads, (N-1)/2 days).  A constant load gives CTL =
  ATL = the load, TSB = 0 and ACWR = 1 from the first day they are shown.
* **Load counts all sports; distance counts running only.**  A bike ride
  tires the runner (training load, rest days), but its kilometres are not
  running kilometres (distance windows, week-over-week change, longest-run
  spike).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "local_date", "daily_total", "rolling_sum", "acwr_uncoupled", "ewma", "acwr_ewma",
    "monotony", "strain", "fitness_fatigue", "run_streak_days", "at_previous_day",
    "longest_run_ratio", "load_features",
]

ACUTE_DAYS = 7
CHRONIC_DAYS = 28
TAU_FITNESS_D = 42.0
TAU_FATIGUE_D = 7.0
SPIKE_WINDOW_D = 30


def local_date(runs: pd.DataFrame) -> pd.Series:
    """Each run's local calendar date (``start_local`` floored to midnight).

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` (needs ``start_local``, the local start time).

    Returns
    -------
    Series of datetime64
        Same index: the local date of each run (midnight).
    """
    return pd.to_datetime(runs["start_local"]).dt.normalize().astype("datetime64[ns]")


def daily_total(dates: pd.Series, values: pd.Series | None = None, *, start=None, end=None) -> pd.Series:
    """Sum *values* per calendar day over every day from *start* to *end*.

    Parameters
    ----------
    dates : Series of datetime64
        Each activity's local date.
    values : Series, optional
        Each activity's value (default 1: a count).  A day with any NaN value
        is NaN (unknown load is not zero load).
    start, end : date-like, optional
        Default: the first and last date.

    Returns
    -------
    Series indexed by a daily DatetimeIndex; days without activity are 0.
    """
    dates = pd.to_datetime(pd.Series(dates)).dt.normalize()
    if values is None:
        values = pd.Series(1.0, index=dates.index)
    v = pd.Series(np.asarray(values, dtype="float64"), index=dates.index)
    ok = dates.notna()
    dates, v = dates[ok], v[ok]
    start = dates.min() if start is None else pd.Timestamp(start)
    end = dates.max() if end is None else pd.Timestamp(end)
    idx = pd.date_range(start, end, freq="D", name="date") if pd.notna(start) else pd.DatetimeIndex([], name="date")
    key = dates.to_numpy()
    tot = v.fillna(0.0).groupby(key).sum()
    anynan = v.isna().groupby(key).any()
    tot = tot.where(~anynan)
    tot.index = pd.DatetimeIndex(tot.index)
    return tot.reindex(idx, fill_value=0.0).astype("float64")


def _windows(x: np.ndarray, days: int):
    return np.lib.stride_tricks.sliding_window_view(x, days) if len(x) >= days else None


def rolling_sum(daily: pd.Series, days: int) -> pd.Series:
    """Sum over the *days* days ending on each day (NaN until *days* days of history).

    Summed per window (not by an online update), so a window of zero load is
    exactly 0 and ratios over it are NaN rather than huge.

    Parameters
    ----------
    daily : Series
        A daily series without gaps (e.g. from :func:`daily_total`).
    days : int
        Window length [days], the day itself included.

    Returns
    -------
    Series
        Same index and unit as *daily*; NaN for the first ``days - 1`` days.
    """
    x = daily.to_numpy(dtype="float64")
    out = np.full(len(x), np.nan)
    win = _windows(x, days)
    if win is not None:
        out[days - 1:] = win.sum(axis=1)
    return pd.Series(out, index=daily.index)


def acwr_uncoupled(daily: pd.Series, acute_days: int = ACUTE_DAYS, chronic_days: int = CHRONIC_DAYS) -> pd.Series:
    """Acute:chronic workload ratio from rolling averages, *uncoupled*.

    ``acute = mean load of the last 7 days``; ``chronic = mean load of the 21
    days before them`` (days ``t-27 .. t-7``), so the acute week is not part
    of the chronic window (Gabbett 2016, Br J Sports Med 50:273-280; Lolli et
    al. 2019, Br J Sports Med 53:921-922 on the mathematical coupling of the
    original ratio; Windt & Gabbett 2019).

    Returns NaN while the history is shorter than *chronic_days* and where
    the chronic load is zero.

    Parameters
    ----------
    daily : Series
        Daily load [AU] without gaps (rest days 0).
    acute_days : int
        Length of the acute window [days].
    chronic_days : int
        Length of acute plus chronic window [days]: the chronic window is the
        ``chronic_days - acute_days`` days before the acute one.

    Returns
    -------
    Series
        ACWR [-] on the daily index.

    References
    ----------
    .. [1] Gabbett, T. J. (2016). The training-injury prevention paradox: should
       athletes be training smarter and harder? Br J Sports Med 50:273-280.
    .. [2] Lolli, L. et al. (2019). Mathematical coupling causes spurious
       correlation within the conventional acute-to-chronic workload ratio
       calculations. Br J Sports Med 53:921-922.
    .. [3] Windt, J. & Gabbett, T. J. (2019). Is it all for naught? What does
       mathematical coupling mean for acute:chronic workload ratios?
       Br J Sports Med.
    """
    acute = rolling_sum(daily, acute_days)
    # the days before the acute window, summed on their own (a difference of
    # rolling sums leaves 1e-13 residues where the load was 0)
    chronic = rolling_sum(daily.shift(acute_days), chronic_days - acute_days) / (chronic_days - acute_days)
    ratio = (acute / acute_days) / chronic
    return ratio.where(chronic > 0)


def _seeded_ewma(x: np.ndarray, k: float, seed_days: int) -> np.ndarray:
    """``y_t = y_{t-1} + k (x_t - y_{t-1})`` seeded with the mean of the first *seed_days* days.

    ``y`` is NaN before day ``seed_days - 1``, equals ``mean(x[:seed_days])``
    on that day and follows the recursion afterwards.  All NaN when *x* is
    shorter than *seed_days*.
    """
    y = np.full(len(x), np.nan)
    w = max(int(seed_days), 1)
    if len(x) < w:
        return y
    y0 = float(np.mean(x[:w]))
    y[w - 1] = y0
    if len(x) > w:
        # pandas' recursive EWMA (adjust=False: y_t = (1 - k) y_{t-1} + k x_t) started from y0 itself;
        # it spares the report importing scipy.signal (0.05 s) for one first-order filter
        y[w - 1:] = pd.Series(np.concatenate(([y0], x[w:]))).ewm(alpha=k, adjust=False).mean().to_numpy()
    return y


def ewma(daily: pd.Series, n_days: float, warmup_days: int | None = None) -> pd.Series:
    """Exponentially weighted moving average of a daily series (Williams et al. 2017).

    ``EWMA_t = lambda * load_t + (1 - lambda) * EWMA_{t-1}``, ``lambda = 2 / (N + 1)``
    (Williams, West, Cross & Stokes 2017, "Better way to determine the
    acute:chronic workload ratio?", Br J Sports Med 51:209-210), seeded on
    day ``round(N) - 1`` with the mean load of the first ``round(N)`` days
    (the N-day moving average the EWMA stands for; NIST/SEMATECH
    e-Handbook of Statistical Methods, sec. 6.4.3.1), not started from 0:
    a constant load gives the load itself from the first value on.

    Parameters
    ----------
    daily : Series
        Daily load [AU] (no gaps; NaN days are treated as 0).
    n_days : float
        Time span N [days].
    warmup_days : int, optional
        The first ``warmup_days - 1`` values are NaN [days] (default and
        minimum: the seed window ``round(N)``): the EWMA starts from an
        unknown past.

    Returns
    -------
    Series [AU] on the daily index.

    References
    ----------
    .. [1] Williams, S., West, S., Cross, M. J. & Stokes, K. A. (2017). Better
       way to determine the acute:chronic workload ratio? Br J Sports Med
       51:209-210.
    .. [2] NIST/SEMATECH e-Handbook of Statistical Methods, section 6.4.3.1
       (single exponential smoothing).
    """
    if not n_days >= 1:
        raise ValueError(f"ewma: n_days must be at least 1 day, got {n_days!r}")
    lam = 2.0 / (n_days + 1.0)
    seed = max(int(round(n_days)), 1)
    y = _seeded_ewma(daily.fillna(0.0).to_numpy(dtype="float64"), lam, seed)
    out = pd.Series(y, index=daily.index)
    w = seed if warmup_days is None else max(int(warmup_days), seed)
    out.iloc[: max(w - 1, 0)] = np.nan
    return out


def acwr_ewma(daily: pd.Series, acute_days: int = ACUTE_DAYS, chronic_days: int = CHRONIC_DAYS) -> pd.Series:
    """EWMA acute:chronic workload ratio ``EWMA_7 / EWMA_28`` (Williams et al. 2017).

    Each average is seeded with the mean load of its own first window (7
    and 28 days, see :func:`ewma`); the ratio uses the chronic warm-up: NaN
    for the first 28 days.  A constant load gives 1.  NaN where EWMA_28 is 0.

    Parameters
    ----------
    daily : Series
        Daily load [AU] without gaps (NaN days count as 0).
    acute_days : int
        Span N of the acute EWMA [days].
    chronic_days : int
        Span N of the chronic EWMA [days]; also the warm-up (NaN) period.

    Returns
    -------
    Series
        ACWR [-] on the daily index.

    References
    ----------
    .. [1] Williams, S., West, S., Cross, M. J. & Stokes, K. A. (2017). Better
       way to determine the acute:chronic workload ratio? Br J Sports Med
       51:209-210.
    """
    a = ewma(daily, acute_days, warmup_days=chronic_days)
    c = ewma(daily, chronic_days, warmup_days=chronic_days)
    return (a / c).where(c > 0)


def monotony(daily: pd.Series, days: int = ACUTE_DAYS, ddof: int = 1) -> pd.Series:
    """Foster training monotony: mean daily load / SD of daily load over *days* days.

    Foster (1998), "Monitoring training in athletes with reference to
    overtraining syndrome", Med Sci Sports Exerc 30(7):1164-1168.  Rest
    days count as zero.  Sample SD (``ddof=1``, as in Foster's spreadsheet
    practice).  NaN where the SD is 0 (identical loads every day: monotony
    unbounded) and during the warm-up.

    Parameters
    ----------
    daily : Series
        Daily load [AU] without gaps (rest days 0).
    days : int
        Window length [days], the day itself included.
    ddof : int
        Delta degrees of freedom of the SD (1: sample SD).

    Returns
    -------
    Series
        Monotony [-] on the daily index.

    References
    ----------
    .. [1] Foster, C. (1998). Monitoring training in athletes with reference to
       overtraining syndrome. Med Sci Sports Exerc 30(7):1164-1168.
    """
    x = daily.to_numpy(dtype="float64")
    mean = np.full(len(x), np.nan)
    sd = np.full(len(x), np.nan)
    win = _windows(x, days)
    if win is not None:
        # exact per-window statistics: pandas' online rolling std leaves residues up to
        # ~1e-6 on a week of identical loads after varied weeks, which would make monotony huge
        mean[days - 1:] = win.mean(axis=1)
        sd[days - 1:] = win.std(axis=1, ddof=ddof)
    with np.errstate(invalid="ignore", divide="ignore"):
        # an SD at rounding level (identical loads such as 0.1 every day) counts as 0
        out = np.where(sd > 1e-12 * np.maximum(np.abs(mean), 1.0), mean / sd, np.nan)
    return pd.Series(out, index=daily.index)


def strain(daily: pd.Series, days: int = ACUTE_DAYS, ddof: int = 1) -> pd.Series:
    """Foster training strain: weekly load * monotony (Foster 1998) [load units].

    Parameters
    ----------
    daily : Series
        Daily load [AU] without gaps (rest days 0).
    days : int
        Window length [days], the day itself included.
    ddof : int
        Delta degrees of freedom of the SD in :func:`monotony`.

    Returns
    -------
    Series
        Strain [AU] on the daily index; NaN where the monotony is.

    References
    ----------
    .. [1] Foster, C. (1998). Monitoring training in athletes with reference to
       overtraining syndrome. Med Sci Sports Exerc 30(7):1164-1168.
    """
    return rolling_sum(daily, days) * monotony(daily, days, ddof)


def fitness_fatigue(daily: pd.Series, tau_fitness_d: float = TAU_FITNESS_D,
                    tau_fatigue_d: float = TAU_FATIGUE_D) -> pd.DataFrame:
    """Fitness (CTL), fatigue (ATL) and form (TSB) of the impulse-response model.

    ``X_t = X_{t-1} + (load_t - X_{t-1}) * (1 - exp(-1/tau))`` (Banister,
    Calvert, Savage & Bach 1975, "A systems model of training for athletic
    performance", Aust J Sports Med 7:57-61; the 42/7-day time constants of
    Coggan's Performance Manager), seeded on day ``round(tau) - 1`` with the
    mean daily load of the first ``round(tau)`` days instead of 0 (the
    "starting fitness" of training software; see the module notes), so a
    constant load gives CTL = ATL = the load and TSB = 0.  ``TSB = CTL -
    ATL``.  CTL is NaN for the first 41 days (shown from day 42 of the
    history on), ATL for the first 6, TSB where either is.

    Parameters
    ----------
    daily : Series
        Daily load [AU] (no gaps; NaN days are treated as 0).
    tau_fitness_d, tau_fatigue_d : float
        Time constants of fitness and fatigue [days].

    Returns
    -------
    DataFrame with columns ``ctl``, ``atl``, ``tsb`` [AU] on the daily index.

    References
    ----------
    .. [1] Banister, E. W., Calvert, T. W., Savage, M. V. & Bach, T. (1975).
       A systems model of training for athletic performance. Aust J Sports Med
       7:57-61.
    .. [2] Coggan, A. R. Performance Manager (the 42- and 7-day time constants).
    .. [3] NIST/SEMATECH e-Handbook of Statistical Methods, section 6.4.3.1
       (the seed of exponential smoothing).
    """
    x = daily.fillna(0.0).to_numpy(dtype="float64")
    out = {}
    for name, tau in (("ctl", tau_fitness_d), ("atl", tau_fatigue_d)):
        if not tau > 0:
            raise ValueError(f"fitness_fatigue: the time constants must be positive days, got {tau!r}")
        k = 1.0 - np.exp(-1.0 / tau)
        out[name] = pd.Series(_seeded_ewma(x, k, int(round(tau))), index=daily.index)
    df = pd.DataFrame(out)
    df["tsb"] = df["ctl"] - df["atl"]
    return df


def run_streak_days(active: pd.Series) -> pd.Series:
    """Consecutive active days ending on each day (0 on a day without activity).

    *active* is a daily boolean series.  A streak that began before the
    history counts only its recorded days.

    Parameters
    ----------
    active : Series of bool
        Daily series without gaps: True on a day with activity.

    Returns
    -------
    Series of float
        Streak length [days] on the daily index.
    """
    a = active.astype(bool).to_numpy()
    grp = np.cumsum(~a)
    s = pd.Series(a.astype(int), index=active.index)
    return s.groupby(grp).cumsum().astype("float64")


def at_previous_day(daily: pd.Series, dates: pd.Series) -> np.ndarray:
    """Value of a daily series on the day before each date (NaN outside the series).

    Parameters
    ----------
    daily : Series
        A daily series (DatetimeIndex of dates).
    dates : Series of datetime64
        Each run's local date (:func:`local_date`).

    Returns
    -------
    ndarray of float
        One value per date, in the order of *dates*.
    """
    prev = pd.DatetimeIndex(pd.to_datetime(dates)) - pd.Timedelta(days=1)
    return daily.reindex(prev).to_numpy(dtype="float64")


def longest_run_ratio(start_time: pd.Series, distance_m: pd.Series, window_days: int = SPIKE_WINDOW_D) -> pd.Series:
    """Distance of each run relative to the longest run in the previous *window_days* days.

    ``ratio = distance / max(distance of runs started in [t - 30 d, t))``.
    Frandsen et al. (2025), "How much running is too much? Identifying
    high-risk running sessions in a 5200-person cohort study", Br J Sports
    Med: single sessions more than 10 % longer than the longest run of the
    previous 30 days carried a higher injury rate.

    Parameters
    ----------
    start_time : Series of datetime
        Run starts (running activities only).
    distance_m : Series
        Run distances [m], same index.
    window_days : int
        Look-back window [days].

    Returns
    -------
    Series (same index): NaN for runs less than *window_days* after the first
    run (warm-up) and when no run fell in the window.

    References
    ----------
    .. [1] Frandsen, J. S. B. et al. (2025). How much running is too much?
       Identifying high-risk running sessions in a 5200-person cohort study.
       Br J Sports Med.
    """
    t = pd.to_datetime(start_time)
    d = pd.Series(np.asarray(distance_m, dtype="float64"), index=start_time.index)
    order = np.argsort(pd.DatetimeIndex(t).asi8, kind="stable")
    ts = pd.Series(d.to_numpy()[order], index=pd.DatetimeIndex(t).take(order))
    prev_max = ts.rolling(f"{window_days}D", closed="left").max().to_numpy()
    res = np.full(len(d), np.nan)
    res[order] = prev_max
    first = t.min()
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = d.to_numpy() / res
    covered = ((t - pd.Timedelta(days=window_days)) >= first).to_numpy(dtype=bool)
    ratio = np.where((res > 0) & covered, ratio, np.nan)
    return pd.Series(ratio, index=start_time.index)


def load_features(runs: pd.DataFrame, session_load: pd.Series, is_running: pd.Series) -> pd.DataFrame:
    """Load-history features of every activity.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` (``start_local``, ``start_time``, ``distance_m``).
    session_load : Series
        Each activity's load [AU] (TRIMP, see :func:`runlog.run_features`).
    is_running : Series of bool
        Which activities are runs (distance features use these only).

    Returns
    -------
    DataFrame indexed by run_id; see the module notes for windows and warm-up.
    """
    dates = local_date(runs)
    run_mask = is_running.reindex(runs.index).fillna(False).to_numpy(dtype=bool)
    out = pd.DataFrame(index=runs.index)
    if len(runs) == 0:
        return out
    start, end = dates.min(), dates.max()
    load = daily_total(dates, session_load.reindex(runs.index), start=start, end=end)
    km = daily_total(dates[run_mask], (runs["distance_m"].astype("float64") / 1000.0)[run_mask].fillna(0.0),
                     start=start, end=end)
    n_act = daily_total(dates, None, start=start, end=end)
    n_run = daily_total(dates[run_mask], None, start=start, end=end)

    rest = (n_act == 0).astype("float64")
    out["rest_days_7d"] = at_previous_day(rolling_sum(rest, 7), dates)
    out["rest_days_14d"] = at_previous_day(rolling_sum(rest, 14), dates)
    out["run_streak_days"] = run_streak_days(n_run > 0).reindex(pd.DatetimeIndex(dates)).to_numpy()

    # days since the previous running activity (any earlier start)
    rt = pd.to_datetime(runs["start_time"]).to_numpy()
    run_times = np.sort(rt[run_mask])
    run_dates = dates.to_numpy()[run_mask][np.argsort(rt[run_mask], kind="stable")]
    pos = np.searchsorted(run_times, rt, side="left") - 1
    prev_date = np.where(pos >= 0, run_dates[np.clip(pos, 0, None)], np.datetime64("NaT"))
    out["days_since_last_run_d"] = (dates.to_numpy() - prev_date) / np.timedelta64(1, "D")

    out["distance_7d_km"] = at_previous_day(rolling_sum(km, 7), dates)
    out["distance_28d_km"] = at_previous_day(rolling_sum(km, 28), dates)
    out["load_7d_au"] = at_previous_day(rolling_sum(load, 7), dates)
    out["load_28d_au"] = at_previous_day(rolling_sum(load, 28), dates)
    out["acwr_distance"] = at_previous_day(acwr_uncoupled(km), dates)
    out["acwr_rolling"] = at_previous_day(acwr_uncoupled(load), dates)
    out["acwr_ewma"] = at_previous_day(acwr_ewma(load), dates)
    out["monotony_7d"] = at_previous_day(monotony(load), dates)
    out["strain_7d_au"] = at_previous_day(strain(load), dates)
    ff = fitness_fatigue(load)
    out["ctl_au"] = at_previous_day(ff["ctl"], dates)
    out["atl_au"] = at_previous_day(ff["atl"], dates)
    out["tsb_au"] = at_previous_day(ff["tsb"], dates)
    wk = rolling_sum(km, 7)
    prev_wk = wk.shift(7)
    change = ((wk - prev_wk) / prev_wk * 100.0).where(prev_wk > 0)
    out["week_distance_change_pct"] = at_previous_day(change, dates)
    spike = pd.Series(np.nan, index=runs.index)
    if run_mask.any():
        r = runs[run_mask]
        spike[r.index] = longest_run_ratio(r["start_time"], r["distance_m"]).to_numpy()
    out["distance_vs_longest_30d_ratio"] = spike.to_numpy()
    return out
