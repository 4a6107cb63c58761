// The events writer against real Postgres (a throwaway database): a batch is recorded in one go, a
// redelivered batch changes nothing, a batch's audit rows chain in order and its call snapshots keep
// the newest, and one event that can never post goes to the dead letters alone while the rest of its
// batch is recorded.
import { DaprPubSubStatusEnum as S } from "@dapr/dapr";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callSnapshot } from "../../actors/call/snapshot.ts";
import { domainEvent, eventBatch } from "../../actors/kernel/events.ts";
import { createLogger } from "../../actors/platform/logger.ts";
import { verifyAudit } from "../audit/verify.ts";
import { createDb } from "../db/client.ts";
import { auditLog, callSubjects } from "../db/compliance-schema.ts";
import { deadLetters } from "../db/dead-letter-schema.ts";
import { ledgerPostings } from "../db/ledger-schema.ts";
import { calls, domainEvents } from "../db/schema.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { deadLetterId } from "./dead-letters.ts";
import { billableEvent } from "./test-events.ts";
import { recordEvents, recordMessages } from "./writer.ts";

const logger = createLogger("writer-test", "silent");
let handle: Awaited<ReturnType<typeof throwawayDatabase>>;

beforeAll(async () => {
  handle = await throwawayDatabase("writer");
}, 60_000);
afterAll(() => handle?.drop());

const billable = billableEvent;

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

  it("a batch: audit rows chain in batch order, a repeated id counts once, the newest snapshot wins", async () => {
    const tag = `b${Date.now()}`;
    const snap = (revision: number, status: "routed" | "completed") =>
      callSnapshot({
        schema: 1,
        callId: `call_${tag}`,
        sellerId: "sel_0000000000000000000000000a",
        sellerCampaignId: "scp_0000000000000000000000000a",
        requestHash: "h",
        status,
        revision,
        caller: {},
        consent: true,
        decision: { callId: `call_${tag}`, status: "routed", buyerId: "byr_0000000000000000000000000a" },
        timeline: { offeredAt: new Date().toISOString() },
        appliedEvents: {},
      } as unknown as Parameters<typeof callSnapshot>[0]);
    const agg = { type: "call", id: `call_${tag}` } as const;
    const routed = domainEvent("call.routed", agg, "decision", Date.now(), { snapshot: snap(1, "routed") });
    const done = domainEvent("call.completed", agg, "e1", Date.now(), { snapshot: snap(3, "completed") });
    const other = Array.from({ length: 12 }, (_, i) =>
      domainEvent("buyer.created", { type: "buyer", id: `byr_${tag}${i}` }, "create", Date.now(), { i }),
    );
    // The completed snapshot (revision 3) comes before the routed one (revision 1), and one event twice.
    const batch = [done, ...other, routed, other[0]!];
    expect(await recordEvents(handle.db, logger, batch)).toEqual(batch.map(() => S.SUCCESS));
    const ids = [done.id, routed.id, ...other.map((e) => e.id)];
    const rows = await handle.db.select().from(auditLog).where(inArray(auditLog.eventId, ids));
    expect(rows).toHaveLength(14);
    const [doneRow, routedRow] = [done, routed].map((e) => rows.find((r) => r.eventId === e.id));
    expect(doneRow?.chain).toBe(routedRow?.chain); // one aggregate, one chain: in the order they came
    expect(routedRow?.seq).toBeGreaterThan(doneRow?.seq ?? Infinity);
    expect(new Set(rows.map((r) => r.chain)).size).toBeGreaterThan(1);
    expect((await verifyAudit(handle.db)).ok).toBe(true);
    const [call] = await handle.db
      .select()
      .from(calls)
      .where(eq(calls.callId, `call_${tag}`));
    expect({ revision: call?.revision, status: call?.status }).toEqual({ revision: 3, status: "completed" });
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

  it("dead-letters the one event that can never post and records the rest of its batch", async () => {
    const tag = `x${Date.now()}`;
    const unpostable = billable(`call_${tag}bad`, 10, 9, 9); // payout + margin ≠ charge
    const junk = { not: "an event", tag };
    const batch = [billable(`call_${tag}1`, 10, 7, 3), unpostable, junk, billable(`call_${tag}2`, 5, 5, 0)];
    // Acknowledged: the two poison payloads are kept in dead_letters, not dropped.
    expect(await recordEvents(handle.db, logger, batch)).toEqual([
      S.SUCCESS,
      S.SUCCESS,
      S.SUCCESS,
      S.SUCCESS,
    ]);
    const bad = await handle.db.select().from(domainEvents).where(eq(domainEvents.eventId, unpostable.id));
    expect(bad).toHaveLength(0); // its transaction rolled back whole
    const charges = await handle.db
      .select()
      .from(ledgerPostings)
      .where(inArray(ledgerPostings.reference, [`call_${tag}1`, `call_${tag}2`, `call_${tag}bad`]));
    expect(charges.map((p) => p.reference).sort()).toEqual([`call_${tag}1`, `call_${tag}2`]);
    const kept = await handle.db
      .select()
      .from(deadLetters)
      .where(inArray(deadLetters.id, [deadLetterId(unpostable), deadLetterId(junk)]));
    expect(kept.map((r) => [r.eventId, r.errorClass, JSON.parse(r.payload)]).sort()).toEqual(
      [
        [unpostable.id, "RangeError", unpostable],
        [null, "MalformedEvent", junk],
      ].sort(),
    );
  });

  it("one command's events as one message: recorded each, the message acknowledged for them all", async () => {
    const tag = `m${Date.now()}`;
    const [a, b, c, d] = [1, 2, 3, 4].map((i) => billable(`call_${tag}${i}`, 10, 7, 3));
    const junk = { not: "an event", tag };
    const unpostable = billable(`call_${tag}bad`, 10, 9, 9);
    const messages = [eventBatch([a!, b!]), c, eventBatch([d!, unpostable]), eventBatch([junk as never])];
    const all = [S.SUCCESS, S.SUCCESS, S.SUCCESS, S.SUCCESS];
    expect(await recordMessages(handle.db, logger, messages)).toEqual(all);
    expect(await recordMessages(handle.db, logger, messages)).toEqual(all); // redelivered: nothing new
    const ids = [a, b, c, d, unpostable].map((e) => e!.id);
    const rows = await handle.db.select().from(domainEvents).where(inArray(domainEvents.eventId, ids));
    expect(rows.map((r) => r.eventId).sort()).toEqual([a, b, c, d].map((e) => e!.id).sort());
    // The two poison payloads inside batches are kept as dead letters, each on its own.
    const kept = await handle.db
      .select()
      .from(deadLetters)
      .where(inArray(deadLetters.id, [deadLetterId(unpostable), deadLetterId(junk)]));
    expect(kept).toHaveLength(2);
  });

  it("a message is retried whole when any of its events could not be recorded", async () => {
    const down = createDb("postgres://dce:dce@127.0.0.1:1/none", 1);
    try {
      const tag = `r${Date.now()}`;
      const batch = eventBatch([billable(`call_${tag}1`, 10, 7, 3), billable(`call_${tag}2`, 10, 7, 3)]);
      expect(await recordMessages(down.db, logger, [batch, billable(`call_${tag}3`, 5, 5, 0)])).toEqual([
        S.RETRY,
        S.RETRY,
      ]);
    } finally {
      await down.sql.end({ timeout: 1 });
    }
  });

  it("projects each offered call's caller hash from call_subjects, in one statement per batch", async () => {
    const tag = `h${Date.now()}`;
    const snapOf = (callId: string) =>
      callSnapshot({
        schema: 1,
        callId,
        sellerId: "sel_0000000000000000000000000a",
        sellerCampaignId: "scp_0000000000000000000000000a",
        requestHash: "h",
        status: "routed",
        revision: 1,
        caller: {},
        consent: true,
        decision: { callId, status: "routed", buyerId: "byr_0000000000000000000000000a" },
        timeline: { offeredAt: new Date().toISOString() },
        appliedEvents: {},
      } as unknown as Parameters<typeof callSnapshot>[0]);
    const offered = (callId: string, extra: Record<string, unknown> = {}) =>
      domainEvent("call.offered", { type: "call", id: callId }, "offer", Date.now(), {
        ...extra,
        snapshot: snapOf(callId),
      });
    const [a, b, none, legacy] = ["a", "b", "none", "legacy"].map((k) => `call_${tag}${k}`) as [
      string,
      string,
      string,
      string,
    ];
    await handle.db.insert(callSubjects).values([
      { callId: a, callerHash: `ph_${tag}a`, recordedAt: new Date().toISOString() },
      { callId: b, callerHash: `ph_${tag}b`, recordedAt: new Date().toISOString() },
    ]);
    const queries: string[] = [];
    const counted = createDb(handle.url, 1, (q) => queries.push(q));
    try {
      const batch = [offered(a), offered(b), offered(none), offered(legacy, { callerHash: `ph_${tag}old` })];
      expect(await recordMessages(counted.db, logger, [eventBatch(batch)])).toEqual([S.SUCCESS]);
    } finally {
      await counted.sql.end({ timeout: 1 });
    }
    const rows = await handle.db
      .select({ callId: calls.callId, callerHash: calls.callerHash })
      .from(calls)
      .where(inArray(calls.callId, [a, b, none, legacy]));
    expect(Object.fromEntries(rows.map((r) => [r.callId, r.callerHash]))).toEqual({
      [a]: `ph_${tag}a`,
      [b]: `ph_${tag}b`,
      [none]: null,
      [legacy]: `ph_${tag}old`,
    });
    // One update for the batch's three new-style offers, one for the legacy event's own hash.
    expect(queries.filter((q) => /^update "calls" set "caller_hash"/i.test(q.trim()))).toHaveLength(2);
  });
});
