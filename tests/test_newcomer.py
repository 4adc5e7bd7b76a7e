"""Issue 24's done-when, as a newcomer meets it: the shared corpus's real files with a 25-episode
journal written from its runs (tests/newcomer.py), read by `runlog report` with the runner's own
heart-rate values.  The counts of the import line are the history's, and the caveats state the
values given."""

from __future__ import annotations

import contextlib
import io
import warnings

import pytest
from newcomer import EPISODES_25, journal_25

import runlog
from runlog import cli

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def corpus(shared_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runlog.read_history(shared_dir, cache=False, progress=False)


def test_25_episode_journal_reads_on_the_real_runs(corpus):
    ep = runlog.read_episodes(io.StringIO(journal_25(corpus)), history=corpus)
    assert len(ep) == 25 and set(ep["run_id"]) == set(EPISODES_25)
    assert ep.attrs["tracked"][0] == runlog.read_episodes(io.StringIO(journal_25(corpus))).attrs["tracked"][0]


def test_newcomer_report_counts_and_heart_rate_caveat(corpus, shared_dir, tmp_path):
    path = tmp_path / "episodes.csv"
    path.write_text(journal_25(corpus), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["report", str(shared_dir), "--episodes", str(path), "--hr-max", "186", "--hr-rest", "48",
                         "--sex", "f", "--out", str(tmp_path / "r"), "--no-cache"])
    assert code == 0, err.getvalue()
    s = corpus.summary()
    first = out.getvalue().splitlines()[0]
    # 'runs' are foot runs: the import line and the history count them alike
    assert first.startswith(f"Read {s['activities']} activities: {s['runs']} runs, ")
    assert repr(corpus).startswith(f"<History {s['activities']} activities: {s['runs']} runs, ")
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert ("Your values: maximum heart rate 186 beats/min, resting heart rate 48 beats/min, sex female "
            "(given: command line).") in md
