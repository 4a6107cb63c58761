// Runs the seller payout's JSON acceptance cases (fixtures/payout): what a seller is paid for a call
// cleared at a price under fixed and percent-of-revenue terms, rounded down to the micro-unit, with
// its rules (duration tiers, a per-conversion amount, per-call caps), and the settlement the call makes
// of it (payoutFor, then billingFor, as the CallActor settles).
// Fixture shapes are declared here on purpose, not borrowed from production types.
import { describe, expect, it } from "vitest";
import { billingFor } from "../call/rules.ts";
import { loadFixtures } from "../kernel/fixture-files.ts";
import { payoutFor } from "./rules.ts";

type Rules = {
  tiers?: { minDurationSec: number; amountMicros: number }[];
  perConversionMicros?: number;
  caps?: { perCallMicros?: number; dailyMicros?: number };
};

interface Fixture {
  description: string;
  given: { payout: ({ type: "fixed"; amountMicros: number } | { type: "share"; percent: number }) & Rules };
  when:
    | { kind: "payout"; priceMicros: number; durationSec?: number; converted?: boolean }
    | { kind: "settle"; priceMicros: number; durationSec: number; minDurationSec: number };
  then: Record<string, unknown>;
}

function run(f: Fixture): Record<string, unknown> {
  const call =
    f.when.kind === "payout"
      ? { durationSec: f.when.durationSec, converted: f.when.converted }
      : { durationSec: f.when.durationSec };
  const payoutMicros = payoutFor(f.given.payout, f.when.priceMicros, call);
  if (f.when.kind === "payout") return { payoutMicros };
  const { durationSec, minDurationSec, priceMicros } = f.when;
  return { ...billingFor(durationSec, minDurationSec, priceMicros, payoutMicros) };
}

const cases = loadFixtures<Fixture>(new URL("./fixtures/payout", import.meta.url));

describe("seller payout fixtures", () => {
  it("has fixed and share cases, each with a description, given, when and then", () => {
    const types = new Set(cases.map(([, f]) => f.given.payout.type));
    expect([...types].sort()).toEqual(["fixed", "share"]);
    for (const [name, f] of cases)
      expect(Object.keys(f).sort(), name).toEqual(["description", "given", "then", "when"]);
  });

  it.each(cases)("%s", (_name, f) => {
    const out = run(f);
    expect(out).toEqual(f.then);
    for (const v of Object.values(out)) if (typeof v === "number") expect(Number.isSafeInteger(v)).toBe(true);
  });
});
