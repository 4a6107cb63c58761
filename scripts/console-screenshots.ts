// Regenerates the README's console screenshots (docs/console/*.png) from the real pages: seeds a small
// market on the running stack (`npm start`), signs in as each role in Chromium and captures the main
// pages. Usage: node --import tsx scripts/console-screenshots.ts [outDir]
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { call, offerCall } from "../api/e2e/client.ts";
import { ADMIN_KEY, consoleMarket, launch, signIn } from "../api/e2e/console-browser.ts";
import { API, ROOT } from "../api/e2e/stack.ts";

const out = resolve(process.argv[2] ?? join(ROOT, "docs", "console"));
mkdirSync(out, { recursive: true });
const vertical = `auto_insurance_${Date.now().toString(36).slice(-4)}`; // fresh: no older buyer outbids the new one
const market = await consoleMarket(vertical);

// A morning's traffic: billable calls of several lengths, short ones, and offers nobody bids on.
for (const [i, seconds] of [125, 40, 310, 95, 15, 200].entries()) {
  const offer = await offerCall<{ callId: string; status: string }>(market.seller, { vertical });
  if (offer.body.status !== "routed") continue;
  const ev = (body: Record<string, unknown>) =>
    call("POST", `/v1/calls/${offer.body.callId}/events`, { key: market.seller.key, body });
  await ev({ type: "connected" });
  if (i < 5) await ev({ type: "completed", durationSec: seconds });
}
for (let i = 0; i < 3; i++) await offerCall(market.seller, { vertical, callerState: "WY" });
await call("POST", "/v1/webhooks", {
  key: market.buyerKey,
  body: { url: "http://127.0.0.1:9/dce-hook", events: ["call.billable", "call.completed"] },
});
await new Promise((r) => setTimeout(r, 3_000)); // the read model and webhook deliveries catch up

const browser = await launch();
const shots: [key: string, pages: [path: string, file: string][]][] = [
  [
    ADMIN_KEY(),
    [
      ["/console/operator", "operator-market"],
      ["/console/operator/pipeline", "operator-pipeline"],
    ],
  ],
  [
    market.buyerKey,
    [
      ["/console/buyer", "buyer-overview"],
      ["/console/buyer/campaigns", "buyer-campaigns"],
      ["/console/buyer/calls", "buyer-calls"],
      [`/console/buyer/calls/${market.callId}`, "buyer-call"],
    ],
  ],
  [
    market.seller.key,
    [
      ["/console/seller", "seller-earnings"],
      ["/console/seller/calls", "seller-calls"],
    ],
  ],
];
for (const [key, pages] of shots) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signIn(page, key);
  for (const [path, file] of pages) {
    await page.goto(`${API}${path}`);
    await page.waitForLoadState("networkidle").catch(() => undefined);
    await page.screenshot({ path: join(out, `${file}.png`), fullPage: true });
    console.log(`${file}.png`);
  }
}
await browser.close();
