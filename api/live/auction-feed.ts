// The market-wide feed of closed auctions for admins (GET /v1/admin/auctions/live): one reader per API
// replica tails the domain-events stream with a plain XREAD (no consumer group, so nothing is
// acknowledged, claimed or slowed for the events app) while at least one admin listens, and fans each
// `auction.closed` out as a small summary. Offers pay nothing for it: the actors publish the event
// anyway; the reader runs only while someone watches, on its own Redis connection.
import { unbatch } from "../../actors/kernel/events.ts";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Redis } from "../../actors/platform/redis.ts";
import { payloadOf } from "../events/server.ts";

/** What an admin sees of one closed auction. Field names follow the view policy's table. */
export interface AuctionClosedSummary {
  /** The stream entry's id: the SSE event id. */
  id: string;
  callId: string;
  status: "routed" | "no_bid";
  reasonCode: string | null;
  bids: number;
  candidates: number;
  buyerId: string | null;
  buyerCampaignId: string | null;
  clearingPriceMicros: number | null;
  occurredAt: string;
}

type Entry = [id: string, fields: string[]];

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const str = (v: unknown) => (typeof v === "string" ? v : null);

/**
 * The summary of a stream entry as daprd wrote it (`data` holds the CloudEvent JSON), or null when the
 * entry is not an `auction.closed` event or cannot be read.
 */
export function summarize([id, fields]: Entry): AuctionClosedSummary | null {
  const at = fields.indexOf("data");
  const text = at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
  // Cheap test before parsing: most entries are call events.
  if (!text?.includes('"auction.closed"')) return null;
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return null;
  }
  const isCloud = typeof envelope === "object" && envelope !== null && "specversion" in envelope;
  const message = payloadOf({ event: envelope, contentType: isCloud ? "application/cloudevents+json" : "" });
  // A message is one event, or one command's batch of them (an offer's holds its auction.closed).
  const e = unbatch(message).find((p) => (p as { type?: unknown } | null)?.type === "auction.closed") as
    | {
        type?: unknown;
        occurredAt?: unknown;
        aggregate?: { id?: unknown };
        data?: Record<string, unknown> & {
          winner?: Record<string, unknown> | null;
          reason?: { code?: unknown } | null;
        };
      }
    | undefined;
  if (typeof e?.aggregate?.id !== "string") return null;
  const d = e.data ?? {};
  const w = d.winner ?? null;
  return {
    id,
    callId: e.aggregate.id,
    status: w ? "routed" : "no_bid",
    reasonCode: str(d.reason?.code),
    bids: num(d.bids),
    candidates: num(d.candidates),
    buyerId: w ? str(w.buyerId) : null,
    buyerCampaignId: w ? str(w.buyerCampaignId) : null,
    clearingPriceMicros: w && typeof w.priceMicros === "number" ? w.priceMicros : null,
    occurredAt: str(e.occurredAt) ?? new Date(Number(id.split("-")[0])).toISOString(),
  };
}

export type Listener = (s: AuctionClosedSummary) => void;

export interface AuctionFeedOptions {
  redis: Redis;
  stream: string;
  logger: Logger;
  /** How long one XREAD blocks before the loop checks whether anyone still listens. */
  blockMs?: number;
}

export class AuctionFeed {
  private readonly listeners = new Set<Listener>();
  private reader: Redis | undefined;
  private running: Promise<void> | undefined;
  /** Entries read (every type) and summaries sent, for tests and the docs' cost note. */
  readonly counts = { entries: 0, closed: 0 };

  constructor(private readonly opts: AuctionFeedOptions) {}

  get listening(): number {
    return this.listeners.size;
  }

  /** Starts the reader with the first listener; returns the function that unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.start();
    return () => {
      this.listeners.delete(listener);
    };
  }

  private start(): void {
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      // Someone subscribed while the loop was ending: read on for them.
      if (this.listeners.size > 0) this.start();
    });
  }

  private async loop(): Promise<void> {
    const { stream, logger, blockMs = 5_000 } = this.opts;
    // A blocking read needs its own connection; it is closed when the last listener leaves.
    const reader = this.opts.redis.duplicate();
    reader.on("error", () => undefined);
    this.reader = reader;
    let last = "$";
    try {
      while (this.listeners.size > 0) {
        let answer: [string, Entry[]][] | null;
        try {
          answer = (await reader.xread("COUNT", 500, "BLOCK", blockMs, "STREAMS", stream, last)) as
            | [string, Entry[]][]
            | null;
        } catch (err) {
          logger.warn({ err: (err as Error).message }, "auction_feed.read_failed");
          await new Promise((r) => setTimeout(r, 1_000));
          continue;
        }
        for (const [, entries] of answer ?? []) {
          for (const entry of entries) {
            last = entry[0];
            this.counts.entries++;
            const s = summarize(entry);
            if (!s) continue;
            this.counts.closed++;
            for (const l of this.listeners) l(s);
          }
        }
      }
    } finally {
      this.reader = undefined;
      reader.disconnect();
    }
  }

  /** Ends the reader now (process shutdown); listeners stay subscribed but hear nothing more. */
  stop(): void {
    this.listeners.clear();
    this.reader?.disconnect();
  }
}
