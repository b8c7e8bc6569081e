#!/usr/bin/env bash
# Every suite, in order: unit and integration (ctest, against the private PostgreSQL and Redis),
# the schema check, Neo4j, the black-box API tests, and the browser end-to-end tests.
# Prints a summary and exits non-zero when anything failed. Everything it starts, it stops.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
logs="$root/.var/test-logs"
mkdir -p "$logs"
rm -f "$logs"/*.log

started_services=0
cleanup() {
  [ -f .var/neo4j.pid ] && scripts/neo4j/stop.sh >/dev/null 2>&1
  if [ "$started_services" = 1 ]; then scripts/services.sh stop; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n==> %s\n' "$*"; }
die() { echo "test: $*" >&2; exit 1; }

step "build (debug, ASan + UBSan)"
[ -f build/debug/build.ninja ] || cmake --preset debug >/dev/null || die "cmake configure failed"
cmake --build build/debug || die "build failed"
scripts/web.sh || die "web client build failed"

step "private PostgreSQL and Redis"
if ! scripts/services.sh status >/dev/null 2>&1 || ! redis-cli -p "${REDIS_PORT:-56379}" ping >/dev/null 2>&1; then
  started_services=1
fi
pg_running=0
[ -f .var/pg/postmaster.pid ] && pg_running=1
[ "$pg_running" = 1 ] || started_services=1
scripts/services.sh start || die "services did not start"
. .var/env
# A fresh test database for every run, so migrations are exercised from scratch.
psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS collabdev_test WITH (FORCE)" -c "CREATE DATABASE collabdev_test" >/dev/null ||
  die "cannot create the test database"
export TEST_DATABASE_URL TEST_REDIS_URL="$REDIS_URL" REDIS_URL
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

passed=0
failed=0
failed_suites=()
record() {  # suite name, log, exit code
  local name=$1 log=$2 rc=$3 p=0 f=0
  if grep -qE '^# pass [0-9]+' "$log"; then
    p=$(grep -E '^# pass [0-9]+' "$log" | tail -n1 | awk '{print $3}')
    f=$(grep -E '^# fail [0-9]+' "$log" | tail -n1 | awk '{print $3}')
  elif grep -qE 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log"; then
    local line total
    line=$(grep -E 'tests failed out of' "$log" | tail -n1)
    f=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
    total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
    p=$((total - f))
  fi
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi
  passed=$((passed + p))
  failed=$((failed + f))
  [ "$rc" = 0 ] || failed_suites+=("$name")
  printf -- '--- %s: %s passed, %s failed\n' "$name" "$p" "$f"
}
run_suite() {  # name, command...
  local name=$1
  shift
  step "$name"
  local log="$logs/$name.log"
  "$@" 2>&1 | tee "$log"
  record "$name" "$log" "${PIPESTATUS[0]}"
}

run_suite unit-and-integration ctest --test-dir build/debug --output-on-failure -j2 --timeout 300
run_suite schema node --test --test-reporter=tap server/schema_tests/

step "Neo4j (in-process test harness)"
if scripts/neo4j/start.sh >"$logs/neo4j-start.log" 2>&1; then
  . .var/neo4j.env
  export NEO4J_URL
  run_suite neo4j node --test --test-reporter=tap scripts/neo4j/smoke.test.mjs
else
  cat "$logs/neo4j-start.log"
  record neo4j /dev/null 1
fi

run_suite api node --test --test-reporter=tap --test-concurrency=2 tests/api/
if [ -d web/e2e ]; then
  run_suite e2e node --test --test-reporter=tap --test-concurrency=1 web/e2e/
fi

echo
echo "== summary =="
if [ ${#failed_suites[@]} -gt 0 ]; then
  echo "failed suites: ${failed_suites[*]} (logs in .var/test-logs/)"
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#failed_suites[@]} = 0 ]
