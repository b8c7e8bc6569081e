#!/usr/bin/env bash
# ThreadSanitizer run of the concurrency-heavy suites: the database pool and bus tests (ctest, in
# build/tsan), and the API tests that drive the WebSocket gateway, fan-out across instances,
# shutdown and the password-hashing pool against build/tsan/collabdev (COLLABDEV_BIN).
#   scripts/tsan.sh            builds, starts the private services if needed, runs both parts
#   scripts/tsan.sh unit|api   one part only (scripts/test.sh calls these with services running)
# A race stops the process at once (halt_on_error): the test that drove it fails with the report.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
part=${1:-all}
die() { echo "tsan: $*" >&2; exit 1; }

unit_targets=(collabdev_db_pool_tests collabdev_bus_tests)
api_tests=(tests/api/realtime.test.mjs tests/api/slow-consumer.test.mjs tests/api/multi-instance.test.mjs
           tests/api/redis-restart.test.mjs tests/api/ops.test.mjs tests/api/http-shutdown.test.mjs
           tests/api/auth-signin-storm.test.mjs)

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/scripts/sanitizers/tsan.supp"

build() {
  [ -f build/tsan/build.ninja ] || cmake --preset tsan >/dev/null || die "cmake configure failed"
  cmake --build build/tsan --target collabdev "${unit_targets[@]}" || die "build failed"
}

run_unit() {
  # Only the targets built above; the others show up as *_NOT_BUILT placeholders.
  ctest --test-dir build/tsan --output-on-failure -j2 --timeout 600 -E '_NOT_BUILT$'
}

run_api() {
  COLLABDEV_BIN="$root/build/tsan/collabdev" node --test --test-reporter=tap --test-concurrency=1 "${api_tests[@]}"
}

case $part in
  build) build ;;
  unit) run_unit ;;
  api) run_api ;;
  all)
    build
    started=0
    if ! scripts/services.sh status >/dev/null 2>&1; then started=1; fi
    scripts/services.sh start >/dev/null || die "services did not start"
    [ "$started" = 1 ] && trap 'scripts/services.sh stop' EXIT
    . .var/env
    psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS collabdev_test WITH (FORCE)" -c "CREATE DATABASE collabdev_test" >/dev/null ||
      die "cannot create the test database"
    export TEST_DATABASE_URL TEST_REDIS_URL="$REDIS_URL" REDIS_URL
    rc=0
    run_unit || rc=1
    run_api || rc=1
    exit $rc
    ;;
  *) die "usage: scripts/tsan.sh [all|build|unit|api]" ;;
esac
