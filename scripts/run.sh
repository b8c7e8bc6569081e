#!/usr/bin/env bash
# Serves the app in the foreground against the private services; Ctrl-C stops the server and
# then the private PostgreSQL and Redis.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. .var/env
stop_services() { scripts/services.sh stop; }
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
