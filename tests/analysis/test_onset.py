"""Time to onset: Kaplan-Meier on a textbook data set, order-statistic median CI, spread, comparison at onset.

The analysis returns numbers and codes; the sentences here come from runlog.render.wording, fed with what
the analysis returned on hand-computed data (tests/render/test_wording.py words each code on its own).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from runlog.analysis import onset as onset_module
from runlog.analysis.onset import (
    MIN_ONSETS_REPRODUCIBLE,
    analyze_onset,
    at_onset_comparison,
    kaplan_meier,
    km_landmarks,
    median_ci,
    onset_durations,
    onset_spread,
)
from runlog.render.wording import (
    onset_note,
    onset_sentences,
    side_balance_sentence,
    side_cause_sentence,
    side_sentence,
)

# Freireich et al. (1963) 6-MP arm, weeks in remission, '+' censored (Gehan 1965; Kleinbaum & Klein,
# Survival Analysis, ch. 2): 6 6 6 6+ 7 9+ 10 10+ 11+ 13 16 17+ 19+ 20+ 22 23 25+ 32+ 32+ 34+ 35+
SIX_MP_T = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_E = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def test_kaplan_meier_textbook_6mp():
    curve, med = kaplan_meier(SIX_MP_T, np.array(SIX_MP_E, bool))
    s = curve.set_index("time")["survival"]
    # by hand: S(6) = 18/21 = 0.8571; S(7) = S(6) * 16/17 = 0.8067; S(10) = S(7) * 14/15 = 0.7529;
    # S(13) = S(10) * 11/12 = 0.6902; S(16) = * 10/11 = 0.6275; S(22) = * 6/7 = 0.5378;
    # S(23) = * 5/6 = 0.4482 -> median 23 weeks (first time S <= 0.5)
    assert s[0] == 1.0
    assert s[6] == pytest.approx(18 / 21)
    assert s[7] == pytest.approx(18 / 21 * 16 / 17)
    assert s[10] == pytest.approx(18 / 21 * 16 / 17 * 14 / 15)
    assert s[23] == pytest.approx(18 / 21 * 16 / 17 * 14 / 15 * 11 / 12 * 10 / 11 * 6 / 7 * 5 / 6)
    assert med["km_median"] == 23
    assert med["km_ci_low"] == 13 and np.isinf(med["km_ci_high"])  # upper bound not reached
    assert curve["n_at_risk"].tolist()[:3] == [21, 21, 17]
    assert (curve["ci_low"] <= curve["survival"]).all() and (curve["survival"] <= curve["ci_high"]).all()
    # pointwise log-log intervals as R survival::survfit(..., conf.type = "log-log") prints them:
    # t = 6: 0.620-0.952; t = 23: 0.188-0.680 (Greenwood variance)
    c = curve.set_index("time")
    assert (c.loc[6, "ci_low"], c.loc[6, "ci_high"]) == pytest.approx((0.620, 0.952), abs=6e-4)
    assert (c.loc[23, "ci_low"], c.loc[23, "ci_high"]) == pytest.approx((0.188, 0.680), abs=6e-4)


def test_kaplan_meier_median_not_reached_and_no_events():
    _, med = kaplan_meier([10, 20, 30, 40], [True, False, False, False])
    assert np.isnan(med["km_median"])
    curve, med = kaplan_meier([10, 20], [False, False])
    assert len(curve) == 1 and np.isnan(med["km_median"])


def test_median_ci_order_statistics():
    # n = 7: P(Binom(7, 1/2) <= 0) = 1/128 = 0.0078 <= 0.025 < P(<= 1) = 8/128 = 0.0625,
    # so the 95 % interval is [x_(1), x_(7)] = [3, 20] (coverage 1 - 2/128 = 98.4 %)
    m, lo, hi = median_ci([3, 5, 8, 9, 12, 15, 20])
    assert (m, lo, hi) == (9, 3, 20)
    # n = 4 cannot reach 95 % (1 - 2/16 = 87.5 %): no interval
    m, lo, hi = median_ci([1, 2, 3, 4])
    assert m == 2.5 and np.isnan(lo) and np.isnan(hi)
    assert np.isnan(median_ci([])[0])


def test_onset_spread_and_reproducibility():
    # quartiles of 10, 12, 14, 16, 18 (linear interpolation): 12 and 16; qcd = 4 / 28 = 0.1429
    s = onset_spread([10, 12, 14, 16, 18])
    assert (s["q1"], s["q3"]) == (12, 16)
    assert s["qcd"] == pytest.approx(4 / 28)
    # ... but 5 onsets are too few to call it reproducible, however tight (at least 11: with n onsets
    # their range covers a quartile with probability 1 - 0.75**n - 0.25**n, 0.9437 for 10, 0.9578 for 11)
    assert not s["reproducible"]
    assert 1 - 0.75**10 - 0.25**10 < 0.95 <= 1 - 0.75**11 - 0.25**11
    assert MIN_ONSETS_REPRODUCIBLE == 11
    # 11 onsets 10..20: quartiles 12.5 and 17.5, qcd = 5 / 30 = 0.167 <= 0.2
    s = onset_spread(np.arange(10.0, 21.0))
    assert (s["q1"], s["q3"], s["qcd"]) == (12.5, 17.5, pytest.approx(5 / 30)) and s["reproducible"]
    assert not onset_spread(np.arange(10.0, 20.0))["reproducible"]   # the same spread, 10 onsets
    # widely spread onsets: 5, 20, 40, 70 -> q1 16.25, q3 47.5, qcd 0.49
    assert not onset_spread([5, 20, 40, 70])["reproducible"]
    # three tightly grouped onsets are too few to call it reproducible
    assert not onset_spread([30, 31, 32])["reproducible"]


def _frames():
    idx = pd.Index(["a", "b", "c", "d"], name="run_id")
    flags = pd.DataFrame({"tracked": True, "numb": [True, True, False, False], "n_episodes": [1, 1, 0, 0],
                          "onset_min": [20.0, np.nan, np.nan, np.nan], "onset_km": [4.0, 5.0, np.nan, np.nan],
                          "max_severity": np.nan}, index=idx)
    runs = pd.DataFrame({"elapsed_s": [3000.0, 3600, 2400, 1200], "distance_m": [10000.0, 12000, 8000, 4000],
                         "start_local": pd.to_datetime(["2025-05-01", "2025-05-03", "2025-05-05", "2025-05-07"])},
                        index=idx)
    return flags, runs


def test_onset_durations_censoring():
    flags, runs = _frames()
    d = onset_durations(flags, runs, "minutes")
    # 'b' has no onset in minutes: left out; c and d censored at 40 and 20 minutes
    assert list(d.index) == ["a", "c", "d"]
    assert d["duration"].tolist() == [20.0, 40.0, 20.0]
    assert d["event"].tolist() == [True, False, False]
    d = onset_durations(flags, runs, "km")
    assert d["duration"].tolist() == [4.0, 5.0, 8.0, 4.0]


def _records(speeds: dict, hr: dict, minutes=60):
    """Per-second records: constant speed and HR per run, elapsed 0..minutes*60."""
    parts = {}
    for rid, v in speeds.items():
        t = np.arange(0, minutes * 60 + 1, 10.0)
        parts[rid] = pd.DataFrame({"elapsed_s": t, "speed_mps": v(t), "hr_bpm": hr[rid] + 0 * t,
                                   "temp_c": np.nan},
                                  index=pd.date_range("2025-05-01", periods=len(t), freq="10s", tz="UTC",
                                                      name="time"))
    return pd.concat(parts, names=["run_id", "time"])


def test_at_onset_comparison_pairs_same_elapsed_time():
    # 6 numb runs, onset at 20, 22, ..., 30 min; before onset they run 3.5 m/s (and 3.0 after),
    # the 4 other runs run 3.0 m/s throughout: paired difference 0.5 m/s at every onset.
    onsets = [20.0, 22, 24, 26, 28, 30]
    ids = [f"n{i}" for i in range(6)] + [f"o{i}" for i in range(4)]
    speeds = {f"n{i}": (lambda t, o=o: np.where(t <= o * 60, 3.5, 3.0)) for i, o in enumerate(onsets)}
    speeds.update({f"o{i}": (lambda t: 3.0 + 0 * t) for i in range(4)})
    hr = {k: (160.0 if k.startswith("n") else 150.0) for k in ids}
    rec = _records(speeds, hr)
    flags = pd.DataFrame({"numb": [True] * 6 + [False] * 4,
                          "onset_min": onsets + [np.nan] * 4}, index=pd.Index(ids, name="run_id"))
    runs = pd.DataFrame({"elapsed_s": 3600.0, "distance_m": 10000.0}, index=flags.index)
    out = at_onset_comparison(rec, flags, runs).set_index("variable")
    assert out.loc["speed_mps", "n_episodes"] == 6
    assert out.loc["speed_mps", "at_onset"] == pytest.approx(3.5)
    assert out.loc["speed_mps", "same_point_others"] == pytest.approx(3.0)
    assert out.loc["speed_mps", "difference"] == pytest.approx(0.5)
    # 6 positive differences: exact signed-rank two-sided p = 2 / 2**6 = 0.03125
    assert out.loc["speed_mps", "p_value"] == pytest.approx(2 / 64)
    assert out.loc["hr_bpm", "difference"] == pytest.approx(10.0)
    assert out.loc["temp_c", "n_episodes"] == 0 and np.isnan(out.loc["temp_c", "p_value"])


def _at_onset_unblocked(records, flags, runs, window_s=120.0, columns=("speed_mps", "hr_bpm", "temp_c")):
    """(own, control median) per case and column, the straightforward way: every case against every
    control that lasted at least its onset, each window's mean from the records directly."""
    numb = flags["numb"].astype(bool)
    out = {c: [] for c in columns}
    for rid in flags.index[numb]:
        t = float(flags.loc[rid, "onset_min"]) * 60.0
        own = records.loc[rid]
        own = own[(own["elapsed_s"] >= t - window_s) & (own["elapsed_s"] <= t)]
        ctrl = []
        for k in flags.index[~numb]:
            if runs.loc[k, "elapsed_s"] >= t:
                r = records.loc[k]
                ctrl.append(r[(r["elapsed_s"] >= t - window_s) & (r["elapsed_s"] <= t)][list(columns)].mean())
        for c in columns:
            med = np.nanmedian([m[c] for m in ctrl]) if ctrl and any(np.isfinite(m[c]) for m in ctrl) else np.nan
            if np.isfinite(own[c].mean()) and np.isfinite(med):
                out[c].append((own[c].mean(), med))
    return out


@pytest.mark.parametrize("block", [1, 2, 3, 1000])
def test_at_onset_comparison_blocked_equals_unblocked(monkeypatch, block):
    # 9 numb runs whose onsets repeat (a journal gives whole minutes) and 7 runs without numbness, some
    # ending a little after or before some onsets, one without heart rate, with gaps; blocks of 1, 2, 3 onsets or all
    rng = np.random.default_rng(5)
    onsets = [12.0, 12, 15, 20, 20, 20, 31, 44, 50]
    ids = [f"n{i}" for i in range(9)] + [f"o{i}" for i in range(7)]
    ends = dict(zip(ids, [55.0] * 9 + [55, 43.5, 19.5, 55, 25, 55, 47]))   # [min]
    parts = {}
    for rid in ids:
        t = np.sort(rng.uniform(0, ends[rid] * 60, 150))
        hr = rng.normal(150, 8, len(t)) if rid != "o3" else np.full(len(t), np.nan)
        v = rng.normal(3.2, 0.3, len(t))
        v[rng.random(len(t)) < 0.1] = np.nan
        parts[rid] = pd.DataFrame({"elapsed_s": t, "speed_mps": v, "hr_bpm": hr, "temp_c": rng.normal(20, 2, len(t))},
                                  index=pd.date_range("2025-05-01", periods=len(t), freq="10s", tz="UTC", name="time"))
    rec = pd.concat(parts, names=["run_id", "time"])
    flags = pd.DataFrame({"numb": [True] * 9 + [False] * 7, "onset_min": onsets + [np.nan] * 7},
                         index=pd.Index(ids, name="run_id"))
    runs = pd.DataFrame({"elapsed_s": [ends[k] * 60 for k in ids]}, index=flags.index)
    monkeypatch.setattr(onset_module, "_ONSET_BLOCK", block)
    out = at_onset_comparison(rec, flags, runs).set_index("variable")
    ref = _at_onset_unblocked(rec, flags, runs)
    for c, pairs in ref.items():
        p = np.array(pairs).reshape(-1, 2)
        assert out.loc[c, "n_episodes"] == len(p)
        assert out.loc[c, "at_onset"] == pytest.approx(np.median(p[:, 0]), rel=1e-12)
        assert out.loc[c, "same_point_others"] == pytest.approx(np.median(p[:, 1]), rel=1e-12)
        assert out.loc[c, "difference"] == pytest.approx(np.median(p[:, 0] - p[:, 1]), rel=1e-12)
    assert out.loc["speed_mps", "n_episodes"] == 9   # every onset has a control that lasted that long


def test_analyze_onset_result_and_its_words():
    flags, runs = _frames()
    res = analyze_onset(flags, runs)
    s = res.summary.set_index("scale")
    assert s.loc["minutes", "n_onsets"] == 1 and s.loc["km", "n_onsets"] == 2
    assert s.loc["km", "median"] == 4.5
    assert {"code": "onset_unknown", "unit": "min", "n_missing": 1, "n_numb": 2} in res.notes
    assert any("no onset in min" in onset_note(n) for n in res.notes)
    text = " ".join(onset_sentences(res))
    # minutes: a (onset 20), c (censored 40), d (censored 20): S(20) = 2/3, median not reached
    assert "median of 20 minutes" in text and "not reached" in text
    assert set(res.curves["scale"]) == {"minutes", "km"}
    assert not res.reproducible
    assert res.to_frame() is res.summary


def _numb_runs(minutes, numb):
    """Runs of the given length [min] at 12 km/h; a numb run's onset is its duration (event time)."""
    minutes, numb = np.asarray(minutes, float), np.asarray(numb, bool)
    idx = pd.Index([f"r{i}" for i in range(len(minutes))], name="run_id")
    flags = pd.DataFrame({"tracked": True, "numb": numb, "n_episodes": numb.astype(int),
                          "onset_min": np.where(numb, minutes, np.nan), "onset_km": np.nan,
                          "max_severity": np.nan}, index=idx)
    runs = pd.DataFrame({"elapsed_s": minutes * 60, "distance_m": minutes * 200.0,
                         "start_local": pd.date_range("2025-05-01", periods=len(minutes))}, index=idx)
    return flags, runs


def test_km_sentence_when_the_median_is_reached_with_few_numb_runs():
    # 10 runs: 5 end at 30 min without numbness, numbness at 40, 50 and 60 min, 2 end at 80 min without.
    # Kaplan-Meier: at risk 5 at 40 -> S = 4/5; 4 at 50 -> S = 4/5 * 3/4 = 3/5; 3 at 60 -> S = 3/5 * 2/3 = 2/5
    # -> median 60 min (first S < 1/2), although only 3 of 10 runs had numbness: "half of all runs had
    # numbness by 60 minutes" would be false.
    flags, runs = _numb_runs([30] * 5 + [40, 50, 60, 80, 80], [False] * 5 + [True] * 3 + [False] * 2)
    res = analyze_onset(flags, runs)
    r = res.summary.set_index("scale").loc["minutes"]
    assert r["km_median"] == 60 and (r["n_onsets"], r["n_runs"]) == (3, 10)
    lm = res.landmarks[res.landmarks["scale"] == "minutes"].set_index("time")
    # by 30 min: S = 1 -> 0 %, all 10 runs still going; by 60 min: 1 - 2/5 = 60 %, 3 runs (60, 80, 80)
    # still going; 90 min is past the longest run (80 min): not reported
    assert list(lm.index) == [30.0, 60.0]
    assert lm.loc[30.0, "share_numb"] == 0 and lm.loc[30.0, "n_at_risk"] == 10
    assert lm.loc[60.0, "share_numb"] == pytest.approx(0.6) and lm.loc[60.0, "n_at_risk"] == 3
    assert lm.loc[60.0, "ci_low"] < 0.6 < lm.loc[60.0, "ci_high"]
    text = onset_sentences(res)[0]
    assert text.startswith("In the 3 runs where numbness came on (onset known in minutes), it came on after a "
                           "median of 50 minutes (middle half 45-55 minutes, range 40-60).")
    assert ("Counting each run only for as long as it lasted (Kaplan-Meier), the estimated share of runs with "
            "numbness is 0 % by 30 minutes (10 still going without numbness) and 60 % by 60 minutes "
            "(3 still going without numbness).") in text
    assert "half of the runs that last 60 minutes have numbness by then (that is not half of all runs: " \
           "3 of 10 runs had numbness)." in text
    assert "Half of all runs" not in text and "not reached" not in text


def test_km_sentence_when_the_median_is_not_reached():
    # 10 runs: numbness at 20 and 40 min, 8 end at 50 min without. S(20) = 9/10, S(40) = 9/10 * 8/9 = 4/5:
    # never below one half -> median not reached. By 30 min: 1 - 9/10 = 10 %, 9 runs still going (40, 8 x 50).
    flags, runs = _numb_runs([20, 40] + [50] * 8, [True, True] + [False] * 8)
    res = analyze_onset(flags, runs)
    assert np.isnan(res.summary.set_index("scale").loc["minutes", "km_median"])
    lm = res.landmarks[res.landmarks["scale"] == "minutes"]
    assert lm["time"].tolist() == [30.0] and lm["share_numb"].iloc[0] == pytest.approx(0.1)
    text = onset_sentences(res)[0]
    assert "median of 30 minutes (middle half 25-35 minutes, range 20-40)" in text
    assert "the estimated share of runs with numbness is 10 % by 30 minutes (9 still going without numbness)." in text
    assert text.endswith("The Kaplan-Meier median is not reached: fewer than half of the runs had numbness by "
                         "their end (2 of 10 runs had numbness). Too few episodes to say whether it comes at a "
                         "consistent time (that needs at least 11 with a known onset).")


def test_km_landmarks_read_the_step_at_or_before_each_time():
    curve, _ = kaplan_meier(SIX_MP_T, np.array(SIX_MP_E, bool))
    lm = km_landmarks(curve, SIX_MP_T, [5, 10, 12, 40]).set_index("time")
    # 5: before the first event -> 0; 10: 1 - S(10) = 1 - 0.7529; 12: still S(10); 40: past the last time (35)
    assert list(lm.index) == [5.0, 10.0, 12.0]
    assert lm.loc[5.0, "share_numb"] == 0
    assert lm.loc[10.0, "share_numb"] == pytest.approx(1 - 18 / 21 * 16 / 17 * 14 / 15)
    assert lm.loc[12.0, "share_numb"] == lm.loc[10.0, "share_numb"]
    # at risk = durations >= t: 21 at 5; 15 at 10 (10, 10, 11, ...); 12 at 12
    assert lm["n_at_risk"].tolist() == [21, 15, 12]


def test_side_comparison_hand_computed():
    from runlog.analysis.onset import side_comparison

    ep = pd.DataFrame({"run_id": list("abcdefghijkl"),
                       "side": ["left"] * 6 + ["right"] * 5 + [None],
                       "onset_min": [30, 32, 35, 40, 31, 33, 50, 55, 52, 60, 58, 20]})
    table, outcome = side_comparison(ep)
    sentence = side_sentence(outcome)
    assert table["side"].tolist() == ["left", "right", "not given"]
    assert table["n_episodes"].tolist() == [6, 5, 1]
    # left 30..40 all below right 50..60: exact two-sided Mann-Whitney p = 2 / C(11, 5) = 2 / 462
    assert table.loc[0, "p_value"] == pytest.approx(2 / 462, rel=1e-9)
    assert table.loc[0, "onset_median_min"] == 32.5 and table.loc[1, "onset_median_min"] == 55.0
    assert outcome == {"code": "different", "left": 6, "right": 5, "both": 0, "left_median": 32.5,
                       "right_median": 55.0, "p_value": pytest.approx(2 / 462, rel=1e-9)}
    assert sentence.startswith("Sides: 6 left, 5 right, 0 both (episodes); onset came at a different time on "
                               "the two sides (median 32")     # 32.5 as the report's number format gives it
    assert sentence.endswith(" min left, 55 min right, Mann-Whitney p = 0.0043).")
    # only the analysed runs count; too few on one side: said, not tested
    table, outcome = side_comparison(ep, run_ids=list("abcdefgh"))
    assert table["p_value"].isna().all()
    assert outcome == {"code": "too_few", "left": 6, "right": 2, "both": 0}
    assert side_sentence(outcome).startswith("Sides: 6 left, 2 right, 0 both (episodes). Too few sided episodes")
    _, outcome = side_comparison(ep.assign(side=None))
    assert outcome == {"code": "no_side"}
    assert side_sentence(outcome).startswith("No episode says which side")


def _balance_records(balance: dict, minutes=40):
    """Per-second records with a ground contact time balance per run: a constant, or a function of elapsed [s]."""
    parts = {}
    for rid, b in balance.items():
        t = np.arange(0, minutes * 60 + 1, 1.0)
        v = b(t) if callable(b) else np.full(len(t), b, dtype=float)
        parts[rid] = pd.DataFrame({"elapsed_s": t, "stance_time_balance_left_pct": v.astype("float32")},
                                  index=pd.date_range("2025-05-01", periods=len(t), freq="s", tz="UTC",
                                                      name="time"))
    return pd.concat(parts, names=["run_id", "time"])


def test_side_balance_hand_computed():
    from runlog.analysis.onset import side_balance_comparison

    # 4 left-sided episodes leaning left (51.0-51.6 %), 4 right-sided leaning right (49.0-49.6 %), onset at
    # 20 min; after onset every run limps to 55 % (a consequence, which must not count); 3 runs without numbness
    left = [51.0, 51.2, 51.4, 51.6]
    right = [49.0, 49.2, 49.4, 49.6]
    bal = {f"L{i}": (lambda t, b=b: np.where(t <= 1200, b, 55.0)) for i, b in enumerate(left)}
    bal.update({f"R{i}": (lambda t, b=b: np.where(t <= 1200, b, 55.0)) for i, b in enumerate(right)})
    bal.update({"o0": 50.0, "o1": 50.2, "o2": 50.4})
    rec = _balance_records(bal)
    ids = list(bal)
    flags = pd.DataFrame({"numb": [True] * 8 + [False] * 3, "onset_min": [20.0] * 8 + [np.nan] * 3},
                         index=pd.Index(ids, name="run_id"))
    ep = pd.DataFrame({"run_id": ids[:8], "side": ["left"] * 4 + ["right"] * 4, "onset_min": 20.0})
    table, outcome = side_balance_comparison(ep, rec, flags)
    sentence = side_balance_sentence(outcome)
    t = table.set_index("group")
    assert t["n"].tolist() == [4, 4, 3]
    assert t.loc["left", "balance_median_pct"] == pytest.approx(51.3, abs=1e-5)    # float32 values
    assert t.loc["right", "balance_median_pct"] == pytest.approx(49.3, abs=1e-5)
    assert t.loc["no numbness", "balance_median_pct"] == pytest.approx(50.2, abs=1e-5)
    # every left value above every right one: exact one-sided p = 1 / C(8, 4) = 1 / 70
    assert t.loc["left", "p_value"] == pytest.approx(1 / 70, rel=1e-9)
    assert np.isnan(t.loc["right", "p_value"])
    assert outcome["code"] == "leans" and (outcome["n_left"], outcome["n_right"]) == (4, 4)
    assert outcome["reference_median"] == pytest.approx(50.2, abs=1e-5)
    assert sentence.startswith("Ground contact time balance before onset: left-sided episodes came with a longer "
                               "ground contact on the left foot")
    assert "51.3 % in 4 left-sided, 49.3 % in 4 right-sided episodes, runs without numbness 50.2 %" in sentence
    assert sentence.endswith("one-sided Mann-Whitney p = 0.014).")
    # the other way round (left episodes leaning right): not significant one-sided
    ep_swapped = ep.assign(side=["right"] * 4 + ["left"] * 4)
    table, outcome = side_balance_comparison(ep_swapped, rec, flags)
    assert table.set_index("group").loc["left", "p_value"] == pytest.approx(1.0)
    assert outcome["code"] == "no_lean" and "no clear sign" in side_balance_sentence(outcome)


def test_side_balance_too_few_or_no_balance():
    from runlog.analysis.onset import side_balance_comparison

    rec = _balance_records({"a": 51.0, "b": 51.0, "c": 49.0, "d": np.nan, "e": 50.0})
    flags = pd.DataFrame({"numb": [True] * 4 + [False], "onset_min": [20.0] * 4 + [np.nan]},
                         index=pd.Index(list("abcde"), name="run_id"))
    ep = pd.DataFrame({"run_id": list("abcd"), "side": ["left", "left", "right", "right"], "onset_min": 20.0})
    table, outcome = side_balance_comparison(ep, rec, flags)
    assert table.set_index("group")["n"].tolist() == [2, 1, 1]     # d has no balance
    assert table["p_value"].isna().all()
    assert outcome == {"code": "too_few", "n_left": 2, "n_right": 1}
    sentence = side_balance_sentence(outcome)
    assert sentence.startswith("Too few sided episodes with balance data")
    assert "(2 left, 1 right with a ground contact time balance before onset; each side needs 4)" in sentence
    # no balance at all (no running dynamics recorded)
    _, outcome = side_balance_comparison(ep, rec.assign(stance_time_balance_left_pct=np.nan), flags)
    assert outcome["code"] == "no_balance"
    assert side_balance_sentence(outcome).startswith(
        "No run with a left- or right-sided episode has ground contact time balance")
    # an onset in the first 59 s: fewer than 60 samples before it, no balance
    table, _ = side_balance_comparison(ep.assign(onset_min=0.9), rec, flags)
    assert table.set_index("group").loc[["left", "right"], "n"].tolist() == [0, 0]
    # no sided episode: nothing to say
    table, outcome = side_balance_comparison(ep.assign(side=None), rec, flags)
    assert outcome == {} and side_balance_sentence(outcome) == "" and len(table) == 0


def test_analyze_onset_gives_the_balance_outcome():
    rec = _balance_records({"a": 51.0, "b": 50.0})
    rec["speed_mps"], rec["hr_bpm"], rec["temp_c"] = 3.0, np.nan, np.nan
    flags = pd.DataFrame({"numb": [True, False], "onset_min": [20.0, np.nan], "onset_km": [np.nan, np.nan]},
                         index=pd.Index(["a", "b"], name="run_id"))
    runs = pd.DataFrame({"elapsed_s": 2400.0, "distance_m": 7200.0}, index=flags.index)
    ep = pd.DataFrame({"run_id": ["a"], "side": ["left"], "onset_min": [20.0]})
    res = analyze_onset(flags, runs, rec, episodes=ep)
    assert res.by_side_balance.set_index("group")["n"].tolist() == [1, 0, 1]
    assert res.side_balance_outcome == {"code": "too_few", "n_left": 1, "n_right": 0}
    assert onset_sentences(res)[-1] == side_balance_sentence(res.side_balance_outcome)
    assert onset_sentences(res)[-1].startswith("Too few sided episodes with balance data")


def test_side_cause_comparison_hand_computed():
    from runlog.analysis.onset import side_cause_comparison

    runs = [f"r{i}" for i in range(12)]
    # 5 left-sided runs at 20-24 °C, 5 right-sided at 10-14 °C; r10 has a left and a right episode (neither),
    # r11 has no side
    episodes = pd.DataFrame({"run_id": [*runs[:10], "r10", "r10", "r11"],
                             "side": ["left"] * 5 + ["right"] * 5 + ["left", "right", None]})
    features = pd.DataFrame({"air_temp_c": [20, 21, 22, 23, 24, 10, 11, 12, 13, 14, 30, 30],
                             "run_streak_days": [1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 9, 9],
                             "shoes": ["a"] * 12}, index=runs, dtype=object).astype(
        {"air_temp_c": float, "run_streak_days": float})
    causes = pd.DataFrame({"cause": ["hydration", "overtraining", "footwear"],
                           "factor": ["air_temp_c", "run_streak_days", "shoes"],
                           "factor_label": ["air temperature", "consecutive running days", "shoes worn"]})
    tab, outcome = side_cause_comparison(episodes, features, causes)
    sentence = side_cause_sentence(outcome)
    assert list(tab["cause"]) == ["hydration", "overtraining"]          # the shoes are not a measure
    heat = tab.iloc[0]
    assert (heat["n_left"], heat["n_right"]) == (5, 5)                  # r10 (both sides) and r11 left out
    assert (heat["left_median"], heat["right_median"]) == (22.0, 12.0)
    # exact two-sided Mann-Whitney with complete separation of 5 and 5: 2 / C(10, 5) = 2/252
    assert heat["p_value"] == pytest.approx(2 / 252)
    assert tab.iloc[1]["p_value"] == pytest.approx(1.0)                 # identical values on both sides
    assert heat["q_value"] == pytest.approx(2 * 2 / 252)                # Holm over the 2 causes compared
    assert (outcome["code"], outcome["factor"], outcome["n_tested"]) == ("different", "air_temp_c", 2)
    assert (outcome["runs_left"], outcome["runs_right"], outcome["n_left"], outcome["n_right"]) == (5, 5, 5, 5)
    assert sentence.startswith("Left- and right-sided episodes came on different runs: air temperature 22")
    # too few on one side: counted, not tested
    tab, outcome = side_cause_comparison(episodes[episodes["run_id"] != "r9"], features, causes)
    assert outcome == {"code": "too_few", "runs_left": 5, "runs_right": 4}
    sentence = side_cause_sentence(outcome)
    assert tab["p_value"].isna().all() and "each side needs 5" in sentence
    # runs, not episodes (issue 24: the two side counts said different numbers without saying why)
    assert ("(5 runs numb on the left only, 4 on the right only; a run counts once however many episodes it had, "
            "and not at all when both sides went numb; each side needs 5)") in sentence
    # no side at all: nothing to say
    tab, outcome = side_cause_comparison(episodes.assign(side=None), features, causes)
    assert outcome == {} and side_cause_sentence(outcome) == "" and tab.empty
