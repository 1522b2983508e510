#!/usr/bin/env bash
# Back up the database of DATABASE_URL into BACKUP_DIR (default: ./backups) and print the file.
#   PostgreSQL: pg_dump's custom format (compressed; pg_restore can restore it selectively).
#   SQLite: VACUUM INTO, a consistent copy even while the portal is writing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
DATABASE_URL=${DATABASE_URL:-sqlite:///$PWD/db.sqlite3}
BACKUP_DIR=${BACKUP_DIR:-backups}
mkdir -p "$BACKUP_DIR"
chmod 700 "$BACKUP_DIR"  # the dump holds every resident's data
umask 077
stamp=$(date -u +%Y%m%dT%H%M%SZ)

case "$DATABASE_URL" in
    postgres://* | postgresql://*)
        file="$BACKUP_DIR/reliefportal-$stamp.dump"
        pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" --file="$file"
        ;;
    sqlite://*)
        source_file=${DATABASE_URL#sqlite:///}
        file="$BACKUP_DIR/reliefportal-$stamp.sqlite3"
        "$PYTHON" - "$source_file" "$file" <<'PY'
import sqlite3, sys
source, target = sys.argv[1:]
connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
connection.execute("VACUUM INTO ?", (target,))
connection.close()
PY
        ;;
    *)
        echo "backup: unsupported DATABASE_URL scheme: ${DATABASE_URL%%:*}" >&2
        exit 2
        ;;
esac
echo "$file"
