# ReliefPortal developer commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
INSTALLED := $(VENV)/.installed-from-lock
# The development server runs in DEBUG; everything else uses the production settings.
DEV := DEBUG=true

.PHONY: run install migrate demo test lint check-deploy lock clean docs docs-build

# The server and a background worker (scripts/run-dev.sh): imports and large exports are queued
# for the worker (TASKS_BACKEND=database), whose task table `migrate` creates.
run: migrate demo
	scripts/run-dev.sh $(BIN)/python 127.0.0.1:$(PORT)

install: $(INSTALLED)

$(INSTALLED): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

migrate: install
	$(DEV) TASKS_BACKEND=database $(BIN)/python manage.py migrate --no-input

demo: install
	$(DEV) $(BIN)/python manage.py seed_demo

# The suite in parallel (pytest-xdist, docs/development.md): one worker per core by default,
# TEST_WORKERS=0 runs it in one process. The slowest tests are listed at the end.
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=20

lint: install
	$(BIN)/ruff check .
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

# Django's deployment checklist against the production settings, as a deployment would set them.
check-deploy: install
	DEBUG=false ALLOWED_HOSTS=relief.example.org \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	FIELD_ENCRYPTION_KEY="$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	FIELD_HASH_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Re-pin dependencies after editing pyproject.toml.
lock: install
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --generate-hashes --allow-unsafe \
		-o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache site

# The manual (docs/, mkdocs.yml): `make docs` serves it on http://127.0.0.1:8001 and rebuilds on
# every edit; `make docs-build` writes it to site/ and fails on any warning (a broken link).
docs: install
	$(BIN)/mkdocs serve -a 127.0.0.1:8001

docs-build: install
	$(BIN)/mkdocs build --strict

# Production operations (docs/operations.md). serve-prod: the production configuration on
# 127.0.0.1:$(PORT) (gunicorn, DEBUG off, whitenoise) against DATABASE_URL (PostgreSQL).
# backup: DATABASE_URL into BACKUP_DIR; restore: BACKUP=<file> into RESTORE_DATABASE_URL.
# load: a bounded Locust run against serve-prod with the demo data.
.PHONY: serve-prod backup restore load

serve-prod: install
	PORT=$(PORT) scripts/serve-prod.sh

backup: install
	scripts/backup.sh

restore: install
	scripts/restore.sh $(BACKUP)

load: install
	PORT=$(PORT) scripts/load.sh

# Benchmark (docs/performance.md): the portal's pages at BENCH_HOUSEHOLDS households on the
# database in DATABASE_URL (PostgreSQL), generating the data first if it has fewer, against
# Django admin and the raw SQL; then the register import/export benchmark. Production settings
# without the static manifest (tests.settings); bench-smoke: a tiny run in a throwaway database.
BENCH_HOUSEHOLDS ?= 100000
BENCH_REPEAT ?= 20
BENCH_ENV := DJANGO_SETTINGS_MODULE=tests.settings LOG_LEVEL=WARNING
.PHONY: bench bench-smoke

bench: install
	$(BENCH_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(BENCH_ENV) $(BIN)/python manage.py bench --households $(BENCH_HOUSEHOLDS) --repeat $(BENCH_REPEAT)
	$(BENCH_ENV) $(BIN)/python manage.py bench_import_export --rows 10000 --export-rows 100000

bench-smoke: install
	$(BENCH_ENV) $(BIN)/python manage.py bench --smoke --households 300 --repeat 3

# Translations (make messages, compilemessages, check-messages) and vendored assets.
include scripts/messages.mk
