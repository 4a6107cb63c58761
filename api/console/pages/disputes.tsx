// Disputes (the contract of POST /v1/calls/{id}/disputes and GET /v1/disputes): a buyer opens and
// follows its own; a seller sees those against its calls; the operator sees all.
import type { Hono } from "hono";
import { refusal } from "../api-client.ts";
import { back, render } from "../app.tsx";
import { type Col, Csrf, StatusBadge, Table, when } from "../ui.tsx";

// The reasons a buyer may give: the API's own list, so the form offers exactly what it accepts.
export { DISPUTE_REASONS } from "../../disputes/rules.ts";

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
        {role === "operator" ? (
          <DecisionForms rows={rows as Record<string, unknown>[]} csrf={api.session.csrf} />
        ) : null}
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

  if (role === "operator") {
    // The operator decides an open dispute: accept (full refund), partial (an amount) or reject.
    app.post("/operator/disputes/:id/decision", async (c) => {
      const api = c.get("consoleApi");
      const f = await c.req.parseBody();
      const decision = String(f.decision ?? "");
      const refund = String(f.refund ?? "").trim();
      const r = await api.call("POST", `/v1/disputes/${encodeURIComponent(c.req.param("id"))}/decision`, {
        decision,
        note: String(f.note ?? "").trim() || decision,
        ...(decision === "partial" && refund ? { refundMicros: Math.round(Number(refund) * 1_000_000) } : {}),
      });
      return back(
        c,
        "/console/operator/disputes",
        r.ok ? { ok: `Dispute ${r.body.id}: ${r.body.status}.` } : { error: refusal(r) },
      );
    });
    return;
  }
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

/** One decision form per open dispute (operator). */
function DecisionForms(props: { rows: Record<string, unknown>[]; csrf: string }) {
  const open = props.rows.filter((r) => r.status === "open").slice(0, 20);
  if (open.length === 0) return null;
  return (
    <>
      {open.map((d) => (
        <form method="post" action={`/console/operator/disputes/${d.id}/decision`} class="stack">
          <Csrf token={props.csrf} />
          <label>
            Decision on {String(d.id)} ({String(d.reason)})
            <select name="decision">
              <option value="accept">accept (full refund)</option>
              <option value="partial">partial refund</option>
              <option value="reject">reject</option>
            </select>
          </label>
          <label>
            Partial refund (USD)
            <input name="refund" inputmode="decimal" />
          </label>
          <label>
            Note
            <input name="note" maxlength={500} />
          </label>
          <button type="submit">Decide</button>
        </form>
      ))}
    </>
  );
}
