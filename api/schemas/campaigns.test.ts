// Campaign shapes are checked once, here: every field's own rule, with the one answer for each value
// the schema and the buyer actor's old copy of the checks used to judge differently.
import type * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ApiError } from "../problem.ts";
import { check } from "../validate.ts";
import {
  CreateBuyerCampaign,
  CreateSellerCampaign,
  PatchBuyerCampaign,
  PatchSellerCampaign,
} from "./campaigns.ts";

const buyer = {
  name: "Auto leads",
  vertical: "auto",
  states: ["TX"],
  bidMicros: 0,
  minDurationSec: 0,
  destination: { number: "+12145550100" },
  schedule: { timezone: "America/Phoenix", hours: [{ days: ["fri"], open: "22:00", close: "02:00" }] },
  rtb: { url: "https://rtb.example.com/bid", timeoutMs: 150 },
};
const seller = { name: "Source", vertical: "auto", payout: { type: "share", percent: 60 } };

/** The paths the schema refuses, or [] when it accepts. */
function refused(schema: v.GenericSchema, input: Record<string, unknown>): string[] {
  try {
    check(schema, input);
    return [];
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    expect(err.status).toBe(400);
    return (err.extra.errors as { path: string }[]).map((e) => e.path);
  }
}
const hours = (open: string, close: string, days = ["mon"]) => ({
  schedule: { timezone: "UTC", hours: [{ days, open, close }] },
});

describe("buyer campaign shape", () => {
  it("accepts a valid campaign, a SIP-only destination, and 24:00 as a closing time", () => {
    expect(refused(CreateBuyerCampaign, buyer)).toEqual([]);
    expect(
      refused(CreateBuyerCampaign, { ...buyer, destination: { sip: "sip:agent@pbx.example.com" } }),
    ).toEqual([]);
    expect(refused(CreateBuyerCampaign, { ...buyer, ...hours("00:00", "24:00") })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ["negative bid", { bidMicros: -1 }, ["bidMicros"]],
    ["fractional bid", { bidMicros: 1.5 }, ["bidMicros"]],
    ["fractional priority and negative weight", { priority: 0.5, weight: -1 }, ["priority", "weight"]],
    ["negative minimum duration", { minDurationSec: -1 }, ["minDurationSec"]],
    ["duplicate window past its range", { duplicateWindowDays: 366 }, ["duplicateWindowDays"]],
    ["4-digit ZIP", { zips: ["7500"] }, ["zips.0"]],
    ["empty name", { name: " " }, ["name"]],
    ["zero cap", { caps: { hourly: 0 } }, ["caps.hourly"]],
    ["unknown zone", { schedule: { timezone: "Mars/Base", hours: [] } }, ["schedule.timezone"]],
    ["no days", hours("09:00", "17:00", []), ["schedule.hours.0.days"]],
    ["unknown weekday", hours("09:00", "17:00", ["funday"]), ["schedule.hours.0.days.0"]],
    ["bad RTB URL", { rtb: { url: "ftp://x", timeoutMs: 150 } }, ["rtb.url"]],
  ])("names the field for a %s", (_name, over, expected) => {
    expect(refused(CreateBuyerCampaign, { ...buyer, ...over })).toEqual(expected);
    expect(refused(PatchBuyerCampaign, over)).toEqual(expected);
  });

  // Each of these was judged one way by the schema and the other by the buyer actor's own checks.
  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "a number whose area code starts with 1 (the actor took any 10 digits)",
      { destination: { number: "+11234567890" } },
      ["destination.number"],
    ],
    [
      "a number whose exchange starts with 0",
      { destination: { number: "+12140550100" } },
      ["destination.number"],
    ],
    ["an area code starting with 1 (the actor took any 3 digits)", { areaCodes: ["123"] }, ["areaCodes.0"]],
    [
      "rtb.timeoutMs over 2000 (the actor once took any positive integer)",
      { rtb: { url: "https://rtb.example.com/", timeoutMs: 5_000 } },
      ["rtb.timeoutMs"],
    ],
    ["rtb.timeoutMs under 10", { rtb: { url: "https://rtb.example.com/", timeoutMs: 5 } }, ["rtb.timeoutMs"]],
    [
      "a SIP URI without a host (the actor took any sip: text)",
      { destination: { sip: "sip:agent" } },
      ["destination.sip"],
    ],
    ["24:00 as an opening time (the schema took it)", hours("24:00", "24:00"), ["schedule.hours.0.open"]],
    [
      "a zero daily spend cap (the schema took it)",
      { caps: { dailySpendMicros: 0 } },
      ["caps.dailySpendMicros"],
    ],
  ])("refuses %s, one answer", (_name, over, expected) => {
    expect(refused(CreateBuyerCampaign, { ...buyer, ...over })).toEqual(expected);
    expect(refused(PatchBuyerCampaign, over)).toEqual(expected);
  });

  it("takes a lower-case state as upper case (the actor alone refused it)", () => {
    expect(check(CreateBuyerCampaign, { ...buyer, states: ["tx", "ca"] }).states).toEqual(["TX", "CA"]);
  });
});

describe("seller campaign shape", () => {
  it("accepts a valid campaign and fills the defaults", () => {
    expect(check(CreateSellerCampaign, seller)).toMatchObject({
      maxAuctionMs: 300,
      routingTtlSec: 60,
      maxCallDurationSec: 15_000,
      status: "active",
    });
  });

  it("leaves maxCallDurationSec out of a PATCH that does not name it", () => {
    expect(check(PatchSellerCampaign, { name: "renamed" })).toEqual({ name: "renamed" });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    [
      "payout share with three decimals (the actor alone refused it)",
      { payout: { type: "share", percent: 12.345 } },
      ["payout.percent"],
    ],
    ["payout share over 100", { payout: { type: "share", percent: 100.5 } }, ["payout.percent"]],
    ["maxAuctionMs over 2000", { maxAuctionMs: 2_001 }, ["maxAuctionMs"]],
    ["routingTtlSec under 5", { routingTtlSec: 4 }, ["routingTtlSec"]],
    ["maxCallDurationSec under 5", { maxCallDurationSec: 4 }, ["maxCallDurationSec"]],
    ["maxCallDurationSec over a day", { maxCallDurationSec: 86_401 }, ["maxCallDurationSec"]],
    ["fractional maxCallDurationSec", { maxCallDurationSec: 60.5 }, ["maxCallDurationSec"]],
    ["reroute.max over 5", { reroute: { max: 6 } }, ["reroute.max"]],
    ["zero velocity window", { velocity: { per1h: 0 } }, ["velocity.per1h"]],
  ])("refuses %s", (_name, over, expected) => {
    expect(refused(CreateSellerCampaign, { ...seller, ...over })).toEqual(expected);
    expect(refused(PatchSellerCampaign, over)).toEqual(expected);
  });

  it("takes a share with two decimals", () => {
    expect(refused(CreateSellerCampaign, { ...seller, payout: { type: "share", percent: 12.34 } })).toEqual(
      [],
    );
  });
});
