// Exchange-core rules proven through the real stack: caps under concurrent offers, re-routing,
// routing expiry through the Dapr scheduler, seller caps and anonymous callers.
import { describe, expect, it } from "vitest";
import {
  call,
  createBuyer,
  createBuyerCampaign,
  createSeller,
  offerCall,
  randomCaller,
  uniq,
} from "./client.ts";

type Decision = {
  callId: string;
  status: string;
  buyerId?: string;
  priceMicros?: number;
  reason?: { code: string };
};
const vertical = () => `v_${uniq().slice(0, 8)}`;

function offer(seller: { key: string; sellerCampaignId: string }, extra: Record<string, unknown> = {}) {
  return offerCall<Decision>(seller, extra);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Three buyers bidding 30, 25 and 20 on a fresh vertical, and a seller re-routing up to `max` times. */
async function threeBidders(max: number) {
  const v = vertical();
  const buyers = [await createBuyer(), await createBuyer(), await createBuyer()] as const;
  for (const [i, buyer] of buyers.entries())
    await createBuyerCampaign(buyer, { vertical: v, bidMicros: 30_000_000 - i * 5_000_000 });
  const seller = await createSeller({
    vertical: v,
    reserveMicros: 1_000_000,
    reroute: { max, belowSec: 10 },
  });
  return { buyers, seller };
}

describe("caps under concurrent offers", () => {
  it("50 simultaneous offers: exactly 3 go to the buyer capped at 3 live calls, the rest elsewhere", async () => {
    const v = vertical();
    const capped = await createBuyer(1_000_000_000);
    await createBuyerCampaign(capped, { vertical: v, bidMicros: 30_000_000, caps: { concurrency: 3 } });
    const backup = await createBuyer(1_000_000_000);
    await createBuyerCampaign(backup, { vertical: v, bidMicros: 20_000_000, caps: { concurrency: 40 } });
    const seller = await createSeller({ vertical: v, reserveMicros: 1_000_000 });

    const results = await Promise.all(Array.from({ length: 50 }, () => offer(seller)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const by = (id: string) =>
      results.filter((r) => r.body.status === "routed" && r.body.buyerId === id).length;
    expect(by(capped)).toBe(3);
    expect(by(backup)).toBe(40);
    const noBid = results.filter((r) => r.body.status === "no_bid");
    expect(noBid).toHaveLength(7);
    expect(noBid.every((r) => r.body.reason?.code === "no_eligible_buyers")).toBe(true);

    const balance = await call<{ reservedMicros: number }>("GET", `/v1/buyers/${capped}/balance`);
    expect(balance.body.reservedMicros).toBe(3 * 30_000_000);

    // Ending one of the capped buyer's calls frees its slot for the next offer.
    const first = results.find((r) => r.body.buyerId === capped)!.body.callId;
    const failed = await call("POST", `/v1/calls/${first}/events`, {
      key: seller.key,
      body: { type: "failed", reason: "invalid_number" },
    });
    expect(failed.status).toBe(200);
    expect((await offer(seller)).body.buyerId).toBe(capped);
  });

  it("a daily cap holds under concurrent offers", async () => {
    const v = vertical();
    const buyer = await createBuyer(1_000_000_000);
    await createBuyerCampaign(buyer, { vertical: v, caps: { daily: 5 } });
    const seller = await createSeller({ vertical: v });
    const results = await Promise.all(Array.from({ length: 20 }, () => offer(seller)));
    expect(results.filter((r) => r.body.status === "routed")).toHaveLength(5);
    expect(results.filter((r) => r.body.status === "no_bid")).toHaveLength(15);
  });

  it("never reserves beyond balance plus credit limit", async () => {
    const v = vertical();
    const buyer = await createBuyer(50_000_000, 10_000_000); // $50 + $10 credit, $20 a call → 3 calls
    await createBuyerCampaign(buyer, { vertical: v, bidMicros: 20_000_000 });
    const seller = await createSeller({ vertical: v, reserveMicros: 1_000_000 });
    const results = await Promise.all(Array.from({ length: 10 }, () => offer(seller)));
    expect(results.filter((r) => r.body.status === "routed")).toHaveLength(3);
    const balance = await call("GET", `/v1/buyers/${buyer}/balance`);
    expect(balance.body).toEqual({
      balanceMicros: 50_000_000,
      creditLimitMicros: 10_000_000,
      reservedMicros: 60_000_000,
      availableMicros: 0,
    });
  });
});

describe("eligibility through the real stack (invariant 3)", () => {
  it("never routes a repeat caller to a buyer inside its duplicate window", async () => {
    const v = vertical();
    const strict = await createBuyer();
    await createBuyerCampaign(strict, { vertical: v, bidMicros: 30_000_000, duplicateWindowDays: 30 });
    const seller = await createSeller({ vertical: v });
    const caller = randomCaller();
    const first = await offer(seller, { callerNumber: caller });
    expect(first.body).toMatchObject({ status: "routed", buyerId: strict });
    const again = await offer(seller, { callerNumber: caller });
    expect(again.body.status).toBe("no_bid");
    const detail = await call<{ auction: { losers: { buyerId: string; reason: string }[] } }>(
      "GET",
      `/v1/calls/${again.body.callId}`,
    );
    expect(detail.body.auction.losers).toContainEqual(
      expect.objectContaining({ buyerId: strict, reason: "duplicate_caller" }),
    );
    expect((await offer(seller)).body.buyerId).toBe(strict); // another caller is fine
  });

  it("never routes outside a campaign's targeting or hours", async () => {
    const v = vertical();
    const closed = await createBuyer();
    const now = new Date();
    const day = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"][now.getUTCDay()];
    const hh = String((now.getUTCHours() + 2) % 24).padStart(2, "0");
    const hh2 = String((now.getUTCHours() + 3) % 24).padStart(2, "0");
    await createBuyerCampaign(closed, {
      vertical: v,
      bidMicros: 50_000_000,
      schedule: { timezone: "UTC", hours: [{ days: [day], open: `${hh}:00`, close: `${hh2}:00` }] },
    });
    const texas = await createBuyer();
    await createBuyerCampaign(texas, { vertical: v, bidMicros: 40_000_000, states: ["TX"] });
    const zipOnly = await createBuyer();
    await createBuyerCampaign(zipOnly, { vertical: v, bidMicros: 35_000_000, states: [], zips: ["10001"] });
    const open = await createBuyer();
    await createBuyerCampaign(open, { vertical: v, bidMicros: 10_000_000 });
    const seller = await createSeller({ vertical: v });
    const r = await offer(seller, { callerZip: "33101" });
    expect(r.body.buyerId).toBe(open);
    const detail = await call<{ auction: { losers: { buyerId: string; reason: string }[] } }>(
      "GET",
      `/v1/calls/${r.body.callId}`,
    );
    const reasons = Object.fromEntries(detail.body.auction.losers.map((l) => [l.buyerId, l.reason]));
    expect(reasons).toMatchObject({ [closed]: "closed_hours", [zipOnly]: "targeting_zip" });
    expect(Object.keys(reasons)).not.toContain(open);
    // The Texas campaign is not even a candidate for a Florida caller (the index is per state).
    expect(reasons[texas]).toBeUndefined();

    // The winning buyer sees its call, but never the other buyers' campaigns and bids.
    const key = await call<{ key: string }>("POST", "/v1/api-keys", {
      body: { accountId: open, role: "buyer" },
    });
    const asWinner = await call<{ auction: { losers: unknown[]; candidates: number } }>(
      "GET",
      `/v1/calls/${r.body.callId}`,
      { key: key.body.key },
    );
    expect(asWinner.status).toBe(200);
    expect(asWinner.body.auction.losers).toEqual([]);
    expect(JSON.stringify(asWinner.body)).not.toContain(closed);
  });
});

describe("buyer campaigns requiring consent", () => {
  it("reach only calls that carry a valid consent certificate for the caller", async () => {
    const v = vertical();
    const strict = await createBuyer();
    await createBuyerCampaign(strict, { vertical: v, bidMicros: 40_000_000, requireConsent: true });
    const open = await createBuyer();
    await createBuyerCampaign(open, { vertical: v, bidMicros: 10_000_000 });
    const seller = await createSeller({ vertical: v });
    const caller = randomCaller();
    const without = await offer(seller, { callerNumber: caller });
    expect(without.body.buyerId).toBe(open);
    const certificateId = `cert-${uniq()}`;
    const now = Date.now();
    const consent = await call("POST", "/v1/compliance/consents", {
      key: seller.key,
      body: {
        certificateId,
        callerNumber: caller,
        obtainedAt: new Date(now - 60_000).toISOString(),
        expiresAt: new Date(now + 86_400_000).toISOString(),
      },
    });
    expect(consent.status).toBe(201);
    const other = randomCaller();
    const withConsent = await offer(seller, { callerNumber: other });
    expect(withConsent.body.buyerId).toBe(open); // no certificate: still not the strict buyer
    const certified = await offer(seller, { callerNumber: caller, consentCertificate: certificateId });
    expect(certified.body.buyerId).toBe(strict);
  });
});

describe("routing", () => {
  it("a seller campaign over its hourly cap rejects the offer", async () => {
    const v = vertical();
    await createBuyerCampaign(await createBuyer(), { vertical: v });
    const seller = await createSeller({ vertical: v, caps: { hourly: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await offer(seller)).body);
    expect(statuses.map((d) => d.status)).toEqual(["routed", "routed", "rejected"]);
    expect(statuses[2]?.reason?.code).toBe("seller_cap_reached");
  });

  it("rejects anonymous and invalid caller numbers with their reason codes", async () => {
    const v = vertical();
    await createBuyerCampaign(await createBuyer(), { vertical: v });
    const seller = await createSeller({ vertical: v });
    expect((await offer(seller, { callerNumber: "anonymous" })).body.reason?.code).toBe("anonymous_caller");
    expect((await offer(seller, { callerNumber: "+11234567890" })).body.reason?.code).toBe(
      "invalid_caller_number",
    );
  });

  it("re-routes a call the buyer did not answer to the next bid, up to the limit", async () => {
    const {
      buyers: [a, b],
      seller,
    } = await threeBidders(1);
    const first = await offer(seller);
    expect(first.body.buyerId).toBe(a);
    const events = `/v1/calls/${first.body.callId}/events`;
    const noAnswer = await call<{ status: string; decision: Decision }>("POST", events, {
      key: seller.key,
      body: { type: "failed", reason: "no_answer" },
    });
    expect(noAnswer.body.status).toBe("routed");
    expect(noAnswer.body.decision).toMatchObject({ status: "routed", buyerId: b, priceMicros: 25_000_000 });
    expect(
      (await call<{ reservedMicros: number }>("GET", `/v1/buyers/${a}/balance`)).body.reservedMicros,
    ).toBe(0);

    // The limit (one re-route) is spent: the next no-answer ends the call.
    const again = await call<{ status: string }>("POST", events, {
      key: seller.key,
      body: { type: "failed", reason: "no_answer" },
    });
    expect(again.body.status).toBe("failed");
    expect(
      (await call<{ reservedMicros: number }>("GET", `/v1/buyers/${b}/balance`)).body.reservedMicros,
    ).toBe(0);
  });

  it("a re-route honours suppressions added after the offer: a buyer's own list, then an opt-out", async () => {
    const {
      buyers: [a, b, c],
      seller,
    } = await threeBidders(2);
    const caller = randomCaller();
    const first = await offer(seller, { callerNumber: caller });
    expect(first.body.buyerId).toBe(a);
    // Buyer b puts the caller on its own Do-Not-Call list while the call rings at a.
    const suppress = async (scope: string) =>
      expect((await call("POST", "/v1/compliance/dnc", { body: { numbers: [caller], scope } })).status).toBe(
        201,
      );
    await suppress(b);
    const events = `/v1/calls/${first.body.callId}/events`;
    const noAnswer = () =>
      call<{ status: string; decision: Decision }>("POST", events, {
        key: seller.key,
        body: { type: "failed", reason: "no_answer" },
      });
    const second = await noAnswer();
    expect(second.body.decision).toMatchObject({ status: "routed", buyerId: c, priceMicros: 20_000_000 });
    // Now the caller opts out exchange-wide: the next no-answer re-routes to nobody.
    await suppress("exchange");
    expect((await noAnswer()).body.status).toBe("failed");
    for (const buyer of [a, b, c])
      expect(
        (await call<{ reservedMicros: number }>("GET", `/v1/buyers/${buyer}/balance`)).body.reservedMicros,
      ).toBe(0);
  });

  it("re-routes when the buyer hangs up early, and bills the next buyer once", async () => {
    const v = vertical();
    const [a, b] = [await createBuyer(), await createBuyer()];
    await createBuyerCampaign(a, { vertical: v, bidMicros: 30_000_000, minDurationSec: 60 });
    await createBuyerCampaign(b, { vertical: v, bidMicros: 25_000_000, minDurationSec: 60 });
    const seller = await createSeller({ vertical: v, reserveMicros: 1_000_000 });
    const { callId } = (await offer(seller)).body;
    const post = (body: Record<string, unknown>) =>
      call<{ status: string; decision: Decision; billable: boolean }>("POST", `/v1/calls/${callId}/events`, {
        key: seller.key,
        body,
      });
    await post({ type: "connected" });
    const hungUp = await post({ type: "completed", durationSec: 3, hangupBy: "buyer" });
    expect(hungUp.body.decision.buyerId).toBe(b);
    await post({ type: "connected" });
    const done = await post({ type: "completed", durationSec: 75, hangupBy: "caller" });
    expect(done.body).toMatchObject({ status: "completed", billable: true, chargedMicros: 25_000_000 });
    expect((await call("GET", `/v1/buyers/${a}/balance`)).body).toMatchObject({ balanceMicros: 100_000_000 });
    expect((await call("GET", `/v1/buyers/${b}/balance`)).body).toMatchObject({ balanceMicros: 75_000_000 });
  });

  it("a routed call that never connects expires through the routing sweeper and frees the slot", async () => {
    const v = vertical();
    const buyer = await createBuyer();
    await createBuyerCampaign(buyer, { vertical: v, caps: { concurrency: 1 } });
    const seller = await createSeller({ vertical: v, routingTtlSec: 5 });
    const first = await offer(seller);
    expect(first.body.status).toBe("routed");
    expect((await offer(seller)).body.status).toBe("no_bid");
    let status = "";
    for (let i = 0; i < 40 && status !== "expired"; i++) {
      await sleep(500);
      status = (await call<{ status: string }>("GET", `/v1/calls/${first.body.callId}`)).body.status;
    }
    expect(status).toBe("expired");
    expect(
      (await call<{ reservedMicros: number }>("GET", `/v1/buyers/${buyer}/balance`)).body.reservedMicros,
    ).toBe(0);
    expect((await offer(seller)).body.status).toBe("routed");
  }, 60_000);
});
