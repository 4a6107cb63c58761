// BuyerActor: the buyer's campaigns, live counters, balance and reservations. Turn-based actor
// concurrency makes "check caps and budget, then reserve" atomic per buyer.
import { systemCtx } from "../kernel/ctx.ts";
import { domainEvent } from "../kernel/events.ts";
import type { Micros } from "../kernel/money.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import { crashPoint } from "../platform/crash-points.ts";
import { DocumentActor } from "../runtime/document-actor.ts";
import { lastSeen, markSeen } from "../runtime/recent-callers.ts";
import { recordSettlement, settlementOf } from "../runtime/settlements.ts";
import { indexCampaign } from "../runtime/targeting-index.ts";
import type {
  BuyerBalance,
  BuyerCampaign,
  BuyerCampaignPatch,
  BuyerState,
  CampaignSaved,
  CaptureCommand,
  IBuyerActor,
  ReleaseCommand,
  ReserveAccepted,
  ReserveCommand,
} from "./buyer-api.ts";
import { type AwaitConversionCommand, awaitConversion } from "./conversion.ts";
import { applyDeposit } from "./funds.ts";
import { type RepairCommand, type RepairOutcome, repairBuyer } from "./repair.ts";
import {
  balanceOf,
  campaignProblems,
  capture,
  newBuyerState,
  patchedCampaign,
  release,
  reserve,
  sweepExpired,
  upsertCampaign,
} from "./rules.ts";

export class BuyerActor extends DocumentActor<BuyerState> implements IBuyerActor {
  /**
   * The buyer's rules never change their input, so the parsed document is kept between commands: a
   * reserve or release no longer parses every open reservation of a busy buyer again.
   */
  protected override get frozenDocuments(): boolean {
    return true;
  }

  /**
   * A busy buyer holds hundreds of open reservations: they live in a hash beside the document, one
   * field per call, so a reserve or release writes its one hold, not all of them (same atomic write).
   */
  protected override get entriesField(): string {
    return "reservations";
  }

  private agg() {
    return { type: "buyer", id: this.getActorId().getId() } as const;
  }

  private async mustLoad(): Promise<Result<BuyerState>> {
    const state = await this.load();
    return state ? ok(state) : refuse("buyer_unknown", `no buyer ${this.getActorId().getId()}`);
  }

  async create(cmd: {
    buyerId: string;
    name: string;
    timezone: string;
    creditLimitMicros: Micros;
  }): Promise<Result<BuyerState>> {
    const existing = await this.load();
    if (existing) return ok(existing);
    const state = newBuyerState(cmd, systemCtx);
    await this.commit(state, [
      domainEvent("buyer.created", this.agg(), "create", systemCtx.now(), { name: cmd.name }),
    ]);
    return ok(state);
  }

  async get(): Promise<Result<BuyerState>> {
    return this.mustLoad();
  }

  async upsertCampaign(cmd: { campaign: BuyerCampaign }): Promise<Result<CampaignSaved>> {
    const loaded = await this.mustLoad();
    return loaded.ok ? this.saveCampaign(loaded.value, cmd.campaign) : loaded;
  }

  /** PATCH in the buyer's turn: concurrent patches of different fields all stay. */
  async patchCampaign(cmd: {
    campaignId: string;
    patch: BuyerCampaignPatch;
  }): Promise<Result<CampaignSaved>> {
    const loaded = await this.mustLoad();
    if (!loaded.ok) return loaded;
    const patched = patchedCampaign(loaded.value, cmd.campaignId, cmd.patch);
    return patched.ok ? this.saveCampaign(loaded.value, patched.value) : patched;
  }

  private async saveCampaign(loaded: BuyerState, input: BuyerCampaign): Promise<Result<CampaignSaved>> {
    const problems = campaignProblems(input);
    if (problems.length > 0) return ok({ problems });
    const decision = upsertCampaign(loaded, input, systemCtx);
    if (!decision.ok) return decision;
    const { state, campaign } = decision.value;
    const cause = `${campaign.id}_v${campaign.version}`;
    await this.commit(state, [
      domainEvent("buyer.campaign_upserted", this.agg(), cause, systemCtx.now(), { campaign }),
    ]);
    await indexCampaign(this.deps().redis, campaign);
    return ok({ campaign });
  }

  async reserve(cmd: ReserveCommand): Promise<Result<ReserveAccepted>> {
    const loaded = await this.mustLoad();
    if (!loaded.ok) return loaded;
    // Holds past their expiry (calls never settled) are released first, freeing slots and budget.
    const swept = sweepExpired(loaded.value, systemCtx.now());
    const { redis } = this.deps();
    const buyerId = loaded.value.buyerId;
    const seen = { lastSeenMs: await lastSeen(redis, buyerId, cmd.call.callerHash) };
    const decision = reserve(swept.state, cmd, systemCtx, seen);
    if (!decision.ok) {
      if (swept.released.length > 0) await this.commit(swept.state, this.sweptEvents(swept.released));
      return decision;
    }
    if (decision.value.state !== swept.state) {
      // Marked before the write: a crash in between can only make the buyer stricter, never let a
      // duplicate through.
      const keepDays = Math.max(1, ...Object.values(swept.state.campaigns).map((c) => c.duplicateWindowDays));
      await markSeen(redis, buyerId, cmd.call.callerHash, systemCtx.now(), keepDays);
    }
    if (decision.value.state !== loaded.value) {
      const event = domainEvent("buyer.reserved", this.agg(), cmd.callId, systemCtx.now(), {
        callId: cmd.callId,
        campaignId: cmd.campaignId,
        priceMicros: cmd.priceMicros,
      });
      await this.commit(decision.value.state, [...this.sweptEvents(swept.released), event]);
    }
    return ok(decision.value.accepted);
  }

  private sweptEvents(callIds: string[]) {
    const now = systemCtx.now();
    return callIds.map((callId) =>
      domainEvent("buyer.released", this.agg(), callId, now, { callId, outcome: "expired" }),
    );
  }

  async release(cmd: ReleaseCommand): Promise<Result<{ callId: string; released: boolean }>> {
    const loaded = await this.mustLoad();
    if (!loaded.ok) return loaded;
    const decision = release(loaded.value, cmd, systemCtx);
    if (!decision.ok) return decision;
    if (decision.value.released) {
      const { redis, config } = this.deps();
      const released = { outcome: "released", amountMicros: 0 } as const;
      await recordSettlement(redis, loaded.value.buyerId, cmd.callId, released, config.disputeWindowDays);
      const event = domainEvent("buyer.released", this.agg(), cmd.callId, systemCtx.now(), { ...cmd });
      await this.commit(decision.value.state, [event]);
    }
    return ok({ callId: cmd.callId, released: decision.value.released });
  }

  /** A conversion-billed call ended: its hold waits for the conversion (buyer/conversion.ts). */
  async awaitConversion(cmd: AwaitConversionCommand): Promise<Result<{ callId: string; held: boolean }>> {
    const loaded = await this.mustLoad();
    if (!loaded.ok) return loaded;
    const decision = awaitConversion(loaded.value, cmd, systemCtx.now());
    if (decision.state !== loaded.value) await this.commit(decision.state, []);
    return ok({ callId: cmd.callId, held: decision.held });
  }

  async capture(cmd: CaptureCommand): Promise<Result<{ callId: string; chargedMicros: Micros }>> {
    const loaded = await this.mustLoad();
    if (!loaded.ok) return loaded;
    const { redis, config } = this.deps();
    const buyerId = loaded.value.buyerId;
    const decision = capture(loaded.value, cmd, systemCtx);
    if (!decision.ok) {
      // A capture repeated after a crash or a redelivery replays the first charge and changes nothing.
      const prior =
        decision.reason.code === "call_unknown" ? await settlementOf(redis, buyerId, cmd.callId) : null;
      if (prior?.outcome !== "captured") return decision;
      this.deps().logger.info({ buyerId, callId: cmd.callId }, "buyer.capture_replayed");
      return ok({ callId: cmd.callId, chargedMicros: prior.amountMicros });
    }
    // Recorded before the state write: a retry after a failed write finds the hold and captures again.
    const captured = { outcome: "captured", amountMicros: decision.value.chargedMicros } as const;
    await recordSettlement(redis, buyerId, cmd.callId, captured, config.disputeWindowDays);
    crashPoint("buyer.after_settlement_before_write", () => [cmd.callId]);
    const event = domainEvent("buyer.captured", this.agg(), cmd.callId, systemCtx.now(), {
      callId: cmd.callId,
      chargedMicros: decision.value.chargedMicros,
    });
    await this.commit(decision.value.state, [event]);
    return ok({ callId: cmd.callId, chargedMicros: decision.value.chargedMicros });
  }

  async deposit(cmd: { depositId: string; amountMicros: Micros }): Promise<Result<BuyerBalance>> {
    const loaded = await this.mustLoad();
    if (!loaded.ok) return loaded;
    const decision = applyDeposit(loaded.value, cmd, systemCtx.now());
    if (!decision.ok) return decision;
    if (decision.value.applied) {
      const event = domainEvent("buyer.deposited", this.agg(), cmd.depositId, systemCtx.now(), { ...cmd });
      await this.commit(decision.value.state, [event]);
    }
    return ok(balanceOf(decision.value.state));
  }

  /** Credits a refunded charge back to the balance, once per refund id (cap counts are not rewound). */
  async refund(cmd: {
    refundId: string;
    callId: string;
    amountMicros: Micros;
  }): Promise<Result<BuyerBalance>> {
    const loaded = await this.mustLoad();
    if (!loaded.ok) return loaded;
    const decision = applyDeposit(
      loaded.value,
      { depositId: cmd.refundId, amountMicros: cmd.amountMicros },
      systemCtx.now(),
    );
    if (!decision.ok) return decision;
    if (decision.value.applied) {
      const event = domainEvent("buyer.refunded", this.agg(), cmd.refundId, systemCtx.now(), { ...cmd });
      await this.commit(decision.value.state, [event]);
    }
    return ok(balanceOf(decision.value.state));
  }

  /** Agrees with the ledger after lost writes; announces the change, each voided and restored capture. */
  async repair(cmd: RepairCommand): Promise<Result<RepairOutcome>> {
    const loaded = await this.mustLoad();
    if (!loaded.ok) return loaded;
    const now = systemCtx.now();
    const { state, outcome } = repairBuyer(loaded.value, cmd, now);
    if (!outcome.applied) return ok(outcome);
    const agg = this.agg();
    const { repairId } = cmd;
    await this.commit(state, [
      domainEvent("buyer.repaired", agg, repairId, now, { ...outcome, repairId }),
      ...cmd.voidCaptures.map((c) =>
        domainEvent("buyer.capture_voided", agg, c.callId, now, { ...c, repairId }),
      ),
      ...cmd.restoreCaptures.map((c) =>
        domainEvent("buyer.captured", agg, c.callId, now, { ...c, repairId }),
      ),
    ]);
    return ok(outcome);
  }

  async balance(): Promise<Result<BuyerBalance>> {
    const loaded = await this.mustLoad();
    return loaded.ok ? ok(balanceOf(loaded.value)) : loaded;
  }
}
