# One command each: set up, run the demo, run the tests. Everything lives in ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test test-fast test-kill bench

# Last step: bytecode for the project's own modules, as pip writes it for installed packages:
# an editable install leaves it to the first run, which never writes it where
# PYTHONDONTWRITEBYTECODE is set (every command then compiles ~60 modules: +0.1 s a start).
setup:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q normalize extract archive crawler cli

demo:
	$(BIN)/parknews demo --db demo.db

# Two steps: everything but the kill suite on both cores (pytest-xdist), then the kill suite
# alone, since its SIGKILLs land at timed moments and want the machine to themselves.
test:
	$(BIN)/pytest -q -n 2 -m "not kill"
	$(BIN)/pytest -q -m kill

test-fast:
	$(BIN)/pytest -q -n 2 -m "not kill and not hostile"

test-kill:
	$(BIN)/pytest -q -m kill

bench:
	$(BIN)/python bench/bench_crawl.py
