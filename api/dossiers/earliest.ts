// The earliest checkpoint covering an audit row, pure: a binary search over checkpoint ids, since a
// chain's head only grows from one checkpoint to the next. About log2(checkpoints) primary-key probes
// instead of a scan of every checkpoint's heads (one a minute is half a million a year).

export interface Probe<C> {
  id: number;
  /** The checkpoint's head seq on the chain searched. */
  head: number;
  checkpoint: C;
}

/**
 * The first checkpoint (lowest id) whose head reaches `seq`, or undefined when none does. `atOrAfter(id)`
 * answers the checkpoint with the lowest id >= `id` (undefined past the last), `last` the newest one.
 */
export async function earliestCovering<C>(
  seq: number,
  last: Probe<C> | undefined,
  atOrAfter: (id: number) => Promise<Probe<C> | undefined>,
): Promise<Probe<C> | undefined> {
  if (!last || last.head < seq) return undefined;
  let found = last;
  let lo = 0;
  while (lo < found.id) {
    const mid = Math.floor((lo + found.id) / 2);
    const p = await atOrAfter(mid);
    if (!p || p.id >= found.id) {
      lo = found.id; // nothing between mid and the one found: it is the earliest
    } else if (p.head >= seq) {
      found = p;
    } else {
      lo = p.id + 1;
    }
  }
  return found;
}
