#!/usr/bin/env bash
# The benchmark's own PostgreSQL 15 and Redis, under .var/bench/ on their own loopback ports, so
# that a benchmark never touches the test services (scripts/services.sh). Modelled on that script.
#   bench/services.sh start | stop
# Ports: BENCH_PG_PORT (default 25632), BENCH_REDIS_PORT (default 26579).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
var="$root/.var/bench"
pg_port=${BENCH_PG_PORT:-25632}
redis_port=${BENCH_REDIS_PORT:-26579}
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
  if ! as_pg "$pgbin/pg_ctl" -D "$var/pg" status >/dev/null 2>&1; then
    mkdir -p "$var/pg-sock"
    if [ "$(id -u)" = 0 ]; then chown "$pg_user" "$var/pg-sock"; fi
    # The settings of scripts/services.sh (durable commits included), with room for pgbench -c 64.
    as_pg "$pgbin/pg_ctl" -D "$var/pg" -l "$var/pg.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $var/pg-sock -c max_connections=300 -c fsync=on -c shared_buffers=256MB" >/dev/null
  fi
  # A fresh database each run: figures never depend on what an earlier run left.
  as_pg /usr/bin/dropdb --if-exists -h 127.0.0.1 -p "$pg_port" -U collabdev collabdev_bench 2>/dev/null
  as_pg /usr/bin/createdb -h 127.0.0.1 -p "$pg_port" -U collabdev collabdev_bench
}

stop_pg() {
  if [ -s "$var/pg/PG_VERSION" ] && as_pg "$pgbin/pg_ctl" -D "$var/pg" status >/dev/null 2>&1; then
    as_pg "$pgbin/pg_ctl" -D "$var/pg" -m fast -w -t 30 stop >/dev/null || true
  fi
}

start_redis() {
  mkdir -p "$var/redis"
  if [ -s "$var/redis/redis.pid" ] && kill -0 "$(cat "$var/redis/redis.pid")" 2>/dev/null; then
    redis-cli -h 127.0.0.1 -p "$redis_port" flushall >/dev/null
    return 0
  fi
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$var/redis" --daemonize yes \
    --pidfile "$var/redis/redis.pid" --logfile "$var/redis/redis.log" --save "" --appendonly no \
    --maxclients 10000 >/dev/null
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

case "${1:-}" in
  start) start_pg; start_redis ;;
  stop) stop_redis; stop_pg ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
