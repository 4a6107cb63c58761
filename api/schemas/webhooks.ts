// Request bodies and queries for webhook endpoints and their delivery log.
import * as v from "valibot";
import { WEBHOOK_EVENT_TYPES } from "../webhooks/rules.ts";
import { atMost } from "./common.ts";

const Url = v.pipe(
  v.string(),
  atMost("text.url"),
  v.url("must be an absolute URL"),
  v.regex(/^https?:\/\//, "must be http(s)"),
);
const EventTypes = v.pipe(
  v.array(v.picklist(WEBHOOK_EVENT_TYPES)),
  v.minLength(1),
  v.maxLength(WEBHOOK_EVENT_TYPES.length),
  v.check((a) => new Set(a).size === a.length, "must not repeat an event type"),
);
const Description = v.pipe(v.string(), atMost("text.description"));

export const CreateWebhook = v.object({
  url: Url,
  eventTypes: EventTypes,
  description: v.optional(Description),
  /** Admins only: the buyer or seller whose events it receives; omitted, the exchange's own feed. */
  accountId: v.optional(
    v.pipe(v.string(), v.regex(/^(byr|sel)_[0-9a-f]{28}$/, "must be a buyer or seller id")),
  ),
});

export const PatchWebhook = v.pipe(
  v.object({
    url: v.optional(Url),
    eventTypes: v.optional(EventTypes),
    description: v.optional(Description),
    active: v.optional(v.boolean()),
  }),
  v.check((p) => Object.keys(p).length > 0, "give at least one field to change"),
);

export const ListWebhooks = v.object({
  accountId: v.optional(
    v.pipe(v.string(), v.regex(/^(byr|sel)_[0-9a-f]{28}$/, "must be a buyer or seller id")),
  ),
  /** Only the endpoints in this breaker state (`suspended`: the operator's list of broken endpoints). */
  health: v.optional(v.picklist(["healthy", "suspended"])),
});

export const ListDeliveries = v.object({
  status: v.optional(v.picklist(["pending", "delivered", "failed"])),
  limit: v.optional(
    v.pipe(v.string(), v.transform(Number), v.integer(), v.minValue(1), v.maxValue(200)),
    "50",
  ),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,18}$/, "must be a cursor this API issued"))),
});
