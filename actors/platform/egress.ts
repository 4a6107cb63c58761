// The one outbound door (RTB pings, webhooks, later pixels and postbacks): a URL is checked when it is
// saved (its literal host, then every address its name resolves to) and again when connecting, where
// the socket's DNS lookup itself refuses a name if ANY of its addresses is internal, so DNS rebinding
// between save and send gains nothing. Redirects are never followed: a 3xx is just the answer.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { allowedClass, classifyAddress, classifyHost, describeClass, urlRefusal } from "../kernel/egress.ts";

/** Resolves a name to all its addresses (injectable, so tests can map a name to loopback). */
export type Resolve = (hostname: string, family: 0 | 4 | 6) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (hostname, family) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, family, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );

export interface EgressPolicy {
  /** The local-stack switch: http and loopback destinations allowed; nothing else internal. */
  allowLocal: boolean;
  resolve?: Resolve;
}

/** A destination refused by the guard; `code` is what delivery logs and RTB losers record. */
export class DestinationRefused extends Error {
  readonly code = "destination_not_allowed";
}

export class TimeoutError extends Error {
  override name = "TimeoutError";
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** Why one of these resolved addresses may not be reached, or undefined when all may. */
function addressesRefusal(addresses: LookupAddress[], allowLocal: boolean): string | undefined {
  for (const { address } of addresses) {
    const cls = classifyAddress(address) ?? "reserved";
    if (!allowedClass(cls, allowLocal)) return `resolves to ${describeClass(cls as "reserved")}`;
  }
  return undefined;
}

/** A socket lookup that fails when any address of the name is internal (every one the socket could try). */
export function guardedLookup(policy: EgressPolicy): LookupFunction {
  const resolve = policy.resolve ?? systemResolve;
  return (hostname, options, callback) => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    resolve(hostname, family).then(
      (addresses) => {
        const why =
          addresses.length === 0 ? "resolves to nothing" : addressesRefusal(addresses, policy.allowLocal);
        if (why) return callback(new DestinationRefused(`${hostname} ${why}`), "", 0);
        if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };
}

/** Save-time lookups give up after this long; the connect-time guard still checks every send. */
export const SAVE_LOOKUP_MS = 2000;

/**
 * Why this URL may not be saved as an outbound destination, or undefined when it may. A name that does
 * not resolve (or not in time) is accepted: it cannot be judged now, and every send is checked again.
 */
export async function destinationRefusal(url: string, policy: EgressPolicy): Promise<string | undefined> {
  const why = urlRefusal(url, policy.allowLocal);
  if (why) return why;
  const host = new URL(url).hostname;
  if (classifyHost(host) !== undefined) return undefined; // a literal or localhost: judged above
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), SAVE_LOOKUP_MS);
  });
  const addresses = await Promise.race([
    (policy.resolve ?? systemResolve)(host, 0).catch(() => undefined),
    late,
  ]);
  clearTimeout(timer);
  return addresses ? addressesRefusal(addresses, policy.allowLocal) : undefined;
}

export interface EgressRequest {
  /** POST for pings and webhooks; GET for pixels and postbacks (with an empty body). */
  method: "POST" | "GET";
  headers: Record<string, string>;
  body: string;
  /** The whole exchange (connect, send, answer) must finish within this. */
  timeoutMs: number;
  /** Answers are read up to this many bytes; beyond it the rest is dropped and `truncated` is set. */
  maxBytes: number;
}

export interface EgressAnswer {
  status: number;
  text: string;
  truncated: boolean;
}

// Connections are kept alive so repeat pings skip the handshake; one pool per switch setting, so a
// socket opened under one policy is never handed to a request under another.
const agents = new Map<string, HttpAgent>();
function agentFor(https: boolean, allowLocal: boolean): HttpAgent {
  const key = `${https}:${allowLocal}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, timeout: 30_000 };
    agent = https ? new HttpsAgent(options) : new HttpAgent(options);
    agents.set(key, agent);
  }
  return agent;
}

/** Sends one request through the guard; rejects with DestinationRefused, TimeoutError or a socket error. */
export function egressSend(url: string, req: EgressRequest, policy: EgressPolicy): Promise<EgressAnswer> {
  return new Promise((resolve, reject) => {
    const why = urlRefusal(url, policy.allowLocal);
    if (why) return reject(new DestinationRefused(`the destination ${why}`));
    const target = new URL(url);
    const https = target.protocol === "https:";
    const send = https ? httpsRequest : httpRequest;
    const out = send(
      target,
      {
        method: req.method,
        headers:
          req.body === "" ? req.headers : { ...req.headers, "content-length": Buffer.byteLength(req.body) },
        agent: agentFor(https, policy.allowLocal),
        lookup: guardedLookup(policy),
        timeout: req.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let done = false;
        const finish = (truncated: boolean) => {
          if (done) return;
          done = true;
          clearTimeout(deadline);
          const text = Buffer.concat(chunks).subarray(0, req.maxBytes).toString("utf8");
          resolve({ status: res.statusCode ?? 0, text, truncated });
        };
        if (Number(res.headers["content-length"] ?? 0) > req.maxBytes) {
          res.destroy();
          return finish(true);
        }
        res.on("data", (chunk: Buffer) => {
          size += chunk.byteLength;
          chunks.push(chunk);
          if (size > req.maxBytes) {
            res.destroy();
            finish(true);
          }
        });
        res.on("end", () => finish(false));
        res.on("error", (err) => {
          clearTimeout(deadline);
          reject(err);
        });
      },
    );
    const deadline = setTimeout(() => out.destroy(new TimeoutError(req.timeoutMs)), req.timeoutMs);
    out.on("timeout", () => out.destroy(new TimeoutError(req.timeoutMs)));
    out.on("error", (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    out.end(req.body);
  });
}
