// A second API replica for e2e tests, in this process: the real app, key events, live hub and WebSocket
// server against the stack's Redis, Postgres and API sidecar, on a random loopback port. It counts the
// database statements it sends, so a test can prove a request never reached the database.
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { loadConfig } from "../../actors/platform/config.ts";
import { createDaprClient } from "../../actors/platform/dapr-client.ts";
import { createLogger } from "../../actors/platform/logger.ts";
import { createRedis } from "../../actors/platform/redis.ts";
import { readRunFile } from "../../scripts/stack/plan.ts";
import { createApp } from "../app.ts";
import { createDb } from "../db/client.ts";
import { KeyEvents } from "../key-events.ts";
import { LiveHub } from "../live/hub.ts";
import { createLiveSocketServer } from "../live/ws-server.ts";
import { LIVE_PROTOCOL } from "../routes/live.ts";
import { ROOT, STATE_DIR } from "./stack.ts";

/** The stack's API configuration: its app's env in dapr.yaml (so the replica has the same local-stack
 * settings, e.g. the failed-auth limit every e2e test shares on 127.0.0.1) and the local secrets. */
function stackEnv(): Record<string, string> {
  const api = readRunFile(join(ROOT, "dapr.yaml")).find((app) => app.appID === "exchange-api");
  if (!api) throw new Error("dapr.yaml has no exchange-api app");
  const env: Record<string, string> = { ...api.env, DAPR_HTTP_PORT: String(api.daprHTTPPort) };
  for (const line of readFileSync(join(STATE_DIR, "secrets.env"), "utf8").split("\n")) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** `now` is the app's clock (the test clock of the compliance tests); the wall clock unless given. */
export async function startReplica(extraEnv: Record<string, string> = {}, now: () => number = Date.now) {
  const config = loadConfig({ ...stackEnv(), ...extraEnv });
  const logger = createLogger("api-replica", "silent");
  const redis = createRedis(config.redisUrl);
  const counter = { queries: 0 };
  const { db, sql } = createDb(config.databaseUrl, 4, () => counter.queries++);
  const live = new LiveHub({ redis, logger, now: () => Date.now() });
  const keyEventsName = `dce-key-events-${randomUUID().slice(0, 8)}`;
  const keyEvents = new KeyEvents(redis, logger, keyEventsName);
  await keyEvents.ready();
  const app = createApp({
    config,
    dapr: createDaprClient(config.daprHost, config.daprHttpPort, config.daprApiToken),
    redis,
    db,
    logger,
    now,
    live,
    keyEvents,
    probes: {},
  });
  const wss = createLiveSocketServer({ protocols: [LIVE_PROTOCOL] });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1", websocket: { server: wss } });
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    counter,
    db,
    redis,
    keyEvents,
    keyEventsName,
    async stop() {
      server.close();
      keyEvents.close();
      await live.close();
      await sql.end({ timeout: 2 });
      redis.disconnect();
    },
  };
}

/** A GET from a chosen loopback source address (fetch cannot pick one). */
export function getFrom(
  localAddress: string,
  url: string,
  key?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { localAddress, headers: { ...headers, ...(key ? { authorization: `Bearer ${key}` } : {}) } },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}
