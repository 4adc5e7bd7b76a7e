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
