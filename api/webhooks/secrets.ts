// Endpoint signing secrets: generated here, shown to the partner once (on create and rotate), and kept
// encrypted at rest under a key derived from the exchange's PII key.
import { hkdfSync, randomBytes } from "node:crypto";
import { open, seal } from "../../actors/runtime/pii.ts";

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

const keys = new WeakMap<Buffer, Buffer>();
function secretsKey(piiKey: Buffer): Buffer {
  let key = keys.get(piiKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", piiKey, Buffer.alloc(0), "dce webhook secrets v1", 32));
    keys.set(piiKey, key);
  }
  return key;
}

export const sealSecret = (piiKey: Buffer, secret: string) =>
  seal(secretsKey(piiKey), Buffer.from(secret, "utf8"));
export const openSecret = (piiKey: Buffer, sealed: string) =>
  open(secretsKey(piiKey), sealed).toString("utf8");
