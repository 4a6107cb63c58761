// Scans for personal data left behind: every key and value in Redis (streams included), every text and
// JSON column of every Postgres table. Each answers where a needle was found.
import { expect } from "vitest";
import { redisClient, sqlClient } from "./compliance-helpers.ts";

/** Every key and every value, batch by batch: one pipelined round trip for the types, one for the values. */
export async function redisHits(needles: string[]): Promise<string[]> {
  const redis = redisClient();
  const hits: string[] = [];
  const has = (s: string) => needles.some((n) => s.includes(n));
  try {
    for await (const batch of redis.scanStream({ count: 2000 })) {
      const keys = batch as string[];
      if (keys.length === 0) continue;
      for (const key of keys) if (has(key)) hits.push(`key ${key}`);
      const types = ((await redis.pipeline(keys.map((k) => ["type", k])).exec()) ?? []).map((r) =>
        String(r[1]),
      );
      const reads = keys.map((k, i) => {
        switch (types[i]) {
          case "string":
            return ["get", k];
          case "hash":
            return ["hgetall", k];
          case "set":
            return ["smembers", k];
          case "zset":
            return ["zrange", k, "0", "-1"];
          case "list":
            return ["lrange", k, "0", "-1"];
          case "stream":
            return ["xrange", k, "-", "+"];
          default:
            return ["exists", k];
        }
      });
      const values = (await redis.pipeline(reads).exec()) ?? [];
      values.forEach(([, v], i) => {
        if (has(JSON.stringify(v ?? null))) hits.push(`${types[i]} ${keys[i]}`);
      });
    }
  } finally {
    redis.disconnect();
  }
  return hits;
}

/** Every text and JSON column of every table, one scan per table for all its columns and formats. */
export async function postgresHits(needles: string[]): Promise<string[]> {
  const sql = sqlClient();
  const hits: string[] = [];
  try {
    const columns = await sql<{ table_schema: string; table_name: string; column_name: string }[]>`
      select c.table_schema, c.table_name, c.column_name from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema not in ('pg_catalog', 'information_schema') and t.table_type = 'BASE TABLE'
        and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')`;
    expect(columns.length).toBeGreaterThan(10);
    const tables = new Map<string, string[]>();
    for (const c of columns) {
      const t = `"${c.table_schema}"."${c.table_name}"`;
      tables.set(t, [...(tables.get(t) ?? []), c.column_name]);
    }
    for (const [table, cols] of tables) {
      const checks = cols.map((c) => `"${c}"::text like any($1)`).join(" or ");
      const rows = await sql.unsafe(
        `select ${cols.map((c, i) => `bool_or("${c}"::text like any($1)) as c${i}`).join(", ")} from ${table} where ${checks}`,
        [needles.map((n) => `%${n}%`)],
      );
      const row = rows[0] as Record<string, boolean | null> | undefined;
      cols.forEach((c, i) => {
        if (row?.[`c${i}`]) hits.push(`${table}.${c}`);
      });
    }
  } finally {
    await sql.end();
  }
  return hits;
}
