// The carrier e2e tests' market: buyers on a fresh vertical, a seller campaign with a tracking number,
// the voice webhook's parameters, and the buyer leg as a carrier reports it.
import { attr, trackingNumber, twilioPost } from "./carrier.ts";
import { call, createBuyer, createBuyerCampaign, createSeller, randomCaller, uniq } from "./client.ts";

export const vertical = () => `v_${uniq().slice(0, 8)}`;

export interface CallView {
  callId: string;
  status: string;
  durationSec?: number;
  billable: boolean | null;
  chargedMicros: number | null;
  hangupBy?: string | null;
  flags?: string[];
  decision: { buyerId?: string; bidId?: string };
}

/** Buyers bidding 30, 25, ... on a fresh vertical, a seller campaign with `campaign`, and a tracking number. */
export async function market(buyers = 1, campaign: Record<string, unknown> = {}, minDurationSec = 60) {
  const v = vertical();
  const ids: string[] = [];
  for (let i = 0; i < buyers; i++) {
    const buyer = await createBuyer();
    await createBuyerCampaign(buyer, {
      vertical: v,
      bidMicros: 30_000_000 - i * 5_000_000,
      minDurationSec,
      destination: { number: `+1305987000${i}` },
    });
    ids.push(buyer);
  }
  const seller = await createSeller({ vertical: v, ...campaign });
  const number = await trackingNumber(seller.sellerCampaignId, ["carrier-e2e"]);
  return { buyers: ids, seller, number };
}

export const voiceParams = (to: string, sid = `CA${uniq().replace(/-/g, "")}`) => ({
  CallSid: sid,
  AccountSid: "AC00000000000000000000000000000000",
  From: randomCaller(),
  To: to,
  CallStatus: "ringing",
  Direction: "inbound",
  ApiVersion: "2010-04-01",
  FromState: "FL",
  StirVerstat: "TN-Validation-Passed-A",
});

/** The call the Dial's callback URLs name. */
export const callIdOf = (xml: string) =>
  /\/calls\/([^/]+)\/dial/.exec(attr(xml, "Dial", "action") ?? "")?.[1] ?? "";
export const getCall = async (callId: string) => (await call<CallView>("GET", `/v1/calls/${callId}`)).body;
export const buyerBalance = async (buyerId: string) =>
  (await call<{ balanceMicros: number; reservedMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`))
    .body;

/** The refused carrier signatures the audit chain holds under `aggregateId`. */
export async function refusalsAudited(aggregateId: string): Promise<number> {
  const audit = await call<{ items: { type: string }[] }>(
    "GET",
    `/v1/audit?aggregateId=${aggregateId}&limit=100`,
  );
  return audit.body.items.filter((e) => e.type === "telephony.signature_refused").length;
}

/** The buyer leg as the carrier reports it, to the statusCallback the answer named. */
export function leg(xml: string, legSid = `CA${uniq().replace(/-/g, "")}`) {
  const url = attr(xml, "Number", "statusCallback") ?? attr(xml, "Sip", "statusCallback") ?? "";
  const post = (status: string, extra: Record<string, string> = {}) =>
    twilioPost(url, { CallSid: legSid, CallStatus: status, ...extra });
  return { url, legSid, post };
}
