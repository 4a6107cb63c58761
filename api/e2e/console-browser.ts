// Browser helpers for the console's e2e tests: Chromium from the Debian package driven by Playwright's
// library API, sign-in, axe-core checks, screenshots into .data/test-artifacts/console/, and a market
// with a billable call, a losing buyer and keys for every role, so every page has data to show.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright";
import { call, createBuyer, createBuyerCampaign, createSeller, offerCall, waitFor } from "./client.ts";
import { API, adminKey, STATE_DIR } from "./stack.ts";

export const CHROMIUM = process.env.DCE_CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS = join(STATE_DIR, "test-artifacts", "console");

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

/** Signs `page` in with `key` through the sign-in form; resolves on the role's home page. */
export async function signIn(page: Page, key: string): Promise<void> {
  await page.goto(`${API}/console/sign-in`);
  await page.getByLabel("API key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/console\/(operator|buyer|seller)$/);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/console\/sign-in$/);
}

/** A full-page PNG of the current page into the artifacts folder. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

const AXE = readFileSync(join(import.meta.dirname, "../../node_modules/axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the current page (injected past the CSP by CDP). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe;
    const r = (await axe.run({ resultTypes: ["violations"] })) as {
      violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
    };
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return found
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.targets.slice(0, 3).join(", ")}`);
}

export interface ConsoleMarket {
  buyerId: string;
  buyerKey: string;
  buyerCampaignId: string;
  loserId: string;
  seller: { sellerId: string; sellerCampaignId: string; key: string };
  callId: string;
  payoutMicros: number;
  marginMicros: number;
  reserveMicros: number;
}

/**
 * Two buyers bid on one seller's call (the winner bids more); the call completes billable. The seller's
 * payout, margin and reserve and the loser's identity are what buyer and seller pages must not show.
 */
export async function consoleMarket(vertical: string): Promise<ConsoleMarket> {
  const reserveMicros = 7_130_000;
  const seller = await createSeller({ vertical, reserveMicros, payout: { type: "share", percent: 61 } });
  const buyerId = await createBuyer(500_000_000);
  const loserId = await createBuyer(500_000_000);
  const buyerCampaignId = await createBuyerCampaign(buyerId, {
    name: "Winner FL",
    vertical,
    bidMicros: 23_450_000,
  });
  await createBuyerCampaign(loserId, { name: "Loser FL", vertical, bidMicros: 11_110_000 });
  const key = await call<{ key: string }>("POST", "/v1/api-keys", {
    body: { accountId: buyerId, role: "buyer" },
  });
  const offer = await offerCall<{ callId: string; status: string }>(seller, { vertical });
  if (offer.body.status !== "routed") throw new Error(`offer not routed: ${JSON.stringify(offer.body)}`);
  const callId = offer.body.callId;
  const ev = (body: Record<string, unknown>) =>
    call("POST", `/v1/calls/${callId}/events`, { key: seller.key, body });
  await ev({ type: "connected" });
  await ev({ type: "completed", durationSec: 95 });
  const done = await waitFor(
    () => call<{ billing?: { payoutMicros?: number; marginMicros?: number } }>("GET", `/v1/calls/${callId}`),
    (r) => typeof r.body.billing?.payoutMicros === "number",
  );
  // The calls read model (what lists show) lags the actor by the event pipeline.
  await waitFor(
    () =>
      call<{ items: { callId: string; billable?: boolean }[] }>(
        "GET",
        `/v1/calls?sellerId=${seller.sellerId}`,
      ),
    (r) => r.body.items.some((i) => i.callId === callId && i.billable === true),
  );
  return {
    buyerId,
    buyerKey: key.body.key,
    buyerCampaignId,
    loserId,
    seller,
    callId,
    payoutMicros: done.body.billing?.payoutMicros ?? -1,
    marginMicros: done.body.billing?.marginMicros ?? -1,
    reserveMicros,
  };
}

export const ADMIN_KEY = () => adminKey();
export const dollars = (micros: number) =>
  `$${(micros / 1_000_000).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
