// One command's events as one message, and back.
import { describe, expect, it } from "vitest";
import { domainEvent, EVENT_BATCH, eventBatch, unbatch } from "./events.ts";

const e = (n: number) => domainEvent("call.offered", { type: "call", id: `call_${n}` }, "offer", 0, { n });

describe("event batches", () => {
  it("a batch gives back its events in order; anything else is one payload", () => {
    const events = [e(1), e(2), e(3)];
    expect(unbatch(JSON.parse(JSON.stringify(eventBatch(events))))).toEqual(events);
    expect(unbatch(e(1))).toEqual([e(1)]);
    expect(unbatch(eventBatch([]))).toEqual([]);
    for (const other of [null, "text", 7, [e(1)], { batch: "other", events: [e(1)] }])
      expect(unbatch(other)).toEqual([other]);
  });

  it("a batch whose events are not a list is judged whole, never dropped", () => {
    const odd = { batch: EVENT_BATCH, events: "nope" };
    expect(unbatch(odd)).toEqual([odd]);
  });
});
