// Request and response bodies of the batch routes: many campaign changes or Do-Not-Call entries at once.
import * as v from "valibot";
import { atMost } from "./common.ts";
import { Campaign, Problem } from "./responses.ts";

// The envelope checks only the shape that says which item is which; each item's own values are checked
// per item with the single route's schema, so one bad item is refused alone (see api/batch/).
const CampaignId = v.pipe(v.string(), atMost("text.id"));
const CampaignIds = v.pipe(v.array(CampaignId), v.minLength(1), atMost("campaigns.batch"));
const Toggle = v.object({ action: v.picklist(["pause", "resume"]), campaignIds: CampaignIds });

/** Pause or resume (buyer and seller), or set absolute bids (buyer): one PATCH per campaign id. */
export const BuyerCampaignBatch = v.variant("action", [
  Toggle,
  v.object({
    action: v.literal("bid"),
    items: v.pipe(
      v.array(v.object({ id: CampaignId, bidMicros: v.number() })),
      v.minLength(1),
      atMost("campaigns.batch"),
    ),
  }),
]);
export const SellerCampaignBatch = Toggle;

/** Add or remove Do-Not-Call entries, each number answered on its own. */
export const DncBatch = v.object({
  action: v.picklist(["add", "remove"]),
  numbers: v.pipe(v.array(v.string()), v.minLength(1), atMost("numbers.batch")),
  /** "exchange" (admin only) or the buyer id whose own list this is; buyers default to themselves. */
  scope: v.optional(
    v.union([v.literal("exchange"), v.pipe(v.string(), v.regex(/^byr_[0-9a-f]{28}$/, "must be a buyer id"))]),
  ),
  reason: v.optional(v.pipe(v.string(), atMost("text.reason"))),
});

const Counts = { succeeded: v.number(), refused: v.number() };

export const CampaignBatchResult = v.looseObject({
  action: v.string(),
  ...Counts,
  results: v.pipe(
    v.array(
      v.looseObject({
        index: v.number(),
        id: v.string(),
        status: v.number(),
        campaign: v.optional(Campaign),
        problem: v.optional(Problem),
      }),
    ),
    v.description(
      "One per campaign id, in request order: `status` 200 with the saved `campaign`, or the item's `problem` " +
        "(`campaign_unknown`/`seller_campaign_unknown` 404 for an id the account does not hold, " +
        "`validation_failed` 400 for a bad bid, `batch_item_repeated` 422, `limit_exceeded`, `upstream_unavailable` 503).",
    ),
  ),
});

export const DncBatchResult = v.looseObject({
  action: v.string(),
  scope: v.string(),
  ...Counts,
  results: v.pipe(
    v.array(v.looseObject({ index: v.number(), status: v.number(), problem: v.optional(Problem) })),
    v.description(
      "One per number, in request order (the number is never echoed: it is personal data): `status` 201 " +
        "added or 200 removed, or 400 `validation_failed` with the item's `problem`.",
    ),
  ),
});
