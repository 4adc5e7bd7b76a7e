"""Validate runlog's analysis on simulated seasons with a planted cause (power and false positives).

For every seed and scenario (:data:`runlog.simulate.SCENARIOS`) this script
writes a season with :func:`runlog.simulate.simulate_season` and runs it end
to end through the public API, exactly as a user would::

    GPX files -> runlog.read_history -> runlog.read_episodes / read_run_notes (+ weather.csv)
              -> runlog.run_features -> runlog.analyze(..., tracked=season.tracked)

and prints, per scenario:

* ``top``: how often the top row of ``Report.factors`` (strongest evidence)
  belongs to the planted cause (``season.cause``, e.g. 'hydration');
* ``found``: how often a factor of the planted cause is in ``Report.findings``;
* ``any``: how often the season produced any finding at all (for the 'null'
  scenario this is the false-positive rate; target <= 5 % of seasons);
* ``confounder``: how often a 'distance' factor (duration, distance) is a
  finding although the planted cause is something else: in the 'confounded'
  scenario long runs are put on hot days, so duration goes with numbness
  without causing it;

for the analysis and for a naive baseline that ranks the same candidate
factors by their raw (point-biserial, Pearson) correlation with the
numbness flag of the tracked runs and calls every factor with an
uncorrected p < 0.05 a finding.  Proportions come with Wilson 95 %
intervals (Wilson 1927, J. Am. Stat. Assoc. 22(158)).

Speed-ups that do not change the result: the 'hydration', 'overtraining',
'footwear' and 'null' seasons of one seed write byte-identical GPX, notes and
weather files (only the journal differs), so the History and the features are
read once per seed and reused when the file digests match; ``analyze`` runs
with ``n_resamples=200`` (the bootstrap only sets Cliff's-delta intervals,
not findings); seasons are recorded every 10 s (``--sample-s``).

Usage::

    .venv/bin/python bench/validate_analysis.py                # 4 seeds per scenario, 2 processes
    .venv/bin/python bench/validate_analysis.py --seeds 20 --out seasons.csv
    .venv/bin/python bench/validate_analysis.py --summarize a.csv b.csv   # pool earlier runs
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import runlog
from runlog import schema, simulate

#: Cause of the factors that a confounded season may wrongly implicate.
CONFOUNDER_CAUSE = "distance"
#: Uncorrected significance level of the naive baseline.
NAIVE_ALPHA = 0.05


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


def _outcomes(prefix: str, top_cause, finding_causes: set, planted) -> dict:
    """The per-season success/failure flags of one method."""
    return {
        f"{prefix}_top": planted is not None and top_cause == planted,
        f"{prefix}_found": planted is not None and planted in finding_causes,
        f"{prefix}_any": bool(finding_causes),
        f"{prefix}_confounder": planted != CONFOUNDER_CAUSE and CONFOUNDER_CAUSE in finding_causes,
    }


def run_seed(seed: int, scenarios: tuple[str, ...], sample_s: float, n_resamples: int, keep: str | None) -> list[dict]:
    """Simulate and analyse one seed for every scenario; one result row per season."""
    rows = []
    with tempfile.TemporaryDirectory(prefix=f"runlog-validate-{seed}-") as tmp:
        root = Path(keep) if keep else Path(tmp)
        loaded: dict[str, tuple] = {}
        for sc in scenarios:
            t0 = time.perf_counter()
            season = simulate.simulate_season(root / f"{sc}-{seed}", scenario=sc, seed=seed, sample_s=sample_s)
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
                                     features=feats, n_resamples=n_resamples)
            flags = runlog.episode_flags(hist.runs, episodes, tracked=season.tracked)
            t_an = time.perf_counter() - t1
            flags = flags[flags["tracked"]]
            planted = season.cause
            row = {"scenario": sc, "seed": seed, "runs": len(flags), "numb_runs": int(flags["numb"].sum()),
                   "episodes": len(episodes), "testable": bool(rep.testable), "t_simulate_s": round(t_sim, 2),
                   "t_analyze_s": round(t_an, 2), "history_reused": reused}
            fac = rep.factors if rep.testable else pd.DataFrame(columns=["factor", "level", "cause"])
            a_top = fac["cause"].iloc[0] if len(fac) else None
            a_find = set(rep.findings["cause"]) if len(rep.findings) else set()
            row.update(_outcomes("analysis", a_top, a_find, planted))
            row["analysis_n_findings"] = len(rep.findings)
            row["analysis_top_factor"] = fac["factor"].iloc[0] if len(fac) else None
            nb = naive_baseline(feats, flags["numb"], fac if len(fac) else _catalog_factors(feats))
            n_top = nb["cause"].iloc[0] if len(nb) else None
            n_find = set(nb.loc[nb["p_value"] < NAIVE_ALPHA, "cause"])
            row.update(_outcomes("naive", n_top, n_find, planted))
            row["naive_n_findings"] = int((nb["p_value"] < NAIVE_ALPHA).sum())
            row["naive_top_factor"] = nb["factor"].iloc[0] if len(nb) else None
            rows.append(row)
    return rows


def _catalog_factors(feats: pd.DataFrame) -> pd.DataFrame:
    """Numeric candidate features of the catalogue (for seasons the analysis could not test)."""
    rows = [{"factor": c, "level": None, "cause": schema.FEATURES[c].cause} for c in feats.columns
            if c in schema.FEATURES and schema.FEATURES[c].candidate and schema.FEATURES[c].kind != "categorical"]
    return pd.DataFrame(rows, columns=["factor", "level", "cause"])


def _rate(flags: pd.Series) -> str:
    k, n = int(flags.sum()), int(flags.count())
    if n == 0:
        return "-"
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return f"{100 * k / n:3.0f} % [{100 * lo:3.0f}-{100 * hi:3.0f}] ({k}/{n})"


def summarize(results: pd.DataFrame) -> pd.DataFrame:
    """Per scenario: season size, and the rates of both methods with Wilson 95 % intervals."""
    out = []
    for sc, g in results.groupby("scenario", sort=False):
        planted = simulate.SCENARIO_CAUSE[sc]
        row = {"scenario": sc, "cause": planted or "-", "seasons": len(g),
               "runs": f"{g['runs'].mean():.0f}", "numb runs": f"{g['numb_runs'].mean():.1f}"}
        for m in ("analysis", "naive"):
            if planted is not None:
                row[f"{m} top"] = _rate(g[f"{m}_top"])
                row[f"{m} found"] = _rate(g[f"{m}_found"])
            else:
                row[f"{m} top"] = row[f"{m} found"] = "-"
            row[f"{m} any"] = _rate(g[f"{m}_any"])
            # in 'hydration' duration is part of the planted heat dose: a distance finding is not wrong there
            row[f"{m} confounder"] = _rate(g[f"{m}_confounder"]) if sc != "hydration" else "-"
            row[f"{m} findings/season"] = f"{g[f'{m}_n_findings'].mean():.1f}"
        out.append(row)
    return pd.DataFrame(out).set_index("scenario")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=4, help="seeds per scenario (default 4)")
    ap.add_argument("--first-seed", type=int, default=1000, help="first seed (default 1000, away from test seeds)")
    ap.add_argument("--scenarios", nargs="+", default=list(simulate.SCENARIOS), choices=simulate.SCENARIOS)
    ap.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    ap.add_argument("--sample-s", type=float, default=10.0, help="record interval of the simulated GPX [s]")
    ap.add_argument("--n-resamples", type=int, default=200, help="analyze(n_resamples=...) (default 200)")
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

    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    t0 = time.perf_counter()
    rows = []
    task = (tuple(args.scenarios), args.sample_s, args.n_resamples, args.keep)
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as ex:
            futures = [ex.submit(run_seed, s, *task) for s in seeds]
            for i, fut in enumerate(futures):
                rows.extend(fut.result())
                print(f"seed {seeds[i]} done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    else:
        for s in seeds:
            rows.extend(run_seed(s, *task))
            print(f"seed {s} done ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    wall = time.perf_counter() - t0
    results = pd.DataFrame(rows)
    if args.out:
        results.to_csv(args.out, index=False)
    print_tables(results, f"{len(results)} seasons ({args.seeds} seeds x {len(args.scenarios)} scenarios, "
                          f"seeds {seeds[0]}-{seeds[-1]}), {wall:.0f} s wall on {args.workers} process(es)")
    return 0


def print_tables(results: pd.DataFrame, header: str) -> None:
    """Print the per-scenario rates of the analysis and of the naive baseline."""
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 30)
    order = {sc: i for i, sc in enumerate(simulate.SCENARIOS)}
    results = results.sort_values("scenario", key=lambda s: s.map(order), kind="stable")
    table = summarize(results)
    print(f"runlog {runlog.__version__}: {header}; mean analyze {results['t_analyze_s'].mean():.1f} s/season, "
          f"simulate {results['t_simulate_s'].mean():.1f} s/season")
    print("rates: % of seasons [Wilson 95 % CI] (count).  top = strongest factor is of the planted cause; "
          "found = a planted-cause factor is a finding;\nany = any finding (null: false-positive rate, "
          "target <= 5 %); confounder = a 'distance' factor is a finding.\n")
    for m in ("analysis", "naive"):
        cols = [c for c in table.columns if c.startswith(m)]
        title = ("ANALYSIS (runlog.analyze findings)" if m == "analysis" else
                 f"NAIVE BASELINE (rank by |point-biserial r|, finding = uncorrected p < {NAIVE_ALPHA})")
        print(title)
        print(table[["cause", "seasons", "runs", "numb runs", *cols]]
              .rename(columns=lambda c: c.replace(m + " ", "")).to_string())
        print()


if __name__ == "__main__":
    sys.exit(main())
