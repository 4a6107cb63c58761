// A keep-alive HTTP/1.1 client on node:http (no runtime dependency): one pooled agent per run, each
// answer timed from the request's start to its body's last byte.
import { Agent, request } from "node:http";
import type { HttpRequest } from "../scenarios.ts";

export interface Answer {
  /** 0 when the request failed below HTTP (refused, reset, timed out). */
  status: number;
  body: string;
  ms: number;
}

export interface Client {
  send(req: HttpRequest): Promise<Answer>;
  close(): void;
}

export function httpClient(baseUrl: string, maxSockets: number, timeoutMs = 10_000): Client {
  const base = new URL(baseUrl);
  if (base.protocol !== "http:") throw new Error(`only http:// base URLs are supported, not ${baseUrl}`);
  const agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const prefix = base.pathname.replace(/\/$/, "");
  return {
    send(req) {
      const t0 = performance.now();
      return new Promise<Answer>((resolve) => {
        const done = (status: number, body: string) => resolve({ status, body, ms: performance.now() - t0 });
        const r = request(
          {
            agent,
            host: base.hostname,
            port: base.port || 80,
            method: req.method,
            path: prefix + req.path,
            headers: { ...req.headers, "content-length": Buffer.byteLength(req.body) },
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8")));
            res.on("error", (e) => done(0, String(e)));
          },
        );
        r.on("timeout", () => r.destroy(new Error(`timed out after ${timeoutMs} ms`)));
        r.on("error", (e) => done(0, String(e)));
        r.end(req.body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
