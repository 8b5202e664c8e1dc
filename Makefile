# peakpath: a fresh machine (Python >= 3.11 and PyPI access) needs two commands:
#   make briefing   # install, run the default batch, print outputs/latest/index.html
#   make test       # install, lint, run the whole test suite
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched only after a successful install; depends on pyproject.toml so an unchanged
# project skips the install entirely.
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
BATCH_ARGS ?=

.PHONY: help venv install test lint format briefing bench clean strip-notebooks nbstripout-install

help:
	@echo "make briefing        install if needed, run the default batch, print the briefing path"
	@echo "make test            install if needed, ruff check + format check, pytest -n auto"
	@echo "make venv            create/reuse .venv and install peakpath[dev] (skipped if up to date)"
	@echo "make bench           run the benchmarks (python -m benchmarks)"
	@echo "make lint | format   ruff check / ruff format the whole tree"
	@echo "make strip-notebooks strip outputs from notebooks/*.ipynb (keeps the parameters tag)"
	@echo "make nbstripout-install  install nbstripout as this clone's git filter"
	@echo "make clean           remove .venv and outputs/runs"

venv install: $(STAMP)

# Created only when missing; rebuilding a venv for another Python is `make clean` first.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "peakpath needs Python >= 3.11; '$(PYTHON)' is older. Try: make PYTHON=python3.11" >&2; \
	  exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml Makefile | $(BIN)/python
	@# Some distributions create venvs without pip; ensurepip restores it.
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --python $(BIN)/python --compile-bytecode -e '.[dev]'
	@# uv compiles only what it installed; compile the rest of site-packages too. Without .pyc
	@# files (uv's default, and PYTHONDONTWRITEBYTECODE=1 stops Python writing them) every
	@# kernel recompiles pandas, matplotlib, papermill...: the batch ran twice as slow.
	@$(BIN)/python -m compileall -q -j 0 "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" >/dev/null || true
	@touch $@

test: $(STAMP)
	@# Best effort: browser tests skip with a message when Chromium is absent.
	@bash scripts/ensure_chromium.sh || true
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# Exit code 5 (no tests collected) is a failure on purpose: the suite is never empty.
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

briefing: $(STAMP)
	@if [ ! -f scripts/run_batch.py ]; then \
	  echo "make briefing: scripts/run_batch.py does not exist yet (the batch runner is" \
	       "still being written); no briefing was produced." >&2; \
	  exit 1; fi
	$(BIN)/python scripts/run_batch.py $(BATCH_ARGS)
	@if [ ! -f outputs/latest/index.html ]; then \
	  echo "make briefing: the batch finished but outputs/latest/index.html does not exist" >&2; \
	  exit 1; fi
	@echo "$(CURDIR)/outputs/latest/index.html"

bench: $(STAMP)
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

strip-notebooks: $(STAMP)
	@shopt -s nullglob; files=(notebooks/*.ipynb); \
	if [ $${#files[@]} -gt 0 ]; then $(BIN)/nbstripout "$${files[@]}"; fi

# Writes only this clone's .git/config and .git/info/attributes.
nbstripout-install: $(STAMP)
	$(BIN)/nbstripout --install

clean:
	rm -rf $(VENV) outputs/runs
	@# outputs/latest points into outputs/runs; drop it rather than leave it dangling.
	@if [ -L outputs/latest ]; then rm -f outputs/latest; fi
