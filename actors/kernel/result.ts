// Expected refusals are values, not exceptions: every rule returns Ok or Refused with a stable code.
import type { ReasonCode } from "./reasons.ts";

export interface Ok<T> {
  ok: true;
  value: T;
}
export interface Refused {
  ok: false;
  reason: { code: ReasonCode; detail: string };
}
export type Result<T> = Ok<T> | Refused;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const refuse = (code: ReasonCode, detail: string): Refused => ({
  ok: false,
  reason: { code, detail },
});
