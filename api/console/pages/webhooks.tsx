// Webhook endpoints in the console: a buyer's and a seller's own endpoints with their breaker state
// (healthy, or suspended after a run of failures: why, and when the next probe is) and recent
// deliveries, with "Resume" for a suspended one (POST /v1/webhooks/{id}/resume). The operator's
// pipeline page lists every suspended endpoint with the same button (SuspendedWebhooks).
import type { Context, Hono } from "hono";
import { refusal } from "../api-client.ts";
import { back, render } from "../app.tsx";
import { type Col, Csrf, StatusBadge, Table, when } from "../ui.tsx";

export const DELIVERY_COLS: Col[] = [
  { field: "eventType", label: "Event" },
  { field: "status", label: "Status", render: (r) => <StatusBadge status={r.status} /> },
  { field: "attempts", label: "Attempts" },
  { field: "lastStatusCode", label: "Last HTTP status" },
  { field: "createdAt", label: "When", time: true },
];

interface Health {
  state?: string;
  consecutiveFailures?: number;
  lastFailureAt?: string | null;
  lastStatusCode?: number | null;
  lastError?: string | null;
  suspendedAt?: string | null;
  nextProbeAt?: string | null;
}

const healthOf = (h: Record<string, unknown>) => (h.health ?? {}) as Health;

/** The endpoint's breaker state in a sentence: suspended since when, why, and the next probe. */
export function HealthLine(props: { hook: Record<string, unknown> }) {
  const h = healthOf(props.hook);
  const last = h.lastStatusCode != null ? `HTTP ${h.lastStatusCode}` : (h.lastError ?? "no answer");
  if (h.state !== "suspended")
    return (
      <p>
        <StatusBadge status="healthy" />
        {(h.consecutiveFailures ?? 0) > 0
          ? ` ${h.consecutiveFailures} failed attempts in a row, the last ${when(h.lastFailureAt)} (${last}).`
          : null}
      </p>
    );
  return (
    <p>
      <StatusBadge status="suspended" /> since {when(h.suspendedAt)} after {h.consecutiveFailures} failed
      attempts in a row (last: {last}, {when(h.lastFailureAt)}). Deliveries are kept and held; the next probe
      is {when(h.nextProbeAt)}.
    </p>
  );
}

/** "Resume" for a suspended endpoint: it is probed at once. */
export function ResumeForm(props: { action: string; csrf: string; id: string }) {
  return (
    <form method="post" action={props.action} class="stack">
      <Csrf token={props.csrf} />
      <button type="submit" aria-label={`Resume webhook ${props.id}`}>
        Resume (try it now)
      </button>
    </form>
  );
}

/** Posts the resume and says what came of it. */
async function resume(c: Context, to: string) {
  const api = c.get("consoleApi");
  const id = c.req.param("id") ?? "";
  const r = await api.call("POST", `/v1/webhooks/${encodeURIComponent(id)}/resume`, {});
  if (!r.ok) return back(c, to, { error: refusal(r) });
  const state = (r.body.health as Health | undefined)?.state;
  return back(c, to, {
    ok:
      state === "suspended"
        ? `Webhook ${id}: probing now; it is resumed once that delivery is accepted.`
        : `Webhook ${id} is healthy.`,
  });
}

/** Registers `/{role}/webhooks` and its resume action (buyer and seller). */
export function webhookPages(app: Hono, role: "buyer" | "seller") {
  const page = `/console/${role}/webhooks`;
  app.get(`/${role}/webhooks`, async (c) => {
    const api = c.get("consoleApi");
    const hooks = await api.items("/v1/webhooks");
    const deliveries = await Promise.all(
      hooks.slice(0, 10).map((h) => api.items(`/v1/webhooks/${h.id}/deliveries?limit=10`)),
    );
    return render(
      c,
      "Webhooks",
      hooks.length === 0 ? (
        <p class="muted">No webhook endpoints. Create them with POST /v1/webhooks (see the API reference).</p>
      ) : (
        hooks.slice(0, 10).map((h, i) => (
          <section class="card" data-webhook={String(h.id)}>
            <h2>{String(h.url)}</h2>
            <p class="muted">
              {String(h.id)} · events: {((h.eventTypes as string[]) ?? []).join(", ") || "all"} ·{" "}
              {h.active === false ? "paused · " : ""}created {when(h.createdAt)}
            </p>
            <HealthLine hook={h} />
            {healthOf(h).state === "suspended" ? (
              <ResumeForm action={`${page}/${h.id}/resume`} csrf={api.session.csrf} id={String(h.id)} />
            ) : null}
            <Table
              viewer={role}
              caption="Deliveries"
              empty="No deliveries yet."
              rows={deliveries[i] ?? []}
              cols={DELIVERY_COLS}
              ownConfig
            />
          </section>
        ))
      ),
    );
  });
  app.post(`/${role}/webhooks/:id/resume`, (c) => resume(c, page));
}

/** The operator's list of suspended endpoints, each with "Resume" (on the pipeline page). */
export function SuspendedWebhooks(props: { hooks: Record<string, unknown>[]; csrf: string }) {
  if (props.hooks.length === 0) return <p class="muted">No suspended endpoints.</p>;
  return (
    <>
      {props.hooks.slice(0, 20).map((h) => (
        <div class="stack" data-webhook={String(h.id)}>
          <p>
            <strong>{String(h.id)}</strong> ({h.accountId ? String(h.accountId) : "exchange feed"})
          </p>
          <HealthLine hook={h} />
          <ResumeForm
            action={`/console/operator/webhooks/${h.id}/resume`}
            csrf={props.csrf}
            id={String(h.id)}
          />
        </div>
      ))}
    </>
  );
}

/** The operator's resume action. */
export function operatorWebhookActions(app: Hono) {
  app.post("/operator/webhooks/:id/resume", (c) => resume(c, "/console/operator/pipeline"));
}
