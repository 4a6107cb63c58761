// CallActor: one offered call. It coordinates the flow (seller admit → auction → routing), keeps the
// lifecycle state machine and settles the buyer's reservation when the call ends.
import { randomUUID } from "node:crypto";
import type { AuctionOutcome } from "../auction/auction-api.ts";
import type { CallFacts, IBuyerActor, ReleaseOutcome } from "../buyer/buyer-api.ts";
import { systemCtx } from "../kernel/ctx.ts";
import { type DomainEvent, domainEvent } from "../kernel/events.ts";
import type { ReasonCode } from "../kernel/reasons.ts";
import { recordingDisclosureRequired } from "../kernel/recording.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import { type Routing, routedView } from "../kernel/routing.ts";
import { crashPoint, faultPoint } from "../platform/crash-points.ts";
import { actorProxy } from "../platform/dapr-client.ts";
import { actorSql } from "../platform/postgres.ts";
import { DocumentActor, documentKey } from "../runtime/document-actor.ts";
import type { Expiry } from "../runtime/document-store.ts";
import { settlementKey } from "../runtime/settlements.ts";
import { type PaidCall, payoutFor } from "../seller/payout.ts";
import type { ISellerActor } from "../seller/seller-api.ts";
import { archivedRefusal, isArchived, isRecorded } from "./archive.ts";
import type {
  Acceptance,
  AcceptanceCommand,
  CallDecision,
  CallEventCommand,
  CallState,
  ICallActor,
  OfferCommand,
} from "./call-api.ts";
import { nextCallWinner, runCallAuction } from "./call-auction.ts";
import {
  awaitingBilling,
  type ConversionCommand,
  conversionStep,
  converted,
  newConversionKey,
  notConverted,
} from "./conversion.ts";
import {
  BUYER_BACKSTOP_GRACE_SEC,
  dueHoldEnd,
  expiredCall,
  HOLDING,
  type HoldEnd,
  holdEnd,
  maxCallDurationSec,
} from "./holds.ts";
import { runGates } from "./offer-gates.ts";
import { callExpiresAt } from "./retention.ts";
import {
  acceptanceFor,
  applyAcceptance,
  billingFor,
  buyerHungUpBelowMinimum,
  failedBilling,
  nextStatus,
  sameOffer,
  shouldReroute,
  withoutCaller,
} from "./rules.ts";
import {
  type Compensation,
  compensate,
  journal,
  pushCompensation,
  SAGA_RECOVERY_MS,
  sagaKey,
} from "./saga.ts";
import {
  billableData,
  CONVERSION_CAUSE,
  captureOrThrow,
  finishSettlement,
  isSettleReminder,
  lifecycleEvent,
  SETTLE_AFTER_MS,
  SETTLE_REMINDER,
  SETTLE_REMINDER_DATA,
  unlessRefused,
  withIntent,
} from "./settlement.ts";
import { callSnapshot } from "./snapshot.ts";
import { SWEEP_SET, scheduleSweep, unscheduleSweep } from "./sweeper.ts";

/** A saved call owns its seller slot (whatever its outcome) and, while it holds one, its buyer's hold. */
function owns(state: CallState | undefined, saved = state !== undefined): (c: Compensation) => boolean {
  const holding = state && HOLDING.has(state.status) ? state.decision.buyerId : undefined;
  return (c) => (c.kind === "seller.release" ? saved : c.buyerId === holding);
}

export class CallActor extends DocumentActor<CallState> implements ICallActor {
  /** Every call write: bump the revision and attach the call's snapshot to each event for read models. */
  private async save(state: CallState, events: DomainEvent[]): Promise<void> {
    const next = { ...state, revision: (state.revision ?? 0) + 1 };
    const snapshot = callSnapshot(next);
    await this.commit(
      next,
      events.map((e) => ({ ...e, data: { ...e.data, snapshot } })),
    );
  }

  async offer(cmd: OfferCommand): Promise<Result<CallDecision>> {
    const existing = await this.load();
    if (existing) {
      if (!sameOffer(existing.requestHash, cmd)) {
        return refuse("idempotency_conflict", "this Idempotency-Key was used for a different offer");
      }
      return ok(existing.decision);
    }
    const { redis, config } = this.deps();
    const now = cmd.receivedAtMs;
    const base = this.initialState(cmd, now);
    const reject = (code: ReasonCode, detail: string) =>
      this.settleOffer({
        ...base,
        status: "rejected",
        decision: { callId: cmd.callId, status: "rejected", reason: { code, detail } },
      });
    const seller = actorProxy<ISellerActor>(this.getDaprClient(), "SellerActor", cmd.sellerId);
    const admit = { callId: cmd.callId, campaignId: cmd.sellerCampaignId };
    // A call finished and expired from Redis is refused, never offered afresh under its old id. A
    // journal left by an earlier try of this offer that crashed before saving: undone first, so this
    // try starts with nothing held (the seller's slot, given back, is taken again below).
    const [stale, archived] = await Promise.all([
      journal(redis, cmd.callId),
      isRecorded(actorSql(config.databaseUrl), cmd.callId),
    ]);
    if (archived) return archivedRefusal(cmd.callId);
    if (stale.length > 0) await this.undo(stale, () => false);
    try {
      const gates = await runGates(
        {
          redis,
          sql: actorSql(config.databaseUrl),
          pii: config.pii,
          admit: async () => {
            // A capped campaign's slot is the saga's first step: journalled before the seller counts it.
            const step = { kind: "seller.release", sellerId: cmd.sellerId, ...admit } as const;
            await pushCompensation(redis, step, systemCtx.now());
            return seller.admit(admit);
          },
        },
        cmd,
        now,
      );
      if (!gates.ok) return await reject(gates.reason.code, gates.reason.detail);
      const { campaign, caller } = gates.value;
      const admitted: CallState = {
        ...base,
        caller: { ...base.caller, ...caller },
        consent: gates.value.consent,
        vertical: cmd.vertical ?? campaign.vertical,
        payout: campaign.payout,
        reroute: { ...campaign.reroute, routingTtlSec: campaign.routingTtlSec },
        ...(campaign.maxCallDurationSec ? { maxCallDurationSec: campaign.maxCallDurationSec } : {}),
      };
      const ran = await runCallAuction(
        this.deps(),
        {
          call: this.facts(admitted),
          caller: { hash: caller.hash, ciphertext: caller.ciphertext },
          exposeCallerId: campaign.exposeCallerId,
          sellerId: cmd.sellerId,
          sellerCampaignId: cmd.sellerCampaignId,
          terms: {
            reserveMicros: campaign.reserveMicros,
            type: campaign.auction,
            maxAuctionMs: campaign.maxAuctionMs,
          },
          routingTtlSec: campaign.routingTtlSec,
          maxCallDurationSec: admitted.maxCallDurationSec,
          attemptId: randomUUID(),
        },
        campaign.reroute.max > 0,
      );
      if (!ran.ok) return await reject(ran.reason.code, ran.reason.detail);
      faultPoint("call.fail_after_reserve_before_save", () => [cmd.callId]);
      crashPoint("call.after_reserve_before_save", () => [cmd.callId]);
      const routed = this.withOutcome(admitted, ran.value.outcome);
      const kept = routed.status === "routed" ? ran.value.rerouteBids : undefined;
      return await this.settleOffer(kept ? { ...routed, rerouteBids: kept } : routed, ran.value.events);
    } catch (err) {
      // The saga: every hold the journal names is released now, newest first; what cannot be is left
      // in the journal for the sweeper. The offer fails, and a retry runs it afresh. The failure may be
      // the save itself with its answer lost (Redis killed after it wrote): a call found saved keeps
      // what it owns; unreadable, everything is left to the sweeper, which judges the same way.
      const saved = await this.load().then(
        (state) => ({ state }),
        () => undefined,
      );
      if (saved) await this.undo(await journal(redis, cmd.callId), owns(saved.state));
      throw err;
    }
  }

  /**
   * Runs the journalled compensations in reverse, except those `keep` names (what the saved call still
   * owns). Clears the journal when all ran; else the sweeper tries again later.
   */
  private async undo(steps: Compensation[], keep: (c: Compensation) => boolean): Promise<number> {
    const { redis } = this.deps();
    const client = this.getDaprClient();
    const failed = await compensate(steps, keep, async (c) => {
      const r =
        c.kind === "buyer.release"
          ? await actorProxy<IBuyerActor>(client, "BuyerActor", c.buyerId).release({
              callId: c.callId,
              outcome: "failed",
            })
          : await actorProxy<ISellerActor>(client, "SellerActor", c.sellerId).releaseAdmit({
              callId: c.callId,
              campaignId: c.campaignId,
            });
      if (!r.ok) throw new Error(r.reason.code);
    });
    if (failed.length === 0) await redis.del(sagaKey(this.getActorId().getId()));
    else
      this.deps().logger.warn({ callId: this.getActorId().getId(), left: failed.length }, "call.saga_left");
    return failed.length;
  }

  private initialState(cmd: OfferCommand, now: number): CallState {
    return {
      schema: 1,
      callId: cmd.callId,
      sellerId: cmd.sellerId,
      sellerCampaignId: cmd.sellerCampaignId,
      requestHash: cmd.requestHash,
      status: "rejected",
      caller: { state: cmd.callerState, zip: cmd.callerZip },
      vertical: cmd.vertical,
      tags: cmd.tags,
      decision: { callId: cmd.callId, status: "rejected" },
      timeline: { offeredAt: new Date(now).toISOString() },
      appliedEvents: {},
      ...(cmd.channel ? { channel: cmd.channel } : {}),
    };
  }

  private withOutcome(state: CallState, outcome: AuctionOutcome): CallState {
    const auction = {
      ...outcome.summary,
      winnerBidId: outcome.winner?.bidId,
      clearingPriceMicros: outcome.winner?.priceMicros,
    };
    const w = outcome.winner;
    if (!w) {
      const reason = outcome.reason ?? { code: "no_eligible_buyers" as const, detail: "no bids" };
      return {
        ...state,
        status: "no_bid",
        auction,
        decision: { callId: state.callId, status: "no_bid", reason },
      };
    }
    return {
      ...this.routedTo(state, w),
      auction,
      attempts: [{ buyerId: w.buyerId, campaignId: w.buyerCampaignId, priceMicros: w.priceMicros }],
    };
  }

  /** The call routed: its state keeps the routing, the seller's decision is its partner view. */
  private routedTo(state: CallState, chosen: Routing): CallState {
    // A conversion-billed routing gets the call's conversion key: random, kept only in this document.
    const routing: Routing = chosen.conversion
      ? { ...chosen, conversion: { ...chosen.conversion, key: newConversionKey() } }
      : chosen;
    const decision: CallDecision = {
      callId: state.callId,
      status: "routed",
      ...routedView(routing, recordingDisclosureRequired(state.caller.state)),
    };
    return { ...state, status: "routed", decision, routing, routedAtMs: systemCtx.now() };
  }

  private facts(state: CallState): CallFacts {
    return {
      callId: state.callId,
      callerHash: state.caller.hash ?? "",
      callerState: state.caller.state,
      callerZip: state.caller.zip,
      areaCode: state.caller.areaCode,
      vertical: state.vertical ?? "",
      tags: state.tags,
      consent: state.consent,
    };
  }

  private async settleOffer(state: CallState, extra: DomainEvent[] = []): Promise<Result<CallDecision>> {
    const now = systemCtx.now();
    const agg = { type: "call", id: state.callId } as const;
    const d = state.decision;
    const events = [
      domainEvent("call.offered", agg, "offer", now, {
        sellerId: state.sellerId,
        sellerCampaignId: state.sellerCampaignId,
        vertical: state.vertical ?? null,
      }),
      domainEvent(`call.${state.status}`, agg, "decision", now, { ...d }),
      ...extra,
    ];
    await this.save(state, events);
    faultPoint("call.fail_after_save", () => [state.callId]);
    await this.afterSave(state);
    return ok(d);
  }

  /**
   * After a save: the journal's steps are settled (the saved call owns its hold now), and the sweeper
   * visits a call holding its buyer when that hold ends (call/holds.ts). One Redis round trip, no
   * sidecar crossing.
   */
  private async afterSave(state: CallState): Promise<void> {
    const { redis } = this.deps();
    const tx = redis.multi().del(sagaKey(state.callId));
    const end = holdEnd(state);
    if (end) tx.zadd(SWEEP_SET, end.atMs, state.callId);
    else tx.zrem(SWEEP_SET, state.callId);
    await tx.exec();
  }

  /**
   * The sweeper's visit: finishes a saga a crash left (releasing every journalled hold but the saved
   * call's own), and ends a hold past its time (a routing expired, a maximum call duration passed).
   */
  async sweep(_cmd: Record<string, never>): Promise<Result<{ status: string }>> {
    const { redis } = this.deps();
    const callId = this.getActorId().getId();
    const state = await this.load();
    const steps = await journal(redis, callId);
    // A call saved once (its document, or its row in Postgres once the document expired) owns its slot.
    const saved =
      state !== undefined ||
      (steps.length > 0 && (await isRecorded(actorSql(this.deps().config.databaseUrl), callId)));
    const left = steps.length === 0 ? 0 : await this.undo(steps, owns(state, saved));
    const after = state ? await this.expireIfDue(state) : undefined;
    const end = after ? holdEnd(after) : undefined;
    if (left > 0) {
      await scheduleSweep(redis, callId, systemCtx.now() + SAGA_RECOVERY_MS);
    } else if (end) {
      await scheduleSweep(redis, callId, end.atMs);
    } else {
      await unscheduleSweep(redis, callId);
    }
    return ok({ status: after?.status ?? "none" });
  }

  async event(cmd: CallEventCommand): Promise<Result<CallState>> {
    let state = await this.load();
    if (!state) return this.missing();
    // A completion whose save failed after its capture is finished first (a replay of it then replays).
    if (state.settling) state = await this.finishSettling(state);
    // Past its maximum duration and not yet swept: ended now, so the event meets the same refusal.
    if (
      !state.appliedEvents[cmd.eventId] &&
      dueHoldEnd(state, systemCtx.now())?.reason === "max_duration_exceeded"
    )
      state = await this.expireIfDue(state);
    const step = nextStatus(state, cmd);
    if (!step.ok) return step;
    if (step.value.replay) return ok(await this.annotateHangup(state, cmd));
    const now = systemCtx.now();
    const at = new Date(now).toISOString();
    const to = step.value.status;
    const agg = { type: "call", id: state.callId } as const;
    let next: CallState = {
      ...state,
      status: to,
      appliedEvents: { ...state.appliedEvents, [cmd.eventId]: to },
    };
    const events: DomainEvent[] = [];
    if (to === "ringing") next.timeline = { ...state.timeline, ringingAt: at };
    if (to === "connected") next.timeline = { ...state.timeline, connectedAt: at };
    if (to === "completed" || to === "failed") {
      next.timeline = { ...state.timeline, endedAt: at };
      if (cmd.hangupBy) next.hangupBy = cmd.hangupBy;
      next = await this.settle(next, to === "completed" ? (cmd.durationSec ?? 0) : undefined, cmd, now);
      if (next.billing?.billable) {
        events.push(domainEvent("call.billable", agg, cmd.eventId, now, billableData(next)));
      }
      const flagged = this.flagBelowMinimum(next, cmd, now);
      if (flagged) {
        next = flagged.state;
        events.push(flagged.event);
      }
    }
    events.unshift(lifecycleEvent(state.callId, to, cmd, now));
    if (!next.conversion && shouldReroute(state, cmd, next.billing)) {
      const rerouted = await this.reroute(next, cmd);
      if (rerouted) {
        next = { ...rerouted, appliedEvents: { ...next.appliedEvents, [cmd.eventId]: "routed" } };
        events.push(domainEvent("call.rerouted", agg, cmd.eventId, now, { ...next.decision }));
      }
    }
    await this.save(next, events);
    // The sweeper's visit moves when the hold's end does: placed (the routing's expiry no longer
    // applies), re-routed (a new routing), ended (nothing left to sweep).
    if (holdEnd(next)?.atMs !== holdEnd(state)?.atMs) await this.afterSave(next);
    return ok(next);
  }

  /**
   * The same completion told again with who hung up, when the first telling did not say (a carrier's
   * leg callback, then its Dial outcome): the side is recorded, flagged, and an early buyer hang-up
   * re-routed, as a first telling with the side would have.
   */
  private async annotateHangup(state: CallState, cmd: CallEventCommand): Promise<CallState> {
    if (cmd.type !== "completed" || !cmd.hangupBy || state.hangupBy) return state;
    if (state.status !== "completed" || state.appliedEvents[cmd.eventId] !== "completed") return state;
    const now = systemCtx.now();
    const told = { ...cmd, durationSec: state.durationSec ?? 0 };
    let next: CallState = { ...state, hangupBy: cmd.hangupBy };
    const events: DomainEvent[] = [];
    const flagged = this.flagBelowMinimum(next, told, now);
    if (flagged) {
      next = flagged.state;
      events.push(flagged.event);
    }
    if (!state.conversion && shouldReroute(state, told, state.billing)) {
      const rerouted = await this.reroute(next, told);
      if (rerouted) {
        next = { ...rerouted, appliedEvents: { ...next.appliedEvents, [cmd.eventId]: "routed" } };
        const agg = { type: "call", id: state.callId } as const;
        events.push(domainEvent("call.rerouted", agg, cmd.eventId, now, { ...next.decision }));
      }
    }
    await this.save(next, events);
    if (holdEnd(next)?.atMs !== holdEnd(state)?.atMs) await this.afterSave(next);
    return next;
  }

  /** A buyer hanging up just below its own minimum: a flag on the call and a `call.flagged` event. */
  private flagBelowMinimum(state: CallState, cmd: CallEventCommand, now: number) {
    const min = state.routing?.minDurationSec;
    if (cmd.type !== "completed" || min === undefined) return undefined;
    if (!buyerHungUpBelowMinimum(cmd.durationSec ?? 0, min, cmd.hangupBy)) return undefined;
    const code = "buyer_hangup_below_minimum";
    const data = {
      code,
      durationSec: cmd.durationSec ?? 0,
      minDurationSec: min,
      buyerId: state.decision.buyerId,
    };
    const event = domainEvent("call.flagged", { type: "call", id: state.callId }, cmd.eventId, now, data);
    return { state: { ...state, flags: [...(state.flags ?? []), code] }, event };
  }

  /** Revenue recovery: the next best bid takes the call; the decision sent back is the new routing. */
  private async reroute(state: CallState, cmd: CallEventCommand): Promise<CallState | undefined> {
    const attempts = state.attempts ?? [];
    const w = await nextCallWinner(this.deps(), state.rerouteBids, {
      excludeBuyerIds: attempts.map((a) => a.buyerId),
      routingTtlSec: state.reroute?.routingTtlSec ?? 60,
      maxCallDurationSec: state.maxCallDurationSec,
      call: this.facts(state),
    });
    if (!w) return undefined;
    const last = attempts.at(-1);
    const ended = last
      ? [
          ...attempts.slice(0, -1),
          { ...last, outcome: cmd.reason ?? `${cmd.type}_by_${cmd.hangupBy ?? "unknown"}` },
        ]
      : [];
    return {
      ...this.routedTo(state, w),
      attempts: [...ended, { buyerId: w.buyerId, campaignId: w.buyerCampaignId, priceMicros: w.priceMicros }],
      billing: undefined,
      durationSec: undefined,
      acceptance: undefined,
      hangupBy: undefined,
      timeline: { offeredAt: state.timeline.offeredAt },
    };
  }

  /** Charges the buyer for a billable call, otherwise releases its reservation. */
  private async settle(
    state: CallState,
    durationSec: number | undefined,
    cmd: CallEventCommand,
    atMs: number,
  ): Promise<CallState> {
    const buyerId = state.decision.buyerId;
    if (!buyerId || !state.routing) return state;
    const buyer = actorProxy<IBuyerActor>(this.getDaprClient(), "BuyerActor", buyerId);
    if (durationSec === undefined) {
      await buyer.release({ callId: state.callId, outcome: "failed" });
      return { ...state, billing: failedBilling(), durationSec: 0 };
    }
    const { priceMicros, minDurationSec } = state.routing;
    if (state.routing.conversion) return this.awaitConversion(state, buyer, durationSec, atMs);
    const qualifies = billingFor(durationSec, minDurationSec, priceMicros, 0, acceptanceFor(state));
    const payout = qualifies.billable ? await this.payoutOf(state, priceMicros, { durationSec }) : 0;
    const billing = billingFor(durationSec, minDurationSec, priceMicros, payout, acceptanceFor(state));
    if (billing.billable) {
      // Reminder, then intent, then capture: whatever dies after the capture, the intent is saved and
      // the reminder (or the next event) finishes it; the capture replays, so it is charged once.
      await this.sidecar().remind(SETTLE_REMINDER, SETTLE_AFTER_MS, SETTLE_REMINDER_DATA);
      await this.save(withIntent({ ...state, durationSec, billing }, cmd, atMs), []);
      await captureOrThrow(buyer, state.callId, cmd.eventId);
      crashPoint("call.after_capture_before_save", () => [state.callId]);
    } else {
      await buyer.release({ callId: state.callId, outcome: "not_billable" satisfies ReleaseOutcome });
    }
    return { ...state, durationSec, billing };
  }

  /** The seller's payout by its rules (seller/payout.ts), booked against its daily cap when it has one. */
  private async payoutOf(state: CallState, priceMicros: number, call: PaidCall): Promise<number> {
    if (!state.payout) return 0;
    const requestedMicros = payoutFor(state.payout, priceMicros, call);
    if (state.payout.caps?.dailyMicros === undefined || requestedMicros === 0) return requestedMicros;
    const seller = actorProxy<ISellerActor>(this.getDaprClient(), "SellerActor", state.sellerId);
    const booked = await seller.bookPayout({
      callId: state.callId,
      campaignId: state.sellerCampaignId,
      requestedMicros,
    });
    if (!booked.ok) throw new Error(`payout booking of ${state.callId} refused: ${booked.reason.code}`);
    return booked.value.grantedMicros;
  }

  /**
   * A conversion-billed call completed: qualified (its minimum duration, press-1), its buyer's hold is
   * kept (slot freed) until the window closes; else released as any unbilled call.
   */
  private async awaitConversion(
    state: CallState,
    buyer: IBuyerActor,
    durationSec: number,
    atMs: number,
  ): Promise<CallState> {
    const { priceMicros, minDurationSec, conversion } = state.routing!;
    const qualifies = billingFor(durationSec, minDurationSec, priceMicros, 0, acceptanceFor(state));
    if (qualifies.billable && conversion) {
      const windowEndsAtMs = atMs + conversion.windowSec * 1000;
      const untilMs = windowEndsAtMs + BUYER_BACKSTOP_GRACE_SEC * 1000;
      const held = await buyer.awaitConversion({ callId: state.callId, untilMs });
      if (held.ok && held.value.held) {
        const awaiting = { status: "awaiting" as const, windowEndsAtMs };
        return { ...state, durationSec, billing: awaitingBilling(windowEndsAtMs), conversion: awaiting };
      }
    }
    await buyer.release({ callId: state.callId, outcome: "not_billable" satisfies ReleaseOutcome });
    return { ...state, durationSec, billing: qualifies.billable ? failedBilling() : qualifies };
  }

  /**
   * The buyer's conversion postback (call/conversion.ts): bills the call once, through the same
   * settlement as a billable completion (intent, capture, `call.converted` + `call.billable`).
   */
  async convert(cmd: ConversionCommand): Promise<Result<CallState>> {
    let state = await this.load();
    if (!state) return this.missing();
    if (state.settling) state = await this.finishSettling(state);
    const now = systemCtx.now();
    const step = conversionStep(state, cmd, now);
    if (!step.ok) return step;
    if (step.value.replay) return ok(state);
    const price = state.routing?.priceMicros ?? 0;
    const payout = await this.payoutOf(state, price, { durationSec: state.durationSec, converted: true });
    const next = converted(state, cmd, payout, now);
    const intentCmd: CallEventCommand = { eventId: CONVERSION_CAUSE, type: "completed" };
    await this.sidecar().remind(SETTLE_REMINDER, SETTLE_AFTER_MS, SETTLE_REMINDER_DATA);
    const pending = withIntent(next, intentCmd, now, true);
    await this.save(pending, []);
    return ok(await this.finishSettling(pending));
  }

  /** The conversion window closed with no postback: the buyer's hold released, the call never billed. */
  private async closeConversionWindow(state: CallState): Promise<CallState> {
    const buyer = actorProxy<IBuyerActor>(this.getDaprClient(), "BuyerActor", state.decision.buyerId ?? "");
    await buyer.release({ callId: state.callId, outcome: "not_converted" });
    const next = notConverted(state);
    const agg = { type: "call", id: state.callId } as const;
    const data = { windowEndsAt: new Date(state.conversion?.windowEndsAtMs ?? 0).toISOString() };
    await this.save(next, [domainEvent("call.not_converted", agg, CONVERSION_CAUSE, systemCtx.now(), data)]);
    return next;
  }

  /** Captures (or replays the capture) and saves the completion the intent describes, with its events. */
  private finishSettling(state: CallState): Promise<CallState> {
    const buyer = actorProxy<IBuyerActor>(this.getDaprClient(), "BuyerActor", state.decision.buyerId ?? "");
    return finishSettlement(state, buyer, (next, events) => this.save(next, events), this.deps().logger);
  }

  protected override async onReminder(data: unknown): Promise<void> {
    const state = await this.load();
    if (state?.settling) {
      await this.finishSettling(state).catch(unlessRefused(state.callId, this.deps().logger));
      return;
    }
    if (isSettleReminder(data)) return; // settled meanwhile
    // Reminders registered by calls routed before the sweeper (one per call) still expire them.
    if (state) await this.expireIfDue(state, true);
  }

  /**
   * A hold past its end (call/holds.ts): the buyer's reservation is released and the call expired,
   * unbilled, with `call.expired` saying why. `force`: an old routing reminder expires a routed call.
   * The call after.
   */
  private async expireIfDue(state: CallState, force = false): Promise<CallState> {
    const now = systemCtx.now();
    const end: HoldEnd | undefined =
      dueHoldEnd(state, now) ??
      (force && state.status === "routed" && state.decision.buyerId && state.routing
        ? { atMs: now, reason: "routing_expired" }
        : undefined);
    if (!end || !state.decision.buyerId) return state;
    if (end.reason === "conversion_window_closed") return this.closeConversionWindow(state);
    const buyer = actorProxy<IBuyerActor>(this.getDaprClient(), "BuyerActor", state.decision.buyerId);
    const maxed = end.reason === "max_duration_exceeded";
    await buyer.release({ callId: state.callId, outcome: maxed ? "max_duration_exceeded" : "expired" });
    const next = expiredCall(state, end, now);
    const agg = { type: "call", id: state.callId } as const;
    const data = maxed
      ? { reason: end.reason, maxCallDurationSec: maxCallDurationSec(state), lastStatus: state.status }
      : { reason: end.reason };
    // Distinct causes, so the two expiries' event ids never collide (a call has only one of them).
    await this.save(next, [domainEvent("call.expired", agg, maxed ? "max_duration" : "expiry", now, data)]);
    if (maxed) this.deps().logger.warn({ callId: state.callId, lastStatus: state.status }, "call.hold_ended");
    return next;
  }

  /** Data-subject erasure: drop the caller's keyed hash and ciphertext; the call record stays. */
  async forgetCaller(_cmd: Record<string, never>): Promise<Result<{ forgotten: boolean }>> {
    const state = await this.load();
    const next = state ? withoutCaller(state) : null;
    if (!next) return ok({ forgotten: false });
    await this.save(next, []);
    return ok({ forgotten: true });
  }

  /** No document: a call that finished and expired (Postgres has it), or none at all. */
  private async missing(): Promise<Result<never>> {
    const callId = this.getActorId().getId();
    return (await isArchived(actorSql(this.deps().config.databaseUrl), callId))
      ? archivedRefusal(callId)
      : refuse("call_unknown", `no call ${callId}`);
  }

  /** A final call's document expires after the retention (retention.ts), and what ends with it. */
  protected override expiry(state: CallState): Expiry | null {
    const { config } = this.deps();
    const atMs = callExpiresAt(state, config.callRetentionSec * 1000, systemCtx.now());
    if (atMs === null) return null;
    // Its auction, and its buyers' settlement records (read only to replay a capture, which only this
    // call asks for, and never once final), end with it.
    const buyers = new Set([...(state.attempts ?? []).map((a) => a.buyerId), state.decision.buyerId ?? ""]);
    buyers.delete("");
    const settled = [...buyers].map((b) => settlementKey(b, state.callId));
    return { atMs, also: [documentKey(config.appId, "AuctionActor", state.callId), ...settled] };
  }

  /**
   * The whisper's press-1 terms (call/rules.ts: applyAcceptance): saved, with `call.acceptance_required`
   * or `call.accepted`, only when they change, so a carrier's retry writes nothing.
   */
  async accept(cmd: AcceptanceCommand): Promise<Result<Acceptance>> {
    const state = await this.load();
    if (!state) return this.missing();
    const step = applyAcceptance(state, cmd);
    if (!step.ok) return step;
    const next = step.value;
    const prior = state.acceptance;
    if (prior?.buyerId === next.buyerId && prior.acceptedAtMs === next.acceptedAtMs) return ok(next);
    const agg = { type: "call", id: state.callId } as const;
    const accepted = next.acceptedAtMs !== undefined;
    const timeline = accepted
      ? { ...state.timeline, acceptedAt: new Date(next.acceptedAtMs ?? 0).toISOString() }
      : state.timeline;
    const type = accepted ? "call.accepted" : "call.acceptance_required";
    const cause = `${next.buyerId}_${accepted ? "accepted" : "required"}_${state.attempts?.length ?? 1}`;
    await this.save({ ...state, acceptance: next, timeline }, [
      domainEvent(type, agg, cause, systemCtx.now(), { ...next }),
    ]);
    return ok(next);
  }

  async get(): Promise<Result<CallState>> {
    const state = await this.load();
    return state ? ok(state) : refuse("call_unknown", `no call ${this.getActorId().getId()}`);
  }
}
