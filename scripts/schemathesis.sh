#!/usr/bin/env bash
# Fuzzes the running API with Schemathesis against its own OpenAPI document: no 5xx answers and every
# response conforming to its documented schema. Usage: scripts/schemathesis.sh <api key> [extra args]
# Operations that change exchange-wide state other tests rely on (payout runs over every seller,
# exchange-wide DNC and blocklist entries, subject erasure, list deletion, file imports) and the
# WebSocket are left out, as is the reconciliation batch (it reads every buyer ever created: minutes)
# and its repair (it changes every drifting buyer's actor; the chaos tier's redis-crash proof runs it).
# The carrier routes are left out too: they answer an unsigned request 403 before reading anything,
# and a flood of refusals would lock this address out of them for the tests that follow.
set -euo pipefail
cd "$(dirname "$0")/.."
ST="${DCE_SCHEMATHESIS:-$HOME/.cache/dce/venv/bin/schemathesis}"
API="${DCE_API_URL:-http://127.0.0.1:8080}"
KEY="$1"; shift
exec "$ST" run "$API/openapi.json" --url "$API" \
  -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "${DCE_SCHEMATHESIS_EXAMPLES:-15}" \
  --phases examples,coverage,fuzzing \
  --exclude-path /v1/payouts \
  --exclude-path /v1/compliance/dnc \
  --exclude-path /v1/compliance/dnc/imports \
  --exclude-path /v1/compliance/dnc/lists/{listId} \
  --exclude-path /v1/compliance/blocklist \
  --exclude-path /v1/compliance/subjects/{phone}/erase \
  --exclude-path /v1/live \
  --exclude-path /v1/admin/auctions/live \
  --exclude-path /v1/admin/reconciliation \
  --exclude-path /v1/admin/reconciliation/repair \
  --exclude-path /v1/telephony/twilio/voice \
  --exclude-path /v1/telephony/telnyx/voice \
  --exclude-path /v1/telephony/twilio/calls/{callId}/dial \
  --exclude-path /v1/telephony/telnyx/calls/{callId}/dial \
  --exclude-path /v1/telephony/twilio/calls/{callId}/status \
  --exclude-path /v1/telephony/telnyx/calls/{callId}/status \
  --exclude-path /v1/telephony/twilio/calls/{callId}/recording \
  --exclude-path /v1/telephony/telnyx/calls/{callId}/recording \
  --exclude-path /v1/telephony/twilio/calls/{callId}/whisper \
  --exclude-path /v1/telephony/telnyx/calls/{callId}/whisper \
  --exclude-path /v1/telephony/twilio/calls/{callId}/accept \
  --exclude-path /v1/telephony/telnyx/calls/{callId}/accept \
  --request-timeout 10 \
  --seed 1 \
  "$@"
