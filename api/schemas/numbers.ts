// Request and response shapes of the tracking-number routes.
import * as v from "valibot";
import { isId } from "../../actors/kernel/ids.ts";
import { checkTrackingNumber } from "../numbers/e164.ts";
import { atMost, Tag } from "./common.ts";

export const TrackingNumber = v.pipe(
  v.string(),
  atMost("text.phone"),
  v.check(
    (n) => checkTrackingNumber(n).ok,
    "must be an E.164 NANP number: +1 and ten digits, area code and exchange 2-9, no N11 area code, no 555 number",
  ),
);
const SellerCampaignId = v.pipe(
  v.string(),
  atMost("text.id"),
  v.check((id) => isId(id, "scp"), "must be a seller campaign id"),
);
/** Tags in the order given, each once. */
const NumberTags = v.pipe(
  v.array(Tag),
  atMost("number.tags"),
  v.transform((tags) => [...new Set(tags)]),
);

export const CreateNumber = v.object({
  number: TrackingNumber,
  sellerCampaignId: SellerCampaignId,
  tags: v.optional(NumberTags, []),
});

export const PatchNumber = v.object({
  sellerCampaignId: v.optional(SellerCampaignId),
  tags: v.optional(NumberTags),
});

export const ListNumbers = v.object({
  sellerCampaignId: v.optional(SellerCampaignId),
  /** Admin only: one seller's numbers (a seller always sees its own). */
  sellerId: v.optional(v.pipe(v.string(), v.regex(/^sel_[0-9a-f]{28}$/))),
  status: v.optional(v.picklist(["active", "released"])),
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(200)),
    "50",
  ),
  cursor: v.optional(v.pipe(v.string(), atMost("text.cursor"))),
});

export const NumberView = v.looseObject({
  number: v.string(),
  sellerId: v.string(),
  sellerCampaignId: v.string(),
  tags: v.array(v.string()),
  status: v.picklist(["active", "released"]),
  createdAt: v.string(),
  updatedAt: v.string(),
  releasedAt: v.nullable(v.string()),
});

export const NumberPage = v.looseObject({ items: v.array(NumberView), nextCursor: v.nullable(v.string()) });

const RowProblem = v.looseObject({
  code: v.string(),
  status: v.number(),
  detail: v.string(),
  errors: v.optional(v.array(v.looseObject({ path: v.string(), message: v.string() }))),
});

export const ImportResult = v.looseObject({
  created: v.number(),
  refused: v.number(),
  rows: v.array(
    v.looseObject({
      /** The row's line in the file (the header is line 1). */
      line: v.number(),
      number: v.string(),
      outcome: v.picklist(["created", "refused"]),
      item: v.optional(NumberView),
      problem: v.optional(RowProblem),
    }),
  ),
});
