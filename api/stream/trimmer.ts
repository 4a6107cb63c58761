// The events app's stream cleanup: every `intervalMs`, the one replica holding the lease removes the
// domain-events entries every consumer group has acknowledged (the stream is never trimmed on XADD).
// The lease only saves duplicate work: the trim itself is atomic and safe to run twice.
import { leasedLoop } from "../../actors/platform/leased-loop.ts";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import { trimAcknowledged } from "./backlog.ts";

export const leaseKey = (streamKey: string) => `dce:stream-trim:lease:${streamKey}`;

export interface Trimmer {
  /** One round: take or renew the lease, trim if held. Answers what was removed, or null without the lease. */
  tick(): Promise<{ removed: number; floor: string } | null>;
  stop(): void;
}

export function streamTrimmer(redis: Redis, logger: Logger, streamKey: string, intervalMs: number): Trimmer {
  return leasedLoop(
    redis,
    leaseKey(streamKey),
    intervalMs,
    async () => {
      const r = await trimAcknowledged(redis, streamKey);
      if (r.removed > 0) logger.debug({ stream: streamKey, ...r }, "stream.trimmed");
      return r;
    },
    (err) => logger.warn({ err, stream: streamKey }, "stream.trim_failed"),
  );
}
