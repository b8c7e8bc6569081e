#!/usr/bin/env bash
# Stops the Neo4j that scripts/neo4j/start.sh started (pid in .var/neo4j.pid): SIGTERM, then
# SIGKILL after NEO4J_STOP_TIMEOUT seconds (default 30). Removes .var/neo4j.env, .var/neo4j.pid
# and its data directory. Does nothing when it is not running.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
var="$root/.var"
pidfile="$var/neo4j.pid"
limit=${NEO4J_STOP_TIMEOUT:-30}

if [ -s "$pidfile" ]; then
  pid=$(cat "$pidfile")
  # Only a live JVM of ours: the pid may have been reused since.
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'neo4j-test-server.jar'; then
    kill -TERM "$pid"
    for ((i = 0; i < limit * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "neo4j: pid $pid did not stop within ${limit}s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "neo4j: stopped (pid $pid)" >&2
  fi
fi
rm -f "$pidfile" "$var/neo4j.env"
rm -rf "$var/neo4j-data"
