// The provider-specific edge: reads a carrier's form POST and checks its signature before anything
// else (Twilio: X-Twilio-Signature over DCE_PUBLIC_URL + path + query and the sorted form; Telnyx:
// Ed25519 over `timestamp|rawBody`). A refusal is a 403 with a stable code, counted against the client
// address (in a bucket apart from API keys', same limit) and audited; nothing else happens.
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { domainEvent } from "../../actors/kernel/events.ts";
import { recordApiEvent } from "../audit/audit-log.ts";
import type { ApiDeps } from "../deps.ts";
import { carrierRequests } from "../metrics.ts";
import { assertNotLockedOut, clientAddress, noteAuthFailure } from "../middleware/auth-failures.ts";
import { ApiError } from "../problem.ts";
import type { Params, Provider } from "./carrier-params.ts";
import { type SignatureVerdict, verifyTelnyx, verifyTwilio } from "./signatures.ts";

/** Carrier form bodies are small; anything larger is not a carrier's. */
export const MAX_CARRIER_BODY_BYTES = 16_384;

/** The form parameters of a correctly signed carrier request, or a thrown 403 (after auditing it). */
export async function signedParams(c: Context, deps: ApiDeps, provider: Provider): Promise<Params> {
  const tooLarge = () =>
    new ApiError(413, "payload_too_large", `carrier bodies are limited to ${MAX_CARRIER_BODY_BYTES} bytes`);
  if (Number(c.req.header("content-length") ?? 0) > MAX_CARRIER_BODY_BYTES) throw tooLarge();
  const raw = await c.req.text();
  if (Buffer.byteLength(raw) > MAX_CARRIER_BODY_BYTES) throw tooLarge();
  const params: Params = Object.fromEntries(new URLSearchParams(raw));
  const url = new URL(c.req.url);
  const verdict: SignatureVerdict =
    provider === "twilio"
      ? verifyTwilio(
          deps.config.publicUrl + url.pathname + url.search,
          params,
          deps.carrierSecrets?.twilioAuthToken ?? "",
          c.req.header("x-twilio-signature"),
        )
      : verifyTelnyx(
          raw,
          c.req.header("telnyx-timestamp"),
          c.req.header("telnyx-signature-ed25519"),
          deps.carrierSecrets?.telnyxPublicKey ?? "",
          Math.floor(deps.now() / 1000),
        );
  if (verdict === null) return params;
  // A correctly signed request is never locked out; a flood of bad ones stops being audited one by one.
  // Counted in a bucket of their own: a carrier's bad signatures never lock out API keys from an address.
  const address = clientAddress(c, deps.config.trustedProxyHops);
  await assertNotLockedOut(deps, `carrier:${address}`).catch((err: unknown) => {
    if (err instanceof ApiError) c.header("retry-after", String(err.extra.retryAfterSec));
    throw err;
  });
  const subject = c.req.param("callId") ?? `telephony_${provider}_${params.CallSid ?? "unknown"}`;
  await refuse(deps, { provider, path: url.pathname, address, verdict, subject: subject.slice(0, 120) });
  throw new ApiError(403, "carrier_signature_invalid", refusalDetail(provider, verdict), { verdict });
}

function refusalDetail(provider: Provider, verdict: Exclude<SignatureVerdict, null>): string {
  const header = provider === "twilio" ? "X-Twilio-Signature" : "telnyx-signature-ed25519 / telnyx-timestamp";
  if (verdict === "missing") return `the request carries no ${header}`;
  if (verdict === "stale") return `the ${provider} timestamp is outside the replay window`;
  if (verdict === "not_configured")
    return `no ${provider} signing secret is configured: every request is refused`;
  return `the ${header} does not match the request`;
}

/**
 * Counts the failure against the address and writes `telephony.signature_refused` to the audit chain,
 * under the call the path names, else under `telephony_<provider>_<claimed CallSid>` (a claim, unverified).
 */
async function refuse(
  deps: ApiDeps,
  r: { provider: Provider; path: string; address: string; verdict: string; subject: string },
) {
  const { provider, path, address, verdict } = r;
  await noteAuthFailure(deps, `carrier:${address}`);
  carrierRequests.inc({ provider, route: path.split("/").pop() ?? "", outcome: "refused" });
  const event = domainEvent(
    "telephony.signature_refused",
    { type: "telephony", id: r.subject },
    randomUUID(),
    deps.now(),
    { provider, path, verdict, address },
  );
  await recordApiEvent(deps.db, event).catch((err: unknown) =>
    deps.logger.warn({ err, provider }, "telephony.refusal_audit_failed"),
  );
  deps.logger.warn({ provider, path, verdict }, "telephony.signature_refused");
}
