// Money is integer micro-units of USD (1 USD = 1,000,000). These helpers keep it integral.
export type Micros = number;

export const MICROS_PER_USD = 1_000_000;
export const ONE_CENT: Micros = 10_000;

export function isMicros(value: unknown): value is Micros {
  return typeof value === "number" && Number.isSafeInteger(value);
}

export function assertMicros(value: unknown, name = "amount"): Micros {
  if (!isMicros(value))
    throw new RangeError(`${name} must be a safe integer of micro-units, got ${String(value)}`);
  return value;
}

/** Share of an amount given in basis points (1/100 of a percent), rounded down to a whole micro-unit. */
export function shareOf(amount: Micros, basisPoints: number): Micros {
  assertMicros(amount);
  if (!Number.isInteger(basisPoints) || basisPoints < 0 || basisPoints > 10_000) {
    throw new RangeError(`basisPoints must be an integer in 0..10000, got ${basisPoints}`);
  }
  // BigInt keeps the product exact even for amounts near the safe-integer limit.
  return Number((BigInt(amount) * BigInt(basisPoints)) / 10_000n);
}

export function formatUsd(amount: Micros): string {
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(amount);
  const whole = Math.floor(abs / MICROS_PER_USD);
  const frac = String(abs % MICROS_PER_USD).padStart(6, "0");
  return `${sign}$${whole}.${frac}`;
}
