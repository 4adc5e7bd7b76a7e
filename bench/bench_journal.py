"""Benchmark: runlog.read_episodes against pandas.read_csv on the same journal.

Writes a synthetic journal of ``--rows`` rows (default 10,000; fixed seed) —
one episode per run, a third of the rows with a start time, onsets, sides,
locations, severities, notes and an extra column — and a matching runs frame
(one run a day), then measures side by side in one run:

1. ``pandas.read_csv`` of the file (the floor: parsing only, no checks);
2. ``runlog.read_episodes(path)`` (parsing and checking every value);
3. ``runlog.read_episodes(path, history=runs)`` (also matching each row to its run).

Times are the best of ``--repeat`` runs, printed per row [µs/row] and as a
ratio to ``read_csv``.  On a shared machine absolute times vary; the ratios,
measured side by side, much less.  Nothing is asserted: the script prints
figures.  (Before the matcher searched runs by start time, 10,000 rows with
a history took tens of seconds.)

With ``--hostile [BYTES]`` (default 5 MiB, the largest journal runlog reads) it
also times journals of that size whose rows match no run, against a history
of ``--runs`` runs (issue 25: each unmatched row searched every run and every
problem went into the message): one-letter file names in a ``run`` column
(the attack: 2.5 million rows), distinct file names, dates without a run
(``date`` only) and dates with a time.  Each is read once; the script prints
the rows, the time, the problems counted and the length of the error
message (bounded: the first problems and a count).

Run:  .venv/bin/python bench/bench_journal.py [--rows 10000] [--repeat 3] [--hostile [BYTES]] [--runs 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from timing import best_of

import runlog
from runlog.io._activity import make_run_id


def synthetic_journal(n_rows: int, folder: Path, seed: int = 1) -> tuple[Path, pd.DataFrame]:
    """A journal CSV of *n_rows* episodes in *folder* and the runs frame they belong to."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("1990-01-01") + pd.to_timedelta(np.arange(n_rows), unit="D")
    start_local = days + pd.to_timedelta(rng.integers(6 * 60, 19 * 60, n_rows), unit="min")
    start_utc = (start_local - pd.Timedelta(hours=1)).tz_localize("UTC")
    runs = pd.DataFrame({
        "start_time": start_utc, "start_local": start_local, "tz": "Europe/Berlin",
        "elapsed_s": rng.uniform(1800, 5400, n_rows), "distance_m": rng.uniform(5000, 15000, n_rows),
        "sport": "running", "source": [f"runs/run{i}.fit" for i in range(n_rows)],
    }, index=pd.Index([make_run_id(t) for t in start_utc], name="run_id"))
    sides, locs = ["left", "right", "both", ""], ["toes", "forefoot", "heel", ""]
    lines = ["date,time,onset_min,onset_km,duration_min,side,location,severity,notes,shoe"]
    for i in range(n_rows):
        clock = f"{start_local[i]:%H:%M}" if i % 3 == 0 else ""
        onset_min = f"{rng.uniform(0, 25):.1f}" if i % 5 else ""
        onset_km = f"{rng.uniform(0, 4):.2f}" if i % 7 == 0 else ""
        lines.append(f"{days[i]:%Y-%m-%d},{clock},{onset_min},{onset_km},{rng.integers(1, 30)},{sides[i % 4]},"
                     f"{locs[i % 4]},{rng.integers(0, 11)},note {i},pair{i % 3}")
    path = folder / "episodes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, runs


def hostile_journals(n_bytes: int, folder: Path) -> dict[str, Path]:
    """Journals of about *n_bytes* whose rows match no run of :func:`synthetic_journal`'s history
    (its runs are in 1990-2017; these dates are in 2100-2199), by kind."""
    def fill(name: str, header: str, row) -> Path:
        parts, size, i = [header], len(header) + 1, 0
        while size < n_bytes:
            r = row(i)
            parts.append(r)
            size += len(r) + 1
            i += 1
        path = folder / name
        path.write_text("\n".join(parts) + "\n", encoding="utf-8")
        return path

    day0 = pd.Timestamp("2100-01-01")
    return {
        "run: one-letter names": fill("letters.csv", "run", lambda i: "abcdefghij"[i % 10]),
        "run: distinct names": fill("names.csv", "run", lambda i: f"x{i}.fit"),
        "date: no run that day": fill("dates.csv", "date,onset_min",
                                      lambda i: f"{day0 + pd.Timedelta(days=i % 36000):%Y-%m-%d},5"),
        "date + time: no run near": fill("times.csv", "date,time",
                                         lambda i: f"{day0 + pd.Timedelta(days=i % 36000):%Y-%m-%d},"
                                                   f"{i % 24:02d}:{i % 60:02d}"),
    }


def run_hostile(n_bytes: int, n_runs: int) -> None:
    """Time read_episodes on journals of *n_bytes* that match nothing (one read each)."""
    import time

    with tempfile.TemporaryDirectory() as tmp:
        _, runs = synthetic_journal(n_runs, Path(tmp))
        print(f"journals of {n_bytes / 2**20:.1f} MiB whose rows match none of {n_runs:,} runs (one read each):")
        for kind, path in hostile_journals(n_bytes, Path(tmp)).items():
            rows = sum(1 for _ in path.open()) - 1
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                runlog.read_episodes(path, history=runs, max_bytes=n_bytes + 2**20)
            except runlog.JournalError as exc:
                msg, counted = str(exc), getattr(exc, "n_problems", len(exc.problems))
            else:
                raise AssertionError(f"{kind}: the journal matched")
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(f"  {kind:26s} {rows:>9,} rows  {dt:6.2f} s (CPU {cpu:5.2f} s)  {dt / rows * 1e6:6.2f} µs/row  "
                  f"{counted:>9,} problems  message {len(msg):>11,} characters")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--hostile", type=int, nargs="?", const=5 * 2**20, metavar="BYTES",
                    help="also time journals of BYTES (default 5 MiB) that match no run")
    ap.add_argument("--runs", type=int, default=1000, help="runs in the history of --hostile")
    args = ap.parse_args()
    warnings.simplefilter("ignore", runlog.RunlogWarning)
    with tempfile.TemporaryDirectory() as tmp:
        path, runs = synthetic_journal(args.rows, Path(tmp))
        n = args.rows
        floor = best_of(lambda: pd.read_csv(path), args.repeat)
        plain = best_of(lambda: runlog.read_episodes(path), args.repeat)
        matched = best_of(lambda: runlog.read_episodes(path, history=runs), args.repeat)
        assert runlog.read_episodes(path, history=runs)["run_id"].notna().all()
    print(f"journal of {n:,} rows ({path.name}), best of {args.repeat}:")
    print(f"  pandas.read_csv                        {floor:7.3f} s  {floor / n * 1e6:8.1f} µs/row")
    print(f"  runlog.read_episodes                   {plain:7.3f} s  {plain / n * 1e6:8.1f} µs/row"
          f"  ({plain / floor:5.1f}x read_csv)")
    print(f"  runlog.read_episodes(history=runs)     {matched:7.3f} s  {matched / n * 1e6:8.1f} µs/row"
          f"  ({matched / floor:5.1f}x read_csv)")
    if args.hostile:
        run_hostile(args.hostile, args.runs)


if __name__ == "__main__":
    main()
