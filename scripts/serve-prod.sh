#!/usr/bin/env bash
# `make serve-prod`: the production configuration on this machine: DEBUG off, migrations and
# collectstatic, then gunicorn on 127.0.0.1:$PORT (static files served by whitenoise),
# against DATABASE_URL (PostgreSQL). Behind no proxy, so clients send X-Forwarded-Proto
# themselves as nginx would (or set SECURE_SSL_REDIRECT=false to browse it over plain HTTP).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
: "${DATABASE_URL:?make serve-prod runs against PostgreSQL: set DATABASE_URL=postgres://...}"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "serve-prod: DATABASE_URL must be a PostgreSQL URL" >&2; exit 2 ;;
esac

# Secrets not given are generated once and kept (mode 600) in the virtualenv, which git
# ignores: a new field key on every start would make the stored ID numbers unreadable.
KEYS=${SERVE_PROD_KEYS:-.venv/serve-prod.env}
if [ ! -f "$KEYS" ]; then
    (
        umask 077
        "$BIN/python" - > "$KEYS" <<'PY'
import secrets
from cryptography.fernet import Fernet
print(f': "${{SECRET_KEY:={secrets.token_urlsafe(50)}}}"')
print(f': "${{FIELD_ENCRYPTION_KEY:={Fernet.generate_key().decode()}}}"')
print(f': "${{FIELD_HASH_KEY:={secrets.token_urlsafe(32)}}}"')
PY
    )
fi
# shellcheck source=/dev/null
. "$KEYS"  # sets only what the environment does not
export SECRET_KEY FIELD_ENCRYPTION_KEY FIELD_HASH_KEY
export DEBUG=false
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export LOG_FORMAT=${LOG_FORMAT:-json}
PORT=${PORT:-8000}
WORKERS=${GUNICORN_WORKERS:-$((2 * $(nproc) + 1))}

"$BIN/python" manage.py migrate --no-input
"$BIN/python" manage.py collectstatic --no-input --verbosity 0
exec "$BIN/gunicorn" reliefportal.wsgi:application \
    --bind "127.0.0.1:$PORT" --workers "$WORKERS" --timeout 120 --graceful-timeout 10 \
    --no-control-socket --error-logfile -
