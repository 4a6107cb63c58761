import { describe, expect, it } from "vitest";
import { planSegments } from "./segments.ts";

/** Checkpoints every `every` rows of the chain: the earliest covering seq s ends at the next multiple. */
const every = (n: number) => async (seq: number) => {
  const head = Math.ceil(seq / n) * n;
  return { checkpoint: `cp@${head}`, head };
};

describe("planSegments", () => {
  it("keeps a short call in one segment, up to the checkpoint covering its last record", async () => {
    expect(await planSegments([3, 7, 12], every(10), 100)).toEqual([
      { from: 3, to: 20, checkpoint: "cp@20" },
    ]);
  });
  it("starts a new segment at the first record past the bound, skipping the rows between", async () => {
    expect(await planSegments([3, 7, 250, 260, 900], every(10), 100)).toEqual([
      { from: 3, to: 10, checkpoint: "cp@10" },
      { from: 250, to: 260, checkpoint: "cp@260" },
      { from: 900, to: 900, checkpoint: "cp@900" },
    ]);
  });
  it("lets a single record's segment pass the bound when its checkpoint is that far", async () => {
    expect(await planSegments([5], every(1000), 100)).toEqual([{ from: 5, to: 1000, checkpoint: "cp@1000" }]);
  });
});
