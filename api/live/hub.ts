// The API process's side of live bidding: keeps each connected buyer present in Redis, forwards the
// buyer's opportunities and outcomes from its Redis channel, and pushes its bids back to the auction.
import { randomUUID } from "node:crypto";
import { buyerChannel, markAbsent, markPresent, pushLiveBid } from "../../actors/platform/live-bids.ts";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import { type ErrorMessage, liveView, noticeKey, parseBidderMessage } from "./messages.ts";

/** Where the hub writes to one connection: the WebSocket, or a fake in tests. */
export interface LiveSink {
  send(text: string): void;
}

export interface LiveHubOptions {
  refreshMs?: number; // presence refresh period
  ttlMs?: number; // presence lifetime without a refresh (a crashed replica's buyers age out)
  maxOpen?: number; // open opportunities tracked per connection
}

const CHANNEL_PREFIX = buyerChannel("");

export class LiveConnection {
  readonly id = randomUUID();
  /** `callId|campaignId` → deadline (epoch ms) of opportunities this connection may still bid on. */
  readonly open = new Map<string, number>();

  constructor(
    private readonly hub: LiveHub,
    readonly buyerId: string,
    readonly sink: LiveSink,
  ) {}

  /** A message from the bidder. Bids for an open opportunity go to the auction; the rest get an error. */
  async receive(text: string): Promise<void> {
    const m = parseBidderMessage(text);
    if (m.type === "error") return this.reply(m);
    const key = `${m.callId}|${m.campaignId}`;
    const deadline = this.open.get(key);
    const ids = { callId: m.callId, campaignId: m.campaignId };
    if (deadline === undefined)
      return this.reply({
        type: "error",
        code: "not_open",
        detail: "no open opportunity for this call and campaign",
        ...ids,
      });
    this.open.delete(key); // one bid per opportunity
    if (this.hub.now() > deadline)
      return this.reply({
        type: "error",
        code: "too_late",
        detail: "the auction's deadline has passed",
        ...ids,
      });
    await this.hub.pushBid(m.callId, {
      buyerId: this.buyerId,
      campaignId: m.campaignId,
      bidMicros: m.bidMicros,
    });
  }

  detach(): Promise<void> {
    return this.hub.detach(this);
  }

  private reply(m: ErrorMessage) {
    this.sink.send(JSON.stringify(m));
  }
}

export class LiveHub {
  private readonly byBuyer = new Map<string, Set<LiveConnection>>();
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private sub: Redis | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly replica = randomUUID().slice(0, 8);
  private readonly ttlMs: number;
  private readonly maxOpen: number;

  constructor(
    private readonly deps: { redis: Redis; logger: Logger; now: () => number },
    opts: LiveHubOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 15_000;
    this.maxOpen = opts.maxOpen ?? 1_000;
    this.timer = setInterval(() => void this.refresh(), opts.refreshMs ?? 5_000).unref();
  }

  now(): number {
    return this.deps.now();
  }

  /** Registers a buyer's connection; once this resolves the buyer is present and subscribed. */
  async attach(buyerId: string, sink: LiveSink): Promise<LiveConnection> {
    const conn = new LiveConnection(this, buyerId, sink);
    let conns = this.byBuyer.get(buyerId);
    if (!conns) {
      conns = new Set();
      this.byBuyer.set(buyerId, conns);
      this.subscribed.set(buyerId, this.subscriber().subscribe(buyerChannel(buyerId)));
    }
    conns.add(conn);
    await this.subscribed.get(buyerId);
    await markPresent(this.deps.redis, buyerId, [this.member(conn)], this.ttlMs, this.now());
    this.deps.logger.info({ buyerId, connectionId: conn.id }, "live.connected");
    return conn;
  }

  async detach(conn: LiveConnection): Promise<void> {
    const conns = this.byBuyer.get(conn.buyerId);
    if (!conns?.delete(conn)) return;
    if (conns.size === 0) {
      this.byBuyer.delete(conn.buyerId);
      this.subscribed.delete(conn.buyerId);
      await this.sub?.unsubscribe(buyerChannel(conn.buyerId)).catch(() => undefined);
    }
    await markAbsent(this.deps.redis, conn.buyerId, this.member(conn)).catch(() => undefined);
    this.deps.logger.info({ buyerId: conn.buyerId, connectionId: conn.id }, "live.disconnected");
  }

  async pushBid(callId: string, entry: { buyerId: string; campaignId: string; bidMicros: number }) {
    await pushLiveBid(this.deps.redis, callId, entry);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const all = [...this.byBuyer.values()].flatMap((s) => [...s]);
    await Promise.all(all.map((c) => this.detach(c)));
    this.sub?.disconnect();
  }

  private member(conn: LiveConnection) {
    return `${this.replica}:${conn.id}`;
  }

  /** Pub/sub needs a connection of its own: a subscribed ioredis client accepts no other commands. */
  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = this.deps.redis.duplicate();
      this.sub.on("message", (channel: string, text: string) => this.dispatch(channel, text));
    }
    return this.sub;
  }

  /** A notice for one buyer: forwarded to its connections here; opportunities open for bids. */
  private dispatch(channel: string, text: string) {
    if (!channel.startsWith(CHANNEL_PREFIX)) return;
    const buyerId = channel.slice(CHANNEL_PREFIX.length);
    const conns = this.byBuyer.get(buyerId);
    const notice = noticeKey(text);
    // What reaches the bidder is its view of the notice (no reserve), not the actor's raw text.
    const view = conns && notice ? liveView(buyerId, text) : undefined;
    if (!conns || !notice || view === undefined) return;
    for (const conn of conns) {
      if (notice.type === "opportunity" && conn.open.size < this.maxOpen)
        conn.open.set(notice.key, notice.deadlineMs);
      else conn.open.delete(notice.key);
      conn.sink.send(view);
    }
  }

  /** Keeps connected buyers present and forgets opportunities past their deadline. */
  private async refresh() {
    const now = this.now();
    for (const [buyerId, conns] of this.byBuyer) {
      for (const conn of conns)
        for (const [key, deadline] of conn.open) if (deadline < now) conn.open.delete(key);
      const members = [...conns].map((c) => this.member(c));
      await markPresent(this.deps.redis, buyerId, members, this.ttlMs, now).catch((err: unknown) =>
        this.deps.logger.warn({ err, buyerId }, "live.presence_failed"),
      );
    }
  }
}
