// A call awaiting its conversion: its hold ends when the window closes (the sweeper's visit), its live
// record never expires before, and the window's close leaves it unbilled.
import { describe, expect, it } from "vitest";
import type { CallState } from "./call-api.ts";
import { newConversionKey, notConverted } from "./conversion.ts";
import { holdEnd } from "./holds.ts";
import { callExpiresAt } from "./retention.ts";
import { testCall } from "./test-call.ts";

const awaiting = (over: Partial<CallState> = {}) =>
  testCall("completed", {
    decision: { callId: "call_1", status: "routed", buyerId: "byr_1" },
    timeline: { offeredAt: "2026-11-28T19:30:00.000Z", endedAt: "2026-11-28T19:35:00.000Z" },
    conversion: { status: "awaiting", windowEndsAtMs: 5_000 },
    ...over,
  });

describe("a call awaiting its conversion", () => {
  it("holds its buyer until the window closes, then nothing", () => {
    expect(holdEnd(awaiting())).toEqual({ atMs: 5_000, reason: "conversion_window_closed" });
    expect(holdEnd(notConverted(awaiting()))).toBeUndefined();
    const settling = awaiting({ settling: { cmd: { eventId: "conversion", type: "completed" }, atMs: 1 } });
    expect(holdEnd(settling)).toBeUndefined();
  });

  it("keeps its live record while it waits; once closed, the retention runs from its end", () => {
    expect(callExpiresAt(awaiting(), 1_000, 0)).toBeNull();
    expect(callExpiresAt(notConverted(awaiting()), 1_000, 0)).toBe(
      Date.parse("2026-11-28T19:35:00.000Z") + 1_000,
    );
  });

  it("closes unbilled", () => {
    expect(notConverted(awaiting()).billing).toMatchObject({
      billable: false,
      chargedMicros: 0,
      payoutMicros: 0,
    });
    expect(notConverted(awaiting()).conversion?.status).toBe("not_converted");
  });

  it("draws unguessable keys", () => {
    const keys = new Set(Array.from({ length: 1000 }, newConversionKey));
    expect(keys.size).toBe(1000);
    for (const k of keys) expect(k).toMatch(/^cvk_[A-Za-z0-9_-]{22}$/);
  });
});
