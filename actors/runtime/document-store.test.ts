// The in-memory document store: compare-and-set on the version, versions from the store.
import { describe, expect, it } from "vitest";
import { MemoryDocumentStore, StoreConflict } from "./document-store.ts";

describe("MemoryDocumentStore", () => {
  it("writes only on the expected version and counts versions from 1", async () => {
    const store = new MemoryDocumentStore();
    expect(await store.read("k")).toEqual({ unchanged: false, text: null, version: null });
    expect(await store.write("k", null, '{"a":1}')).toBe("1");
    await expect(store.write("k", null, '{"a":2}')).rejects.toBeInstanceOf(StoreConflict);
    expect(await store.write("k", "1", '{"a":2}')).toBe("2");
    await expect(store.write("k", "1", '{"a":3}')).rejects.toMatchObject({ expected: "1", found: "2" });
    expect(await store.read("k")).toEqual({ unchanged: false, text: '{"a":2}', version: "2" });
  });

  it("does not send the text again when the known version is current", async () => {
    const store = new MemoryDocumentStore();
    await store.write("k", null, "{}");
    expect(await store.read("k", "1")).toEqual({ unchanged: true, version: "1" });
    expect(await store.read("k", "0")).toEqual({ unchanged: false, text: "{}", version: "1" });
  });
});
