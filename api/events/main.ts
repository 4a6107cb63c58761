// The events app: subscribes to domain events through its daprd and records them in Postgres, and
// sends the partner webhooks those events enqueue.
import { serve } from "@hono/node-server";
import { loadConfig } from "../../actors/platform/config.ts";
import { createLogger } from "../../actors/platform/logger.ts";
import { createRedis } from "../../actors/platform/redis.ts";
import { createDb } from "../db/client.ts";
import { releaseSweeper } from "../money/release-sweep.ts";
import { streamTrimmer } from "../stream/trimmer.ts";
import { recordingSweeper } from "../telephony/recordings/sweep.ts";
import { webhookWorker } from "../webhooks/worker.ts";
import { eventsServer } from "./server.ts";
import { recordMessages } from "./writer.ts";

const config = loadConfig();
const logger = createLogger("events", config.logLevel);
const { db, sql } = createDb(config.databaseUrl);

// Bulk delivery: up to 100 messages at a time (a message is one command's events), each delivery
// recorded in one transaction. Waiting up to
// 100 ms (20 before) to fill a batch: at 10 candidates, 40-70 offers/s, the events app's CPU per offer
// went from 2.3-2.9 ms to 1.4-1.5, Postgres's from 1.7-2.0 to 1.1-1.2 (fewer, larger transactions).
// Events reach Postgres up to 80 ms later; nothing on an offer's path waits for them.
const app = eventsServer(
  {
    pubsubName: config.pubsubName,
    topic: config.eventsTopic,
    maxMessagesCount: 100,
    maxAwaitDurationMs: 100,
  },
  (messages) => recordMessages(db, logger, messages),
  config.appApiToken,
);
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: config.appPort });
const { retryBaseMs, ...webhookOpts } = config.webhooks;
const webhooks = webhookWorker(db, sql, logger, {
  ...webhookOpts,
  baseMs: retryBaseMs,
  pii: config.pii,
  allowLocal: config.egressAllowLocal,
  batch: 64,
  perEndpoint: 4,
});
await webhooks.start();
// The stream is never trimmed on publish: this removes what every consumer group has acknowledged.
const redis = createRedis(config.redisUrl);
const trimmer = streamTrimmer(redis, logger, config.eventsTopic, config.stream.trimMs);
// Pending recordings are hashed again, and recordings past their retention deleted (and audited).
const recordings = recordingSweeper(
  redis,
  {
    db,
    logger,
    policy: { allowLocal: config.egressAllowLocal },
    timeoutMs: config.recordings.fetchTimeoutMs * 4,
  },
  config.recordings.sweepMs,
);
// Payout holds that have ended are released to the sellers' payables.
const releases = releaseSweeper(redis, db, logger, config.payouts.releaseMs);
logger.info({ topic: config.eventsTopic, node: process.versions.node }, "events.started");

const stop = async (signal: string) => {
  logger.info({ signal }, "events.stopping");
  await new Promise((r) => server.close(r));
  await webhooks.stop();
  trimmer.stop();
  recordings.stop();
  releases.stop();
  redis.disconnect();
  await sql.end({ timeout: 2 });
  process.exit(0);
};
process.once("SIGTERM", () => void stop("SIGTERM"));
process.once("SIGINT", () => void stop("SIGINT"));
