// The settlement intent: what is saved before the capture, and the events raised when it is finished,
// which must be the very events (same ids) the first attempt would have raised.
import { describe, expect, it } from "vitest";
import { createLogger } from "../platform/logger.ts";
import type { CallState } from "./call-api.ts";
import {
  CaptureRefused,
  isSettleReminder,
  SETTLE_REMINDER_DATA,
  settled,
  settledEvents,
  unlessRefused,
  withIntent,
} from "./settlement.ts";

const completed = {
  schema: 1,
  callId: "call_a",
  sellerId: "sel_a",
  sellerCampaignId: "scmp_a",
  requestHash: "rh1_x",
  status: "completed",
  caller: {},
  tags: [],
  decision: { callId: "call_a", status: "routed", buyerId: "byr_a", buyerCampaignId: "bcmp_a" },
  timeline: { offeredAt: "2026-01-01T00:00:00.000Z", endedAt: "2026-01-01T00:02:00.000Z" },
  durationSec: 95,
  billing: { billable: true, chargedMicros: 15_000_000, payoutMicros: 9_000_000, marginMicros: 6_000_000 },
  appliedEvents: { key_done: "completed" },
} satisfies CallState;
const cmd = { eventId: "key_done", type: "completed", durationSec: 95, hangupBy: "caller" } as const;
const AT = Date.parse("2026-01-01T00:02:00.000Z");

describe("settlement intent", () => {
  it("is saved beside the completed call and dropped once settled, nothing else changed", () => {
    const pending = withIntent(completed, cmd, AT);
    expect(pending.settling).toEqual({ cmd, atMs: AT });
    expect(settled(pending)).toEqual(completed);
  });

  it("raises call.completed and call.billable under the first attempt's ids and instant", () => {
    const events = settledEvents(completed, { cmd, atMs: AT });
    expect(events.map((e) => [e.id, e.occurredAt])).toEqual([
      ["evt_call_a_call.completed_key_done", "2026-01-01T00:02:00.000Z"],
      ["evt_call_a_call.billable_key_done", "2026-01-01T00:02:00.000Z"],
    ]);
    expect(events[0]!.data).toEqual({ durationSec: 95, reason: null, hangupBy: "caller" });
    expect(events[1]!.data).toMatchObject({
      callId: "call_a",
      buyerId: "byr_a",
      sellerId: "sel_a",
      chargedMicros: 15_000_000,
      payoutMicros: 9_000_000,
      marginMicros: 6_000_000,
    });
  });

  it("tells its reminder from the routing-expiry reminder", () => {
    expect(isSettleReminder(SETTLE_REMINDER_DATA)).toBe(true);
    expect(isSettleReminder(undefined)).toBe(false);
    expect(isSettleReminder({ kind: "routing-expiry" })).toBe(false);
  });

  it("stops its reminder on a refused capture, and rethrows a failure to reach the buyer", () => {
    const settle = unlessRefused("call_a", createLogger("test", "silent"));
    expect(settle(new CaptureRefused("capture of call_a refused: call_unknown"))).toBeUndefined();
    expect(() => settle(new Error("POST actor failed: 500"))).toThrow("POST actor failed: 500");
  });
});
