// The live feed of the running API process under a fragment flood: 20k empty continuation frames from
// an authenticated buyer are cut with 1008 after a bounded number of fragments, and the process answers
// other requests meanwhile (the hand-written framing it replaced blocked its event loop for ~0.5 s).
import { describe, expect, it } from "vitest";
import { closeCode, frame, rawClient } from "../live/raw-client.ts";
import { buyerKey } from "./bidders.ts";
import { createBuyer } from "./client.ts";
import { API } from "./stack.ts";

describe("live feed fragment flood", () => {
  it("closes the flooding connection with 1008 while the API keeps answering", async () => {
    const key = await buyerKey(await createBuyer(0));
    const client = await rawClient(`${API}/v1/live`, { authorization: `Bearer ${key}` });
    const flood = [frame(false, 0x1, Buffer.from("{"))];
    for (let i = 0; i < 20_000; i++) flood.push(frame(false, 0x0));
    const started = performance.now();
    client.socket.write(Buffer.concat(flood));
    const health = await fetch(`${API}/health`);
    expect(health.status).toBe(200);
    await client.ended;
    console.log(
      `live flood (stack): closed, /health answered, after ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(closeCode(client.received())).toBe(1008);
  });
});
