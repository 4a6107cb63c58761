#!/usr/bin/env bash
# Compiles the apps to JavaScript in dist/ (tsc, incremental; names kept: an actor's type on the wire
# is its class name, so nothing is minified or bundled) and copies the SQL migrations beside them.
# `npm start`, the e2e stack and the image run dist/; `node --import tsx` stays for development.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE_BIN="$(bash scripts/node24.sh)"
"$NODE_BIN/node" node_modules/typescript/bin/tsc -p tsconfig.build.json
rm -rf dist/api/db/migrations
cp -r api/db/migrations dist/api/db/migrations
