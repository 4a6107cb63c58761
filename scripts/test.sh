#!/usr/bin/env bash
# `npm test`: installs what is missing, checks types and lint, then runs every test tier with vitest:
# unit (pure rules), integration (real Redis/Postgres) and end-to-end (the real Dapr stack, started
# here if none is running and stopped again afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json
echo "== lint"; npx biome check .
mkdir -p .data
echo "== tests"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.data/test-results.json "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".data/test-results.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
exit $status
