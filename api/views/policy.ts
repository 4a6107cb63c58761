// Per-party views: the one table saying which response field each role sees, and the one function that
// applies it to every body carrying call, auction, ledger, report, webhook or live-feed data.
//
// Fields are named as they appear in JSON, at any depth: a name means the same thing wherever it
// appears (`payoutMicros` is the seller's payout in a call, a report row and a webhook alike), so one
// row covers it everywhere. A name missing from the table is hidden from buyers and sellers until
// someone decides who may see it; admins see every field. `docs/api.md` carries the same table (a
// test compares them).

export type ViewRole = "admin" | "buyer" | "seller";
/** `own`: an array whose items are kept only when they belong to the viewer (`buyerId`/`sellerId`). */
export type Access = "yes" | "no" | "own";
export interface Viewer {
  role: ViewRole;
  accountId?: string | null;
}

type Row = readonly [buyer: Access, seller: Access, why: string];
const ALL = (why: string): Row => ["yes", "yes", why];
const SELLER = (why: string): Row => ["no", "yes", why];

/** Field × role. Admins see everything, so only the buyer and seller columns are spelled out. */
export const FIELD_POLICY: Readonly<Record<string, Row>> = {
  // Call identity and the facts a buyer bids on.
  callId: ALL("the call"),
  auctionId: ALL("the call's auction (live feed)"),
  status: ALL("the call's lifecycle state"),
  sellerId: SELLER("who sold the call: buyers get an opaque publisher id in RTB pings instead"),
  sellerCampaignId: SELLER("the seller's own campaign structure"),
  vertical: ALL("call fact"),
  callerState: ALL("call fact"),
  callerZip: ALL("call fact"),
  areaCode: ALL("call fact (live opportunity)"),
  tags: ALL("call fact"),
  timeline: ALL("when the call was offered, rang, connected, ended"),
  offeredAt: ALL("time"),
  ringingAt: ALL("time"),
  connectedAt: ALL("time"),
  acceptedAt: ALL("time the buyer's agent pressed 1 (a whisper requiring acceptance)"),
  endedAt: ALL("time"),
  durationSec: ALL("call length"),
  archived: ALL("the call's live record expired: this view comes from the call history, with fewer details"),
  // The routing decision: the winner's id, campaign, destination and price route and bill the call.
  decision: ALL("the routing instruction"),
  buyerId: ALL("the routed buyer (the winner): the seller routes and bills with it"),
  buyerCampaignId: ALL("the routed buyer's campaign"),
  bidId: ALL("the winning bid's id"),
  destination: ALL("where the seller sends the call"),
  number: ALL("destination phone number"),
  sip: ALL("destination SIP URI"),
  priceMicros: ALL("the price the routed buyer pays"),
  minDurationSec: ALL("billable after this many seconds"),
  expiresAt: ALL("the routing instruction's expiry"),
  recordingDisclosure: ALL("the call must announce recording"),
  reason: ALL("why: the call's refusal, a billing reason, or the viewer's own losing bid"),
  reasonCode: ALL("why the call was refused or failed"),
  endReason: ALL("why the exchange ended the call itself: routing expired, maximum duration passed"),
  channel: ALL("the carrier that brought the call (its fields below); null for seller-reported calls"),
  provider: ALL("twilio or telnyx"),
  carrierCallSid: ALL("the carrier's id of the caller's leg"),
  hangupBy: ALL("who ended the call, when its reporter said"),
  flags: ALL("review flags raised on the call (e.g. buyer_hangup_below_minimum)"),
  billOn: ALL("what bills the call: conversion (absent: its duration)"),
  conversionWindowSec: ALL("how long after the call ends its conversion may be posted"),
  conversionKey: ["yes", "no", "the key the call's buyer posts its conversion with: its buyer's alone"],
  conversion: ALL("a conversion-billed call's conversion (its fields below)"),
  conversionStatus: ALL("a conversion-billed call's conversion: awaiting, converted, not_converted"),
  windowEndsAt: ALL("when the conversion window closes"),
  convertedAt: ALL("time the conversion was posted"),
  revenueMicros: ["yes", "no", "revenue the buyer reported with its conversion: its own business"],
  disposition: ["yes", "no", "the buyer's disposition of its conversion"],
  code: ALL("a reason or error code"),
  detail: ALL("a reason or error text"),
  // The auction: counts and terms are the seller's, losing bids are their bidders' own.
  auction: ALL("the auction summary (its fields below)"),
  candidates: SELLER("how many campaigns were eligible (a count)"),
  bids: SELLER("how many bids arrived (a count)"),
  attempts: SELLER("how many buyers the call was routed to"),
  winnerBidId: ALL("the winning bid's id"),
  clearingPriceMicros: ALL("the price the winner pays"),
  auctionType: SELLER("first or second price: the seller's term"),
  reserveMicros: SELLER("the seller's reserve"),
  durationMs: SELLER("how long the auction ran"),
  losers: ["own", "no", "losing bids: a buyer sees its own only; a seller none (identities, bids, reasons)"],
  amountMicros: ALL("an amount: the viewer's own bid, posting or deposit"),
  // Auction receipts (GET /v1/calls/{callId}/receipt): shaped per party before this table applies.
  party: ALL("whose receipt this is: admin, seller or buyer"),
  closedAt: ALL("when the call's auction closed"),
  auctionFormat: ALL("first_price or second_price: the rule every bidder bid under"),
  bidCount: ALL("how many bids entered the auction (a count, no identities)"),
  validBidCount: ALL("how many bids were ranked (not under the reserve, not expired)"),
  outcome: ALL("whether the auction sold the call"),
  priceRule: ALL("the rule that set the clearing price (the seller and every bidder see it)"),
  basis: ALL("which price rule applied (own_bid, next_bid_plus_cent, reserve_plus_cent, own_bid_cap)"),
  ownBids: ALL("the asking buyer's own bids in the auction, nobody else's"),
  rank: ALL("the viewer's own bid's place in the ranking (1 = best)"),
  result: ALL("whether the viewer's own bid won or lost"),
  winner: ["no", "no", "the winning bid and buyer (admin receipts and replays)"],
  ranking: ["no", "no", "every ranked bid with its buyer (admin receipts and replays)"],
  reroutes: [
    "no",
    "no",
    "the bids that took the call after re-routes, in order (admin receipts and replays)",
  ],
  dropped: ["no", "no", "bids the rules dropped, with their buyers (admin receipts and replays)"],
  refused: ["no", "no", "a bid's reservation refusal, or all of them (admin receipts and replays)"],
  recorded: ["no", "no", "the decision as the auction recorded it (admin replay)"],
  recomputed: ["no", "no", "the decision the pure rules give for the recorded inputs (admin replay)"],
  matches: ["no", "no", "whether the recomputed decision is the recorded one (admin replay)"],
  eventId: ["no", "no", "the recorded auction.closed event (admin replay)"],
  // Billing outcome.
  billing: ALL("the billing outcome (its fields below)"),
  billable: ALL("the call qualified"),
  chargedMicros: ALL("what the buyer was charged"),
  payoutMicros: SELLER("what the seller earns"),
  marginMicros: SELLER("the exchange's margin: the seller's charge less its payout, both of which it sees"),
  // Ledger (an account sees only its own entries and balances).
  accountId: ALL("the viewer's own account"),
  balanceMicros: ALL("own balance"),
  creditLimitMicros: ALL("own credit limit"),
  reservedMicros: ALL("own reserved funds"),
  availableMicros: ALL("own available funds"),
  payableMicros: ALL("own payable"),
  earnedMicros: ALL("own earnings"),
  refundedMicros: ALL("own refunds"),
  paidOutMicros: ALL("own payouts"),
  pendingMicros: ALL("own earnings still on hold (payout holds)"),
  receivableMicros: ALL("what the seller owes back: a refund of a call already paid out"),
  payoutHoldDays: ALL("own payout hold: days earnings stay pending"),
  availability: ALL("a statement line's payout: pending, available or refunded"),
  availableAt: ALL("when a call's payout becomes available"),
  postingId: ALL("a posting of the viewer's own account"),
  kind: ALL("posting kind"),
  reference: ALL("what the posting is for"),
  memo: ALL("posting memo"),
  occurredAt: ALL("time"),
  month: ALL("statement month"),
  from: ALL("statement start"),
  to: ALL("statement end"),
  openingBalanceMicros: ALL("own balance"),
  closingBalanceMicros: ALL("own balance"),
  lines: ALL("own statement lines"),
  depositId: ALL("own deposit"),
  balance: ALL("own balance after a deposit"),
  refundId: ALL("own refund"),
  // Disputes (api/disputes): both parties of the call see the dispute and its timeline.
  refundMicros: ALL("what a dispute gives the buyer back"),
  sellerClawbackMicros: SELLER("what a dispute's refund takes back from the seller's payout"),
  marginClawbackMicros: SELLER("what a dispute's refund takes back from the exchange's margin"),
  evidence: ["yes", "no", "the buyer's evidence for its dispute: the buyer's own, not shown to the seller"],
  openedAt: ALL("when the dispute was opened"),
  decidedAt: ALL("when the dispute was decided"),
  at: ALL("when a dispute's timeline step happened"),
  by: ALL("who moved a dispute: buyer, admin or exchange"),
  note: ALL("why a dispute moved (the exchange's fact, or the admin's note)"),
  // Reports (rows aggregate the viewer's own calls).
  report: ALL("report kind"),
  groupBy: ALL("report grouping"),
  columns: ALL("report columns (only the visible ones)"),
  campaignId: ALL("the viewer's own campaign (reports, live feed, own losing bid)"),
  hour: ALL("report hour"),
  offered: ALL("count"),
  routed: ALL("count"),
  completed: ALL("count"),
  noBid: ALL("count"),
  rejected: ALL("count"),
  avgDurationSec: ALL("average call length"),
  winRate: ALL("share of offered calls routed"),
  // Call recordings (each party of the call sees the recordings of its own calls).
  recordingSid: ALL("the carrier's recording id"),
  mediaUrl: ALL("where the recording's media is (forgotten once deleted)"),
  sha256: ALL("SHA-256 of the recording's media, as audited"),
  channels: ALL("recording channels (2: dual, one per leg)"),
  reportedAt: ALL("time the carrier reported the recording"),
  retentionUntil: ALL("when the recording is deleted"),
  deletedAt: ALL("when the recording was deleted"),
  // Call dossiers (api/dossiers, docs/dossiers.md): a party's own call, signed. The call, each record's
  // data, postings and recordings pass this table; the rest is the envelope, named here only.
  dossier: ALL("the signed dossier of the viewer's own call"),
  signature: ALL("the exchange's Ed25519 signature over the dossier"),
  algorithm: ALL("the signature algorithm (Ed25519)"),
  signingKeyId: ALL("which exchange key signed: sha256 of the public key, 16 hex digits"),
  ed25519: ALL("the signature, base64"),
  publicKey: ALL("the exchange's Ed25519 public key, base64"),
  dossierFormat: ALL("the dossier's format version"),
  issuedAt: ALL("when the dossier was signed"),
  issuedTo: ALL("whose view the dossier is: admin, buyer:<own id> or seller:<own id>"),
  callView: ALL("the call as GET /v1/calls/{callId} shows it to the viewer"),
  gates: ALL("the gates the call passed, or the one that refused it"),
  gate: ALL("a gate: seller, caller, compliance, fraud"),
  passed: ALL("whether the call passed the gate"),
  records: ALL("the call's own audited events, their data cut by this table"),
  auditRow: ALL("hash inputs of one of the call's own audit rows (seq, event id, type, time…)"),
  dataWhole: ALL("whether the record's data is whole, so its digest can be checked"),
  postings: ALL("the call's ledger postings"),
  fromEvent: ALL("the call's audited event a posting was made from"),
  postingEntries: ALL("a posting's entries on the viewer's own account"),
  recordings: ALL("the call's recordings the viewer may see"),
  proof: ALL("the inclusion proof of the records in the signed audit checkpoint"),
  auditChain: ALL("the number of the audit chain the call is on"),
  segments: ALL("runs of audit rows, each ending at a signed checkpoint's head"),
  prevHash: ALL("the audit hash before a segment's first row (opaque)"),
  firstSeq: ALL("the position of a segment's first row in its chain"),
  leaves: ALL("each row's leaf: an opaque sha256 for rows not the call's, null for the call's own"),
  checkpoint: ALL("the signed checkpoint a segment ends at: id, seq, head, time, chain heads, HMAC"),
  // Lists, webhooks and the live feed.
  items: ALL("list items (each filtered by this table)"),
  nextCursor: ALL("paging"),
  id: ALL("event id"),
  type: ALL("event or message type"),
  data: ALL("the event's data (filtered by this table)"),
  webhookId: ALL("own webhook endpoint"),
  protocol: ALL("live protocol version"),
  deadline: ALL("when live bids close"),
};

/** What `role` may do with field `name` (unknown names: admins yes, others no). */
export function access(role: ViewRole, name: string): Access {
  if (role === "admin") return "yes";
  const row = FIELD_POLICY[name];
  if (!row) return "no";
  return role === "buyer" ? row[0] : row[1];
}

const owns = (viewer: Viewer, item: unknown) =>
  typeof item === "object" &&
  item !== null &&
  viewer.accountId != null &&
  ((item as Record<string, unknown>).buyerId === viewer.accountId ||
    (item as Record<string, unknown>).sellerId === viewer.accountId);

/** `value` as `viewer` may see it: fields outside the policy dropped at every depth. */
export function viewAs<T>(viewer: Viewer, value: T): T {
  if (viewer.role === "admin") return value;
  return strip(viewer, value) as T;
}

function strip(viewer: Viewer, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => strip(viewer, v));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    const a = access(viewer.role, name);
    if (a === "no") continue;
    if (a === "own") {
      out[name] = Array.isArray(v)
        ? v.filter((i) => owns(viewer, i)).map((i) => strip(viewer, i))
        : undefined;
      if (out[name] === undefined) delete out[name];
      continue;
    }
    out[name] = strip(viewer, v);
  }
  return out;
}

/**
 * Field paths in `value` that `viewer` may not see (`auction.losers[0].buyerId`): empty when the body
 * keeps to the policy. The view-matrix tests run it over every response; `viewAs` never produces one.
 */
export function violations(viewer: Viewer, value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => violations(viewer, v, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([name, v]) => {
    const at = path ? `${path}.${name}` : name;
    const a = viewer.role === "admin" ? (FIELD_POLICY[name] ? "yes" : "no") : access(viewer.role, name);
    if (a === "no") return [at];
    if (a === "own" && Array.isArray(v)) {
      const foreign = v.flatMap((item, i) => (owns(viewer, item) ? [] : [`${at}[${i}]`]));
      return [...foreign, ...violations(viewer, v, at)];
    }
    return violations(viewer, v, at);
  });
}
