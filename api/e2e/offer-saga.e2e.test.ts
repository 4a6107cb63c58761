// The offer's saga through the stack: a failure after a buyer reserved (injected at a test-only fault
// point in the call actor, between the auction's reservation and the call's save) releases the hold
// in the failed attempt's own turn, and a retry with the same key routes the call afresh, holding it.
import { afterAll, describe, expect, it } from "vitest";
import { armCrash, disarmCrash, firedCrash } from "../../actors/platform/crash-points.ts";
import { callIdOf, sql } from "./chaos.ts";
import { call, offerCall, randomCaller, uniq, waitFor } from "./client.ts";
import { freshMarket } from "./market.ts";
import { CRASH_DIR } from "./stack.ts";

const PRICE = 20_000_000;
const reserved = async (buyerId: string) =>
  (await call<{ reservedMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`)).body.reservedMicros;

afterAll(() => sql.end());

describe("offer saga", () => {
  it("a failure after the buyer reserved releases the hold at once; the retry routes", async () => {
    const { buyerId, seller } = await freshMarket({
      deposit: 1_000_000_000,
      // One call at a time: a hold left behind would refuse every later offer.
      buyer: { bidMicros: PRICE, caps: { concurrency: 1 } },
      seller: { reserveMicros: 1_000_000, routingTtlSec: 600 },
    });
    const idem = uniq();
    const callId = callIdOf(seller.sellerId, idem);
    armCrash(CRASH_DIR, "call.fail_after_reserve_before_save", callId);
    const body = {
      sellerCampaignId: seller.sellerCampaignId,
      callerNumber: randomCaller(),
      callerState: "FL",
    };
    const first = await call<{ status: string }>("POST", "/v1/calls", {
      key: seller.key,
      idempotencyKey: idem,
      body,
    });
    expect(firedCrash(CRASH_DIR, "call.fail_after_reserve_before_save")?.subjects).toEqual([callId]);
    // The failed attempt released its hold in its own turn, before it answered: the buyer recorded the
    // release (the sidecar's retry, or the seller's, then reserved the call afresh).
    const released = await waitFor(
      () => sql<{ outcome: string }[]>`select data->>'outcome' as outcome from domain_events
        where type = 'buyer.released' and aggregate_id = ${buyerId} and data->>'callId' = ${callId}`,
      (rows) => rows.length > 0,
    );
    expect(released.map((r) => r.outcome)).toEqual(["failed"]);
    const final =
      first.status === 201
        ? first
        : await call<{ status: string }>("POST", "/v1/calls", {
            key: seller.key,
            idempotencyKey: idem,
            body,
          });
    expect(final.status).toBe(201);
    expect(final.body).toMatchObject({ callId, status: "routed", buyerId });
    // One hold, the routed call's: none left over from the failed attempt, none missing.
    expect(await reserved(buyerId)).toBe(PRICE);
  }, 60_000);

  it("an offer whose save happened but whose answer was lost keeps the saved call's hold", async () => {
    const { buyerId, seller } = await freshMarket({
      deposit: 1_000_000_000,
      buyer: { bidMicros: PRICE, caps: { concurrency: 5 } },
      seller: { reserveMicros: 1_000_000, routingTtlSec: 600 },
    });
    const idem = uniq();
    const callId = callIdOf(seller.sellerId, idem);
    // As when Redis is killed after writing the call: the save happened, the offer throws after it.
    armCrash(CRASH_DIR, "call.fail_after_save", callId);
    const body = {
      sellerCampaignId: seller.sellerCampaignId,
      callerNumber: randomCaller(),
      callerState: "FL",
    };
    const offer = () =>
      call<{ status: string }>("POST", "/v1/calls", { key: seller.key, idempotencyKey: idem, body });
    const first = await offer();
    expect(firedCrash(CRASH_DIR, "call.fail_after_save")?.subjects).toEqual([callId]);
    const final = first.status === 201 ? first : await offer();
    expect(final.body).toMatchObject({ callId, status: "routed", buyerId });
    // The saved call still holds its buyer (on main the failed attempt's saga released it, so the
    // call stayed routed with nothing held, and its completion could never capture).
    expect(await reserved(buyerId)).toBe(PRICE);
    for (const ev of [{ type: "connected" }, { type: "completed", durationSec: 95 }]) {
      const r = await call("POST", `/v1/calls/${callId}/events`, {
        key: seller.key,
        idempotencyKey: `${idem}-${ev.type}`,
        body: ev,
      });
      expect(r.status).toBe(200);
    }
    const charges = await waitFor(
      () => sql<{ n: number }[]>`select count(*)::int as n from ledger_postings
        where kind = 'charge' and reference = ${callId}`,
      (rows) => rows[0]?.n === 1,
    );
    expect(charges[0]?.n).toBe(1);
    expect(await reserved(buyerId)).toBe(0);
  }, 60_000);

  it("an offer that fails for good gives its capped seller campaign's slot back, and the buyer's hold", async () => {
    const { buyerId, seller } = await freshMarket({
      deposit: 1_000_000_000,
      buyer: { bidMicros: PRICE },
      // One call an hour: a slot kept by an offer that failed would refuse the next one.
      seller: { reserveMicros: 1_000_000, caps: { hourly: 1 } },
    });
    const idem = uniq();
    const callId = callIdOf(seller.sellerId, idem);
    // Failing on every pass the sidecar's retries make: the seller gets an error, and never retries.
    armCrash(CRASH_DIR, "call.fail_after_reserve_before_save", callId, 5);
    try {
      const failed = await call("POST", "/v1/calls", {
        key: seller.key,
        idempotencyKey: idem,
        body: { sellerCampaignId: seller.sellerCampaignId, callerNumber: randomCaller(), callerState: "FL" },
      });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      disarmCrash(CRASH_DIR, "call.fail_after_reserve_before_save");
    }
    expect(await reserved(buyerId)).toBe(0);
    const next = await offerCall<{ status: string; buyerId?: string }>(seller);
    expect(next.status).toBe(201);
    expect(next.body).toMatchObject({ status: "routed", buyerId });
    // The slot is taken again now: the hourly cap holds.
    const third = await offerCall<{ status: string; reason?: { code: string } }>(seller);
    expect(third.body).toMatchObject({ status: "rejected", reason: { code: "seller_cap_reached" } });
  }, 60_000);
});
