// Request bodies for campaign pixels: a URL template, the call events it fires on, GET or POST.
import * as v from "valibot";
import { PIXEL_EVENTS } from "../pixels/template.ts";
import { atMost } from "./common.ts";

const Template = v.pipe(
  v.string(),
  atMost("text.url"),
  v.regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL template without spaces"),
);
const Events = v.pipe(
  v.array(v.picklist(PIXEL_EVENTS)),
  v.minLength(1),
  v.maxLength(PIXEL_EVENTS.length),
  v.check((a) => new Set(a).size === a.length, "must not repeat an event"),
);
const Method = v.picklist(["GET", "POST"]);
const Description = v.pipe(v.string(), atMost("text.description"));

export const CreatePixel = v.object({
  url: Template,
  events: Events,
  /** GET (the default) sends nothing but the URL; POST also sends the signed event body. */
  method: v.optional(Method, "GET"),
  description: v.optional(Description),
});

export const PatchPixel = v.pipe(
  v.object({
    url: v.optional(Template),
    events: v.optional(Events),
    method: v.optional(Method),
    description: v.optional(Description),
    active: v.optional(v.boolean()),
  }),
  v.check((p) => Object.keys(p).length > 0, "give at least one field to change"),
);
