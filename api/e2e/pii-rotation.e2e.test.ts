// Rotating the PII encryption key, end to end on real Redis and Postgres (a Redis database and a
// Postgres database of their own, so the running stack's data keeps its key): after a new current key
// is added, data sealed under the old key id (and before key ids) still opens, new data is sealed under
// the new id, and the re-wrap script moves everything to the new id, after which the old key can go.

import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { phoneHash, protectNumber, revealNumber, subjectKeyName } from "../../actors/platform/pii.ts";
import { keyIdOf, type PiiKeyring, parsePiiKeys, seal } from "../../actors/platform/pii-keys.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { webhookEndpoints } from "../db/webhook-schema.ts";
import { openSecret, sealSecret } from "../webhooks/secrets.ts";
import { randomCaller } from "./client.ts";
import { run } from "./run.ts";
import { ROOT } from "./stack.ts";

const REDIS_URL = `${process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380"}/7`;
const master = randomBytes(32).toString("hex");
const next = randomBytes(32).toString("hex");
const ring = (env: Record<string, string>): PiiKeyring => {
  const { keys, problems } = parsePiiKeys({ DCE_PII_KEY: master, ...env });
  if (!keys) throw new Error(problems.join("; "));
  return keys;
};
const before = ring({});
const rotated = ring({ DCE_PII_KEYS: `k2:${next},k1:${master}` });
const retired = ring({ DCE_PII_KEYS: `k2:${next}` });

let redis: Redis;
let pg: Awaited<ReturnType<typeof throwawayDatabase>>;

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  await redis.flushdb();
  pg = await throwawayDatabase("rotation");
});
afterAll(async () => {
  await redis.flushdb();
  redis.disconnect();
  await pg.drop();
});

async function rewrap() {
  const r = await run("node", ["--import", "tsx", "scripts/pii-rewrap.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      DCE_PII_KEY: master,
      DCE_PII_KEYS: `k2:${next},k1:${master}`,
      DCE_REDIS_URL: REDIS_URL,
      DATABASE_URL: pg.url,
      DCE_STATE_DIR: mkdtempSync(join(tmpdir(), "dce-rewrap-")),
    },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
}

describe("PII encryption-key rotation", () => {
  it("reads old key ids after a new current key is added, and re-wraps everything to it", async () => {
    const [n1, n2, n3] = [randomCaller("786"), randomCaller("786"), randomCaller("786")];
    const old = await protectNumber(redis, before, n1);
    expect(keyIdOf((await redis.get(subjectKeyName(old.hash))) ?? "")).toBe("k1");
    // Written by a release before key ids: the subject key wrapped under the master itself.
    const subjectKey = randomBytes(32);
    const legacy = { hash: phoneHash(before, n3), ciphertext: seal(subjectKey, Buffer.from(n3)) };
    await redis.set(subjectKeyName(legacy.hash), seal(Buffer.from(master, "hex"), subjectKey));
    await pg.db.insert(webhookEndpoints).values({
      id: "wh_rotation",
      accountId: null,
      url: "http://127.0.0.1:9/hook",
      eventTypes: ["call.billable"],
      secretCiphertext: sealSecret(before, "whsec_rotation"),
    });

    // A new current key: old ciphertexts still open, new ones name k2, hashes do not change.
    expect(await revealNumber(redis, rotated, old)).toBe(n1);
    expect(await revealNumber(redis, rotated, legacy)).toBe(n3);
    const fresh = await protectNumber(redis, rotated, n2);
    expect(keyIdOf((await redis.get(subjectKeyName(fresh.hash))) ?? "")).toBe("k2");
    expect(phoneHash(rotated, n1)).toBe(old.hash);
    await expect(revealNumber(redis, retired, old)).rejects.toThrow(/no PII key with id k1/);

    expect(await rewrap()).toMatchObject({ current: "k2", subjectKeys: 2, webhookSecrets: 1 });
    expect(await rewrap()).toMatchObject({ subjectKeys: 0, webhookSecrets: 0 });

    // Everything now opens without the old key.
    expect(await revealNumber(redis, retired, old)).toBe(n1);
    expect(await revealNumber(redis, retired, legacy)).toBe(n3);
    expect(await revealNumber(redis, retired, fresh)).toBe(n2);
    const [row] = await pg.db.select().from(webhookEndpoints);
    expect(keyIdOf(row?.secretCiphertext ?? "")).toBe("k2");
    expect(openSecret(retired, row?.secretCiphertext ?? "")).toBe("whsec_rotation");
  }, 120_000);
});
