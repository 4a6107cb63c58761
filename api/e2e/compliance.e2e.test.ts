// Invariant 4 through the real stack: a suppressed number is never routed where suppression applies
// (exchange-wide entries, imported DNC files, a buyer's own list), plus consent, calling hours and
// the fraud screen, each refusal with its stable reason code.

import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { calledParty } from "../../actors/compliance/called-party.ts";
import { callingHoursVerdict } from "../../actors/compliance/calling-hours.ts";
import { takeFrequencySlot } from "../compliance/screen.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import { buyerKey, type Decision, eventually, offer, vertical } from "./compliance-helpers.ts";

const lists: string[] = [];
afterAll(async () => {
  for (const id of lists) await call("DELETE", `/v1/compliance/dnc/lists/${id}`);
});

async function market(sellerCampaign: Record<string, unknown> = {}) {
  const v = vertical();
  const high = await createBuyer(1_000_000_000);
  await createBuyerCampaign(high, { vertical: v, states: [], bidMicros: 30_000_000 });
  const low = await createBuyer(1_000_000_000);
  await createBuyerCampaign(low, { vertical: v, states: [], bidMicros: 20_000_000 });
  const seller = await createSeller({ vertical: v, reserveMicros: 1_000_000, ...sellerCampaign });
  return { high, low, seller };
}

describe("invariant 4: suppressed numbers are never routed where suppression applies", () => {
  it("a buyer's own suppression keeps the caller from that buyer only, even under concurrent offers", async () => {
    const { high, low, seller } = await market();
    const suppressed = randomCaller();
    const added = await call("POST", "/v1/compliance/dnc", {
      key: await buyerKey(high),
      body: { numbers: [suppressed] },
    });
    expect(added.status).toBe(201);
    const results = await Promise.all(Array.from({ length: 8 }, () => offer(seller, suppressed)));
    for (const r of results) {
      expect(r.body.status).toBe("routed");
      expect(r.body.buyerId).toBe(low);
    }
    const detail = await call<{ auction: { losers: { buyerId: string; reason: string }[] } }>(
      "GET",
      `/v1/calls/${results[0]!.body.callId}`,
    );
    expect(detail.body.auction.losers).toContainEqual(
      expect.objectContaining({ buyerId: high, reason: "buyer_suppressed" }),
    );
    // Another caller still reaches the higher bidder; a buyer may not write another buyer's list.
    expect((await offer(seller, randomCaller())).body.buyerId).toBe(high);
    const foreign = await call("POST", "/v1/compliance/dnc", {
      key: await buyerKey(low),
      body: { numbers: [suppressed], scope: high },
    });
    expect(foreign.status).toBe(403);
  });

  it("an exchange-wide entry rejects the call for everyone, with the call on record", async () => {
    const { seller } = await market();
    const number = randomCaller();
    expect(
      (await call("POST", "/v1/compliance/dnc", { body: { numbers: [number], scope: "exchange" } })).status,
    ).toBe(201);
    const r = await offer(seller, number);
    expect(r.body).toMatchObject({ status: "rejected", reason: { code: "dnc_suppressed" } });
    const stored = await call<{ status: string }>("GET", `/v1/calls/${r.body.callId}`);
    expect(stored.body.status).toBe("rejected");
    await call("POST", "/v1/compliance/dnc", {
      body: { numbers: [number], scope: "exchange", action: "remove" },
    });
    expect((await offer(seller, number)).body.status).toBe("routed");
  });

  it("imports a 100,000-number DNC file through the streaming route and suppresses its numbers", async () => {
    const { seller } = await market();
    const listed = randomCaller("786");
    const lines: string[] = ["phone_number"];
    for (let i = 0; i < 100_000; i++) lines.push(String(2_022_000_000 + i)); // 202-200-0000 onwards
    lines.push(listed.slice(2));
    const listId = `e2e-${uniq().slice(0, 8)}`;
    lists.push(listId);
    const res = await fetch(
      `${process.env.DCE_API_URL ?? "http://127.0.0.1:8080"}/v1/compliance/dnc/imports?listId=${listId}&source=state&state=FL&publishedAt=${new Date().toISOString().slice(0, 10)}`,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${(await import("./stack.ts")).adminKey()}`,
          "content-type": "text/plain",
        },
        body: lines.join("\n"),
      },
    );
    const result = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(201);
    expect(result).toMatchObject({ listId, lines: 100_002, invalid: 1 });
    expect(result.imported).toBeGreaterThanOrEqual(99_000);
    expect(result.warning).toBeUndefined();
    console.log(`DNC import of 100k numbers over HTTP: ${result.numbersPerSec} numbers/s`);
    expect((await offer(seller, listed)).body).toMatchObject({
      status: "rejected",
      reason: { code: "dnc_suppressed" },
    });
    expect((await call("DELETE", `/v1/compliance/dnc/lists/${listId}`)).status).toBe(204);
    expect((await offer(seller, listed)).body.status).toBe("routed");
  });
});

describe("consent, calling hours and the fraud screen", () => {
  it("requires a consent certificate for this caller, unexpired", async () => {
    const { seller } = await market({ requireConsent: true });
    const number = randomCaller();
    expect((await offer(seller, number)).body.reason?.code).toBe("consent_missing");
    const now = Date.now();
    const cert = (id: string, expiresAt: number) =>
      call("POST", "/v1/compliance/consents", {
        key: seller.key,
        body: {
          certificateId: id,
          callerNumber: number,
          obtainedAt: new Date(now - 3_600_000).toISOString(),
          expiresAt: new Date(expiresAt).toISOString(),
        },
      });
    const expired = `cert-${uniq()}`;
    const valid = `cert-${uniq()}`;
    expect((await cert(expired, now - 1_000)).status).toBe(201);
    expect((await cert(valid, now + 3 * 86_400_000)).status).toBe(201);
    expect((await offer(seller, number, { consentCertificate: expired })).body.reason?.code).toBe(
      "consent_expired",
    );
    expect((await offer(seller, randomCaller(), { consentCertificate: valid })).body.reason?.code).toBe(
      "consent_missing",
    );
    expect((await offer(seller, number, { consentCertificate: valid })).body.status).toBe("routed");
  });

  it("applies calling hours to outbound traffic at the called party's local time, never to inbound", async () => {
    const { seller } = await market({ trafficType: "outbound" });
    const inbound = await market();
    // NANP zones span UTC-11 to UTC+10: most of the day at least one is closed and one is open.
    const codes = ["684", "808", "907", "213", "303", "312", "212", "787", "709", "671"];
    const now = Date.now();
    const verdict = (npa: string) => callingHoursVerdict(calledParty({ areaCode: npa }), now).ok;
    const closed = codes.find((npa) => !verdict(npa));
    const open = codes.find((npa) => verdict(npa));
    if (closed) {
      const shut = await offer(seller, randomCaller(closed), { callerState: undefined });
      expect(shut.body.reason?.code).toBe("outside_calling_hours");
      expect(
        (await offer(inbound.seller, randomCaller(closed), { callerState: undefined })).body.status,
      ).toBe("routed");
    }
    if (open)
      expect((await offer(seller, randomCaller(open), { callerState: undefined })).body.status).toBe(
        "routed",
      );
    expect(closed ?? open).toBeDefined();
    expect((await offer(inbound.seller, randomCaller(closed), { callerState: undefined })).body.status).toBe(
      "routed",
    );
  });

  it("caps Florida outbound calls at 3 per 24 h on one subject", async ({ skip }) => {
    // Outside Florida's calling hours every outbound offer is refused earlier: skipped, not passed.
    if (!callingHoursVerdict(calledParty({ areaCode: "305", state: "FL" }), Date.now()).ok) skip();
    const { seller } = await market({ trafficType: "callback" });
    const number = randomCaller("305");
    const r: Decision[] = [];
    for (let i = 0; i < 4; i++) r.push((await offer(seller, number)).body);
    expect(r.slice(0, 3).map((d) => d.status)).toEqual(["routed", "routed", "routed"]);
    expect(r[3]!.reason?.code).toBe("calling_frequency_limit");
  });

  it("rejects blocked, mismatched, low-attestation and high-velocity callers and records the decisions", async () => {
    const { seller } = await market({ minAttestation: "B", velocity: { per15m: 2 } });
    const blocked = randomCaller();
    await call("POST", "/v1/compliance/blocklist", { body: { numbers: [blocked] } });
    const b = await offer(seller, blocked, { attestation: "A" });
    expect(b.body.reason?.code).toBe("caller_blocked");
    const number = randomCaller();
    expect((await offer(seller, number, { attestation: "C" })).body.reason?.code).toBe("attestation_too_low");
    expect(
      (await offer(seller, number, { attestation: "A", pingCallerNumber: randomCaller() })).body.reason?.code,
    ).toBe("caller_mismatch");
    const fast = randomCaller();
    const v: Decision[] = [];
    for (let i = 0; i < 3; i++)
      v.push((await offer(seller, fast, { attestation: "A", pingCallerNumber: fast })).body);
    expect(v.map((d) => d.status)).toEqual(["routed", "routed", "rejected"]);
    expect(v[2]!.reason?.code).toBe("velocity_exceeded");
    const decisions = await eventually(async () => {
      const r = await call<{ items: { code: string; kind: string }[] }>(
        "GET",
        `/v1/fraud/decisions?callId=${v[2]!.callId}`,
      );
      return r.body.items.length > 0 ? r.body.items : undefined;
    });
    expect(decisions).toEqual([expect.objectContaining({ code: "velocity_exceeded", kind: "reject" })]);
    const own = await call<{ items: { callId: string }[] }>("GET", "/v1/fraud/decisions", {
      key: seller.key,
    });
    expect(own.body.items.map((d) => d.callId)).toContain(b.body.callId);
  });
});

describe("the 3-per-24 h limit under concurrency", () => {
  it("lets exactly the limit through when offers for one caller race, and counts a retried call once", async () => {
    const redis = new Redis("redis://127.0.0.1:6380");
    try {
      const key = `dce:test:freq:${uniq()}`;
      const now = Date.now();
      const taken = await Promise.all(
        Array.from({ length: 12 }, (_, i) => takeFrequencySlot(redis, key, `call_${i}`, now + i, 3)),
      );
      expect(taken.filter(Boolean)).toHaveLength(3);
      const first = taken.indexOf(true);
      expect(await takeFrequencySlot(redis, key, `call_${first}`, now + 50, 3)).toBe(true);
      expect(await takeFrequencySlot(redis, key, "call_late", now + 60, 3)).toBe(false);
      // A day later the window has room again.
      expect(await takeFrequencySlot(redis, key, "call_tomorrow", now + 86_400_001 + 20, 3)).toBe(true);
    } finally {
      redis.disconnect();
    }
  });
});
