// Targeting index in Redis: finds candidate buyer campaigns for a call without one actor call per
// buyer. Sets per (vertical, state) hold campaign ids ("*" = any state); each campaign's targeting
// entry (targeting fields only) sits beside them. Buyer actors keep it current on every campaign change.
import type { BuyerCampaign, CallFacts } from "../buyer/buyer-api.ts";
import { type TargetingEntry, targetingEntry } from "../buyer/targeting.ts";
import type { BuyerCampaignMedia } from "../kernel/media.ts";
import type { Redis } from "../platform/redis.ts";

/** What the carrier edge needs of a campaign when dialing it; undefined when it uses no media feature. */
export function campaignMedia(c: BuyerCampaign): BuyerCampaignMedia | undefined {
  if (!c.recording && !c.whisper) return undefined;
  return { ...(c.recording ? { recording: c.recording } : {}), ...(c.whisper ? { whisper: c.whisper } : {}) };
}

/** A buyer campaign's media settings, or undefined (none, or an unknown campaign). */
export async function readCampaignMedia(
  redis: Redis,
  campaignId: string,
): Promise<BuyerCampaignMedia | undefined> {
  const raw = await redis.get(mediaKey(campaignId));
  return raw ? (JSON.parse(raw) as BuyerCampaignMedia) : undefined;
}

const setKey = (vertical: string, state: string) => `dce:tix:${vertical.toLowerCase()}:${state}`;
export const docKey = (campaignId: string) => `dce:campaign:${campaignId}`;
/** A campaign's media settings (recording, whisper), read by the carrier edge when it dials the winner. */
export const mediaKey = (campaignId: string) => `dce:campaign-media:${campaignId}`;

function memberships(c: TargetingEntry): string[] {
  if (c.status !== "active") return [];
  return c.states.length === 0 ? [setKey(c.vertical, "*")] : c.states.map((s) => setKey(c.vertical, s));
}

export async function indexCampaign(redis: Redis, campaign: BuyerCampaign): Promise<void> {
  const priorRaw = await redis.get(docKey(campaign.id));
  const prior = priorRaw ? (JSON.parse(priorRaw) as TargetingEntry) : undefined;
  const next = new Set(memberships(campaign));
  const tx = redis.multi();
  for (const key of prior ? memberships(prior) : []) if (!next.has(key)) tx.srem(key, campaign.id);
  for (const key of next) tx.sadd(key, campaign.id);
  tx.set(docKey(campaign.id), JSON.stringify(targetingEntry(campaign)));
  const media = campaignMedia(campaign);
  if (media) tx.set(mediaKey(campaign.id), JSON.stringify(media));
  else tx.del(mediaKey(campaign.id));
  await tx.exec();
}

/** Active campaigns whose vertical and state sets contain the call. Finer checks are the caller's. */
export async function candidateCampaigns(redis: Redis, call: CallFacts): Promise<TargetingEntry[]> {
  const keys = [setKey(call.vertical, "*")];
  if (call.callerState) keys.push(setKey(call.vertical, call.callerState.toUpperCase()));
  const ids = await redis.sunion(...keys);
  if (ids.length === 0) return [];
  const docs = await redis.mget(...ids.map(docKey));
  const out: TargetingEntry[] = [];
  for (const raw of docs) if (raw) out.push(JSON.parse(raw) as TargetingEntry);
  return out;
}
