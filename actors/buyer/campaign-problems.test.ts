// Campaign validation: a valid campaign has no problems; each broken field is named once.
import { describe, expect, it } from "vitest";
import type { BuyerCampaign } from "./buyer-api.ts";
import { campaignProblems } from "./campaign-problems.ts";

const valid: BuyerCampaign = {
  id: "cmp_a",
  buyerId: "buy_1",
  name: "Auto leads",
  status: "active",
  vertical: "auto",
  states: ["TX", "CA"],
  zips: ["75001"],
  areaCodes: ["214"],
  tags: ["spanish"],
  bidMicros: 0,
  minDurationSec: 0,
  priority: 0,
  weight: 0,
  destination: { number: "+12145550100" },
  schedule: { timezone: "America/Phoenix", hours: [{ days: ["fri"], open: "22:00", close: "02:00" }] },
  caps: { concurrency: 1, dailySpendMicros: 1 },
  duplicateWindowDays: 0,
  rtb: { url: "https://rtb.example.com/bid", timeoutMs: 150 },
  createdAt: "",
  updatedAt: "",
  version: 0,
};
const fields = (over: Partial<BuyerCampaign>): string[] =>
  campaignProblems({ ...valid, ...over }).map((p) => p.field);

describe("campaignProblems", () => {
  it("finds nothing wrong with a valid campaign, including zero bid/priority/weight and a SIP-only destination", () => {
    expect(campaignProblems(valid)).toEqual([]);
    expect(
      fields({ destination: { sip: "sip:agent@pbx.example.com" }, schedule: undefined, caps: {} }),
    ).toEqual([]);
  });

  it.each<[string, Partial<BuyerCampaign>, string[]]>([
    ["negative bid", { bidMicros: -1 }, ["bidMicros"]],
    ["fractional bid", { bidMicros: 1.5 }, ["bidMicros"]],
    ["fractional priority and negative weight", { priority: 0.5, weight: -1 }, ["priority", "weight"]],
    ["negative minimum duration", { minDurationSec: -1 }, ["minDurationSec"]],
    ["negative duplicate window", { duplicateWindowDays: -1 }, ["duplicateWindowDays"]],
    ["lower-case state", { states: ["TX", "ca"] }, ["states[1]"]],
    ["4-digit ZIP", { zips: ["7500"] }, ["zips[0]"]],
    ["4-digit area code", { areaCodes: ["2140"] }, ["areaCodes[0]"]],
    ["empty name and vertical", { name: " ", vertical: "" }, ["name", "vertical"]],
    ["no destination", { destination: {} }, ["destination"]],
    ["non-NANP number", { destination: { number: "+442071234567" } }, ["destination.number"]],
    ["bad SIP URI", { destination: { sip: "agent@pbx" } }, ["destination.sip"]],
    ["zero cap", { caps: { hourly: 0 } }, ["caps.hourly"]],
    ["fractional spend cap", { caps: { dailySpendMicros: 2.5 } }, ["caps.dailySpendMicros"]],
    ["unknown zone", { schedule: { timezone: "Mars/Base", hours: [] } }, ["schedule.timezone"]],
    [
      "bad clock times",
      { schedule: { timezone: "UTC", hours: [{ days: ["mon"], open: "24:00", close: "25:00" }] } },
      ["schedule.hours[0].open", "schedule.hours[0].close"],
    ],
    [
      "equal open and close",
      { schedule: { timezone: "UTC", hours: [{ days: ["mon"], open: "09:00", close: "09:00" }] } },
      ["schedule.hours[0].close"],
    ],
    [
      "no days",
      { schedule: { timezone: "UTC", hours: [{ days: [], open: "09:00", close: "17:00" }] } },
      ["schedule.hours[0].days"],
    ],
    ["bad RTB", { rtb: { url: "ftp://x", timeoutMs: 0 } }, ["rtb.url", "rtb.timeoutMs"]],
  ])("names the field for a %s", (_name, over, expected) => {
    expect(fields(over)).toEqual(expected);
  });

  it("accepts 24:00 as a closing time and rejects an unknown weekday", () => {
    expect(
      fields({ schedule: { timezone: "UTC", hours: [{ days: ["sun"], open: "00:00", close: "24:00" }] } }),
    ).toEqual([]);
    const bad = {
      timezone: "UTC",
      hours: [{ days: ["funday"], open: "00:00", close: "24:00" }],
    } as unknown as BuyerCampaign["schedule"];
    expect(fields({ schedule: bad })).toEqual(["schedule.hours[0].days"]);
  });
});
