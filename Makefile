# The two commands a newcomer needs: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test bench lint messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

# Development settings for manage.py commands typed by hand in this checkout (never deployed:
# .env is not in git, and a real environment variable always wins over it).
.env:
	printf '# Made by make for local development; delete it to use only real environment variables.\nDEBUG=1\n' > $@

messages: export DEBUG ?= 1
messages: $(VENV)/.installed-run | .env
	$(PY) manage.py compile_translations -v 0

run: export DEBUG ?= 1
run: $(VENV)/.installed-run messages
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo
	@echo
	@echo "  STS Check-in is starting on http://127.0.0.1:8000  (Ctrl+C stops it)"
	@echo "  Emails (invitations, reminders, digests) are written to var/mail/"
	@echo
	$(BIN)/honcho start -f Procfile

test: export DEBUG ?= 1
test: $(VENV)/.installed-dev messages
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest

bench: $(VENV)/.installed-dev
	$(PY) -m bench

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
