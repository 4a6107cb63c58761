// Seller campaign index in Redis: one key per seller campaign with every fact the offer path needs
// (owner, status, auction terms, payout, caps, screen settings). Only the SellerActor writes it, after
// its own commit; the API and the call path read it instead of asking the actor.
import { DEFAULT_VELOCITY, type ScreenSettings } from "../compliance/screen-rules.ts";
import type { RecordingSettings } from "../kernel/media.ts";
import type { Redis } from "../platform/redis.ts";
import type { SellerCampaign, SellerState } from "./seller-api.ts";

export const sellerCampaignKey = (campaignId: string) => `dce:seller-campaign:${campaignId}`;
/** Written by the API before the index existed; read only to find the owner of a not yet indexed campaign. */
export const legacyOwnerKey = (campaignId: string) => `dce:seller-campaign-owner:${campaignId}`;

export interface SellerCampaignEntry {
  campaignId: string;
  sellerId: string;
  /** The seller's own status: an inactive seller's campaigns take no calls. */
  sellerActive: boolean;
  status: SellerCampaign["status"];
  vertical: string;
  reserveMicros: SellerCampaign["reserveMicros"];
  auction: SellerCampaign["auction"];
  maxAuctionMs: number;
  routingTtlSec: number;
  /** Absent in entries written before the field: the call applies the default. */
  maxCallDurationSec?: number;
  reroute: SellerCampaign["reroute"];
  allowAnonymous: boolean;
  exposeCallerId: boolean;
  payout: SellerCampaign["payout"];
  caps: SellerCampaign["caps"];
  screen: ScreenSettings;
  /** Recording terms (absent: off, and in entries written before the field). */
  recording?: RecordingSettings;
  /** Carrier calls (api/telephony): the no-buyer fallback and the buyer's ring timeout, when set. */
  carrierFallback?: SellerCampaign["carrierFallback"];
  dialTimeoutSec?: number;
  /** Days its buyer may dispute a call after the charge (absent: the exchange's default). */
  disputeWindowDays?: number;
  /** The campaign's version in the seller's document; an older entry never replaces a newer one. */
  version: number;
}

/** What the offer screen applies for a campaign (older campaigns: inbound, no minimums). */
export function screenSettingsOf(c: SellerCampaign): ScreenSettings {
  return {
    trafficType: c.trafficType ?? "inbound",
    requireConsent: c.requireConsent ?? false,
    ...(c.velocity ? { velocity: { ...DEFAULT_VELOCITY, ...c.velocity } } : {}),
    ...(c.minAttestation ? { minAttestation: c.minAttestation } : {}),
  };
}

export function sellerCampaignEntry(seller: SellerState, c: SellerCampaign): SellerCampaignEntry {
  return {
    campaignId: c.id,
    sellerId: seller.sellerId,
    sellerActive: seller.status === "active",
    status: c.status,
    vertical: c.vertical,
    reserveMicros: c.reserveMicros,
    auction: c.auction,
    maxAuctionMs: c.maxAuctionMs,
    routingTtlSec: c.routingTtlSec,
    ...(c.maxCallDurationSec !== undefined ? { maxCallDurationSec: c.maxCallDurationSec } : {}),
    reroute: c.reroute,
    allowAnonymous: c.allowAnonymous,
    exposeCallerId: c.exposeCallerId,
    payout: c.payout,
    caps: c.caps,
    screen: screenSettingsOf(c),
    ...(c.recording ? { recording: c.recording } : {}),
    ...(c.carrierFallback ? { carrierFallback: c.carrierFallback } : {}),
    ...(c.dialTimeoutSec !== undefined ? { dialTimeoutSec: c.dialTimeoutSec } : {}),
    ...(c.disputeWindowDays !== undefined ? { disputeWindowDays: c.disputeWindowDays } : {}),
    version: c.version,
  };
}

/**
 * KEYS: entry keys; ARGV: one JSON entry per key. Each is written unless the stored entry is newer: two
 * instances of one seller (placement moving it) may finish their index writes out of order.
 */
const WRITE_NEWER = `
for i, key in ipairs(KEYS) do
  local nextVersion = cjson.decode(ARGV[i]).version
  local cur = redis.call('GET', key)
  local curVersion = -1
  if cur then
    local ok, doc = pcall(cjson.decode, cur)
    if ok and type(doc) == 'table' and tonumber(doc.version) then curVersion = tonumber(doc.version) end
  end
  if curVersion <= nextVersion then redis.call('SET', key, ARGV[i]) end
end
return #KEYS`;

/** Writes the index entries of these campaigns of the seller (all of them when none are named). */
export async function indexSellerCampaigns(
  redis: Redis,
  seller: SellerState,
  campaignIds: string[] = Object.keys(seller.campaigns),
): Promise<void> {
  const campaigns = campaignIds.map((id) => seller.campaigns[id]).filter((c) => c !== undefined);
  if (campaigns.length === 0) return;
  await redis.eval(
    WRITE_NEWER,
    campaigns.length,
    ...campaigns.map((c) => sellerCampaignKey(c.id)),
    ...campaigns.map((c) => JSON.stringify(sellerCampaignEntry(seller, c))),
  );
}

/** The campaign's facts as its seller last wrote them, or undefined for an unknown (or not yet indexed) campaign. */
export async function readSellerCampaign(
  redis: Redis,
  campaignId: string,
): Promise<SellerCampaignEntry | undefined> {
  const raw = await redis.get(sellerCampaignKey(campaignId));
  return raw ? (JSON.parse(raw) as SellerCampaignEntry) : undefined;
}
