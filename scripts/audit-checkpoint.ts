// `npm run audit:checkpoint [-- --reanchor]`: signs a checkpoint of the audit chain heads now (as the
// API does every DCE_AUDIT_CHECKPOINT_SEC) and prints it. Refused, exit 1, when the chains no longer
// hold the latest checkpoint; `--reanchor` signs the current heads anyway: only after the tampering
// was investigated and the log repaired (docs/ops/audit.md), since it makes verification pass again.
import { join, resolve } from "node:path";
import { createRedis } from "../actors/platform/redis.ts";
import { checkpointKeyFrom } from "../api/audit/checkpoint.ts";
import { takeCheckpoint } from "../api/audit/checkpointer.ts";
import { createDb } from "../api/db/client.ts";
import { isMain } from "./is-main.ts";
import { loadOrCreateSecrets } from "./stack/secrets.ts";

export async function checkpointNow(reanchor: boolean, env = process.env) {
  const stateDir = resolve(env.DCE_STATE_DIR ?? join(import.meta.dirname, "../.data"));
  const key = checkpointKeyFrom({
    DCE_AUDIT_CHECKPOINT_KEY:
      env.DCE_AUDIT_CHECKPOINT_KEY ??
      loadOrCreateSecrets(join(stateDir, "secrets.env")).DCE_AUDIT_CHECKPOINT_KEY,
  });
  const { db, sql } = createDb(env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce", 1);
  const redis = createRedis(env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
  try {
    return await takeCheckpoint(db, redis, key, Date.now(), { reanchor });
  } finally {
    redis.disconnect();
    await sql.end({ timeout: 2 });
  }
}

if (isMain(import.meta.url)) {
  const outcome = await checkpointNow(process.argv.includes("--reanchor"));
  console.log(JSON.stringify(outcome, null, 2));
  if ("refused" in outcome) {
    console.error("refused: the chains no longer hold the latest checkpoint (see docs/ops/audit.md)");
    process.exit(1);
  }
}
