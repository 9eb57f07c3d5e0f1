# The whole set-up on a fresh machine with Python 3.11+: `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-tools scale-demo lint format migrate messages seed worker bench backup restore

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Development server and task worker together, on the embedded PostgreSQL
# unless DATABASE_URL is set. Demo data and users are created on the first run.
run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo --if-empty --address $(HOST):$(PORT)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver_with_worker $(HOST):$(PORT)

# The whole suite, the browser journeys (Debian's Chromium) and the scale-out test (nginx)
# included: both are installed with apt when missing.
test: $(STAMP) test-tools
	$(BIN)/python -m pytest

test-tools:
	@bash scripts/ensure_test_tools.sh

# Two gunicorn servers behind nginx and a worker, sharing one PostgreSQL (crm/tests/test_scale_out.py).
scale-demo: $(STAMP) test-tools
	$(BIN)/python -m pytest crm/tests/test_scale_out.py -n0 -v

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(STAMP)
	$(BIN)/python manage.py migrate

messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale es --locale pt_BR --ignore .venv --ignore staticfiles --ignore "static/vendor/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore .venv

seed: $(STAMP)
	$(BIN)/python manage.py seed_demo

# Speed at scale on a separate database (crm_bench): builds the million-people data set once
# (under 10 minutes), then measures pages, import/export and a 60-second load test.
# Options: make bench ARGS="--skip-load --runs 50"; see bench/run.py.
bench: $(STAMP)
	$(BIN)/python -W ignore bench/run.py $(ARGS)

worker: $(STAMP)
	$(BIN)/python manage.py worker

# Backups of the whole database (pg_dump custom format) into backups/, and their restore.
backup: $(STAMP)
	$(BIN)/python manage.py backup

restore: $(STAMP)
	@test -n "$(FILE)" || (echo "Usage: make restore FILE=backups/crm-....dump" && exit 2)
	$(BIN)/python manage.py restore "$(FILE)"
