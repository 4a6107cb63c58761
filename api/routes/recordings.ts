// Call recordings for the parties of a call: its seller, the buyer the recording was made with, and
// admins. Anyone else gets the same 404 as for a call it cannot see.
import { Hono } from "hono";
import type { CallState, ICallActor } from "../../actors/call/call-api.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { CallRecordingRow } from "../db/recording-schema.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { READ, tagged } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import * as R from "../schemas/responses.ts";
import { recordingsOf } from "../telephony/recordings/store.ts";
import { viewAs } from "../views/policy.ts";
import { archivedCall, canSeeRow } from "./call-archive.ts";

const isoOrNull = (t: string | null) => (t === null ? null : new Date(t).toISOString());

export function recordingView(r: CallRecordingRow) {
  return {
    recordingSid: r.recordingSid,
    status: r.status,
    mediaUrl: r.url,
    sha256: r.sha256,
    durationSec: r.durationSec,
    channels: r.channels,
    reportedAt: new Date(r.createdAt).toISOString(),
    retentionUntil: new Date(r.retentionUntil).toISOString(),
    deletedAt: isoOrNull(r.deletedAt),
  };
}

/** Whether `p` may see the call (an admin, its seller, or the buyer it is routed to), live or archived. */
async function seesCall(deps: ApiDeps, p: Principal, callId: string): Promise<boolean> {
  const live = await actorProxy<ICallActor>(deps.dapr, "CallActor", callId).get();
  if (live.ok) {
    const s: CallState = live.value;
    return p.role === "admin" || p.accountId === s.sellerId || p.accountId === s.decision.buyerId;
  }
  const row = await archivedCall(deps, callId);
  return row !== undefined && canSeeRow(p, row);
}

export function recordingRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("calls");

  const listDoc = doc({
    summary: "List a call's recordings (its seller, the buyer recorded, admins)",
    access: "any",
    status: 200,
    response: R.RecordingList,
    errors: [...READ, "call_unknown"],
  });
  app.get("/calls/:callId/recordings", listDoc, async (c) => {
    const callId = c.req.param("callId");
    const p = c.get("principal");
    const rows = await recordingsOf(deps.db, callId);
    const own =
      p.role === "admin"
        ? rows
        : rows.filter((r) => r.sellerId === p.accountId || (r.buyerId !== null && r.buyerId === p.accountId));
    // A party with no recording (yet) sees an empty list; every other key, a call it cannot see.
    if (own.length === 0 && !(await seesCall(deps, p, callId)))
      throw new ApiError(404, "call_unknown", "no such call");
    return c.json(viewAs(p, { items: own.map(recordingView) }));
  });

  return app;
}
