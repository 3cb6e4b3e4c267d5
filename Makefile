# The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is what those two stand on, plus the benchmarks and the soak.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
TEST_JOBS ?= 4
SUDO   := $(if $(filter 0,$(shell id -u)),,sudo)
export FLASK_APP := wsgi
export PUBLIC_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-fast soak bench bench-smoke screenshots sandbox worker cron system-deps clean

## Install and start the whole product on the embedded default
## (SQLite, an in-process queue and worker, the provider sandbox) at http://127.0.0.1:5000.
run: $(VENV)/.installed
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask serve --host $(HOST) --port $(PORT)

## Install what the tests need (Redis, PostgreSQL and Chromium from Debian, the Python
## test extras) and run every test: SQLite and PostgreSQL, real Redis and RQ workers,
## the sandbox over HTTP, and the browser tests in headless Chromium.  In TEST_JOBS
## processes (pytest-xdist, each test to whichever is free, the long files first: see
## tests/conftest.py): most tests wait on workers and servers, so four share two cores well.
test: system-deps $(VENV)/.installed-test
	$(BIN)/pytest -n $(TEST_JOBS) --dist loadscope --no-loadscope-reorder --durations=25

## The unit tests only (no Redis, PostgreSQL or browser): quick feedback while editing.
test-fast: $(VENV)/.installed-test
	$(BIN)/pytest -m "not integration and not browser and not soak" -p no:cacheprovider --db sqlite -n 2

## The full fault soak: 500 sessions, 50 athletes, injected faults, a SIGKILLed worker.
soak: system-deps $(VENV)/.installed-test
	SOAK_SIZE=full $(BIN)/pytest -m soak -s tests/test_soak.py

## Benchmarks (tables on stdout; nothing here is a timed test).
bench: system-deps $(VENV)/.installed-test
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.plan_save
	$(BIN)/python -m bench.export_job
	$(BIN)/python -m bench.bulk_push
	$(BIN)/python -m bench.quota
	$(BIN)/python -m bench.delivery
	$(BIN)/python -m bench.formats

## Every benchmark at a tiny size (seconds each; the numbers mean nothing): they still run.
bench-smoke: system-deps $(VENV)/.installed-test
	BENCH_SMOKE=1 $(MAKE) --no-print-directory bench

## Regenerate the browser tests' screenshots into test-artifacts/screenshots/.
screenshots: system-deps $(VENV)/.installed-test
	$(BIN)/pytest -m browser tests/test_browser.py tests/test_browser_views.py tests/test_operator.py

## One RQ worker for a Redis-backed setup (REDIS_URL must be set; `make run` needs none).
worker: $(VENV)/.installed
	@test -n "$$REDIS_URL" || { echo "REDIS_URL is not set: the embedded default runs its jobs itself"; exit 2; }
	$(BIN)/rq worker -c jobs.rq_settings --worker-class jobs.worker.AppWorker --with-scheduler --maintenance-interval 60 high default pings

## RQ's cron scheduler for the periodic jobs (one for a Redis-backed setup).
cron: $(VENV)/.installed
	@test -n "$$REDIS_URL" || { echo "REDIS_URL is not set: the embedded default runs its periodic jobs itself"; exit 2; }
	$(BIN)/rq cron -c jobs.rq_settings jobs.cron

## The provider sandbox on its own (http://127.0.0.1:5001).
sandbox: $(VENV)/.installed
	$(BIN)/python -m sandbox --port 5001

# uv (from PyPI, into the venv) installs what pyproject.toml names as pip would, in parallel:
# about 15 s for everything on a fresh machine where pip took a minute.  Bytecode is compiled
# at install, as pip does (nothing else writes it where PYTHONDONTWRITEBYTECODE is set).
UV_VERSION := 0.13.9
INSTALL = $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python

$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml $(BIN)/uv
	$(INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(INSTALL) -e ".[test]"
	touch $@

system-deps:
	@missing=""; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi
	@# promtool checks deploy/prometheus/alerts.yml (tests/test_alerts.py); the server is not run.
	@command -v promtool >/dev/null || { $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	  $(SUDO) apt-get install -y -q --no-install-recommends prometheus; }

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache .hypothesis
