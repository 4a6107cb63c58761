// The route registry: every operation the API serves, listed once with its auth, input and output
// schemas and the error codes it may answer. The OpenAPI document is generated from it, and the route
// inventory test holds it equal to the routes Hono actually registers.
import type * as v from "valibot";
import type { ApiErrorCode, ProblemCode } from "../problem.ts";
import {
  CreateApiKey,
  CreateBuyer,
  CreateSeller,
  Deposit,
  ListApiKeys,
  RotateApiKey,
} from "../schemas/accounts.ts";
import { CallEvent, OfferCall } from "../schemas/calls.ts";
import {
  CreateBuyerCampaign,
  CreateSellerCampaign,
  PatchBuyerCampaign,
  PatchSellerCampaign,
} from "../schemas/campaigns.ts";
import {
  AuditQuery,
  BlocklistEntries,
  CreateConsent,
  DataSubject,
  DncImportQuery,
  FraudQuery,
  SuppressionEntries,
} from "../schemas/compliance.ts";
import { Payout, PostingsQuery, ReconcileQuery, Refund, StatementQuery } from "../schemas/ledger.ts";
import { ListCalls } from "../schemas/lists.ts";
import { ReportQuery } from "../schemas/reports.ts";
import * as R from "../schemas/responses.ts";
import { CreateWebhook, ListDeliveries, ListWebhooks, PatchWebhook } from "../schemas/webhooks.ts";

type Schema = v.GenericSchema;
export type Method = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
/** Who may call: `public` needs no key; `any` any valid key (scoped to its own account inside). */
export type Access = "public" | "any" | "admin" | "buyer" | "seller" | "buyer-or-seller";

export interface RouteSpec {
  method: Method;
  /** OpenAPI style: `/v1/buyers/{buyerId}`. */
  path: string;
  tag: string;
  summary: string;
  access: Access;
  body?: Schema;
  query?: Schema;
  /** The success status and its body (`null`: no body); `text/csv` alternatives are noted in `csv`. */
  status: 200 | 201 | 204 | 101;
  response: Schema | null;
  csv?: boolean;
  raw?: "text/plain" | "text/html" | "websocket";
  /** A non-JSON success body (the docs page, Prometheus text). */
  produces?: "text/html" | "text/plain";
  idempotencyKey?: "required" | "optional";
  errors: ProblemCode[];
  /** Still served, but superseded: the text says by what. */
  deprecated?: string;
}

const AUTH: ApiErrorCode[] = ["unauthorized", "forbidden"];
const READ: ProblemCode[] = [...AUTH, "not_found", "upstream_unavailable"];
const WRITE: ProblemCode[] = [
  ...AUTH,
  "validation_failed",
  "malformed_json",
  "payload_too_large",
  "upstream_unavailable",
];

const op = (method: Method, path: string, spec: Omit<RouteSpec, "method" | "path">): RouteSpec => ({
  method,
  path,
  ...spec,
});

export const ROUTES: RouteSpec[] = [
  // operations
  op("GET", "/health", {
    tag: "operations",
    summary: "Liveness",
    access: "public",
    status: 200,
    response: R.Health,
    errors: [],
  }),
  op("GET", "/ready", {
    tag: "operations",
    summary: "Readiness of the sidecar, Redis and Postgres (503 when one is down)",
    access: "public",
    status: 200,
    response: R.Ready,
    errors: [],
  }),
  op("GET", "/openapi.json", {
    tag: "operations",
    summary: "This OpenAPI 3.1 document",
    access: "public",
    status: 200,
    response: R.Loose,
    errors: [],
  }),
  op("GET", "/docs", {
    tag: "operations",
    summary: "The API reference as an HTML page",
    access: "public",
    status: 200,
    response: null,
    produces: "text/html",
    errors: [],
  }),
  op("GET", "/metrics", {
    tag: "operations",
    summary: "Prometheus metrics (an admin key: `Authorization: Bearer <admin key>`)",
    access: "admin",
    status: 200,
    response: null,
    produces: "text/plain",
    errors: [],
  }),
  // accounts
  op("POST", "/v1/buyers", {
    tag: "accounts",
    summary: "Create a buyer",
    access: "admin",
    body: CreateBuyer,
    status: 201,
    response: R.Account,
    errors: WRITE,
  }),
  op("GET", "/v1/buyers/{buyerId}", {
    tag: "accounts",
    summary: "Get a buyer",
    access: "buyer",
    status: 200,
    response: R.Account,
    errors: [...READ, "buyer_unknown"],
  }),
  op("POST", "/v1/sellers", {
    tag: "accounts",
    summary: "Create a seller",
    access: "admin",
    body: CreateSeller,
    status: 201,
    response: R.Account,
    errors: WRITE,
  }),
  op("GET", "/v1/sellers/{sellerId}", {
    tag: "accounts",
    summary: "Get a seller",
    access: "seller",
    status: 200,
    response: R.Account,
    errors: [...READ, "seller_unknown"],
  }),
  op("POST", "/v1/api-keys", {
    tag: "accounts",
    summary: "Create an API key (shown once)",
    access: "admin",
    body: CreateApiKey,
    status: 201,
    response: R.CreatedApiKey,
    errors: [...WRITE, "not_found"],
  }),
  op("GET", "/v1/api-keys", {
    tag: "accounts",
    summary: "List an account's API keys, never their secrets (partners: their own; admins: any)",
    access: "any",
    query: ListApiKeys,
    status: 200,
    response: R.ApiKeys,
    errors: [...READ, "validation_failed"],
  }),
  op("POST", "/v1/api-keys/{keyId}/revoke", {
    tag: "accounts",
    summary: "Revoke an API key at once, on every API replica; its live sessions are closed",
    access: "any",
    status: 200,
    response: R.ApiKey,
    errors: READ,
  }),
  op("POST", "/v1/api-keys/{keyId}/rotate", {
    tag: "accounts",
    summary: "Rotate an API key: a new key (shown once); the old one expires after overlapSec",
    access: "any",
    body: RotateApiKey,
    status: 201,
    response: R.RotatedApiKey,
    errors: [...WRITE, "not_found", "key_inactive"],
  }),
  // campaigns
  op("POST", "/v1/buyers/{buyerId}/campaigns", {
    tag: "campaigns",
    summary: "Create a buyer campaign",
    access: "buyer",
    body: CreateBuyerCampaign,
    status: 201,
    response: R.Campaign,
    errors: [...WRITE, "buyer_unknown", "destination_not_allowed"],
  }),
  op("GET", "/v1/buyers/{buyerId}/campaigns", {
    tag: "campaigns",
    summary: "List a buyer's campaigns",
    access: "buyer",
    status: 200,
    response: R.CampaignList,
    errors: [...READ, "buyer_unknown"],
  }),
  op("GET", "/v1/buyers/{buyerId}/campaigns/{campaignId}", {
    tag: "campaigns",
    summary: "Get a buyer campaign",
    access: "buyer",
    status: 200,
    response: R.Campaign,
    errors: [...READ, "buyer_unknown", "campaign_unknown"],
  }),
  op("PATCH", "/v1/buyers/{buyerId}/campaigns/{campaignId}", {
    tag: "campaigns",
    summary: "Change a buyer campaign",
    access: "buyer",
    body: PatchBuyerCampaign,
    status: 200,
    response: R.Campaign,
    errors: [...WRITE, "buyer_unknown", "campaign_unknown", "destination_not_allowed"],
  }),
  op("POST", "/v1/sellers/{sellerId}/campaigns", {
    tag: "campaigns",
    summary: "Create a seller campaign",
    access: "seller",
    body: CreateSellerCampaign,
    status: 201,
    response: R.Campaign,
    errors: [...WRITE, "seller_unknown"],
  }),
  op("GET", "/v1/sellers/{sellerId}/campaigns", {
    tag: "campaigns",
    summary: "List a seller's campaigns",
    access: "seller",
    status: 200,
    response: R.CampaignList,
    errors: [...READ, "seller_unknown"],
  }),
  op("GET", "/v1/sellers/{sellerId}/campaigns/{campaignId}", {
    tag: "campaigns",
    summary: "Get a seller campaign",
    access: "seller",
    status: 200,
    response: R.Campaign,
    errors: [...READ, "seller_unknown", "seller_campaign_unknown"],
  }),
  op("PATCH", "/v1/sellers/{sellerId}/campaigns/{campaignId}", {
    tag: "campaigns",
    summary: "Change a seller campaign",
    access: "seller",
    body: PatchSellerCampaign,
    status: 200,
    response: R.Campaign,
    errors: [...WRITE, "seller_unknown", "seller_campaign_unknown"],
  }),
  // money
  op("POST", "/v1/buyers/{buyerId}/deposits", {
    tag: "ledger",
    summary: "Record a deposit for a buyer",
    access: "admin",
    body: Deposit,
    status: 201,
    response: R.DepositResult,
    idempotencyKey: "required",
    errors: [...WRITE, "idempotency_key_required", "idempotency_conflict", "buyer_unknown", "invalid_amount"],
  }),
  op("GET", "/v1/buyers/{buyerId}/balance", {
    tag: "ledger",
    summary: "A buyer's spendable balance",
    access: "buyer",
    status: 200,
    response: R.BuyerBalance,
    errors: [...READ, "buyer_unknown"],
  }),
  op("GET", "/v1/sellers/{sellerId}/balance", {
    tag: "ledger",
    summary: "A seller's payable balance",
    access: "seller",
    status: 200,
    response: R.SellerBalance,
    errors: READ,
  }),
  op("GET", "/v1/ledger/postings", {
    tag: "ledger",
    summary: "Postings on an account, newest first",
    access: "any",
    query: PostingsQuery,
    status: 200,
    response: R.Postings,
    errors: [...READ, "validation_failed"],
  }),
  op("POST", "/v1/calls/{callId}/refund", {
    tag: "ledger",
    summary: "Refund a charged call within the dispute window",
    access: "admin",
    body: Refund,
    status: 201,
    response: R.RefundResult,
    errors: [...WRITE, "not_charged", "dispute_window_closed"],
  }),
  op("POST", "/v1/payouts", {
    tag: "ledger",
    summary: "Run a payout to sellers' payables",
    access: "admin",
    body: Payout,
    status: 201,
    response: R.PayoutResult,
    idempotencyKey: "required",
    errors: [...WRITE, "idempotency_key_required", "idempotency_conflict"],
  }),
  op("GET", "/v1/statements/{accountId}", {
    tag: "ledger",
    summary: "A monthly statement (JSON or CSV)",
    access: "any",
    query: StatementQuery,
    status: 200,
    response: R.Statement,
    csv: true,
    errors: [...READ, "validation_failed"],
  }),
  op("GET", "/v1/admin/reconciliation", {
    tag: "ledger",
    summary: "Buyer actors against the ledger",
    access: "admin",
    query: ReconcileQuery,
    status: 200,
    response: R.Reconciliation,
    errors: [...READ, "validation_failed"],
  }),
  // calls
  op("POST", "/v1/calls", {
    tag: "calls",
    summary: "Offer a call; the routing instruction comes back",
    access: "seller",
    body: OfferCall,
    status: 201,
    response: R.OfferResult,
    idempotencyKey: "required",
    errors: [...WRITE, "idempotency_key_required", "idempotency_conflict", "seller_campaign_unknown"],
  }),
  op("GET", "/v1/calls", {
    tag: "calls",
    summary: "List calls, newest first",
    access: "any",
    query: ListCalls,
    status: 200,
    response: R.CallPage,
    errors: [...READ, "validation_failed"],
  }),
  op("GET", "/v1/calls/{callId}", {
    tag: "calls",
    summary: "Get a call",
    access: "any",
    status: 200,
    response: R.Call,
    errors: [...READ, "call_unknown"],
  }),
  op("POST", "/v1/calls/{callId}/events", {
    tag: "calls",
    summary: "Report a call lifecycle event",
    access: "seller",
    body: CallEvent,
    status: 200,
    response: R.Call,
    idempotencyKey: "optional",
    errors: [...WRITE, "call_unknown", "illegal_transition"],
  }),
  op("GET", "/v1/live", {
    tag: "calls",
    summary: "Live bidding WebSocket (Upgrade request; subprotocol dce.v1)",
    access: "buyer",
    status: 101,
    response: null,
    raw: "websocket",
    errors: [...AUTH, "validation_failed", "upstream_unavailable"],
  }),
  // compliance
  op("POST", "/v1/compliance/dnc/imports", {
    tag: "compliance",
    summary: "Import a Do-Not-Call file (one number per line, streamed)",
    access: "admin",
    query: DncImportQuery,
    status: 201,
    response: R.Loose,
    raw: "text/plain",
    errors: [...WRITE],
  }),
  op("POST", "/v1/compliance/dnc", {
    tag: "compliance",
    summary: "Add or remove Do-Not-Call entries",
    access: "buyer",
    body: SuppressionEntries,
    status: 201,
    response: R.Loose,
    errors: WRITE,
  }),
  op("GET", "/v1/compliance/dnc/lists", {
    tag: "compliance",
    summary: "Imported Do-Not-Call lists",
    access: "admin",
    status: 200,
    response: R.List,
    errors: READ,
  }),
  op("DELETE", "/v1/compliance/dnc/lists/{listId}", {
    tag: "compliance",
    summary: "Delete an imported list",
    access: "admin",
    status: 204,
    response: null,
    errors: READ,
  }),
  op("POST", "/v1/compliance/blocklist", {
    tag: "compliance",
    summary: "Add or remove blocklisted numbers",
    access: "admin",
    body: BlocklistEntries,
    status: 200,
    response: R.Loose,
    errors: WRITE,
  }),
  op("POST", "/v1/compliance/consents", {
    tag: "compliance",
    summary: "Record a consent certificate",
    access: "seller",
    body: CreateConsent,
    status: 201,
    response: R.Loose,
    errors: WRITE,
  }),
  op("GET", "/v1/compliance/consents/{certificateId}", {
    tag: "compliance",
    summary: "Get a consent record",
    access: "seller",
    status: 200,
    response: R.Loose,
    errors: READ,
  }),
  op("GET", "/v1/compliance/status", {
    tag: "compliance",
    summary: "Compliance data in force",
    access: "admin",
    status: 200,
    response: R.Loose,
    errors: READ,
  }),
  op("GET", "/v1/compliance/rules/calling-hours", {
    tag: "compliance",
    summary: "Calling-hours rules by state",
    access: "any",
    status: 200,
    response: R.Loose,
    errors: AUTH,
  }),
  op("POST", "/v1/compliance/subjects/export", {
    tag: "compliance",
    summary: "Export a data subject's records (number in the body)",
    access: "admin",
    body: DataSubject,
    status: 200,
    response: R.Loose,
    errors: [...WRITE],
  }),
  op("POST", "/v1/compliance/subjects/erase", {
    tag: "compliance",
    summary: "Erase a data subject's personal data (number in the body)",
    access: "admin",
    body: DataSubject,
    status: 200,
    response: R.Loose,
    errors: [...WRITE],
  }),
  op("GET", "/v1/compliance/subjects/{phone}/export", {
    tag: "compliance",
    summary: "Export a data subject's records",
    access: "admin",
    status: 200,
    response: R.Loose,
    errors: [...READ, "validation_failed"],
    deprecated: "the number lands in access logs: use POST /v1/compliance/subjects/export",
  }),
  op("POST", "/v1/compliance/subjects/{phone}/erase", {
    tag: "compliance",
    summary: "Erase a data subject's personal data",
    access: "admin",
    status: 200,
    response: R.Loose,
    errors: [...READ, "validation_failed"],
    deprecated: "the number lands in access logs: use POST /v1/compliance/subjects/erase",
  }),
  op("GET", "/v1/audit/verify", {
    tag: "audit",
    summary: "Verify every audit hash chain",
    access: "admin",
    status: 200,
    response: R.Loose,
    errors: READ,
  }),
  op("GET", "/v1/audit", {
    tag: "audit",
    summary: "Query the audit log",
    access: "admin",
    query: AuditQuery,
    status: 200,
    response: R.List,
    errors: [...READ, "validation_failed"],
  }),
  op("GET", "/v1/fraud/decisions", {
    tag: "audit",
    summary: "Fraud decisions by call or seller",
    access: "buyer-or-seller",
    query: FraudQuery,
    status: 200,
    response: R.List,
    errors: [...READ, "validation_failed"],
  }),
  op("GET", "/v1/reports/{kind}", {
    tag: "reports",
    summary: "Calls, revenue or win rates (kind: calls | revenue | win-rates) by campaign or hour",
    access: "any",
    query: ReportQuery,
    status: 200,
    response: R.Report,
    csv: true,
    errors: [...READ, "validation_failed"],
  }),
  // webhooks
  op("POST", "/v1/webhooks", {
    tag: "webhooks",
    summary:
      "Register an endpoint for event types; the answer carries its signing secret (shown only here and on rotation)",
    access: "any",
    body: CreateWebhook,
    status: 201,
    response: R.WebhookWithSecret,
    errors: [...WRITE, "destination_not_allowed"],
  }),
  op("GET", "/v1/webhooks", {
    tag: "webhooks",
    summary: "The caller's webhook endpoints (admins: all, or one account's)",
    access: "any",
    query: ListWebhooks,
    status: 200,
    response: R.Webhooks,
    errors: [...READ, "validation_failed"],
  }),
  op("GET", "/v1/webhooks/{webhookId}", {
    tag: "webhooks",
    summary: "One webhook endpoint",
    access: "any",
    status: 200,
    response: R.Webhook,
    errors: [...READ, "webhook_unknown"],
  }),
  op("PATCH", "/v1/webhooks/{webhookId}", {
    tag: "webhooks",
    summary: "Change an endpoint's URL, event types, description, or pause it (active: false)",
    access: "any",
    body: PatchWebhook,
    status: 200,
    response: R.Webhook,
    errors: [...WRITE, "webhook_unknown", "destination_not_allowed"],
  }),
  op("DELETE", "/v1/webhooks/{webhookId}", {
    tag: "webhooks",
    summary: "Remove an endpoint and its delivery log",
    access: "any",
    status: 204,
    response: null,
    errors: [...READ, "webhook_unknown"],
  }),
  op("POST", "/v1/webhooks/{webhookId}/rotate-secret", {
    tag: "webhooks",
    summary: "Replace the signing secret; the new one is in the answer",
    access: "any",
    status: 200,
    response: R.WebhookWithSecret,
    errors: [...READ, "webhook_unknown"],
  }),
  op("POST", "/v1/webhooks/{webhookId}/test", {
    tag: "webhooks",
    summary: "Send a webhook.test event to the endpoint",
    access: "any",
    status: 201,
    response: R.WebhookDelivery,
    errors: [...READ, "webhook_unknown"],
  }),
  op("GET", "/v1/webhooks/{webhookId}/deliveries", {
    tag: "webhooks",
    summary: "The endpoint's delivery log, newest first",
    access: "any",
    query: ListDeliveries,
    status: 200,
    response: R.WebhookDeliveries,
    errors: [...READ, "validation_failed", "webhook_unknown"],
  }),
  op("GET", "/v1/webhooks/{webhookId}/deliveries/{deliveryId}", {
    tag: "webhooks",
    summary: "One delivery: its body and every attempt (time, HTTP status or error, duration)",
    access: "any",
    status: 200,
    response: R.WebhookDelivery,
    errors: [...READ, "webhook_unknown", "delivery_unknown"],
  }),
  op("POST", "/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver", {
    tag: "webhooks",
    summary: "Try a delivery again now, whatever its status",
    access: "any",
    status: 200,
    response: R.WebhookDelivery,
    errors: [...READ, "webhook_unknown", "delivery_unknown"],
  }),
];

/** `/v1/buyers/{buyerId}` → `/v1/buyers/:buyerId` (Hono's spelling). */
export const honoPath = (path: string) => path.replace(/\{([^}]+)\}/g, ":$1");
