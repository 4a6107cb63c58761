// Invariant 4 through the real stack: a suppressed number is never routed where suppression applies
// (exchange-wide entries, imported DNC files, a buyer's own list, also while offers race the change),
// plus consent and the fraud screen, each refusal with its stable reason code. Offers go through an
// API replica on the test clock (a fixed instant; DCE_TEST_CLOCK_AT moves it), never the wall clock;
// calling hours and the frequency limit are in compliance-clock.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import {
  buyerKey,
  clockedApi,
  type Decision,
  eventually,
  offerAt,
  TestClock,
  vertical,
} from "./compliance-helpers.ts";

const clock = new TestClock();
let api: Awaited<ReturnType<typeof clockedApi>>;
const offer = (...args: Parameters<typeof offerAt> extends [string, ...infer R] ? R : never) =>
  offerAt(api.base, ...args);
const lists: string[] = [];
beforeAll(async () => {
  api = await clockedApi(clock);
});
afterAll(async () => {
  for (const id of lists) await call("DELETE", `/v1/compliance/dnc/lists/${id}`);
  await api.stop();
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

  it("routes no offer that starts after an exchange-wide suppression is visible, while offers race it", async () => {
    const { seller } = await market();
    const number = randomCaller();
    type Sent = { startedAt: number; decision: Decision };
    const sent: Sent[] = [];
    let visibleAt = Number.POSITIVE_INFINITY;
    let firstRouted: () => void = () => {};
    const routedOnce = new Promise<void>((resolve) => {
      firstRouted = resolve;
    });
    // Four callers offer the number back to back until each has sent 3 offers after the change.
    const worker = async () => {
      let afterChange = 0;
      while (afterChange < 3) {
        const startedAt = performance.now();
        const decision = (await offer(seller, number)).body;
        sent.push({ startedAt, decision });
        if (decision.status === "routed") firstRouted();
        if (startedAt > visibleAt) afterChange++;
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await routedOnce;
    const added = await call("POST", "/v1/compliance/dnc", {
      body: { numbers: [number], scope: "exchange" },
    });
    expect(added.status).toBe(201);
    visibleAt = performance.now();
    await Promise.all(workers);
    try {
      const before = sent.filter((s) => s.startedAt < visibleAt);
      const after = sent.filter((s) => s.startedAt > visibleAt);
      const routed = before.filter((s) => s.decision.status === "routed").length;
      console.log(
        `suppression race: ${before.length} offers before the change (${routed} routed), ${after.length} after`,
      );
      expect(routed).toBeGreaterThan(0);
      expect(after).toHaveLength(12);
      for (const s of after)
        expect(s.decision).toMatchObject({ status: "rejected", reason: { code: "dnc_suppressed" } });
    } finally {
      await call("POST", "/v1/compliance/dnc", {
        body: { numbers: [number], scope: "exchange", action: "remove" },
      });
    }
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
      // Published today by the stack's API clock (the wall clock there), so the list is not stale.
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
    const now = clock.at;
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
