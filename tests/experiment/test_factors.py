"""Which factors can be the subject of an experiment (runlog.experiment._factors)."""

from __future__ import annotations

import pytest

import runlog
from runlog import experiment as ex


@pytest.mark.parametrize("factor", ["air_temp_c", "weather", "distance_m", "avg_hr_bpm", "rel_humidity_pct",
                                    "duration_min", "acwr"])
def test_factors_a_runner_cannot_assign_are_refused(factor):
    with pytest.raises(runlog.ExperimentError, match=r"cannot be assigned at random.*shoes, lacing"):
        ex.plan(factor, ["a", "b"], runs=8)


@pytest.mark.parametrize("factor", ["shoes", "lacing", "fluid_ml", "warmup_min", "socks", "insoles"])
def test_factors_a_runner_controls_are_accepted(factor):
    assert ex.refusal(factor) is None
    assert ex.plan(factor, ["0", "500"], runs=8, seed=0).n_slots == 8
