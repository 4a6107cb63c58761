// Save-time check of an outbound URL (a campaign's rtb.url, a webhook's url) through the egress guard:
// an internal or non-https destination is refused with 400 destination_not_allowed naming the field.
import { destinationRefusal } from "../actors/platform/egress.ts";
import type { ApiDeps } from "./deps.ts";
import { ApiError } from "./problem.ts";

export async function assertDestination(
  deps: ApiDeps,
  field: string,
  url: string | undefined,
): Promise<void> {
  if (url === undefined) return;
  const why = await destinationRefusal(url, {
    allowLocal: deps.config.egressAllowLocal,
    resolve: deps.resolve,
  });
  if (why)
    throw new ApiError(400, "destination_not_allowed", `${field}: ${why}`, {
      errors: [{ path: field, message: why }],
    });
}
