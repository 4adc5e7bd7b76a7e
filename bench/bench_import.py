"""Benchmark: how long ``import runlog`` and ``runlog --help`` take, next to ``import pandas``.

Each figure is the minimum over ``--repeat`` fresh Python processes (the
minimum is the least disturbed by other work on the machine), measured inside
the process with ``time.perf_counter`` around the import, so interpreter
start-up is left out:

* ``import pandas`` -- the floor: runlog needs pandas (and numpy) at import.
* ``import runlog`` -- target: under 0.5 s.  The analysis (scipy.stats,
  statsmodels, firthmodels), the simulator and the plots (matplotlib) load
  on first use (``runlog.__getattr__``), not here.
* ``runlog --help`` -- the command's import and argument parsing
  (``runlog.cli.main(['--help'])``), what a user waits for.
* ``import runlog; runlog.analyze`` -- for reference: what the first
  analysis pays once.

On a shared machine the absolute times vary a lot from run to run; the
difference to pandas, measured side by side, much less.  Nothing is asserted:
the script prints figures.

Run:  .venv/bin/python bench/bench_import.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_TIMED = """
import contextlib, io, sys, time
t0 = time.perf_counter()
{code}
sys.__stdout__.write(repr(time.perf_counter() - t0))
"""

CASES = {
    "import pandas": "import pandas",
    "import runlog": "import runlog",
    "runlog --help": ("import runlog.cli\n"
                      "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
                      "    runlog.cli.main(['--help'])"),
    "import runlog; runlog.analyze": "import runlog\nrunlog.analyze",
}


def time_once(code: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, "-c", _TIMED.format(code=code)], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    return float(out.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="fresh processes per figure (minimum is shown)")
    args = ap.parse_args(argv)
    import runlog  # noqa: F401  (the runlog measured; also warms the bytecode cache)

    print(f"runlog from {Path(sys.modules['runlog'].__file__).parent}, Python {sys.version.split()[0]}, "
          f"min of {args.repeat} fresh processes")
    times = {}
    for name, code in CASES.items():
        times[name] = min(time_once(code) for _ in range(args.repeat))
    base = times["import pandas"]
    for name, t in times.items():
        extra = "" if name == "import pandas" else f"   (pandas {t - base:+6.3f} s)"
        target = "   target < 0.5 s" if name == "import runlog" else ""
        print(f"  {name:<32s} {t:6.3f} s{extra}{target}")


if __name__ == "__main__":
    main()
