// One error model for the API: RFC 9457 problem+json with a stable `code`, and the one mapping from
// actor refusal codes to HTTP statuses.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { LimitHit } from "../actors/kernel/limits.ts";
import { REASONS, type ReasonCode } from "../actors/kernel/reasons.ts";

/** API-level error codes (request problems), beside the domain reason codes in REASONS. */
export const API_ERRORS = {
  unauthorized: "A valid API key is required: `Authorization: Bearer <key>`.",
  forbidden: "This API key may not act on that account or resource.",
  not_found: "No such resource.",
  route_not_found: "No such route.",
  method_not_allowed: "The route does not accept this method.",
  validation_failed: "The request body or parameters are invalid; see `errors`.",
  destination_not_allowed: "An RTB or webhook URL is not https, has credentials or is internal; see below.",
  malformed_json: "The request body is not valid JSON.",
  payload_too_large: "The request body is larger than allowed.",
  idempotency_key_required: "This request needs an `Idempotency-Key` header.",
  not_charged: "The call was never charged, so there is nothing to refund.",
  dispute_window_closed:
    "The charge is older than the dispute window (the seller campaign's `disputeWindowDays`, at most DCE_DISPUTE_WINDOW_DAYS); it can no longer be disputed or refunded.",
  already_refunded:
    "The call's charge is refunded in full already; there is nothing left to refund or dispute.",
  dispute_open: "The call already has an open dispute; wait for its decision before opening another.",
  dispute_unknown: "No such dispute (or it is not one of this account's calls).",
  dispute_decided: "The dispute is decided already; a decision is final.",
  refund_required: "A `partial` decision needs `refundMicros`, more than 0.",
  refund_exceeds_charge:
    "`refundMicros` is more than what is left of the call's charge; `remainingMicros` says how much is.",
  webhook_unknown: "No such webhook endpoint (or it belongs to another account).",
  delivery_unknown: "No such delivery of this webhook endpoint.",
  pixel_unknown: "No such pixel on this campaign.",
  pixel_template_invalid:
    "A pixel's URL template has an unpaired `{` or `}`, or a token in its scheme, host or port (tokens belong in the path, query or fragment); `token` names it.",
  pixel_token_unknown: "A pixel's URL template uses a token the exchange does not know; `token` names it.",
  pixel_token_forbidden:
    "A pixel's URL template uses a token whose value the campaign owner's view hides (a buyer's pixel never gets the seller's payout); `token` names it.",
  rate_limited: "Too many requests for this API key; retry after `Retry-After` seconds.",
  auth_failures_limited:
    "Too many failed authentications from this client address; retry after `Retry-After` seconds.",
  key_inactive: "The API key is revoked or expired; it cannot be rotated.",
  number_unknown: "No such tracking number (or it is on another seller's campaign).",
  number_taken: "The tracking number is already active (on this or another campaign); release it first.",
  number_released: "The tracking number is released; assign it again with `POST /v1/numbers`.",
  dead_letter_unknown: "No such dead letter (admin: `GET /v1/admin/dead-letters` lists them).",
  dead_letter_replay_failed:
    "The dead letter's event still cannot be recorded; `deadLetter.error` says why (see docs/ops/deadletter.md).",
  batch_item_repeated:
    "This id already appears earlier in the same batch; only its first occurrence is applied (422, per item).",
  upstream_unavailable: "A backing service (Dapr sidecar, Redis or Postgres) did not answer; retry later.",
  events_backlog_full:
    "Too many domain events wait to be recorded; new offers are refused until the backlog drains. Retry after `Retry-After` seconds.",
  carrier_signature_invalid:
    "A carrier request (`/v1/telephony/...`) is unsigned, wrongly signed, or outside Telnyx's replay window; it was refused, audited, and changed nothing.",
  receipt_pending:
    "The call's auction is not recorded yet (events reach Postgres within moments); retry the receipt or replay shortly.",
  receipt_unavailable:
    "The call has no auction receipt: it was refused before any auction, or its auction closed before auction inputs were recorded.",
  dossier_legacy:
    "The call was recorded before call dossiers existed: its audit rows (or those after them on its chain up to a checkpoint) are hashed the older way, which a dossier cannot prove without revealing other rows. GET /v1/audit/verify still covers it.",
  dossier_pending:
    "The call's records are not in the audit log or under a signed checkpoint yet (events are audited within moments, checkpoints every few seconds); retry shortly.",
  dossier_unavailable:
    "The call's dossier cannot be signed now: no signing key is configured, or the audit log no longer proves the call's records (an incident: see GET /v1/audit/verify).",
  csrf_invalid:
    "A console form (`/console`) was posted without its session's CSRF token, or with another; nothing changed. Reload the page and retry.",
  internal_error: "An unexpected error; it has been logged.",
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;
export type ProblemCode = ApiErrorCode | ReasonCode;

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ProblemCode,
    detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? describe(code));
  }
}

function describe(code: ProblemCode): string {
  return (API_ERRORS as Record<string, string>)[code] ?? (REASONS as Record<string, string>)[code] ?? code;
}

export const REFUSAL_STATUS: Partial<Record<ReasonCode, ContentfulStatusCode>> = {
  seller_unknown: 404,
  call_unknown: 404,
  campaign_unknown: 404,
  buyer_unknown: 404,
  seller_campaign_unknown: 404,
  illegal_transition: 409,
  carrier_managed_call: 409,
  max_duration_exceeded: 409,
  call_archived: 409,
  idempotency_conflict: 409,
  already_reserved: 409,
  conversion_not_applicable: 409,
  conversion_key_invalid: 403,
  conversion_already_recorded: 409,
  conversion_not_eligible: 409,
  conversion_window_closed: 409,
  invalid_amount: 400,
  limit_exceeded: 400,
};

/** The HTTP error for an actor's refusal. */
export function refusalError(reason: { code: ReasonCode; detail: string; limit?: LimitHit }): ApiError {
  const extra = reason.limit ? { limit: reason.limit } : {};
  return new ApiError(REFUSAL_STATUS[reason.code] ?? 422, reason.code, reason.detail, extra);
}

/** The problem details of an error (also one row's answer inside a bulk answer). */
export function problemDetails(err: ApiError, instance: string) {
  return {
    type: `https://dependable-call-exchange.dev/problems/${err.code}`,
    title: describe(err.code),
    status: err.status,
    detail: err.message,
    code: err.code,
    instance,
    ...err.extra,
  };
}

export function problem(c: Context, err: ApiError): Response {
  const body = problemDetails(err, c.req.path);
  return c.body(JSON.stringify(body), err.status, { "content-type": "application/problem+json" });
}
