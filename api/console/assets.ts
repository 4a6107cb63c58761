// The console's static files, served by the API itself (no CDN): htmx and Chart.js from their npm
// packages, plus the console's own stylesheet and script. Read once, on first use.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CONSOLE_CSS } from "./style.ts";

const require = createRequire(import.meta.url);
const fromPackage = (pkg: string, file: string) => () =>
  readFileSync(join(dirname(require.resolve(pkg)), file), "utf8");

/**
 * The console's own script: draws every `<canvas data-chart>` with Chart.js from the JSON in its
 * attribute (no inline scripts: the content security policy allows only files from 'self'), and
 * redraws charts htmx swaps in; follows the operator's live auction feed (Server-Sent Events) and
 * pauses the polled table while the feed is up.
 */
const CONSOLE_JS = `
(function () {
  function draw(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = "1";
      var spec = JSON.parse(el.dataset.chart);
      new Chart(el, {
        type: spec.type || "bar",
        data: { labels: spec.labels, datasets: spec.datasets },
        options: { animation: false, responsive: true, maintainAspectRatio: false,
          scales: { y: { beginAtZero: true } }, plugins: { legend: { position: "bottom" } } }
      });
    });
  }
  function liveFeed() {
    var box = document.querySelector("[data-live-stream]");
    if (!box || !window.EventSource) return;
    var rows = box.querySelector("tbody");
    var state = document.getElementById("live-state");
    var say = function (s, text) { box.dataset.stream = s; if (state) state.textContent = text; };
    (function connect() {
      var feed = new EventSource(box.getAttribute("data-live-stream"));
      feed.onopen = function () { say("open", "Live: auctions appear here as they close."); };
      feed.onerror = function () {
        say("down", "Live feed interrupted; reconnecting. The latest auctions below refresh every 2 seconds meanwhile.");
        // A refused stream (not a dropped one) is not retried by the browser itself.
        if (feed.readyState === EventSource.CLOSED) setTimeout(connect, 10000);
      };
      feed.addEventListener("row", function (e) {
        rows.insertAdjacentHTML("afterbegin", e.data);
        while (rows.rows.length > 50) rows.deleteRow(-1);
      });
    })();
  }
  // The polled table (#live) asks only while the live feed is down.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var box = document.querySelector("[data-live-stream]");
    if (box && box.dataset.stream === "open" && e.detail.elt && e.detail.elt.id === "live") e.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", function () { draw(document); liveFeed(); });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
  // Upload progress of a form posted by htmx (the Do-Not-Call import) into its <progress>.
  document.addEventListener("htmx:xhr:progress", function (e) {
    var bar = e.target.querySelector && e.target.querySelector("progress");
    if (bar && e.detail.lengthComputable) bar.value = Math.round((e.detail.loaded / e.detail.total) * 100);
  });
})();
`;

interface Asset {
  type: string;
  body: () => string;
}

const ASSETS: Record<string, Asset> = {
  "htmx.min.js": { type: "text/javascript", body: fromPackage("htmx.org", "htmx.min.js") },
  "chart.umd.min.js": { type: "text/javascript", body: fromPackage("chart.js", "chart.umd.min.js") },
  "console.js": { type: "text/javascript", body: () => CONSOLE_JS },
  "console.css": { type: "text/css", body: () => CONSOLE_CSS },
};

const cache = new Map<string, string>();

/** The asset named `name` with its content type, or undefined. */
export function asset(name: string): { type: string; body: string } | undefined {
  const a = ASSETS[name];
  if (!a) return undefined;
  let body = cache.get(name);
  if (body === undefined) {
    body = a.body();
    cache.set(name, body);
  }
  return { type: a.type, body };
}
