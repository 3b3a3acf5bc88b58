# Two commands work on a fresh clone with only Python >= 3.10:
#   make demo   set up .venv and run the demo against the embedded sandbox
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The dev extra (test tools, JupyterLab, Playwright, benchmarks, linters): test, lint, ...
STAMP := $(VENV)/.installed
# The package and its runtime dependencies only: what the demo needs.
DEMO_STAMP := $(VENV)/.installed-demo
# The package with the [lab] extra (JupyterLab, ipywidgets 8, matplotlib).
LAB_STAMP := $(VENV)/.installed-lab

.PHONY: demo test test-compat lab bench lint typecheck clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(STAMP): pyproject.toml | $(VENV)/.created
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(DEMO_STAMP): pyproject.toml | $(VENV)/.created
	$(PY) -m pip install --quiet -e .
	touch $@

$(LAB_STAMP): pyproject.toml | $(VENV)/.created
	$(PY) -m pip install --quiet -e '.[lab]'
	touch $@

demo: $(DEMO_STAMP)
	$(PY) -m mammoth_pandas demo

test: $(STAMP)
	$(PY) -m pytest -n 2 --durations=10

# The widget and client tests again under the older majors still supported:
# ipywidgets 7 and pandas 2, in a second virtualenv.
COMPAT_VENV ?= .venv-compat
COMPAT_STAMP := $(COMPAT_VENV)/.installed

$(COMPAT_STAMP): pyproject.toml
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COMPAT_VENV)/bin/python -m pip install --quiet -e '.[test]' 'ipywidgets>=7.7,<8' 'pandas>=2,<3'
	touch $(COMPAT_STAMP)

test-compat: $(COMPAT_STAMP)
	$(COMPAT_VENV)/bin/python -m pytest -n 2 -q tests/widgets tests/client

lab: $(LAB_STAMP)
	$(PY) -m mammoth_pandas lab

bench: $(STAMP)
	$(PY) -m bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) $(COMPAT_VENV) .pytest_cache .mypy_cache .ruff_cache
