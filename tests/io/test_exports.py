"""Bulk-export archives: names, Strava activities.csv, zip safety (zip slip, bombs, nesting)."""

from __future__ import annotations

import gzip
import io
import zipfile

import pandas as pd
import pytest

from runlog.errors import FileFormatError
from runlog.io import exports

# The header of a real Strava activities.csv (2024 export): note the repeated
# "Elapsed Time" and "Distance" columns.
STRAVA_HEADER = ("Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,"
                 "Distance,Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,"
                 "Athlete Weight,Bike Weight,Elapsed Time,Moving Time,Distance,Max Speed")


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return buf.getvalue()


def _members(data: bytes, prefix="x.zip", **kw) -> list[exports.Member]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return list(exports.iter_zip(zf, prefix, **kw))


@pytest.mark.parametrize("name, expected", [
    ("activities/123.fit.gz", True), ("RUN.FIT", True), ("a/b/c.Gpx", True), ("x.tcx.GZ", True),
    ("x.gpx.zip", False), ("activities.csv", False), ("x.fit.bak", False),
    ("__MACOSX/activities/._123.fit", False), ("activities/._123.fit", False),
])
def test_is_activity_name(name, expected):
    assert exports.is_activity_name(name) is expected


@pytest.mark.parametrize("name, expected", [
    ("activities/1.fit", False), ("../1.fit", True), ("a/../../1.fit", True), ("/etc/1.gpx", True),
    ("C:/Users/x/1.fit", True), ("a\\..\\1.fit", True), ("a/..b/1.fit", False),
])
def test_unsafe_member_name(name, expected):
    assert exports.unsafe_member_name(name) is expected


def test_metadata_key_ignores_folders_case_and_gz():
    assert exports.metadata_key("activities/123.FIT.gz") == "123.fit"
    assert exports.metadata_key("export.zip!activities/123.fit.gz") == "123.fit"
    assert exports.metadata_key("/home/me/strava/activities/123.fit") == "123.fit"


def test_read_strava_csv_maps_name_description_gear():
    csv_text = (
        STRAVA_HEADER + "\n"
        '4950000001,"Apr 16, 2021, 1:37:53 PM",Morning Run,Run,"Numb toes at 5 km,\nloosened laces",'
        "222,0.9,150,,false,,Pegasus 38,activities/5305263871.fit.gz,,,222,200,900,4.1\n"
        '4950000002,"Jun 1, 2020, 2:52:40 PM",Lunch Ride,Ride,,96,0.5,,,false,,,activities/5039744860.gpx.gz,'
        ",,96,96,500,8\n"
        '4950000003,"Jun 2, 2020, 7:00:00 AM",Manual entry,Run,,600,2,,,false,,,,,,600,600,2000,4\n'
    )
    meta = exports.read_strava_csv(csv_text.encode("utf-8-sig"))
    # Two rows with a file (the manual entry has none); keys are base names without .gz.
    assert list(meta.index) == ["5305263871.fit", "5039744860.gpx"]
    assert meta.loc["5305263871.fit", "name"] == "Morning Run"
    assert meta.loc["5305263871.fit", "description"] == "Numb toes at 5 km,\nloosened laces"
    assert meta.loc["5305263871.fit", "gear"] == "Pegasus 38"
    assert meta.loc["5039744860.gpx", "name"] == "Lunch Ride"
    assert pd.isna(meta.loc["5039744860.gpx", "gear"])
    assert pd.isna(meta.loc["5039744860.gpx", "description"])
    assert list(meta.columns) == ["name", "description", "gear"]
    assert all(str(t) == "string" for t in meta.dtypes)


def test_read_strava_csv_without_filename_column_is_an_error():
    with pytest.raises(FileFormatError, match="no 'Filename' column") as err:
        exports.read_strava_csv(b"date,distance\n2024-01-01,5\n", "me/activities.csv")
    assert err.value.path == "me/activities.csv"


def test_iter_zip_reads_activity_members_and_ignores_the_rest(data_dir):
    fit = (data_dir / "fit" / "heartandsole__testdata.fit").read_bytes()
    gpx = (data_dir / "gpx" / "heartandsole__testdata.gpx").read_bytes()
    data = _zip({"activities/1.fit.gz": gzip.compress(fit), "activities/2.GPX": gpx,
                 "profile.json": b"{}", "activities.csv": b"x"})
    got = _members(data, "export.zip")
    assert [m.source for m in got] == ["export.zip!activities/1.fit.gz", "export.zip!activities/2.GPX"]
    assert gzip.decompress(got[0].data) == fit and got[1].data == gpx
    assert all(m.error is None for m in got)


def test_path_traversal_members_are_refused_with_an_error(data_dir):
    fit = (data_dir / "fit" / "heartandsole__testdata.fit").read_bytes()
    data = _zip({"../../evil.fit": fit, "/abs.gpx": b"<gpx/>", "ok/run.fit": fit, "../notes.txt": b"x"})
    got = _members(data)
    by_name = {m.name: m for m in got}
    assert by_name["ok/run.fit"].data == fit
    for bad in ("../../evil.fit", "/abs.gpx", "../notes.txt"):
        assert by_name[bad].data is None
        assert "path traversal" in by_name[bad].error


def test_high_ratio_member_is_refused_as_a_bomb(data_dir):
    # 16 MiB of zeros deflates to ~16 KiB: a ratio near 1000:1, far above MAX_RATIO (100:1).
    bomb = bytes(16 * 1024**2)
    fit = (data_dir / "fit" / "fitparse__Activity.fit").read_bytes()
    got = _members(_zip({"bomb.fit": bomb, "real.fit": fit}))
    assert got[0].data is None and "decompression bomb" in got[0].error
    assert "compression ratio" in got[0].error
    assert got[1].data == fit


def test_member_above_size_limit_is_refused(data_dir, monkeypatch):
    fit = (data_dir / "fit" / "heartandsole__testdata.fit").read_bytes()  # 3001 bytes
    monkeypatch.setattr(exports, "MAX_MEMBER_BYTES", 1000)
    got = _members(_zip({"big.fit": fit, "small.gpx": b"<gpx></gpx>"}))
    # 3001 bytes = 2.9 KiB (3001 / 1024 = 2.93)
    assert got[0].data is None and "is 2.9 KiB uncompressed, above the 1000 bytes limit" in got[0].error
    assert got[1].data == b"<gpx></gpx>"


def test_stored_member_lying_about_its_size_is_cut_off(data_dir, monkeypatch):
    # A member whose directory entry claims 10 bytes but which holds 3001: the
    # declared size passes the limit, the bytes actually produced do not.
    fit = (data_dir / "fit" / "heartandsole__testdata.fit").read_bytes()
    monkeypatch.setattr(exports, "MAX_MEMBER_BYTES", 2000)
    data = _zip({"liar.fit": fit}, compression=zipfile.ZIP_STORED)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.infolist()[0]
        info.file_size = 10
        got = list(exports.iter_zip(zf, "x.zip"))
    # zipfile stops at the declared 10 bytes, whose CRC then differs from the
    # stored one: the member is refused as damaged, never returned cut short.
    assert got[0].data is None
    assert "Bad CRC-32" in got[0].error and "download the export again" in got[0].error


def test_total_uncompressed_budget_is_enforced(data_dir, monkeypatch):
    fit = (data_dir / "fit" / "heartandsole__testdata.fit").read_bytes()  # 3001 bytes each
    monkeypatch.setattr(exports, "MAX_TOTAL_BYTES", 5000)
    got = _members(_zip({"a.fit": fit, "b.fit": fit}))
    assert got[0].data == fit
    assert got[1].data is None and "total uncompressed size" in got[1].error


def test_nested_archive_is_followed_one_level_only(data_dir):
    fit = (data_dir / "fit" / "heartandsole__testdata.fit").read_bytes()
    inner2 = _zip({"deep.fit": fit})
    inner = _zip({"1.fit": fit, "deeper.zip": inner2})
    counts = []
    got = _members(_zip({"DI_CONNECT/Part1.zip": inner}), "garmin.zip", on_nested=counts.append)
    assert counts == [1]  # the nested archive lists one activity file (and one archive)
    assert got[0].source == "garmin.zip!DI_CONNECT/Part1.zip!1.fit" and got[0].data == fit
    assert got[1].source == "garmin.zip!DI_CONNECT/Part1.zip!deeper.zip"
    assert got[1].data is None and "two levels deep" in got[1].error


def test_damaged_nested_archive_is_an_error_row():
    got = _members(_zip({"UploadedFiles_0-_Part1.zip": b"PK\x03\x04 not really a zip"}))
    assert len(got) == 1 and got[0].data is None and "not a readable zip" in got[0].error


def test_encrypted_flag_is_refused(data_dir):
    fit = (data_dir / "fit" / "fitparse__Activity.fit").read_bytes()
    data = _zip({"secret.fit": fit})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        zf.infolist()[0].flag_bits |= 0x1
        got = list(exports.iter_zip(zf, "x.zip"))
    assert got[0].data is None and "encrypted" in got[0].error


def test_read_metadata_member_prefers_the_top_level_csv():
    csv_top = (STRAVA_HEADER + "\n1,d,Top,Run,,1,1,,,false,,Shoe A,activities/1.fit.gz,,,1,1,1,1\n").encode()
    csv_deep = (STRAVA_HEADER + "\n1,d,Deep,Run,,1,1,,,false,,Shoe B,activities/1.fit.gz,,,1,1,1,1\n").encode()
    data = _zip({"old/backup/activities.csv": csv_deep, "activities.csv": csv_top})
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        meta, err = exports.read_metadata_member(zf, "export.zip")
    assert err is None
    assert meta.loc["1.fit", "name"] == "Top" and meta.loc["1.fit", "gear"] == "Shoe A"
