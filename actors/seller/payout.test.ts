// Payout rules beyond the fixtures: the cross-field problems refused at save, and the daily payout cap
// booked per seller campaign and day (replayed per call).
import { describe, expect, it } from "vitest";
import { fixedCtx } from "../kernel/ctx.ts";
import { bookDaily, payoutProblems } from "./payout.ts";
import { newSellerState, upsertCampaign } from "./rules.ts";
import type { Payout, SellerCampaign, SellerState } from "./seller-api.ts";

const T0 = Date.parse("2026-11-28T19:30:00Z");

function seller(payout: Payout): SellerState {
  const ctx = fixedCtx(T0);
  const s = newSellerState({ sellerId: "sel_1", name: "s", timezone: "UTC" }, ctx);
  const c = { id: "scp_1", payout, caps: {} } as unknown as SellerCampaign;
  return upsertCampaign(s, c, ctx);
}

describe("payoutProblems", () => {
  it("tiers ascend, each minimum once; the per-call cap within the daily", () => {
    const payout: Payout = {
      type: "fixed",
      amountMicros: 1,
      tiers: [
        { minDurationSec: 60, amountMicros: 5 },
        { minDurationSec: 60, amountMicros: 6 },
        { minDurationSec: 30, amountMicros: 7 },
      ],
      caps: { perCallMicros: 10, dailyMicros: 5 },
    };
    expect(payoutProblems(payout).map((p) => p.field)).toEqual([
      "payout.tiers[1].minDurationSec",
      "payout.tiers[2].minDurationSec",
      "payout.caps.perCallMicros",
    ]);
    expect(
      payoutProblems({ type: "share", percent: 50, tiers: [{ minDurationSec: 0, amountMicros: 1 }] }),
    ).toEqual([]);
  });
});

describe("bookDaily", () => {
  it("grants what the day has left, replays a call's grant, and starts afresh the next day", () => {
    let s = seller({ type: "fixed", amountMicros: 4, caps: { dailyMicros: 10 } });
    const grants: number[] = [];
    for (const callId of ["a", "b", "c", "d"]) {
      const r = bookDaily(s, { callId, campaignId: "scp_1", requestedMicros: 4 }, T0);
      s = r.state;
      grants.push(r.grantedMicros);
    }
    expect(grants).toEqual([4, 4, 2, 0]);
    const replay = bookDaily(s, { callId: "c", campaignId: "scp_1", requestedMicros: 4 }, T0);
    expect(replay).toEqual({ state: s, grantedMicros: 2 });
    const tomorrow = bookDaily(s, { callId: "e", campaignId: "scp_1", requestedMicros: 4 }, T0 + 86_400_000);
    expect(tomorrow.grantedMicros).toBe(4);
  });
});
