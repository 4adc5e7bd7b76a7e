import gzip

import pytest

import runlog
from runlog.io import load_bytes, sniff_format


def test_sniff_by_content_not_extension():
    assert sniff_format(b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT", "a.gpx") == "fit"
    assert sniff_format(b"\xef\xbb\xbf  <?xml version='1.0'?><gpx version='1.1'>", "x.txt") == "gpx"
    assert sniff_format(b"<?xml version='1.0'?>\n<TrainingCenterDatabase>", "x") == "tcx"
    assert sniff_format(b"hello", "x.tcx") == "tcx"
    assert sniff_format(b"hello", "x.csv") is None


def test_missing_file_and_folder_and_unknown_content(tmp_path):
    with pytest.raises(runlog.FileFormatError, match="no such file") as e:
        runlog.read_activity(tmp_path / "nope.fit")
    assert e.value.path.endswith("nope.fit")
    with pytest.raises(runlog.FileFormatError, match="read_history"):
        runlog.read_activity(tmp_path)
    p = tmp_path / "notes.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(runlog.FileFormatError, match="not a FIT, GPX or TCX"):
        runlog.read_activity(p)


def test_gzip_is_unwrapped_and_bombs_are_refused(monkeypatch):
    data, name = load_bytes("run.gpx.gz", gzip.compress(b"<gpx>"))
    assert (data, name) == (b"<gpx>", "run.gpx")
    # With the limit lowered to 1 MiB, 2 MiB of zeros (2 KiB compressed) is refused
    # after inflating at most limit + 1 bytes.
    monkeypatch.setattr("runlog.io.MAX_FILE_BYTES", 2**20)
    bomb = gzip.compress(b"\0" * 2**21, compresslevel=9)
    with pytest.raises(runlog.FileFormatError, match="decompression bomb"):
        load_bytes("bomb.fit.gz", bomb)
    with pytest.raises(runlog.FileFormatError, match="damaged gzip"):
        load_bytes("bad.fit.gz", b"\x1f\x8b" + b"garbage" * 10)
