// Campaign pixels through the real stack: a buyer's and a seller's pixel (real HTTP receivers on
// 127.0.0.1) fire for one billable call, each with only the tokens its owner's view allows, through
// the webhook pipeline (the buyer's receiver fails once and is retried; both deliveries are logged).
// Templates with unknown or forbidden tokens, and destinations the egress guard refuses, never save.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { LIMITS } from "../../actors/kernel/limits.ts";
import { buyerKey } from "./bidders.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A receiver of pixel hits: `failFirst` 500s, then 204s; records method, path+query and body. */
async function receiver(failFirst = 0) {
  const hits: { method: string; url: string; body: string }[] = [];
  let seen = 0;
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen++;
    if (seen <= failFirst) return void res.writeHead(500).end("not today");
    hits.push({ method: req.method!, url: req.url!, body });
    res.writeHead(204).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push({
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, seen: () => seen };
}

interface Pixel {
  id: string;
  url: string;
  events: string[];
  method: string;
  campaignId: string;
}

describe("pixels", () => {
  it("a billable call fires the buyer's and the seller's pixels, each with only its allowed tokens", async () => {
    const vertical = `px_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer();
    const campaignId = await createBuyerCampaign(buyerId, {
      vertical,
      bidMicros: 30_000_000,
      minDurationSec: 30,
    });
    const seller = await createSeller({ vertical, payout: { type: "fixed", amountMicros: 12_000_000 } });
    const bKey = await buyerKey(buyerId);
    const buyerRx = await receiver(1);
    const sellerRx = await receiver();
    const buyerPath = `/v1/buyers/${buyerId}/campaigns/${campaignId}/pixels`;
    const sellerPath = `/v1/sellers/${seller.sellerId}/campaigns/${seller.sellerCampaignId}/pixels`;

    // Save-time refusals, each naming its token or field.
    const forbidden = await call("POST", buyerPath, {
      key: bKey,
      body: { url: `${buyerRx.base}/b?pay={payoutMicros}`, events: ["call.billable"] },
    });
    expect(forbidden.status).toBe(400);
    expect(forbidden.body).toMatchObject({ code: "pixel_token_forbidden", token: "payoutMicros" });
    const unknown = await call("POST", sellerPath, {
      key: seller.key,
      body: { url: `${sellerRx.base}/s?n={callerNumber}`, events: ["call.billable"] },
    });
    expect(unknown.body).toMatchObject({ code: "pixel_token_unknown", token: "callerNumber" });
    for (const url of ["http://10.1.2.3/px?c={callId}", "http://169.254.169.254/latest?c={callId}"]) {
      const refused = await call("POST", buyerPath, { key: bKey, body: { url, events: ["call.billable"] } });
      expect(refused.status, url).toBe(400);
      expect(refused.body, url).toMatchObject({ code: "destination_not_allowed" });
    }
    const inHost = await call("POST", buyerPath, {
      key: bKey,
      body: { url: "http://{callId}.example/px", events: ["call.billable"] },
    });
    expect(inHost.body).toMatchObject({ code: "pixel_template_invalid", token: "callId" });
    // Another account's campaign is not the seller's to pixel.
    const foreign = await call("POST", buyerPath, {
      key: seller.key,
      body: { url: `${sellerRx.base}/x?c={callId}`, events: ["call.billable"] },
    });
    expect(foreign.status).toBe(403);

    const buyerPx = await call<Pixel>("POST", buyerPath, {
      key: bKey,
      body: {
        url: `${buyerRx.base}/b?c={callId}&sub={subId}&p={priceMicros}&d={durationSec}&st={callerState}&v={vertical}`,
        events: ["call.billable"],
      },
    });
    expect(buyerPx.status, JSON.stringify(buyerPx.body)).toBe(201);
    expect(buyerPx.body).toMatchObject({ campaignId, method: "GET", events: ["call.billable"] });
    const sellerPx = await call<Pixel>("POST", sellerPath, {
      key: seller.key,
      body: {
        url: `${sellerRx.base}/s?c={callId}&pay={payoutMicros}&p={priceMicros}&sub={subId}`,
        events: ["call.billable"],
      },
    });
    expect(sellerPx.status, JSON.stringify(sellerPx.body)).toBe(201);
    const listed = await call<{ items: Pixel[] }>("GET", buyerPath, { key: bKey });
    expect(listed.body.items.map((p) => p.id)).toEqual([buyerPx.body.id]);
    // Pixels are not webhooks: the webhook routes neither list nor show them.
    expect((await call<{ items: unknown[] }>("GET", "/v1/webhooks", { key: bKey })).body.items).toEqual([]);
    expect((await call("GET", `/v1/webhooks/${buyerPx.body.id}`, { key: bKey })).status).toBe(404);

    const caller = randomCaller();
    const offer = await call<{ callId: string; status: string }>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: uniq(),
      body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: caller, callerState: "FL" },
    });
    expect(offer.body.status).toBe("routed");
    const callId = offer.body.callId;
    const events = `/v1/calls/${callId}/events`;
    expect((await call("POST", events, { key: seller.key, body: { type: "connected" } })).status).toBe(200);
    expect(
      (await call("POST", events, { key: seller.key, body: { type: "completed", durationSec: 45 } })).status,
    ).toBe(200);

    await waitFor(
      async () => buyerRx.hits.length + sellerRx.hits.length,
      (n) => n >= 2,
      30_000,
    );
    expect(buyerRx.hits).toEqual([
      {
        method: "GET",
        url: `/b?c=${callId}&sub=${campaignId}&p=30000000&d=45&st=FL&v=${vertical}`,
        body: "",
      },
    ]);
    expect(sellerRx.hits).toEqual([
      {
        method: "GET",
        url: `/s?c=${callId}&pay=12000000&p=30000000&sub=${seller.sellerCampaignId}`,
        body: "",
      },
    ]);
    expect(buyerRx.seen()).toBe(2); // one 500, then the retry
    for (const h of [...buyerRx.hits, ...sellerRx.hits]) expect(h.url).not.toContain(caller.slice(2));

    // The buyer's delivery log: the rendered URL and both attempts (the 500, then the 204).
    const log = await waitFor(
      () =>
        call<{ items: { id: string; status: string; url: string; attempts: number }[] }>(
          "GET",
          `${buyerPath}/${buyerPx.body.id}/deliveries`,
          { key: bKey },
        ),
      (r) => r.status !== 200 || r.body.items.every((d) => d.status !== "pending"),
    );
    expect(log.status).toBe(200);
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({ status: "delivered", attempts: 2 });
    expect(log.body.items[0]!.url).toBe(`${buyerRx.base}${buyerRx.hits[0]!.url}`);
    const detail = await call<{ attemptLog: { statusCode: number }[]; payload: { data: object } }>(
      "GET",
      `${buyerPath}/${buyerPx.body.id}/deliveries/${log.body.items[0]!.id}`,
      { key: bKey },
    );
    expect(detail.body.attemptLog.map((a) => a.statusCode)).toEqual([500, 204]);
    expect(detail.body.payload.data).not.toHaveProperty("payoutMicros");
    // The seller cannot read the buyer's pixel.
    expect((await call("GET", `${buyerPath}/${buyerPx.body.id}`, { key: seller.key })).status).toBe(403);
  });

  it("a conversion fires the buyer's pixel with its revenue and the seller's with its payout", async () => {
    const vertical = `pxc_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer();
    const campaignId = await createBuyerCampaign(buyerId, {
      vertical,
      bidMicros: 30_000_000,
      minDurationSec: 30,
      billOn: "conversion",
      conversionWindowSec: 600,
    });
    const seller = await createSeller({ vertical, payout: { type: "fixed", amountMicros: 12_000_000 } });
    const bKey = await buyerKey(buyerId);
    const buyerRx = await receiver();
    const sellerRx = await receiver();
    const events = ["call.converted", "call.not_converted"];
    const buyerPx = await call("POST", `/v1/buyers/${buyerId}/campaigns/${campaignId}/pixels`, {
      key: bKey,
      body: {
        url: `${buyerRx.base}/b?e={eventType}&r={revenueMicros}&d={disposition}&c={chargedMicros}`,
        events,
      },
    });
    expect(buyerPx.status, JSON.stringify(buyerPx.body)).toBe(201);
    const sellerPath = `/v1/sellers/${seller.sellerId}/campaigns/${seller.sellerCampaignId}/pixels`;
    const greedy = await call("POST", sellerPath, {
      key: seller.key,
      body: { url: `${sellerRx.base}/s?r={revenueMicros}`, events },
    });
    expect(greedy.body).toMatchObject({ code: "pixel_token_forbidden", token: "revenueMicros" });
    const sellerPx = await call("POST", sellerPath, {
      key: seller.key,
      body: { url: `${sellerRx.base}/s?e={eventType}&pay={payoutMicros}`, events },
    });
    expect(sellerPx.status, JSON.stringify(sellerPx.body)).toBe(201);

    const offer = await call<{ callId: string; status: string }>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: uniq(),
      body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
    });
    expect(offer.body.status).toBe("routed");
    const callId = offer.body.callId;
    const path = `/v1/calls/${callId}/events`;
    expect((await call("POST", path, { key: seller.key, body: { type: "connected" } })).status).toBe(200);
    expect(
      (await call("POST", path, { key: seller.key, body: { type: "completed", durationSec: 45 } })).status,
    ).toBe(200);
    const asBuyer = await call<{ decision: { conversionKey?: string } }>("GET", `/v1/calls/${callId}`, {
      key: bKey,
    });
    const posted = await call("POST", `/v1/calls/${callId}/conversion`, {
      key: bKey,
      body: { key: asBuyer.body.decision.conversionKey, revenueMicros: 150_000_000, disposition: "sale" },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    await waitFor(
      async () => buyerRx.hits.length + sellerRx.hits.length,
      (n) => n >= 2,
      30_000,
    );
    expect(buyerRx.hits.map((h) => h.url)).toEqual(["/b?e=call.converted&r=150000000&d=sale&c=30000000"]);
    expect(sellerRx.hits.map((h) => h.url)).toEqual(["/s?e=call.converted&pay=12000000"]);
  });

  it("changing a pixel is checked like creating it; a deleted pixel is gone", async () => {
    const buyerId = await createBuyer();
    const campaignId = await createBuyerCampaign(buyerId, { vertical: `px_${uniq().slice(0, 8)}` });
    const bKey = await buyerKey(buyerId);
    const path = `/v1/buyers/${buyerId}/campaigns/${campaignId}/pixels`;
    const created = await call<Pixel>("POST", path, {
      key: bKey,
      body: { url: "http://127.0.0.1:9/px?c={callId}", events: ["call.routed"], method: "POST" },
    });
    expect(created.status).toBe(201);
    const px = `${path}/${created.body.id}`;
    const bad = await call("PATCH", px, { key: bKey, body: { url: "http://127.0.0.1:9/px?s={sellerId}" } });
    expect(bad.body).toMatchObject({ code: "pixel_token_forbidden", token: "sellerId" });
    const ok = await call<Pixel>("PATCH", px, {
      key: bKey,
      body: { events: ["call.completed", "call.billable"] },
    });
    expect(ok.body).toMatchObject({ events: ["call.completed", "call.billable"], method: "POST" });
    expect((await call("DELETE", px, { key: bKey })).status).toBe(204);
    expect((await call("GET", px, { key: bKey })).body).toMatchObject({ code: "pixel_unknown" });
    const noCampaign = await call(
      "POST",
      `/v1/buyers/${buyerId}/campaigns/bcp_0000000000000000000000000000/pixels`,
      {
        key: bKey,
        body: { url: "http://127.0.0.1:9/px", events: ["call.routed"] },
      },
    );
    expect(noCampaign.body).toMatchObject({ code: "campaign_unknown" });
  });

  it("a campaign holds at most pixels.perCampaign; two creates racing for the last slot make one", async () => {
    const sellerAcct = await createSeller({ vertical: `px_${uniq().slice(0, 8)}` });
    const path = `/v1/sellers/${sellerAcct.sellerId}/campaigns/${sellerAcct.sellerCampaignId}/pixels`;
    const max = LIMITS["pixels.perCampaign"];
    const make = () =>
      call("POST", path, {
        key: sellerAcct.key,
        body: { url: "http://127.0.0.1:9/px?c={callId}", events: ["call.billable"] },
      });
    for (let i = 0; i < max - 1; i++) expect((await make()).status).toBe(201);
    const race = await Promise.all([make(), make()]);
    expect(race.map((r) => r.status).sort()).toEqual([201, 400]);
    const over = race.find((r) => r.status === 400)!;
    expect(over.body).toMatchObject({ code: "limit_exceeded", limit: { name: "pixels.perCampaign", max } });
    const listed = await call<{ items: unknown[] }>("GET", path, { key: sellerAcct.key });
    expect(listed.body.items).toHaveLength(max);
  });
});
