// Writes domain events to Postgres exactly once per event id; answers what the broker should do.
import { DaprPubSubStatusEnum } from "@dapr/dapr";
import { sql } from "drizzle-orm";
import type { CallSnapshot } from "../../actors/call/snapshot.ts";
import { type DomainEvent, unbatch, uniqueById } from "../../actors/kernel/events.ts";
import { crashPoint } from "../../actors/platform/crash-points.ts";
import type { Logger } from "../../actors/platform/logger.ts";
import { recordAudited } from "../audit/audit-log.ts";
import { projectCallerHashes, projectCompliance } from "../compliance/projections.ts";
import type { Db } from "../db/client.ts";
import { calls } from "../db/schema.ts";
import type { Tx } from "../ledger/ledger.ts";
import type { Billable } from "../ledger/postings.ts";
import { postCharge } from "../money/holds.ts";
import { enqueueDeliveries } from "../webhooks/store.ts";
import { deadLetter } from "./dead-letters.ts";
import { classify, type Failure, malformed } from "./failure.ts";

export function isDomainEvent(value: unknown): value is DomainEvent {
  return notDomainEvent(value) === undefined;
}

/** Why a payload is not a domain event (the first check it fails), or undefined when it is one. */
export function notDomainEvent(value: unknown): string | undefined {
  const e = value as DomainEvent;
  if (!e || typeof e !== "object" || Array.isArray(e)) return "not a JSON object";
  if (typeof e.id !== "string" || e.id === "") return "no id";
  if (typeof e.type !== "string") return "no type";
  if (typeof e.occurredAt !== "string" || Number.isNaN(Date.parse(e.occurredAt)))
    return "no valid occurredAt";
  if (!e.aggregate || typeof e.aggregate.type !== "string" || typeof e.aggregate.id !== "string")
    return "no aggregate type and id";
  if (typeof e.data !== "object" || e.data === null) return "no data object";
  return undefined;
}

export async function recordEvent(db: Db, logger: Logger, payload: unknown): Promise<DaprPubSubStatusEnum> {
  return (await recordEvents(db, logger, [payload]))[0]!;
}

/**
 * Records the messages of one delivery and answers a status for each message: its events (a batch's
 * several, else the message itself) are recorded with the rest of the delivery, and a message is
 * acknowledged only when every one of its events was (recorded, or kept as a dead letter).
 */
export async function recordMessages(
  db: Db,
  logger: Logger,
  messages: unknown[],
): Promise<DaprPubSubStatusEnum[]> {
  const groups = messages.map(unbatch);
  const statuses = await recordEvents(db, logger, groups.flat());
  let next = 0;
  return groups.map((g) => {
    const own = statuses.slice(next, next + g.length);
    next += g.length;
    return own.every((s) => s === DaprPubSubStatusEnum.SUCCESS)
      ? DaprPubSubStatusEnum.SUCCESS
      : DaprPubSubStatusEnum.RETRY;
  });
}

/**
 * Records a batch of events in one transaction (one commit for the lot, the way Dapr's bulk
 * subscription hands them over) and answers a status for each. If the batch fails, each event is
 * tried on its own, so one bad or unlucky event cannot hold back the others.
 */
export async function recordEvents(
  db: Db,
  logger: Logger,
  payloads: unknown[],
): Promise<DaprPubSubStatusEnum[]> {
  const statuses: DaprPubSubStatusEnum[] = payloads.map(() => DaprPubSubStatusEnum.SUCCESS);
  const good: DomainEvent[] = [];
  const at: number[] = [];
  for (const [i, p] of payloads.entries()) {
    const wrong = notDomainEvent(p);
    if (wrong === undefined) {
      good.push(p as DomainEvent);
      at.push(i);
    } else statuses[i] = await kept(db, logger, p, malformed(`not a domain event: ${wrong}`));
  }
  if (good.length === 0) return statuses;
  if (good.length > 1) {
    try {
      const seen = await db.transaction((tx) => writeEvents(tx, good));
      recorded(logger, good, seen);
      return statuses;
    } catch (err) {
      logger.warn({ err, events: good.length }, "events.batch_failed_one_by_one");
    }
  }
  for (const [k, e] of good.entries()) statuses[at[k]!] = await recordOne(db, logger, e);
  return statuses;
}

async function recordOne(db: Db, logger: Logger, payload: DomainEvent): Promise<DaprPubSubStatusEnum> {
  try {
    const seen = await writeOne(db, logger, payload);
    recorded(logger, [payload], seen);
    return DaprPubSubStatusEnum.SUCCESS;
  } catch (err) {
    const failure = classify(err);
    if (failure.kind === "poison") return kept(db, logger, payload, failure);
    logger.warn({ err, eventId: payload.id }, "events.write_failed_retry");
    return DaprPubSubStatusEnum.RETRY;
  }
}

/**
 * A poison event goes to the dead-letter table and is acknowledged (it is safe there, and retrying
 * could never record it); if the dead letter cannot be written either, the broker keeps it: RETRY.
 */
async function kept(db: Db, logger: Logger, payload: unknown, failure: Failure) {
  try {
    await deadLetter(db, logger, payload, failure);
    return DaprPubSubStatusEnum.SUCCESS;
  } catch (err) {
    // Not `err`: drizzle's message quotes the insert's parameters, the payload among them.
    const why = classify(err);
    logger.warn(
      { errorClass: failure.errorClass, deadLetterError: why.errorClass, sqlstate: why.sqlstate },
      "events.dead_letter_failed_retry",
    );
    return DaprPubSubStatusEnum.RETRY;
  }
}

/**
 * One event in its own transaction; `then` runs in that transaction after the event's writes (a
 * replay marks its dead letter resolved there). Answers the ids that were already recorded.
 */
export async function writeOne(
  db: Db,
  logger: Logger,
  event: DomainEvent,
  then?: (tx: Tx, seen: string[]) => Promise<void>,
): Promise<string[]> {
  const write = (e: DomainEvent) =>
    db.transaction(async (tx) => {
      const seen = await writeEvents(tx, [e]);
      await then?.(tx, seen);
      return seen;
    });
  try {
    return await write(event);
  } catch (err) {
    if (!unstorableText(err)) throw err;
    // Text Postgres cannot hold (a NUL, a lone surrogate, from before the API refused them): record
    // the event with those characters replaced rather than block the stream or lose the event.
    logger.warn({ eventId: event.id, type: event.type }, "events.unstorable_text_replaced");
    return write(storable(event));
  }
}

/**
 * After a commit, before the acknowledgement: events delivered again (recorded by an earlier delivery
 * the broker never saw acknowledged) are logged by id, and the test-only crash point sits here.
 */
function recorded(logger: Logger, events: DomainEvent[], seen: string[]): void {
  if (seen.length > 0) logger.info({ eventIds: seen }, "events.redelivered");
  // Subjects: each event's id, and `<type>:<callId>` for events about a call (`call.billable:call_…`).
  crashPoint("events.after_commit_before_ack", () =>
    events.flatMap((e) => [
      e.id,
      ...(typeof e.data.callId === "string" ? [`${e.type}:${e.data.callId}`] : []),
    ]),
  );
}

/** Postgres refused a string: `unsupported Unicode escape sequence` (22P05) or a bad encoding (22021). */
function unstorableText(err: unknown): boolean {
  for (
    let e = err as { code?: string; cause?: unknown; message?: string } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (e.code === "22P05" || e.code === "22021") return true;
    if (typeof e.message === "string" && e.message.includes("unsupported Unicode escape sequence"))
      return true;
  }
  return false;
}

/** The event with every NUL and unpaired surrogate in its strings replaced by U+FFFD. */
export function storable<T>(value: T): T {
  if (typeof value === "string") return value.replaceAll("\u0000", "\uFFFD").toWellFormed() as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)])) as T;
  return value;
}

/**
 * Events, each exactly once per id: recorded, audited and sent to webhooks (only the first time an id
 * is seen), projected into the calls read model and compliance, and posted to the ledger. The steps
 * that are the same for every event run once for the batch; the rest run event by event, in order.
 * Answers the ids that were already recorded (a redelivery).
 */
async function writeEvents(tx: Tx, batch: DomainEvent[]): Promise<string[]> {
  const events = uniqueById(batch);
  const created = await recordAudited(tx, events);
  await enqueueDeliveries(tx, created);
  await projectCalls(tx, events);
  await projectCallerHashes(tx, events);
  for (const e of events) {
    await projectCompliance(tx, e);
    if (e.type === "call.billable") await postCharge(tx, billableOf(e), e.occurredAt, e.id);
  }
  const fresh = new Set(created.map((e) => e.id));
  return events.filter((e) => !fresh.has(e.id)).map((e) => e.id);
}

/** The charge a call.billable event asks for; throws RangeError when the event cannot be a charge. */
export function billableOf(e: DomainEvent): Billable {
  const d = e.data as Record<string, unknown>;
  const str = (k: string) => {
    if (typeof d[k] !== "string" || d[k] === "") throw new RangeError(`call.billable ${e.id} lacks ${k}`);
    return d[k] as string;
  };
  const micros = (k: string) => {
    if (!Number.isSafeInteger(d[k]) || (d[k] as number) < 0)
      throw new RangeError(`call.billable ${e.id}: bad ${k}`);
    return d[k] as number;
  };
  return {
    callId: str("callId"),
    buyerId: str("buyerId"),
    sellerId: str("sellerId"),
    chargedMicros: micros("chargedMicros"),
    payoutMicros: micros("payoutMicros"),
    marginMicros: micros("marginMicros"),
  };
}

/**
 * Upserts the calls read model from the call snapshots the events carry, one row per call (its latest
 * revision in the batch); an older snapshot (lower revision) never overwrites a newer one.
 */
async function projectCalls(tx: Tx, events: DomainEvent[]): Promise<void> {
  const latest = new Map<string, CallSnapshot>();
  for (const e of events) {
    const snap = e.aggregate.type === "call" ? (e.data.snapshot as CallSnapshot | undefined) : undefined;
    const held = snap && latest.get(snap.callId);
    if (snap && (!held || (held.revision ?? 0) < (snap.revision ?? 0))) latest.set(snap.callId, snap);
  }
  // One upsert per shape of snapshot (all of them, normally): a column a snapshot lacks must not be
  // overwritten with its default because another snapshot in the batch has it.
  const byShape = new Map<string, CallSnapshot[]>();
  for (const snap of latest.values()) {
    const shape = Object.keys(snap).sort().join(",");
    const alike = byShape.get(shape);
    if (alike) alike.push(snap);
    else byShape.set(shape, [snap]);
  }
  for (const snaps of byShape.values()) {
    const columns = Object.keys(snaps[0]!).filter((k) => k !== "callId");
    await tx
      .insert(calls)
      .values(snaps)
      .onConflictDoUpdate({
        target: calls.callId,
        set: Object.fromEntries(columns.map((k) => [k, sql.raw(`excluded.${toSnake(k)}`)])),
        setWhere: sql`${calls.revision} < excluded.revision`,
      });
  }
}

const toSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
