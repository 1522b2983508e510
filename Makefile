# ReliefPortal developer commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
INSTALLED := $(VENV)/.installed-from-lock
# The development server runs in DEBUG; everything else uses the production settings.
DEV := DEBUG=true

.PHONY: run install migrate demo test lint check-deploy lock clean

run: migrate demo
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

install: $(INSTALLED)

$(INSTALLED): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

migrate: install
	$(DEV) $(BIN)/python manage.py migrate --no-input

demo: install
	$(DEV) $(BIN)/python manage.py seed_demo

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

# Django's deployment checklist against the production settings, as a deployment would set them.
check-deploy: install
	DEBUG=false ALLOWED_HOSTS=relief.example.org \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Re-pin dependencies after editing pyproject.toml.
lock: install
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --generate-hashes --allow-unsafe \
		-o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

# Translations (make messages, compilemessages, check-messages) and vendored assets.
include scripts/messages.mk
