// The per-party view matrix through the real stack: every route that carries call, auction, ledger,
// report or webhook data, and the live feed, read by the admin, the winning buyer, an outbid buyer, a
// buyer whose own Do-Not-Call list refused the call, the call's seller and another seller. Each body is
// walked field by field against the one policy (api/views/policy.ts); any field outside it fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { access, violations } from "../views/policy.ts";
import { call, waitFor } from "./client.ts";
import { API } from "./stack.ts";
import { type Member, type Party, viewMarket } from "./view-market.ts";

let m: Awaited<ReturnType<typeof viewMarket>>;
let callId: string;
const answers: { who: Party; what: string; body: unknown }[] = [];
const PARTIES: Party[] = ["admin", "winner", "outbid", "suppressor", "seller", "otherSeller"];
const party = (p: Party): Member => m.members[p];
const month = new Date().toISOString().slice(0, 7);
/** The account a party reads its own ledger and reports with (the admin reads the seller's). */
const account = (p: Party) => party(p === "admin" ? "seller" : p).viewer.accountId!;

function inPolicy(p: Party, what: string, body: unknown) {
  expect(violations(party(p).viewer, body), `${p} ${what}`).toEqual([]);
}

async function get(p: Party, path: string) {
  const res = await call("GET", path, { key: party(p).key });
  if (res.status === 200) inPolicy(p, `GET ${path}`, res.body);
  return res;
}

async function csv(p: Party, path: string) {
  const res = await fetch(`${API}${path}`, { headers: { authorization: `Bearer ${party(p).key}` } });
  expect(res.status, `${p} ${path}`).toBe(200);
  return (await res.text()).trim().split("\r\n");
}

beforeAll(async () => {
  m = await viewMarket();
  const offer = await call<{ callId: string; status: string; buyerId: string }>("POST", "/v1/calls", {
    key: party("seller").key,
    idempotencyKey: crypto.randomUUID(),
    body: { sellerCampaignId: m.seller.sellerCampaignId, callerNumber: m.caller, callerState: "FL" },
  });
  expect(offer.body).toMatchObject({ status: "routed", buyerId: m.ids.winnerId });
  callId = offer.body.callId;
  answers.push({ who: "seller", what: "POST /v1/calls", body: offer.body });
  const events = `/v1/calls/${callId}/events`;
  for (const [who, body] of [
    ["admin", { type: "ringing" }],
    ["seller", { type: "connected" }],
    ["seller", { type: "completed", durationSec: 95 }],
  ] as const) {
    const res = await call("POST", events, { key: party(who).key, body });
    expect(res.status).toBe(200);
    answers.push({ who, what: `POST events ${body.type}`, body: res.body });
  }
  await waitFor(
    () =>
      call<{ items: { callId: string; billable: boolean }[] }>(
        "GET",
        `/v1/calls?sellerId=${m.seller.sellerId}`,
      ),
    (r) => r.body.items.some((i) => i.callId === callId && i.billable),
  );
}, 180_000);

afterAll(() => m?.close());

describe("view matrix: every route × party keeps to the per-party policy", () => {
  it("offer and event answers", () => {
    for (const a of answers) inPolicy(a.who, a.what, a.body);
    expect(answers.at(-1)!.body).toMatchObject({
      payoutMicros: 15_006_000,
      billing: { marginMicros: 10_004_000 },
    });
  });

  it("GET /v1/calls/{callId}: the parties read their views, every other account a 404", async () => {
    const status: Record<Party, number> = {
      admin: 200,
      winner: 200,
      outbid: 404,
      suppressor: 404,
      seller: 200,
      otherSeller: 404,
    };
    const bodies = {} as Record<Party, Record<string, unknown>>;
    for (const p of PARTIES) {
      const res = await get(p, `/v1/calls/${callId}`);
      expect(res.status, p).toBe(status[p]);
      bodies[p] = res.body;
    }
    const { winnerId, outbidId, suppressorId } = m.ids;
    // The admin sees the whole auction, the suppression reason included: the matrix below is not vacuous.
    expect(JSON.stringify(bodies.admin)).toContain("buyer_suppressed");
    expect(bodies.admin).toMatchObject({ auction: { auctionType: "second", reserveMicros: 10_000_000 } });
    expect(bodies.seller).toMatchObject({
      payoutMicros: 15_006_000,
      decision: { buyerId: winnerId, priceMicros: 25_010_000 },
      auction: { candidates: 3, reserveMicros: 10_000_000, auctionType: "second" },
    });
    expect(bodies.winner).toMatchObject({ chargedMicros: 25_010_000, decision: { priceMicros: 25_010_000 } });
    for (const p of ["seller", "winner"] as const)
      for (const hidden of [outbidId, suppressorId, "buyer_suppressed", "25000000", "50000000"])
        expect(JSON.stringify(bodies[p]), `${p} sees ${hidden}`).not.toContain(hidden);
    for (const hidden of ["15006000", "10004000", "10000000", m.seller.sellerId])
      expect(JSON.stringify(bodies.winner), `winner sees ${hidden}`).not.toContain(hidden);
  });

  it("GET /v1/calls/{callId}/receipt: the seller and the buyers that bid, each its own; others 404", async () => {
    const status: Record<Party, number> = {
      admin: 200,
      winner: 200,
      outbid: 200,
      suppressor: 404, // its own Do-Not-Call list kept it from bidding: it had no part in the auction
      seller: 200,
      otherSeller: 404,
    };
    const bodies = {} as Record<Party, Record<string, unknown>>;
    for (const p of PARTIES) {
      const res = await get(p, `/v1/calls/${callId}/receipt`);
      expect(res.status, p).toBe(status[p]);
      bodies[p] = res.body;
    }
    expect(bodies.admin).toMatchObject({
      ranking: [{ buyerId: m.ids.winnerId }, { buyerId: m.ids.outbidId }],
    });
    expect(bodies.seller).toMatchObject({ reserveMicros: 10_000_000, clearingPriceMicros: 25_010_000 });
    expect(bodies.winner).toMatchObject({
      ownBids: [{ rank: 1, result: "won" }],
      clearingPriceMicros: 25_010_000,
    });
    expect(bodies.outbid).toMatchObject({ ownBids: [{ rank: 2, result: "lost", amountMicros: 25_000_000 }] });
    for (const [p, hidden] of [
      ["seller", [m.ids.winnerId, m.ids.outbidId, "30000000", "25000000"]],
      ["winner", [m.ids.outbidId, "25000000", "10000000"]],
      ["outbid", [m.ids.winnerId, "30000000", "10000000"]],
    ] as const)
      for (const h of hidden) expect(JSON.stringify(bodies[p]), `${p} sees ${h}`).not.toContain(h);
    // A losing bidder sees the price it had to beat and its rule (OpenRTB's minimum bid to win).
    expect(bodies.outbid).toMatchObject({
      clearingPriceMicros: 25_010_000,
      priceRule: { basis: "next_bid_plus_cent" },
    });
  });

  it("GET /v1/calls/{callId}/dossier: the seller and the routed buyer, each its own view; others 404", async () => {
    const status: Record<Party, number> = {
      admin: 200,
      winner: 200,
      outbid: 404,
      suppressor: 404,
      seller: 200,
      otherSeller: 404,
    };
    // The call's events reach the audit log within moments of the offer.
    await waitFor(
      () => call("GET", `/v1/calls/${callId}/dossier`, { key: party("seller").key }),
      (r) => r.status === 200,
    );
    const bodies = {} as Record<Party, unknown>;
    for (const p of PARTIES) {
      // An admin's dossier holds each event's whole data (what the audit log digests: internal fields
      // such as the call snapshot and the auction's packed inputs), so only its status is checked here;
      // every other party's is walked against the policy.
      const res =
        p === "admin"
          ? await call("GET", `/v1/calls/${callId}/dossier`, { key: party(p).key })
          : await get(p, `/v1/calls/${callId}/dossier`);
      expect(res.status, p).toBe(status[p]);
      bodies[p] = res.body;
    }
    for (const [p, hidden] of [
      ["seller", [m.ids.outbidId, m.ids.suppressorId, "30000000", "25000000"]],
      ["winner", [m.ids.outbidId, m.ids.suppressorId, "25000000", m.seller.sellerId]],
    ] as const)
      for (const h of hidden) expect(JSON.stringify(bodies[p]), `${p} sees ${h}`).not.toContain(h);
    expect(JSON.stringify(bodies.admin)).toContain(m.ids.outbidId);
  });

  it("GET /v1/calls: the call is listed for its parties only", async () => {
    for (const p of PARTIES) {
      const path = p === "admin" ? `/v1/calls?sellerId=${m.seller.sellerId}` : "/v1/calls?limit=100";
      const res = await get(p, path);
      expect(res.status, p).toBe(200);
      const listed = (res.body.items as { callId: string }[]).some((i) => i.callId === callId);
      expect(listed, p).toBe(["admin", "winner", "seller"].includes(p));
    }
  });

  it("ledger: postings, statements (JSON and CSV) and balances carry no other party's legs", async () => {
    for (const p of PARTIES) {
      const id = account(p);
      const postings = await get(p, `/v1/ledger/postings?accountId=${id}`);
      expect(postings.status, p).toBe(200);
      expect((await get(p, `/v1/statements/${id}?month=${month}`)).status, p).toBe(200);
      const balance = id.startsWith("byr_") ? `/v1/buyers/${id}/balance` : `/v1/sellers/${id}/balance`;
      expect((await get(p, balance)).status, p).toBe(200);
      const lines = await csv(p, `/v1/statements/${id}?month=${month}&format=csv`);
      // A seller's statement adds each call's payout availability (payout holds).
      const held = id.startsWith("sel_") ? ",availability,available_at" : "";
      expect(lines[0]).toBe(`occurred_at,posting_id,kind,reference,memo,amount_micros,balance_micros${held}`);
    }
    const winner = await get("winner", `/v1/ledger/postings?accountId=${m.ids.winnerId}`);
    const charge = (winner.body.items as { reference: string; amountMicros: number }[]).filter(
      (i) => i.reference === callId,
    );
    expect(charge.map((i) => Math.abs(i.amountMicros))).toEqual([25_010_000]);
    const text =
      JSON.stringify(winner.body) +
      (await csv("winner", `/v1/statements/${m.ids.winnerId}?month=${month}&format=csv`)).join("\n");
    for (const leg of ["15006000", "10004000"]) expect(text).not.toContain(leg);
  });

  it("reports, JSON and CSV: no column outside the viewer's policy", async () => {
    for (const kind of ["calls", "revenue", "win-rates"])
      for (const p of PARTIES) {
        const q = p === "admin" ? `?accountId=${m.seller.sellerId}` : "";
        const json = await get(p, `/v1/reports/${kind}${q}`);
        expect(json.status, `${p} ${kind}`).toBe(200);
        const header = (await csv(p, `/v1/reports/${kind}${q}${q ? "&" : "?"}format=csv`))[0]!.split(",");
        expect(header).toEqual(json.body.columns);
        for (const col of header)
          expect(access(party(p).viewer.role, col), `${p} ${kind} ${col}`).not.toBe("no");
      }
    const columns = async (p: Party) => (await get(p, "/v1/reports/revenue")).body.columns;
    expect(await columns("winner")).toEqual(["campaignId", "billable", "chargedMicros"]);
    expect(await columns("seller")).toEqual([
      "campaignId",
      "billable",
      "chargedMicros",
      "payoutMicros",
      "marginMicros",
    ]);
  });

  it("webhooks: each party's payloads (and its delivery log) keep to its view; non-parties get none", async () => {
    const about = (b: Record<string, unknown>) => (b.data as { callId?: string }).callId === callId;
    for (const p of ["admin", "winner", "seller"] as const) {
      const got = await waitFor(
        async () => party(p).webhook.received.filter(about),
        (r) => r.some((b) => b.type === "call.billable"),
        30_000,
      );
      expect(
        got.map((b) => b.type),
        p,
      ).toContain("call.billable");
      for (const b of got) inPolicy(p, `webhook ${b.type}`, b);
      // The log's own fields (status, attempts) are the endpoint owner's; its payloads are call data.
      const log = await call("GET", `/v1/webhooks/${party(p).webhook.id}/deliveries`, { key: party(p).key });
      for (const d of log.body.items as { id: string; eventType: string }[]) {
        const detail = await call<{ payload: Record<string, unknown> }>(
          "GET",
          `/v1/webhooks/${party(p).webhook.id}/deliveries/${d.id}`,
          { key: party(p).key },
        );
        inPolicy(p, `delivery ${d.eventType}`, detail.body.payload);
      }
    }
    const billable = party("winner").webhook.received.find((b) => about(b) && b.type === "call.billable")!;
    expect(billable.data).toMatchObject({ buyerId: m.ids.winnerId, chargedMicros: 25_010_000 });
    expect(billable.data).not.toHaveProperty("payoutMicros");
    // Audiences are fixed when an event is enqueued, so once the parties' deliveries exist, these never come.
    for (const p of ["outbid", "suppressor", "otherSeller"] as const) {
      const log = await call("GET", `/v1/webhooks/${party(p).webhook.id}/deliveries`, { key: party(p).key });
      expect(log.body.items, p).toEqual([]);
      expect(party(p).webhook.received.filter(about), p).toEqual([]);
    }
  });

  it("live feed: each bidder hears the opportunity without the reserve and only its own outcome", async () => {
    for (const p of ["winner", "outbid"] as const) {
      const live = party(p).live!;
      const outcome = p === "winner" ? "won" : "lost";
      await waitFor(
        async () => live.messages.some((x) => x.callId === callId && x.type === outcome),
        Boolean,
      );
      const mine = live.messages.filter((x) => x.callId === callId);
      expect(mine.map((x) => x.type).sort(), p).toEqual([outcome, "opportunity"].sort());
      for (const x of mine) inPolicy(p, `live ${x.type}`, x);
      expect(JSON.stringify(mine)).not.toContain("10000000");
    }
  });

  it("disputes: the call's buyer and seller read the dispute (the seller without evidence), others 404", async () => {
    const opened = await call<{ id: string }>("POST", `/v1/calls/${callId}/disputes`, {
      key: party("winner").key,
      body: { reason: "spam", detail: "robocall", evidence: "crm ticket 7" },
    });
    expect(opened.status).toBe(201);
    inPolicy("winner", "POST disputes", opened.body);
    const status: Record<Party, number> = {
      admin: 200,
      winner: 200,
      outbid: 404,
      suppressor: 404,
      seller: 200,
      otherSeller: 404,
    };
    for (const p of PARTIES) {
      const res = await get(p, `/v1/calls/${callId}/disputes`);
      expect(res.status, p).toBe(status[p]);
      const list = await get(p, "/v1/disputes?limit=200");
      const listed = (list.body.data as { id: string }[]).some((d) => d.id === opened.body.id);
      expect(listed, p).toBe(status[p] === 200);
    }
    const seller = await get("seller", `/v1/calls/${callId}/disputes`);
    expect(JSON.stringify(seller.body)).not.toContain("crm ticket 7");
    expect(JSON.stringify((await get("winner", `/v1/calls/${callId}/disputes`)).body)).toContain(
      "crm ticket 7",
    );
  });
});
