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
 * re-derives the same ids as the attempt whose events are still in its outbox (a bulk publish with a
 * repeated id is refused whole), and a delivered batch may carry a redelivery of an event it holds.
 */
export function uniqueById(events: DomainEvent[]): DomainEvent[] {
  return [...new Map(events.map((e) => [e.id, e])).values()];
}
