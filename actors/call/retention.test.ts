// The expiry rule: a call's documents expire only once the call can no longer change, counted from
// when it ended; an auction's are bounded even when its call never saved.
import { describe, expect, it } from "vitest";
import type { CallState, CallStatus } from "./call-api.ts";
import { AUCTION_OPEN_CALL_MS, auctionExpiresAt, callExpiresAt } from "./retention.ts";
import { testCall } from "./test-call.ts";

const OFFERED = "2026-01-01T00:00:00.000Z";
const ENDED = "2026-01-01T00:05:00.000Z";
const HOUR = 3_600_000;
const NOW = Date.parse("2026-01-01T00:07:00.000Z");

const call = (status: CallStatus, over: Partial<CallState> = {}): CallState =>
  testCall(status, { timeline: { offeredAt: OFFERED, endedAt: ENDED }, ...over });

describe("callExpiresAt", () => {
  it.each(["routed", "ringing", "connected"] as const)("keeps a %s call (it can still change)", (s) => {
    expect(callExpiresAt(call(s), HOUR, NOW)).toBeNull();
  });

  it.each(["completed", "failed", "expired"] as const)(
    "expires a %s call the retention after it ended",
    (s) => {
      expect(callExpiresAt(call(s), HOUR, NOW)).toBe(Date.parse(ENDED) + HOUR);
    },
  );

  it.each(["rejected", "no_bid"] as const)("expires a %s offer the retention after its write", (s) => {
    // Not from offeredAt: that is the API's clock, months away in the compliance tests' replica.
    const refused = call(s, { timeline: { offeredAt: "2025-07-15T16:00:00.000Z" } });
    expect(callExpiresAt(refused, HOUR, NOW)).toBe(NOW + HOUR);
  });

  it("keeps a completed call whose settlement is pending (its capture may need finishing)", () => {
    const settling = call("completed", {
      settling: { cmd: { eventId: "e", type: "completed", durationSec: 90 }, atMs: Date.parse(ENDED) },
    });
    expect(callExpiresAt(settling, HOUR, NOW)).toBeNull();
  });

  it("gives a later write to a final call the same deadline (an erasure does not extend it)", () => {
    const erased = call("completed", { requestHash: "erased", caller: { hash: "erased" }, revision: 9 });
    expect(callExpiresAt(erased, HOUR, NOW + HOUR / 2)).toBe(callExpiresAt(call("completed"), HOUR, NOW));
  });
});

describe("auctionExpiresAt", () => {
  it("bounds an auction by a day past its close plus the retention (its call shortens it when final)", () => {
    expect(auctionExpiresAt(OFFERED, HOUR)).toBe(Date.parse(OFFERED) + AUCTION_OPEN_CALL_MS + HOUR);
  });
});
