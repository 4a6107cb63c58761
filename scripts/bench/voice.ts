// Offer latency through the carrier's voice webhook (a signed Twilio form POST on a tracking number,
// answered with TwiML), measured beside the JSON offer (POST /v1/calls) on the same market in the same
// run, alone and at concurrency 16: the webhook's cost over the offer is the edge (signature check,
// number lookup, TwiML), and both must stay well inside a carrier's webhook timeout (15 s at Twilio).
import { randomUUID } from "node:crypto";
import { signTwilio } from "../../api/telephony/sign.ts";
import { type LoadResult, percentile, type Req, runLoad } from "./driver.ts";
import { callerNumber, type Market } from "./market.ts";
import { offerOk } from "./offers.ts";

export interface VoiceRow {
  concurrency: number;
  offer: LoadResult;
  voice: LoadResult;
}

/** A free tracking number on the market's seller campaign (the seller's own key, as a partner would). */
async function trackingNumber(api: string, market: Market): Promise<string> {
  for (let i = 0; i < 20; i++) {
    const number = `+1954${[2, 3, 4, 6, 7, 8, 9][i % 7]}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
    const res = await fetch(`${api}/v1/numbers`, {
      method: "POST",
      headers: { authorization: `Bearer ${market.sellerKey}`, "content-type": "application/json" },
      body: JSON.stringify({ number, sellerCampaignId: market.sellerCampaignId }),
    });
    if (res.status === 201) return number;
    if (res.status !== 409) throw new Error(`tracking number: ${res.status} ${await res.text()}`);
  }
  throw new Error("no free tracking number after 20 tries");
}

/** The carrier's request for call `i`: a fresh CallSid, signed over the public URL as Twilio signs. */
export function voiceRequest(publicUrl: string, number: string, token: string, run: string, i: number): Req {
  const path = "/v1/telephony/twilio/voice";
  const params = {
    AccountSid: "ACbench",
    ApiVersion: "2010-04-01",
    CallSid: `CA${run}${String(i).padStart(12, "0")}`,
    CallStatus: "ringing",
    Direction: "inbound",
    From: callerNumber(i),
    FromState: "FL",
    StirVerstat: "TN-Validation-Passed-A",
    To: number,
  };
  return {
    method: "POST",
    path,
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": signTwilio(publicUrl + path, params, token),
    },
    body: new URLSearchParams(params).toString(),
  };
}

export const voiceOk = (status: number, body: string) => status === 200 && body.includes("<Response");
export const voiceDialed = (status: number, body: string) => status === 200 && body.includes("<Dial");

/** Rounds per comparison: short alternating runs, so the machine's drift hits both paths alike. */
const ROUNDS = 4;

/** Several runs of one path pooled: counts summed, percentiles over every sample. */
export function pooled(runs: LoadResult[]): LoadResult {
  const samples = runs.flatMap((r) => r.samples ?? []);
  const sorted = Float64Array.from(samples).sort();
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const sum = (k: "requests" | "errors" | "hits") => runs.reduce((a, r) => a + r[k], 0);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: sum("requests"),
    errors: sum("errors"),
    hits: sum("hits"),
    seconds: round(seconds),
    rps: round(sum("requests") / seconds),
    okRps: round((sum("requests") - sum("errors")) / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

export async function voiceLatency(
  api: string,
  market: Market,
  token: string,
  seconds: number,
): Promise<VoiceRow[]> {
  const number = await trackingNumber(api, market);
  const run = randomUUID().replaceAll("-", "").slice(0, 20);
  const rows: VoiceRow[] = [];
  let seq = 0;
  for (const concurrency of [1, 16]) {
    const load = {
      baseUrl: api,
      concurrency,
      durationMs: Math.max(1000, (seconds * 1000) / ROUNDS),
      keepSamples: true,
    };
    const offers: LoadResult[] = [];
    const voices: LoadResult[] = [];
    const offer = () =>
      runLoad({ ...load, next: () => market.offer(7e8 + seq++), ok: offerOk }).then((r) => offers.push(r));
    const voice = () =>
      runLoad({
        ...load,
        next: () => voiceRequest(api, number, token, run, seq++),
        ok: voiceOk,
        hit: voiceDialed,
      }).then((r) => voices.push(r));
    // Alternating, each path first in every other round, so neither always follows the other's load.
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) await offer().then(voice);
      else await voice().then(offer);
    }
    rows.push({ concurrency, offer: pooled(offers), voice: pooled(voices) });
  }
  return rows;
}

export function voiceMarkdown(rows: VoiceRow[]): string[] {
  const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [
    "## Offer latency through the voice webhook (10 candidates, same run)",
    "A signed Twilio voice webhook on a tracking number (signature check, number lookup, the offer, the TwiML answer) against the JSON offer (`POST /v1/calls`) on the same market, in four alternating rounds pooled per path. Shared 2-core machine: compare within the run.",
    "",
    row(["concurrency", "path", "req/s", "p50 ms", "p99 ms", "errors", "dialed"]),
    row(["---", "---", "---", "---", "---", "---", "---"]),
    ...rows.flatMap((r) => [
      row([
        r.concurrency,
        "POST /v1/calls (JSON offer)",
        r.offer.rps,
        r.offer.p50Ms,
        r.offer.p99Ms,
        r.offer.errors,
        "",
      ]),
      row([
        r.concurrency,
        "POST /v1/telephony/twilio/voice (signed webhook → TwiML)",
        r.voice.rps,
        r.voice.p50Ms,
        r.voice.p99Ms,
        r.voice.errors,
        r.voice.hits,
      ]),
    ]),
    "",
  ];
}
