// The operator's live auctions: the admin feed (GET /v1/admin/auctions/live, read through the API with
// the session's key like every console read) re-sent to the browser as ready-made table rows over
// Server-Sent Events; console.js prepends them and pauses the polled table while the stream is up.
import type { Context, Hono } from "hono";
import { access } from "../../views/policy.ts";
import { StatusBadge, usd, when } from "../ui.tsx";

interface Closed {
  callId?: string;
  status?: string;
  reasonCode?: string | null;
  bids?: number;
  candidates?: number;
  buyerId?: string | null;
  clearingPriceMicros?: number | null;
  occurredAt?: string;
}

const COLS: [field: keyof Closed, label: string, cell: (s: Closed) => unknown][] = [
  ["occurredAt", "Closed", (s) => when(s.occurredAt)],
  ["callId", "Call", (s) => s.callId],
  ["status", "Outcome", (s) => <StatusBadge status={s.status} />],
  ["bids", "Bids", (s) => s.bids],
  ["candidates", "Eligible campaigns", (s) => s.candidates],
  ["buyerId", "Winner", (s) => s.buyerId ?? "–"],
  ["clearingPriceMicros", "Clearing price", (s) => usd(s.clearingPriceMicros)],
  ["reasonCode", "No-bid reason", (s) => s.reasonCode ?? "–"],
];
const cols = COLS.filter(([field]) => access("admin", field) !== "no");

/** The streamed table, empty until auctions close; `data-live-stream` is where console.js listens. */
export function ClosedAuctions() {
  return (
    <>
      <p id="live-state" class="muted" aria-live="polite">
        Connecting to the live feed…
      </p>
      <section
        class="table-wrap"
        tabindex={0}
        aria-label="Auctions closed while this page is open"
        data-live-stream="/console/operator/live/stream"
        data-stream="down"
      >
        <table>
          <caption class="skip">Auctions closed while this page is open</caption>
          <thead>
            <tr>
              {cols.map(([, label]) => (
                <th scope="col">{label}</th>
              ))}
            </tr>
          </thead>
          <tbody id="closed-rows" />
        </table>
      </section>
    </>
  );
}

async function row(s: Closed): Promise<string> {
  const html = (
    <tr data-call-id={s.callId}>
      {cols.map(([, , cell]) => (
        <td>{cell(s)}</td>
      ))}
    </tr>
  ).toString();
  return (await html).replace(/\n/g, " ");
}

/** The API's SSE blocks turned into `row` events (and its keep-alive comments passed on). */
export function rowsFromFeed(): TransformStream<string, string> {
  let buffer = "";
  return new TransformStream({
    async transform(chunk, out) {
      buffer += chunk;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split("\n");
        const data = lines
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        if (lines.includes("event: auction.closed") && data) {
          out.enqueue(`event: row\ndata: ${await row(JSON.parse(data) as Closed)}\n\n`);
        } else if (lines.every((l) => l.startsWith(":"))) out.enqueue(": beat\n\n");
      }
    },
  });
}

export function liveFeedRoute(app: Hono) {
  app.get("/operator/live/stream", async (c: Context) => {
    const upstream = await c.get("consoleApi").open("/v1/admin/auctions/live");
    // console.js tries again later after a refusal; the page polls meanwhile.
    if (!upstream.ok || !upstream.body)
      return new Response(null, { status: upstream.ok ? 503 : upstream.status });
    const body = upstream.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(rowsFromFeed())
      .pipeThrough(new TextEncoderStream());
    return new Response(body, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  });
}
