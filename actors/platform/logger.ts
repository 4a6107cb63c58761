// Structured logs (pino). Caller numbers and secrets are redacted wherever they appear.
import pino from "pino";

export const REDACT_PATHS = [
  "callerNumber",
  "*.callerNumber",
  "*.*.callerNumber",
  "pingCallerNumber",
  "*.pingCallerNumber",
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "key",
  "*.key",
];

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? "info") {
  return pino({
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { pid: process.pid },
  });
}

export type Logger = ReturnType<typeof createLogger>;
