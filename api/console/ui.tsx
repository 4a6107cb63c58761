// The console's shared pieces: page layout with role-aware navigation, policy-aware tables, money and
// time formatting, charts as <canvas data-chart> drawn by Chart.js, and forms carrying the CSRF token.
import type { Child } from "hono/jsx";
import { access, type ViewRole } from "../views/policy.ts";

export interface NavItem {
  href: string;
  label: string;
}

export const NAV: Record<ViewRole, NavItem[]> = {
  admin: [
    { href: "/console/operator", label: "Market" },
    { href: "/console/operator/pipeline", label: "Pipeline" },
    { href: "/console/operator/risk", label: "Fraud & DNC" },
    { href: "/console/operator/disputes", label: "Disputes" },
  ],
  buyer: [
    { href: "/console/buyer", label: "Overview" },
    { href: "/console/buyer/campaigns", label: "Campaigns" },
    { href: "/console/buyer/calls", label: "Calls" },
    { href: "/console/buyer/disputes", label: "Disputes" },
    { href: "/console/buyer/webhooks", label: "Webhooks" },
  ],
  seller: [
    { href: "/console/seller", label: "Earnings" },
    { href: "/console/seller/campaigns", label: "Campaigns & numbers" },
    { href: "/console/seller/calls", label: "Calls" },
    { href: "/console/seller/disputes", label: "Disputes" },
    { href: "/console/seller/webhooks", label: "Webhooks" },
  ],
};

const ROLE_NAME: Record<ViewRole, string> = { admin: "Operator", buyer: "Buyer", seller: "Seller" };

export function Page(props: {
  title: string;
  viewer: ViewRole;
  accountId: string | null;
  csrf: string;
  path: string;
  flash?: { kind: "ok" | "error"; text: string } | undefined;
  children?: Child;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · DCE console`}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/htmx.min.js" defer />
        <script src="/console/assets/chart.umd.min.js" defer />
        <script src="/console/assets/console.js" defer />
      </head>
      <body>
        <a class="skip" href="#content">
          Skip to content
        </a>
        <header class="top">
          <span class="brand">Dependable Call Exchange</span>
          <span class="who">
            {ROLE_NAME[props.viewer]}
            {props.accountId ? ` · ${props.accountId}` : ""}
          </span>
          <form method="post" action="/console/sign-out" class="inline">
            <input type="hidden" name="_csrf" value={props.csrf} />
            <button type="submit">Sign out</button>
          </form>
        </header>
        <nav class="main" aria-label="Console">
          <ul>
            {NAV[props.viewer].map((n) => (
              <li>
                <a href={n.href} aria-current={n.href === props.path ? "page" : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="content" tabindex={-1}>
          <h1>{props.title}</h1>
          {props.flash ? (
            <p class={`flash ${props.flash.kind}`} role={props.flash.kind === "error" ? "alert" : "status"}>
              {props.flash.text}
            </p>
          ) : null}
          {props.children}
        </main>
      </body>
    </html>
  );
}

export const usd = (micros: unknown) =>
  typeof micros === "number"
    ? `$${(micros / 1_000_000).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
    : "–";

/** A time as `YYYY-MM-DD HH:MM:SS UTC`, from ISO text or Postgres's `2026-12-02 07:49:39.7+00`. */
export const when = (iso: unknown) => {
  if (typeof iso !== "string") return "–";
  const t = Date.parse(iso.replace(" ", "T").replace(/\+00$/, "Z"));
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace("T", " ")} UTC`;
};

export interface Col {
  field: string;
  label: string;
  money?: boolean;
  time?: boolean;
  render?: (row: Record<string, unknown>) => Child;
}

/** The columns of a ledger postings table (the buyer's and the seller's money pages). */
export const POSTING_COLS: Col[] = [
  { field: "occurredAt", label: "When", time: true },
  { field: "kind", label: "Kind" },
  { field: "reference", label: "Reference" },
  { field: "amountMicros", label: "Amount", money: true },
];

/**
 * A table of API items. A column of call, money or report data shows only when the viewer's role may
 * see its field (the API's own view policy), so the console cannot show what the API would hide even
 * if a row carried it.
 */
export function Table(props: {
  viewer: ViewRole;
  cols: Col[];
  rows: unknown[];
  empty: string;
  caption: string;
  /** The account's own configuration (campaigns, webhooks): not call data, so outside the view policy. */
  ownConfig?: boolean;
}) {
  const cols = props.ownConfig
    ? props.cols
    : props.cols.filter((c) => access(props.viewer, c.field) !== "no");
  if (props.rows.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    // A wide table scrolls sideways; the region is focusable so keyboard users can scroll it too.
    <section class="table-wrap" tabindex={0} aria-label={props.caption}>
      <table>
        <caption class="skip">{props.caption}</caption>
        <thead>
          <tr>
            {cols.map((c) => (
              <th scope="col" class={c.money ? "num" : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(props.rows as Record<string, unknown>[]).map((r) => (
            <tr>
              {cols.map((c) => (
                <td
                  data-field={props.ownConfig ? undefined : c.field}
                  data-config={props.ownConfig ? c.field : undefined}
                  class={c.money ? "num" : c.time ? "time" : undefined}
                >
                  {c.render
                    ? c.render(r)
                    : c.money
                      ? usd(r[c.field])
                      : c.time
                        ? when(r[c.field])
                        : show(r[c.field])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export const show = (v: unknown): string =>
  v === undefined || v === null ? "–" : typeof v === "object" ? JSON.stringify(v) : String(v);

export function Stat(props: { label: string; value: string; field?: string }) {
  return (
    <section class="card" data-field={props.field}>
      <h2>{props.label}</h2>
      <div class="stat">{props.value}</div>
    </section>
  );
}

export function StatusBadge(props: { status: unknown }) {
  const s = String(props.status ?? "–");
  const kind = /active|ok|completed|routed|accepted|delivered|intact|clean|succeeded|healthy/.test(s)
    ? "ok"
    : /paused|open|pending|partially|retry|ringing|connected/.test(s)
      ? "warn"
      : /rejected|failed|broken|drift|dead|refused|no_bid|suspended/.test(s)
        ? "bad"
        : "";
  return <span class={`badge ${kind}`}>{s}</span>;
}

export interface ChartSpec {
  type?: "bar" | "line";
  labels: string[];
  datasets: { label: string; data: number[]; backgroundColor?: string; borderColor?: string }[];
}

/** A chart drawn by Chart.js from its JSON spec, with a text summary for screen readers. */
export function Chart(props: { id: string; title: string; spec: ChartSpec; summary: string }) {
  return (
    <figure class="chart-figure">
      <figcaption class="muted">{props.summary}</figcaption>
      <div class="chart">
        <canvas id={props.id} role="img" aria-label={props.title} data-chart={JSON.stringify(props.spec)} />
      </div>
    </figure>
  );
}

export const Csrf = (props: { token: string }) => <input type="hidden" name="_csrf" value={props.token} />;
