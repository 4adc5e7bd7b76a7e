"""How many examples the fuzz tests draw: the suite's counts, scaled for longer runs.

The file-mutation fuzzers (contract and differential: ``tests/io/test_fuzz.py``,
``test_fit_oracle.py``, ``test_gpx_fast.py``, ``test_tcx_fast.py``,
``test_tcx_parser.py``) take their settings from :func:`fuzz_settings`.  The
suite runs each with its stated count; a longer run multiplies every count by
``RUNLOG_FUZZ_SCALE`` (a number, default 1), e.g.::

    RUNLOG_FUZZ_SCALE=10 .venv/bin/python -m pytest -q -p no:randomly \\
        --hypothesis-show-statistics -k fuzz tests/io

Examples stay derandomized (a fixed sequence per test, no example database),
so a longer run draws the suite's sequence further and a failure is
reproduced by the same command.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["SCALE", "fuzz_settings"]

#: The multiplier of every fuzz test's example count (``RUNLOG_FUZZ_SCALE``, default 1).
SCALE = float(os.environ.get("RUNLOG_FUZZ_SCALE", "1") or 1)


def fuzz_settings(max_examples: int, **extra) -> settings:
    """Hypothesis settings for a fuzz test of *max_examples* examples in the suite (times :data:`SCALE`).

    Derandomized, no deadline and no example database; the too-slow and
    data-too-large health checks are off (whole files are mutated).  *extra*
    adds settings (``suppress_health_check`` replaces the default list).
    """
    options = {"deadline": None, "derandomize": True, "database": None,
               "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
    options.update(extra)
    return settings(max_examples=max(1, round(max_examples * SCALE)), **options)
