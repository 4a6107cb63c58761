// Pixel URL templates, free of I/O: the token catalogue, parsing, which tokens each party may use (the
// one view policy decides), and rendering with URL-encoded values.
import { access, type ViewRole } from "../views/policy.ts";

/**
 * Every token a pixel may carry, with the response field (api/views/policy.ts) whose visibility
 * decides who may use it. No caller number or hash is a token: they are in no event's data.
 */
export const PIXEL_TOKENS = {
  callId: { field: "callId", about: "the call's id" },
  eventId: { field: "id", about: "the event's id (the same for every retry)" },
  eventType: { field: "type", about: "the event, e.g. call.billable" },
  occurredAt: { field: "occurredAt", about: "when the event happened (ISO 8601)" },
  subId: { field: "campaignId", about: "the campaign whose pixel fired (your own campaign id)" },
  status: { field: "status", about: "the call's lifecycle state" },
  vertical: { field: "vertical", about: "the call's vertical" },
  callerState: { field: "callerState", about: "the caller's US state" },
  durationSec: { field: "durationSec", about: "call length in seconds (empty before it ends)" },
  priceMicros: { field: "priceMicros", about: "the price the routed buyer pays" },
  chargedMicros: { field: "chargedMicros", about: "what the buyer was charged (billable calls)" },
  payoutMicros: { field: "payoutMicros", about: "what the seller earns (sellers only)" },
  billable: { field: "billable", about: "true once the call qualified" },
  reasonCode: { field: "reasonCode", about: "why the call was refused or failed" },
  buyerId: { field: "buyerId", about: "the routed buyer" },
  buyerCampaignId: { field: "buyerCampaignId", about: "the routed buyer's campaign" },
  sellerId: { field: "sellerId", about: "the seller (sellers only)" },
  sellerCampaignId: { field: "sellerCampaignId", about: "the seller's campaign (sellers only)" },
  revenueMicros: {
    field: "revenueMicros",
    about: "revenue the buyer posted with its conversion (buyers only)",
  },
  disposition: { field: "disposition", about: "the buyer's disposition of its conversion (buyers only)" },
} as const;

export type PixelToken = keyof typeof PIXEL_TOKENS;

/** Why a template cannot be saved: the problem code, the token at fault (if any) and a sentence. */
export interface TemplateRefusal {
  code: "pixel_template_invalid" | "pixel_token_unknown" | "pixel_token_forbidden";
  token?: string;
  message: string;
}

const TOKEN = /\{([^{}]*)\}/g;

/** The tokens of `template` in order (repeats kept), or a refusal when its braces do not pair up. */
export function parseTemplate(template: string): { tokens: string[] } | TemplateRefusal {
  const tokens = [...template.matchAll(TOKEN)].map((m) => m[1]!);
  const rest = template.replace(TOKEN, "");
  if (rest.includes("{") || rest.includes("}"))
    return { code: "pixel_template_invalid", message: "a { or } outside a {token}" };
  const bad = tokens.find((t) => !/^[A-Za-z][A-Za-z0-9]*$/.test(t));
  if (bad !== undefined)
    return { code: "pixel_token_unknown", token: bad, message: `{${bad}} is not a pixel token` };
  return { tokens };
}

/** Where a URL's path starts: tokens before it (scheme, credentials, host, port) are refused. */
function authorityEnd(template: string): number {
  const start = template.indexOf("://");
  if (start < 0) return template.length;
  const rest = template.slice(start + 3);
  const cut = rest.search(/[/?#]/);
  return start + 3 + (cut < 0 ? rest.length : cut);
}

/** Whether `role` may use `token`: its field is one the role's view shows. */
export const tokenAllowed = (role: ViewRole, token: PixelToken) =>
  access(role, PIXEL_TOKENS[token].field) === "yes";

/**
 * Why `template` may not be saved as a pixel of a `role` party's campaign, or undefined when it may:
 * braces that do not pair, a token in the scheme or host (the destination must be judged at save
 * time), a token the exchange does not know, or one whose value the party's view hides.
 */
export function templateRefusal(template: string, role: ViewRole): TemplateRefusal | undefined {
  const parsed = parseTemplate(template);
  if ("code" in parsed) return parsed;
  const hostEnd = authorityEnd(template);
  const early = template.slice(0, hostEnd).match(/\{([^{}]*)\}/);
  if (early)
    return {
      code: "pixel_template_invalid",
      token: early[1],
      message: `{${early[1]}}: tokens may appear only in the path, query or fragment`,
    };
  for (const token of parsed.tokens) {
    if (!Object.hasOwn(PIXEL_TOKENS, token))
      return { code: "pixel_token_unknown", token, message: `{${token}} is not a pixel token` };
    if (!tokenAllowed(role, token as PixelToken))
      return {
        code: "pixel_token_forbidden",
        token,
        message: `{${token}}: a ${role}'s view does not show ${PIXEL_TOKENS[token as PixelToken].field}`,
      };
  }
  return undefined;
}

/** The template with its tokens removed: the literal destination the egress guard judges at save time. */
export const literalPart = (template: string) => template.replace(TOKEN, "");

/**
 * The URL to send: each token replaced by its URL-encoded value from `values` (the party's own view of
 * the event), or by nothing when the value is missing or null. A token the view dropped renders empty
 * too, so a policy change after save can never leak a field.
 */
export function renderTemplate(template: string, values: Record<string, unknown>): string {
  return template.replace(TOKEN, (_, name: string) => {
    const v = values[name];
    if (v === undefined || v === null) return "";
    return encodeURIComponent(typeof v === "object" ? JSON.stringify(v) : String(v));
  });
}

/**
 * The call events a pixel may fire on: those both parties of a routed call receive, conversions
 * included (a conversion-billed call's `call.converted`, or `call.not_converted` when its window closes).
 */
export const PIXEL_EVENTS = [
  "call.routed",
  "call.ringing",
  "call.connected",
  "call.completed",
  "call.failed",
  "call.expired",
  "call.rerouted",
  "call.billable",
  "call.converted",
  "call.not_converted",
] as const;
