// Signing carrier requests the way the carriers do, for the e2e tests and the carrier simulator.
import { createPrivateKey, sign } from "node:crypto";
import { twilioSignature } from "./signatures.ts";

/** `X-Twilio-Signature` for a form POST to `url` (the full public URL, query included). */
export function signTwilio(url: string, params: Record<string, string>, token: string): string {
  return twilioSignature(url, params, token);
}

/** `telnyx-signature-ed25519` for `rawBody` sent at `timestampSec`; the key is PKCS8 DER in base64. */
export function signTelnyx(rawBody: string, timestampSec: number, privateKey: string): string {
  const key = createPrivateKey({ key: Buffer.from(privateKey, "base64"), format: "der", type: "pkcs8" });
  return sign(null, Buffer.from(`${timestampSec}|${rawBody}`, "utf8"), key).toString("base64");
}
