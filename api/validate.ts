// Reading and validating request input with valibot; every failure becomes a coded problem.
import type { Context } from "hono";
import * as v from "valibot";
import type { Result } from "../actors/kernel/result.ts";
import { actorCallDuration } from "./metrics.ts";
import { ApiError, refusalError } from "./problem.ts";

export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw new ApiError(400, "malformed_json", "the request body is empty");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, "malformed_json", (err as Error).message);
  }
}

/**
 * Paths of strings Postgres cannot store: a NUL character, or UTF-16 that is not well formed (a lone
 * surrogate). Both would fail a text or jsonb write later, and in a domain event they would stall the
 * event stream, so they are refused at the door, wherever they are in the input.
 */
export function unstorableStrings(value: unknown, path = ""): string[] {
  if (typeof value === "string") return value.includes("\u0000") || !value.isWellFormed() ? [path] : [];
  if (Array.isArray(value))
    return value.flatMap((x, i) => unstorableStrings(x, path ? `${path}.${i}` : `${i}`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, x]) => [
      ...unstorableStrings(k, path ? `${path}.${k}` : k),
      ...unstorableStrings(x, path ? `${path}.${k}` : k),
    ]);
  return [];
}

export function check<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const unstorable = unstorableStrings(input);
  if (unstorable.length > 0)
    throw problemsError(
      [...new Set(unstorable)].map((field) => ({
        field: field || "body",
        message: "must not contain NUL characters or unpaired surrogates",
      })),
    );
  const parsed = v.safeParse(schema, input);
  if (parsed.success) return parsed.output;
  const errors = parsed.issues.map((i) => ({ path: v.getDotPath(i) ?? "", message: i.message }));
  throw new ApiError(
    400,
    "validation_failed",
    errors.map((e) => `${e.path || "body"}: ${e.message}`).join("; "),
    {
      errors,
    },
  );
}

export async function body<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  const input = await readJson(c);
  // Every body this API takes is a JSON object; valibot's object schemas would also take an array.
  if (input === null || typeof input !== "object" || Array.isArray(input))
    throw problemsError([{ field: "body", message: "must be a JSON object" }]);
  return check(schema, input);
}

export function problemsError(problems: { field: string; message: string }[]): ApiError {
  return new ApiError(400, "validation_failed", problems.map((p) => `${p.field}: ${p.message}`).join("; "), {
    errors: problems.map((p) => ({ path: p.field, message: p.message })),
  });
}

/** Awaits an actor call: a refusal becomes its coded problem; a transport failure a 503. */
export async function actorCall<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  const end = actorCallDuration.startTimer();
  try {
    result = await call;
  } catch (err) {
    end({ result: "failed" });
    throw new ApiError(
      503,
      "upstream_unavailable",
      `actor call failed: ${(err as Error).message.slice(0, 300)}`,
    );
  }
  end({ result: result.ok ? "ok" : "refused" });
  if (!result.ok) throw refusalError(result.reason);
  return result.value;
}
