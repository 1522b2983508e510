#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a fresh database:
#   RESTORE_DATABASE_URL=postgres://user@host/reliefportal_restored scripts/restore.sh FILE
# PostgreSQL: the database is created if it does not exist, and must be empty if it does.
# SQLite: the file must not exist yet. Nothing existing is ever overwritten; point
# DATABASE_URL at the restored database once it has been checked.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
file=${1:?usage: RESTORE_DATABASE_URL=... scripts/restore.sh BACKUP_FILE}
target=${RESTORE_DATABASE_URL:?set RESTORE_DATABASE_URL to the fresh database to restore into}
test -f "$file" || { echo "restore: no such backup: $file" >&2; exit 2; }

case "$target" in
    postgres://* | postgresql://*)
        # Create the database if needed, and refuse one that already has tables.
        "$PYTHON" - "$target" <<'PY'
import sys
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

target = conninfo_to_dict(sys.argv[1])
name = target["dbname"]
with psycopg.connect(make_conninfo(**{**target, "dbname": "postgres"}), autocommit=True) as admin:
    if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
with psycopg.connect(make_conninfo(**target)) as restored:
    tables = restored.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
    ).fetchone()[0]
if tables:
    sys.exit(f"restore: database {name} is not empty ({tables} tables); restore into a fresh one")
PY
        pg_restore --no-owner --no-privileges --exit-on-error --dbname="$target" "$file"
        ;;
    sqlite://*)
        target_file=${target#sqlite:///}
        if [ -e "$target_file" ]; then
            echo "restore: $target_file exists; restore into a fresh file" >&2
            exit 2
        fi
        cp "$file" "$target_file"
        "$PYTHON" -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0]; sys.exit(r != "ok" and f"restore: integrity check: {r}")' "$target_file"
        ;;
    *)
        echo "restore: unsupported RESTORE_DATABASE_URL scheme: ${target%%:*}" >&2
        exit 2
        ;;
esac
echo "restored $file"
