// Reading and validating request input with valibot; every failure becomes a coded problem.
import type { Context } from "hono";
import * as v from "valibot";
import { LIMITS, type LimitHit, limitHit, limitIn } from "../actors/kernel/limits.ts";
import type { Result } from "../actors/kernel/result.ts";
import { actorCallDuration } from "./metrics.ts";
import { ApiError, refusalError } from "./problem.ts";

export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw new ApiError(400, "malformed_json", "the request body is empty");
  if (jsonDepth(text) > LIMITS["body.depth"])
    throw limitError(limitHit("body.depth"), `JSON bodies nest at most ${LIMITS["body.depth"]} levels deep`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, "malformed_json", (err as Error).message);
  }
}

/**
 * The deepest nesting of arrays and objects in a JSON text, read without parsing (one pass, no
 * recursion), so a body of 60,000 `[` is refused before anything walks it. Brackets inside strings do
 * not count; the text need not be valid JSON (the parse after it says why not).
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c)
        i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
  return deepest;
}

/** A 400 naming the limit the request went over: `limit: {name, max}` beside the usual `errors`. */
export function limitError(
  limit: LimitHit,
  detail: string,
  errors: { path: string; message: string }[] = [],
): ApiError {
  return new ApiError(400, "limit_exceeded", detail, { limit, ...(errors.length ? { errors } : {}) });
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
  throwIfOverLimit(errors);
  throw new ApiError(
    400,
    "validation_failed",
    errors.map((e) => `${e.path || "body"}: ${e.message}`).join("; "),
    {
      errors,
    },
  );
}

/**
 * The route's OpenAPI facts (api/openapi/facts.ts) name its body and query schemas: validating with
 * another one would serve a document that lies, so it is a programming error (a 500 every test of the
 * route sees), not a problem of the request.
 */
function assertDeclared(c: Context, part: "body" | "query", schema: v.GenericSchema): void {
  const declared = c.get("routeFacts");
  if (declared && declared[part] !== schema)
    throw new Error(
      `${c.req.method} ${c.req.routePath} validates a ${part} its OpenAPI facts do not declare`,
    );
}

/** The query string, validated with the schema the route's facts declare. */
export function query<S extends v.GenericSchema>(c: Context, schema: S): v.InferOutput<S> {
  assertDeclared(c, "query", schema);
  return check(schema, c.req.query());
}

export async function body<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  assertDeclared(c, "body", schema);
  const input = await readJson(c);
  // Every body this API takes is a JSON object; valibot's object schemas would also take an array.
  if (input === null || typeof input !== "object" || Array.isArray(input))
    throw problemsError([{ field: "body", message: "must be a JSON object" }]);
  return check(schema, input);
}

/** Any problem that names a limit makes the whole answer a `limit_exceeded` naming the first. */
function throwIfOverLimit(errors: { path: string; message: string }[]): void {
  for (const e of errors) {
    const limit = limitIn(e.message);
    if (limit)
      throw limitError(limit, errors.map((x) => `${x.path || "body"}: ${x.message}`).join("; "), errors);
  }
}

export function problemsError(problems: { field: string; message: string }[]): ApiError {
  throwIfOverLimit(problems.map((p) => ({ path: p.field, message: p.message })));
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
