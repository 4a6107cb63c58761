// Which calls record: either side turning recording on, kept for the longer of their terms.
import { describe, expect, it } from "vitest";
import { recordingFor } from "./media.ts";

describe("recordingFor", () => {
  it("records when either side turns it on, for the longer retention of the sides that did", () => {
    expect(recordingFor(undefined, undefined)).toBeUndefined();
    expect(recordingFor({ enabled: false, retentionDays: 30 }, undefined)).toBeUndefined();
    expect(recordingFor({ enabled: true, retentionDays: 30 }, undefined)).toEqual({ retentionDays: 30 });
    expect(recordingFor(undefined, { enabled: true, retentionDays: 7 })).toEqual({ retentionDays: 7 });
    expect(recordingFor({ enabled: true, retentionDays: 30 }, { enabled: true, retentionDays: 365 })).toEqual(
      {
        retentionDays: 365,
      },
    );
    // A side that turned it off does not lengthen the other's term.
    expect(recordingFor({ enabled: false, retentionDays: 999 }, { enabled: true, retentionDays: 7 })).toEqual(
      {
        retentionDays: 7,
      },
    );
  });
});
