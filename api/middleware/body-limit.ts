// The /v1 body limit without touching the body when the request declares its length. Hono's bodyLimit
// reads `c.req.raw.body` first, which makes @hono/node-server build a full web Request and read the
// JSON through a web stream (~5% of the API's CPU per offer in a profile); a declared length is checked
// from the header alone (Node's parser never delivers more bytes than it says), so the handler's
// c.req.json() reads the IncomingMessage directly. Chunked bodies still go through Hono's counter.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

export function declaredBodyLimit(opts: {
  maxSize: number;
  onError: (c: Context) => never;
}): MiddlewareHandler {
  const counted = bodyLimit(opts);
  return async function declaredBodyLimit(c, next) {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next(); // no body (as Hono's)
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) return counted(c, next);
    return Number.parseInt(length, 10) > opts.maxSize ? opts.onError(c) : next();
  };
}
