// The one routing decision: what the auction's winning buyer reserved, kept by the call (its state, its
// events) and shown to the seller. Internal instants are epoch milliseconds named `…Ms`; the partner
// view (DESIGN §7/§11) keeps its ISO `expiresAt`.
import type { Destination } from "../buyer/buyer-api.ts";
import type { Micros } from "./money.ts";

export interface Routing {
  bidId: string;
  buyerId: string;
  buyerCampaignId: string;
  priceMicros: Micros;
  destination: Destination;
  minDurationSec: number;
  /** The call must arrive before it; the sweeper expires the routing then. */
  expiresAtMs: number;
  /**
   * The buyer's campaign bills on its conversion postback: the window after the call's end, and the
   * call's conversion key (set by the CallActor when it takes the routing; only the buyer sees it).
   */
  conversion?: { windowSec: number; key?: string };
}

/** The routing as the partner API, webhooks and `call.routed` events carry it. */
export interface RoutedView {
  buyerId: string;
  buyerCampaignId: string;
  bidId: string;
  destination: Destination;
  priceMicros: Micros;
  minDurationSec: number;
  expiresAt: string;
  recordingDisclosure: boolean;
  /** Only on a conversion-billed call: what bills it. */
  billOn?: "conversion";
  /** Only on a conversion-billed call: the key its buyer posts the conversion with (sellers never see it). */
  conversionKey?: string;
  conversionWindowSec?: number;
}

export function routedView(r: Routing, recordingDisclosure: boolean): RoutedView {
  return {
    buyerId: r.buyerId,
    buyerCampaignId: r.buyerCampaignId,
    bidId: r.bidId,
    destination: r.destination,
    priceMicros: r.priceMicros,
    minDurationSec: r.minDurationSec,
    expiresAt: new Date(r.expiresAtMs).toISOString(),
    recordingDisclosure,
    ...(r.conversion
      ? {
          billOn: "conversion" as const,
          conversionWindowSec: r.conversion.windowSec,
          ...(r.conversion.key ? { conversionKey: r.conversion.key } : {}),
        }
      : {}),
  };
}
