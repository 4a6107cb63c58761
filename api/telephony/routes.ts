// Carrier routes: the voice webhooks and everything a carrier calls back under
// /v1/telephony/{twilio|telnyx}/calls/{callId}/..., authenticated by the carrier's signature alone
// (mounted before /v1's API-key middleware). Answers are TwiML/TeXML, or 204 for status callbacks.
import { type Context, Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { carrierRequests } from "../metrics.ts";
import { tagged } from "../openapi/facts.ts";
import { answerDialOutcome, answerVoice, recordLegStatus } from "./adapter.ts";
import { answerKind } from "./answers.ts";
import { PROVIDERS, type Provider } from "./carrier-params.ts";
import { signedParams } from "./edge.ts";

/** The TwiML answer, counted by provider, route and what it tells the carrier to do. */
function xml(c: Context, provider: Provider, route: string, body: string) {
  carrierRequests.inc({ provider, route, outcome: answerKind(body) });
  return c.body(body, 200, { "content-type": "application/xml; charset=utf-8" });
}

export function telephonyRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("telephony");
  for (const provider of PROVIDERS) {
    const name = provider === "twilio" ? "Twilio" : "Telnyx TeXML";
    const base = `/telephony/${provider}`;
    app.post(
      `${base}/voice`,
      doc({
        summary: `${name} voice webhook: the call on a tracking number is auctioned; the answer dials the winner`,
        access: "carrier",
        raw: "application/x-www-form-urlencoded",
        status: 200,
        response: null,
        produces: "application/xml",
        errors: ["payload_too_large"],
      }),
      async (c) =>
        xml(c, provider, "voice", await answerVoice(deps, provider, await signedParams(c, deps, provider))),
    );
    app.post(
      `${base}/calls/:callId/dial`,
      doc({
        summary: `${name} Dial action: the buyer leg's outcome; an unanswered leg is re-routed in the answer`,
        access: "carrier",
        raw: "application/x-www-form-urlencoded",
        status: 200,
        response: null,
        produces: "application/xml",
        errors: ["payload_too_large", "upstream_unavailable"],
      }),
      async (c) => {
        const p = await signedParams(c, deps, provider);
        const answer = await answerDialOutcome(
          deps,
          provider,
          c.req.param("callId"),
          c.req.query("bid") ?? "",
          p,
        );
        return xml(c, provider, "dial", answer);
      },
    );
    app.post(
      `${base}/calls/:callId/status`,
      doc({
        summary: `${name} buyer-leg status callback: ringing, answered, completed (the billed duration), failed`,
        access: "carrier",
        raw: "application/x-www-form-urlencoded",
        status: 204,
        response: null,
        errors: ["payload_too_large", "upstream_unavailable"],
      }),
      async (c) => {
        const p = await signedParams(c, deps, provider);
        const outcome = await recordLegStatus(
          deps,
          provider,
          c.req.param("callId"),
          c.req.query("bid") ?? "",
          p,
        );
        carrierRequests.inc({ provider, route: "status", outcome });
        return c.body(null, 204);
      },
    );
  }
  return app;
}
