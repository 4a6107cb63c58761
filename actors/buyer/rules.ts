// BuyerActor's pure rules: eligibility, and the reserve → capture | release life of a call's hold.
// Every rule returns a new state and never mutates its input, so the actor can compute first and write last.
import type { Ctx } from "../kernel/ctx.ts";
import { assertMicros, type Micros } from "../kernel/money.ts";
import { ok, type Refused, type Result, refuse } from "../kernel/result.ts";
import type {
  BuyerBalance,
  BuyerCampaign,
  BuyerState,
  CallFacts,
  CaptureCommand,
  ReleaseCommand,
  Reservation,
  ReserveAccepted,
  ReserveCommand,
} from "./buyer-api.ts";
import { capRefusal, countEnded, countReserved, currentCounters } from "./caps.ts";
import { billsOnConversion, conversionWindowSec } from "./conversion.ts";
import { priceRefusal } from "./price.ts";
import { isOpen, periodKeys } from "./schedule.ts";
import { isDuplicate, targetingRefusal } from "./targeting.ts";

export { type CampaignProblem, campaignProblems } from "./campaign-problems.ts";
export { type NewBuyer, newBuyerState, patchedCampaign, upsertCampaign } from "./profile.ts";

const iso = (ms: number): string => new Date(ms).toISOString();

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

export function balanceOf(state: BuyerState): BuyerBalance {
  let reservedMicros = 0;
  for (const id in state.reservations) reservedMicros += state.reservations[id]!.priceMicros;
  const { balanceMicros, creditLimitMicros } = state;
  return {
    balanceMicros,
    creditLimitMicros,
    reservedMicros,
    availableMicros: balanceMicros + creditLimitMicros - reservedMicros,
  };
}

/** The buyer and the campaign must both be active: the first checks, before price, targeting and caps. */
function statusRefusal(state: BuyerState, campaign: BuyerCampaign): Refused | undefined {
  if (state.status !== "active") return refuse("buyer_inactive", `buyer ${state.buyerId} is ${state.status}`);
  if (campaign.status !== "active") return refuse("campaign_paused", `campaign ${campaign.id} is paused`);
  return undefined;
}

/** Whether the campaign may take this call at this price now. Checks run in the contract's order; the first failure is returned. */
export function eligibility(
  state: BuyerState,
  campaign: BuyerCampaign,
  call: CallFacts,
  priceMicros: Micros,
  lastSeenMs: number | undefined,
  nowMs: number,
): Result<true> {
  const status = statusRefusal(state, campaign);
  if (status !== undefined) return status;
  const targeting = targetingRefusal(campaign, call);
  if (targeting !== undefined) return targeting;
  if (!isOpen(campaign.schedule, nowMs))
    return refuse("closed_hours", `campaign ${campaign.id} is closed now`);
  if (isDuplicate(campaign.duplicateWindowDays, lastSeenMs, nowMs)) {
    return refuse("duplicate_caller", `caller seen within ${campaign.duplicateWindowDays} days`);
  }
  const counters = currentCounters(state.counters[campaign.id], periodKeys(state.timezone, nowMs));
  const cap = capRefusal(campaign.caps, counters, priceMicros);
  if (cap !== undefined) return cap;
  const { availableMicros } = balanceOf(state);
  if (availableMicros < priceMicros) {
    return refuse("insufficient_funds", `available ${availableMicros} < price ${priceMicros}`);
  }
  return ok(true);
}

/**
 * Documents written before the duplicate window moved to Redis still hold a `recentCallers` map. Nothing
 * reads it; the next reservation's write leaves it out, so old documents shrink back.
 */
function withoutLegacyFields(state: BuyerState): BuyerState {
  if (!("recentCallers" in state)) return state;
  const { recentCallers: _dropped, ...rest } = state as BuyerState & { recentCallers?: unknown };
  return rest;
}

/**
 * The answer to a reserve, first or replayed. A hold keeps its own destination (and minimum duration)
 * only once its campaign changed them after it was accepted; until then they are the campaign's.
 */
function accepted(r: Reservation, campaign: BuyerCampaign): ReserveAccepted {
  const { callId, campaignId, priceMicros, expiresAt } = r;
  const terms = r.destination === undefined ? campaign : r;
  return {
    callId,
    campaignId,
    priceMicros,
    expiresAt,
    destination: terms.destination ?? campaign.destination,
    minDurationSec: terms.minDurationSec ?? campaign.minDurationSec,
    ...(billsOnConversion(campaign) ? { conversionWindowSec: conversionWindowSec(campaign) } : {}),
  };
}

/**
 * Holds a live slot, a count in every cap period, the day's spend and the price against the budget.
 * Idempotent per call id. The price must be within the bid as it stands now (`priceRefusal`, checked
 * after the statuses and before targeting, caps and budget, so a changed bid is the reason reported).
 * `seen` is when this caller was last routed to the buyer (null: never), from the duplicate window
 * the actor keeps in Redis (`runtime/recent-callers.ts`), never in this document; on acceptance the
 * actor marks the new sighting there itself.
 */
export function reserve(
  state: BuyerState,
  cmd: ReserveCommand,
  ctx: Ctx,
  seen: { lastSeenMs: number | null },
): Result<{ state: BuyerState; accepted: ReserveAccepted }> {
  if (assertMicros(cmd.priceMicros, "priceMicros") < 0) throw new RangeError("priceMicros < 0");
  const held = state.reservations[cmd.callId];
  if (held !== undefined && held.campaignId !== cmd.campaignId) {
    return refuse("already_reserved", `call ${cmd.callId} is held by campaign ${held.campaignId}`);
  }
  const campaign = state.campaigns[cmd.campaignId];
  if (campaign === undefined) return refuse("campaign_unknown", `campaign ${cmd.campaignId} does not exist`);
  if (held !== undefined) return ok({ state, accepted: accepted(held, campaign) });

  const early = statusRefusal(state, campaign) ?? priceRefusal(campaign, cmd.bid, cmd.priceMicros);
  if (early !== undefined) return early;
  const nowMs = ctx.now();
  const verdict = eligibility(
    state,
    campaign,
    cmd.call,
    cmd.priceMicros,
    seen.lastSeenMs ?? undefined,
    nowMs,
  );
  if (!verdict.ok) return verdict;
  const keys = periodKeys(state.timezone, nowMs);
  // Compact: the destination and minimum duration are the campaign's, written into the hold only if
  // the campaign changes them while it is open (`upsertCampaign`), so a busy buyer's document stays small.
  const reservation: Reservation = {
    callId: cmd.callId,
    campaignId: campaign.id,
    priceMicros: cmd.priceMicros,
    reservedAt: nowMs,
    expiresAt: nowMs + cmd.ttlMs,
  };
  const next: BuyerState = {
    ...withoutLegacyFields(state),
    counters: {
      ...state.counters,
      [campaign.id]: countReserved(state.counters[campaign.id], keys, cmd.priceMicros),
    },
    reservations: { ...state.reservations, [cmd.callId]: reservation },
    updatedAt: iso(nowMs),
  };
  return ok({ state: next, accepted: accepted(reservation, campaign) });
}

/** Ends a hold: frees the slot (unless a call awaiting its conversion freed it already); an unbilled call gives back its spend; a billed one is charged its price. */
export function endReservation(
  state: BuyerState,
  r: Reservation,
  billed: boolean,
  nowMs: number,
): BuyerState {
  const counters = state.counters[r.campaignId];
  const reservedDay = periodKeys(state.timezone, r.reservedAt).day;
  return {
    ...state,
    balanceMicros: billed ? state.balanceMicros - r.priceMicros : state.balanceMicros,
    counters:
      counters === undefined
        ? state.counters
        : {
            ...state.counters,
            [r.campaignId]: countEnded(counters, reservedDay, r.priceMicros, billed, !r.awaitingConversion),
          },
    reservations: without(state.reservations, r.callId),
    updatedAt: iso(nowMs),
  };
}

/** Releases a hold without charging. Releasing an unknown call is a no-op (released: false), so retries are harmless. */
export function release(
  state: BuyerState,
  cmd: ReleaseCommand,
  ctx: Ctx,
): Result<{ state: BuyerState; callId: string; released: boolean }> {
  const held = state.reservations[cmd.callId];
  if (held === undefined) return ok({ state, callId: cmd.callId, released: false });
  return ok({ state: endReservation(state, held, false, ctx.now()), callId: cmd.callId, released: true });
}

/** Charges a billable call's price to the balance and frees its slot; its spend stays counted. */
export function capture(
  state: BuyerState,
  cmd: CaptureCommand,
  ctx: Ctx,
): Result<{ state: BuyerState; callId: string; chargedMicros: Micros }> {
  const held = state.reservations[cmd.callId];
  // A repeated capture finds no hold; the actor replays the first charge from its settlement record.
  if (held === undefined) return refuse("call_unknown", `no open reservation for call ${cmd.callId}`);
  const next = endReservation(state, held, true, ctx.now());
  return ok({ state: next, callId: cmd.callId, chargedMicros: held.priceMicros });
}

/** Releases every hold whose expiry has passed (outcome "expired"); returns the released call ids. */
export function sweepExpired(state: BuyerState, nowMs: number): { state: BuyerState; released: string[] } {
  let next = state;
  const released: string[] = [];
  for (const id in state.reservations) {
    const r = state.reservations[id]!;
    if (r.expiresAt > nowMs) continue;
    next = endReservation(next, r, false, nowMs);
    released.push(id);
  }
  return { state: next, released };
}
