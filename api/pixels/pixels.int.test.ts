// Pixels in the webhook pipeline against real Postgres (a throwaway database) and a real HTTP receiver
// on 127.0.0.1: an event enqueues one delivery per matching pixel with its URL rendered for its owner,
// only for the pixel's own campaign, and the one sender sends GET pixels bodiless, retrying and logging.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../actors/kernel/events.ts";
import { createLogger } from "../../actors/platform/logger.ts";
import { PiiKeyring } from "../../actors/platform/pii-keys.ts";
import type { Db } from "../db/client.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/webhook-schema.ts";
import { verifySignature } from "../webhooks/rules.ts";
import { sealSecret } from "../webhooks/secrets.ts";
import { enqueueDeliveries } from "../webhooks/store.ts";
import { webhookWorker } from "../webhooks/worker.ts";

const pii = new PiiKeyring(randomBytes(32), [{ id: "k1", secret: randomBytes(32) }]);
const logger = createLogger("pixels-test", "silent");
const BUYER = "byr_00000000000000000000000001";
const SELLER = "sel_00000000000000000000000001";

let handle: Awaited<ReturnType<typeof throwawayDatabase>>;
let db: Db;
beforeAll(async () => {
  handle = await throwawayDatabase("pixels");
  db = handle.db;
}, 60_000);
afterAll(() => handle?.drop());

function billable(callId: string, buyerCampaignId: string): DomainEvent {
  const snapshot = {
    callId,
    revision: 4,
    status: "completed",
    sellerId: SELLER,
    sellerCampaignId: "scp_1",
    buyerId: BUYER,
    buyerCampaignId,
    vertical: "home & garden",
    callerState: "TX",
    priceMicros: 25_000_000,
    billable: true,
    chargedMicros: 25_000_000,
    payoutMicros: 20_000_000,
    durationSec: 95,
    reasonCode: null,
    attempts: 1,
    offeredAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
  };
  return {
    id: `evt_${randomBytes(6).toString("hex")}`,
    type: "call.billable",
    occurredAt: new Date(Date.now() + 1000).toISOString(),
    aggregate: { type: "call", id: callId },
    data: { snapshot },
  } as unknown as DomainEvent;
}

async function pixel(accountId: string, campaignId: string, url: string, method: "GET" | "POST" = "GET") {
  const id = `pxl_${randomBytes(8).toString("hex")}`;
  await db.insert(webhookEndpoints).values({
    id,
    kind: "pixel",
    accountId,
    campaignId,
    method,
    url,
    eventTypes: ["call.billable"],
    secretCiphertext: sealSecret(pii, "whsec_x"),
  });
  return id;
}

const deliveriesOf = (endpointId: string) =>
  db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpointId));

interface Hit {
  method: string;
  url: string;
  body: string;
  headers: Record<string, unknown>;
}

/** A receiver on 127.0.0.1 that records each request and answers `status(nth)` (1-based). */
async function receiver(status: (nth: number) => number) {
  const hits: Hit[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    hits.push({ method: req.method!, url: req.url!, body, headers: req.headers });
    res.writeHead(status(hits.length)).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { hits, port: (server.address() as AddressInfo).port, close };
}

/** The one sender with short delays and polls, allowed to reach loopback. */
const fastWorker = (maxAttempts: number) =>
  webhookWorker(db, handle.sql, logger, {
    baseMs: 50,
    maxDelayMs: 200,
    maxAttempts,
    timeoutMs: 1_000,
    pollMs: 25,
    batch: 4,
    perEndpoint: 4,
    breaker: { failures: 10, minFailingMs: 300_000, probeBaseMs: 60_000, probeMaxMs: 3_600_000 },
    allowLocal: true,
    pii,
  });

describe("pixels in the delivery pipeline", () => {
  it("enqueues each matching pixel with its owner's URL, and none for another campaign", async () => {
    const buyerPx = await pixel(
      BUYER,
      "bcp_1",
      "https://p.example/b?c={callId}&p={priceMicros}&v={vertical}",
    );
    const sellerPx = await pixel(
      SELLER,
      "scp_1",
      "https://p.example/s?c={callId}&pay={payoutMicros}&sub={subId}",
    );
    const otherPx = await pixel(BUYER, "bcp_2", "https://p.example/o?c={callId}");
    const e = billable("call_int1", "bcp_1");
    const n = await db.transaction((tx) => enqueueDeliveries(tx, [e]));
    expect(n).toBe(2);
    const [b] = await deliveriesOf(buyerPx);
    expect(b!.url).toBe("https://p.example/b?c=call_int1&p=25000000&v=home%20%26%20garden");
    expect(JSON.parse(b!.body).data).not.toHaveProperty("payoutMicros");
    const [s] = await deliveriesOf(sellerPx);
    expect(s!.url).toBe("https://p.example/s?c=call_int1&pay=20000000&sub=scp_1");
    expect(await deliveriesOf(otherPx)).toEqual([]);
    // Recording the same event again enqueues nothing twice.
    expect(await db.transaction((tx) => enqueueDeliveries(tx, [e]))).toBe(0);
    await db.update(webhookEndpoints).set({ active: false });
  });

  it("the one sender GETs a pixel without a body or signature, retries a failure and logs each attempt", async () => {
    const { hits, port, close } = await receiver((nth) => (nth === 1 ? 503 : 204));
    const worker = fastWorker(4);
    try {
      const px = await pixel(BUYER, "bcp_9", `http://127.0.0.1:${port}/px?c={callId}&d={durationSec}`);
      await db.transaction((tx) => enqueueDeliveries(tx, [billable("call_int2", "bcp_9")]));
      await worker.start();
      const deadline = Date.now() + 15_000;
      let d = (await deliveriesOf(px))[0]!;
      while (d.status !== "delivered" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        d = (await deliveriesOf(px))[0]!;
      }
      expect(d).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 204 });
      expect(hits.map((h) => [h.method, h.url, h.body])).toEqual([
        ["GET", "/px?c=call_int2&d=95", ""],
        ["GET", "/px?c=call_int2&d=95", ""],
      ]);
      expect(hits[0]!.headers).not.toHaveProperty("x-dce-signature");
      expect(hits[0]!.headers).not.toHaveProperty("content-type");
      const log = await db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, d.id));
      expect(log.map((a) => a.statusCode).sort()).toEqual([204, 503]);
    } finally {
      await worker.stop();
      close();
    }
  });

  it("a POST pixel sends the owner's signed event body to its rendered URL", async () => {
    const { hits, port, close } = await receiver(() => 200);
    const worker = fastWorker(2);
    try {
      await pixel(BUYER, "bcp_8", `http://127.0.0.1:${port}/post?c={callId}`, "POST");
      await db.transaction((tx) => enqueueDeliveries(tx, [billable("call_int3", "bcp_8")]));
      await worker.start();
      const deadline = Date.now() + 15_000;
      while (hits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ method: "POST", url: "/post?c=call_int3" });
      const body = JSON.parse(hits[0]!.body);
      expect(body).toMatchObject({ type: "call.billable", data: { callId: "call_int3", buyerId: BUYER } });
      expect(body.data).not.toHaveProperty("payoutMicros");
      expect(
        verifySignature(
          "whsec_x",
          hits[0]!.body,
          String(hits[0]!.headers["x-dce-signature"]),
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(true);
    } finally {
      await worker.stop();
      close();
    }
  });
});
