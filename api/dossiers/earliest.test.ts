import { describe, expect, it } from "vitest";
import { earliestCovering, type Probe } from "./earliest.ts";

/** Checkpoints with ids (gaps allowed) and the chain head each anchored, growing. */
function table(rows: [id: number, head: number][]) {
  const probes: Probe<string>[] = rows.map(([id, head]) => ({ id, head, checkpoint: `cp${id}` }));
  let calls = 0;
  return {
    last: probes.at(-1),
    atOrAfter: async (id: number) => {
      calls++;
      return probes.find((p) => p.id >= id);
    },
    calls: () => calls,
  };
}

describe("earliestCovering", () => {
  it("finds the first checkpoint whose head reaches the seq", async () => {
    const t = table([
      [1, 0],
      [2, 4],
      [5, 4],
      [9, 10],
      [12, 10],
      [13, 30],
    ]);
    for (const [seq, id] of [
      [1, 2],
      [4, 2],
      [5, 9],
      [10, 9],
      [11, 13],
      [30, 13],
    ] as const)
      expect((await earliestCovering(seq, t.last, t.atOrAfter))?.id, `seq ${seq}`).toBe(id);
  });
  it("answers undefined when no checkpoint reaches the seq yet", async () => {
    const t = table([[3, 5]]);
    expect(await earliestCovering(6, t.last, t.atOrAfter)).toBeUndefined();
    expect(await earliestCovering(1, undefined, t.atOrAfter)).toBeUndefined();
  });
  it("probes about log2 of the ids, not every checkpoint", async () => {
    const t = table(Array.from({ length: 100_000 }, (_, i): [number, number] => [i + 1, i * 3]));
    expect((await earliestCovering(150_001, t.last, t.atOrAfter))?.id).toBe(50_002);
    expect(t.calls()).toBeLessThanOrEqual(20);
  });
});
