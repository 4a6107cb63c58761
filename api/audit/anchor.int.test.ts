// The audit log's protection against real Postgres (a throwaway database, the app connecting as the
// application role): the app role cannot truncate, delete, update or unguard the append-only tables;
// the erasure's one write still works; and what an insider with the owner's rights does (a deleted
// tail, a truncate with a rewritten head, a forged checkpoint) is caught by the signed checkpoint.
import { Redis } from "ioredis";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainEvent } from "../../actors/kernel/events.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { recordAudited } from "./audit-log.ts";
import { chainOf } from "./chain.ts";
import { CHECKPOINT_KEY } from "./checkpoint.ts";
import { takeCheckpoint } from "./checkpointer.ts";
import { verifyAudit } from "./verify.ts";

const KEY = "k".repeat(64);
let handle: Awaited<ReturnType<typeof throwawayDatabase>>;
let owner: postgres.Sql;
// Its own Redis database: the checkpoint's Redis copy of this throwaway database only.
const redis = new Redis("redis://127.0.0.1:6380/9", { lazyConnect: true });
const anchor = { redis, key: KEY };

beforeAll(async () => {
  handle = await throwawayDatabase("anchor");
  owner = handle.owner;
  await redis.connect();
  await redis.del(CHECKPOINT_KEY);
}, 60_000);
afterAll(async () => {
  await redis.del(CHECKPOINT_KEY);
  redis.disconnect();
  await handle?.drop();
});

/** `n` events of one aggregate (so one chain), recorded and audited as the writer does. */
async function record(aggregateId: string, n: number, from = 1) {
  const events = Array.from({ length: n }, (_, i) =>
    domainEvent("audit.probe", { type: "compliance", id: aggregateId }, `${from + i}`, Date.now(), {
      n: from + i,
    }),
  );
  await handle.db.transaction((tx) => recordAudited(tx, events));
  return events;
}

/** As the owner: the guards off for one transaction (an insider's deliberate DDL), then back on. */
const asOwner = (work: (tx: postgres.TransactionSql) => Promise<unknown>) =>
  owner.begin(async (tx) => {
    const guarded = ["audit_log", "audit_heads", "domain_events", "audit_checkpoints"];
    for (const t of guarded) await tx.unsafe(`alter table ${t} disable trigger user`);
    await work(tx);
    for (const t of guarded) await tx.unsafe(`alter table ${t} enable trigger user`);
  });

const refusal = (q: Promise<unknown>) =>
  q.then(
    () => "done",
    (e: Error) => e.message,
  );

describe("the application role", () => {
  const appendOnly = ["domain_events", "audit_log", "audit_checkpoints", "ledger_postings", "ledger_entries"];

  it("cannot truncate, delete, update or disable the triggers of the append-only tables", async () => {
    await record(`agg_roles_${Date.now()}`, 2);
    const sql = handle.sql;
    for (const t of [...appendOnly, "audit_heads", "ledger_accounts"]) {
      expect({ t, truncate: await refusal(sql.unsafe(`truncate table ${t} cascade`)) }).toEqual({
        t,
        truncate: `permission denied for table ${t}`,
      });
      expect({ t, del: await refusal(sql.unsafe(`delete from ${t}`)) }).toEqual({
        t,
        del: `permission denied for table ${t}`,
      });
      expect({ t, alter: await refusal(sql.unsafe(`alter table ${t} disable trigger all`)) }).toEqual({
        t,
        alter: `must be owner of table ${t}`,
      });
    }
    for (const t of appendOnly) {
      const set = t === "ledger_entries" ? "amount_micros = amount_micros" : "id = id";
      const column = t === "domain_events" || t === "audit_log" ? "event_id = event_id" : set;
      expect({ t, update: await refusal(sql.unsafe(`update ${t} set ${column}`)) }).toEqual({
        t,
        update: `permission denied for table ${t}`,
      });
    }
    expect(await refusal(sql`create table intruder (id int)`)).toBe("permission denied for schema public");
    expect(await refusal(sql`select grant_app_role('dce')`)).toMatch(/permission denied for function/);
  });

  it("tombstones an offer's caller hash through the erasure function, and nothing else changes", async () => {
    const callId = `call_erase_${Date.now()}`;
    const offered = domainEvent("call.offered", { type: "call", id: callId }, "1", Date.now(), {
      callerHash: "h_secret",
      sellerId: "sel_1",
    });
    await handle.db.transaction((tx) => recordAudited(tx, [offered]));
    const [done] = await handle.sql`select erase_event_callers(${[callId]}::text[]) as n`;
    expect(done!.n).toBe(1);
    const [row] = await handle.sql`select data from domain_events where event_id = ${offered.id}`;
    expect(row!.data).toEqual({ callerHash: "erased", sellerId: "sel_1" });
    // Even the owner changes an event only that way while the trigger stands.
    await expect(
      owner`update domain_events set data = jsonb_set(data, '{sellerId}', '"sel_2"') where event_id = ${offered.id}`,
    ).rejects.toThrow(/domain events are append-only/);
    await expect(owner`update domain_events set type = 'x' where event_id = ${offered.id}`).rejects.toThrow(
      /append-only/,
    );
  });
});

describe("signed checkpoints of the chain heads", () => {
  it("catch a deleted tail, a truncate with a rewritten head and a forged checkpoint", async () => {
    const agg = `agg_tail_${Date.now()}`;
    const chain = chainOf(agg);
    const events = await record(agg, 5);
    const taken = await takeCheckpoint(handle.db, redis, KEY, Date.now());
    if (!("taken" in taken)) throw new Error(`no checkpoint: ${JSON.stringify(taken)}`);
    const [head] = await handle.sql`select seq::int from audit_heads where chain = ${chain}`;
    const anchored = head!.seq as number;
    const ok = await verifyAudit(handle.db, anchor);
    expect(ok).toMatchObject({ ok: true, checkpoint: { id: taken.taken.id, seq: taken.taken.seq } });
    expect(ok.checkpoint?.head).toMatch(/^[0-9a-f]{64}$/);

    // An insider deletes the chain's last two rows and their events and rolls the head back: what is
    // left in Postgres is consistent, only the checkpoint still knows the chain was longer.
    const [third] =
      await owner`select seq, hash from audit_log where chain = ${chain} and seq = ${anchored - 2}`;
    await asOwner(async (tx) => {
      await tx`delete from audit_log where chain = ${chain} and seq > ${anchored - 2}`;
      await tx`delete from domain_events where event_id in ${tx(events.slice(3).map((e) => e.id))}`;
      await tx`update audit_heads set seq = ${third!.seq}, hash = ${third!.hash} where chain = ${chain}`;
    });
    const tail = await verifyAudit(handle.db, anchor);
    expect(tail).toMatchObject({ ok: false, checkpoint: { id: taken.taken.id } });
    expect(tail.brokenAt).toEqual({ chain, seq: anchored, eventId: "", problem: "checkpoint_ahead" });
    // The app never anchors a tampered log.
    expect(await takeCheckpoint(handle.db, redis, KEY, Date.now())).toEqual({ refused: tail.brokenAt });

    // Truncate everything and rewrite a longer chain: the row at the anchored seq has another hash.
    await asOwner(async (tx) => {
      await tx`truncate table audit_log, audit_heads, domain_events`;
    });
    // (Every anchored chain is rewritten longer, this one's first: the first break is reported.)
    await record(agg, anchored + 3, 100);
    for (const h of taken.taken.heads.filter((x) => x.chain !== chain)) {
      let other = 0;
      while (chainOf(`${agg}_${other}`) !== h.chain) other++;
      await record(`${agg}_${other}`, h.seq + 3, 100);
    }
    const rewritten = await verifyAudit(handle.db, anchor);
    expect(rewritten.brokenAt?.problem).toBe("checkpoint_mismatch");
    const [first] = taken.taken.heads;
    expect(rewritten.brokenAt).toMatchObject({ chain: first!.chain, seq: first!.seq });

    // Without the checkpoint rows the Redis copy still anchors; a row signed without the key is forged.
    await asOwner((tx) => tx`truncate table audit_checkpoints`);
    expect((await verifyAudit(handle.db, anchor)).brokenAt?.problem).toBe("checkpoint_mismatch");
    await owner`insert into audit_checkpoints (id, seq, head, heads, at, mac)
      values (${taken.taken.id + 100}, 0, 'x', '[]'::jsonb, now(), 'beef')`;
    expect((await verifyAudit(handle.db, anchor)).brokenAt).toEqual({
      chain: -1,
      seq: taken.taken.id + 100,
      eventId: "",
      problem: "checkpoint_forged",
    });

    // An operator's deliberate re-anchoring (after a documented repair) makes verification pass again.
    await asOwner((tx) => tx`truncate table audit_checkpoints`);
    const again = await takeCheckpoint(handle.db, redis, KEY, Date.now(), { reanchor: true });
    expect("taken" in again).toBe(true);
    expect(await verifyAudit(handle.db, anchor)).toMatchObject({ ok: true });
  });
});
