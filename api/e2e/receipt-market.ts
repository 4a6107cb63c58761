// The receipts e2e tests' market: three buyers bidding 30, 25 and 20 dollars under a 10-dollar reserve
// (first or second price; the 25 from an RTB endpoint or re-routable when asked), and readers of each
// party's receipt that check every body against the per-party policy.
import { expect } from "vitest";
import { violations } from "../views/policy.ts";
import { buyerKey, json, rtbEndpoint } from "./bidders.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, offerCall, uniq, waitFor } from "./client.ts";

export const USD = 1_000_000;
/** Closes the RTB endpoints the markets opened (call it in afterAll). */
export const closers: (() => void)[] = [];

export type Body = Record<string, unknown>;

/** Three buyers bidding 30, 25 and 20 dollars (the 25 from an RTB endpoint when `rtb`), reserve 10. */
export async function market(auction: "first" | "second", rtb: boolean, reroute = false) {
  const vertical = `rc_${uniq().slice(0, 8)}`;
  const buyers = await Promise.all([createBuyer(), createBuyer(), createBuyer()]);
  const [top, mid, low] = buyers as [string, string, string];
  await createBuyerCampaign(top, { vertical, bidMicros: 30 * USD });
  if (rtb) {
    const endpoint = await rtbEndpoint((_p, res) => json(res, { bidMicros: 25 * USD }));
    closers.push(endpoint.close);
    await createBuyerCampaign(mid, {
      vertical,
      bidMicros: USD,
      rtb: { url: endpoint.url, timeoutMs: 1_000 },
    });
  } else await createBuyerCampaign(mid, { vertical, bidMicros: 25 * USD });
  await createBuyerCampaign(low, { vertical, bidMicros: 20 * USD });
  const seller = await createSeller({
    vertical,
    reserveMicros: 10 * USD,
    auction,
    maxAuctionMs: 1_500,
    ...(reroute ? { reroute: { max: 2, belowSec: 10 } } : {}),
  });
  const keys = { top: await buyerKey(top), mid: await buyerKey(mid), low: await buyerKey(low) };
  const offer = await offerCall<{ callId: string; status: string; buyerId: string }>(seller);
  expect(offer.body).toMatchObject({ status: "routed", buyerId: top });
  return { seller, ids: { top, mid, low }, keys, callId: offer.body.callId };
}

export async function receipt(callId: string, key?: string) {
  return call<Body>("GET", `/v1/calls/${callId}/receipt`, key ? { key } : {});
}

/** The receipt once the events app recorded the auction (a 409 receipt_pending until then). */
export async function recorded(callId: string, key: string, viewer: Parameters<typeof violations>[0]) {
  const r = await waitFor(
    () => receipt(callId, key),
    (x) => x.status !== 409,
  );
  expect(r.status).toBe(200);
  expect(violations(viewer, r.body)).toEqual([]);
  return r.body;
}

export async function receiptsOf(m: Awaited<ReturnType<typeof market>>) {
  const b = (id: string) => ({ role: "buyer" as const, accountId: id });
  return {
    seller: await recorded(m.callId, m.seller.key, { role: "seller", accountId: m.seller.sellerId }),
    top: await recorded(m.callId, m.keys.top, b(m.ids.top)),
    mid: await recorded(m.callId, m.keys.mid, b(m.ids.mid)),
    low: await recorded(m.callId, m.keys.low, b(m.ids.low)),
    admin: (await receipt(m.callId)).body,
  };
}

/** No other party's id, and no other bid's amount outside the clearing price every bidder sees. */
export function expectBuyerSeesOnlyItsOwn(body: Body, others: string[], otherAmounts: number[]) {
  const { clearingPriceMicros: _price, ...rest } = body;
  const text = JSON.stringify(rest);
  for (const id of others) expect(text).not.toContain(id);
  for (const a of otherAmounts) expect(text).not.toContain(`:${a}`);
}

export async function strangersGet404(callId: string) {
  const stranger = await createBuyer(0);
  const otherSeller = await createSeller();
  for (const key of [await buyerKey(stranger), otherSeller.key]) {
    for (const path of ["receipt", "replay"]) {
      const r = await call<Body>("GET", `/v1/calls/${callId}/${path}`, { key });
      if (path === "receipt") expect(r.body).toMatchObject({ code: "call_unknown" });
      expect(r.status).toBe(path === "receipt" ? 404 : 403);
    }
  }
  const unknown = await receipt(`call_${uniq().replaceAll("-", "")}`);
  expect(unknown.status).toBe(404);
}
