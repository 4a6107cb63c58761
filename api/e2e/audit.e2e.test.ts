// Invariant 8 through the real stack: every domain event lands in the hash-chained audit log, the
// chains verify, and tampering in Postgres is reported by GET /v1/audit/verify (an altered row, a
// deleted tail, a head rolled back over it) or refused (TRUNCATE, moving a head by hand).
import { describe, expect, it } from "vitest";
import { asInsider, plantChain, removeChain, tryTruncate, uncoveredAt } from "./audit-tamper.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller } from "./client.ts";
import { complete, eventually, offer, sqlClient, vertical } from "./compliance-helpers.ts";

type Verify = {
  ok: boolean;
  rows: number;
  brokenAt?: { chain: number; seq: number; eventId: string; problem: string };
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
    const alter = (type: string) =>
      sql.begin(async (tx) => {
        // The append-only trigger refuses changes: an insider has to disable it on purpose first.
        await tx`alter table audit_log disable trigger audit_log_append_only`;
        await tx`update audit_log set type = ${type} where event_id = ${target.eventId}`;
        await tx`alter table audit_log enable trigger audit_log_append_only`;
      });
    try {
      await expect(sql`update audit_log set type = 'x' where event_id = ${target.eventId}`).rejects.toThrow(
        /append-only/,
      );
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
    }
    expect((await call<Verify>("GET", "/v1/audit/verify")).body.ok).toBe(true);
  });

  it("detects a deleted tail, and the tail's events when the head is rolled back over it", async () => {
    const sql = sqlClient();
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
      await expect(sql`delete from audit_heads where chain = ${planted.chain}`).rejects.toThrow(refused);
      await expect(
        sql`insert into audit_heads (chain, seq, hash) values (${planted.chain + 1}, 2, ${third!.hash})`,
      ).rejects.toThrow(/must start at genesis/);
      await expect(sql`delete from domain_events where event_id = ${fifth!.eventId}`).rejects.toThrow(
        /never deleted/,
      );

      // An insider deletes an event whose audit row stays: the row no longer has its event.
      const first = planted.rows[0]!;
      await asInsider(sql, (tx) => tx`delete from domain_events where event_id = ${first.eventId}`);
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
        sql,
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
      await asInsider(sql, (tx) => tx`delete from audit_log where chain = ${planted.chain} and seq > 3`);
      expect((await verify()).brokenAt).toEqual({
        chain: planted.chain,
        seq: 5,
        eventId: "",
        problem: "head_mismatch",
      });
      // ...and rolls the head back to row 3, so the chain itself verifies: the events stay uncovered.
      await asInsider(
        sql,
        (tx) => tx`update audit_heads set seq = 3, hash = ${third!.hash} where chain = ${planted.chain}`,
      );
      const rolledBack = await verify();
      expect(rolledBack.ok).toBe(false);
      expect(rolledBack.brokenAt).toMatchObject({ ...uncoveredAt(planted), problem: "event_unaudited" });
      expect([fourth!.eventId, fifth!.eventId]).toContain(rolledBack.brokenAt?.eventId);

      // ...and deletes those events too: the ledger still holds what the last one posted. (Deleting
      // that as well leaves nothing in Postgres to compare with: issue 14 anchors heads outside it.)
      await asInsider(
        sql,
        (tx) => tx`delete from domain_events where event_id in ${sql([fourth!.eventId, fifth!.eventId])}`,
      );
      expect((await verify()).brokenAt).toEqual({
        ...uncoveredAt(planted),
        eventId: fifth!.eventId,
        problem: "posting_unaudited",
      });
    } finally {
      await removeChain(sql, planted);
      await sql.end();
    }
    expect(await verify()).toMatchObject({ ok: true });
  });

  it("refuses TRUNCATE on the audit log, its heads, the domain events and the ledger", async () => {
    const sql = sqlClient();
    try {
      for (const table of [
        "audit_log",
        "audit_heads",
        "domain_events",
        "ledger_postings",
        "ledger_entries",
        "ledger_accounts",
      ]) {
        expect({ table, outcome: await tryTruncate(sql, table) }).toEqual({
          table,
          outcome: `truncate refused: ${table} is append-only`,
        });
      }
    } finally {
      await sql.end();
    }
    expect((await call<Verify>("GET", "/v1/audit/verify")).body).toMatchObject({ ok: true });
  });
});
