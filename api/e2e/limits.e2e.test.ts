// Resource limits through the real stack: each named limit refused one over with limit_exceeded and
// taken at the limit; campaigns and webhook endpoints capped per account, a concurrent pair at the last
// slot making exactly one; deeply nested bodies answered 400; the targeting index holding only targeting.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { LIMITS, type LimitName } from "../../actors/kernel/limits.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  offerCall,
  randomCaller,
  uniq,
} from "./client.ts";

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(() => redis.quit());

async function keyFor(accountId: string, role: "buyer" | "seller"): Promise<string> {
  const res = await call<{ key: string }>("POST", "/v1/api-keys", { body: { accountId, role } });
  if (res.status !== 201) throw new Error(`create key: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.key;
}

const list = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
const campaignBody = {
  name: "limits",
  vertical: "e2e_limits",
  bidMicros: 1_000_000,
  minDurationSec: 0,
  destination: { number: "+13059870000" },
};
const interval = { days: ["mon"], open: "09:00", close: "17:00" };

/** A request builder per limit: n entries (or characters) of the limited field. */
const buyerCampaignCases: [LimitName, (n: number) => Record<string, unknown>][] = [
  ["campaign.states", (n) => ({ states: list(n, (i) => `${String.fromCharCode(65 + (i % 26))}Z`) })],
  ["campaign.zips", (n) => ({ zips: list(n, (i) => String(10000 + i)) })],
  ["campaign.areaCodes", (n) => ({ areaCodes: list(n, (i) => String(200 + i)) })],
  ["campaign.tags", (n) => ({ tags: list(n, (i) => `t${i}`) })],
  [
    "campaign.schedule.hours",
    (n) => ({ schedule: { timezone: "UTC", hours: list(n, () => "").map(() => interval) } }),
  ],
  [
    "campaign.schedule.days",
    (n) => ({ schedule: { timezone: "UTC", hours: [{ ...interval, days: Array(n).fill("mon") }] } }),
  ],
  ["text.name", (n) => ({ name: "n".repeat(n) })],
  ["text.tag", (n) => ({ tags: ["t".repeat(n)] })],
];

describe("named limits on request bodies", () => {
  it.each(buyerCampaignCases)(
    "%s: one over is refused naming it, at the limit is taken",
    async (name, build) => {
      const buyerId = await createBuyer(0);
      const max = LIMITS[name];
      const over = await call("POST", `/v1/buyers/${buyerId}/campaigns`, {
        body: { ...campaignBody, ...build(max + 1) },
      });
      expect(over.status).toBe(400);
      expect(over.headers.get("content-type")).toContain("application/problem+json");
      expect(over.body).toMatchObject({ code: "limit_exceeded", limit: { name, max } });
      const at = await call("POST", `/v1/buyers/${buyerId}/campaigns`, {
        body: { ...campaignBody, ...build(max) },
      });
      expect(at.status).toBe(201);
    },
  );

  it("offer.tags: one over is refused naming it, at the limit is routed or refused on its merits", async () => {
    const seller = await createSeller({ vertical: `v_${uniq().slice(0, 8)}` });
    const offer = (n: number) =>
      call("POST", "/v1/calls", {
        key: seller.key,
        idempotencyKey: uniq(),
        body: {
          sellerCampaignId: seller.sellerCampaignId,
          callerNumber: randomCaller(),
          tags: list(n, (i) => `t${i}`),
        },
      });
    const max = LIMITS["offer.tags"];
    const over = await offer(max + 1);
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: "limit_exceeded", limit: { name: "offer.tags", max } });
    expect((await offer(max)).status).toBe(201);
  });

  it("numbers.batch: a buyer's Do-Not-Call batch one over is refused, at the limit taken", async () => {
    const buyerKey = await keyFor(await createBuyer(0), "buyer");
    const batch = (n: number) =>
      call("POST", "/v1/compliance/dnc", {
        key: buyerKey,
        body: { numbers: list(n, (i) => `+1305${String(2_000_000 + i).padStart(7, "0")}`) },
      });
    const max = LIMITS["numbers.batch"];
    const over = await batch(max + 1);
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: "limit_exceeded", limit: { name: "numbers.batch", max } });
    expect((await batch(max)).status).toBe(201);
  });
});

describe("campaigns per account", () => {
  it("a buyer holds at most campaigns.perBuyer; two creates racing for the last slot make one", async () => {
    const buyerId = await createBuyer(0);
    const key = await keyFor(buyerId, "buyer");
    const max = LIMITS["campaigns.perBuyer"];
    const create = () => call("POST", `/v1/buyers/${buyerId}/campaigns`, { key, body: campaignBody });
    for (let i = 0; i < max - 1; i++) expect((await create()).status).toBe(201);
    const pair = await Promise.all([create(), create()]);
    expect(pair.map((r) => r.status).sort()).toEqual([201, 400]);
    expect(pair.find((r) => r.status === 400)!.body).toMatchObject({
      code: "limit_exceeded",
      limit: { name: "campaigns.perBuyer", max },
    });
    const listed = await call<{ items: { id: string }[] }>("GET", `/v1/buyers/${buyerId}/campaigns`, { key });
    expect(listed.body.items).toHaveLength(max);
    expect((await create()).status).toBe(400);
    // A full account still changes the campaigns it has.
    const patched = await call("PATCH", `/v1/buyers/${buyerId}/campaigns/${listed.body.items[0]!.id}`, {
      key,
      body: { status: "paused" },
    });
    expect(patched.status).toBe(200);
  });

  it("a seller holds at most campaigns.perSeller; two creates racing for the last slot make one", async () => {
    const seller = await createSeller(); // one campaign already
    const max = LIMITS["campaigns.perSeller"];
    const create = () =>
      call("POST", `/v1/sellers/${seller.sellerId}/campaigns`, {
        key: seller.key,
        body: { name: "s", vertical: "e2e_limits", payout: { type: "fixed", amountMicros: 1 } },
      });
    for (let i = 1; i < max - 1; i++) expect((await create()).status).toBe(201);
    const pair = await Promise.all([create(), create()]);
    expect(pair.map((r) => r.status).sort()).toEqual([201, 400]);
    const listed = await call<{ items: unknown[] }>("GET", `/v1/sellers/${seller.sellerId}/campaigns`, {
      key: seller.key,
    });
    expect(listed.body.items).toHaveLength(max);
    const over = await create();
    expect(over.body).toMatchObject({ code: "limit_exceeded", limit: { name: "campaigns.perSeller", max } });
  });
});

describe("webhook endpoints per account", () => {
  it("an account holds at most webhooks.perAccount; two creates racing for the last slot make one", async () => {
    const key = await keyFor(await createBuyer(0), "buyer");
    const max = LIMITS["webhooks.perAccount"];
    const create = () =>
      call("POST", "/v1/webhooks", {
        key,
        body: { url: "http://127.0.0.1:9/never-called", eventTypes: ["webhook.test"] },
      });
    for (let i = 0; i < max - 1; i++) expect((await create()).status).toBe(201);
    const pair = await Promise.all([create(), create()]);
    expect(pair.map((r) => r.status).sort()).toEqual([201, 400]);
    const listed = await call<{ items: unknown[] }>("GET", "/v1/webhooks", { key });
    expect(listed.body.items).toHaveLength(max);
    const over = await create();
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ code: "limit_exceeded", limit: { name: "webhooks.perAccount", max } });
  });
});

describe("deeply nested JSON bodies", () => {
  const deep = [
    ["[", "]", 30_000],
    ['{"a":', "}", 10_000],
  ] as const;
  it.each([
    ["POST", "/v1/buyers"],
    ["POST", "/v1/api-keys"],
    ["POST", "/v1/calls"],
    ["POST", "/v1/webhooks"],
    ["POST", "/v1/compliance/dnc"],
  ])("%s %s answers 400 limit_exceeded, not 500", async (method, path) => {
    for (const [open, close, levels] of deep) {
      const raw = `{"name":${open.repeat(levels)}1${close.repeat(levels)}}`;
      const res = await call(method, path, { raw, idempotencyKey: uniq() });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "limit_exceeded", limit: { name: "body.depth", max: 32 } });
    }
    // Deeper than fits in a body: refused for its size, still not 500.
    const huge = await call(method, path, { raw: "[".repeat(100_000), idempotencyKey: uniq() });
    expect(huge.status).toBe(413);
  });
});

describe("targeting index", () => {
  it("holds only targeting fields, and the auction still routes to the campaign's destination", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer();
    const campaignId = await createBuyerCampaign(buyerId, {
      vertical,
      caps: { daily: 50 },
      duplicateWindowDays: 1,
      tags: ["spanish"],
    });
    const entry = JSON.parse((await redis.get(`dce:campaign:${campaignId}`)) ?? "null") as Record<
      string,
      unknown
    >;
    expect(Object.keys(entry).sort()).toEqual(
      [
        "bidMicros",
        "buyerId",
        "id",
        "priority",
        "requireConsent",
        "states",
        "status",
        "tags",
        "vertical",
        "weight",
      ].sort(),
    );
    const seller = await createSeller({ vertical });
    const offer = await offerCall(seller, { tags: ["spanish"] });
    expect(offer.status).toBe(201);
    expect(offer.body).toMatchObject({
      status: "routed",
      buyerCampaignId: campaignId,
      destination: { number: "+13059870000" },
      minDurationSec: 60,
    });
  });
});
