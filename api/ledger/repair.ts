// `npm run repair` (POST /v1/admin/reconciliation/repair): reads the facts a Redis hard crash may have
// left out of step (open calls whose actor is gone, captures and charges without their other half,
// buyer actors against the ledger), plans twice a settle time apart (repair-plan.ts says what is done
// about each kind of drift and why), and applies what both plans agree on. Every action is idempotent
// (posting ids per call, event ids and repair ids from their content, the buyer's balance compared
// and set in its turn) and logged by ids only.
import { createHash } from "node:crypto";
import { and, eq, gte, inArray } from "drizzle-orm";
import type { BuyerState } from "../../actors/buyer/buyer-api.ts";
import type { RepairCommand, RepairOutcome } from "../../actors/buyer/repair.ts";
import type { CallStatus } from "../../actors/call/call-api.ts";
import { HOLDING } from "../../actors/call/holds.ts";
import { SAGA_RECOVERY_MS } from "../../actors/call/saga.ts";
import type { callSnapshot } from "../../actors/call/snapshot.ts";
import { type DomainEvent, domainEvent } from "../../actors/kernel/events.ts";
import type { Result } from "../../actors/kernel/result.ts";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Db } from "../db/client.ts";
import { ledgerPostings } from "../db/ledger-schema.ts";
import { calls } from "../db/schema.ts";
import { postCharge } from "../money/holds.ts";
import { accountSums } from "./ledger.ts";
import { buyerAccount } from "./postings.ts";
import { holdingCall, reconcile } from "./reconcile.ts";
import { reconcileCalls } from "./reconcile-calls.ts";
import { reconcileCaptures } from "./reconcile-captures.ts";
import { type OpenCall, planRepair, type RepairFacts, type RepairPlan, stablePlan } from "./repair-plan.ts";

export interface RepairPorts {
  db: Db;
  logger: Logger;
  now: () => number;
  buyer: (id: string) => Promise<Result<BuyerState>>;
  repairBuyer: (id: string, cmd: RepairCommand) => Promise<Result<RepairOutcome>>;
  /** The CallActor's document: gone, or there with its status and buyer; undefined when unreadable. */
  callState: (id: string) => Promise<{ status: string; buyerId?: string } | null | undefined>;
  publish: (events: DomainEvent[]) => Promise<Set<string>>;
}

const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 28);

async function inBatches<T, R>(items: T[], fn: (t: T) => Promise<R>, size = 8): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

async function gather(p: RepairPorts, since: string | undefined, graceMs: number): Promise<RepairFacts> {
  const from = since ?? "-infinity";
  // Open as reconcile counts them (holdingCall): a completed call awaiting its conversion keeps its
  // hold until its window closes. Only a call still in progress can be lost: one awaiting a conversion
  // completed (its end is recorded), so it is never ended as failed here.
  const open = await p.db
    .select({ callId: calls.callId, buyerId: calls.buyerId, status: calls.status })
    .from(calls)
    .where(and(holdingCall(), gte(calls.offeredAt, from)));
  const openCalls: OpenCall[] = await inBatches(open, async ({ status, ...c }) => ({
    ...c,
    lost: HOLDING.has(status as CallStatus) && (await p.callState(c.callId).catch(() => undefined)) === null,
  }));
  const { captures, chargeMissing } = await p.db.transaction(
    async (tx) => ({
      captures: (await reconcileCaptures(tx, since, graceMs)).mismatches,
      chargeMissing: (await reconcileCalls(tx, since)).mismatches
        .filter((m) => m.problem === "charge_missing" && m.detail.startsWith("0 "))
        .map((m) => m.callId),
    }),
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
  const billable = new Map<string, RepairFacts["billable"] extends Map<string, infer V> ? V : never>();
  const uncharged = [
    ...captures.filter((m) => m.problem === "capture_uncharged").map((m) => m.callId),
    ...chargeMissing,
  ];
  if (uncharged.length > 0) {
    const rows = await p.db
      .select()
      .from(calls)
      .where(and(inArray(calls.callId, uncharged), eq(calls.billable, true)));
    for (const r of rows) {
      if (!r.buyerId || r.chargedMicros === null || r.payoutMicros === null) continue;
      const b = {
        callId: r.callId,
        buyerId: r.buyerId,
        sellerId: r.sellerId,
        chargedMicros: r.chargedMicros,
      };
      billable.set(r.callId, {
        ...b,
        payoutMicros: r.payoutMicros,
        marginMicros: r.chargedMicros - r.payoutMicros,
        endedAt: r.endedAt ?? r.offeredAt,
      });
    }
  }
  const drifting = (
    await reconcile(
      p.db,
      async (id) => {
        const s = await p.buyer(id);
        return s.ok ? { ok: true, value: balanceOfState(s.value) } : s;
      },
      { since },
    )
  ).drift.map((d) => d.buyerId);
  const ids = [
    ...new Set([
      ...drifting,
      ...captures.flatMap((m) => (m.buyerId ? [m.buyerId] : [])),
      ...[...billable.values()].map((b) => b.buyerId),
      ...openCalls.flatMap((c) => (c.lost && c.buyerId ? [c.buyerId] : [])),
    ]),
  ].sort();
  const sums = await accountSums(p.db, ids.map(buyerAccount));
  const states = await inBatches(ids, async (buyerId) => ({
    buyerId,
    state: await p.buyer(buyerId).then(
      (s) => (s.ok ? s.value : null),
      () => null,
    ),
  }));
  const buyers = states.map(({ buyerId, state }) => ({
    buyerId,
    actor: state ? { balanceMicros: state.balanceMicros, holds: Object.keys(state.reservations) } : null,
    ledgerBalanceMicros: -(sums.get(buyerAccount(buyerId)) ?? 0),
  }));
  const holds = buyers.flatMap((b) => b.actor?.holds ?? []);
  const keepHolds = await inFlightHolds(p, states, holds);
  const charged = new Set<string>();
  if (holds.length > 0) {
    const rows = await p.db
      .selectDistinct({ reference: ledgerPostings.reference })
      .from(ledgerPostings)
      .where(and(eq(ledgerPostings.kind, "charge"), inArray(ledgerPostings.reference, holds)));
    for (const r of rows) charged.add(r.reference);
  }
  return { buyers, openCalls, captures, billable, charged, chargeMissing, keepHolds };
}

/** A hold younger than this on a call nobody saved may be an offer still running (its saga's time). */
const IN_FLIGHT_MS = 2 * SAGA_RECOVERY_MS;

/**
 * Holds on calls the read model does not know: an offer may still be running, or the events app
 * lagging behind (a Postgres outage). Kept while the CallActor holds the buyer, while it cannot be
 * read, or while the hold is younger than an offer's saga may take; only an old hold on a call
 * never saved is left to end.
 */
async function inFlightHolds(
  p: RepairPorts,
  states: { buyerId: string; state: BuyerState | null }[],
  holds: string[],
): Promise<Set<string>> {
  const keep = new Set<string>();
  if (holds.length === 0) return keep;
  const rows = await p.db.select({ callId: calls.callId }).from(calls).where(inArray(calls.callId, holds));
  const known = new Set(rows.map((r) => r.callId));
  const unknown = states.flatMap(({ buyerId, state }) =>
    Object.values(state?.reservations ?? {})
      .filter((r) => !known.has(r.callId))
      .map((r) => ({ buyerId, ...r })),
  );
  await inBatches(unknown, async (h) => {
    const call = await p.callState(h.callId).catch(() => undefined);
    const holding = call && HOLDING.has(call.status as CallStatus) && call.buyerId === h.buyerId;
    if (call === undefined || holding || p.now() - h.reservedAt < IN_FLIGHT_MS) keep.add(h.callId);
  });
  return keep;
}

/** The buyer's balance figures from its state (what reconcile compares). */
function balanceOfState(s: BuyerState) {
  let reservedMicros = 0;
  for (const id in s.reservations) reservedMicros += s.reservations[id]!.priceMicros;
  const availableMicros = s.balanceMicros + s.creditLimitMicros - reservedMicros;
  return {
    balanceMicros: s.balanceMicros,
    creditLimitMicros: s.creditLimitMicros,
    reservedMicros,
    availableMicros,
  };
}

/** A lost call's end: `call.failed` (reason `state_lost`) with a snapshot newer than the read model's. */
async function lostCallEvents(p: RepairPorts, lost: OpenCall[]): Promise<DomainEvent[]> {
  if (lost.length === 0) return [];
  const rows = await p.db
    .select()
    .from(calls)
    .where(
      inArray(
        calls.callId,
        lost.map((c) => c.callId),
      ),
    );
  const at = new Date(p.now()).toISOString();
  return rows.map((r) => {
    const snapshot = {
      ...callSnapshotOfRow(r),
      revision: r.revision + 1,
      status: "failed" as const,
      billable: false,
      reasonCode: "state_lost",
      endedAt: at,
    };
    const data = { callId: r.callId, reason: "state_lost", snapshot };
    return domainEvent("call.failed", { type: "call", id: r.callId }, "repair_state_lost", p.now(), data);
  });
}

type CallRow = typeof calls.$inferSelect;
function callSnapshotOfRow(r: CallRow): ReturnType<typeof callSnapshot> {
  const { callerHash: _hash, ...rest } = r;
  return { ...rest, status: r.status as ReturnType<typeof callSnapshot>["status"] };
}

export interface RepairReport {
  plan: RepairPlan;
  applied: {
    chargesPosted: string[];
    callsEnded: string[];
    buyers: ({ buyerId: string } & RepairOutcome)[];
  };
  dryRun: boolean;
}

export async function repairDrift(
  p: RepairPorts,
  opts: { since?: string; graceMs: number; settleMs: number; dryRun: boolean },
): Promise<RepairReport> {
  const first = planRepair(await gather(p, opts.since, opts.graceMs));
  await new Promise((r) => setTimeout(r, opts.settleMs));
  const plan = stablePlan(first, planRepair(await gather(p, opts.since, opts.graceMs)));
  const applied: RepairReport["applied"] = { chargesPosted: [], callsEnded: [], buyers: [] };
  if (opts.dryRun) return { plan, applied, dryRun: true };
  for (const c of plan.charges) {
    const { endedAt, ...billable } = c;
    await p.db.transaction((tx) => postCharge(tx, billable, endedAt));
    p.logger.warn({ callId: c.callId, buyerId: c.buyerId, micros: c.chargedMicros }, "repair.charge_posted");
    applied.chargesPosted.push(c.callId);
  }
  const ended = await lostCallEvents(p, plan.lostCalls);
  const failed = await p.publish(ended);
  if (failed.size > 0) throw new Error(`${failed.size} lost calls' end events could not be published`);
  for (const e of ended) {
    p.logger.warn({ callId: e.aggregate.id }, "repair.call_lost");
    applied.callsEnded.push(e.aggregate.id);
  }
  for (const b of plan.buyers) {
    const { buyerId, ...rest } = b;
    const cmd = { repairId: `rep_${sha(JSON.stringify(b))}`, ...rest };
    const r = await p.repairBuyer(buyerId, cmd);
    if (!r.ok) throw new Error(`buyer ${buyerId} refused its repair: ${r.reason.code}`);
    p.logger.warn(
      {
        buyerId,
        repairId: cmd.repairId,
        fromMicros: r.value.fromMicros,
        toMicros: r.value.toMicros,
        endedHolds: r.value.endedHolds.length,
        voided: rest.voidCaptures.length,
        restored: rest.restoreCaptures.length,
        stale: r.value.stale !== undefined,
      },
      "repair.buyer",
    );
    applied.buyers.push({ buyerId, ...r.value });
  }
  return { plan, applied, dryRun: false };
}
