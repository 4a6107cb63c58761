// The failure digest: error lines of both log dialects, grouped so ids do not split a message.
import { describe, expect, it } from "vitest";
import { digest, errorsOf } from "./log-digest.ts";

describe("log digest", () => {
  it("reads pino errors and daprd errors, and skips lower levels", () => {
    const text = [
      JSON.stringify({
        level: 50,
        time: 1000,
        msg: "event.retry_not_scheduled",
        err: { message: "ECONNREFUSED" },
      }),
      JSON.stringify({ level: 30, time: 1001, msg: "offer" }),
      'time="1970-01-01T00:00:02Z" level=error msg="Error acknowledging Redis message 17-0: refused" app_id=x',
      'time="1970-01-01T00:00:03Z" level=info msg="fine"',
      '{"level":50,"time":4,"msg":"cut by a cra',
    ].join("\n");
    expect(errorsOf(text)).toEqual([
      { at: 1000, message: "event.retry_not_scheduled: ECONNREFUSED" },
      { at: 2000, message: "Error acknowledging Redis message 17-0: refused" },
    ]);
  });

  it("counts messages that differ only in ids and numbers as one, most frequent first, without mDNS noise", () => {
    const errors = [
      { at: 0, message: "reminder for CallActor||call_726fe69e68ed2c45 failed after 12 ms" },
      { at: 0, message: "reminder for CallActor||call_84b0860d807bbaf9 failed after 3 ms" },
      { at: 0, message: "stream closed" },
      { at: 0, message: "error from zeroconf register: No supported interface" },
    ];
    expect(digest(errors)).toEqual([
      "2× reminder for CallActor||call_726fe69e68ed2c45 failed after 12 ms",
      "1× stream closed",
    ]);
  });
});
