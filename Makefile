PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m ipykernel install --prefix $(VENV) --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	MPLBACKEND=Agg $(PY) -m pytest -q

demo: $(STAMP)
	$(VENV)/bin/runlog demo --out runlog-demo

bench: $(STAMP)
	$(PY) bench/bench_io.py
	$(PY) bench/bench_features.py
	$(PY) bench/validate_analysis.py

clean:
	rm -rf $(VENV) runlog-demo .pytest_cache
