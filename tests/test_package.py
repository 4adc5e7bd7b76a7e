"""The package itself: what ``import runlog`` loads, the lazily exported names, the exported errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import runlog
import runlog.errors
import runlog.features.athlete
import runlog.features.weather
import runlog.io._xml
import runlog.render.plot
import runlog.simulate
from runlog import Report, analyze
from runlog.report import Report as R
from runlog.report import analyze as a

ROOT = Path(__file__).resolve().parents[1]

#: Modules ``import runlog`` must not load: they cost ~2 s and load on first use.
HEAVY = ("statsmodels", "firthmodels", "scipy.stats", "runlog.simulate", "runlog.analysis", "matplotlib")


def _fresh(code: str) -> dict:
    """Run *code* in a fresh interpreter with this checkout first on the path; it prints JSON."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"})
    return json.loads(out.stdout)


def test_import_runlog_loads_no_heavy_module():
    got = _fresh("import json, sys, runlog\n"
                 f"loaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
                 "print(json.dumps({'file': runlog.__file__, 'loaded': loaded}))")
    assert Path(got["file"]).resolve() == ROOT / "runlog" / "__init__.py"
    assert got["loaded"] == []


def test_runlog_help_loads_no_heavy_module():
    got = _fresh("import contextlib, io, json, sys\nimport runlog.cli\n"
                 "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
                 "    runlog.cli.main(['--help'])\n"
                 f"print(json.dumps({{'loaded': [m for m in {HEAVY!r} if m in sys.modules]}}))")
    assert got["loaded"] == []


def _blas_threads(argv0: str, env: dict | None = None) -> dict:
    """OPENBLAS_NUM_THREADS and OpenBLAS's thread counts (threadpoolctl) in a fresh interpreter whose
    ``sys.argv[0]`` is *argv0* when runlog is imported."""
    code = (f"import json, os, sys\nsys.argv[0] = {argv0!r}\nimport runlog, numpy, scipy.linalg\n"
            "from threadpoolctl import threadpool_info\n"
            "blas = [p['num_threads'] for p in threadpool_info() if p['internal_api'] == 'openblas']\n"
            "print(json.dumps({'env': os.environ.get('OPENBLAS_NUM_THREADS'), 'threads': blas}))")
    base = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**base, "PYTHONPATH": str(ROOT), **(env or {})})
    return json.loads(out.stdout)


def test_the_runlog_program_starts_openblas_with_one_thread_and_a_script_keeps_its_own():
    program = _blas_threads(str(Path(sys.executable).parent / "runlog"))
    assert program["env"] == "1" and program["threads"] and set(program["threads"]) == {1}
    script = _blas_threads("analysis.py")
    assert script["env"] is None
    if (os.cpu_count() or 1) > 1:
        assert max(script["threads"]) > 1   # the library's default: a thread per core
    # what the runner set is kept
    assert _blas_threads("runlog", {"OPENBLAS_NUM_THREADS": "2"})["env"] == "2"


def test_lazy_names_resolve_to_the_real_objects():
    assert analyze is a and Report is R
    assert runlog.simulate is sys.modules["runlog.simulate"] and runlog.plot is sys.modules["runlog.render.plot"]
    assert callable(runlog.simulate.simulate_season)
    for name in runlog.__all__:
        assert getattr(runlog, name) is not None, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        runlog.nope  # noqa: B018


def test_every_error_and_warning_is_exported_from_runlog_and_errors():
    for name in ("RunlogError", "FileFormatError", "NotAnActivityError", "JournalError", "NotesError",
                 "AnalysisError", "WeatherError", "AthleteError", "RunlogWarning", "TruncatedFileWarning",
                 "XmlRecoveryWarning", "UntimedPointsWarning"):
        assert name in runlog.__all__ and name in runlog.errors.__all__
        assert getattr(runlog, name) is getattr(runlog.errors, name)
    # the classes the readers warn with
    assert runlog.io._xml.XmlRecoveryWarning is runlog.XmlRecoveryWarning
    assert runlog.io._common.UntimedPointsWarning is runlog.UntimedPointsWarning
    assert issubclass(runlog.XmlRecoveryWarning, runlog.RunlogWarning)
    # the modules that raise them
    assert runlog.features.weather.WeatherError is runlog.WeatherError
    assert runlog.features.athlete.AthleteError is runlog.AthleteError
    for cls in (runlog.WeatherError, runlog.AthleteError):
        assert issubclass(cls, runlog.RunlogError) and issubclass(cls, ValueError)
    # the hierarchy, checked here once (the tests of the readers do not repeat it)
    assert issubclass(runlog.NotesError, runlog.JournalError) and issubclass(runlog.JournalError, ValueError)
    assert issubclass(runlog.NotAnActivityError, runlog.FileFormatError)
    assert issubclass(runlog.FileFormatError, runlog.RunlogError) and issubclass(runlog.FileFormatError, ValueError)
    with warnings.catch_warnings(record=True) as rec:       # a user filters them without a private import
        warnings.simplefilter("ignore", runlog.XmlRecoveryWarning)
        warnings.warn("x", runlog.io._xml.XmlRecoveryWarning, stacklevel=1)
    assert rec == []


def test_importing_features_fills_no_global():
    got = _fresh("import json, runlog.schema as s\n"
                 "before = sorted(vars(s))\n"
                 "from runlog.features import catalog\n"
                 "print(json.dumps({'same': sorted(vars(s)) == before, 'n': len(catalog.FEATURES)}))")
    assert got["same"] and got["n"] > 30


def test_dir_is_the_public_names():
    # exactly __all__: no imported helpers (importlib, TYPE_CHECKING) and no submodules that happen to be loaded
    import runlog.history

    assert dir(runlog) == runlog.__all__
    assert {"analyze", "Report", "simulate", "plot", "experiment", "features"} <= set(runlog.__all__)
    assert not {"importlib", "TYPE_CHECKING", "history", "io", "errors", "annotations"} & set(dir(runlog))


def test_version_is_written_once_and_type_information_ships():
    import importlib.metadata
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in meta["project"] and "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "runlog._version.__version__"}
    assert importlib.metadata.version("runlog") == runlog.__version__   # the installed metadata read it
    assert (Path(runlog.__file__).parent / "py.typed").is_file()
    assert "py.typed" in meta["tool"]["setuptools"]["package-data"]["runlog"]

