#!/usr/bin/env bash
# Builds the web client into web/dist when its sources (or docs/openapi.yaml, from which its API
# types are generated) changed since the last build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
web="$root/web"
[ -f "$web/package.json" ] || exit 0
stamp="$web/dist/.built"
# The API types are generated from docs/openapi.yaml by the build: a change there rebuilds too.
if [ -f "$stamp" ] && [ -z "$(find "$web/src" "$web/index.html" "$web/package.json" "$web/package-lock.json" \
  "$web/vite.config.ts" "$web/tsconfig.json" "$root/docs/openapi.yaml" -newer "$stamp" 2>/dev/null | grep -v '/openapi\.gen\.ts$' | head -n 1)" ]; then
  exit 0
fi
(cd "$web" && npm run --silent build)
touch "$stamp"
