// GET /v1/live: the live bidders' WebSocket. A buyer key (or an admin key with ?buyerId=) receives that
// buyer's opportunities, may bid before each deadline, and then hears only its own won/lost outcome.
//
// Authentication, on the upgrade request: `Authorization: Bearer <key>` (servers), or, because browsers
// cannot set headers on a WebSocket, the subprotocol list `Sec-WebSocket-Protocol: dce.v1, dce.key.<key>`.
// The server selects only `dce.v1` and never echoes the key. Keys in the query string are refused: URLs
// end up in access logs and proxies' histories.
//
// A session lives only as long as its key: it is closed (1008 "key revoked") when the key is revoked on
// any replica, when a rotated key's overlap ends, and when the replica cannot confirm it after missing
// key events.
import { upgradeWebSocket } from "@hono/node-server";
import { Hono } from "hono";
import type { WebSocket } from "ws";
import { isId } from "../../actors/kernel/ids.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import type { KeyEvent } from "../key-events.ts";
import { authenticate } from "../keys.ts";
import type { LiveConnection } from "../live/hub.ts";
import { CLOSE, sendBounded } from "../live/ws-server.ts";
import { bearer, type KeyResolver } from "../middleware/auth.ts";
import { AUTH, tagged } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";

export const LIVE_PROTOCOL = "dce.v1";
const KEY_PROTOCOL = "dce.key.";

/** The presented API key: the Authorization header first, else a `dce.key.<key>` subprotocol. */
export function presentedKey(
  authorization: string | undefined,
  protocols: string | undefined,
): string | undefined {
  const key = bearer(authorization);
  if (key) return key;
  const offered = (protocols ?? "").split(",").map((p) => p.trim());
  return offered.find((p) => p.startsWith(KEY_PROTOCOL))?.slice(KEY_PROTOCOL.length) || undefined;
}

/** Whose feed this is: a buyer's own, or the buyer an admin names. Sellers have no live feed. */
export function liveBuyerId(principal: Principal, queryBuyerId: string | undefined): string {
  if (principal.role === "buyer" && principal.accountId) return principal.accountId;
  if (principal.role === "admin") {
    if (!isId(queryBuyerId, "byr"))
      throw new ApiError(400, "validation_failed", "admin keys need ?buyerId=byr_...");
    return queryBuyerId;
  }
  throw new ApiError(403, "forbidden", "only buyers bid live");
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `close` when the session's key ends; returns the function that stops watching. */
export function watchKey(
  deps: ApiDeps,
  principal: Principal,
  presented: string,
  close: (reason: string) => void,
) {
  let timer: NodeJS.Timeout | undefined;
  const expireAt = (ms: number | undefined) => {
    clearTimeout(timer);
    if (ms === undefined) return;
    const left = ms - deps.now();
    // setTimeout fires at once past 2^31-1 ms (about 24.8 days): wait in steps for a far expiry.
    if (left > MAX_TIMER_MS) timer = setTimeout(() => expireAt(ms), MAX_TIMER_MS);
    else timer = setTimeout(() => close("key expired"), Math.max(0, left));
  };
  expireAt(principal.expiresAtMs);
  const onEvent = (e: KeyEvent) => {
    if (e.type === "revoked" && e.keyId === principal.keyId) close("key revoked");
    else if (e.type === "expires" && e.keyId === principal.keyId) expireAt(e.expiresAtMs);
    else if (e.type === "reset")
      authenticate(deps.db, deps.config.adminApiKey, presented, deps.now())
        .then((p) => {
          if (!p) close("key revoked");
          else expireAt(p.expiresAtMs);
        })
        .catch(() => close("key unconfirmed"));
  };
  const off = deps.keyEvents?.on(onEvent);
  return () => {
    clearTimeout(timer);
    off?.();
  };
}

export function liveRoutes(deps: ApiDeps, keys: KeyResolver) {
  const app = new Hono();
  const doc = tagged("calls");
  const liveDoc = doc({
    summary: "Live bidding WebSocket (Upgrade request; subprotocol dce.v1)",
    access: "buyer",
    status: 101,
    response: null,
    raw: "websocket",
    errors: [...AUTH, "validation_failed", "upstream_unavailable"],
  });
  app.get(
    "/live",
    liveDoc,
    async function liveAuth(c, next) {
      if (!deps.live)
        throw new ApiError(503, "upstream_unavailable", "live bidding is off on this API process");
      const key = presentedKey(c.req.header("authorization"), c.req.header("sec-websocket-protocol"));
      const principal = await keys.resolve(c, key);
      liveBuyerId(principal, c.req.query("buyerId"));
      c.set("principal", principal);
      await next();
    },
    upgradeWebSocket((c) => {
      const hub = deps.live!;
      const buyerId = liveBuyerId(c.get("principal"), c.req.query("buyerId"));
      const logger = c.get("logger");
      const principal = c.get("principal");
      const key = presentedKey(c.req.header("authorization"), c.req.header("sec-websocket-protocol"))!;
      let conn: LiveConnection | undefined;
      let closed = false;
      let unwatch: (() => void) | undefined;
      return {
        onOpen(_event, ws) {
          const raw = ws.raw as WebSocket;
          unwatch = watchKey(deps, principal, key, (reason) => {
            logger.info({ buyerId, keyId: principal.keyId, reason }, "live.session_ended");
            // A peer that never answers the close frame stays "closing" for up to 30 s, and `ws` still
            // delivers its messages meanwhile: the session stops taking bids now, not when it closes.
            closed = true;
            void conn?.detach();
            ws.close(CLOSE.policy, reason);
          });
          hub
            .attach(buyerId, { send: (text) => void sendBounded(raw, text) })
            .then((attached) => {
              conn = attached;
              if (closed) return attached.detach();
              ws.send(JSON.stringify({ type: "hello", buyerId, protocol: LIVE_PROTOCOL }));
            })
            .catch((err: unknown) => {
              logger.error({ err, buyerId }, "live.attach_failed");
              ws.close(CLOSE.tryAgain, "try again");
            });
        },
        onMessage(event, ws) {
          if (closed) return;
          if (!conn) {
            ws.send(
              JSON.stringify({ type: "error", code: "not_ready", detail: 'wait for {"type":"hello"}' }),
            );
            return;
          }
          conn
            .receive(String(event.data))
            .catch((err: unknown) => logger.error({ err, buyerId }, "live.bid_failed"));
        },
        onClose() {
          closed = true;
          unwatch?.();
          void conn?.detach();
        },
      };
    }),
    () => {
      throw new ApiError(400, "validation_failed", "GET /v1/live is a WebSocket: send an Upgrade request");
    },
  );
  return app;
}
