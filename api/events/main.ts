// The events app: subscribes to domain events through its daprd and records them in Postgres, and
// sends the partner webhooks those events enqueue.
import { CommunicationProtocolEnum, DaprServer } from "@dapr/dapr";
import { loadConfig } from "../../actors/runtime/config.ts";
import { createLogger } from "../../actors/runtime/logger.ts";
import { createDb } from "../db/client.ts";
import { webhookWorker } from "../webhooks/worker.ts";
import { recordEvent } from "./writer.ts";

const config = loadConfig();
const logger = createLogger("events", config.logLevel);
const { db, sql } = createDb(config.databaseUrl);

const server = new DaprServer({
  serverHost: "127.0.0.1",
  serverPort: String(config.appPort),
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  clientOptions: { daprHost: config.daprHost, daprPort: config.daprHttpPort },
  logger: { level: 2 },
});

// The SDK acks a handler that throws as SUCCESS, so recordEvent never throws: it answers RETRY.
await server.pubsub.subscribe(config.pubsubName, config.eventsTopic, (data: unknown) =>
  recordEvent(db, logger, data),
);
await server.start();
const { retryBaseMs, ...webhookOpts } = config.webhooks;
const webhooks = webhookWorker(db, sql, logger, {
  ...webhookOpts,
  baseMs: retryBaseMs,
  piiKey: config.piiKey,
  batch: 64,
  perEndpoint: 4,
});
await webhooks.start();
logger.info({ topic: config.eventsTopic }, "events.started");

const stop = async (signal: string) => {
  logger.info({ signal }, "events.stopping");
  await server.stop().catch(() => undefined);
  await webhooks.stop();
  await sql.end({ timeout: 2 });
  process.exit(0);
};
process.once("SIGTERM", () => void stop("SIGTERM"));
process.once("SIGINT", () => void stop("SIGINT"));
