#!/usr/bin/env bash
# `npm test`: installs what is missing, checks types and lint, then runs every test tier with vitest:
# unit (no service), integration (real Redis/Postgres, no Dapr), end-to-end, chaos and failover (the
# real Dapr stack, started if none is running and stopped again afterwards), each stack tier gated by
# a reconciliation of the money it moved.
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
rm -f .data/test-results-*.json .data/reconcile-*.json .data/log-digest-*.txt
report() { echo "--reporter=default --reporter=json --outputFile.json=.data/test-results-$1.json"; }
# One vitest run per tier, in this order: unit (no service), integration (Redis and Postgres only,
# started for it), e2e (the whole stack), then the tiers that kill stack processes, each in a run of
# its own so nothing else meets a recovering stack: chaos (crashes mid-call), then failover under load
# (a replica killed, Redis restarted). Each stack tier's global teardown reconciles the buyers and calls
# created since the tier started and writes .data/reconcile-<tier>.json; the summary fails the run when
# a report is missing, a tier failed or a reconciliation found drift.
tier() {
  local name=$1 project=$2
  shift 2
  echo "== tier $name"
  local started rc=0
  started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  # shellcheck disable=SC2046
  DCE_RECONCILE_REPORT=".data/reconcile-$name.json" npx vitest run --project "$project" $(report "$name") "$@" || rc=$?
  if [ "$rc" -ne 0 ]; then
    status=$rc
    # What the stack's services logged as errors while this tier ran, printed with the summary.
    node --import tsx scripts/log-digest.ts .data/logs "$started" > ".data/log-digest-$name.txt" 2>&1 || true
  fi
}
tier unit unit "$@"
tier integration integration "$@"
tier e2e e2e "$@"
tier chaos chaos "$@"
tier failover failover "$@"
for digest in .data/log-digest-*.txt; do
  [ -s "$digest" ] || continue
  echo "== error lines the services logged during tier $(basename "$digest" .txt | sed 's/^log-digest-//')"
  cat "$digest"
done
echo "== summary"
summary=$(node --import tsx scripts/test-summary.ts unit integration e2e+ chaos+ failover+) || status=1
echo "$summary"
# The summary's last line says PASS only when every report and every reconciliation was read and clean;
# a summary that printed nothing (or anything else) fails the run too.
case "$summary" in *": PASS") ;; *) status=1 ;; esac
exit $status
