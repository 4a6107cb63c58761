// The actor document store seam: read a document with its version, write it only if the version is
// still the one read (compare-and-set). The version always comes from the store, never guessed.

/** What a read returns: the document's JSON text and version, or `unchanged` when it is still `known`. */
export type StoredRead =
  | { unchanged: true; version: string }
  | { unchanged: false; text: string | null; version: string | null };

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

export interface DocumentStore {
  /**
   * The document under `key` (text null and version null when there is none). With `known` given and
   * equal to the stored version, the text is not sent again: `{ unchanged: true }`.
   */
  read(key: string, known?: string | null): Promise<StoredRead>;
  /**
   * Writes `text` if the stored version is `expected` (null: no document yet) and returns the new
   * version; otherwise throws StoreConflict and writes nothing.
   */
  write(key: string, expected: string | null, text: string): Promise<string>;
}

/** In-process store for tests: versions count up from 1 per key, like Dapr's Redis state store. */
export class MemoryDocumentStore implements DocumentStore {
  private readonly docs = new Map<string, { text: string; version: number }>();

  async read(key: string, known?: string | null): Promise<StoredRead> {
    const doc = this.docs.get(key);
    const version = doc ? String(doc.version) : null;
    if (known !== undefined && known !== null && known === version) return { unchanged: true, version };
    return { unchanged: false, text: doc?.text ?? null, version };
  }

  async write(key: string, expected: string | null, text: string): Promise<string> {
    const doc = this.docs.get(key);
    const found = doc ? String(doc.version) : null;
    if (found !== expected) throw new StoreConflict(key, expected, found);
    const version = (doc?.version ?? 0) + 1;
    this.docs.set(key, { text, version });
    return String(version);
  }
}
