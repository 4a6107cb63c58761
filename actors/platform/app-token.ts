// The app token check for Dapr callbacks: daprd sends APP_API_TOKEN in `dapr-api-token` on every
// actor invocation, reminder, deactivation, `/dapr/config`, `/dapr/subscribe` and pub/sub delivery;
// anything else reaching the app port without it is refused. Only daprd's app health probe (a bare
// GET of the health path, sent without the token) passes.
import { createHash, timingSafeEqual } from "node:crypto";

export const APP_TOKEN_HEADER = "dapr-api-token";
export const HEALTH_PATH = "/healthz";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Constant-time comparison: both sides are hashed to equal length first, so no length leaks either. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (expected === "" || given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

/** Whether a request to the app port may go on: the health probe, or any request with the app token. */
export function callbackAllowed(
  method: string,
  path: string,
  header: string | undefined,
  token: string,
): boolean {
  if ((method === "GET" || method === "HEAD") && path === HEALTH_PATH) return true;
  return tokenMatches(token, header);
}

/** The 401 body: problem+json with the API's `unauthorized` code. */
export function appTokenRefusal(path: string): string {
  return JSON.stringify({
    type: "https://dependable-call-exchange.dev/problems/unauthorized",
    title: "A valid Dapr app token is required.",
    status: 401,
    detail: `Dapr callbacks need the app token in the ${APP_TOKEN_HEADER} header.`,
    code: "unauthorized",
    instance: path,
  });
}
