// The gates a call passed, from its decision: an offer that reached the auction passed all four; a
// refused one shows the gate that refused it (the screen stops there, so later gates were not run).
import type { ReasonCode } from "../../actors/kernel/reasons.ts";

export const GATES = ["seller", "caller", "compliance", "fraud"] as const;
export type Gate = (typeof GATES)[number];

const GATE_OF: Partial<Record<ReasonCode, Gate>> = {
  seller_unknown: "seller",
  seller_inactive: "seller",
  seller_campaign_unknown: "seller",
  seller_campaign_paused: "seller",
  seller_cap_reached: "seller",
  invalid_caller_number: "caller",
  anonymous_caller: "caller",
  dnc_suppressed: "compliance",
  outside_calling_hours: "compliance",
  calling_frequency_limit: "compliance",
  consent_missing: "compliance",
  consent_expired: "compliance",
  attestation_too_low: "fraud",
  caller_blocked: "fraud",
  velocity_exceeded: "fraud",
  caller_mismatch: "fraud",
};

export interface GateOutcome {
  gate: Gate;
  passed: boolean;
  code?: string;
}

/** Gate outcomes of a call whose decision is `status` (with the refusal's `code` when rejected). */
export function gatesOf(status: string, code?: string): GateOutcome[] {
  if (status !== "rejected") return GATES.map((gate) => ({ gate, passed: true }));
  const gate = code ? GATE_OF[code as ReasonCode] : undefined;
  return gate ? [{ gate, passed: false, code }] : [];
}
