// Seller pages: earnings (pending, available, paid), payouts and monthly statements (CSV download),
// campaigns with their tracking numbers, calls and the disputes against them.
import type { Hono } from "hono";
import { render } from "../app.tsx";
import { POSTING_COLS, Stat, StatusBadge, Table, usd } from "../ui.tsx";
import { callPages } from "./calls.tsx";
import { hourlyChart } from "./charts.ts";
import { disputePages } from "./disputes.tsx";
import { webhookPages } from "./webhooks.tsx";

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function sellerPages(app: Hono) {
  app.get("/seller", async (c) => {
    const api = c.get("consoleApi");
    const id = api.session.accountId ?? "";
    const [balance, postings, revenue] = await Promise.all([
      api.get(`/v1/sellers/${id}/balance`),
      api.items(`/v1/ledger/postings?accountId=${id}&limit=50`),
      api.items("/v1/reports/revenue?groupBy=hour"),
    ]);
    const b = balance.body;
    const month = new Date().toISOString().slice(0, 7);
    return render(
      c,
      "Earnings",
      <>
        <div class="grid">
          <Stat label="Pending (on hold)" value={usd(b.pendingMicros)} field="pendingMicros" />
          <Stat label="Available to pay out" value={usd(b.payableMicros)} field="payableMicros" />
          <Stat label="Paid out" value={usd(b.paidOutMicros)} field="paidOutMicros" />
          <Stat
            label="Owed back (refunds after payout)"
            value={usd(b.receivableMicros)}
            field="receivableMicros"
          />
        </div>
        <section class="card">
          <h2>Earnings by hour</h2>
          {hourlyChart(
            "earnings",
            "Earnings by hour (USD)",
            revenue,
            [["payoutMicros", "Earned", "#0a6b2d"]],
            "seller",
          )}
        </section>
        <section class="card">
          <h2>Statements</h2>
          <form method="get" action="/console/seller/statement.csv" class="stack">
            <label>
              Month
              <input name="month" type="month" value={month} required pattern="\d{4}-\d{2}" />
            </label>
            <button type="submit">Download statement (CSV)</button>
          </form>
        </section>
        <section class="card">
          <h2>Payouts and available earnings</h2>
          <Table
            viewer="seller"
            caption="Postings"
            empty="Nothing available or paid yet: earnings are on hold first."
            rows={postings}
            cols={POSTING_COLS}
          />
        </section>
      </>,
    );
  });

  app.get("/seller/statement.csv", async (c) => {
    const api = c.get("consoleApi");
    const month = c.req.query("month") ?? "";
    if (!MONTH.test(month))
      return render(c, "Statement", <p class="flash error">Pick a month (YYYY-MM).</p>, 404);
    const r = await api.get(`/v1/statements/${api.session.accountId}?month=${month}&format=csv`);
    if (!r.ok) return render(c, "Statement", <p class="flash error">No statement for {month}.</p>, 404);
    return c.body(r.text, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="statement-${api.session.accountId}-${month}.csv"`,
    });
  });

  app.get("/seller/campaigns", async (c) => {
    const api = c.get("consoleApi");
    const [campaigns, numbers] = await Promise.all([
      api.items(`/v1/sellers/${api.session.accountId}/campaigns`),
      api.items("/v1/numbers?limit=100"),
    ]);
    return render(
      c,
      "Campaigns & numbers",
      <>
        <section class="card">
          <h2>Campaigns</h2>
          <Table
            viewer="seller"
            caption="Seller campaigns"
            empty="No campaigns yet."
            ownConfig
            rows={campaigns}
            cols={[
              { field: "id", label: "Id" },
              { field: "name", label: "Name" },
              { field: "vertical", label: "Vertical" },
              {
                field: "status",
                label: "Status",
                render: (r) => <StatusBadge status={r.status ?? "active"} />,
              },
              { field: "reserveMicros", label: "Reserve", money: true },
              { field: "auction", label: "Auction" },
              {
                field: "payout",
                label: "Payout terms",
                render: (r) => {
                  const p = (r.payout ?? {}) as { type?: string; amountMicros?: number; percent?: number };
                  return p.type === "fixed" ? `fixed ${usd(p.amountMicros)}` : `${p.percent ?? "?"}% share`;
                },
              },
            ]}
          />
        </section>
        <section class="card">
          <h2>Tracking numbers</h2>
          <Table
            viewer="seller"
            caption="Tracking numbers"
            empty="No tracking numbers yet (POST /v1/numbers)."
            ownConfig
            rows={numbers}
            cols={[
              { field: "number", label: "Number" },
              { field: "sellerCampaignId", label: "Campaign" },
              { field: "status", label: "Status", render: (r) => <StatusBadge status={r.status} /> },
              { field: "tags", label: "Tags", render: (r) => ((r.tags as string[]) ?? []).join(", ") },
            ]}
          />
        </section>
      </>,
    );
  });

  callPages(app, "seller");
  webhookPages(app, "seller");
  disputePages(app, "seller");
}
