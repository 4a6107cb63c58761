// The carrier's media callbacks under /v1/telephony/{twilio|telnyx}/calls/{callId}/...: the recording
// callback, the whisper fetched when the buyer answers, and the agent's press-1 answer. Each request is
// authenticated by the carrier edge's signature check (edge.ts), like every other carrier request.
import { type Context, Hono } from "hono";
import type { ApiDeps } from "../deps.ts";
import { tagged } from "../openapi/facts.ts";
import { PROVIDERS } from "./carrier-params.ts";
import { signedParams } from "./edge.ts";
import { onAccept, onRecording, onWhisper } from "./media.ts";

const xml = (c: Context, body: string) =>
  c.body(body, 200, { "content-type": "application/xml; charset=utf-8" });

export function mediaRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("telephony");
  for (const provider of PROVIDERS) {
    const name = provider === "twilio" ? "Twilio" : "Telnyx TeXML";
    const base = `/telephony/${provider}/calls/:callId`;
    const carrier = { access: "carrier", raw: "application/x-www-form-urlencoded", response: null } as const;
    app.post(
      `${base}/recording`,
      doc({
        ...carrier,
        summary: `${name} recording callback: the recording is stored, its URL and SHA-256 audited`,
        status: 204,
        errors: ["payload_too_large", "validation_failed", "call_unknown", "upstream_unavailable"],
      }),
      async (c) => {
        const p = await signedParams(c, deps, provider);
        await onRecording(deps, provider, c.req.param("callId") ?? "", p);
        return c.body(null, 204);
      },
    );
    app.post(
      `${base}/whisper`,
      doc({
        ...carrier,
        summary: `${name} whisper: played to the buyer's agent before bridging (press 1 when required)`,
        status: 200,
        produces: "application/xml",
        errors: ["payload_too_large", "upstream_unavailable"],
      }),
      async (c) => {
        await signedParams(c, deps, provider);
        const buyerId = c.req.query("buyerId") ?? "";
        return xml(
          c,
          await onWhisper(deps, deps.config.publicUrl, provider, c.req.param("callId") ?? "", buyerId),
        );
      },
    );
    app.post(
      `${base}/accept`,
      doc({
        ...carrier,
        summary: `${name} press-1 answer: Digits=1 accepts (billing counts from now) and bridges; else hang up`,
        status: 200,
        produces: "application/xml",
        errors: ["payload_too_large", "upstream_unavailable"],
      }),
      async (c) => {
        const p = await signedParams(c, deps, provider);
        const buyerId = c.req.query("buyerId") ?? "";
        return xml(c, await onAccept(deps, provider, c.req.param("callId") ?? "", buyerId, p.Digits));
      },
    );
  }
  return app;
}
