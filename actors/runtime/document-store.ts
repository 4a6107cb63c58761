// The actor document store seam: read a document with its version, write it only if the version is
// still the one read (compare-and-set). The version always comes from the store, never guessed.

/**
 * What a read returns: the document's JSON text and version, or `unchanged` when it is still `known`.
 * Read with an entries key, the text comes with that hash's fields (entry id → JSON text).
 */
export type StoredRead =
  | { unchanged: true; version: string }
  | { unchanged: false; text: string | null; version: string | null; entries?: Record<string, string> };

/**
 * A document's entries kept beside it in a hash of their own (one field per entry), so a write
 * sends only the entries it changes: `set` fields written, `del` fields removed, in the same atomic
 * step as the document (and only if its compare-and-set passes). The hash shares the document's expiry.
 */
export interface EntriesWrite {
  key: string;
  set: [field: string, text: string][];
  del: string[];
}

/** A write refused because another writer changed the document since it was read. */
export class StoreConflict extends Error {
  constructor(
    readonly key: string,
    readonly expected: string | null,
    readonly found: string | null,
  ) {
    super(`document ${key} is at version ${found ?? "none"}, not ${expected ?? "none"}: written elsewhere`);
    this.name = "StoreConflict";
  }
}

/**
 * When a document (and the keys named with it) may go: an instant in epoch ms, after which the store
 * drops them. Written with every write: a write without one keeps the document for good.
 */
export interface Expiry {
  atMs: number;
  /**
   * Other keys whose lifetime ends with this document's (an auction's document ends with its call's):
   * they expire at `atMs` too, unless they already expire sooner (their expiry is never pushed back).
   */
  also?: string[];
}

export interface DocumentStore {
  /**
   * The document under `key` (text null and version null when there is none). With `known` given and
   * equal to the stored version, the text is not sent again: `{ unchanged: true }`.
   */
  read(key: string, known?: string | null, entriesKey?: string): Promise<StoredRead>;
  /**
   * Writes `text` if the stored version is `expected` (null: no document yet) and returns the new
   * version; otherwise throws StoreConflict and writes nothing. With `expiry`, the document (and the
   * keys it names) expire at that instant, set in the same atomic step; without, it never expires.
   * With `entries`, the entries hash changes in that same step.
   */
  write(
    key: string,
    expected: string | null,
    text: string,
    expiry?: Expiry | null,
    entries?: EntriesWrite,
  ): Promise<string>;
}

/** In-process store for tests: versions count up from 1 per key, like Dapr's Redis state store. */
export class MemoryDocumentStore implements DocumentStore {
  private readonly docs = new Map<string, { text: string; version: number; expiresAtMs?: number }>();
  private readonly hashes = new Map<string, Map<string, string>>();

  /** `now` is the clock expiries are judged by. */
  constructor(private readonly now: () => number = Date.now) {}

  async read(key: string, known?: string | null, entriesKey?: string): Promise<StoredRead> {
    const doc = this.live(key);
    const version = doc ? String(doc.version) : null;
    if (known !== undefined && known !== null && known === version) return { unchanged: true, version };
    if (entriesKey === undefined) return { unchanged: false, text: doc?.text ?? null, version };
    const entries = Object.fromEntries(doc ? (this.hashes.get(entriesKey) ?? []) : []);
    return { unchanged: false, text: doc?.text ?? null, version, entries };
  }

  async write(
    key: string,
    expected: string | null,
    text: string,
    expiry?: Expiry | null,
    entries?: EntriesWrite,
  ): Promise<string> {
    const doc = this.live(key);
    const found = doc ? String(doc.version) : null;
    if (found !== expected) throw new StoreConflict(key, expected, found);
    const version = (doc?.version ?? 0) + 1;
    this.docs.set(key, { text, version, ...(expiry ? { expiresAtMs: expiry.atMs } : {}) });
    if (entries) {
      // a document written anew starts with no entries (Redis drops the hash with an expired document)
      const hash = (doc && this.hashes.get(entries.key)) || new Map<string, string>();
      for (const [field, value] of entries.set) hash.set(field, value);
      for (const field of entries.del) hash.delete(field);
      this.hashes.set(entries.key, hash);
    }
    for (const k of expiry?.also ?? []) {
      const other = this.live(k);
      if (other && expiry && !(other.expiresAtMs !== undefined && other.expiresAtMs < expiry.atMs))
        other.expiresAtMs = expiry.atMs;
    }
    return String(version);
  }

  /** The document unless its expiry has passed (then it is gone, as Redis drops an expired key). */
  private live(key: string) {
    const doc = this.docs.get(key);
    if (doc?.expiresAtMs !== undefined && doc.expiresAtMs <= this.now()) {
      this.docs.delete(key);
      return undefined;
    }
    return doc;
  }
}
