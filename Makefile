# Every target creates .venv itself when it is missing.
PYTHON ?= python3
VENV ?= .venv
ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
else
BIN := $(VENV)/bin
endif
PY := $(BIN)/python
STAMP := $(VENV)/.installed
RECORDS ?= ./records

.PHONY: run test typecheck bench bench-suite fuzz lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m sdm_tui --records $(RECORDS)

# --dist loadscope: each test module on one worker, so its module fixtures (synthetic
# archives, a browser) are built once, not on every worker (about 10% sooner than the default).
test: $(STAMP)
	$(PY) -m ruff check sdm_tui tests benchmarks
	$(PY) -m ruff format --check sdm_tui tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest -q -n auto --dist loadscope

# mypy alone: strict for sdm_tui/core, mypy's defaults for the rest ([tool.mypy]).
typecheck: $(STAMP)
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) -m benchmarks

# The whole test suite's wall time, for information (benchmarks/suite.py; minutes).
bench-suite: $(STAMP)
	$(PY) -m benchmarks suite

# 10,000 mutated records, grids and scenarios, then 1,000 SIGKILLs mid-save (a few minutes).
fuzz: $(STAMP)
	$(PY) -m benchmarks.fuzz 10000 1000

lint: $(STAMP)
	$(PY) -m ruff check sdm_tui tests benchmarks
	$(PY) -m ruff format --check sdm_tui tests benchmarks

format: $(STAMP)
	$(PY) -m ruff check --fix sdm_tui tests benchmarks
	$(PY) -m ruff format sdm_tui tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
