// Which segments a proof carries, pure: one run of rows from the call's first record to the earliest
// checkpoint covering as many later records as fit in SEGMENT_ROWS_MAX rows; the next record past
// that starts a new run (the rows between two runs are not shown: other aggregates' rows, mostly).

/** Rows one segment may carry (a 67-byte leaf each: ~1.3 MB), unless its first record alone needs more. */
export const SEGMENT_ROWS_MAX = 20_000;

export interface Cover<C> {
  checkpoint: C;
  /** The checkpoint's head seq on the call's chain. */
  head: number;
}

export interface Planned<C> {
  from: number;
  to: number;
  checkpoint: C;
}

/** Plans segments over the records' seqs (ascending); `cover(seq)` is the earliest checkpoint covering seq. */
export async function planSegments<C>(
  seqs: readonly number[],
  cover: (seq: number) => Promise<Cover<C>>,
  max = SEGMENT_ROWS_MAX,
): Promise<Planned<C>[]> {
  const planned: Planned<C>[] = [];
  let i = 0;
  while (i < seqs.length) {
    const from = seqs[i]!;
    let at = await cover(from);
    let j = i + 1;
    while (j < seqs.length) {
      if (seqs[j]! <= at.head) {
        j++;
        continue;
      }
      const next = await cover(seqs[j]!);
      if (next.head - from + 1 > max) break;
      at = next;
      j++;
    }
    planned.push({ from, to: at.head, checkpoint: at.checkpoint });
    i = j;
  }
  return planned;
}
