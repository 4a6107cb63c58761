// GET /v1/admin/auctions/live: admins' Server-Sent Events stream of auctions as they close, market-wide
// (api/live/auction-feed.ts reads them off the domain-events stream). One `auction.closed` event per
// closed auction, a comment every 15 s to keep proxies from closing an idle stream.
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ApiDeps } from "../deps.ts";
import type { AuctionClosedSummary } from "../live/auction-feed.ts";
import { assertAdmin } from "../middleware/auth.ts";
import { AUTH, tagged } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { AuctionClosedEvent } from "../schemas/auction-feed.ts";
import { viewAs } from "../views/policy.ts";

/** Summaries a slow listener may have waiting; past it the stream ends (the client reconnects). */
export const MAX_QUEUED = 1_000;
const HEARTBEAT_MS = 15_000;

export function auctionFeedRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("operations");
  const feedDoc = doc({
    summary: "Auctions as they close, market-wide (Server-Sent Events, `auction.closed` events)",
    access: "admin",
    status: 200,
    response: AuctionClosedEvent,
    produces: "text/event-stream",
    errors: [...AUTH, "upstream_unavailable"],
  });
  app.get("/admin/auctions/live", feedDoc, (c) => {
    const principal = c.get("principal");
    assertAdmin(principal);
    const feed = deps.auctionFeed;
    if (!feed) throw new ApiError(503, "upstream_unavailable", "this process serves no live auction feed");
    return streamSSE(c, async (sse) => {
      const queue: AuctionClosedSummary[] = [];
      let wake: (() => void) | undefined;
      let overflow = false;
      const unsubscribe = feed.subscribe((s) => {
        if (queue.length >= MAX_QUEUED) overflow = true;
        else queue.push(s);
        wake?.();
      });
      // Each write is one whole SSE block, so a beat never splits an event.
      const beat = setInterval(() => void sse.write(": beat\n\n").catch(() => undefined), HEARTBEAT_MS);
      sse.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      try {
        await sse.write(": auction feed open\n\n");
        while (!sse.aborted && !sse.closed && !overflow) {
          const s = queue.shift();
          if (!s) {
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
            continue;
          }
          const data = viewAs({ role: principal.role, accountId: principal.accountId }, s);
          await sse.writeSSE({ event: "auction.closed", id: s.id, data: JSON.stringify(data) });
        }
      } finally {
        clearInterval(beat);
        unsubscribe();
      }
    });
  });
  return app;
}
