"""Benchmark: runlog's FIT decoder against fitparse, fitdecode and the Garmin FIT SDK, per record.

Measured side by side in one run, on the largest real FIT files (``--files``,
default 5, the biggest by size), each file's bytes already in memory:

* **fitparse**: ``fitparse.FitFile(...).get_messages('record')`` ->
  ``get_values()`` for every record, the plain way (no DataFrame);
* **fitdecode** (the ``bench`` extra, which ``make bench`` installs):
  ``fitdecode.FitReader`` with its CRC check, the values of every
  ``record`` data message;
* **garmin-fit-sdk** (the ``bench`` extra): ``garmin_fit_sdk.Decoder.read()``,
  Garmin's own Python decoder, every message;
* **runlog**: ``runlog.io.fit._parse``: every message of the file (records
  vectorised, the other messages field by field, CRC checked), the
  decoder's whole work before frames are built;
* **runlog frames**: ``runlog.io.fit.decode``, the decoder and the records,
  laps and info frames of each session;
* **floor**: ``numpy.frombuffer`` over the bytes, the least any decoder
  that starts from the bytes does.

Figures are the minimum over ``--repeat`` runs in microseconds per record
message; the ratios are each decoder's time over runlog's.  On a shared
machine the absolute times vary a lot from run to run; the ratios, measured
side by side, much less.  Nothing is asserted: the script prints figures.

Real files come from ``../shared/data/real/fit`` when present, else
``tests/data/fit``; they are read in place.

Run:  .venv/bin/python bench/bench_fit.py [--repeat 3] [--files 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import warnings
from pathlib import Path

import fitparse
import numpy as np
from timing import best_of

from runlog.io import fit

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "real" / "fit"
DATA = SHARED if SHARED.is_dir() else ROOT / "tests" / "data" / "fit"


def bare_fitparse(data: bytes) -> int:
    """The plain fitparse way: every ``record`` message's values; returns the number of records."""
    ff = fitparse.FitFile(io.BytesIO(data))
    return len([m.get_values() for m in ff.get_messages("record")])


def bare_fitdecode(data: bytes) -> int:
    """fitdecode's plain way: every ``record`` data message's values; returns the number of records."""
    import fitdecode

    with fitdecode.FitReader(io.BytesIO(data)) as fr:
        return len([{f.name: f.value for f in frame.fields} for frame in fr
                    if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record"])


def bare_garmin_sdk(data: bytes) -> int:
    """Garmin's FIT SDK for Python: ``Decoder.read()`` of the whole file; returns the number of records."""
    from garmin_fit_sdk import Decoder, Stream

    messages, _ = Decoder(Stream.from_byte_array(bytearray(data))).read()
    return len(messages.get("record_mesgs", []))


def floor(data: bytes) -> int:
    """The floor: the bytes seen as a numpy array (no decoding); returns the size."""
    return len(np.frombuffer(data, dtype=np.uint8))


def runlog_parse(data: bytes) -> int:
    """runlog's decoder: every message of the file; returns the number of records."""
    return len(fit._parse(data).rec_group)


def runlog_frames(data: bytes) -> int:
    """runlog's decoder and the frames of every session; returns the number of records kept."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sum(len(raw.records) for raw in fit.decode(data, "x.fit"))


COLUMNS = ["fitparse", "fitdecode", "garmin-fit-sdk", "runlog", "runlog frames", "floor"]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure (minimum is shown)")
    ap.add_argument("--files", type=int, default=5, help="how many of the largest FIT files")
    args = ap.parse_args(argv)
    paths = sorted((p for p in DATA.iterdir() if p.suffix.lower() == ".fit"), key=lambda p: -p.stat().st_size)
    have = {"fitdecode": importlib.util.find_spec("fitdecode") is not None,
            "garmin-fit-sdk": importlib.util.find_spec("garmin_fit_sdk") is not None}
    missing = [k for k, v in have.items() if not v]
    print(f"data from {DATA}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, best of {args.repeat}"
          + (f"; not installed (pip install -e '.[bench]'): {', '.join(missing)}" if missing else ""))
    print(f"\n{'file':40s} {'records':>8s} " + " ".join(f"{c:>14s}" for c in COLUMNS) + "   [us/record]")
    totals = [0.0] * len(COLUMNS)
    n_total = 0
    nan = float("nan")
    for path in paths[:args.files]:
        data = path.read_bytes()
        p = fit._parse(data)
        n = len(p.rec_group)
        if p.damage or bare_fitparse(data) != n:
            print(f"{path.name}: damaged, or record counts differ; skipped")
            continue
        contenders = [lambda data=data: bare_fitparse(data),
                      (lambda data=data: bare_fitdecode(data)) if have["fitdecode"] else None,
                      (lambda data=data: bare_garmin_sdk(data)) if have["garmin-fit-sdk"] else None,
                      lambda data=data: runlog_parse(data), lambda data=data: runlog_frames(data),
                      lambda data=data: floor(data)]
        times = [best_of(f, args.repeat) if f is not None else nan for f in contenders]
        totals = [a + b for a, b in zip(totals, times)]
        n_total += n
        _row(path.name[:40], n, times)
    if n_total:
        _row("all", n_total, totals)
        print(f"{'relative to runlog':40s} {'':8s} " + " ".join(
            "-".rjust(14) if t != t else f"{t / totals[3]:13.2f}x" for t in totals))
    print(f"load after: {os.getloadavg()[0]:.1f}")


def _row(name: str, n: int, times: list) -> None:
    """One line of the table: microseconds per record per contender."""
    print(f"{name:40s} {n:8d} " + " ".join("-".rjust(14) if t != t else f"{t / n * 1e6:14.3f}" for t in times))


if __name__ == "__main__":
    main()
