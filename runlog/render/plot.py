"""Plots of a runner's history, numbness episodes and the analysis (matplotlib).

Every function takes ``ax=None`` (draw on this Axes, or make a new figure)
and returns what it drew on -- the Axes, or the Figure for multi-panel plots --
so the plots compose in notebooks and reports::

    import matplotlib.pyplot as plt
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4))
    runlog.plot.factor_forest(report.factors, ax=a)
    runlog.plot.onset_survival(flags, ax=b)

Episodes are drawn in red throughout, runs without numbness in blue and runs
outside the tracked period in grey.

Functions
---------
load_timeline     training load (fitness / fatigue / form or acute / chronic load) with episodes
calendar          runs, rest days and episodes, one square per day
factor_forest     odds ratios with confidence intervals, coloured by cause
onset_survival    Kaplan-Meier curves of time to numbness, overall or split by a factor
run_trace         one run's pace, heart rate, watch temperature and cadence with the onset marked
form_trace        one run's pace and running dynamics (contact time, balance, bounce, step) with the onset
factor_scatter    two factors against each other, coloured by episode
report_figure     the main plots of a :class:`~runlog.report.Report` together
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator
from matplotlib.transforms import offset_copy

from .. import schema
from ..features.catalog import FEATURES
from ..journal.period import run_dates
from ..schema import MOVING_SPEED_MPS
from ..units import mmss, number_text, p_text, per_text
from .labels import cause_label, cause_short, lower_first, measure_label, unit_label, upper_first

__all__ = [
    "CASE_COLOR", "CONTROL_COLOR", "UNTRACKED_COLOR", "UNTRACKED_LABEL", "LEGEND_HEADROOM", "CAUSE_COLORS",
    "LOAD_COLUMNS", "MAX_CALENDAR_WEEKS",
    "load_timeline", "calendar", "factor_forest", "onset_survival",
    "run_trace", "form_trace", "FORM_CHANNELS", "factor_scatter", "report_figure", "analysed_flags",
    "pace_min_per_km", "run_dates",
    "episode_dates", "pretty", "report_factors", "report_window",
    "trace_channels", "TRACE_CHANNELS", "report_tracked", "effect_step", "training_load_columns",
]

#: Colour of numbness episodes and of runs with numbness.
CASE_COLOR = "#c0392b"
#: Colour of tracked runs without numbness.
CONTROL_COLOR = "#2f6f9f"
#: Colour of runs outside the tracked period (not used by the analysis).
UNTRACKED_COLOR = "#b8b8b8"
#: How the plots' legends name the days and runs outside the journal period (the period the journal
#: covers; the report's captions and tables say 'journal period' too).
UNTRACKED_LABEL = "Outside the journal period"
#: The share of the data's height added above a time plot's lines for its legend (two rows, small).
LEGEND_HEADROOM = 0.3
#: One fixed colour per cause (:data:`runlog.schema.CAUSES`), the same in every plot.
CAUSE_COLORS = dict(zip(schema.CAUSES, [
    "#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
]))

#: Training-load columns looked for by :func:`load_timeline`, in order, with
#: their labels: the first group with any column present in the features is drawn.
LOAD_COLUMNS = (
    {"ctl_au": "Fitness (CTL, 42-day)", "atl_au": "Fatigue (ATL, 7-day)",
     "tsb_au": "Freshness (TSB = CTL \N{MINUS SIGN} ATL)"},
    {"load_28d_au": "Load, last 28 days", "load_7d_au": "Load, last 7 days", "acwr_rolling": "Acute:chronic ratio"},
)

_RATIO_WORDS = ("acwr", "ratio")
#: Longest span :func:`calendar` draws by default [weeks]; longer histories show their last 52 weeks.
MAX_CALENDAR_WEEKS = 60


# ----------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------
def _axes(ax: Axes | None, figsize=(9, 4)) -> Axes:
    """*ax*, or the Axes of a new figure of *figsize* [inches]."""
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _date_axis(ax: Axes, axis: str = "x") -> None:
    """Readable dates: a concise formatter ('Mar', '2024', '15') on *axis*."""
    loc = mdates.AutoDateLocator(minticks=4, maxticks=10)
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(loc)
    target.set_major_formatter(mdates.ConciseDateFormatter(loc))


def episode_dates(episodes) -> pd.DatetimeIndex:
    """Dates of numbness episodes from an episodes frame, flags frame or list of dates.

    Parameters
    ----------
    episodes : DataFrame or iterable of date-like or None
        A frame of :func:`runlog.read_episodes` (column ``date``), a frame of
        :func:`runlog.journal.episode_flags` (column ``numb``; dates from its
        ``date``/``start_local`` column or the run id), or dates.

    Returns
    -------
    DatetimeIndex
        Sorted unique naive dates.
    """
    if episodes is None:
        return pd.DatetimeIndex([])
    if isinstance(episodes, pd.DataFrame):
        if "date" in episodes and "numb" not in episodes:
            d = pd.to_datetime(episodes["date"])
        elif "numb" in episodes:
            sel = episodes[episodes["numb"].fillna(False).astype(bool)]
            d = run_dates(sel.index, frame=sel)
        else:
            raise ValueError("episodes: expected a frame with a 'date' column (runlog.read_episodes) "
                             "or a 'numb' column (runlog.journal.episode_flags)")
    else:
        d = pd.to_datetime(pd.Series(list(episodes)))
    d = pd.DatetimeIndex(d.dropna())
    if d.tz is not None:
        d = d.tz_localize(None)
    return pd.DatetimeIndex(np.sort(d.normalize().unique().to_numpy()))


def pace_min_per_km(speed_mps) -> np.ndarray:
    """Pace [min/km] from speed [m/s]: ``1000 / 60 / speed``; NaN where speed <= MOVING_SPEED_MPS.

    Below :data:`runlog.schema.MOVING_SPEED_MPS` (0.5 m/s, 33 min/km) the
    runner is standing, and the pace would run off the axis.

    Parameters
    ----------
    speed_mps : array_like
        Speed [m/s].

    Returns
    -------
    ndarray
        Pace [min/km].
    """
    v = np.asarray(speed_mps, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(v > MOVING_SPEED_MPS, 1000.0 / 60.0 / v, np.nan)


def _literal(text) -> str:
    """*text* as matplotlib draws it literally: every ``$`` escaped, so a pair of them in a shoe name, a
    level or a notes column is never read as mathtext (which would raise on ``$x^{$``).  Matplotlib
    shows ``\\$`` as ``$``; a ``\\$`` already in the text stays ``\\$``."""
    return str(text).replace("$", "\\$")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


_UNIT_SUFFIXES = ("_mps", "_bpm", "_spm", "_deg", "_min", "_pct", "_km", "_kg", "_ml", "_m", "_s", "_c",
                  "_w", "_h")


def _unit(name: str) -> str:
    """Unit of a feature or column from the schema ('' when unknown)."""
    f = FEATURES.get(name)
    if f is not None:
        return f.unit
    for table in (schema.RUN_COLUMNS, schema.RECORD_COLUMNS, schema.NOTES_COLUMNS, schema.EPISODE_COLUMNS):
        if name in table:
            return table[name].unit
    return ""


def pretty(name: str) -> str:
    """A column in words: a feature's plain name (:func:`runlog.render.labels.measure_label`,
    'air_temp_c' -> 'Air temperature'); other columns with the unit suffix dropped and
    underscores as spaces ('distance_m' -> 'Distance').

    Parameters
    ----------
    name : str
        Column name.

    Returns
    -------
    str
    """
    f = FEATURES.get(name)
    if f is not None:
        return upper_first(measure_label(name, f.description))
    base = name
    if _unit(name):
        for suf in _UNIT_SUFFIXES:
            if base.endswith(suf) and len(base) > len(suf):
                base = base[: -len(suf)]
                break
    text = base.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _label(name: str) -> str:
    """Axis label of a feature or column: its name in words with the unit in brackets (in words:
    :func:`runlog.render.labels.unit_label`)."""
    unit = unit_label(_unit(name))
    return f"{pretty(name)} [{unit}]" if unit else pretty(name)


def _tracked_mask(flags: pd.DataFrame | None, index: pd.Index) -> np.ndarray:
    if flags is None or "tracked" not in flags:
        return np.ones(len(index), dtype=bool)
    return flags["tracked"].reindex(index).fillna(False).astype(bool).to_numpy()


def _numb_mask(flags: pd.DataFrame | None, index: pd.Index) -> np.ndarray:
    if flags is None or "numb" not in flags:
        return np.zeros(len(index), dtype=bool)
    return flags["numb"].reindex(index).fillna(False).astype(bool).to_numpy()


# ----------------------------------------------------------------------------
# training load
# ----------------------------------------------------------------------------
def training_load_columns(features: pd.DataFrame, columns=None) -> dict[str, str]:
    """The training-load columns :func:`load_timeline` draws, column -> label.

    Parameters
    ----------
    features : DataFrame
        :func:`runlog.run_features` output.
    columns : list or dict, optional
        Columns to draw (a dict also gives their labels); default: the first
        group of :data:`LOAD_COLUMNS` the features have.

    Returns
    -------
    dict
        Column -> label.

    Raises
    ------
    KeyError
        A given column is missing, or the features have no training-load column.
    """
    if columns is not None:
        if not isinstance(columns, dict):
            columns = {c: _label(c) for c in columns}
        missing = [c for c in columns if c not in features]
        if missing:
            raise KeyError(f"load_timeline: no column {missing} in the features; have {list(features.columns)}")
        return dict(columns)
    for group in LOAD_COLUMNS:
        found = {c: lab for c, lab in group.items() if c in features}
        if found:
            return found
    raise KeyError("load_timeline: the features have none of the training-load columns "
                   f"{[c for g in LOAD_COLUMNS for c in g]}; pass columns=[...]")


def load_timeline(features: pd.DataFrame, episodes=None, *, runs: pd.DataFrame | None = None,
                  columns=None, tracked=None, start=None, end=None, ax: Axes | None = None) -> Axes:
    """Training load over the season with numbness episodes marked.

    Draws fitness / fatigue / form (CTL, ATL, TSB: the impulse-response
    model of Banister et al. 1975, Aust J Sports Med 7:57-61, in the form of
    Coggan's Performance Manager; computed by :mod:`runlog.features.load`) or
    acute and chronic load, one line each, at the date of each run.  Ratios
    (e.g. the acute:chronic workload ratio) go on a second y axis.  Each day
    with numbness is a red vertical line with a red triangle on top.

    Parameters
    ----------
    features : DataFrame
        :func:`runlog.run_features` output (index ``run_id``).
    episodes : DataFrame or iterable, optional
        Episodes (``read_episodes``), flags (``episode_flags``) or dates; see
        :func:`episode_dates`.
    runs : DataFrame, optional
        ``History.runs``, for the runs' local dates (else taken from the
        features or the run id).
    columns : list of str or dict, optional
        Load columns to draw (dict: column -> legend label).  Default: the
        first group of :data:`LOAD_COLUMNS` found in *features*.
    tracked : tuple of date-like, optional
        (start, end) of the journal; the period outside is shaded grey.
    start, end : date-like, optional
        First and last day drawn (default: the first and last run); e.g. the
        journal period, so that years of history before it do not squeeze it.
    ax : Axes, optional

    Returns
    -------
    Axes

    References
    ----------
    .. [1] Banister, E. W., Calvert, T. W., Savage, M. V. & Bach, T. (1975).
       A systems model of training for athletic performance. Aust J Sports Med
       7:57-61.
    """
    cols = training_load_columns(features, columns)
    ax = _axes(ax, (10, 4))
    dates = run_dates(features.index, runs=runs, frame=features)
    keep = np.ones(len(dates), dtype=bool)
    if start is not None:
        keep &= (dates >= pd.Timestamp(start).normalize()).to_numpy()
    if end is not None:
        keep &= (dates < pd.Timestamp(end).normalize() + pd.Timedelta(days=1)).to_numpy()
    if not keep.all():
        features, dates = features[keep], dates[keep]
    order = np.argsort(dates.to_numpy(), kind="stable")
    x = dates.to_numpy()[order]
    ratio_cols = [c for c in cols if any(w in c.lower() for w in _RATIO_WORDS)]
    load_cols = [c for c in cols if c not in ratio_cols]
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"]
    handles: list[Artist] = []
    scales = [ax]   # the y axes drawn on (a twin for ratios beside loads)
    for i, c in enumerate(load_cols):
        y = pd.to_numeric(features[c], errors="coerce").to_numpy(dtype="float64")[order]
        (h,) = ax.plot(x, y, color=palette[i % 4], lw=1.8, label=_literal(cols[c]))
        handles.append(h)
    if load_cols:
        ax.axhline(0, color="0.6", lw=0.8, zorder=0)
        unit = {unit_label(FEATURES[c].unit) for c in load_cols if c in FEATURES} - {""}
        ax.set_ylabel("Training load" + (f" [{unit.pop()}]" if len(unit) == 1 else " [load units/day]"))
    if ratio_cols:
        ax2 = ax.twinx() if load_cols else ax
        if ax2 is not ax:
            scales.append(ax2)
        for c in ratio_cols:
            y = pd.to_numeric(features[c], errors="coerce").to_numpy(dtype="float64")[order]
            (h,) = ax2.plot(x, y, color="0.35", lw=1.2, ls="--", label=_literal(cols[c]))
            handles.append(h)
        ax2.set_ylabel("Ratio [-]")
    ev = episode_dates(episodes)
    if start is not None:
        ev = ev[ev >= pd.Timestamp(start).normalize()]
    if end is not None:
        ev = ev[ev < pd.Timestamp(end).normalize() + pd.Timedelta(days=1)]
    if len(ev):
        # a full-height line per episode day, as axvline draws them but one artist for all; the markers
        # on top take the days into the x limits
        at = np.asarray(ax.convert_xunits(ev), dtype="float64")
        ax.add_collection(LineCollection([[(x, 0.0), (x, 1.0)] for x in at], colors=CASE_COLOR, linewidths=1.0,
                                         alpha=0.55, zorder=1, transform=ax.get_xaxis_transform(which="grid")),
                          autolim=False)
        ax.plot(ev, np.ones(len(ev)), transform=ax.get_xaxis_transform(), ls="none", marker="v",
                ms=7, color=CASE_COLOR, clip_on=False, zorder=5)
        handles.append(Line2D([], [], color=CASE_COLOR, marker="v", lw=1.0, label=f"Numbness ({_days(len(ev))})"))
    if tracked is not None and _shade_untracked(ax, tracked, x):
        handles.append(Patch(facecolor="0.85", label=UNTRACKED_LABEL))
    if start is not None or end is not None:   # the period asked for, also where it has no run
        ax.set_xlim(pd.Timestamp(start).normalize() if start is not None else None,
                    pd.Timestamp(end).normalize() + pd.Timedelta(days=1) if end is not None else None)
    _date_axis(ax)
    ax.set_xlabel("Date")
    ax.set_title("Training load and numbness episodes", pad=14)
    ax.grid(True, axis="y", alpha=0.3)
    for a in scales:   # headroom above the lines for the legend, so that it hides none of them
        lo, hi = a.get_ylim()
        a.set_ylim(lo, hi + LEGEND_HEADROOM * (hi - lo))
    ax.legend(handles=handles, loc="upper left", fontsize="small", framealpha=0.9, ncol=2)
    return ax


def _shade_untracked(ax: Axes, tracked, x) -> bool:
    """Shade the dates of *x* outside the (start, end) of *tracked* grey; True when anything was shaded."""
    start, end = (pd.Timestamp(tracked[0]) if tracked[0] is not None else None,
                  pd.Timestamp(tracked[1]) if len(tracked) > 1 and tracked[1] is not None else None)
    if len(x) == 0:
        return False
    lo, hi = pd.Timestamp(np.nanmin(x)), pd.Timestamp(np.nanmax(x))
    shaded = False
    if start is not None and start > lo:
        ax.axvspan(lo, start, color="0.85", zorder=0, lw=0)
        shaded = True
    if end is not None and end < hi:
        ax.axvspan(end + pd.Timedelta(days=1), hi, color="0.85", zorder=0, lw=0)
        shaded = True
    return shaded


# ----------------------------------------------------------------------------
# calendar
# ----------------------------------------------------------------------------
def calendar(runs: pd.DataFrame, episodes=None, *, tracked=None, value: str = "distance_m",
             start=None, end=None, ax: Axes | None = None) -> Axes:
    """A calendar of the season: one square per day, one column per week.

    Run days are shaded by the day's total distance, rest days are light
    grey, days with a numbness episode carry a red dot and days outside the
    tracked period are hatched.

    Parameters
    ----------
    runs : DataFrame
        ``History.runs`` (``start_local`` and *value* columns).
    episodes : DataFrame or iterable, optional
        See :func:`episode_dates`.
    tracked : tuple of date-like, optional
        (start, end) the journal covers; days outside are hatched.
    value : str
        Column summed per day for the shading (default ``distance_m``, shown in km).
    start, end : date-like, optional
        First and last day shown (default: the first and last run; for a
        history longer than :data:`MAX_CALENDAR_WEEKS` weeks, 52 weeks ending
        four weeks after the last episode, else at the end of the tracked
        period, else at the last run).
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    if "start_local" not in runs:
        raise KeyError("calendar: runs needs a 'start_local' column (History.runs)")
    days = pd.to_datetime(runs["start_local"]).dt.normalize()
    vals = pd.to_numeric(runs[value], errors="coerce")
    if value.endswith("_m"):
        vals, vlabel = vals / 1000.0, "Distance per day [km]"
    elif value.endswith("_s"):
        vals, vlabel = vals / 60.0, "Time per day [min]"
    else:
        vlabel = _label(value)
    daily = vals.groupby(days.to_numpy()).sum(min_count=1)
    n_runs = days.value_counts()
    ev = episode_dates(episodes)
    first = pd.Timestamp(start).normalize() if start is not None else min([*daily.index, *ev[:1]])
    last = pd.Timestamp(end).normalize() if end is not None else max([*daily.index, *ev[-1:]])
    if start is None and (last - first).days > 7 * MAX_CALENDAR_WEEKS:
        # a long history does not fit a readable calendar: show a year, ending four weeks after the
        # last episode (else at the end of the journal period, else at the last run)
        if end is None and len(ev):
            last = min(last, ev.max() + pd.Timedelta(weeks=4))
        elif end is None and tracked is not None and len(tracked) > 1 and tracked[1] is not None:
            last = min(last, pd.Timestamp(tracked[1]).normalize())
        first = last - pd.Timedelta(weeks=52) + pd.Timedelta(days=1)
    # weeks start on Monday
    first = first - pd.Timedelta(days=first.day_of_week)
    all_days = pd.date_range(first, last, freq="D")
    week = ((all_days - first).days // 7).to_numpy()
    dow = all_days.day_of_week.to_numpy()
    n_weeks = int(week.max()) + 1 if len(week) else 1
    grid = np.full((7, n_weeks), np.nan)
    ran = np.zeros((7, n_weeks), dtype=bool)
    in_range = np.zeros((7, n_weeks), dtype=bool)
    in_range[dow, week] = True
    d_vals = daily.reindex(all_days).to_numpy()
    grid[dow, week] = d_vals
    ran[dow, week] = n_runs.reindex(all_days).fillna(0).to_numpy() > 0
    ax = _axes(ax, (max(6.0, 0.28 * n_weeks + 2.5), 3.2))
    cmap = plt.get_cmap("Blues").copy()
    vmax = np.nanpercentile(d_vals, 95) if np.isfinite(d_vals).any() else 1.0
    shown = np.where(ran, np.nan_to_num(grid, nan=0.0), np.nan)
    rest = np.where(in_range & ~ran, 1.0, np.nan)
    ax.imshow(rest, cmap=plt.matplotlib.colors.ListedColormap(["#ececec"]), aspect="equal",
              interpolation="nearest", extent=(-0.5, n_weeks - 0.5, 6.5, -0.5))
    im = ax.imshow(shown, cmap=cmap, vmin=0, vmax=max(vmax, 1e-9), aspect="equal", interpolation="nearest",
                   extent=(-0.5, n_weeks - 0.5, 6.5, -0.5))
    # white grid between the squares
    # white lines between the squares (one collection: not a minor tick, with its labels, per week)
    xs, ys = np.arange(-0.5, n_weeks, 1), np.arange(-0.5, 7, 1)
    ax.add_collection(LineCollection([[(x, -0.5), (x, 6.5)] for x in xs] + [[(-0.5, y), (n_weeks - 0.5, y)]
                                                                          for y in ys],
                                     colors="white", linewidths=1.5, zorder=2.5), autolim=False)
    handles: list[Artist] = [Patch(facecolor="#ececec", label="Rest day")]
    if tracked is not None:
        t0 = pd.Timestamp(tracked[0]).normalize() if tracked[0] is not None else all_days[0]
        t1 = (pd.Timestamp(tracked[1]).normalize() if len(tracked) > 1 and tracked[1] is not None
              else all_days[-1])
        outside = (all_days < t0) | (all_days > t1)
        for w, d in zip(week[outside], dow[outside]):
            ax.add_patch(plt.Rectangle((w - 0.5, d - 0.5), 1, 1, fill=False, hatch="////",
                                       edgecolor="0.55", lw=0))
        if outside.any():
            handles.append(Patch(facecolor="white", edgecolor="0.55", hatch="////", label=UNTRACKED_LABEL))
    ev_in = ev[(ev >= all_days[0]) & (ev <= all_days[-1])] if len(all_days) else ev[:0]
    if len(ev_in):
        ew = ((ev_in - first).days // 7).to_numpy()
        ed = ev_in.day_of_week.to_numpy()
        ax.scatter(ew, ed, s=22, color=CASE_COLOR, edgecolor="white", lw=0.6, zorder=5)
        handles.append(Line2D([], [], ls="none", marker="o", color=CASE_COLOR,
                              label=f"Numbness ({_days(len(ev_in))})"))
    ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    # month labels at the first week that contains the 1st of a month
    firsts = all_days[all_days.day == 1]
    if len(firsts) == 0 or firsts[0] - all_days[0] > pd.Timedelta(days=20):  # room for a label
        firsts = firsts.insert(0, all_days[0])
    ticks = ((firsts - first).days // 7).to_numpy()
    labels = [d.strftime("%b\n%Y") if (i == 0 or d.month == 1) else d.strftime("%b") for i, d in enumerate(firsts)]
    ax.set_xticks(ticks, labels)
    ax.tick_params(axis="both", length=0)
    ax.set_xlim(-0.5, n_weeks - 0.5)
    ax.set_ylim(6.5, -0.5)
    for s in ax.spines.values():
        s.set_visible(False)
    cb = ax.figure.colorbar(im, ax=ax, shrink=0.8, pad=0.01, aspect=15)
    cb.set_label(_literal(vlabel))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.22), ncol=len(handles),
              fontsize="small", frameon=False, columnspacing=1.2, handlelength=1.2)
    ax.set_title(f"Runs and episodes, {all_days[0]:%d %b %Y} to {all_days[-1]:%d %b %Y}")
    return ax


def calendar_figsize(start, end, *, max_width: float = 11.0, max_height: float = 3.4) -> tuple[float, float]:
    """A figure size that holds :func:`calendar` of the days *start* to *end* without white bands.

    The calendar's squares keep their aspect, so a constrained layout leaves the space they do not
    fill empty: this size makes the squares as large as *max_width* x *max_height* allows and the
    figure no larger than they need (the title, month labels, legend and colour bar beside them).

    Parameters
    ----------
    start, end : date-like
        First and last day shown (weeks begin on Monday, as :func:`calendar` lays them out).
    max_width, max_height : float
        Largest figure [inches].

    Returns
    -------
    tuple of float
        (width, height) [inches].
    """
    first = pd.Timestamp(start).normalize()
    first = first - pd.Timedelta(days=first.day_of_week)
    n_weeks = max((pd.Timestamp(end).normalize() - first).days // 7 + 1, 1)
    side = min((max_width - _CALENDAR_SIDE_IN) / n_weeks, (max_height - _CALENDAR_TOP_BOTTOM_IN) / 7)
    return (max(_CALENDAR_MIN_WIDTH_IN, side * n_weeks + _CALENDAR_SIDE_IN),
            max(_CALENDAR_MIN_HEIGHT_IN, 7 * side + _CALENDAR_TOP_BOTTOM_IN))


#: What a calendar figure holds beside its squares [inches]: day names and colour bar across, title,
#: month labels and legend down; and the smallest figure (the legend's and the title's width).
_CALENDAR_SIDE_IN = 1.2
_CALENDAR_TOP_BOTTOM_IN = 0.95
_CALENDAR_MIN_WIDTH_IN = 6.0
_CALENDAR_MIN_HEIGHT_IN = 2.2


# ----------------------------------------------------------------------------
# factor forest plot
# ----------------------------------------------------------------------------
def factor_forest(factors: pd.DataFrame, *, top: int | None = 20, alpha: float = 0.05,
                  labels: dict | None = None, title: str = "Which factors go with numbness",
                  ax: Axes | None = None) -> Axes:
    """Forest plot of the analysed factors: odds ratio and confidence interval per factor.

    Each factor is a point at its odds ratio with a horizontal bar from
    ``ci_low`` to ``ci_high``, coloured by its cause (:data:`CAUSE_COLORS`),
    on a log scale with a line at 1 (no association).  Findings (column
    ``finding`` of ``Report.factors``; without it ``q_value < alpha``, the
    false-discovery-rate adjusted p-value) are filled, the others hollow; the
    q-value is printed on the right.

    Parameters
    ----------
    factors : DataFrame
        ``Report.factors``: columns ``factor``, ``cause``, ``effect`` (odds
        ratio), ``ci_low``, ``ci_high``, ``q_value`` (and optionally
        ``label``, ``unit`` or ``per`` describing the effect's step).
    top : int, optional
        Show the *top* factors with the smallest q-value (then p-value); None: all.
    alpha : float
        q-value below which a factor is drawn filled.
    labels : dict, optional
        factor -> y tick label.
    title : str
        Axes title.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    need = {"factor", "cause", "effect", "ci_low", "ci_high"}
    if not need <= set(factors.columns):
        raise KeyError(f"factor_forest: factors needs columns {sorted(need)}; have {list(factors.columns)}")
    df = factors.copy()
    df = df[np.isfinite(pd.to_numeric(df["effect"], errors="coerce").to_numpy(dtype="float64"))]
    df = df[pd.to_numeric(df["effect"], errors="coerce") > 0]
    sort_cols = [c for c in ("q_value", "p_value") if c in df]
    if sort_cols:
        df = df.sort_values(sort_cols, kind="stable", na_position="last")
    if top is not None:
        df = df.head(top)
    df = df.iloc[::-1]  # most important at the top
    n = len(df)
    ax = _axes(ax, (8, max(2.5, 0.32 * n + 1.3)))
    y = np.arange(n)
    eff = df["effect"].to_numpy(dtype="float64")
    lo = pd.to_numeric(df["ci_low"], errors="coerce").to_numpy(dtype="float64")
    hi = pd.to_numeric(df["ci_high"], errors="coerce").to_numpy(dtype="float64")
    q = (pd.to_numeric(df["q_value"], errors="coerce").to_numpy(dtype="float64") if "q_value" in df
         else np.full(n, np.nan))
    causes = df["cause"].astype("string").fillna("other").to_numpy()
    colors = [CAUSE_COLORS.get(c, CAUSE_COLORS["other"]) for c in causes]
    for i in range(n):
        if np.isfinite(lo[i]) and np.isfinite(hi[i]):
            ax.plot([max(lo[i], 1e-6), hi[i]], [y[i], y[i]], color=colors[i], lw=2.0, solid_capstyle="round")
    if "finding" in df:  # Report.factors says which rows hold up (q, CI and episode count)
        sig = df["finding"].fillna(False).astype(bool).to_numpy()
        sig_label, other_label = "Finding", "Not a finding"
    else:
        sig = q < alpha
        sig_label, other_label = f"q < {alpha:g}", f"q ≥ {alpha:g}"
    ax.scatter(eff[sig], y[sig], s=55, color=np.array(colors, dtype=object)[sig].tolist() if sig.any() else None,
               edgecolor="black", lw=0.6, zorder=3)
    ax.scatter(eff[~sig], y[~sig], s=55, facecolor="white",
               edgecolor=np.array(colors, dtype=object)[~sig].tolist() if (~sig).any() else None, lw=1.6, zorder=3)
    ax.axvline(1.0, color="0.3", lw=1.0, ls="--", zorder=0)
    ax.set_xscale("log")
    finite = np.concatenate([eff, lo[np.isfinite(lo) & (lo > 0)], hi[np.isfinite(hi)]])
    if finite.size:
        lo_x, hi_x = finite.min(), finite.max()
        lo_x, hi_x = min(lo_x, 0.5), max(hi_x, 2.0)
        ax.set_xlim(lo_x / 1.25, hi_x * 1.25)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _p: ""))
    names = df["factor"].astype(str).tolist()
    if labels:
        names = [labels.get(f, f) for f in names]
    else:  # the report's plain label, else the catalogue's
        given = df["label"].astype("object").tolist() if "label" in df else [None] * len(names)
        names = [g if isinstance(g, str) and g.strip() else pretty(f) for f, g in zip(names, given)]
    if "level" in df:  # categorical factors: one row per level vs the reference
        lev = df["level"].astype("object").to_numpy()
        names = [f"{n} = {lv}" if isinstance(lv, str) and lv else n for n, lv in zip(names, lev)]
    ax.set_yticks(y, [_literal(n) for n in names])
    ax.set_ylim(-0.7, n - 0.3)
    q_width = 0.0   # the widest q label [points]: the legend starts after it
    for i in range(n):
        if np.isfinite(q[i]):
            qt = p_text(q[i])
            note = ax.annotate(f"q{qt}" if qt.startswith(("<", ">")) else f"q={qt}", (1.0, y[i]),
                               xycoords=("axes fraction", "data"), xytext=(_Q_OFFSET_PT, 0),
                               textcoords="offset points", va="center", fontsize="x-small",
                               color="black" if sig[i] else "0.45")
            q_width = max(q_width, _text_width_pt(note))
    ax.set_xlabel("Odds ratio of numbness (95% CI, log scale)   ← less likely | more likely →")
    ax.set_title(_literal(title))
    ax.grid(True, axis="x", which="major", alpha=0.3)
    present = [c for c in schema.CAUSES if c in set(causes)] + sorted(set(causes) - set(schema.CAUSES))
    handles = [Line2D([], [], ls="none", marker="o", color=CAUSE_COLORS.get(c, CAUSE_COLORS["other"]),
                      label=_literal(cause_label(c, brief=True))) for c in present]
    handles += [Line2D([], [], ls="none", marker="o", markerfacecolor="0.3", markeredgecolor="black",
                       label=sig_label),
                Line2D([], [], ls="none", marker="o", markerfacecolor="white", markeredgecolor="0.3",
                       label=other_label)]
    # the legend a fixed distance right of the q labels (in points, not a share of the axes' width):
    # a constrained layout then makes room for all of it in one pass, and nothing is cut off
    root = ax.figure.figure if isinstance(ax.figure, SubFigure) else ax.figure   # points need the root's dpi
    shift = offset_copy(ax.transAxes, fig=root, units="points",
                        x=(_Q_OFFSET_PT + q_width + _LEGEND_GAP_PT) if q_width else _LEGEND_GAP_PT)
    ax.legend(handles=handles, title="Possible cause\n(as articles on\nnumb feet list them)", loc="upper left",
              bbox_to_anchor=(1.0, 1.0), bbox_transform=shift, borderaxespad=0.0, fontsize="small",
              title_fontsize="small", frameon=False)
    return ax


#: Offset of a forest plot's q labels from the axes' right edge, and the gap after them to the legend [points].
_Q_OFFSET_PT = 4.0
_LEGEND_GAP_PT = 14.0


def _text_width_pt(text) -> float:
    """Width of a Text's string at its font [points], without drawing (matplotlib's text-to-path metrics)."""
    from matplotlib.textpath import text_to_path

    width, _h, _d = text_to_path.get_text_width_height_descent(text.get_text(), text.get_fontproperties(),
                                                               ismath=False)
    return float(width)


# ----------------------------------------------------------------------------
# onset survival
# ----------------------------------------------------------------------------
def _onset_data(flags: pd.DataFrame, runs: pd.DataFrame | None, scale: str = "min") -> pd.DataFrame:
    """Survival data per tracked run (column ``time``): the onset for runs with numbness, else the
    run's end (censored), in minutes (*scale* 'min') or kilometres ('km')."""
    col = "onset_min" if scale == "min" else "onset_km"
    if not {"numb", col} <= set(flags.columns):
        raise KeyError(f"onset_survival: flags needs 'numb' and '{col}' (runlog.journal.episode_flags)")
    idx = flags.index[_tracked_mask(flags, flags.index)]
    f = flags.loc[idx]
    numb = f["numb"].fillna(False).astype(bool).to_numpy()
    onset = pd.to_numeric(f[col], errors="coerce").to_numpy(dtype="float64")
    # where each run ends: [min] from elapsed_s, [km] from distance_m
    total, factor = ("elapsed_s", 60.0) if scale == "min" else ("distance_m", 1000.0)
    if runs is not None and total in runs:
        end = pd.to_numeric(runs[total].reindex(idx), errors="coerce").to_numpy(dtype="float64") / factor
    elif scale == "min" and "duration_min" in f:
        end = pd.to_numeric(f["duration_min"], errors="coerce").to_numpy(dtype="float64")
    elif total in f:
        end = pd.to_numeric(f[total], errors="coerce").to_numpy(dtype="float64") / factor
    else:
        raise KeyError(f"onset_survival: pass runs= (History.runs, for each run's {total})")
    time = np.where(numb, onset, end)
    # a numb run with an unknown onset cannot be placed: drop it
    keep = np.isfinite(time)
    return pd.DataFrame({"time": time[keep], "event": numb[keep]}, index=idx[keep])


def onset_survival(flags: pd.DataFrame, *, runs: pd.DataFrame | None = None, by=None,
                   features: pd.DataFrame | None = None, band: bool | None = None, scale: str = "min",
                   ax: Axes | None = None) -> Axes:
    """Share of runs still free of numbness against minutes (or kilometres) run (Kaplan-Meier).

    Parameters
    ----------
    flags : DataFrame
        :func:`runlog.journal.episode_flags` (``tracked``, ``numb``,
        ``onset_min``); only tracked runs are used.
    runs : DataFrame, optional
        ``History.runs``: the duration (``elapsed_s``) at which runs without
        numbness are censored.
    by : str or Series, optional
        Split the curves by this factor: a column of *features* (or of
        *flags*), or a Series indexed by run id.  Numeric factors with more
        than two values are split at their median (``<= median`` vs ``>``).
    features : DataFrame, optional
        Where to find *by*.
    band : bool, optional
        Shade the pointwise 95 % confidence band (log-log); default: only
        for a single curve.
    scale : {'min', 'km'}
        Time into the run [min] (``onset_min``, runs censored at
        ``elapsed_s``) or distance into the run [km] (``onset_km``, censored
        at ``distance_m``).
    ax : Axes, optional

    Returns
    -------
    Axes
        One step line per group (legend: group and n runs / n onsets), with
        ``|`` ticks at censored runs.

    Notes
    -----
    Kaplan-Meier estimator ``S(t) = prod_{t_i <= t} (1 - d_i / n_i)``
    (Kaplan & Meier 1958, J Am Stat Assoc 53:457-481), computed by
    :func:`runlog.analysis.onset.kaplan_meier`.  Runs with numbness are
    events at their onset; the others are censored at their end.

    References
    ----------
    .. [1] Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from
       incomplete observations. J Am Stat Assoc 53:457-481.
    """
    if scale not in ("min", "km"):
        raise ValueError("onset_survival: scale must be 'min' or 'km'")
    data = _onset_data(flags, runs, scale)
    if band is None:
        band = by is None
    ax = _axes(ax, (7, 4.2))
    groups: list[tuple[str, pd.DataFrame]]
    if by is None:
        groups = [("Runs in the journal period", data)]
        colors = [CASE_COLOR]
        title = "Time to numbness" if scale == "min" else "Distance to numbness"
    else:
        if isinstance(by, str):
            src = features if features is not None and by in features else flags
            if by not in src:
                raise KeyError(f"onset_survival: no column {by!r} in the features or flags")
            s, name = src[by], by
        else:
            s, name = by, getattr(by, "name", None) or "factor"
        s = s.reindex(data.index)
        grp, order = _split(s, name)
        groups = [(lab, data[(grp == lab).to_numpy()]) for lab in order if (grp == lab).any()]
        colors = [CONTROL_COLOR, CASE_COLOR, "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        title = f"{'Time' if scale == 'min' else 'Distance'} to numbness by {lower_first(pretty(name))}"
    from ..analysis.onset import kaplan_meier

    tmax = float(data["time"].max()) if len(data) else 1.0
    for (lab, g), col in zip(groups, colors * 4):
        km, _median = kaplan_meier(g["time"], g["event"])
        t = km["time"].to_numpy(dtype="float64")
        xs = np.r_[t, tmax]
        ys = np.r_[km["survival"].to_numpy(dtype="float64"), km["survival"].iloc[-1]]
        ax.step(xs, ys, where="post", color=col, lw=2,
                label=f"{_literal(lab)} (n={len(g)}, {int(g['event'].sum())} onsets)")
        if band and len(km) > 1:
            lo = np.r_[km["ci_low"].to_numpy(dtype="float64"), km["ci_low"].iloc[-1]]
            hi = np.r_[km["ci_high"].to_numpy(dtype="float64"), km["ci_high"].iloc[-1]]
            ax.fill_between(xs, lo, hi, step="post", color=col, alpha=0.12, lw=0)
        cens = g.loc[~g["event"].to_numpy(), "time"].to_numpy()
        if cens.size:
            # survival just at the censoring time (right-continuous step)
            idx = np.clip(np.searchsorted(t, cens, side="right") - 1, 0, len(t) - 1)
            sv = km["survival"].to_numpy(dtype="float64")[idx]
            ax.plot(cens, sv, ls="none", marker="|", ms=7, color=col, alpha=0.7)
    ax.set_xlim(0, tmax * 1.02)
    # most runs end without numbness: zoom on the upper part, but always show 50-100 %
    # the lines hold arrays (get_ydata is typed as any array-like)
    low = min(min(cast(np.ndarray, ln.get_ydata()).min() for ln in ax.get_lines()) if ax.get_lines() else 0.0, 1.0)
    ax.set_ylim(min(0.5, max(0.0, math.floor((low - 0.1) * 10) / 10)), 1.02)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
    ax.set_xlabel("Time into the run [min]" if scale == "min" else "Distance into the run [km]")
    ax.set_ylabel("Runs still free of numbness [%]")
    ax.set_title(_literal(title))
    ax.grid(True, alpha=0.3)
    handles, labs = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], ls="none", marker="|", color="0.3", ms=7))
    labs.append("Run ended without numbness")
    ax.legend(handles, labs, loc="lower left", fontsize="small", framealpha=0.9)
    return ax


def _split(s: pd.Series, name: str) -> tuple[pd.Series, list[str]]:
    """Group labels of a factor and their order (low / 'no' first).

    Booleans become 'no' / 'yes', numbers are split at their median
    (``<= median`` / ``> median``), anything else is kept as is (sorted).
    """
    unit = unit_label(FEATURES[name].unit) if name in FEATURES else ""
    text = pretty(name)
    # {0, 1} also holds True/False and 0.0/1.0 (equal values hash alike)
    if pd.api.types.is_bool_dtype(s.dtype) or set(pd.unique(s.dropna())) <= {0, 1}:
        no, yes = f"{text}: no", f"{text}: yes"
        b = s.astype("boolean")
        return b.map({True: yes, False: no}).astype("object"), [no, yes]
    if pd.api.types.is_numeric_dtype(s.dtype):
        v = s.astype("float64")
        med = float(v.median())
        u = f" {unit}" if unit else ""
        low, high = f"{text} ≤ {number_text(med)}{u}", f"{text} > {number_text(med)}{u}"
        lab = np.where(v <= med, low, high)
        # numpy's stubs take no None as where()'s value; it is an object scalar like any other
        labels = np.where(v.isna(), None, lab)  # type: ignore[call-overload]
        return pd.Series(labels, index=s.index, dtype="object"), [low, high]
    out = s.astype("object").where(s.notna(), None)
    return out, sorted(str(x) for x in pd.unique(out.dropna()))


# ----------------------------------------------------------------------------
# one run's trace
# ----------------------------------------------------------------------------
_TRACE = {
    "pace": ("speed_mps", "Pace [min/km]", "#1f77b4"),
    "hr": ("hr_bpm", "Heart rate [beats/min]", "#d62728"),
    "temp": ("temp_c", "Watch temperature\n(wrist, reads high) [°C]", "#ff7f0e"),
    "cadence": ("cadence_spm", "Cadence [steps/min]", "#2ca02c"),
    "altitude": ("altitude_m", "Altitude [m]", "#8c564b"),
    "power": ("power_w", "Power [W]", "#9467bd"),
    # running dynamics (a chest strap, pod or watch that records them)
    "contact": ("stance_time_ms", "Ground contact\n[ms]", "#9467bd"),
    "balance": ("stance_time_balance_left_pct", "Left share of\ncontact [%]", "#e377c2"),
    "oscillation": ("vertical_oscillation_mm", "Vertical\noscillation [mm]", "#17becf"),
    "ratio": ("vertical_ratio_pct", "Vertical\nratio [%]", "#bcbd22"),
    "step": ("step_length_mm", "Step length\n[mm]", "#8c564b"),
}


#: The panels :func:`run_trace` draws by default.
TRACE_CHANNELS = ("pace", "hr", "temp", "cadence")
#: Plain names of the trace panels, for captions.
TRACE_NAMES = {"pace": "pace", "hr": "heart rate", "temp": "watch temperature (wrist, reads high)",
               "cadence": "cadence", "altitude": "altitude", "power": "power", "contact": "ground contact time",
               "balance": "left/right ground contact balance", "oscillation": "vertical oscillation",
               "ratio": "vertical ratio", "step": "step length"}
#: The panels :func:`form_trace` draws: pace, then the running dynamics.
FORM_CHANNELS = ("pace", "contact", "balance", "oscillation", "ratio", "step")


def trace_channels(records: pd.DataFrame, channels: Sequence[str] = TRACE_CHANNELS) -> list[str]:
    """The panels :func:`run_trace` draws for *records*: those of *channels* with any data, in order.

    Parameters
    ----------
    records : DataFrame
        One run's records.
    channels : sequence of str
        From 'pace', 'hr', 'temp', 'cadence', 'altitude', 'power', and the
        running dynamics 'contact', 'balance', 'oscillation', 'ratio', 'step'.

    Returns
    -------
    list of str
    """
    unknown = [c for c in channels if c not in _TRACE]
    if unknown:
        raise ValueError(f"run_trace: unknown channel(s) {unknown}; choose from {list(_TRACE)}")
    return [c for c in channels if _TRACE[c][0] in records and records[_TRACE[c][0]].notna().any()]


def _run_title(records: pd.DataFrame, tz, prefix: str) -> str | None:
    """'<prefix> 2024-05-27 11:23 (local time)' from the first record's time, in *tz* or the run's
    zone that :meth:`History.run` puts in ``records.attrs['tz']`` (UTC without either); None
    without a time index."""
    if not (isinstance(records.index, pd.DatetimeIndex) and len(records)):
        return None
    t0 = records.index[0] if records.index.tz is not None else records.index[0].tz_localize("UTC")
    tz = tz or records.attrs.get("tz")   # History.run() says the run's zone
    if tz:
        from ..io import local_time

        return f"{prefix} {local_time(t0, tz):%Y-%m-%d %H:%M} (local time)"
    return f"{prefix} {t0.tz_convert('UTC'):%Y-%m-%d %H:%M} UTC"


def run_trace(records: pd.DataFrame, *, onset_min: float | None = None, onset_km: float | None = None,
              x: str = "time", channels: Sequence[str] = TRACE_CHANNELS,
              smooth_s: float = 30.0, title: str | None = None, tz: str | None = None,
              ax=None) -> Figure | SubFigure:
    """One run's pace, heart rate, temperature and cadence, stacked, with the onset marked.

    Parameters
    ----------
    records : DataFrame
        One run's records (``History.run(run_id)`` or ``Activity.records``).
    onset_min, onset_km : float, optional
        Numbness onset [min] or [km] into the run; drawn as a red line on
        every panel with a label on the top one.
    x : {'time', 'km'}
        Horizontal axis: minutes since the start, or distance [km].
    channels : sequence of str
        Panels, from 'pace', 'hr', 'temp', 'cadence', 'altitude', 'power'
        and the running dynamics (:data:`FORM_CHANNELS`, :func:`form_trace`).
        Channels without data are left out.
    smooth_s : float
        Centred rolling-mean window [s] applied to the values (0: raw); GPS
        pace is noisy from one second to the next.
    title : str, optional
        Default: the run's start, in zone *tz* when given (e.g. ``History.runs.loc[run_id, 'tz']``),
        else in UTC.
    tz : str, optional
        Time zone of the default title (IANA name or '+HH:MM').
    ax : Axes or sequence of Axes, optional
        One Axes per shown channel; default: a new figure.

    Returns
    -------
    Figure
    """
    if x not in ("time", "km"):
        raise ValueError("run_trace: x must be 'time' or 'km'")
    rec = records
    shown = trace_channels(rec, channels)
    if not shown:
        raise ValueError("run_trace: the records have none of the channels " + ", ".join(channels))
    fig: Figure | SubFigure
    if ax is None:
        fig, grid = plt.subplots(len(shown), 1, sharex=True, figsize=(9, 1.7 * len(shown) + 0.8),
                                 layout="constrained", squeeze=False)
        axes: list[Axes] = list(grid[:, 0])
    else:
        axes = [ax] if isinstance(ax, Axes) else list(ax)
        if len(axes) != len(shown):
            raise ValueError(f"run_trace: {len(shown)} channels to draw ({shown}) but {len(axes)} Axes given")
        fig = axes[0].figure  # a SubFigure when the Axes given are in one
    if "elapsed_s" in rec and rec["elapsed_s"].notna().any():
        t_s = rec["elapsed_s"].to_numpy(dtype="float64")
    else:
        idx = pd.DatetimeIndex(rec.index)
        t_s = (idx.asi8 - idx.asi8[0]) / 1e9
    if x == "km":
        xv = rec["distance_m"].to_numpy(dtype="float64") / 1000.0
        xlabel = "Distance [km]"
        mark = onset_km
        if mark is None and onset_min is not None and np.isfinite(onset_min):
            mark = float(np.interp(onset_min * 60.0, t_s, np.nan_to_num(xv, nan=0.0)))
    else:
        xv = t_s / 60.0
        xlabel = "Time into the run [min]"
        mark = onset_min
        if mark is None and onset_km is not None and np.isfinite(onset_km):
            d = rec["distance_m"].to_numpy(dtype="float64") / 1000.0
            ok = np.isfinite(d)
            mark = float(np.interp(onset_km, d[ok], t_s[ok] / 60.0)) if ok.any() else None
    window = None
    if smooth_s and smooth_s > 0 and len(t_s) > 2:
        dt = float(np.nanmedian(np.diff(t_s))) or 1.0
        window = max(1, int(round(smooth_s / dt)))
    for a, ch in zip(axes, shown):
        col, label, color = _TRACE[ch]
        v = rec[col].astype("float64")
        if window and window > 1:
            v = v.rolling(window, center=True, min_periods=1).mean()
        y = pace_min_per_km(v.to_numpy()) if ch == "pace" else v.to_numpy()
        a.plot(xv, y, color=color, lw=1.2)
        a.set_ylabel(label)
        a.grid(True, alpha=0.3)
        if ch == "pace":
            a.yaxis.set_major_formatter(FuncFormatter(mmss))
            fin = y[np.isfinite(y)]
            if fin.size:
                # the running, not the stops: stops (pace -> infinity) leave the axis at the bottom
                lo, hi = np.nanpercentile(fin, [2, 96])
                pad = max(0.25, 0.15 * (hi - lo))
                a.set_ylim(hi + pad, lo - pad)  # faster is up
        if ch == "balance":   # even: half the contact time on each foot
            a.axhline(50.0, color="0.4", lw=1.0, ls=":")
            a.annotate("even (50 %)", (0.0, 50.0), xycoords=("axes fraction", "data"), xytext=(3, 2),
                       textcoords="offset points", fontsize="x-small", color="0.3")
        if mark is not None and np.isfinite(mark):
            a.axvline(mark, color=CASE_COLOR, lw=1.8, ls="--")
    if mark is not None and np.isfinite(mark):
        unit = "km" if x == "km" else "min"
        x0, x1 = np.nanmin(xv), np.nanmax(xv)
        right = not (np.isfinite(x0) and np.isfinite(x1) and mark > x0 + 0.6 * (x1 - x0))
        axes[0].annotate(f"numbness onset ({number_text(mark)} {unit})", (mark, 1.0),
                         xycoords=("data", "axes fraction"),
                         xytext=(4 if right else -4, -12), textcoords="offset points", color=CASE_COLOR,
                         fontsize="small", fontweight="bold", ha="left" if right else "right")
    axes[-1].set_xlabel(xlabel)
    if title is None:
        title = _run_title(rec, tz, "Run of")
    if title:
        axes[0].set_title(_literal(title))
    return fig


def form_trace(records: pd.DataFrame, *, onset_min: float | None = None, onset_km: float | None = None,
               x: str = "time", smooth_s: float = 30.0, title: str | None = None, tz: str | None = None,
               ax=None) -> Figure | SubFigure:
    """One run's running form: pace and the watch's running dynamics, stacked, with the onset marked.

    Ground contact time [ms], the left foot's share of it [%] (dotted line:
    even), vertical oscillation [mm], vertical ratio [%] and step length
    [mm], as far as the run has them (:data:`FORM_CHANNELS`; the
    definitions are Garmin's, see :data:`runlog.schema.RECORD_COLUMNS`).  A
    drift of the balance towards one side, or longer contact, before onset
    is what the form features (:func:`runlog.features.form.dynamics_features`)
    sum up per run.

    Parameters
    ----------
    records : DataFrame
        One run's records.
    onset_min, onset_km, x, smooth_s, title, tz, ax
        As for :func:`run_trace` (*ax*: one Axes per panel shown).

    Returns
    -------
    Figure

    Raises
    ------
    ValueError
        When the run has no running dynamics (most GPX/TCX files, and FIT
        files without a strap or pod that measures them).
    """
    if not any(records[_TRACE[c][0]].notna().any() for c in FORM_CHANNELS[1:] if _TRACE[c][0] in records):
        raise ValueError("form_trace: the run has no running dynamics (ground contact time, balance, vertical "
                         "oscillation, vertical ratio or step length); a chest strap, pod or watch that "
                         "measures them records them in the FIT file")
    if title is None:
        title = _run_title(records, tz, "Running form, run of")
    return run_trace(records, onset_min=onset_min, onset_km=onset_km, x=x, channels=FORM_CHANNELS,
                     smooth_s=smooth_s, title=title, tz=tz, ax=ax)


# ----------------------------------------------------------------------------
# scatter of two factors
# ----------------------------------------------------------------------------
def factor_scatter(features: pd.DataFrame, x: str, y: str, flags: pd.DataFrame | None = None, *,
                   ax: Axes | None = None) -> Axes:
    """Two factors against each other, one point per run, red where numbness happened.

    Parameters
    ----------
    features : DataFrame
        Per-run frame (``run_features`` output, or ``History.runs``).
    x, y : str
        Columns of *features*; the axis labels carry their units from
        :data:`runlog.features.catalog.FEATURES` (or the run columns).
    flags : DataFrame, optional
        :func:`runlog.journal.episode_flags`; without it every run is drawn
        in the control colour.  Untracked runs are small grey points.
    ax : Axes, optional

    Returns
    -------
    Axes
        Up to three point collections: untracked (grey), no numbness (blue),
        numbness (red triangles).
    """
    for c in (x, y):
        if c not in features:
            raise KeyError(f"factor_scatter: no column {c!r} in the frame")
    ax = _axes(ax, (6.5, 4.8))
    idx = features.index
    xv = pd.to_numeric(features[x], errors="coerce").to_numpy(dtype="float64")
    yv = pd.to_numeric(features[y], errors="coerce").to_numpy(dtype="float64")
    tracked = _tracked_mask(flags, idx)
    numb = _numb_mask(flags, idx) & tracked
    if flags is not None and (~tracked).any():
        ax.scatter(xv[~tracked], yv[~tracked], s=12, color=UNTRACKED_COLOR,
                   label=f"{UNTRACKED_LABEL} ({(~tracked).sum()})")
    ctrl = tracked & ~numb
    ax.scatter(xv[ctrl], yv[ctrl], s=24, color=CONTROL_COLOR, alpha=0.75, edgecolor="white", lw=0.4,
               label=f"No numbness ({ctrl.sum()})")
    if flags is not None:
        ax.scatter(xv[numb], yv[numb], s=48, color=CASE_COLOR, marker="^", edgecolor="black", lw=0.5,
                   label=f"Numbness ({numb.sum()})", zorder=3)
    ax.set_xlabel(_literal(_label(x)))
    ax.set_ylabel(_literal(_label(y)))
    ax.set_title(_literal(f"{pretty(y)} against {lower_first(pretty(x))}"))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize="small", framealpha=0.9)
    return ax


# ----------------------------------------------------------------------------
# the report's figure
# ----------------------------------------------------------------------------
def report_figure(report, *, top: int = 15, fig=None) -> Figure:
    """The main plots of an analysis together: factors, time to onset, load, calendar.

    Parameters
    ----------
    report : Report
        :func:`runlog.analyze` output; uses ``factors`` and, when the report
        carries them, ``flags``, ``features`` and ``runs``.
    top : int
        Factors shown in the forest plot.
    fig : Figure or SubFigure, optional
        Draw into this (empty) figure; default: a new one sized for the panels.

    Returns
    -------
    Figure
        One panel per plot the report has data for: forest plot, time to
        onset, training load, calendar.
    """
    flags = analysed_flags(report)
    features = getattr(report, "features", None)
    runs = getattr(report, "runs", None)
    panels = ["forest"] if report.factors is not None and len(report.factors) else []
    if flags is not None and "onset_min" in flags and flags["numb"].fillna(False).astype(bool).any():
        panels.append("onset")
    if features is not None:
        try:
            training_load_columns(features, None)
            panels.append("load")
        except KeyError:
            pass
    if runs is not None and "start_local" in runs:
        panels.append("calendar")
    if not panels:
        raise ValueError("report_figure: the report has no factors and carries no runs to plot")
    causes = getattr(report, "causes", None)
    if isinstance(causes, pd.DataFrame) and len(causes) and causes["effect"].notna().any():
        n_f = int(causes["effect"].notna().sum())
    else:
        n_f = min(top, len(report.factors)) if report.factors is not None else 0
    heights = {"forest": max(2.5, 0.3 * n_f + 1.3), "onset": 3.8, "load": 3.6, "calendar": 3.0}
    if fig is None:
        fig = plt.figure(figsize=(11, sum(heights[p] for p in panels)), layout="constrained")
    subs = fig.subfigures(len(panels), 1, height_ratios=[heights[p] for p in panels], squeeze=False)[:, 0]
    tracked = report_tracked(report)
    window = report_window(report, max_days=PLOT_MAX_DAYS)
    span = {"start": window[0], "end": window[1]} if window else {}
    cal = report_window(report, max_days=CALENDAR_MAX_DAYS)
    cal_span = {"start": cal[0], "end": cal[1]} if cal else {}
    for sub, p in zip(subs, panels):
        ax = sub.subplots()
        if p == "forest":
            causes = getattr(report, "causes", None)
            if isinstance(causes, pd.DataFrame) and len(causes) and causes["effect"].notna().any():
                cause_forest(causes, ax=ax)
            else:
                factor_forest(report_factors(report), top=top, ax=ax)
        elif p == "onset":
            onset_survival(flags, runs=runs, ax=ax)
        elif p == "load":
            load_timeline(features, flags if flags is not None else None, runs=runs, tracked=tracked, ax=ax,
                          **span)
        elif p == "calendar":
            calendar(runs, flags if flags is not None else None, tracked=tracked, ax=ax, **cal_span)
    return fig


def cause_forest(causes: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Forest plot of ``Report.causes``: one row per article-named cause, the numbers the answer rests on.

    Each tested cause at the odds ratio of its measure per the catalogue's
    fixed step (the label says which: 'heat and hydration: air temperature,
    per 5 °C'), with its 95 % interval and Holm-adjusted q-value; finding
    causes filled.  Causes that could not be tested are left out.

    Parameters
    ----------
    causes : DataFrame
        ``Report.causes`` (``cause``, ``cause_label``, ``factor_label``, ``effect``,
        ``ci_low``, ``ci_high``, ``q_value``, ``finding`` and the step of the odds
        ratio: ``effect_kind``, ``effect_per``, ``effect_per_unit``, else
        ``effect_unit`` as written; see :func:`effect_step`).
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    c = causes[pd.to_numeric(causes["effect"], errors="coerce").notna()].copy()
    labels = []
    for r in c.itertuples(index=False):
        lab = f"{cause_short(r.cause)}: {r.factor_label}"
        lv = getattr(r, "level", None)
        lab += f" '{lv}'" if isinstance(lv, str) and lv else ""
        u = effect_step(r)
        labels.append(f"{lab} ({u})" if u else lab)
    c["label"] = labels
    c = c.drop(columns=[k for k in ("level",) if k in c])
    return factor_forest(c, top=None, title="Which causes go with numbness", ax=ax)


def effect_step(row) -> str:
    """The short step of a cause's odds ratio for a plot label, from its ``effect_kind`` and
    ``effect_per`` / ``effect_per_unit``: 'per 5 °C', 'per 5 °C above usual, per hour', 'per doubling';
    '' for with/without and shoe pairs (the label says it).

    Parameters
    ----------
    row : namedtuple or Series
        A row of ``Report.causes``; a row without ``effect_kind`` (a frame of an
        older version) gives its ``effect_unit`` as written.

    Returns
    -------
    str
        The step.
    """
    get = row.get if isinstance(row, pd.Series) else (lambda k, d=None: getattr(row, k, d))
    kind = get("effect_kind")
    if kind == "per_doubling":
        return "per doubling"
    if kind == "per_step":
        return per_text(get("effect_per"), unit_label(get("effect_per_unit")))
    if kind == "exposure":
        return per_text(get("effect_per"), unit_label(get("effect_per_unit"))) + " above usual, per hour"
    if kind in ("with_without", "level"):
        return ""
    u = get("effect_unit", "")
    return u if isinstance(u, str) else ""


def report_factors(report) -> pd.DataFrame:
    """``report.factors`` with a ``finding`` column taken from the report's own findings.

    When the factors carry no ``finding`` column (the findings are causes,
    ``report.findings``), the rows of each finding cause's measure
    (``findings['factor']``) are the findings; nothing is re-decided.

    Parameters
    ----------
    report : Report
        The analysis result (``factors``, ``findings``).

    Returns
    -------
    DataFrame or None
        ``report.factors``, with a boolean ``finding`` column when it had none
        and the report has findings.
    """
    factors = report.factors
    findings = getattr(report, "findings", None)
    if factors is None or "finding" in factors or not isinstance(findings, pd.DataFrame) \
            or "factor" not in findings:
        return factors
    hit = factors["factor"].astype(str).isin(findings["factor"].astype(str))
    if "cause" in findings and "cause" in factors:
        hit &= factors["cause"].astype(str).isin(findings["cause"].astype(str))
    return factors.assign(finding=hit.to_numpy())


def analysed_flags(report) -> pd.DataFrame | None:
    """``report.flags`` with ``tracked`` narrowed to the runs the analysis used (``report.analysed_runs``).

    :func:`runlog.analyze` analyses the tracked runs of one sport
    (``report.settings['sport']``, 'running' by default); rides and swims in
    the journal period stay in ``report.flags`` (they count for training load)
    but are not cases or controls, so the plots of cases and controls leave
    them out too.

    Parameters
    ----------
    report : Report
        The analysis result (``flags`` and ``analysed_runs``; a report without
        ``analysed_runs``, e.g. made by hand: ``runs`` and ``settings['sport']``).

    Returns
    -------
    DataFrame or None
        ``report.flags`` (as it is when the report lacks what is needed).
    """
    flags = getattr(report, "flags", None)
    analysed = getattr(report, "analysed_runs", None)
    if flags is not None and "tracked" in flags and analysed is not None:
        return flags.assign(tracked=flags["tracked"].fillna(False).astype(bool).to_numpy()
                            & flags.index.isin(analysed))
    runs = getattr(report, "runs", None)
    sport = (getattr(report, "settings", None) or {}).get("sport")
    if flags is None or "tracked" not in flags or not sport or runs is None or "sport" not in runs:
        return flags
    same = runs["sport"].astype("string").str.lower().reindex(flags.index).fillna("") == str(sport).lower()
    return flags.assign(tracked=flags["tracked"].fillna(False).astype(bool) & same.to_numpy())


def report_tracked(report):
    """The journal period of a report: ``report.tracked`` (set by :func:`runlog.analyze`).

    Parameters
    ----------
    report : Report
        Uses ``tracked``; a report without it (made by hand, or by an older
        version): :func:`runlog.journal.period.journal_period` of its
        ``settings['tracked']``, ``flags`` and ``runs``.

    Returns
    -------
    tuple (start, end) or None
        Local dates (None for an open end); None when the report has neither.
    """
    t = getattr(report, "tracked", None)
    if t is not None:
        return t
    from ..journal.period import journal_period

    return journal_period((getattr(report, "settings", None) or {}).get("tracked"),
                          getattr(report, "flags", None), getattr(report, "runs", None))


#: Longest period [d] of the report's training-load plot (the end of the journal period).
PLOT_MAX_DAYS = 2 * 364
#: Longest period [d] of the report's calendar.
CALENDAR_MAX_DAYS = 364


def report_window(report, *, max_days: int | None = None):
    """The dates a report's time plots cover: the journal period, else the last year of the history.

    Parameters
    ----------
    report : Report
        Uses ``runs`` (the history's dates) and the journal period
        (``settings['tracked']``, else the span of the tracked runs).
    max_days : int, optional
        At most this many days, ending at the window's end.

    Returns
    -------
    tuple (start, end, what) or None
        First and last day (Timestamps, midnight) and what they are in words
        ('the journal period', 'the last year of the history', 'the last
        year of the journal period'); None without runs.
    """
    runs = getattr(report, "runs", None)
    if runs is None or "start_local" not in runs or len(runs) == 0:
        return None
    days = pd.to_datetime(runs["start_local"]).dt.normalize()
    first, last = days.min(), days.max()
    tracked = report_tracked(report) or (None, None)
    start = pd.Timestamp(tracked[0]).normalize() if tracked[0] is not None else None
    end = pd.Timestamp(tracked[1]).normalize() if len(tracked) > 1 and tracked[1] is not None else None
    end = last if end is None else min(end, last)
    if start is None or start > end:
        start, what = end - pd.Timedelta(days=364), "the last year of the history"
    else:
        what = "the journal period"
    if max_days is not None and (end - start).days + 1 > max_days:
        start = end - pd.Timedelta(days=max_days - 1)
        if what == "the journal period":
            years = round(max_days / 365.25)
            last_part = f"{max_days} days" if years < 1 else "year" if years == 1 else f"{years} years"
            what = f"the last {last_part} of the journal period"
    return max(start, first), end, what

