// Tracking-number syntax: strict E.164 on the API, the NANP numbering-plan rules of caller numbers.
import { checkNanpNumber } from "../../actors/kernel/phone.ts";

export type NumberCheck = { ok: true; number: string } | { ok: false; detail: string };

const STRICT = /^\+1[0-9]{10}$/;

/**
 * A number as a partner writes it: exactly `+1` and ten digits (no spaces or punctuation), and a
 * real NANP number (area code and exchange 2-9, no N11 area code, no fictional 555 numbers).
 */
export function checkTrackingNumber(raw: unknown): NumberCheck {
  if (typeof raw !== "string" || !STRICT.test(raw)) {
    return { ok: false, detail: "a tracking number is E.164 with no punctuation: + 1 and ten digits" };
  }
  const nanp = checkNanpNumber(raw);
  return nanp.ok ? { ok: true, number: nanp.e164 } : { ok: false, detail: nanp.detail };
}

/**
 * A dialled number as a carrier sends it (`To`): E.164, or the same with its `+` lost to form
 * decoding (a space) or dropped. Null when it is no valid NANP number.
 */
export function normaliseDialled(raw: string): string | null {
  const text = raw.trim();
  if (!/^\+?1?[0-9]{10}$/.test(text)) return null;
  const nanp = checkNanpNumber(text);
  return nanp.ok ? nanp.e164 : null;
}
