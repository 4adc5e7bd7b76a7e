"""Speed of ``runlog.analyze`` as the history grows: 1,000, 3,000 and 10,000 runs side by side.

The analysis must stay linear in the number of runs (issue 28: at 10,000 runs at most 3.5x its time
at 3,000 and under 5 s, memory under 1 GiB; issue 22: under 3 s at 1,000).

**analyze end to end** (the default).  Simulated histories of about 1,000, 3,000 and 10,000 runs
(``--runs``; :func:`runlog.simulate.simulate_season`, the 'hydration' scenario, records every 30 s,
about 5.4 runs a week) are simulated and imported once (not timed; ``--keep DIR`` keeps them for
the next run, the 10,000-run one takes minutes).  Each size is then measured in a fresh process
(``--rounds`` of them, the sizes taking turns) that reads the history as a user would and calls

* ``runlog.analyze(history, episodes, notes=..., weather=..., tracked=...)`` *as called*: the
  run features computed, the check for someone else's runs, the in-run measures before onset,
  the plan's cause tests, the measures table, the onset analysis, the words;
* the same with ``features=run_features(...)`` given (*features given*: no run features and no
  partner check then; the figure issue 28's table started from),

``--repeat`` times each after one untimed call (imports), with what runlog remembers between calls
forgotten before each (the partner check's answer: a timed call costs what a user's first one
does), with BLAS's threads as the environment sets them (``OMP_NUM_THREADS=1`` for one), and prints the best
wall time (CPU time beside it), its ratio to the smallest history next to the ratio of the runs,
the peak memory of the process during the timed calls (*peak*: the history, journal and features
held included) and that peak less what the process held before them (*analyze*), and the split of
the best *as called* call per step (each step's function wrapped in the measuring process; nested
steps shown as "of which"; *rest* is what no step covers).  ``--against DIR`` measures the runlog
package in DIR too (an older commit: ``git archive COMMIT runlog | tar -x -C DIR``), in turns with
this one, and prints the ratios: before and after in one run, under the same load.  Nothing is
asserted; the machine load (1-minute average) is printed.

**decide on synthetic frames** (not with ``--end-to-end``): per-run feature frames with every
candidate measure of the catalogue (random values, ~5 runs a week) for 150, 500 and 1,000 runs,
:func:`runlog.analysis.causes.decide` with and without the per-measure table, best of ``--repeat``.

With ``--report`` it times the command a runner types, ``runlog report``
on the simulated history of about 1,000 runs (its GPX folder, journal, run
notes and weather, as ``runlog demo`` passes them), end to end in a fresh
process each time (interpreter start-up, imports, the import of the
history, the analysis, report.html, report.md and factors.csv): once with
an empty cache (*cold*) and ``--repeat`` times with the cache filled
(*warm*, the best shown), beside the start-up of ``python -c "import
runlog"`` alone, each in wall and CPU seconds (the process's user + system
time: what other work on the machine disturbs least).  The warm processes
also time their phases (the command's own functions wrapped once the
command has loaded them, so nothing is imported earlier than it would be):
start-up, the imports of the analysis and the page, reading the history,
the import summary with the partner check, ``analyze``, the page (figures
drawn, figures saved as PNG, the rest), the Markdown and CSV, and the rest;
the split of the fastest warm run is printed.  The processes import the
same runlog as this script, its bytecode compiled first (as ``pip install``
does; where ``PYTHONDONTWRITEBYTECODE`` is set, an editable install would
otherwise compile every module again in every process).

Usage::

    .venv/bin/python bench/bench_analysis.py [--repeat 3] [--rounds 1]
        [--end-to-end] [--runs 1000 3000 10000] [--keep DIR] [--against DIR] | [--report]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special
from timing import best_of

from runlog.analysis.causes import decide
from runlog.features.catalog import FEATURES as CATALOG


def frame(n_runs: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Features of *n_runs* runs (every catalogue candidate), outcome driven by air temperature."""
    rng = np.random.default_rng(seed)
    days = np.sort(rng.choice(int(n_runs * 7 / 5) + 1, n_runs, replace=False)).astype(float)
    idx = pd.Index([f"r{i:05d}" for i in range(n_runs)], name="run_id")
    cols = {}
    for name, f in CATALOG.items():
        if not f.candidate:
            continue
        if f.kind == "categorical":
            cols[name] = rng.choice(["A", "B", "C"], n_runs)
        elif f.kind == "binary":
            cols[name] = (rng.random(n_runs) < 0.3).astype(float)
        else:
            per = f.per if np.isfinite(f.per) else 1.0
            cols[name] = rng.normal(0, 2 * per, n_runs)
    F = pd.DataFrame(cols, index=idx)
    F["air_temp_c"] = 12 + 8 * np.sin(days / 365 * 2 * np.pi) + rng.normal(0, 4, n_runs)
    F["duration_min"] = rng.uniform(30, 120, n_runs)
    F["run_streak_days"] = rng.integers(1, 6, n_runs).astype(float)
    p = special.expit(-2.5 + 0.15 * (F["air_temp_c"] - 12))
    numb = pd.Series(rng.random(n_runs) < p, index=idx)
    return F, numb, pd.Series(days, index=idx)


# ------------------------------------------------------------------ analyze end to end
#: The steps of ``runlog.analyze`` timed apart (label, module, attribute, parent label or None): each is
#: wrapped in the measuring process; a step missing from a tree (``--against`` an older one) is left out.
STEPS = (
    ("journal flags", "runlog.journal", "episode_flags", None),
    ("partner check", "runlog.report._analyze", "others_to_leave_out", None),
    ("run_features", "runlog.features", "run_features", None),
    ("before_onset (in-run measures)", "runlog.report._analyze", "before_onset", None),
    ("descriptives + counts", "runlog.report._analyze", "descriptives", None),
    ("descriptives + counts", "runlog.report._analyze", "measure_counts", None),
    ("decide", "runlog.report._analyze", "decide", None),
    ("causes (the plan's tests)", "runlog.analysis.causes", "CauseAnalysis.run", "decide"),
    ("measures table", "runlog.analysis.causes", "CauseAnalysis.measures", "decide"),
    ("findings (best measure, risks)", "runlog.analysis.causes", "CauseAnalysis.best_measure", "decide"),
    ("Firth fits", "runlog.analysis.causes", "_firth_fit", "decide"),
    ("shift calibration", "runlog.analysis.causes", "shift_inflation", "decide"),
    ("onset", "runlog.report._analyze", "analyze_onset", None),
    ("at-onset comparison", "runlog.analysis.onset", "at_onset_comparison", "onset"),
    ("side x cause", "runlog.report._analyze", "side_cause_comparison", None),
    ("tables and words", "runlog.report._analyze", "measure_table", None),
    ("tables and words", "runlog.report._analyze", "cause_frame", None),
    ("tables and words", "runlog.report._analyze", "factor_frame", None),
    ("tables and words", "runlog.report._analyze", "finding_frame", None),
    ("tables and words", "runlog.report._analyze", "answer_line", None),
    ("tables and words", "runlog.report._analyze", "caveats", None),
)


def simulated_history(n_runs: int, root: Path) -> Path:
    """A simulated history of about *n_runs* runs (the 'hydration' scenario, records every 30 s), imported
    once; returns the pickle of what :func:`child_analyze` reads (the History's frames, the season's files)."""
    import pickle

    import runlog
    from runlog import simulate

    out = root / f"h{n_runs}.pkl"
    if out.is_file():
        return out
    weeks = int(round(n_runs / 5.4))       # the simulated runner runs about 5.4 times a week
    start = (pd.Timestamp("2026-01-05") - pd.Timedelta(weeks=weeks)).strftime("%Y-%m-%d")
    season = simulate.simulate_season(root / f"h{n_runs}", scenario="hydration", seed=5, sample_s=30,
                                      start=start, weeks=weeks)
    hist = runlog.read_history(season.gpx_dir, cache=False, workers=1, progress=False)
    frames = {k: getattr(hist, k) for k in ("runs", "records", "errors", "skipped", "laps")}
    with open(out.with_suffix(".part"), "wb") as fh:
        pickle.dump({"frames": frames, "episodes_csv": str(season.episodes_csv), "notes_csv": str(season.notes_csv),
                     "weather_csv": str(season.weather_csv), "tracked": season.tracked}, fh)
    out.with_suffix(".part").replace(out)
    return out


def _vm_kib(key: str) -> int:
    """A ``/proc/self/status`` figure [KiB] (0 where there is none: not Linux)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _wrap_steps(spent: dict) -> None:
    """Wrap the :data:`STEPS` so that each call adds its wall time [s] to ``spent[label]`` (not nested
    twice: a step that calls itself counts once)."""
    import importlib

    for label, module, attr, _parent in STEPS:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        owner, name = (getattr(mod, attr.split(".")[0], None), attr.split(".")[1]) if "." in attr else (mod, attr)
        fn = getattr(owner, name, None) if owner is not None else None
        if fn is None:
            continue

        def timed(*a, _fn=fn, _label=label, **k):
            if spent.get(("busy", _label)):
                return _fn(*a, **k)
            spent[("busy", _label)] = True
            t0 = time.perf_counter()
            try:
                return _fn(*a, **k)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.perf_counter() - t0
                spent[("busy", _label)] = False

        setattr(owner, name, timed)


def child_analyze(inputs: str, repeat: int) -> dict:
    """``runlog.analyze`` on one pickled history in this process, as a user calls it (features computed,
    the partner check) and with the features given; the best of *repeat* each (wall and CPU [s]), the
    split of the best 'as called' run per step [s], and memory [MiB]: the peak of the process during
    the timed calls, and that peak less what the loaded inputs held."""
    import pickle
    import resource

    import runlog
    from runlog.history import History

    warnings.simplefilter("ignore")
    with open(inputs, "rb") as fh:
        d = pickle.load(fh)
    hist = History(**d["frames"])
    episodes = runlog.read_episodes(d["episodes_csv"], history=hist)
    notes = runlog.read_run_notes(d["notes_csv"], history=hist)
    weather = pd.read_csv(d["weather_csv"])
    kw = {"notes": notes, "weather": weather, "tracked": d["tracked"]}

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    features = runlog.run_features(hist, notes=notes, weather=weather)
    rep = runlog.analyze(hist, episodes, **kw)      # imports, not timed
    rss_inputs = _vm_kib("VmRSS")
    try:   # the peak from here on (Linux: reset the high-water mark)
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    spent: dict = {}
    _wrap_steps(spent)
    out: dict = {"runs": rep.n_runs, "numb": rep.n_numb_runs, "records": len(hist.records),
                 "called": [], "given": [], "split": {}}
    for _ in range(max(repeat, 1)):
        spent.clear()
        _forget()
        t0, c0 = time.perf_counter(), cpu()
        runlog.analyze(hist, episodes, **kw)
        out["called"].append((time.perf_counter() - t0, cpu() - c0))
        if out["called"][-1][0] <= min(t for t, _ in out["called"]):
            out["split"] = {k: v for k, v in spent.items() if isinstance(k, str)}
        t0, c0 = time.perf_counter(), cpu()
        runlog.analyze(hist, episodes, features=features, **kw)
        out["given"].append((time.perf_counter() - t0, cpu() - c0))
    out["peak_mib"] = _vm_kib("VmHWM") / 1024.0
    out["analyze_mib"] = (_vm_kib("VmHWM") - rss_inputs) / 1024.0
    return out


def _forget() -> None:
    """Forget what runlog remembers between calls (the partner check's answer, ``likely_others``), so
    that each timed call costs what a first call in a process does."""
    try:
        from runlog.history import _people
    except ImportError:
        return
    getattr(_people, "_REMEMBERED", {}).clear()


def _run_child(inputs: Path, repeat: int, tree: str) -> dict:
    """:func:`child_analyze` in a fresh process importing runlog from *tree*."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tree, os.environ.get("PYTHONPATH", "")])}
    res = subprocess.run([sys.executable, __file__, "--child", str(inputs), str(repeat)], capture_output=True,
                         text=True, env=env, cwd=tempfile.gettempdir())
    if res.returncode:
        raise SystemExit(f"the measuring process failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _this_tree() -> str:
    import runlog

    return str(Path(runlog.__file__).resolve().parents[1])


def end_to_end(sizes, repeat: int, rounds: int, keep: str | None, against: str | None) -> None:
    """Print ``runlog.analyze`` per history size side by side (see :func:`main`)."""
    trees = {"this": _this_tree()}
    if against:
        if not (Path(against) / "runlog" / "__init__.py").is_file():
            raise SystemExit(f"{against}: no runlog package there")
        trees = {"before": str(Path(against).resolve()), **trees}
    with tempfile.TemporaryDirectory(prefix="runlog-bench-analysis-") as tmp:
        root = Path(keep) if keep else Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        inputs = {n: simulated_history(n, root) for n in sizes}
        print(f"simulated + imported histories: {time.perf_counter() - t0:.0f} s (not timed below"
              + (f"; kept in {root}" if keep else "") + ")", flush=True)
        loads = [os.getloadavg()[0]]
        res: dict = {(label, n): [] for label in trees for n in sizes}
        for _ in range(max(rounds, 1)):     # the sizes and trees take turns: a load change hits them alike
            for n in sizes:
                for label, tree in trees.items():
                    res[(label, n)].append(_run_child(inputs[n], repeat, tree))
                    loads.append(os.getloadavg()[0])
    print(f"\nrunlog.analyze end to end ({os.cpu_count()} cores, OMP_NUM_THREADS="
          f"{os.environ.get('OMP_NUM_THREADS', 'unset (as a user runs)')}; "
          f"1-min load {min(loads):.1f}-{max(loads):.1f}; "
          f"best of {repeat} calls x {rounds} processes; simulation and import not timed)")
    print("  as called: features computed, partner check; features given: run_features(...) passed in "
          "(no partner check then); wall s (CPU s)")
    for label in trees:
        best = {n: _best(res[(label, n)]) for n in sizes}
        base = sizes[0]
        print(f"\n[{label}: runlog from {trees[label]}]")
        print(f"{'runs':>6} {'numb':>5} {'records':>9} {'as called s':>16} {'x':>5} {'features given s':>17} {'x':>5} "
              f"{'runs x':>6} {'peak MiB':>9} {'analyze MiB':>12}")
        for n in sizes:
            b = best[n]
            print(f"{b['runs']:>6} {b['numb']:>5} {b['records']:>9} "
                  f"{b['called'][0]:>7.2f} ({b['called'][1]:>5.2f}) {b['called'][0] / best[base]['called'][0]:>5.2f} "
                  f"{b['given'][0]:>7.2f} ({b['given'][1]:>5.2f}) {b['given'][0] / best[base]['given'][0]:>5.2f} "
                  f"{b['runs'] / best[base]['runs']:>6.2f} {b['peak_mib']:>9.0f} {b['analyze_mib']:>12.0f}")
        print(f"  split of the best 'as called' call [s] (x: against {best[base]['runs']} runs):")
        labels = list(dict.fromkeys(lbl for lbl, *_ in STEPS))
        parent = {lbl: p for lbl, _m, _a, p in STEPS}
        print("  " + f"{'step':<34}" + "".join(f"{best[n]['runs']:>9}" for n in sizes) + f"{'x':>7}")
        for lbl in [*labels, "rest"]:
            vals = [(best[n]["called"][0] - sum(v for k, v in best[n]["split"].items() if parent.get(k) is None))
                    if lbl == "rest" else best[n]["split"].get(lbl) for n in sizes]
            if all(v is None for v in vals):
                continue
            ratio = vals[-1] / vals[0] if vals[0] and vals[-1] is not None else float("nan")
            name = ("  of which " if parent.get(lbl) else "") + lbl
            print("  " + f"{name:<34}" + "".join(f"{v:>9.2f}" if v is not None else f"{'-':>9}" for v in vals)
                  + f"{ratio:>7.1f}")
    if len(trees) > 1:
        print("\nthis / before (best wall time; < 1: faster now):")
        for n in sizes:
            a, b = _best(res[("before", n)]), _best(res[("this", n)])
            print(f"  {b['runs']:>6} runs: as called {b['called'][0] / a['called'][0]:.2f}, features given "
                  f"{b['given'][0] / a['given'][0]:.2f}, peak memory {b['peak_mib'] / a['peak_mib']:.2f}")


def _best(results: list[dict]) -> dict:
    """The fastest of several processes' results (per measure: the best call of all)."""
    out = dict(min(results, key=lambda r: min(t for t, _ in r["called"])))
    out["called"] = min((c for r in results for c in r["called"]), key=lambda c: c[0])
    out["given"] = min((c for r in results for c in r["given"]), key=lambda c: c[0])
    out["peak_mib"] = min(r["peak_mib"] for r in results)
    out["analyze_mib"] = min(r["analyze_mib"] for r in results)
    return out


def _process(args: list[str], cwd: Path, cache: Path, extra_env: dict | None = None) -> tuple[float, float]:
    """Wall-clock and CPU time (user + system) of ``python *args*`` in a fresh process [s] (start-up
    included); raises on failure."""
    import resource

    import runlog

    here = str(Path(runlog.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]),
           "RUNLOG_CACHE_DIR": str(cache), "MPLBACKEND": "Agg", **(extra_env or {})}
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True)
    t = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode:
        raise SystemExit(f"{args[:3]} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return t, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


#: The phases of a warm ``runlog report`` timed apart (label, module, attribute, parent label or None):
#: wrapped by :data:`_REPORT_CHILD` once ``runlog.cli.load_quietly`` has loaded the modules.
REPORT_PHASES = (
    ("imports: the analysis and the page", "runlog.cli", "load_quietly", None),
    ("reading the history (warm cache)", "runlog.cli", "_history", None),
    ("import summary + partner check", "runlog.cli", "_import_summary", None),
    ("analyze", "runlog.report._analyze", "_analyze", None),
    ("page (report.html)", "runlog.render.html", "render_report", None),
    ("figures drawn", "runlog.render.html", "default_figures", "page (report.html)"),
    ("figures saved as PNG", "runlog.render.html", "figure_to_data_uri", "page (report.html)"),
    ("Markdown + CSV", "runlog.render.text", "to_markdown", None),
    ("Markdown + CSV", "runlog.report._report", "Report.to_csv", None),
)

#: ``python -c`` code of a timed warm report: ``runlog.cli.main`` and ``end_program`` as ``run()`` calls them, the
#: :data:`REPORT_PHASES` wrapped (wall and CPU [s]) and written as JSON to ``$RUNLOG_BENCH_PHASES``.
_REPORT_CHILD = """
import importlib, json, os, sys, time
t_start = time.perf_counter(); c_start = time.process_time()
sys.argv[0] = "runlog"   # as the console script: runlog._program sees the program
from runlog import cli
phases = json.loads(os.environ["RUNLOG_BENCH_PHASE_LIST"])
spent = {}
def wrap(module, attr, label):
    mod = importlib.import_module(module)
    owner, name = (getattr(mod, attr.split(".")[0]), attr.split(".")[1]) if "." in attr else (mod, attr)
    fn = getattr(owner, name)
    def timed(*a, **k):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **k)
        finally:
            w, c = spent.get(label, (0.0, 0.0))
            spent[label] = (w + time.perf_counter() - t0, c + time.process_time() - c0)
    setattr(owner, name, timed)
load = cli.load_quietly
def loaded(*a, **k):
    t0, c0 = time.perf_counter(), time.process_time()
    load(*a, **k)
    spent[phases[0][0]] = (time.perf_counter() - t0, time.process_time() - c0)
    for label, module, attr, _parent in phases[1:]:
        if module != "runlog.cli":
            wrap(module, attr, label)
cli.load_quietly = loaded
for label, module, attr, _parent in phases[1:]:
    if module == "runlog.cli":
        wrap(module, attr, label)
t0, c0 = time.perf_counter(), time.process_time()
rc = cli.main(program=True)
spent["main"] = (time.perf_counter() - t0, time.process_time() - c0)
spent["start-up: python + import runlog.cli"] = (t0 - t_start, c0 - c_start)
with open(os.environ["RUNLOG_BENCH_PHASES"], "w") as fh:
    json.dump(spent, fh)
cli.end_program(rc)
"""


def _report_split(total: tuple[float, float], spent: dict) -> list[tuple[str, float, float]]:
    """Rows (label, wall, CPU [s]) of a timed warm report: its phases, the rest of ``main`` and what
    the process spent outside ``main`` (interpreter start-up before the timer and its end)."""
    rows = [("start-up: python + import runlog.cli", *spent["start-up: python + import runlog.cli"])]
    top = 0.0, 0.0
    for label in dict.fromkeys(p[0] for p in REPORT_PHASES):
        parent = next(p[3] for p in REPORT_PHASES if p[0] == label)
        w, c = spent.get(label, (0.0, 0.0))
        rows.append((("  of which " if parent else "") + label, w, c))
        if parent is None:
            top = top[0] + w, top[1] + c
    rest = spent["main"][0] - top[0], spent["main"][1] - top[1]
    rows.append(("rest of the command (journal, notes, athlete, sections, screen)", *rest))
    inside = spent["main"][0] + rows[0][1], spent["main"][1] + rows[0][2]
    rows.append(("outside the timers (interpreter start, exit functions)",
                 total[0] - inside[0], total[1] - inside[1]))
    return rows


def report_end_to_end(n_runs: int, repeat: int) -> None:
    """Print the time of ``runlog report`` on a simulated history: cold, warm (best of *repeat*), start-up alone."""
    import compileall

    from runlog import simulate

    # what the runlog console script runs, sys.argv[0] included (the program starts OpenBLAS with one thread)
    cli = ["-c", "import sys; sys.argv[0] = 'runlog'; from runlog.cli import run; run()"]
    # runlog's bytecode as an installed runlog has it (pip compiles it on install; an editable install
    # writes it on first use): with PYTHONDONTWRITEBYTECODE set and no __pycache__, every timed process
    # would compile runlog's modules again (about 0.1 s), which no runner's process does
    compiled = compileall.compile_dir(str(Path(_this_tree()) / "runlog"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="runlog-bench-report-") as tmp:
        root = Path(tmp)
        weeks = int(round(n_runs / 5.4))
        start = (pd.Timestamp("2026-01-05") - pd.Timedelta(weeks=weeks)).strftime("%Y-%m-%d")
        season = simulate.simulate_season(root / "season", scenario="hydration", seed=5, sample_s=30,
                                          start=start, weeks=weeks)
        n_files = len(list(Path(season.gpx_dir).glob("*.gpx")))
        cmd = [*cli, "report", str(season.gpx_dir), "--episodes", str(season.episodes_csv),
               "--notes", str(season.notes_csv), "--weather", str(season.weather_csv),
               "--tracked", ":".join(str(t) for t in season.tracked), "--out", str(root / "report")]
        cache = root / "cache"
        load0 = os.getloadavg()[0]
        startup = [_process(["-c", "import runlog"], root, cache) for _ in range(repeat)]
        cold = _process(cmd, root, cache)
        timed = [*cmd[:1], _REPORT_CHILD, *cmd[2:]]
        warm = []
        for i in range(repeat):
            out = root / f"phases{i}.json"
            env = {"RUNLOG_BENCH_PHASES": str(out), "RUNLOG_BENCH_PHASE_LIST": json.dumps(REPORT_PHASES)}
            t = _process(timed, root, cache, env)
            warm.append((t, json.loads(out.read_text())))
        written = sorted(p.name for p in (root / "report").iterdir())
    print(f"\nrunlog report end to end, simulated history of {n_files} GPX runs (records every 30 s), "
          f"a fresh process each (load {load0:.1f} before, {os.getloadavg()[0]:.1f} after):")
    print(f"  (runlog's bytecode {'compiled first, as pip install does' if compiled else 'could not be compiled'}; "
          f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r})")
    print(f"  {'':44s} {'wall s':>7} {'CPU s':>7}")
    best = min(startup)
    print(f"  {'python -c import runlog (start-up alone)':44s} {best[0]:7.2f} {best[1]:7.2f}   (best of {repeat})")
    print(f"  {'cold (empty cache)':44s} {cold[0]:7.2f} {cold[1]:7.2f}")
    fastest = min(warm, key=lambda w: w[0][0])
    print(f"  {'warm (cache filled), best of ' + str(repeat):44s} {fastest[0][0]:7.2f} "
          f"{min(w[0][1] for w in warm):7.2f}   (all, wall/CPU: "
          + ", ".join(f"{w:.2f}/{c:.2f}" for (w, c), _ in warm) + ")")
    print(f"  writes: {', '.join(written)}")
    print(f"  the fastest warm run, phase by phase ({fastest[0][0]:.2f} s wall, {fastest[0][1]:.2f} s CPU):")
    for label, w, c in _report_split(fastest[0], fastest[1]):
        print(f"    {label:64s} {w:6.2f} {c:6.2f}")


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child_analyze(sys.argv[2], int(sys.argv[3]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="timed calls per measurement (the best is shown)")
    ap.add_argument("--end-to-end", action="store_true", help="only runlog.analyze on simulated histories "
                    "(not the decide table)")
    ap.add_argument("--runs", type=int, nargs="+", default=[1000, 3000, 10000], help="history sizes")
    ap.add_argument("--rounds", type=int, default=1, help="processes per size and tree, taking turns")
    ap.add_argument("--keep", metavar="DIR", help="keep the simulated histories in DIR and reuse them from there")
    ap.add_argument("--against", metavar="DIR", help="also measure the runlog package in DIR (an older commit: "
                    "git archive COMMIT runlog | tar -x -C DIR), in turns with this one")
    ap.add_argument("--report", action="store_true", help="only time 'runlog report' end to end (1,000 runs)")
    args = ap.parse_args()
    if args.report:
        report_end_to_end(1000, args.repeat)
        return
    warnings.simplefilter("ignore")
    if not args.end_to_end:
        decide_table(args.repeat)
    end_to_end(sorted(set(args.runs)), args.repeat, args.rounds, args.keep, args.against)


def decide_table(repeat: int) -> None:
    """Print ``decide`` on synthetic feature frames of 150, 500 and 1,000 runs, and the ratios."""
    sizes = (150, 500, 1000)
    rows = []
    for n in sizes:
        F, numb, days = frame(n)
        t_causes = best_of(lambda F=F, numb=numb, days=days: decide(F, numb, days, F["duration_min"], CATALOG,
                                                                    measures=False), repeat)
        t_all = best_of(lambda F=F, numb=numb, days=days: decide(F, numb, days, F["duration_min"], CATALOG),
                        repeat)
        rows.append((n, t_causes, t_all))
    base = rows[0]
    print(f"decide on synthetic feature frames (best of {repeat}; load {os.getloadavg()[0]:.1f}):")
    print(f"{'runs':>6} {'causes s':>9} {'x 150':>6} {'+ measures s':>13} {'x 150':>6} {'runs x':>7}")
    for n, tc, ta in rows:
        print(f"{n:>6} {tc:>9.3f} {tc / base[1]:>6.2f} {ta:>13.3f} {ta / base[2]:>6.2f} {n / base[0]:>7.2f}")


if __name__ == "__main__":
    main()
