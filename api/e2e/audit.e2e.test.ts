// Invariant 8 through the real stack: every domain event lands in the hash-chained audit log, the
// chains verify, and a row altered directly in Postgres is reported as the break.
import { describe, expect, it } from "vitest";
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
});
