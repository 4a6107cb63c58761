// Which rate-limit bucket a request draws from (pure; the Redis-backed limiter is tested in
// rate-limit.int.test.ts, in the integration tier).
import { describe, expect, it } from "vitest";
import { bucketOf } from "./rate-limit.ts";

describe("bucketOf", () => {
  it("gives offers their own bucket", () => {
    expect(bucketOf("POST", "/v1/calls")).toBe("offers");
    expect(bucketOf("GET", "/v1/calls")).toBe("default");
    expect(bucketOf("POST", "/v1/calls/call_x/events")).toBe("default");
  });
});
