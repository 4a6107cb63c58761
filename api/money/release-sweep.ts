// The payout release sweep (events app): every `intervalMs` the one replica holding the lease releases
// the payout holds that have ended, so pending money becomes available by time alone. The lease only
// saves duplicate work: releases run under the seller-money lock and each hold is released once.
import { leasedLoop } from "../../actors/platform/leased-loop.ts";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import type { Db } from "../db/client.ts";
import { releaseAllDue } from "./holds.ts";

export const RELEASE_LEASE_KEY = "dce:payout-release:lease";

export function releaseSweeper(
  redis: Redis,
  db: Db,
  logger: Logger,
  intervalMs: number,
  now: () => number = Date.now,
) {
  return leasedLoop(
    redis,
    RELEASE_LEASE_KEY,
    intervalMs,
    async () => {
      const r = await releaseAllDue(db, now());
      if (r.released > 0) logger.info(r, "payout.released");
      return r;
    },
    (err) => logger.warn({ err }, "payout.release_failed"),
  );
}
