// The offer screen's I/O, run in the call actor's turn: gathers the facts (one Redis script for DNC,
// suppression and blocklist; the velocity and frequency windows; the consent record) and lets the pure
// rules decide.
import { frequencyKey, lookupCaller, velocityKey } from "../platform/compliance-store.ts";
import type { Sql } from "../platform/postgres.ts";
import type { Redis } from "../platform/redis.ts";
import { calledParty } from "./called-party.ts";
import { callingHoursVerdict } from "./calling-hours.ts";
import {
  type Attestation,
  consentStatus,
  DEFAULT_SETTINGS,
  type Screening,
  type ScreenSettings,
  screenOffer,
} from "./screen-rules.ts";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

export interface OfferFacts {
  callId: string;
  sellerCampaignId: string;
  callerHash: string;
  areaCode: string;
  callerState?: string;
  callerZip?: string;
  vertical?: string;
  attestation?: Attestation;
  consentCertificate?: string;
  /** Keyed hash of the caller number the ping carried, when the offer says. */
  pingCallerHash?: string;
}

/** KEYS[1] the caller/subject window; ARGV: now, window start, call id, max (-1: none), ttl ms. */
export const TAKE_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then return 1 end
local max = tonumber(ARGV[4])
if max >= 0 and redis.call('ZCARD', KEYS[1]) >= max then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/** Counts the call in its caller/subject 24 h window unless that would pass `max`; a call id counts once. */
export async function takeFrequencySlot(
  redis: Redis,
  key: string,
  callId: string,
  nowMs: number,
  max: number | undefined,
): Promise<boolean> {
  return (await redis.eval(TAKE_SLOT, 1, key, nowMs, nowMs - DAY, callId, max ?? -1, DAY)) === 1;
}

/** The consent certificate's record (caller and expiry), if the consents table holds it. */
export async function consentRecord(sql: Sql, certificateId: string) {
  const rows = await sql<{ caller_hash: string; expires_at: Date | string }[]>`
    select caller_hash, expires_at from consents where certificate_id = ${certificateId} limit 1`;
  const row = rows[0];
  return row ? { callerHash: row.caller_hash, expiresAt: new Date(row.expires_at).toISOString() } : undefined;
}

/** `campaign`: the seller campaign's screen settings and vertical, from the seller's campaign index. */
export async function screen(
  deps: { redis: Redis; sql: Sql },
  f: OfferFacts,
  campaign: { screen?: ScreenSettings; vertical?: string },
  nowMs: number,
): Promise<Screening> {
  const { redis, sql } = deps;
  const settings = campaign.screen ?? DEFAULT_SETTINGS;
  const subject = f.vertical ?? campaign.vertical ?? "any";
  const freqKey = frequencyKey(f.callerHash, subject);
  const [lookup, counts, record] = await Promise.all([
    lookupCaller(redis, f.callerHash),
    redis
      .multi()
      .zadd(velocityKey(f.callerHash), nowMs, f.callId)
      .zremrangebyscore(velocityKey(f.callerHash), "-inf", nowMs - DAY)
      .zcount(velocityKey(f.callerHash), nowMs - 15 * MIN, "+inf")
      .zcount(velocityKey(f.callerHash), nowMs - 60 * MIN, "+inf")
      .zcard(velocityKey(f.callerHash))
      .pexpire(velocityKey(f.callerHash), DAY)
      .zremrangebyscore(freqKey, "-inf", nowMs - DAY)
      .zcount(freqKey, nowMs - DAY, "+inf")
      .zscore(freqKey, f.callId)
      .exec(),
    f.consentCertificate ? consentRecord(sql, f.consentCertificate) : Promise.resolve(undefined),
  ]);
  const n = (i: number) => Number(counts?.[i]?.[1] ?? 0);
  const alreadyCounted = counts?.[8]?.[1] != null ? 1 : 0;
  const party = calledParty({ areaCode: f.areaCode, zip: f.callerZip, state: f.callerState });
  const hours = callingHoursVerdict(party, nowMs);
  const decision = screenOffer(settings, {
    dncLists: lookup.dncLists.concat(lookup.scopes.includes("exchange") ? ["internal"] : []),
    blocked: lookup.blocked,
    hours,
    recentSameSubject: n(7) - alreadyCounted,
    consent: consentStatus(record, f.consentCertificate, f.callerHash, nowMs),
    attestation: f.attestation,
    velocity: { m15: n(2), h1: n(3), h24: n(4) },
    callerMismatch: f.pingCallerHash !== undefined && f.pingCallerHash !== f.callerHash,
  });
  if (decision.ok && settings.trafficType !== "inbound") {
    // The count above only pre-screens: concurrent offers could each see room. Taking the slot is one
    // atomic check-and-add, so the state's limit holds under concurrency too.
    const max = hours.ok ? hours.maxCallsPer24h : undefined;
    if (!(await takeFrequencySlot(redis, freqKey, f.callId, nowMs, max))) {
      return {
        ok: false,
        kind: "compliance",
        code: "calling_frequency_limit",
        detail: `the called party's state allows ${max} calls on this subject in 24 h`,
      };
    }
  }
  return decision;
}
