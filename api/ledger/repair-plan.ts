// What `npm run repair` does about drift a Redis hard crash left, decided from facts read beside the
// ledger (pure: tested beside this file). The ledger in Postgres is the record of money, so:
// - a call still open in the calls read model whose CallActor document is gone was lost with Redis's
//   tail: it ends as failed (reason `state_lost`, not billable) and its buyer's hold ends;
// - a capture with no charge on a call the read model knows as billable gets its charge (the call
//   completed and billed, only the `call.billable` event was lost); on any other call it is voided;
//   a billable call with neither charge nor capture gets both;
// - a charge whose capture event was lost stands, and the capture is announced again;
// - the buyer's balance becomes the ledger's, and its holds on calls no longer open end.
// Amount or count mismatches (never seen after a crash) are left to a person: listed, not touched.
import type { RepairCommand } from "../../actors/buyer/repair.ts";
import type { Billable } from "./postings.ts";
import type { CaptureMismatch } from "./reconcile-captures.ts";

export interface OpenCall {
  callId: string;
  buyerId: string | null;
  /** The CallActor has no document any more (its writes were in the lost tail). */
  lost: boolean;
}

export interface BuyerFacts {
  buyerId: string;
  /** The actor's balance and the calls it holds; null when the actor could not be read. */
  actor: { balanceMicros: number; holds: string[] } | null;
  ledgerBalanceMicros: number;
}

export interface RepairFacts {
  buyers: BuyerFacts[];
  openCalls: OpenCall[];
  captures: CaptureMismatch[];
  /** Calls the read model knows as billable, by id, with what their charge posts. */
  billable: Map<string, Billable & { endedAt: string }>;
  /** Billable calls (read model) with no charge posting at all (`charge_missing`, 0 charges). */
  chargeMissing: string[];
  /** Calls with a charge posting in the ledger. */
  charged: Set<string>;
  /** Holds on calls the read model does not know yet that may still be in flight: never ended. */
  keepHolds: Set<string>;
}

export interface RepairPlan {
  lostCalls: OpenCall[];
  charges: (Billable & { endedAt: string })[];
  buyers: (Omit<RepairCommand, "repairId"> & { buyerId: string })[];
  untouched: CaptureMismatch[];
}

export function planRepair(f: RepairFacts): RepairPlan {
  const lostCalls = f.openCalls.filter((c) => c.lost);
  const open = new Set(f.openCalls.filter((c) => !c.lost).map((c) => c.callId));
  const charges: RepairPlan["charges"] = [];
  const untouched: CaptureMismatch[] = [];
  const voids = new Map<string, RepairCommand["voidCaptures"]>();
  const restores = new Map<string, RepairCommand["restoreCaptures"]>();
  const add = <T>(m: Map<string, T[]>, k: string, v: T) => m.set(k, [...(m.get(k) ?? []), v]);
  for (const m of f.captures) {
    const billed = f.billable.get(m.callId);
    if (m.problem === "capture_uncharged" && m.buyerId && m.amountMicros != null) {
      if (billed && billed.buyerId === m.buyerId && billed.chargedMicros === m.amountMicros)
        charges.push(billed);
      else add(voids, m.buyerId, { callId: m.callId, chargedMicros: m.amountMicros });
    } else if (m.problem === "charge_uncaptured" && m.buyerId && m.amountMicros != null) {
      add(restores, m.buyerId, { callId: m.callId, chargedMicros: m.amountMicros });
    } else untouched.push(m);
  }
  // Billable, uncharged and no capture recorded either: both events were lost; the call completed
  // billable (its capture ran before its completion was saved), so it is charged and its capture
  // announced again (ids are per call: a late original of either is recorded once).
  for (const callId of f.chargeMissing) {
    const billed = f.billable.get(callId);
    if (!billed || f.captures.some((m) => m.callId === callId)) continue;
    charges.push(billed);
    add(restores, billed.buyerId, { callId, chargedMicros: billed.chargedMicros });
  }
  const buyers: RepairPlan["buyers"] = [];
  for (const b of f.buyers) {
    if (!b.actor) continue;
    const posted = charges.filter((c) => c.buyerId === b.buyerId).reduce((s, c) => s + c.chargedMicros, 0);
    const cmd = {
      buyerId: b.buyerId,
      expectedBalanceMicros: b.actor.balanceMicros,
      ledgerBalanceMicros: b.ledgerBalanceMicros - posted,
      endHolds: b.actor.holds
        .filter((id) => !open.has(id) && !f.keepHolds.has(id))
        .sort()
        .map((callId) => ({
          callId,
          charged: f.charged.has(callId) || charges.some((c) => c.callId === callId),
        })),
      voidCaptures: voids.get(b.buyerId) ?? [],
      restoreCaptures: restores.get(b.buyerId) ?? [],
    };
    const idle =
      cmd.endHolds.length + cmd.voidCaptures.length + cmd.restoreCaptures.length === 0 &&
      cmd.expectedBalanceMicros === cmd.ledgerBalanceMicros;
    if (!idle) buyers.push(cmd);
  }
  return { lostCalls, charges, buyers, untouched };
}

/** The actions of `b` that `a` planned too, alike: only drift seen twice, a settle time apart, is repaired. */
export function stablePlan(a: RepairPlan, b: RepairPlan): RepairPlan {
  const same = <T>(xs: T[], ys: T[]) =>
    ys.filter((y) => xs.some((x) => JSON.stringify(x) === JSON.stringify(y)));
  return {
    lostCalls: same(a.lostCalls, b.lostCalls),
    charges: same(a.charges, b.charges),
    buyers: same(a.buyers, b.buyers),
    untouched: b.untouched,
  };
}
