// Recording and whisper settings on campaigns: off by default, bounded retention, a whisper message,
// and the same shape on PATCH.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { RETENTION_DAYS } from "../../actors/kernel/media.ts";
import {
  CreateBuyerCampaign,
  CreateSellerCampaign,
  PatchBuyerCampaign,
  PatchSellerCampaign,
} from "./campaigns.ts";

const buyer = {
  name: "Auto leads",
  vertical: "auto",
  bidMicros: 0,
  minDurationSec: 0,
  destination: { number: "+12145550100" },
};
const seller = { name: "Source", vertical: "auto", payout: { type: "share", percent: 60 } };
const paths = (r: v.SafeParseResult<v.GenericSchema>) =>
  r.success ? [] : r.issues.map((i) => v.getDotPath(i));

describe("campaign media settings", () => {
  it("are off unless given; retention defaults to 90 days; a whisper needs no acceptance by default", () => {
    const plain = v.parse(CreateBuyerCampaign, buyer);
    expect(plain.recording).toBeUndefined();
    expect(plain.whisper).toBeUndefined();
    const on = v.parse(CreateBuyerCampaign, {
      ...buyer,
      recording: { enabled: true },
      whisper: { message: " Call from DCE " },
    });
    expect(on.recording).toEqual({ enabled: true, retentionDays: RETENTION_DAYS.default });
    expect(on.whisper).toEqual({ message: "Call from DCE", requireAcceptance: false });
    expect(
      v.parse(CreateSellerCampaign, { ...seller, recording: { enabled: true, retentionDays: 7 } }).recording,
    ).toEqual({ enabled: true, retentionDays: 7 });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ["retention of 0 days", { recording: { enabled: true, retentionDays: 0 } }, ["recording.retentionDays"]],
    [
      "retention past ten years",
      { recording: { enabled: true, retentionDays: 3651 } },
      ["recording.retentionDays"],
    ],
    ["recording without enabled", { recording: { retentionDays: 5 } }, ["recording.enabled"]],
    ["empty whisper", { whisper: { message: "  " } }, ["whisper.message"]],
    ["whisper too long", { whisper: { message: "x".repeat(501) } }, ["whisper.message"]],
    [
      "acceptance not a boolean",
      { whisper: { message: "hi", requireAcceptance: "yes" } },
      ["whisper.requireAcceptance"],
    ],
  ])("refuses %s on buyer campaigns (create and PATCH)", (_name, over, want) => {
    expect(paths(v.safeParse(CreateBuyerCampaign, { ...buyer, ...over }))).toEqual(want);
    expect(paths(v.safeParse(PatchBuyerCampaign, over))).toEqual(want);
  });

  it("refuses a bad recording on seller campaigns, and seller campaigns have no whisper", () => {
    const bad = { recording: { enabled: true, retentionDays: 0 } };
    expect(paths(v.safeParse(CreateSellerCampaign, { ...seller, ...bad }))).toEqual([
      "recording.retentionDays",
    ]);
    expect(paths(v.safeParse(PatchSellerCampaign, bad))).toEqual(["recording.retentionDays"]);
    const parsed = v.parse(CreateSellerCampaign, { ...seller, whisper: { message: "hi" } });
    expect("whisper" in parsed).toBe(false);
  });
});
