#!/usr/bin/env bash
# Starts a throwaway Neo4j 5.26 (in-process neo4j-harness, auth off, Query API on) for tests, in the
# background, bound to 127.0.0.1 only. Builds it first if needed (Maven Central only).
#   scripts/neo4j/start.sh        ->  prints NEO4J_URL; writes .var/neo4j.env and .var/neo4j.pid
#   . .var/neo4j.env              ->  NEO4J_URL=http://127.0.0.1:PORT, NEO4J_BOLT_URL=bolt://127.0.0.1:PORT
#   scripts/neo4j/stop.sh
# Environment:
#   NEO4J_HTTP_PORT, NEO4J_BOLT_PORT  fixed ports (default: free ports chosen at start)
#   NEO4J_START_TIMEOUT              seconds to wait for it to answer (default 180)
#   NEO4J_JAVA_OPTS                  JVM options (default below: 1 GiB heap, tuned for start time)
#   NEO4J_CDS=0                      skip the class-data-sharing archive (see below)
# Its own log: .var/neo4j.log (JVM) ; build log: .var/neo4j-build.log ; data: .var/neo4j-data/ (deleted on stop)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
var="$root/.var"
jar="$here/target/neo4j-test-server.jar"
jsa="$here/target/app.jsa"
pidfile="$var/neo4j.pid"
envfile="$var/neo4j.env"
out="$var/neo4j.out"
log="$var/neo4j.log"
datadir="$var/neo4j-data"
timeout=${NEO4J_START_TIMEOUT:-180}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
# C1 only and the serial collector: a test database starts ~2x faster this way, and its queries are
# too short to profit from C2. JVM log lines go to stderr so that stdout carries only the address lines.
java_opts=${NEO4J_JAVA_OPTS:--Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
java_opts="$java_opts -Xlog:disable -Xlog:all=error:stderr"
mkdir -p "$var"

is_ours() { # pid -> true when it is a live neo4j-test-server JVM
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'neo4j-test-server.jar'
}
answers() { curl -fsS -m 5 -o /dev/null "$1/" 2>/dev/null; }

# Already running?
if [ -s "$pidfile" ] && is_ours "$(cat "$pidfile")" && [ -s "$envfile" ]; then
  url=$(sed -n "s/^export NEO4J_URL='\(.*\)'$/\1/p" "$envfile")
  if [ -n "$url" ] && answers "$url"; then echo "$url"; exit 0; fi
fi
rm -f "$pidfile" "$envfile"
rm -rf "$datadir" # leftovers of a killed run

# Build when the jar is missing or older than its sources.
if [ ! -s "$jar" ] || [ -n "$(find "$here/pom.xml" "$here/src" -newer "$jar" -type f 2>/dev/null | head -1)" ]; then
  echo "neo4j: building (the first build downloads neo4j-harness from Maven Central; see $var/neo4j-build.log)" >&2
  if ! (cd "$here" && mvn -B -q package) >"$var/neo4j-build.log" 2>&1; then
    tail -40 "$var/neo4j-build.log" >&2
    echo "neo4j: build failed" >&2
    exit 1
  fi
  rm -f "$jsa" # made for the old jar
fi
# The JVM ignores an archive whose jars changed since (e.g. after a manual mvn package): retrain.
if [ -s "$jsa" ] && [ -n "$(find "$jar" "$here/target/lib" -newer "$jsa" -name '*.jar' 2>/dev/null | head -1)" ]; then
  rm -f "$jsa"
fi

# launch EXTRA_JVM_OPTS... -> starts the server in the background, sets $pid
launch() {
  : >"$out"
  # shellcheck disable=SC2086 # word splitting of the option strings is intended
  NEO4J_WORK_DIR="$datadir" setsid "$java" $java_opts "$@" -jar "$jar" --no-stdin </dev/null >"$out" 2>>"$log" &
  pid=$!
}

# wait_ready -> sets $url once the HTTP port answers; false when the JVM died or time ran out
wait_ready() {
  local deadline=$((SECONDS + timeout))
  url=
  while [ $SECONDS -lt $deadline ]; do
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    [ -z "$url" ] && url=$(sed -n 's/^NEO4J_URL=//p' "$out")
    if [ -n "$url" ] && answers "$url"; then return 0; fi
    sleep 0.2
  done
  return 1
}

stop_pid() { # pid, seconds
  kill -TERM "$1" 2>/dev/null || return 0
  local i
  for ((i = 0; i < $2 * 10; i++)); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}

: >"$log"
# Once per build: a training run that records the classes Neo4j loads into a class-data-sharing
# archive (JDK 17 AppCDS); later starts map it instead of loading ~240 jars' classes one by one,
# which roughly halves the start time. Costs ~30-60 s once. A stale or foreign archive is ignored
# by the JVM, so this can only make things faster.
if [ "${NEO4J_CDS:-1}" != 0 ] && [ ! -s "$jsa" ]; then
  echo "neo4j: one-time class-data-sharing training run (~1 min)" >&2
  launch "-XX:ArchiveClassesAtExit=$jsa.tmp"
  if wait_ready; then
    curl -fsS -m 30 -o /dev/null -H 'Content-Type: application/json' -H 'Accept: application/json' \
      -d '{"statement":"MERGE (a:Task {id: $id})-[r:LINKED_TO]->(b:File {id: $id}) WITH a MATCH p = (a)-[*1..3]-() RETURN count(p) AS n","parameters":{"id":"x"}}' \
      "$url/db/neo4j/query/v2" || true
    stop_pid "$pid" 300 # the archive is written at exit
    if [ -s "$jsa.tmp" ]; then mv -f "$jsa.tmp" "$jsa"; fi
  else
    stop_pid "$pid" 10
  fi
  rm -f "$jsa.tmp"
  rm -rf "$datadir"
fi

started=$(date +%s%N)
if [ -s "$jsa" ]; then launch "-XX:SharedArchiveFile=$jsa"; else launch; fi
if ! wait_ready; then
  alive=0; kill -0 "$pid" 2>/dev/null && alive=1
  stop_pid "$pid" 10
  rm -rf "$datadir"
  tail -40 "$log" >&2
  if [ "$alive" = 1 ]; then
    echo "neo4j: did not answer within ${timeout}s (log: $log)" >&2
  else
    echo "neo4j: exited before answering (log: $log)" >&2
  fi
  exit 1
fi
bolt=$(sed -n 's/^NEO4J_BOLT_URL=//p' "$out")
echo "$pid" >"$pidfile"
printf "export NEO4J_URL='%s'\nexport NEO4J_BOLT_URL='%s'\n" "$url" "$bolt" >"$envfile.tmp"
mv -f "$envfile.tmp" "$envfile"
echo "neo4j: ready in $((($(date +%s%N) - started) / 1000000)) ms, pid $pid; env in $envfile" >&2
echo "$url"
