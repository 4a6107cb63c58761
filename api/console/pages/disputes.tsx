// Disputes (the contract of POST /v1/calls/{id}/disputes and GET /v1/disputes): a buyer opens and
// follows its own; a seller sees those against its calls; the operator sees all.
import type { Hono } from "hono";
import { refusal } from "../api-client.ts";
import { back, render } from "../app.tsx";
import { type Col, StatusBadge, Table, when } from "../ui.tsx";

export const DISPUTE_REASONS = [
  "hung_up",
  "not_qualified",
  "duplicate",
  "spam",
  "technical",
  "other",
] as const;

export const DISPUTE_COLS: Col[] = [
  { field: "id", label: "Dispute" },
  { field: "callId", label: "Call" },
  { field: "reason", label: "Reason" },
  { field: "status", label: "Status", render: (r) => <StatusBadge status={r.status} /> },
  { field: "refundMicros", label: "Refund", money: true },
  { field: "openedAt", label: "Opened", time: true },
  { field: "decidedAt", label: "Decided", time: true },
  {
    field: "timeline",
    label: "History",
    render: (r) =>
      ((r.timeline as { at?: string; status?: string; by?: string; note?: string }[]) ?? [])
        .map((t) => `${when(t.at)} ${t.status} by ${t.by}${t.note ? `: ${t.note}` : ""}`)
        .join("; "),
  },
];

/** Registers `/{role}/disputes` (and for buyers the form's target). */
export function disputePages(app: Hono, role: "buyer" | "seller" | "operator") {
  app.get(`/${role}/disputes`, async (c) => {
    const api = c.get("consoleApi");
    const status = c.req.query("status");
    const list = await api.get<{ data?: unknown[]; items?: unknown[] }>(
      `/v1/disputes?limit=50${status ? `&status=${encodeURIComponent(status)}` : ""}`,
    );
    const rows = list.body.data ?? list.body.items ?? [];
    return render(
      c,
      "Disputes",
      <section class="card">
        {list.ok ? null : <p class="flash error">The disputes service answered {refusal(list)}.</p>}
        <p class="muted">
          {role === "buyer"
            ? "Open a dispute from a billable call's page (Calls → the call)."
            : role === "seller"
              ? "Disputes buyers opened against your calls."
              : "Every dispute on the exchange."}
        </p>
        <Table
          viewer={role === "operator" ? "admin" : role}
          caption="Disputes"
          empty="No disputes."
          rows={rows}
          cols={DISPUTE_COLS}
          ownConfig
        />
      </section>,
    );
  });

  if (role !== "buyer") return;
  app.post("/buyer/calls/:callId/disputes", async (c) => {
    const api = c.get("consoleApi");
    const callId = c.req.param("callId");
    const f = await c.req.parseBody();
    const detail = String(f.detail ?? "").trim();
    const r = await api.call("POST", `/v1/calls/${encodeURIComponent(callId)}/disputes`, {
      reason: String(f.reason ?? ""),
      ...(detail ? { detail } : {}),
    });
    const to = `/console/buyer/calls/${callId}`;
    return back(c, to, r.ok ? { ok: `Dispute ${r.body.id} opened.` } : { error: refusal(r) });
  });
}
