// The admin auction feed's route against real Redis: a listener that stops reading while more than
// MAX_QUEUED auctions close is disconnected (its queue never grows past the bound), and its
// subscription ends with it.
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../actors/platform/logger.ts";
import { createRedis } from "../../actors/platform/redis.ts";
import type { ApiDeps } from "../deps.ts";
import { AuctionFeed } from "../live/auction-feed.ts";
import { cloudEntry } from "../live/test-entries.ts";
import { auctionFeedRoutes, MAX_QUEUED } from "./auction-feed.ts";

const redis = createRedis("redis://127.0.0.1:6380");
const logger = createLogger("test", "silent");
afterAll(() => redis.quit());

async function until(check: () => boolean) {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check()).toBe(true);
}

describe("GET /admin/auctions/live", () => {
  it("disconnects a listener that falls more than MAX_QUEUED events behind", async () => {
    const stream = `test:feed:${randomUUID()}`;
    const feed = new AuctionFeed({ redis, stream, logger, blockMs: 200 });
    const app = new Hono();
    app.use(async (c, next) => {
      c.set("principal", { keyId: "k", role: "admin", accountId: null });
      await next();
    });
    app.route("/", auctionFeedRoutes({ auctionFeed: feed } as unknown as ApiDeps));
    const res = await app.request("/admin/auctions/live");
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("auction feed open");
    await until(() => feed.listening === 1);
    // The reader reads from the newest entry on: a first auction it counts proves its XREAD is in
    // place, so none of the burst below falls before it (a fixed sleep raced it on a loaded machine).
    const first = () =>
      redis.xadd(
        stream,
        "*",
        ...cloudEntry("call_first", "auction.closed", { winner: null, bids: 0, candidates: 0 }),
      );
    for (let i = 0; i < 100 && feed.counts.closed === 0; i++) {
      await first();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(feed.counts.closed).toBeGreaterThan(0);
    // Nobody reads the response while 1.5 × MAX_QUEUED auctions close.
    const p = redis.pipeline();
    for (let i = 0; i < MAX_QUEUED * 1.5; i++)
      p.xadd(
        stream,
        "*",
        ...cloudEntry(`call_${i}`, "auction.closed", { winner: null, bids: 0, candidates: 0 }),
      );
    await p.exec();
    await until(() => feed.counts.closed > MAX_QUEUED * 1.5);
    let events = 0;
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    events = text.split("event: auction.closed").length - 1;
    expect(events).toBeLessThan(MAX_QUEUED); // cut off, not drained
    await until(() => feed.listening === 0);
    feed.stop();
    await redis.del(stream);
  });
});
