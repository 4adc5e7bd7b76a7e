"""analyze / analyze_frames: small-sample behaviour, the report's text and HTML, and the full
pipeline on real activity files from tests/data with a hand-written journal."""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import runlog
from runlog.errors import AnalysisError
from runlog.report import analyze_frames
from runlog.units import number_text

# Running activities among the bundled real files (one copy of each run).
REAL_RUNS = [
    "fit/fitparse__Activity.fit",
    "fit/fitparse__activity-small-fenix2-run.fit",
    "fit/fitparse__sample_mulitple_header.fit",
    "fit/heartandsole__B47I2852.FIT",
    "fit/heartandsole__testdata.fit",
    "fit/sweatpy__6471559601_ACTIVITY.fit",
    "fit/workoutizer__2019-09-25-16-15-53.fit",
    "fit/workoutizer__run_with_coordinates.fit",
    "gpx/runpandas__strava_export.gpx",
    "tcx/runpandas__malformed.tcx",
    "tcx/runpandas__run_garmin.tcx",
    "tcx/sweatpy__3173437224.tcx",
    "fit/sweatpy__2020-06-01-16-52-40.fit",  # a ride: not analysed with sport='running'
]


@pytest.fixture(scope="module")
def history(data_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acts = [runlog.read_activity(data_dir / p) for p in REAL_RUNS]
    return runlog.History.from_activities(acts)


def _journal(history, rows: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runlog.read_episodes(io.StringIO("run,onset_min,side,location,severity\n" + rows), history=history)


TRACKED = ("2010-01-01", "2025-12-31")


# ------------------------------------------------------------------ real files, few episodes

@pytest.mark.parametrize("n_eps", [0, 1, 3])
def test_few_episodes_give_descriptives_only(history, n_eps):
    rows = ["20150815T1445Z,40,left,toes,4", "20201210T0627Z,25,left,toes,3",
            "20190129T1025Z,30,both,forefoot,5"][:n_eps]
    eps = _journal(history, "".join(r + "\n" for r in rows))
    rep = runlog.analyze(history, eps, tracked=TRACKED)
    assert isinstance(rep, runlog.Report)
    assert rep.n_runs == 12 and rep.n_numb_runs == n_eps  # the ride is left out
    assert not rep.testable and len(rep.factors) == 0 and len(rep.findings) == 0
    # why, said once (the answer line), with how many more runs with numbness testing needs
    more = 5 - n_eps
    assert rep.sections()[0].blocks[0].text.startswith(f"Testing is not possible yet: it needs {more} more run"
                                        f"{'s' if more != 1 else ''} with numbness (at least 5; ")
    assert rep.to_text().count("Testing is not possible yet") == 1
    assert rep.to_markdown().count("Testing is not possible yet") == 1
    assert len(rep.descriptives) > 5 and (rep.descriptives["n_episodes"] <= n_eps).all()
    # no table of rows that only repeat 'not possible', no caveat about intervals and q-values of no test
    assert len(rep.not_tested) == 0 and "## Not tested" not in rep.to_markdown()
    assert not any("Testing is not possible" in c or "confidence intervals" in c or "q-value" in c
                   for c in rep.caveats)
    if n_eps:
        s = rep.onset.summary.set_index("scale")
        assert s.loc["minutes", "n_onsets"] == n_eps
        assert rep.onset.summary.loc[0, "median"] == np.median([40, 25, 30][:n_eps])


def test_all_runs_numb_is_not_testable(history):
    ids = history.runs.index[history.runs["sport"] == "running"]
    eps = _journal(history, "".join(f"{r},,left,toes,2\n" for r in ids))
    rep = runlog.analyze(history, eps, tracked=TRACKED)
    assert not rep.testable and rep.n_numb_runs == rep.n_runs == 12
    assert "no runs without it to compare" in rep.to_text()


def test_real_pipeline_five_episodes(history):
    # 5 numb runs among 12 real runs: testable; every number of a factor row can be
    # recomputed from the report's own feature frame with scipy.
    rows = ("20150815T1445Z,40,left,toes,4\n20201210T0627Z,25,left,toes,3\n20190129T1025Z,30,both,forefoot,5\n"
            "20210110T0854Z,35,left,toes,4\n20180527T0923Z,28,right,toes,2\n")
    rep = runlog.analyze(history, _journal(history, rows), tracked=TRACKED)
    assert rep.testable and rep.n_numb_runs == 5 and rep.n_runs == 12
    assert len(rep.factors) > 0 and len(rep.causes) > 0
    assert set(rep.factors["cause"]) <= set(runlog.schema.CAUSES)
    cols = {"factor", "cause", "role", "label", "n_runs", "n_episodes", "effect", "ci_low", "ci_high",
            "p_value", "q_value", "effect_unit", "explained_by"}
    assert cols <= set(rep.factors.columns)
    assert set(rep.factors["role"]) <= {"primary", "secondary", "in-run", "explained"}
    # a measure's counts recomputed from the report's own frames, on a measure that is not measured
    # during the run (those are windowed before onset): runs with a value, numb runs, the median split
    numb = rep.flags.loc[rep.features.index.intersection(rep.flags.index), "numb"]
    inrun = {n for n, f in runlog.features.catalog.FEATURES.items() if f.in_run}
    f = rep.factors
    r = f[(f["kind"] == "numeric") & ~f["factor"].isin(inrun)].iloc[0]
    x = rep.features[r["factor"]].reindex(numb.index)
    sel = x.notna() & (rep.runs["sport"].reindex(numb.index) == "running") & rep.flags["tracked"].reindex(numb.index)
    xs, ys = x[sel].astype(float), numb[sel].astype(bool)
    assert r["n_runs"] == len(xs) and r["n_episodes"] == int(ys.sum())
    above = xs > np.median(xs)
    assert (r["exposed_runs"], r["exposed_numb"]) == (int(above.sum()), int((above & ys).sum()))
    # onset: 5 known onsets in minutes, median 30 min; pace/HR compared at onset on the real records
    s = rep.onset.summary.set_index("scale")
    assert s.loc["minutes", "n_onsets"] == 5 and s.loc["minutes", "median"] == 30
    assert set(rep.onset.at_onset["variable"]) == {"speed_mps", "hr_bpm", "temp_c"}
    text = rep.to_text()
    assert "runlog does not diagnose" in text
    md = rep.to_markdown()
    assert md.startswith("# runlog report") and md.splitlines()[2] == f"**{rep.answer}**"


def test_no_run_in_tracked_period_raises(history):
    eps = _journal(history, "20150815T1445Z,40,left,toes,4\n")
    with pytest.raises(AnalysisError, match="tracked"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runlog.analyze(history, eps, tracked=("2030-01-01", "2030-12-31"))


def test_unknown_sport_raises(history):
    eps = _journal(history, "20150815T1445Z,40,left,toes,4\n")
    with pytest.raises(AnalysisError, match="sport=None"):
        runlog.analyze(history, eps, tracked=TRACKED, sport="swimming")


# ------------------------------------------------------------------ synthetic frames

def _season(seed=4, n=160, beta=1.4):
    """A synthetic season in the catalogue's columns: air temperature drives numbness (beta per SD)."""
    rng = np.random.default_rng(seed)
    idx = pd.Index([f"r{i:03d}" for i in range(n)], name="run_id")
    start = pd.Series(pd.date_range("2025-03-01 07:00", periods=n, freq="D"), index=idx)
    heat = 15 + 4 * np.sin(np.linspace(0, np.pi, n)) + rng.normal(0, 5, n)
    z = (heat - heat.mean()) / heat.std()
    numb = rng.random(n) < 1 / (1 + np.exp(-(-2.4 + beta * z)))
    F = pd.DataFrame({"air_temp_c": heat, "duration_min": rng.uniform(30, 90, n),
                      "speed_vs_usual_pct": rng.normal(0, 5, n), "ascent_per_km_m": 0.0,
                      "hard_start": (rng.random(n) < 0.3).astype(float)}, index=idx)
    onset = np.where(numb, rng.normal(35, 3, n), np.nan)
    flags = pd.DataFrame({"tracked": True, "numb": numb, "n_episodes": numb.astype(int), "onset_min": onset,
                          "onset_km": onset / 5.5, "max_severity": np.nan}, index=idx)
    runs = pd.DataFrame({"elapsed_s": F["duration_min"] * 60.0, "distance_m": 11000.0, "start_local": start},
                        index=idx)
    return F, flags, runs


def test_frames_sentences_and_report_outputs(tmp_path):
    F, flags, runs = _season()
    rep = analyze_frames(F, flags, runs=runs)
    assert rep.testable
    assert list(rep.findings["cause"]) == ["hydration"]
    f = rep.findings.iloc[0]
    # numbness here follows the temperature of the run whatever its length: heat is found per run (the
    # plan tests it per hour on the feet and per run together), per 5 °C
    assert f["factor"] == "air_temp_c" and f["effect_unit"] == "per 5 °C" and f["ci_low"] > 1
    assert (f["effect_kind"], f["effect_per"], f["effect_per_unit"]) == ("per_step", 5.0, "°C")
    assert rep.causes.set_index("cause").loc["hydration", "form"] == "per_run"
    exposure = rep.causes.set_index("cause").loc[["hydration"], "effect_usual"]
    assert exposure.isna().all()       # per run: no 'above your usual'
    assert number_text(5.0) == "5"
    assert rep.answer.startswith("Heat goes with your numbness: ")
    # the absolute risks are counted from the frame: numb runs above / at or below the round split
    t = float(re.search(r"above ([0-9.]+) °C", f["risk_text"]).group(1))
    above = F["air_temp_c"] > t
    k1, n1 = int(flags.loc[above, "numb"].sum()), int(above.sum())
    k0, n0 = int(flags.loc[~above, "numb"].sum()), int((~above).sum())
    assert f["risk_text"] == (f"1 run in {n1 / k1:.0f} above {t:g} °C air temperature had numbness, "
                              f"1 run in {n0 / k0:.0f} at or below")
    # the first finding's risks are in the answer line: its paragraph starts with the effect
    assert f["sentence"].startswith("Odds of numbness x ") and f["risk_text"] in rep.answer
    # estimate, interval and p come from one model: the interval excludes 1 exactly when p < 0.05
    c = rep.causes.set_index("cause")
    for cause, r in c[c["p_value"].notna()].iterrows():
        # p is one-sided in the plan's direction: the interval excludes 1 exactly when twice it is below
        # 0.05 (against the direction, p is near 1 and the interval is the test's own)
        if np.sign(np.log(r["effect"])) == r["direction"]:
            assert (r["ci_low"] > 1 or r["ci_high"] < 1) == (2 * r["p_value"] < 0.05), cause
    assert c.loc["hydration", "finding"] and not c.drop("hydration")["finding"].any()
    # roles: the primary measures, and the rest
    roles = rep.factors.set_index("factor")["role"]
    assert roles["air_temp_c"] == "primary" and roles["speed_vs_usual_pct"] == "primary"
    assert "ascent_per_km_m" in set(rep.not_tested["factor"])
    assert rep.onset.reproducible  # onsets 35 +- 3 min
    assert any("consistent point" in c for c in rep.caveats)
    html = rep._repr_html_()
    assert html.index(rep.answer.split(":")[0]) < html.index("By cause")
    page = rep.to_html(tmp_path / "report.html", figures=False)
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == page
    assert "Not a diagnosis" in page


def test_frames_null_season_says_no_cause_stands_out():
    F, flags, runs = _season(seed=11, beta=0.0)
    rep = analyze_frames(F, flags, runs=runs)
    assert rep.testable and len(rep.findings) == 0
    assert rep.answer.startswith("No cause stands out yet among the ")
    body = " ".join(rep.to_text().split("\n", 2)[2].split())
    assert body.startswith(rep.answer)
    # the structured effect unit follows the existing columns (runlog.render.wording.FINDING_COLUMNS)
    assert list(rep.findings.columns)[-5:] == ["sentence", "effect_kind", "effect_per", "effect_per_unit",
                                               "effect_usual"]


def test_journal_path_all_sports_and_plot(history, tmp_path):
    # the journal may be given as a file; sport=None keeps the ride (13 activities)
    path = tmp_path / "numbness.csv"
    path.write_text("run,onset_min,side,location,severity\n20150815T1445Z,40,left,toes,4\n"
                    "20200601T1452Z,1,right,toes,2\n", encoding="utf-8")
    rep = runlog.analyze(history, str(path), tracked=TRACKED, sport=None)
    assert rep.n_runs == 13 and rep.n_numb_runs == 2 and not rep.testable
    rep_running = runlog.analyze(history, path, tracked=TRACKED)
    assert rep_running.n_runs == 12 and rep_running.n_numb_runs == 1
    # the report carries what it analysed: the run ids (the ride only with sport=None) and the period
    ride = "20200601T1452Z"
    assert len(rep.analysed_runs) == 13 and ride in rep.analysed_runs
    assert len(rep_running.analysed_runs) == 12 and ride not in rep_running.analysed_runs
    assert rep_running.tracked == (pd.Timestamp("2010-01-01"), pd.Timestamp("2025-12-31"))
    # the plots read them: the ride is not a case or a control of the running report
    from runlog.render import plot

    assert plot.analysed_flags(rep_running)["tracked"].sum() == 12
    assert plot.report_tracked(rep_running) is rep_running.tracked
    assert any("other sport or outside the tracked period" in n for n in rep_running.notes)
    import matplotlib.figure

    assert isinstance(rep.plot(), matplotlib.figure.Figure)


SHARED_JOURNAL = """run,onset_min,side,location,severity
20120818T0515Z,45,left,toes,4
20130206T1211Z,30,left,forefoot,3
20150815T1445Z,40,both,toes,5
20170117T1706Z,35,left,toes,2
20190615T0942Z,50,right,sole,4
20190918T1402Z,28,left,toes,3
20210110T0854Z,33,left,toes,4
"""


@pytest.mark.shared
@pytest.mark.slow
def test_shared_corpus_pipeline(shared_dir):
    # 34 real running activities from many devices and formats (missing HR, temperature,
    # positions; damaged files) with a hand-written journal of 7 episodes: the whole analysis
    # runs, and every factor row can be recomputed from the report's own frames.
    from statsmodels.stats.multitest import multipletests

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hist = runlog.read_history(shared_dir)
        eps = runlog.read_episodes(io.StringIO(SHARED_JOURNAL), history=hist)
        rep = runlog.analyze(hist, eps, tracked=("2009-01-01", "2024-12-31"))
    assert rep.testable and rep.n_numb_runs == 7
    assert rep.n_runs == int((hist.runs["sport"] == "running").sum())
    f = rep.factors
    assert len(f) > 10 and set(f["cause"]) <= set(runlog.schema.CAUSES)
    # a cause's own measure carries the cause test's numbers (By cause); the other rows' q is BH over them
    tested = rep.causes[rep.causes["p_value"].notna()]
    own_keys = {(r.factor, r.level if isinstance(r.level, str) else None) for r in tested.itertuples()}
    own = np.array([(fa, lv if isinstance(lv, str) else None) in own_keys for fa, lv in zip(f["factor"], f["level"])])
    assert own.sum() == len(tested)
    for c in ("effect", "p_value", "q_value"):
        got = f.loc[own].set_index("factor")[c].sort_index()
        np.testing.assert_allclose(got, tested.set_index("factor")[c].sort_index())
    np.testing.assert_allclose(f.loc[~own, "q_value"], multipletests(f.loc[~own, "p_value"], method="fdr_bh")[1])
    ids = rep.runs.index[(rep.runs["sport"] == "running").to_numpy()]
    numb = rep.flags.loc[ids, "numb"].astype(bool)
    inrun = {n for n, ft in runlog.features.catalog.FEATURES.items() if ft.in_run}
    for _, r in f[(f["kind"] == "numeric") & ~f["factor"].isin(inrun)].head(5).iterrows():
        x = pd.to_numeric(rep.features.loc[ids, r["factor"]], errors="coerce")
        ok = x.notna()
        assert r["n_runs"] == int(ok.sum()) and r["n_episodes"] == int((ok & numb).sum())
    s = rep.onset.summary.set_index("scale")
    assert s.loc["minutes", "n_onsets"] == 7 and s.loc["minutes", "median"] == 35
    assert "runlog does not diagnose" in rep.to_markdown()



def test_analyze_limits_blas_to_one_thread_and_concurrent_calls_take_turns(monkeypatch):
    """analyze limits BLAS to one thread while it runs and restores the caller's setting; the limit can be
    process-wide (OpenBLAS on pthreads), so calls at once take turns: interleaved saves and restores would
    leave the caller at 1 thread."""
    import itertools
    import threading
    import time

    from threadpoolctl import threadpool_info, threadpool_limits

    import runlog.report._analyze as A

    seen, spans = [], []

    def fake(*args, **kwargs):
        seen.append({p["num_threads"] for p in threadpool_info()})
        start = time.perf_counter()
        time.sleep(0.05)
        spans.append((start, time.perf_counter()))
        return "report"

    monkeypatch.setattr(A, "_analyze", fake)
    with threadpool_limits(limits=2):
        before = [p["num_threads"] for p in threadpool_info()]
        assert A.analyze(None, None) == "report"
        assert seen == [{1}]
        threads = [threading.Thread(target=A.analyze, args=(None, None)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [p["num_threads"] for p in threadpool_info()] == before
    spans = sorted(spans)
    assert len(spans) == 4 and all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), spans
