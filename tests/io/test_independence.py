"""Decoding a file never depends on other files (issue 25, item 5).

fitparse kept developer-field descriptions in a process-wide table, so a
FIT file read after another took that file's field meanings (heart rate 200
instead of 120), and import results depended on file order and worker
assignment.  ``tests/io/test_fit_oracle.py`` pins that defect with two
hand-made files; here every real file (FIT, GPX and TCX, bundled and, when
present, the shared corpus, read in place) is decoded in one fresh
interpreter three ways:

* all files in name order, formats interleaved, in one process;
* all files in the reverse order, in the same process, after the first pass;
* each file alone in a fresh process: the interpreter imports runlog and
  decodes nothing, then forks one child per file (a forked child starts
  from exactly the state a new interpreter has after ``import runlog``;
  forking keeps one file's cost at milliseconds instead of an interpreter
  start-up; the test is skipped where ``os.fork`` does not exist).

Records, laps, info, the warnings and, for refused files, the error
message must be identical (``pandas.testing``, exact).  The two hand-made
FIT files of that defect (``fit_writer.described_dev_file`` and
``undescribed_dev_file``) join the real ones, so this test too fails on it:
with fitparse's table the undescribed file was refused alone and read with
heart rate 200 after the other.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from fit_writer import described_dev_file, undescribed_dev_file

FORMATS = (".fit", ".gpx", ".tcx")

#: The child: decode every file of argv[2:] forward, backward, and each alone; pickle the three results.
CHILD = textwrap.dedent("""
    import os, pickle, sys, warnings
    import runlog

    def decode(path):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                acts = runlog.read_activities(path)
            except runlog.FileFormatError as exc:
                out = ("error", type(exc).__name__, str(exc))
            else:
                out = ("read", [(a.records, a.laps, a.info) for a in acts])
        return out, [(w.category.__name__, str(w.message)) for w in caught]

    def alone(path, dest):
        pid = os.fork()
        if pid == 0:
            try:
                with open(dest, "wb") as f:
                    pickle.dump(decode(path), f)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise SystemExit(f"decoding {path} alone: child status {status}")
        with open(dest, "rb") as f:
            return pickle.load(f)

    out, paths = sys.argv[1], sys.argv[2:]
    # each file alone first, while this interpreter has decoded nothing
    single = {p: alone(p, out + ".one") for p in paths}
    forward = {p: decode(p) for p in paths}
    backward = {p: decode(p) for p in reversed(paths)}
    with open(out, "wb") as f:
        pickle.dump({"single": single, "forward": forward, "backward": backward}, f)
""")


def _files(tmp_path: Path, *folders: Path) -> list[str]:
    """The real files under *folders* and the hand-made developer-field pair (written to *tmp_path*)."""
    made = tmp_path / "made"
    made.mkdir()
    # named so that the describing file comes first in name order, the undescribed one first in reverse
    (made / "dev_a_described.fit").write_bytes(described_dev_file())
    (made / "dev_b_undescribed.fit").write_bytes(undescribed_dev_file())
    found = [p for folder in (*folders, made) for p in folder.rglob("*")
             if p.is_file() and p.suffix.lower() in FORMATS]
    # formats interleaved: ordered by the file's own name, not its folder
    return [str(p) for p in sorted(found, key=lambda p: (p.name.lower(), str(p)))]


def _decode_three_ways(paths: list[str], tmp_path: Path) -> dict:
    if not hasattr(os, "fork"):
        pytest.skip("needs os.fork for one fresh process per file")
    out = tmp_path / "decoded.pkl"
    subprocess.run([sys.executable, "-c", CHILD, str(out), *paths], check=True, timeout=1800)
    with open(out, "rb") as f:
        return pickle.load(f)


def _assert_same(a, b, what: str) -> None:
    (outcome_a, warned_a), (outcome_b, warned_b) = a, b
    assert warned_a == warned_b, f"{what}: warnings differ"
    assert outcome_a[0] == outcome_b[0], f"{what}: read one way, refused the other"
    if outcome_a[0] == "error":
        assert outcome_a == outcome_b, f"{what}: errors differ"
        return
    assert len(outcome_a[1]) == len(outcome_b[1]), f"{what}: number of activities differs"
    for k, ((rec_a, laps_a, info_a), (rec_b, laps_b, info_b)) in enumerate(zip(outcome_a[1], outcome_b[1])):
        pd.testing.assert_frame_equal(rec_a, rec_b, check_exact=True, obj=f"{what} activity {k} records")
        pd.testing.assert_frame_equal(laps_a, laps_b, check_exact=True, obj=f"{what} activity {k} laps")
        pd.testing.assert_series_equal(info_a, info_b, check_exact=True, obj=f"{what} activity {k} info")


def _check(paths: list[str], tmp_path: Path) -> dict:
    got = _decode_three_ways(paths, tmp_path)
    for p in paths:
        name = Path(p).name
        _assert_same(got["single"][p], got["forward"][p], f"{name}: alone vs in name order")
        _assert_same(got["single"][p], got["backward"][p], f"{name}: alone vs in reverse order")
    return got


def test_bundled_files_decode_alike_in_any_order_and_alone(data_dir, tmp_path):
    paths = _files(tmp_path, data_dir)
    assert {Path(p).suffix.lower() for p in paths} == set(FORMATS) and len(paths) >= 22
    got = _check(paths, tmp_path)
    undescribed = next(p for p in paths if p.endswith("dev_b_undescribed.fit"))
    ((_, [(records, _, _)]), _) = got["single"][undescribed]
    assert records["hr_bpm"].tolist() == [120.0] * 5  # the file's own heart rate, not the developer field
    # most of them are read: the comparison is over frames, not over refusals
    assert sum(got["single"][p][0][0] == "read" for p in paths) >= 22


@pytest.mark.slow
def test_corpus_and_bundled_files_decode_alike_in_any_order_and_alone(data_dir, shared_dir, tmp_path):
    """The shared corpus (read where it lies, never copied) with the bundled files, one order across both."""
    paths = _files(tmp_path, shared_dir, data_dir)
    assert {Path(p).suffix.lower() for p in paths} == set(FORMATS)
    got = _check(paths, tmp_path)
    assert sum(got["single"][p][0][0] == "read" for p in paths) >= len(paths) // 2
