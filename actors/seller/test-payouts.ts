// Test data for the property tests that bill calls: a seller's fixed payout with duration tiers, a
// per-conversion amount and a per-call cap, each sometimes absent, up to past the call's price.
import fc from "fast-check";
import type { Payout } from "./seller-api.ts";

export const fixedPayouts: fc.Arbitrary<Payout> = fc.record({
  type: fc.constant("fixed" as const),
  amountMicros: fc.integer({ min: 0, max: 60_000_000 }),
  tiers: fc.constant([
    { minDurationSec: 60, amountMicros: 10_000_000 },
    { minDurationSec: 120, amountMicros: 45_000_000 },
  ]),
  perConversionMicros: fc.option(fc.integer({ min: 0, max: 60_000_000 }), { nil: undefined }),
  caps: fc.record({ perCallMicros: fc.option(fc.integer({ min: 0, max: 60_000_000 }), { nil: undefined }) }),
}) as fc.Arbitrary<Payout>;
