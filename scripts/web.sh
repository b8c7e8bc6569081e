#!/usr/bin/env bash
# Builds the web client into web/dist when its sources changed since the last build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
web="$root/web"
[ -f "$web/package.json" ] || exit 0
stamp="$web/dist/.built"
if [ -f "$stamp" ] && [ -z "$(find "$web/src" "$web/index.html" "$web/package.json" "$web/vite.config.ts" -newer "$stamp" 2>/dev/null | head -n 1)" ]; then
  exit 0
fi
(cd "$web" && npm run --silent build)
touch "$stamp"
