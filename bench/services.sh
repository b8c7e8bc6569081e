#!/usr/bin/env bash
# The benchmark's own PostgreSQL 15 and Redis: scripts/services.sh under .var/bench/ on their own
# loopback ports, so that a benchmark never touches the test services, with a fresh database and
# an empty Redis on every start so that figures never depend on an earlier run.
#   bench/services.sh start | stop
# Ports: BENCH_PG_PORT (default 25632), BENCH_REDIS_PORT (default 26579).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export SERVICES_DIR="$root/.var/bench" SERVICES_DATABASES=""
export PG_PORT=${BENCH_PG_PORT:-25632} REDIS_PORT=${BENCH_REDIS_PORT:-26579}

case "${1:-}" in
  start)
    "$root/scripts/services.sh" start-pg
    "$root/scripts/services.sh" start-redis
    dropdb --if-exists -h 127.0.0.1 -p "$PG_PORT" -U collabdev collabdev_bench 2>/dev/null
    createdb -h 127.0.0.1 -p "$PG_PORT" -U collabdev collabdev_bench
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" flushall >/dev/null
    ;;
  stop) "$root/scripts/services.sh" stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
