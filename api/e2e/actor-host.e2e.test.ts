// The actor host on node:http against the real daprd: reminders carry their data back to the actor,
// and the document the host writes straight to Redis (compare-and-set in Lua) is the one the sidecar's
// own actor state API reads.
import { describe, expect, it } from "vitest";
import { waitFor } from "./client.ts";
import { sidecarHeaders } from "./stack.ts";

// The API's sidecar calls actors like the API does; the actor state API is the actor host's sidecar's
// (it keys state by its own app id), the one beside the replica hosting the actor (app 3001 → 3501).
const API_SIDECAR = "http://127.0.0.1:3502";
const HOST_SIDECAR: Record<string, string> = {
  "3001": "http://127.0.0.1:3501",
  "3011": "http://127.0.0.1:3511",
};

async function bench(id: string, method: string, args: unknown[] = []): Promise<unknown> {
  const res = await fetch(`${API_SIDECAR}/v1.0/actors/BenchActor/${id}/method/${method}`, {
    method: "POST",
    headers: { ...sidecarHeaders(), "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

describe("actor host", () => {
  it("delivers a reminder with the data it was registered with", async () => {
    const id = `remind-${Date.now()}`;
    const data = { probe: "reminder-data", n: 7, nested: { ok: true } };
    await bench(id, "remindIn", [200, data]);
    const got = await waitFor(
      () => bench(id, "reminded") as Promise<{ data: unknown }>,
      (r) => r.data !== null,
    );
    expect(got.data).toEqual(data);
  });

  it("writes the document where the sidecar's actor state API reads it", async () => {
    const id = `touch-${Date.now()}`;
    await bench(id, "touch");
    await bench(id, "touch"); // a second write: compare-and-set on the version the first returned
    const { host } = (await bench(id, "ping")) as { host: string };
    const sidecar = HOST_SIDECAR[host.split(":")[0]!];
    const res = await fetch(`${sidecar}/v1.0/actors/BenchActor/${id}/state/doc`, {
      headers: sidecarHeaders(),
    });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { state: { at: number }; outbox: unknown[] };
    expect(doc.outbox).toEqual([]);
    expect(doc.state.at).toBeGreaterThan(Date.now() - 60_000);
  });
});
