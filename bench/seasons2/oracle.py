"""How well the true model recovers the planted effects (no runlog involved).

For each scenario x seed, generate the season's truth (no activity files: the same
draws as ``score.py`` sees) and read ``truth['oracle']``: the planted terms re-fitted by
a logistic regression with the log-hours offset and only the planted terms.  Its 95 %
interval should hold the planted odds ratio in ~95 % of seasons, and its estimates
should centre on it: the check that the generator plants what truth.json says.

    python bench/seasons2/oracle.py --scenarios heat,heat_few --seeds 8
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import generate
from score import _frac


def planted_or(truth: dict, cause: str) -> float:
    return float(truth["effects"][cause]["odds_ratio"])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenarios", default="all")
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--first-seed", type=int, default=0)
    a = ap.parse_args(argv)
    names = [s for s in generate.SCENARIOS if generate.SCENARIOS[s].planted] if a.scenarios == "all" else \
        a.scenarios.split(",")
    print("| scenario | cause | planted OR | oracle CI covers | geometric mean oracle / planted |")
    print("|---|---|---|---|---|")
    for sc in names:
        res: dict[str, list[tuple[bool, float]]] = {}
        planted: dict[str, float] = {}
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            tmp = tempfile.mkdtemp(prefix="seasons2-oracle-")
            try:
                t = generate.generate(sc, seed, tmp, files=False)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            for cause, o in t.get("oracle", {}).items():
                if not isinstance(o, dict):
                    continue
                p = planted_or(t, cause)
                planted[cause] = p
                res.setdefault(cause, []).append((o["ci_low"] <= p <= o["ci_high"], math.log(o["odds_ratio"] / p)))
        for cause, rs in res.items():
            gm = math.exp(sum(x for _, x in rs) / len(rs))
            print(f"| {sc} | {cause} | {planted[cause]:.3g} | {_frac(sum(c for c, _ in rs), len(rs))} | {gm:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
