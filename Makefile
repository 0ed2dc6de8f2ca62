# OpenDataLocale task runner. CI calls `make test` (through .ci/run) and `make quality`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test quality fix install install-dev npm chromium libreoffice serve bench clean validata

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files: reinstall only when the pinned lists change.
$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# The project's bytecode, as pip compiles it for a regular install (an editable one does not): where
# PYTHONDONTWRITEBYTECODE is set (containers, CI) every command would otherwise recompile the modules it
# imports, a tenth of a small file's `odl validate`. Up-to-date files are skipped.
install: $(VENV)/.runtime node_modules/.package-lock.json
	@$(BIN)/python -m compileall -q odl >/dev/null
install-dev: install $(VENV)/.dev

npm: node_modules/.package-lock.json

# validata-table, the reference validator, lives in its own tool environment: the parity tests and the
# benchmarks run it as a subprocess; it is never imported by the platform. When it cannot be installed,
# those tests skip and say why.
.venv-validata/.installed: requirements-validata.txt
	@($(PYTHON) -m venv .venv-validata && .venv-validata/bin/pip install --quiet -r requirements-validata.txt && touch $@) \
		|| echo "validata-table indisponible : les tests de parité seront ignorés."

validata: .venv-validata/.installed

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "Chromium indisponible : les tests navigateur seront ignorés."

# PDF conventions and reports go through LibreOffice headless; the tests read the PDFs back with pdftotext.
libreoffice:
	@(command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui poppler-utils >/dev/null) || echo "LibreOffice indisponible : les PDF ne seront pas produits."

run: install libreoffice
	$(BIN)/odl migrate --no-input -v0
	$(BIN)/odl load_territories
	$(BIN)/odl load_demo
	$(BIN)/odl animations_followups
	@echo "OpenDataLocale : http://$(HOST):$(PORT)/"
	$(BIN)/gunicorn odl.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --timeout 300 --access-logfile -

test: install-dev chromium libreoffice validata
	$(BIN)/odl makemigrations --check --dry-run -v0
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)
	@if [ -n "$$ODL_TEST_POSTGRES_URL" ]; then \
		echo "== Suite sur PostgreSQL ($$ODL_TEST_POSTGRES_URL)"; \
		DATABASE_URL="$$ODL_TEST_POSTGRES_URL" $(BIN)/pytest -n 2 -m "not browser" $(PYTEST_ARGS); \
	fi

quality: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy odl
	$(BIN)/odl makemigrations --check --dry-run

fix: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev validata
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) node_modules var
