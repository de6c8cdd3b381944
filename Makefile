# The README's two commands live here: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint bench translations compile-translations install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed-run
	$(BIN)/pybabel compile --use-fuzzy --statistics -i $< -o $@ 2>&1 | tail -1

compile-translations: $(MO_FILES)

## run: install, migrate the SQLite database, import courses/, serve http://127.0.0.1:5000
run: export PEERLEARN_ENV ?= development
run: install compile-translations
	$(FLASK) db upgrade
	$(FLASK) peerlearn import courses
	$(FLASK) run --host 127.0.0.1 --port 5000

## test: install test extras and run the whole suite (PEERLEARN_TEST_DATABASE_URL for PostgreSQL)
test: install-test compile-translations
	$(BIN)/pytest

## bench: storage and speed measurements (figures go to docs/performance.md)
bench: install
	$(BIN)/python bench/fork_storage.py
	$(BIN)/python bench/photo_accept.py
	$(BIN)/python bench/buildlog_page_weight.py

lint: install-test
	$(BIN)/ruff check .

## translations: extract every message, update each catalog, compile
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file \
		--add-location=file --project=peerlearn --version=0.1 \
		-o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --no-fuzzy-matching
	$(MAKE) compile-translations

clean:
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo
