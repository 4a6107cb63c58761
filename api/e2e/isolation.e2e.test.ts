// Tenant isolation matrix: every route that names an account or an account's resource, called with
// another tenant's key, is refused (403/404 problem, never 2xx); with the owner's key it is not refused.
import { beforeAll, describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";

async function keyFor(accountId: string, role: "buyer" | "seller"): Promise<string> {
  const res = await call<{ key: string }>("POST", "/v1/api-keys", { body: { accountId, role } });
  if (res.status !== 201) throw new Error(`create key: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.key;
}

interface Tenant {
  buyerId: string;
  buyerKey: string;
  buyerCampaignId: string;
  sellerId: string;
  sellerKey: string;
  sellerCampaignId: string;
  callId: string;
  buyerWebhookId: string;
  sellerWebhookId: string;
}

async function webhookFor(key: string): Promise<string> {
  const res = await call<{ id: string }>("POST", "/v1/webhooks", {
    key,
    body: { url: "http://127.0.0.1:9/never-called", eventTypes: ["webhook.test"] },
  });
  if (res.status !== 201) throw new Error(`create webhook: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

async function tenant(vertical: string): Promise<Tenant> {
  const buyerId = await createBuyer(50_000_000);
  const buyerCampaignId = await createBuyerCampaign(buyerId, { vertical });
  const seller = await createSeller({ vertical });
  const offer = await call<{ callId: string }>("POST", "/v1/calls", {
    key: seller.key,
    idempotencyKey: uniq(),
    body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
  });
  if (offer.status !== 201) throw new Error(`offer: ${offer.status} ${JSON.stringify(offer.body)}`);
  const buyerKey = await keyFor(buyerId, "buyer");
  return {
    buyerId,
    buyerKey,
    buyerWebhookId: await webhookFor(buyerKey),
    sellerWebhookId: await webhookFor(seller.key),
    buyerCampaignId,
    sellerId: seller.sellerId,
    sellerKey: seller.key,
    sellerCampaignId: seller.sellerCampaignId,
    callId: offer.body.callId,
  };
}

interface Case {
  name: string;
  method: string;
  path: (t: Tenant) => string;
  body?: (t: Tenant) => unknown;
  owner: "buyer" | "seller";
  idempotent?: boolean;
}

const month = new Date().toISOString().slice(0, 7);
const campaignPatch = { name: `renamed ${Date.now()}` };

const CASES: Case[] = [
  { name: "get buyer", method: "GET", path: (t) => `/v1/buyers/${t.buyerId}`, owner: "buyer" },
  { name: "get seller", method: "GET", path: (t) => `/v1/sellers/${t.sellerId}`, owner: "seller" },
  {
    name: "list buyer campaigns",
    method: "GET",
    path: (t) => `/v1/buyers/${t.buyerId}/campaigns`,
    owner: "buyer",
  },
  {
    name: "create buyer campaign",
    method: "POST",
    path: (t) => `/v1/buyers/${t.buyerId}/campaigns`,
    body: () => ({
      name: "x",
      vertical: "iso_x",
      bidMicros: 1,
      minDurationSec: 0,
      destination: { number: "+13059870000" },
    }),
    owner: "buyer",
  },
  {
    name: "get buyer campaign",
    method: "GET",
    path: (t) => `/v1/buyers/${t.buyerId}/campaigns/${t.buyerCampaignId}`,
    owner: "buyer",
  },
  {
    name: "patch buyer campaign",
    method: "PATCH",
    path: (t) => `/v1/buyers/${t.buyerId}/campaigns/${t.buyerCampaignId}`,
    body: () => campaignPatch,
    owner: "buyer",
  },
  {
    name: "list seller campaigns",
    method: "GET",
    path: (t) => `/v1/sellers/${t.sellerId}/campaigns`,
    owner: "seller",
  },
  {
    name: "create seller campaign",
    method: "POST",
    path: (t) => `/v1/sellers/${t.sellerId}/campaigns`,
    body: () => ({ name: "x", vertical: "iso_x", payout: { type: "share", percent: 50 } }),
    owner: "seller",
  },
  {
    name: "get seller campaign",
    method: "GET",
    path: (t) => `/v1/sellers/${t.sellerId}/campaigns/${t.sellerCampaignId}`,
    owner: "seller",
  },
  {
    name: "patch seller campaign",
    method: "PATCH",
    path: (t) => `/v1/sellers/${t.sellerId}/campaigns/${t.sellerCampaignId}`,
    body: () => campaignPatch,
    owner: "seller",
  },
  { name: "buyer balance", method: "GET", path: (t) => `/v1/buyers/${t.buyerId}/balance`, owner: "buyer" },
  {
    name: "seller balance",
    method: "GET",
    path: (t) => `/v1/sellers/${t.sellerId}/balance`,
    owner: "seller",
  },
  {
    name: "buyer postings",
    method: "GET",
    path: (t) => `/v1/ledger/postings?accountId=${t.buyerId}`,
    owner: "buyer",
  },
  {
    name: "seller postings",
    method: "GET",
    path: (t) => `/v1/ledger/postings?accountId=${t.sellerId}`,
    owner: "seller",
  },
  {
    name: "buyer statement",
    method: "GET",
    path: (t) => `/v1/statements/${t.buyerId}?month=${month}`,
    owner: "buyer",
  },
  {
    name: "seller statement",
    method: "GET",
    path: (t) => `/v1/statements/${t.sellerId}?month=${month}`,
    owner: "seller",
  },
  { name: "get call", method: "GET", path: (t) => `/v1/calls/${t.callId}`, owner: "seller" },
  {
    name: "call event",
    method: "POST",
    path: (t) => `/v1/calls/${t.callId}/events`,
    body: () => ({ type: "ringing" }),
    owner: "seller",
  },
  {
    name: "offer on a campaign",
    method: "POST",
    path: () => "/v1/calls",
    body: (t) => ({ sellerCampaignId: t.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" }),
    owner: "seller",
    idempotent: true,
  },
  {
    name: "buyer DNC list",
    method: "POST",
    path: () => "/v1/compliance/dnc",
    body: (t) => ({ scope: t.buyerId, numbers: [randomCaller()] }),
    owner: "buyer",
  },
  {
    name: "seller report",
    method: "GET",
    path: (t) => `/v1/reports/calls?accountId=${t.sellerId}`,
    owner: "seller",
  },
  {
    name: "buyer report",
    method: "GET",
    path: (t) => `/v1/reports/revenue?accountId=${t.buyerId}`,
    owner: "buyer",
  },
];

describe("tenant isolation", () => {
  let a: Tenant;
  let b: Tenant;
  let routes: Set<string>;

  beforeAll(async () => {
    // Separate verticals: a call offered by one tenant's seller is never routed to the other's buyer.
    [a, b] = await Promise.all([tenant(`iso_${uniq().slice(0, 8)}`), tenant(`iso_${uniq().slice(0, 8)}`)]);
    const doc = await call<{ paths: Record<string, Record<string, unknown>> }>("GET", "/openapi.json");
    routes = new Set(
      Object.entries(doc.body.paths).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
      ),
    );
  }, 120_000);

  const send = (c: Case, owner: Tenant, key: string) =>
    call(c.method, c.path(owner), {
      key,
      body: c.body?.(owner),
      idempotencyKey: c.idempotent ? uniq() : undefined,
    });

  it.each(CASES)("$name: another tenant's buyer or seller key is refused", async (c) => {
    const path = c.path(a).split("?")[0]!;
    const served = [...routes].some((r) => {
      const [method, template] = r.split(" ") as [string, string];
      return method === c.method && new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path);
    });
    expect(served, `${c.method} ${path} is not in /openapi.json`).toBe(true);
    for (const key of [b.buyerKey, b.sellerKey]) {
      const res = await send(c, a, key);
      expect([403, 404], `${c.method} ${c.path(a)} → ${res.status} ${JSON.stringify(res.body)}`).toContain(
        res.status,
      );
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
    const own = await send(c, a, c.owner === "buyer" ? a.buyerKey : a.sellerKey);
    expect(
      [403, 404],
      `owner: ${c.method} ${c.path(a)} → ${own.status} ${JSON.stringify(own.body)}`,
    ).not.toContain(own.status);
    expect(own.status).toBeLessThan(300);
  });

  it("lists show only the caller's own calls, whatever filter it asks for", async () => {
    const theirs = await call<{ items: { sellerId: string }[] }>("GET", `/v1/calls?sellerId=${a.sellerId}`, {
      key: b.sellerKey,
    });
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.every((i) => i.sellerId === b.sellerId)).toBe(true);
  });

  it("admin-only money routes refuse buyer and seller keys", async () => {
    for (const key of [a.buyerKey, a.sellerKey]) {
      const dep = await call("POST", `/v1/buyers/${a.buyerId}/deposits`, {
        key,
        body: { amountMicros: 1 },
        idempotencyKey: uniq(),
      });
      expect(dep.status).toBe(403);
      const refund = await call("POST", `/v1/calls/${a.callId}/refund`, { key, body: { reason: "x" } });
      expect(refund.status).toBe(403);
      const payout = await call("POST", "/v1/payouts", { key, body: {}, idempotencyKey: uniq() });
      expect(payout.status).toBe(403);
    }
  });
});
