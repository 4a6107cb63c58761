// The facts the exchange holds about a disputed call, read from its own records only: the call (its
// actor, or the calls read model once archived), its recordings, and earlier calls of the same caller
// to the same buyer campaign inside that campaign's duplicate window.
import { sql } from "drizzle-orm";
import type { IBuyerActor } from "../../actors/buyer/buyer-api.ts";
import type { ICallActor } from "../../actors/call/call-api.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { CallRow } from "../db/schema.ts";
import type { ApiDeps } from "../deps.ts";
import type { DisputeFacts } from "./rules.ts";

const DAY_MS = 86_400_000;

async function recordedSec(deps: ApiDeps, callId: string): Promise<number | null> {
  const [r] = (await deps.db.execute(
    sql`select max(duration_sec)::int as sec from call_recordings where call_id = ${callId}`,
  )) as unknown as { sec: number | null }[];
  return r?.sec ?? null;
}

async function duplicateFacts(deps: ApiDeps, row: CallRow): Promise<DisputeFacts["duplicate"]> {
  if (!row.callerHash || row.callerHash === "erased" || !row.buyerId || !row.buyerCampaignId)
    return undefined;
  const buyer = await actorProxy<IBuyerActor>(deps.dapr, "BuyerActor", row.buyerId).get();
  const campaign = buyer.ok ? buyer.value.campaigns[row.buyerCampaignId] : undefined;
  if (!campaign) return undefined;
  const windowDays = campaign.duplicateWindowDays;
  if (windowDays === 0) return { windowDays, prior: null };
  const since = new Date(Date.parse(row.offeredAt) - windowDays * DAY_MS).toISOString();
  const [prior] = (await deps.db.execute(sql`
    select call_id, offered_at from calls
    where caller_hash = ${row.callerHash} and buyer_campaign_id = ${row.buyerCampaignId}
      and call_id <> ${row.callId} and offered_at < ${row.offeredAt}::timestamptz
      and offered_at >= ${since}::timestamptz
    order by offered_at desc limit 1`)) as unknown as { call_id: string; offered_at: string }[];
  return {
    windowDays,
    prior: prior ? { callId: prior.call_id, offeredAt: new Date(prior.offered_at).toISOString() } : null,
  };
}

export async function disputeFacts(deps: ApiDeps, row: CallRow): Promise<DisputeFacts> {
  const live = await actorProxy<ICallActor>(deps.dapr, "CallActor", row.callId).get();
  const s = live.ok ? live.value : undefined;
  return {
    durationSec: s?.durationSec ?? row.durationSec ?? null,
    carrierMeasured: s?.channel !== undefined,
    recordedSec: await recordedSec(deps, row.callId),
    minDurationSec: s?.decision.minDurationSec ?? null,
    hangupBy: s?.hangupBy ?? null,
    duplicate: await duplicateFacts(deps, row),
  };
}
