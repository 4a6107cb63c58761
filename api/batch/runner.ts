// The batch runner: runs one command per item with bounded parallelism and answers per item, in request
// order; an item's coded refusal (an ApiError) is its own problem, never the whole batch's.
import { allSettledBounded } from "../../actors/kernel/bounded.ts";
import { ApiError, problemDetails } from "../problem.ts";

/**
 * Items in flight at once. A campaign batch goes to one owning actor, which takes one turn at a time,
 * so more parallelism only queues at the actor; a few in flight hide the sidecar round trips.
 */
export const BATCH_PARALLELISM = 8;

export type ItemOutcome<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/**
 * Runs `run` over `items`, at most `parallelism` at a time, and returns their outcomes in the items'
 * order. An ApiError is that item's refusal; any other throw is a bug and fails the whole batch.
 */
export async function runBatch<I, T>(
  items: readonly I[],
  run: (item: I, index: number) => Promise<T>,
  parallelism = BATCH_PARALLELISM,
): Promise<ItemOutcome<T>[]> {
  const settled = await allSettledBounded(items, parallelism, run);
  return settled.map((r) => {
    if (r.status === "fulfilled") return { ok: true, value: r.value };
    if (!(r.reason instanceof ApiError)) throw r.reason;
    return { ok: false, error: r.reason };
  });
}

/** Later occurrences of an id already in the batch: refused per item, so no two commands race on it. */
export function repeatedIds(ids: readonly string[]): Map<number, number> {
  const first = new Map<string, number>();
  const repeats = new Map<number, number>();
  ids.forEach((id, i) => {
    const seen = first.get(id);
    if (seen === undefined) first.set(id, i);
    else repeats.set(i, seen);
  });
  return repeats;
}

export interface ItemAnswer {
  index: number;
  status: number;
  problem?: ReturnType<typeof problemDetails>;
}

/** The per-item answers and their counts; `ok` gives a success's status and fields. */
export function answerItems<T>(
  outcomes: ItemOutcome<T>[],
  instance: string,
  ok: (value: T, index: number) => { status: number } & Record<string, unknown>,
  fields: (index: number) => Record<string, unknown> = () => ({}),
) {
  const results = outcomes.map((o, index) =>
    o.ok
      ? { index, ...fields(index), ...ok(o.value, index) }
      : { index, ...fields(index), status: o.error.status, problem: problemDetails(o.error, instance) },
  );
  const succeeded = outcomes.filter((o) => o.ok).length;
  return { succeeded, refused: outcomes.length - succeeded, results };
}
