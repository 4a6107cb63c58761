// Reading the tracking-number import file: header rules, quoting, tags, and row-level problems.
import { describe, expect, it } from "vitest";
import { parseNumbersCsv, splitCsvLine, splitTags } from "./csv.ts";

describe("splitCsvLine", () => {
  it("splits on commas, trims bare fields and keeps quoted ones as written", () => {
    expect(splitCsvLine(' +12125551234 , scp_x ,"a, b"')).toEqual(["+12125551234", "scp_x", "a, b"]);
    expect(splitCsvLine('"say ""hi""",x')).toEqual(['say "hi"', "x"]);
    expect(splitCsvLine("a,,")).toEqual(["a", "", ""]);
  });

  it("answers null for an unclosed quote", () => {
    expect(splitCsvLine('"a,b')).toBeNull();
  });
});

describe("splitTags", () => {
  it("splits on semicolons and drops empty tags", () => {
    expect(splitTags(" tv; ny;;radio ")).toEqual(["tv", "ny", "radio"]);
    expect(splitTags("")).toEqual([]);
  });
});

describe("parseNumbersCsv", () => {
  it("reads rows with their line numbers, skipping blank lines, CRLF and a BOM", () => {
    const file =
      "\uFEFFnumber,sellerCampaignId,tags\r\n+12125551234,scp_a,tv;ny\r\n\r\n+12125551235,scp_b,\r\n";
    expect(parseNumbersCsv(file)).toEqual({
      ok: true,
      rows: [
        {
          line: 2,
          number: "+12125551234",
          input: { number: "+12125551234", sellerCampaignId: "scp_a", tags: ["tv", "ny"] },
        },
        {
          line: 4,
          number: "+12125551235",
          input: { number: "+12125551235", sellerCampaignId: "scp_b", tags: [] },
        },
      ],
    });
  });

  it("takes the columns in any order, tags optional", () => {
    const r = parseNumbersCsv("sellerCampaignId,number\nscp_a,+12125551234");
    expect(r).toEqual({
      ok: true,
      rows: [
        {
          line: 2,
          number: "+12125551234",
          input: { number: "+12125551234", sellerCampaignId: "scp_a", tags: [] },
        },
      ],
    });
  });

  it.each([
    ["no header", ""],
    ["an unknown column", "number,sellerCampaignId,color\n"],
    ["a column twice", "number,number,sellerCampaignId\n"],
    ["no number column", "sellerCampaignId,tags\n"],
  ])("refuses a file with %s", (_why, text) => {
    expect(parseNumbersCsv(text).ok).toBe(false);
  });

  it("answers an unreadable row on its own and goes on", () => {
    const r = parseNumbersCsv(
      'number,sellerCampaignId,tags\n+12125551234,scp_a\n"+12125551235,scp_a,x\n+12125551236,scp_a,x',
    );
    if (!r.ok) throw new Error(r.detail);
    expect(r.rows.map((x) => [x.line, x.number, x.error !== undefined])).toEqual([
      [2, "+12125551234", true],
      [3, "", true],
      [4, "+12125551236", false],
    ]);
  });
});
