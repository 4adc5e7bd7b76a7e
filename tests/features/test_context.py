"""Context: which activities are runs, start hour, shoes and their mileage, notes columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runlog import schema
from runlog.features import context


def test_is_running_sports_and_unknown_heuristic():
    runs = pd.DataFrame({
        "sport": pd.array(["running", "cycling", "unknown", "unknown", "unknown", None, "trail_running"],
                          dtype="string"),
        "avg_speed_mps": [3.0, 8.0, 3.0, 7.9, 2.8, 3.0, 2.5],
        "avg_cadence_spm": [170, 85, 168, np.nan, 76, np.nan, 160],
    }, index=list("abcdefg"))
    # unknown: c looks like a run; d too fast (indoor ride); e pedals at 76 rpm (rower/bike); f no data -> run
    assert list(context.is_running(runs)) == [True, False, True, False, False, True, True]
    assert list(context.is_running(runs, {"running"})) == [True, False, False, False, False, False, False]


def test_start_hour_local():
    s = pd.Series(pd.to_datetime(["2024-01-01 07:30:00", "2024-01-01 18:45:36"]))
    assert list(context.start_hour_local(s)) == [7.5, 18.76]


def test_shoe_distance_before_each_run():
    idx = pd.Index(list("abcde"), name="run_id")
    shoe = pd.Series(["A", "B", "A", None, "A"], index=idx, dtype="string")
    start = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"],
                                     utc=True), index=idx)
    dist = pd.Series([10000.0, 5000.0, 12000.0, 8000.0, 7000.0], index=idx)
    km = context.shoe_distance_km(shoe, start, dist)
    # A: 0 before its first run, 10 km before c, 10 + 12 = 22 km before e; B: 0; unknown shoe: NaN
    assert km["a"] == 0 and km["c"] == 10 and km["e"] == 22 and km["b"] == 0 and np.isnan(km["d"])
    # a ride in those shoes does not add running mileage
    km2 = context.shoe_distance_km(shoe, start, dist, running=pd.Series([True, True, False, True, True], index=idx))
    assert km2["e"] == 10


def test_notes_features_kinds_causes_and_renames():
    idx = pd.Index(["r1", "r2", "r3"], name="run_id")
    notes = pd.DataFrame({
        "lacing": pd.array(["tight", None, "loose"], dtype="string"),
        "sleep_h": [7.0, 6.5, np.nan],
        "warmup_min": [np.nan, np.nan, np.nan],                     # never filled -> not a feature
        "compression_socks": [1.0, 0.0, np.nan],                    # 0/1 -> binary
        "mood": pd.array(["good", "bad", "ok"], dtype="string"),
        "trimp": [1.0, 2.0, 3.0],                                   # clashes with a feature name
        "line": [2, 3, 4],                                          # read_run_notes bookkeeping
    }, index=idx)
    out, feats = context.notes_features(notes, idx, taken={"trimp"})
    by = {f.name: f for f in feats}
    assert list(out.columns) == ["lacing", "sleep_h", "compression_socks", "mood", "note_trimp"]
    assert by["lacing"].cause == "footwear" and by["lacing"].kind == "categorical"
    assert by["sleep_h"].cause == "overtraining" and by["sleep_h"].unit == "h"
    assert by["compression_socks"].kind == "binary" and by["compression_socks"].cause == "other"
    assert by["mood"].kind == "categorical" and by["note_trimp"].kind == "numeric"
    assert all(f.cause in schema.CAUSES and f.candidate for f in feats)
    assert out["lacing"].dtype == "string" and out["sleep_h"].dtype == "float64"


@pytest.mark.parametrize("col, cause", sorted(context.NOTE_CAUSES.items()))
def test_every_known_notes_cause_is_valid(col, cause):
    assert cause in schema.CAUSES
