// Fetches a pending recording's media through the egress guard and stores its SHA-256; a failure leaves
// it pending (with a back-off) for the recording sweep, so a callback is never lost to a slow carrier.

import type { EgressPolicy } from "../../../actors/platform/egress.ts";
import { type Digest, type DigestRequest, egressDigest } from "../../../actors/platform/egress-digest.ts";
import type { Logger } from "../../../actors/platform/logger.ts";
import type { Db } from "../../db/client.ts";
import type { CallRecordingRow } from "../../db/recording-schema.ts";
import { markFetchFailed, markStored } from "./store.ts";

/** Recordings are hashed up to this size: a dual-channel 8 kHz 16-bit WAV hour is ~115 MB, so ample. */
export const MAX_RECORDING_BYTES = 2 * 1024 ** 3;

export interface CaptureDeps {
  db: Db;
  logger: Logger;
  policy: EgressPolicy;
  /** A carrier callback waits for the hash this long at most; the sweep has longer. */
  timeoutMs: number;
  fetchDigest?: (url: string, req: DigestRequest, policy: EgressPolicy) => Promise<Digest>;
  /** The carrier's credentials for a media URL (media-auth.ts); none when absent. */
  headersFor?: (url: string) => Record<string, string>;
}

/** Answers the row's status after the attempt: `stored` or still `pending`. */
export async function captureRecording(
  deps: CaptureDeps,
  row: CallRecordingRow,
  now: () => number,
): Promise<"stored" | "pending"> {
  if (row.status !== "pending" || !row.url) return row.status === "stored" ? "stored" : "pending";
  const fetchDigest = deps.fetchDigest ?? egressDigest;
  try {
    const digest = await fetchDigest(
      row.url,
      { timeoutMs: deps.timeoutMs, maxBytes: MAX_RECORDING_BYTES, headers: deps.headersFor?.(row.url) ?? {} },
      deps.policy,
    );
    await markStored(deps.db, row, digest, now());
    deps.logger.info(
      { callId: row.callId, recordingSid: row.recordingSid, bytes: digest.bytes },
      "recording.stored",
    );
    return "stored";
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await markFetchFailed(deps.db, row, message, now());
    deps.logger.warn(
      { callId: row.callId, recordingSid: row.recordingSid, attempts: row.fetchAttempts + 1, err: message },
      "recording.fetch_failed",
    );
    return "pending";
  }
}
