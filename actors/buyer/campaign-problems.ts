// The buyer campaign rules that relate fields to each other, checked on the campaign as it will be
// saved (after a PATCH is merged). Each field's own shape is checked once, by the API's schema
// (api/schemas/campaigns.ts); nothing here repeats it.
import type { BuyerCampaign } from "./buyer-api.ts";
import { parseClock } from "./schedule.ts";

export interface CampaignProblem {
  field: string;
  message: string;
}

/** The problems with a campaign whose fields are each well formed; an empty list means it is valid. */
export function campaignProblems(c: BuyerCampaign): CampaignProblem[] {
  const problems: CampaignProblem[] = [];
  if (c.destination?.number === undefined && c.destination?.sip === undefined) {
    problems.push({ field: "destination", message: "needs a number or a sip URI" });
  }
  (c.schedule?.hours ?? []).forEach((interval, i) => {
    if (parseClock(interval.open) === parseClock(interval.close)) {
      problems.push({
        field: `schedule.hours[${i}].close`,
        message: "must differ from open (use 00:00 to 24:00 for a whole day)",
      });
    }
  });
  if (c.conversionWindowSec !== undefined && c.billOn !== "conversion") {
    problems.push({
      field: "conversionWindowSec",
      message: 'applies only to a campaign with billOn "conversion"',
    });
  }
  return problems;
}
