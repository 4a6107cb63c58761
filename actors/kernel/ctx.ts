// The context handed to pure rules: the clock and the id generator, injected so outcomes are deterministic.
import { newId } from "./ids.ts";

export interface Ctx {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** A new prefixed id, e.g. `newId("call")` → `call_...`. */
  newId(prefix: string): string;
}

export const systemCtx: Ctx = { now: () => Date.now(), newId };

/** A fixed clock and counting id generator, for tests and fixtures. */
export function fixedCtx(nowMs: number): Ctx & { advance(ms: number): void } {
  let t = nowMs;
  let n = 0;
  return {
    now: () => t,
    newId: (prefix) => `${prefix}_${String(++n).padStart(6, "0")}`,
    advance(ms) {
      t += ms;
    },
  };
}
