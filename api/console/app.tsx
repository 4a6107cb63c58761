// The browser console at /console: server-rendered Hono JSX with htmx, signed in by exchanging an API
// key for a session cookie. Pages read and change data only through the partner API's own routes with
// the session's key (api-client.ts), so they see exactly what the API's view policy lets the role see.
import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Child } from "hono/jsx";
import type { ApiDeps } from "../deps.ts";
import type { KeyResolver } from "../middleware/auth.ts";
import { ApiError, problem } from "../problem.ts";
import type { ViewRole } from "../views/policy.ts";
import { type ApiFetch, ConsoleApi } from "./api-client.ts";
import { asset } from "./assets.ts";
import { buyerPages } from "./pages/buyer.tsx";
import { operatorPages } from "./pages/operator.tsx";
import { sellerPages } from "./pages/seller.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import {
  createSession,
  destroySession,
  loadSession,
  newToken,
  PRE_SESSION_COOKIE,
  SESSION_COOKIE,
  sameToken,
} from "./session.ts";
import { Page } from "./ui.tsx";

declare module "hono" {
  interface ContextVariableMap {
    consoleApi: ConsoleApi;
  }
}

export const HOME: Record<ViewRole, string> = {
  admin: "/console/operator",
  buyer: "/console/buyer",
  seller: "/console/seller",
};

/** Renders a full console page for the signed-in session. */
export async function render(c: Context, title: string, body: Child, status: 200 | 403 | 404 = 200) {
  const { session } = c.get("consoleApi");
  const ok = c.req.query("ok");
  const error = c.req.query("error");
  const flash = error
    ? { kind: "error" as const, text: error }
    : ok
      ? { kind: "ok" as const, text: ok }
      : undefined;
  const page = (
    <Page
      title={title}
      viewer={session.role}
      accountId={session.accountId}
      csrf={session.csrf}
      path={c.req.path}
      flash={flash}
    >
      {body}
    </Page>
  );
  return c.html(`<!DOCTYPE html>${await page.toString()}`, status);
}

/** Redirect after a form post (303: the browser follows with GET), with a flash message. */
export function back(c: Context, to: string, flash: { ok?: string; error?: string }) {
  const q = new URLSearchParams(flash as Record<string, string>).toString();
  return c.redirect(`${to}${q ? `?${q}` : ""}`, 303);
}

const FORM_BYTES = 64 * 1024;
export const DNC_UPLOAD_BYTES = 50 * 1024 * 1024;

/** Local mode (the API bound to loopback): cookies without `Secure`, since the stack speaks plain http. */
const isLocal = (host: string) => ["127.0.0.1", "localhost", "::1"].includes(host);

export function consoleApp(deps: ApiDeps, keys: KeyResolver, apiFetch: ApiFetch) {
  const app = new Hono().basePath("/console");
  const secure = !isLocal(deps.config.apiHost);
  const cookie = { httpOnly: true, secure, sameSite: "Strict" as const, path: "/console" };

  app.use(async function securityHeaders(c, next) {
    await next();
    c.header(
      "content-security-policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
  });

  // Forms are small; a Do-Not-Call upload may be larger (bigger files: scripts/dnc-import.ts).
  app.use(async function consoleBodyLimit(c, next) {
    const maxSize = c.req.path === "/console/operator/dnc-import" ? DNC_UPLOAD_BYTES : FORM_BYTES;
    return bodyLimit({
      maxSize,
      onError: (c) =>
        problem(c, new ApiError(413, "payload_too_large", `console uploads are limited to ${maxSize} bytes`)),
    })(c, next);
  });

  app.get("/assets/:name", (c) => {
    const a = asset(c.req.param("name"));
    if (!a) return problem(c, new ApiError(404, "route_not_found", "no such console asset"));
    return c.body(a.body, 200, {
      "content-type": `${a.type}; charset=utf-8`,
      "cache-control": "max-age=3600",
    });
  });

  // Sign-in: the form carries a token that must match a cookie set with it (double submit), so another
  // site cannot sign a browser into an account of the attacker's choosing.
  const signInPage = (c: Context, error?: string, status: 200 | 401 | 403 | 429 = 200) => {
    const token = newToken();
    setCookie(c, PRE_SESSION_COOKIE, token, { ...cookie, maxAge: 600 });
    return c.html(`<!DOCTYPE html>${(<SignIn csrf={token} error={error} />).toString()}`, status);
  };
  app.get("/sign-in", (c) => signInPage(c));
  app.post("/sign-in", async (c) => {
    const form = await c.req.parseBody();
    if (!sameToken(getCookie(c, PRE_SESSION_COOKIE) ?? "", form._csrf))
      return signInPage(c, "The sign-in form expired; please try again.", 403);
    const apiKey = typeof form.apiKey === "string" ? form.apiKey.trim() : "";
    let principal: Awaited<ReturnType<KeyResolver["resolve"]>>;
    try {
      principal = await keys.resolve(c, apiKey || undefined);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const limited = err.status === 429;
      return signInPage(
        c,
        limited ? "Too many failed attempts; wait and retry." : "That API key is not valid.",
        limited ? 429 : 401,
      );
    }
    const { token, ttlSec } = await createSession(deps.redis, principal, apiKey, deps.now());
    deleteCookie(c, PRE_SESSION_COOKIE, cookie);
    setCookie(c, SESSION_COOKIE, token, { ...cookie, maxAge: ttlSec });
    deps.logger.info({ keyId: principal.keyId, role: principal.role }, "console.signed_in");
    return c.redirect(HOME[principal.role], 303);
  });

  // Everything past here needs a session; state changes need its CSRF token too.
  app.use(async function consoleSession(c, next) {
    const loaded = await loadSession(deps.redis, getCookie(c, SESSION_COOKIE), deps.now());
    if (!loaded) {
      deleteCookie(c, SESSION_COOKIE, cookie);
      if (c.req.header("hx-request")) {
        c.header("hx-redirect", "/console/sign-in");
        return c.body(null, 401);
      }
      return c.redirect("/console/sign-in", 303);
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      const form = await c.req.parseBody();
      if (!sameToken(loaded.session.csrf, form._csrf ?? c.req.header("x-csrf-token")))
        return problem(c, new ApiError(403, "csrf_invalid", "the form's CSRF token is missing or wrong"));
    }
    const api = new ConsoleApi(apiFetch, c, loaded.apiKey, loaded.session);
    c.set("consoleApi", api);
    await next();
    // The key was revoked or expired since sign-in (the API answered 401): the session ends with it.
    if (api.keyRefused) {
      await destroySession(deps.redis, getCookie(c, SESSION_COOKIE));
      c.res = undefined;
      deleteCookie(c, SESSION_COOKIE, cookie);
      if (c.req.header("hx-request")) {
        c.header("hx-redirect", "/console/sign-in");
        c.res = c.body(null, 401);
      } else c.res = c.redirect("/console/sign-in", 303);
    }
  });

  app.get("/", (c) => c.redirect(HOME[c.get("consoleApi").session.role], 303));
  app.post("/sign-out", async (c) => {
    await destroySession(deps.redis, getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, cookie);
    return c.redirect("/console/sign-in", 303);
  });

  const only = (role: ViewRole) =>
    async function roleGate(c: Context, next: () => Promise<void>) {
      if (c.get("consoleApi").session.role !== role)
        return render(c, "Not for this role", <p>This page belongs to another role's console.</p>, 403);
      await next();
    };
  app.use("/operator/*", only("admin"));
  app.use("/operator", only("admin"));
  app.use("/buyer/*", only("buyer"));
  app.use("/buyer", only("buyer"));
  app.use("/seller/*", only("seller"));
  app.use("/seller", only("seller"));
  operatorPages(app);
  buyerPages(app);
  sellerPages(app);
  app.notFound((c) =>
    problem(c, new ApiError(404, "route_not_found", `${c.req.path} is not a console page`)),
  );
  return app;
}
