// Imports a national or state Do-Not-Call file (plain or CSV, millions of lines) straight into Redis and
// Postgres, streaming with bounded memory. Usage:
//   node --import tsx scripts/dnc-import.ts <file> --list national [--source national|state|internal]
//        [--state FL] [--published 2026-11-01] [--name "FTC national registry"]
import { createReadStream, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { domainEvent } from "../actors/kernel/events.ts";
import { newId } from "../actors/kernel/ids.ts";
import { createRedis } from "../actors/platform/redis.ts";
import { recordApiEvent } from "../api/audit/audit-log.ts";
import { type ImportMeta, type ImportResult, importDncFile } from "../api/compliance/dnc.ts";
import { createDb } from "../api/db/client.ts";
import { isMain } from "./is-main.ts";
import { loadOrCreateSecrets, piiKeysOf } from "./stack/secrets.ts";

export async function importFile(file: string, meta: Omit<ImportMeta, "expected">): Promise<ImportResult> {
  const stateDir = process.env.DCE_STATE_DIR ?? join(import.meta.dirname, "..", ".data");
  const secrets = loadOrCreateSecrets(join(stateDir, "secrets.env"));
  const redis = createRedis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
  const { db, sql } = createDb(process.env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce", 2);
  try {
    const expected = Math.ceil(statSync(file).size / 11);
    const deps = { redis, db, pii: piiKeysOf(secrets), now: () => Date.now() };
    const result = await importDncFile(deps, createReadStream(file, { highWaterMark: 1 << 20 }), {
      ...meta,
      expected,
    });
    await recordApiEvent(
      db,
      domainEvent(
        "compliance.dnc_imported",
        { type: "compliance", id: meta.listId },
        newId("c"),
        Date.now(),
        {
          ...result,
          warning: result.warning ?? null,
        },
      ),
    );
    return result;
  } finally {
    redis.disconnect();
    await sql.end();
  }
}

if (isMain(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      list: { type: "string" },
      source: { type: "string", default: "national" },
      state: { type: "string" },
      published: { type: "string" },
      name: { type: "string" },
    },
  });
  const file = positionals[0];
  if (!file || !values.list || !/^[a-z0-9][a-z0-9-]{0,39}$/.test(values.list)) {
    console.error(
      "usage: dnc-import.ts <file> --list <slug> [--source national|state|internal] [--state XX] [--published YYYY-MM-DD]",
    );
    process.exit(2);
  }
  const source = values.source as ImportMeta["source"];
  const result = await importFile(file, {
    listId: values.list,
    name: values.name ?? values.list,
    source,
    state: values.state,
    publishedAt: values.published,
  });
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ ...result, peakRssMiB }, null, 2));
  if (result.warning) console.warn(`warning: ${result.warning}`);
}
