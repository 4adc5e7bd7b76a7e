import numpy as np
import pandas as pd
import pytest

from runlog import schema
from runlog.history._runs import ascent_by_run, ascent_m, moving_mask, summarize_records


def _records(seconds, **cols):
    idx = pd.DatetimeIndex(pd.Timestamp("2024-05-01 06:00", tz="UTC") + pd.to_timedelta(seconds, unit="s"))
    return schema.conform_records(pd.DataFrame(cols, index=idx))


def test_ascent_ignores_noise_below_threshold():
    # climbs: 100 -> 101 (noise, < 2 m), back to 100, then 100 -> 105 (+5), dip to 103, up to 110 (+7)
    alt = pd.Series([100, 101, 100, 103, 105, 103, 110.0])
    assert ascent_m(alt) == pytest.approx(12.0)
    assert np.isnan(ascent_m(pd.Series([np.nan, np.nan])))


def test_ascent_by_run_is_ascent_m_of_each_run():
    # run 0: the example above (12 m); run 1: no altitude (NaN); run 2: 50, NaN, 53 (+3), 52, 52.5 -> 3 m
    runs = [[100, 101, 100, 103, 105, 103, 110.0], [np.nan, np.nan], [50, np.nan, 53, 52, 52.5]]
    alt = np.concatenate(runs)
    starts = np.cumsum([0] + [len(r) for r in runs[:-1]])
    got = ascent_by_run(alt, starts)
    np.testing.assert_allclose(got, [12.0, np.nan, 3.0])
    np.testing.assert_allclose(got, [ascent_m(pd.Series(r)) for r in runs])


def test_moving_time_excludes_a_pause_and_slow_samples():
    # samples at 0,10,20,30 then a 300 s pause (watch auto-paused), then 330, 340.
    t = [0, 10, 20, 30, 330, 340]
    rec = _records(t, speed_mps=[3, 3, 0.2, 3, 3, 3], distance_m=[0, 30, 60, 62, 92, 122],
                   hr_bpm=[100, 120, 140, 160, 130, 150])
    mov = moving_mask(rec)
    # sample 2 is too slow, sample 3 is followed by a 300 s gap, the last one stands for 0 s
    assert mov.tolist() == [True, True, False, False, True, True]
    s = summarize_records(rec)
    assert s["elapsed_s"] == 340.0
    assert s["moving_s"] == 30.0  # 10 + 10 + 10 (samples 0, 1, 4)
    assert s["distance_m"] == 122.0
    assert s["avg_speed_mps"] == pytest.approx(122.0 / 30.0)
    # time-weighted HR: durations 10,10,10,0(gap>30 dropped),10,0 -> (100+120+140+130)*10/40
    assert s["avg_hr_bpm"] == pytest.approx((100 + 120 + 140 + 130) / 4)
    assert s["max_hr_bpm"] == 160
    assert s["n_records"] == 6


def test_empty_records():
    assert summarize_records(schema.empty_records()) == {"n_records": 0}


def test_a_long_run_is_summarized_without_a_copy_of_every_column():
    """Issue 25 (bounded decoding memory): the import worker's peak for a FIT file of 1,000,000 records
    was 16x the file, 5x of it the summary's copy of all 15 record columns as one matrix (120 bytes a
    record) to read 6 of them.  Counted with tracemalloc (numpy reports its buffers), not timed."""
    import tracemalloc

    n = 200_000
    t = np.arange(n, dtype=float)
    rec = _records(t, speed_mps=np.full(n, 3.0), distance_m=3.0 * t, hr_bpm=140 + t % 7,
                   cadence_spm=np.full(n, 170.0), temp_c=np.full(n, 20.0), altitude_m=100 + t % 11,
                   gct_ms=np.full(n, 250.0))
    assert len(rec.columns) == len(schema.RECORD_COLUMNS) >= 15
    small = summarize_records(rec.iloc[:5000])   # the short-run path, for comparison of values
    tracemalloc.start()
    try:
        s = summarize_records(rec)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak / n < 100, f"{peak / n:.0f} bytes a record"   # the whole-frame copy alone is 120
    assert s["n_records"] == n and s["distance_m"] == 3.0 * (n - 1) and s["max_hr_bpm"] == 146.0
    assert small["avg_cadence_spm"] == s["avg_cadence_spm"] == 170.0
