// Live bidders' Redis side, shared by the actor host (auctions) and the API (WebSocket hub): presence,
// opportunity and outcome fan-out per buyer, and bids pushed back into a per-auction list.
//
// Why plain Redis pub/sub and not Dapr pub/sub: an opportunity lives for a few hundred milliseconds and
// is worthless afterwards. Dapr pub/sub here is Redis Streams behind the sidecar: durable, one more hop
// each way, and at-least-once, so a redelivery after a subscriber hiccup would replay a dead auction to
// a bidder. Redis pub/sub is at-most-once and in memory: a missed opportunity just means no live bid,
// which is the right failure for a sub-second auction. Money never moves on these messages: the
// auction's outcome still goes through the actors and the durable domain events.
import { LuaScript } from "./lua-script.ts";
import type { Redis } from "./redis.ts";

export const presenceKey = (buyerId: string) => `dce:live:${buyerId}`;
export const buyerChannel = (buyerId: string) => `dce:live:buyer:${buyerId}`;
export const bidsKey = (callId: string) => `dce:live:bids:${callId}`;
/**
 * Every buyer with a connection present, scored by when its last present connection lapses (the highest
 * score in its presence set): an auction asks it about all its candidates in one ZMSCORE.
 */
export const LIVE_INDEX = "dce:live-index";

/** Sent to a live buyer for each of its eligible campaigns. Never carries the caller number. */
export interface LiveOpportunity {
  type: "opportunity";
  auctionId: string; // the auction's actor id: the call id
  callId: string;
  campaignId: string;
  vertical: string;
  callerState?: string;
  callerZip?: string;
  areaCode?: string;
  tags: string[];
  reserveMicros: number;
  deadline: string; // ISO: a bid must reach the exchange before it
}

/** Sent to a live participant once the auction closed: only its own outcome. */
export interface LiveOutcome {
  type: "won" | "lost";
  callId: string;
  campaignId: string;
  priceMicros?: number;
  reason?: string;
}

export type LiveNotice = LiveOpportunity | LiveOutcome;

/** A bid as the hub pushes it: the buyer id comes from the authenticated connection, never the client. */
export interface LiveBidEntry {
  buyerId: string;
  campaignId: string;
  bidMicros: number;
}

// ---- API side -------------------------------------------------------------------------------------

/** Marks connections present until `nowMs + ttlMs`; stale members of crashed replicas age out. */
export async function markPresent(
  redis: Redis,
  buyerId: string,
  members: string[],
  ttlMs: number,
  nowMs: number,
) {
  if (members.length === 0) return;
  const key = presenceKey(buyerId);
  const tx = redis.multi().zremrangebyscore(key, "-inf", nowMs);
  for (const m of members) tx.zadd(key, nowMs + ttlMs, m);
  // GT: the index keeps the latest lapse of any of the buyer's connections, as the presence set does.
  tx.pexpire(key, ttlMs).zadd(LIVE_INDEX, "GT", nowMs + ttlMs, buyerId);
  await tx.zremrangebyscore(LIVE_INDEX, "-inf", nowMs).exec();
}

// KEYS[1]: the buyer's presence set, KEYS[2]: the index; ARGV[1]: the member, ARGV[2]: the buyer id.
// The index takes the highest lapse left in the set, or drops the buyer with the set's last member.
const ABSENT = `
redis.call("ZREM", KEYS[1], ARGV[1])
local top = redis.call("ZREVRANGE", KEYS[1], 0, 0, "WITHSCORES")
if top[2] then redis.call("ZADD", KEYS[2], top[2], ARGV[2]) else redis.call("ZREM", KEYS[2], ARGV[2]) end
return 1`;

const ABSENT_SCRIPT = new LuaScript(ABSENT);

export async function markAbsent(redis: Redis, buyerId: string, member: string): Promise<void> {
  await ABSENT_SCRIPT.run(redis, [presenceKey(buyerId), LIVE_INDEX], [member, buyerId]);
}

export async function pushLiveBid(redis: Redis, callId: string, entry: LiveBidEntry, ttlMs = 10_000) {
  await redis.multi().rpush(bidsKey(callId), JSON.stringify(entry)).pexpire(bidsKey(callId), ttlMs).exec();
}

// ---- actor side -----------------------------------------------------------------------------------

/**
 * The buyers among these with at least one connection present now: one ZMSCORE on the index, however
 * many buyers (a ZCOUNT per buyer's presence set cost a Redis command per candidate).
 */
export async function liveBuyers(redis: Redis, buyerIds: string[], nowMs: number): Promise<Set<string>> {
  if (buyerIds.length === 0) return new Set();
  const lapses = await redis.zmscore(LIVE_INDEX, ...buyerIds);
  return new Set(buyerIds.filter((_, i) => lapses[i] != null && Number(lapses[i]) > nowMs));
}

/** Publishes each notice on its buyer's channel; returns the indexes some API replica received. */
export async function publishNotices(redis: Redis, notices: { buyerId: string; notice: LiveNotice }[]) {
  if (notices.length === 0) return new Set<number>();
  const p = redis.pipeline();
  for (const n of notices) p.publish(buyerChannel(n.buyerId), JSON.stringify(n.notice));
  const replies = (await p.exec()) ?? [];
  return new Set(notices.map((_, i) => i).filter((i) => Number(replies[i]?.[1] ?? 0) > 0));
}

interface Lease {
  conn: Redis;
  id: number | undefined; // CLIENT ID, renewed on reconnect
}
const idle = new WeakMap<Redis, Lease[]>();
const MAX_IDLE = 16;

async function acquire(shared: Redis): Promise<Lease> {
  const pool = idle.get(shared) ?? [];
  idle.set(shared, pool);
  const lease = pool.pop() ?? fresh(shared);
  lease.id ??= Number(await lease.conn.client("ID"));
  return lease;
}

function fresh(shared: Redis): Lease {
  const lease: Lease = { conn: shared.duplicate({ enableAutoPipelining: false }), id: undefined };
  lease.conn.on("close", () => {
    lease.id = undefined;
  });
  return lease;
}

function release(shared: Redis, lease: Lease) {
  const pool = idle.get(shared)!;
  if (pool.length < MAX_IDLE) pool.push(lease);
  else lease.conn.disconnect();
}

/**
 * Reads live bids for one auction until every expected `buyerId|campaignId` answered or the deadline.
 * BLPOP runs on a dedicated pooled connection, never the shared one. Redis checks blocking timeouts only
 * ~10 times a second, so a local timer ends the wait on time with CLIENT UNBLOCK (sent on the shared
 * connection), and the reply is awaited before the connection goes back to the pool.
 */
export async function readLiveBids(
  redis: Redis,
  callId: string,
  expected: Set<string>,
  deadlineMs: number,
  now: () => number,
): Promise<(LiveBidEntry & { arrivedAt: number })[]> {
  const out: (LiveBidEntry & { arrivedAt: number })[] = [];
  if (expected.size === 0 || deadlineMs - now() < 2) return out;
  const lease = await acquire(redis);
  const answered = new Set<string>();
  let blocked = false;
  let over = false;
  let unblocking: Promise<void> | undefined;
  const unblock = async () => {
    for (let i = 0; i < 5 && blocked && lease.id !== undefined; i++) {
      if (Number(await redis.client("UNBLOCK", lease.id).catch(() => 0)) === 1) return;
      await new Promise((r) => setTimeout(r, 2)); // the BLPOP may still be on its way to Redis
    }
  };
  const timer = setTimeout(() => {
    over = true;
    unblocking = unblock();
  }, deadlineMs - now());
  try {
    while (!over && answered.size < expected.size) {
      const left = deadlineMs - now();
      if (left < 2) break;
      blocked = true;
      const popped = await lease.conn.blpop(bidsKey(callId), left / 1000 + 0.05).finally(() => {
        blocked = false;
      });
      if (!popped) continue;
      const entry = parseEntry(popped[1]);
      if (!entry || !expected.has(`${entry.buyerId}|${entry.campaignId}`)) continue;
      answered.add(`${entry.buyerId}|${entry.campaignId}`);
      out.push({ ...entry, arrivedAt: now() });
    }
  } finally {
    clearTimeout(timer);
    await unblocking;
    release(redis, lease);
  }
  return out;
}

function parseEntry(raw: string): LiveBidEntry | undefined {
  try {
    const e = JSON.parse(raw) as Partial<LiveBidEntry>;
    if (typeof e.buyerId !== "string" || typeof e.campaignId !== "string") return undefined;
    if (typeof e.bidMicros !== "number" || !Number.isSafeInteger(e.bidMicros) || e.bidMicros < 0)
      return undefined;
    return { buyerId: e.buyerId, campaignId: e.campaignId, bidMicros: e.bidMicros };
  } catch {
    return undefined;
  }
}
