// Talking to the local sidecar: the DaprClient, actor proxies and event publishing.
import http from "node:http";
import { CommunicationProtocolEnum, DaprClient } from "@dapr/dapr";
import { type DomainEvent, eventBatch } from "../kernel/events.ts";

export function createDaprClient(daprHost: string, daprPort: string, daprApiToken: string): DaprClient {
  return new DaprClient({
    daprHost,
    daprPort,
    daprApiToken,
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    isKeepAlive: true,
  });
}

/**
 * A typed proxy for one actor: each method call is `POST /v1.0/actors/<type>/<id>/method/<name>` on
 * the local sidecar with the arguments as a JSON array (what the SDK's ActorProxyBuilder sends, and
 * what its actor host spreads back into parameters), sent with `sidecarRequest`.
 * A non-2xx answer (an actor method that threw, a sidecar that could not place the actor) throws.
 * Each call is bounded here, not by a resiliency timeout on the actor target (see
 * sidecar-components/resiliency.yaml: that policy breaks larger answers in Dapr 1.18); aborting the
 * request makes daprd cancel the call and release the actor's turn.
 */
export const ACTOR_CALL_TIMEOUT_MS = 10_000;

const sidecarAgent = new http.Agent({ keepAlive: true, maxSockets: 512, timeout: 30_000 });

export interface SidecarAnswer {
  status: number;
  ok: boolean;
  text: string;
}

/**
 * One request to the local sidecar on a kept-alive socket, bounded at ACTOR_CALL_TIMEOUT_MS (the
 * socket is destroyed then, so daprd cancels what it was doing for us). Plain node:http: the SDK's
 * client goes through node-fetch, and Node's fetch (undici, web streams, an AbortSignal per request)
 * took about a quarter of each actor host's CPU in a profile of the offer path, which makes about
 * 20 sidecar requests per offer. Every request carries the sidecar's API token (daprd refuses it
 * otherwise).
 */
export function sidecarRequest(
  target: Sidecar,
  path: string,
  method: string,
  body?: string,
): Promise<SidecarAnswer> {
  const url = target.base + path;
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders =
      body === undefined
        ? {}
        : { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
    if (target.token) headers["dapr-api-token"] = target.token;
    const req = http.request(url, { method, agent: sidecarAgent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        resolve({ status, ok: status >= 200 && status < 300, text: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", fail);
    });
    const timer = setTimeout(
      () =>
        req.destroy(new Error(`sidecar gave no answer in ${ACTOR_CALL_TIMEOUT_MS} ms: ${method} ${path}`)),
      ACTOR_CALL_TIMEOUT_MS,
    );
    function fail(err: Error) {
      clearTimeout(timer);
      reject(err);
    }
    req.on("error", fail);
    req.end(body);
  });
}

/** The local sidecar: its address and the API token it requires. */
export interface Sidecar {
  base: string;
  token?: string;
}

/** The sidecar a DaprClient talks to (the SDK's actor host passes its own client to every actor). */
function sidecarOf(client: DaprClient): Sidecar {
  const { daprHost, daprPort, daprApiToken } = client.options;
  return { base: `http://${daprHost}:${daprPort}`, token: daprApiToken };
}

export function actorProxy<T>(client: DaprClient, actorType: string, id: string): T {
  const sidecar = sidecarOf(client);
  const base = `/v1.0/actors/${actorType}/${encodeURIComponent(id)}/method/`;
  return new Proxy(
    {},
    {
      get(_target, method) {
        if (typeof method !== "string" || method === "then") return undefined; // not a thenable
        return async (...args: unknown[]) => {
          const { ok, status, text } = await sidecarRequest(
            sidecar,
            base + method,
            "POST",
            JSON.stringify(args),
          );
          if (!ok) throw new Error(`${actorType}.${method} failed: ${status} ${text.slice(0, 300)}`);
          return text === "" ? undefined : JSON.parse(text);
        };
      },
    },
  ) as T;
}

/**
 * Publishes events through the sidecar and returns the ids that failed: one message through the plain
 * publish API, several as one message too (an `EventBatch`: one stream entry, delivery and
 * acknowledgement for the lot, where a bulk publish made one of each per event), so they succeed or
 * fail together. Sent with `sidecarRequest`, not through the SDK, whose plain publish goes through
 * node-fetch.
 */
export async function publishEvents(
  client: DaprClient,
  pubsub: string,
  topic: string,
  events: DomainEvent[],
): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const sidecar = sidecarOf(client);
  const path = `/v1.0/publish/${pubsub}/${topic}`;
  const message = events.length === 1 ? events[0] : eventBatch(events);
  const res = await sidecarRequest(sidecar, path, "POST", JSON.stringify(message));
  return res.ok ? new Set() : new Set(events.map((e) => e.id));
}

/** The sidecar's actor API for one actor instance: its reminders (state is written by the document store). */
export class ActorSidecar {
  private readonly sidecar: Sidecar;
  private readonly base: string;

  constructor(client: DaprClient, actorType: string, id: string) {
    this.sidecar = sidecarOf(client);
    this.base = `/v1.0/actors/${actorType}/${encodeURIComponent(id)}`;
  }

  /** Registers (or replaces) a one-shot reminder due after `dueMs`, carrying `data` back to the actor. */
  async remind(name: string, dueMs: number, data?: unknown): Promise<void> {
    await this.send("POST", `/reminders/${name}`, { dueTime: `${Math.max(0, Math.round(dueMs))}ms`, data });
  }

  async forget(name: string): Promise<void> {
    await this.send("DELETE", `/reminders/${name}`);
  }

  private async send(method: string, path: string, body?: unknown): Promise<void> {
    const res = await sidecarRequest(
      this.sidecar,
      this.base + path,
      method,
      body === undefined ? undefined : JSON.stringify(body),
    );
    if (!res.ok) throw new Error(`${method} actor ${path} failed: ${res.status} ${res.text.slice(0, 300)}`);
  }
}
