// Admin routes over the events writer's dead letters: list them (oldest first), replay one through
// the writer's own path (`npm run events:replay` calls these), or discard one for good. Admin only.
import { Hono } from "hono";
import type { DeadLetterRow } from "../db/dead-letter-schema.ts";
import type { ApiDeps } from "../deps.ts";
import { discardDeadLetter, findDeadLetter, listDeadLetters } from "../events/dead-letters.ts";
import { classify, fromDatabase } from "../events/failure.ts";
import { replayDeadLetter } from "../events/replay.ts";
import { assertAdmin } from "../middleware/auth.ts";
import { READ, tagged, WRITE } from "../openapi/facts.ts";
import { ApiError } from "../problem.ts";
import {
  DeadLetterPage,
  DiscardDeadLetter,
  DiscardOutcome,
  ListDeadLetters,
  ReplayOutcome,
} from "../schemas/dead-letters.ts";
import { decodeCursor, encodeCursor } from "../schemas/lists.ts";
import { body, query } from "../validate.ts";

/** The payload parsed back, or its JSON text when it is nested too deep to be answered as JSON. */
function asReceived(text: string): unknown {
  const payload = JSON.parse(text) as unknown;
  try {
    JSON.stringify(payload);
    return payload;
  } catch {
    return text;
  }
}

const iso = (t: string | null) => (t === null ? null : new Date(t).toISOString());

/** A row as the admin sees it: the payload as received (parsed back from its JSON text), ISO times. */
export function deadLetterView(r: DeadLetterRow) {
  return {
    id: r.id,
    eventId: r.eventId,
    eventType: r.eventType,
    payload: asReceived(r.payload),
    error: { class: r.errorClass, message: r.errorMessage, sqlstate: r.sqlstate },
    firstFailedAt: iso(r.firstFailedAt),
    lastFailedAt: iso(r.lastFailedAt),
    attempts: r.attempts,
    state: r.resolvedAt ? "resolved" : "unresolved",
    resolvedAt: iso(r.resolvedAt),
    resolution: r.resolution,
    resolutionNote: r.resolutionNote,
  };
}

export function deadLetterRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("operations");

  const listDoc = doc({
    summary: "Events the writer could not record, oldest first (unresolved by default)",
    access: "admin",
    query: ListDeadLetters,
    status: 200,
    response: DeadLetterPage,
    errors: [...READ, "validation_failed"],
  });
  app.get("/admin/dead-letters", listDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const q = query(c, ListDeadLetters);
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (q.cursor && !after)
      throw new ApiError(400, "validation_failed", "cursor: not a cursor this API issued");
    const limit = Number(q.limit);
    const rows = await unlessDown(listDeadLetters(deps.db, { state: q.state, limit: limit + 1, after }));
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > limit && last ? encodeCursor({ at: last.firstFailedAt, id: last.id }) : null;
    return c.json({ items: page.map(deadLetterView), nextCursor });
  });

  const replayDoc = doc({
    summary: "Replay a dead letter through the events writer (exactly once per event id)",
    access: "admin",
    status: 200,
    response: ReplayOutcome,
    errors: [...READ, "dead_letter_unknown", "dead_letter_replay_failed"],
  });
  app.post("/admin/dead-letters/:deadLetterId/replay", replayDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const id = c.req.param("deadLetterId");
    const r = await unlessDown(replayDeadLetter(deps.db, c.get("logger") ?? deps.logger, id));
    if (r.outcome === "unknown") throw new ApiError(404, "dead_letter_unknown", `no dead letter ${id}`);
    if (r.outcome === "failed") {
      throw new ApiError(422, "dead_letter_replay_failed", "the event still cannot be recorded", {
        deadLetter: deadLetterView(r.row),
      });
    }
    return c.json({ outcome: r.outcome, deadLetter: deadLetterView(r.row) });
  });

  const discardDoc = doc({
    summary: "Discard a dead letter that can never be recorded (kept, with its payload and the reason)",
    access: "admin",
    body: DiscardDeadLetter,
    status: 200,
    response: DiscardOutcome,
    errors: [...WRITE, "not_found", "dead_letter_unknown"],
  });
  app.post("/admin/dead-letters/:deadLetterId/discard", discardDoc, async (c) => {
    assertAdmin(c.get("principal"));
    const id = c.req.param("deadLetterId");
    const { reason } = await body(c, DiscardDeadLetter);
    const done = await unlessDown(discardDeadLetter(deps.db, id, reason));
    if (done) {
      (c.get("logger") ?? deps.logger).warn(
        { deadLetterId: id, eventId: done.eventId },
        "events.dead_letter_discarded",
      );
      return c.json({ outcome: "discarded", deadLetter: deadLetterView(done) });
    }
    const row = await unlessDown(findDeadLetter(deps.db, id));
    if (!row) throw new ApiError(404, "dead_letter_unknown", `no dead letter ${id}`);
    return c.json({ outcome: "already_resolved", deadLetter: deadLetterView(row) });
  });
  return app;
}

/** Postgres down, shutting down or contended (drizzle wraps the driver's error): 503, retry later. */
async function unlessDown<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (fromDatabase(err) && classify(err).kind === "outage")
      throw new ApiError(503, "upstream_unavailable", "Postgres did not answer; retry the replay later");
    throw err;
  }
}
