// Invariant 7 through the real stack, and data-subject rights: a distinctive caller number makes calls
// (routed, completed, rejected), gets a consent record and a suppression entry; then no copy of the
// number in clear exists in Redis (every key and value, streams included), in any text or JSON
// column of any Postgres table, or in the logs. Export returns what is held; erasure shreds it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import { complete, eventually, offer, redisClient, sqlClient, vertical } from "./compliance-helpers.ts";
import { STATE_DIR } from "./stack.ts";

function formats(e164: string): string[] {
  const ten = e164.slice(2);
  return [e164, `1${ten}`, ten];
}

/** Every key and every value, batch by batch: one pipelined round trip for the types, one for the values. */
async function redisHits(needles: string[]): Promise<string[]> {
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
async function postgresHits(needles: string[]): Promise<string[]> {
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

function logHits(needles: string[]): string[] {
  const dir = join(STATE_DIR, "logs");
  return readdirSync(dir).filter((f) => {
    const text = readFileSync(join(dir, f), "utf8");
    return needles.some((n) => text.includes(n));
  });
}

describe("invariant 7 and data-subject rights", () => {
  it("keeps the caller number out of Redis, Postgres and logs; exports and erases the subject", async () => {
    const v = vertical();
    const buyer = await createBuyer(1_000_000_000);
    await createBuyerCampaign(buyer, { vertical: v, states: [] });
    const seller = await createSeller({ vertical: v, requireConsent: false });
    const strict = await createSeller({ vertical: v, requireConsent: true });
    const number = randomCaller("786");
    const needles = formats(number);

    const cert = `cert-${uniq()}`;
    const consent = await call("POST", "/v1/compliance/consents", {
      key: seller.key,
      body: {
        certificateId: cert,
        callerNumber: number,
        obtainedAt: new Date(Date.now() - 60_000).toISOString(),
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(consent.status).toBe(201);
    const callIds: string[] = [];
    for (const duration of [125, 3]) {
      const r = await offer(seller, number, { pingCallerNumber: number });
      expect(r.body.status).toBe("routed");
      await complete(seller.key, r.body.callId, duration);
      callIds.push(r.body.callId);
    }
    const rejected = await offer(strict, number);
    expect(rejected.body.reason?.code).toBe("consent_missing");
    callIds.push(rejected.body.callId);
    await call("POST", "/v1/compliance/dnc", {
      body: { numbers: [number], scope: "exchange", reason: "asked" },
    });

    const exported = await eventually(async () => {
      const r = await call<{ calls: { callId: string }[] }>(
        "GET",
        `/v1/compliance/subjects/${encodeURIComponent(number)}/export`,
      );
      return r.body.calls.length === 3 ? r.body : undefined;
    });
    expect(exported).toMatchObject({
      subject: { phoneNumber: number, encryptionKeyHeld: true },
      consents: [expect.objectContaining({ certificateId: cert })],
      doNotCall: { suppressedBy: ["exchange"] },
    });
    expect(exported.calls.map((c) => c.callId).sort()).toEqual([...callIds].sort());

    // The scan can see a planted copy (so an empty result means something), then finds none of ours.
    const plant = redisClient();
    await plant.set(`dce:e2e-plant:${uniq()}`, `caller ${needles[2]}`, "EX", 60);
    expect((await redisHits(needles)).length).toBe(1);
    await plant.del(...(await plant.keys("dce:e2e-plant:*")));
    plant.disconnect();
    expect(await redisHits(needles)).toEqual([]);
    expect(await postgresHits(needles)).toEqual([]);
    expect(logHits(needles)).toEqual([]);

    const erased = await call<Record<string, unknown>>(
      "POST",
      `/v1/compliance/subjects/${encodeURIComponent(number)}/erase`,
    );
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ keyShredded: true, callsTombstoned: 3, consentsRestricted: 1 });
    expect(erased.body.keptSuppression).toEqual(["exchange"]);
    const after = await call<Record<string, unknown>>(
      "GET",
      `/v1/compliance/subjects/${encodeURIComponent(number)}/export`,
    );
    expect(after.body).toMatchObject({
      subject: { encryptionKeyHeld: false },
      calls: [],
      consents: [],
      doNotCall: { suppressedBy: ["exchange"] },
    });
    // The call records stay (5-year retention), without the subject; a stop-calling request outlives erasure.
    expect((await call("GET", `/v1/calls/${callIds[0]}`)).status).toBe(200);
    expect((await offer(seller, number)).body.reason?.code).toBe("dnc_suppressed");
    expect(await postgresHits(needles)).toEqual([]);
  }, 180_000); // scans every key in Redis and every text column in Postgres, twice
});
