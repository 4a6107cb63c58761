// Actor host: serves BuyerActor, SellerActor, CallActor and AuctionActor to its daprd sidecar.
import { CommunicationProtocolEnum, DaprServer } from "@dapr/dapr";
import express from "express";
import { AuctionActor } from "./auction/auction-actor.ts";
import { BenchActor } from "./bench/bench-actor.ts";
import { BuyerActor } from "./buyer/buyer-actor.ts";
import { CallActor } from "./call/call-actor.ts";
import { expressAppTokenGuard } from "./platform/app-token.ts";
import { loadConfig } from "./platform/config.ts";
import { createLogger } from "./platform/logger.ts";
import { createRedis } from "./platform/redis.ts";
import { setActorDeps } from "./runtime/actor-runtime.ts";
import { SellerActor } from "./seller/seller-actor.ts";

const config = loadConfig();
const logger = createLogger("actors", config.logLevel);
const redis = createRedis(config.redisUrl);
setActorDeps({ config, redis, logger, now: () => Date.now() });

// The SDK serves actor calls, reminders and deactivations from async HTTP handlers that do not catch;
// one failing actor must not take every other actor on this host down with an unhandled rejection.
process.on("unhandledRejection", (err) => logger.error({ err }, "actors.unhandled_rejection"));

// Every callback from daprd carries the app token; the check runs before the SDK's body parsers,
// which it adds to this app after it (the SDK serves the actor routes on the app we hand it).
const http = express();
http.use(expressAppTokenGuard(config.appApiToken));

const server = new DaprServer({
  serverHost: "127.0.0.1",
  serverPort: String(config.appPort),
  serverHttp: http,
  communicationProtocol: CommunicationProtocolEnum.HTTP,
  clientOptions: {
    daprHost: config.daprHost,
    daprPort: config.daprHttpPort,
    daprApiToken: config.daprApiToken,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    isKeepAlive: true,
    actor: {
      actorIdleTimeout: "1h",
      // Long enough for in-flight calls to finish before an actor moves (callers give up at 10 s; a
      // command still running then is caught by the version check before its write). Placement's
      // dissemination timeout (15 s, set by the launcher) stays above it, so a draining host is not
      // kicked.
      drainOngoingCallTimeout: "8s",
      drainRebalancedActors: true,
      reentrancy: { enabled: false },
    },
  },
  logger: { level: 2 },
});

await server.actor.init();
// The actor type on the wire is the class name: keep these names stable.
await server.actor.registerActor(BuyerActor);
await server.actor.registerActor(SellerActor);
await server.actor.registerActor(CallActor);
await server.actor.registerActor(AuctionActor);
await server.actor.registerActor(BenchActor); // benchmark baseline: an empty actor method
await server.start();
logger.info(
  {
    appPort: config.appPort,
    node: process.versions.node,
    actors: ["BuyerActor", "SellerActor", "CallActor", "AuctionActor"],
  },
  "actors.started",
);

const stop = async (signal: string) => {
  logger.info({ signal }, "actors.stopping");
  await server.stop().catch(() => undefined);
  redis.disconnect();
  process.exit(0);
};
process.once("SIGTERM", () => void stop("SIGTERM"));
process.once("SIGINT", () => void stop("SIGINT"));
