#!/usr/bin/env bash
# Starts or stops the private PostgreSQL 15 and Redis under .var/ (no system service touched)
# and writes their URLs to .var/env in shell syntax.
#   scripts/services.sh start | stop | status
# Ports: PG_PORT (default 25432), REDIS_PORT (default 26379); both listen on 127.0.0.1 only.
# SERVICES_DIR (default .var) and SERVICES_DATABASES let the benchmark run its own pair.
# They sit below Linux's ephemeral range (32768-60999): a port in it can be held by any outgoing
# connection's local end, and a load test opens thousands.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
var=${SERVICES_DIR:-$root/.var}
databases=${SERVICES_DATABASES-collabdev collabdev_test}
pg_port=${PG_PORT:-25432}
redis_port=${REDIS_PORT:-26379}
pgbin=/usr/lib/postgresql/15/bin
pg_user=postgres   # initdb and postgres refuse to run as root

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi
}

start_pg() {
  mkdir -p "$var"
  if [ "$(id -u)" = 0 ]; then chown "$pg_user" "$var"; fi
  if [ ! -s "$var/pg/PG_VERSION" ]; then
    mkdir -p "$var/pg"
    if [ "$(id -u)" = 0 ]; then chown "$pg_user" "$var/pg"; fi
    chmod 700 "$var/pg"
    as_pg "$pgbin/initdb" -D "$var/pg" -U collabdev --auth=trust -E UTF8 --locale=C.UTF-8 >"$var/pg-initdb.log" 2>&1 ||
      { cat "$var/pg-initdb.log"; exit 1; }
  fi
  if as_pg "$pgbin/pg_ctl" -D "$var/pg" status >/dev/null 2>&1; then return 0; fi
  mkdir -p "$var/pg-sock"
  if [ "$(id -u)" = 0 ]; then chown "$pg_user" "$var/pg-sock"; fi
  as_pg "$pgbin/pg_ctl" -D "$var/pg" -l "$var/pg.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $var/pg-sock -c max_connections=300 -c fsync=on -c shared_buffers=256MB" >/dev/null
  for db in $databases; do
    if ! as_pg "$pgbin/../bin/psql" -h 127.0.0.1 -p "$pg_port" -U collabdev -d postgres -Atqc \
        "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
      as_pg /usr/bin/createdb -h 127.0.0.1 -p "$pg_port" -U collabdev "$db"
    fi
  done
}

stop_pg() {
  if [ -s "$var/pg/PG_VERSION" ] && as_pg "$pgbin/pg_ctl" -D "$var/pg" status >/dev/null 2>&1; then
    as_pg "$pgbin/pg_ctl" -D "$var/pg" -m fast -w -t 30 stop >/dev/null || true
  fi
}

start_redis() {
  mkdir -p "$var/redis"
  if [ -s "$var/redis/redis.pid" ] && kill -0 "$(cat "$var/redis/redis.pid")" 2>/dev/null; then return 0; fi
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$var/redis" --daemonize yes \
    --pidfile "$var/redis/redis.pid" --logfile "$var/redis/redis.log" --save "" --appendonly no \
    --maxclients 30000 >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis did not start; see $var/redis/redis.log" >&2
  exit 1
}

stop_redis() {
  if [ -s "$var/redis/redis.pid" ]; then
    local pid
    pid=$(cat "$var/redis/redis.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$var/redis/redis.pid"
  fi
}

write_env() {
  cat >"$var/env" <<ENV
export DATABASE_URL='postgresql://collabdev@127.0.0.1:$pg_port/collabdev'
export TEST_DATABASE_URL='postgresql://collabdev@127.0.0.1:$pg_port/collabdev_test'
export REDIS_URL='redis://127.0.0.1:$redis_port'
export PGDATA_DIR='$var/pg'
ENV
}

case "${1:-}" in
  start) start_pg; start_redis; write_env ;;
  stop) stop_redis; stop_pg ;;
  start-pg) start_pg ;;
  stop-pg) stop_pg ;;
  start-redis) start_redis ;;
  stop-redis) stop_redis ;;
  status)
    as_pg "$pgbin/pg_ctl" -D "$var/pg" status || true
    redis-cli -h 127.0.0.1 -p "$redis_port" ping || true ;;
  *) echo "usage: $0 start|stop|status|start-pg|stop-pg|start-redis|stop-redis" >&2; exit 2 ;;
esac
