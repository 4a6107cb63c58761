// Runs the hold-end cases (fixtures/holds): when a call still holding its buyer is ended, why, and
// what it looks like after. Fixture shapes are declared here, not borrowed from production types.
import { describe, expect, it } from "vitest";
import { loadFixtures } from "../kernel/fixture-files.ts";
import type { CallState, CallStatus } from "./call-api.ts";
import { dueHoldEnd, expiredCall, holdEnd, reservationTtlMs } from "./holds.ts";
import { testCall } from "./test-call.ts";

interface Fixture {
  description: string;
  given: {
    status: string;
    buyerId?: string;
    routedAtMs?: number;
    routingExpiresAtMs: number;
    routingTtlSec: number;
    maxCallDurationSec?: number;
    settling?: boolean;
    /** The call came through a carrier. */
    carrier?: boolean;
  };
  when: { nowMs: number };
  then: Record<string, unknown>;
}

function toState(g: Fixture["given"]): CallState {
  return testCall(g.status as CallStatus, {
    decision: { callId: "call_1", status: "routed", ...(g.buyerId ? { buyerId: g.buyerId } : {}) },
    routing: {
      bidId: "bid_1",
      buyerId: g.buyerId ?? "",
      buyerCampaignId: "cmp_1",
      priceMicros: 20_000_000,
      destination: { number: "+13055550100" },
      minDurationSec: 60,
      expiresAtMs: g.routingExpiresAtMs,
    },
    reroute: { max: 0, belowSec: 0, routingTtlSec: g.routingTtlSec },
    ...(g.routedAtMs !== undefined ? { routedAtMs: g.routedAtMs } : {}),
    ...(g.maxCallDurationSec !== undefined ? { maxCallDurationSec: g.maxCallDurationSec } : {}),
    ...(g.carrier ? { channel: { provider: "twilio" as const, carrierCallSid: "CA1" } } : {}),
    ...(g.settling
      ? { settling: { cmd: { eventId: "e", type: "completed", durationSec: 90 }, atMs: 0 } }
      : {}),
  });
}

function run(f: Fixture): Record<string, unknown> {
  const state = toState(f.given);
  const end = holdEnd(state) ?? null;
  const due = dueHoldEnd(state, f.when.nowMs);
  if (!due) return { end, due: false };
  const after = expiredCall(state, due, f.when.nowMs);
  return {
    end,
    due: true,
    ended: {
      status: after.status,
      endReason: after.endReason,
      billable: after.billing?.billable ?? null,
      chargedMicros: after.billing?.chargedMicros ?? null,
    },
  };
}

const cases = loadFixtures<Fixture>(new URL("./fixtures/holds", import.meta.url));

describe("holds that end", () => {
  it.each(cases)("%s", (_name, f) => {
    expect(Object.keys(f).sort()).toEqual(["description", "given", "then", "when"]);
    expect(run(f)).toEqual(f.then);
  });

  it("keeps the buyer's own backstop past the call's deadline, whichever of routing or maximum is longer", () => {
    // The buyer sweeps a reservation itself only after the call's sweeper had its chance (+10 min).
    expect(reservationTtlMs(60, 30)).toBe((60 + 600) * 1000);
    expect(reservationTtlMs(60, 3_600)).toBe((3_600 + 600) * 1000);
    expect(reservationTtlMs(60, undefined)).toBe((15_000 + 600) * 1000);
  });
});
