// DocumentActor on the in-memory store: one compare-and-set write per command, events saved with the
// document and published after the answer, nothing cached from a command that threw.
import { describe, expect, it } from "vitest";
import { type DomainEvent, domainEvent } from "../kernel/events.ts";
import { Dispatcher } from "./dispatcher.ts";
import { DocumentActor } from "./document-actor.ts";
import { type DocumentStore, MemoryDocumentStore } from "./document-store.ts";
import { afterTurns, testDeps } from "./test-host.ts";

interface Counter {
  n: number;
  items: string[];
}

class CounterActor extends DocumentActor<Counter> {
  async add(item: string): Promise<Counter> {
    const state = (await this.load()) ?? { n: 0, items: [] };
    const next = { n: state.n + 1, items: [...state.items, item] };
    await this.commit(next, [domainEvent("buyer.test", { type: "buyer", id: "c" }, item, 0, { item })]);
    return next;
  }

  /** Changes the loaded document in place, then fails before writing. */
  async scribble(): Promise<void> {
    const state = await this.load();
    if (state) {
      state.n = 999;
      state.items.push("scribbled");
    }
    throw new Error("refused after changing the copy");
  }

  async get(): Promise<Counter | undefined> {
    return this.load();
  }
}

/** Says when its document may go: once "close" is among its items. */
class ClosingActor extends CounterActor {
  protected override expiry(state: Counter) {
    return state.items.includes("close") ? { atMs: 10_000 } : null;
  }
}

/** Declares its documents immutable: the parsed document is kept, frozen, between commands. */
class FrozenCounterActor extends CounterActor {
  protected override get frozenDocuments() {
    return true;
  }
}

/** A store whose writes wait for `gate` first: the window in which another instance writes. */
function delayedWrites(inner: DocumentStore, gate: Promise<void>): DocumentStore {
  return {
    read: (...a) => inner.read(...a),
    write: async (...a) => {
      await gate;
      return inner.write(...a);
    },
  };
}

const text = async (store: DocumentStore) =>
  JSON.parse(((await store.read("test-app||CounterActor||c||doc")) as { text: string }).text) as {
    state: Counter;
    outbox: DomainEvent[];
  };

describe("DocumentActor", () => {
  it("saves events with the document and publishes them after the command has answered", async () => {
    const seams = testDeps();
    const d = new Dispatcher([CounterActor], seams.deps);
    expect(await d.invoke("CounterActor", "c", "add", ["a"])).toEqual({ n: 1, items: ["a"] });
    const stored = await text(seams.deps.store);
    expect(stored.outbox.map((e) => e.data.item)).toEqual(["a"]);
    expect(seams.published).toEqual([]); // answered first
    await afterTurns();
    expect(seams.published.map((e) => e.data.item)).toEqual(["a"]);
    await d.invoke("CounterActor", "c", "add", ["b"]);
    // Published events leave the outbox with the next write.
    expect((await text(seams.deps.store)).outbox.map((e) => e.data.item)).toEqual(["b"]);
  });

  it("keeps events whose publish failed in the next write and schedules the outbox reminder", async () => {
    const seams = testDeps({ publish: async (es) => new Set(es.map((e) => e.id)) });
    const d = new Dispatcher([CounterActor], seams.deps);
    await d.invoke("CounterActor", "c", "add", ["a"]);
    await afterTurns();
    expect(seams.reminders.map((r) => r.name)).toContain("outbox");
    await d.invoke("CounterActor", "c", "add", ["b"]);
    expect((await text(seams.deps.store)).outbox.map((e) => e.data.item)).toEqual(["a", "b"]);
  });

  it("leaves nothing cached behind a command that threw", async () => {
    const d = new Dispatcher([CounterActor], testDeps().deps);
    await d.invoke("CounterActor", "c", "add", ["a"]);
    await expect(d.invoke("CounterActor", "c", "scribble", [])).rejects.toThrow("refused");
    expect(await d.invoke("CounterActor", "c", "get", [])).toEqual({ n: 1, items: ["a"] });
    expect(await d.invoke("CounterActor", "c", "add", ["b"])).toEqual({ n: 2, items: ["a", "b"] });
  });

  it("refuses a write computed on a document another instance has changed since (no lost update)", async () => {
    // Two hosts each running an instance of one actor (placement moving it): both read version 1,
    // the first write is delayed until the other instance has written.
    const shared = new MemoryDocumentStore();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    const slow = new Dispatcher([CounterActor], testDeps({ store: delayedWrites(shared, gate) }).deps);
    const fast = new Dispatcher([CounterActor], testDeps({ store: shared }).deps);
    await fast.invoke("CounterActor", "c", "add", ["first"]);
    const delayed = slow.invoke("CounterActor", "c", "add", ["slow"]);
    await new Promise((r) => setTimeout(r, 5)); // the slow instance has read version 1
    await fast.invoke("CounterActor", "c", "add", ["fast"]);
    open();
    await expect(delayed).rejects.toThrow("written elsewhere");
    expect((await text(shared)).state.items).toEqual(["first", "fast"]); // "fast" not overwritten
    // The caller retries; the retry reads the current document.
    expect(await slow.invoke("CounterActor", "c", "add", ["slow"])).toEqual({
      n: 3,
      items: ["first", "fast", "slow"],
    });
  });

  it("reads the document again when it was written elsewhere since this instance cached it", async () => {
    const shared = new MemoryDocumentStore();
    const a = new Dispatcher([CounterActor], testDeps({ store: shared }).deps);
    const b = new Dispatcher([CounterActor], testDeps({ store: shared }).deps);
    await a.invoke("CounterActor", "c", "add", ["a"]);
    await b.invoke("CounterActor", "c", "add", ["b"]);
    expect(await a.invoke("CounterActor", "c", "get", [])).toEqual({ n: 2, items: ["a", "b"] });
  });

  it("writes the expiry the actor gives for its new state; the document is gone after it", async () => {
    let now = 1_000;
    const store = new MemoryDocumentStore(() => now);
    const d = new Dispatcher([ClosingActor], testDeps({ store }).deps);
    await d.invoke("ClosingActor", "c", "add", ["a"]);
    now = 50_000;
    expect(await d.invoke("ClosingActor", "c", "get", [])).toEqual({ n: 1, items: ["a"] }); // none yet
    now = 1_000;
    await d.invoke("ClosingActor", "c", "add", ["close"]);
    now = 9_999;
    expect(await d.invoke("ClosingActor", "c", "get", [])).toEqual({ n: 2, items: ["a", "close"] });
    now = 10_000;
    expect(await d.invoke("ClosingActor", "c", "get", [])).toBeUndefined();
  });

  it("hands a frozen-document actor the one parsed document until the stored version changes", async () => {
    const shared = new MemoryDocumentStore();
    const a = new Dispatcher([FrozenCounterActor], testDeps({ store: shared }).deps);
    const b = new Dispatcher([FrozenCounterActor], testDeps({ store: shared }).deps);
    await a.invoke("FrozenCounterActor", "c", "add", ["a"]);
    const first = (await a.invoke("FrozenCounterActor", "c", "get", [])) as Counter;
    expect(await a.invoke("FrozenCounterActor", "c", "get", [])).toBe(first); // not parsed again
    expect(Object.isFrozen(first) && Object.isFrozen(first.items)).toBe(true);
    await b.invoke("FrozenCounterActor", "c", "add", ["b"]); // another instance writes
    const reread = (await a.invoke("FrozenCounterActor", "c", "get", [])) as Counter;
    expect(reread).toEqual({ n: 2, items: ["a", "b"] });
    expect(Object.isFrozen(reread.items)).toBe(true);
    // A new instance (another host) parses the stored text once and keeps it too.
    const c = new Dispatcher([FrozenCounterActor], testDeps({ store: shared }).deps);
    const loaded = await c.invoke("FrozenCounterActor", "c", "get", []);
    expect(await c.invoke("FrozenCounterActor", "c", "get", [])).toBe(loaded);
  });

  it("refuses an in-place change of a frozen document; the next command sees the stored one", async () => {
    const d = new Dispatcher([FrozenCounterActor], testDeps().deps);
    await d.invoke("FrozenCounterActor", "c", "add", ["a"]);
    await expect(d.invoke("FrozenCounterActor", "c", "scribble", [])).rejects.toThrow(TypeError);
    expect(await d.invoke("FrozenCounterActor", "c", "get", [])).toEqual({ n: 1, items: ["a"] });
    expect(await d.invoke("FrozenCounterActor", "c", "add", ["b"])).toEqual({ n: 2, items: ["a", "b"] });
  });
});
