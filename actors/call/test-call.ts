// Test data shared by the call's rule tests: a call state with only the fields every call has.
import type { CallState, CallStatus } from "./call-api.ts";

/** A call in `status` with the required fields filled in; `over` replaces or adds any of them. */
export function testCall(status: CallStatus, over: Partial<CallState> = {}): CallState {
  return {
    schema: 1,
    callId: "call_1",
    sellerId: "sel_1",
    sellerCampaignId: "scp_1",
    requestHash: "rh1_x",
    status,
    caller: {},
    tags: [],
    decision: { callId: "call_1", status: "routed" },
    timeline: { offeredAt: "2026-11-28T19:30:00.000Z" },
    appliedEvents: {},
    ...over,
  };
}
