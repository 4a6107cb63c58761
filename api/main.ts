// The API process: Hono on the public port, talking to actors and pub/sub through its daprd.
import { serve } from "@hono/node-server";
import { loadConfig } from "../actors/platform/config.ts";
import { createDaprClient } from "../actors/platform/dapr-client.ts";
import { createLogger } from "../actors/platform/logger.ts";
import { createRedis } from "../actors/platform/redis.ts";
import { createApp } from "./app.ts";
import { checkpointIntervalMs, checkpointKeyFrom } from "./audit/checkpoint.ts";
import { startCheckpointer } from "./audit/checkpointer.ts";
import { createDb } from "./db/client.ts";
import { dossierKeyFrom } from "./dossiers/key.ts";
import { KeyEvents } from "./key-events.ts";
import { AuctionFeed } from "./live/auction-feed.ts";
import { LiveHub } from "./live/hub.ts";
import { createLiveSocketServer } from "./live/ws-server.ts";
import { LIVE_PROTOCOL } from "./routes/live.ts";
import { streamMonitor } from "./stream/monitor.ts";
import { carrierSecretsFrom } from "./telephony/secrets.ts";

/** How long an idle keep-alive connection stays open (see the server below). */
const API_KEEP_ALIVE_MS = 65_000;
const config = loadConfig();
const logger = createLogger("api", config.logLevel);
const auditCheckpointKey = checkpointKeyFrom(process.env);
const dossierKey = dossierKeyFrom(process.env);
const checkpointEveryMs = checkpointIntervalMs(process.env);
const redis = createRedis(config.redisUrl);
const { db, sql } = createDb(config.databaseUrl);
const dapr = createDaprClient(config.daprHost, config.daprHttpPort, config.daprApiToken);
const sidecar = `http://${config.daprHost}:${config.daprHttpPort}`;
const live = new LiveHub({ redis, logger, now: () => Date.now() });
const keyEvents = new KeyEvents(redis, logger);
const auctionFeed = new AuctionFeed({ redis, stream: config.eventsTopic, logger });
// Daprd's Redis pub/sub keys a topic's stream by the topic's name.
const stream = streamMonitor(redis, logger, config.eventsTopic, config.stream);

const app = createApp({
  config,
  dapr,
  redis,
  db,
  logger,
  now: () => Date.now(),
  live,
  auctionFeed,
  keyEvents,
  auditCheckpointKey,
  dossierKey,
  carrierSecrets: carrierSecretsFrom(process.env),
  stream,
  probes: {
    sidecar: async () => (await fetch(`${sidecar}/v1.0/healthz`, { signal: AbortSignal.timeout(1_000) })).ok,
    redis: async () => (await redis.ping()) === "PONG",
    postgres: async () => (await sql`select 1 as ok`).length === 1,
  },
});

const stopCheckpoints = startCheckpointer(
  { db, redis, logger, now: () => Date.now() },
  auditCheckpointKey,
  checkpointEveryMs,
);

const websocket = { server: createLiveSocketServer({ protocols: [LIVE_PROTOCOL] }) };
const server = serve(
  { fetch: app.fetch, port: config.apiPort, hostname: config.apiHost, websocket },
  (info) => logger.info({ port: info.port, node: process.versions.node }, "api.started"),
);
// Idle keep-alive connections stay open 65 s (Node's default is 5 s). A load balancer in front keeps
// idle connections up to 60 s, and a client whose event loop was busy for a few seconds reuses one it
// believes open: when the server closed first, that request fails ("other side closed") or, behind a
// balancer, turns into a 502. The server must be the side that waits longest.
if ("keepAliveTimeout" in server) {
  server.keepAliveTimeout = API_KEEP_ALIVE_MS;
  server.headersTimeout = API_KEEP_ALIVE_MS + 1_000;
}

const stop = (signal: string) => {
  logger.info({ signal }, "api.stopping");
  server.close();
  stopCheckpoints();
  void live.close();
  auctionFeed.stop();
  keyEvents.close();
  stream.stop();
  void sql.end({ timeout: 2 });
  redis.disconnect();
  setTimeout(() => process.exit(0), 200).unref();
};
process.once("SIGTERM", () => stop("SIGTERM"));
process.once("SIGINT", () => stop("SIGINT"));
