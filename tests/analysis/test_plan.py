"""The test plan and its graphical procedure (runlog.analysis.plan), against Holm's procedure and by hand."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from runlog import schema
from runlog.analysis.plan import ALPHA, TEST_PLAN, graphical_test
from runlog.features.catalog import FEATURES


def test_the_plan_is_stated_in_full():
    causes = [ct.cause for ct in TEST_PLAN]
    assert len(set(causes)) == len(causes) and set(causes) <= set(schema.CAUSES)
    assert sum(ct.weight for ct in TEST_PLAN) == pytest.approx(1.0)
    # heat and training load lead, as the articles do
    w = {ct.cause: ct.weight for ct in TEST_PLAN}
    assert w["hydration"] == w["overtraining"] == max(w.values())
    for ct in TEST_PLAN:
        assert ct.direction in (-1, 1)
        for spec in ct.measures:
            for name in spec if isinstance(spec, tuple) else (spec,):
                assert name in FEATURES and FEATURES[name].cause == ct.cause, name
    assert {ct.cause: ct.direction for ct in TEST_PLAN}["form"] == -1     # a lower cadence


def test_equal_weights_without_retesting_is_holm():
    p = {"a": 0.01, "b": 0.04, "c": 0.03, "d": 0.2, "e": 0.001}
    out = graphical_test(p, dict.fromkeys(p, 1.0))
    holm = dict(zip(p, multipletests(list(p.values()), method="holm")[1]))
    for h in p:
        assert out["q"][h] == pytest.approx(holm[h])
    assert out["rejected"] == [h for h in sorted(p, key=p.get) if holm[h] < ALPHA]


def test_weighted_steps_by_hand():
    # weights 0.5 / 0.3 / 0.2; p 0.02 / 0.012 / 0.5
    # step 1: p/w = 0.04, 0.04, 2.5 -> 'a' and 'b' tie at 0.04 <= 0.05; 'a' first (name order)
    # 'a' rejected: its 0.5 goes to b and c in proportion 0.3:0.2 -> b 0.6, c 0.4
    # step 2: b 0.012 / 0.6 = 0.02 -> rejected (q stays at the running max 0.04); c gets all: 0.5 / 1 = 0.5
    out = graphical_test({"a": 0.02, "b": 0.012, "c": 0.5}, {"a": 0.5, "b": 0.3, "c": 0.2})
    assert out["rejected"] == ["a", "b"]
    assert out["q"] == pytest.approx({"a": 0.04, "b": 0.04, "c": 0.5})
    assert out["level"]["c"] == pytest.approx(ALPHA * 1.0)


def test_a_finding_passes_its_share_and_the_rest_are_retested():
    seen = []

    def retest(h, found):
        seen.append((h, tuple(found)))
        return {"b": 0.03}.get(h)   # b beside a: 0.03 (alone it was 0.2); c keeps its p

    out = graphical_test({"a": 0.001, "b": 0.2, "c": 0.9}, {"a": 0.4, "b": 0.4, "c": 0.2}, retest=retest)
    assert ("b", ("a",)) in seen and ("c", ("a",)) in seen
    # after a: b has weight 0.4 + 0.4 * 0.4/0.6 = 0.6667 -> 0.03 / 0.6667 = 0.045 <= 0.05
    assert out["rejected"] == ["a", "b"]
    assert out["p"]["b"] == 0.03


def test_untestable_hypotheses_hand_their_share_over():
    out = graphical_test({"a": 0.03, "b": np.nan}, {"a": 0.5, "b": 0.5})
    assert out["rejected"] == ["a"] and out["q"]["a"] == pytest.approx(0.03)
    assert graphical_test({}, {})["rejected"] == []


def test_nothing_rejected_gives_every_hypothesis_its_adjusted_p():
    # a: 0.3 / 0.75 = 0.4 first; then b holds all the weight: 0.6 / 1 -> its adjusted p is 0.6
    out = graphical_test({"a": 0.3, "b": 0.6}, {"a": 0.75, "b": 0.25})
    assert out["rejected"] == []
    assert out["q"]["a"] == pytest.approx(0.4) and out["q"]["b"] == pytest.approx(0.6)
