// Promise.allSettled with a bound on how many run at once: work that would otherwise arrive at the
// sidecars and hosts as one burst (a sweep of every call due this second, a batch of 100 commands) is
// carried by a few workers instead, so it shares the machine with live traffic rather than queueing
// ahead of it.

/** Runs `run` over `items`, at most `limit` at a time; answers each outcome in the items' order. */
export async function allSettledBounded<I, T>(
  items: readonly I[],
  limit: number,
  run: (item: I, index: number) => Promise<T>,
): Promise<PromiseSettledResult<T>[]> {
  const out = new Array<PromiseSettledResult<T>>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      try {
        out[index] = { status: "fulfilled", value: await run(items[index]!, index) };
      } catch (reason) {
        out[index] = { status: "rejected", reason };
      }
    }
  }
  const workers = Math.max(1, Math.min(Math.floor(limit) || 1, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return out;
}
