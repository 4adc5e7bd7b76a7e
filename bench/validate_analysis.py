"""Validate runlog's analysis (v3) on simulated seasons with planted causes: power, false findings, coverage.

For every seed and scenario (:data:`runlog.simulate.SCENARIOS`) this script
writes a season with :func:`runlog.simulate.simulate_season` and runs it end
to end through the public API, exactly as a user would::

    GPX files -> runlog.read_history -> runlog.read_episodes / read_run_notes (+ weather.csv)
              -> runlog.run_features -> runlog.analyze(..., tracked=season.tracked)

The weather table is handed over only when the season's runner has one
(``Season.use_weather``; not in 'missing_temp', where heat is known from the
watches' sensors only).  Each season's *finding causes* (an ordered set of
article causes, :data:`runlog.schema.CAUSES`) are taken these ways:

* ``runlog``: ``report.findings['cause']`` (one row per finding cause,
  strongest first: the analysis as it stands, the pre-stated test plan of
  :mod:`runlog.analysis.plan`);
* ``v1`` (only with ``--v1``: it costs a bootstrap per measure): the old
  decision rule, the causes of the rows of the old univariate screen
  (``bench/screen_v1.py``, on the features the analysis saw) that
  ``screen_v1.is_finding`` marks;
* ``oracle``: the ceiling: a logistic model given only the planted causes'
  true drivers (:func:`runlog.simulate.true_drivers`, e.g. the heat dose
  above 12 °C in °C h) on the runner's own journal runs (a partner's runs,
  ``truth['partner']``, left out), Firth-penalised; a cause is found when its
  driver has a positive coefficient with likelihood-ratio p < 0.05.  It never
  considers another cause, so it cannot find a wrong one: it measures how much
  the season's episodes can show at all;
* ``naive``: every candidate factor of the analysis with an uncorrected
  p < 0.05 for its raw (point-biserial) correlation with the numbness flag.

and compared with the planted causes (:data:`runlog.simulate.SCENARIO_CAUSES`)
and the causes that are not planted but not wrong either
(:data:`runlog.simulate.SCENARIO_ALLOWED`, e.g. 'distance' where the risk
grows with time on the feet).  Per scenario and method it prints

* ``exact``: planted found and nothing else (``planted <= found <= planted |
  allowed``; with nothing planted: no finding but allowed ones, i.e. clean);
* ``found``: every planted cause is a finding (planted scenarios);
* ``wrong``: some finding is neither planted nor allowed (no-cause scenarios:
  the false-finding rate);
* ``top``: the first finding is planted; findings per season and the most
  frequent wrong causes;

and for the analysis: the **heat odds ratio's coverage**, whether the 95 %
interval of the heat row of ``report.causes`` holds the planted odds ratio
``exp(effect_per x strength)`` per ``effect_per`` (5) °C per hour on the feet,
judged only where the planted driver is an excess temperature times the hours
(``(T - 12 °C)+ x h`` or ``(T - median) x h``: 'hydration', 'two_causes',
'heat_long', 'partner', 'long_history', 'few_episodes', 'heat_exposure') and
heat was tested on the air temperature (``factor == 'air_temp_c'``) as an
exposure (``form == 'exposure'``); and the mean ``analyze`` time.

**The false-finding calibration under bad spells** (issue 22: >= 200 null
journals, false findings <= 5 % with the Wilson upper bound <= 8 %):
``--bad-spells N`` adds N 'bad_spells' seasons (latent AR(1) log-odds, phi
0.9 per day, sd 1; seeds of their own from ``--bad-spells-seed``), and the
same seeds again with a stronger latent sd (``simulate_season(strength=1.6)``,
labelled ``bad_spells@1.6``; ``--bad-spells-strong`` sets how many).  The two
share their files but for the journal, so the history is read once.

A final **done when** block prints each criterion of issue 22 with its
measured value and PASS/FAIL: every planted scenario >= 75 % exact over >= 16
seeds, every no-cause scenario >= 90 % clean, bad spells <= 5 % false findings
with Wilson upper bound <= 8 % over >= 200 journals, heat coverage >= 90 %.

Proportions come with Wilson 95 % intervals (Wilson 1927, J. Am. Stat. Assoc.
22(158)).  The per-season CSV (``--out``) keeps each method's ordered finding
causes (``runlog_causes`` etc., ';'-separated), the heat row and every cause's
status and p-values (``cause_tests``) for reading a failure; ``--summarize``
recomputes the tables from such CSVs, so runs made in pieces pool.

Speed-ups that do not change the result: scenarios that share the schedule
and shoe rotation for a seed write byte-identical GPX, notes and weather files
(only the journal differs), so the History and the features are read once per
seed and reused when the file digests (and whether weather is used) match.
``runlog.analyze`` is given the precomputed features only when the history
holds no runs that look like someone else's (``History.others()`` empty);
otherwise it computes them itself, as a user's call does, after leaving those
runs out.  Seasons are recorded every 10 s (``--sample-s``).  At most 2
processes, one BLAS thread each.

Usage::

    .venv/bin/python bench/validate_analysis.py                # 2 seeds per scenario (make validate)
    .venv/bin/python bench/validate_analysis.py --seeds 16 --out seasons.csv
    .venv/bin/python bench/validate_analysis.py --seeds 1 --scenarios null,partner
    .venv/bin/python bench/validate_analysis.py --seeds 0 --bad-spells 200 --out spells.csv
    .venv/bin/python bench/validate_analysis.py --summarize seasons.csv spells.csv   # pool earlier runs
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402
from statsmodels.stats.proportion import proportion_confint  # noqa: E402

import runlog  # noqa: E402
from runlog import simulate  # noqa: E402
from runlog.analysis.causes import firth  # noqa: E402
from runlog.features.catalog import FEATURES  # noqa: E402

#: Uncorrected significance level of the naive baseline and of the oracle's tests.
NAIVE_ALPHA = 0.05
#: The ways of reading a season's finding causes (see the module docstring).
METHODS = ("runlog", "v1", "oracle", "naive")
#: Titles of the printed tables.
METHOD_TITLES = {
    "runlog": "RUNLOG: report.findings['cause'] (the analysis as it stands: v3, the pre-stated test plan)",
    "v1": "V1: causes of the screen_v1 rows that is_finding() marks (the old decision rule)",
    "oracle": "ORACLE: Firth logistic model on the planted causes' true drivers only, the runner's runs (the ceiling)",
    "naive": f"NAIVE BASELINE: causes of the candidate factors with uncorrected p < {NAIVE_ALPHA} "
             "for the point-biserial r with numbness",
}
#: Scenarios whose planted heat driver is an excess temperature times the hours: the heat odds ratio's
#: interval is judged against ``exp(effect_per x strength)`` there.
HEAT_EXPOSURE_SCENARIOS = ("hydration", "two_causes", "heat_long", "missing_temp", "partner", "long_history",
                           "few_episodes", "heat_exposure")
#: Latent sd of the stronger bad-spells seasons (``simulate_season(strength=...)``).
STRONG_SPELLS = 1.6
#: Issue 22's "done when" thresholds.
DONE_EXACT, DONE_MIN_SEEDS, DONE_CLEAN = 0.75, 16, 0.90
DONE_SPELLS_RATE, DONE_SPELLS_UPPER, DONE_SPELLS_N = 0.05, 0.08, 200
DONE_COVERAGE = 0.90


def base_scenario(label: str) -> str:
    """The simulator's scenario of a result label ('bad_spells@1.6' -> 'bad_spells')."""
    return label.split("@", 1)[0]


def _digest(paths) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def naive_baseline(features: pd.DataFrame, numb: pd.Series, factors: pd.DataFrame) -> pd.DataFrame:
    """Rank candidate factors by their raw correlation with the numbness flag.

    Parameters
    ----------
    features : DataFrame
        :func:`runlog.run_features` output (index run_id).
    numb : Series of bool
        Numbness flag of the analysed runs, index run_id.
    factors : DataFrame
        The factor rows the analysis tested (``factor``, ``level``,
        ``cause``): the naive method gets the same candidates.  A row with a
        ``level`` is tested as the indicator ``feature == level``.

    Returns
    -------
    DataFrame
        ``factor``, ``level``, ``cause``, ``r`` (Pearson point-biserial
        correlation, Tate 1954, Ann. Math. Stat. 25(3)), ``p_value``
        (two-sided t test of r = 0, :func:`scipy.stats.pearsonr`), sorted by
        ``|r|`` descending.
    """
    y = numb.astype("float64")
    f = features.reindex(y.index)
    rows = []
    for r in factors[["factor", "level", "cause"]].drop_duplicates().itertuples(index=False):
        if r.factor not in f:
            continue
        col = f[r.factor]
        if pd.notna(r.level) and r.level is not None and r.level != "":
            x = (col.astype("object") == r.level).astype("float64").where(col.notna())
        else:
            x = pd.to_numeric(col.astype("object"), errors="coerce").astype("float64")
        ok = x.notna().to_numpy()
        xv, yv = x.to_numpy()[ok], y.to_numpy()[ok]
        if ok.sum() < 3 or np.ptp(xv) == 0 or np.ptp(yv) == 0:
            continue
        res = stats.pearsonr(xv, yv)
        rows.append({"factor": r.factor, "level": r.level, "cause": r.cause,
                     "r": float(res.statistic), "p_value": float(res.pvalue)})
    out = pd.DataFrame(rows, columns=["factor", "level", "cause", "r", "p_value"])
    return out.reindex(out["r"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def oracle_causes(drivers: pd.DataFrame, numb: pd.Series, *, alpha: float = NAIVE_ALPHA) -> list[str]:
    """The planted causes a logistic model given only their true drivers finds.

    Parameters
    ----------
    drivers : DataFrame
        :func:`runlog.simulate.true_drivers` of the analysed runs (index
        run_id, one column per planted cause).
    numb : Series of bool
        Numbness flag of the same runs.
    alpha : float
        Significance level of each driver's likelihood-ratio test.

    Returns
    -------
    list of str
        Causes whose driver has a positive coefficient and a Firth
        penalised likelihood-ratio p < *alpha* (Firth 1993, Biometrika
        80(1)), smallest p first; empty when nothing is planted.
    """
    if drivers.shape[1] == 0:
        return []
    X = drivers.reindex(numb.index).astype("float64")
    fit = firth(X, numb.astype(bool).to_numpy(), lrt=list(X.columns))
    hits = [c for c in X.columns if fit["coef"][c] > 0 and fit["p"][c] < alpha]
    return sorted(hits, key=lambda c: fit["p"][c])


def _ordered_unique(causes) -> list[str]:
    """Causes in first-seen order, without repeats and missing values."""
    out: list[str] = []
    for c in causes:
        if isinstance(c, str) and c and c not in out:
            out.append(c)
    return out


def outcomes(found: list[str], planted: tuple[str, ...], allowed: tuple[str, ...] = ()) -> dict:
    """Success and failure flags of one season's ordered finding causes.

    Parameters
    ----------
    found : list of str
        Finding causes, strongest first.
    planted : tuple of str
        :data:`runlog.simulate.SCENARIO_CAUSES` of the scenario.
    allowed : tuple of str
        :data:`runlog.simulate.SCENARIO_ALLOWED` of the scenario.

    Returns
    -------
    dict
        ``exact`` (planted <= found <= planted | allowed), ``found`` (planted
        <= found; None when nothing is planted), ``top`` (first finding is
        planted; None when nothing is planted), ``wrong`` (some finding is
        neither planted nor allowed), ``n`` (number of finding causes).
    """
    f, p, ok = set(found), set(planted), set(planted) | set(allowed)
    return {"exact": p <= f <= ok, "found": (p <= f) if p else None,
            "top": (bool(found) and found[0] in p) if p else None,
            "wrong": bool(f - ok), "n": len(found)}


def _causes_of(value) -> list[str]:
    """The ';'-separated causes of a results cell ('-': none)."""
    if not isinstance(value, str) or value in ("", "-"):
        return []
    return value.split(";")


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def heat_row(causes: pd.DataFrame, scenario: str, strength: float) -> dict:
    """The heat cause's row of ``report.causes`` and whether its interval covers the planted odds ratio.

    Returns
    -------
    dict
        ``heat_factor``, ``heat_form``, ``heat_status``, ``heat_effect``, ``heat_lo``, ``heat_hi``,
        ``heat_per`` (the odds ratio's step [°C], per hour on the feet), ``heat_planted``
        (``exp(heat_per x strength)``, NaN where the planted driver is not an excess temperature
        times the hours) and ``heat_covered`` (True/False where judged: air temperature, form
        'exposure', a planted exposure and a finite interval; else None).
    """
    out: dict = {"heat_factor": "", "heat_form": "", "heat_status": "", "heat_effect": np.nan, "heat_lo": np.nan,
                 "heat_hi": np.nan, "heat_per": np.nan, "heat_planted": np.nan, "heat_covered": None}
    if causes is None or not len(causes) or "cause" not in causes:
        return out
    h = causes[causes["cause"] == "hydration"]
    if not len(h):
        return out
    r = h.iloc[0]
    out.update(heat_factor=str(r.get("factor") or ""), heat_form=str(r.get("form") or ""),
               heat_status=str(r.get("status") or ""), heat_effect=_num(r.get("effect")),
               heat_lo=_num(r.get("ci_low")), heat_hi=_num(r.get("ci_high")), heat_per=_num(r.get("effect_per")))
    if scenario in HEAT_EXPOSURE_SCENARIOS and math.isfinite(out["heat_per"]):
        out["heat_planted"] = math.exp(out["heat_per"] * strength)
        if (out["heat_factor"] == "air_temp_c" and out["heat_form"] == "exposure"
                and math.isfinite(out["heat_lo"]) and math.isfinite(out["heat_hi"])):
            out["heat_covered"] = bool(out["heat_lo"] <= out["heat_planted"] <= out["heat_hi"])
    return out


def cause_tests(causes: pd.DataFrame) -> str:
    """Every cause's decision in one cell: 'cause|status|factor|p_alone|p_value|q_value' joined by ';'."""
    if causes is None or not len(causes):
        return "-"
    cells = []
    for r in causes.itertuples(index=False):
        status = str(r.status).replace(":", " -").replace(";", ",").replace("|", "/")
        cells.append(f"{r.cause}|{status}|{r.factor}|{_num(r.p_alone):.3g}|{_num(r.p_value):.3g}|{_num(r.q_value):.3g}")
    return ";".join(cells)


def _catalog_factors(feats: pd.DataFrame) -> pd.DataFrame:
    """Numeric candidate features of the catalogue (for seasons the analysis could not test)."""
    rows = [{"factor": c, "level": None, "cause": FEATURES[c].cause} for c in feats.columns
            if c in FEATURES and FEATURES[c].candidate and FEATURES[c].kind != "categorical"]
    return pd.DataFrame(rows, columns=["factor", "level", "cause"])


def _v1_causes(hist, feats, rep, n_resamples: int) -> list[str]:
    """The old screen's finding causes on the features the analysis saw (``--v1``)."""
    from screen_v1 import is_finding, screen

    from runlog.report import before_onset

    if not rep.testable:
        return []
    ids = rep.analysed_runs
    numb = rep.flags.loc[ids, "numb"].astype(bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seen = before_onset(hist, feats, rep.flags.loc[ids]).reindex(numb.index)
        scr, _ = screen(seen, numb, feats.attrs.get("catalog", FEATURES), n_resamples=n_resamples)
    if not len(scr) or "q_value" not in scr:
        return []
    return _ordered_unique(scr.loc[is_finding(scr).to_numpy(dtype=bool), "cause"])


def run_seed(seed: int, jobs: tuple[tuple[str, float | None], ...], sample_s: float, keep: str | None,
             start: str, weeks: int, v1: bool = False, n_resamples: int = 200) -> list[dict]:
    """Simulate and analyse one seed for the given (scenario label, strength) jobs; one row per season."""
    rows = []
    with tempfile.TemporaryDirectory(prefix=f"runlog-validate-{seed}-") as tmp:
        root = Path(keep) if keep else Path(tmp)
        loaded: dict[str, tuple] = {}
        for label, strength in jobs:
            sc = base_scenario(label)
            t0 = time.perf_counter()
            season = simulate.simulate_season(root / f"{label.replace('@', '-')}-{seed}", scenario=sc, seed=seed,
                                              sample_s=sample_s, start=start, weeks=weeks, strength=strength)
            t_sim = time.perf_counter() - t0
            key = _digest([*season.gpx_dir.glob("*.gpx"), season.notes_csv, season.weather_csv]) + str(
                season.use_weather)
            reused = key in loaded
            t_read = 0.0
            if not reused:
                t1 = time.perf_counter()
                hist = runlog.read_history(season.gpx_dir, cache=False, workers=1, progress=False)
                notes = runlog.read_run_notes(season.notes_csv, history=hist)
                weather = pd.read_csv(season.weather_csv) if season.use_weather else None
                feats = runlog.run_features(hist, notes=notes, weather=weather)
                others = hist.others()
                t_read = time.perf_counter() - t1
                loaded[key] = (hist, notes, weather, feats, others)
            hist, notes, weather, feats, others = loaded[key]
            t1 = time.perf_counter()
            episodes = runlog.read_episodes(season.episodes_csv, history=hist)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                # precomputed features skip the check for someone else's runs: hand them over only
                # when the history has none, so that the call is the user's
                rep = runlog.analyze(hist, episodes, notes=notes, weather=weather, tracked=season.tracked,
                                     features=feats if others.empty else None)
            t_an = time.perf_counter() - t1
            truth = season.truth
            own = truth.index[~truth["partner"].astype(bool) & truth["tracked"].astype(bool)]
            flags = rep.flags
            numb_own = flags["numb"].reindex(own).fillna(False).astype(bool)
            left = rep.others.index if rep.others is not None else pd.Index([])
            row = {"scenario": label, "seed": seed, "strength": season.strength, "start": season.tracked[0],
                   "runs": int(rep.n_runs), "numb_runs": int(rep.n_numb_runs), "episodes": len(episodes),
                   "own_runs": len(own), "own_numb_runs": int(numb_own.sum()),
                   "partner_runs": int((truth["partner"].astype(bool) & truth["tracked"].astype(bool)).sum()),
                   "others_left_out": len(left),
                   "others_truly_partner": int(truth["partner"].reindex(left).fillna(False).astype(bool).sum()),
                   "testable": bool(rep.testable), "t_simulate_s": round(t_sim, 2), "t_read_s": round(t_read, 2),
                   "t_analyze_s": round(t_an, 2), "history_reused": reused}
            fac = rep.factors if rep.testable and len(rep.factors) else _catalog_factors(feats)
            found = {"runlog": _ordered_unique(rep.findings["cause"]) if len(rep.findings) else []}
            if v1:
                found["v1"] = _v1_causes(hist, feats, rep, n_resamples)
            found["oracle"] = oracle_causes(simulate.true_drivers(truth.loc[own], sc), numb_own)
            analysed = rep.analysed_runs if rep.analysed_runs is not None else flags.index[flags["tracked"]]
            nb = naive_baseline(rep.features if rep.features is not None else feats,
                                flags.loc[analysed, "numb"].astype(bool), fac)
            found["naive"] = _ordered_unique(nb.loc[nb["p_value"] < NAIVE_ALPHA, "cause"])
            for m in METHODS:
                if m in found:
                    row[f"{m}_causes"] = ";".join(found[m]) or "-"
            row.update(heat_row(rep.causes, sc, season.strength))
            row["cause_tests"] = cause_tests(rep.causes)
            row["answer"] = str(rep.answer).split("\n")[0][:300]
            rows.append(row)
    return rows


def _rate(k: int, n: int) -> str:
    if n == 0:
        return "-"
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return f"{100 * k / n:3.0f} % [{100 * lo:3.0f}-{100 * hi:3.0f}] ({k}/{n})"


def _flags(cells: pd.Series, label: str) -> pd.DataFrame:
    sc = base_scenario(label)
    planted = simulate.SCENARIO_CAUSES.get(sc, ())
    allowed = simulate.SCENARIO_ALLOWED.get(sc, ())
    return pd.DataFrame([outcomes(_causes_of(v), planted, allowed) for v in cells], index=cells.index)


def _k_n(flags: pd.Series) -> tuple[int, int]:
    flags = flags.dropna().astype(bool)
    return int(flags.sum()), int(flags.count())


def covered_flags(results: pd.DataFrame) -> pd.Series:
    """The judged heat coverage flags (True/False; not judged rows dropped)."""
    if "heat_covered" not in results:
        return pd.Series(dtype=bool)
    v = results["heat_covered"].map(lambda x: {"True": True, "False": False, True: True, False: False}.get(x))
    return v.dropna().astype(bool)


def summarize(results: pd.DataFrame, methods=METHODS) -> pd.DataFrame:
    """Per scenario and method: season size and the rates with Wilson 95 % intervals.

    The flags are recomputed from the ``{method}_causes`` columns with the
    current :data:`runlog.simulate.SCENARIO_CAUSES` / ``SCENARIO_ALLOWED``,
    so results written by earlier runs pool with new ones.
    """
    out = []
    for label, g in results.groupby("scenario", sort=False):
        sc = base_scenario(label)
        planted = simulate.SCENARIO_CAUSES.get(sc, ())
        allowed = simulate.SCENARIO_ALLOWED.get(sc, ())
        row = {"scenario": label, "planted": ",".join(planted) or "-",
               "allowed": ",".join(allowed) or "-", "seasons": len(g),
               "runs": f"{g['runs'].mean():.0f}", "numb runs": f"{g['numb_runs'].mean():.1f}"}
        for m in methods:
            if f"{m}_causes" not in g:
                continue
            cells = g[f"{m}_causes"].dropna()      # missing: a CSV written without this method
            if cells.empty:
                continue
            flags = _flags(cells, label)
            row[f"{m} exact"] = _rate(*_k_n(flags["exact"]))
            row[f"{m} found"] = _rate(*_k_n(flags["found"])) if planted else "-"
            row[f"{m} wrong"] = _rate(*_k_n(flags["wrong"]))
            row[f"{m} top"] = _rate(*_k_n(flags["top"])) if planted else "-"
            row[f"{m} findings/season"] = f"{flags['n'].mean():.1f}"
            wrong = pd.Series([c for v in cells for c in _causes_of(v) if c not in planted and c not in allowed],
                              dtype=object).value_counts()
            row[f"{m} wrong causes"] = " ".join(f"{c}:{k}" for c, k in wrong.head(3).items()) or "-"
            if m == "runlog":
                cov = covered_flags(g)
                row["runlog heat coverage"] = _rate(int(cov.sum()), len(cov)) if len(cov) else "-"
                if "t_analyze_s" in g:
                    row["runlog analyze s"] = f"{g['t_analyze_s'].mean():.1f}"
        out.append(row)
    return pd.DataFrame(out).set_index("scenario")


def done_when(results: pd.DataFrame) -> tuple[list[str], bool]:
    """Issue 22's "done when" criteria measured on *results* (the analysis' findings): lines and all-pass."""
    lines, ok_all = [], True

    def verdict(ok: bool) -> str:
        nonlocal ok_all
        ok_all &= ok
        return "PASS" if ok else "FAIL"

    planted_rows, clean_rows = [], []
    for label, g in results.groupby("scenario", sort=False):
        if "@" in label:
            continue
        sc = base_scenario(label)
        flags = _flags(g["runlog_causes"], label)
        k, n = _k_n(flags["exact"])
        (planted_rows if simulate.SCENARIO_CAUSES.get(sc) else clean_rows).append((label, k, n))

    def block(title, rows, target):
        fails = [(s, k, n) for s, k, n in rows if n < DONE_MIN_SEEDS or k / n < target]
        lines.append(f"{verdict(bool(rows) and not fails)}  {title}")
        for s, k, n in rows:
            mark = "" if (n >= DONE_MIN_SEEDS and k / n >= target) else "   <- below" if n >= DONE_MIN_SEEDS \
                else "   <- fewer than 16 seeds"
            lines.append(f"        {s:16s} {_rate(k, n)}{mark}")

    block(f"every planted scenario >= {DONE_EXACT:.0%} exact (planted found, nothing else; >= {DONE_MIN_SEEDS} seeds)",
          planted_rows, DONE_EXACT)
    block(f"every no-cause scenario >= {DONE_CLEAN:.0%} clean (>= {DONE_MIN_SEEDS} seeds)", clean_rows, DONE_CLEAN)

    for label, note in (("bad_spells", "criterion"), (f"bad_spells@{STRONG_SPELLS:g}", "stronger latent sd, reported")):
        g = results[results["scenario"] == label]
        if g.empty:
            continue
        k, n = _k_n(_flags(g["runlog_causes"], label)["wrong"])
        lo, hi = proportion_confint(k, n, method="wilson") if n else (np.nan, np.nan)
        ok = n >= DONE_SPELLS_N and k / n <= DONE_SPELLS_RATE and hi <= DONE_SPELLS_UPPER
        text = (f"false findings under bad spells ({label}: AR(1) phi 0.9/day, "
                f"sd {g['strength'].iloc[0]:g}) <= {DONE_SPELLS_RATE:.0%}, Wilson upper <= "
                f"{DONE_SPELLS_UPPER:.0%}, >= {DONE_SPELLS_N} journals: {k}/{n} = {100 * k / n:.1f} % "
                f"[{100 * lo:.1f}-{100 * hi:.1f} %]")
        if note == "criterion":
            lines.append(f"{verdict(ok)}  {text}")
        else:
            lines.append(f"{'(pass)' if ok else '(fail)'}  {text} ({note})")

    cov = covered_flags(results[~results["scenario"].str.contains("@")])
    k, n = int(cov.sum()), len(cov)
    lo, hi = proportion_confint(k, n, method="wilson") if n else (np.nan, np.nan)
    ok = n > 0 and k / n >= DONE_COVERAGE
    lines.append(f"{verdict(ok)}  heat odds ratio's 95 % interval covers the planted value in >= "
                 f"{DONE_COVERAGE:.0%} of seasons (heat on air temperature as an exposure): "
                 f"{k}/{n} = {100 * k / max(n, 1):.1f} % [{100 * lo:.1f}-{100 * hi:.1f} %]")
    if "t_analyze_s" in results:
        lines.append(f"  (mean analyze time {results['t_analyze_s'].mean():.2f} s/season, "
                     f"max {results['t_analyze_s'].max():.2f} s, over {len(results)} seasons)")
    return lines, ok_all


def _scenario_list(values) -> list[str]:
    """--scenarios: names separated by spaces and/or commas, checked against SCENARIOS."""
    names = [n for v in values for n in v.split(",") if n]
    bad = [n for n in names if n not in simulate.SCENARIOS]
    if bad:
        raise SystemExit(f"unknown scenario(s) {', '.join(bad)}; use {', '.join(simulate.SCENARIOS)}")
    return list(dict.fromkeys(names))


def _tasks(seeds: list[int], scenarios: list[str], workers: int) -> list[tuple[int, tuple]]:
    """(seed, jobs) tasks: one per seed, split further when processes outnumber seeds."""
    parts = max(1, min(len(scenarios), workers // max(len(seeds), 1)))
    chunks = [tuple((str(s), None) for s in c)
              for c in np.array_split(np.asarray(scenarios, dtype=object), parts) if len(c)]
    return [(s, c) for s in seeds for c in chunks]


def read_results(paths) -> pd.DataFrame:
    """Per-season CSVs written with --out, pooled (the scenario 'null' is not read as missing)."""
    return pd.concat([pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in paths], ignore_index=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=2, help="seeds per scenario (default 2; 0: none)")
    ap.add_argument("--first-seed", type=int, default=1000, help="first seed (default 1000, away from test seeds)")
    ap.add_argument("--scenarios", nargs="+", default=list(simulate.SCENARIOS), metavar="NAME",
                    help="scenarios, separated by spaces or commas (default all: "
                         f"{','.join(simulate.SCENARIOS)})")
    ap.add_argument("--bad-spells", type=int, default=0, metavar="N",
                    help="N more 'bad_spells' seasons of their own seeds for the false-finding calibration")
    ap.add_argument("--bad-spells-strong", type=int, default=None, metavar="M",
                    help=f"of those seeds, run the first M again with latent sd {STRONG_SPELLS} (default N)")
    ap.add_argument("--bad-spells-seed", type=int, default=5000, help="first seed of --bad-spells (default 5000)")
    ap.add_argument("--start", default="2024-03-04",
                    help="first day of the journal, ISO date (moved back to its Monday; default 2024-03-04)")
    ap.add_argument("--weeks", type=int, default=26, help="weeks the journal covers (default 26)")
    ap.add_argument("--workers", "--processes", type=int, default=2, help="processes (at most 2; default 2)")
    ap.add_argument("--sample-s", type=float, default=10.0, help="record interval of the simulated GPX [s]")
    ap.add_argument("--v1", action="store_true", help="also the old screen (bench/screen_v1.py; slower)")
    ap.add_argument("--n-resamples", type=int, default=200,
                    help="bootstrap resamples of the v1 screen's Cliff's delta intervals (default 200)")
    ap.add_argument("--out", help="write the per-season results to this CSV (rewritten as seeds finish)")
    ap.add_argument("--keep", help="keep the simulated seasons in this folder")
    ap.add_argument("--summarize", nargs="+", metavar="CSV",
                    help="only print the tables for per-season results written earlier with --out")
    args = ap.parse_args(argv)
    if args.summarize:
        results = read_results(args.summarize)
        print_tables(results, f"{len(results)} seasons from {', '.join(args.summarize)}")
        return 0

    scenarios = _scenario_list(args.scenarios)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    workers = max(1, min(args.workers, 2))
    tasks = _tasks(seeds, scenarios, workers) if seeds else []
    n_strong = args.bad_spells if args.bad_spells_strong is None else args.bad_spells_strong
    spells = []
    for i in range(args.bad_spells):
        jobs: tuple = (("bad_spells", None),)
        if i < n_strong:
            jobs += ((f"bad_spells@{STRONG_SPELLS:g}", STRONG_SPELLS),)
        spells.append((args.bad_spells_seed + i, jobs))
    # interleaved, so that a run stopped early has some of each
    position = [(i + 0.5) / len(tasks) for i in range(len(tasks))] + [(i + 0.5) / len(spells) for i in
                                                                        range(len(spells))]
    tasks = [t for _, t in sorted(zip(position, tasks + spells), key=lambda pt: pt[0])]
    if not tasks:
        raise SystemExit("nothing to run: give --seeds and/or --bad-spells")
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    rows: list[dict] = []
    extra = (args.sample_s, args.keep, args.start, args.weeks, args.v1, args.n_resamples)

    def collect(seed, jobs, new):
        rows.extend(new)
        print(f"seed {seed} {','.join(j for j, _ in jobs)} done ({time.perf_counter() - t0:.0f} s, "
              f"load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
        if args.out:
            pd.DataFrame(rows).to_csv(args.out, index=False)

    if workers > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(min(workers, len(tasks))) as ex:
            futures = {ex.submit(run_seed, s, c, *extra): (s, c) for s, c in tasks}
            for fut in as_completed(futures):
                collect(*futures[fut], fut.result())
    else:
        for s, c in tasks:
            collect(s, c, run_seed(s, c, *extra))
    wall = time.perf_counter() - t0
    results = pd.DataFrame(rows)
    load1 = os.getloadavg()
    print_tables(results, f"{len(results)} seasons ({args.seeds} seeds x {len(scenarios)} scenarios"
                          + (f", seeds {seeds[0]}-{seeds[-1]}" if seeds else "")
                          + (f", + {args.bad_spells} bad_spells seeds from {args.bad_spells_seed} "
                             f"({n_strong} also at sd {STRONG_SPELLS:g})" if args.bad_spells else "")
                          + f", journal from {results['start'].iloc[0]}, {args.weeks} weeks), {wall:.0f} s wall on "
                          f"{workers} process(es), load {load0[0]:.1f} at the start, {load1[0]:.1f} at the end")
    return 0


def print_tables(results: pd.DataFrame, header: str) -> None:
    """Print the per-scenario rates of the analysis, the oracle and the naive baseline, and the done-when block."""
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_colwidth", 60)
    order = {sc: i for i, sc in enumerate(simulate.SCENARIOS)}
    results = results.sort_values("scenario", key=lambda s: s.map(lambda v: order.get(base_scenario(v), 99)),
                                  kind="stable")
    table = summarize(results)
    print(f"runlog {runlog.__version__}: {header}")
    print("rates: % of seasons [Wilson 95 % CI] (count).  exact = the finding causes are exactly the planted ones "
          "(give or take allowed ones;\nno-cause scenarios: clean); found = every planted cause is a finding; "
          "wrong = some finding is neither planted nor allowed;\ntop = the first finding is planted; heat coverage = "
          "the heat odds ratio's 95 % interval holds the planted one (air temperature, exposure).\n")
    for m in METHODS:
        cols = [c for c in table.columns if c.startswith(m + " ")]
        if not cols:
            continue
        print(METHOD_TITLES[m])
        print(table[["planted", "allowed", "seasons", "runs", "numb runs", *cols]]
              .rename(columns=lambda c, m=m: c.replace(m + " ", "")).to_string())
        print()
    lines, _ = done_when(results)
    print("DONE WHEN (issue 22, the analysis' findings):")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
