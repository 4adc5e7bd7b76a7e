PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install lint test test-fast demo bench validate notebook kernel clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "runlog needs Python 3.11 or newer; '$(PYTHON)' is older. Try: make PYTHON=python3.12 $(MAKECMDGOALS)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(PY) -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

# ruff (rules in pyproject.toml) and a type check of the package and its public API (mypy, [tool.mypy])
lint: $(STAMP)
	$(PY) -m ruff check runlog tests bench
	$(PY) -m mypy

# the suite on every core (pytest-xdist); WORKERS=0 runs it in this process (e.g. to debug with pdb)
WORKERS ?= auto

test: lint
	MPLBACKEND=Agg $(PY) -m pytest -q -n $(WORKERS)

# without the slow tests and those needing the ../shared corpus
test-fast: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -q -n $(WORKERS) -m "not slow and not shared"

demo: $(STAMP)
	$(VENV)/bin/runlog demo --out runlog-demo

# JupyterLab (the 'notebook' extra) on notebooks/, with runlog's environment as its kernel
$(VENV)/.notebook: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,notebook]'
	touch $(VENV)/.notebook

notebook: $(VENV)/.notebook
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(JUPYTER_ARGS)

# register runlog's environment as the kernel "Python (runlog)" in your own Jupyter (your user's kernels)
kernel: $(STAMP)
	$(PY) -m ipykernel install --user --name runlog --display-name "Python (runlog)"

bench: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(PY) bench/bench_import.py
	$(PY) bench/bench_io.py
	$(PY) bench/bench_history.py
	$(PY) bench/bench_fit.py
	$(PY) bench/bench_gpx_fast.py
	$(PY) bench/bench_features.py
	$(PY) bench/bench_journal.py
	$(PY) bench/bench_weather.py
	$(PY) bench/bench_analysis.py --end-to-end
	$(PY) bench/bench_analysis.py --report
	$(PY) bench/bench_report.py

# the statistics checked on simulated data where the truth is known (short defaults; the figures in
# README and docs/validation.md come from the longer runs each script's docstring names)
validate: $(STAMP)
	$(PY) bench/validate_analysis.py
	$(PY) bench/validate_experiment.py

clean:
	rm -rf $(VENV) runlog-demo .pytest_cache .ruff_cache .mypy_cache
