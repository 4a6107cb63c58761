// DocumentActor with an entries field: the record lives in a hash beside the document, a command
// writes only the entries it changed (in the same compare-and-set), a refused write changes neither,
// and a document written before the field moved out is read whole and moved over by its next write.
import { describe, expect, it } from "vitest";
import { Dispatcher } from "./dispatcher.ts";
import { DocumentActor } from "./document-actor.ts";
import { type DocumentStore, type EntriesWrite, MemoryDocumentStore } from "./document-store.ts";
import { testDeps } from "./test-host.ts";

interface Holds {
  n: number;
  holds: Record<string, { price: number }>;
}

const KEY = "test-app||HoldsActor||h||doc";
const ENTRIES = "test-app||HoldsActor||h||holds";

class HoldsActor extends DocumentActor<Holds> {
  protected override get frozenDocuments() {
    return true;
  }
  protected override get entriesField() {
    return "holds";
  }
  async hold(id: string, price: number): Promise<Holds> {
    const s = (await this.load()) ?? { n: 0, holds: {} };
    const next = { n: s.n + 1, holds: { ...s.holds, [id]: { price } } };
    await this.commit(next, []);
    return next;
  }
  async drop(id: string): Promise<Holds> {
    const s = (await this.load())!;
    const { [id]: _gone, ...holds } = s.holds;
    const next = { n: s.n + 1, holds };
    await this.commit(next, []);
    return next;
  }
  async get(): Promise<Holds | undefined> {
    return this.load();
  }
}

/** The store, with every write's text and entries kept for the test to look at. */
function recording(inner: DocumentStore) {
  const writes: { text: string; entries?: EntriesWrite }[] = [];
  const store: DocumentStore = {
    read: (...a) => inner.read(...a),
    write: (k, e, text, x, entries) => {
      writes.push({ text, ...(entries ? { entries } : {}) });
      return inner.write(k, e, text, x, entries);
    },
  };
  return { store, writes };
}

describe("DocumentActor with an entries field", () => {
  it("writes only the entry a command adds or removes, never the whole record in the document", async () => {
    const { store, writes } = recording(new MemoryDocumentStore());
    const d = new Dispatcher([HoldsActor], testDeps({ store }).deps);
    for (let i = 0; i < 50; i++) await d.invoke("HoldsActor", "h", "hold", [`c${i}`, i]);
    await d.invoke("HoldsActor", "h", "drop", ["c7"]);
    const last = writes.at(-2)!; // the 50th hold, with 49 others standing
    expect(last.entries).toEqual({ key: ENTRIES, set: [["c49", '{"price":49}']], del: [] });
    expect(JSON.parse(last.text).state).toEqual({ n: 50 }); // the document without the record
    expect(last.text.length).toBe(writes[9]!.text.length); // n: 10 then, with 9 holds: no growth
    expect(writes.at(-1)!.entries).toEqual({ key: ENTRIES, set: [], del: ["c7"] });
    // Frozen like every frozen document, the entries written by this instance included.
    const mine = (await d.invoke("HoldsActor", "h", "get", [])) as Holds;
    expect(Object.isFrozen(mine.holds) && Object.isFrozen(mine.holds.c49)).toBe(true);
    // Another instance (another host) reads document and hash back into one state.
    const other = new Dispatcher([HoldsActor], testDeps({ store }).deps);
    const read = (await other.invoke("HoldsActor", "h", "get", [])) as Holds;
    expect(read.n).toBe(51);
    expect(Object.keys(read.holds)).toHaveLength(49);
    expect(read.holds.c49).toEqual({ price: 49 });
    expect(read.holds.c7).toBeUndefined();
  });

  it("a refused write changes neither the document nor its entries; the retry keeps both holds", async () => {
    const shared = new MemoryDocumentStore();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => (open = r));
    const slowStore: DocumentStore = {
      read: (...a) => shared.read(...a),
      write: async (...a) => {
        await gate;
        return shared.write(...a);
      },
    };
    const slow = new Dispatcher([HoldsActor], testDeps({ store: slowStore }).deps);
    const fast = new Dispatcher([HoldsActor], testDeps({ store: shared }).deps);
    await fast.invoke("HoldsActor", "h", "hold", ["first", 1]);
    const delayed = slow.invoke("HoldsActor", "h", "hold", ["slow", 2]);
    await new Promise((r) => setTimeout(r, 5)); // the slow instance has read
    await fast.invoke("HoldsActor", "h", "hold", ["fast", 3]);
    open();
    await expect(delayed).rejects.toThrow("written elsewhere");
    const stored = await shared.read(KEY, null, ENTRIES);
    expect(stored).toMatchObject({ version: "2", entries: { first: '{"price":1}', fast: '{"price":3}' } });
    const retried = (await slow.invoke("HoldsActor", "h", "hold", ["slow", 2])) as Holds;
    expect(Object.keys(retried.holds).sort()).toEqual(["fast", "first", "slow"]);
  });

  it("reads a document written with the record inside it, and moves the record out with its next write", async () => {
    const store = new MemoryDocumentStore();
    const legacy = { state: { n: 2, holds: { a: { price: 1 }, b: { price: 2 } } }, outbox: [] };
    await store.write(KEY, null, JSON.stringify(legacy));
    const d = new Dispatcher([HoldsActor], testDeps({ store }).deps);
    expect(await d.invoke("HoldsActor", "h", "get", [])).toEqual(legacy.state);
    await d.invoke("HoldsActor", "h", "drop", ["a"]);
    const after = await store.read(KEY, null, ENTRIES);
    expect(after).toMatchObject({ entries: { b: '{"price":2}' } });
    expect(JSON.parse((after as { text: string }).text).state).toEqual({ n: 3 });
    const fresh = new Dispatcher([HoldsActor], testDeps({ store }).deps);
    expect(await fresh.invoke("HoldsActor", "h", "get", [])).toEqual({ n: 3, holds: { b: { price: 2 } } });
  });
});
