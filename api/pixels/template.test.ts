import * as v from "valibot";
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../actors/kernel/events.ts";
import { CreatePixel } from "../schemas/pixels.ts";
import { access } from "../views/policy.ts";
import { pixelDelivery, tokenValues } from "./render.ts";
import {
  literalPart,
  PIXEL_TOKENS,
  parseTemplate,
  renderTemplate,
  templateRefusal,
  tokenAllowed,
} from "./template.ts";

describe("pixel templates", () => {
  it("parses tokens in order and refuses unpaired braces", () => {
    expect(parseTemplate("https://p.example/x?c={callId}&d={durationSec}&c2={callId}")).toEqual({
      tokens: ["callId", "durationSec", "callId"],
    });
    expect(parseTemplate("https://p.example/x?c={callId")).toMatchObject({ code: "pixel_template_invalid" });
    expect(parseTemplate("https://p.example/x?c=}")).toMatchObject({ code: "pixel_template_invalid" });
    expect(parseTemplate("https://p.example/x?c={call id}")).toMatchObject({
      code: "pixel_token_unknown",
      token: "call id",
    });
  });

  it("refuses unknown tokens by name, and caller numbers are no token at all", () => {
    for (const t of ["callerNumber", "caller", "callerHash", "from", "nope"])
      expect(templateRefusal(`https://p.example/?x={${t}}`, "seller")).toMatchObject({
        code: "pixel_token_unknown",
        token: t,
      });
  });

  it("refuses tokens in the scheme, host or port: the destination is judged at save time", () => {
    expect(templateRefusal("https://{subId}.p.example/x", "buyer")).toMatchObject({
      code: "pixel_template_invalid",
      token: "subId",
    });
    expect(templateRefusal("https://p.example:{callId}/x", "buyer")).toMatchObject({
      code: "pixel_template_invalid",
    });
    expect(templateRefusal("https://p.example/{callId}#{eventType}", "buyer")).toBeUndefined();
    expect(literalPart("https://p.example/a/{callId}?d={durationSec}")).toBe("https://p.example/a/?d=");
  });

  it("limits each party's tokens to what its view shows", () => {
    // A buyer never gets the seller's payout or identity; a seller may use both.
    for (const t of ["payoutMicros", "sellerId", "sellerCampaignId"]) {
      expect(templateRefusal(`https://p.example/?x={${t}}`, "buyer")).toMatchObject({
        code: "pixel_token_forbidden",
        token: t,
      });
      expect(templateRefusal(`https://p.example/?x={${t}}`, "seller")).toBeUndefined();
    }
    for (const t of ["callId", "subId", "priceMicros", "durationSec", "callerState", "vertical"])
      expect(templateRefusal(`https://p.example/?x={${t}}`, "buyer")).toBeUndefined();
  });

  it("follows the one view policy for every token and role (no list of its own)", () => {
    for (const role of ["buyer", "seller"] as const)
      for (const [token, { field }] of Object.entries(PIXEL_TOKENS)) {
        const refused = templateRefusal(`https://p.example/?x={${token}}`, role);
        expect(refused === undefined, `${role} ${token}`).toBe(access(role, field) === "yes");
      }
  });

  it("URL-encodes values and renders missing ones empty", () => {
    const url = renderTemplate("https://p.example/c/{callId}?v={vertical}&d={durationSec}&s={callerState}", {
      callId: "call_1/2",
      vertical: "home & garden?",
      durationSec: null,
    });
    expect(url).toBe("https://p.example/c/call_1%2F2?v=home%20%26%20garden%3F&d=&s=");
  });
});

const billable: DomainEvent = {
  id: "evt_1",
  type: "call.billable",
  occurredAt: "2026-12-02T05:00:00.000Z",
  aggregate: { type: "call", id: "call_abc" },
  data: {
    snapshot: {
      callId: "call_abc",
      revision: 4,
      status: "completed",
      sellerId: "sel_1",
      sellerCampaignId: "scp_1",
      buyerId: "byr_1",
      buyerCampaignId: "bcp_1",
      vertical: "insurance",
      callerState: "TX",
      priceMicros: 25_000_000,
      billable: true,
      chargedMicros: 25_000_000,
      payoutMicros: 20_000_000,
      durationSec: 95,
      reasonCode: null,
      attempts: 1,
      offeredAt: "2026-12-02T04:58:00.000Z",
      endedAt: "2026-12-02T05:00:00.000Z",
    },
  },
} as unknown as DomainEvent;

describe("pixel rendering from an event", () => {
  const all = `https://p.example/?${Object.keys(PIXEL_TOKENS)
    .map((t) => `${t}={${t}}`)
    .join("&")}`;

  it("gives a buyer's pixel its own values and never the seller's payout, even if its template asks", () => {
    const { url } = pixelDelivery(billable, { template: all, accountId: "byr_1", campaignId: "bcp_1" });
    const q = new URL(url).searchParams;
    expect(q.get("callId")).toBe("call_abc");
    expect(q.get("subId")).toBe("bcp_1");
    expect(q.get("priceMicros")).toBe("25000000");
    expect(q.get("durationSec")).toBe("95");
    expect(q.get("eventType")).toBe("call.billable");
    expect(q.get("payoutMicros")).toBe("");
    expect(q.get("sellerId")).toBe("");
  });

  it("gives a seller's pixel its payout and its own campaign as subId", () => {
    const { url, payload } = pixelDelivery(billable, {
      template: all,
      accountId: "sel_1",
      campaignId: "scp_1",
    });
    const q = new URL(url).searchParams;
    expect(q.get("payoutMicros")).toBe("20000000");
    expect(q.get("subId")).toBe("scp_1");
    expect(q.get("sellerId")).toBe("sel_1");
    expect(payload.data).toMatchObject({ payoutMicros: 20_000_000 });
  });

  it("offers only allowed tokens as values", () => {
    const payload = { id: "e", type: "call.billable" as const, occurredAt: "t", data: { payoutMicros: 1 } };
    expect(tokenValues("buyer", payload, "bcp_1")).not.toHaveProperty("payoutMicros");
    expect(tokenAllowed("seller", "payoutMicros")).toBe(true);
  });
});

describe("pixels on conversions", () => {
  const converted = {
    ...billable,
    id: "evt_2",
    type: "call.converted",
    data: { ...billable.data, revenueMicros: 150_000_000, disposition: "sale" },
  } as DomainEvent;
  const url = "https://p.example/?e={eventType}&r={revenueMicros}&d={disposition}&pay={payoutMicros}";

  it("may fire on call.converted and call.not_converted", () => {
    for (const event of ["call.converted", "call.not_converted"]) {
      const r = v.safeParse(CreatePixel, { url: "https://p.example/?c={callId}", events: [event] });
      expect(r.success, event).toBe(true);
    }
  });

  it("gives the buyer its revenue and disposition, the seller only its payout", () => {
    const buyer = new URL(
      pixelDelivery(converted, { template: url, accountId: "byr_1", campaignId: "bcp_1" }).url,
    ).searchParams;
    expect([buyer.get("e"), buyer.get("r"), buyer.get("d"), buyer.get("pay")]).toEqual([
      "call.converted",
      "150000000",
      "sale",
      "",
    ]);
    const seller = new URL(
      pixelDelivery(converted, { template: url, accountId: "sel_1", campaignId: "scp_1" }).url,
    ).searchParams;
    expect([seller.get("r"), seller.get("d"), seller.get("pay")]).toEqual(["", "", "20000000"]);
  });

  it("refuses a seller's template asking for the buyer's revenue or disposition", () => {
    for (const token of ["revenueMicros", "disposition"]) {
      expect(templateRefusal(`https://p.example/?x={${token}}`, "seller")).toMatchObject({
        code: "pixel_token_forbidden",
        token,
      });
      expect(templateRefusal(`https://p.example/?x={${token}}`, "buyer")).toBeUndefined();
    }
  });
});
