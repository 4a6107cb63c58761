#!/usr/bin/env bash
# `npm test`: installs what is missing, checks types and lint, then runs every test tier with vitest:
# unit (pure rules), integration (real Redis/Postgres) and end-to-end (the real Dapr stack, started
# here if none is running and stopped again afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Everything below (npx, vitest, tsx, the stack's apps) runs on the project's Node.js 24.
PATH="$(bash scripts/node24.sh):$PATH"
export PATH
echo "== node $(node --version)"
echo "== typecheck"; npx tsc --noEmit -p tsconfig.json
echo "== lint"; npx biome check .
mkdir -p .data
echo "== tests"
status=0
rm -f .data/test-results-*.json
report() { echo "--reporter=default --reporter=json --outputFile.json=.data/test-results-$1.json"; }
# Unit and e2e first; then the tiers that kill stack processes, each in a run of its own so nothing
# else meets a recovering stack: chaos (crashes mid-call), then failover under load (a replica killed,
# Redis restarted).
# shellcheck disable=SC2046
npx vitest run --project unit --project e2e $(report main) "$@" || status=$?
# shellcheck disable=SC2046
npx vitest run --project chaos $(report chaos) "$@" || status=$?
# shellcheck disable=SC2046
npx vitest run --project failover $(report failover) "$@" || status=$?
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const name of ["main", "chaos", "failover"]) {
    const file = `.data/test-results-${name}.json`;
    if (!fs.existsSync(file)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' || true
exit $status
