// Process configuration, parsed and validated once at start-up; every problem is reported by name.
import { type PiiKeyring, parsePiiKeys } from "./pii-keys.ts";

export interface Config {
  redisUrl: string;
  databaseUrl: string;
  daprHost: string;
  daprHttpPort: string;
  appPort: number; // the port daprd calls back on (actor host / subscriber)
  apiPort: number; // the public Hono port (API app only)
  apiHost: string; // the address Hono binds: loopback locally, 0.0.0.0 in a pod
  appId: string; // this process's Dapr app id (the prefix of its actors' state keys)
  /** Keys for personal data, derived per purpose from DCE_PII_KEY / DCE_PII_KEYS (see pii-keys.ts). */
  pii: PiiKeyring;
  adminApiKey: string; // the first admin key, from configuration
  /** Sent to this app's daprd in `dapr-api-token` on every request (daprd refuses requests without it). */
  daprApiToken: string;
  /** What daprd sends this app in `dapr-api-token` on every callback (the app refuses callbacks without it). */
  appApiToken: string;
  logLevel: string;
  pubsubName: string;
  eventsTopic: string;
  disputeWindowDays: number; // how long after a charge a buyer may be refunded
  /**
   * How long a finished call's documents (CallActor, AuctionActor) stay in Redis once the call can no
   * longer change (DCE_CALL_RETENTION_SEC; actors/call/retention.ts); Postgres keeps the call after.
   */
  callRetentionSec: number;
  /** Standing-bid-only auctions run in the call's own turn (DCE_INLINE_AUCTIONS=0: always an AuctionActor). */
  inlineAuctions: boolean;
  /** Per-API-key request rates (requests a second, burst); `offers` is POST /v1/calls. 0 turns one off. */
  rateLimits: { default: RateLimit; offers: RateLimit };
  /** Failed authentications allowed per client address in a window; past it, 429 before any lookup. */
  authFailures: { max: number; windowSec: number };
  /** Proxies in front of the API that append to X-Forwarded-For (0: use the socket's peer address). */
  trustedProxyHops: number;
  /** Webhook deliveries: exponential backoff from `retryBaseMs`, capped, up to `maxAttempts` tries. */
  webhooks: {
    retryBaseMs: number;
    maxDelayMs: number;
    maxAttempts: number;
    timeoutMs: number;
    pollMs: number;
    /**
     * The per-endpoint breaker: `failures` failed attempts in a row spanning `minFailingMs` suspend an
     * endpoint (0 turns it off); it is then probed every `probeBaseMs`, doubling up to `probeMaxMs`.
     */
    breaker: { failures: number; minFailingMs: number; probeBaseMs: number; probeMaxMs: number };
  };
  /**
   * The local-stack switch for every outbound request (RTB, webhooks): http and loopback destinations
   * allowed; private, CGNAT, link-local, metadata and multicast stay refused. Never on a shared deployment.
   */
  egressAllowLocal: boolean;
  /** The domain-events stream's guards (docs/ops/stream.md): backpressure, readiness, cleanup. */
  stream: StreamGuards;
  /** Call recordings (docs/ops/recordings.md): the sweep's period, and how long a callback waits for the hash. */
  recordings: { sweepMs: number; fetchTimeoutMs: number };
  /** Payout holds (api/money): how often the events app releases the holds that have ended. */
  payouts: { releaseMs: number };
  /** The exchange's public base URL (DCE_PUBLIC_URL): carriers sign and call back URLs under it. */
  publicUrl: string;
  /** The carrier edge (api/telephony, docs/ops/carrier.md); its secrets are the API's alone (ApiDeps). */
  carrier: { dialTimeoutSec: number };
}

export interface StreamGuards {
  /** Unacknowledged entries (pending + undelivered) past which new offers get 503 (0: never). */
  backlogMax: number;
  /** Unacknowledged entries past which /ready reports the stream degraded (0: never). */
  readyLagMax: number;
  /** Seconds a refused offer is told to wait (Retry-After). */
  retryAfterSec: number;
  /** How often the API samples the backlog, and the events app trims acknowledged entries. */
  pollMs: number;
  trimMs: number;
}

export interface RateLimit {
  perSec: number;
  burst: number;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 65535) problems.push(`${name} must be a TCP port, got "${raw}"`);
    return n;
  };
  const count = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) problems.push(`${name} must be a non-negative integer, got "${raw}"`);
    return n;
  };
  const pii = parsePiiKeys({ DCE_PII_KEY: env.DCE_PII_KEY, DCE_PII_KEYS: env.DCE_PII_KEYS });
  problems.push(...pii.problems);
  const adminApiKey = env.DCE_ADMIN_API_KEY ?? "";
  if (adminApiKey.length < 24) problems.push("DCE_ADMIN_API_KEY must be set (at least 24 characters)");
  const token = (name: string): string => {
    const v = env[name] ?? "";
    if (v.length < 32) problems.push(`${name} must be set (at least 32 characters)`);
    return v;
  };
  const config: Config = {
    redisUrl: env.DCE_REDIS_URL ?? "redis://127.0.0.1:6380",
    databaseUrl: env.DATABASE_URL ?? "postgres://dce:dce@127.0.0.1:5433/dce",
    daprHost: env.DAPR_HOST ?? "127.0.0.1",
    daprHttpPort: String(port("DAPR_HTTP_PORT", 3500)),
    appPort: port("APP_PORT", 3001),
    apiPort: port("API_PORT", 8080),
    apiHost: env.API_HOST ?? "127.0.0.1",
    appId: env.APP_ID ?? "exchange-actors",
    pii: pii.keys as PiiKeyring, // null only with problems, which throw below
    adminApiKey,
    daprApiToken: token("DAPR_API_TOKEN"),
    appApiToken: token("APP_API_TOKEN"),
    logLevel: env.LOG_LEVEL ?? "info",
    pubsubName: env.DCE_PUBSUB ?? "pubsub",
    eventsTopic: env.DCE_EVENTS_TOPIC ?? "domain-events",
    disputeWindowDays: Number(env.DCE_DISPUTE_WINDOW_DAYS ?? 30),
    callRetentionSec: count("DCE_CALL_RETENTION_SEC", 3600),
    inlineAuctions: env.DCE_INLINE_AUCTIONS !== "0",
    rateLimits: {
      default: { perSec: count("DCE_RATE_LIMIT_RPS", 100), burst: count("DCE_RATE_LIMIT_BURST", 1000) },
      offers: {
        perSec: count("DCE_RATE_LIMIT_OFFERS_RPS", 1000),
        burst: count("DCE_RATE_LIMIT_OFFERS_BURST", 5000),
      },
    },
    authFailures: {
      max: count("DCE_AUTH_FAILURES_MAX", 20),
      windowSec: count("DCE_AUTH_FAILURES_WINDOW_SEC", 60),
    },
    trustedProxyHops: count("DCE_TRUSTED_PROXY_HOPS", 0),
    webhooks: {
      retryBaseMs: count("DCE_WEBHOOK_RETRY_BASE_MS", 10_000),
      maxDelayMs: count("DCE_WEBHOOK_MAX_DELAY_MS", 3_600_000),
      maxAttempts: count("DCE_WEBHOOK_MAX_ATTEMPTS", 12),
      timeoutMs: count("DCE_WEBHOOK_TIMEOUT_MS", 5_000),
      pollMs: count("DCE_WEBHOOK_POLL_MS", 1_000),
      breaker: {
        failures: count("DCE_WEBHOOK_BREAKER_FAILURES", 10),
        minFailingMs: count("DCE_WEBHOOK_BREAKER_MIN_FAILING_MS", 300_000),
        probeBaseMs: count("DCE_WEBHOOK_PROBE_BASE_MS", 60_000),
        probeMaxMs: count("DCE_WEBHOOK_PROBE_MAX_MS", 3_600_000),
      },
    },
    // DCE_WEBHOOK_ALLOW_PRIVATE is the switch's old name, still read.
    egressAllowLocal: /^(1|true|yes)$/i.test(
      env.DCE_EGRESS_ALLOW_LOCAL ?? env.DCE_WEBHOOK_ALLOW_PRIVATE ?? "",
    ),
    stream: {
      backlogMax: count("DCE_STREAM_BACKLOG_MAX", 1_000_000),
      readyLagMax: count("DCE_STREAM_READY_LAG_MAX", 100_000),
      retryAfterSec: count("DCE_STREAM_RETRY_AFTER_SEC", 5),
      pollMs: count("DCE_STREAM_POLL_MS", 1_000),
      trimMs: count("DCE_STREAM_TRIM_MS", 10_000),
    },
    recordings: {
      sweepMs: count("DCE_RECORDING_SWEEP_MS", 60_000),
      fetchTimeoutMs: count("DCE_RECORDING_FETCH_TIMEOUT_MS", 8_000),
    },
    payouts: { releaseMs: count("DCE_PAYOUT_RELEASE_MS", 60_000) },
    publicUrl: (env.DCE_PUBLIC_URL || `http://127.0.0.1:${port("API_PORT", 8080)}`).replace(/\/+$/, ""),
    carrier: { dialTimeoutSec: count("DCE_CARRIER_DIAL_TIMEOUT_SEC", 20) },
  };
  if (config.carrier.dialTimeoutSec < 5) problems.push("DCE_CARRIER_DIAL_TIMEOUT_SEC must be at least 5");
  if (!/^https?:\/\/[^\s/]+/.test(config.publicUrl)) problems.push("DCE_PUBLIC_URL must be an http(s) URL");
  if (config.stream.pollMs < 100) problems.push("DCE_STREAM_POLL_MS must be at least 100");
  if (config.stream.trimMs < 100) problems.push("DCE_STREAM_TRIM_MS must be at least 100");
  if (config.stream.retryAfterSec < 1) problems.push("DCE_STREAM_RETRY_AFTER_SEC must be at least 1");
  if (config.webhooks.maxAttempts < 1) problems.push("DCE_WEBHOOK_MAX_ATTEMPTS must be at least 1");
  if (config.webhooks.timeoutMs < 100) problems.push("DCE_WEBHOOK_TIMEOUT_MS must be at least 100");
  if (config.webhooks.pollMs < 50) problems.push("DCE_WEBHOOK_POLL_MS must be at least 50");
  if (config.webhooks.breaker.probeBaseMs < 100)
    problems.push("DCE_WEBHOOK_PROBE_BASE_MS must be at least 100");
  if (config.webhooks.breaker.probeMaxMs < config.webhooks.breaker.probeBaseMs)
    problems.push("DCE_WEBHOOK_PROBE_MAX_MS must be at least DCE_WEBHOOK_PROBE_BASE_MS");
  if (!Number.isInteger(config.disputeWindowDays) || config.disputeWindowDays < 0) {
    problems.push("DCE_DISPUTE_WINDOW_DAYS must be a non-negative integer");
  }
  if (config.recordings.sweepMs < 100) problems.push("DCE_RECORDING_SWEEP_MS must be at least 100");
  if (config.recordings.fetchTimeoutMs < 100)
    problems.push("DCE_RECORDING_FETCH_TIMEOUT_MS must be at least 100");
  if (config.payouts.releaseMs < 100) problems.push("DCE_PAYOUT_RELEASE_MS must be at least 100");
  if (config.callRetentionSec < 1) problems.push("DCE_CALL_RETENTION_SEC must be at least 1");
  if (problems.length > 0) throw new Error(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
  return config;
}
