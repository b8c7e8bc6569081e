#!/usr/bin/env bash
# Every suite, in order: unit and integration (ctest, against the private PostgreSQL and Redis),
# the schema check, Neo4j, the black-box API tests, the ThreadSanitizer run, the bench smoke run,
# and the browser end-to-end tests.
# Prints a summary and exits non-zero when anything failed. Everything it starts, it stops.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
logs="$root/.var/test-logs"
mkdir -p "$logs"
rm -f "$logs"/*.log

started_services=0
cleanup() {
  [ -f .var/e2e-server.pid ] && kill -TERM "$(cat .var/e2e-server.pid)" 2>/dev/null && rm -f .var/e2e-server.pid
  [ -f .var/neo4j.pid ] && scripts/neo4j/stop.sh >/dev/null 2>&1
  if [ "$started_services" = 1 ]; then scripts/services.sh stop; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Plain output: the summary reads the runners' closing lines.
export NO_COLOR=1 FORCE_COLOR=0
# CI starts Neo4j once on a fresh machine: the class-data archive would cost more than it saves.
if [ "${CI:-}" = true ]; then export NEO4J_CDS=${NEO4J_CDS:-0}; fi

step() { printf '\n==> %s\n' "$*"; }
die() { echo "test: $*" >&2; exit 1; }

step "build (debug, ASan + UBSan)"
[ -f build/debug/build.ninja ] || cmake --preset debug >/dev/null || die "cmake configure failed"
cmake --build build/debug || die "build failed"
scripts/web.sh || die "web client build failed"

step "private PostgreSQL and Redis"
if ! scripts/services.sh status >/dev/null 2>&1 || ! redis-cli -p "${REDIS_PORT:-26379}" ping >/dev/null 2>&1; then
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
  # Some runners colour their summaries even when told not to: read the log without escapes.
  if [ -f "$log" ]; then sed -i 's/\x1b\[[0-9;]*m//g' "$log"; fi
  if grep -qE '^# pass [0-9]+' "$log"; then
    p=$(grep -E '^# pass [0-9]+' "$log" | tail -n1 | awk '{print $3}')
    f=$(grep -E '^# fail [0-9]+' "$log" | tail -n1 | awk '{print $3}')
  elif grep -qE '^[a-z -]*: [0-9]+ passed, [0-9]+ failed$' "$log"; then
    local bline
    bline=$(grep -E '^[a-z -]*: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)
    p=$(echo "$bline" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
    f=$(echo "$bline" | sed -E 's/.* ([0-9]+) failed$/\1/')
  elif grep -qE '^ +Tests +[0-9]+' "$log"; then
    # vitest: "Tests  27 passed (27)" or "Tests  1 failed | 26 passed (27)"
    local vline
    vline=$(grep -E '^ +Tests +[0-9]+' "$log" | tail -n1)
    p=$(echo "$vline" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
    f=$(echo "$vline" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)
    p=${p:-0}
    f=${f:-0}
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

# The unit tests run with LeakSanitizer on (the servers the other suites start do not: they are
# stopped by signal, and what they hold at exit is not a leak).
ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$root/scripts/sanitizers/lsan.supp print_suppressions=0" \
  run_suite unit-and-integration ctest --test-dir build/debug --output-on-failure -j2 --timeout 300
run_suite schema node --test --test-reporter=tap server/schema_tests/
# The fuzz targets for a bounded time (make fuzz runs them longer); a crash fails the suite.
run_suite fuzz bash -c 'server/src/modules/files/fuzz/run.sh "${FUZZ_SECONDS:-25}" &&
  server/src/modules/pages/fuzz/run.sh "${FUZZ_SECONDS:-15}" && echo "fuzz: 2 passed, 0 failed"'
# The Next.js code the page builder writes: generated, type-checked with tsc and rendered.
PAGES_CODEGEN="$root/build/debug/collabdev-pages-codegen" \
  run_suite pages-codegen node --test --test-reporter=tap tests/pages/

step "Neo4j (in-process test harness)"
if scripts/neo4j/start.sh >"$logs/neo4j-start.log" 2>&1; then
  . .var/neo4j.env
  export NEO4J_URL
  run_suite neo4j node --test --test-reporter=tap scripts/neo4j/smoke.test.mjs
else
  cat "$logs/neo4j-start.log"
  record neo4j /dev/null 1
fi

run_suite api node --test --test-reporter=tap --test-concurrency=2 --test-timeout=900000 tests/api/

# ThreadSanitizer: its own build (build/tsan), then the pool and bus tests and the API tests that
# drive threads hardest against build/tsan/collabdev (docs/testing.md).
step "build (tsan)"
if scripts/tsan.sh build >"$logs/tsan-build.log" 2>&1; then
  run_suite tsan-unit scripts/tsan.sh unit
  run_suite tsan-api scripts/tsan.sh api
else
  tail -n 40 "$logs/tsan-build.log"
  record tsan-build "$logs/tsan-build.log" 1
fi

# The load tools of make bench, with tiny loads, so that they keep working.
BENCH_SERVER_BIN="$root/build/debug/collabdev" run_suite bench-smoke bench/run.sh --smoke

if [ -f web/package.json ]; then
  run_suite web-unit npm --prefix web run --silent test
fi
if [ -d web/e2e ]; then
  # The browser tests drive the built client served by a real server with Redis.
  e2e_port=${E2E_PORT:-18480}
  DATABASE_URL="$TEST_DATABASE_URL" LOG_LEVEL=warn COLLABDEV_WEB_ROOT="$root/web/dist" \
    build/debug/collabdev serve --listen "127.0.0.1:$e2e_port" >"$logs/e2e-server.log" 2>&1 &
  echo $! > .var/e2e-server.pid
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$e2e_port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  E2E_BASE_URL="http://127.0.0.1:$e2e_port" run_suite e2e node --test --test-reporter=tap --test-concurrency=1 --test-timeout=900000 web/e2e/
  kill -TERM "$(cat .var/e2e-server.pid)" 2>/dev/null
  wait "$(cat .var/e2e-server.pid)" 2>/dev/null
  rm -f .var/e2e-server.pid
fi

echo
echo "== summary =="
if [ ${#failed_suites[@]} -gt 0 ]; then
  echo "failed suites: ${failed_suites[*]} (logs in .var/test-logs/)"
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ ${#failed_suites[@]} = 0 ]
