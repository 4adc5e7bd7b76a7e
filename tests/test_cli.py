"""Tests of the HTML report (runlog.htmlreport) and the ``runlog`` command (runlog.cli).

The command is run as a subprocess, the way a runner runs it, on the bundled
real files, on the demo season and on bad paths and bad journals; exit codes
and messages are checked.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from runlog import cli, htmlreport  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _load_plot_fixtures():
    """The synthetic frames of tests/test_plot.py (one source of truth for them)."""
    spec = importlib.util.spec_from_file_location("_plot_fixtures", Path(__file__).with_name("test_plot.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


tp = _load_plot_fixtures()


def run_cli(*args, cwd=None, timeout=900):
    """Run ``python -m runlog.cli ARGS`` (same as the installed ``runlog`` script)."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "runlog.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=timeout)


def synthetic_report():
    runs = tp.synthetic_runs()
    return SimpleNamespace(
        factors=tp.synthetic_factors(),
        findings=pd.DataFrame({"sentence": ["Numbness went with hotter runs: odds 2.5 times higher per step "
                                            "(95% CI 1.4-4.4, q = 0.005).", "Second <finding> & more."]}),
        caveats=["Only 4 runs with numbness: wide intervals."],
        onset=None, model=None, flags=tp.synthetic_flags(runs), features=tp.synthetic_features(runs), runs=runs)


# ---------------------------------------------------------------------------
# --tracked parsing
# ---------------------------------------------------------------------------
def test_parse_tracked():
    assert cli.parse_tracked("2024-03-04:2024-08-31") == (pd.Timestamp("2024-03-04"), pd.Timestamp("2024-08-31"))
    assert cli.parse_tracked("2024-03-04") == (pd.Timestamp("2024-03-04"), None)
    assert cli.parse_tracked("2024-03-04:") == (pd.Timestamp("2024-03-04"), None)
    with pytest.raises(argparse.ArgumentTypeError, match="end date is before"):
        cli.parse_tracked("2024-03-04:2024-01-01")
    with pytest.raises(argparse.ArgumentTypeError, match="ISO dates"):
        cli.parse_tracked("March:2024-01-01")
    with pytest.raises(argparse.ArgumentTypeError, match="start date is missing"):
        cli.parse_tracked(":2024-01-01")


# ---------------------------------------------------------------------------
# HTML report
# ---------------------------------------------------------------------------
def test_render_report_is_self_contained(tmp_path):
    path = tmp_path / "sub" / "report.html"
    page = htmlreport.render_report(synthetic_report(), path)
    assert path.read_text(encoding="utf-8") == page
    # findings in plain words, escaped
    assert "odds 2.5 times higher" in page and "Second &lt;finding&gt; &amp; more." in page
    assert "Only 4 runs with numbness" in page and "Not a diagnosis" in page
    # the factors table: one row per factor, the q < 0.05 one shaded
    table = re.search(r"<table class='factors'>.*?</table>", page, re.S).group(0)
    assert table.count("<tr") == 1 + 5
    assert table.count("class=sig") == 1 and "avg_temp_c" in table
    # 1.4 - 4.4 interval of the first factor
    assert "1.40 – 4.40" in table
    # embedded PNGs: forest, onset, load, calendar, scatter
    imgs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(imgs) == 5
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in imgs)
    # nothing loaded from elsewhere
    assert "http://" not in page and "https://" not in page and "<script" not in page


def test_render_report_without_figures_or_findings():
    rep = SimpleNamespace(factors=tp.synthetic_factors().iloc[:0], findings=pd.DataFrame({"sentence": []}),
                          caveats=[], onset=None, model=None)
    page = htmlreport.render_report(rep, figures=False)
    assert "No factor stands out" in page and "No factor could be tested." in page
    assert "data:image/png" not in page


def test_factors_table_formats_numbers():
    f = pd.DataFrame({"factor": ["a"], "cause": ["other"], "effect": [1.23456], "ci_low": [0.5],
                      "ci_high": [3.0], "p_value": [0.0004], "q_value": [0.04]})
    t = htmlreport.factors_table(f)
    assert "<td class='num'>1.23</td>" in t and "0.50 – 3.00" in t and "class=sig" in t
    # p below 0.001 is written as such, escaped; q to two significant digits
    assert "<td class='num'>&lt;0.001</td><td class='num'>0.04</td>" in t
