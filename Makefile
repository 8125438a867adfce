# Tongban — the two set-up commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test test-fast lint bench install messages clean-demo

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## make demo: the whole platform on the embedded default (SQLite, worker, scheduler), demo county loaded.
demo: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py seed_demo
	$(PY) manage.py run_platform --port $(PORT)

## make test: lint, architecture contracts, types, and the whole suite (browser tests included).
test: install lint
	TONGBAN_TESTING=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: install
	TONGBAN_TESTING=1 $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

bench: install
	TONGBAN_BENCH_DATABASE_URL=$(TONGBAN_BENCH_DATABASE_URL) $(PY) bench/run.py

## make messages: refresh locale/en/LC_MESSAGES/django.po from the sources and compile django.mo (commit both).
MESSAGES_IGNORE := --ignore '.venv/*' --ignore 'static/*' --ignore 'var/*' --ignore '*/tests/*' --ignore 'bench/*'
messages: install
	$(PY) manage.py makemessages -l en $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l en $(MESSAGES_IGNORE)

## Production deployment (docs/deploy.md) — targets added for issue 7.
.PHONY: deploy-check restore-drill loadtest loadtest-trial bench-nginx

## make deploy-check: `manage.py check --deploy` with deploy/tongban.env.example (or ENV_FILE=…) and `nginx -t`.
deploy-check: install
	PY=$(PY) deploy/bin/deploy-check $(ENV_FILE)

## make restore-drill: scratch PostgreSQL + demo data, backup, wipe, restore, compare rows and media checksums.
restore-drill: install
	PY=$(PY) $(PY) deploy/bin/restore-drill

## make loadtest: the county's morning at 10× (locust, 10 minutes) against gunicorn + PostgreSQL, then invariants.
loadtest: install
	$(VENV)/bin/pip install -q -e ".[load]"
	bench/load/run.sh

loadtest-trial: install
	$(VENV)/bin/pip install -q -e ".[load]"
	LOAD_TIME=1m LOAD_USERS=60 bench/load/run.sh

bench-nginx: install
	$(PY) bench/bench_nginx_cache.py
