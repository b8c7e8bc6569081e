#!/usr/bin/env bash
# make bench: builds the release server and the load tools, starts private services on the
# benchmark's own ports, runs the four scenarios of docs/BENCHMARKS.md side by side with their
# peers (pgbench for HTTP, Centrifugo v6 for WebSockets) and writes docs/BENCHMARKS.md.
#   bench/run.sh            the full run (about 30 minutes on 2 cores)
#   bench/run.sh --smoke    tiny loads for a few seconds: checks that every load tool works, writes
#                           nothing under docs/ (for make test)
# Each comparison runs BENCH_REPEAT times (default 3), alternating ours and the peer's (ours, peer,
# ours, peer, ...); the report gives the median of the pairwise ratios, their spread and the load
# average during each. BENCH_ONLY=http,big,fanout,idle (or a prefix of a fan-out row: fanout-1,
# fanout-2, fanout-1-one, fanout-2-ten, ...) runs a subset; the report then says "not run" for the
# rest.
# All traffic stays on 127.0.0.1; every load is bounded in count and in time, and ends by itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

smoke=0
[ "${1:-}" = --smoke ] && smoke=1
centrifugo_version=${CENTRIFUGO_VERSION:-v6.9.1}
pg_port=${BENCH_PG_PORT:-25632}
redis_port=${BENCH_REDIS_PORT:-26579}
port_a=${BENCH_PORT_A:-18181}       # CollabDev+ instance A (and the only one when alone)
port_b=${BENCH_PORT_B:-18182}
cport_a=${BENCH_CENTRIFUGO_PORT_A:-18281}
cport_b=${BENCH_CENTRIFUGO_PORT_B:-18282}
var=$root/.var/bench
out=$var/results
loadgen=$root/build/bench-loadgen/loadgen
centrifugo=$var/gobin/centrifugo
db_url="postgresql://collabdev@127.0.0.1:$pg_port/collabdev_bench"
redis_url="redis://127.0.0.1:$redis_port"
threads=$(nproc)

if [ $smoke = 1 ]; then
  http_seconds=1; fan_per_room=20; fan_rooms_of=5; idle_counts=(50); budget=40
  step_seconds=0.5; latency_seconds=1; max_steps=2; start_rate=200; repeat=${BENCH_REPEAT:-1}
else
  http_seconds=5; fan_per_room=1000; fan_rooms_of=100; budget=150
  step_seconds=1.5; latency_seconds=4; max_steps=10; start_rate=20000; repeat=${BENCH_REPEAT:-3}
fi
only=${BENCH_ONLY:-}
# Whether a comparison is selected by BENCH_ONLY (every one when it is empty).
want() {
  [ -z "$only" ] && return 0
  local w
  for w in ${only//,/ }; do
    case "$1" in "$w"*) return 0 ;; esac
  done
  return 1
}
# The load average (1, 5, 15 minutes) now, appended to the comparison's load file.
note_load() { cut -d' ' -f1-3 /proc/loadavg >>"$out/load-$1.txt"; }

log() { echo "bench: $*" >&2; }

# ---- everything started here is stopped here, also on failure ------------------------------------
started=()
cleanup() {
  local rc=$?
  for pid in "${started[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${started[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  BENCH_PG_PORT=$pg_port BENCH_REDIS_PORT=$redis_port bench/services.sh stop || true
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget() {
  local keep=()
  for p in "${started[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  started=("${keep[@]}")
}

stop_process() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget "$1"
}

wait_http() {
  for _ in $(seq 1 150); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)
    [ "$code" != 000 ] && return 0
    sleep 0.1
  done
  log "no answer from $1"
  return 1
}

# The open-file limit: the hard limit of this machine bounds both the server and the load tool.
ulimit -n "$(ulimit -Hn)"
nofile=$(ulimit -n)
if [ "$nofile" -ge 20200 ]; then big_idle=20000; else big_idle=$(( (nofile - 100) / 100 * 100 )); fi
[ $smoke = 1 ] || idle_counts=(10000 "$big_idle")

# ---- build --------------------------------------------------------------------------------------
mkdir -p "$var"
rm -rf "$out"; mkdir -p "$out"
if [ -n "${BENCH_SERVER_BIN:-}" ]; then
  # The smoke run in make test reuses the server it already built (debug) instead of a release build.
  log "using the server at $BENCH_SERVER_BIN"
  : >"$out/build.log"
else
  log "building the release server"
  [ -f build/release/build.ninja ] || cmake --preset release >/dev/null
  cmake --build build/release --target collabdev >"$out/build.log" 2>&1 || { tail -n 40 "$out/build.log"; exit 1; }
fi
server_bin=${BENCH_SERVER_BIN:-build/release/collabdev}
log "building the load tool"
[ -f build/bench-loadgen/build.ninja ] || cmake -S bench/loadgen -B build/bench-loadgen -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/bench-loadgen >>"$out/build.log" 2>&1 || { tail -n 40 "$out/build.log"; exit 1; }
# The pgbench scripts come from the server's own SQL (see bench/pgbench/scripts.py).
mkdir -p build/bench-loadgen/pgbench
g++ -std=c++20 -O1 -I server/src bench/pgbench/print_sql.cpp -o build/bench-loadgen/print_sql \
  -Wl,--unresolved-symbols=ignore-all
build/bench-loadgen/print_sql | python3 bench/pgbench/scripts.py build/bench-loadgen/pgbench
# go install leaves the version out of the binary (v0.0.0): a stamp beside it says which it is.
if [ ! -x "$centrifugo" ] || [ "$(cat "$centrifugo.version" 2>/dev/null)" != "$centrifugo_version" ]; then
  log "building Centrifugo $centrifugo_version with go install (once; cached under .var/bench)"
  GOBIN=$var/gobin GOFLAGS=-buildvcs=false go install "github.com/centrifugal/centrifugo/v6@$centrifugo_version"
  echo "$centrifugo_version" >"$centrifugo.version"
fi

# ---- services -----------------------------------------------------------------------------------
log "starting PostgreSQL on $pg_port and Redis on $redis_port (.var/bench)"
BENCH_PG_PORT=$pg_port BENCH_REDIS_PORT=$redis_port bench/services.sh start

start_collabdev() {  # name port redis_url
  # Every load client connects from 127.0.0.1: lift the per-address caps meant for real clients.
  DATABASE_URL=$db_url REDIS_URL=$3 COLLABDEV_THREADS=$threads LOG_LEVEL=warn \
    COLLABDEV_WS_MAX_PER_ADDRESS=1000000 COLLABDEV_WS_MAX_CONNECTIONS=1000000 \
    COLLABDEV_REGISTRATIONS_PER_ADDRESS=1000000 \
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$server_bin" serve --listen "127.0.0.1:$2" >"$out/$1.log" 2>&1 &
  last_pid=$!
  started+=("$last_pid")
  wait_http "http://127.0.0.1:$2/readyz"
}

secret=bench-hmac-$RANDOM$RANDOM
api_key=bench-api-$RANDOM$RANDOM
start_centrifugo() {  # name port engine(memory|redis)
  python3 bench/centrifugo.py config "$2" "$3" "$redis_port" "$secret" "$api_key" >"$out/$1.json"
  "$centrifugo" --config "$out/$1.json" >"$out/$1.log" 2>&1 &
  last_pid=$!
  started+=("$last_pid")
  wait_http "http://127.0.0.1:$2/"
}

# Commands are recorded with their secrets replaced by names, for docs/BENCHMARKS.md.
record() {  # name command...
  local name=$1
  shift
  local line="$*"
  line=${line//$token/\$TOKEN}
  line=${line//$jwt/\$JWT}
  line=${line//$token_hash/\$TOKEN_HASH}
  line=${line//$api_key/\$API_KEY}
  line=${line//$root\//}
  echo "$line" >>"$out/commands-$name.txt"
}

token=unset; jwt=unset; token_hash=unset
start_collabdev setup "$port_a" ""
setup_args=("http://127.0.0.1:$port_a" "$db_url")
[ $smoke = 1 ] && setup_args+=(--smoke)
python3 bench/setup.py "${setup_args[@]}" >"$out/setup.json"
j() { python3 -c "import json,sys; v=json.load(open('$out/setup.json'))$1; print(v if isinstance(v,str) else ','.join(v) if isinstance(v,list) else v)"; }
token=$(j '["token"]'); token_hash=$(j '["token_hash"]'); user_id=$(j '["user_id"]')
jwt=$(python3 bench/centrifugo.py token "$secret")
setup_pid=$last_pid

# ---- scenario 1 and 4: HTTP against PostgreSQL's ceiling ----------------------------------------
http_case() {  # scenario name method path body project connections repetition
  local scenario=$1 name=$2 method=$3 path=$4 body=$5 project=$6 c=$7 r=$8
  local wt=$(( c < 2 ? 1 : 2 ))
  log "$scenario: $name at $c connections, run $r of $repeat (wrk, then pgbench)"
  local cmd=(wrk -t"$wt" -c"$c" -d"${http_seconds}s" --latency -s bench/wrk/api.lua "http://127.0.0.1:$port_a$path")
  if [ "$r" = 1 ]; then record "$scenario" "BENCH_TOKEN=$token BENCH_METHOD=$method BENCH_BODY='$body'" "${cmd[@]}"; fi
  note_load "$name-$c"
  BENCH_TOKEN=$token BENCH_METHOD=$method BENCH_BODY=$body "${cmd[@]}" >"$out/wrk-$name-$c-r$r.txt" 2>&1
  local script=build/bench-loadgen/pgbench/$name.sql
  [ "$name" = big_board ] && script=build/bench-loadgen/pgbench/board.sql
  local pcmd=(pgbench -n -M prepared -c "$c" -j "$wt" -T "$http_seconds" -f "$script"
    -D token_hash="$token_hash" -D user_id="$user_id" -D project="$project"
    -D no_task=00000000-0000-0000-0000-000000000000 -D title=pgbench-task
    -l --log-prefix="$out/pgbench-$name-$c-r$r" -h 127.0.0.1 -p "$pg_port" -U collabdev collabdev_bench)
  if [ "$r" = 1 ]; then record "$scenario" "${pcmd[@]}"; fi
  "${pcmd[@]}" >"$out/pgbench-$name-$c-r$r.txt" 2>&1 || { cat "$out/pgbench-$name-$c-r$r.txt"; exit 1; }
  note_load "$name-$c"
}

board50=$(j '["board50"]'); writes=$(j '["writes"]'); big=$(j '["big"]')
for r in $(seq 1 "$repeat"); do
  if want http; then
    for c in 16 64; do
      http_case http board GET "/api/v1/projects/$board50/board" "" "$board50" "$c" "$r"
      http_case http create_task POST "/api/v1/projects/$writes/tasks" '{"title":"wrk task"}' "$writes" "$c" "$r"
      http_case http me GET "/api/v1/me" "" "$board50" "$c" "$r"
    done
  fi
  if want big; then
    for c in 1 16; do
      http_case big big_board GET "/api/v1/projects/$big/board" "" "$big" "$c" "$r"
    done
  fi
done
stop_process "$setup_pid"

# ---- scenario 2: fan-out ------------------------------------------------------------------------
one_room=$(j '["one_room"]')
ten_rooms=$(j '["ten_rooms"]')
collab_rooms_10=$(echo "$ten_rooms" | tr ',' '\n' | sed 's/^/project:/' | paste -sd,)
centrifugo_rooms_10=$(seq -f 'room_%g' 0 9 | paste -sd,)

fanout() {  # result-name pids ws-urls protocol rooms per-room publish publish-url publish-auth
  local name=$1
  local cmd=("$loadgen" fanout --protocol "$4" --ws "$3" --token "$([ "$4" = centrifugo ] && echo "$jwt" || echo "$token")"
    --rooms "$5" --per-room "$6" --publish "$7" --publish-url "$8" --publish-auth "$9" --pids "$2"
    --start-rate "$start_rate" --factor 1.5 --step-seconds "$step_seconds" --latency-seconds "$latency_seconds"
    --max-steps "$max_steps" --budget "$budget" --message-bytes 100)
  if [ "$rep" = 1 ]; then record fanout "${cmd[@]}"; fi
  log "fan-out: $name, run $rep of $repeat"
  note_load "fanout-${name#*-}"
  "${cmd[@]}" >"$out/fanout-$name-r$rep.json" 2>"$out/fanout-$name-r$rep.log" || { tail -n 20 "$out/fanout-$name-r$rep.log"; exit 1; }
  note_load "fanout-${name#*-}"
}

for shape in one ten; do
  if [ $shape = one ]; then
    crooms=project:$one_room; zrooms=room_one; per=$fan_per_room
  else
    crooms=$collab_rooms_10; zrooms=$centrifugo_rooms_10; per=$fan_rooms_of
  fi
  for rep in $(seq 1 "$repeat"); do
    if want "fanout-1-$shape"; then
      # One instance each: CollabDev+ with its in-process bus, Centrifugo with its memory engine.
      start_collabdev "collabdev-$shape" "$port_a" ""; a=$last_pid
      fanout "collabdev-1-$shape" "$a" "ws://127.0.0.1:$port_a/api/v1/ws" collabdev "$crooms" "$per" \
        collabdev "http://127.0.0.1:$port_a" "Bearer $token"
      stop_process "$a"
      # One instance on Redis, published straight to the room's channel: the fan-out alone, not
      # bounded by the chat's HTTP route (stored, then published).
      start_collabdev "collabdev-bus-$shape" "$port_a" "$redis_url"; a=$last_pid
      fanout "collabdev-1redis-$shape" "$a" "ws://127.0.0.1:$port_a/api/v1/ws" collabdev "$crooms" "$per" \
        redis "redis://127.0.0.1:$redis_port" ""
      stop_process "$a"
      start_centrifugo "centrifugo-$shape" "$cport_a" memory; a=$last_pid
      fanout "centrifugo-1-$shape" "$a" "ws://127.0.0.1:$cport_a/connection/websocket" centrifugo "$zrooms" "$per" \
        centrifugo "http://127.0.0.1:$cport_a" "$api_key"
      stop_process "$a"
    fi
    if want "fanout-2-$shape"; then
      # Two instances each behind Redis; clients alternate between them, publishes go to the first.
      start_collabdev "collabdev-a-$shape" "$port_a" "$redis_url"; a=$last_pid
      start_collabdev "collabdev-b-$shape" "$port_b" "$redis_url"; b=$last_pid
      fanout "collabdev-2-$shape" "$a,$b" "ws://127.0.0.1:$port_a/api/v1/ws,ws://127.0.0.1:$port_b/api/v1/ws" \
        collabdev "$crooms" "$per" collabdev "http://127.0.0.1:$port_a" "Bearer $token"
      # The same, published straight to the Redis channel: the fan-out without HTTP and PostgreSQL.
      fanout "collabdev-2redis-$shape" "$a,$b" "ws://127.0.0.1:$port_a/api/v1/ws,ws://127.0.0.1:$port_b/api/v1/ws" \
        collabdev "$crooms" "$per" redis "redis://127.0.0.1:$redis_port" ""
      stop_process "$a"; stop_process "$b"
      start_centrifugo "centrifugo-a-$shape" "$cport_a" redis; a=$last_pid
      start_centrifugo "centrifugo-b-$shape" "$cport_b" redis; b=$last_pid
      fanout "centrifugo-2-$shape" "$a,$b" "ws://127.0.0.1:$cport_a/connection/websocket,ws://127.0.0.1:$cport_b/connection/websocket" \
        centrifugo "$zrooms" "$per" centrifugo "http://127.0.0.1:$cport_a" "$api_key"
      stop_process "$a"; stop_process "$b"
    fi
  done
done

# ---- scenario 3: memory per idle connection ------------------------------------------------------
idle() {  # result-name pid ws protocol room count
  local cmd=("$loadgen" idle --protocol "$4" --ws "$3" --token "$([ "$4" = centrifugo ] && echo "$jwt" || echo "$token")"
    --rooms "$5" --per-room "$6" --pids "$2" --hold 5 --handshakes 200 --budget "$budget")
  record idle "${cmd[@]}"
  log "idle: $1"
  "${cmd[@]}" >"$out/idle-$1.json" 2>"$out/idle-$1.log" || { tail -n 20 "$out/idle-$1.log"; exit 1; }
}
# Memory does not move with the machine's load: one run of each, alternating ours and the peer's.
want idle || idle_counts=()
for n in "${idle_counts[@]}"; do
  start_collabdev "collabdev-idle-$n" "$port_a" ""; a=$last_pid
  idle "collabdev-$n" "$a" "ws://127.0.0.1:$port_a/api/v1/ws" collabdev "project:$one_room" "$n"
  stop_process "$a"
  start_centrifugo "centrifugo-idle-$n" "$cport_a" memory; a=$last_pid
  idle "centrifugo-$n" "$a" "ws://127.0.0.1:$cport_a/connection/websocket" centrifugo room_one "$n"
  stop_process "$a"
done

# ---- the report ---------------------------------------------------------------------------------
versions="$("$server_bin" version 2>/dev/null | head -n1); centrifugo $centrifugo_version (go install, $(go version | cut -d' ' -f3))"
report=(python3 bench/report.py "$out" --nofile "$nofile" --threads "$threads" --versions "$versions" --repeat "$repeat")
if [ $smoke = 1 ]; then
  "${report[@]}" --check
  log "smoke: every load tool ran"
else
  "${report[@]}" >docs/BENCHMARKS.md
  log "wrote docs/BENCHMARKS.md"
fi
