// The dead-letter table's I/O: an event the writer cannot record is kept here whole (one row per
// event, its latest error and how often it failed) until a replay records it. Nothing is dropped.
import { createHash } from "node:crypto";
import { and, asc, count, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Db } from "../db/client.ts";
import { deadLetters } from "../db/dead-letter-schema.ts";
import type { Tx } from "../ledger/ledger.ts";
import type { Failure } from "./failure.ts";

/** The event's id when it has one that can key a row, else undefined. */
function eventIdOf(payload: unknown): string | undefined {
  const id = (payload as { id?: unknown } | null)?.id;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/**
 * The payload as JSON text. JSON.stringify escapes a NUL or a lone surrogate, so any payload fits; one
 * nested too deep for its recursion (a stack overflow, itself a poison) is written without recursion.
 */
export function payloadText(payload: unknown): string {
  const value = payload === undefined ? null : payload;
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return flatJson(value);
  }
}

class Literal {
  constructor(readonly text: string) {}
}

/** JSON.stringify for parsed JSON (plain objects, arrays, scalars) with a stack of its own. */
export function flatJson(root: unknown): string {
  const out: string[] = [];
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v instanceof Literal) out.push(v.text);
    else if (Array.isArray(v)) {
      todo.push(new Literal("]"));
      for (let i = v.length - 1; i >= 0; i--) {
        const item = v[i];
        todo.push(item === undefined || typeof item === "function" ? null : item);
        if (i > 0) todo.push(new Literal(","));
      }
      todo.push(new Literal("["));
    } else if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).filter((k) => o[k] !== undefined && typeof o[k] !== "function");
      todo.push(new Literal("}"));
      for (let i = keys.length - 1; i >= 0; i--) {
        todo.push(o[keys[i]!], new Literal(`${JSON.stringify(keys[i])}:`));
        if (i > 0) todo.push(new Literal(","));
      }
      todo.push(new Literal("{"));
    } else out.push(JSON.stringify(v) ?? "null");
  }
  return out.join("");
}

/** One row per event id (a redelivery of the same poison updates it); an id-less payload by its text. */
export function deadLetterId(payload: unknown): string {
  const id = eventIdOf(payload);
  const key = id === undefined ? `payload\u0000${payloadText(payload)}` : `event\u0000${id}`;
  return `dlq_${createHash("sha256").update(key).digest("hex").slice(0, 28)}`;
}

/** Text Postgres can hold in a text column (no NUL, no lone surrogate). */
const storableText = (s: string) => s.replaceAll("\u0000", "\uFFFD").toWellFormed();

/** Only ids and types of the exchange's own shape are logged: a junk payload's text may be anything. */
const loggable = (v: string | undefined, shape: RegExp) => (v && shape.test(v) ? v : undefined);
const EVENT_ID = /^evt_[A-Za-z0-9_.:-]{1,200}$/;
const EVENT_TYPE = /^[a-z_]{1,40}\.[a-z_.]{1,60}$/;

/**
 * Keeps a poison event: inserts its row, or counts one more failure on it (reopening it if a replay
 * had resolved it). Throws when Postgres cannot take the row: the caller then answers RETRY.
 */
export async function deadLetter(db: Db, logger: Logger, payload: unknown, failure: Failure) {
  const id = deadLetterId(payload);
  const eventId = eventIdOf(payload);
  const type = (payload as { type?: unknown } | null)?.type;
  const eventType = typeof type === "string" ? type : undefined;
  const error = {
    errorClass: storableText(failure.errorClass),
    errorMessage: storableText(failure.message),
    sqlstate: failure.sqlstate,
  };
  const [row] = await db
    .insert(deadLetters)
    .values({
      id,
      eventId: eventId && storableText(eventId),
      eventType: eventType && storableText(eventType),
      payload: payloadText(payload),
      ...error,
    })
    .onConflictDoUpdate({
      target: deadLetters.id,
      set: {
        ...error,
        lastFailedAt: sql`now()`,
        attempts: sql`${deadLetters.attempts} + 1`,
        resolvedAt: null,
        resolution: null,
        resolutionNote: null,
      },
    })
    .returning({ attempts: deadLetters.attempts });
  // The alert: level error, a stable message, ids and the error's class, never the payload or message.
  logger.error(
    {
      deadLetterId: id,
      eventId: loggable(eventId, EVENT_ID),
      type: loggable(eventType, EVENT_TYPE),
      errorClass: failure.errorClass,
      sqlstate: failure.sqlstate,
      attempts: row?.attempts,
    },
    "events.dead_lettered",
  );
  return { id, attempts: row?.attempts ?? 1 };
}

/** A replay that failed again: its latest error and one more attempt, still unresolved. */
export async function failedAgain(db: Db, id: string, failure: Failure): Promise<void> {
  await db
    .update(deadLetters)
    .set({
      errorClass: storableText(failure.errorClass),
      errorMessage: storableText(failure.message),
      sqlstate: failure.sqlstate,
      lastFailedAt: sql`now()`,
      attempts: sql`${deadLetters.attempts} + 1`,
    })
    .where(eq(deadLetters.id, id));
}

/** Marks the row resolved, in the transaction that recorded its event. */
export async function markResolved(tx: Tx, id: string, resolution: "replayed" | "already_recorded") {
  await tx
    .update(deadLetters)
    .set({ resolvedAt: sql`now()`, resolution })
    .where(and(eq(deadLetters.id, id), isNull(deadLetters.resolvedAt)));
}

/**
 * An admin's decision that an event can never be recorded (a malformed publish, a test event): the
 * row is resolved as `discarded` with the reason, and kept with its payload. Answers the row, or
 * undefined when no unresolved row has that id.
 */
export async function discardDeadLetter(db: Db, id: string, reason: string) {
  const [row] = await db
    .update(deadLetters)
    .set({ resolvedAt: sql`now()`, resolution: "discarded", resolutionNote: storableText(reason) })
    .where(and(eq(deadLetters.id, id), isNull(deadLetters.resolvedAt)))
    .returning();
  return row;
}

export async function findDeadLetter(db: Db, id: string) {
  const [row] = await db.select().from(deadLetters).where(eq(deadLetters.id, id));
  return row;
}

/** Oldest first (the order they failed in, so a replay keeps an aggregate's events in order). */
export async function listDeadLetters(
  db: Db,
  opts: { state: "unresolved" | "resolved" | "all"; limit: number; after?: { at: string; id: string } },
) {
  const state =
    opts.state === "unresolved"
      ? isNull(deadLetters.resolvedAt)
      : opts.state === "resolved"
        ? sql`${deadLetters.resolvedAt} is not null`
        : undefined;
  const after = opts.after
    ? or(
        gt(deadLetters.firstFailedAt, opts.after.at),
        and(eq(deadLetters.firstFailedAt, opts.after.at), gt(deadLetters.id, opts.after.id)),
      )
    : undefined;
  return db
    .select()
    .from(deadLetters)
    .where(and(state, after))
    .orderBy(asc(deadLetters.firstFailedAt), asc(deadLetters.id))
    .limit(opts.limit);
}

/** Dead letters by state, for the metric: `{unresolved, resolved}`. */
export async function deadLetterCounts(db: Db): Promise<{ unresolved: number; resolved: number }> {
  const rows = await db
    .select({ resolved: sql<boolean>`${deadLetters.resolvedAt} is not null`, n: count() })
    .from(deadLetters)
    .groupBy(sql`1`);
  const n = (resolved: boolean) => Number(rows.find((r) => r.resolved === resolved)?.n ?? 0);
  return { unresolved: n(false), resolved: n(true) };
}
