// The admins' auction feed against real Redis: it tails a stream written as daprd writes it, hands
// listeners only `auction.closed` summaries, sees nothing published before it started, and closes
// its blocking connection once the last listener leaves.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../actors/platform/logger.ts";
import { createRedis } from "../../actors/platform/redis.ts";
import { violations } from "../views/policy.ts";
import { type AuctionClosedSummary, AuctionFeed } from "./auction-feed.ts";
import { cloudEntry } from "./test-entries.ts";

const redis = createRedis("redis://127.0.0.1:6380");
const logger = createLogger("test", "silent");
afterAll(() => redis.quit());

const clients = async () =>
  String(await redis.client("LIST"))
    .split("\n")
    .filter(Boolean).length;

async function until(check: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
  expect(await check()).toBe(true);
}

describe("AuctionFeed", () => {
  it("tails the stream for auction.closed only, from when it starts, and stops reading when unheard", async () => {
    const stream = `test:feed:${randomUUID()}`;
    await redis.xadd(stream, "*", ...cloudEntry("call_old", "auction.closed", { winner: null }));
    const before = await clients();
    const feed = new AuctionFeed({ redis, stream, logger, blockMs: 200 });
    const heard: AuctionClosedSummary[] = [];
    const off = feed.subscribe((s) => heard.push(s));
    await until(async () => (await clients()) === before + 1); // its own blocking connection
    await new Promise((r) => setTimeout(r, 300)); // the first XREAD ($) is in place
    await redis.xadd(stream, "*", ...cloudEntry("call_a", "call.connected", {}));
    const won = { buyerId: "byr_1", buyerCampaignId: "bcp_1", priceMicros: 12_500_000, bidId: "bid_1" };
    const id = await redis.xadd(
      stream,
      "*",
      ...cloudEntry("call_b", "auction.closed", { winner: won, reason: null, bids: 3, candidates: 4 }),
    );
    await redis.xadd(
      stream,
      "*",
      ...cloudEntry("call_c", "auction.closed", {
        winner: null,
        reason: { code: "no_eligible_buyers", detail: "none" },
        bids: 0,
        candidates: 0,
      }),
    );
    await until(() => heard.length === 2);
    expect(heard[0]).toEqual({
      id,
      callId: "call_b",
      status: "routed",
      reasonCode: null,
      bids: 3,
      candidates: 4,
      buyerId: "byr_1",
      buyerCampaignId: "bcp_1",
      clearingPriceMicros: 12_500_000,
      occurredAt: "2026-12-02T08:00:00.000Z",
    });
    expect(heard[1]).toMatchObject({ callId: "call_c", status: "no_bid", reasonCode: "no_eligible_buyers" });
    expect(feed.counts).toEqual({ entries: 3, closed: 2 });
    expect(heard.flatMap((s) => violations({ role: "admin" }, s))).toEqual([]);
    off();
    await until(async () => (await clients()) === before); // the reader's connection is closed
    await redis.del(stream);
  });
});
