// Query and response shapes of the admin dead-letter routes.
import * as v from "valibot";
import { atMost } from "./common.ts";

export const ListDeadLetters = v.object({
  state: v.optional(v.picklist(["unresolved", "resolved", "all"]), "unresolved"),
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(200)),
    "50",
  ),
  cursor: v.optional(v.pipe(v.string(), atMost("text.cursor"))),
});

const DeadLetterFields = {
  id: v.string(),
  eventId: v.nullable(v.string()),
  eventType: v.nullable(v.string()),
  payload: v.unknown(),
  error: v.looseObject({ class: v.string(), message: v.string(), sqlstate: v.nullable(v.string()) }),
  firstFailedAt: v.string(),
  lastFailedAt: v.string(),
  attempts: v.number(),
  state: v.picklist(["unresolved", "resolved"]),
  resolvedAt: v.nullable(v.string()),
  resolution: v.nullable(v.string()),
  resolutionNote: v.nullable(v.string()),
};

export const DeadLetter = v.looseObject(DeadLetterFields);
export const DeadLetterPage = v.looseObject({
  items: v.array(DeadLetter),
  nextCursor: v.nullable(v.string()),
});
export const ReplayOutcome = v.looseObject({
  outcome: v.picklist(["replayed", "already_recorded", "already_resolved"]),
  deadLetter: DeadLetter,
});

export const DiscardDeadLetter = v.object({
  reason: v.pipe(v.string(), v.trim(), v.minLength(1), atMost("text.reason")),
});
export const DiscardOutcome = v.looseObject({
  outcome: v.picklist(["discarded", "already_resolved"]),
  deadLetter: DeadLetter,
});
