// The batch runner: answers in request order whatever the finishing order, refuses items alone, keeps
// its parallelism bound, and lets a bug (not an ApiError) fail the whole batch.
import { describe, expect, it } from "vitest";
import { ApiError } from "../problem.ts";
import { answerItems, repeatedIds, runBatch } from "./runner.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runBatch", () => {
  it("answers in request order even when later items finish first", async () => {
    const delays = [30, 1, 20, 0, 10];
    const finished: number[] = [];
    const outcomes = await runBatch(delays, async (ms, i) => {
      await sleep(ms);
      finished.push(i);
      return `item ${i}`;
    });
    expect(finished).not.toEqual([0, 1, 2, 3, 4]);
    expect(outcomes).toEqual(delays.map((_, i) => ({ ok: true, value: `item ${i}` })));
  });

  it("refuses an item with its own problem and runs the others", async () => {
    const ran: number[] = [];
    const outcomes = await runBatch([1, -1, 2], async (n, i) => {
      ran.push(i);
      if (n < 0) throw new ApiError(400, "validation_failed", "bidMicros: must be at least 0");
      return n;
    });
    expect(ran.sort()).toEqual([0, 1, 2]);
    const answer = answerItems(
      outcomes,
      "/v1/x",
      (n) => ({ status: 200, n }),
      (i) => ({ id: `c${i}` }),
    );
    expect(answer).toMatchObject({ succeeded: 2, refused: 1 });
    expect(answer.results).toEqual([
      { index: 0, id: "c0", status: 200, n: 1 },
      {
        index: 1,
        id: "c1",
        status: 400,
        problem: expect.objectContaining({
          code: "validation_failed",
          status: 400,
          detail: "bidMicros: must be at least 0",
          instance: "/v1/x",
        }),
      },
      { index: 2, id: "c2", status: 200, n: 2 },
    ]);
  });

  it("keeps at most `parallelism` items in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    await runBatch(
      Array.from({ length: 40 }, (_, i) => i),
      async (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await sleep(i % 3);
        inFlight--;
      },
      4,
    );
    expect(peak).toBe(4);
  });

  it("fails the whole batch on a throw that is not a coded refusal (a bug)", async () => {
    await expect(
      runBatch([1, 2], async (n) => {
        if (n === 2) throw new TypeError("boom");
        return n;
      }),
    ).rejects.toThrow("boom");
  });

  it("answers an empty batch with no results", async () => {
    expect(answerItems(await runBatch([], async () => 1), "/", () => ({ status: 200 }))).toEqual({
      succeeded: 0,
      refused: 0,
      results: [],
    });
  });
});

describe("repeatedIds", () => {
  it("names each later occurrence with its first one", () => {
    expect([...repeatedIds(["a", "b", "a", "c", "b", "a"])]).toEqual([
      [2, 0],
      [4, 1],
      [5, 0],
    ]);
  });
});
