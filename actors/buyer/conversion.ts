// Conversion billing on the buyer's side: a conversion-billed campaign's call that completed keeps its
// budget hold (price, day spend) past the call, its live slot freed, until the buyer posts the
// conversion (captured then) or the window closes (released). Pure; the BuyerActor applies it.
import type { BuyerCampaign, BuyerState } from "./buyer-api.ts";
import { countEnded } from "./caps.ts";
import { periodKeys } from "./schedule.ts";

/** The window's bounds: from 5 s (tests) to 30 days; a day when the campaign does not say. */
export const CONVERSION_WINDOW_MIN_SEC = 5;
export const CONVERSION_WINDOW_MAX_SEC = 30 * 86_400;
export const DEFAULT_CONVERSION_WINDOW_SEC = 86_400;

/** Whether a campaign bills on its conversion postback (absent `billOn`: duration, as always). */
export const billsOnConversion = (c: Pick<BuyerCampaign, "billOn">) => c.billOn === "conversion";

export const conversionWindowSec = (c: Pick<BuyerCampaign, "conversionWindowSec">) =>
  c.conversionWindowSec ?? DEFAULT_CONVERSION_WINDOW_SEC;

export interface AwaitConversionCommand {
  callId: string;
  /** When the window closes: the hold's own expiry moves past it (the buyer's backstop). */
  untilMs: number;
}

/**
 * The call's hold kept for its conversion: the live slot freed now (the call has ended), the price and
 * the day's spend still held, its expiry moved to `untilMs`. Repeating it changes nothing; a call the
 * buyer holds nothing for answers `held: false` (it cannot be billed).
 */
export function awaitConversion(
  state: BuyerState,
  cmd: AwaitConversionCommand,
  nowMs: number,
): { state: BuyerState; held: boolean } {
  const r = state.reservations[cmd.callId];
  if (!r) return { state, held: false };
  if (r.awaitingConversion) return { state, held: true };
  const counters = state.counters[r.campaignId];
  const reservedDay = periodKeys(state.timezone, r.reservedAt).day;
  return {
    held: true,
    state: {
      ...state,
      // The slot alone: countEnded as billed keeps the spend counted (the hold still holds it).
      counters:
        counters === undefined
          ? state.counters
          : { ...state.counters, [r.campaignId]: countEnded(counters, reservedDay, r.priceMicros, true) },
      reservations: {
        ...state.reservations,
        [cmd.callId]: { ...r, awaitingConversion: true, expiresAt: Math.max(r.expiresAt, cmd.untilMs) },
      },
      updatedAt: new Date(nowMs).toISOString(),
    },
  };
}
