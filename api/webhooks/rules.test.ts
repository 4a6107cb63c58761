import { describe, expect, it } from "vitest";
import { expiredCall } from "../../actors/call/holds.ts";
import { type CallSnapshot, callSnapshot } from "../../actors/call/snapshot.ts";
import { domainEvent } from "../../actors/kernel/events.ts";
import { violations } from "../views/policy.ts";
import {
  afterFailure,
  audiences,
  type BreakerPolicy,
  breakerAfter,
  type EndpointHealth,
  HEALTHY,
  nextDelayMs,
  payloadFor,
  resumed,
  signature,
  verifySignature,
  WEBHOOK_EVENT_TYPES,
} from "./rules.ts";

const snap: CallSnapshot = {
  callId: "call_1",
  revision: 4,
  status: "completed",
  sellerId: "sel_1",
  sellerCampaignId: "scp_1",
  buyerId: "byr_1",
  buyerCampaignId: "bcp_1",
  vertical: "auto",
  callerState: "FL",
  priceMicros: 40_000_000,
  billable: true,
  chargedMicros: 40_000_000,
  payoutMicros: 30_000_000,
  durationSec: 95,
  reasonCode: null,
  attempts: 1,
  offeredAt: "2026-11-28T10:00:00.000Z",
  endedAt: "2026-11-28T10:02:00.000Z",
  conversionStatus: null,
};
const callEvent = (type: string, s: Partial<CallSnapshot> = {}) =>
  domainEvent(type, { type: "call", id: "call_1" }, "e1", Date.UTC(2026, 10, 28, 10, 2), {
    callerHash: "h_secret",
    marginMicros: 10_000_000,
    snapshot: { ...snap, ...s },
  });

describe("who receives an event", () => {
  it("a routed call goes to the exchange feed, the seller and the buyer", () => {
    expect(audiences(callEvent("call.routed"))).toEqual([null, "sel_1", "byr_1"]);
  });

  it("a rejected or unbid call goes to the seller only, never to a buyer", () => {
    expect(audiences(callEvent("call.rejected", { buyerId: null }))).toEqual([null, "sel_1"]);
    expect(audiences(callEvent("call.no_bid", { buyerId: "byr_1" }))).toEqual([null, "sel_1"]);
  });

  it("a buyer's money events go to that buyer", () => {
    const e = domainEvent("buyer.deposited", { type: "buyer", id: "byr_9" }, "d1", 0, {
      depositId: "dep_1",
      amountMicros: 5,
    });
    expect(audiences(e)).toEqual([null, "byr_9"]);
    expect(payloadFor(e, "byr_9").data).toEqual({ buyerId: "byr_9", depositId: "dep_1", amountMicros: 5 });
  });

  it("internal events (reservations, auctions, campaign changes) are not webhook events", () => {
    for (const type of ["buyer.reserved", "auction.closed", "buyer.campaign_upserted", "call.offered"]) {
      expect(WEBHOOK_EVENT_TYPES).not.toContain(type);
      expect(audiences(domainEvent(type, { type: "buyer", id: "byr_1" }, "x", 0, {}))).toEqual([]);
    }
  });
});

describe("what each party sees", () => {
  const e = callEvent("call.billable");

  it("the buyer sees its price and charge, not the seller's payout or the margin", () => {
    const { data } = payloadFor(e, "byr_1");
    expect(data).toMatchObject({
      callId: "call_1",
      buyerId: "byr_1",
      priceMicros: 40_000_000,
      chargedMicros: 40_000_000,
    });
    expect(data).not.toHaveProperty("payoutMicros");
    expect(data).not.toHaveProperty("sellerId");
    expect(JSON.stringify(data)).not.toContain("10000000");
    expect(violations({ role: "buyer", accountId: "byr_1" }, data)).toEqual([]);
  });

  it("the seller sees its payout and the routed buyer and price (as in its offer answer)", () => {
    const { data } = payloadFor(e, "sel_1");
    expect(data).toMatchObject({
      sellerId: "sel_1",
      sellerCampaignId: "scp_1",
      payoutMicros: 30_000_000,
      durationSec: 95,
      buyerId: "byr_1",
      priceMicros: 40_000_000,
    });
    expect(violations({ role: "seller", accountId: "sel_1" }, data)).toEqual([]);
  });

  it("the exchange feed sees both sides; nobody receives the caller's hash", () => {
    const admin = payloadFor(e, null);
    expect(admin.data).toMatchObject({ buyerId: "byr_1", sellerId: "sel_1", payoutMicros: 30_000_000 });
    for (const who of [null, "sel_1", "byr_1"])
      expect(JSON.stringify(payloadFor(e, who))).not.toContain("h_secret");
    expect(admin).toMatchObject({ id: e.id, type: "call.billable", occurredAt: "2026-11-28T10:02:00.000Z" });
  });
});

describe("signatures", () => {
  const body = '{"id":"evt_1"}';
  const header = signature("whsec_k", body, 1_800_000_000);

  it("is t=<unix>,v1=<HMAC-SHA256 over t.body>, checkable by a receiver", () => {
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    // Known answer, computed independently: printf '1800000000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac whsec_k
    expect(header).toBe("t=1800000000,v1=3fa672577cffb1715932486292ed3f25b9ff21cf3a2a391de767e9fa48875f9e");
    expect(verifySignature("whsec_k", body, header, 1_800_000_010)).toBe(true);
  });

  it("fails for another secret, a changed body, or a stale timestamp", () => {
    expect(verifySignature("whsec_other", body, header, 1_800_000_000)).toBe(false);
    expect(verifySignature("whsec_k", '{"id":"evt_2"}', header, 1_800_000_000)).toBe(false);
    expect(verifySignature("whsec_k", body, header, 1_800_000_000 + 301)).toBe(false);
    expect(verifySignature("whsec_k", body, "t=x,v1=zz", 1_800_000_000)).toBe(false);
  });
});

describe("retry backoff", () => {
  const policy = { baseMs: 1_000, maxDelayMs: 60_000, maxAttempts: 8 };

  it("doubles per attempt, with jitter between half and all of the step", () => {
    expect([1, 2, 3, 4].map((a) => nextDelayMs(policy, a, 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4].map((a) => nextDelayMs(policy, a, 0))).toEqual([500, 1_000, 2_000, 4_000]);
  });

  it("is capped, and gives up after the last attempt", () => {
    expect(nextDelayMs(policy, 7, 1)).toBe(60_000);
    expect(nextDelayMs(policy, 8, 1)).toBeNull();
    expect(nextDelayMs({ ...policy, maxAttempts: 1 }, 1, 0.5)).toBeNull();
  });
});

describe("a hold the exchange ended", () => {
  it("call.expired at the maximum call duration reaches both parties with its reason, unbilled", () => {
    // The snapshot as the CallActor attaches it: the call's own end reason, not only the event's.
    const ended = callSnapshot(
      expiredCall(
        {
          schema: 1,
          callId: "call_1",
          sellerId: "sel_1",
          sellerCampaignId: "scp_1",
          requestHash: "rh1_x",
          status: "connected",
          caller: {},
          tags: [],
          decision: { callId: "call_1", status: "routed", buyerId: "byr_1", priceMicros: 40_000_000 },
          timeline: { offeredAt: "2026-11-28T10:00:00.000Z" },
          appliedEvents: {},
          maxCallDurationSec: 60,
        },
        { atMs: 0, reason: "max_duration_exceeded" },
        Date.UTC(2026, 10, 28, 10, 1),
      ),
    );
    expect(ended.reasonCode).toBe("max_duration_exceeded");
    const e = domainEvent("call.expired", { type: "call", id: "call_1" }, "max_duration", 0, {
      snapshot: ended,
    });
    expect(audiences(e)).toEqual([null, "sel_1", "byr_1"]);
    for (const who of ["sel_1", "byr_1"]) {
      expect(payloadFor(e, who).data).toMatchObject({
        status: "expired",
        reasonCode: "max_duration_exceeded",
        billable: false,
        chargedMicros: 0,
      });
    }
  });
});

describe("the endpoint breaker", () => {
  const MIN = 60_000;
  const policy: BreakerPolicy = {
    failures: 10,
    minFailingMs: 5 * MIN,
    probeBaseMs: MIN,
    probeMaxMs: 60 * MIN,
  };
  /** `h` after failed attempts at each of `times` (ms). */
  const fail = (h: EndpointHealth, times: number[]) =>
    times.reduce<{ health: EndpointHealth; changes: string[] }>(
      (acc, t) => {
        const r = breakerAfter(policy, acc.health, false, t);
        return { health: r.health, changes: r.change ? [...acc.changes, r.change] : acc.changes };
      },
      { health: h, changes: [] },
    );
  const every = (n: number, stepMs: number, from = 0) =>
    Array.from({ length: n }, (_, i) => from + i * stepMs);

  it("given 10 failures spanning 5 minutes, when the 10th lands, the endpoint is suspended with a first probe a minute later", () => {
    const { health, changes } = fail(HEALTHY, every(10, 40_000)); // 0 .. 6 min
    expect(changes).toEqual(["suspended"]);
    expect(health).toEqual({
      consecutiveFailures: 10,
      failingSinceMs: 0,
      suspendedAtMs: 360_000,
      failedProbes: 0,
      nextProbeAtMs: 360_000 + MIN,
    });
  });

  it("given 10 failures within a minute (a burst), the endpoint is not suspended until the run spans 5 minutes", () => {
    const burst = fail(HEALTHY, every(10, 5_000));
    expect(burst.changes).toEqual([]);
    expect(burst.health).toMatchObject({ consecutiveFailures: 10, suspendedAtMs: null });
    const later = fail(burst.health, [4 * MIN, 5 * MIN]);
    expect(later.changes).toEqual(["suspended"]);
    expect(later.health.suspendedAtMs).toBe(5 * MIN);
  });

  it("given failures spanning an hour, 9 in a row do not suspend; a success in between starts the count over", () => {
    expect(fail(HEALTHY, every(9, 10 * MIN)).changes).toEqual([]);
    const nine = fail(HEALTHY, every(9, MIN)).health;
    const ok = breakerAfter(policy, nine, true, 10 * MIN);
    expect(ok).toEqual({ health: HEALTHY, change: null });
    expect(fail(ok.health, every(9, MIN, 11 * MIN)).changes).toEqual([]);
  });

  it("given a suspended endpoint, each failed probe doubles the next probe's delay, capped at an hour", () => {
    let h = fail(HEALTHY, every(10, MIN)).health;
    const delays: number[] = [];
    let t = h.nextProbeAtMs!;
    for (let i = 0; i < 9; i++) {
      const r = breakerAfter(policy, h, false, t);
      expect(r.change).toBeNull();
      h = r.health;
      delays.push((h.nextProbeAtMs! - t) / MIN);
      t = h.nextProbeAtMs!;
    }
    expect(delays).toEqual([2, 4, 8, 16, 32, 60, 60, 60, 60]);
    expect(h.suspendedAtMs).toBe(9 * MIN); // still the time it was suspended
  });

  it("given a suspended endpoint, a delivered probe closes the breaker: recovered, healthy", () => {
    const { health } = fail(HEALTHY, every(12, MIN));
    expect(breakerAfter(policy, health, true, 20 * MIN)).toEqual({ health: HEALTHY, change: "recovered" });
  });

  it("given the breaker switched off (0 failures), nothing ever suspends", () => {
    const off = { ...policy, failures: 0 };
    const h = every(100, MIN).reduce((acc, t) => breakerAfter(off, acc, false, t).health, HEALTHY);
    expect(h).toMatchObject({ consecutiveFailures: 100, suspendedAtMs: null });
  });

  it("when a partner resumes a suspended endpoint it is probed at once and its probe delay starts over; a healthy one is unchanged", () => {
    let h = fail(HEALTHY, every(10, MIN)).health;
    h = breakerAfter(policy, h, false, h.nextProbeAtMs!).health; // one failed probe: next in 2 min
    const r = resumed(h, 12 * MIN);
    expect(r).toMatchObject({ suspendedAtMs: 9 * MIN, failedProbes: 0, nextProbeAtMs: 12 * MIN });
    expect(breakerAfter(policy, r, false, 12 * MIN).health.nextProbeAtMs).toBe(14 * MIN);
    expect(resumed(HEALTHY, 5)).toBe(HEALTHY);
  });

  it("a failed attempt of a suspended endpoint's delivery holds it, whatever attempts it has had; otherwise the retry rule applies", () => {
    const retry = { baseMs: 1_000, maxDelayMs: 60_000, maxAttempts: 3 };
    expect(afterFailure(retry, 1, false, 1)).toEqual({ kind: "retry", delayMs: 1_000 });
    expect(afterFailure(retry, 3, false, 1)).toEqual({ kind: "give_up" });
    expect(afterFailure(retry, 3, true, 1)).toEqual({ kind: "hold" });
    expect(afterFailure(retry, 1, true, 1)).toEqual({ kind: "hold" });
  });
});
