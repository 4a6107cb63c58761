// Holds that end, through the real stack: a call its seller reports connected and then never ends is
// ended by the exchange at its seller campaign's maximum call duration: the buyer's reservation and
// concurrency slot come back, the call is expired unbilled with its reason (recorded, shown to both
// parties), and a late `completed` is refused with a stable code, never billed, never released twice.
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { SWEEP_SET } from "../../actors/call/sweeper.ts";
import { resweepHolds } from "../../scripts/holds-resweep.ts";
import { sleep, sql } from "./chaos.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, offerCall, uniq, waitFor } from "./client.ts";

const PRICE = 20_000_000;
const DEPOSIT = 1_000_000_000;

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
afterAll(async () => {
  redis.disconnect();
  await sql.end();
});

async function keyFor(accountId: string, role: "buyer" | "seller") {
  const res = await call<{ key: string }>("POST", "/v1/api-keys", { body: { accountId, role } });
  expect(res.status).toBe(201);
  return res.body.key;
}

type CallBody = {
  status: string;
  endReason?: string | null;
  billable?: boolean | null;
  chargedMicros?: number | null;
  code?: string;
};

describe("holds that end", () => {
  it("a call connected then silent ends at its maximum duration: hold released, unbilled, late completed refused", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer(DEPOSIT);
    // One call at a time: while the silent call holds the slot, nothing else is routed to this buyer.
    await createBuyerCampaign(buyerId, { vertical, bidMicros: PRICE, caps: { concurrency: 1 } });
    const seller = await createSeller({
      vertical,
      reserveMicros: 1_000_000,
      routingTtlSec: 600,
      maxCallDurationSec: 5,
    });
    const campaign = await call<{ maxCallDurationSec: number }>(
      "GET",
      `/v1/sellers/${seller.sellerId}/campaigns/${seller.sellerCampaignId}`,
      { key: seller.key },
    );
    expect(campaign.body.maxCallDurationSec).toBe(5);

    const first = await offerCall<{ callId: string; status: string }>(seller);
    expect(first.body.status).toBe("routed");
    const callId = first.body.callId;
    const event = (body: Record<string, unknown>) =>
      call<CallBody>("POST", `/v1/calls/${callId}/events`, { key: seller.key, body, idempotencyKey: uniq() });
    expect((await event({ type: "connected" })).body.status).toBe("connected");
    // The hold is real: a second call finds the buyer's only slot taken.
    expect((await offerCall<{ status: string }>(seller)).body.status).toBe("no_bid");

    const ended = await waitFor(
      () => call<CallBody>("GET", `/v1/calls/${callId}`, { key: seller.key }),
      (r) => r.body.status !== "connected",
      60_000,
    );
    expect(ended.body).toMatchObject({
      status: "expired",
      endReason: "max_duration_exceeded",
      billable: false,
      chargedMicros: 0,
    });
    const balance = await call<{ balanceMicros: number; reservedMicros: number }>(
      "GET",
      `/v1/buyers/${buyerId}/balance`,
    );
    expect(balance.body).toMatchObject({ balanceMicros: DEPOSIT, reservedMicros: 0 });
    // The slot is back: the next call is routed to the same concurrency-1 buyer.
    const next = await offerCall<{ status: string; buyerId: string }>(seller);
    expect(next.body).toMatchObject({ status: "routed", buyerId });

    // A late completion is refused with its own code, as problem+json, and changes nothing.
    const late = await event({ type: "completed", durationSec: 900 });
    expect(late.status).toBe(409);
    expect(late.headers.get("content-type")).toContain("application/problem+json");
    expect(late.body.code).toBe("max_duration_exceeded");
    expect((await event({ type: "failed", reason: "no_answer" })).body.code).toBe("max_duration_exceeded");

    // Recorded as a domain event with its reason; the buyer released the hold once, with that outcome.
    const expired = await waitFor(
      () => sql<{ reason: string; max: number }[]>`select data->>'reason' as reason,
        (data->>'maxCallDurationSec')::int as max from domain_events
        where type = 'call.expired' and aggregate_id = ${callId}`,
      (rows) => rows.length > 0,
    );
    expect(expired).toEqual([{ reason: "max_duration_exceeded", max: 5 }]);
    const released = await waitFor(
      () => sql<{ outcome: string }[]>`select data->>'outcome' as outcome from domain_events
        where type = 'buyer.released' and aggregate_id = ${buyerId} and data->>'callId' = ${callId}`,
      (rows) => rows.length > 0,
    );
    expect(released.map((r) => r.outcome)).toEqual(["max_duration_exceeded"]);

    // Both parties see why in the calls read model.
    const buyerKey = await keyFor(buyerId, "buyer");
    for (const key of [seller.key, buyerKey]) {
      const list = await waitFor(
        () =>
          call<{ items: { callId: string; status: string; reasonCode: string | null }[] }>(
            "GET",
            "/v1/calls?status=expired",
            { key },
          ),
        (r) => r.body.items?.some((i) => i.callId === callId) ?? false,
      );
      expect(list.body.items.find((i) => i.callId === callId)).toMatchObject({
        status: "expired",
        reasonCode: "max_duration_exceeded",
      });
    }

    // Never billed: no charge posting, no billable event, and still one release (none by the late events).
    const charges = await sql`select 1 from ledger_postings where kind = 'charge' and reference = ${callId}`;
    expect(charges).toHaveLength(0);
    const after = await sql<{ type: string; n: number }[]>`select type, count(*)::int as n from domain_events
      where (aggregate_id = ${callId} or data->>'callId' = ${callId})
        and type in ('call.billable', 'call.completed', 'buyer.released', 'buyer.captured')
      group by type`;
    expect(after).toEqual([{ type: "buyer.released", n: 1 }]);
  }, 120_000);

  it("a completed past the maximum, before the sweeper's visit, ends the call and is refused all the same", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer(DEPOSIT);
    await createBuyerCampaign(buyerId, { vertical, bidMicros: PRICE, caps: { concurrency: 1 } });
    const seller = await createSeller({ vertical, reserveMicros: 1_000_000, maxCallDurationSec: 5 });
    const { callId } = (await offerCall<{ callId: string }>(seller)).body;
    const post = (body: Record<string, unknown>) =>
      call<CallBody>("POST", `/v1/calls/${callId}/events`, { key: seller.key, body });
    expect((await post({ type: "connected" })).body.status).toBe("connected");
    // The sweeper will not come (its entry is gone): only the event itself can notice the deadline.
    expect(await redis.zrem(SWEEP_SET, callId)).toBe(1);
    await sleep(6_000);
    const late = await post({ type: "completed", durationSec: 600 });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe("max_duration_exceeded");
    const after = await call<CallBody>("GET", `/v1/calls/${callId}`, { key: seller.key });
    expect(after.body).toMatchObject({
      status: "expired",
      endReason: "max_duration_exceeded",
      billable: false,
    });
    expect(
      (await call<{ reservedMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`)).body,
    ).toMatchObject({
      balanceMicros: DEPOSIT,
      reservedMicros: 0,
    });
  }, 120_000);

  it("a holding call whose sweep entry is gone never ends until the repair puts it back", async () => {
    const vertical = `v_${uniq().slice(0, 8)}`;
    const buyerId = await createBuyer(DEPOSIT);
    await createBuyerCampaign(buyerId, { vertical, bidMicros: PRICE, caps: { concurrency: 1 } });
    const seller = await createSeller({ vertical, reserveMicros: 1_000_000, maxCallDurationSec: 5 });
    const { callId } = (await offerCall<{ callId: string }>(seller)).body;
    const ringing = await call<CallBody>("POST", `/v1/calls/${callId}/events`, {
      key: seller.key,
      body: { type: "ringing" },
    });
    expect(ringing.body.status).toBe("ringing");
    // As a call live before this was deployed, or an entry a Redis crash lost: nothing will visit it.
    expect(await redis.zrem(SWEEP_SET, callId)).toBe(1);
    await waitFor(
      () => sql<{ status: string }[]>`select status from calls where call_id = ${callId}`,
      (rows) => rows[0]?.status === "ringing",
    );
    await sleep(7_000); // past its 5 s maximum: without an entry it stays ringing
    const stuck = await call<CallBody>("GET", `/v1/calls/${callId}`, { key: seller.key });
    expect(stuck.body.status).toBe("ringing");

    const repaired = await resweepHolds(sql, redis, Date.now());
    expect(repaired.added).toBeGreaterThanOrEqual(1);
    const ended = await waitFor(
      () => call<CallBody>("GET", `/v1/calls/${callId}`, { key: seller.key }),
      (r) => r.body.status !== "ringing",
      60_000,
    );
    expect(ended.body).toMatchObject({ status: "expired", endReason: "max_duration_exceeded" });
    expect(
      (await call<{ reservedMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`)).body.reservedMicros,
    ).toBe(0);
  }, 120_000);
});
