#!/usr/bin/env bash
# `make run`: the development server with a background worker beside it. Both use the
# database task queue (TASKS_BACKEND=database), so an import or a large export is done by
# the worker and never holds the server; the worker stops when the server stops (Ctrl-C).
# Usage: scripts/run-dev.sh PYTHON [ADDRESS]  (the virtualenv's python; 127.0.0.1:8000)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${1:?usage: scripts/run-dev.sh PYTHON [ADDRESS]}
ADDRESS=${2:-127.0.0.1:8000}
export DEBUG=true TASKS_BACKEND=database

"$PYTHON" manage.py db_worker &
WORKER=$!
# A background job of a script ignores Ctrl-C, so the worker is told to stop here, on any exit
# of the server, and waited for (it finishes the job it is on).
trap 'kill "$WORKER" 2>/dev/null || true; wait "$WORKER" 2>/dev/null || true' EXIT

"$PYTHON" manage.py runserver "$ADDRESS"
