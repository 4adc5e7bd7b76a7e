"""Tests of runlog.render.plot: every plot is drawn (Agg backend) and its content checked.

The synthetic frames (tests/synthetic_frames.py) follow the documented
contracts (docs/DESIGN.md) with fixed numbers so the expected counts are known
by construction.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection

from runlog.features.catalog import FEATURES
from runlog.render import plot
from runlog.render.labels import cause_label

from synthetic_frames import (
    NUMB_IDX,
    TRACKED_FROM,
    synthetic_episodes,
    synthetic_factors,
    synthetic_features,
    synthetic_flags,
    synthetic_records,
    synthetic_runs,
)


@pytest.fixture
def frames():
    runs = synthetic_runs()
    return {"runs": runs, "flags": synthetic_flags(runs), "episodes": synthetic_episodes(runs),
            "features": synthetic_features(runs), "factors": synthetic_factors()}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def test_pace_min_per_km():
    # 1000 m / 60 s / 3.3333 m/s = 5.0 min/km; 2.5 m/s -> 6.6667; standing -> NaN
    got = plot.pace_min_per_km([1000 / 300, 2.5, 0.2, 0.0])
    np.testing.assert_allclose(got[:2], [5.0, 20 / 3])
    assert np.isnan(got[2:]).all()


def test_episode_dates_from_every_input(frames):
    exp = pd.DatetimeIndex(list(frames["runs"]["start_local"].iloc[NUMB_IDX].dt.normalize()))
    pd.testing.assert_index_equal(plot.episode_dates(frames["episodes"]), exp, check_names=False)
    # flags carry no date: taken from the run id (UTC 06:30 -> same day)
    pd.testing.assert_index_equal(plot.episode_dates(frames["flags"]), exp, check_names=False)
    pd.testing.assert_index_equal(plot.episode_dates(list(exp.strftime("%Y-%m-%d"))), exp, check_names=False)
    assert len(plot.episode_dates(None)) == 0


# ---------------------------------------------------------------------------
# plots
# ---------------------------------------------------------------------------
def test_load_timeline(frames):
    ax = plot.load_timeline(frames["features"], frames["episodes"], runs=frames["runs"],
                            tracked=(TRACKED_FROM, None))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["Fitness (CTL, 42-day)", "Fatigue (ATL, 7-day)",
                          "Freshness (TSB = CTL \N{MINUS SIGN} ATL)"]
    assert "Numbness (5 days)" in labels and "Outside the journal period" in labels
    # three load lines of 50 runs each; 5 red vertical episode lines
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 50]
    assert len(lines) == 3
    vlines = [c for c in ax.collections if isinstance(c, LineCollection)]   # one collection, full height
    assert len(vlines) == 1 and len(vlines[0].get_segments()) == 5
    assert {(seg[0][1], seg[1][1]) for seg in vlines[0].get_segments()} == {(0.0, 1.0)}
    assert vlines[0].get_transform() == ax.get_xaxis_transform(which="grid")
    days = matplotlib.dates.num2date([seg[0][0] for seg in vlines[0].get_segments()])
    assert [d.date() for d in days] == sorted(plot.episode_dates(frames["episodes"]).date)
    assert ax.get_xlabel() == "Date" and ax.get_ylabel().startswith("Training load")


def test_load_timeline_legend_hides_no_line(frames):
    # the demo's page had the legend over the fatigue line's peaks: the lines keep out of its box
    ax = plot.load_timeline(frames["features"], frames["episodes"], runs=frames["runs"],
                            tracked=(TRACKED_FROM, None))
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent()
    lines = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 50]
    for ln in lines:
        xy = ln.get_transform().transform(np.column_stack([matplotlib.dates.date2num(ln.get_xdata()), ln.get_ydata()]))
        xy = xy[np.isfinite(xy).all(axis=1)]
        inside = (xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)
        assert not inside.any(), ln.get_label()
    plt.close(ax.figure)


def test_load_timeline_shades_only_what_is_outside(frames):
    # a journal from before the first run on: nothing to shade, no legend entry for it
    ax = plot.load_timeline(frames["features"], frames["episodes"], runs=frames["runs"], tracked=("2024-01-01", None))
    assert "Outside the journal period" not in [t.get_text() for t in ax.get_legend().get_texts()]
    assert not ax.patches


def test_load_timeline_picks_given_columns_and_rejects_missing(frames):
    ax = plot.load_timeline(frames["features"], columns={"ctl_au": "Fitness"})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Fitness"]
    with pytest.raises(KeyError, match="none of the training-load columns"):
        plot.load_timeline(frames["features"].drop(columns=["ctl_au", "atl_au", "tsb_au"]))


def test_calendar(frames):
    ax = plot.calendar(frames["runs"], frames["episodes"], tracked=(TRACKED_FROM, None))
    # 10 weeks x 7 days, from Mon 2024-03-04 to the last run on Sat 2024-05-11 (69 days):
    # the run-days image has 50 finite cells, the rest-day image 19 (Wed/Sun, the last Sunday not shown)
    imgs = ax.get_images()
    assert imgs[0].get_array().shape == (7, 10)
    assert int(np.isfinite(imgs[1].get_array().filled(np.nan)).sum()) == 50
    assert int(np.isfinite(imgs[0].get_array().filled(np.nan)).sum()) == 19
    # one red dot per episode day
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots) == 1 and len(dots[0].get_offsets()) == 5
    # 7 hatched untracked days (the first week)
    assert sum(1 for p in ax.patches if p.get_hatch()) == 7
    assert next(t.get_text() for t in ax.get_yticklabels()) == "Mon"
    assert ax.figure.axes[-1].get_ylabel() == "Distance per day [km]"


def test_calendar_figsize_fits_the_squares():
    # a year (52 weeks, Mon 2025-01-06 to Sun 2026-01-04): as wide as allowed, and only as high as 7 squares
    # need: side = (11 - 1.2) / 52 = 0.188 in, height = 7 * 0.188 + 0.95 = 2.27 in
    w, h = plot.calendar_figsize("2025-01-06", "2026-01-04")
    assert w == pytest.approx(11.0) and h == pytest.approx(7 * 9.8 / 52 + 0.95)
    # ten weeks: the height allowed limits the squares, side = (3.4 - 0.95) / 7 = 0.35 in, 10 * 0.35 + 1.2 = 4.7
    # wide, raised to the 6 in the legend and title need
    assert plot.calendar_figsize("2024-03-06", "2024-05-11") == pytest.approx((6.0, 3.4))
    # laid out at that size, the calendar (title, squares, months, legend) fills the figure's height: no band
    local = pd.date_range("2025-01-06 07:00", "2026-01-04", freq="2D")
    runs = pd.DataFrame({"start_local": local, "distance_m": 8000.0},
                        index=pd.Index(local.strftime("%Y%m%dT0600Z"), name="run_id"))
    fig, ax = plt.subplots(figsize=(w, h), layout="constrained")
    plot.calendar(runs, ["2025-06-02"], start="2025-01-06", end="2026-01-04", ax=ax)
    fig.draw_without_rendering()
    drawn = ax.get_tightbbox(fig.canvas.get_renderer())
    assert drawn.height / fig.bbox.height > 0.85
    assert fig.get_tightbbox(fig.canvas.get_renderer()).y1 <= h + 0.01   # and nothing sticks out


def test_calendar_of_a_long_history_shows_the_last_year():
    # 300 runs every 3rd day from 2020-01-06: 897 days, far more than MAX_CALENDAR_WEEKS
    local = pd.date_range("2020-01-06 07:00", periods=300, freq="3D")
    runs = pd.DataFrame({"start_local": local, "distance_m": 8000.0},
                        index=pd.Index(local.strftime("%Y%m%dT0600Z"), name="run_id"))
    ax = plot.calendar(runs)
    n_weeks = ax.get_images()[0].get_array().shape[1]
    # the last 52 weeks (364 days) end on the last run, moved back to its Monday: 52 or 53 columns
    assert n_weeks in (52, 53)
    assert ax.get_title().endswith(f"to {local[-1]:%d %b %Y}")
    plt.close("all")
    # with episodes, the year ends four weeks after the last one: 2021-03-01 + 28 days = 2021-03-29
    ax = plot.calendar(runs, ["2020-02-03", "2021-03-01"])
    assert ax.get_title().endswith("to 29 Mar 2021")
    dots = next(c for c in ax.collections if isinstance(c, PathCollection))
    assert len(dots.get_offsets()) == 1  # 2020-02-03 is before the year shown (from Mon 2020-03-30)


def test_factor_forest(frames):
    ax = plot.factor_forest(frames["factors"])
    names = [t.get_text() for t in ax.get_yticklabels()]
    # sorted by q (smallest at the top = last tick)
    # the catalogue's plain names, not column names
    assert names[::-1] == [plot.pretty(f) for f in ["avg_temp_c", "duration_min", "new_shoes", "tsb", "ascent_m"]]
    assert not any("_" in n for n in names)
    assert ax.get_xscale() == "log"
    filled, hollow = [c for c in ax.collections if isinstance(c, PathCollection)][:2]
    assert len(filled.get_offsets()) == 1 and len(hollow.get_offsets()) == 4  # only q=0.005 < 0.05
    # five CI bars, one per factor
    bars = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == 2 and ln.get_linestyle() == "-"]
    assert len(bars) == 5
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {cause_label(c, brief=True) for c in ("other", "distance", "overtraining", "footwear", "terrain")} \
        <= set(legend)
    assert "Odds ratio" in ax.get_xlabel()


def test_factor_forest_top(frames):
    ax = plot.factor_forest(frames["factors"], top=2)
    assert len(ax.get_yticklabels()) == 2


def test_onset_survival_overall(frames):
    ax = plot.onset_survival(frames["flags"], runs=frames["runs"])
    # 45 tracked runs, 4 of the 5 numb runs tracked (run 4 is on 2024-03-08, before the journal)
    (label,) = [t.get_text() for t in ax.get_legend().get_texts()][:1]
    assert label == "Runs in the journal period (n=45, 4 onsets)"
    step = ax.get_lines()[0]
    assert step.get_ydata()[0] == 1.0
    # Kaplan-Meier by hand.  Tracked runs i = 5..49 last 6*(5 + i % 10) min (30..84 min);
    # onsets at 27 (run 14), 32 (24), 37 (34), 42 (44) min.
    #   t=27: all 45 at risk -> 44/45
    #   t=32: minus the onset at 27 and the four 30-min runs (i=10,20,30,40) -> 40 at risk -> 39/40
    #   t=37: minus the onset at 32 and the four 36-min runs -> 35 at risk -> 34/35
    #   t=42: minus the onset at 37 (the 42-min runs are still at risk) -> 34 at risk -> 33/34
    # S = 44/45 * 39/40 * 34/35 * 33/34 = 56628/63000 = 0.898857...
    assert step.get_ydata()[-1] == pytest.approx(44 / 45 * 39 / 40 * 34 / 35 * 33 / 34)
    assert step.get_ydata()[-1] == pytest.approx(0.898857, abs=1e-6)
    assert ax.get_xlabel() == "Time into the run [min]"


def test_onset_survival_by_factor(frames):
    ax = plot.onset_survival(frames["flags"], runs=frames["runs"], by="long_run", features=frames["features"])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    # 'no' first (blue), 'yes' second (red)
    assert texts[0].startswith("Long run: no") and texts[1].startswith("Long run: yes")
    assert ax.get_lines()[0].get_color() == plot.CONTROL_COLOR
    # the two groups add up to the 45 tracked runs
    ns = [int(t.split("n=")[1].split(",")[0]) for t in texts if "n=" in t]
    assert sum(ns) == 45


def test_run_trace_time_and_km():
    rec = synthetic_records()
    fig = plot.run_trace(rec, onset_min=20.0)
    axes = fig.axes
    assert axes[0].get_title() == "Run of 2024-03-05 06:30 UTC"
    assert plot.run_trace(rec, tz="Europe/Berlin").axes[0].get_title() == "Run of 2024-03-05 07:30 (local time)"
    assert [a.get_ylabel() for a in axes] == ["Pace [min/km]", "Heart rate [beats/min]",
                                             "Watch temperature\n(wrist, reads high) [°C]", "Cadence [steps/min]"]
    assert axes[-1].get_xlabel() == "Time into the run [min]"
    # 5:00 min/km everywhere
    np.testing.assert_allclose(axes[0].get_lines()[0].get_ydata(), 5.0)
    # the onset line is on every panel at 20 min
    for a in axes:
        assert any(ln.get_xdata()[0] == 20.0 and ln.get_color() == plot.CASE_COLOR for ln in a.get_lines())
    # on a distance axis 20 min at 5:00 min/km is 4 km (3.3333 m/s * 1200 s = 4000 m)
    fig = plot.run_trace(rec, onset_min=20.0, x="km", channels=("pace", "hr"))
    assert fig.axes[-1].get_xlabel() == "Distance [km]"
    mark = next(ln for ln in fig.axes[0].get_lines() if ln.get_color() == plot.CASE_COLOR)
    assert mark.get_xdata()[0] == pytest.approx(4.0)


def test_run_trace_skips_missing_channels_and_checks_axes():
    rec = synthetic_records()
    rec["temp_c"] = np.nan
    fig = plot.run_trace(rec)
    assert len(fig.axes) == 3
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="3 channels"):
        plot.run_trace(rec, ax=ax)
    fig = plot.run_trace(rec, channels=("hr",), ax=ax)
    assert ax.get_ylabel() == "Heart rate [beats/min]"


def test_form_trace_draws_the_running_dynamics():
    rec = synthetic_records()
    with pytest.raises(ValueError, match="no running dynamics"):
        plot.form_trace(rec)
    rec = rec.assign(stance_time_ms=250.0, stance_time_balance_left_pct=51.0, vertical_oscillation_mm=90.0,
                     vertical_ratio_pct=np.nan, step_length_mm=1100.0)
    fig = plot.form_trace(rec, onset_min=20.0)
    axes = fig.axes
    assert axes[0].get_title() == "Running form, run of 2024-03-05 06:30 UTC"
    # the vertical ratio has no data: left out
    assert [a.get_ylabel() for a in axes] == ["Pace [min/km]", "Ground contact\n[ms]", "Left share of\ncontact [%]",
                                             "Vertical\noscillation [mm]", "Step length\n[mm]"]
    np.testing.assert_allclose(axes[2].get_lines()[0].get_ydata(), 51.0)
    assert any(np.all(np.asarray(ln.get_ydata()) == 50.0) for ln in axes[2].get_lines())   # the "even" line
    for a in axes:
        assert any(ln.get_xdata()[0] == 20.0 and ln.get_color() == plot.CASE_COLOR for ln in a.get_lines())
    plt.close("all")


def test_factor_scatter(frames):
    ax = plot.factor_scatter(frames["features"], "avg_temp_c", "duration_min", frames["flags"])
    sizes = [len(c.get_offsets()) for c in ax.collections]
    # 5 untracked (first week), 41 tracked without numbness, 4 tracked with numbness
    assert sizes == [5, 41, 4]
    assert ax.get_legend().get_texts()[2].get_text() == "Numbness (4)"


def test_functions_draw_on_a_given_axes(frames):
    _fig, axs = plt.subplots(2, 2)
    assert plot.factor_forest(frames["factors"], ax=axs[0, 0]) is axs[0, 0]
    assert plot.onset_survival(frames["flags"], runs=frames["runs"], ax=axs[0, 1]) is axs[0, 1]
    assert plot.load_timeline(frames["features"], frames["flags"], ax=axs[1, 0]) is axs[1, 0]
    assert plot.factor_scatter(frames["features"], "ctl_au", "tsb_au", ax=axs[1, 1]) is axs[1, 1]


def test_onset_survival_hand_computed_small():
    # five runs: onsets at 5 and 10, 10 min; runs without numbness ending at 8 and 12 min.
    # Kaplan-Meier: t=5: 5 at risk, 1 onset -> S = 4/5 = 0.8; t=8 censored;
    # t=10: 3 at risk, 2 onsets -> S = 0.8 * 1/3 = 0.26667; the curve is carried on to 12 min.
    ids = pd.Index([f"2024030{i}T0700Z" for i in range(1, 6)], name="run_id")
    flags = pd.DataFrame({"tracked": True, "numb": [True, False, True, True, False],
                          "onset_min": [5.0, np.nan, 10.0, 10.0, np.nan]}, index=ids)
    runs = pd.DataFrame({"elapsed_s": [1800.0, 480.0, 1800.0, 1800.0, 720.0]}, index=ids)
    ax = plot.onset_survival(flags, runs=runs)
    step = ax.get_lines()[0]
    np.testing.assert_allclose(step.get_xdata(), [0, 5, 10, 12])
    np.testing.assert_allclose(step.get_ydata(), [1.0, 0.8, 0.8 / 3, 0.8 / 3])
    # censoring ticks at 8 min (S = 0.8) and 12 min (S = 0.26667)
    ticks = ax.get_lines()[1]
    np.testing.assert_allclose(ticks.get_xdata(), [8, 12])
    np.testing.assert_allclose(ticks.get_ydata(), [0.8, 0.8 / 3])
    # the confidence band is drawn for a single curve
    assert len(ax.collections) == 1


def test_onset_survival_split_at_the_median(frames):
    ax = plot.onset_survival(frames["flags"], runs=frames["runs"], by=frames["features"]["avg_temp_c"])
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    # avg_temp_c = 5 + 0.3 k over runs k = 0..49; median over the 45 tracked runs (k = 5..49) is at k = 27:
    # 5 + 0.3 * 27 = 13.1 -> 23 runs at or below, 22 above
    assert texts[0].startswith("Avg temp ≤ 13.1") and "n=23" in texts[0]
    assert texts[1].startswith("Avg temp > 13.1") and "n=22" in texts[1]
    assert len(ax.collections) == 0  # no confidence band on split curves


def test_factor_forest_uses_the_finding_column(frames):
    f = frames["factors"].assign(finding=[False, True, False, False, False])
    ax = plot.factor_forest(f)
    filled = next(c for c in ax.collections if isinstance(c, PathCollection))
    # only duration_min (the second-ranked factor: y = 3 of 0..4 from the bottom) is filled
    np.testing.assert_allclose(filled.get_offsets(), [[1.8, 3.0]])
    assert "Finding" in [t.get_text() for t in ax.get_legend().get_texts()]


# ---------------------------------------------------------------------------
# the same plots on a simulated season (runlog.simulate), checked against its answer key
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def season(simulated):
    """10 journal weeks + 2 weeks of history, 64 runs, 13 with numbness (seed 3, base risk 0.25)."""
    import warnings

    import runlog

    s = simulated("hydration", 3, weeks=10, history_weeks=2, sample_s=10, base_risk=0.25)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = runlog.read_history(s.gpx_dir, cache=False, progress=False, workers=1)
        ep = runlog.read_episodes(s.episodes_csv, history=h)
        flags = runlog.episode_flags(h, ep, tracked=s.tracked)
        feats = runlog.run_features(h)
        rep = runlog.analyze(h, ep, tracked=s.tracked, features=feats)
    return {"season": s, "history": h, "episodes": ep, "flags": flags, "features": feats, "report": rep}


@pytest.mark.slow
def test_plots_on_a_simulated_season(season):
    s, h, flags = season["season"], season["history"], season["flags"]
    truth = s.truth
    numb_days = pd.DatetimeIndex(truth.loc[truth["numb"], "start_local"]).normalize().unique()
    assert len(h.runs) == len(truth) == 64 and truth["numb"].sum() == 13

    ax = plot.calendar(h.runs, season["episodes"], tracked=s.tracked)
    dots = next(c for c in ax.collections if isinstance(c, PathCollection))
    assert len(dots.get_offsets()) == len(numb_days)
    run_days = pd.DatetimeIndex(truth["start_local"]).normalize().nunique()
    assert int(np.isfinite(ax.get_images()[1].get_array().filled(np.nan)).sum()) == run_days
    plt.close("all")

    ax = plot.load_timeline(season["features"], flags, runs=h.runs, tracked=s.tracked)
    assert len([ln for ln in ax.get_lines() if len(ln.get_xdata()) == 64]) == 3  # CTL, ATL, TSB per run
    assert f"Numbness ({len(numb_days)} days)" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close("all")

    ax = plot.onset_survival(flags, runs=h.runs)
    n_tracked = int(truth["tracked"].sum())
    assert ax.get_legend().get_texts()[0].get_text() == f"Runs in the journal period (n={n_tracked}, 13 onsets)"
    plt.close("all")

    rid = truth.index[truth["numb"]][0]
    fig = plot.run_trace(h.run(rid), onset_min=flags.loc[rid, "onset_min"])
    assert flags.loc[rid, "onset_min"] == truth.loc[rid, "onset_min"]
    for a in fig.axes:
        marks = [ln for ln in a.get_lines() if ln.get_color() == plot.CASE_COLOR]
        assert marks[0].get_xdata()[0] == truth.loc[rid, "onset_min"]
    # the time axis runs to the run's duration [min]
    assert fig.axes[0].get_lines()[0].get_xdata()[-1] == pytest.approx(h.runs.loc[rid, "elapsed_s"] / 60)
    plt.close("all")

    ax = plot.factor_scatter(season["features"], "duration_min", "device_temp_mean_c", flags)
    sizes = [len(c.get_offsets()) for c in ax.collections]
    assert sizes == [64 - n_tracked, n_tracked - 13, 13]
    assert ax.get_xlabel() == f"{plot.pretty('duration_min')} [min]"
    assert ax.get_ylabel() == f"{plot.pretty('device_temp_mean_c')} [°C]"
    assert "_" not in ax.get_xlabel() + ax.get_ylabel() + ax.get_title()


@pytest.mark.slow
def test_report_plot_on_a_simulated_season(season):
    rep = season["report"]
    fig = rep.plot()
    titles = [a.get_title() for a in fig.axes]
    assert "Which causes go with numbness" in titles and "Time to numbness" in titles
    assert "Training load and numbness episodes" in titles and any(t.startswith("Runs and episodes") for t in titles)
    forest = next(a for a in fig.axes if a.get_title() == "Which causes go with numbness")
    assert len(forest.get_yticklabels()) == int(rep.causes["effect"].notna().sum())   # one row per tested cause
    plt.close("all")
    own = plt.figure(figsize=(12, 14))
    assert rep.plot(fig=own, top=5) is own and len(own.axes) >= 4


def test_report_figure_of_an_untestable_report(frames):
    from runlog.report._report import Report

    # one numb run: nothing tested, so no forest; onset, load and calendar still drawn
    flags = frames["flags"].assign(numb=False)
    flags.iloc[10, flags.columns.get_loc("numb")] = True
    rep = Report(n_runs=45, n_numb_runs=1, testable=False, flags=flags, features=frames["features"],
                 runs=frames["runs"], settings={"tracked": ("2024-03-11", None)})
    fig = rep.plot()
    titles = [a.get_title() for a in fig.axes if a.get_title()]
    assert "Which factors go with numbness" not in titles and "Time to numbness" in titles
    cal = next(a for a in fig.axes if a.get_title().startswith("Runs and episodes"))
    # the calendar and the load show the journal period (from settings), not the week before it
    assert cal.get_title().startswith("Runs and episodes, 11 Mar 2024 to ")
    assert sum(1 for p in cal.patches if p.get_hatch()) == 0
    load = next(a for a in fig.axes if a.get_title() == "Training load and numbness episodes")
    assert load.get_xlim()[0] == pytest.approx(matplotlib.dates.date2num(pd.Timestamp("2024-03-11")))
    with pytest.raises(ValueError, match=r"nothing|no factors"):
        Report().plot()


def test_analysed_flags_keep_only_the_analysed_sport(frames):
    from runlog.report._report import Report

    runs = frames["runs"].assign(sport=["cycling" if i % 5 == 0 else "running" for i in range(50)])
    rep = Report(flags=frames["flags"], runs=runs, settings={"sport": "running"})
    got = plot.analysed_flags(rep)
    # 45 tracked runs (i = 5..49), of which i = 5, 10, ..., 45 (9 runs) are rides
    assert int(got["tracked"].sum()) == 45 - 9
    assert got["numb"].equals(frames["flags"]["numb"])
    # without a sport setting, the flags are used as they are
    assert plot.analysed_flags(Report(flags=frames["flags"], runs=runs)) is frames["flags"]
    # a report from analyze() names the runs it analysed: those (tracked) are the cases and controls
    ids = frames["flags"].index[frames["flags"]["tracked"].to_numpy()][::2]
    got = plot.analysed_flags(Report(flags=frames["flags"], runs=runs, analysed_runs=ids))
    assert list(got.index[got["tracked"].to_numpy()]) == list(ids)


def test_onset_survival_in_km():
    # the small example of test_onset_survival_hand_computed_small in km: onsets at 1 and 2, 2 km;
    # runs without numbness ending at 1.6 and 2.4 km -> S = 0.8 after 1 km, 0.8/3 after 2 km
    ids = pd.Index([f"2024030{i}T0700Z" for i in range(1, 6)], name="run_id")
    flags = pd.DataFrame({"tracked": True, "numb": [True, False, True, True, False],
                          "onset_min": np.nan, "onset_km": [1.0, np.nan, 2.0, 2.0, np.nan]}, index=ids)
    runs = pd.DataFrame({"distance_m": [5000.0, 1600.0, 5000.0, 5000.0, 2400.0]}, index=ids)
    ax = plot.onset_survival(flags, runs=runs, scale="km")
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [0, 1, 2, 2.4])
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [1.0, 0.8, 0.8 / 3, 0.8 / 3])
    assert ax.get_xlabel() == "Distance into the run [km]" and ax.get_title() == "Distance to numbness"
    with pytest.raises(ValueError, match="'min' or 'km'"):
        plot.onset_survival(flags, runs=runs, scale="miles")


def test_plain_names_from_the_labels():
    # a feature: its plain name (runlog.render.labels); other columns in words without the unit suffix
    assert plot.pretty("air_temp_c") == "Air temperature" and plot.pretty("trimp") == "Training impulse (TRIMP)"
    assert plot.pretty("distance_m") == "Distance" and plot.pretty("elapsed_s") == "Elapsed"
    ax = plot.factor_forest(pd.DataFrame({"factor": ["air_temp_c", "shoes"], "label": ["", "the shoes"],
                                          "level": [None, "racer"], "cause": ["hydration", "footwear"],
                                          "effect": [2.0, 3.0], "ci_low": [1.2, 1.1], "ci_high": [3.0, 8.0],
                                          "q_value": [0.01, 0.04]}))
    assert [t.get_text() for t in ax.get_yticklabels()][::-1] == [plot.pretty("air_temp_c"), "the shoes = racer"]
    plt.close("all")


def test_forest_marks_the_report_findings_measures():
    from runlog.report._report import Report

    factors = pd.DataFrame({"factor": ["air_temp_c", "heat_index_c", "shoes"],
                            "cause": ["hydration"] * 2 + ["footwear"],
                            "effect": [2.0, 2.1, 1.5], "ci_low": [1.2, 1.1, 0.9], "ci_high": [3.0, 3.5, 2.4],
                            "q_value": [0.01, 0.01, 0.2]})
    findings = pd.DataFrame({"cause": ["hydration"], "factor": ["air_temp_c"], "sentence": ["Heat ..."]})
    got = plot.report_factors(Report(factors=factors, findings=findings))
    # the report's finding cause's measure, not every measure with q < 0.05
    assert got["finding"].tolist() == [True, False, False]
    assert plot.report_factors(Report(factors=got)) is got


def test_cause_forest_one_row_per_tested_cause_findings_filled():
    causes = pd.DataFrame({
        "cause": ["hydration", "overtraining", "footwear", "form"],
        "cause_label": ["heat and hydration", "training load", "shoes", "running form"],
        "factor": ["air_temp_c", "run_streak_days", "shoes", "cadence_vs_pace_spm"],
        "factor_label": ["air temperature", "consecutive running days", "shoes worn", "cadence for the pace"],
        "level": [None, None, "Racer", None],
        "effect": [2.7, 0.96, 1.7, np.nan], "ci_low": [1.4, 0.77, 0.6, np.nan], "ci_high": [5.3, 1.19, 4.7, np.nan],
        "q_value": [0.027, 1.0, 1.0, np.nan],
        "effect_unit": ["per 5 °C above your usual 15.3 °C, per hour on your feet", "per 1 day",
                        "this one against the others", ""],
        "finding": [True, False, False, False],
        # the label is built from these (runlog.analysis.causes.effect_columns), not from effect_unit
        "effect_kind": ["exposure", "per_step", "level", ""], "effect_per": [5.0, 1.0, np.nan, np.nan],
        "effect_per_unit": ["°C", "day", "", ""], "effect_usual": [15.3, np.nan, np.nan, np.nan]})
    ax = plot.cause_forest(causes)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # the untestable cause (no estimate) is left out; the strongest row is drawn at the top
    assert labels == ["Shoes: shoes worn 'Racer'", "Training load: consecutive running days (per 1 day)",
                      "Heat: air temperature (per 5 °C above usual, per hour)"]
    assert ax.get_title() == "Which causes go with numbness"
    filled = [c for c in ax.collections if len(c.get_offsets()) and c.get_facecolor().shape[0]
              and c.get_facecolor()[0][:3].tolist() != [1.0, 1.0, 1.0]]
    assert sum(len(c.get_offsets()) for c in filled) == 1   # one finding: heat
    plt.close(ax.figure)


def test_effect_step_from_the_structured_columns():
    from runlog.analysis.causes import effect_columns

    heat = pd.Series(effect_columns("air_temp_c", 5.0, FEATURES, "numeric", usual=15.33))
    assert heat["effect_kind"] == "exposure" and heat["effect_usual"] == 15.33
    assert plot.effect_step(heat) == "per 5 °C above usual, per hour"
    run = pd.Series(effect_columns("duration_min", float("nan"), FEATURES, "numeric"))
    assert run["effect_kind"] == "per_doubling" and plot.effect_step(run) == "per doubling"
    assert plot.effect_step(pd.Series(effect_columns("shoes", 1.0, FEATURES, "categorical"))) == ""
    # a frame of an older version (no effect_kind): effect_unit as written
    assert plot.effect_step(pd.Series({"effect_unit": "per 2 days"})) == "per 2 days"


def test_form_trace_of_a_history_run_is_titled_in_local_time(data_dir):
    # issue 24: form_trace(history.run(rid)) was titled in UTC (09:23 UTC for an 11:23 start at +02:00)
    import warnings

    import runlog

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = runlog.read_history([data_dir / "fit/fitparse__sample_mulitple_header.fit"], cache=False, progress=False)
    rec = h.run("20180527T0923Z")
    assert rec.attrs["tz"] == "+02:00"
    fig = runlog.plot.form_trace(rec)
    assert fig.axes[0].get_title() == "Running form, run of 2018-05-27 11:23 (local time)"
    fig = runlog.plot.form_trace(rec, tz="UTC")   # a zone given wins
    assert fig.axes[0].get_title() == "Running form, run of 2018-05-27 09:23 (local time)"
