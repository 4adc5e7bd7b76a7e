"""Score runlog's analysis on seasons from the independent generator (generate.py).

For each scenario x seed: generate the season into a temporary folder, run runlog end to
end through its public API (``read_history(cache=False)``, ``read_episodes``,
``read_run_notes``, ``runlog.weather.read_weather``, ``analyze``) and, with ``--cli N``,
the command line ``runlog report`` on the first N seeds of each scenario; then score

* planted found: every planted cause is among ``report.findings['cause']``;
* wrong finding: a finding cause that was not planted;
* exact: the finding causes are exactly the planted ones (no-cause seasons: no finding);
* heat covered: the heat cause's 95 % interval in ``report.causes`` holds the planted odds
  ratio per 5 °C per hour on the feet (heat seasons).

Examples::

    python bench/seasons2/score.py --seeds 8 --workers 2 --out seasons2.csv
    python bench/seasons2/score.py --scenarios heat,spike --seeds 2 --cli 1 --out smoke.csv
    python bench/seasons2/score.py --summarize seasons2.csv

Rows are appended to --out as seasons finish (a run can be resumed with --resume: the
scenario x seed pairs already in the file are skipped).  At most 2 worker processes,
each reading files in its own process (``workers=1``) and with one BLAS thread.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
os.environ.setdefault("MPLBACKEND", "Agg")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import generate  # noqa: E402

FIELDS = ["scenario", "seed", "planted", "found", "planted_found", "wrong", "wrong_causes", "exact",
          "heat_planted", "heat_or", "heat_lo", "heat_hi", "heat_covered", "heat_unit", "oracle_heat_or",
          "oracle_covered", "statuses",
          "n_runs", "n_numb_runs", "truth_tracked", "truth_numb", "n_files", "n_partner",
          "mentions_other_person", "mentions_missing_temp", "answer", "notes", "error",
          "gen_s", "read_s", "analyze_s", "cli_rc", "cli_answer_match", "cli_s", "load1"]

OTHER_PERSON = re.compile(r"someone else|another (person|runner)|not (all )?yours|partner|two people|"
                          r"other person|second runner", re.I)
MISSING_TEMP = re.compile(r"(no|without|lacked?|missing) (a |any )?(air |wrist |watch )?temperature", re.I)


def _cause_table(report):
    """The per-cause table; the attribute was renamed before (cause_table -> causes)."""
    for name in ("causes", "cause_table"):
        tab = getattr(report, name, None)
        if tab is not None and not callable(tab) and hasattr(tab, "columns"):
            return tab
    raise AttributeError("the report has no per-cause table (report.causes)")


def _finding_causes(report) -> list[str]:
    f = report.findings
    if f is None or len(f) == 0 or "cause" not in f.columns:
        return []
    return [str(c) for c in f["cause"]]


def run_cli(folder: str, truth: dict, out: str) -> tuple[int, str]:
    exe = os.path.join(os.path.dirname(sys.executable), "runlog")
    cmd = [exe, "report", os.path.join(folder, "activities"), "--episodes", os.path.join(folder, "episodes.csv"),
           "--tz", truth["tz"], "--out", out, "--no-cache"]
    if os.path.exists(os.path.join(folder, "run_notes.csv")):
        cmd += ["--notes", os.path.join(folder, "run_notes.csv")]
    if os.path.exists(os.path.join(folder, "weather.csv")):
        cmd += ["--weather", os.path.join(folder, "weather.csv")]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                       env=dict(os.environ, RUNLOG_CACHE_DIR=os.path.join(out, ".cache")))
    return p.returncode, p.stdout + p.stderr


def score_one(scenario: str, seed: int, cli: bool = False, keep: str | None = None) -> dict:
    import warnings

    warnings.simplefilter("ignore")
    row: dict = dict(scenario=scenario, seed=seed, load1=round(os.getloadavg()[0], 2))
    tmp = tempfile.mkdtemp(prefix=f"seasons2-{scenario}-{seed}-")
    folder = os.path.join(tmp, "season")
    try:
        t0 = time.perf_counter()
        truth = generate.generate(scenario, seed, folder)
        row["gen_s"] = round(time.perf_counter() - t0, 2)
        planted = set(truth["planted"])
        row.update(planted=";".join(sorted(planted)), truth_tracked=truth["n_tracked_runs"],
                   truth_numb=truth["n_numb_tracked"], n_files=truth["n_files"], n_partner=truth["n_partner_runs"],
                   heat_planted=truth["heat_or_per_5c_h"])
        orc = truth.get("oracle") or {}
        if orc and all(isinstance(v, dict) for v in orc.values()):
            row["oracle_covered"] = all(v["ci_low"] <= truth["effects"][c]["odds_ratio"] <= v["ci_high"]
                                        for c, v in orc.items())
            row["oracle_heat_or"] = orc.get("hydration", {}).get("odds_ratio", "")
        import runlog
        try:   # moved by the tree reorganisation (issue 26)
            from runlog.features.weather import read_weather
        except ImportError:
            from runlog.weather import read_weather

        t0 = time.perf_counter()
        history = runlog.read_history(os.path.join(folder, "activities"), cache=False, workers=1, progress=False)
        episodes = runlog.read_episodes(os.path.join(folder, "episodes.csv"), history=history, tz=truth["tz"])
        notes = weather = None
        if os.path.exists(os.path.join(folder, "run_notes.csv")):
            notes = runlog.read_run_notes(os.path.join(folder, "run_notes.csv"), history=history, tz=truth["tz"])
        if os.path.exists(os.path.join(folder, "weather.csv")):
            weather = read_weather(os.path.join(folder, "weather.csv"))
        row["read_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        report = runlog.analyze(history, episodes, notes=notes, weather=weather, tracked=(truth["journal"][0], None))
        row["analyze_s"] = round(time.perf_counter() - t0, 2)
        found = set(_finding_causes(report))
        row.update(found=";".join(sorted(found)), n_runs=report.n_runs, n_numb_runs=report.n_numb_runs,
                   answer=str(report.answer).replace("\n", " "))
        row["planted_found"] = planted <= found if planted else ""
        row["wrong_causes"] = ";".join(sorted(found - planted))
        row["wrong"] = bool(found - planted)
        row["exact"] = found == planted
        causes = _cause_table(report)
        row["statuses"] = "; ".join(f"{c}: {s}" for c, s in zip(causes["cause"], causes.get("status", [""] * len(
            causes))))
        heat = causes[causes["cause"] == "hydration"]
        if len(heat):
            h = heat.iloc[0]
            row.update(heat_or=_num(h.get("effect")), heat_lo=_num(h.get("ci_low")), heat_hi=_num(h.get("ci_high")),
                       heat_unit=str(h.get("effect_unit", "")))
            if truth["heat_or_per_5c_h"] and math.isfinite(row["heat_lo"]) and math.isfinite(row["heat_hi"]):
                row["heat_covered"] = row["heat_lo"] <= truth["heat_or_per_5c_h"] <= row["heat_hi"]
        text = " ".join([str(report.answer)] + [str(c) for c in report.caveats] + [str(n) for n in report.notes])
        row["mentions_other_person"] = bool(OTHER_PERSON.search(text))
        row["mentions_missing_temp"] = bool(MISSING_TEMP.search(text))
        row["notes"] = " | ".join(str(n) for n in report.notes)[:600]
        if cli:
            t0 = time.perf_counter()
            rc, out = run_cli(folder, truth, os.path.join(tmp, "report"))
            row["cli_s"] = round(time.perf_counter() - t0, 2)
            row["cli_rc"] = rc
            first = str(report.answer).split("\n")[0].strip()
            row["cli_answer_match"] = first[:60] in out
            if rc != 0:
                row["error"] = ("cli: " + out[-400:]).replace("\n", " ")
    except Exception as exc:  # a crash is a result: record it
        row["error"] = (f"{type(exc).__name__}: {exc}"[:300] + " @ " + traceback.format_exc()[-500:]).replace("\n", " ")
    finally:
        if keep:
            dest = os.path.join(keep, f"{scenario}-{seed}")
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(tmp, dest)
        shutil.rmtree(tmp, ignore_errors=True)
    return row


def _num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


# --------------------------------------------------------------------------- summary


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95 % interval for k successes in n trials."""
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def _frac(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} ({100 * lo:.0f}-{100 * hi:.0f} %)" if n else "–"


def _truthy(v) -> bool:
    return str(v).strip().lower() in ("true", "1")


def summarize(path: str) -> str:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    order = list(generate.SCENARIOS)
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["scenario"], []).append(r)
    lines = ["| scenario | seeds | crashes | planted found | wrong finding | exact | heat CI covers planted "
             "| numb runs (median) | s/season (gen+read+analyze) | wrong causes |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for sc in sorted(by, key=lambda s: order.index(s) if s in order else 99):
        rs = by[sc]
        ok = [r for r in rs if not r.get("error") or r["error"].startswith("cli:")]
        n = len(ok)
        planted = bool(ok and ok[0]["planted"])
        pf = _frac(sum(_truthy(r["planted_found"]) for r in ok), n) if planted else "–"
        wr = _frac(sum(_truthy(r["wrong"]) for r in ok), n)
        ex = _frac(sum(_truthy(r["exact"]) for r in ok), n)
        cov_rows = [r for r in ok if r.get("heat_covered") not in (None, "")]
        cov = _frac(sum(_truthy(r["heat_covered"]) for r in cov_rows), len(cov_rows)) if cov_rows else "–"
        numb = sorted(int(float(r["n_numb_runs"])) for r in ok if r.get("n_numb_runs"))
        med = numb[len(numb) // 2] if numb else "–"
        secs = [sum(_num(r.get(k)) for k in ("gen_s", "read_s", "analyze_s")) for r in ok]
        sec = f"{sorted(secs)[len(secs) // 2]:.0f}" if secs else "–"
        wc: dict[str, int] = {}
        for r in ok:
            for c in filter(None, r["wrong_causes"].split(";")):
                wc[c] = wc.get(c, 0) + 1
        wtxt = ", ".join(f"{c} {k}" for c, k in sorted(wc.items(), key=lambda kv: -kv[1])) or ""
        lines.append(f"| {sc} | {len(rs)} | {len(rs) - n} | {pf} | {wr} | {ex} | {cov} | {med} | {sec} | {wtxt} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenarios", default="all", help="comma-separated names (generate.py --list), or 'all'")
    ap.add_argument("--seeds", type=int, default=8, help="seeds per scenario")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2, help="processes (at most 2)")
    ap.add_argument("--out", default="seasons2.csv", help="CSV of one row per season (appended)")
    ap.add_argument("--resume", action="store_true", help="skip scenario x seed pairs already in --out")
    ap.add_argument("--cli", type=int, default=0, help="also run 'runlog report' on the first N seeds")
    ap.add_argument("--keep", help="copy every season (and CLI report) into this folder")
    ap.add_argument("--summarize", metavar="CSV", help="only print the table of a finished CSV")
    a = ap.parse_args(argv)
    if a.summarize:
        print(summarize(a.summarize))
        return
    names = list(generate.SCENARIOS) if a.scenarios == "all" else [s.strip() for s in a.scenarios.split(",")]
    unknown = [s for s in names if s not in generate.SCENARIOS]
    if unknown:
        ap.error(f"unknown scenarios {unknown}; known: {', '.join(generate.SCENARIOS)}")
    done = set()
    if a.resume and os.path.exists(a.out):
        with open(a.out, newline="", encoding="utf-8") as fh:
            done = {(r["scenario"], int(r["seed"])) for r in csv.DictReader(fh)}
    seeds = range(a.first_seed, a.first_seed + a.seeds)
    tasks = [(s, k, k - a.first_seed < a.cli) for k in seeds for s in names if (s, k) not in done]
    new = not os.path.exists(a.out)
    t_start = time.perf_counter()
    print(f"{len(tasks)} seasons, {min(a.workers, 2)} workers; load {os.getloadavg()}", flush=True)
    with open(a.out, "a", newline="", encoding="utf-8") as fh:
        wr = csv.DictWriter(fh, FIELDS, extrasaction="ignore")
        if new:
            wr.writeheader()
        if min(a.workers, 2) <= 1:
            results = (score_one(s, k, c, a.keep) for s, k, c in tasks)
            _drain(results, wr, fh, len(tasks), t_start)
        else:
            with ProcessPoolExecutor(max_workers=2) as ex:
                futs = [ex.submit(score_one, s, k, c, a.keep) for s, k, c in tasks]
                _drain((f.result() for f in as_completed(futs)), wr, fh, len(tasks), t_start)
    print(f"wall {time.perf_counter() - t_start:.0f} s; load {os.getloadavg()}")
    print(summarize(a.out))


def _drain(results, wr, fh, n, t_start) -> None:
    for i, row in enumerate(results, 1):
        wr.writerow(row)
        fh.flush()
        tag = "ERROR " + row["error"][:120] if row.get("error") else (
            f"found [{row.get('found', '')}] planted [{row.get('planted', '')}] heat {row.get('heat_or', '')}")
        print(f"[{i}/{n} {time.perf_counter() - t_start:.0f}s] {row['scenario']} seed {row['seed']}: {tag}",
              flush=True)


if __name__ == "__main__":
    main()
