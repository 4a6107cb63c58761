// The calls read model: projected from call events through pub/sub, scoped to the caller's account,
// paginated with a cursor, and always showing a call's newest state.
import { describe, expect, it } from "vitest";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";

type Item = {
  callId: string;
  status: string;
  sellerId: string;
  buyerId: string | null;
  billable: boolean | null;
};
type Page = { items: Item[]; nextCursor: string | null };

describe("GET /v1/calls", () => {
  it("lists a seller's own calls, newest first, page by page, with their latest status", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyer = await createBuyer();
    await createBuyerCampaign(buyer, { vertical, minDurationSec: 30 });
    const seller = await createSeller({ vertical });
    const other = await createSeller({ vertical });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await call<{ callId: string }>("POST", "/v1/calls", {
        key: seller.key,
        idempotencyKey: uniq(),
        body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
      });
      ids.push(r.body.callId);
    }
    const events = `/v1/calls/${ids[0]}/events`;
    await call("POST", events, { key: seller.key, body: { type: "connected" } });
    await call("POST", events, { key: seller.key, body: { type: "completed", durationSec: 45 } });

    const all = await waitFor(
      () => call<Page>("GET", "/v1/calls?limit=50", { key: seller.key }),
      (r) => r.body.items.length === 3 && r.body.items.some((i) => i.status === "completed"),
    );
    expect(all.status).toBe(200);
    expect(all.body.items.map((i) => i.callId)).toEqual([...ids].reverse());
    expect(all.body.items.every((i) => i.sellerId === seller.sellerId)).toBe(true);
    expect(all.body.items.find((i) => i.callId === ids[0])).toMatchObject({
      status: "completed",
      billable: true,
    });
    expect(JSON.stringify(all.body)).not.toMatch(/caller(Number|Hash)|ciphertext/);

    const first = await call<Page>("GET", "/v1/calls?limit=2", { key: seller.key });
    expect(first.body.items.map((i) => i.callId)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await call<Page>("GET", `/v1/calls?limit=2&cursor=${first.body.nextCursor}`, {
      key: seller.key,
    });
    expect(second.body).toEqual({ items: [expect.objectContaining({ callId: ids[0] })], nextCursor: null });

    const foreign = await call<Page>("GET", `/v1/calls?sellerId=${seller.sellerId}`, { key: other.key });
    expect(foreign.body.items).toEqual([]);
    const bad = await call("GET", "/v1/calls?limit=0", { key: seller.key });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: "validation_failed" });
  });
});
