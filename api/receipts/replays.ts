// Replay answers: one call's recomputed decision beside the recorded one, and a whole run's (every
// auction closed since a time), which the e2e tiers' teardown requires to match everywhere.
import type { AuctionInputs } from "../../actors/auction/inputs.ts";
import type { Db } from "../db/client.ts";
import type { RecordedAuction } from "./record.ts";
import { recompute, rerouteChecks, sameDecision } from "./replay.ts";
import { auctionsSince } from "./store.ts";

const RUN_LIMIT = 100_000;

export function replayOf(a: RecordedAuction & { inputs: AuctionInputs }) {
  const r = recompute(a.inputs);
  const reroutes = rerouteChecks(r, a.winner, a.reroutes);
  return {
    callId: a.callId,
    eventId: a.eventId,
    closedAt: a.closedAt,
    auctionType: a.inputs.auctionType,
    reserveMicros: a.inputs.reserveMicros,
    recorded: { winner: a.winner },
    recomputed: { winner: r.winner, ranking: r.ordered, dropped: r.dropped },
    refused: a.inputs.refused,
    reroutes,
    matches: sameDecision(a.winner, r.winner) && reroutes.every((x) => x.matches),
  };
}

export interface ReplayRunReport {
  since: string;
  checkedAuctions: number;
  /** Auctions closed without recorded inputs (before receipts existed): not replayable. */
  withoutInputs: number;
  mismatches: { callId: string; eventId: string; recorded: unknown; recomputed: unknown }[];
}

export async function replayRun(db: Db, since: string): Promise<ReplayRunReport> {
  const auctions = await auctionsSince(db, since, RUN_LIMIT);
  const report: ReplayRunReport = { since, checkedAuctions: 0, withoutInputs: 0, mismatches: [] };
  for (const a of auctions) {
    if (!a.inputs) {
      report.withoutInputs++;
      continue;
    }
    report.checkedAuctions++;
    const r = recompute(a.inputs);
    if (!sameDecision(a.winner, r.winner))
      report.mismatches.push({
        callId: a.callId,
        eventId: a.eventId,
        recorded: a.winner,
        recomputed: r.winner,
      });
  }
  return report;
}
