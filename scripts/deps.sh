#!/usr/bin/env bash
# Installs what is missing, and nothing else: Debian packages (one `apt-get update` first, only
# when something is missing) and the npm packages of the web client and the test suites.
#   scripts/deps.sh [build|run|test]   (test also installs the browser, Java for Neo4j and the
#   bench smoke run's load tools; run does too for Java when NEO4J=1, for `make run NEO4J=1`)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-run}

pkgs=(cmake ninja-build g++ pkg-config ccache make
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libpq-dev libhiredis-dev libsodium-dev libssl-dev libspdlog-dev libfmt-dev libcli11-dev
      libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev libutf8proc-dev
      postgresql-15 postgresql-client-15 redis-server)
command -v node >/dev/null 2>&1 || pkgs+=(nodejs npm)
if [ "$mode" = run ] && [ "${NEO4J:-0}" = 1 ]; then
  command -v java >/dev/null 2>&1 || pkgs+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
  pkgs+=(curl)
fi
if [ "$mode" = test ]; then
  # The browser tests, Neo4j, the bench smoke run (wrk, pgbench, curl, python3, go for Centrifugo)
  # and the changeset and page operations fuzz targets (clang with its libFuzzer runtime).
  pkgs+=(chromium fonts-liberation wrk curl python3 clang libclang-rt-14-dev)
  command -v go >/dev/null 2>&1 || pkgs+=(golang-go)
  command -v java >/dev/null 2>&1 || pkgs+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null 2>&1 || pkgs+=(maven)
fi

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm: install when node_modules is missing or older than the lock file.
npm_install() {
  local dir=$1
  [ -f "$dir/package.json" ] || return 0
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "deps: npm packages in ${dir#$root/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
npm_install "$root/web"
if [ "$mode" = test ]; then
  npm_install "$root/tests"
  npm_install "$root/tests/pages"
  # The SFU the calls API tests check their LiveKit tokens against: livekit-server from the Go
  # module proxy (v1.13.5: later versions are refused there), built once into .var/bin.
  livekit_version=v1.13.5
  livekit="$root/.var/bin/livekit-server"
  if [ ! -x "$livekit" ] || [ "$(cat "$livekit.version" 2>/dev/null)" != "$livekit_version" ]; then
    echo "deps: building livekit-server $livekit_version (once)"
    gobin=$(mktemp -d)
    GOBIN=$gobin GOFLAGS=-buildvcs=false go install "github.com/livekit/livekit-server/cmd/server@$livekit_version"
    mkdir -p "$root/.var/bin"
    mv "$gobin/server" "$livekit"
    rmdir "$gobin"
    echo "$livekit_version" >"$livekit.version"
  fi
fi
