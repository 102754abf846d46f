# Two commands do all set-up on a fresh clone: `make run` and `make test`.
# Only Python 3.12 and make are assumed; uv is installed with pip when it is missing.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
UV ?= $(shell command -v uv || echo .tools/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test lint format messages catalogue check clean help bench load drills

help:
	@echo "make run    - the portal with demo data at http://127.0.0.1:8000/ (web server + Celery worker)"
	@echo "make test   - the whole test suite (SQLite unless DATABASE_URL is set)"
	@echo "make lint   - ruff, migrations and API schema checks"
	@echo "make messages - extract translatable strings into the zh-hans catalogue"
	@echo "make bench  - benchmarks against PostgreSQL (DATABASE_URL): one table of ratios to raw baselines (QUICK=1: < 3 min)"
	@echo "make load   - load test with Locust (gunicorn, PostgreSQL, Redis, a worker; bench/load)"
	@echo "make drills - fault drills on private PostgreSQL and Redis servers (bench/drills)"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check uv

# The environment comes from the lock file and is rebuilt only when the lock file changes.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python 3.12
	@touch $@

catalogue: $(VENV)/.synced
	@$(PY) manage.py compile_catalogue

run: $(VENV)/.synced catalogue
	$(PY) manage.py run_portal

# The suite runs in pytest-xdist workers, one per core, each on a test database of its own; a test
# file stays in one worker (the crawl builds its demo once). TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto
test: $(VENV)/.synced catalogue
	PORTAL_VAR_DIR=$(CURDIR)/var/test $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

format: $(VENV)/.synced
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.synced
	$(PY) manage.py makemessages --locale zh_Hans --no-obsolete --no-location --ignore ".venv/*" --ignore ".tools/*" --ignore "var/*" --ignore "tests/*" --ignore "bench/*"
	$(PY) manage.py compile_catalogue

# Benchmarks print figures with the raw baseline of the same run; they need PostgreSQL.
bench: $(VENV)/.synced catalogue
	@test -n "$$DATABASE_URL" || (echo "Set DATABASE_URL=postgres://... to run the benchmarks" && exit 1)
	$(PY) bench/run.py $(if $(QUICK),--quick) $(BENCH_ARGS)

clean:
	rm -rf var/celery var/static .pytest_cache

# The load test: its own database (the demo, sessions, a partner token) on DATABASE_URL's server,
# gunicorn, a Celery worker on CELERY_BROKER_URL (Redis) and Locust on 127.0.0.1; see bench/load/.
load: $(VENV)/.synced catalogue
	@test -n "$$DATABASE_URL" -a -n "$$CELERY_BROKER_URL" || (echo "Set DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://... to run the load test" && exit 1)
	$(PY) bench/load/run.py $(LOAD_ARGS)

# Fault drills on private PostgreSQL (5442) and Redis (6392) servers started and removed here.
drills: $(VENV)/.synced catalogue
	$(PY) bench/drills/run.py $(DRILLS_ARGS)
