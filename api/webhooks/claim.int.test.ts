// The webhook claim against real Postgres with a dead endpoint's backlog: the plan walks each endpoint's
// due deliveries through webhook_deliveries_endpoint_due_idx and reads only the few it may claim, not
// the backlog; and what it claims is unchanged (earliest due first, at most perEndpoint per endpoint,
// busy endpoints skipped, nothing not yet due, nothing of a paused endpoint).
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { webhookEndpoints } from "../db/webhook-schema.ts";
import { claimDue, claimStatement } from "./store.ts";

let handle: Awaited<ReturnType<typeof throwawayDatabase>>;
let db: Db;

beforeAll(async () => {
  handle = await throwawayDatabase("webhook_claim");
  db = handle.db;
}, 60_000);

afterEach(async () => {
  // Each test's endpoints are paused here, so its deliveries do not meet the next test's claims.
  await db?.update(webhookEndpoints).set({ active: false });
});

afterAll(() => handle?.drop());

async function endpoint(active = true): Promise<string> {
  const id = `wh_${randomBytes(8).toString("hex")}`;
  await db.insert(webhookEndpoints).values({
    id,
    accountId: "byr_00000000000000000000000000",
    url: "http://127.0.0.1:9/hook",
    eventTypes: ["call.billable"],
    secretCiphertext: "unused",
    active,
  });
  return id;
}

/** `n` pending deliveries of `ep`, the i-th (from 1) due `dueSecAgo(i)` seconds ago (negative: later). */
async function pending(ep: string, n: number, dueSecAgo: (i: number) => number): Promise<void> {
  const ages = Array.from({ length: n }, (_, k) => dueSecAgo(k + 1));
  await db.execute(sql`
    insert into webhook_deliveries (id, endpoint_id, event_id, event_type, body, next_attempt_at)
    select ${ep} || '_d' || g.i, ${ep}, ${ep} || '_e' || g.i, 'call.billable', '{}',
           now() - make_interval(secs => g.age)
      from unnest(${`{${ages.join(",")}}`}::float8[]) with ordinality as g(age, i)`);
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

describe("claiming due webhook deliveries", () => {
  it("reads each endpoint's few due deliveries through the index, not a dead endpoint's whole backlog nor idle endpoints", async () => {
    const dead = await endpoint();
    const live = await endpoint();
    await pending(dead, 5_000, (i) => 10_000 - i); // a dead receiver's retries, all due
    await pending(live, 3, (i) => 5 - i);
    for (let i = 0; i < 300; i++) await endpoint(); // active endpoints with nothing to send
    await handle.owner.unsafe("analyze webhook_deliveries; analyze webhook_endpoints");
    // EXPLAIN ANALYZE runs the claim (it claims; the endpoints are paused after the test).
    const [row] = await db.execute<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
      sql`explain (analyze, format json) ${claimStatement(8, 30_000, 4, [])}`,
    );
    const plan = row!["QUERY PLAN"][0].Plan;
    const scans = nodes(plan).filter(
      (n) => n["Relation Name"] === "webhook_deliveries" && n["Node Type"].endsWith("Scan"),
    );
    expect(scans.some((n) => n["Index Name"] === "webhook_deliveries_endpoint_due_idx")).toBe(true);
    expect(scans.map((n) => n["Node Type"])).not.toContain("Seq Scan");
    // Rows read from the deliveries over every loop (filtered out or kept): each claimable one a few
    // times (found, locked, updated), tens in all; the ranking plan read the 5,000 of the backlog.
    const read = scans.reduce(
      (sum, n) =>
        sum + ((n["Actual Rows"] ?? 0) + (n["Rows Removed by Filter"] ?? 0)) * (n["Actual Loops"] ?? 1),
      0,
    );
    expect(read).toBeLessThan(100);
    // Index probes: about one per endpoint with pending deliveries, none per idle endpoint.
    const probes = scans.reduce((sum, n) => sum + (n["Actual Loops"] ?? 1), 0);
    expect(probes).toBeLessThan(50);
  });

  it("claims the earliest due first, at most perEndpoint of each endpoint, skipping busy and paused ones", async () => {
    const [a, b, c, busy, paused] = [
      await endpoint(),
      await endpoint(),
      await endpoint(),
      await endpoint(),
      await endpoint(false),
    ];
    await pending(a, 5, (i) => 100 - i); // a_d1 is the most overdue of a's
    await pending(b, 5, (i) => 200 - 2 * i); // b's are all more overdue than a's
    await pending(c, 2, (i) => (i === 1 ? 50 : -3_600)); // c_d2 is not due for an hour
    await pending(busy, 5, (i) => 1_000 - i);
    await pending(paused, 5, () => 1_000);
    const first = await claimDue(db, 5, 30_000, 2, [busy]);
    expect(first.map((x) => x.id)).toEqual([`${b}_d1`, `${b}_d2`, `${a}_d1`, `${a}_d2`, `${c}_d1`]);
    expect(first.every((x) => x.attempt === 1)).toBe(true);
    // Claimed ones are leased; the next claim goes on in due order within each endpoint.
    const second = await claimDue(db, 10, 30_000, 2, [busy]);
    expect(second.map((x) => x.id)).toEqual([`${b}_d3`, `${b}_d4`, `${a}_d3`, `${a}_d4`]);
    const third = await claimDue(db, 10, 30_000, 2);
    expect(third.map((x) => x.id)).toEqual([`${busy}_d1`, `${busy}_d2`, `${b}_d5`, `${a}_d5`]);
  });
});
