# The registry's commands. `make run` and `make test` set everything up on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test-only npm tools (axe-core for the accessibility test), installed from package-lock.json into node_modules/.
NODE_STAMP := node_modules/.installed
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench api-fuzz stack messages migrate setup-data clean-venv check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "The registry needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Install it, or run: make run PYTHON=python3.12"; exit 1; }

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

messages: $(STAMP)
	@if [ -d locale ]; then $(MANAGE) compilemessages --ignore=.venv -v 0; fi

var:
	@mkdir -p var

migrate: $(STAMP) messages | var
	$(MANAGE) migrate --noinput -v 1

setup-data: migrate
	$(MANAGE) load_divisions
	$(MANAGE) load_demo

run: setup-data
	@echo ""
	@echo "Taobao Village Registry: http://$(HOST):$(PORT)/   (admin: http://$(HOST):$(PORT)/admin/)"
	@$(MANAGE) demo_accounts
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(STAMP) messages $(NODE_STAMP) | var
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=taobao_site.settings.test $(MANAGE) makemigrations --check --dry-run

# Schemathesis against a dev server on a free 127.0.0.1 port, PostgreSQL behind it (PG_URL, see the script).
api-fuzz: $(STAMP) messages | var
	tests/api/run_schemathesis.sh

# The production stack on this machine (nginx, two gunicorn app servers, a worker): see deploy/stack.sh.
stack: $(STAMP)
	deploy/stack.sh start

# The national benchmark measures throughput with wrk (Debian package): installed here when run as root.
bench: $(STAMP) messages | var
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -q wrk; } || \
	  echo "wrk is missing (apt-get install wrk): the national benchmark will not measure throughput"
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean-venv:
	rm -rf $(VENV)
