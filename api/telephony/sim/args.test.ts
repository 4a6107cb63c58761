import { describe, expect, it } from "vitest";
import { parseCli, parseScript } from "./args.ts";

describe("the simulator's command line", () => {
  it("reads buyer scripts", () => {
    expect(parseScript("answer,ring=4,talk=125,by=buyer,digits=1")).toEqual({
      outcome: "answer",
      ringSec: 4,
      talkSec: 125,
      endedBy: "buyer",
      digits: "1",
    });
    expect(parseScript("no-answer")).toEqual({ outcome: "no-answer" });
    expect(() => parseScript("maybe")).toThrow(/starts with answer/);
    expect(() => parseScript("answer,ring=soon")).toThrow(/non-negative number/);
    expect(() => parseScript("answer,colour=red")).toThrow(/unknown buyer option/);
  });

  it("reads a whole run, with defaults and faults", () => {
    const run = parseCli(
      [
        "--to",
        "+13055550100",
        "--provider",
        "telnyx",
        "--buyer",
        "+13059870001=no-answer",
        "--buyer",
        "sip:a@b.example=answer,talk=90",
        "--duplicate",
        "completed,action",
        "--order",
        "completed-first",
        "--voice-retries",
        "1",
        "--signature",
        "bad",
      ],
      { DCE_PUBLIC_URL: "https://dce.example.com/", DCE_STATE_DIR: "/tmp/dce-state" },
    );
    expect(run.stateDir).toBe("/tmp/dce-state");
    expect(run.api).toBe("https://dce.example.com");
    expect(run.call).toMatchObject({
      provider: "telnyx",
      to: "+13055550100",
      attestation: "A",
      callerState: "FL",
    });
    expect(run.call.from).toMatch(/^\+1305[2-9]\d{6}$/);
    expect(run.buyers).toEqual({
      default: { outcome: "answer", ringSec: 3, talkSec: 120 },
      "+13059870001": { outcome: "no-answer" },
      "sip:a@b.example": { outcome: "answer", talkSec: 90 },
    });
    expect(run.faults).toMatchObject({
      duplicate: ["completed", "action"],
      order: "completed-first",
      voiceRetries: 1,
    });
    expect(run.signature).toBe("bad");
    expect(() => parseCli([])).toThrow(/--to/);
    expect(() => parseCli(["--to", "+1", "--drop", "answered,hungup"])).toThrow(
      /--drop takes .*; not hungup/,
    );
    expect(parseCli(["--to", "+1", "--drop", "answered"]).faults.drop).toEqual(["answered"]);
    expect(() => parseCli(["--to", "+1", "--provider", "vonage"])).toThrow(/twilio or telnyx/);
  });
});
