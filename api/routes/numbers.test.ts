// The tracking-number routes' checks that answer before any backing service: number syntax, the CSV
// import's content type, header and row cap (the store and authorization are proven in numbers.e2e).
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../actors/kernel/limits.ts";
import { offlineApp, TEST_ADMIN_KEY } from "../openapi/test-app.ts";

const app = offlineApp();
const auth = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
const campaign = `scp_${"0".repeat(28)}`;

async function send(method: string, path: string, body: string, type = "application/json") {
  const res = await app.request(path, { method, body, headers: { ...auth, "content-type": type } });
  return {
    status: res.status,
    body: (await res.json()) as { code: string; detail: string; limit?: unknown },
  };
}

describe("POST /v1/numbers", () => {
  it.each(["2125551234", "+1 212 555 1234", "+15551234567", "+442071234567"])(
    "refuses %j as validation_failed",
    async (number) => {
      const r = await send("POST", "/v1/numbers", JSON.stringify({ number, sellerCampaignId: campaign }));
      expect(r).toMatchObject({ status: 400, body: { code: "validation_failed" } });
      expect(r.body.detail).toContain("number");
    },
  );
});

describe("the number in the path", () => {
  it.each(["GET", "DELETE"])("%s of a malformed number is number_unknown", async (method) => {
    const res = await app.request("/v1/numbers/12345", { method, headers: auth });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe("number_unknown");
  });
});

describe("POST /v1/numbers/import", () => {
  const row = (i: number) => `+1212555${String(1000 + i).padStart(4, "0")},${campaign},`;

  it("takes text/csv only", async () => {
    const r = await send("POST", "/v1/numbers/import", "number,sellerCampaignId\n");
    expect(r).toMatchObject({ status: 400, body: { code: "validation_failed" } });
  });

  it("refuses a file whose header names other columns", async () => {
    const r = await send("POST", "/v1/numbers/import", "phone,campaign\n+12125551234,x\n", "text/csv");
    expect(r).toMatchObject({ status: 400, body: { code: "validation_failed" } });
  });

  it("refuses a file over the row cap whole, naming the limit", async () => {
    const rows = Array.from({ length: LIMITS["numbers.import"] + 1 }, (_, i) => row(i));
    const r = await send(
      "POST",
      "/v1/numbers/import",
      ["number,sellerCampaignId,tags", ...rows].join("\n"),
      "text/csv",
    );
    expect(r).toMatchObject({
      status: 400,
      body: { code: "limit_exceeded", limit: { name: "numbers.import", max: LIMITS["numbers.import"] } },
    });
  });
});
