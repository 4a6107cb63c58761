// Do-Not-Call batches: add or remove many numbers, each checked on its own (E.164 NANP, as the single
// route), the valid ones written together; numbers are hashed at once and never echoed or logged.
import { Hono } from "hono";
import { domainEvent } from "../../actors/kernel/events.ts";
import { newId } from "../../actors/kernel/ids.ts";
import { LIMITS } from "../../actors/kernel/limits.ts";
import { checkNanpNumber } from "../../actors/kernel/phone.ts";
import { phoneHash } from "../../actors/platform/pii.ts";
import { recordApiEvent } from "../audit/audit-log.ts";
import { idempotentBatch } from "../batch/idempotency.ts";
import { answerItems, type ItemOutcome } from "../batch/runner.ts";
import { addSuppressions, removeSuppressions } from "../compliance/dnc.ts";
import type { ApiDeps } from "../deps.ts";
import { tagged, WRITE } from "../openapi/facts.ts";
import { DncBatch, DncBatchResult } from "../schemas/batch.ts";
import { body, problemsError } from "../validate.ts";
import { scopeFor } from "./compliance.ts";

const MAX_PHONE = LIMITS["text.phone"];

/** Each number's keyed hash, or its problem (the detail never contains the number). */
export function hashEach(pii: Parameters<typeof phoneHash>[0], numbers: string[]): ItemOutcome<string>[] {
  return numbers.map((raw, i) => {
    const p = raw.length > MAX_PHONE ? undefined : checkNanpNumber(raw);
    if (p?.ok) return { ok: true, value: phoneHash(pii, p.e164) };
    const message = p ? p.detail : `must have at most ${MAX_PHONE} characters`;
    return { ok: false, error: problemsError([{ field: `numbers.${i}`, message }]) };
  });
}

export function dncBatchRoutes(deps: ApiDeps) {
  const app = new Hono();
  const doc = tagged("compliance");

  const dncBatchDoc = doc({
    summary:
      "Add or remove many Do-Not-Call entries (`numbers.batch` numbers): one answer per number, in order",
    access: "buyer",
    body: DncBatch,
    status: 200,
    response: DncBatchResult,
    idempotencyKey: "optional",
    errors: [...WRITE, "limit_exceeded", "idempotency_key_required", "idempotency_conflict"],
  });
  app.post("/compliance/dnc/batch", dncBatchDoc, async (c) => {
    const input = await body(c, DncBatch);
    const scope = scopeFor(c.get("principal"), input.scope);
    // The replay fingerprint is a plain hash: numbers go into it keyed, as everywhere they are stored.
    const numbers = input.numbers.map((n) => deps.config.pii.mac("ib_", n, 40));
    return idempotentBatch(deps, c, { ...input, numbers }, async () => {
      const outcomes = hashEach(deps.config.pii, input.numbers);
      const hashes = [...new Set(outcomes.flatMap((o) => (o.ok ? [o.value] : [])))];
      if (input.action === "remove") await removeSuppressions(deps.redis, deps.db, scope, hashes);
      else await addSuppressions(deps.redis, deps.db, scope, hashes, input.reason);
      const answer = answerItems(outcomes, c.req.path, () => ({
        status: input.action === "add" ? 201 : 200,
      }));
      if (hashes.length > 0) {
        const type = `compliance.suppression_${input.action === "remove" ? "removed" : "added"}`;
        await recordApiEvent(
          deps.db,
          domainEvent(type, { type: "compliance", id: scope }, newId("c"), deps.now(), {
            scope,
            count: hashes.length,
            refused: answer.refused,
          }),
        );
      }
      return { action: input.action, scope, ...answer };
    });
  });

  return app;
}
