# One command each: set up, run the demo, run the tests. Everything lives in ./.venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test bench

setup:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'

demo:
	$(BIN)/parknews demo --db demo.db

test:
	$(BIN)/pytest -q

bench:
	$(BIN)/python bench/bench_crawl.py
