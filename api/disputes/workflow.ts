// The dispute workflow's writes: opening (with the exchange's own verdict) and an admin's decision,
// each one transaction under the seller-money lock: the dispute row, its refund posting and its events
// commit together. The buyer actor's credit follows the commit (routes.ts), as for admin refunds.
import { and, eq } from "drizzle-orm";
import type * as v from "valibot";
import { newId } from "../../actors/kernel/ids.ts";
import { type DisputeRow, disputes, type TimelineStep } from "../db/dispute-schema.ts";
import { ledgerPostings } from "../db/ledger-schema.ts";
import type { CallRow } from "../db/schema.ts";
import type { ApiDeps } from "../deps.ts";
import { postingEntries, type Tx } from "../ledger/ledger.ts";
import { lockSellerMoney } from "../money/holds.ts";
import { chargeParts } from "../money/partial-refund.ts";
import { refundedMicros, refundPart } from "../money/refunds.ts";
import { ApiError } from "../problem.ts";
import { findSellerCampaign } from "../routes/campaigns.ts";
import type { DisputeDecision, OpenDispute } from "../schemas/disputes.ts";
import { disputeFacts } from "./facts.ts";
import { decisionRefund, mustBeCharged, mustHaveLeft } from "./money.ts";
import { autoResolve } from "./rules.ts";
import { announce, disputeEvent } from "./store.ts";

const DAY_MS = 86_400_000;

/** What is left of the call's charge to refund, under the lock (the charge itself must exist). */
async function leftToRefund(tx: Tx, callId: string) {
  const charge = await postingEntries(tx, "charge", callId);
  if (!charge) throw new ApiError(409, "not_charged", `call ${callId} has no charge in the ledger`);
  const c = chargeParts(charge);
  return { charged: c.chargedMicros, left: c.chargedMicros - (await refundedMicros(tx, callId, c.buyerId)) };
}

/** Posts the dispute's refund and fills in its amounts. */
async function refund(tx: Tx, row: DisputeRow, amount: number, at: string): Promise<DisputeRow> {
  const r = await refundPart(
    tx,
    row.callId,
    `${row.callId}:${row.id}`,
    amount,
    at,
    `dispute ${row.id} (${row.reason})`,
  );
  return {
    ...row,
    refundMicros: amount,
    sellerClawbackMicros: r.sellerMicros,
    marginClawbackMicros: r.marginMicros,
  };
}

/** The seller campaign's window, bounded by the exchange's (DCE_DISPUTE_WINDOW_DAYS). */
async function windowDays(deps: ApiDeps, row: CallRow): Promise<number> {
  const campaign = await findSellerCampaign(deps, row.sellerCampaignId).catch(() => undefined);
  return Math.min(
    campaign?.disputeWindowDays ?? deps.config.disputeWindowDays,
    deps.config.disputeWindowDays,
  );
}

/** When the call was charged, and for how much (undefined: never charged). */
async function chargeOf(deps: ApiDeps, callId: string) {
  const [posting] = await deps.db
    .select({ occurredAt: ledgerPostings.occurredAt })
    .from(ledgerPostings)
    .where(and(eq(ledgerPostings.kind, "charge"), eq(ledgerPostings.reference, callId)));
  const entries = posting && (await postingEntries(deps.db, "charge", callId));
  return entries ? { at: posting.occurredAt, micros: chargeParts(entries).chargedMicros } : undefined;
}

export async function open(deps: ApiDeps, call: CallRow, input: v.InferOutput<typeof OpenDispute>) {
  const charge = await chargeOf(deps, call.callId);
  mustBeCharged(call.callId, charge);
  const days = await windowDays(deps, call);
  if (deps.now() - Date.parse(charge.at) > days * DAY_MS)
    throw new ApiError(
      409,
      "dispute_window_closed",
      `charged ${new Date(charge.at).toISOString()}; the seller campaign's window is ${days} days`,
    );
  const verdict = autoResolve(input.reason, await disputeFacts(deps, call));
  const nowMs = deps.now();
  const at = new Date(nowMs).toISOString();
  return deps.db.transaction(async (tx) => {
    await lockSellerMoney(tx);
    const [busy] = await tx
      .select({ id: disputes.id })
      .from(disputes)
      .where(and(eq(disputes.callId, call.callId), eq(disputes.status, "open")));
    if (busy) throw new ApiError(409, "dispute_open", `call ${call.callId} has open dispute ${busy.id}`);
    const { left } = await leftToRefund(tx, call.callId);
    mustHaveLeft(call.callId, left);
    const timeline: TimelineStep[] = [{ at, status: "open", by: "buyer" }];
    let row: DisputeRow = {
      id: newId("dsp"),
      seq: 0,
      callId: call.callId,
      buyerId: call.buyerId!,
      sellerId: call.sellerId,
      reason: input.reason,
      detail: input.detail ?? null,
      evidence: input.evidence ?? null,
      status: "open",
      refundMicros: 0,
      sellerClawbackMicros: 0,
      marginClawbackMicros: 0,
      timeline,
      openedAt: at,
      decidedAt: null,
    };
    const opened = disputeEvent("dispute.opened", row, nowMs);
    if (verdict.status === "accepted") row = await refund(tx, row, left, at);
    const decided = verdict.status !== "open";
    row = {
      ...row,
      status: verdict.status,
      decidedAt: decided ? at : null,
      timeline: [...timeline, { at, status: verdict.status, by: "exchange", note: verdict.note }],
    };
    const { seq: _seq, ...values } = row;
    const [saved] = await tx.insert(disputes).values(values).returning();
    await announce(tx, decided ? [opened, disputeEvent("dispute.decided", saved!, nowMs)] : [opened]);
    return saved!;
  });
}

const STATUS = { accept: "accepted", partial: "partially_accepted", reject: "rejected" } as const;

/** An admin's decision on an open dispute: the refund (if any), the status, the timeline, the events. */
export async function decide(deps: ApiDeps, id: string, input: v.InferOutput<typeof DisputeDecision>) {
  if (input.decision === "partial" && !(input.refundMicros && input.refundMicros > 0))
    throw new ApiError(422, "refund_required", "a partial decision needs refundMicros > 0");
  const nowMs = deps.now();
  const at = new Date(nowMs).toISOString();
  return deps.db.transaction(async (tx) => {
    await lockSellerMoney(tx);
    const [row] = await tx.select().from(disputes).where(eq(disputes.id, id)).for("update");
    if (!row) throw new ApiError(404, "dispute_unknown", `no dispute ${id}`);
    if (row.status !== "open") throw new ApiError(409, "dispute_decided", `dispute ${id} is ${row.status}`);
    let next: DisputeRow = row;
    if (input.decision !== "reject") {
      const { left } = await leftToRefund(tx, row.callId);
      next = await refund(tx, row, decisionRefund(row.callId, input, left), at);
    }
    const status = STATUS[input.decision];
    const [saved] = await tx
      .update(disputes)
      .set({
        status,
        decidedAt: at,
        refundMicros: next.refundMicros,
        sellerClawbackMicros: next.sellerClawbackMicros,
        marginClawbackMicros: next.marginClawbackMicros,
        timeline: [...row.timeline, { at, status, by: "admin", note: input.note }],
      })
      .where(eq(disputes.id, id))
      .returning();
    await announce(tx, [disputeEvent("dispute.decided", saved!, nowMs)]);
    return saved!;
  });
}
