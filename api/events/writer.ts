// Writes domain events to Postgres exactly once per event id; answers what the broker should do.
import { DaprPubSubStatusEnum } from "@dapr/dapr";
import { sql } from "drizzle-orm";
import type { CallSnapshot } from "../../actors/call/snapshot.ts";
import type { DomainEvent } from "../../actors/kernel/events.ts";
import type { Logger } from "../../actors/runtime/logger.ts";
import { appendAudit } from "../audit/audit-log.ts";
import { projectCompliance } from "../compliance/projections.ts";
import type { Db } from "../db/client.ts";
import { calls, domainEvents } from "../db/schema.ts";
import { postOnce, type Tx } from "../ledger/ledger.ts";
import { type Billable, chargePosting } from "../ledger/postings.ts";
import { enqueueDeliveries } from "../webhooks/store.ts";

export function isDomainEvent(value: unknown): value is DomainEvent {
  const e = value as DomainEvent;
  return (
    !!e &&
    typeof e.id === "string" &&
    typeof e.type === "string" &&
    typeof e.occurredAt === "string" &&
    !Number.isNaN(Date.parse(e.occurredAt)) &&
    !!e.aggregate &&
    typeof e.aggregate.type === "string" &&
    typeof e.aggregate.id === "string" &&
    typeof e.data === "object" &&
    e.data !== null
  );
}

export async function recordEvent(db: Db, logger: Logger, payload: unknown): Promise<DaprPubSubStatusEnum> {
  if (!isDomainEvent(payload)) {
    logger.error({ payload: typeof payload }, "events.malformed_dropped");
    return DaprPubSubStatusEnum.DROP;
  }
  try {
    await db.transaction(async (tx) => {
      const inserted = await tx
        .insert(domainEvents)
        .values({
          eventId: payload.id,
          type: payload.type,
          aggregateType: payload.aggregate.type,
          aggregateId: payload.aggregate.id,
          occurredAt: payload.occurredAt,
          data: payload.data,
        })
        .onConflictDoNothing({ target: domainEvents.eventId })
        .returning({ seq: domainEvents.seq });
      if (inserted.length > 0) {
        await appendAudit(tx, payload); // a redelivery is neither audited nor sent to webhooks twice
        await enqueueDeliveries(tx, payload);
      }
      const snapshot =
        payload.aggregate.type === "call" ? (payload.data.snapshot as CallSnapshot | undefined) : undefined;
      if (snapshot) await projectCall(tx, snapshot);
      await projectCompliance(tx, payload);
      if (payload.type === "call.billable")
        await postOnce(tx, chargePosting(billableOf(payload), payload.occurredAt, payload.id));
    });
    return DaprPubSubStatusEnum.SUCCESS;
  } catch (err) {
    if (err instanceof RangeError) {
      // The event itself is wrong (it can never post); retrying would block the stream forever.
      logger.error({ err, eventId: payload.id, type: payload.type }, "events.unpostable_dropped");
      return DaprPubSubStatusEnum.DROP;
    }
    logger.warn({ err, eventId: payload.id }, "events.write_failed_retry");
    return DaprPubSubStatusEnum.RETRY;
  }
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

/** Upserts the calls read model; an older snapshot (lower revision) never overwrites a newer one. */
async function projectCall(tx: Tx, snap: CallSnapshot): Promise<void> {
  const columns = Object.keys(snap).filter((k) => k !== "callId");
  await tx
    .insert(calls)
    .values(snap)
    .onConflictDoUpdate({
      target: calls.callId,
      set: Object.fromEntries(columns.map((k) => [k, sql.raw(`excluded.${toSnake(k)}`)])),
      setWhere: sql`${calls.revision} < excluded.revision`,
    });
}

const toSnake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
