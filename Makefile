# battrace developer commands. `make help` lists them.
SHELL := /bin/bash
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: help install run test test-sqlite test-pg check db-check bench demo

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/battrace: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $(BIN)/battrace

install: $(BIN)/battrace ## create .venv and install battrace with its test tools

run: install ## serve on 127.0.0.1:8000 (SQLite ./battrace.db) with the tutorial seeds and demo data
	$(BIN)/battrace serve --with-demo

test: install ## run the whole test suite on SQLite and PostgreSQL (two legs side by side), then lint and type checks
	@set -o pipefail; \
	( BATTRACE_TEST_BACKENDS=sqlite $(BIN)/pytest -q 2>&1 | sed -u 's/^/[sqlite] /' ) & sqlite=$$!; \
	( BATTRACE_TEST_BACKENDS=postgresql BATTRACE_TEST_ONLY_BACKEND_TESTS=1 $(BIN)/pytest -q 2>&1 | sed -u 's/^/[postgresql] /' ) & pg=$$!; \
	status=0; wait $$sqlite || status=1; wait $$pg || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: a test leg failed (see [sqlite] / [postgresql] lines above)"; fi; \
	exit $$status
	$(MAKE) check

test-sqlite: install ## run the tests on SQLite only
	BATTRACE_TEST_BACKENDS=sqlite $(BIN)/pytest -q

test-pg: install ## run the tests on PostgreSQL only
	BATTRACE_TEST_BACKENDS=postgresql $(BIN)/pytest -q

check: install ## format check, lint, types, the layers contract (docs/architecture.md)
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: install ## API and roll-up benchmarks (SQLite and PostgreSQL), print figures
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/api.py
	$(BIN)/python benchmarks/rollup.py
	$(BIN)/python benchmarks/reuse.py

demo: install ## build a demo supply chain through the HTTP API and print what happened
	$(BIN)/battrace demo
