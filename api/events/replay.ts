// Replaying a dead letter: its event goes through the writer's own path (one transaction, exactly
// once per event id); success resolves the row in that same transaction. Used by the admin route
// (and so by `npm run events:replay`).
import type { DomainEvent } from "../../actors/kernel/events.ts";
import type { Logger } from "../../actors/platform/logger.ts";
import type { Db } from "../db/client.ts";
import type { DeadLetterRow } from "../db/dead-letter-schema.ts";
import { failedAgain, findDeadLetter, markResolved } from "./dead-letters.ts";
import { classify, type Failure, malformed } from "./failure.ts";
import { notDomainEvent, writeOne } from "./writer.ts";

export type ReplayResult =
  | { outcome: "replayed" | "already_recorded" | "already_resolved"; row: DeadLetterRow }
  | { outcome: "failed"; row: DeadLetterRow; failure: Failure }
  | { outcome: "unknown" };

/**
 * Replays one dead letter. An outage (Postgres unreachable, serialization failure) is thrown, not
 * counted: the row stays as it was and the caller answers 503.
 */
export async function replayDeadLetter(db: Db, logger: Logger, id: string): Promise<ReplayResult> {
  const row = await findDeadLetter(db, id);
  if (!row) return { outcome: "unknown" };
  if (row.resolvedAt) return { outcome: "already_resolved", row };
  const payload = JSON.parse(row.payload) as unknown;
  const wrong = notDomainEvent(payload);
  if (wrong !== undefined) return failed(db, row, malformed(`not a domain event: ${wrong}`));
  let outcome: "replayed" | "already_recorded" = "replayed";
  try {
    await writeOne(db, logger, payload as DomainEvent, async (tx, seen) => {
      outcome = seen.length > 0 ? "already_recorded" : "replayed";
      await markResolved(tx, id, outcome);
    });
  } catch (err) {
    const failure = classify(err);
    if (failure.kind === "outage") throw err;
    return failed(db, row, failure);
  }
  logger.info({ deadLetterId: id, eventId: row.eventId, type: row.eventType, outcome }, "events.replayed");
  return { outcome, row: (await findDeadLetter(db, id)) ?? row };
}

async function failed(db: Db, row: DeadLetterRow, failure: Failure): Promise<ReplayResult> {
  await failedAgain(db, row.id, failure);
  return { outcome: "failed", row: (await findDeadLetter(db, row.id)) ?? row, failure };
}
