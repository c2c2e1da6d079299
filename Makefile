# `make run` serves the demo on http://northwind.localhost:5000 (PORT overrides the port).
# `make test` runs the whole suite (and, under CI=true, again on PostgreSQL).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test lint translations extract-messages update-catalogs compile-catalogs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

compile-catalogs: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -D messages

run: $(VENV)/.installed compile-catalogs
	mkdir -p var
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	@# Without STRIPE_SECRET_KEY, card payments run in test mode against localstripe on loopback.
	@[ -n "$$STRIPE_SECRET_KEY" ] || $(BIN)/python -c "import localstripe" 2>/dev/null || $(BIN)/pip install --quiet "localstripe>=1.15"
	PORT=$(PORT) $(BIN)/python -m channelfront.payments.devstripe run --state var/localstripe.pickle -- $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy incentives

test: $(VENV)/.installed-dev compile-catalogs lint
	$(BIN)/pytest -q
ifeq ($(CI),true)
	TEST_DATABASE=postgresql $(BIN)/pytest -q
endif

extract-messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --project Channelfront .

update-catalogs: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

bench: $(VENV)/.installed-dev compile-catalogs
	$(BIN)/python benchmarks/catalog.py

clean:
	rm -rf $(VENV) var
