// The offer's gates, in the call actor's turn, cheapest refusal first: the seller admits the call, the
// caller number is checked, the call → subject row is recorded (before anything keeps the keyed hash,
// for erasure), the number is protected and the compliance screen runs.

import { screen } from "../compliance/offer-screen.ts";
import { recordCallSubject } from "../compliance/offer-subject.ts";
import type { Screening } from "../compliance/screen-rules.ts";
import { checkNanpNumber } from "../kernel/phone.ts";
import type { ReasonCode } from "../kernel/reasons.ts";
import { ok, type Result, refuse } from "../kernel/result.ts";
import { phoneHash, protectNumber } from "../platform/pii.ts";
import type { PiiKeyring } from "../platform/pii-keys.ts";
import type { Sql } from "../platform/postgres.ts";
import type { Redis } from "../platform/redis.ts";
import { readSellerCampaign, type SellerCampaignEntry, screenSettingsOf } from "../seller/campaign-index.ts";
import type { AdmittedTerms } from "../seller/seller-api.ts";
import type { OfferCommand } from "./call-api.ts";

export interface GateDeps {
  redis: Redis;
  sql: Sql;
  pii: PiiKeyring;
  /** The SellerActor's admission, for capped campaigns (the seller counts their calls). */
  admit: () => Promise<Result<AdmittedTerms>>;
}

/** The campaign terms the call needs, as the seller's campaign index holds them. */
export type CampaignTerms = Pick<
  SellerCampaignEntry,
  | "vertical"
  | "reserveMicros"
  | "auction"
  | "maxAuctionMs"
  | "routingTtlSec"
  | "maxCallDurationSec"
  | "reroute"
  | "exposeCallerId"
  | "payout"
  | "screen"
>;

/**
 * The seller's admission. An uncapped campaign is admitted from the index its seller writes (no actor
 * call, so a busy seller is not one hot actor); a capped one by SellerActor.admit, which counts it.
 */
export async function admitOffer(deps: GateDeps, cmd: OfferCommand): Promise<Result<CampaignTerms>> {
  const entry = await readSellerCampaign(deps.redis, cmd.sellerCampaignId);
  if (entry && entry.sellerId === cmd.sellerId && !capped(entry)) {
    if (!entry.sellerActive) return refuse("seller_inactive", `seller ${cmd.sellerId} is not active`);
    if (entry.status !== "active")
      return refuse("seller_campaign_paused", `campaign ${entry.campaignId} is paused`);
    return ok(entry);
  }
  // Capped, or not indexed yet (a campaign saved before the index): the seller's own document decides.
  const admitted = await deps.admit();
  if (!admitted.ok) return admitted;
  const c = admitted.value.campaign;
  return ok({ ...c, screen: screenSettingsOf(c) });
}

const capped = (e: SellerCampaignEntry) => e.caps.hourly !== undefined || e.caps.daily !== undefined;

export interface Admitted {
  campaign: CampaignTerms;
  caller: { hash: string; ciphertext: string; areaCode: string };
  consent: boolean;
}

/** A refusal the call records as its decision (`rejected`), or what the auction needs. */
export async function runGates(deps: GateDeps, cmd: OfferCommand, nowMs: number): Promise<Result<Admitted>> {
  const admitted = await admitOffer(deps, cmd);
  if (!admitted.ok) return admitted;
  const campaign = admitted.value;
  // A withheld or invalid number: no auction (it could not be matched to a duplicate-caller window).
  const phone = checkNanpNumber(cmd.callerNumber);
  if (!phone.ok) return refuse(phone.code, phone.detail);
  const hash = phoneHash(deps.pii, phone.e164);
  const subject = await recordCallSubject(deps.sql, cmd.callId, hash, nowMs);
  if (subject === "erased") {
    // The subject row of this call was erased (a first offer that never saved, retried since): nothing
    // here writes the number's traces back.
    return refuse("invalid_caller_number", "the caller's personal data was erased");
  }
  const p = await protectNumber(deps.redis, deps.pii, phone.e164, hash);
  const ping = cmd.pingCallerNumber === undefined ? undefined : checkNanpNumber(cmd.pingCallerNumber);
  const screening: Screening = await screen(
    { redis: deps.redis, sql: deps.sql },
    {
      callId: cmd.callId,
      sellerCampaignId: cmd.sellerCampaignId,
      callerHash: p.hash,
      areaCode: phone.areaCode,
      callerState: cmd.callerState,
      callerZip: cmd.callerZip,
      vertical: cmd.vertical,
      attestation: cmd.attestation,
      consentCertificate: cmd.consentCertificate,
      pingCallerHash: ping ? (ping.ok ? phoneHash(deps.pii, ping.e164) : "invalid") : undefined,
    },
    campaign,
    nowMs,
  );
  if (!screening.ok) return refuse(screening.code as ReasonCode, screening.detail);
  return ok({
    campaign,
    caller: { hash: p.hash, ciphertext: p.ciphertext, areaCode: phone.areaCode },
    consent: screening.consent === "valid",
  });
}
