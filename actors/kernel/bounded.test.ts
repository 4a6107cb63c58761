import { describe, expect, it } from "vitest";
import { allSettledBounded } from "./bounded.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("allSettledBounded", () => {
  it("never runs more than the bound at once, runs every item once, and keeps the items' order", async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const out = await allSettledBounded([5, 1, 4, 2, 3, 6, 7], 3, async (n, i) => {
      running++;
      peak = Math.max(peak, running);
      seen.push(i);
      for (let k = 0; k < n; k++) await tick();
      running--;
      if (n === 4) throw new Error("four");
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(out.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      50,
      10,
      "four",
      20,
      30,
      60,
      70,
    ]);
  });

  it("handles no items, and a bound below one as one", async () => {
    expect(await allSettledBounded([], 4, async () => 1)).toEqual([]);
    let running = 0;
    let peak = 0;
    await allSettledBounded([1, 2, 3], 0, async () => {
      peak = Math.max(peak, ++running);
      await tick();
      running--;
    });
    expect(peak).toBe(1);
  });
});
