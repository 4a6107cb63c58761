// Webhook rules, free of I/O: which events partners may subscribe to, who receives each one and what
// they see of it, how a delivery is signed, and when a failed delivery is tried again.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { CallSnapshot } from "../../actors/call/snapshot.ts";
import type { DomainEvent } from "../../actors/kernel/events.ts";
import { type Viewer, viewAs } from "../views/policy.ts";

/** The event types partners may subscribe to, with what each means (documented in the OpenAPI). */
export const WEBHOOK_EVENTS = {
  "call.routed": "The call was routed to a buyer (sent to that buyer and the seller).",
  "call.rejected": "The offer was rejected by a compliance or fraud gate (seller only).",
  "call.no_bid": "No buyer could take the call (seller only).",
  "call.ringing": "The buyer's destination is ringing.",
  "call.connected": "The buyer answered.",
  "call.completed": "The call ended after connecting; `durationSec` says how long it lasted.",
  "call.failed": "The call ended without a billable connection (no answer, busy, error).",
  "call.expired":
    "The exchange ended the call unbilled: its routing expired before it was placed (`reasonCode: routing_expired`), or it passed its maximum call duration with no end reported (`max_duration_exceeded`).",
  "call.rerouted": "The call moved to the next eligible buyer after the first one failed it.",
  "call.billable": "The call qualified: the buyer is charged and the seller credited.",
  "call.converted":
    "A conversion-billed call's buyer posted its conversion within the window; `call.billable` follows (the buyer's revenue and disposition reach the buyer only).",
  "call.not_converted":
    "A conversion-billed call's window closed with no conversion: its buyer's hold was released, nothing billed.",
  "buyer.deposited": "Funds were added to the buyer's balance (buyer only).",
  "buyer.refunded": "A charge was refunded to the buyer's balance (buyer only).",
  "dispute.opened": "The buyer disputed a billed call (sent to that buyer and the call's seller).",
  "dispute.decided":
    "A dispute was decided: `status` accepted, partially_accepted or rejected, by the exchange's own data or an admin (buyer and seller).",
  "webhook.test": "A test delivery asked for through the API.",
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as WebhookEventType[];

export const isWebhookEventType = (t: string): t is WebhookEventType => Object.hasOwn(WEBHOOK_EVENTS, t);

/** An audience of an event: a partner account, or `null` for the exchange's own (admin) endpoints. */
export type Audience = string | null;

/** The body partners receive: the event's id, type and time, and their own view of its data. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType;
  occurredAt: string;
  data: Record<string, unknown>;
}

const SELLER_ONLY = new Set<string>(["call.rejected", "call.no_bid"]);

/** Accounts whose endpoints receive `e` (admin endpoints receive every catalogued event). */
export function audiences(e: DomainEvent): Audience[] {
  if (!isWebhookEventType(e.type)) return [];
  if (e.type.startsWith("buyer.")) return [null, e.aggregate.id];
  if (e.type.startsWith("dispute.")) {
    const d = e.data as { buyerId?: string; sellerId?: string };
    return [null, ...[d.buyerId, d.sellerId].filter((a): a is string => typeof a === "string")];
  }
  const snap = snapshotOf(e);
  if (!snap) return [null];
  const out: Audience[] = [null, snap.sellerId];
  if (snap.buyerId && !SELLER_ONLY.has(e.type)) out.push(snap.buyerId);
  return out;
}

/** The campaigns a call event concerns (its seller's and its routed buyer's): pixels fire for these. */
export function campaignsOf(e: DomainEvent): string[] {
  const snap = snapshotOf(e);
  if (!snap || !isWebhookEventType(e.type)) return [];
  const out = [snap.sellerCampaignId];
  if (snap.buyerCampaignId && !SELLER_ONLY.has(e.type)) out.push(snap.buyerCampaignId);
  return out;
}

/** Who `audience` is for the one view policy (api/views/policy.ts): the exchange, the seller or a buyer. */
function viewerOf(e: DomainEvent, audience: Audience): Viewer {
  if (audience === null) return { role: "admin" };
  const sellerId = e.type.startsWith("dispute.") ? e.data.sellerId : snapshotOf(e)?.sellerId;
  const seller = !e.type.startsWith("buyer.") && sellerId === audience;
  return { role: seller ? "seller" : "buyer", accountId: audience };
}

/**
 * What `audience` sees of `e`: the whole event's data through the one view policy, so a buyer never
 * learns the seller's payout or the exchange's margin and a seller never learns losing buyers. Nobody
 * receives a caller number or its keyed hash (they are never put in the data).
 */
export function payloadFor(e: DomainEvent, audience: Audience): WebhookPayload {
  const type = e.type as WebhookEventType;
  return { id: e.id, type, occurredAt: e.occurredAt, data: viewAs(viewerOf(e, audience), eventData(e)) };
}

/** Everything a webhook may carry of `e`, before the audience's view is applied. */
function eventData(e: DomainEvent): Record<string, unknown> {
  if (e.type.startsWith("buyer.")) {
    const d = e.data as Record<string, unknown>;
    return { buyerId: e.aggregate.id, ...pick(d, ["depositId", "refundId", "callId", "amountMicros"]) };
  }
  // A dispute event's data is the dispute as the API shows it (api/disputes/view.ts), ids included.
  if (e.type.startsWith("dispute.")) return { ...e.data };
  const snap = snapshotOf(e);
  const d = e.data as Record<string, unknown>;
  const common: Record<string, unknown> = {
    callId: e.aggregate.id,
    status: snap?.status ?? null,
    vertical: snap?.vertical ?? null,
    callerState: snap?.callerState ?? null,
    durationSec: snap?.durationSec ?? (typeof d.durationSec === "number" ? d.durationSec : null),
    reasonCode: snap?.reasonCode ?? (typeof d.reason === "string" ? d.reason : null),
    offeredAt: snap?.offeredAt ?? null,
    endedAt: snap?.endedAt ?? null,
  };
  if (!snap) return common;
  return {
    ...common,
    sellerId: snap.sellerId,
    sellerCampaignId: snap.sellerCampaignId,
    buyerId: snap.buyerId,
    buyerCampaignId: snap.buyerCampaignId,
    priceMicros: snap.priceMicros,
    billable: snap.billable,
    chargedMicros: snap.chargedMicros,
    payoutMicros: snap.payoutMicros,
    ...conversionData(e.type, d),
  };
}

/**
 * Conversion billing: a routing's conversion key (the view policy gives it to the buyer alone) and
 * what bills the call; a conversion's revenue and disposition (the buyer's alone too).
 */
function conversionData(type: string, d: Record<string, unknown>): Record<string, unknown> {
  if (type === "call.routed" || type === "call.rerouted")
    return pick(d, ["billOn", "conversionKey", "conversionWindowSec"]);
  if (type === "call.converted") return pick(d, ["revenueMicros", "disposition"]);
  return {};
}

function snapshotOf(e: DomainEvent): CallSnapshot | undefined {
  return e.aggregate.type === "call" ? (e.data.snapshot as CallSnapshot | undefined) : undefined;
}

function pick(d: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => d[k] !== undefined).map((k) => [k, d[k]]));
}

/**
 * `X-DCE-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. Receivers recompute
 * it over the raw body and reject old timestamps, which stops replays.
 */
export function signature(secret: string, body: string, unixSec: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSec}.${body}`).digest("hex");
  return `t=${unixSec},v1=${mac}`;
}

/** A receiver's check, shipped for partners and used by the tests: true when fresh and authentic. */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSec: number,
  toleranceSec = 300,
): boolean {
  const parts = new Map(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1") ?? "";
  if (!Number.isInteger(t) || Math.abs(nowSec - t) > toleranceSec || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, "hex"));
}

export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

/**
 * After failed attempt number `attempt` (1-based): the delay before the next one, exponential with
 * jitter (between half and all of base × 2^(attempt-1), capped), or null when the delivery gives up.
 */
export function nextDelayMs(policy: RetryPolicy, attempt: number, random: number): number | null {
  if (attempt >= policy.maxAttempts) return null;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** A 2xx answer delivers; anything else (or no answer) is a failed attempt to retry. */
export const delivered = (status: number | null) => status !== null && status >= 200 && status < 300;

/**
 * The per-endpoint circuit breaker. `failures` consecutive failed attempts spanning at least
 * `minFailingMs` suspend an endpoint (0 failures: never); while suspended its deliveries are still
 * enqueued but only one is tried per probe interval, `probeBaseMs` doubling per failed probe up to
 * `probeMaxMs`. A delivered attempt closes the breaker.
 */
export interface BreakerPolicy {
  failures: number;
  minFailingMs: number;
  probeBaseMs: number;
  probeMaxMs: number;
}

/** An endpoint's breaker state (times in epoch ms; `suspendedAtMs` null: healthy). */
export interface EndpointHealth {
  consecutiveFailures: number;
  /** When the current run of failures began. */
  failingSinceMs: number | null;
  suspendedAtMs: number | null;
  /** Probes failed since the suspension: they set the next probe's delay. */
  failedProbes: number;
  nextProbeAtMs: number | null;
}

export const HEALTHY: EndpointHealth = {
  consecutiveFailures: 0,
  failingSinceMs: null,
  suspendedAtMs: null,
  failedProbes: 0,
  nextProbeAtMs: null,
};

export type BreakerChange = "suspended" | "recovered" | null;

/** The delay after `failedProbes` failed probes: the base, doubling per failed probe, capped. */
export const probeDelayMs = (policy: BreakerPolicy, failedProbes: number) =>
  Math.min(policy.probeMaxMs, policy.probeBaseMs * 2 ** Math.min(failedProbes, 40));

/** The endpoint's health after an attempt ending at `atMs`, and whether the breaker opened or closed. */
export function breakerAfter(
  policy: BreakerPolicy,
  h: EndpointHealth,
  ok: boolean,
  atMs: number,
): { health: EndpointHealth; change: BreakerChange } {
  if (ok) return { health: HEALTHY, change: h.suspendedAtMs === null ? null : "recovered" };
  const consecutiveFailures = h.consecutiveFailures + 1;
  const failingSinceMs = h.failingSinceMs ?? atMs;
  if (h.suspendedAtMs !== null) {
    // A failed probe (or an attempt that was already under way when the breaker opened).
    const failedProbes = h.failedProbes + 1;
    return {
      health: {
        ...h,
        consecutiveFailures,
        failingSinceMs,
        failedProbes,
        nextProbeAtMs: atMs + probeDelayMs(policy, failedProbes),
      },
      change: null,
    };
  }
  const trips =
    policy.failures > 0 &&
    consecutiveFailures >= policy.failures &&
    atMs - failingSinceMs >= policy.minFailingMs;
  if (!trips) return { health: { ...HEALTHY, consecutiveFailures, failingSinceMs }, change: null };
  return {
    health: {
      consecutiveFailures,
      failingSinceMs,
      suspendedAtMs: atMs,
      failedProbes: 0,
      nextProbeAtMs: atMs + probeDelayMs(policy, 0),
    },
    change: "suspended",
  };
}

/** A partner's resume: a suspended endpoint is probed at once, its probe delay starting over. */
export function resumed(h: EndpointHealth, atMs: number): EndpointHealth {
  if (h.suspendedAtMs === null) return h;
  return { ...h, failedProbes: 0, nextProbeAtMs: atMs };
}

/**
 * What becomes of a delivery after a failed attempt: tried again after a backoff, given up, or — its
 * endpoint suspended — held in its place in the queue, keeping what is left of its attempt budget
 * (the breaker's probes, not each delivery's retries, decide when the endpoint is tried again).
 */
export function afterFailure(
  policy: RetryPolicy,
  attempt: number,
  suspended: boolean,
  random: number,
): { kind: "retry"; delayMs: number } | { kind: "give_up" } | { kind: "hold" } {
  if (suspended) return { kind: "hold" };
  const delayMs = nextDelayMs(policy, attempt, random);
  return delayMs === null ? { kind: "give_up" } : { kind: "retry", delayMs };
}
