// Per-key rate limits through the real stack: a fresh key bursting past its budget gets 429 problems
// with Retry-After and RateLimit-* headers, while another key is unaffected.
import { describe, expect, it } from "vitest";
import { call, createSeller } from "./client.ts";
import { API } from "./stack.ts";

const get = (key: string) =>
  fetch(`${API}/v1/compliance/rules/calling-hours`, { headers: { authorization: `Bearer ${key}` } }).then(
    async (res) => Object.assign(res, { text: await res.text() }),
  );

describe("rate limits", () => {
  it("answers 429 rate_limited with Retry-After once a key's burst is spent", async () => {
    const a = await createSeller();
    const b = await createSeller();
    const first = await get(a.key);
    expect(first.status).toBe(200);
    // The stack's default budget (actors/platform/config.ts: DCE_RATE_LIMIT_BURST, unset in dapr.yaml).
    expect(first.headers.get("ratelimit-limit")).toBe("1000");
    expect(first.headers.get("ratelimit-remaining")).toBe("999");
    let refused: Awaited<ReturnType<typeof get>> | undefined;
    for (let batch = 0; batch < 100 && !refused; batch++) {
      const answers = await Promise.all(Array.from({ length: 100 }, () => get(a.key)));
      refused = answers.find((r) => r.status === 429);
    }
    expect(refused?.status).toBe(429);
    expect(refused!.headers.get("content-type")).toContain("application/problem+json");
    // At 100 requests a second the next token is 10 ms away: Retry-After rounds up to whole seconds.
    expect(refused!.headers.get("retry-after")).toBe("1");
    expect(refused!.headers.get("ratelimit-remaining")).toBe("0");
    expect(JSON.parse(refused!.text)).toMatchObject({ status: 429, code: "rate_limited" });
    expect((await get(b.key)).status).toBe(200);
    // the offer endpoint keeps its own budget
    const offer = await call("POST", "/v1/calls", {
      key: a.key,
      idempotencyKey: crypto.randomUUID(),
      body: { sellerCampaignId: a.sellerCampaignId, callerNumber: "+13059871234", callerState: "FL" },
    });
    expect(offer.status).toBe(201);
  });
});
