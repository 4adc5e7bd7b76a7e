"""Which factors can be the subject of an experiment (runlog.experiment._factors): whole words, two lists."""

from __future__ import annotations

import pytest

import runlog
from runlog import experiment as ex
from runlog.experiment._factors import factor_words


@pytest.mark.parametrize("factor", ["air_temp_c", "weather", "distance_m", "avg_hr_bpm", "rel_humidity_pct",
                                    "duration_min", "acwr",
                                    # issue 27: accepted by the substring rule although not assignable
                                    "uv_index", "snow", "feels_like_c", "altitude_m",
                                    "feelsLike", "Wind speed"])
def test_factors_a_runner_cannot_assign_are_refused(factor):
    assert ex.refusal(factor) is not None
    with pytest.raises(runlog.ExperimentError, match=r"cannot be assigned at random.*shoes, lacing"):
        ex.plan(factor, ["a", "b"], runs=8)


@pytest.mark.parametrize("factor", ["shoes", "lacing", "fluid_ml", "warmup_min", "socks", "insoles",
                                    # issue 27: refused by the substring rule although assignable
                                    "strength_training", "tempo_run", "warmup_duration_min", "carb_loading",
                                    "number_of_gels",
                                    # a chosen quantity beside a measured word: the chosen one decides
                                    "fluid_temp_c", "planned_distance_km", "caffeine_mg"])
def test_factors_a_runner_controls_are_accepted(factor):
    assert ex.refusal(factor) is None
    assert ex.plan(factor, ["0", "500"], runs=8, seed=0).n_slots == 8


def test_words_are_whole_and_the_reason_names_the_word():
    assert factor_words("warmup_duration_min") == ["warmup", "duration", "min"]
    assert factor_words("feelsLikeC") == ["feels", "like", "c"]
    assert factor_words("Air-Temp (°C)") == ["air", "temp", "c"]
    assert "UV index happens to you" in ex.refusal("uv_index")
    assert "(the rain happens to you)" in ex.refusal("rain_mm")
    assert ex.refusal("training_rain") is not None and ex.refusal("training") is None
    assert not set(ex.REFUSED_FACTORS) & ex.ASSIGNABLE_FACTORS
