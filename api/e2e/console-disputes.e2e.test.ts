// The dispute journey in the console, in Chromium through the whole stack: a buyer opens a dispute on
// a billable call from the call's page and follows it; the seller of the call and the operator see it,
// and the operator's partial refund reaches the buyer's page.
// Built against the disputes contract (POST /v1/calls/{id}/disputes, GET /v1/disputes), which the
// disputes branch (issue 16) provides: this file passes once both are merged.
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "./client.ts";
import {
  ADMIN_KEY,
  axeViolations,
  type ConsoleMarket,
  consoleMarket,
  launch,
  shot,
  signIn,
} from "./console-browser.ts";
import { API } from "./stack.ts";

let browser: Browser;
let market: ConsoleMarket;

async function signedIn(key: string): Promise<Page> {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await signIn(page, key);
  return page;
}

beforeAll(async () => {
  [browser, market] = await Promise.all([launch(), consoleMarket(`console_dsp_${Date.now().toString(36)}`)]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

describe("console disputes", () => {
  it("a buyer opens a dispute on a billable call and follows it; seller and operator see it", async () => {
    const buyer = await signedIn(market.buyerKey);
    await buyer.goto(`${API}/console/buyer/calls/${market.callId}`);
    await buyer.getByLabel("Reason").selectOption("not_qualified");
    await buyer.getByLabel("Detail").fill("caller asked for another product");
    await buyer.getByRole("button", { name: "Open a dispute" }).click();
    // The flash says what the API answered: "Dispute dsp_… opened.", or the problem it refused with.
    expect(await buyer.locator(".flash").textContent()).toMatch(/^Dispute dsp_\S+ opened\.$/);
    const opened = await call<{ data: { id: string; status: string; reason: string }[] }>(
      "GET",
      `/v1/calls/${market.callId}/disputes`,
    );
    expect(opened.body.data[0]).toMatchObject({ reason: "not_qualified" });
    const id = opened.body.data[0]!.id;

    await buyer.goto(`${API}/console/buyer/disputes`);
    const row = buyer.locator("tr", { hasText: id });
    await expect.poll(() => row.count()).toBe(1);
    expect(await axeViolations(buyer)).toEqual([]);
    await shot(buyer, "console-buyer-disputes-open");

    const seller = await signedIn(market.seller.key);
    await seller.goto(`${API}/console/seller/disputes`);
    expect(await seller.locator("tr", { hasText: id }).count()).toBe(1);

    const operator = await signedIn(ADMIN_KEY());
    await operator.goto(`${API}/console/operator/disputes`);
    expect(await operator.locator("tr", { hasText: id }).count()).toBe(1);

    // The operator refunds part of the charge; the buyer follows the decision.
    const form = operator.locator("form", { hasText: `Decision on ${id}` }); // others may be open too
    await form.getByLabel(`Decision on ${id} (not_qualified)`).selectOption("partial");
    await form.getByLabel("Partial refund (USD)").fill("5.00");
    await form.getByLabel("Note").fill("half the call was qualified");
    await form.getByRole("button", { name: "Decide" }).click();
    expect(await operator.locator(".flash").textContent()).toBe(`Dispute ${id}: partially_accepted.`);
    await buyer.goto(`${API}/console/buyer/disputes`);
    const decided = buyer.locator("tr", { hasText: id });
    expect(await decided.locator(".badge").textContent()).toBe("partially_accepted");
    expect(await decided.locator('[data-config="refundMicros"]').textContent()).toBe("$5.00");
  });
});
