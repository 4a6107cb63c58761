// RTB's pure half: the ping body a buyer's endpoint receives and the reading of its answer into a Bid
// or a Loser. No I/O here (actors/runtime/rtb-client.ts posts the ping), so every rule is unit-tested.
import type { CallFacts, Destination } from "../buyer/buyer-api.ts";
import type { TargetingEntry } from "../buyer/targeting.ts";
import type { Ctx } from "../kernel/ctx.ts";
import type { Micros } from "../kernel/money.ts";
import type { ReasonCode } from "../kernel/reasons.ts";
import type { Bid, Loser } from "./auction-api.ts";

/**
 * The ping contract (JSON, POST). Partners integrate against these names: extend, never rename.
 * - requestId: this ping's id; callId: the exchange's call id (also in won/lost notices and reports)
 * - campaignId: the buyer campaign being asked; vertical, callerState?, callerZip?, areaCode?, tags
 * - publisherId: a stable opaque id of the seller (never the seller's account id)
 * - reserveMicros: bids under it lose; expiresAt: ISO time after which an answer is dropped
 * - callerNumber: E.164, only when the seller campaign allows exposing caller id
 */
export interface RtbPing {
  requestId: string;
  callId: string;
  campaignId: string;
  vertical: string;
  callerState?: string;
  callerZip?: string;
  areaCode?: string;
  tags: string[];
  publisherId: string;
  reserveMicros: Micros;
  expiresAt: string;
  callerNumber?: string;
}

export interface PingFacts {
  call: CallFacts;
  publisherId: string;
  reserveMicros: Micros;
  deadlineMs: number;
  callerNumber?: string; // passed only when the seller allows it
}

export function buildPing(campaign: TargetingEntry, facts: PingFacts, ctx: Ctx): RtbPing {
  const { call } = facts;
  const ping: RtbPing = {
    requestId: ctx.newId("rtb"),
    callId: call.callId,
    campaignId: campaign.id,
    vertical: call.vertical,
    callerState: call.callerState,
    callerZip: call.callerZip,
    areaCode: call.areaCode,
    tags: call.tags,
    publisherId: facts.publisherId,
    reserveMicros: facts.reserveMicros,
    expiresAt: new Date(facts.deadlineMs).toISOString(),
  };
  if (facts.callerNumber) ping.callerNumber = facts.callerNumber;
  return ping;
}

/** What the HTTP side saw: an answer (status and body text), a timeout, or a transport failure. */
export type RtbExchange =
  | { kind: "answer"; status: number; text: string; receivedAt: number }
  | { kind: "timeout" }
  | { kind: "error"; detail: string };

export type RtbResult = { ok: true; bid: Bid } | { ok: false; loser: Loser; detail: string };

const E164 = /^\+1[2-9][0-9]{2}[2-9][0-9]{6}$/;
const SIP = /^sips?:[^\s@]+@[^\s]+$/;
const MAX_EXPIRES_SEC = 3600;

/**
 * Reads an endpoint's exchange into a bid. Answer contract: `{bidMicros, expiresInSeconds?,
 * destination?: {number?, sip?}, bidId?}`; `{bidMicros: 0, reason?}` or HTTP 204 is a no-bid. Money must
 * be a non-negative safe integer of micro-units; anything unreadable is `rtb_malformed`.
 */
export function readAnswer(campaign: TargetingEntry, ex: RtbExchange, ctx: Ctx): RtbResult {
  const drop = (reason: ReasonCode, detail: string, amountMicros = 0): RtbResult => ({
    ok: false,
    loser: { bidId: "", buyerId: campaign.buyerId, campaignId: campaign.id, amountMicros, reason },
    detail,
  });
  if (ex.kind === "timeout") return drop("rtb_timeout", "no answer before the deadline");
  if (ex.kind === "error") return drop("rtb_error", ex.detail);
  if (ex.status === 204) return drop("rtb_no_bid", "HTTP 204");
  if (ex.status < 200 || ex.status > 299) return drop("rtb_error", `HTTP ${ex.status}`);
  let body: unknown;
  try {
    body = JSON.parse(ex.text);
  } catch {
    return drop("rtb_malformed", "the answer is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return drop("rtb_malformed", "the answer is not a JSON object");
  const a = body as Record<string, unknown>;
  const amount = a.bidMicros;
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 0)
    return drop("rtb_malformed", "bidMicros must be a non-negative integer of micro-units");
  if (amount === 0) return drop("rtb_no_bid", "bidMicros is 0");
  const destination = readDestination(a.destination);
  if (destination === null)
    return drop("rtb_malformed", "destination needs a valid E.164 number or sip: URI");
  if (a.bidId !== undefined && (typeof a.bidId !== "string" || a.bidId.length > 128))
    return drop("rtb_malformed", "bidId must be a string of at most 128 characters");
  const ttl = a.expiresInSeconds;
  if (
    ttl !== undefined &&
    (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 0 || ttl > MAX_EXPIRES_SEC)
  )
    return drop("rtb_malformed", `expiresInSeconds must be a number from 0 to ${MAX_EXPIRES_SEC}`, amount);
  const expiresAt = ttl === undefined ? undefined : ex.receivedAt + Math.floor(ttl * 1000);
  if (expiresAt !== undefined && expiresAt <= ex.receivedAt)
    return drop("bid_expired", "the bid expired on arrival", amount);
  const bid: Bid = {
    bidId: ctx.newId("bid"),
    buyerId: campaign.buyerId,
    campaignId: campaign.id,
    amountMicros: amount,
    priority: campaign.priority,
    weight: campaign.weight,
    receivedAt: ex.receivedAt,
    source: "rtb",
  };
  if (destination) bid.destination = destination;
  if (expiresAt !== undefined) bid.expiresAt = expiresAt;
  return { ok: true, bid };
}

/** undefined: none given (use the campaign's); null: given but invalid. */
function readDestination(raw: unknown): Destination | undefined | null {
  if (raw === undefined) return undefined;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const { number, sip } = raw as Record<string, unknown>;
  if (number === undefined && sip === undefined) return null;
  if (number !== undefined && (typeof number !== "string" || !E164.test(number))) return null;
  if (sip !== undefined && (typeof sip !== "string" || sip.length > 256 || !SIP.test(sip))) return null;
  const out: Destination = {};
  if (number !== undefined) out.number = number;
  if (sip !== undefined) out.sip = sip;
  return out;
}
