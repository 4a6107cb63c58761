// A call's settlement intent: written into the call's document before the buyer's capture is asked,
// so a capture whose call was never saved (a failed save, a host that died in between) is finished
// later, by the next event for the call or by the settlement reminder, exactly once.
import type { IBuyerActor } from "../buyer/buyer-api.ts";
import { type DomainEvent, domainEvent } from "../kernel/events.ts";
import { crashPoint } from "../platform/crash-points.ts";
import type { Logger } from "../platform/logger.ts";
import type { CallEventCommand, CallState } from "./call-api.ts";

/** The one-shot reminder that finishes a settlement left pending (registered before the intent). */
export const SETTLE_REMINDER = "settlement";
/** How long after the intent the reminder looks: a healthy completion has saved long before. */
export const SETTLE_AFTER_MS = 10_000;
/** The reminder's data, telling it apart from the routing-expiry reminder. */
export const SETTLE_REMINDER_DATA = { kind: SETTLE_REMINDER } as const;

export interface SettlementIntent {
  /** The `completed` event being settled, as it came (its id names every event the settlement raises). */
  cmd: CallEventCommand;
  /** When the event was applied: the events raised when finishing late carry this same instant. */
  atMs: number;
  /** The settlement bills a conversion postback (`call.converted`, not `call.completed`). */
  conversion?: true;
}

export function isSettleReminder(data: unknown): boolean {
  return (data as { kind?: unknown } | undefined)?.kind === SETTLE_REMINDER;
}

/**
 * The document saved before the capture: the call already completed with its billing, the intent
 * beside it. No event is raised for it: until the settlement is finished, nobody outside hears of it.
 */
export function withIntent(
  completed: CallState,
  cmd: CallEventCommand,
  atMs: number,
  conversion = false,
): CallState {
  return { ...completed, settling: { cmd, atMs, ...(conversion ? { conversion: true as const } : {}) } };
}

/** The cause every event of a call's conversion is named by (a call converts once). */
export const CONVERSION_CAUSE = "conversion";

/** The call's events of a finished billable completion: `call.completed`, then `call.billable`. */
export function settledEvents(state: CallState, intent: SettlementIntent): DomainEvent[] {
  const { cmd, atMs } = intent;
  const agg = { type: "call", id: state.callId } as const;
  if (intent.conversion) {
    return [
      domainEvent("call.converted", agg, CONVERSION_CAUSE, atMs, conversionData(state)),
      domainEvent("call.billable", agg, CONVERSION_CAUSE, atMs, billableData(state)),
    ];
  }
  return [
    lifecycleEvent(state.callId, "completed", cmd, atMs),
    domainEvent("call.billable", { type: "call", id: state.callId }, cmd.eventId, atMs, billableData(state)),
  ];
}

/** The event a lifecycle step raises (`call.ringing`, `call.completed`, …), named by the step's id. */
export function lifecycleEvent(
  callId: string,
  status: string,
  cmd: CallEventCommand,
  atMs: number,
): DomainEvent {
  return domainEvent(`call.${status}`, { type: "call", id: callId }, cmd.eventId, atMs, {
    durationSec: cmd.durationSec ?? null,
    reason: cmd.reason ?? null,
    hangupBy: cmd.hangupBy ?? null,
  });
}

/** The buyer refused the capture (not a transport failure): retrying the same request cannot help. */
export class CaptureRefused extends Error {}

/** Asks the buyer to capture the call's hold; a repeat replays the first charge (settlement record). */
export async function captureOrThrow(buyer: Pick<IBuyerActor, "capture">, callId: string, eventId: string) {
  const captured = await buyer.capture({ callId });
  if (!captured.ok)
    throw new CaptureRefused(`capture of ${callId} refused: ${captured.reason.code} (${eventId})`);
}

/**
 * Finishes a pending settlement: the capture again (it replays when it had happened), then the call
 * saved without its intent and with the completion's events, whose ids are the first attempt's.
 */
export async function finishSettlement(
  state: CallState,
  buyer: Pick<IBuyerActor, "capture">,
  save: (next: CallState, events: DomainEvent[]) => Promise<void>,
  logger: Logger,
): Promise<CallState> {
  const intent = state.settling;
  if (!intent) return state;
  await captureOrThrow(buyer, state.callId, intent.cmd.eventId);
  if (intent.conversion) crashPoint("call.after_conversion_capture_before_save", () => [state.callId]);
  const done = settled(state);
  await save(done, settledEvents(done, intent));
  logger.info({ callId: state.callId, eventId: intent.cmd.eventId }, "call.settlement_finished");
  return done;
}

/**
 * For the reminder: a refused capture is logged and left for the next event to meet (it answers 503
 * as before), since retrying the same request every few seconds could not change a refusal; failing
 * to reach the buyer rethrows, and the runtime retries the reminder.
 */
export function unlessRefused(callId: string, logger: Logger) {
  return (err: unknown): undefined => {
    if (!(err instanceof CaptureRefused)) throw err;
    logger.error({ err, callId }, "call.settlement_refused");
    return undefined;
  };
}

/** The document once settled: the intent gone, nothing else changed. */
export function settled(state: CallState): CallState {
  const { settling: _done, ...rest } = state;
  return rest;
}

/** `call.converted`: the postback's details (the key never: the buyer holds it already). */
export function conversionData(state: CallState) {
  const c = state.conversion;
  return {
    callId: state.callId,
    buyerId: state.decision.buyerId ?? null,
    buyerCampaignId: state.decision.buyerCampaignId ?? null,
    sellerId: state.sellerId,
    sellerCampaignId: state.sellerCampaignId,
    revenueMicros: c?.revenueMicros ?? null,
    disposition: c?.disposition ?? null,
    chargedMicros: state.billing?.chargedMicros ?? 0,
    payoutMicros: state.billing?.payoutMicros ?? 0,
  };
}

export function billableData(state: CallState) {
  return {
    callId: state.callId,
    buyerId: state.decision.buyerId ?? null,
    buyerCampaignId: state.decision.buyerCampaignId ?? null,
    sellerId: state.sellerId,
    sellerCampaignId: state.sellerCampaignId,
    durationSec: state.durationSec ?? 0,
    chargedMicros: state.billing?.chargedMicros ?? 0,
    payoutMicros: state.billing?.payoutMicros ?? 0,
    marginMicros: state.billing?.marginMicros ?? 0,
  };
}
