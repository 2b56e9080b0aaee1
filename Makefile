# Wrenchmark: `make run` to try it, `make test` to check it. `make help` lists the rest.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
CATALOGS := wrenchmark/catalog/data/ase-2026-07.yaml wrenchmark/catalog/data/northwind-2026.yaml

.DEFAULT_GOAL := help
.PHONY: help run serve setup demo test lint check test-sqlite test-postgres bench fault messages clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Wrenchmark needs Python 3.11 or newer: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed pyproject.toml package-lock.json
	$(PY) -m pip install --quiet -e '.[dev]'
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: the browser tests' accessibility audit (axe-core) will be skipped"; fi
	@touch $@

setup: $(VENV)/.installed ## Install, migrate, load the catalogs and the demo data (idempotent)
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py catalog_load $(CATALOGS)
	$(PY) manage.py itembank_load
	$(PY) manage.py demo_load

run: setup ## Set everything up and serve on http://$(HOST):$(PORT) (SQLite)
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py runserver $(HOST):$(PORT)

serve: ## Serve without setting up again
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.dev-installed ## ruff, mypy, import contracts, migrations up to date
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy wrenchmark config
	$(VENV)/bin/lint-imports
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

test-sqlite: $(VENV)/.dev-installed ## The whole suite on SQLite
	env -u DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest

test-postgres: $(VENV)/.dev-installed ## The whole suite on PostgreSQL (needs DATABASE_URL)
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL=postgres://USER@HOST:5432/DBNAME to run on PostgreSQL"; exit 2; }
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest

test: lint test-sqlite ## Lint, then the suite on SQLite, and on PostgreSQL too when DATABASE_URL is set
	@if [ -n "$(DATABASE_URL)" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "DATABASE_URL is not set: skipped the PostgreSQL run"; fi

bench: $(VENV)/.dev-installed ## Load benchmark on loopback, the daily credential refresh at scale (SQLite; PostgreSQL too with DATABASE_URL), calibration and assembly beside the PyPI peers, then the fault test
	$(PY) bench/exam_load.py $(BENCH_ARGS)
	$(PY) bench/credentials_refresh.py $(CREDENTIALS_BENCH_ARGS)
	-$(PY) -m pip install --quiet girth mirt theta-irt
	$(PY) bench/psychometrics.py $(PSYCHOMETRICS_BENCH_ARGS)
	$(PY) bench/fault.py --if-available $(FAULT_ARGS)

fault: $(VENV)/.dev-installed ## Fault test (G1): kill workers, crash a private PostgreSQL; no acknowledged save lost
	$(PY) bench/fault.py $(FAULT_ARGS)

check: lint ## Alias for lint

messages: $(VENV)/.dev-installed ## Refresh and compile the Spanish translations
	cd wrenchmark && ../$(PY) ../manage.py makemessages -l es --no-obsolete --ignore 'tests/*'
	cd wrenchmark && ../$(PY) ../manage.py compilemessages -l es

clean: ## Remove the virtual environment and local data
	rm -rf $(VENV) var
