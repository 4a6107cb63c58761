// Partner webhooks through the real stack: a buyer's and a seller's endpoints (real HTTP receivers on
// 127.0.0.1) receive their own views of a billable call; the buyer's receiver fails twice and is
// retried with backoff until it accepts; every body is signed with the endpoint's secret, and the
// delivery log tells the story. Endpoints are private to their account.
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { violations } from "../views/policy.ts";
import { verifySignature } from "../webhooks/rules.ts";
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

interface Delivery {
  body: string;
  json: { id: string; type: string; occurredAt: string; data: Record<string, unknown> };
  headers: IncomingMessage["headers"];
}

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A receiver that answers with `failFirst` 500s, then 204 for good. */
async function receiver(failFirst = 0) {
  const received: Delivery[] = [];
  let seen = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    seen++;
    if (seen <= failFirst) {
      res.writeHead(500).end("not today");
      return;
    }
    received.push({ body, json: JSON.parse(body), headers: req.headers });
    res.writeHead(204).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const closable = {
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
  servers.push(closable);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dce`,
    received,
    seen: () => seen,
  };
}

interface Webhook {
  id: string;
  secret: string;
  accountId: string | null;
}

async function register(key: string, url: string, eventTypes: string[]) {
  const res = await call<Webhook>("POST", "/v1/webhooks", { key, body: { url, eventTypes } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const nowSec = () => Math.floor(Date.now() / 1000);

describe("webhooks", () => {
  it("signed deliveries of a billable call: the buyer's failing receiver is retried until it accepts; each side sees its own view", async () => {
    const vertical = `wh_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer();
    await createBuyerCampaign(buyerId, { vertical, bidMicros: 30_000_000, minDurationSec: 30 });
    const seller = await createSeller({ vertical, payout: { type: "fixed", amountMicros: 12_000_000 } });
    const bKey = await buyerKey(buyerId);
    const buyerRx = await receiver(2);
    const sellerRx = await receiver();
    const buyerHook = await register(bKey, buyerRx.url, ["call.routed", "call.billable"]);
    const sellerHook = await register(seller.key, sellerRx.url, ["call.billable"]);
    expect(buyerHook).toMatchObject({
      accountId: buyerId,
      active: true,
      eventTypes: ["call.routed", "call.billable"],
    });
    expect(buyerHook.secret).toMatch(/^whsec_/);

    const caller = randomCaller();
    const offer = await call<{ callId: string; status: string }>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: uniq(),
      body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: caller, callerState: "FL" },
    });
    expect(offer.body.status).toBe("routed");
    const events = `/v1/calls/${offer.body.callId}/events`;
    expect((await call("POST", events, { key: seller.key, body: { type: "connected" } })).status).toBe(200);
    expect(
      (await call("POST", events, { key: seller.key, body: { type: "completed", durationSec: 45 } })).status,
    ).toBe(200);

    // The buyer's endpoint: routed and billable, each after two refusals and two backed-off retries.
    await waitFor(
      async () => buyerRx.received.length,
      (n) => n >= 2,
      30_000,
    );
    const byType = new Map(buyerRx.received.map((d) => [d.json.type, d]));
    const billed = byType.get("call.billable")!;
    expect(billed.json.data).toMatchObject({
      callId: offer.body.callId,
      buyerId,
      priceMicros: 30_000_000,
      chargedMicros: 30_000_000,
      durationSec: 45,
      billable: true,
    });
    expect(billed.json.data).not.toHaveProperty("payoutMicros");
    expect(billed.json.data).not.toHaveProperty("sellerId");
    expect(byType.get("call.routed")!.json.data).toMatchObject({
      callId: offer.body.callId,
      status: expect.any(String),
    });
    for (const d of buyerRx.received) {
      expect(d.headers["x-dce-event"]).toBe(d.json.type);
      expect(
        verifySignature(buyerHook.secret, d.body, d.headers["x-dce-signature"] as string, nowSec()),
      ).toBe(true);
      expect(
        verifySignature(sellerHook.secret, d.body, d.headers["x-dce-signature"] as string, nowSec()),
      ).toBe(false);
      expect(d.body).not.toContain(caller.slice(2));
    }

    // The seller's endpoint, on the first try: its payout, and the buyer and price it routed to (as in
    // its offer answer), never a field outside the per-party policy.
    await waitFor(
      async () => sellerRx.received.length,
      (n) => n >= 1,
    );
    expect(sellerRx.received).toHaveLength(1);
    const sold = sellerRx.received[0]!;
    expect(sold.json).toMatchObject({ id: billed.json.id, type: "call.billable" });
    expect(sold.json.data).toMatchObject({
      callId: offer.body.callId,
      sellerId: seller.sellerId,
      payoutMicros: 12_000_000,
    });
    expect(sold.json.data).toMatchObject({ buyerId, priceMicros: 30_000_000 });
    expect(violations({ role: "seller", accountId: seller.sellerId }, sold.json.data)).toEqual([]);
    expect(
      verifySignature(sellerHook.secret, sold.body, sold.headers["x-dce-signature"] as string, nowSec()),
    ).toBe(true);

    // The delivery log, as the buyer reads it.
    const log = await call<{ items: { id: string; eventType: string; status: string; attempts: number }[] }>(
      "GET",
      `/v1/webhooks/${buyerHook.id}/deliveries`,
      { key: bKey },
    );
    expect(log.status).toBe(200);
    expect(log.body.items.map((d) => d.status)).toEqual(["delivered", "delivered"]);
    const billedDelivery = log.body.items.find((d) => d.eventType === "call.billable")!;
    expect(billedDelivery.id).toBe(billed.headers["x-dce-delivery"]);
    const details = await Promise.all(
      log.body.items.map(
        async (d) =>
          (
            await call<{
              attemptLog: { attempt: number; statusCode: number | null; at: string }[];
              payload: unknown;
            }>("GET", `/v1/webhooks/${buyerHook.id}/deliveries/${d.id}`, { key: bKey })
          ).body,
      ),
    );
    expect(details.find((d) => (d.payload as { type: string }).type === "call.billable")!.payload).toEqual(
      billed.json,
    );
    // Two refusals in all (whichever deliveries drew them), each followed by a retry, then 204s.
    expect(buyerRx.seen()).toBe(4);
    const statuses = details.flatMap((d) => d.attemptLog.map((a) => a.statusCode));
    expect(statuses.filter((s) => s === 500)).toHaveLength(2);
    expect(statuses.filter((s) => s === 204)).toHaveLength(2);
    for (const { attemptLog } of details) {
      expect(attemptLog.map((a) => a.attempt)).toEqual(attemptLog.map((_, i) => i + 1));
      expect(attemptLog.at(-1)!.statusCode).toBe(204);
      // Each retry waited at least half its backoff step (1 s base locally, see dapr.yaml).
      for (let i = 1; i < attemptLog.length; i++) {
        const gap = Date.parse(attemptLog[i]!.at) - Date.parse(attemptLog[i - 1]!.at);
        expect(gap).toBeGreaterThanOrEqual(500 * 2 ** (i - 1));
      }
    }
  }, 60_000);

  it("a test delivery is signed with the rotated secret; a redelivery sends the same body again", async () => {
    const buyerId = await createBuyer();
    const bKey = await buyerKey(buyerId);
    const rx = await receiver();
    const hook = await register(bKey, rx.url, ["call.billable"]);
    const rotated = await call<Webhook>("POST", `/v1/webhooks/${hook.id}/rotate-secret`, { key: bKey });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(hook.secret);

    const test = await call<{ id: string; eventType: string }>("POST", `/v1/webhooks/${hook.id}/test`, {
      key: bKey,
    });
    expect(test.status).toBe(201);
    expect(test.body.eventType).toBe("webhook.test");
    await waitFor(
      async () => rx.received.length,
      (n) => n >= 1,
    );
    const got = rx.received[0]!;
    expect(got.json).toMatchObject({
      type: "webhook.test",
      data: { webhookId: hook.id, accountId: buyerId },
    });
    const sig = got.headers["x-dce-signature"] as string;
    expect(verifySignature(rotated.body.secret, got.body, sig, nowSec())).toBe(true);
    expect(verifySignature(hook.secret, got.body, sig, nowSec())).toBe(false);

    const again = await call("POST", `/v1/webhooks/${hook.id}/deliveries/${test.body.id}/redeliver`, {
      key: bKey,
    });
    expect(again.status).toBe(200);
    await waitFor(
      async () => rx.received.length,
      (n) => n >= 2,
    );
    expect(rx.received[1]!.body).toBe(got.body);
    expect(rx.received[1]!.headers["x-dce-attempt"]).toBe("2");
  });

  it("a paused endpoint gets nothing; endpoints are private to their account; bad input is a clear 400", async () => {
    const [a, b] = await Promise.all([createBuyer(), createBuyer()]);
    const [aKey, bKey] = await Promise.all([buyerKey(a), buyerKey(b)]);
    const rx = await receiver();
    const hook = await register(aKey, rx.url, ["buyer.deposited"]);

    const paused = await call<{ active: boolean }>("PATCH", `/v1/webhooks/${hook.id}`, {
      key: aKey,
      body: { active: false },
    });
    expect(paused.body.active).toBe(false);
    const deposit = await call("POST", `/v1/buyers/${a}/deposits`, {
      body: { amountMicros: 1_000_000 },
      idempotencyKey: uniq(),
    });
    expect(deposit.status).toBe(201);
    await call("PATCH", `/v1/webhooks/${hook.id}`, { key: aKey, body: { active: true } });
    const second = await call("POST", `/v1/buyers/${a}/deposits`, {
      body: { amountMicros: 2_000_000 },
      idempotencyKey: uniq(),
    });
    expect(second.status).toBe(201);
    await waitFor(
      async () => rx.received.length,
      (n) => n >= 1,
    );
    expect(rx.received.map((d) => d.json.data.amountMicros)).toEqual([2_000_000]); // not the one while paused

    for (const [method, path] of [
      ["GET", `/v1/webhooks/${hook.id}`],
      ["PATCH", `/v1/webhooks/${hook.id}`],
      ["DELETE", `/v1/webhooks/${hook.id}`],
      ["GET", `/v1/webhooks/${hook.id}/deliveries`],
      ["POST", `/v1/webhooks/${hook.id}/test`],
      ["POST", `/v1/webhooks/${hook.id}/rotate-secret`],
    ] as const) {
      const res = await call(method, path, {
        key: bKey,
        body: method === "PATCH" ? { active: false } : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toMatchObject({ code: "webhook_unknown" });
    }
    const list = await call<{ items: { id: string }[] }>("GET", "/v1/webhooks", { key: bKey });
    expect(list.body.items.map((w) => w.id)).not.toContain(hook.id);
    const foreign = await call("POST", "/v1/webhooks", {
      key: bKey,
      body: { url: rx.url, eventTypes: ["call.billable"], accountId: a },
    });
    expect(foreign.status).toBe(403);

    const bad = await call<{ code: string; errors: { path: string }[] }>("POST", "/v1/webhooks", {
      key: aKey,
      body: { url: "ftp://example.com/x", eventTypes: ["call.billable", "call.billable", "call.secret"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("validation_failed");
    expect(bad.body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(["url", "eventTypes.2"]));

    expect((await call("DELETE", `/v1/webhooks/${hook.id}`, { key: aKey })).status).toBe(204);
    expect((await call("GET", `/v1/webhooks/${hook.id}`, { key: aKey })).status).toBe(404);
  });
});
