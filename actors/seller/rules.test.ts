// Seller admission and its undo: a capped campaign's slot is counted once per call, and given back
// only for a call the seller admitted, within the period it was counted in.
import { describe, expect, it } from "vitest";
import type { Ctx } from "../kernel/ctx.ts";
import { admit, newSellerState, releaseAdmit, upsertCampaign } from "./rules.ts";
import type { SellerCampaign, SellerState } from "./seller-api.ts";

const at = (iso: string): Ctx => ({ now: () => Date.parse(iso) }) as Ctx;
const T0 = at("2026-12-01T10:15:00Z");

function seller(caps: SellerCampaign["caps"]): SellerState {
  const s = newSellerState({ sellerId: "sel_1", name: "s", timezone: "UTC" }, T0);
  const campaign = {
    id: "scmp_1",
    sellerId: "sel_1",
    name: "c",
    status: "active",
    vertical: "insurance",
    reserveMicros: 0,
    auction: "first",
    payout: { type: "share", percent: 50 },
    maxAuctionMs: 500,
    routingTtlSec: 60,
    reroute: { max: 0, belowSec: 0 },
    allowAnonymous: false,
    exposeCallerId: false,
    caps,
  } as unknown as SellerCampaign;
  return upsertCampaign(s, campaign, T0);
}

function admitted(state: SellerState, callId: string, ctx = T0): SellerState {
  const r = admit(state, { callId, campaignId: "scmp_1" }, ctx);
  if (!r.ok) throw new Error(r.reason.code);
  return r.value.state;
}

describe("releaseAdmit", () => {
  it("gives the slot back, so the next call is admitted under a full cap", () => {
    const full = admitted(admitted(seller({ hourly: 2 }), "call_a"), "call_b");
    expect(admit(full, { callId: "call_c", campaignId: "scmp_1" }, T0)).toMatchObject({
      ok: false,
      reason: { code: "seller_cap_reached" },
    });
    const back = releaseAdmit(full, { callId: "call_b", campaignId: "scmp_1" }, T0);
    expect(back.released).toBe(true);
    expect(back.state.counters.scmp_1).toMatchObject({ hour: { calls: 1 }, day: { calls: 1 } });
    expect(back.state.recentAdmits.call_b).toBeUndefined();
    expect(admit(back.state, { callId: "call_c", campaignId: "scmp_1" }, T0).ok).toBe(true);
  });

  it("gives back nothing for a call it never admitted, or twice for one call", () => {
    const one = admitted(seller({ daily: 5 }), "call_a");
    expect(releaseAdmit(one, { callId: "call_x", campaignId: "scmp_1" }, T0)).toEqual({
      state: one,
      released: false,
    });
    const once = releaseAdmit(one, { callId: "call_a", campaignId: "scmp_1" }, T0).state;
    expect(releaseAdmit(once, { callId: "call_a", campaignId: "scmp_1" }, T0).released).toBe(false);
    expect(once.counters.scmp_1?.day.calls).toBe(0);
  });

  it("leaves an hour gone by as it was counted, and still gives back the day's slot", () => {
    const one = admitted(seller({ hourly: 5, daily: 5 }), "call_a");
    const later = at("2026-12-01T11:05:00Z");
    const back = releaseAdmit(one, { callId: "call_a", campaignId: "scmp_1" }, later).state;
    expect(back.counters.scmp_1).toMatchObject({
      hour: { key: "2026-12-01T10", calls: 1 },
      day: { key: "2026-12-01", calls: 0 },
    });
  });
});
