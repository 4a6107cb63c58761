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

describe("MemoryDocumentStore expiry", () => {
  it("drops a document, and the keys written with it, at its expiry; a write without one keeps it", async () => {
    let now = 1_000;
    const store = new MemoryDocumentStore(() => now);
    await store.write("other", null, '{"o":1}');
    await store.write("sooner", null, "{}", { atMs: 1_500 });
    await store.write("k", null, '{"a":1}', { atMs: 2_000, also: ["other", "absent", "sooner"] });
    now = 1_500;
    expect(await store.read("sooner")).toMatchObject({ text: null }); // its own, sooner expiry stays
    now = 1_999;
    expect(await store.read("k")).toMatchObject({ text: '{"a":1}', version: "1" });
    now = 2_000;
    expect(await store.read("k")).toEqual({ unchanged: false, text: null, version: null });
    expect(await store.read("other")).toEqual({ unchanged: false, text: null, version: null });
    expect(await store.read("absent")).toEqual({ unchanged: false, text: null, version: null });
    await store.write("kept", null, "{}", { atMs: 3_000 });
    await store.write("kept", "1", "{}");
    now = 10_000;
    expect(await store.read("kept")).toMatchObject({ version: "2" });
  });
});
