// Domain-events stream entries as daprd writes them, for the auction feed's tests.

/** A stream entry's fields as daprd's Redis pub/sub writes them: the CloudEvent JSON under `data`. */
export function cloudEntry(callId: string, type: string, data: Record<string, unknown>): string[] {
  return cloudMessage(event(callId, type, data));
}

export const event = (callId: string, type: string, data: Record<string, unknown>) => ({
  id: `evt_${callId}_${type}`,
  type,
  occurredAt: "2026-12-02T08:00:00.000Z",
  aggregate: { type: "auction", id: callId },
  data,
});

/** The entry of one published message: a bare event, or one command's batch of events. */
export function cloudMessage(message: unknown): string[] {
  const envelope = {
    data: message,
    datacontenttype: "application/json",
    specversion: "1.0",
    topic: "domain-events",
    type: "com.dapr.event.sent",
  };
  return ["metadata", "{}", "data", JSON.stringify(envelope)];
}
