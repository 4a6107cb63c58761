// Dead letters against real Postgres (a throwaway database): a poison event is kept with its error
// and acknowledged, an outage is never dead-lettered (RETRY), a dead letter Postgres cannot take
// answers RETRY, and a replay after the fix records the event exactly once and resolves the row.
import { DaprPubSubStatusEnum as S } from "@dapr/dapr";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { capturingLogger } from "../../actors/platform/test-logger.ts";
import { createDb } from "../db/client.ts";
import { deadLetters } from "../db/dead-letter-schema.ts";
import { ledgerPostings } from "../db/ledger-schema.ts";
import { domainEvents } from "../db/schema.ts";
import { throwawayDatabase } from "../db/test-database.ts";
import { deadLetterCounts, deadLetterId, discardDeadLetter } from "./dead-letters.ts";
import { replayDeadLetter } from "./replay.ts";
import { billableEvent } from "./test-events.ts";
import { recordEvents } from "./writer.ts";

const { logger, lines } = capturingLogger();
let handle: Awaited<ReturnType<typeof throwawayDatabase>>;

beforeAll(async () => {
  handle = await throwawayDatabase("deadletters");
}, 60_000);
afterAll(() => handle?.drop());

// The caller hint stands for whatever personal data an event carries.
const billable = (callId: string, charged: number, payout: number, margin: number) =>
  billableEvent(callId, charged, payout, margin, { callerHint: "+13055550123" });
const row = async (id: string) =>
  (await handle.db.select().from(deadLetters).where(eq(deadLetters.id, id)))[0];
const charges = (callId: string) =>
  handle.db.select().from(ledgerPostings).where(eq(ledgerPostings.reference, callId));
const recorded = (eventId: string) =>
  handle.db.select().from(domainEvents).where(eq(domainEvents.eventId, eventId));

describe("dead letters", () => {
  it("keeps a poison event with its error, counts each redelivery, and logs an alert without PII", async () => {
    const e = billable(`call_p${Date.now()}`, 10, 9, 9); // payout + margin ≠ charge: a RangeError
    expect(await recordEvents(handle.db, logger, [e])).toEqual([S.SUCCESS]);
    expect(await recordEvents(handle.db, logger, [e])).toEqual([S.SUCCESS]); // redelivered
    const r = await row(deadLetterId(e));
    expect(r).toMatchObject({
      eventId: e.id,
      eventType: "call.billable",
      errorClass: "RangeError",
      sqlstate: null,
      attempts: 2,
      resolvedAt: null,
    });
    expect(JSON.parse(r!.payload)).toEqual(e); // as received
    expect(r!.errorMessage).toContain("≠ charge");
    expect(await recorded(e.id)).toHaveLength(0);
    const alert = lines.filter((l) => l.msg === "events.dead_lettered" && l.eventId === e.id);
    expect(alert.map((l) => [l.level, l.type, l.errorClass, l.attempts])).toEqual([
      [50, "call.billable", "RangeError", 1],
      [50, "call.billable", "RangeError", 2],
    ]);
    expect(JSON.stringify(alert)).not.toContain("5550123");
  });

  it("keeps a constraint violation (23514) and, after the fix, replays it once: recorded, resolved", async () => {
    const callId = `call_c${Date.now()}`;
    const e = billable(callId, 30, 20, 10);
    // A guard too strict for live data (as a bad migration would add): every charge of this call fails.
    await handle.owner.unsafe(
      `alter table ledger_postings add constraint it_guard check (reference <> '${callId}') not valid`,
    );
    expect(await recordEvents(handle.db, logger, [e])).toEqual([S.SUCCESS]);
    const id = deadLetterId(e);
    expect(await row(id)).toMatchObject({ sqlstate: "23514", errorClass: "PostgresError", attempts: 1 });
    const failed = await replayDeadLetter(handle.db, logger, id); // not fixed yet
    expect(failed.outcome).toBe("failed");
    expect(await row(id)).toMatchObject({ attempts: 2, resolvedAt: null });
    expect((await deadLetterCounts(handle.db)).unresolved).toBeGreaterThanOrEqual(1);

    await handle.owner.unsafe("alter table ledger_postings drop constraint it_guard"); // the fix
    expect((await replayDeadLetter(handle.db, logger, id)).outcome).toBe("replayed");
    expect(await row(id)).toMatchObject({ resolution: "replayed" });
    expect((await row(id))?.resolvedAt).not.toBeNull();
    expect(await recorded(e.id)).toHaveLength(1);
    expect(await charges(callId)).toHaveLength(1);
    // Replayed again, and the event delivered again: still one event, one charge.
    expect((await replayDeadLetter(handle.db, logger, id)).outcome).toBe("already_resolved");
    expect(await recordEvents(handle.db, logger, [e])).toEqual([S.SUCCESS]);
    expect(await recorded(e.id)).toHaveLength(1);
    expect(await charges(callId)).toHaveLength(1);
  });

  it("a replay of an event a redelivery already recorded resolves it as already recorded, no second charge", async () => {
    const callId = `call_r${Date.now()}`;
    const e = billable(callId, 30, 20, 10);
    await handle.owner.unsafe(
      `alter table ledger_postings add constraint it_guard2 check (reference <> '${callId}') not valid`,
    );
    expect(await recordEvents(handle.db, logger, [e])).toEqual([S.SUCCESS]);
    await handle.owner.unsafe("alter table ledger_postings drop constraint it_guard2");
    expect(await recordEvents(handle.db, logger, [e])).toEqual([S.SUCCESS]); // redelivered after the fix
    expect((await replayDeadLetter(handle.db, logger, deadLetterId(e))).outcome).toBe("already_recorded");
    expect(await row(deadLetterId(e))).toMatchObject({ resolution: "already_recorded" });
    expect(await charges(callId)).toHaveLength(1);
  });

  it("a malformed payload is kept as received; a discard resolves it and keeps it, a new failure reopens it", async () => {
    const junk = { id: `evt_junk_${Date.now()}`, type: "junk.sent", note: "bad\u0000text \ud800" };
    expect(await recordEvents(handle.db, logger, [junk])).toEqual([S.SUCCESS]);
    const id = deadLetterId(junk);
    const kept = await row(id);
    expect(kept).toMatchObject({ errorClass: "MalformedEvent", eventId: junk.id, eventType: "junk.sent" });
    expect(JSON.parse(kept!.payload)).toEqual(junk); // a NUL and a lone surrogate survive, as received
    expect((await replayDeadLetter(handle.db, logger, id)).outcome).toBe("failed");
    expect((await discardDeadLetter(handle.db, id, "a test publish"))?.resolution).toBe("discarded");
    expect(await discardDeadLetter(handle.db, id, "again")).toBeUndefined(); // already resolved
    expect(await row(id)).toMatchObject({ resolution: "discarded", resolutionNote: "a test publish" });
    expect((await replayDeadLetter(handle.db, logger, id)).outcome).toBe("already_resolved");
    expect(await recordEvents(handle.db, logger, [junk])).toEqual([S.SUCCESS]); // delivered once more
    expect(await row(id)).toMatchObject({ resolvedAt: null, resolution: null, resolutionNote: null });
  });

  it("keeps an event nested too deep to serialize (a stack overflow) instead of retrying it forever", async () => {
    const depth = 200_000;
    const id = `evt_deep_${Date.now()}`;
    const text = `{"id":"${id}","type":"junk.deep","occurredAt":"2026-01-01T00:00:00.000Z","aggregate":{"type":"x","id":"y"},"data":{"d":${"[".repeat(depth)}${"]".repeat(depth)}}}`;
    const deep = JSON.parse(text);
    expect(await recordEvents(handle.db, logger, [deep])).toEqual([S.SUCCESS]);
    const kept = await row(deadLetterId(deep));
    expect(kept).toMatchObject({ eventId: id, errorClass: "RangeError" });
    expect(kept?.payload).toBe(text);
  });

  it("an outage is never dead-lettered: Postgres refusing connections answers RETRY", async () => {
    const down = createDb("postgres://dce:dce@127.0.0.1:9/dce", 1); // nothing listens on port 9
    try {
      const e = billable(`call_o${Date.now()}`, 10, 9, 9); // even a poison event: it cannot be kept
      const junk = { not: "an event", at: Date.now() };
      expect(await recordEvents(down.db, logger, [e, junk])).toEqual([S.RETRY, S.RETRY]);
      expect(await row(deadLetterId(e))).toBeUndefined();
      expect(await row(deadLetterId(junk))).toBeUndefined();
    } finally {
      await down.sql.end({ timeout: 1 });
    }
  });

  it("an outage is never dead-lettered: too many connections (53300) answers RETRY", async () => {
    const name = new URL(handle.url).pathname.slice(1);
    await handle.owner.unsafe(`alter database "${name}" connection limit 0`); // every new session refused
    const full = createDb(handle.url, 1);
    try {
      const e = billable(`call_f${Date.now()}`, 10, 9, 9); // poison, but it cannot even be kept
      expect(await recordEvents(full.db, logger, [e])).toEqual([S.RETRY]);
      const err = await full.sql`select 1`.catch((x: unknown) => x);
      expect((err as { code?: string }).code).toBe("53300");
      expect(await row(deadLetterId(e))).toBeUndefined();
    } finally {
      await full.sql.end({ timeout: 1 });
      await handle.owner.unsafe(`alter database "${name}" connection limit -1`);
    }
  });
});
