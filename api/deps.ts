// What the API needs from the outside world, passed to createApp so tests can build the app directly.
import type { DaprClient } from "@dapr/dapr";
import type { Config } from "../actors/platform/config.ts";
import type { Resolve } from "../actors/platform/egress.ts";
import type { Logger } from "../actors/platform/logger.ts";
import type { Redis } from "../actors/platform/redis.ts";
import type { Db } from "./db/client.ts";
import type { SigningKey } from "./dossiers/sign.ts";
import type { KeyEvents } from "./key-events.ts";
import type { AuctionFeed } from "./live/auction-feed.ts";
import type { LiveHub } from "./live/hub.ts";
import type { StreamMonitor } from "./stream/monitor.ts";
import type { CarrierSecrets } from "./telephony/secrets.ts";

export interface ApiDeps {
  config: Config;
  dapr: DaprClient;
  redis: Redis;
  db: Db;
  logger: Logger;
  now: () => number;
  /** Readiness probes of the backing services, by name. */
  probes: Record<string, () => Promise<boolean>>;
  /** Live bidders' hub (GET /v1/live); absent in tests and processes that serve no WebSockets. */
  live?: LiveHub;
  /** Admins' feed of closed auctions (GET /v1/admin/auctions/live); absent: that route answers 503. */
  auctionFeed?: AuctionFeed;
  /** Key revocations and changes from every API replica; without it resolved keys are not cached. */
  keyEvents?: KeyEvents;
  /** Signs and checks the audit checkpoints (DCE_AUDIT_CHECKPOINT_KEY); verify reports none without it. */
  auditCheckpointKey?: string;
  /** Signs call dossiers (DCE_DOSSIER_SIGNING_KEY, Ed25519); dossiers answer 503 without it. */
  dossierKey?: SigningKey;
  /**
   * The carrier edge's signing secrets (DCE_TWILIO_AUTH_TOKEN, DCE_TELNYX_PUBLIC_KEY; the API's alone):
   * a provider without one has every request refused.
   */
  carrierSecrets?: CarrierSecrets;
  /** Name resolution for save-time checks of outbound URLs; the system's when absent (tests inject). */
  resolve?: Resolve;
  /** The domain-events backlog (metrics, /ready, offer backpressure); absent in tests that need none. */
  stream?: StreamMonitor;
}

export interface Principal {
  keyId: string;
  role: "admin" | "buyer" | "seller";
  accountId: string | null;
  /** When the key stops working (a rotated key's overlap end, or an expiry set at creation). */
  expiresAtMs?: number;
}

declare module "hono" {
  interface ContextVariableMap {
    principal: Principal;
    requestId: string;
    logger: Logger;
  }
}
