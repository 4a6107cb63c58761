// The actor host's HTTP server: Dapr's actor callback protocol on node:http (no SDK, no Express).
// daprd calls GET /dapr/config (types served and their settings), PUT /actors/<type>/<id>/method/<m>
// (body: the JSON array of arguments), PUT …/method/remind/<name> and …/method/timer/<name>,
// DELETE /actors/<type>/<id> (deactivation) and GET /healthz. Every route but the health probe needs
// the app token (actors/platform/app-token.ts).
import http from "node:http";
import { APP_TOKEN_HEADER, appTokenRefusal, callbackAllowed, HEALTH_PATH } from "../platform/app-token.ts";
import type { Logger } from "../platform/logger.ts";
import { type Dispatcher, NotHosted } from "./dispatcher.ts";

/** What GET /dapr/config answers besides `entities` (Dapr's actor runtime configuration). */
export interface ActorRuntimeSettings {
  actorIdleTimeout: string;
  drainOngoingCallTimeout: string;
  drainRebalancedActors: boolean;
  /** Idle timeouts per actor type (Dapr's entitiesConfig); types not named get actorIdleTimeout. */
  idleTimeouts: Record<string, string>;
}

export function runtimeConfig(types: string[], s: ActorRuntimeSettings): Record<string, unknown> {
  const byTimeout = new Map<string, string[]>();
  for (const [type, timeout] of Object.entries(s.idleTimeouts))
    if (types.includes(type)) byTimeout.set(timeout, [...(byTimeout.get(timeout) ?? []), type]);
  return {
    entities: types,
    actorIdleTimeout: s.actorIdleTimeout,
    drainOngoingCallTimeout: s.drainOngoingCallTimeout,
    drainRebalancedActors: s.drainRebalancedActors,
    reentrancy: { enabled: false },
    entitiesConfig: [...byTimeout].map(([actorIdleTimeout, entities]) => ({ entities, actorIdleTimeout })),
  };
}

export function createActorHost(opts: {
  dispatcher: Dispatcher;
  settings: ActorRuntimeSettings;
  appToken: string;
  logger: Logger;
}): http.Server {
  const { dispatcher, logger } = opts;
  const config = JSON.stringify(runtimeConfig(dispatcher.typeNames(), opts.settings));
  return http.createServer({ keepAlive: true }, (req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    const method = req.method ?? "GET";
    if (!callbackAllowed(method, path, header(req.headers[APP_TOKEN_HEADER]), opts.appToken)) {
      req.resume();
      return send(res, 401, appTokenRefusal(path), "application/problem+json");
    }
    readBody(req)
      .then((body) => route(method, path, body))
      .then(
        ({ status, body }) => send(res, status, body),
        (err: unknown) => {
          if (err instanceof NotHosted) return send(res, 404, JSON.stringify({ error: err.message }));
          logger.warn({ err, path }, "actors.call_failed");
          send(res, 500, JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
        },
      );
  });

  async function route(
    method: string,
    path: string,
    body: string,
  ): Promise<{ status: number; body: string }> {
    if (method === "GET" && path === HEALTH_PATH) return { status: 200, body: "ok" };
    if (method === "GET" && path === "/dapr/config") return { status: 200, body: config };
    if (method === "GET" && path === "/dapr/subscribe") return { status: 200, body: "[]" };
    const p = path.split("/").map(decodeURIComponent); // ["", "actors", type, id, "method", …]
    if (p[1] !== "actors" || p.length < 4) throw new NotHosted(`no route ${method} ${path}`);
    const [type, id] = [p[2]!, p[3]!];
    if (method === "DELETE" && p.length === 4) {
      dispatcher.deactivate(type, id);
      return { status: 200, body: "" };
    }
    if (method !== "PUT" || p[4] !== "method") throw new NotHosted(`no route ${method} ${path}`);
    if (p.length === 7 && p[5] === "remind") {
      const r = parse(body) as { data?: unknown } | undefined;
      await dispatcher.remind(type, id, p[6]!, reminderData(r?.data));
      return { status: 200, body: "" };
    }
    if (p.length === 7 && p[5] === "timer") {
      const t = parse(body) as { callback?: string; data?: unknown } | undefined;
      if (!t?.callback) throw new NotHosted(`timer ${p[6]} names no callback`);
      await dispatcher.invoke(type, id, t.callback, [reminderData(t.data)]);
      return { status: 200, body: "" };
    }
    if (p.length !== 6) throw new NotHosted(`no route ${method} ${path}`);
    const args = parse(body);
    const result = await dispatcher.invoke(
      type,
      id,
      p[5]!,
      Array.isArray(args) ? args : args === undefined ? [] : [args],
    );
    return { status: 200, body: result === undefined ? "" : JSON.stringify(result) };
  }
}

/** A reminder's or timer's data: JSON as registered, or (from some Dapr versions) its JSON text. */
function reminderData(data: unknown): unknown {
  if (typeof data !== "string") return data;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

function parse(body: string): unknown {
  return body === "" ? undefined : JSON.parse(body);
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: string, type = "application/json"): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}
