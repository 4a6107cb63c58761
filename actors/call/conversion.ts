// Conversion billing on the call (pure; the CallActor applies it): a conversion-billed call that
// completed and qualified waits for its buyer's postback within its window, and is billed then, once;
// the window closing with none releases the buyer's hold unbilled. The rules for a postback: its
// order of refusals is the contract (docs/api.md, "Conversions").
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Micros } from "../kernel/money.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import type { Billing, CallState } from "./call-api.ts";

/** A conversion-billed call's conversion: awaiting its postback, then converted or not. */
export interface Conversion {
  status: "awaiting" | "converted" | "not_converted";
  /** When the window closes: the call's end plus its campaign's window. */
  windowEndsAtMs: number;
  /** The accepted postback's fingerprint: the same body again replays, another is refused. */
  requestHash?: string;
  revenueMicros?: Micros;
  disposition?: string;
  convertedAtMs?: number;
}

export interface ConversionCommand {
  key: string;
  revenueMicros?: Micros;
  disposition?: string;
  /** Fingerprint of the postback's body (key, revenue, disposition). */
  requestHash: string;
}

/** A call's conversion key: 128 random bits, unguessable; kept only in the call's document. */
export const newConversionKey = () => `cvk_${randomBytes(16).toString("base64url")}`;

/** A qualified completion of a conversion-billed call: not billed yet, its window open. */
export function awaitingBilling(windowEndsAtMs: number): Billing {
  return {
    billable: false,
    chargedMicros: 0,
    payoutMicros: 0,
    marginMicros: 0,
    reason: `awaiting the buyer's conversion until ${new Date(windowEndsAtMs).toISOString()}`,
  };
}

/** The window closed with no conversion: never billed. */
export function notConverted(state: CallState): CallState {
  const c = state.conversion;
  if (!c) return state;
  return {
    ...state,
    conversion: { ...c, status: "not_converted" },
    billing: {
      billable: false,
      chargedMicros: 0,
      payoutMicros: 0,
      marginMicros: 0,
      reason: "no conversion was posted within the conversion window; never billed",
    },
  };
}

const sameKey = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Whether the postback may bill the call now (`replay`: it is the one accepted before). Refusals, in
 * order: not a conversion-billed call; the wrong key; a different postback after one was accepted; a
 * call that never completed qualified (still live, failed, short, expired); the window closed.
 */
export function conversionStep(
  state: CallState,
  cmd: ConversionCommand,
  nowMs: number,
): Result<{ replay: boolean }> {
  const key = state.routing?.conversion?.key;
  if (!key) {
    return refuse(
      "conversion_not_applicable",
      "this call's buyer campaign bills on duration: it takes no conversion postback",
    );
  }
  if (!sameKey(cmd.key, key))
    return refuse("conversion_key_invalid", "the key is not this call's conversion key");
  const c = state.conversion;
  if (c?.status === "converted") {
    if (c.requestHash === cmd.requestHash) return ok({ replay: true });
    return refuse(
      "conversion_already_recorded",
      "this call's conversion was already posted with another body; a call converts once",
    );
  }
  if (!c) {
    return refuse(
      "conversion_not_eligible",
      state.status === "completed"
        ? `the call completed without qualifying (${state.billing?.reason ?? "not billable"}): it cannot convert`
        : `a ${state.status} call cannot convert: only a completed call that connected and qualified can`,
    );
  }
  if (c.status === "not_converted" || nowMs > c.windowEndsAtMs) {
    return refuse(
      "conversion_window_closed",
      `the conversion window closed at ${new Date(c.windowEndsAtMs).toISOString()}`,
    );
  }
  return ok({ replay: false });
}

/** The call converted: billed at its price with the seller's payout; the postback's details kept. */
export function converted(
  state: CallState,
  cmd: ConversionCommand,
  payoutMicros: Micros,
  nowMs: number,
): CallState {
  const price = state.routing?.priceMicros ?? 0;
  const payout = Math.max(0, Math.min(payoutMicros, price));
  const c = state.conversion!;
  return {
    ...state,
    billing: { billable: true, chargedMicros: price, payoutMicros: payout, marginMicros: price - payout },
    conversion: {
      ...c,
      status: "converted",
      requestHash: cmd.requestHash,
      convertedAtMs: nowMs,
      ...(cmd.revenueMicros !== undefined ? { revenueMicros: cmd.revenueMicros } : {}),
      ...(cmd.disposition !== undefined ? { disposition: cmd.disposition } : {}),
    },
  };
}

/** The partner view of a call's conversion (ISO instants). */
export function conversionView(c: Conversion) {
  return {
    status: c.status,
    windowEndsAt: new Date(c.windowEndsAtMs).toISOString(),
    convertedAt: c.convertedAtMs !== undefined ? new Date(c.convertedAtMs).toISOString() : null,
    revenueMicros: c.revenueMicros ?? null,
    disposition: c.disposition ?? null,
  };
}
