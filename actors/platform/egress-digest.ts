// Fetches a URL's content through the egress guard (egress.ts: the same URL rules and connect-time
// lookup) and answers its SHA-256 without keeping the bytes: recordings may be large, the hash is all
// the exchange stores. Redirects are not followed; only a 200 counts.
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { urlRefusal } from "../kernel/egress.ts";
import { DestinationRefused, type EgressPolicy, guardedLookup, TimeoutError } from "./egress.ts";

export interface DigestRequest {
  timeoutMs: number;
  /** Content beyond this many bytes fails the fetch (no partial hash is ever stored). */
  maxBytes: number;
  headers?: Record<string, string>;
}

export interface Digest {
  sha256: string;
  bytes: number;
}

/** GETs `url` and hashes its body; rejects on a refused destination, a non-200, a timeout or a size overrun. */
export function egressDigest(url: string, req: DigestRequest, policy: EgressPolicy): Promise<Digest> {
  return new Promise((resolve, reject) => {
    const why = urlRefusal(url, policy.allowLocal);
    if (why) return reject(new DestinationRefused(`the destination ${why}`));
    const target = new URL(url);
    const send = target.protocol === "https:" ? httpsRequest : httpRequest;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      out.destroy();
      reject(err);
    };
    const out = send(
      target,
      { method: "GET", headers: req.headers ?? {}, lookup: guardedLookup(policy), timeout: req.timeoutMs },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return fail(new Error(`the media answered ${res.statusCode}`));
        }
        const hash = createHash("sha256");
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.byteLength;
          if (bytes > req.maxBytes) return fail(new Error(`the media exceeds ${req.maxBytes} bytes`));
          hash.update(chunk);
        });
        res.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          resolve({ sha256: hash.digest("hex"), bytes });
        });
        res.on("error", fail);
      },
    );
    const deadline = setTimeout(() => fail(new TimeoutError(req.timeoutMs)), req.timeoutMs);
    out.on("timeout", () => fail(new TimeoutError(req.timeoutMs)));
    out.on("error", fail);
    out.end();
  });
}
