// NANP caller numbers: normalise to E.164 and check the numbering-plan rules (US/CA and the NANP).
export type PhoneCheck =
  | { ok: true; e164: string; areaCode: string }
  | { ok: false; code: "invalid_caller_number" | "anonymous_caller"; detail: string };

const ANONYMOUS = new Set(["anonymous", "restricted", "private", "unavailable", "unknown", "0000000000", ""]);

export function checkNanpNumber(raw: string | undefined | null): PhoneCheck {
  const text = (raw ?? "").trim();
  if (ANONYMOUS.has(text.toLowerCase())) {
    return { ok: false, code: "anonymous_caller", detail: "the caller number is withheld" };
  }
  if (!/^\+?[0-9 ().-]+$/.test(text)) {
    return {
      ok: false,
      code: "invalid_caller_number",
      detail: "the caller number has characters other than digits",
    };
  }
  let digits = text.replace(/[^0-9]/g, "");
  if (digits.length === 11 && digits.startsWith("1")) digits = digits.slice(1);
  if (digits.length !== 10) {
    return {
      ok: false,
      code: "invalid_caller_number",
      detail: "a NANP number has 10 digits after the country code 1",
    };
  }
  const npa = digits.slice(0, 3);
  const nxx = digits.slice(3, 6);
  if (npa[0] === "0" || npa[0] === "1" || nxx[0] === "0" || nxx[0] === "1") {
    return { ok: false, code: "invalid_caller_number", detail: "area code and exchange must start with 2-9" };
  }
  if (npa[1] === "1" && npa[2] === "1") {
    return { ok: false, code: "invalid_caller_number", detail: "N11 codes are not area codes" };
  }
  if (npa === "555" || (nxx === "555" && /^01[0-9]{2}$/.test(digits.slice(6)))) {
    return { ok: false, code: "invalid_caller_number", detail: "555 numbers are fictional" };
  }
  return { ok: true, e164: `+1${digits}`, areaCode: npa };
}
