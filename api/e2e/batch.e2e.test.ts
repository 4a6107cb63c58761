// Batch routes through the real stack: campaign pause/resume/bid per item (another buyer's id refused
// alone, offers follow the change), the item bound, idempotent replay, and DNC batches the screen obeys.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import { buyerKey, offer, vertical } from "./compliance-helpers.ts";
import { postgresHits, redisHits } from "./scan.ts";
import { STATE_DIR } from "./stack.ts";

/** The stack's log files holding any of `needles` (pii.e2e.test.ts shows this scan finds a plant). */
function logHits(needles: string[]): string[] {
  const dir = join(STATE_DIR, "logs");
  return readdirSync(dir).filter((f) => needles.some((n) => readFileSync(join(dir, f), "utf8").includes(n)));
}

interface Result {
  index: number;
  id?: string;
  status: number;
  campaign?: { id: string; status: string; bidMicros: number; version: number };
  problem?: { code: string; status: number; detail: string; errors?: { path: string }[] };
}
interface BatchAnswer {
  action: string;
  succeeded: number;
  refused: number;
  results: Result[];
  code?: string;
  limit?: { name: string; max: number };
}

const batch = (buyerId: string, key: string, body: unknown, idempotencyKey?: string) =>
  call<BatchAnswer>("POST", `/v1/buyers/${buyerId}/campaigns/batch`, { key, body, idempotencyKey });
const campaign = (buyerId: string, id: string) =>
  call<{ status: string; bidMicros: number; version: number }>(
    "GET",
    `/v1/buyers/${buyerId}/campaigns/${id}`,
  );

/** Buyer A with two campaigns bidding above buyer B's one, all on a vertical of their own. */
async function market() {
  const v = vertical();
  const [a, b] = [await createBuyer(), await createBuyer()];
  const a1 = await createBuyerCampaign(a, { vertical: v, states: [], bidMicros: 30_000_000 });
  const a2 = await createBuyerCampaign(a, { vertical: v, states: [], bidMicros: 29_000_000 });
  const b1 = await createBuyerCampaign(b, { vertical: v, states: [], bidMicros: 20_000_000 });
  const seller = await createSeller({ vertical: v, reserveMicros: 1_000_000 });
  return { a, b, a1, a2, b1, seller, aKey: await buyerKey(a) };
}

describe("campaign batches", () => {
  it("pauses the buyer's own campaigns, refuses another buyer's per item, and offers follow", async () => {
    const m = await market();
    expect((await offer(m.seller, randomCaller())).body).toMatchObject({ status: "routed", buyerId: m.a });

    const paused = await batch(m.a, m.aKey, { action: "pause", campaignIds: [m.a1, m.b1, m.a2] });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ action: "pause", succeeded: 2, refused: 1 });
    expect(paused.body.results.map((r) => [r.index, r.id, r.status])).toEqual([
      [0, m.a1, 200],
      [1, m.b1, 404],
      [2, m.a2, 200],
    ]);
    expect(paused.body.results[0]!.campaign).toMatchObject({ id: m.a1, status: "paused", version: 2 });
    // The same answer as for a campaign that exists nowhere: nothing says the id is buyer B's.
    const foreign = paused.body.results[1]!.problem!;
    expect(foreign).toMatchObject({ code: "campaign_unknown", status: 404 });
    expect(foreign.detail).not.toContain(m.b);
    expect((await campaign(m.b, m.b1)).body).toMatchObject({ status: "active", version: 1 });
    // A's campaigns take no offers: B's lower bid wins now.
    for (let i = 0; i < 3; i++)
      expect((await offer(m.seller, randomCaller())).body).toMatchObject({ status: "routed", buyerId: m.b });

    const resumed = await batch(m.a, m.aKey, { action: "resume", campaignIds: [m.a2, m.a1] });
    expect(resumed.body).toMatchObject({ succeeded: 2, refused: 0 });
    expect(resumed.body.results.map((r) => [r.id, r.campaign?.status])).toEqual([
      [m.a2, "active"],
      [m.a1, "active"],
    ]);
    expect((await offer(m.seller, randomCaller())).body).toMatchObject({ status: "routed", buyerId: m.a });
  });

  it("sets bids per item: an invalid bid is refused alone, the rest applied", async () => {
    const m = await market();
    const a3 = await createBuyerCampaign(m.a, { vertical: "elsewhere", states: [], bidMicros: 1_000_000 });
    const bids = await batch(m.a, m.aKey, {
      action: "bid",
      items: [
        { id: m.a1, bidMicros: 10_000_000 },
        { id: m.a2, bidMicros: -5 },
        { id: a3, bidMicros: 12_000_000 },
        { id: m.a1, bidMicros: 11_000_000 },
        { id: m.a2, bidMicros: 1.5 },
      ],
    });
    expect(bids.status).toBe(200);
    expect(bids.body).toMatchObject({ action: "bid", succeeded: 2, refused: 3 });
    expect(bids.body.results.map((r) => [r.status, r.problem?.code])).toEqual([
      [200, undefined],
      [400, "validation_failed"],
      [200, undefined],
      [422, "batch_item_repeated"],
      [422, "batch_item_repeated"],
    ]);
    expect(bids.body.results[1]!.problem!.errors?.[0]?.path).toBe("bidMicros");
    expect((await campaign(m.a, m.a1)).body).toMatchObject({ bidMicros: 10_000_000, version: 2 });
    expect((await campaign(m.a, a3)).body).toMatchObject({ bidMicros: 12_000_000, version: 2 });
    expect((await campaign(m.a, m.a2)).body).toMatchObject({ bidMicros: 29_000_000, version: 1 });
    // A1 now bids below B; A2 (its bid refused) still wins.
    expect((await offer(m.seller, randomCaller())).body).toMatchObject({
      status: "routed",
      buyerId: m.a,
      buyerCampaignId: m.a2,
    });
    const fractional = await batch(m.a, m.aKey, { action: "bid", items: [{ id: m.a2, bidMicros: 1.5 }] });
    expect(fractional.body.results[0]).toMatchObject({ status: 400, problem: { code: "validation_failed" } });
  });

  it("refuses a batch over campaigns.batch whole, and another account's batch", async () => {
    const m = await market();
    const ids = Array.from({ length: 101 }, () => m.a1);
    const over = await batch(m.a, m.aKey, { action: "pause", campaignIds: ids });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: "limit_exceeded", limit: { name: "campaigns.batch", max: 100 } });
    expect((await campaign(m.a, m.a1)).body).toMatchObject({ status: "active", version: 1 });
    const other = await batch(m.b, m.aKey, { action: "pause", campaignIds: [m.b1] });
    expect(other.status).toBe(403);
  });

  it("replays the first answer for the same Idempotency-Key and body, and refuses another body", async () => {
    const m = await market();
    const key = uniq();
    const body = { action: "pause", campaignIds: [m.a1, m.a2] };
    const first = await batch(m.a, m.aKey, body, key);
    expect(first.status).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await batch(m.a, m.aKey, body, key);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    // Nothing ran twice: one version bump each.
    expect((await campaign(m.a, m.a1)).body).toMatchObject({ status: "paused", version: 2 });
    const other = await batch(m.a, m.aKey, { action: "resume", campaignIds: [m.a1] }, key);
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ code: "idempotency_conflict" });
    expect((await campaign(m.a, m.a1)).body).toMatchObject({ status: "paused", version: 2 });
  });

  it("pauses and resumes seller campaigns (a paused source's offers are refused)", async () => {
    const v = vertical();
    const buyer = await createBuyer();
    await createBuyerCampaign(buyer, { vertical: v, states: [] });
    const seller = await createSeller({ vertical: v, reserveMicros: 1_000_000 });
    const path = `/v1/sellers/${seller.sellerId}/campaigns/batch`;
    const paused = await call<BatchAnswer>("POST", path, {
      key: seller.key,
      body: { action: "pause", campaignIds: [seller.sellerCampaignId, `scp_${"0".repeat(28)}`, "junk"] },
    });
    expect(paused.body).toMatchObject({ succeeded: 1, refused: 2 });
    expect(paused.body.results.map((r) => [r.status, r.problem?.code])).toEqual([
      [200, undefined],
      [404, "seller_campaign_unknown"],
      [404, "seller_campaign_unknown"],
    ]);
    expect((await offer(seller, randomCaller())).body).toMatchObject({
      status: "rejected",
      reason: { code: "seller_campaign_paused" },
    });
    await call("POST", path, {
      key: seller.key,
      body: { action: "resume", campaignIds: [seller.sellerCampaignId] },
    });
    expect((await offer(seller, randomCaller())).body).toMatchObject({ status: "routed", buyerId: buyer });
  });
});

describe("Do-Not-Call batches", () => {
  it("adds the valid numbers, refuses an invalid one per item, and the screen rejects an added number", async () => {
    const v = vertical();
    const buyer = await createBuyer();
    await createBuyerCampaign(buyer, { vertical: v, states: [] });
    const seller = await createSeller({ vertical: v, reserveMicros: 1_000_000 });
    const [n1, n2] = [randomCaller(), randomCaller()];
    const addBody = { action: "add", scope: "exchange", numbers: [n1, "+1555", n2] };
    const addKey = uniq(); // its answer is kept in Redis: it must hold no number either
    const addDnc = (body: unknown) =>
      call<BatchAnswer & { scope: string }>("POST", "/v1/compliance/dnc/batch", {
        body,
        idempotencyKey: addKey,
      });
    const added = await addDnc(addBody);
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ action: "add", scope: "exchange", succeeded: 2, refused: 1 });
    expect(added.body.results.map((r) => [r.index, r.status, r.problem?.code])).toEqual([
      [0, 201, undefined],
      [1, 400, "validation_failed"],
      [2, 201, undefined],
    ]);
    expect(added.body.results[1]!.problem!.errors?.[0]?.path).toBe("numbers.1");
    expect(JSON.stringify(added.body)).not.toContain(n1.slice(2));
    // Numbers are hashed at once: in clear nowhere in Redis, Postgres or the logs.
    const needles = [n1, n2].map((n) => n.slice(2));
    expect(await redisHits(needles)).toEqual([]);
    expect(await postgresHits(needles)).toEqual([]);
    expect(logHits(needles)).toEqual([]);
    expect((await offer(seller, n2)).body).toMatchObject({
      status: "rejected",
      reason: { code: "dnc_suppressed" },
    });
    const replay = await addDnc(addBody);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(added.body);
    expect((await addDnc({ ...addBody, numbers: [n1] })).body).toMatchObject({
      code: "idempotency_conflict",
    });

    const removed = await call<BatchAnswer>("POST", "/v1/compliance/dnc/batch", {
      body: { action: "remove", scope: "exchange", numbers: [n2] },
    });
    expect(removed.body).toMatchObject({ succeeded: 1, results: [{ index: 0, status: 200 }] });
    expect((await offer(seller, n2)).body).toMatchObject({ status: "routed", buyerId: buyer });
  });

  it("keeps a buyer to its own list", async () => {
    const [a, b] = [await createBuyer(), await createBuyer()];
    const res = await call("POST", "/v1/compliance/dnc/batch", {
      key: await buyerKey(a),
      body: { action: "add", scope: b, numbers: [randomCaller()] },
    });
    expect(res.status).toBe(403);
  });
});

// What a full batch costs, measured once and printed (never asserted: this machine is shared and noisy).
describe("batch cost", () => {
  it("a full campaign batch (100 bids) against 100 single PATCHes, and 500 DNC numbers in one batch", async () => {
    const buyer = await createBuyer();
    const key = await buyerKey(buyer);
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await createBuyerCampaign(buyer, { vertical: vertical() }));
    let t = performance.now();
    for (const id of ids)
      expect(
        (await call("PATCH", `/v1/buyers/${buyer}/campaigns/${id}`, { key, body: { bidMicros: 21_000_000 } }))
          .status,
      ).toBe(200);
    const singleMs = performance.now() - t;
    t = performance.now();
    const res = await batch(buyer, key, {
      action: "bid",
      items: ids.map((id) => ({ id, bidMicros: 22_000_000 })),
    });
    const batchMs = performance.now() - t;
    expect(res.body).toMatchObject({ succeeded: 100, refused: 0 });
    const numbers = Array.from({ length: 500 }, () => randomCaller());
    t = performance.now();
    const dnc = await call<BatchAnswer>("POST", "/v1/compliance/dnc/batch", {
      key,
      body: { action: "add", numbers },
    });
    const dncMs = performance.now() - t;
    expect(dnc.body).toMatchObject({ succeeded: 500, refused: 0 });
    await call("POST", "/v1/compliance/dnc/batch", { key, body: { action: "remove", numbers } });
    console.log(
      `[batch cost] 100 single PATCHes ${singleMs.toFixed(0)} ms; one 100-item bid batch ${batchMs.toFixed(0)} ms ` +
        `(${(batchMs / 100).toFixed(1)} ms/item); one 500-number DNC batch ${dncMs.toFixed(0)} ms`,
    );
  });
});
