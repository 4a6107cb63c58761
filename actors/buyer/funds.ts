// Pure rule for crediting a buyer's balance (a deposit or a refund), applied once per credit id.
import { isMicros, type Micros } from "../kernel/money.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import type { BuyerState } from "./buyer-api.ts";

export function applyDeposit(
  state: BuyerState,
  cmd: { depositId: string; amountMicros: Micros },
  nowMs: number,
): Result<{ state: BuyerState; applied: boolean }> {
  if (!isMicros(cmd.amountMicros) || cmd.amountMicros <= 0) {
    return refuse("invalid_amount", "a deposit is a positive integer of micro-units");
  }
  const prior = state.appliedDeposits?.[cmd.depositId];
  if (prior !== undefined) {
    if (prior !== cmd.amountMicros)
      return refuse("idempotency_conflict", `deposit ${cmd.depositId} had another amount`);
    return ok({ state, applied: false });
  }
  if (!Number.isSafeInteger(state.balanceMicros + cmd.amountMicros)) {
    // Beyond 2^53 micro-units a balance is no longer an exact integer: refuse rather than round money.
    return refuse("invalid_amount", "the balance would exceed the largest amount kept exactly");
  }
  return ok({
    state: {
      ...state,
      balanceMicros: state.balanceMicros + cmd.amountMicros,
      appliedDeposits: { ...state.appliedDeposits, [cmd.depositId]: cmd.amountMicros },
      updatedAt: new Date(nowMs).toISOString(),
    },
    applied: true,
  });
}
