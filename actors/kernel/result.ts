// Expected refusals are values, not exceptions: every rule returns Ok or Refused with a stable code.
import type { LimitHit } from "./limits.ts";
import type { ReasonCode } from "./reasons.ts";

export interface Ok<T> {
  ok: true;
  value: T;
}
export interface Refused {
  ok: false;
  /** `limit` only with `limit_exceeded`: which resource limit, and its maximum. */
  reason: { code: ReasonCode; detail: string; limit?: LimitHit };
}
export type Result<T> = Ok<T> | Refused;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const refuse = (code: ReasonCode, detail: string): Refused => ({
  ok: false,
  reason: { code, detail },
});

/** A refusal for going over a named resource limit. */
export const refuseLimit = (limit: LimitHit, detail: string): Refused => ({
  ok: false,
  reason: { code: "limit_exceeded", detail, limit },
});
