// The money side of a dispute, pure (workflow.ts applies it inside its transactions under the
// seller-money lock): which calls can be disputed at all, and what a decision refunds of what is left
// of the call's charge. The refunds themselves are api/money/refunds.ts (the proportional clawback).
import { ApiError } from "../problem.ts";

/** A call never charged, or charged zero, has nothing to refund: it cannot be disputed. */
export function mustBeCharged<C extends { micros: number }>(
  callId: string,
  charge: C | undefined,
): asserts charge is C {
  if (!charge || charge.micros === 0)
    throw new ApiError(409, "not_charged", `call ${callId} was not billed (or billed at zero)`);
}

/** Nothing left of the charge (refunded in full already): no dispute opens, no decision refunds. */
export function mustHaveLeft(callId: string, leftMicros: number): void {
  if (leftMicros <= 0)
    throw new ApiError(409, "already_refunded", `call ${callId} is refunded in full already`);
}

/**
 * What a decision refunds of the `leftMicros` still refundable: all of it (accept), the asked amount
 * (partial: its refundMicros > 0 is checked with the request, refund_required), or nothing (reject).
 */
export function decisionRefund(
  callId: string,
  input: { decision: "accept" | "partial" | "reject"; refundMicros?: number | undefined },
  leftMicros: number,
): number {
  if (input.decision === "reject") return 0;
  mustHaveLeft(callId, leftMicros);
  const amount = input.decision === "accept" ? leftMicros : input.refundMicros!;
  if (amount > leftMicros)
    throw new ApiError(
      422,
      "refund_exceeds_charge",
      `${amount} is more than the ${leftMicros} left of the charge`,
      { remainingMicros: leftMicros },
    );
  return amount;
}
