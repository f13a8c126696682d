#!/usr/bin/env bash
# Builds the console bundle into $1 with the machine's Node.js and packages from the npm registry (package-lock.json).
# Called by console/pom.xml in generate-resources. npm ci runs only when node_modules is missing or older than the lock.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js and npm are needed to build the console: apt-get install nodejs npm (make and .ci/run install them)" >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node build.mjs "$1"
