"""Validate runlog's analysis on simulated seasons with planted causes (power and false positives).

For every seed and scenario (:data:`runlog.simulate.SCENARIOS`) this script
writes a season with :func:`runlog.simulate.simulate_season` and runs it end
to end through the public API, exactly as a user would::

    GPX files -> runlog.read_history -> runlog.read_episodes / read_run_notes (+ weather.csv)
              -> runlog.run_features -> runlog.analyze(..., tracked=season.tracked)

Each season's *finding causes* (an ordered set of article causes,
:data:`runlog.schema.CAUSES`) are taken four ways:

* ``v2``: ``report.findings['cause']`` (one row per finding cause, strongest
  first: the analysis as it stands);
* ``v1``: the old decision rule, the causes of the rows of the old
  univariate screen (``bench/screen_v1.py``, on the features the analysis
  saw) that ``screen_v1.is_finding`` marks, in the factors' row order;
* ``oracle``: the ceiling: a logistic model given only the planted causes'
  true drivers (:func:`runlog.simulate.true_drivers`, e.g. the heat dose
  above 12 °C in °C h) as inputs, Firth-penalised so that a season with
  separation still gives an answer; a cause is found when its driver has a
  positive coefficient with likelihood-ratio p < 0.05, ordered by p.  It
  never considers another cause, so it cannot find a wrong one: it measures
  how much the season's episodes can show at all (the issue's hidden
  seasons are drawn so that it scores 7-8 of 8);
* ``naive``: a baseline that ranks the same candidate factors by their raw
  (point-biserial, Pearson) correlation with the numbness flag of the
  tracked runs and calls every factor with an uncorrected p < 0.05 a
  finding (ordered by |r|).

and compared with the planted causes (:data:`runlog.simulate.SCENARIO_CAUSES`)
and the causes that are not planted but not wrong either
(:data:`runlog.simulate.SCENARIO_ALLOWED`, e.g. 'distance' where the risk
grows with time on the feet).  Per scenario and method it prints:

* ``exact``: the finding causes are exactly the planted ones, give or take
  allowed ones (``planted <= found <= planted | allowed``; with nothing
  planted: no finding, or only allowed ones, e.g. nothing or {distance} in
  'per_minute'); for unplanted scenarios this is 1 - false-positive rate;
* ``top``: the first finding cause is a planted one (planted scenarios only);
* ``wrong``: some finding cause is neither planted nor allowed (null-like
  scenarios: the false-positive rate, target <= 5 % of seasons);
* ``findings/season`` and the most frequent wrong causes.

Proportions come with Wilson 95 % intervals over the seeds (Wilson 1927,
J. Am. Stat. Assoc. 22(158)).  The per-season CSV (``--out``) keeps each
method's ordered finding causes (``v2_causes`` etc., ';'-separated), and
``--summarize`` recomputes the rates from them, so CSVs of several runs pool.

Speed-ups that do not change the result: scenarios that share the schedule
and shoe rotation for a seed write byte-identical GPX, notes and weather
files (only the journal differs), so the History and the features are read
once per seed and reused when the file digests match; the v1 screen runs with
``n_resamples=200`` (the bootstrap only sets Cliff's-delta intervals, not
findings); seasons are recorded every 10 s (``--sample-s``).  With fewer
seeds than processes a seed's scenarios are split over the processes.

Usage::

    .venv/bin/python bench/validate_analysis.py                # 4 seeds per scenario, 2 processes
    .venv/bin/python bench/validate_analysis.py --seeds 20 --out seasons.csv
    .venv/bin/python bench/validate_analysis.py --seeds 1 --scenarios null,stopping
    .venv/bin/python bench/validate_analysis.py --start 2024-02-05 --weeks 26   # a February-August journal
    .venv/bin/python bench/validate_analysis.py --summarize a.csv b.csv   # pool earlier runs
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from screen_v1 import is_finding, screen
from statsmodels.stats.proportion import proportion_confint

import runlog
from runlog import simulate
from runlog.analysis.causes import firth
from runlog.features.catalog import FEATURES
from runlog.report import before_onset

#: Uncorrected significance level of the naive baseline.
NAIVE_ALPHA = 0.05
#: The ways of reading a season's finding causes (see the module docstring).
METHODS = ("v2", "v1", "oracle", "naive")
#: Titles of the printed tables.
METHOD_TITLES = {
    "v2": "V2: report.findings['cause'] (the analysis as it stands)",
    "v1": "V1: causes of the screen_v1 rows that is_finding() marks (the old decision rule)",
    "oracle": "ORACLE: Firth logistic model on the planted causes' true drivers only (the ceiling)",
    "naive": f"NAIVE BASELINE: causes of the factors with uncorrected p < {NAIVE_ALPHA} "
             "for the point-biserial r with numbness (ordered by |r|)",
}


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
        Numbness flag of the analysed (tracked) runs, index run_id.
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
        if pd.notna(r.level) and r.level is not None:
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
        ``exact`` (planted <= found <= planted | allowed), ``top`` (first
        finding is planted; None when nothing is planted), ``wrong`` (some
        finding is neither planted nor allowed), ``n`` (number of finding
        causes).
    """
    f, p, ok = set(found), set(planted), set(planted) | set(allowed)
    return {"exact": p <= f <= ok, "top": (bool(found) and found[0] in p) if p else None,
            "wrong": bool(f - ok), "n": len(found)}


def _causes_of(value) -> list[str]:
    """The ';'-separated causes of a results cell ('-': none)."""
    if not isinstance(value, str) or value in ("", "-"):
        return []
    return value.split(";")


def run_seed(seed: int, scenarios: tuple[str, ...], sample_s: float, n_resamples: int, keep: str | None,
             start: str, weeks: int) -> list[dict]:
    """Simulate and analyse one seed for the given scenarios; one result row per season."""
    rows = []
    with tempfile.TemporaryDirectory(prefix=f"runlog-validate-{seed}-") as tmp:
        root = Path(keep) if keep else Path(tmp)
        loaded: dict[str, tuple] = {}
        for sc in scenarios:
            t0 = time.perf_counter()
            season = simulate.simulate_season(root / f"{sc}-{seed}", scenario=sc, seed=seed, sample_s=sample_s,
                                              start=start, weeks=weeks)
            t_sim = time.perf_counter() - t0
            key = _digest([*season.gpx_dir.glob("*.gpx"), season.notes_csv, season.weather_csv])
            reused = key in loaded
            if not reused:
                hist = runlog.read_history(season.gpx_dir, cache=False, workers=1, progress=False)
                notes = runlog.read_run_notes(season.notes_csv, history=hist)
                weather = pd.read_csv(season.weather_csv)
                feats = runlog.run_features(hist, notes=notes, weather=weather)
                loaded[key] = (hist, notes, weather, feats)
            hist, notes, weather, feats = loaded[key]
            t1 = time.perf_counter()
            episodes = runlog.read_episodes(season.episodes_csv, history=hist)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rep = runlog.analyze(hist, episodes, notes=notes, weather=weather, tracked=season.tracked,
                                     features=feats)
            flags = runlog.episode_flags(hist.runs, episodes, tracked=season.tracked)
            t_an = time.perf_counter() - t1
            flags = flags[flags["tracked"]]
            row = {"scenario": sc, "seed": seed, "start": season.tracked[0], "runs": len(flags),
                   "numb_runs": int(flags["numb"].sum()), "episodes": len(episodes),
                   "testable": bool(rep.testable), "t_simulate_s": round(t_sim, 2),
                   "t_analyze_s": round(t_an, 2), "history_reused": reused}
            fac = rep.factors if rep.testable else pd.DataFrame(columns=["factor", "level", "cause"])
            found = {"v2": _ordered_unique(rep.findings["cause"]) if len(rep.findings) else []}
            # the old rule is judged on the old univariate screen (bench/screen_v1.py) of the features the
            # analysis saw (in-run measures before onset), per-IQR odds ratios
            scr = pd.DataFrame(columns=["factor", "level", "cause"])
            if rep.testable:
                ids = rep.analysed_runs
                numb = rep.flags.loc[ids, "numb"].astype(bool)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    seen = before_onset(hist, feats, rep.flags.loc[ids]).reindex(numb.index)
                    scr, _ = screen(seen, numb, feats.attrs.get("catalog", FEATURES), n_resamples=n_resamples)
            v1 = is_finding(scr) if len(scr) and "q_value" in scr else pd.Series(False, index=scr.index)
            found["v1"] = _ordered_unique(scr.loc[v1.to_numpy(dtype=bool), "cause"])
            nb = naive_baseline(feats, flags["numb"], fac if len(fac) else _catalog_factors(feats))
            found["oracle"] = oracle_causes(simulate.true_drivers(season.truth, sc), flags["numb"])
            found["naive"] = _ordered_unique(nb.loc[nb["p_value"] < NAIVE_ALPHA, "cause"])
            for m in METHODS:
                row[f"{m}_causes"] = ";".join(found[m]) or "-"
                row.update({f"{m}_{k}": v for k, v in outcomes(found[m], season.causes,
                                                              simulate.SCENARIO_ALLOWED.get(sc, ())).items()})
            row["v2_top_factor"] = fac["factor"].iloc[0] if len(fac) else None
            row["naive_n_factors"] = int((nb["p_value"] < NAIVE_ALPHA).sum())
            rows.append(row)
    return rows


def _catalog_factors(feats: pd.DataFrame) -> pd.DataFrame:
    """Numeric candidate features of the catalogue (for seasons the analysis could not test)."""
    rows = [{"factor": c, "level": None, "cause": FEATURES[c].cause} for c in feats.columns
            if c in FEATURES and FEATURES[c].candidate and FEATURES[c].kind != "categorical"]
    return pd.DataFrame(rows, columns=["factor", "level", "cause"])


def _rate(flags: pd.Series) -> str:
    flags = flags.dropna().astype(bool)
    k, n = int(flags.sum()), int(flags.count())
    if n == 0:
        return "-"
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return f"{100 * k / n:3.0f} % [{100 * lo:3.0f}-{100 * hi:3.0f}] ({k}/{n})"


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and method: season size and the rates with Wilson 95 % intervals.

    The flags are recomputed from the ``{method}_causes`` columns with the
    current :data:`runlog.simulate.SCENARIO_CAUSES` / ``SCENARIO_ALLOWED``,
    so results written by earlier runs pool with new ones.
    """
    out = []
    for sc, g in results.groupby("scenario", sort=False):
        planted = simulate.SCENARIO_CAUSES.get(sc, ())
        allowed = simulate.SCENARIO_ALLOWED.get(sc, ())
        row = {"scenario": sc, "planted": ",".join(planted) or "-",
               "allowed": ",".join(allowed) or "-", "seasons": len(g),
               "runs": f"{g['runs'].mean():.0f}", "numb runs": f"{g['numb_runs'].mean():.1f}"}
        for m in METHODS:
            if f"{m}_causes" not in g:
                continue
            cells = g[f"{m}_causes"].dropna()      # missing: a CSV written before this method existed
            if cells.empty:
                continue
            found = [_causes_of(v) for v in cells]
            flags = pd.DataFrame([outcomes(f, planted, allowed) for f in found], index=cells.index)
            row[f"{m} exact"] = _rate(flags["exact"])
            row[f"{m} top"] = _rate(flags["top"]) if planted else "-"
            row[f"{m} wrong"] = _rate(flags["wrong"])
            row[f"{m} findings/season"] = f"{flags['n'].mean():.1f}"
            wrong = pd.Series([c for f in found for c in f if c not in planted and c not in allowed],
                              dtype=object).value_counts()
            row[f"{m} wrong causes"] = " ".join(f"{c}:{k}" for c, k in wrong.head(3).items()) or "-"
        out.append(row)
    return pd.DataFrame(out).set_index("scenario")


def _scenario_list(values) -> list[str]:
    """--scenarios: names separated by spaces and/or commas, checked against SCENARIOS."""
    names = [n for v in values for n in v.split(",") if n]
    bad = [n for n in names if n not in simulate.SCENARIOS]
    if bad:
        raise SystemExit(f"unknown scenario(s) {', '.join(bad)}; use {', '.join(simulate.SCENARIOS)}")
    return list(dict.fromkeys(names))


def _tasks(seeds: list[int], scenarios: list[str], workers: int) -> list[tuple[int, tuple[str, ...]]]:
    """(seed, scenarios) jobs: one per seed, split further when processes outnumber seeds."""
    parts = max(1, min(len(scenarios), workers // max(len(seeds), 1)))
    chunks = [tuple(c) for c in np.array_split(np.asarray(scenarios, dtype=object), parts) if len(c)]
    return [(s, c) for s in seeds for c in chunks]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=4, help="seeds per scenario (default 4)")
    ap.add_argument("--first-seed", type=int, default=1000, help="first seed (default 1000, away from test seeds)")
    ap.add_argument("--scenarios", nargs="+", default=list(simulate.SCENARIOS), metavar="NAME",
                    help="scenarios, separated by spaces or commas (default all: "
                         f"{','.join(simulate.SCENARIOS)})")
    ap.add_argument("--start", default="2024-03-04",
                    help="first day of the journal, ISO date (moved back to its Monday; default 2024-03-04)")
    ap.add_argument("--weeks", type=int, default=26, help="weeks the journal covers (default 26)")
    ap.add_argument("--workers", "--processes", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--sample-s", type=float, default=10.0, help="record interval of the simulated GPX [s]")
    ap.add_argument("--n-resamples", type=int, default=200,
                    help="bootstrap resamples of the v1 screen's Cliff's delta intervals (default 200)")
    ap.add_argument("--out", help="write the per-season results to this CSV")
    ap.add_argument("--keep", help="keep the simulated seasons in this folder")
    ap.add_argument("--summarize", nargs="+", metavar="CSV",
                    help="only print the tables for per-season results written earlier with --out")
    args = ap.parse_args(argv)
    if args.summarize:
        # keep_default_na=False: the scenario 'null' must not be read as a missing value
        results = pd.concat([pd.read_csv(p, keep_default_na=False, na_values=[""]) for p in args.summarize],
                            ignore_index=True)
        print_tables(results, f"{len(results)} seasons from {', '.join(args.summarize)}")
        return 0

    scenarios = _scenario_list(args.scenarios)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    tasks = _tasks(seeds, scenarios, args.workers)
    t0 = time.perf_counter()
    rows = []
    extra = (args.sample_s, args.n_resamples, args.keep, args.start, args.weeks)
    if args.workers > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(min(args.workers, len(tasks))) as ex:
            futures = [ex.submit(run_seed, s, c, *extra) for s, c in tasks]
            for (s, c), fut in zip(tasks, futures):
                rows.extend(fut.result())
                print(f"seed {s} {','.join(c)} done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    else:
        for s, c in tasks:
            rows.extend(run_seed(s, c, *extra))
            print(f"seed {s} {','.join(c)} done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    wall = time.perf_counter() - t0
    results = pd.DataFrame(rows)
    if args.out:
        results.to_csv(args.out, index=False)
    print_tables(results, f"{len(results)} seasons ({args.seeds} seeds x {len(scenarios)} scenarios, "
                          f"seeds {seeds[0]}-{seeds[-1]}, journal from {results['start'].iloc[0]}, "
                          f"{args.weeks} weeks), {wall:.0f} s wall on {args.workers} process(es)")
    return 0


def print_tables(results: pd.DataFrame, header: str) -> None:
    """Print the per-scenario rates of v2, v1, the oracle and the naive baseline."""
    pd.set_option("display.width", 250)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.max_colwidth", 60)
    order = {sc: i for i, sc in enumerate(simulate.SCENARIOS)}
    results = results.sort_values("scenario", key=lambda s: s.map(order), kind="stable")
    table = summarize(results)
    timing = ""
    if {"t_analyze_s", "t_simulate_s"} <= set(results.columns):
        timing = (f"; mean analyze {results['t_analyze_s'].mean():.1f} s/season, "
                  f"simulate {results['t_simulate_s'].mean():.1f} s/season")
    print(f"runlog {runlog.__version__}: {header}{timing}")
    print("rates: % of seasons [Wilson 95 % CI] (count).  exact = finding causes are exactly the planted ones "
          "(give or take allowed ones);\ntop = the first finding cause is planted; wrong = some finding cause "
          "is neither planted nor allowed (unplanted scenarios: false-positive rate, target <= 5 %).\n")
    for m in METHODS:
        cols = [c for c in table.columns if c.startswith(m + " ")]
        if not cols:
            continue
        print(METHOD_TITLES[m])
        print(table[["planted", "allowed", "seasons", "runs", "numb runs", *cols]]
              .rename(columns=lambda c, m=m: c.replace(m + " ", "")).to_string())
        print()


if __name__ == "__main__":
    sys.exit(main())
