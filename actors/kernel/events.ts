// Domain events: the envelope every state change is announced in. Ids are derived from the command
// that caused them, so a retried command announces the same event id and subscribers dedupe it.
export interface DomainEvent<T = Record<string, unknown>> {
  id: string;
  type: string; // e.g. "call.routed"
  occurredAt: string; // ISO 8601
  aggregate: {
    type: "buyer" | "seller" | "call" | "auction" | "compliance" | "telephony" | "dispute" | "webhook";
    id: string;
  };
  data: T;
}

export function domainEvent<T extends Record<string, unknown>>(
  type: string,
  aggregate: DomainEvent["aggregate"],
  causeId: string,
  occurredAtMs: number,
  data: T,
): DomainEvent<T> {
  return {
    id: `evt_${aggregate.id}_${type}_${causeId}`.replace(/[^A-Za-z0-9_.:-]/g, "_"),
    type,
    occurredAt: new Date(occurredAtMs).toISOString(),
    aggregate,
    data,
  };
}

/**
 * One entry per event id, in the order ids first appear, the latest of each kept: a retried command
 * re-derives the same ids as the attempt whose events are still in its outbox, and a delivered batch
 * may carry a redelivery of an event it holds.
 */
export function uniqueById(events: DomainEvent[]): DomainEvent[] {
  return [...new Map(events.map((e) => [e.id, e])).values()];
}

/**
 * The events of one command published as one pub/sub message: one stream entry, one delivery and one
 * acknowledgement for the lot instead of one each. The events app records them each as before; a
 * message holding a single event (older publishers, and a command that raised one) still carries the
 * bare event.
 */
export interface EventBatch {
  batch: typeof EVENT_BATCH;
  events: DomainEvent[];
}

export const EVENT_BATCH = "dce.events.v1";

export function eventBatch(events: DomainEvent[]): EventBatch {
  return { batch: EVENT_BATCH, events };
}

/**
 * The payloads one message carries: a batch's events, or the message itself (a bare event, or
 * anything else, which the subscriber judges as it would any payload). A batch whose `events` is not
 * an array is not a batch: it is judged whole.
 */
export function unbatch(payload: unknown): unknown[] {
  if (payload && typeof payload === "object" && !Array.isArray(payload)) {
    const p = payload as Partial<EventBatch>;
    if (p.batch === EVENT_BATCH && Array.isArray(p.events)) return p.events;
  }
  return [payload];
}
