"""Finding rule and plain-language sentences on hand-built factor rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runlog.analysis.report import Report, finding_sentence, is_finding
from runlog.analysis.stats import screen


def _row(**kw):
    base = dict(factor="air_temp_c", level=None, reference=None, cause="hydration",
                description="Air temperature: the run notes, else the weather table", kind="numeric", unit="°C",
                n_runs=171, n_episodes=18, effect=2.9, ci_low=1.7, ci_high=5.3, p_value=1e-4, q_value=0.002,
                method="", effect_unit="", center=22.0, scale=6.5, split="> 22", exposed_runs=31,
                exposed_numb=12, other_runs=140, other_numb=6)
    base.update(kw)
    return pd.Series(base)


def test_numeric_sentence_counts_and_ratio():
    s = finding_sentence(_row())
    # 12/31 = 38.7 % vs 6/140 = 4.3 %: ratio 0.3871 / 0.04286 = 9.03
    assert s.startswith("Numbness came on 9.0 times as often on runs where air temperature was above 22 °C "
                        "(12 of 31 runs, 39 %) as on the others (6 of 140, 4 %)")
    assert "odds ratio 2.9 per 6.5 °C more (95 % CI 1.7-5.3, q = 0.002)" in s
    assert s.endswith("Cause: hydration.")


def test_binary_and_categorical_sentences():
    s = finding_sentence(_row(kind="binary", description="Rest day before the run", unit="", cause="overtraining",
                              effect=0.2, ci_low=0.05, ci_high=0.7, exposed_runs=40, exposed_numb=2,
                              other_runs=100, other_numb=25))
    assert s.startswith("Numbness came on less often on runs with rest day before the run (2 of 40 runs, 5 %) "
                        "as on runs without (25 of 100, 25 %)")
    assert "with vs without" in s and "Cause: overtraining." in s
    s = finding_sentence(_row(kind="binary", description="1.0 when the body-mass loss exceeded 2 % (ACSM 2007), else 0.0.",
                              unit=""))
    assert s.startswith("Numbness came on 9.0 times as often on runs when the body-mass loss exceeded 2 % "
                        "(12 of 31 runs, 39 %) as on the other runs (6 of 140, 4 %)")
    s = finding_sentence(_row(kind="categorical", factor="shoes", description="Shoe model", level="racer",
                              reference="ghost", unit="", cause="footwear", exposed_runs=12, exposed_numb=6,
                              other_runs=20, other_numb=0))
    assert "in 6 of 12 runs (50 %) but with 'ghost' in none of 20" in s
    assert "'racer' vs 'ghost'" in s


def test_adjusted_and_within_month_wording():
    s = finding_sentence(_row(adjusted_effect=1.2, adjusted_ci_low=0.6, adjusted_ci_high=2.4,
                              within_month_effect=1.1, within_month_ci_low=0.5, within_month_ci_high=2.5))
    assert "odds ratio 1.2 (95 % CI 0.6-2.4), no longer clear of 1" in s
    assert "much weaker (odds ratio 1.1, 95 % CI 0.5-2.5): part of it may be seasonal" in s
    s = finding_sentence(_row(within_month_effect=3.2, within_month_ci_low=1.3, within_month_ci_high=7.9))
    assert "holds among runs of the same calendar month too" in s
    s = finding_sentence(_row(within_month_effect=2.5, within_month_ci_low=0.8, within_month_ci_high=7.9))
    assert "similar but less certain" in s


def test_is_finding_rule():
    rows = pd.DataFrame([
        _row(),                                           # finding
        _row(q_value=0.08),                               # q too large
        _row(ci_low=0.9),                                 # CI includes 1
        _row(exposed_numb=2, other_numb=16),              # only 2 numb runs on the risk side
        _row(effect=0.3, ci_low=0.1, ci_high=0.8, exposed_numb=2, other_numb=16),  # protective: 16 on risk side
    ])
    assert is_finding(rows).tolist() == [True, False, False, False, True]
    assert is_finding(rows, fdr=0.10).tolist() == [True, True, False, False, True]


def test_empty_report_defaults():
    rep = Report()
    assert not rep.testable and len(rep.factors) == 0 and "sentence" in rep.findings.columns
    assert "Testing is not possible yet" in rep.summary()
    assert np.isnan(rep.model.epv) and not rep.onset.reproducible


def test_short_description_first_sentence():
    from runlog.analysis.report import short_description

    assert short_description("Days without any activity among the 7 days before the run. Window = the days "
                             "before the run's local date") == "days without any activity among the 7 days before the run"
    assert short_description("wet-bulb globe temperature ESTIMATED from air temperature (WBGT)") == \
        "wet-bulb globe temperature estimated from air temperature"
    assert short_description("WBGT above 28 °C") == "WBGT above 28 °C"


@pytest.mark.slow
def test_finding_rule_null_calibration_binary_factors():
    # 100 null seasons (150 runs, numbness 10 % at random, 20 yes/no factors, half of them
    # correlated through a shared latent variable): the finding rule (BH q < 0.05, CI excluding 1,
    # >= 3 numb runs on the risk side) must fire in at most 5 % of seasons.  With this seed it
    # fires in 1 season.  Slower checks run outside the suite gave 8 of 200 synthetic seasons with
    # 15 numeric + 5 binary + 2 categorical factors (4 %) and 0 of 20 seasons of
    # runlog.simulate_season(scenario='null') through runlog.analyze (62 factors each).
    rng = np.random.default_rng(2024)
    n, hits = 150, 0
    for _ in range(100):
        latent = rng.normal(size=n)
        F = pd.DataFrame({f"b{j}": (0.8 * latent * (j % 2) + rng.normal(size=n)) > rng.uniform(0, 1.5)
                          for j in range(20)})
        numb = pd.Series(rng.random(n) < 0.1)
        factors, _ = screen(F, numb)
        hits += bool(is_finding(factors).any())
    assert hits <= 5


def test_by_cause_table():
    from runlog.analysis.report import by_cause

    f = pd.DataFrame([_row(), _row(factor="dew_point_c", p_value=0.01, q_value=0.2, effect=1.5),
                      _row(factor="run_streak_days", cause="overtraining", p_value=0.3, q_value=0.6, effect=1.1),
                      _row(factor="shoes", cause="footwear", kind="categorical", level="racer", p_value=0.04,
                           q_value=0.4, effect=2.0)])
    f["finding"] = is_finding(f)
    t = by_cause(f).set_index("cause")
    assert list(t.index) == ["hydration", "footwear", "overtraining"]
    assert (t.loc["hydration", "n_tested"], t.loc["hydration", "n_findings"]) == (2, 1)
    assert t.loc["hydration", "strongest"] == "air_temp_c" and t.loc["hydration", "effect"] == 2.9
    assert t.loc["footwear", "strongest"] == "shoes=racer"
