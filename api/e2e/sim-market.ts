// A market for carrier-simulator scenarios, built through the partner API: buyers with campaigns in a
// vertical of the scenario's own (each dialed at its own destination), a seller campaign, and a
// tracking number on it (POST /v1/numbers with the seller's key); plus the simulated call against it.
import { offerCallId } from "../offer.ts";
import type { BuyerBook } from "../telephony/sim/buyers.ts";
import { runCall } from "../telephony/sim/carrier.ts";
import { httpSend, type SignatureMode } from "../telephony/sim/http.ts";
import { carrierId, type Provider } from "../telephony/sim/params.ts";
import type { Faults, Send, SimCall, SimResult } from "../telephony/sim/types.ts";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  randomCaller,
  uniq,
  waitFor,
} from "./client.ts";
import { API, stackSecret } from "./stack.ts";

export const DEPOSIT = 100_000_000;

export interface CarrierMarket {
  vertical: string;
  seller: { sellerId: string; sellerCampaignId: string; key: string };
  number: string;
  /** Buyers by name, each with its campaign's destination. */
  buyers: Record<string, { buyerId: string; campaignId: string; destination: string }>;
}

/** `bids`: each buyer's bid (first price, so its price), all with a 60 s minimum unless given. */
export async function carrierMarket(
  bids: Record<string, number>,
  opts: { minDurationSec?: number; seller?: Record<string, unknown> } = {},
): Promise<CarrierMarket> {
  const vertical = `sim_${uniq().slice(0, 8)}`;
  const buyers: CarrierMarket["buyers"] = {};
  for (const [name, bidMicros] of Object.entries(bids)) {
    const buyerId = await createBuyer(DEPOSIT);
    const destination = randomCaller("786");
    const campaignId = await createBuyerCampaign(buyerId, {
      vertical,
      bidMicros,
      minDurationSec: opts.minDurationSec ?? 60,
      destination: { number: destination },
    });
    buyers[name] = { buyerId, campaignId, destination };
  }
  const seller = await createSeller({
    vertical,
    auction: "first",
    payout: { type: "share", percent: 60 },
    ...opts.seller,
  });
  const number = await trackingNumber(seller);
  return { vertical, seller, number, buyers };
}

async function trackingNumber(seller: { key: string; sellerCampaignId: string }): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const number = randomCaller("954");
    const res = await call("POST", "/v1/numbers", {
      key: seller.key,
      body: { number, sellerCampaignId: seller.sellerCampaignId },
    });
    if (res.status === 201) return number;
    if (res.status !== 409 || attempt > 5)
      throw new Error(`tracking number: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/**
 * Plays one inbound call from a Florida caller to the market's tracking number. `onAnswered` runs once
 * the buyer leg's answered callback is delivered, with the exchange's call id (a party acting mid-call).
 */
export function simulate(
  m: CarrierMarket,
  provider: Provider,
  buyers: BuyerBook,
  opts: {
    faults?: Faults;
    signature?: SignatureMode;
    call?: Partial<SimCall>;
    onAnswered?: (callId: string) => Promise<void>;
  } = {},
): Promise<SimResult> {
  const callSid = opts.call?.callSid ?? carrierId(provider, "CA");
  const wire = httpSend({
    provider,
    credentials: {
      twilioAuthToken: stackSecret("DCE_TWILIO_AUTH_TOKEN"),
      telnyxPrivateKey: stackSecret("DCE_TELNYX_SIM_PRIVATE_KEY"),
    },
    signature: opts.signature,
  });
  const send: Send = async (req) => {
    const answer = await wire(req);
    if (opts.onAnswered && req.kind === "status" && req.params.CallStatus === "in-progress")
      await opts.onAnswered(offerCallId(m.seller.sellerId, `${provider}:${callSid}`));
    return answer;
  };
  return runCall(
    {
      provider,
      voiceUrl: `${API}/v1/telephony/${provider}/voice`,
      from: randomCaller(),
      to: m.number,
      callerState: "FL",
      attestation: "A",
      ...opts.call,
      callSid,
    },
    { send, buyers, faults: opts.faults, startedAt: new Date() },
  );
}

/** The exchange's id of the call a carrier call became (its offer's idempotency key is provider:CallSid). */
export const exchangeCallId = (m: CarrierMarket, provider: Provider, r: SimResult) =>
  offerCallId(m.seller.sellerId, `${provider}:${r.callSid}`);

export interface CallView {
  status: string;
  decision?: { buyerId?: string };
  durationSec?: number;
  hangupBy?: string | null;
  flags?: string[];
  billing?: { billable: boolean; chargedMicros: number; payoutMicros: number };
}

/** The call once it is final (completed or failed) and, when billable, its charge is on the books. */
export async function finalCall(callId: string) {
  const r = await waitFor(
    () => call<CallView>("GET", `/v1/calls/${callId}`),
    (r) => ["completed", "failed"].includes(r.body.status) && r.body.billing !== undefined,
  );
  return r.body;
}

type Postings = { balanceMicros: number; items: { kind: string; reference: string; amountMicros: number }[] };

/** A buyer's ledger charges and its balance as the API reports it, once `charges` of them are posted. */
export async function buyerBooks(buyerId: string, charges: number) {
  const postings = await waitFor(
    () => call<Postings>("GET", `/v1/ledger/postings?accountId=${buyerId}`),
    (r) => r.body.items.filter((i) => i.kind === "charge").length >= charges,
  );
  // The hold ends with the call, in the buyer's actor: wait for it rather than race it.
  const balance = await waitFor(
    () => call<{ balanceMicros: number; reservedMicros: number }>("GET", `/v1/buyers/${buyerId}/balance`),
    (r) => r.body.reservedMicros === 0,
  );
  return {
    charges: postings.body.items.filter((i) => i.kind === "charge"),
    balanceMicros: balance.body.balanceMicros,
    reservedMicros: balance.body.reservedMicros,
  };
}

export async function sellerEarned(sellerId: string): Promise<number> {
  return (await call<{ earnedMicros: number }>("GET", `/v1/sellers/${sellerId}/balance`)).body.earnedMicros;
}
