#!/usr/bin/env bash
# `make load`: a bounded, headless Locust run (locustfile.py) against `make serve-prod` on
# 127.0.0.1 with the demo data. DATABASE_URL (PostgreSQL) is created, migrated and seeded
# with `manage.py seed_demo` if needed. Fails if there was any 5xx, more than 0.1% failures,
# or a 95th percentile of list or case pages above 500 ms.
#   LOAD_USERS (20), LOAD_TIME (110s, at most 2 minutes), LOAD_SPAWN_RATE (1 per second).
# Users sign in one a second, as an office does over its morning rather than all at once, and
# the figures are those after the last one has signed in (--reset-stats): the steady state.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/reliefportal_load}
PORT=${PORT:-8000}
LOAD_USERS=${LOAD_USERS:-20}
LOAD_TIME=${LOAD_TIME:-110s}
LOAD_SPAWN_RATE=${LOAD_SPAWN_RATE:-1}
if [ "${LOAD_TIME%s}" -gt 120 ] 2>/dev/null; then
    echo "load: LOAD_TIME is at most 120s" >&2
    exit 2
fi

"$BIN/python" - "$DATABASE_URL" <<'PY'
import sys
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

target = conninfo_to_dict(sys.argv[1])
with psycopg.connect(make_conninfo(**{**target, "dbname": "postgres"}), autocommit=True) as db:
    if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target["dbname"]]).fetchone():
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["dbname"])))
PY

log=$(mktemp -t reliefportal-load-server.XXXXXX.log)
PORT=$PORT setsid scripts/serve-prod.sh >"$log" 2>&1 &
server=$!
trap 'kill -TERM -- -$server 2>/dev/null; wait $server 2>/dev/null || true
      echo "make load: server log (JSON, duration_ms per request): $log"' EXIT
for _ in $(seq 120); do
    curl -fsS "http://127.0.0.1:$PORT/health/" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 1
done

# The same secrets as the server (serve-prod.sh keeps them), so the demo's ID numbers are
# encrypted with the key the server reads them with.
(
    # shellcheck source=/dev/null
    . "${SERVE_PROD_KEYS:-.venv/serve-prod.env}"
    export SECRET_KEY FIELD_ENCRYPTION_KEY FIELD_HASH_KEY
    DEBUG=false ALLOWED_HOSTS=127.0.0.1 LOG_FORMAT=text "$BIN/python" manage.py seed_demo
)

echo "make load: $LOAD_USERS users for $LOAD_TIME on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
"$BIN/locust" -f locustfile.py --headless --only-summary \
    --host "http://127.0.0.1:$PORT" --users "$LOAD_USERS" --spawn-rate "$LOAD_SPAWN_RATE" \
    --run-time "$LOAD_TIME" --reset-stats --stop-timeout 10
