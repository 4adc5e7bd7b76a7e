import pandas as pd

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
