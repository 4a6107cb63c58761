// The console in a real browser (Chromium from the Debian package, Playwright's library API) through the
// whole stack: sign-in per role, sessions and CSRF, the buyer's campaign journey, the operator's live
// auctions, the seller's statement download, keyboard use, axe-core, screenshots of every main page, and
// a walk of every page per role proving no field the view policy hides is shown.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import type { Browser, BrowserContext, Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { access } from "../views/policy.ts";
import { call, offerCall, waitFor } from "./client.ts";
import {
  ADMIN_KEY,
  axeViolations,
  type ConsoleMarket,
  consoleMarket,
  dollars,
  launch,
  shot,
  signIn,
  signOut,
} from "./console-browser.ts";
import { API } from "./stack.ts";

const VERTICAL = `console_${Date.now().toString(36)}`;
const PAGES = {
  admin: [
    "/console/operator",
    "/console/operator/pipeline",
    "/console/operator/risk",
    "/console/operator/disputes",
  ],
  buyer: [
    "/console/buyer",
    "/console/buyer/campaigns",
    "/console/buyer/calls",
    "/console/buyer/disputes",
    "/console/buyer/webhooks",
  ],
  seller: [
    "/console/seller",
    "/console/seller/campaigns",
    "/console/seller/calls",
    "/console/seller/disputes",
    "/console/seller/webhooks",
  ],
} as const;

const redis = new Redis(process.env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380");
let browser: Browser;
let market: ConsoleMarket;
const contexts: Record<string, { context: BrowserContext; page: Page }> = {};

/** One signed-in context per role, reused by every test of this file. */
async function as(role: "admin" | "buyer" | "seller"): Promise<Page> {
  const found = contexts[role];
  if (found) return found.page;
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, role === "admin" ? ADMIN_KEY() : role === "buyer" ? market.buyerKey : market.seller.key);
  contexts[role] = { context, page };
  return page;
}

/** The focused element's text or `name` attribute (evaluated in the page, which has a DOM). */
const focused = (page: Page, what: "textContent" | "name") =>
  page.evaluate(
    what === "name" ? "document.activeElement?.getAttribute('name')" : "document.activeElement?.textContent",
  );

beforeAll(async () => {
  [browser, market] = await Promise.all([launch(), consoleMarket(VERTICAL)]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  redis.disconnect();
});

describe("console sign-in and sessions", () => {
  it("signs each role in to its own home with role-aware navigation, and never renders the key", async () => {
    const homes = { admin: "Market", buyer: "Overview", seller: "Earnings" } as const;
    for (const role of ["admin", "buyer", "seller"] as const) {
      const page = await as(role);
      await page.goto(`${API}${PAGES[role][0]}`);
      await expect.poll(() => page.locator("h1").textContent()).toBe(homes[role]);
      const nav = await page.locator("nav.main a").allTextContents();
      expect(nav.length).toBeGreaterThan(2);
      const key = role === "admin" ? ADMIN_KEY() : role === "buyer" ? market.buyerKey : market.seller.key;
      expect(await page.content()).not.toContain(key);
      // Another role's pages are refused.
      const other = role === "buyer" ? "/console/seller" : "/console/buyer";
      const res = await page.goto(`${API}${other}`);
      expect(res?.status()).toBe(403);
    }
    const buyerNav = await (await as("buyer")).locator("nav.main a").allTextContents();
    expect(buyerNav).toContain("Campaigns");
    expect(buyerNav).not.toContain("Pipeline");
  });

  it("sets an HttpOnly, SameSite=Strict session cookie with an expiry", async () => {
    const { context } = contexts.buyer ?? { context: undefined };
    const cookies = await context!.cookies();
    const session = cookies.find((c) => c.name === "dce_console");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    expect(session?.expires).toBeGreaterThan(Date.now() / 1000 + 3600);
    expect(session?.expires).toBeLessThanOrEqual(Date.now() / 1000 + 8 * 3600 + 5);
    expect(session?.value).not.toContain(market.buyerKey);
  });

  it("refuses a wrong key, ends a session on sign-out and on expiry", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${API}/console/sign-in`);
    await page.getByLabel("API key").fill("dce_not_a_real_key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not valid");
    expect(page.url()).toMatch(/\/console\/sign-in$/);

    await signIn(page, market.seller.key);
    const cookie = (await context.cookies()).find((c) => c.name === "dce_console")!;
    await signOut(page);
    // The old cookie no longer opens a page, even when presented again.
    await context.addCookies([cookie]);
    await page.goto(`${API}/console/seller`);
    expect(page.url()).toMatch(/\/console\/sign-in$/);

    // The session lives in Redis with a TTL; once it lapses, the browser is sent back to sign-in.
    await signIn(page, market.seller.key);
    const token = (await context.cookies()).find((c) => c.name === "dce_console")!.value;
    const key = `dce:console:session:${createHash("sha256").update(token).digest("hex")}`;
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(3600);
    expect(ttl).toBeLessThanOrEqual(8 * 3600);
    expect(await redis.get(key)).not.toContain(market.seller.key); // the key is sealed, not stored in clear
    await redis.pexpire(key, 1);
    await new Promise((r) => setTimeout(r, 20));
    await page.goto(`${API}/console/seller`);
    expect(page.url()).toMatch(/\/console\/sign-in$/);
    await context.close();
  });

  it("ends the session when its API key is revoked", async () => {
    const key = await call<{ id: string; key: string }>("POST", "/v1/api-keys", {
      body: { accountId: market.seller.sellerId, role: "seller" },
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, key.body.key);
    expect(await page.locator("h1").textContent()).toBe("Earnings");
    const revoked = await call("POST", `/v1/api-keys/${key.body.id}/revoke`);
    expect(revoked.status).toBe(200);
    // Revocations reach every API replica's key cache within a second.
    await expect
      .poll(async () => {
        await page.goto(`${API}/console/seller/calls`);
        return page.url();
      })
      .toMatch(/\/console\/sign-in$/);
    expect((await context.cookies()).some((c) => c.name === "dce_console")).toBe(false);
    await context.close();
  });

  it("refuses a state-changing form without the session's CSRF token", async () => {
    const { context } = contexts.buyer!;
    const token = (await context.cookies()).find((c) => c.name === "dce_console")!.value;
    const res = await fetch(`${API}/console/buyer/campaigns/${market.buyerCampaignId}/status`, {
      method: "POST",
      headers: { cookie: `dce_console=${token}`, "content-type": "application/x-www-form-urlencoded" },
      body: "status=paused&_csrf=forged",
      redirect: "manual",
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("csrf_invalid");
    const campaign = await call<{ status: string }>(
      "GET",
      `/v1/buyers/${market.buyerId}/campaigns/${market.buyerCampaignId}`,
    );
    expect(campaign.body.status).toBe("active");
    // Forms are small: a body past 64 KB is refused before anything reads it.
    const big = await fetch(`${API}/console/buyer/campaigns`, {
      method: "POST",
      headers: { cookie: `dce_console=${token}`, "content-type": "application/x-www-form-urlencoded" },
      body: `name=${"x".repeat(70_000)}`,
      redirect: "manual",
    });
    expect(big.status).toBe(413);
  });
});

describe("console journeys", () => {
  it("a buyer creates a campaign, pauses it, edits it and resumes it", async () => {
    const page = await as("buyer");
    await page.goto(`${API}/console/buyer/campaigns`);
    const name = `Console ${Date.now().toString(36)}`;
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Vertical").fill(`${VERTICAL}_new`);
    await page.getByLabel("Bid (USD)").fill("12.34");
    await page.getByRole("button", { name: "Create campaign" }).click();
    await expect.poll(() => page.locator(".flash.ok").textContent()).toContain(name);
    const row = page.locator("tr", { hasText: name });
    await row.getByRole("button", { name: `Pause ${name}` }).click();
    await expect
      .poll(() => page.locator("tr", { hasText: name }).locator(".badge").first().textContent())
      .toBe("paused");
    const list = await call<{ items: { id: string; name: string; status: string; bidMicros: number }[] }>(
      "GET",
      `/v1/buyers/${market.buyerId}/campaigns`,
    );
    const created = list.body.items.find((i) => i.name === name);
    expect(created).toMatchObject({ status: "paused", bidMicros: 12_340_000 });
    // Edit it: a new name and states, saved through PATCH.
    await page.getByRole("link", { name, exact: true }).click();
    await page.getByLabel("Name", { exact: true }).fill(`${name} edited`);
    await page.getByLabel("States (comma-separated)").fill("fl, ga");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => page.locator(".flash.ok").textContent()).toBe(`${name} edited: saved.`);
    const edited = await call<{ name: string; states: string[] }>(
      "GET",
      `/v1/buyers/${market.buyerId}/campaigns/${created?.id}`,
    );
    expect(edited.body).toMatchObject({ name: `${name} edited`, states: ["FL", "GA"] });
    await page
      .locator("tr", { hasText: name })
      .getByRole("button", { name: `Resume ${name} edited` })
      .click();
    await expect
      .poll(() => page.locator("tr", { hasText: name }).locator(".badge").first().textContent())
      .toBe("active");
  });

  it("a buyer changes the bid of several campaigns in one batch, and sees a refused one named", async () => {
    const page = await as("buyer");
    await page.goto(`${API}/console/buyer/campaigns`);
    const boxes = page.getByRole("checkbox");
    expect(await boxes.count()).toBeGreaterThanOrEqual(2);
    for (const box of await boxes.all()) await box.check();
    // A stale or tampered form also names another buyer's campaign: the batch refuses that item alone.
    const foreign = await call<{ items: { id: string; bidMicros: number }[] }>(
      "GET",
      `/v1/buyers/${market.loserId}/campaigns`,
    );
    const foreignId = foreign.body.items[0]?.id ?? "";
    expect(foreignId).toMatch(/^bcp_/);
    const addForeign = () =>
      page.evaluate(
        `(() => { const i = document.createElement("input"); i.type = "hidden"; i.name = "ids";
          i.value = ${JSON.stringify(foreignId)}; document.getElementById("bulk").append(i); })()`,
      );
    await addForeign();
    const routeCount = async (route: string, method: string) => {
      const text = await (
        await fetch(`${API}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY()}` } })
      ).text();
      const prefix = `http_request_duration_seconds_count{route="${route}",method="${method}",status="200"} `;
      const line = text.split("\n").find((l) => l.startsWith(prefix));
      return Number(line?.slice(prefix.length) ?? 0);
    };
    const batchRoute = "/v1/buyers/:buyerId/campaigns/batch";
    const patchRoute = "/v1/buyers/:buyerId/campaigns/:campaignId";
    const [batchBefore, patchBefore] = [
      await routeCount(batchRoute, "POST"),
      await routeCount(patchRoute, "PATCH"),
    ];
    await page.getByLabel("Bulk action on the selected campaigns").selectOption("bid");
    // No bid typed: refused on the page, not sent as a bid of 0.
    await page.getByRole("button", { name: "Apply to selected" }).click();
    await expect.poll(() => page.locator(".flash.error").textContent()).toBe("Enter the new bid in USD.");
    for (const box of await page.getByRole("checkbox").all()) await box.check();
    await addForeign();
    await page.getByLabel("Bulk action on the selected campaigns").selectOption("bid");
    await page.getByLabel('New bid (USD, for "Set bid")').fill("24.00");
    await page.getByRole("button", { name: "Apply to selected" }).click();
    const flash = page.locator(".flash.error");
    await expect
      .poll(() => flash.textContent())
      .toMatch(
        new RegExp(
          `^\\d+ changed, 1 refused: ${foreignId}: campaign_unknown \\(no campaign ${foreignId} on buyer ${market.buyerId}\\)$`,
        ),
      );
    expect(await flash.getAttribute("role")).toBe("alert");
    // One batch request, no PATCH per campaign.
    expect(await routeCount(batchRoute, "POST")).toBe(batchBefore + 1);
    expect(await routeCount(patchRoute, "PATCH")).toBe(patchBefore);
    const list = await call<{ items: { bidMicros: number }[] }>(
      "GET",
      `/v1/buyers/${market.buyerId}/campaigns`,
    );
    expect(list.body.items.length).toBeGreaterThanOrEqual(2);
    expect(list.body.items.map((i) => i.bidMicros)).toEqual(list.body.items.map(() => 24_000_000));
    const after = await call<{ items: { id: string; bidMicros: number }[] }>(
      "GET",
      `/v1/buyers/${market.loserId}/campaigns`,
    );
    expect(after.body.items.find((i) => i.id === foreignId)?.bidMicros).toBe(
      foreign.body.items[0]?.bidMicros,
    );
  });

  it("an operator sees a live auction appear after an offer, streamed, with the polling disabled", async () => {
    const page = await as("admin");
    // The polled table's refreshes fail and are counted: the rows must come from the live feed.
    const polls: string[] = [];
    await page.route("**/console/operator/live", (route) => {
      polls.push(route.request().url());
      return route.abort();
    });
    await page.goto(`${API}/console/operator`);
    await page.locator('[data-live-stream][data-stream="open"]').waitFor({ timeout: 30_000 });
    const pollsBefore = polls.length;
    const offer = await offerCall<{ callId: string; status: string }>(market.seller, { vertical: VERTICAL });
    expect(offer.status).toBe(201);
    const row = page.locator(`#closed-rows tr[data-call-id="${offer.body.callId}"]`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain("routed");
    expect(await row.textContent()).toContain(market.buyerId);
    expect(await page.locator("#live").getByText(offer.body.callId).count()).toBe(0); // not polled in
    expect(polls.length).toBe(pollsBefore); // no poll while the stream is up
    await page.unroute("**/console/operator/live");
    // An offer nobody bids on (no buyer targets Wyoming) shows in the no-bid reasons and the rates.
    const noBid = await offerCall<{ callId: string; status: string; reason?: { code: string } }>(
      market.seller,
      {
        vertical: VERTICAL,
        callerState: "WY",
      },
    );
    expect(noBid.body.status).toBe("no_bid");
    const code = noBid.body.reason?.code ?? "";
    expect(code).not.toBe("");
    const noBidRow = page.locator(`#closed-rows tr[data-call-id="${noBid.body.callId}"]`);
    await noBidRow.waitFor({ timeout: 30_000 });
    expect(await noBidRow.textContent()).toContain(code);
    const reasonRow = async () => {
      await page.reload();
      return page.getByRole("region", { name: "No-bid reasons" }).locator("tr", { hasText: code }).count();
    };
    await expect.poll(reasonRow, { timeout: 20_000 }).toBe(1);
    const perSecond = page.locator("section.card", { hasText: "Offers per second" }).locator(".stat");
    expect(Number(await perSecond.textContent())).toBeGreaterThan(0);
  });

  it("falls back to polling the latest auctions while the live feed is down", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, ADMIN_KEY());
    await page.route("**/console/operator/live/stream", (route) => route.abort());
    await page.goto(`${API}/console/operator`);
    await page.locator('[data-live-stream][data-stream="down"]').waitFor();
    const offer = await offerCall<{ callId: string }>(market.seller, { vertical: VERTICAL });
    // Polled by htmx every 2 s; the read model follows the event pipeline.
    await page.locator("#live").getByText(offer.body.callId).waitFor({ timeout: 30_000 });
    expect(await page.locator("#closed-rows tr").count()).toBe(0);
    await context.close();
  });

  it("an operator imports a Do-Not-Call file and sees its per-file counts and the list", async () => {
    const page = await as("admin");
    await page.goto(`${API}/console/operator/risk`);
    const listId = `console-${Date.now().toString(36)}`;
    await page.getByLabel("List id").fill(listId);
    await page.getByLabel("Source").selectOption("internal");
    await page.getByLabel("File").setInputFiles({
      name: "dnc.txt",
      mimeType: "text/plain",
      // Five lines: three numbers, one repeated, one refused.
      buffer: Buffer.from("+13075550123\n3075550124\nnot a number\n+13075550125\n3075550124\n"),
    });
    await page.getByRole("button", { name: "Import" }).click();
    await expect
      .poll(() => page.locator("#dnc-result").textContent())
      .toContain(`Imported list ${listId} (generation 1): 5 lines read, 3 numbers added, 1 lines refused`);
    await page.reload();
    const row = page.getByRole("region", { name: "Do-Not-Call lists" }).locator("tr", { hasText: listId });
    expect(await row.locator('[data-field="count"]').textContent()).toBe("3");
    // The per-file result stays in the recent imports (GET /v1/compliance/dnc/imports).
    const file = page
      .getByRole("region", { name: "Recent Do-Not-Call imports" })
      .locator("tr", { hasText: listId });
    const cell = (f: string) => file.locator(`[data-field="${f}"]`).textContent();
    expect([await cell("lines"), await cell("imported"), await cell("invalid")]).toEqual(["5", "3", "1"]);
  });

  it("a seller downloads a monthly statement as CSV", async () => {
    const page = await as("seller");
    await page.goto(`${API}/console/seller`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download statement (CSV)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^statement-sel_.*\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv).toContain(market.callId);
  });

  it("works from the keyboard: skip link, navigation and forms by Tab and Enter", async () => {
    const page = await as("buyer");
    await page.goto(`${API}/console/buyer`);
    await page.keyboard.press("Tab");
    expect(await focused(page, "textContent")).toBe("Skip to content");
    await page.keyboard.press("Tab"); // sign out
    await page.keyboard.press("Tab"); // first nav link
    await page.keyboard.press("Tab"); // Campaigns
    expect(await focused(page, "textContent")).toBe("Campaigns");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/console\/buyer\/campaigns$/);
    await page.getByLabel("Name", { exact: true }).focus();
    expect(await focused(page, "name")).toBe("name");
  });
});

describe("console pages per role", () => {
  it("have no serious or critical axe-core violations, and are screenshotted", async () => {
    const problems: string[] = [];
    for (const role of ["admin", "buyer", "seller"] as const) {
      const page = await as(role);
      for (const path of PAGES[role]) {
        await page.goto(`${API}${path}`);
        await page.waitForLoadState("networkidle").catch(() => undefined);
        for (const v of await axeViolations(page)) problems.push(`${path}: ${v}`);
        await shot(page, path.slice(1).replaceAll("/", "-"));
      }
    }
    const buyer = await as("buyer");
    await buyer.goto(`${API}/console/buyer/calls/${market.callId}`);
    for (const v of await axeViolations(buyer)) problems.push(`call page: ${v}`);
    await shot(buyer, "console-buyer-call");
    const signInPage = await browser.newPage();
    await signInPage.goto(`${API}/console/sign-in`);
    for (const v of await axeViolations(signInPage)) problems.push(`sign-in: ${v}`);
    await shot(signInPage, "console-sign-in");
    await signInPage.close();
    expect(problems).toEqual([]);
  });

  it("never show a field the role's view policy hides", async () => {
    const hiddenValues = {
      buyer: [
        dollars(market.payoutMicros),
        dollars(market.marginMicros),
        dollars(market.reserveMicros),
        market.seller.sellerId,
        market.loserId,
      ],
      seller: [market.loserId, "Loser FL", dollars(11_110_000)],
    };
    const leaks: string[] = [];
    for (const role of ["buyer", "seller"] as const) {
      const page = await as(role);
      for (const path of [...PAGES[role], `/console/${role}/calls/${market.callId}`]) {
        await page.goto(`${API}${path}`);
        const html = await page.content();
        for (const v of hiddenValues[role]) if (html.includes(v)) leaks.push(`${role} ${path}: ${v}`);
        const fields = await page
          .locator("[data-field]")
          .evaluateAll((els) => els.map((e) => e.getAttribute("data-field")!));
        for (const f of new Set(fields))
          if (access(role, f) === "no") leaks.push(`${role} ${path}: field ${f}`);
      }
    }
    expect(leaks).toEqual([]);
    // The pages did show the data the role may see: the call and what the buyer was charged.
    const buyer = await as("buyer");
    await buyer.goto(`${API}/console/buyer/calls/${market.callId}`);
    expect(await buyer.locator('[data-field="chargedMicros"]').count()).toBeGreaterThan(0);
    const seller = await as("seller");
    await seller.goto(`${API}/console/seller/calls/${market.callId}`);
    expect(await seller.content()).toContain(dollars(market.payoutMicros));
  });
});

describe("console data is the API's own", () => {
  it("shows the buyer's balance as GET /v1/buyers/{id}/balance answers it", async () => {
    const page = await as("buyer");
    await page.goto(`${API}/console/buyer`);
    const balance = await waitFor(
      () => call<{ balanceMicros: number }>("GET", `/v1/buyers/${market.buyerId}/balance`),
      (r) => r.status === 200,
    );
    const shown = await page.locator('[data-field="balanceMicros"] .stat').textContent();
    expect(shown).toBe(dollars(balance.body.balanceMicros));
  });
});
