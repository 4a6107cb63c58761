// The pure rule behind a buyer's repair after a Redis hard crash lost some of its writes: the ledger
// (Postgres) is the record of money, so the balance becomes the ledger's, holds on calls that are no
// longer open end (counted spent when the ledger charged them), and the events say what changed.
import type { Micros } from "../kernel/money.ts";
import type { BuyerState } from "./buyer-api.ts";
import { endReservation } from "./rules.ts";

export interface RepairCommand {
  repairId: string;
  /** The balance the repair plan saw: any other means the buyer moved since, and nothing is done. */
  expectedBalanceMicros: Micros;
  ledgerBalanceMicros: Micros;
  /** Holds to end: calls no longer open in the calls read model; `charged` when the ledger charged it. */
  endHolds: { callId: string; charged: boolean }[];
  /** Captures recorded with no charge, on calls that are not billable: void (the ledger has no charge). */
  voidCaptures: { callId: string; chargedMicros: Micros }[];
  /** Charges whose capture event was lost: the capture is announced again (the charge stands). */
  restoreCaptures: { callId: string; chargedMicros: Micros }[];
}

export interface RepairOutcome {
  applied: boolean;
  /** Why nothing was done: the balance moved since the plan read it (re-run the repair). */
  stale?: { expectedMicros: Micros; foundMicros: Micros };
  fromMicros: Micros;
  toMicros: Micros;
  endedHolds: string[];
}

export function repairBuyer(
  state: BuyerState,
  cmd: RepairCommand,
  nowMs: number,
): { state: BuyerState; outcome: RepairOutcome } {
  const fromMicros = state.balanceMicros;
  if (fromMicros !== cmd.expectedBalanceMicros) {
    const stale = { expectedMicros: cmd.expectedBalanceMicros, foundMicros: fromMicros };
    return { state, outcome: { applied: false, stale, fromMicros, toMicros: fromMicros, endedHolds: [] } };
  }
  let next = state;
  const endedHolds: string[] = [];
  for (const h of cmd.endHolds) {
    const held = next.reservations[h.callId];
    if (!held) continue;
    next = endReservation(next, held, h.charged, nowMs);
    endedHolds.push(h.callId);
  }
  next = { ...next, balanceMicros: cmd.ledgerBalanceMicros, updatedAt: new Date(nowMs).toISOString() };
  const changed =
    endedHolds.length > 0 ||
    fromMicros !== cmd.ledgerBalanceMicros ||
    cmd.voidCaptures.length > 0 ||
    cmd.restoreCaptures.length > 0;
  return {
    state: changed ? next : state,
    outcome: {
      applied: changed,
      fromMicros,
      toMicros: changed ? cmd.ledgerBalanceMicros : fromMicros,
      endedHolds,
    },
  };
}
