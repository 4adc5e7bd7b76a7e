"""Shared fixtures: paths to the bundled real files and the optional shared corpus."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

DATA = Path(__file__).parent / "data"
#: The full real-data corpus beside the repository (CI has it); override with RUNLOG_SHARED_DATA.
SHARED = Path(os.environ.get("RUNLOG_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "real"))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data: real MIT/Apache files bundled with the repository."""
    return DATA


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared/data/real, or skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory):
    """Keep the suite hermetic: imports with the default cache (and CLI subprocesses,
    which inherit the environment) write to a temporary folder, never to the user's
    cache.  Tests that need another location set RUNLOG_CACHE_DIR themselves."""
    old = os.environ.get("RUNLOG_CACHE_DIR")
    os.environ["RUNLOG_CACHE_DIR"] = str(tmp_path_factory.mktemp("runlog-cache"))
    yield
    if old is None:
        os.environ.pop("RUNLOG_CACHE_DIR", None)
    else:
        os.environ["RUNLOG_CACHE_DIR"] = old
