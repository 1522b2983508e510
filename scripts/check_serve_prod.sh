#!/usr/bin/env bash
# CI: start `make serve-prod` on a PostgreSQL database of its own, check that /health/
# answers, that the login page renders, and that whitenoise serves a content-hashed,
# compressed static file with a far-future cache header; then stop the server.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8771}
DB=reliefportal_ci_serve
PGOPTIONS=--client-min-messages=warning psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
work=$(mktemp -d)
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
export SERVE_PROD_KEYS=$work/keys.env STATIC_ROOT=$work/static GUNICORN_WORKERS=2

PORT=$PORT setsid make --no-print-directory serve-prod >"$work/server.log" 2>&1 &
server=$!
stop() {
    kill -TERM -- -"$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT
fail() { echo "serve-prod check: $*" >&2; tail -n 40 "$work/server.log" >&2; exit 1; }

for _ in $(seq 120); do
    curl -fsS "http://127.0.0.1:$PORT/health/" >"$work/health" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || fail "the server did not start"
    sleep 1
done
grep -q '"status": "ok"' "$work/health" || fail "/health/ did not answer ok"

# As nginx forwards it: over TLS.
https=(-H "X-Forwarded-Proto: https")
curl -fsS "${https[@]}" -D "$work/login.headers" -o "$work/login.html" \
    "http://127.0.0.1:$PORT/accounts/login/" || fail "the login page failed"
grep -q 'name="password"' "$work/login.html" || fail "the login page has no password field"
grep -qi '^x-request-id: [0-9a-f]\{32\}' "$work/login.headers" || fail "no X-Request-ID header"

asset=$(grep -o '/static/css/app\.[0-9a-f]\{12\}\.css' "$work/login.html" | head -n 1)
[ -n "$asset" ] || fail "the login page links no content-hashed stylesheet"
curl -fsS "${https[@]}" -H "Accept-Encoding: gzip" -D "$work/asset.headers" -o /dev/null \
    "http://127.0.0.1:$PORT$asset" || fail "$asset was not served"
grep -qi '^content-encoding: gzip' "$work/asset.headers" || fail "$asset was not served compressed"
grep -qi '^cache-control:.*immutable' "$work/asset.headers" || fail "$asset is not cached for ever"
echo "serve-prod check: /health/ ok, login page ok, $asset served compressed and immutable"
