// Response bodies as partners may rely on them, for the OpenAPI document. Loose objects: the API may
// add fields (the contract says extend freely), so only the fields named here are promised.
import * as v from "valibot";

const Id = v.string();
const Time = v.string();
const Int = v.pipe(v.number(), v.integer());
const Items = v.looseObject({ items: v.array(v.looseObject({})) });
const Page = v.looseObject({ items: v.array(v.looseObject({})), nextCursor: v.nullable(v.string()) });

export const Problem = v.looseObject({
  type: v.string(),
  title: v.string(),
  status: Int,
  detail: v.string(),
  code: v.string(),
  instance: v.string(),
  errors: v.optional(v.array(v.looseObject({ path: v.string(), message: v.string() }))),
  /** With `limit_exceeded` and `payload_too_large`: the resource limit gone over and its maximum. */
  limit: v.optional(v.object({ name: v.string(), max: Int })),
});

export const Health = v.looseObject({ status: v.string() });
export const Ready = v.looseObject({
  status: v.picklist(["ready", "not_ready"]),
  checks: v.record(v.string(), v.boolean()),
  /** True while the domain-events backlog is past DCE_STREAM_READY_LAG_MAX (still HTTP 200: see docs/ops/stream.md). */
  degraded: v.optional(v.boolean()),
  /** The events stream's last sample; `backlog` is null while it is unknown. */
  stream: v.optional(
    v.object({
      backlog: v.nullable(v.number()),
      lagThreshold: v.number(),
      backlogBound: v.number(),
      offersRefused: v.boolean(),
      groups: v.array(v.object({ group: v.string(), pending: v.number(), lag: v.number() })),
    }),
  ),
});

export const Account = v.looseObject({
  id: Id,
  name: v.string(),
  status: v.string(),
  timezone: v.string(),
  campaignIds: v.array(v.string()),
  createdAt: Time,
});
export const CreatedApiKey = v.looseObject({
  id: Id,
  key: v.string(),
  prefix: v.string(),
  role: v.picklist(["admin", "buyer", "seller"]),
  accountId: v.nullable(v.string()),
});
export const ApiKey = v.looseObject({
  id: Id,
  prefix: v.string(),
  role: v.picklist(["admin", "buyer", "seller"]),
  accountId: v.nullable(v.string()),
  createdAt: Time,
  lastUsedAt: v.nullable(Time),
  expiresAt: v.nullable(Time),
  revokedAt: v.nullable(Time),
});
export const ApiKeys = v.looseObject({ items: v.array(ApiKey) });
export const RotatedApiKey = v.looseObject({
  id: Id,
  key: v.string(),
  prefix: v.string(),
  role: v.picklist(["admin", "buyer", "seller"]),
  accountId: v.nullable(v.string()),
  replaces: v.looseObject({ id: Id, expiresAt: Time }),
});
export const Campaign = v.looseObject({ id: Id, name: v.string(), vertical: v.string(), version: Int });
export const CampaignList = Items;

export const BuyerBalance = v.looseObject({
  balanceMicros: Int,
  creditLimitMicros: Int,
  reservedMicros: Int,
  availableMicros: Int,
});
export const SellerBalance = v.looseObject({
  sellerId: Id,
  payableMicros: Int,
  earnedMicros: Int,
  refundedMicros: Int,
  paidOutMicros: Int,
  pendingMicros: Int,
  receivableMicros: Int,
  payoutHoldDays: v.number(),
});
export const PayoutHoldResult = v.looseObject({ sellerId: Id, payoutHoldDays: v.number() });
export const DepositResult = v.looseObject({
  id: Id,
  buyerId: Id,
  amountMicros: Int,
  balance: v.looseObject({}),
});
export const Postings = v.looseObject({
  accountId: v.string(),
  balanceMicros: Int,
  items: v.array(v.looseObject({})),
  nextCursor: v.nullable(v.string()),
});
export const RefundResult = v.looseObject({
  callId: Id,
  postingId: v.string(),
  refundedMicros: Int,
  buyerId: Id,
});
export const PayoutResult = v.looseObject({
  id: Id,
  items: v.array(v.looseObject({ sellerId: Id, amountMicros: Int })),
  totalMicros: Int,
});
export const Statement = v.looseObject({});
export const Reconciliation = v.looseObject({});
export const RepairReport = v.looseObject({
  plan: v.looseObject({}),
  applied: v.looseObject({}),
  dryRun: v.boolean(),
});

export const OfferResult = v.looseObject({
  callId: Id,
  status: v.picklist(["routed", "rejected", "no_bid"]),
});
/** The call as the caller's role sees it (docs/api.md, per-party views): buyers get no seller ids. */
export const Call = v.looseObject({
  callId: Id,
  status: v.string(),
  sellerId: v.optional(Id),
  sellerCampaignId: v.optional(Id),
});
export const CallPage = Page;

export const Loose = v.looseObject({});
export const List = Items;

export const Report = v.looseObject({
  report: v.string(),
  groupBy: v.string(),
  columns: v.array(v.string()),
  items: v.array(v.looseObject({})),
  accountId: v.nullable(v.string()),
});

/** The endpoint's breaker: `suspended` after a run of failed attempts, probed until one is delivered. */
export const WebhookHealth = v.looseObject({
  state: v.picklist(["healthy", "suspended"]),
  consecutiveFailures: Int,
  lastFailureAt: v.nullable(Time),
  lastStatusCode: v.nullable(Int),
  lastError: v.nullable(v.string()),
  suspendedAt: v.nullable(Time),
  nextProbeAt: v.nullable(Time),
});
export const Webhook = v.looseObject({
  id: Id,
  accountId: v.nullable(v.string()),
  url: v.string(),
  eventTypes: v.array(v.string()),
  description: v.string(),
  active: v.boolean(),
  createdAt: Time,
  updatedAt: Time,
  health: WebhookHealth,
});
/** Create and rotate answer with the signing secret: the only times it is shown. */
export const WebhookWithSecret = v.looseObject({ ...Webhook.entries, secret: v.string() });
export const Webhooks = v.looseObject({ items: v.array(Webhook) });
const Attempt = v.looseObject({
  attempt: Int,
  at: Time,
  statusCode: v.nullable(Int),
  error: v.nullable(v.string()),
  durationMs: Int,
});
export const WebhookDelivery = v.looseObject({
  id: Id,
  webhookId: Id,
  eventId: v.string(),
  eventType: v.string(),
  status: v.picklist(["pending", "delivered", "failed"]),
  attempts: Int,
  nextAttemptAt: v.nullable(Time),
  lastStatusCode: v.nullable(Int),
  lastError: v.nullable(v.string()),
  createdAt: Time,
  deliveredAt: v.nullable(Time),
  attemptLog: v.optional(v.array(Attempt)),
  payload: v.optional(v.looseObject({})),
  /** A pixel's delivery: the URL it was sent to (its template with this event's tokens). */
  url: v.optional(v.string()),
});
/** A campaign's pixel (api/pixels/): its URL template, the call events it fires on, GET or POST. */
export const Pixel = v.looseObject({
  id: Id,
  accountId: v.string(),
  campaignId: v.string(),
  url: v.string(),
  events: v.array(v.string()),
  method: v.picklist(["GET", "POST"]),
  description: v.string(),
  active: v.boolean(),
  createdAt: Time,
  updatedAt: Time,
});
/** Create answer: with the signing secret of POST bodies (shown only here). */
export const PixelWithSecret = v.looseObject({ ...Pixel.entries, secret: v.string() });
export const Pixels = v.looseObject({ items: v.array(Pixel) });
export const WebhookDeliveries = v.looseObject({
  items: v.array(WebhookDelivery),
  nextCursor: v.nullable(v.string()),
});

/** One call recording as its parties see it (GET /v1/calls/{callId}/recordings). */
export const Recording = v.looseObject({
  recordingSid: v.string(),
  status: v.picklist(["pending", "stored", "deleted"]),
  /** The carrier's media URL; null once the retention deleted the recording. */
  mediaUrl: v.nullable(v.string()),
  /** SHA-256 (hex) of the media as fetched (the audited value); null while pending. */
  sha256: v.nullable(v.string()),
  durationSec: Int,
  channels: Int,
  reportedAt: Time,
  retentionUntil: Time,
  deletedAt: v.nullable(Time),
});
export const RecordingList = v.looseObject({ items: v.array(Recording) });

/** A dispute (api/disputes); each party through the view policy (a seller never gets `evidence`). */
export const Dispute = v.looseObject({
  id: Id,
  callId: Id,
  reason: v.string(),
  status: v.picklist(["open", "accepted", "partially_accepted", "rejected"]),
  refundMicros: Int,
  detail: v.optional(v.string()),
  openedAt: Time,
  decidedAt: v.optional(Time),
  timeline: v.array(
    v.looseObject({
      at: Time,
      status: v.string(),
      by: v.picklist(["buyer", "admin", "exchange"]),
      note: v.optional(v.string()),
    }),
  ),
});
export const DisputeList = v.looseObject({
  data: v.array(Dispute),
  nextCursor: v.optional(v.nullable(v.string())),
});

/** A call's conversion as the postback answers it (docs/api.md, "Conversions"). */
export const ConversionResult = v.looseObject({
  callId: Id,
  conversion: v.looseObject({
    status: v.picklist(["awaiting", "converted", "not_converted"]),
    windowEndsAt: Time,
    convertedAt: v.nullable(Time),
  }),
  billing: v.looseObject({ billable: v.boolean(), chargedMicros: Int }),
});
