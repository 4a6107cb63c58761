// For the sender's integration tests: an endpoint row of a buyer's for `call.billable`, and a poll.
import { randomBytes } from "node:crypto";
import type { Db } from "../db/client.ts";
import { webhookEndpoints } from "../db/webhook-schema.ts";

/** Registers a webhook endpoint at `url` directly in the database; answers its id. */
export async function addEndpoint(db: Db, url: string, secretCiphertext: string, active = true) {
  const id = `wh_${randomBytes(8).toString("hex")}`;
  await db.insert(webhookEndpoints).values({
    id,
    accountId: "byr_00000000000000000000000000",
    url,
    eventTypes: ["call.billable"],
    secretCiphertext,
    active,
  });
  return id;
}

/** Polls `f` every 20 ms until it gives a value; fails after `ms`. */
export async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
