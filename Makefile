# The two commands a newcomer needs: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# `make run PORT=8123` serves on another port; links in emails follow it (SITE_URL's default).
PORT ?= 8000

.PHONY: run test typecheck format-check bench lint lock messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Exact versions with hashes (requirements*.txt, compiled by `make lock`): nothing else is installed.
# pip installs uv (requirements-tools.txt), and uv the rest: it checks the same hashes and installs
# and byte-compiles in a few seconds where pip took over twenty. uv fetches from PyPI; it does not
# read pip's configuration (a mirror is set with UV_INDEX_URL or UV_FIND_LINKS instead).
$(BIN)/uv: requirements-tools.txt | $(BIN)/activate
	$(PY) -m pip install --quiet --require-hashes -r requirements-tools.txt
	touch $@

UV_INSTALL = $(BIN)/uv pip install --quiet --python $(PY) --require-hashes --compile-bytecode

$(VENV)/.installed-run: requirements.txt | $(BIN)/uv
	$(UV_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/uv
	$(UV_INSTALL) -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

# After editing requirements.in, requirements-dev.in or requirements-tools.in: `make lock` compiles the .txt files
# (exact pins with hashes, options in pyproject.toml [tool.pip-tools]), keeping every pin that
# still fits; `make lock UPGRADE=1` moves everything to the newest versions allowed.
# pip-tools lives in its own small environment so its dependencies never mix with the app's.
$(VENV)/tools/bin/pip-compile: | $(BIN)/activate
	$(PYTHON) -m venv $(VENV)/tools
	$(VENV)/tools/bin/python -m pip install --quiet --upgrade pip "pip-tools>=7.4,<8"

lock: $(VENV)/tools/bin/pip-compile
	$(VENV)/tools/bin/pip-compile --quiet $(if $(UPGRADE),--upgrade) -o requirements.txt requirements.in
	$(VENV)/tools/bin/pip-compile --quiet $(if $(UPGRADE),--upgrade) -o requirements-dev.txt requirements-dev.in
	$(VENV)/tools/bin/pip-compile --quiet $(if $(UPGRADE),--upgrade) -o requirements-tools.txt requirements-tools.in

# Development settings for manage.py commands typed by hand in this checkout (never deployed:
# .env is not in git, and a real environment variable always wins over it).
.env:
	printf '# Made by make for local development; delete it to use only real environment variables.\nDEBUG=1\n' > $@

messages: export DEBUG ?= 1
messages: $(VENV)/.installed-run | .env
	$(PY) manage.py compile_translations -v 0

# honcho gives each process its own PORT (web PORT, worker PORT+100, ...), so SITE_URL is
# fixed here once for all three: the worker's emails link to the web process.
run: export DEBUG ?= 1
run: export PORT := $(PORT)
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed-run messages
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo
	@echo
	@echo "  STS Check-in is starting on http://127.0.0.1:$(PORT)  (Ctrl+C stops it)"
	@echo "  Emails (invitations, reminders, digests) are written to var/mail/"
	@echo
	$(BIN)/honcho start -f Procfile -p $(PORT)

# Types: strict on the pure modules, clean on the rest (pyproject.toml [tool.mypy]).
typecheck: export DEBUG ?= 1
typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

format-check: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .

# The suite runs in TEST_PROCESSES processes (pytest-xdist), each on its own test database, var
# directory and Redis databases (sts_checkin/test_workers.py). One more process than a 2-core
# machine's cores covers the tests that wait on a Celery worker or a slow mail server; a fourth only
# adds a fourth Chromium and test database and competes for the cores (docs/development.md).
# `make test TEST_PROCESSES=0` runs it in this one process.
TEST_PROCESSES ?= 3

test: export DEBUG ?= 1
test: $(VENV)/.installed-dev messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(TEST_PROCESSES)

bench: $(VENV)/.installed-dev
	$(PY) -m bench

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache .mypy_cache
