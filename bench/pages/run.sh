#!/usr/bin/env bash
# Builds the page builder's apply-and-generate benchmark optimised (-O2, no sanitizers) and prints
# its table: `bench/pages/run.sh`. Pure CPU: no services needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${BENCH_OUT:-$root/build/bench-pages}
mkdir -p "$out"
src="$root/server/src/modules/pages"
g++ -std=c++20 -O2 -DNDEBUG -I "$root/server/src" "$src/structure.cpp" "$src/props.cpp" "$src/urls.cpp" "$src/operations.cpp" \
  "$src/codegen.cpp" "$here/pages_bench.cpp" -lboost_json -lboost_url -o "$out/pages_bench"
"$out/pages_bench"
