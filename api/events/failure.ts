// Why an event could not be recorded: poison (the event itself; retrying cannot help, so it goes to
// the dead-letter table) or an outage (Postgres unreachable, shutting down, overloaded or contended;
// the event is fine, so the broker retries it). Pure: the table is tested in failure.test.ts.

export type FailureKind = "poison" | "outage";

export interface Failure {
  kind: FailureKind;
  /** The error's class (`RangeError`, `PostgresError`, `MalformedEvent`). */
  errorClass: string;
  /** The SQLSTATE Postgres answered, when it answered one. */
  sqlstate: string | null;
  /** The error's message (may quote the event's values: stored in Postgres, never logged). */
  message: string;
}

/**
 * SQLSTATE classes a given event causes whatever the moment: 22 data exception (a value out of range,
 * bad text, a bad date), 23 integrity constraint violation (check, not null, foreign key, unique),
 * 54 program limit exceeded (an index row or a statement too large). Every other class is about the
 * database, not the event: 08 connection, 40 serialization failure or deadlock, 53 too many
 * connections / out of memory / disk full, 55 lock not available, 57 shutting down or cancelled,
 * 58 I/O, 25 read-only standby, 28 credentials, 3D no such database, 42 a schema or grant the
 * deployment lacks (fixed by migrating or granting, not by changing the event), XX internal.
 */
const POISON_CLASSES = new Set(["22", "23", "54"]);

/** Errors JavaScript raises on the event's content (a bad amount, a missing field, too deep a payload). */
const POISON_JS = new Set(["RangeError", "TypeError", "SyntaxError"]);

/** What the error says about the event. Anything not known to be the event's fault is an outage. */
export function classify(err: unknown): Failure {
  // drizzle wraps the driver's error (its message quotes the query and its parameters): describe the
  // error that carries the SQLSTATE, else the one thrown.
  const root = chain(err).find((e) => sqlstateIn(e)) ?? err;
  const sqlstate = sqlstateOf(err);
  const e = root as { name?: unknown; message?: unknown; constructor?: { name?: unknown } } | null;
  const ctor = e?.constructor?.name;
  const errorClass =
    (typeof ctor === "string" && ctor !== "Object" && ctor) ||
    (typeof e?.name === "string" && e.name) ||
    typeof root;
  const message = typeof e?.message === "string" ? e.message : String(root);
  let kind: FailureKind = "outage";
  if (sqlstate) kind = POISON_CLASSES.has(sqlstate.slice(0, 2)) ? "poison" : "outage";
  else if (err instanceof Error && POISON_JS.has(err.name) && !chain(err).some((x) => hasCode(x)))
    kind = "poison";
  return { kind, errorClass, sqlstate, message };
}

/** A payload that is not a domain event at all: poison by definition. */
export function malformed(reason: string): Failure {
  return { kind: "poison", errorClass: "MalformedEvent", sqlstate: null, message: reason };
}

/** The SQLSTATE on the error or on any error in its cause chain. */
export function sqlstateOf(err: unknown): string | null {
  for (const e of chain(err)) if (sqlstateIn(e)) return (e as { code: string }).code;
  return null;
}

/** A SQLSTATE: five characters of digits and capitals, at least one a digit (not `EPIPE`). */
const sqlstateIn = (e: unknown) => {
  const code = (e as { code?: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && /\d/.test(code);
};

/** An error the database or its connection raised (a SQLSTATE, or a driver or socket code). */
export const fromDatabase = (err: unknown) => chain(err).some(hasCode);

/** A driver or socket code (`ECONNREFUSED`, `CONNECTION_CLOSED`). */
const hasCode = (e: unknown) => typeof (e as { code?: unknown }).code === "string";

/** The error and its causes, outermost first (at most 8 deep). */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e && typeof e === "object" && out.length < 8; e = (e as { cause?: unknown }).cause)
    out.push(e);
  return out;
}
