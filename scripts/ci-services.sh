#!/usr/bin/env bash
# installs (Debian packages) and starts redis-server and PostgreSQL on 127.0.0.1 for the store tests, idempotently,
# and installs chromium (the report's browser tests) and prometheus (the metrics test starts its own server),
# then prints `export STAGEFLOW_TEST_POSTGRES_URL=...` and `export STAGEFLOW_TEST_REDIS_URL=...` for `eval`.
# all progress goes to stderr so that stdout carries only the export lines. runs as root (CI) or with sudo rights.
set -euo pipefail

REDIS_PORT="${STAGEFLOW_CI_REDIS_PORT:-6390}"
PG_PORT="${STAGEFLOW_CI_PG_PORT:-5432}"
PG_DB="${STAGEFLOW_CI_PG_DB:-stageflow_test}"
PG_USER="${STAGEFLOW_CI_PG_USER:-stageflow}"
PG_PASSWORD="${STAGEFLOW_CI_PG_PASSWORD:-stageflow}"

log() { echo "ci-services: $*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v redis-server >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null 2>&1; then
  log "installing postgresql and redis-server"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >&2
fi

# the browser the report tests drive (playwright-core, headless) and the Prometheus server the metrics test starts
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# redis: a private instance on loopback, with an append-only file so that a restart keeps the stream
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "starting redis-server on 127.0.0.1:$REDIS_PORT"
  REDIS_DIR="${TMPDIR:-/tmp}/stageflow-ci-redis-$REDIS_PORT"
  mkdir -p "$REDIS_DIR"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" --appendonly yes --save '' --daemonize yes \
    --logfile "$REDIS_DIR/redis.log" >&2
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null

# postgresql refuses to run as root: go through the Debian cluster tools, which switch to the postgres user
PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main"' | grep -q .; then
  log "creating cluster $PG_VERSION/main"
  as_root pg_createcluster "$PG_VERSION" main -p "$PG_PORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  log "starting PostgreSQL $PG_VERSION/main"
  as_root pg_ctlcluster "$PG_VERSION" main start >&2
fi
PG_PORT="$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" { print $3 }')"
psql_admin() { as_root su postgres -c "psql -v ON_ERROR_STOP=1 -q -p $PG_PORT -h /var/run/postgresql $*" >&2; }
for _ in $(seq 1 50); do as_root su postgres -c "pg_isready -q -p $PG_PORT -h /var/run/postgresql" && break; sleep 0.2; done
psql_admin "-c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'; END IF; END \\\$\\\$;\""
if ! as_root su postgres -c "psql -p $PG_PORT -h /var/run/postgresql -tAc \"SELECT 1 FROM pg_database WHERE datname = '$PG_DB'\"" | grep -q 1; then
  psql_admin "-c \"CREATE DATABASE $PG_DB OWNER $PG_USER\""
fi

echo "export STAGEFLOW_TEST_POSTGRES_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
echo "export STAGEFLOW_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
