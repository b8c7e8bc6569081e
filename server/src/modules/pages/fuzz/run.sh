#!/usr/bin/env bash
# Builds the page operations fuzz target with clang (libFuzzer, ASan, UBSan) and runs it for a
# bounded time: `run.sh [seconds]` (default 30). Needs clang and libclang-rt-14-dev (scripts/deps.sh test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
seconds=${1:-30}
out=${FUZZ_OUT:-$root/build/fuzz}
mkdir -p "$out/pages-corpus"
cp -n "$here"/corpus/* "$out/pages-corpus/" 2>/dev/null || true
src="$root/server/src/modules/pages"
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I "$root/server/src" "$src/structure.cpp" "$src/props.cpp" "$src/urls.cpp" "$src/operations.cpp" "$src/codegen.cpp" \
  "$here/operations_fuzz.cpp" -lboost_json -lboost_url -o "$out/pages_operations_fuzz"
cd "$out"
./pages_operations_fuzz -max_total_time="$seconds" -max_len=4096 pages-corpus
