// Every reason code, API error code and post-call flag is documented in docs/api.md.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { POST_CALL_FLAGS } from "../actors/compliance/post-call.ts";
import { REASONS } from "../actors/kernel/reasons.ts";
import { API_ERRORS } from "./problem.ts";

const doc = readFileSync(new URL("../docs/api.md", import.meta.url), "utf8");

describe("API documentation", () => {
  it.each([...Object.keys(REASONS), ...Object.keys(API_ERRORS), ...Object.keys(POST_CALL_FLAGS)])(
    "documents %s",
    (code) => {
      expect(doc).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|`));
    },
  );
});
