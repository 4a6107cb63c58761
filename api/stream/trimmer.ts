// The events app's stream cleanup: every `intervalMs`, the one replica holding the lease removes the
// domain-events entries every consumer group has acknowledged (the stream is never trimmed on XADD).
// The lease only saves duplicate work: the trim itself is atomic and safe to run twice.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import { trimAcknowledged } from "./backlog.ts";

// Takes a free lease or renews our own; answers 1 when we hold it.
const LEASE = `
local cur = redis.call('GET', KEYS[1])
if cur == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`;

export const leaseKey = (streamKey: string) => `dce:stream-trim:lease:${streamKey}`;

export interface Trimmer {
  /** One round: take or renew the lease, trim if held. Answers what was removed, or null without the lease. */
  tick(): Promise<{ removed: number; floor: string } | null>;
  stop(): void;
}

export function streamTrimmer(redis: Redis, logger: Logger, streamKey: string, intervalMs: number): Trimmer {
  const holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const ttl = String(intervalMs * 3); // a dead holder's lease lapses after three missed rounds
  const tick = async () => {
    const held = (await redis.eval(LEASE, 1, leaseKey(streamKey), holder, ttl)) === 1;
    if (!held) return null;
    const r = await trimAcknowledged(redis, streamKey);
    if (r.removed > 0) logger.debug({ stream: streamKey, ...r }, "stream.trimmed");
    return r;
  };
  let timer: NodeJS.Timeout | undefined;
  const loop = () => {
    timer = setTimeout(async () => {
      await tick().catch((err: unknown) => logger.warn({ err, stream: streamKey }, "stream.trim_failed"));
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
