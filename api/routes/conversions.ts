// Conversions: the buyer of a conversion-billed call posts its conversion with the call's key; the
// call bills then, once, within its window (actors/call/conversion.ts holds the rules).
import { createHash } from "node:crypto";
import { Hono } from "hono";
import type { CallState, ICallActor } from "../../actors/call/call-api.ts";
import { conversionView } from "../../actors/call/conversion.ts";
import { actorProxy } from "../../actors/platform/dapr-client.ts";
import type { ApiDeps } from "../deps.ts";
import { tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import { PostConversion } from "../schemas/calls.ts";
import * as R from "../schemas/responses.ts";
import { actorCall, body } from "../validate.ts";
import { viewAs } from "../views/policy.ts";

/** The postback's fingerprint: the same fields again are the same postback, whatever their order. */
export function conversionHash(input: { key: string; revenueMicros?: number; disposition?: string }) {
  const canonical = JSON.stringify([input.key, input.revenueMicros ?? null, input.disposition ?? null]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** The answer: the call's conversion and billing (each party's view applies). */
export function conversionAnswer(s: CallState) {
  return {
    callId: s.callId,
    status: s.status,
    conversion: s.conversion ? conversionView(s.conversion) : null,
    billing: s.billing,
  };
}

export function conversionRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("calls");
  const postDoc = doc({
    summary: "Post a conversion-billed call's conversion (its buyer, with the call's key): bills it once",
    access: "buyer",
    body: PostConversion,
    status: 200,
    response: R.ConversionResult,
    errors: [
      ...WRITE,
      "call_unknown",
      "conversion_not_applicable",
      "conversion_key_invalid",
      "conversion_already_recorded",
      "conversion_not_eligible",
      "conversion_window_closed",
    ],
  });
  app.post("/calls/:callId/conversion", postDoc, async (c) => {
    const principal = c.get("principal");
    const actor = actorProxy<ICallActor>(deps.dapr, "CallActor", c.req.param("callId"));
    const input = await body(c, PostConversion);
    const current = await actorCall(actor.get());
    // Only the call's buyer posts its conversion; anyone else learns nothing of the call.
    if (principal.role !== "buyer" || principal.accountId !== current.decision.buyerId) {
      const party = principal.role === "admin" || principal.accountId === current.sellerId;
      if (party) throw new ApiError(403, "forbidden", "only the call's buyer posts its conversion");
      throw new ApiError(404, "call_unknown", "no such call");
    }
    const state = await actorCall(actor.convert({ ...input, requestHash: conversionHash(input) }));
    return c.json(viewAs(principal, conversionAnswer(state)), 200);
  });
  return app;
}
