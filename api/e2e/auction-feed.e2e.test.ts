// The admins' live auction feed (GET /v1/admin/auctions/live) through the whole stack: an offer's
// auction reaches an open stream as an `auction.closed` event with its outcome and clearing price, a
// no-bid offer with its reason; buyer and seller keys are refused.
import { describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, offerCall, uniq } from "./client.ts";
import { API, adminKey } from "./stack.ts";

interface Closed {
  id: string;
  callId: string;
  status: string;
  reasonCode: string | null;
  bids: number;
  buyerId: string | null;
  clearingPriceMicros: number | null;
}

/** Opens the feed and collects its `auction.closed` events until `close()`. */
async function openFeed(key: string) {
  const abort = new AbortController();
  const res = await fetch(`${API}/v1/admin/auctions/live`, {
    headers: { authorization: `Bearer ${key}` },
    signal: abort.signal,
  });
  const events: Closed[] = [];
  const ids: string[] = [];
  let opened!: () => void;
  const ready = new Promise<void>((r) => (opened = r));
  const reading = (async () => {
    if (!res.ok || !res.body) return opened();
    let buffer = "";
    const decoder = new TextDecoder();
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        if (buffer.includes("auction feed open")) opened();
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const lines = buffer.slice(0, end).split("\n");
          buffer = buffer.slice(end + 2);
          if (!lines.includes("event: auction.closed")) continue;
          const data = lines.find((l) => l.startsWith("data: "))!.slice(6);
          ids.push(lines.find((l) => l.startsWith("id: "))!.slice(4));
          events.push(JSON.parse(data) as Closed);
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  await ready;
  return {
    res,
    events,
    ids,
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

async function until(check: () => boolean) {
  for (let i = 0; i < 240 && !check(); i++) await new Promise((r) => setTimeout(r, 250));
  expect(check()).toBe(true);
}

describe("GET /v1/admin/auctions/live", () => {
  it("streams each closed auction to admins: routed with its clearing price, no_bid with its reason", async () => {
    const vertical = `feed_${uniq().slice(0, 8)}`;
    const seller = await createSeller({ vertical, reserveMicros: 5_000_000 });
    const buyerId = await createBuyer(500_000_000);
    await createBuyerCampaign(buyerId, { vertical, bidMicros: 17_250_000 });
    const feed = await openFeed(adminKey());
    try {
      expect(feed.res.status).toBe(200);
      expect(feed.res.headers.get("content-type")).toContain("text/event-stream");
      const won = await offerCall<{ callId: string; status: string }>(seller, { vertical });
      expect(won.body.status).toBe("routed");
      // The only campaign targets Florida: a Wyoming caller finds no buyer.
      const lost = await offerCall<{ callId: string; status: string; reason?: { code: string } }>(seller, {
        vertical,
        callerState: "WY",
      });
      expect(lost.body.status).toBe("no_bid");
      const mine = () =>
        feed.events.filter((e) => e.callId === won.body.callId || e.callId === lost.body.callId);
      await until(() => mine().length === 2);
      const w = mine().find((e) => e.callId === won.body.callId)!;
      expect(w).toMatchObject({ status: "routed", buyerId, bids: 1, reasonCode: null });
      expect(w.clearingPriceMicros).toBe(17_250_000); // a first-price auction: the bid
      const l = mine().find((e) => e.callId === lost.body.callId)!;
      expect(l).toMatchObject({ status: "no_bid", buyerId: null, clearingPriceMicros: null });
      expect(l.reasonCode).toBe(lost.body.reason?.code);
      // Each event's SSE id is its summary's stream entry id.
      expect(feed.ids).toEqual(feed.events.map((e) => e.id));
    } finally {
      await feed.close();
    }
  });

  it("refuses buyer and seller keys (403 forbidden) and requests without a key (401)", async () => {
    const seller = await createSeller();
    const buyerId = await createBuyer();
    const buyerKey = await call<{ key: string }>("POST", "/v1/api-keys", {
      body: { accountId: buyerId, role: "buyer" },
    });
    for (const key of [seller.key, buyerKey.body.key]) {
      const res = await fetch(`${API}/v1/admin/auctions/live`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe("forbidden");
    }
    expect((await fetch(`${API}/v1/admin/auctions/live`)).status).toBe(401);
  });
});
