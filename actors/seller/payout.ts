// What a seller earns for a billed call: the base payout (fixed, or a share of the price), replaced by
// the highest duration tier the call reached or, for a converted call, by the per-conversion amount;
// then capped per call and never above what the buyer was charged (the exchange's margin is what
// remains, so it is never negative); the daily cap is booked by the SellerActor (`bookDaily`). Pure.
import { periodKeys } from "../buyer/schedule.ts";
import { type Micros, shareOf } from "../kernel/money.ts";
import type { BookPayoutCommand, Payout, SellerState } from "./seller-api.ts";

/** What is known of the billed call when its payout is decided. */
export interface PaidCall {
  durationSec?: number;
  /** The call was billed on a conversion postback (a conversion-billed buyer). */
  converted?: boolean;
}

/** The seller's payout for a billable call charged `priceMicros` (before the daily cap). */
export function payoutFor(payout: Payout, priceMicros: Micros, call: PaidCall = {}): Micros {
  const amount = ruleAmount(payout, priceMicros, call);
  const perCall = payout.caps?.perCallMicros ?? Number.MAX_SAFE_INTEGER;
  // The exchange never pays out more than the call was charged (no call at a loss).
  return Math.max(0, Math.min(amount, perCall, priceMicros));
}

function ruleAmount(payout: Payout, priceMicros: Micros, call: PaidCall): Micros {
  if (call.converted && payout.perConversionMicros !== undefined) return payout.perConversionMicros;
  const tier = reachedTier(payout, call.durationSec);
  if (tier !== undefined) return tier;
  if (payout.type === "fixed") return payout.amountMicros;
  return shareOf(priceMicros, basisPoints(payout.percent) ?? 0);
}

/** The amount of the highest tier whose minimum the call's duration reached, if any. */
function reachedTier(payout: Payout, durationSec: number | undefined): Micros | undefined {
  if (durationSec === undefined || !payout.tiers) return undefined;
  let best: { minDurationSec: number; amountMicros: Micros } | undefined;
  for (const t of payout.tiers)
    if (durationSec >= t.minDurationSec && (!best || t.minDurationSec >= best.minDurationSec)) best = t;
  return best?.amountMicros;
}

function basisPoints(percent: number): number | undefined {
  const bp = Math.round(percent * 100);
  if (!Number.isFinite(percent) || percent < 0 || percent > 100 || Math.abs(bp - percent * 100) > 1e-9) {
    return undefined;
  }
  return bp;
}

/** Cross-field problems of a payout (the API refuses them at save; each field's shape is the schema's). */
export function payoutProblems(payout: Payout): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const tiers = payout.tiers ?? [];
  tiers.forEach((t, i) => {
    const prev = tiers[i - 1];
    if (prev && t.minDurationSec <= prev.minDurationSec)
      problems.push({
        field: `payout.tiers[${i}].minDurationSec`,
        message: "tiers must be in ascending order of minDurationSec, each minimum once",
      });
  });
  const caps = payout.caps;
  if (
    caps?.perCallMicros !== undefined &&
    caps.dailyMicros !== undefined &&
    caps.perCallMicros > caps.dailyMicros
  )
    problems.push({ field: "payout.caps.perCallMicros", message: "must not exceed caps.dailyMicros" });
  return problems;
}

const RECENT_PAYOUTS = 500;

/**
 * Books `requestedMicros` against the campaign's daily payout cap (the seller's day): grants what the
 * day has left, at most the request. A call booked before replays its first grant, unchanged.
 */
export function bookDaily(
  state: SellerState,
  cmd: BookPayoutCommand,
  nowMs: number,
): { state: SellerState; grantedMicros: Micros } {
  const prior = state.recentPayouts?.[cmd.callId];
  if (prior !== undefined) return { state, grantedMicros: prior };
  const daily = state.campaigns[cmd.campaignId]?.payout.caps?.dailyMicros;
  const key = periodKeys(state.timezone, nowMs).day;
  const counters = state.counters[cmd.campaignId];
  const booked = counters?.payoutDay?.key === key ? counters.payoutDay.micros : 0;
  const left = daily === undefined ? cmd.requestedMicros : Math.max(0, daily - booked);
  const granted = Math.max(0, Math.min(cmd.requestedMicros, left));
  const recent = Object.entries(state.recentPayouts ?? {});
  const kept = recent.length >= RECENT_PAYOUTS ? recent.slice(recent.length - RECENT_PAYOUTS + 1) : recent;
  const base = counters ?? { hour: { key: "", calls: 0 }, day: { key: "", calls: 0 } };
  return {
    grantedMicros: granted,
    state: {
      ...state,
      counters: {
        ...state.counters,
        [cmd.campaignId]: { ...base, payoutDay: { key, micros: booked + granted } },
      },
      recentPayouts: { ...Object.fromEntries(kept), [cmd.callId]: granted },
    },
  };
}
