// The bench's partner client: JSON requests over keep-alive that back off like a good partner: on 429
// or 503 it waits what Retry-After asks (seconds or an HTTP date; else an exponential pause), a bounded
// number of times, then gives up with the last answer.
import http from "node:http";

export interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface BackoffOptions {
  /** Retries after the first attempt (default 8). */
  retries?: number;
  /** The longest single wait, whatever Retry-After asks (default 30 s). */
  maxWaitMs?: number;
  /** The pause before the first retry when the answer names none (default 200 ms, doubling). */
  baseMs?: number;
  /** Called before each wait (for logging). */
  onRetry?: (status: number, waitMs: number, attempt: number) => void;
}

const RETRY_STATUSES = new Set([429, 503]);

/** Milliseconds a Retry-After header asks for (delta-seconds or HTTP-date), or undefined. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === "") return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function send(
  agent: http.Agent,
  base: URL,
  req: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: req.method,
        path: req.path,
        headers: req.headers,
        agent,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}

/** `send`, retried on 429/503 after the wait the server asks for; the last answer if retries run out. */
export async function sendWithBackoff(
  agent: http.Agent,
  base: URL,
  req: { method: string; path: string; headers?: Record<string, string>; body?: string },
  opts: BackoffOptions = {},
): Promise<Answer> {
  const retries = opts.retries ?? 8;
  const maxWaitMs = opts.maxWaitMs ?? 30_000;
  let pause = opts.baseMs ?? 200;
  for (let attempt = 0; ; attempt++) {
    const res = await send(agent, base, req);
    if (!RETRY_STATUSES.has(res.status) || attempt >= retries) return res;
    const asked = retryAfterMs(res.headers["retry-after"]);
    // A little jitter so parallel workers that were refused together do not return together.
    const waitMs = Math.min(maxWaitMs, (asked ?? pause) + Math.floor(Math.random() * 50));
    pause *= 2;
    opts.onRetry?.(res.status, waitMs, attempt + 1);
    await new Promise((r) => setTimeout(r, waitMs));
  }
}
