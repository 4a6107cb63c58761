import { describe, expect, it } from "vitest";
import { type BuyerScript, placeLeg } from "./buyers.ts";

const leg = (script: BuyerScript, more: Partial<Parameters<typeof placeLeg>[0]> = {}) =>
  placeLeg({
    script,
    startSec: 10,
    timeoutSec: 20,
    timeLimitSec: 3600,
    callerHangupAtSec: Infinity,
    ...more,
  });
const names = (l: ReturnType<typeof placeLeg>) =>
  l.events.map((e) => `${e.event}:${e.callStatus}@${e.atSec}`);

describe("placeLeg", () => {
  it("an answering buyer: initiated, ringing, answered, completed; duration from the answer", () => {
    const l = leg({ outcome: "answer", ringSec: 4, talkSec: 125 });
    expect(names(l)).toEqual([
      "initiated:initiated@10",
      "ringing:ringing@10",
      "answered:in-progress@14",
      "completed:completed@139",
    ]);
    expect(l).toMatchObject({ status: "completed", answeredAtSec: 14, durationSec: 125, hangupBy: "caller" });
    expect(leg({ outcome: "answer", talkSec: 5, endedBy: "buyer" }).hangupBy).toBe("buyer");
  });

  it("rings out at the Dial's timeout when nobody answers or the answer comes too late", () => {
    for (const script of [{ outcome: "no-answer" }, { outcome: "answer", ringSec: 25 }] as BuyerScript[]) {
      const l = leg(script);
      expect(names(l)).toEqual(["initiated:initiated@10", "ringing:ringing@10", "completed:no-answer@30"]);
      expect(l).toMatchObject({ status: "no-answer", durationSec: 0 });
      expect(l.answeredAtSec).toBeUndefined();
    }
  });

  it("busy and failed end at once, without ringing", () => {
    expect(names(leg({ outcome: "busy" }))).toEqual(["initiated:initiated@10", "completed:busy@10"]);
    expect(leg({ outcome: "failed" })).toMatchObject({ status: "failed", durationSec: 0 });
  });

  it("the caller hanging up while it rings cancels the leg; while talking, cuts the duration", () => {
    const ringing = leg({ outcome: "answer", ringSec: 8 }, { callerHangupAtSec: 15 });
    expect(names(ringing).at(-1)).toBe("completed:canceled@15");
    expect(ringing).toMatchObject({ status: "canceled", durationSec: 0, hangupBy: "caller" });
    const talking = leg(
      { outcome: "answer", ringSec: 2, talkSec: 300, endedBy: "buyer" },
      { callerHangupAtSec: 52 },
    );
    expect(talking).toMatchObject({
      status: "completed",
      durationSec: 40,
      hangupBy: "caller",
      endedAtSec: 52,
    });
  });

  it("the Dial's timeLimit ends a long call (the carrier hangs up); a whisper counts in the leg", () => {
    expect(leg({ outcome: "answer", ringSec: 0, talkSec: 5000 })).toMatchObject({
      durationSec: 3600,
      hangupBy: "carrier",
    });
    expect(leg({ outcome: "answer", ringSec: 0, talkSec: 100 }, { extraAnsweredSec: 6 })).toMatchObject({
      durationSec: 106,
    });
    expect(
      leg({ outcome: "answer", ringSec: 0, talkSec: 100 }, { extraAnsweredSec: 6, bridged: false }),
    ).toMatchObject({
      durationSec: 6,
      hangupBy: "buyer",
    });
  });
});
