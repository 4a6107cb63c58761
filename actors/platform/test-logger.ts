// For tests: a real pino logger whose lines are kept, parsed, in `lines` (to assert what was logged).
import { Writable } from "node:stream";
import pino from "pino";
import type { Logger } from "./logger.ts";

export function capturingLogger(level = "info"): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  ) as unknown as Logger;
  return { logger, lines };
}
