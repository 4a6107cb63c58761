// Carrier request signatures, checked before anything else: Twilio's HMAC-SHA1 over the public URL and
// the sorted form parameters, and Telnyx's Ed25519 over `timestamp|rawBody` within a replay window.
import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from "node:crypto";

export const TELNYX_REPLAY_WINDOW_SEC = 300;

/** Twilio's string to sign: the full URL, then every form key (sorted) followed by its value. */
export function twilioPayload(url: string, params: Record<string, string>): string {
  const keys = Object.keys(params).sort();
  return url + keys.map((k) => k + params[k]).join("");
}

/** base64(HMAC-SHA1(authToken, url + sorted params)): the value of `X-Twilio-Signature`. */
export function twilioSignature(url: string, params: Record<string, string>, authToken: string): string {
  return createHmac("sha1", authToken).update(twilioPayload(url, params), "utf8").digest("base64");
}

/** Why a signature was refused, or null when it holds. */
export type SignatureVerdict = null | "missing" | "mismatch" | "stale" | "not_configured";

export function verifyTwilio(
  url: string,
  params: Record<string, string>,
  authToken: string,
  presented: string | undefined,
): SignatureVerdict {
  if (!authToken) return "not_configured";
  if (!presented) return "missing";
  const want = Buffer.from(twilioSignature(url, params, authToken));
  const got = Buffer.from(presented);
  return want.length === got.length && timingSafeEqual(want, got) ? null : "mismatch";
}

let parsedKey: { base64: string; key: KeyObject | undefined } | undefined;

/** The Ed25519 public key from its base64 raw 32 bytes (as Telnyx shows it), or undefined; kept parsed. */
export function telnyxPublicKey(base64: string): KeyObject | undefined {
  if (parsedKey?.base64 === base64) return parsedKey.key;
  const raw = Buffer.from(base64, "base64");
  // SPKI DER for Ed25519: a fixed 12-byte prefix, then the raw key.
  const key =
    raw.length === 32
      ? createPublicKey({
          key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw]),
          format: "der",
          type: "spki",
        })
      : undefined;
  parsedKey = { base64, key };
  return key;
}

export function verifyTelnyx(
  rawBody: string,
  timestamp: string | undefined,
  signature: string | undefined,
  publicKeyBase64: string,
  nowSec: number,
): SignatureVerdict {
  const key = publicKeyBase64 ? telnyxPublicKey(publicKeyBase64) : undefined;
  if (!key) return "not_configured";
  if (!timestamp || !signature) return "missing";
  const ts = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSec - ts) > TELNYX_REPLAY_WINDOW_SEC) return "stale";
  const sig = Buffer.from(signature, "base64");
  if (sig.length !== 64) return "mismatch";
  const ok = verify(null, Buffer.from(`${timestamp}|${rawBody}`, "utf8"), key, sig);
  return ok ? null : "mismatch";
}
