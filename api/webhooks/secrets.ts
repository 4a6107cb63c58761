// Endpoint signing secrets: generated here, shown to the partner once (on create and rotate), and kept
// encrypted at rest under the PII keyring's webhook-secret key (its own HKDF label), with a key id.
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { PiiKeyring } from "../../actors/platform/pii-keys.ts";
import type { Db } from "../db/client.ts";
import { webhookEndpoints } from "../db/webhook-schema.ts";

export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;

export const sealSecret = (keys: PiiKeyring, secret: string) =>
  keys.seal("webhook-secret", Buffer.from(secret, "utf8"));
export const openSecret = (keys: PiiKeyring, sealed: string) =>
  keys.open("webhook-secret", sealed).toString("utf8");

/** Re-seal every endpoint secret not under the current key id; returns how many were rewritten. */
export async function rewrapWebhookSecrets(db: Db, keys: PiiKeyring): Promise<number> {
  const rows = await db
    .select({ id: webhookEndpoints.id, sealed: webhookEndpoints.secretCiphertext })
    .from(webhookEndpoints);
  let rewrapped = 0;
  for (const row of rows) {
    if (!keys.stale(row.sealed)) continue;
    const next = sealSecret(keys, openSecret(keys, row.sealed));
    const done = await db
      .update(webhookEndpoints)
      .set({ secretCiphertext: next })
      // Only if unchanged: a secret rotated meanwhile is already under the current key.
      .where(and(eq(webhookEndpoints.id, row.id), eq(webhookEndpoints.secretCiphertext, row.sealed)))
      .returning({ id: webhookEndpoints.id });
    rewrapped += done.length;
  }
  return rewrapped;
}
