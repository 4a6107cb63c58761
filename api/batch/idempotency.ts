// Idempotency-Key for batch routes: the same key and body replays the first answer; the same key with
// another body is a 409. Batch actions set absolute values, so a retry that runs again is harmless too.
import { createHash } from "node:crypto";
import type { Context } from "hono";
import { canonicalJson } from "../../actors/kernel/canonical-json.ts";
import type { ApiDeps } from "../deps.ts";
import { ApiError } from "../problem.ts";

/** How long a batch answer stays replayable. */
export const BATCH_REPLAY_SEC = 24 * 3600;

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

interface Stored {
  fingerprint: string;
  body: unknown;
}

/**
 * `input` is fingerprinted with a plain SHA-256, kept for a day: personal data in it (a DNC batch's
 * numbers) must be keyed-hashed by the caller first.
 *
 * Runs `run` once per (account, Idempotency-Key) and answers 200 with its body; a repeat with the same
 * route and body answers the stored body with `Idempotent-Replayed: true`. Without a key it just runs.
 */
export async function idempotentBatch(
  deps: Pick<ApiDeps, "redis">,
  c: Context,
  input: unknown,
  run: () => Promise<Record<string, unknown>>,
): Promise<Response> {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return c.json(await run());
  if (key.length === 0 || key.length > 200)
    throw new ApiError(400, "idempotency_key_required", "an Idempotency-Key has 1 to 200 characters");
  const principal = c.get("principal");
  const slot = `dce:idem:batch:${sha(`${principal.role}:${principal.accountId ?? "exchange"}\u0000${key}`)}`;
  const fingerprint = sha(canonicalJson({ path: c.req.path, input }));
  const prior = await deps.redis.get(slot);
  if (prior !== null) {
    const stored = JSON.parse(prior) as Stored;
    if (stored.fingerprint !== fingerprint)
      throw new ApiError(409, "idempotency_conflict", "this Idempotency-Key was used for a different batch");
    c.header("Idempotent-Replayed", "true");
    return c.json(stored.body as Record<string, unknown>);
  }
  const body = await run();
  // A concurrent first request with the same key may have stored first: its answer stands.
  const stored: Stored = { fingerprint, body };
  await deps.redis.set(slot, JSON.stringify(stored), "EX", BATCH_REPLAY_SEC, "NX");
  return c.json(body);
}
