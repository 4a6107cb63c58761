// The events writer against real Postgres (a throwaway database): a batch is recorded in one go, a
// redelivered batch changes nothing, and one event that can never post is dropped alone while the
// rest of its batch is recorded.
import { DaprPubSubStatusEnum as S } from "@dapr/dapr";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainEvent } from "../../actors/kernel/events.ts";
import { createLogger } from "../../actors/runtime/logger.ts";
import { ledgerPostings } from "../db/ledger-schema.ts";
import { domainEvents } from "../db/schema.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { recordEvents } from "./writer.ts";

const logger = createLogger("writer-test", "silent");
let handle: Awaited<ReturnType<typeof throwawayDatabase>>;

beforeAll(async () => {
  handle = await throwawayDatabase("writer");
}, 60_000);
afterAll(() => handle?.drop());

const billable = (callId: string, charged: number, payout: number, margin: number) =>
  domainEvent("call.billable", { type: "call", id: callId }, `done-${callId}`, Date.now(), {
    callId,
    buyerId: "byr_0000000000000000000000000a",
    buyerCampaignId: "bcp_0000000000000000000000000a",
    sellerId: "sel_0000000000000000000000000a",
    sellerCampaignId: "scp_0000000000000000000000000a",
    durationSec: 90,
    chargedMicros: charged,
    payoutMicros: payout,
    marginMicros: margin,
  });

describe("events writer", () => {
  it("records a batch once; a redelivery of it changes nothing", async () => {
    const tag = `w${Date.now()}`;
    const batch = [billable(`call_${tag}1`, 10, 7, 3), billable(`call_${tag}2`, 20, 15, 5)];
    expect(await recordEvents(handle.db, logger, batch)).toEqual([S.SUCCESS, S.SUCCESS]);
    expect(await recordEvents(handle.db, logger, batch)).toEqual([S.SUCCESS, S.SUCCESS]);
    const ids = batch.map((e) => e.id);
    expect(
      await handle.db.select().from(domainEvents).where(inArray(domainEvents.eventId, ids)),
    ).toHaveLength(2);
    const charges = await handle.db
      .select()
      .from(ledgerPostings)
      .where(inArray(ledgerPostings.reference, [`call_${tag}1`, `call_${tag}2`]));
    expect(charges.map((p) => p.kind)).toEqual(["charge", "charge"]);
  });

  it("records an event whose text Postgres cannot hold (a NUL, a lone surrogate) with it replaced", async () => {
    const tag = `n${Date.now()}`;
    const odd = domainEvent(
      "buyer.campaign_upserted",
      { type: "buyer", id: `byr_${tag}` },
      "c1",
      Date.now(),
      {
        name: "bad\u0000name \ud800",
      },
    );
    const batch = [billable(`call_${tag}1`, 10, 7, 3), odd];
    expect(await recordEvents(handle.db, logger, batch)).toEqual([S.SUCCESS, S.SUCCESS]);
    const [row] = await handle.db.select().from(domainEvents).where(eq(domainEvents.eventId, odd.id));
    expect(row?.data).toEqual({ name: "bad\uFFFDname \uFFFD" });
  });

  it("drops the one event that can never post and records the rest of its batch", async () => {
    const tag = `x${Date.now()}`;
    const unpostable = billable(`call_${tag}bad`, 10, 9, 9); // payout + margin ≠ charge
    const batch = [
      billable(`call_${tag}1`, 10, 7, 3),
      unpostable,
      { not: "an event" },
      billable(`call_${tag}2`, 5, 5, 0),
    ];
    expect(await recordEvents(handle.db, logger, batch)).toEqual([S.SUCCESS, S.DROP, S.DROP, S.SUCCESS]);
    const bad = await handle.db.select().from(domainEvents).where(eq(domainEvents.eventId, unpostable.id));
    expect(bad).toHaveLength(0); // its transaction rolled back whole
    const charges = await handle.db
      .select()
      .from(ledgerPostings)
      .where(inArray(ledgerPostings.reference, [`call_${tag}1`, `call_${tag}2`, `call_${tag}bad`]));
    expect(charges.map((p) => p.reference).sort()).toEqual([`call_${tag}1`, `call_${tag}2`]);
  });
});
