// The live feed's messages from a bidder, parsed and checked (pure), and the hub's own replies.
// Server → bidder: hello, opportunity, won, lost, error. Bidder → server: bid.
import { viewAs } from "../views/policy.ts";

/** `{"type":"bid", callId, campaignId, bidMicros}`; bidMicros 0 declines. */
export interface BidMessage {
  type: "bid";
  callId: string;
  campaignId: string;
  bidMicros: number;
}

export type LiveErrorCode = "malformed_message" | "not_open" | "too_late" | "not_ready";

export interface ErrorMessage {
  type: "error";
  code: LiveErrorCode;
  detail: string;
  callId?: string;
  campaignId?: string;
}

const ID = /^[a-z]{2,8}_[0-9A-Za-z]{6,64}$/;

export function parseBidderMessage(text: string): BidMessage | ErrorMessage {
  const bad = (detail: string): ErrorMessage => ({ type: "error", code: "malformed_message", detail });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return bad("messages are JSON objects");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("messages are JSON objects");
  const m = raw as Record<string, unknown>;
  if (m.type !== "bid") return bad('the only message a bidder sends is {"type":"bid",...}');
  if (typeof m.callId !== "string" || !ID.test(m.callId)) return bad("callId must be a call id");
  if (typeof m.campaignId !== "string" || !ID.test(m.campaignId))
    return bad("campaignId must be a campaign id");
  const amount = m.bidMicros;
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount < 0)
    return bad("bidMicros must be a non-negative integer of micro-units");
  return { type: "bid", callId: m.callId, campaignId: m.campaignId, bidMicros: amount };
}

/** What the hub needs from a notice on a buyer's channel to track open opportunities. */
export function noticeKey(text: string): { type: string; key: string; deadlineMs: number } | undefined {
  try {
    const n = JSON.parse(text) as {
      type?: unknown;
      callId?: unknown;
      campaignId?: unknown;
      deadline?: unknown;
    };
    if (typeof n.type !== "string" || typeof n.callId !== "string" || typeof n.campaignId !== "string")
      return undefined;
    const deadlineMs = typeof n.deadline === "string" ? Date.parse(n.deadline) : Number.NaN;
    return { type: n.type, key: `${n.callId}|${n.campaignId}`, deadlineMs };
  } catch {
    return undefined;
  }
}

/**
 * A notice as the buyer `buyerId` may see it under the one view policy (api/views/policy.ts): the
 * opportunity loses the seller's reserve, an outcome keeps only the buyer's own facts. Text that is not
 * a JSON object is dropped (undefined): nothing reaches a bidder unfiltered.
 */
export function liveView(buyerId: string, text: string): string | undefined {
  try {
    const notice: unknown = JSON.parse(text);
    if (typeof notice !== "object" || notice === null || Array.isArray(notice)) return undefined;
    return JSON.stringify(viewAs({ role: "buyer", accountId: buyerId }, notice));
  } catch {
    return undefined;
  }
}
