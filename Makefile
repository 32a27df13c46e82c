# `make run` and `make test` set everything up themselves (a .venv in the project).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL := postgresql://postgres@127.0.0.1:5432/test

.PHONY: install run test lint format clean bench

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: install
	$(BIN)/crisisbot serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Database tests run on SQLite, and again on PostgreSQL when one answers on 127.0.0.1:5432
# (or TEST_DATABASE_URL points at one).
test: lint
	@if [ -z "$$TEST_DATABASE_URL" ] && $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1).close()" 2>/dev/null; then \
		echo "PostgreSQL answers on 127.0.0.1:5432: database tests run on SQLite and PostgreSQL"; \
		TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
		[ -n "$$TEST_DATABASE_URL" ] || echo "*** PostgreSQL is not answering on 127.0.0.1:5432: PostgreSQL tests are SKIPPED ***"; \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

# Benchmarks of the real server against a fake Slack (bench/run.py): prints the table and
# writes bench/results.md. QUICK=1: smaller sizes, SQLite only, under two minutes.
bench: install
	$(BIN)/python -m bench $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
