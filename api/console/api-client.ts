// How console pages read and change data: through the partner API's own routes, in process, with the
// session's key. Every answer is what the key's role may see (the API applies its view policy), and
// every change passes the API's validation, limits, rate limits and audit, as it would for a partner.
import type { Context } from "hono";
import type { Session } from "./session.ts";

/** The API app's fetch (`app.fetch`), called in process: no socket, no port. */
export type ApiFetch = (req: Request, env: unknown) => Response | Promise<Response>;

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  ok: boolean;
  body: T;
  text: string;
  headers: Headers;
}

export class ConsoleApi {
  /** Set when the API refused the session's key (revoked or expired): the session must end. */
  keyRefused = false;

  constructor(
    private readonly fetch: ApiFetch,
    private readonly c: Context,
    private readonly apiKey: string,
    readonly session: Session,
  ) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer<T>> {
    // A string body goes as it is (its content type in `headers`); anything else as JSON.
    const raw = typeof body === "string";
    const init: RequestInit = {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        "x-request-id": this.c.get("requestId") ?? "",
        ...(body === undefined || raw ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
    };
    const res = await this.fetch(new Request(`http://console.internal${path}`, init), this.c.env);
    if (res.status === 401) this.keyRefused = true;
    const text = await res.text();
    let parsed: unknown = {};
    if ((res.headers.get("content-type") ?? "").includes("json") && text) parsed = JSON.parse(text);
    return { status: res.status, ok: res.ok, body: parsed as T, text, headers: res.headers };
  }

  /** The API's answer unread (a stream): the caller consumes its body. */
  async open(path: string): Promise<Response> {
    const res = await this.fetch(
      new Request(`http://console.internal${path}`, {
        headers: { authorization: `Bearer ${this.apiKey}`, "x-request-id": this.c.get("requestId") ?? "" },
        signal: this.c.req.raw.signal,
      }),
      this.c.env,
    );
    if (res.status === 401) this.keyRefused = true;
    return res;
  }

  get<T = Record<string, unknown>>(path: string) {
    return this.call<T>("GET", path);
  }

  /** The items of a list answer (`items` or `data`), or none when the route refused. */
  async items(path: string): Promise<Record<string, unknown>[]> {
    const r = await this.get<{ items?: unknown[]; data?: unknown[] }>(path);
    if (!r.ok) return [];
    return (r.body.items ?? r.body.data ?? []) as Record<string, unknown>[];
  }
}

/** The problem detail of a refused answer, for a flash message. */
export function refusal(a: ApiAnswer<unknown>): string {
  const p = a.body as { code?: string; detail?: string; errors?: { path?: string; message?: string }[] };
  const errs = (p.errors ?? []).map((e) => `${e.path ?? ""} ${e.message ?? ""}`.trim()).join("; ");
  return `${p.code ?? a.status}: ${p.detail ?? ""}${errs ? ` (${errs})` : ""}`;
}
