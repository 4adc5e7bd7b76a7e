"""Power of the randomisation test by simulation (runlog.experiment._power)."""

from __future__ import annotations

from runlog import experiment as ex

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


def test_power_grows_with_the_effect_and_is_near_alpha_without_one():
    p = ex.plan("shoes", LEVELS, runs=48, block=2, seed=3)
    none = ex.power(p, 0.2, 1.0, sizes=[48], n_sim=300, seed=1)
    strong = ex.power(p, 0.1, 5.0, sizes=[48], n_sim=300, seed=1)
    assert none["power"].iloc[0] <= 0.09
    assert strong["power"].iloc[0] > 0.6
    assert (strong["lo"] <= strong["power"]).all() and (strong["power"] <= strong["hi"]).all()
    with_power = ex.plan("shoes", LEVELS, runs=48, seed=3, baseline_risk=0.15, risk_ratio=3, n_sim=100)
    assert with_power.power is not None and with_power.power["slots"].iloc[0] == 48
    assert with_power.power["power"].is_monotonic_increasing or with_power.power["power"].iloc[-1] > 0.8
    assert "baseline risk of 15%" in with_power.to_text()
