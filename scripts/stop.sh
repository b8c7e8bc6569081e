#!/usr/bin/env bash
# Stops whatever `make run` or `make test` left running: servers, Neo4j, PostgreSQL and Redis.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for f in "$root"/.var/*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  kill -TERM "$pid" 2>/dev/null && echo "stopped $(basename "$f" .pid) ($pid)"
  rm -f "$f"
done
"$root/scripts/services.sh" stop
