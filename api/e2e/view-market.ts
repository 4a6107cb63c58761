// The market the view-matrix e2e test reads: one second-price call with a winner, an outbid buyer and
// a buyer that suppresses the caller, each party with its key, webhook receiver and (buyers) live feed.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Viewer } from "../views/policy.ts";
import { buyerKey, type LiveMessage, liveBidder } from "./bidders.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";
import { adminKey } from "./stack.ts";

export type Party = "admin" | "winner" | "outbid" | "suppressor" | "seller" | "otherSeller";
export interface Member {
  party: Party;
  key: string;
  viewer: Viewer;
  webhook: { id: string; received: Record<string, unknown>[] };
  live?: { messages: LiveMessage[]; close(): void };
}

/** A loopback receiver that keeps every JSON body it is sent. */
async function receiver() {
  const received: Record<string, unknown>[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push(JSON.parse(body) as Record<string, unknown>);
    res.writeHead(204).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { url, received, close };
}

const EVENTS = ["call.routed", "call.ringing", "call.connected", "call.completed", "call.billable"];

export async function viewMarket() {
  const vertical = `vm_${uniq().slice(0, 8)}`;
  const caller = randomCaller();
  const [winnerId, outbidId, suppressorId] = await Promise.all([createBuyer(), createBuyer(), createBuyer()]);
  await createBuyerCampaign(winnerId, { vertical, bidMicros: 30_000_000 });
  await createBuyerCampaign(outbidId, { vertical, bidMicros: 25_000_000 });
  await createBuyerCampaign(suppressorId, { vertical, bidMicros: 50_000_000 });
  const seller = await createSeller({
    vertical,
    reserveMicros: 10_000_000,
    auction: "second",
    payout: { type: "share", percent: 60 },
    maxAuctionMs: 1_500,
  });
  const other = await createSeller({ vertical });
  const keys: Record<Party, [string, Viewer]> = {
    admin: [adminKey(), { role: "admin" }],
    winner: [await buyerKey(winnerId), { role: "buyer", accountId: winnerId }],
    outbid: [await buyerKey(outbidId), { role: "buyer", accountId: outbidId }],
    suppressor: [await buyerKey(suppressorId), { role: "buyer", accountId: suppressorId }],
    seller: [seller.key, { role: "seller", accountId: seller.sellerId }],
    otherSeller: [other.key, { role: "seller", accountId: other.sellerId }],
  };
  // The highest bidder keeps this caller on its own Do-Not-Call list: its loss reads buyer_suppressed.
  const dnc = await call("POST", "/v1/compliance/dnc", {
    key: keys.suppressor[0],
    body: { numbers: [caller] },
  });
  if (dnc.status !== 201) throw new Error(`dnc: ${dnc.status} ${JSON.stringify(dnc.body)}`);
  const closers: (() => void)[] = [];
  const members = {} as Record<Party, Member>;
  for (const [party, [key, viewer]] of Object.entries(keys) as [Party, [string, Viewer]][]) {
    const rx = await receiver();
    closers.push(rx.close);
    const hook = await call<{ id: string }>("POST", "/v1/webhooks", {
      key,
      body: { url: rx.url, eventTypes: EVENTS },
    });
    if (hook.status !== 201) throw new Error(`webhook: ${hook.status} ${JSON.stringify(hook.body)}`);
    members[party] = { party, key, viewer, webhook: { id: hook.body.id, received: rx.received } };
  }
  // The two buyers that will bid are also on the live feed; they decline there, so standing bids rule.
  for (const party of ["winner", "outbid"] as const) {
    const live = await liveBidder({ key: members[party].key, bid: () => 0 });
    members[party].live = live;
    closers.push(() => live.close());
  }
  return {
    vertical,
    caller,
    seller,
    other,
    ids: { winnerId, outbidId, suppressorId },
    members,
    close: () => {
      for (const c of closers) c();
    },
  };
}
