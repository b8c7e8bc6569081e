#!/usr/bin/env bash
# Serves the app in the foreground against the private services; Ctrl-C stops the server and
# then the private PostgreSQL and Redis.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. .var/env
# NEO4J=1 (make run NEO4J=1): also the local Neo4j the tests use, and the graph mirror into it.
neo4j_started=0
if [ "${NEO4J:-0}" = 1 ]; then
  scripts/neo4j/start.sh >/dev/null || { echo "run: Neo4j did not start" >&2; exit 1; }
  neo4j_started=1
  . .var/neo4j.env
  export NEO4J_URL
fi
stop_services() {
  [ "$neo4j_started" = 1 ] && scripts/neo4j/stop.sh >/dev/null 2>&1
  scripts/services.sh stop
}
trap stop_services EXIT
web_root=""
[ -f web/dist/index.html ] && web_root="$root/web/dist"
COLLABDEV_WEB_ROOT=${COLLABDEV_WEB_ROOT:-$web_root} \
COLLABDEV_LISTEN=${COLLABDEV_LISTEN:-127.0.0.1:8080} \
  build/release/collabdev serve &
pid=$!
trap 'kill -TERM $pid 2>/dev/null' INT TERM
wait $pid
# The first wait returns when a signal arrives; wait again for the server to finish draining.
wait $pid 2>/dev/null
