# The README's two commands live here: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint bench translations compile-translations install install-test install-axe clean mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test install-axe

# axe-core for the accessibility browser tests, from the npm registry at the version pinned
# in tests/browser/axe/package-lock.json, into tests/browser/axe/node_modules (not in git).
AXE_DIR := tests/browser/axe
AXE_JS := $(AXE_DIR)/node_modules/axe-core/axe.min.js

$(AXE_JS): $(AXE_DIR)/package.json $(AXE_DIR)/package-lock.json
	npm ci --prefix $(AXE_DIR) --no-audit --no-fund --loglevel=error
	touch $@

## install-axe: install axe-core when npm is present (the tests say what to run if it is not)
install-axe:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(AXE_JS); \
	else echo "npm not found: the accessibility tests need Node.js and npm (apt-get install npm)"; fi

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
bench: install-test
	$(BIN)/python bench/fork_storage.py
	$(BIN)/python bench/photo_accept.py
	$(BIN)/python bench/buildlog_page_weight.py
	$(BIN)/python bench/page_weight.py
	$(BIN)/python bench/peer_sim.py
	$(BIN)/python bench/slow_network.py

$(VENV)/.installed-mutation: $(VENV)/.installed-test
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,mutation]'
	touch $@

## mutation: mutation score of each pure module with its own tests (tests/mutation/targets.cfg);
## MODULE=peerlearn/authoring/merge.py for one, MUTATION_CHILDREN=2 for two test processes
MUTATION_CHILDREN ?= 1
mutation: $(VENV)/.installed-mutation compile-translations
	$(BIN)/python tests/mutation/run.py --max-children $(MUTATION_CHILDREN) $(MODULE)

## lint: ruff, the package layering contract (setup.cfg [importlinter]), then mypy
## (setup.cfg [mypy])
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## translations: extract every message, update each catalog, compile
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --sort-by-file \
		--add-location=file --project=peerlearn --version=0.1 \
		-o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --no-fuzzy-matching
	$(MAKE) compile-translations

clean:
	rm -rf $(VENV) instance translations/*/LC_MESSAGES/*.mo $(AXE_DIR)/node_modules
