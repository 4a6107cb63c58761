// Invariant 7 through the real stack, and data-subject rights: a distinctive caller number makes calls
// (routed, completed, rejected), gets a consent record and a suppression entry; then no copy of the
// number in clear exists in Redis (every key and value, streams included), in any text or JSON
// column of any Postgres table, or in the logs. Export returns what is held; erasure shreds it.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import { complete, eventually, offer, redisClient, vertical } from "./compliance-helpers.ts";
import { ownerSqlClient } from "./db-roles.ts";
import { postgresHits, redisHits } from "./scan.ts";
import { STATE_DIR } from "./stack.ts";

function formats(e164: string): string[] {
  const ten = e164.slice(2);
  return [e164, `1${ten}`, ten];
}

function logHits(needles: string[]): string[] {
  const dir = join(STATE_DIR, "logs");
  return readdirSync(dir).filter((f) => {
    const text = readFileSync(join(dir, f), "utf8");
    return needles.some((n) => text.includes(n));
  });
}

/**
 * Plants the number (10-digit form, inside JSON) in a throwaway table (made by the owner role, as a
 * migration would; the app's role creates no tables), shows the Postgres scan finds exactly that
 * column, drops the table, and answers the real scan.
 */
async function plantedInPostgres(needles: string[]): Promise<string[]> {
  const sql = ownerSqlClient();
  const table = `e2e_pii_plant_${uniq().slice(0, 8)}`;
  try {
    await sql`create table ${sql(table)} (note text, detail jsonb)`;
    await sql`insert into ${sql(table)} values ('nothing here', ${sql.json({ caller: needles[2]! })})`;
    expect(await postgresHits(needles)).toEqual([`"public"."${table}".detail`]);
  } finally {
    await sql`drop table if exists ${sql(table)}`;
    await sql.end();
  }
  return postgresHits(needles);
}

/**
 * Shows the log scan reads the stack's live logs (the API's start line is found in its log) and would
 * see the number (a planted log file is found), removes the plant, and answers the real scan.
 */
function plantedInLogs(needles: string[]): string[] {
  expect(logHits(['"msg":"api.started"'])).toContain("exchange-api.log");
  const planted = `e2e-pii-plant-${uniq().slice(0, 8)}.log`;
  const path = join(STATE_DIR, "logs", planted);
  writeFileSync(path, `{"msg":"offer","caller":"${needles[0]}"}\n`);
  try {
    expect(logHits(needles)).toEqual([planted]);
  } finally {
    rmSync(path, { force: true });
  }
  return logHits(needles);
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

    // Each scan can see a planted copy (so an empty result means something), then finds none of ours.
    const plant = redisClient();
    await plant.set(`dce:e2e-plant:${uniq()}`, `caller ${needles[2]}`, "EX", 60);
    expect((await redisHits(needles)).length).toBe(1);
    await plant.del(...(await plant.keys("dce:e2e-plant:*")));
    plant.disconnect();
    expect(await redisHits(needles)).toEqual([]);
    expect(await plantedInPostgres(needles)).toEqual([]);
    expect(plantedInLogs(needles)).toEqual([]);

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
