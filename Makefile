# `make run` serves the demo on http://northwind.localhost:5000 (PORT overrides the port).
# `make test` runs the whole suite (and, under CI=true, again on PostgreSQL);
# `make test-fast` leaves out the browser and slow tests.
# Both install exactly the versions in requirements/*.lock; `make lock` refreshes them.
# `make build` makes a checkout deployable (app lock only, catalogs compiled and checked);
# `make start` runs the Procfile (web, worker, beat) with honcho.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test test-fast lock lint translations extract-messages update-catalogs compile-catalogs bench clean build start

UV_VERSION := 0.13.9
UV := $(VENV)/uv/bin/uv
LOCK_UPGRADE ?= --upgrade
LOCK := $(UV) pip compile pyproject.toml requirements/build.in --extra demo --universal \
	--python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock" $(LOCK_UPGRADE)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exactly the lock's versions, every file checked against its hash; then the project
# itself, built with the locked setuptools.
$(VENV)/.installed: requirements/app.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/app.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(VENV)/.installed $@

$(UV):
	$(PYTHON) -m venv $(VENV)/uv
	$(VENV)/uv/bin/python -m pip install --quiet uv==$(UV_VERSION)

# The app's lock first; the test tools' lock keeps every version the app's lock chose.
lock: $(UV)
	$(LOCK) -o requirements/app.lock
	$(LOCK) --extra dev -c requirements/app.lock -o requirements/dev.lock

compile-catalogs: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -D messages

# The deployable unit (docs/operations.md): the app's virtualenv from requirements/app.lock
# (no test tools), the catalogs compiled, then checked: every shipped locale's .mo is there
# and newer than its .po, and a page renders translated. Production refuses to start otherwise.
build: $(VENV)/.installed compile-catalogs
	$(BIN)/python deploy/check_build.py

# The Procfile's processes (web, worker, beat) in the foreground with honcho, a dev tool;
# production runs the deploy/systemd/ units. Settings come from the environment or .env.
start: $(VENV)/.installed-dev build
	mkdir -p "$${STATE_DIR:-var}"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

# A development server: without SECRET_KEY the app keeps a made-up key in var/dev-secret-key
# and prints a warning (production refuses to start without SECRET_KEY and LICENSE_SIGNING_KEY).
run: export CHANNELFRONT_ENV ?= development
run: $(VENV)/.installed compile-catalogs
	mkdir -p var
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	@# Without STRIPE_SECRET_KEY, card payments run in test mode against localstripe on loopback.
	PORT=$(PORT) $(BIN)/python -m channelfront.payments.devstripe run --state var/localstripe.pickle -- $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy incentives

# axe-core for the browser tests (tests/browser/package.json); without npm they skip it.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then cd tests/browser && npm ci --no-audit --no-fund --silent && touch node_modules/axe-core/axe.min.js; \
	else echo "npm not found: the accessibility checks of the browser tests will skip"; fi

# The PostgreSQL pass leaves out what does not read TEST_DATABASE, which the first pass
# already ran: the browser tests (their served demo is SQLite) and the tests that start
# real processes on a PostgreSQL database of their own (tests/ops and the live workers).
# The route matrix and the form fuzzer (several minutes each) run in the first pass only,
# to keep CI under 30 minutes.
PG_PASS_SKIPS := -m "not browser" --ignore=tests/ops \
	--ignore=tests/customers/test_import_worker.py --ignore=tests/logs/test_worker_logs.py \
	--ignore=tests/health/test_live_workers.py --ignore=tests/webhooks/test_worker_kill.py \
	--ignore=tests/walls/test_route_matrix.py --ignore=tests/fuzz/test_forms.py

test: $(VENV)/.installed-dev compile-catalogs lint $(AXE)
	$(BIN)/pytest -q
ifeq ($(CI),true)
	TEST_DATABASE=postgresql $(BIN)/pytest -q $(PG_PASS_SKIPS)
endif

test-fast: $(VENV)/.installed-dev compile-catalogs
	$(BIN)/pytest -q -m "not browser and not slow"

extract-messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --project Channelfront .

update-catalogs: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

bench: $(VENV)/.installed-dev compile-catalogs
	$(BIN)/python benchmarks/catalog.py

clean:
	rm -rf $(VENV) var
