#!/usr/bin/env bash
# Builds the changeset fuzz target with clang (libFuzzer, ASan, UBSan) and runs it for a bounded
# time: `run.sh [seconds]` (default 30). Needs clang and libclang-rt-14-dev (scripts/deps.sh test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
seconds=${1:-30}
out=${FUZZ_OUT:-$root/build/fuzz}
mkdir -p "$out/corpus"
cp -n "$here"/corpus/* "$out/corpus/" 2>/dev/null || true
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I "$root/server/src" "$root/server/src/modules/files/changeset.cpp" "$here/changeset_fuzz.cpp" \
  -lboost_json -o "$out/changeset_fuzz"
cd "$out"
./changeset_fuzz -max_total_time="$seconds" -max_len=4096 corpus
