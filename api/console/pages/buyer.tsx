// Buyer pages: overview (balance, deposits, spend chart), campaigns (create, edit bid, pause, resume),
// calls with outcome and recordings, and webhooks with their deliveries. Disputes: pages/disputes.tsx.
import type { Context, Hono } from "hono";
import { refusal } from "../api-client.ts";
import { back, render } from "../app.tsx";
import { type Col, Csrf, POSTING_COLS, Stat, StatusBadge, Table, usd } from "../ui.tsx";
import { callPages } from "./calls.tsx";
import { hourlyChart } from "./charts.ts";
import { disputePages } from "./disputes.tsx";
import { webhookPages } from "./webhooks.tsx";

const dollarsToMicros = (v: unknown) =>
  Math.round(Number(String(v ?? "").replace(/[$,\s]/g, "")) * 1_000_000);

const ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export function buyerPages(app: Hono) {
  app.get("/buyer", async (c) => {
    const api = c.get("consoleApi");
    const id = api.session.accountId ?? "";
    const [balance, postings, revenue] = await Promise.all([
      api.get(`/v1/buyers/${id}/balance`),
      api.items(`/v1/ledger/postings?accountId=${id}&limit=20`),
      api.items("/v1/reports/revenue?groupBy=hour"),
    ]);
    const b = balance.body;
    return render(
      c,
      "Overview",
      <>
        <div class="grid">
          <Stat label="Balance" value={usd(b.balanceMicros)} field="balanceMicros" />
          <Stat label="Available" value={usd(b.availableMicros)} field="availableMicros" />
          <Stat label="Reserved for live calls" value={usd(b.reservedMicros)} field="reservedMicros" />
          <Stat label="Credit limit" value={usd(b.creditLimitMicros)} field="creditLimitMicros" />
        </div>
        <section class="card">
          <h2>Spend by hour</h2>
          {hourlyChart("spend", "Spend by hour (USD)", revenue, [["chargedMicros", "Spend", "#0b57d0"]])}
        </section>
        <section class="card">
          <h2>Deposits and charges</h2>
          <p class="muted">Deposits are recorded by the exchange's operators once funds arrive.</p>
          <Table
            viewer="buyer"
            caption="Recent postings"
            empty="No postings yet."
            rows={postings}
            cols={POSTING_COLS}
          />
        </section>
      </>,
    );
  });

  app.get("/buyer/campaigns", async (c) => {
    const api = c.get("consoleApi");
    const campaigns = await api.items(`/v1/buyers/${api.session.accountId}/campaigns`);
    const csrf = api.session.csrf;
    const cols: Col[] = [
      {
        field: "id",
        label: "Select",
        render: (r) => (
          <input
            type="checkbox"
            name="ids"
            value={String(r.id)}
            form="bulk"
            aria-label={`Select ${String(r.name)}`}
          />
        ),
      },
      {
        field: "name",
        label: "Name",
        render: (r) => <a href={`/console/buyer/campaigns/${r.id}`}>{String(r.name)}</a>,
      },
      { field: "vertical", label: "Vertical" },
      { field: "states", label: "States", render: (r) => ((r.states as string[]) ?? []).join(", ") },
      { field: "status", label: "Status", render: (r) => <StatusBadge status={r.status} /> },
      {
        field: "bidMicros",
        label: "Bid",
        render: (r) => (
          <form method="post" action={`/console/buyer/campaigns/${r.id}/bid`} class="inline">
            <Csrf token={csrf} />
            <label class="inline-label">
              <span class="skip">Bid for {String(r.name)} (USD)</span>
              <input name="bid" size={7} inputmode="decimal" value={(Number(r.bidMicros) / 1e6).toFixed(2)} />
            </label>{" "}
            <button type="submit" class="secondary">
              Save bid
            </button>
          </form>
        ),
      },
      {
        field: "status",
        label: "Action",
        render: (r) => (
          <form method="post" action={`/console/buyer/campaigns/${r.id}/status`} class="inline">
            <Csrf token={csrf} />
            <input type="hidden" name="status" value={r.status === "paused" ? "active" : "paused"} />
            <button
              type="submit"
              aria-label={`${r.status === "paused" ? "Resume" : "Pause"} ${String(r.name)}`}
            >
              {r.status === "paused" ? "Resume" : "Pause"}
            </button>
          </form>
        ),
      },
    ];
    return render(
      c,
      "Campaigns",
      <>
        <section class="card">
          <h2>Your campaigns</h2>
          <Table
            viewer="buyer"
            caption="Campaigns"
            empty="No campaigns yet: create one below."
            rows={campaigns}
            cols={cols}
            ownConfig
          />
          {campaigns.length > 0 ? <BulkForm csrf={csrf} /> : null}
        </section>
        <section class="card">
          <h2>New campaign</h2>
          <form method="post" action="/console/buyer/campaigns" class="stack">
            <Csrf token={csrf} />
            <label>
              Name
              <input name="name" required maxlength={100} />
            </label>
            <label>
              Vertical
              <input name="vertical" required value="auto_insurance" />
            </label>
            <label>
              States (comma-separated)
              <input name="states" required value="FL" />
            </label>
            <label>
              Bid (USD)
              <input name="bid" required inputmode="decimal" value="25.00" />
            </label>
            <label>
              Minimum duration (s)
              <input name="minDurationSec" type="number" min={0} value="90" />
            </label>
            <label>
              Destination (E.164)
              <input name="destination" required value="+13059870000" />
            </label>
            <label>
              Time zone
              <input name="timezone" value="America/New_York" />
            </label>
            <label>
              Concurrency cap
              <input name="concurrency" type="number" min={1} value="5" />
            </label>
            <button type="submit">Create campaign</button>
          </form>
        </section>
      </>,
    );
  });

  app.post("/buyer/campaigns", async (c) => {
    const api = c.get("consoleApi");
    const f = await c.req.parseBody();
    const states = String(f.states ?? "")
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((s) => s.toUpperCase());
    const tz = String(f.timezone || "America/New_York");
    const created = await api.call("POST", `/v1/buyers/${api.session.accountId}/campaigns`, {
      name: String(f.name ?? ""),
      vertical: String(f.vertical ?? ""),
      states,
      bidMicros: dollarsToMicros(f.bid),
      minDurationSec: Number(f.minDurationSec || 0),
      priority: 1,
      weight: 10,
      destination: { number: String(f.destination ?? "") },
      schedule: { timezone: tz, hours: [{ days: ALL_WEEK, open: "00:00", close: "24:00" }] },
      caps: { concurrency: Number(f.concurrency || 5) },
      duplicateWindowDays: 30,
    });
    if (!created.ok) return back(c, "/console/buyer/campaigns", { error: refusal(created) });
    return back(c, "/console/buyer/campaigns", { ok: `Campaign ${created.body.name} created.` });
  });

  const patch = async (c: Context, body: Record<string, unknown>, done: string) => {
    const api = c.get("consoleApi");
    const r = await api.call(
      "PATCH",
      `/v1/buyers/${api.session.accountId}/campaigns/${c.req.param("id")}`,
      body,
    );
    return back(
      c,
      "/console/buyer/campaigns",
      r.ok ? { ok: `${r.body.name}: ${done}` } : { error: refusal(r) },
    );
  };
  app.post("/buyer/campaigns/:id/status", async (c) => {
    const status = (await c.req.parseBody()).status === "active" ? "active" : "paused";
    return patch(c, { status }, status === "active" ? "resumed." : "paused.");
  });
  app.post("/buyer/campaigns/:id/bid", async (c) => {
    const bidMicros = dollarsToMicros((await c.req.parseBody()).bid);
    return patch(c, { bidMicros }, `bid set to ${usd(bidMicros)}.`);
  });

  // Edit one campaign: its name, targeting, bid, minimum duration, destination and concurrency cap.
  app.get("/buyer/campaigns/:id", async (c) => {
    const api = c.get("consoleApi");
    const id = c.req.param("id");
    const r = await api.get(`/v1/buyers/${api.session.accountId}/campaigns/${encodeURIComponent(id)}`);
    if (!r.ok) return render(c, "Campaign not found", <p>No such campaign among yours.</p>, 404);
    const k = r.body as {
      name?: string;
      states?: string[];
      bidMicros?: number;
      minDurationSec?: number;
      destination?: { number?: string };
      caps?: { concurrency?: number };
    };
    return render(
      c,
      `Edit ${k.name}`,
      <section class="card">
        <form method="post" action={`/console/buyer/campaigns/${id}/edit`} class="stack">
          <Csrf token={api.session.csrf} />
          <label>
            Name
            <input name="name" required maxlength={100} value={k.name} />
          </label>
          <label>
            States (comma-separated)
            <input name="states" required value={(k.states ?? []).join(", ")} />
          </label>
          <label>
            Bid (USD)
            <input name="bid" required inputmode="decimal" value={((k.bidMicros ?? 0) / 1e6).toFixed(2)} />
          </label>
          <label>
            Minimum duration (s)
            <input name="minDurationSec" type="number" min={0} value={String(k.minDurationSec ?? 0)} />
          </label>
          <label>
            Destination (E.164)
            <input name="destination" required value={k.destination?.number ?? ""} />
          </label>
          <label>
            Concurrency cap
            <input name="concurrency" type="number" min={1} value={String(k.caps?.concurrency ?? "")} />
          </label>
          <button type="submit">Save changes</button>
        </form>
      </section>,
    );
  });
  app.post("/buyer/campaigns/:id/edit", async (c) => {
    const f = await c.req.parseBody();
    const states = String(f.states ?? "")
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((x) => x.toUpperCase());
    return patch(
      c,
      {
        name: String(f.name ?? ""),
        states,
        bidMicros: dollarsToMicros(f.bid),
        minDurationSec: Number(f.minDurationSec || 0),
        destination: { number: String(f.destination ?? "") },
        ...(f.concurrency ? { caps: { concurrency: Number(f.concurrency) } } : {}),
      },
      "saved.",
    );
  });

  // Bulk changes through the batch route: one request, one answer per campaign, so one refused campaign
  // (gone since the page loaded, say) is named on the page and never sinks the others.
  app.post("/buyer/campaigns/bulk", async (c) => {
    const api = c.get("consoleApi");
    const f = await c.req.parseBody({ all: true });
    const ids = ([] as unknown[])
      .concat(f.ids ?? [])
      .map(String)
      .slice(0, 100);
    if (ids.length === 0)
      return back(c, "/console/buyer/campaigns", { error: "Select at least one campaign." });
    const action = String(f.action ?? "");
    const bid = String(f.bid ?? "").trim();
    const isBid = bid !== "" && Number.isFinite(Number(bid.replace(/[$,\s]/g, "")));
    if (action === "bid" && !isBid)
      return back(c, "/console/buyer/campaigns", { error: "Enter the new bid in USD." });
    const body =
      action === "pause" || action === "resume"
        ? { action, campaignIds: ids }
        : { action: "bid", items: ids.map((id) => ({ id, bidMicros: dollarsToMicros(bid) })) };
    const r = await api.call<BatchAnswer>(
      "POST",
      `/v1/buyers/${api.session.accountId}/campaigns/batch`,
      body,
    );
    if (!r.ok) return back(c, "/console/buyer/campaigns", { error: `Nothing changed: ${refusal(r)}` });
    return back(c, "/console/buyer/campaigns", bulkFlash(r.body));
  });

  callPages(app, "buyer");
  disputePages(app, "buyer");

  webhookPages(app, "buyer");
}

interface BatchAnswer {
  succeeded: number;
  refused: number;
  results: { id: string; status: number; problem?: { code?: string; detail?: string } }[];
}

/** The flash for a batch answer: the count changed, and each refused campaign with its reason. */
export function bulkFlash(a: BatchAnswer): { ok?: string; error?: string } {
  if (a.refused === 0) return { ok: `${a.succeeded} campaigns changed.` };
  const refused = a.results
    .filter((r) => r.status >= 300)
    .map(
      (r) => `${r.id}: ${r.problem?.code ?? r.status}${r.problem?.detail ? ` (${r.problem.detail})` : ""}`,
    );
  return { error: `${a.succeeded} changed, ${a.refused} refused: ${refused.join("; ")}` };
}

function BulkForm(props: { csrf: string }) {
  return (
    <form method="post" action="/console/buyer/campaigns/bulk" id="bulk" class="stack">
      <Csrf token={props.csrf} />
      <label>
        Bulk action on the selected campaigns
        <select name="action">
          <option value="pause">Pause</option>
          <option value="resume">Resume</option>
          <option value="bid">Set bid</option>
        </select>
      </label>
      <label>
        New bid (USD, for "Set bid")
        <input name="bid" inputmode="decimal" />
      </label>
      <button type="submit">Apply to selected</button>
    </form>
  );
}
