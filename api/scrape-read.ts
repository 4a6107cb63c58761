// Gauges read from a backing store at scrape time (Postgres, Redis): /metrics must answer while that
// store does not, so a read is bounded and reported stale instead of hanging the scrape.

/**
 * A collect function for gauges fed by one read: the registry collects its gauges concurrently, so
 * every gauge asking within one scrape shares one read; a read still running (a stalled store) is
 * reused, never repeated, so stuck reads do not pile up. `apply` gets the value, or `undefined` when the
 * read failed or took longer than `boundMs` (the gauges' last values then stay, marked stale).
 * `read` answering `null` means there is nothing to read yet: nothing is applied.
 */
export function scrapeRead<T>(
  read: () => Promise<T | null>,
  boundMs: number,
  apply: (value: T | undefined) => void,
): () => Promise<void> {
  let collecting: Promise<void> | undefined;
  let running: Promise<T | null> | undefined;
  const collect = async () => {
    running ??= read().finally(() => {
      running = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((r) => {
      timer = setTimeout(() => r("late"), boundMs);
    });
    try {
      const value = await Promise.race([running, late]);
      if (value !== null) apply(value === "late" ? undefined : value);
    } catch {
      apply(undefined);
    } finally {
      clearTimeout(timer);
    }
  };
  return () => {
    collecting ??= collect().finally(() => {
      collecting = undefined;
    });
    return collecting;
  };
}
