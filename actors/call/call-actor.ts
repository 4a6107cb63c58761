// CallActor: one offered call. It coordinates the flow (seller admit → auction → routing), keeps the
// lifecycle state machine and settles the buyer's reservation when the call ends.
import type { AuctionOutcome, AuctionWinner, IAuctionActor } from "../auction/auction-api.ts";
import type { CallFacts, IBuyerActor, ReleaseOutcome } from "../buyer/buyer-api.ts";
import { systemCtx } from "../kernel/ctx.ts";
import { type DomainEvent, domainEvent } from "../kernel/events.ts";
import type { ReasonCode } from "../kernel/reasons.ts";
import { recordingDisclosureRequired } from "../kernel/recording.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import { crashPoint } from "../platform/crash-points.ts";
import { actorProxy } from "../platform/dapr-client.ts";
import { DocumentActor } from "../runtime/document-actor.ts";
import { payoutFor } from "../seller/rules.ts";
import type { ISellerActor } from "../seller/seller-api.ts";
import type { CallDecision, CallEventCommand, CallState, ICallActor, OfferCommand } from "./call-api.ts";
import { billingFor, nextStatus, sameOffer, shouldReroute, withoutCaller } from "./rules.ts";
import {
  billableData,
  captureOrThrow,
  finishSettlement,
  isSettleReminder,
  SETTLE_AFTER_MS,
  SETTLE_REMINDER,
  SETTLE_REMINDER_DATA,
  unlessRefused,
  withIntent,
} from "./settlement.ts";
import { callSnapshot } from "./snapshot.ts";

const EXPIRY_REMINDER = "routing-expiry";

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
    const now = systemCtx.now();
    const base = this.initialState(cmd, now);
    const reject = (code: ReasonCode, detail: string) =>
      this.settleOffer({
        ...base,
        status: "rejected",
        decision: { callId: cmd.callId, status: "rejected", reason: { code, detail } },
      });

    const seller = actorProxy<ISellerActor>(this.getDaprClient(), "SellerActor", cmd.sellerId);
    const admitted = await seller.admit({ callId: cmd.callId, campaignId: cmd.sellerCampaignId });
    if (!admitted.ok) return reject(admitted.reason.code, admitted.reason.detail);
    const campaign = admitted.value.campaign;
    if (!cmd.caller) {
      const problem = cmd.callerProblem ?? { code: "invalid_caller_number", detail: "no caller number" };
      // A withheld number may pass only where the campaign accepts anonymous calls; it still
      // cannot be matched to a buyer's duplicate window, so such calls get no auction here.
      return reject(problem.code, problem.detail);
    }
    if (cmd.screening && !cmd.screening.ok) return reject(cmd.screening.code, cmd.screening.detail);
    const facts: CallFacts = {
      callId: cmd.callId,
      callerHash: cmd.caller.hash,
      callerState: cmd.callerState,
      callerZip: cmd.callerZip,
      areaCode: cmd.caller.areaCode,
      vertical: cmd.vertical ?? campaign.vertical,
      tags: cmd.tags,
      consent: base.consent,
    };
    const auction = actorProxy<IAuctionActor>(this.getDaprClient(), "AuctionActor", cmd.callId);
    const ran = await auction.run({
      call: facts,
      caller: { hash: cmd.caller.hash, ciphertext: cmd.caller.ciphertext },
      exposeCallerId: campaign.exposeCallerId,
      sellerId: cmd.sellerId,
      sellerCampaignId: cmd.sellerCampaignId,
      terms: {
        reserveMicros: campaign.reserveMicros,
        type: campaign.auction,
        maxAuctionMs: campaign.maxAuctionMs,
      },
      routingTtlSec: campaign.routingTtlSec,
    });
    if (!ran.ok) return reject(ran.reason.code, ran.reason.detail);
    const reroute = { ...campaign.reroute, routingTtlSec: campaign.routingTtlSec };
    return this.settleOffer(
      this.withOutcome({ ...base, vertical: facts.vertical, payout: campaign.payout, reroute }, ran.value),
    );
  }

  private initialState(cmd: OfferCommand, now: number): CallState {
    return {
      schema: 1,
      callId: cmd.callId,
      sellerId: cmd.sellerId,
      sellerCampaignId: cmd.sellerCampaignId,
      requestHash: cmd.requestHash,
      status: "rejected",
      caller: { ...cmd.caller, state: cmd.callerState, zip: cmd.callerZip },
      vertical: cmd.vertical,
      tags: cmd.tags,
      consent: cmd.screening?.ok === true && cmd.screening.consent === "valid",
      decision: { callId: cmd.callId, status: "rejected" },
      timeline: { offeredAt: new Date(now).toISOString() },
      appliedEvents: {},
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
      attempts: [{ buyerId: w.buyerId, campaignId: w.campaignId, priceMicros: w.priceMicros }],
    };
  }

  private routedTo(state: CallState, w: AuctionWinner): CallState {
    const decision: CallDecision = {
      callId: state.callId,
      status: "routed",
      buyerId: w.buyerId,
      buyerCampaignId: w.campaignId,
      bidId: w.bidId,
      destination: w.destination,
      priceMicros: w.priceMicros,
      minDurationSec: w.minDurationSec,
      expiresAt: new Date(w.expiresAt).toISOString(),
      recordingDisclosure: recordingDisclosureRequired(state.caller.state),
    };
    const routing = {
      priceMicros: w.priceMicros,
      minDurationSec: w.minDurationSec,
      expiresAtMs: w.expiresAt,
    };
    return { ...state, status: "routed", decision, routing };
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

  private async settleOffer(state: CallState): Promise<Result<CallDecision>> {
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
    ];
    await this.save(state, events);
    if (state.routing) {
      await this.sidecar().remind(EXPIRY_REMINDER, Math.max(1_000, state.routing.expiresAtMs - now));
    }
    return ok(d);
  }

  async event(cmd: CallEventCommand): Promise<Result<CallState>> {
    let state = await this.load();
    if (!state) return refuse("call_unknown", `no call ${this.getActorId().getId()}`);
    // A completion whose save failed after its capture is finished first (a replay of it then replays).
    if (state.settling) state = await this.finishSettling(state);
    const step = nextStatus(state, cmd);
    if (!step.ok) return step;
    if (step.value.replay) return ok(state);
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
      next = await this.settle(next, to === "completed" ? (cmd.durationSec ?? 0) : undefined, cmd, now);
      if (next.billing?.billable) {
        events.push(domainEvent("call.billable", agg, cmd.eventId, now, billableData(next)));
      }
    }
    events.unshift(
      domainEvent(`call.${to}`, agg, cmd.eventId, now, {
        durationSec: cmd.durationSec ?? null,
        reason: cmd.reason ?? null,
        hangupBy: cmd.hangupBy ?? null,
      }),
    );
    if (shouldReroute(state, cmd, next.billing)) {
      const rerouted = await this.reroute(next, cmd);
      if (rerouted) {
        next = { ...rerouted, appliedEvents: { ...next.appliedEvents, [cmd.eventId]: "routed" } };
        events.push(domainEvent("call.rerouted", agg, cmd.eventId, now, { ...next.decision }));
      }
    }
    await this.save(next, events);
    if (next.status === "routed" && next.routing) {
      await this.sidecar().remind(EXPIRY_REMINDER, Math.max(1_000, next.routing.expiresAtMs - now));
    } else if (state.status === "routed") {
      // Answered or ended: the routing window no longer matters (once; later events have none to drop).
      await this.sidecar()
        .forget(EXPIRY_REMINDER)
        .catch(() => undefined);
    }
    return ok(next);
  }

  /** Revenue recovery: the next best bid takes the call; the decision sent back is the new routing. */
  private async reroute(state: CallState, cmd: CallEventCommand): Promise<CallState | undefined> {
    const auction = actorProxy<IAuctionActor>(this.getDaprClient(), "AuctionActor", state.callId);
    const attempts = state.attempts ?? [];
    const found = await auction.next({
      excludeBuyerIds: attempts.map((a) => a.buyerId),
      routingTtlSec: state.reroute?.routingTtlSec ?? 60,
      call: this.facts(state),
    });
    if (!found.ok || !found.value.winner) return undefined;
    const w = found.value.winner;
    const last = attempts.at(-1);
    const ended = last
      ? [
          ...attempts.slice(0, -1),
          { ...last, outcome: cmd.reason ?? `${cmd.type}_by_${cmd.hangupBy ?? "unknown"}` },
        ]
      : [];
    return {
      ...this.routedTo(state, w),
      attempts: [...ended, { buyerId: w.buyerId, campaignId: w.campaignId, priceMicros: w.priceMicros }],
      billing: undefined,
      durationSec: undefined,
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
      return { ...state, billing: billingFor(0, Number.POSITIVE_INFINITY, 0, 0), durationSec: 0 };
    }
    const { priceMicros, minDurationSec } = state.routing;
    const payout = state.payout ? payoutFor(state.payout, priceMicros) : 0;
    const billing = billingFor(durationSec, minDurationSec, priceMicros, payout);
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
    if (state?.status !== "routed" || !state.decision.buyerId) return;
    const now = systemCtx.now();
    const buyer = actorProxy<IBuyerActor>(this.getDaprClient(), "BuyerActor", state.decision.buyerId);
    await buyer.release({ callId: state.callId, outcome: "expired" });
    const next: CallState = {
      ...state,
      status: "expired",
      timeline: { ...state.timeline, endedAt: new Date(now).toISOString() },
    };
    const agg = { type: "call", id: state.callId } as const;
    await this.save(next, [domainEvent("call.expired", agg, "expiry", now, { reason: "routing_expired" })]);
  }

  /** Data-subject erasure: drop the caller's keyed hash and ciphertext; the call record stays. */
  async forgetCaller(_cmd: Record<string, never>): Promise<Result<{ forgotten: boolean }>> {
    const state = await this.load();
    const next = state ? withoutCaller(state) : null;
    if (!next) return ok({ forgotten: false });
    await this.save(next, []);
    return ok({ forgotten: true });
  }

  async get(): Promise<Result<CallState>> {
    const state = await this.load();
    return state ? ok(state) : refuse("call_unknown", `no call ${this.getActorId().getId()}`);
  }
}
