// Calls for a buyer or a seller: the list with outcomes, and one call with its timeline, billing,
// recordings and disputes (a buyer may open one from here). All through GET /v1/calls… with the key.
import type { Hono } from "hono";
import { render } from "../app.tsx";
import { type Col, Csrf, StatusBadge, show, Table, when } from "../ui.tsx";
import { DISPUTE_COLS, DISPUTE_REASONS } from "./disputes.tsx";

export const CALL_COLS = (role: "buyer" | "seller"): Col[] => [
  {
    field: "callId",
    label: "Call",
    render: (r) => <a href={`/console/${role}/calls/${r.callId}`}>{String(r.callId)}</a>,
  },
  { field: "offeredAt", label: "Offered", time: true },
  { field: "status", label: "Status", render: (r) => <StatusBadge status={r.status} /> },
  { field: "callerState", label: "State" },
  { field: "buyerCampaignId", label: "Buyer campaign" },
  { field: "sellerCampaignId", label: "Seller campaign" },
  { field: "durationSec", label: "Duration (s)" },
  { field: "billable", label: "Billable" },
  { field: "chargedMicros", label: "Charged", money: true },
  { field: "payoutMicros", label: "Payout", money: true },
  { field: "reasonCode", label: "Reason" },
];

/** Registers `/{role}/calls` and `/{role}/calls/:callId`. */
export function callPages(app: Hono, role: "buyer" | "seller") {
  app.get(`/${role}/calls`, async (c) => {
    const api = c.get("consoleApi");
    const cursor = c.req.query("cursor");
    const page = await api.get<{ items?: unknown[]; nextCursor?: string | null }>(
      `/v1/calls?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    const items = page.body.items ?? [];
    return render(
      c,
      "Calls",
      <section class="card">
        <Table viewer={role} caption="Calls" empty="No calls yet." rows={items} cols={CALL_COLS(role)} />
        {page.body.nextCursor ? (
          <p>
            <a href={`/console/${role}/calls?cursor=${encodeURIComponent(page.body.nextCursor)}`}>
              Older calls
            </a>
          </p>
        ) : null}
      </section>,
    );
  });

  app.get(`/${role}/calls/:callId`, async (c) => {
    const api = c.get("consoleApi");
    const id = c.req.param("callId");
    const call = await api.get(`/v1/calls/${encodeURIComponent(id)}`);
    if (!call.ok) return render(c, "Call not found", <p>No such call among yours.</p>, 404);
    const [recordings, disputes] = await Promise.all([
      api.items(`/v1/calls/${id}/recordings`),
      api.items(`/v1/calls/${id}/disputes`),
    ]);
    const k = call.body;
    const billing = (k.billing ?? {}) as Record<string, unknown>;
    const summary = { ...k, ...billing, billing: undefined, auction: undefined, timeline: undefined };
    return render(
      c,
      `Call ${id}`,
      <>
        <section class="card">
          <h2>Outcome</h2>
          <Table
            viewer={role}
            caption="Call outcome"
            empty=""
            rows={[summary]}
            cols={[
              { field: "status", label: "Status", render: (r) => <StatusBadge status={r.status} /> },
              { field: "vertical", label: "Vertical" },
              { field: "durationSec", label: "Duration (s)" },
              { field: "billable", label: "Billable" },
              { field: "chargedMicros", label: "Charged", money: true },
              { field: "payoutMicros", label: "Payout", money: true },
              { field: "marginMicros", label: "Margin", money: true },
              { field: "reasonCode", label: "Reason" },
            ]}
          />
        </section>
        <section class="card">
          <h2>Timeline</h2>
          <ul>
            {Object.entries((k.timeline ?? {}) as Record<string, unknown>).map(([what, at]) => (
              <li>
                {what}: {typeof at === "string" ? when(at) : show(at)}
              </li>
            ))}
          </ul>
        </section>
        <section class="card">
          <h2>Recordings</h2>
          <Table
            viewer={role}
            caption="Recordings"
            empty="No recording for this call."
            rows={recordings}
            cols={[
              { field: "recordingSid", label: "Recording" },
              { field: "reportedAt", label: "Reported", time: true },
              {
                field: "mediaUrl",
                label: "Media",
                render: (r) => (r.mediaUrl ? <a href={String(r.mediaUrl)}>Listen</a> : "deleted"),
              },
              { field: "retentionUntil", label: "Kept until", time: true },
            ]}
          />
        </section>
        <section class="card">
          <h2>Disputes</h2>
          <Table
            viewer={role}
            caption="Disputes of this call"
            empty="No dispute on this call."
            rows={disputes}
            cols={DISPUTE_COLS}
          />
          {role === "buyer" && k.billable === true ? (
            <DisputeForm callId={id} csrf={api.session.csrf} />
          ) : null}
        </section>
      </>,
    );
  });
}

function DisputeForm(props: { callId: string; csrf: string }) {
  return (
    <form method="post" action={`/console/buyer/calls/${props.callId}/disputes`} class="stack">
      <Csrf token={props.csrf} />
      <label>
        Reason
        <select name="reason" required>
          {DISPUTE_REASONS.map((r) => (
            <option value={r}>{r.replace("_", " ")}</option>
          ))}
        </select>
      </label>
      <label>
        Detail
        <textarea name="detail" rows={2} maxlength={1000} />
      </label>
      <button type="submit">Open a dispute</button>
    </form>
  );
}
