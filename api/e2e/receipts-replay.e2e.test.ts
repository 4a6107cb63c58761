// The admin replay through the real stack, and calls without a receipt: a call refused at the gates
// (live and after its documents expired), and a recorded price an insider altered, which the call's
// replay and the run's replay (the stack tiers' teardown gate) both report as a mismatch.
import { afterAll, describe, expect, it } from "vitest";
import { call, createSeller, offerCall, randomCaller, uniq, waitFor } from "./client.ts";
import { superuserSqlClient } from "./db-roles.ts";
import { type Body, closers, market, receipt, receiptsOf, USD } from "./receipt-market.ts";

afterAll(() => {
  for (const c of closers) c();
});

describe("auction replay and calls without a receipt", () => {
  it("a call refused at the gates has no receipt, live or expired; a buyer or seller key cannot replay", async () => {
    const seller = await createSeller({ vertical: `rc_${uniq().slice(0, 8)}` });
    const number = randomCaller();
    const dnc = await call("POST", "/v1/compliance/dnc", { body: { numbers: [number], scope: "exchange" } });
    expect(dnc.status).toBe(201);
    const refused = await offerCall<{ callId: string; status: string }>(seller, { callerNumber: number });
    expect(refused.body).toMatchObject({ status: "rejected" });
    expect(refused.body.callId).toBeTruthy();
    const r = await receipt(refused.body.callId, seller.key);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: "receipt_unavailable" });
    expect((await call("GET", `/v1/calls/${refused.body.callId}/replay`, { key: seller.key })).status).toBe(
      403,
    );
    // Expired, it answers the same from the call history.
    const archived = await waitFor(
      () => call<Body>("GET", `/v1/calls/${refused.body.callId}`, { key: seller.key }),
      (x) => x.body.archived === true,
      90_000,
    );
    expect(archived.body.archived).toBe(true);
    expect((await receipt(refused.body.callId, seller.key)).body).toMatchObject({
      code: "receipt_unavailable",
    });
    const stranger = await createSeller();
    expect((await receipt(refused.body.callId, stranger.key)).status).toBe(404);
  }, 120_000);

  it("a recorded decision the rules would not give is a mismatch, for the call and in the run's replay", async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const m = await market("first", false);
    await receiptsOf(m);
    // An insider edits the recorded price, the row guard off for the one statement (as a DBA could).
    const insider = superuserSqlClient();
    const tamper = (price: number) =>
      insider.begin(async (tx) => {
        await tx.unsafe("alter table domain_events disable trigger domain_events_append_only");
        await tx`update domain_events set data = jsonb_set(data, '{winner,priceMicros}', ${price}::text::jsonb)
          where aggregate_id = ${m.callId} and type = 'auction.closed'`;
        await tx.unsafe("alter table domain_events enable trigger domain_events_append_only");
      });
    type Run = { checkedAuctions: number; mismatches: { callId: string }[] };
    const run = () => call<Run>("GET", `/v1/admin/replay?since=${encodeURIComponent(since)}`);
    try {
      await tamper(29 * USD);
      const replay = await call<Body>("GET", `/v1/calls/${m.callId}/replay`);
      expect(replay.body).toMatchObject({
        matches: false,
        recorded: { winner: { priceMicros: 29 * USD } },
        recomputed: { winner: { buyerId: m.ids.top, priceMicros: 30 * USD } },
      });
      expect((await run()).body.mismatches.map((x) => x.callId)).toEqual([m.callId]);
    } finally {
      await tamper(30 * USD);
      await insider.end();
    }
    expect((await call<Body>("GET", `/v1/calls/${m.callId}/replay`)).body.matches).toBe(true);
    const clean = await run();
    expect(clean.body.mismatches).toEqual([]);
    expect(clean.body.checkedAuctions).toBeGreaterThanOrEqual(1);
    expect((await call("GET", "/v1/admin/replay?since=yesterday")).body).toMatchObject({
      code: "validation_failed",
    });
  }, 60_000);
});
