// The carrier edge's question: which seller campaign does a call to this number belong to?
import { and, eq } from "drizzle-orm";
import { trackingNumbers } from "../db/numbers-schema.ts";
import type { ApiDeps } from "../deps.ts";
import { normaliseDialled } from "./e164.ts";

export interface NumberAssignment {
  number: string;
  sellerId: string;
  sellerCampaignId: string;
  tags: string[];
}

/**
 * The active assignment of a number as a carrier sends it in `To` (`+12125551234`; also accepted:
 * a `+` turned into a space by form decoding, 10 or 11 digits without `+`). Null when the number is
 * not valid or not active.
 */
export async function lookupNumber(
  deps: Pick<ApiDeps, "db">,
  e164: string,
): Promise<NumberAssignment | null> {
  const number = normaliseDialled(e164);
  if (!number) return null;
  const [row] = await deps.db
    .select({
      number: trackingNumbers.number,
      sellerId: trackingNumbers.sellerId,
      sellerCampaignId: trackingNumbers.sellerCampaignId,
      tags: trackingNumbers.tags,
    })
    .from(trackingNumbers)
    .where(and(eq(trackingNumbers.number, number), eq(trackingNumbers.status, "active")))
    .limit(1);
  return row ? { ...row, tags: [...(row.tags ?? [])] } : null;
}
