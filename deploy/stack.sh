#!/usr/bin/env bash
# The registry's production stack on this machine, from the repo's own files: a private nginx (TLS, static
# files) in front of two gunicorn app servers, one background worker, PostgreSQL and Redis.
#
#   deploy/stack.sh start | stop | status | stop-app N | start-app N | stop-worker | start-worker
#                   | stop-redis | start-redis
#
# Environment (defaults in brackets): STACK_DIR [var/stack], STACK_DATABASE_URL
# [postgres://postgres@127.0.0.1:5432/registry_stack], STACK_REDIS_PORT [6390: the stack's own redis-server,
# so that stopping it (`stop-redis`, the deploy leg's Redis drill) leaves the machine's Redis alone],
# STACK_HTTPS_PORT [8443], STACK_HTTP_PORT [8080], WORKER_COMMAND [registry_worker], STACK_GUNICORN_WORKERS [2],
# STACK_API_THROTTLE_ANON [unset: the settings' default], STACK_START_TIMEOUT [60 seconds].
# The settings named in PASSED_SETTINGS below reach every process of the stack when they are set in this
# script's environment (the deploy leg shortens the mail retry and import heartbeat and names its SMTP port).
# Everything the stack writes (certificate, secret key, configs, pid files, logs) lives in STACK_DIR; `stop`
# ends only processes whose pid file is there and that carry this stack's marker.
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"

STACK_DIR="${STACK_DIR:-var/stack}"
mkdir -p "$STACK_DIR"
STACK_DIR="$(cd "$STACK_DIR" && pwd)"
STACK_DATABASE_URL="${STACK_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/registry_stack}"
STACK_REDIS_PORT="${STACK_REDIS_PORT:-6390}"
REDIS_URL="redis://127.0.0.1:$STACK_REDIS_PORT/0"
STACK_HTTPS_PORT="${STACK_HTTPS_PORT:-8443}"
STACK_HTTP_PORT="${STACK_HTTP_PORT:-8080}"
WORKER_COMMAND="${WORKER_COMMAND:-registry_worker}"
STACK_GUNICORN_WORKERS="${STACK_GUNICORN_WORKERS:-2}"
STACK_START_TIMEOUT="${STACK_START_TIMEOUT:-60}"
APP_PORTS=(8101 8102)
STACK_URL="https://127.0.0.1:$STACK_HTTPS_PORT"
PASSED_SETTINGS=(
  EMAIL_HOST EMAIL_PORT EMAIL_TIMEOUT MAIL_RETRY_BASE_SECONDS MAIL_MAX_ATTEMPTS IMPORT_HEARTBEAT_TIMEOUT
)

PYTHON="$REPO/.venv/bin/python"
NGINX="${NGINX:-/usr/sbin/nginx}"
RUN_DIR="$STACK_DIR/run"
LOG_DIR="$STACK_DIR/logs"
TLS_DIR="$STACK_DIR/tls"
NGINX_DIR="$STACK_DIR/nginx"
APP_ENV="$STACK_DIR/app.env"
mkdir -p "$RUN_DIR" "$LOG_DIR"

fail() {
  echo "stack: FAIL: $*" >&2
  exit 1
}

show_log_tail() {
  local log="$1"
  if [ -f "$log" ]; then
    echo "---- last lines of $log" >&2
    tail -n 40 "$log" >&2
  fi
}

# The environment of every production process: exactly what taobao_site.settings.production reads, written
# once per start so that the app servers, the worker, `check --deploy` and the deploy tests share it.
write_app_env() {
  local secret_file="$STACK_DIR/secret_key"
  if [ ! -s "$secret_file" ]; then
    (umask 077 && openssl rand -hex 32 >"$secret_file")
  fi
  (
    umask 077
    {
      echo "DJANGO_SETTINGS_MODULE=taobao_site.settings.production"
      echo "SECRET_KEY=$(cat "$secret_file")"
      echo "DATABASE_URL=$STACK_DATABASE_URL"
      echo "REDIS_URL=$REDIS_URL"
      echo "ALLOWED_HOSTS=127.0.0.1,localhost"
      echo "CSRF_TRUSTED_ORIGINS=$STACK_URL"
      if [ -n "${STACK_API_THROTTLE_ANON:-}" ]; then
        echo "API_THROTTLE_ANON=$STACK_API_THROTTLE_ANON"
      fi
      local setting
      for setting in "${PASSED_SETTINGS[@]}"; do
        if [ -n "${!setting:-}" ]; then
          echo "$setting=${!setting}"
        fi
      done
    } >"$APP_ENV"
  )
  # Where the deploy tests find the stack (tests/deploy/conftest.py).
  {
    echo "STACK_URL=$STACK_URL"
    echo "STACK_HTTP_URL=http://127.0.0.1:$STACK_HTTP_PORT"
    echo "STACK_APP_SERVERS=http://127.0.0.1:${APP_PORTS[0]},http://127.0.0.1:${APP_PORTS[1]}"
    echo "STACK_RUN_DIR=$RUN_DIR"
  } >"$STACK_DIR/stack.env"
}

# Read KEY=VALUE lines without evaluating them, so a value may hold any character but a newline.
export_app_env() {
  [ -f "$APP_ENV" ] || fail "$APP_ENV is missing: run \`deploy/stack.sh start\` first"
  local key value
  while IFS='=' read -r key value; do
    export "$key=$value"
  done <"$APP_ENV"
}

manage() {
  (export_app_env && "$PYTHON" manage.py "$@")
}

# A process is this stack's when its pid file names a live process carrying this stack's marker (set in its
# environment at launch, or in nginx's command line), so a reused pid is never mistaken for it.
process_is_running() {
  local name="$1" pid
  pid="$(cat "$RUN_DIR/$name.pid" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  if [ "$name" = nginx ]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$NGINX_DIR/nginx.conf"
  else
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "REGISTRY_STACK_PROCESS=$STACK_DIR/$name"
  fi
}

start_process() {
  local name="$1"
  shift
  if process_is_running "$name"; then
    echo "stack: $name already running (pid $(cat "$RUN_DIR/$name.pid"))"
    return
  fi
  rm -f "$RUN_DIR/$name.pid"
  # setsid: the stack outlives the terminal that started it, and a Ctrl-C there does not reach it.
  (
    export_app_env
    export REGISTRY_STACK_PROCESS="$STACK_DIR/$name"
    exec setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$RUN_DIR/$name.pid" "$@" \
      >>"$LOG_DIR/$name.log" 2>&1 </dev/null
  ) &
  for _ in $(seq 1 50); do
    [ -s "$RUN_DIR/$name.pid" ] && process_is_running "$name" && break
    sleep 0.1
  done
  process_is_running "$name" || { show_log_tail "$LOG_DIR/$name.log"; fail "$name did not start"; }
  echo "stack: started $name (pid $(cat "$RUN_DIR/$name.pid"), log $LOG_DIR/$name.log)"
}

# nginx finishes its requests on QUIT; gunicorn and the worker do on TERM.
stop_process() {
  local name="$1" signal="${2:-TERM}" pid
  if ! process_is_running "$name"; then
    echo "stack: $name not running"
    rm -f "$RUN_DIR/$name.pid"
    return
  fi
  pid="$(cat "$RUN_DIR/$name.pid")"
  kill "-$signal" "$pid"
  # Gunicorn's graceful timeout is 30 s: requests in flight may finish.
  for _ in $(seq 1 350); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "stack: $name (pid $pid) is still running after SIG$signal; killing its process group"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
  fi
  rm -f "$RUN_DIR/$name.pid"
  echo "stack: stopped $name"
}

app_number() {
  case "${1:-}" in
    1 | 2) echo "$1" ;;
    *) fail "app server number must be 1 or 2, not '${1:-}'" ;;
  esac
}

# Asks the app server itself, as nginx would: Django's SSL redirect must see the request as HTTPS.
wait_for_app() {
  local number="$1" url="http://127.0.0.1:${APP_PORTS[$(($1 - 1))]}/"
  for _ in $(seq 1 "$STACK_START_TIMEOUT"); do
    curl -fsS -o /dev/null --max-time 5 -H "X-Forwarded-Proto: https" "$url" 2>/dev/null && return
    process_is_running "app-$number" || break
    sleep 1
  done
  show_log_tail "$LOG_DIR/app-$number.log"
  fail "app server $number does not answer 200 at $url"
}

start_app() {
  local number port
  number="$(app_number "$1")"
  port="${APP_PORTS[$((number - 1))]}"
  if ! process_is_running "app-$number" && curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; then
    fail "port $port already answers, but not from this stack's app server $number"
  fi
  GUNICORN_BIND="127.0.0.1:$port" GUNICORN_WORKERS="$STACK_GUNICORN_WORKERS" \
    GUNICORN_PROC_NAME="registry-web-$number" \
    start_process "app-$number" "$REPO/.venv/bin/gunicorn" -c "$REPO/deploy/gunicorn.conf.py" taobao_site.wsgi
  wait_for_app "$number"
}

# The stack's own Redis: nothing on disk (the cache holds throttle counts and cached lookups, all rebuilt on
# demand), answering on 127.0.0.1 only.
start_redis() {
  if ! process_is_running redis && redis-cli -p "$STACK_REDIS_PORT" ping >/dev/null 2>&1; then
    fail "port $STACK_REDIS_PORT already answers Redis, but not from this stack's redis-server"
  fi
  # No process title: redis-server would write it over its environment, where the stack's marker is.
  start_process redis redis-server --port "$STACK_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --set-proc-title no
  for _ in $(seq 1 50); do
    redis-cli -p "$STACK_REDIS_PORT" ping >/dev/null 2>&1 && return
    sleep 0.1
  done
  show_log_tail "$LOG_DIR/redis.log"
  fail "the stack's redis-server does not answer on port $STACK_REDIS_PORT"
}

start_worker() {
  local worker_args
  read -ra worker_args <<<"$WORKER_COMMAND"
  start_process worker "$PYTHON" manage.py "${worker_args[@]}"
}

make_certificate() {
  mkdir -p "$TLS_DIR"
  if [ -s "$TLS_DIR/cert.pem" ] && openssl x509 -checkend 86400 -noout -in "$TLS_DIR/cert.pem" >/dev/null; then
    return
  fi
  (
    umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" 2>"$LOG_DIR/openssl.log"
  ) || { show_log_tail "$LOG_DIR/openssl.log"; fail "openssl could not make the self-signed certificate"; }
  chmod 644 "$TLS_DIR/cert.pem"
  echo "stack: made a self-signed certificate for 127.0.0.1 and localhost in $TLS_DIR"
}

create_database() {
  local name="${STACK_DATABASE_URL##*/}" server="${STACK_DATABASE_URL%/*}"
  name="${name%%\?*}"
  pg_isready -d "$server/postgres" -q || fail "PostgreSQL at $server does not answer"
  if ! psql "$server/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    psql "$server/postgres" -q -c "CREATE DATABASE \"$name\""
    echo "stack: created database $name"
  fi
}

# Runs the management commands of a deploy, in the order an operator would.
prepare_site() {
  manage migrate --noinput -v 0
  manage compilemessages --ignore=.venv -v 0
  manage collectstatic --noinput -v 0
  manage load_divisions
  # load_demo refuses production settings by design; the demo accounts still go into the stack's database.
  (export_app_env && DJANGO_SETTINGS_MODULE=taobao_site.settings.local "$PYTHON" manage.py load_demo)
}

# envsubst only the named ${...}: nginx's own $variables must reach nginx untouched.
render() {
  envsubst "$(printf '${%s} ' "$@")"
}

start_nginx() {
  local static_root
  static_root="$(manage shell --no-imports -c 'from django.conf import settings; print(settings.STATIC_ROOT)')"
  mkdir -p "$NGINX_DIR/tmp"
  export REGISTRY_SERVER_NAME="127.0.0.1 localhost" REGISTRY_HTTPS_PORT="$STACK_HTTPS_PORT"
  export REGISTRY_HTTP_PORT="$STACK_HTTP_PORT" REGISTRY_TLS_CERTIFICATE="$TLS_DIR/cert.pem"
  export REGISTRY_TLS_CERTIFICATE_KEY="$TLS_DIR/key.pem" REGISTRY_STATIC_ROOT="$static_root"
  export REGISTRY_APP_SERVER_1="127.0.0.1:${APP_PORTS[0]}" REGISTRY_APP_SERVER_2="127.0.0.1:${APP_PORTS[1]}"
  export REGISTRY_LOG_DIR="$LOG_DIR" STACK_NGINX_DIR="$NGINX_DIR" STACK_RUN_DIR="$RUN_DIR"
  render REGISTRY_SERVER_NAME REGISTRY_HTTPS_PORT REGISTRY_HTTP_PORT REGISTRY_TLS_CERTIFICATE \
    REGISTRY_TLS_CERTIFICATE_KEY REGISTRY_STATIC_ROOT REGISTRY_APP_SERVER_1 REGISTRY_APP_SERVER_2 REGISTRY_LOG_DIR \
    <deploy/nginx/registry.conf.template >"$NGINX_DIR/registry.conf"
  render STACK_NGINX_DIR STACK_RUN_DIR REGISTRY_LOG_DIR <deploy/nginx/stack.conf.template >"$NGINX_DIR/nginx.conf"
  local nginx_args=(-p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$LOG_DIR/nginx-error.log")
  "$NGINX" "${nginx_args[@]}" -t -q || fail "nginx rejects $NGINX_DIR/nginx.conf"
  if process_is_running nginx; then
    "$NGINX" "${nginx_args[@]}" -s reload
    echo "stack: reloaded nginx (pid $(cat "$RUN_DIR/nginx.pid"))"
  else
    "$NGINX" "${nginx_args[@]}" || { show_log_tail "$LOG_DIR/nginx-error.log"; fail "nginx did not start"; }
    for _ in $(seq 1 50); do process_is_running nginx && break; sleep 0.1; done
    process_is_running nginx || { show_log_tail "$LOG_DIR/nginx-error.log"; fail "nginx did not start"; }
    echo "stack: started nginx (pid $(cat "$RUN_DIR/nginx.pid")) on $STACK_URL and http://127.0.0.1:$STACK_HTTP_PORT"
  fi
}

wait_for_stack() {
  for _ in $(seq 1 "$STACK_START_TIMEOUT"); do
    if curl -fsS -o /dev/null --max-time 5 --cacert "$TLS_DIR/cert.pem" "$STACK_URL/" 2>/dev/null; then
      echo "stack: up at $STACK_URL/"
      return
    fi
    sleep 1
  done
  show_log_tail "$LOG_DIR/nginx-error.log"
  show_log_tail "$LOG_DIR/registry-access.log"
  show_log_tail "$LOG_DIR/app-1.log"
  show_log_tail "$LOG_DIR/app-2.log"
  fail "$STACK_URL/ does not answer 200 through nginx"
}

status() {
  local name all_running=0
  for name in nginx app-1 app-2 worker redis; do
    if process_is_running "$name"; then
      echo "$name: running (pid $(cat "$RUN_DIR/$name.pid"))"
    else
      echo "$name: stopped"
      all_running=3
    fi
  done
  return "$all_running"
}

case "${1:-}" in
  start)
    for command in "$NGINX" openssl psql pg_isready curl envsubst setsid redis-server redis-cli; do
      command -v "$command" >/dev/null || fail "$command is missing"
    done
    [ -x "$PYTHON" ] || fail "$PYTHON is missing: run \`make test\` or \`make run\` once to make the virtualenv"
    make_certificate
    create_database
    write_app_env
    start_redis
    prepare_site
    # The worker first: a worker command that dies at once has then had the app servers' start-up to do so.
    start_worker
    start_app 1
    start_app 2
    start_nginx
    wait_for_stack
    status || { show_log_tail "$LOG_DIR/worker.log"; fail "a process of the stack stopped during start"; }
    ;;
  stop)
    stop_process nginx QUIT
    stop_process app-1
    stop_process app-2
    stop_process worker
    stop_process redis
    ;;
  status) status ;;
  start-app) start_app "${2:-}" ;;
  stop-app)
    number="$(app_number "${2:-}")"
    stop_process "app-$number"
    ;;
  start-worker) start_worker ;;
  stop-worker) stop_process worker ;;
  start-redis) start_redis ;;
  stop-redis) stop_process redis ;;
  *)
    echo "usage: deploy/stack.sh start|stop|status|stop-app N|start-app N|stop-worker|start-worker|stop-redis|start-redis" >&2
    exit 2
    ;;
esac
