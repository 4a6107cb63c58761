// After an encryption-key rotation: re-wraps every per-subject key (Redis) and every webhook endpoint
// secret (Postgres) still sealed under an older key id with the current one (the first of
// DCE_PII_KEYS). Safe while the exchange runs (compare-and-set per item) and safe to run again. Usage:
//   DCE_PII_KEYS=k2:<64 hex>,k1:<64 hex> npm run pii:rewrap
import { existsSync } from "node:fs";
import { join } from "node:path";
import { rewrapSubjectKeys } from "../actors/platform/pii.ts";
import { createRedis } from "../actors/platform/redis.ts";
import { createDb } from "../api/db/client.ts";
import { rewrapWebhookSecrets } from "../api/webhooks/secrets.ts";
import { loadOrCreateSecrets, piiKeysOf } from "./stack/secrets.ts";

// The keys come from the environment (a deployment) or from a local stack's secrets file; this script
// never creates secrets, which would re-wrap nothing under a random key.
const stateDir = process.env.DCE_STATE_DIR ?? join(import.meta.dirname, "..", ".data");
const secretsFile = join(stateDir, "secrets.env");
if (!process.env.DCE_PII_KEY && !existsSync(secretsFile)) {
  console.error(
    `pii:rewrap: set DCE_PII_KEY and DCE_PII_KEYS, or run it beside a local stack (${secretsFile})`,
  );
  process.exit(2);
}
const keys = process.env.DCE_PII_KEY
  ? piiKeysOf({ DCE_PII_KEY: process.env.DCE_PII_KEY })
  : piiKeysOf(loadOrCreateSecrets(secretsFile));
const redis = createRedis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
const { db, sql } = createDb(process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce", 2);
try {
  const subjectKeys = await rewrapSubjectKeys(redis, keys);
  const webhookSecrets = await rewrapWebhookSecrets(db, keys);
  console.log(JSON.stringify({ current: keys.current, readable: keys.ids(), subjectKeys, webhookSecrets }));
} finally {
  redis.disconnect();
  await sql.end({ timeout: 2 });
}
