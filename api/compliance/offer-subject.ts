// The keyed request hash of an offer (the body holds the number, so a plain SHA-256 could be reversed
// by trying every number). The call → subject row and the erasure race are the call actor's now
// (actors/compliance/offer-subject.ts).
import { createHash } from "node:crypto";
import { KEYED_REQUEST_HASH } from "../../actors/call/rules.ts";
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";
import type { PiiKeyring } from "../../actors/platform/pii-keys.ts";

/**
 * `requestHash` is HMAC-SHA256 under the PII hash key. `legacyRequestHash`, the plain SHA-256 call
 * documents held before, goes to the actor for comparison with such documents only and is not stored.
 */
export function offerRequestHashes(keys: PiiKeyring, input: unknown) {
  const body = canonicalJson(input);
  return {
    requestHash: keys.mac(KEYED_REQUEST_HASH, `offer\u0000${body}`),
    legacyRequestHash: createHash("sha256").update(body).digest("hex"),
  };
}
