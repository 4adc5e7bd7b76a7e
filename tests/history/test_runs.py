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
