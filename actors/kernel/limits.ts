// Every resource limit a partner can hit, named and listed once: the API's schemas, the actors' own
// checks and docs/api.md all read this table, so they cannot disagree. Names are part of the contract.
import { type Refused, refuseLimit } from "./result.ts";

export const LIMITS = {
  // request bodies
  "body.bytes": 64 * 1024,
  "body.depth": 32,
  // accounts
  "campaigns.perBuyer": 100,
  "campaigns.perSeller": 100,
  "webhooks.perAccount": 20,
  "pixels.perCampaign": 10,
  // buyer campaign lists
  "campaign.states": 60,
  "campaign.zips": 2_000,
  "campaign.areaCodes": 500,
  "campaign.tags": 20,
  "campaign.schedule.hours": 50,
  "campaign.schedule.days": 7,
  // seller campaign payout rules
  "campaign.payout.tiers": 10,
  // call offers
  "offer.tags": 50,
  // batches
  "numbers.batch": 2_000,
  "campaigns.batch": 100,
  "payout.sellerIds": 1_000,
  // tracking numbers
  "number.tags": 20,
  "numbers.import": 500,
  // free text and identifiers (characters)
  "text.name": 200,
  "text.description": 500,
  "text.evidence": 4_000,
  "text.reason": 500,
  "text.phone": 32,
  "text.tag": 64,
  "text.url": 2_000,
  "text.sip": 256,
  "text.consentCertificate": 500,
  "text.source": 100,
  "text.id": 300,
  "text.timezone": 64,
  "text.cursor": 200,
  "text.date": 64,
} as const;

export type LimitName = keyof typeof LIMITS;

/** Bounds that are not partner-tunable but must agree between the API schema and the actor's check. */
export const RANGES = {
  rtbTimeoutMs: { min: 10, max: 2_000 },
  duplicateWindowDays: { min: 0, max: 365 },
} as const;

/** What a refusal carries: which limit, and its value. */
export interface LimitHit {
  name: LimitName;
  max: number;
}

export const limitHit = (name: LimitName): LimitHit => ({ name, max: LIMITS[name] });

/**
 * Refuses adding `id` to `held` (a document's map of its own things) when the map already holds `name`'s
 * maximum; replacing one it holds always passes. Decided in the owning actor's turn, so two concurrent
 * adds cannot both take the last slot.
 */
export function slotRefusal(held: Record<string, unknown>, id: string, name: LimitName): Refused | undefined {
  if (Object.hasOwn(held, id) || Object.keys(held).length < LIMITS[name]) return undefined;
  return refuseLimit(limitHit(name), `at most ${LIMITS[name]} allowed (limit ${name})`);
}

/** The one wording of a field over a named limit; the API finds the limit again by its "(limit NAME)" tail. */
export const limitMessage = (name: LimitName): string =>
  `must have at most ${LIMITS[name]} ${name.startsWith("text.") ? "characters" : "entries"} (limit ${name})`;

/** The limit a problem message names, if it names one. */
export function limitIn(message: string): LimitHit | undefined {
  const name = /\(limit ([A-Za-z.]+)\)$/.exec(message)?.[1];
  return name !== undefined && Object.hasOwn(LIMITS, name) ? limitHit(name as LimitName) : undefined;
}

/** The one-line meaning of each limit, for docs/api.md (a test checks the table lists them all). */
export const LIMIT_MEANINGS: Record<LimitName, string> = {
  "body.bytes": "bytes in a request body (413 `payload_too_large`; DNC file imports stream and are exempt)",
  "body.depth": "nesting depth of arrays and objects in a JSON body",
  "campaigns.perBuyer": "campaigns one buyer account holds (active and paused)",
  "campaigns.perSeller": "campaigns one seller account holds (active and paused)",
  "webhooks.perAccount": "webhook endpoints of one account (or of the exchange's own feed)",
  "pixels.perCampaign": "pixels of one buyer or seller campaign",
  "campaign.states": "entries in a buyer campaign's `states`",
  "campaign.zips": "entries in a buyer campaign's `zips`",
  "campaign.areaCodes": "entries in a buyer campaign's `areaCodes`",
  "campaign.tags": "entries in a buyer campaign's `tags`",
  "campaign.schedule.hours": "intervals in a buyer campaign's `schedule.hours`",
  "campaign.schedule.days": "entries in one interval's `days`",
  "campaign.payout.tiers": "duration tiers in a seller campaign's `payout.tiers`",
  "offer.tags": "entries in a call offer's `tags`",
  "numbers.batch": "phone numbers in one suppression or blocklist request",
  "campaigns.batch": "campaign ids or items in one campaign batch",
  "payout.sellerIds": "seller ids in one payout request",
  "number.tags": "entries in a tracking number's `tags`",
  "numbers.import": "rows (after the header) in one tracking-number CSV import",
  "text.name": "characters in a name",
  "text.description": "characters in a description",
  "text.evidence": "characters in a dispute's evidence",
  "text.reason": "characters in a refund or event reason, or a suppression reason",
  "text.phone": "characters in a phone number field",
  "text.tag": "characters in one tag",
  "text.url": "characters in a URL (webhook, RTB)",
  "text.sip": "characters in a SIP destination",
  "text.consentCertificate": "characters in a consent certificate id",
  "text.source": "characters in a consent source",
  "text.id": "characters in an id given in a body or query",
  "text.timezone": "characters in a time zone name",
  "text.cursor": "characters in a pagination cursor",
  "text.date": "characters in a free-form date (a DNC import's `publishedAt`)",
};
