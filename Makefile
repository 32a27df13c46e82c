# `make run` and `make test` set everything up themselves (a .venv in the project).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL := postgresql://postgres@127.0.0.1:5432/test

.PHONY: install run test lint format clean browser cards teams-package bench

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
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The browser tests drive Debian's Chromium. Where it is missing and cannot be installed here
# (root and apt-get are needed), they are skipped, and pytest's summary says why.
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Chromium for the browser tests (apt-get install chromium)"; \
			{ apt-get update -qq && apt-get install -y -qq chromium; } >/dev/null 2>&1 \
				|| echo "*** Chromium could not be installed: browser tests are SKIPPED ***"; \
		else \
			echo "*** No Chromium at /usr/bin/chromium and no root apt-get: browser tests are SKIPPED ***"; \
		fi; \
	}

# Teams cards are checked by Microsoft's `adaptivecards` library (tests/cards/check.js), run by
# Node.js. Where npm is missing, those tests are skipped, and pytest's summary says why.
ADAPTIVECARDS := 3.0.6
CARDS_STAMP := $(VENV)/node/.adaptivecards-$(ADAPTIVECARDS)
cards: $(CARDS_STAMP)

$(CARDS_STAMP):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix $(VENV)/node adaptivecards@$(ADAPTIVECARDS) \
			&& touch $@ || echo "*** adaptivecards could not be installed: Teams card checks are SKIPPED ***"; \
	else \
		echo "*** No npm: Teams card checks are SKIPPED ***"; \
	fi

# Database tests run on SQLite, and again on PostgreSQL when one answers on 127.0.0.1:5432
# (or TEST_DATABASE_URL points at one).
test: lint browser cards
	@if [ -z "$$TEST_DATABASE_URL" ] && $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1).close()" 2>/dev/null; then \
		echo "PostgreSQL answers on 127.0.0.1:5432: database tests run on SQLite and PostgreSQL"; \
		TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest $(PYTEST_ARGS); \
	else \
		[ -n "$$TEST_DATABASE_URL" ] || echo "*** PostgreSQL is not answering on 127.0.0.1:5432: PostgreSQL tests are SKIPPED ***"; \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

# The Teams app package: teams/manifest.json with the bot's app id and public domain filled
# in, and the two icons, zipped for upload (Teams Developer Portal or Teams admin centre).
#   make teams-package TEAMS_APP_ID=<the bot's Microsoft App ID> BOT_DOMAIN=crisis.example.com
TEAMS_PACKAGE_DIR ?= build
teams-package:
	@test -n "$(TEAMS_APP_ID)" || { echo "TEAMS_APP_ID=<the bot's app id> is required"; exit 1; }
	@test -n "$(BOT_DOMAIN)" || { echo "BOT_DOMAIN=<the bot's public host name> is required"; exit 1; }
	@mkdir -p $(TEAMS_PACKAGE_DIR)/teams
	sed -e 's/{{TEAMS_APP_ID}}/$(TEAMS_APP_ID)/g' -e 's/{{BOT_DOMAIN}}/$(BOT_DOMAIN)/g' \
		teams/manifest.json > $(TEAMS_PACKAGE_DIR)/teams/manifest.json
	cp teams/color.png teams/outline.png $(TEAMS_PACKAGE_DIR)/teams/
	cd $(TEAMS_PACKAGE_DIR)/teams && rm -f ../crisisbot-teams.zip && \
		$(PYTHON) -m zipfile -c ../crisisbot-teams.zip manifest.json color.png outline.png
	@echo "$(TEAMS_PACKAGE_DIR)/crisisbot-teams.zip"

# Benchmarks of the real server against a fake Slack (bench/run.py): prints the table and
# writes bench/results.md. QUICK=1: smaller sizes, SQLite only, under two minutes.
# DATABASES=sqlite,postgresql: those databases instead.
bench: install
	$(BIN)/python -m bench $(if $(QUICK),--quick) $(if $(DATABASES),--databases $(DATABASES))

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
