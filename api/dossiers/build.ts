// Assembles a party's dossier of one call: the call as its view allows, the gates passed, its audited
// records (data cut by the view, flagged), postings (own entries), recordings and the inclusion proof.
// The view applies to what carries call data (the call, each record's data, postings, recordings); the
// envelope around it (row tuples of the call's own audit rows, opaque leaves, the checkpoint) names
// nothing else, and has its own policy rows (api/views/policy.ts).
import { sql } from "drizzle-orm";
import type { CallState, ICallActor } from "../../actors/call/call-api.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { ApiDeps, Principal } from "../deps.ts";
import { ApiError } from "../problem.ts";
import { archivedCall, archivedView, canSeeRow } from "../routes/call-archive.ts";
import { callView } from "../routes/calls.ts";
import { recordingView } from "../routes/recordings.ts";
import { recordingsOf } from "../telephony/recordings/store.ts";
import { actorCall } from "../validate.ts";
import { viewAs } from "../views/policy.ts";
import { callRows, proofFor, unavailable } from "./anchor.ts";
import { gatesOf } from "./gates.ts";
import { checkProof } from "./proof.ts";
import { recordOf } from "./records.ts";
import type { DossierBody, DossierPosting } from "./verify.ts";

const unknown = () => new ApiError(404, "call_unknown", "no such call");

/** The call as `p` may see it, or 404 when `p` is not one of its parties. */
async function callFor(deps: ApiDeps, p: Principal, callId: string) {
  const live = await actorCall(actorProxy<ICallActor>(deps.dapr, "CallActor", callId).get()).catch((err) => {
    if (err instanceof ApiError && err.code === "call_unknown") return undefined; // the history may know it
    throw err;
  });
  if (live) {
    const s: CallState = live;
    if (!(p.role === "admin" || p.accountId === s.sellerId || p.accountId === s.decision.buyerId))
      throw unknown();
    return { view: callView(s), status: s.decision.status, code: s.decision.reason?.code };
  }
  const row = await archivedCall(deps, callId);
  if (!row || !canSeeRow(p, row)) throw unknown();
  const view = archivedView(row);
  return { view, status: view.decision.status, code: row.reasonCode ?? undefined };
}

type PostingRow = {
  id: string;
  kind: string;
  reference: string;
  event_id: string | null;
  occurred_at: string | Date;
};
type EntryRow = { posting_id: string; account_id: string; amount_micros: string };

/** The call's postings; a buyer or seller sees only its own account's entries of each. */
async function postingsFor(deps: ApiDeps, p: Principal, callId: string): Promise<DossierPosting[]> {
  const postings = await deps.db.execute<PostingRow>(sql`
    select id, kind, reference, event_id, occurred_at from ledger_postings where reference = ${callId} order by occurred_at, id`);
  if (postings.length === 0) return [];
  const entries = await deps.db.execute<EntryRow>(sql`
    select e.posting_id, e.account_id, e.amount_micros from ledger_entries e
    join ledger_postings p on p.id = e.posting_id where p.reference = ${callId} order by e.id`);
  // A party's own accounts: `buyer:<id>`; `seller:<id>` and its `seller_pending:` and
  // `seller_receivable:` (payout holds, api/money).
  const mine = (account: string) =>
    p.role === "admin" ||
    account.replace(/^(seller)_(pending|receivable):/, "$1:") === `${p.role}:${p.accountId}`;
  return postings.map((r) => ({
    postingId: r.id,
    kind: r.kind,
    reference: r.reference,
    fromEvent: r.event_id,
    occurredAt: new Date(r.occurred_at).toISOString(),
    postingEntries: entries
      .filter((e) => e.posting_id === r.id && mine(e.account_id))
      .map((e) => ({ accountId: e.account_id, amountMicros: Number(e.amount_micros) })),
  }));
}

export async function buildDossier(deps: ApiDeps, p: Principal, callId: string): Promise<DossierBody> {
  const call = await callFor(deps, p, callId);
  const audited = await callRows(deps, callId);
  const proof = await proofFor(
    deps,
    callId,
    audited.map((a) => a.row),
  );
  const records = audited.map(({ row, data }) => recordOf(p, row, data));
  // Never sign a proof that does not hold: the stored log disagrees with itself.
  const problems = checkProof(callId, proof, records);
  if (problems.length > 0)
    throw unavailable(`the audit log does not prove this call: ${problems[0]!.message}`);
  const recordings = (await recordingsOf(deps.db, callId)).filter(
    (r) =>
      p.role === "admin" || r.sellerId === p.accountId || (r.buyerId !== null && r.buyerId === p.accountId),
  );
  return {
    dossierFormat: 2,
    callId,
    issuedAt: new Date(deps.now()).toISOString(),
    issuedTo: p.role === "admin" ? "admin" : `${p.role}:${p.accountId}`,
    callView: viewAs(p, call.view),
    gates: gatesOf(call.status, call.code),
    records,
    postings: viewAs(p, await postingsFor(deps, p, callId)),
    recordings: viewAs(p, recordings.map(recordingView)),
    proof,
  };
}
