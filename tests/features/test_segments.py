"""The vectorised per-run reductions agree with a plain per-run computation (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from runlog import schema
from runlog.features import intensity
from runlog.features._segments import gmax, gsum, lag_index, segments, wmean


def _records(spec, seed):
    """Stacked records of several runs: spec = list of (n_samples, step pattern) per run."""
    rng = np.random.default_rng(seed)
    frames = {}
    t0 = pd.Timestamp("2024-01-01T06:00Z")
    for i, (n, gap) in enumerate(spec):
        steps = rng.choice([1.0, 2.0, 5.0, gap], size=n)
        t = np.cumsum(np.r_[0.0, steps[:-1]])
        hr = rng.uniform(90, 200, n)
        hr[rng.random(n) < 0.2] = np.nan
        idx = t0 + pd.Timedelta(days=i) + pd.to_timedelta(t, unit="s")
        df = pd.DataFrame({c: np.nan for c in schema.RECORD_COLUMNS}, index=pd.DatetimeIndex(idx, name="time"))
        df["hr_bpm"] = hr
        df["speed_mps"] = rng.uniform(0, 5, n)
        df["distance_m"] = np.cumsum(df["speed_mps"].to_numpy())
        frames[f"run{i:02d}"] = df
    return pd.concat(frames, names=["run_id", "time"])


@settings(max_examples=30, deadline=None)
@given(spec=st.lists(st.tuples(st.integers(1, 60), st.sampled_from([10.0, 31.0, 120.0])), min_size=1, max_size=6),
       seed=st.integers(0, 2**31 - 1), shuffle=st.booleans())
def test_vectorised_equals_per_run_loop(spec, seed, shuffle):
    rec = _records(spec, seed)
    if shuffle:   # rows of a run need not be contiguous on input
        rec = rec.sample(frac=1.0, random_state=seed % 1000)
    seg = segments(rec)
    trimp = pd.Series(gsum(seg, seg.dt_s / 60 * intensity.trimp_weight(
        np.clip(intensity.hr_reserve_fraction(seg.col("hr_bpm"), 50, 200), 0, 1))), index=seg.run_ids)
    hr_max = pd.Series(gmax(seg, seg.col("hr_bpm")), index=seg.run_ids)
    sp_mean = pd.Series(wmean(seg, seg.col("speed_mps"), seg.dt_s), index=seg.run_ids)
    for rid, one in rec.groupby(level="run_id"):
        one = one.droplevel(0).sort_index()
        t = one.index.as_unit("ns").asi8 / 1e9
        dt = np.append(np.diff(t), 0.0)
        dt = np.where(dt > 30, 0.0, dt)     # pauses
        want = intensity.banister_trimp(one["hr_bpm"], dt, 50, 200)
        if np.isnan(want):
            assert trimp[rid] == 0.0        # the sum is 0; intensity_features turns it into NaN
        else:
            assert np.isclose(trimp[rid], want, rtol=1e-12, atol=1e-12)
        assert np.isclose(hr_max[rid], one["hr_bpm"].max(), equal_nan=True)
        w = dt.sum()
        want_sp = np.average(one["speed_mps"], weights=dt) if w > 0 else np.nan
        assert np.isclose(sp_mean[rid], want_sp, equal_nan=True)


def test_lag_index_stays_within_a_run():
    rec = _records([(5, 1.0), (5, 1.0)], 0)
    seg = segments(rec)
    j = lag_index(seg, 2.5)
    for i, ji in enumerate(j):
        if ji >= 0:
            assert seg.codes[ji] == seg.codes[i] and seg.elapsed_s[i] - seg.elapsed_s[ji] >= 2.5
        else:
            assert seg.elapsed_s[i] < 2.5 or not (seg.codes[:i] == seg.codes[i]).any()
