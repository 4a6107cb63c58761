// The egress guard against real loopback HTTP servers: connect-time refusal of names resolving to
// loopback, https required, no redirects followed (RTB path here; webhooks in worker.int.test.ts).
// Only loopback is ever connected to; other addresses appear as resolver answers that must be refused.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RtbPing } from "../auction/rtb.ts";
import { postPing } from "../runtime/rtb-client.ts";
import { DestinationRefused, destinationRefusal, egressSend, guardedLookup, type Resolve } from "./egress.ts";

interface Loopback {
  url: string;
  port: number;
  connections: number;
  requests: string[];
  server: Server;
}

const open: Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A loopback server counting TCP connections and requests; `answer` writes the response. */
async function loopback(answer: (res: import("node:http").ServerResponse) => void): Promise<Loopback> {
  const lb = { connections: 0, requests: [] as string[] } as Loopback;
  const server = createServer((req, res) => {
    lb.requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => answer(res));
  });
  server.on("connection", () => {
    lb.connections++;
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  open.push(server);
  lb.server = server;
  lb.port = (server.address() as AddressInfo).port;
  lb.url = `http://127.0.0.1:${lb.port}`;
  return lb;
}

const toLoopback: Resolve = async () => [{ address: "127.0.0.1", family: 4 }];
const post = { method: "POST" as const, headers: {}, body: "{}", timeoutMs: 2_000, maxBytes: 1024 };
const ok = (res: import("node:http").ServerResponse) => res.writeHead(200).end('{"ok":true}');

const ping: RtbPing = {
  requestId: "rtb_1",
  callId: "call_1",
  campaignId: "bcp_1",
  vertical: "solar",
  tags: [],
  publisherId: "pub_1",
  reserveMicros: 0,
  expiresAt: "2026-12-01T00:00:00.000Z",
};

describe("egress guard at connect time (switch off)", () => {
  it("refuses a DNS name that resolves to 127.0.0.1, and the server sees no connection", async () => {
    const srv = await loopback(ok);
    const url = `https://bids.buyer.test:${srv.port}/ping`;
    await expect(egressSend(url, post, { allowLocal: false, resolve: toLoopback })).rejects.toBeInstanceOf(
      DestinationRefused,
    );
    const rtb = await postPing(url, ping, 2_000, Date.now, { allowLocal: false, resolve: toLoopback });
    expect(rtb).toEqual({ kind: "error", detail: "destination_not_allowed" });
    expect(srv.connections).toBe(0);
  });

  it("refuses localhost and loopback literals in any spelling before connecting", async () => {
    const srv = await loopback(ok);
    for (const host of ["localhost", "127.0.0.1", "2130706433", "0x7f.1", "[::ffff:127.0.0.1]"]) {
      const err = await egressSend(`https://${host}:${srv.port}/`, post, { allowLocal: false }).catch(
        (e) => e,
      );
      expect(err, host).toBeInstanceOf(DestinationRefused);
    }
    expect(srv.connections).toBe(0);
  });

  it("requires https: an http URL is refused without a connection", async () => {
    const srv = await loopback(ok);
    const err = await egressSend(`http://bids.buyer.test:${srv.port}/`, post, {
      allowLocal: false,
      resolve: toLoopback,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(DestinationRefused);
    expect((err as Error).message).toContain("https");
    expect(srv.connections).toBe(0);
  });

  it("the socket lookup fails when ANY resolved address is internal (every address the socket could use)", async () => {
    const mixed: Resolve = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "::ffff:10.0.0.1", family: 6 },
    ];
    const result = await new Promise<{ err: NodeJS.ErrnoException | null }>((resolve) =>
      guardedLookup({ allowLocal: true, resolve: mixed })("rebind.buyer.test", { all: true }, (err) =>
        resolve({ err }),
      ),
    );
    expect(result.err).toBeInstanceOf(DestinationRefused);
  });
});

describe("egress guard with the local-stack switch on", () => {
  it("lets the same name through to loopback over http (the refusal above is the guard's)", async () => {
    const srv = await loopback(ok);
    const answer = await egressSend(`http://bids.buyer.test:${srv.port}/ping`, post, {
      allowLocal: true,
      resolve: toLoopback,
    });
    expect(answer).toEqual({ status: 200, text: '{"ok":true}', truncated: false });
    expect(srv.requests).toEqual(["POST /ping"]);
  });

  it("never follows a redirect: an RTB ping answered 302 is a failed ping and the target gets nothing", async () => {
    const second = await loopback(ok);
    const first = await loopback((res) => res.writeHead(302, { location: `${second.url}/stolen` }).end());
    const rtb = await postPing(`${first.url}/ping`, ping, 2_000, () => 1, { allowLocal: true });
    expect(rtb).toEqual({ kind: "answer", status: 302, text: "", receivedAt: 1 });
    expect(first.requests).toEqual(["POST /ping"]);
    expect(second.connections).toBe(0);
  });

  it("sends a GET (a pixel or postback) through the same guard", async () => {
    const srv = await loopback(ok);
    const pixel = { ...post, method: "GET" as const, body: "" };
    const url = `http://px.buyer.test:${srv.port}/px?call=1`;
    await expect(egressSend(url, pixel, { allowLocal: true, resolve: toLoopback })).resolves.toMatchObject({
      status: 200,
    });
    const refused = await egressSend(url.replace("http:", "https:"), pixel, {
      allowLocal: false,
      resolve: toLoopback,
    }).catch((e) => e);
    expect(refused).toBeInstanceOf(DestinationRefused);
    expect(srv.requests).toEqual(["GET /px?call=1"]);
  });

  it("reads at most maxBytes of an answer", async () => {
    const srv = await loopback((res) => res.writeHead(200).end("x".repeat(5000)));
    const answer = await egressSend(`${srv.url}/`, { ...post, maxBytes: 100 }, { allowLocal: true });
    expect(answer.truncated).toBe(true);
    expect(answer.text).toHaveLength(100);
  });
});

describe("destinationRefusal (save time)", () => {
  const resolvesTo =
    (address: string, family: 4 | 6): Resolve =>
    async () => [{ address, family }];

  it("refuses a name that resolves to an internal address, even with the switch on", async () => {
    const url = "https://bids.buyer.test/ping";
    expect(await destinationRefusal(url, { allowLocal: true, resolve: resolvesTo("10.0.0.7", 4) })).toBe(
      "resolves to a private-network address",
    );
    expect(
      await destinationRefusal(url, { allowLocal: true, resolve: resolvesTo("169.254.169.254", 4) }),
    ).toBe("resolves to a cloud metadata address");
    expect(await destinationRefusal(url, { allowLocal: false, resolve: resolvesTo("::1", 6) })).toBe(
      "resolves to a loopback address",
    );
  });

  it("accepts a name resolving to public addresses, and one that does not resolve (checked again on send)", async () => {
    const url = "https://bids.buyer.test/ping";
    expect(
      await destinationRefusal(url, { allowLocal: false, resolve: resolvesTo("93.184.216.34", 4) }),
    ).toBe(undefined);
    const nxdomain: Resolve = async () => {
      throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    };
    expect(await destinationRefusal(url, { allowLocal: false, resolve: nxdomain })).toBeUndefined();
  });

  it("refuses literals without asking DNS", async () => {
    const never: Resolve = async () => {
      throw new Error("must not be asked");
    };
    expect(await destinationRefusal("https://[::ffff:7f00:1]/", { allowLocal: false, resolve: never })).toBe(
      "must not point to a loopback address",
    );
    expect(await destinationRefusal("https://100.64.0.9/", { allowLocal: true, resolve: never })).toBe(
      "must not point to a carrier-grade NAT address",
    );
  });
});
