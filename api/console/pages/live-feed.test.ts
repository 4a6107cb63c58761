// The console's re-sending of the admin auction feed: API SSE blocks in, escaped table rows out, whatever
// way the bytes are chunked; keep-alive comments pass on; other events are dropped.
import { describe, expect, it } from "vitest";
import { rowsFromFeed } from "./live-feed.tsx";

async function through(chunks: string[]): Promise<string> {
  const out = new ReadableStream<string>({
    start(c) {
      for (const ch of chunks) c.enqueue(ch);
      c.close();
    },
  }).pipeThrough(rowsFromFeed());
  let text = "";
  for await (const s of out) text += s;
  return text;
}

const closed = {
  id: "1-0",
  callId: "call_abc",
  status: "routed",
  reasonCode: null,
  bids: 2,
  candidates: 3,
  buyerId: "byr_1",
  buyerCampaignId: "bcp_1",
  clearingPriceMicros: 12_500_000,
  occurredAt: "2026-12-02T08:00:00.000Z",
};

describe("rowsFromFeed", () => {
  it("turns each auction.closed block into one `row` event, even split across chunks", async () => {
    const block = `event: auction.closed\ndata: ${JSON.stringify(closed)}\nid: 1-0\n\n`;
    const text = await through([
      ": auction feed open\n\n",
      block.slice(0, 17),
      block.slice(17),
      "event: other\ndata: {}\n\n",
    ]);
    const events = text.split("\n\n").filter(Boolean);
    expect(events[0]).toBe(": beat");
    expect(events).toHaveLength(2);
    expect(events[1]).toMatch(/^event: row\ndata: <tr data-call-id="call_abc">/);
    expect(events[1]!.split("\n")).toHaveLength(2); // one data line
    for (const shown of ["2026-12-02 08:00:00 UTC", "routed", "byr_1", "$12.50", ">2<", ">3<"])
      expect(events[1]).toContain(shown);
  });

  it("escapes what it renders", async () => {
    const evil = { ...closed, status: "no_bid", reasonCode: "<script>alert(1)</script>", buyerId: null };
    const text = await through([`event: auction.closed\ndata: ${JSON.stringify(evil)}\n\n`]);
    expect(text).not.toContain("<script>");
    expect(text).toContain("&lt;script&gt;");
  });
});
