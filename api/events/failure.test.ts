// Which failures are the event's fault (dead letter) and which the database's (RETRY): the table.
import { describe, expect, it } from "vitest";
import { classify, sqlstateOf } from "./failure.ts";

/** An error shaped as postgres.js raises it (a PostgresError with its SQLSTATE in `code`). */
class PostgresError extends Error {
  constructor(
    readonly code: string,
    message = `sqlstate ${code}`,
  ) {
    super(message);
    this.name = "PostgresError";
  }
}
/** drizzle's wrapper: its message quotes the query, the driver's error is the cause. */
class DrizzleQueryError extends Error {
  constructor(cause: unknown) {
    super("Failed query: insert into calls ... params: secret", { cause });
  }
}
const sys = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5433`), { code });

describe("failure classification", () => {
  it.each([
    ["22003 numeric value out of range", new PostgresError("22003")],
    ["22P02 invalid text representation", new PostgresError("22P02")],
    ["22008 datetime field overflow", new PostgresError("22008")],
    ["23514 check violation", new PostgresError("23514")],
    ["23502 not null violation", new PostgresError("23502")],
    ["23503 foreign key violation", new PostgresError("23503")],
    ["54000 index row too large", new PostgresError("54000")],
    ["a RangeError (an unpostable charge)", new RangeError("call_x: payout 9 + margin 9 ≠ charge 10")],
    ["a TypeError (a payload of the wrong shape)", new TypeError("x.map is not a function")],
    ["a wrapped check violation", new DrizzleQueryError(new PostgresError("23514"))],
  ])("poison: %s", (_, err) => {
    expect(classify(err).kind).toBe("poison");
  });

  it.each([
    ["ECONNREFUSED (Postgres down)", sys("ECONNREFUSED")],
    ["ECONNRESET", sys("ECONNRESET")],
    ["EPIPE", sys("EPIPE")],
    ["postgres.js CONNECTION_CLOSED", sys("CONNECTION_CLOSED")],
    ["postgres.js CONNECT_TIMEOUT", sys("CONNECT_TIMEOUT")],
    ["57P01 admin shutdown", new PostgresError("57P01")],
    ["57P03 cannot connect now (starting up)", new PostgresError("57P03")],
    ["57014 statement timeout", new PostgresError("57014")],
    ["40001 serialization failure", new PostgresError("40001")],
    ["40P01 deadlock", new PostgresError("40P01")],
    ["53300 too many connections", new PostgresError("53300")],
    ["53100 disk full", new PostgresError("53100")],
    ["55P03 lock not available", new PostgresError("55P03")],
    ["25006 read-only transaction (a standby)", new PostgresError("25006")],
    ["08006 connection failure", new PostgresError("08006")],
    ["42P01 undefined table (a migration not run)", new PostgresError("42P01")],
    ["42501 insufficient privilege (a grant missing)", new PostgresError("42501")],
    ["XX000 internal error", new PostgresError("XX000")],
    ["a wrapped serialization failure", new DrizzleQueryError(new PostgresError("40001"))],
    ["an unknown Error", new Error("something else")],
    ["a thrown string", "oops"],
  ])("outage: %s", (_, err) => {
    expect(classify(err).kind).toBe("outage");
  });

  it("describes the driver's error, not drizzle's wrapper (which quotes parameters)", () => {
    const f = classify(new DrizzleQueryError(new PostgresError("23514", "violates check constraint")));
    expect(f).toEqual({
      kind: "poison",
      errorClass: "PostgresError",
      sqlstate: "23514",
      message: "violates check constraint",
    });
  });

  it("reads a SQLSTATE, never a socket code", () => {
    expect(sqlstateOf(sys("EPIPE"))).toBeNull();
    expect(sqlstateOf(new DrizzleQueryError(new PostgresError("57P01")))).toBe("57P01");
    expect(classify(new RangeError("x")).errorClass).toBe("RangeError");
  });
});
