// The inputs an auction's decision was computed from, recorded packed on its `auction.closed` event (and
// so in Postgres, hash-chained by the audit log) so a receipt and a replay can be answered after the
// call's documents expire. Packed because it rides every offer: ids once, numbers in arrays, no keys per
// bid (about 45% of the size of one object per bid); `unpackInputs` gives back the readable form.
import type { Micros } from "../kernel/money.ts";
import type { AuctionTerms, Bid, Loser } from "./auction-api.ts";

/** A bid as recorded: the fields the pure rules read (rules.ts), nothing else. */
export interface RecordedBid {
  bidId: string;
  buyerId: string;
  campaignId: string;
  amountMicros: Micros;
  priority: number;
  weight: number;
  receivedAt: number;
  expiresAt?: number;
}

/** The readable inputs (what receipts and the replay read). */
export interface AuctionInputs {
  schema: 1;
  sellerId: string;
  auctionType: AuctionTerms["type"];
  reserveMicros: Micros;
  /** Epoch ms the bids were ranked at: a bid expiring at or before it was dropped. */
  rankedAtMs: number;
  bids: RecordedBid[];
  /** Bids tried best first whose buyer refused to reserve (or that expired before it), with why. */
  refused: { bidId: string; reason: string }[];
}

/**
 * One bid packed: [buyer index in `u`, campaign id, amount, bid id, priority, weight, receivedAt − at,
 * expiresAt − at (only when set)]. Ids are stored as tails after their kind's shared prefix (`pc` for
 * campaigns, `pb` for bids, `pu` for buyers): a tail has no "_", so a whole id is told from it.
 */
export type PackedBid =
  | [number, string, number, string, number, number, number]
  | [number, string, number, string, number, number, number, number];

/** The inputs as the event stores them (`v` 2). */
export interface PackedInputs {
  v: 2;
  /** Seller id, "first" | "second", reserve micros, ranked-at epoch ms. */
  s: string;
  t: AuctionTerms["type"];
  r: Micros;
  at: number;
  /** The shared prefixes of the bid, campaign and buyer ids ("bid_" and the time the ids share). */
  pb: string;
  pc: string;
  pu: string;
  /** Distinct buyer ids (tails), in order of first bid. */
  u: string[];
  b: PackedBid[];
  /** Refusals: [index in `b`, reason]. */
  x: [number, string][];
}

/** The longest prefix all ids share, or "" when some id has no "_" (its tail could not be told apart). */
function sharedPrefix(ids: readonly string[]): string {
  const first = ids[0];
  if (first === undefined) return "";
  let n = first.length;
  for (const id of ids) {
    if (!id.includes("_")) return "";
    let i = 0;
    while (i < n && id.charCodeAt(i) === first.charCodeAt(i)) i++;
    n = i;
  }
  return first.slice(0, n);
}

const tail = (id: string, p: string) => {
  const t = id.slice(p.length);
  return p !== "" && !t.includes("_") ? t : id;
};
const whole = (t: string, p: string) => (p !== "" && !t.includes("_") ? p + t : t);

/** The packed inputs of one close: `tried` are the losers the reservation walk added (refusals). */
export function packInputs(
  sellerId: string,
  terms: AuctionTerms,
  rankedAtMs: number,
  bids: readonly Bid[],
  tried: readonly Loser[],
): PackedInputs {
  const pb = sharedPrefix(bids.map((b) => b.bidId));
  const pc = sharedPrefix(bids.map((b) => b.campaignId));
  const buyers = new Map<string, number>();
  const index = new Map<string, number>();
  const b = bids.map((bid, i): PackedBid => {
    let u = buyers.get(bid.buyerId);
    if (u === undefined) {
      u = buyers.size;
      buyers.set(bid.buyerId, u);
    }
    index.set(bid.bidId, i);
    const row: PackedBid = [
      u,
      tail(bid.campaignId, pc),
      bid.amountMicros,
      tail(bid.bidId, pb),
      bid.priority,
      bid.weight,
      bid.receivedAt - rankedAtMs,
    ];
    if (bid.expiresAt !== undefined) row.push(bid.expiresAt - rankedAtMs);
    return row;
  });
  const x: [number, string][] = [];
  for (const l of tried) {
    const i = index.get(l.bidId);
    if (i !== undefined) x.push([i, l.reason]);
  }
  const ids = [...buyers.keys()];
  const pu = sharedPrefix(ids);
  const u = ids.map((id) => tail(id, pu));
  return { v: 2, s: sellerId, t: terms.type, r: terms.reserveMicros, at: rankedAtMs, pb, pc, pu, u, b, x };
}

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === "string";

function unpackBid(v: unknown, i: PackedInputs): RecordedBid | undefined {
  if (!Array.isArray(v) || (v.length !== 7 && v.length !== 8)) return undefined;
  const [u, campaignId, amountMicros, id, priority, weight, received, expires] = v as unknown[];
  const buyer = isInt(u) ? i.u[u] : undefined;
  if (!isStr(buyer) || !isStr(campaignId) || !isInt(amountMicros) || !isStr(id)) return undefined;
  if (!isNum(priority) || !isNum(weight) || !isNum(received)) return undefined;
  if (expires !== undefined && !isNum(expires)) return undefined;
  return {
    bidId: whole(id, i.pb),
    buyerId: whole(buyer, i.pu),
    campaignId: whole(campaignId, i.pc),
    amountMicros,
    priority,
    weight,
    receivedAt: i.at + received,
    ...(expires !== undefined ? { expiresAt: i.at + expires } : {}),
  };
}

/** The readable inputs of a packed record, or undefined when it is not one (checked, not trusted). */
export function unpackInputs(v: unknown): AuctionInputs | undefined {
  const i = v as PackedInputs | undefined;
  if (!i || typeof i !== "object" || i.v !== 2) return undefined;
  if (!isStr(i.s) || (i.t !== "first" && i.t !== "second") || !isInt(i.r) || !isNum(i.at)) return undefined;
  if (
    !isStr(i.pb) ||
    !isStr(i.pc) ||
    !isStr(i.pu) ||
    !Array.isArray(i.u) ||
    !i.u.every(isStr) ||
    !Array.isArray(i.b) ||
    !Array.isArray(i.x)
  )
    return undefined;
  const bids: RecordedBid[] = [];
  for (const raw of i.b) {
    const bid = unpackBid(raw, i);
    if (!bid) return undefined;
    bids.push(bid);
  }
  const refused: AuctionInputs["refused"] = [];
  for (const r of i.x) {
    const bid = Array.isArray(r) && isInt(r[0]) ? bids[r[0]] : undefined;
    if (!bid || !isStr(r[1])) return undefined;
    refused.push({ bidId: bid.bidId, reason: r[1] });
  }
  return {
    schema: 1,
    sellerId: i.s,
    auctionType: i.t,
    reserveMicros: i.r,
    rankedAtMs: i.at,
    bids,
    refused,
  };
}
