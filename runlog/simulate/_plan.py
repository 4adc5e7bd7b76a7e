"""The training plan: rest days, one quality session and a long run a week, in 3:1 blocks.

A part of :mod:`runlog.simulate` (its public names are re-exported there).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
