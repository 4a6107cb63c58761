import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ApiError } from "./problem.ts";
import { check, unstorableStrings } from "./validate.ts";

describe("strings Postgres cannot store", () => {
  it("finds NULs and lone surrogates anywhere in the input, keys included", () => {
    expect(
      unstorableStrings({ name: "a\u0000b", tags: ["ok", "\udae9"], nested: { "k\u0000": 1 }, fine: "🙂" }),
    ).toEqual(["name", "tags.1", "nested.k\u0000"]);
    expect(unstorableStrings({ name: "José 🙂", n: 1, b: null })).toEqual([]);
  });

  it("are refused as validation_failed with their paths, before the schema runs", () => {
    const schema = v.object({ name: v.string() });
    try {
      check(schema, { name: "x\u0000" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      expect((err as ApiError).code).toBe("validation_failed");
      expect((err as ApiError).extra.errors).toEqual([
        { path: "name", message: "must not contain NUL characters or unpaired surrogates" },
      ]);
    }
    expect(check(schema, { name: "ok" })).toEqual({ name: "ok" });
  });
});
