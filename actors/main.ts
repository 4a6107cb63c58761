// Actor host: serves BuyerActor, SellerActor, CallActor and AuctionActor to its daprd sidecar.
import { AuctionActor } from "./auction/auction-actor.ts";
import { BenchActor } from "./bench/bench-actor.ts";
import { BuyerActor } from "./buyer/buyer-actor.ts";
import { CallActor } from "./call/call-actor.ts";
import { startSweeper } from "./call/sweeper.ts";
import { loadConfig } from "./platform/config.ts";
import { ActorSidecar, createDaprClient, publishEvents } from "./platform/dapr-client.ts";
import { createLogger } from "./platform/logger.ts";
import { createRedis } from "./platform/redis.ts";
import { createActorHost } from "./runtime/actor-host.ts";
import type { ActorDeps } from "./runtime/actor-runtime.ts";
import { Dispatcher } from "./runtime/dispatcher.ts";
import { RedisDocumentStore } from "./runtime/redis-document-store.ts";
import { SellerActor } from "./seller/seller-actor.ts";

const config = loadConfig();
const logger = createLogger("actors", config.logLevel);
const redis = createRedis(config.redisUrl);
const client = createDaprClient(config.daprHost, config.daprHttpPort, config.daprApiToken);
const deps: ActorDeps = {
  config,
  redis,
  logger,
  now: () => Date.now(),
  client,
  store: new RedisDocumentStore(redis),
  publish: (events) => publishEvents(client, config.pubsubName, config.eventsTopic, events),
  reminders: (type, id) => new ActorSidecar(client, type, id),
};

process.on("unhandledRejection", (err) => logger.error({ err }, "actors.unhandled_rejection"));

// The actor type on the wire is the class name: keep these names stable.
const dispatcher = new Dispatcher([BuyerActor, SellerActor, CallActor, AuctionActor, BenchActor], deps);
const server = createActorHost({
  dispatcher,
  appToken: config.appApiToken,
  logger,
  settings: {
    actorIdleTimeout: "1h",
    // A call and its auction are busy for seconds to minutes (routing expiry, settlement); idle after
    // that, their memory is freed early. Buyers and sellers are hot and long-lived.
    idleTimeouts: {
      CallActor: "5m",
      AuctionActor: "5m",
      BuyerActor: "1h",
      SellerActor: "1h",
    },
    // Long enough for in-flight calls to finish before an actor moves (callers give up at 10 s; a
    // command still running then is refused by the compare-and-set on its write). Placement's
    // dissemination timeout (15 s, set by the launcher) stays above it, so a draining host is not
    // kicked.
    drainOngoingCallTimeout: "8s",
    drainRebalancedActors: true,
  },
});
server.keepAliveTimeout = 65_000;
server.listen(config.appPort, "127.0.0.1", () =>
  logger.info(
    { appPort: config.appPort, node: process.versions.node, actors: dispatcher.typeNames() },
    "actors.started",
  ),
);

// Routing expiry and crashed offers' sagas: the due calls in Redis, each swept by its CallActor. Every
// actor host runs the loop from its start; one at a time holds the lease.
const sweeper = startSweeper({ redis, logger, dapr: client, now: deps.now, intervalMs: 1_000 });

const stop = (signal: string) => {
  logger.info({ signal }, "actors.stopping");
  sweeper.stop();
  server.close();
  server.closeIdleConnections();
  redis.disconnect();
  process.exit(0);
};
process.once("SIGTERM", () => stop("SIGTERM"));
process.once("SIGINT", () => stop("SIGINT"));
