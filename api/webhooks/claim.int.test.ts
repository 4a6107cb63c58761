// The webhook claim against real Postgres with a dead endpoint's backlog: the plan walks each endpoint's
// due deliveries through webhook_deliveries_endpoint_due_idx and reads only the few it may claim, not
// the backlog; and what it claims is unchanged (earliest due first, at most perEndpoint per endpoint,
// busy endpoints skipped, nothing not yet due, nothing of a paused endpoint).
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../db/client.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { webhookEndpoints } from "../db/webhook-schema.ts";
import { claimDue, claimStatement } from "./store.ts";
import { addEndpoint } from "./test-support.ts";

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

const endpoint = (active = true) => addEndpoint(db, "http://127.0.0.1:9/hook", "unused", active);

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

/**
 * EXPLAIN ANALYZE of the claim (it claims; the endpoints are paused after the test): the scans of
 * webhook_deliveries, the rows they read over every loop (kept or filtered out), their loops, and how
 * many deliveries it claimed.
 */
async function explainClaim(perEndpoint: number) {
  const [row] = await db.execute<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
    sql`explain (analyze, format json) ${claimStatement(8, 30_000, perEndpoint, [])}`,
  );
  const plan = row!["QUERY PLAN"][0].Plan;
  const scans = nodes(plan).filter(
    (n) => n["Relation Name"] === "webhook_deliveries" && n["Node Type"].endsWith("Scan"),
  );
  const read = scans.reduce(
    (sum, n) =>
      sum + ((n["Actual Rows"] ?? 0) + (n["Rows Removed by Filter"] ?? 0)) * (n["Actual Loops"] ?? 1),
    0,
  );
  const probes = scans.reduce((sum, n) => sum + (n["Actual Loops"] ?? 1), 0);
  return { scans, read, probes, claimed: plan["Actual Rows"] ?? 0 };
}

describe("claiming due webhook deliveries", () => {
  it("reads each endpoint's few due deliveries through the index, not a dead endpoint's whole backlog nor idle endpoints", async () => {
    const dead = await endpoint();
    const live = await endpoint();
    await pending(dead, 5_000, (i) => 10_000 - i); // a dead receiver's retries, all due
    await pending(live, 3, (i) => 5 - i);
    for (let i = 0; i < 300; i++) await endpoint(); // active endpoints with nothing to send
    await handle.owner.unsafe("analyze webhook_deliveries; analyze webhook_endpoints");
    const { scans, read, probes } = await explainClaim(4);
    expect(scans.some((n) => n["Index Name"] === "webhook_deliveries_endpoint_due_idx")).toBe(true);
    expect(scans.map((n) => n["Node Type"])).not.toContain("Seq Scan");
    // Rows read from the deliveries over every loop (filtered out or kept): each claimable one a few
    // times (found, locked, updated), tens in all; the ranking plan read the 5,000 of the backlog.
    expect(read).toBeLessThan(100);
    // Index probes: about one per endpoint with pending deliveries, none per idle endpoint.
    expect(probes).toBeLessThan(50);
  });

  it("skips a suspended endpoint's backlog through the indexes until its probe is due, then takes exactly one delivery, the earliest, once", async () => {
    const dead = await endpoint();
    const live = await endpoint();
    await pending(dead, 5_000, (i) => 10_000 - i);
    await pending(live, 3, (i) => 5 - i);
    await db.execute(sql`update webhook_endpoints set suspended_at = now(), next_probe_at = now() + interval '1 hour'
                          where id = ${dead}`);
    await handle.owner.unsafe("analyze webhook_deliveries; analyze webhook_endpoints");
    const held = await explainClaim(8);
    expect(held.scans.map((n) => n["Node Type"])).not.toContain("Seq Scan");
    expect(held.read).toBeLessThan(50);
    expect(held.claimed).toBe(3); // the live endpoint's three, nothing of the suspended one's 5,000
    expect(await claimDue(db, 100, 30_000, 8)).toEqual([]);

    await db.execute(
      sql`update webhook_endpoints set next_probe_at = now() - interval '1 second' where id = ${dead}`,
    );
    // Two workers claim at once: one probe between them, the most overdue delivery.
    const both = (await Promise.all([claimDue(db, 100, 30_000, 8), claimDue(db, 100, 30_000, 8)])).flat();
    expect(both.map((c) => [c.id, c.probe])).toEqual([[`${dead}_d1`, true]]);
    // The next probe waits for this one's answer (or its lease): nothing more of the backlog meanwhile.
    const [ep] = await db.execute<{ leased: boolean }>(
      sql`select next_probe_at > now() + interval '25 seconds' as leased from webhook_endpoints where id = ${dead}`,
    );
    expect(ep?.leased).toBe(true);
    expect(await claimDue(db, 100, 30_000, 8)).toEqual([]);
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
