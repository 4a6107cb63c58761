// Ids: prefix, time-sortable head, 16 hex of randomness, never repeated (also across the random pool's refills).
import { describe, expect, it } from "vitest";
import { isId, newId } from "./ids.ts";

describe("newId", () => {
  it("is prefix, 12 hex of epoch ms and 16 hex random", () => {
    const before = Date.now();
    const id = newId("bid");
    expect(id).toMatch(/^bid_[0-9a-f]{28}$/);
    expect(Number.parseInt(id.slice(4, 16), 16)).toBeGreaterThanOrEqual(before);
    expect(isId(id, "bid")).toBe(true);
  });

  it("never repeats over several refills of the random pool", () => {
    const ids = Array.from({ length: 5_000 }, () => newId("bid"));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.slice(16))).size).toBe(ids.length);
  });
});
