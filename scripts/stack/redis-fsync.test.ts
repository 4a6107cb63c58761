// Redis's append-only fsync policy is a setting (DCE_REDIS_APPENDFSYNC): everysec unless told, always
// when asked, anything else refused at start-up with the variable's name.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { redisSpec } from "./services.ts";

const fsyncOf = (env: NodeJS.ProcessEnv) => {
  const args = redisSpec(mkdtempSync(join(tmpdir(), "dce-redis-")), env).args;
  return args[args.indexOf("--appendfsync") + 1];
};

describe("redisSpec appendfsync", () => {
  it("is everysec by default and always when DCE_REDIS_APPENDFSYNC says so", () => {
    expect(fsyncOf({})).toBe("everysec");
    expect(fsyncOf({ DCE_REDIS_APPENDFSYNC: "always" })).toBe("always");
  });

  it("refuses any other value, naming the variable", () => {
    expect(() => fsyncOf({ DCE_REDIS_APPENDFSYNC: "no" })).toThrow(/DCE_REDIS_APPENDFSYNC/);
  });
});
