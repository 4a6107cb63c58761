// Per-key rate limits through the real stack: a fresh key bursting past its budget gets 429 problems
// with Retry-After and RateLimit-* headers, while another key is unaffected.
import { describe, expect, it } from "vitest";
import { call, createSeller } from "./client.ts";
import { API } from "./stack.ts";

const get = (key: string) =>
  fetch(`${API}/v1/compliance/rules/calling-hours`, { headers: { authorization: `Bearer ${key}` } }).then(
    async (res) => {
      await res.arrayBuffer();
      return res;
    },
  );

describe("rate limits", () => {
  it("answers 429 rate_limited with Retry-After once a key's burst is spent", async () => {
    const a = await createSeller();
    const b = await createSeller();
    const first = await get(a.key);
    expect(first.status).toBe(200);
    const limit = Number(first.headers.get("ratelimit-limit"));
    expect(limit).toBeGreaterThan(0);
    expect(Number(first.headers.get("ratelimit-remaining"))).toBe(limit - 1);
    let refused: Response | undefined;
    for (let batch = 0; batch < 100 && !refused; batch++) {
      const answers = await Promise.all(Array.from({ length: 100 }, () => get(a.key)));
      refused = answers.find((r) => r.status === 429);
    }
    expect(refused?.status).toBe(429);
    expect(refused!.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused!.headers.get("ratelimit-remaining")).toBe("0");
    const problem = await fetch(`${API}/v1/compliance/rules/calling-hours`, {
      headers: { authorization: `Bearer ${a.key}` },
    });
    if (problem.status === 429)
      expect(((await problem.json()) as { code: string }).code).toBe("rate_limited");
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
