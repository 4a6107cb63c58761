// The domain-events stream as its consumers see it: how far behind each consumer group is (read from
// Redis: XINFO GROUPS, XPENDING), and trimming only what EVERY group has acknowledged (XTRIM MINID).
// Daprd's Redis pub/sub keeps one stream per topic, keyed by the topic name (`domain-events`), and one
// consumer group per subscribing app id (only `exchange-events` subscribes).
import type { Redis } from "../../actors/platform/redis.ts";

export interface GroupBacklog {
  group: string;
  /** Delivered to a consumer (daprd holds it or the app is writing it), not yet acknowledged. */
  pending: number;
  /** In the stream, not yet delivered to this group. */
  lag: number;
  lastDeliveredId: string;
}

export interface StreamBacklog {
  /** Entries in the stream (acknowledged ones included, until the trimmer removes them). */
  length: number;
  groups: GroupBacklog[];
  /** The most unacknowledged entries (pending + undelivered) of any group: what backpressure bounds. */
  backlog: number;
}

type Flat = (string | number | null)[];

/** XINFO GROUPS answers each group as a flat [field, value, ...] list. */
function fields(flat: Flat): Map<string, string | number | null> {
  const m = new Map<string, string | number | null>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]), flat[i + 1] ?? null);
  return m;
}

/**
 * The stream's backlog per group. A group's `lag` is Redis's own count (7.0+), capped by the entries
 * not pending: undelivered entries are in the stream, so there cannot be more of them (Redis's count
 * is entries-added minus a per-group counter that can fall behind, after redeliveries or an AOF cut,
 * and then claims a lag for an empty stream). When Redis cannot tell (null after an XDEL inside the
 * unread range), the cap itself counts: an upper bound (the trimmer keeps acknowledged entries only
 * until its next round), read in O(1).
 */
export async function readBacklog(redis: Redis, key: string): Promise<StreamBacklog> {
  const length = await redis.xlen(key);
  if (length === 0 && (await redis.exists(key)) === 0) return { length, groups: [], backlog: 0 };
  const raw = (await redis.call("XINFO", "GROUPS", key)) as Flat[];
  const groups: GroupBacklog[] = [];
  for (const g of raw.map(fields)) {
    const group = String(g.get("name"));
    const lastDeliveredId = String(g.get("last-delivered-id") ?? "0-0");
    const pending = Number(g.get("pending") ?? 0);
    const notPending = Math.max(0, length - pending);
    const reported = g.get("lag");
    const lag =
      reported === null || reported === undefined ? notPending : Math.min(Number(reported), notPending);
    groups.push({ group, pending, lag, lastDeliveredId });
  }
  const backlog = Math.max(0, ...groups.map((g) => g.pending + g.lag));
  return { length, groups, backlog };
}

// Atomic, so no group can move between reading the floor and trimming to it. With no group at all
// nothing is trimmed: entries published before the subscriber first subscribed still wait for it.
// A group's floor is its oldest pending entry, else the id just after its last delivered one.
const TRIM_ACKNOWLEDGED = `
local key = KEYS[1]
if redis.call('EXISTS', key) == 0 then return {0, ''} end
local groups = redis.call('XINFO', 'GROUPS', key)
if #groups == 0 then return {0, ''} end
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
local floorMs, floorSeq
for _, g in ipairs(groups) do
  local name, last
  for i = 1, #g, 2 do
    if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
  end
  local p = redis.call('XPENDING', key, name)
  local ms, seq
  if p[1] > 0 then ms, seq = parse(p[2]) else ms, seq = parse(last); seq = seq + 1 end
  if floorMs == nil or ms < floorMs or (ms == floorMs and seq < floorSeq) then floorMs, floorSeq = ms, seq end
end
local floor = string.format('%.0f-%.0f', floorMs, floorSeq)
return {redis.call('XTRIM', key, 'MINID', floor), floor}
`;

/** Removes the entries every consumer group has acknowledged; answers how many and the id kept from. */
export async function trimAcknowledged(
  redis: Redis,
  key: string,
): Promise<{ removed: number; floor: string }> {
  const [removed, floor] = (await redis.eval(TRIM_ACKNOWLEDGED, 1, key)) as [number, string];
  return { removed, floor };
}
