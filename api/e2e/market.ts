// A market of a test's own: a funded buyer with one campaign and a seller with one campaign, both on
// a fresh vertical, so no other test's campaigns bid on its calls and none of its calls reach another
// test's buyer. Each side takes the test's terms over client.ts's defaults.
import { createBuyer, createBuyerCampaign, createSeller, uniq } from "./client.ts";

export interface MarketTerms {
  /** Starts the vertical's name (which test made it, when reading the data); a random tail keeps it fresh. */
  prefix?: string;
  /** The buyer's deposit (0: none). */
  deposit?: number;
  /** The buyer campaign's fields, over createBuyerCampaign's defaults. */
  buyer?: Record<string, unknown>;
  /** The seller campaign's fields, over createSeller's defaults. */
  seller?: Record<string, unknown>;
}

export async function freshMarket(terms: MarketTerms = {}) {
  const vertical = `${terms.prefix ?? "v"}_${uniq().slice(0, 8)}`;
  const buyerId = await createBuyer(terms.deposit ?? 100_000_000);
  const buyerCampaignId = await createBuyerCampaign(buyerId, { vertical, ...terms.buyer });
  const seller = await createSeller({ vertical, ...terms.seller });
  return { vertical, buyerId, buyerCampaignId, seller };
}
