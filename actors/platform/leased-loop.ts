// Periodic work that one replica at a time does: every `intervalMs` a round takes (or renews) a Redis
// lease and runs the work only while it holds it. The lease only saves duplicate work; the work itself
// must be safe to run twice. A holder that dies loses the lease after three missed rounds.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Redis } from "./redis.ts";

// Takes a free lease or renews our own; answers 1 when we hold it.
const LEASE = `
local cur = redis.call('GET', KEYS[1])
if cur == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`;

export interface LeasedLoop<T> {
  /** One round: take or renew the lease, run the work if held. Answers its result, or null without the lease. */
  tick(): Promise<T | null>;
  stop(): void;
}

export function leasedLoop<T>(
  redis: Redis,
  leaseKey: string,
  intervalMs: number,
  work: () => Promise<T>,
  onError: (err: unknown) => void,
): LeasedLoop<T> {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const ttl = String(intervalMs * 3);
  const tick = async () => {
    const held = (await redis.eval(LEASE, 1, leaseKey, holder, ttl)) === 1;
    return held ? work() : null;
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    timer = setTimeout(async () => {
      await tick().catch(onError);
      if (timer) loop();
    }, intervalMs);
    timer.unref();
  };
  loop();
  return {
    tick,
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
