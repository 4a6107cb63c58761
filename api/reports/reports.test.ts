// CSV quoting for reports (RFC 4180).
import { describe, expect, it } from "vitest";
import { toCsv } from "./reports.ts";

describe("toCsv", () => {
  it("quotes fields with commas, quotes and line breaks, and ends rows with CRLF", () => {
    const csv = toCsv(
      ["campaignId", "offered"],
      [
        { campaignId: "a,b", offered: 1 },
        { campaignId: 'say "hi"', offered: 2 },
        { campaignId: "two\nlines", offered: null },
      ],
    );
    expect(csv).toBe('campaignId,offered\r\n"a,b",1\r\n"say ""hi""",2\r\n"two\nlines",\r\n');
  });
});
