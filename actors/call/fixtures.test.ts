// Runs the call lifecycle's JSON acceptance cases: every move of the TRANSITIONS table allowed or
// refused (fixtures/transitions, with replays), the billing threshold (fixtures/billing) and when a
// call goes to the next bid (fixtures/reroute), and what carrier callbacks may do (fixtures/carrier). Fixture shapes are declared here on purpose, not
// borrowed from production types.
import { describe, expect, it } from "vitest";
import { loadFixtures } from "../kernel/fixture-files.ts";
import type { Billing, CallEventCommand, CallState, CallStatus } from "./call-api.ts";
import { billingFor, buyerHungUpBelowMinimum, nextStatus, shouldReroute, TRANSITIONS } from "./rules.ts";
import { testCall } from "./test-call.ts";

type FixtureEvent = { eventId: string; type: string } & Record<string, unknown>;
interface Fixture {
  description: string;
  given: {
    status?: string;
    endReason?: string;
    appliedEvents?: Record<string, string>;
    reroute?: { max: number; belowSec: number; routingTtlSec: number };
    attempts?: { buyerId: string; campaignId: string; priceMicros: number }[];
    /** The call came through a carrier (fixtures/carrier). */
    channel?: { provider: "twilio" | "telnyx"; carrierCallSid: string };
    /** The bid the call is routed to now. */
    bidId?: string;
  };
  when:
    | { kind: "event"; event: FixtureEvent }
    | { kind: "bill"; durationSec: number; minDurationSec: number; priceMicros: number; payoutMicros: number }
    | { kind: "reroute"; event: FixtureEvent; billing?: { billable: boolean } }
    | { kind: "flag"; durationSec: number; minDurationSec: number; hangupBy?: string };
  then: Record<string, unknown>;
}

function toState(g: Fixture["given"]): CallState {
  return testCall((g.status ?? "routed") as CallStatus, {
    appliedEvents: (g.appliedEvents ?? {}) as Record<string, CallStatus>,
    ...(g.reroute ? { reroute: g.reroute } : {}),
    ...(g.endReason ? { endReason: g.endReason as CallState["endReason"] } : {}),
    ...(g.attempts ? { attempts: g.attempts } : {}),
    ...(g.channel ? { channel: g.channel } : {}),
    ...(g.bidId ? { decision: { callId: "call_1", status: "routed", bidId: g.bidId } } : {}),
  });
}

function run(f: Fixture): Record<string, unknown> {
  const state = toState(f.given);
  const w = f.when;
  if (w.kind === "bill")
    return { ...billingFor(w.durationSec, w.minDurationSec, w.priceMicros, w.payoutMicros) };
  if (w.kind === "flag") {
    const by = w.hangupBy as CallEventCommand["hangupBy"];
    return { flagged: buyerHungUpBelowMinimum(w.durationSec, w.minDurationSec, by) };
  }
  const cmd = w.event as unknown as CallEventCommand;
  if (w.kind === "reroute") return { reroute: shouldReroute(state, cmd, w.billing as Billing | undefined) };
  const r = nextStatus(state, cmd);
  if (r.ok) return { status: r.value.status, replay: r.value.replay };
  // A refused move's detail lists the moves the call allows: "...; allowed: a, b" or "none (final)".
  const listed = /allowed: (.*)$/.exec(r.reason.detail)?.[1];
  if (listed === undefined) return { refused: r.reason.code };
  return { refused: r.reason.code, allowed: listed === "none (final)" ? [] : listed.split(", ") };
}

const load = (folder: string) => loadFixtures<Fixture>(new URL(`./fixtures/${folder}`, import.meta.url));
const transitions = load("transitions");
const all = [...transitions, ...load("billing"), ...load("reroute"), ...load("carrier")];

describe("call lifecycle fixtures", () => {
  it("has a case for every status and event type of the TRANSITIONS table", () => {
    const covered = new Set(
      transitions.map(([, f]) => `${f.given.status}|${(f.when as { event: FixtureEvent }).event.type}`),
    );
    for (const status of Object.keys(TRANSITIONS))
      for (const type of ["ringing", "connected", "completed", "failed"])
        expect(covered.has(`${status}|${type}`), `${status} then ${type}`).toBe(true);
    for (const [name, f] of all)
      expect(Object.keys(f).sort(), name).toEqual(["description", "given", "then", "when"]);
  });

  it.each(all)("%s", (_name, f) => {
    expect(run(f)).toEqual(f.then);
  });
});
