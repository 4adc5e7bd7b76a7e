"""The simulated experiment season shared by the analysis and CLI tests."""

from __future__ import annotations

import pytest

from runlog import experiment as ex

LEVELS = ("Trail Glide 2", "Daily Cushion 5")


@pytest.fixture(scope="session")
def season(tmp_path_factory):
    from runlog import simulate

    out = tmp_path_factory.mktemp("exp")
    p = ex.plan("shoes", LEVELS, weeks=8, start="2024-09-02", seed=1)
    p.to_csv(out / "plan.csv")
    s = simulate.simulate_season(out / "data", scenario="shoes_null", seed=3, start="2024-09-02", weeks=8,
                                 history_weeks=1, experiment=p, level_risk={LEVELS[0]: 0.45, LEVELS[1]: 0.08},
                                 adherence=0.9)
    return p, s, out
