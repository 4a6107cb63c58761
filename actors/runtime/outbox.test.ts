// The outbox: publish once, keep what is unconfirmed, retry failures by reminder (or a timer).
import { describe, expect, it, vi } from "vitest";
import { domainEvent } from "../kernel/events.ts";
import { createLogger } from "../platform/logger.ts";
import { type ActorReminders, OUTBOX_REMINDER, Outbox } from "./outbox.ts";

const agg = { type: "buyer", id: "b1" } as const;
const ev = (cause: string) => domainEvent("buyer.test", agg, cause, 0, {});
const logger = createLogger("test", "silent");
const who = { actor: "BuyerActor", id: "b1" };

function reminders(fail = false) {
  const set: { name: string; data?: unknown }[] = [];
  const api: ActorReminders = {
    remind: async (name, _due, data) => {
      if (fail) throw new Error("sidecar down");
      set.push({ name, data });
    },
    forget: async () => undefined,
  };
  return { set, api };
}

describe("Outbox", () => {
  it("publishes saved events once and then no longer keeps them", async () => {
    const sent: string[] = [];
    const box = new Outbox(
      async (es) => {
        sent.push(...es.map((e) => e.id));
        return new Set<string>();
      },
      () => reminders().api,
      logger,
      who,
    );
    const saved = [ev("a"), ev("b")];
    expect(box.unconfirmed(saved)).toEqual(saved); // not published yet: the next write keeps them
    await box.flush(saved);
    await box.flush(saved);
    expect(sent).toEqual([saved[0]!.id, saved[1]!.id]);
    expect(box.unconfirmed(saved)).toEqual([]);
  });

  it("does not send events twice while a publish of them is in flight, but keeps them saved", async () => {
    let done: (() => void) | undefined;
    let calls = 0;
    const box = new Outbox(
      async () => {
        calls++;
        await new Promise<void>((r) => (done = r));
        return new Set();
      },
      () => reminders().api,
      logger,
      who,
    );
    const saved = [ev("a")];
    const first = box.flush(saved);
    await box.flush(saved);
    expect(calls).toBe(1);
    expect(box.unconfirmed(saved)).toEqual(saved);
    done?.();
    await first;
    expect(box.unconfirmed(saved)).toEqual([]);
  });

  it("keeps failed events and schedules the outbox reminder", async () => {
    const r = reminders();
    const box = new Outbox(
      async (es) => new Set([es[0]!.id]),
      () => r.api,
      logger,
      who,
    );
    const saved = [ev("a"), ev("b")];
    await box.flush(saved);
    expect(box.unconfirmed(saved)).toEqual([saved[0]]);
    expect(r.set).toEqual([{ name: OUTBOX_REMINDER, data: { kind: OUTBOX_REMINDER } }]);
  });

  it("tries again on a timer when even the reminder cannot be scheduled", async () => {
    vi.useFakeTimers();
    try {
      let attempts = 0;
      const box = new Outbox(
        async () => {
          attempts++;
          if (attempts === 1) throw new Error("pubsub down");
          return new Set();
        },
        () => reminders(true).api,
        logger,
        who,
      );
      const saved = [ev("a")];
      await box.flush(saved);
      expect(box.unconfirmed(saved)).toEqual(saved);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(attempts).toBe(2);
      expect(box.unconfirmed(saved)).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });
});
