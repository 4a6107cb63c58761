// SellerActor: a thin shell over seller rules; one state document, written once per command.
import { systemCtx } from "../kernel/ctx.ts";
import { domainEvent } from "../kernel/events.ts";
import { slotRefusal } from "../kernel/limits.ts";
import type { Micros } from "../kernel/money.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import { DocumentActor } from "../runtime/document-actor.ts";
import { indexSellerCampaigns } from "./campaign-index.ts";
import { bookDaily } from "./payout.ts";
import { admit, newSellerState, patchedCampaign, releaseAdmit, upsertCampaign } from "./rules.ts";
import type {
  AdmitCommand,
  AdmittedTerms,
  BookPayoutCommand,
  ISellerActor,
  SellerCampaign,
  SellerCampaignPatch,
  SellerState,
} from "./seller-api.ts";

export class SellerActor extends DocumentActor<SellerState> implements ISellerActor {
  async create(cmd: { sellerId: string; name: string; timezone: string }): Promise<Result<SellerState>> {
    const existing = await this.load();
    if (existing) return ok(existing);
    const state = newSellerState(cmd, systemCtx);
    const agg = { type: "seller", id: cmd.sellerId } as const;
    await this.commit(state, [
      domainEvent("seller.created", agg, "create", systemCtx.now(), { name: cmd.name }),
    ]);
    return ok(state);
  }

  async get(): Promise<Result<SellerState>> {
    const state = await this.load();
    return state ? ok(state) : refuse("seller_unknown", `no seller ${this.getActorId().getId()}`);
  }

  async upsertCampaign(cmd: { campaign: SellerCampaign }): Promise<Result<SellerCampaign>> {
    const state = await this.load();
    if (!state) return refuse("seller_unknown", `no seller ${this.getActorId().getId()}`);
    return this.saveCampaign(state, cmd.campaign);
  }

  /** PATCH in the seller's turn: concurrent patches of different fields all stay. */
  async patchCampaign(cmd: {
    campaignId: string;
    patch: SellerCampaignPatch;
  }): Promise<Result<SellerCampaign>> {
    const state = await this.load();
    if (!state) return refuse("seller_unknown", `no seller ${this.getActorId().getId()}`);
    const patched = patchedCampaign(state, cmd.campaignId, cmd.patch);
    return patched.ok ? this.saveCampaign(state, patched.value) : patched;
  }

  /**
   * Saves the campaign, then writes the index entries of all the seller's campaigns (the offer path reads
   * the seller's facts there): an entry an earlier save failed to write after its commit is healed too.
   */
  private async saveCampaign(state: SellerState, input: SellerCampaign): Promise<Result<SellerCampaign>> {
    const full = slotRefusal(state.campaigns, input.id, "campaigns.perSeller");
    if (full) return full;
    const next = upsertCampaign(state, input, systemCtx);
    const campaign = next.campaigns[input.id]!;
    const agg = { type: "seller", id: state.sellerId } as const;
    const cause = `${campaign.id}_v${campaign.version}`;
    await this.commit(next, [
      domainEvent("seller.campaign_upserted", agg, cause, systemCtx.now(), { campaign }),
    ]);
    await indexSellerCampaigns(this.deps().redis, next);
    return ok(campaign);
  }

  /**
   * Writes the index entry of every campaign from this seller's document. Campaigns saved by versions
   * before the index have none; the API asks for this when it finds a campaign only under its old key.
   */
  async reindex(): Promise<Result<{ indexed: number }>> {
    const state = await this.load();
    if (!state) return refuse("seller_unknown", `no seller ${this.getActorId().getId()}`);
    await indexSellerCampaigns(this.deps().redis, state);
    return ok({ indexed: Object.keys(state.campaigns).length });
  }

  async admit(cmd: AdmitCommand): Promise<Result<AdmittedTerms>> {
    const state = await this.load();
    if (!state) return refuse("seller_unknown", `no seller ${this.getActorId().getId()}`);
    const decision = admit(state, cmd, systemCtx);
    if (!decision.ok) return decision;
    // Counters matter only for capped campaigns; an uncapped admit changes nothing worth a write (the
    // CallActor is idempotent itself), which keeps a busy seller from serialising on state writes.
    const capped =
      decision.value.terms.campaign.caps.hourly !== undefined ||
      decision.value.terms.campaign.caps.daily !== undefined;
    if (capped && decision.value.state !== state) await this.commit(decision.value.state, []);
    return ok(decision.value.terms);
  }

  async releaseAdmit(cmd: AdmitCommand): Promise<Result<{ callId: string; released: boolean }>> {
    const state = await this.load();
    if (!state) return refuse("seller_unknown", `no seller ${this.getActorId().getId()}`);
    const decision = releaseAdmit(state, cmd, systemCtx);
    // Like admit, no event: the counters are the seller's own bookkeeping, not something partners hear.
    if (decision.released) await this.commit(decision.state, []);
    return ok({ callId: cmd.callId, released: decision.released });
  }

  /** A campaign without a daily payout cap grants the request and writes nothing. */
  async bookPayout(cmd: BookPayoutCommand): Promise<Result<{ callId: string; grantedMicros: Micros }>> {
    const state = await this.load();
    if (!state) return refuse("seller_unknown", `no seller ${this.getActorId().getId()}`);
    if (state.campaigns[cmd.campaignId]?.payout.caps?.dailyMicros === undefined)
      return ok({ callId: cmd.callId, grantedMicros: cmd.requestedMicros });
    const booked = bookDaily(state, cmd, systemCtx.now());
    if (booked.state !== state) await this.commit(booked.state, []);
    return ok({ callId: cmd.callId, grantedMicros: booked.grantedMicros });
  }
}
