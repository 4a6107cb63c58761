// Invariant 8 through the real stack: every domain event lands in the hash-chained audit log, the
// chains verify against the API's latest signed checkpoint, and tampering in Postgres is reported by
// GET /v1/audit/verify (an altered row, a deleted tail, a head rolled back over it, a tail deleted with
// everything beside it) or refused (to the app's role: TRUNCATE, DELETE, UPDATE; to anyone while the
// triggers stand: TRUNCATE, moving a head by hand). Tampering is done as the cluster's superuser.
import { describe, expect, it } from "vitest";
import { asInsider, plantChain, removeChain, tryTruncate, uncoveredAt } from "./audit-tamper.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller } from "./client.ts";
import { complete, eventually, offer, sqlClient, vertical } from "./compliance-helpers.ts";
import { superuserSqlClient } from "./db-roles.ts";
import { API, adminKey } from "./stack.ts";

const metrics = async () =>
  (await fetch(`${API}/metrics`, { headers: { authorization: `Bearer ${adminKey()}` } })).text();

type Verify = {
  ok: boolean;
  rows: number;
  brokenAt?: { chain: number; seq: number; eventId: string; problem: string };
  checkpoint?: { id: number; seq: number; head: string; at: string } | null;
};

describe("invariant 8: the audit chain verifies and tampering is detected", () => {
  it("chains a call's events, verifies, detects an altered row and verifies again once restored", async () => {
    const v = vertical();
    const buyer = await createBuyer(1_000_000_000);
    await createBuyerCampaign(buyer, { vertical: v, states: [] });
    const seller = await createSeller({ vertical: v });
    const routed = await offer(seller, randomCaller());
    expect(routed.body.status).toBe("routed");
    const callId = routed.body.callId;
    await complete(seller.key, callId, 120);

    type Row = { eventId: string; type: string; chain: number; seq: number; hash: string; prevHash: string };
    // One write's events are delivered concurrently, so wait for all of them, not the last one written.
    const expected = ["call.offered", "call.routed", "call.connected", "call.completed", "call.billable"];
    const rows = await eventually(async () => {
      const r = await call<{ items: Row[] }>("GET", `/v1/audit?aggregateId=${callId}`);
      const types = r.body.items.map((i) => i.type);
      return expected.every((t) => types.includes(t)) ? r.body.items : undefined;
    });
    expect(rows.map((r) => r.type)).toEqual(expect.arrayContaining(expected));
    expect(new Set(rows.map((r) => r.chain)).size).toBe(1); // one aggregate, one chain, in order

    const before = await call<Verify>("GET", "/v1/audit/verify");
    expect(before.body).toMatchObject({ ok: true });
    expect(before.body.rows).toBeGreaterThan(0);
    expect((await call("GET", "/v1/audit/verify", { key: seller.key })).status).toBe(403);

    const target = rows.find((r) => r.type === "call.completed")!;
    const sql = sqlClient();
    const insider = superuserSqlClient();
    const alter = (type: string) =>
      insider.begin(async (tx) => {
        // The append-only trigger refuses changes: an insider has to disable it on purpose first.
        await tx`alter table audit_log disable trigger audit_log_append_only`;
        await tx`update audit_log set type = ${type} where event_id = ${target.eventId}`;
        await tx`alter table audit_log enable trigger audit_log_append_only`;
      });
    try {
      await expect(sql`update audit_log set type = 'x' where event_id = ${target.eventId}`).rejects.toThrow(
        "permission denied for table audit_log",
      );
      await expect(
        insider`update audit_log set type = 'x' where event_id = ${target.eventId}`,
      ).rejects.toThrow(/append-only/);
      await alter("call.failed");
      const broken = await call<Verify>("GET", "/v1/audit/verify");
      expect(broken.body.ok).toBe(false);
      expect(broken.body.brokenAt).toEqual({
        chain: target.chain,
        seq: target.seq,
        eventId: target.eventId,
        problem: "hash_mismatch",
      });
    } finally {
      await alter("call.completed");
      await sql.end();
      await insider.end();
    }
    expect((await call<Verify>("GET", "/v1/audit/verify")).body.ok).toBe(true);
  });

  it("detects a deleted tail, and the tail's events when the head is rolled back over it", async () => {
    const sql = sqlClient();
    const insider = superuserSqlClient();
    const planted = await plantChain(sql, 5);
    const [, , third, fourth, fifth] = planted.rows;
    const verify = async () => (await call<Verify>("GET", "/v1/audit/verify")).body;
    try {
      expect(await verify()).toMatchObject({ ok: true });
      // The head only moves forward onto its own rows, is born at genesis and is never deleted.
      const refused = /audit chain/;
      await expect(
        sql`update audit_heads set seq = 3, hash = ${third!.hash} where chain = ${planted.chain}`,
      ).rejects.toThrow(/may only advance/);
      await expect(
        sql`update audit_heads set seq = 6, hash = ${fifth!.hash} where chain = ${planted.chain}`,
      ).rejects.toThrow(/may only advance/);
      await expect(sql`delete from audit_heads where chain = ${planted.chain}`).rejects.toThrow(
        "permission denied for table audit_heads",
      );
      await expect(insider`delete from audit_heads where chain = ${planted.chain}`).rejects.toThrow(refused);
      await expect(
        sql`insert into audit_heads (chain, seq, hash) values (${planted.chain + 1}, 2, ${third!.hash})`,
      ).rejects.toThrow(/must start at genesis/);
      await expect(sql`delete from domain_events where event_id = ${fifth!.eventId}`).rejects.toThrow(
        "permission denied for table domain_events",
      );
      await expect(insider`delete from domain_events where event_id = ${fifth!.eventId}`).rejects.toThrow(
        /never deleted/,
      );
      await expect(
        insider`update domain_events set type = 'x' where event_id = ${fifth!.eventId}`,
      ).rejects.toThrow(/domain events are append-only/);

      // An insider deletes an event whose audit row stays: the row no longer has its event.
      const first = planted.rows[0]!;
      await asInsider(insider, (tx) => tx`delete from domain_events where event_id = ${first.eventId}`);
      expect((await verify()).brokenAt).toEqual({
        ...uncoveredAt(planted),
        eventId: first.eventId,
        problem: "event_missing",
      });
      await sql`insert into domain_events (event_id, type, aggregate_type, aggregate_id, occurred_at, data)
        values (${first.eventId}, ${first.type}, ${first.aggregateType}, ${first.aggregateId},
          ${first.occurredAt}, ${sql.json({ seq: 1 })})`;
      expect(await verify()).toMatchObject({ ok: true });

      // An insider rolls the head back, leaving the rows: they lie beyond it. (Moving it forward
      // again onto its own row is an ordinary append's move, so the guard allows it.)
      await asInsider(
        insider,
        (tx) => tx`update audit_heads set seq = 3, hash = ${third!.hash} where chain = ${planted.chain}`,
      );
      expect((await verify()).brokenAt).toEqual({
        chain: planted.chain,
        seq: 5,
        eventId: "",
        problem: "head_behind",
      });
      await sql`update audit_heads set seq = 5, hash = ${fifth!.hash} where chain = ${planted.chain}`;
      expect(await verify()).toMatchObject({ ok: true });

      // An insider deletes the last two rows: the head still names row 5.
      await asInsider(insider, (tx) => tx`delete from audit_log where chain = ${planted.chain} and seq > 3`);
      expect((await verify()).brokenAt).toEqual({
        chain: planted.chain,
        seq: 5,
        eventId: "",
        problem: "head_mismatch",
      });
      // ...and rolls the head back to row 3, so the chain itself verifies: the events stay uncovered.
      await asInsider(
        insider,
        (tx) => tx`update audit_heads set seq = 3, hash = ${third!.hash} where chain = ${planted.chain}`,
      );
      const rolledBack = await verify();
      expect(rolledBack.ok).toBe(false);
      expect(rolledBack.brokenAt).toMatchObject({ ...uncoveredAt(planted), problem: "event_unaudited" });
      expect([fourth!.eventId, fifth!.eventId]).toContain(rolledBack.brokenAt?.eventId);

      // ...and deletes those events too: the ledger still holds what the last one posted. (Deleting
      // that as well leaves nothing in Postgres to compare with: issue 14 anchors heads outside it.)
      await asInsider(
        insider,
        (tx) => tx`delete from domain_events where event_id in ${sql([fourth!.eventId, fifth!.eventId])}`,
      );
      expect((await verify()).brokenAt).toEqual({
        ...uncoveredAt(planted),
        eventId: fifth!.eventId,
        problem: "posting_unaudited",
      });
    } finally {
      await removeChain(insider, planted);
      await sql.end();
      await insider.end();
    }
    expect(await verify()).toMatchObject({ ok: true });
  });

  it("refuses TRUNCATE on the audit log, its heads and checkpoints, the domain events and the ledger", async () => {
    const sql = sqlClient();
    const insider = superuserSqlClient();
    try {
      for (const table of [
        "audit_log",
        "audit_heads",
        "audit_checkpoints",
        "domain_events",
        "ledger_postings",
        "ledger_entries",
        "ledger_accounts",
      ]) {
        // The app's role has no TRUNCATE; even the superuser meets the trigger while it stands.
        expect({
          table,
          app: await tryTruncate(sql, table),
          insider: await tryTruncate(insider, table),
        }).toEqual({
          table,
          app: `permission denied for table ${table}`,
          insider: `truncate refused: ${table} is append-only`,
        });
        await expect(sql.unsafe(`alter table ${table} disable trigger user`)).rejects.toThrow(
          `must be owner of table ${table}`,
        );
      }
    } finally {
      await sql.end();
      await insider.end();
    }
    expect((await call<Verify>("GET", "/v1/audit/verify")).body).toMatchObject({ ok: true });
  });

  it("reports the checkpoint it verified against, and a tail deleted with everything beside it", async () => {
    const sql = sqlClient();
    const insider = superuserSqlClient();
    const verify = async () => (await call<Verify>("GET", "/v1/audit/verify")).body;
    const planted = await plantChain(sql, 5);
    const [, , third, fourth, fifth] = planted.rows;
    let tamperedId = Number.POSITIVE_INFINITY;
    try {
      // The API's periodic checkpoint (DCE_AUDIT_CHECKPOINT_SEC in dapr.yaml) comes to cover the chain:
      // the first one whose heads name the planted chain at row 5 is the one verify reports.
      const covering = await eventually(async () => {
        const [row] = await sql<{ id: string; head: string; seq: string }[]>`
          select id, head, seq from audit_checkpoints
          where heads @> ${sql.json([{ chain: planted.chain, seq: 5, hash: fifth!.hash }])}
          order by id limit 1`;
        return row;
      }, 30_000);
      const anchored = await verify();
      expect(anchored).toMatchObject({ ok: true });
      expect(anchored.checkpoint!.id).toBeGreaterThanOrEqual(Number(covering.id));
      expect(anchored.checkpoint!.head).toMatch(/^[0-9a-f]{64}$/);
      expect(anchored.checkpoint!.seq).toBeGreaterThanOrEqual(Number(covering.seq));
      expect(anchored.checkpoint!.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

      // An insider deletes the last two rows, their events and the charge they made, and rolls the head
      // back: Postgres is consistent again, only the checkpoint still knows the chain was longer.
      await asInsider(insider, async (tx) => {
        await tx`delete from audit_log where chain = ${planted.chain} and seq > 3`;
        await tx`delete from domain_events where event_id in ${tx([fourth!.eventId, fifth!.eventId])}`;
        await tx`delete from ledger_postings where id = ${planted.postingId}`;
        await tx`update audit_heads set seq = 3, hash = ${third!.hash} where chain = ${planted.chain}`;
      });
      const tampered = await verify();
      expect(tampered.ok).toBe(false);
      expect(tampered.brokenAt).toEqual({
        chain: planted.chain,
        seq: 5,
        eventId: "",
        problem: "checkpoint_ahead",
      });
      expect(tampered.checkpoint!.id).toBeGreaterThanOrEqual(anchored.checkpoint!.id);
      // The API's next checkpoints refuse to anchor the tampered log, and say so on /metrics.
      const refusals = await eventually(async () => {
        const m = await metrics();
        return /^dce_audit_checkpoint_refused 1$/m.test(m) ? m : undefined;
      }, 30_000);
      expect(refusals).toMatch(/dce_audit_checkpoints_total\{outcome="refused"\} [1-9]/);
      expect((await verify()).brokenAt?.problem).toBe("checkpoint_ahead");
      tamperedId = tampered.checkpoint!.id;
    } finally {
      await removeChain(insider, planted);
      await sql.end();
      await insider.end();
    }
    const repaired = await verify();
    expect(repaired).toMatchObject({ ok: true });
    await eventually(async () =>
      (await metrics()).includes("dce_audit_checkpoint_refused 0") ? true : undefined,
    );
    // The operator's re-anchoring (`npm run audit:checkpoint -- --reanchor`, run by removeChain).
    expect(repaired.checkpoint!.id).toBeGreaterThan(tamperedId);
  });
});
