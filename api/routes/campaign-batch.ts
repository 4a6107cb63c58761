// Campaign batches: pause, resume or set bids on many campaigns in one request, each item through the
// single PATCH route's schema and its actor command (a merge in the owner's turn), answered per item.
import { Hono } from "hono";
import type { IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import { isId } from "../../actors/kernel/ids.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { ISellerActor } from "../../actors/seller/seller-api.ts";
import { idempotentBatch } from "../batch/idempotency.ts";
import { answerItems, repeatedIds, runBatch } from "../batch/runner.ts";
import type { ApiDeps } from "../deps.ts";
import { assertAccount } from "../middleware/auth.ts";
import { tagged, WRITE } from "../openapi/facts.ts";
import { ApiError, type ProblemCode } from "../problem.ts";
import { BuyerCampaignBatch, CampaignBatchResult, SellerCampaignBatch } from "../schemas/batch.ts";
import { PatchBuyerCampaign, PatchSellerCampaign } from "../schemas/campaigns.ts";
import { actorCall, body, check, problemsError } from "../validate.ts";

interface Item {
  id: string;
  patch: Record<string, unknown>;
}

const statusOf = (action: "pause" | "resume") => (action === "pause" ? "paused" : "active");

type BatchInput =
  | { action: "pause" | "resume"; campaignIds: string[] }
  | { action: "bid"; items: { id: string; bidMicros: number }[] };

/** The items of a batch: one patch per campaign id, in request order. */
function itemsOf(input: BatchInput): Item[] {
  if (input.action === "bid")
    return input.items.map((i) => ({ id: i.id, patch: { bidMicros: i.bidMicros } }));
  return input.campaignIds.map((id) => ({ id, patch: { status: statusOf(input.action) } }));
}

/**
 * Runs one campaign command per item: a repeated id and a malformed one are refused before any actor
 * call (a malformed id is simply unknown, as on the single route), the patch is checked with the single
 * route's schema, and `apply` is the single route's actor command.
 */
async function runCampaignBatch<T>(
  items: Item[],
  unknown: { prefix: "bcp" | "scp"; code: ProblemCode; owner: string },
  schema: typeof PatchBuyerCampaign | typeof PatchSellerCampaign,
  apply: (campaignId: string, patch: never) => Promise<T>,
) {
  const repeats = repeatedIds(items.map((i) => i.id));
  return runBatch(items, async (item, index) => {
    const first = repeats.get(index);
    if (first !== undefined)
      throw new ApiError(422, "batch_item_repeated", `item ${index} repeats item ${first} (${item.id})`);
    if (!isId(item.id, unknown.prefix))
      throw new ApiError(404, unknown.code, `no campaign ${item.id} on ${unknown.owner}`);
    return apply(item.id, check(schema, item.patch) as never);
  });
}

export function campaignBatchRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("campaigns");
  const buyer = (id: string) => actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", id);
  const seller = (id: string) => actorProxy<ISellerActor>(deps.dapr, "SellerActor", id);

  const buyerBatchDoc = doc({
    summary:
      "Pause, resume or set the bids of many buyer campaigns (`campaigns.batch` items): one answer per item, in order",
    access: "buyer",
    body: BuyerCampaignBatch,
    status: 200,
    response: CampaignBatchResult,
    idempotencyKey: "optional",
    errors: [...WRITE, "limit_exceeded", "buyer_unknown", "idempotency_key_required", "idempotency_conflict"],
  });
  app.post("/buyers/:buyerId/campaigns/batch", buyerBatchDoc, async (c) => {
    const buyerId = c.req.param("buyerId");
    assertAccount(c.get("principal"), buyerId, "buyer");
    const input = await body(c, BuyerCampaignBatch);
    return idempotentBatch(deps, c, input, async () => {
      await actorCall(buyer(buyerId).get()); // an unknown buyer is the whole batch's 404
      const items = itemsOf(input);
      const outcomes = await runCampaignBatch(
        items,
        { prefix: "bcp", code: "campaign_unknown", owner: `buyer ${buyerId}` },
        PatchBuyerCampaign,
        async (campaignId, patch) => {
          const saved = await actorCall(buyer(buyerId).patchCampaign({ campaignId, patch }));
          if ("problems" in saved) throw problemsError(saved.problems);
          return saved.campaign;
        },
      );
      return {
        action: input.action,
        ...answerItems(
          outcomes,
          c.req.path,
          (campaign) => ({ status: 200, campaign }),
          (i) => ({ id: items[i]!.id }),
        ),
      };
    });
  });

  const sellerBatchDoc = doc({
    summary: "Pause or resume many seller campaigns (`campaigns.batch` ids): one answer per id, in order",
    access: "seller",
    body: SellerCampaignBatch,
    status: 200,
    response: CampaignBatchResult,
    idempotencyKey: "optional",
    errors: [
      ...WRITE,
      "limit_exceeded",
      "seller_unknown",
      "idempotency_key_required",
      "idempotency_conflict",
    ],
  });
  app.post("/sellers/:sellerId/campaigns/batch", sellerBatchDoc, async (c) => {
    const sellerId = c.req.param("sellerId");
    assertAccount(c.get("principal"), sellerId, "seller");
    const input = await body(c, SellerCampaignBatch);
    return idempotentBatch(deps, c, input, async () => {
      await actorCall(seller(sellerId).get());
      const items = itemsOf(input);
      const outcomes = await runCampaignBatch(
        items,
        { prefix: "scp", code: "seller_campaign_unknown", owner: `seller ${sellerId}` },
        PatchSellerCampaign,
        (campaignId, patch) => actorCall(seller(sellerId).patchCampaign({ campaignId, patch })),
      );
      return {
        action: input.action,
        ...answerItems(
          outcomes,
          c.req.path,
          (campaign) => ({ status: 200, campaign }),
          (i) => ({ id: items[i]!.id }),
        ),
      };
    });
  });

  return app;
}
