#!/usr/bin/env bash
# Fuzz the JSON API with Schemathesis against a live dev server on 127.0.0.1, PostgreSQL behind it:
# a fresh database, migrated, with a small fixture and an administrator's token; then every operation is
# run as that administrator and anonymously. Fails on any server error or response that breaks the schema.
#
#   tests/api/run_schemathesis.sh            (PG_URL=postgres://postgres@127.0.0.1:5432 by default)
#   MAX_EXAMPLES=50 tests/api/run_schemathesis.sh
#   FUZZ_SEED=20261128 tests/api/run_schemathesis.sh   (a fixed seed repeats a run exactly; CI uses one)
set -euo pipefail
cd "$(dirname "$0")/../.."

PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
DB_NAME="${FUZZ_DB_NAME:-taobao_api_fuzz}"
MAX_EXAMPLES="${MAX_EXAMPLES:-20}"
SEED_ARGS=()
if [ -n "${FUZZ_SEED:-}" ]; then
  SEED_ARGS=(--seed "$FUZZ_SEED")
fi
PYTHON=.venv/bin/python
SCHEMATHESIS=.venv/bin/schemathesis
PORT="$($PYTHON -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
LOG="$(mktemp -t api-fuzz-server.XXXXXX.log)"

export DJANGO_SETTINGS_MODULE=taobao_site.settings.local
export DATABASE_URL="$PG_URL/$DB_NAME"
export DEBUG=false
export SECRET_KEY=api-fuzzing-key-not-for-production
export ALLOWED_HOSTS=127.0.0.1
# Fuzzing sends thousands of requests in a few minutes; the throttle would answer 429 to most of them.
export API_THROTTLE_ANON=1000000/hour
export API_THROTTLE_USER=1000000/hour

psql "$PG_URL/postgres" -q -c "DROP DATABASE IF EXISTS $DB_NAME" -c "CREATE DATABASE $DB_NAME"
$PYTHON manage.py migrate --noinput -v 0
TOKEN="$($PYTHON manage.py shell -v 0 -c 'from tests.api.fuzz_fixture import load; print(load())' | tail -n 1)"

$PYTHON manage.py runserver "127.0.0.1:$PORT" --noreload >"$LOG" 2>&1 &
SERVER_PID=$!
stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}
trap stop_server EXIT

SCHEMA_URL="http://127.0.0.1:$PORT/api/v1/schema/"
for _attempt in $(seq 1 60); do
  curl -sf -o /dev/null "$SCHEMA_URL" && break
  sleep 0.5
done

fuzz() {
  $SCHEMATHESIS run "$SCHEMA_URL" \
    --checks not_a_server_error,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --workers 1 \
    --generation-database none \
    --no-color \
    "${SEED_ARGS[@]}" \
    "$@"
}

# Both runs at once against the same server: each waits on the server most of the time.
ADMIN_LOG="$(mktemp -t api-fuzz-admin.XXXXXX.log)"
ANONYMOUS_LOG="$(mktemp -t api-fuzz-anonymous.XXXXXX.log)"
fuzz -H "Authorization: Token $TOKEN" >"$ADMIN_LOG" 2>&1 &
ADMIN_PID=$!
fuzz >"$ANONYMOUS_LOG" 2>&1 &
ANONYMOUS_PID=$!
status=0
wait "$ADMIN_PID" || status=1
wait "$ANONYMOUS_PID" || status=1
echo "== schemathesis as administrator"
cat "$ADMIN_LOG"
echo "== schemathesis anonymously"
cat "$ANONYMOUS_LOG"
rm -f "$ADMIN_LOG" "$ANONYMOUS_LOG"

if [ "$status" -ne 0 ]; then
  echo "Schemathesis found failures; server log: $LOG" >&2
  grep -n "Traceback\|Error" "$LOG" | head -n 40 >&2 || true
fi
exit "$status"
