# Two commands matter: `make demo` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
# Python 3.11 exactly (the pins are compiled for it); checked before the venv is made, with the
# fix in the message, instead of falling back to whatever `python3` is.
PYTHON ?= $(shell command -v python3.11)
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed

# Telemetry of Dagster, dbt and Great Expectations stays off everywhere.
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DBT_VERSION_CHECK := false
export GX_ANALYTICS_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install demo test lint format manifest lock bench bench-ingest ui clean browser

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || { \
		test -n "$(PYTHON)" && "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
		echo "Python 3.11 trengs (fant ikke python3.11 på PATH, eller PYTHON=$(PYTHON) er ikke 3.11)." >&2; \
		echo "Installer den (f.eks. apt-get install python3.11 python3.11-venv, eller pyenv install 3.11)" >&2; \
		echo "eller pek på den: make demo PYTHON=/sti/til/python3.11" >&2; exit 1; }; \
		"$(PYTHON)" -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

## dbt's manifest, prepared once at build time so Dagster never parses dbt at import; parsed
## again only when a file of the dbt project (or the installation) changed: a parse is ~5 CPU-s
## of every `make demo` otherwise (docs/scaling.md, fixed costs).
DBT_SOURCES := $(shell find dbt \( -path dbt/target -o -path dbt/logs -o -path dbt/dbt_packages \) -prune -o -type f -print 2>/dev/null)
manifest: dbt/target/manifest.json

dbt/target/manifest.json: $(STAMP) $(DBT_SOURCES)
	$(BIN)/workforce dbt-manifest

## Set up everything and run the whole pipeline on synthetic deliveries and the bundled SSB snapshot.
demo: manifest
	$(BIN)/workforce demo

## Debian's Chromium for the browser tests (Playwright drives it; never `playwright install`).
browser:
	@test -x /usr/bin/chromium || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium; }

# The dbt project's SQL (rules and why some are left out: .sqlfluff); ~30 s of CPU.
SQLFLUFF := $(BIN)/sqlfluff lint --processes 2 dbt/models dbt/tests

## Lint and the whole test suite.
test: manifest browser
	$(BIN)/ruff check pipelines tests tools
	$(SQLFLUFF)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check pipelines tests tools
	$(SQLFLUFF)

format: $(STAMP)
	$(BIN)/ruff format pipelines tests tools
	$(BIN)/ruff check --fix pipelines tests tools

## Recompile the pins (names and versions only) after editing requirements.in.
lock: $(STAMP)
	$(UV) pip compile requirements.in --python-version 3.11 --no-header --no-annotate -o requirements.txt

## Scale benchmark (docs/scaling.md): `make bench BENCH_SCALES=smoke,demo` for fewer scales.
BENCH_SCALES ?= all
bench: manifest
	$(BIN)/workforce bench all --scales $(BENCH_SCALES)

bench-ingest: $(STAMP)
	$(BIN)/workforce bench ingest

ui: manifest
	$(BIN)/workforce ui

clean:
	rm -rf $(VENV) dbt/target dbt/logs
