import { describe, expect, it } from "vitest";
import { postCallFlags } from "./post-call.ts";

describe("post-call fraud flags", () => {
  const base = { sellerNearThreshold24h: 0, callerShortCalls24h: 0 };
  it("flags a duration just above the billing minimum", () => {
    expect(postCallFlags({ ...base, durationSec: 92, minDurationSec: 90 }).map((f) => f.code)).toEqual([
      "duration_near_threshold",
    ]);
    expect(postCallFlags({ ...base, durationSec: 96, minDurationSec: 90 })).toEqual([]);
    expect(postCallFlags({ ...base, durationSec: 89, minDurationSec: 90 })).toEqual([]);
  });

  it("flags bunching when the seller already had two such calls in 24 h", () => {
    const flags = postCallFlags({ ...base, sellerNearThreshold24h: 2, durationSec: 90, minDurationSec: 90 });
    expect(flags.map((f) => f.code)).toEqual(["duration_near_threshold", "threshold_bunching"]);
  });

  it("flags the third short call from one caller in 24 h", () => {
    expect(postCallFlags({ ...base, callerShortCalls24h: 1, durationSec: 3 })).toEqual([]);
    expect(postCallFlags({ ...base, callerShortCalls24h: 2, durationSec: 3 }).map((f) => f.code)).toEqual([
      "repeated_short_calls",
    ]);
  });
});
