// Post-call fraud flags, pure: durations bunched just above the billing threshold and repeated short
// calls from one caller. Flags do not undo a charge; they are recorded for review and queries.
export const NEAR_THRESHOLD_SEC = 5;
export const SHORT_CALL_SEC = 10;
export const SHORT_CALLS_FLAGGED = 3; // this call and two more in 24 h
export const BUNCHED_FLAGGED = 3; // a seller's calls just above the threshold in 24 h, this one included

export type PostCallFlagCode = "duration_near_threshold" | "threshold_bunching" | "repeated_short_calls";

export const POST_CALL_FLAGS: Record<PostCallFlagCode, string> = {
  duration_near_threshold: `The connected duration ended within ${NEAR_THRESHOLD_SEC} s above the buyer's billing minimum.`,
  threshold_bunching: `The seller had ${BUNCHED_FLAGGED} or more calls ending just above the billing minimum in 24 hours.`,
  repeated_short_calls: `The caller made ${SHORT_CALLS_FLAGGED} or more calls shorter than ${SHORT_CALL_SEC} s in 24 hours.`,
};

export interface PostCallFacts {
  durationSec: number;
  minDurationSec?: number;
  /** The seller's other calls in the last 24 h already flagged duration_near_threshold. */
  sellerNearThreshold24h: number;
  /** The caller's other completed calls shorter than SHORT_CALL_SEC in the last 24 h. */
  callerShortCalls24h: number;
}

export function postCallFlags(f: PostCallFacts): { code: PostCallFlagCode; detail: string }[] {
  const flags: { code: PostCallFlagCode; detail: string }[] = [];
  const min = f.minDurationSec;
  if (min !== undefined && min > 0 && f.durationSec >= min && f.durationSec <= min + NEAR_THRESHOLD_SEC) {
    flags.push({ code: "duration_near_threshold", detail: `${f.durationSec}s against a ${min}s minimum` });
    if (f.sellerNearThreshold24h + 1 >= BUNCHED_FLAGGED) {
      flags.push({
        code: "threshold_bunching",
        detail: `${f.sellerNearThreshold24h + 1} calls from this seller just above the minimum in 24 h`,
      });
    }
  }
  if (f.durationSec < SHORT_CALL_SEC && f.callerShortCalls24h + 1 >= SHORT_CALLS_FLAGGED) {
    flags.push({
      code: "repeated_short_calls",
      detail: `${f.callerShortCalls24h + 1} calls under ${SHORT_CALL_SEC}s from this caller in 24 h`,
    });
  }
  return flags;
}
