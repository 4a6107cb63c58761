// Do-Not-Call membership in compact sharded Redis sets: a keyed phone hash maps to one shard and one
// 48-bit integer member, so small shards stay in Redis's packed integer-set encoding (8 bytes per
// number) and a lookup is one SISMEMBER whatever the list's size.
export const MIN_SHARD_BITS = 4;
export const MAX_SHARD_BITS = 20;
/** Redis keeps a set as a packed intset up to `set-max-intset-entries` (512 by default). */
const TARGET_PER_SHARD = 256;

export interface DncSlot {
  shard: number;
  member: string;
}

/** Shard and member of a `ph_<hex>` hash: the top `bits` of its first 32 bits, then the next 48 bits. */
export function dncSlot(hash: string, bits: number): DncSlot {
  const hex = hash.startsWith("ph_") ? hash.slice(3) : hash;
  if (!/^[0-9a-f]{20}/.test(hex)) throw new RangeError("not a phone hash");
  const top = Number.parseInt(hex.slice(0, 8), 16);
  return { shard: Math.floor(top / 2 ** (32 - bits)), member: String(Number.parseInt(hex.slice(8, 20), 16)) };
}

/** Shard bits for a list of about `expected` numbers: ~256 per shard, within bounds. */
export function shardBitsFor(expected: number): number {
  const want = Math.ceil(Math.log2(Math.max(1, expected) / TARGET_PER_SHARD));
  return Math.min(MAX_SHARD_BITS, Math.max(MIN_SHARD_BITS, want));
}

/**
 * The 10 NANP digits of one line of a DNC file, or undefined: a bare number ("2025550123",
 * "+1 202 555 0123"), or CSV whose first fields are area code and number ("202,5550123") or
 * whose first field with 10-11 digits is the number. Header and blank lines give undefined.
 */
export function dncLineDigits(line: string): string | undefined {
  const fields = line.split(",").map((f) => f.replace(/[^0-9]/g, ""));
  let digits: string | undefined;
  if (fields.length > 1 && fields[0]!.length === 3 && fields[1]!.length === 7)
    digits = fields[0]! + fields[1]!;
  else digits = fields.find((f) => f.length === 10 || (f.length === 11 && f.startsWith("1")));
  if (!digits) return undefined;
  if (digits.length === 11) digits = digits.slice(1);
  if (!/^[2-9][0-9]{2}[2-9][0-9]{6}$/.test(digits)) return undefined;
  return digits;
}

/** Days after which a DNC list must be refreshed (16 CFR 310.4(b)(3)(iv): every 31 days). */
export const DNC_MAX_AGE_DAYS = 31;

export function staleWarning(listId: string, publishedAt: string | null, nowMs: number): string | undefined {
  if (!publishedAt) return undefined;
  const days = Math.floor((nowMs - Date.parse(publishedAt)) / 86_400_000);
  if (days <= DNC_MAX_AGE_DAYS) return undefined;
  return `list ${listId} was published ${days} days ago; DNC lists must be refreshed every ${DNC_MAX_AGE_DAYS} days`;
}
