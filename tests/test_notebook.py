"""The example notebook is committed without outputs and runs from top to bottom.

It is executed with nbclient on the ``python3`` kernel (``make install``
installs one into the virtualenv), so a change that breaks the documented
path breaks the test suite.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_explore_demo_season.ipynb"


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) > 20
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
def test_notebook_runs(tmp_path, monkeypatch):
    # the notebook writes the demo season into a temporary folder: keep it under tmp_path
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    from jupyter_client.kernelspec import find_kernel_specs

    if "python3" not in find_kernel_specs():
        pytest.fail("no Jupyter kernel named 'python3': run `make install` (it installs one into .venv) "
                    "or `.venv/bin/python -m ipykernel install --prefix .venv --name python3`")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError (with the cell and traceback) if any cell fails

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # every plot section drew: calendar, load, forest, 2 onset panels (1 figure), 2 traces, scatter, report,
    # the experiment's runs per level, and the form panel of section 10
    pngs = [base64.b64decode(o.data["image/png"]) for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) == 10 and all(p[:4] == b"\x89PNG" for p in pngs)
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    # the answer-key check ran (its assert would have raised) and printed the planted cause
    assert "planted cause: hydration; leading finding:" in text and "(cause hydration" in text
    # the experiment went from plan to answer (section 9)
    assert "16,384 possible schedules" in text and "randomisation test p =" in text
    assert "3 runs proposed from the typed notes" in text   # the drafted journal (section 10)
    assert "What this cannot show" in text and len(list(tmp_path.rglob("experiment.html"))) == 1
    # the HTML report was written inside tmp_path
    reports = list(tmp_path.rglob("report.html"))
    assert len(reports) == 1 and reports[0].stat().st_size > 100_000
