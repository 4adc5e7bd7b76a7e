import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from runlog import schema


def test_conform_records_sorts_dedupes_and_types():
    idx = pd.to_datetime(["2024-01-01 10:00:02", "2024-01-01 10:00:00", "2024-01-01 10:00:02"])
    df = pd.DataFrame({"hr_bpm": ["120", "110", "999"], "extra": [1, 2, 3]}, index=idx)
    out = schema.conform_records(df)
    assert list(out.columns) == list(schema.RECORD_COLUMNS)
    assert str(out.index.tz) == "UTC" and out.index.name == "time"
    assert out["hr_bpm"].tolist() == [110.0, 120.0]  # sorted; duplicate timestamp keeps the first
    assert out.dtypes.astype(str).tolist() == [c.dtype for c in schema.RECORD_COLUMNS.values()]
    assert (out.drop(columns=list(schema.DYNAMICS_COLUMNS)).dtypes == "float64").all()
    assert (out[list(schema.DYNAMICS_COLUMNS)].dtypes == "float32").all()
    assert out["power_w"].isna().all()


def test_conform_laps_fills_missing_columns():
    laps = schema.conform_laps(pd.DataFrame({"distance_m": [1000, 500], "trigger": ["manual", None]}))
    assert list(laps.columns) == list(schema.LAP_COLUMNS)
    assert laps["lap"].tolist() == [1, 2]
    assert laps["trigger"].iloc[0] == "manual" and pd.isna(laps["trigger"].iloc[1])
    assert str(laps["start_time"].dtype) == "datetime64[ns, UTC]"
    assert len(schema.conform_laps(None)) == 0


def test_every_name_carries_a_unit_suffix_or_is_dimensionless():
    suffixes = ("_s", "_m", "_mps", "_bpm", "_spm", "_c", "_deg", "_w", "_kg", "_ml", "_min", "_km", "_h",
                "_ms", "_mm", "_pct")
    for table in (schema.RECORD_COLUMNS, schema.NOTES_COLUMNS):
        for name, col in table.items():
            if col.unit and col.unit not in ("0-10",):
                assert name.endswith(suffixes), name


def test_column_reference_lists_all_tables():
    ref = schema.column_reference()
    assert set(ref["frame"]) == {"records", "laps", "runs", "episodes", "notes"}
    assert {"name", "unit", "dtype", "description"} <= set(ref.columns)
    assert not ref["description"].eq("").any()


def test_mask_impossible_keeps_float32_and_blanks_zero_dynamics():
    idx = pd.date_range("2024-01-01", periods=3, freq="s")
    rec = schema.conform_records(pd.DataFrame({"stance_time_ms": [0.0, 250.0, 260.0],
                                               "stance_time_balance_left_pct": [51.0, 0.0, 100.0]}, index=idx))
    out = schema.mask_impossible(rec, "running")
    assert out["stance_time_ms"].isna().tolist() == [True, False, False]
    assert out["stance_time_balance_left_pct"].isna().tolist() == [False, True, True]
    assert str(out["stance_time_ms"].dtype) == "float32" == str(out["stance_time_balance_left_pct"].dtype)


# ---------------------------------------------------------------- the array paths against pandas' own

_times = st.lists(st.one_of(st.none(), st.integers(0, 40)), min_size=0, max_size=30)


def _pandas_conform(df: pd.DataFrame) -> pd.DataFrame:
    """conform_records as it was written with pandas (before the array path): the reference."""
    import numpy as np

    idx = pd.DatetimeIndex(df.index)
    idx = (idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")).as_unit("ns")
    cols = {}
    for c, col in schema.RECORD_COLUMNS.items():
        v = df[c] if c in df else pd.Series(np.nan, index=df.index)
        cols[c] = np.asarray(pd.to_numeric(v, errors="coerce"), dtype=col.dtype)
    out = pd.DataFrame(cols, index=idx)
    out.index.name = "time"
    out = out[~idx.isna()].sort_index(kind="stable")
    return out[~out.index.duplicated(keep="first")]


@settings(max_examples=200, deadline=None)
@given(_times, st.booleans(), st.booleans())
def test_conform_records_is_the_pandas_sort_dedupe_and_cast(seconds, aware, text_hr):
    # missing times dropped, stable sort, first of equal times kept, strings made numbers: as pandas does it
    t = pd.DatetimeIndex([None if s is None else pd.Timestamp("2024-05-01") + pd.Timedelta(seconds=s)
                          for s in seconds])
    if aware:
        t = t.tz_localize("Europe/Berlin")
    hr = [f"{100 + i}" if text_hr else 100.0 + i for i in range(len(seconds))]
    df = pd.DataFrame({"hr_bpm": hr, "step_length_mm": [900.5 + i for i in range(len(seconds))],
                       "note": ["x"] * len(seconds)}, index=t)
    pd.testing.assert_frame_equal(schema.conform_records(df), _pandas_conform(df), check_exact=True)


def test_conform_laps_converts_any_reader_columns_as_pandas_does():
    # the old generic conversions (pd.to_datetime(utc=True), to_numeric, object -> string) as the reference
    df = pd.DataFrame({"start_time": pd.to_datetime(["2024-05-01 10:00", None]),   # naive = UTC
                       "end_time": ["2024-05-01T12:30:00+02:00", None],            # text, with an offset
                       "elapsed_s": ["600", "x"], "timer_s": [1, 2],
                       "trigger": pd.Series(["manual", None]),  # str in pandas 3, object in 2
                       "max_hr_bpm": [True, False]})
    laps = schema.conform_laps(df)
    assert laps.dtypes.astype(str).tolist() == ["int64", "datetime64[ns, UTC]", "datetime64[ns, UTC]", "float64",
                                                "float64", "float64", "float64", "float64", "string"]
    assert laps["lap"].tolist() == [1, 2]
    assert laps["start_time"].iloc[0] == pd.Timestamp("2024-05-01 10:00", tz="UTC") and pd.isna(laps["start_time"][1])
    assert laps["end_time"].iloc[0] == pd.Timestamp("2024-05-01 10:30", tz="UTC")
    assert laps["elapsed_s"].iloc[0] == 600.0 and pd.isna(laps["elapsed_s"].iloc[1])
    assert laps["timer_s"].tolist() == [1.0, 2.0] and laps["max_hr_bpm"].tolist() == [1.0, 0.0]
    assert laps["trigger"].iloc[0] == "manual" and laps["trigger"].iloc[1] is pd.NA   # "string": pd.NA, not NaN
    assert laps["distance_m"].isna().all() and laps["avg_hr_bpm"].isna().all()
    empty = schema.conform_laps(df.iloc[:0])
    pd.testing.assert_frame_equal(empty, schema.conform_laps(None))
    assert empty.dtypes.astype(str).tolist() == laps.dtypes.astype(str).tolist()


def test_record_matrix_is_every_column_in_order():
    import numpy as np

    idx = pd.date_range("2024-05-01", periods=3, freq="s", tz="UTC", name="time")
    rec = schema.conform_records(pd.DataFrame({"hr_bpm": [120.0, np.nan, 130.0], "step_length_mm": [1.5, 2, 3]},
                                              index=idx))
    m = schema.record_matrix(rec)
    assert m.shape == (len(schema.RECORD_COLUMNS), 3) and m.dtype == "float64" and m[0].flags["C_CONTIGUOUS"]
    for j, c in enumerate(schema.RECORD_COLUMNS):
        np.testing.assert_array_equal(m[j], rec[c].to_numpy(dtype="float64"))
    assert schema.record_matrix(rec[["hr_bpm"]]) is None
