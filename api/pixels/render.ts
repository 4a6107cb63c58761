// A pixel's URL for one event: the event's data as the pixel's owner sees it (the webhook payload,
// through the one view policy), then only the tokens that owner may use, URL-encoded into its template.
import type { DomainEvent } from "../../actors/kernel/events.ts";
import type { ViewRole } from "../views/policy.ts";
import { payloadFor, type WebhookPayload } from "../webhooks/rules.ts";
import { PIXEL_TOKENS, type PixelToken, renderTemplate, tokenAllowed } from "./template.ts";

export interface PixelTarget {
  template: string;
  accountId: string;
  campaignId: string;
}

/** Buyer and seller ids carry their role in their prefix. */
export const roleOfAccount = (accountId: string): ViewRole =>
  accountId.startsWith("sel_") ? "seller" : "buyer";

/** The token values `role` may see in `payload`, keyed by token name. */
export function tokenValues(role: ViewRole, payload: WebhookPayload, campaignId: string) {
  const meta: Partial<Record<PixelToken, unknown>> = {
    eventId: payload.id,
    eventType: payload.type,
    occurredAt: payload.occurredAt,
    subId: campaignId,
  };
  const out: Record<string, unknown> = {};
  for (const token of Object.keys(PIXEL_TOKENS) as PixelToken[]) {
    if (!tokenAllowed(role, token)) continue;
    out[token] = token in meta ? meta[token] : payload.data[token];
  }
  return out;
}

/** The payload kept in the delivery log and the URL a pixel sends for `e`. */
export function pixelDelivery(e: DomainEvent, pixel: PixelTarget): { payload: WebhookPayload; url: string } {
  const payload = payloadFor(e, pixel.accountId);
  const values = tokenValues(roleOfAccount(pixel.accountId), payload, pixel.campaignId);
  return { payload, url: renderTemplate(pixel.template, values) };
}
