// The offer saga's compensation run: reverse order, once per hold, the saved call's own hold kept.
import { describe, expect, it } from "vitest";
import { type Compensation, compensate } from "./saga.ts";

const release = (buyerId: string): Compensation => ({ kind: "buyer.release", buyerId, callId: "call_1" });
const slot: Compensation = { kind: "seller.release", sellerId: "s1", campaignId: "scmp_1", callId: "call_1" };
const who = (c: Compensation) => (c.kind === "buyer.release" ? c.buyerId : c.sellerId);

describe("compensate", () => {
  it("undoes the steps newest first, each hold once", async () => {
    const ran: string[] = [];
    const left = await compensate(
      [release("b1"), release("b2"), release("b1"), release("b3")],
      () => false,
      async (c) => {
        ran.push(who(c));
      },
    );
    expect(ran).toEqual(["b3", "b1", "b2"]);
    expect(left).toEqual([]);
  });

  it("keeps the hold the saved call is routed to", async () => {
    const ran: string[] = [];
    await compensate(
      [release("b1"), release("b2")],
      (c) => who(c) === "b2",
      async (c) => {
        ran.push(who(c));
      },
    );
    expect(ran).toEqual(["b1"]);
  });

  it("tries every step though one fails, and returns the failed ones as still due", async () => {
    const ran: string[] = [];
    const left = await compensate(
      [release("b1"), release("b2"), release("b3")],
      () => false,
      async (c) => {
        ran.push(who(c));
        if (who(c) === "b2") throw new Error("sidecar down");
      },
    );
    expect(ran).toEqual(["b3", "b2", "b1"]);
    expect(left).toEqual([release("b2")]);
  });

  it("gives the seller's slot back last, after every buyer hold taken since", async () => {
    const ran: string[] = [];
    await compensate(
      [slot, release("b1"), release("b2")],
      () => false,
      async (c) => {
        ran.push(who(c));
      },
    );
    expect(ran).toEqual(["b2", "b1", "s1"]);
  });
});
