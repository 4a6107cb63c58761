// Operator pages (admin keys): the market (live auctions as they close, offers/s, win rate, no-bid
// reasons, revenue and margin by hour), the event pipeline (backlog, dead letters, webhook health,
// reconciliation, audit chain) and risk (fraud decisions, Do-Not-Call lists and file imports).
import type { Hono } from "hono";
import { type ConsoleApi, refusal } from "../api-client.ts";
import { back, render } from "../app.tsx";
import { type Col, Csrf, Stat, StatusBadge, Table } from "../ui.tsx";

import { hourlyChart } from "./charts.ts";
import { disputePages } from "./disputes.tsx";
import { ClosedAuctions, liveFeedRoute } from "./live-feed.tsx";
import { DELIVERY_COLS, operatorWebhookActions, SuspendedWebhooks } from "./webhooks.tsx";

const LIVE_COLS: Col[] = [
  { field: "offeredAt", label: "Offered", time: true },
  { field: "callId", label: "Call" },
  { field: "status", label: "Outcome", render: (r) => <StatusBadge status={r.status} /> },
  { field: "sellerId", label: "Seller" },
  { field: "buyerId", label: "Winner" },
  { field: "vertical", label: "Vertical" },
  { field: "callerState", label: "State" },
  { field: "priceMicros", label: "Price", money: true },
  { field: "reasonCode", label: "No-bid / refusal reason" },
];

/** Per-file results of Do-Not-Call imports (GET /v1/compliance/dnc/imports). */
const IMPORT_COLS: Col[] = [
  { field: "finishedAt", label: "Finished", time: true },
  { field: "listId", label: "List" },
  { field: "generation", label: "Generation" },
  { field: "lines", label: "Lines read" },
  { field: "imported", label: "Numbers added" },
  { field: "invalid", label: "Lines refused" },
  { field: "durationMs", label: "Took (ms)" },
  { field: "warning", label: "Warning" },
];

/** The newest auctions: on the page, and polled every two seconds while the live feed is down. */
async function liveRows(api: ConsoleApi) {
  return api.items("/v1/calls?limit=15");
}

function LiveTable(props: { rows: Record<string, unknown>[] }) {
  return (
    <Table
      viewer="admin"
      caption="Latest auctions"
      empty="No auctions yet."
      rows={props.rows}
      cols={LIVE_COLS}
    />
  );
}

export function operatorPages(app: Hono) {
  app.get("/operator", async (c) => {
    const api = c.get("consoleApi");
    const since = new Date(Date.now() - 60_000).toISOString();
    const [live, lastMinute, recent, revenue, rates] = await Promise.all([
      liveRows(api),
      api.items(`/v1/calls?limit=200&from=${encodeURIComponent(since)}`),
      api.items("/v1/calls?limit=200"),
      api.items("/v1/reports/revenue?groupBy=hour"),
      api.items("/v1/reports/win-rates?groupBy=hour"),
    ]);
    const offered = rates.reduce((s, r) => s + (Number(r.offered) || 0), 0);
    const routed = rates.reduce((s, r) => s + (Number(r.routed) || 0), 0);
    const reasons = new Map<string, number>();
    for (const r of recent)
      if (r.status === "no_bid" || r.status === "rejected") {
        const code = String(r.reasonCode ?? r.status);
        reasons.set(code, (reasons.get(code) ?? 0) + 1);
      }
    const reasonRows = [...reasons].sort((a, b) => b[1] - a[1]).map(([code, count]) => ({ code, count }));
    return render(
      c,
      "Market",
      <>
        <div class="grid">
          <Stat
            label="Offers per second (last minute)"
            value={lastMinute.length >= 200 ? "≥ 3.33" : (lastMinute.length / 60).toFixed(2)}
          />
          <Stat
            label="Win rate (calls routed / offered)"
            value={offered ? `${((100 * routed) / offered).toFixed(1)}%` : "–"}
          />
          <Stat label="Offers in the report period" value={String(offered)} />
        </div>
        <section class="card">
          <h2>Live auctions</h2>
          <p class="muted">Auctions as they close, newest first, streamed from the exchange's live feed.</p>
          <ClosedAuctions />
          <h3>Latest auctions</h3>
          <p class="muted">The newest calls; refreshed every 2 seconds only while the live feed is down.</p>
          <div id="live" hx-get="/console/operator/live" hx-trigger="every 2s" hx-swap="innerHTML">
            <LiveTable rows={live} />
          </div>
        </section>
        <section class="card">
          <h2>Revenue and margin by hour</h2>
          {hourlyChart(
            "revenue",
            "Revenue and margin by hour (USD)",
            revenue,
            [
              ["chargedMicros", "Revenue (charged)", "#0b57d0"],
              ["marginMicros", "Margin", "#0a6b2d"],
            ],
            "admin",
          )}
        </section>
        <section class="card">
          <h2>No-bid and refusal reasons (last 200 offers)</h2>
          <Table
            viewer="admin"
            caption="No-bid reasons"
            empty="Every recent offer found a buyer."
            rows={reasonRows}
            cols={[
              { field: "code", label: "Reason" },
              { field: "count", label: "Offers" },
            ]}
          />
        </section>
      </>,
    );
  });

  liveFeedRoute(app);

  app.get("/operator/live", async (c) => {
    const rows = await liveRows(c.get("consoleApi"));
    return c.html((<LiveTable rows={rows} />).toString());
  });

  app.get("/operator/pipeline", async (c) => {
    const api = c.get("consoleApi");
    const [ready, metrics, dead, hooks, suspended, recon, audit] = await Promise.all([
      api.get("/ready"),
      api.get("/metrics"),
      api.items("/v1/admin/dead-letters?limit=20"),
      api.items("/v1/webhooks"),
      api.items("/v1/webhooks?health=suspended"),
      api.get("/v1/admin/reconciliation?graceSec=30"),
      api.get("/v1/audit/verify"),
    ]);
    const gauge = (name: string) =>
      new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(metrics.text)?.[1] ?? "–";
    const deliveries = (
      await Promise.all(hooks.slice(0, 20).map((h) => api.items(`/v1/webhooks/${h.id}/deliveries?limit=50`)))
    ).flat();
    const byStatus = (s: string) => deliveries.filter((d) => d.status === s).length;
    const r = recon.body as {
      checkedBuyers?: number;
      drift?: unknown[];
      calls?: { mismatches?: unknown[]; checkedCalls?: number };
    };
    const clean = recon.ok && (r.drift?.length ?? 0) === 0 && (r.calls?.mismatches?.length ?? 0) === 0;
    const stream = (ready.body.stream ?? {}) as { groups?: { lag?: number; pending?: number }[] };
    const lag = (stream.groups ?? []).reduce((n, g) => n + (g.lag ?? 0) + (g.pending ?? 0), 0);
    const degraded = ready.body.degraded === true;
    const a = audit.body as { ok?: boolean; rows?: number; chains?: number };
    return render(
      c,
      "Pipeline",
      <>
        <div class="grid">
          <Stat label="Events not yet recorded (backlog)" value={gauge("dce_events_stream_backlog")} />
          <Stat
            label="Unresolved dead letters"
            value={gauge('dce_dead_letters\\{state="unresolved"\\}').replace("–", String(dead.length))}
          />
          <Stat label="Consumer lag (events delivered, not yet acknowledged)" value={String(lag)} />
          <Stat
            label="Readiness"
            value={ready.ok ? (degraded ? "degraded" : "ready") : `not ready (${ready.status})`}
          />
        </div>
        <div class="grid">
          <section class="card">
            <h2>Reconciliation</h2>
            <p>
              <StatusBadge status={clean ? "clean" : "drift"} /> {r.checkedBuyers ?? 0} buyers,{" "}
              {r.calls?.checkedCalls ?? 0} calls checked;{" "}
              {(r.drift?.length ?? 0) + (r.calls?.mismatches?.length ?? 0)} mismatches.
            </p>
          </section>
          <section class="card">
            <h2>Audit chain</h2>
            <p>
              <StatusBadge status={a.ok ? "intact" : "broken"} /> {a.rows ?? 0} rows in {a.chains ?? 0}{" "}
              chains.
            </p>
          </section>
          <section class="card">
            <h2>Webhook delivery health</h2>
            <p>
              {hooks.length} endpoints, {suspended.length} suspended; recent deliveries:{" "}
              {byStatus("delivered")} delivered, {byStatus("pending")} retrying, {byStatus("failed")} failed.
            </p>
          </section>
        </div>
        <section class="card">
          <h2>Suspended webhook endpoints</h2>
          <SuspendedWebhooks hooks={suspended} csrf={api.session.csrf} />
        </section>
        <section class="card">
          <h2>Dead letters</h2>
          <Table
            viewer="admin"
            caption="Dead letters"
            empty="No dead letters."
            rows={dead}
            cols={[
              { field: "id", label: "Id" },
              { field: "eventType", label: "Event" },
              { field: "state", label: "State", render: (x) => <StatusBadge status={x.state} /> },
              { field: "error", label: "Error" },
              { field: "createdAt", label: "When", time: true },
            ]}
          />
        </section>
        <section class="card">
          <h2>Failed and retrying webhook deliveries</h2>
          <Table
            viewer="admin"
            caption="Webhook deliveries needing attention"
            empty="None."
            rows={deliveries.filter((d) => d.status !== "delivered").slice(0, 20)}
            cols={DELIVERY_COLS}
          />
        </section>
      </>,
    );
  });

  app.get("/operator/risk", async (c) => {
    const api = c.get("consoleApi");
    const [fraud, dnc, imports] = await Promise.all([
      api.items("/v1/fraud/decisions?limit=50"),
      api.items("/v1/compliance/dnc/lists"),
      api.items("/v1/compliance/dnc/imports?limit=20"),
    ]);
    return render(
      c,
      "Fraud & Do-Not-Call",
      <>
        <section class="card">
          <h2>Fraud decisions</h2>
          <Table
            viewer="admin"
            caption="Fraud decisions"
            empty="No fraud decisions."
            rows={fraud}
            cols={[
              { field: "decidedAt", label: "When", time: true },
              { field: "callId", label: "Call" },
              { field: "sellerId", label: "Seller" },
              {
                field: "kind",
                label: "Decision",
                render: (x) => <StatusBadge status={x.kind === "reject" ? "rejected" : "flag"} />,
              },
              { field: "code", label: "Code" },
              { field: "detail", label: "Detail" },
            ]}
          />
        </section>
        <section class="card">
          <h2>Import a Do-Not-Call file</h2>
          <p class="muted">
            One number a line (text or CSV), up to 50 MB here; larger national files import with
            scripts/dnc-import.ts. A new file replaces the list's previous generation. The bar shows the
            upload; the import itself runs within the request, so its counts (lines read, numbers added, lines
            refused) appear when it finishes, below and in the recent imports.
          </p>
          <form
            method="post"
            action="/console/operator/dnc-import"
            enctype="multipart/form-data"
            class="stack"
            hx-post="/console/operator/dnc-import"
            hx-encoding="multipart/form-data"
            hx-target="#dnc-result"
          >
            <Csrf token={api.session.csrf} />
            <label>
              List id
              <input name="listId" required pattern="[a-z0-9][a-z0-9-]{0,39}" value="national" />
            </label>
            <label>
              Source
              <select name="source">
                <option value="national">national</option>
                <option value="state">state</option>
                <option value="internal">internal</option>
              </select>
            </label>
            <label>
              Published (YYYY-MM-DD)
              <input name="publishedAt" pattern="\d{4}-\d{2}-\d{2}" />
            </label>
            <label>
              File
              <input type="file" name="file" required accept=".txt,.csv,text/plain,text/csv" />
            </label>
            <button type="submit">Import</button>
            <progress id="dnc-progress" value="0" max="100" aria-label="Upload progress" />
          </form>
          <div id="dnc-result" aria-live="polite" />
        </section>
        <section class="card">
          <h2>Recent Do-Not-Call imports</h2>
          <Table
            viewer="admin"
            caption="Recent Do-Not-Call imports"
            empty="No file imported yet."
            rows={imports}
            cols={IMPORT_COLS}
          />
        </section>
        <section class="card">
          <h2>Do-Not-Call lists</h2>
          <Table
            viewer="admin"
            caption="Do-Not-Call lists"
            empty="No list imported yet."
            rows={dnc}
            cols={[
              { field: "id", label: "List" },
              { field: "name", label: "Name" },
              { field: "source", label: "Source" },
              { field: "count", label: "Numbers" },
              { field: "generation", label: "Generation" },
              { field: "publishedAt", label: "Published", time: true },
              { field: "importedAt", label: "Imported", time: true },
              { field: "warning", label: "Warning" },
            ]}
          />
        </section>
      </>,
    );
  });

  // A DNC file through the console: the page shows the upload's progress (htmx's XHR events drive the
  // <progress>), then the import's own summary from POST /v1/compliance/dnc/imports.
  app.post("/operator/dnc-import", async (c) => {
    const api = c.get("consoleApi");
    const f = await c.req.parseBody();
    const file = f.file;
    if (!(file instanceof File) || file.size === 0)
      return c.html(<p class="flash error">Choose a non-empty file.</p>, 400);
    const q = new URLSearchParams({ listId: String(f.listId ?? ""), source: String(f.source || "national") });
    if (f.publishedAt) q.set("publishedAt", String(f.publishedAt));
    const r = await api.call("POST", `/v1/compliance/dnc/imports?${q}`, await file.text(), {
      "content-type": "text/plain",
    });
    const b = r.body as {
      lines?: number;
      imported?: number;
      invalid?: number;
      generation?: number;
      warning?: string;
    };
    const text = r.ok
      ? `Imported list ${q.get("listId")} (generation ${b.generation}): ${b.lines} lines read, ${b.imported} numbers added, ${b.invalid} lines refused as invalid.${b.warning ? ` ${b.warning}` : ""}`
      : refusal(r);
    if (c.req.header("hx-request"))
      return c.html(<p class={`flash ${r.ok ? "ok" : "error"}`}>{text}</p>, r.ok ? 200 : 400);
    return back(c, "/console/operator/risk", r.ok ? { ok: text } : { error: text });
  });

  disputePages(app, "operator");
  operatorWebhookActions(app);
}
