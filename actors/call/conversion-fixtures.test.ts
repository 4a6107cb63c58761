// Runs the conversion postback's JSON acceptance cases (fixtures/conversion): which postbacks bill a
// conversion-billed call (the buyer pays the call's price, the seller the payout its rules give,
// capped at the price), which replay, and the stable code of each refusal, in the contract's order.
// Fixture shapes are declared here on purpose, not borrowed from production types.
import { describe, expect, it } from "vitest";
import { loadFixtures } from "../kernel/fixture-files.ts";
import type { CallState, CallStatus } from "./call-api.ts";
import { type Conversion, conversionStep, converted } from "./conversion.ts";
import { testCall } from "./test-call.ts";

interface Fixture {
  description: string;
  given: {
    status: string;
    priceMicros: number;
    /** The routing's conversion key; absent: a duration-billed call. */
    key?: string;
    conversion?: { status: string; windowEndsAtMs: number; requestHash?: string };
  };
  when: { key: string; requestHash: string; atMs: number; payoutMicros: number; revenueMicros?: number };
  then: {
    refused?: string;
    replay?: boolean;
    billing?: Record<string, unknown>;
    conversion?: Record<string, unknown>;
  };
}

function toState(g: Fixture["given"]): CallState {
  const routing = {
    bidId: "bid_1",
    buyerId: "buy_1",
    buyerCampaignId: "bcp_1",
    priceMicros: g.priceMicros,
    destination: { number: "+13055550100" },
    minDurationSec: 30,
    expiresAtMs: 0,
    ...(g.key ? { conversion: { windowSec: 600, key: g.key } } : {}),
  };
  return testCall(g.status as CallStatus, {
    routing,
    ...(g.conversion ? { conversion: g.conversion as Conversion } : {}),
  });
}

function run(f: Fixture): Fixture["then"] {
  const state = toState(f.given);
  const cmd = { key: f.when.key, requestHash: f.when.requestHash, revenueMicros: f.when.revenueMicros };
  const step = conversionStep(state, cmd, f.when.atMs);
  if (!step.ok) return { refused: step.reason.code };
  if (step.value.replay) return { replay: true };
  const next = converted(state, cmd, f.when.payoutMicros, f.when.atMs);
  const { requestHash: _h, ...conversion } = next.conversion!;
  return { billing: { ...next.billing }, conversion };
}

const cases = loadFixtures<Fixture>(new URL("./fixtures/conversion", import.meta.url));

describe("conversion fixtures", () => {
  it("has accepted, replayed and refused cases", () => {
    const outcomes = new Set(
      cases.map(([, f]) => (f.then.refused ? "refused" : f.then.replay ? "replay" : "billed")),
    );
    expect([...outcomes].sort()).toEqual(["billed", "refused", "replay"]);
  });

  it.each(cases)("%s", (_name, f) => {
    expect(run(f)).toEqual(f.then);
  });
});
