// The buyer leg's own TwiML (`<Number url>`), run once the buyer answers and before the carrier bridges:
// a whisper (`<Say>`), press-1 (`<Gather>`, answered with the scripted buyer's digits), or `<Hangup>`
// (the buyer declines: the leg ends unbridged). Returns the seconds spent and whether it bridges.
import { scriptFor } from "./buyers.ts";
import { type Run, toDoc } from "./carrier.ts";
import { legParams, promptSec, sayDurationSec } from "./params.ts";
import type { DialTarget } from "./twiml.ts";
import type { LegRecord } from "./types.ts";

export async function runWhisper(
  run: Run,
  leg: LegRecord,
  target: DialTarget,
): Promise<{ extraAnsweredSec: number; bridged: boolean }> {
  const script = scriptFor(run.opts.buyers, target.value);
  const at = () => (leg.answeredAtSec ?? 0) + extra;
  const params = (more: Record<string, string> = {}) => ({
    ...legParams(run, leg.sid, target.value, "in-progress"),
    ...more,
  });
  let extra = 0;
  const first = await run.post(
    { kind: "whisper", url: target.url!, method: target.method, params: params() },
    at(),
  );
  let doc = toDoc(run, first, target.url!);
  for (let hops = 0; doc && hops < 10; hops++) {
    let next: typeof doc | undefined;
    for (const verb of doc.verbs) {
      if (verb.verb === "Say") {
        run.result.said.push(verb.text);
        extra += sayDurationSec(verb.text);
      } else if (verb.verb === "Pause") extra += verb.lengthSec;
      else if (verb.verb === "Play") extra += 5;
      else if (verb.verb === "Hangup" || verb.verb === "Reject")
        return { extraAnsweredSec: extra, bridged: false };
      else if (verb.verb === "Redirect" || verb.verb === "Gather") {
        if (verb.verb === "Gather") {
          for (const p of verb.prompts) if (p.verb === "Say") run.result.said.push(p.text);
          extra += promptSec(verb.prompts);
          if (!script.digits || !verb.action) {
            extra += verb.timeoutSec;
            continue;
          }
          extra += 1;
        }
        const url = verb.verb === "Gather" ? verb.action! : verb.url;
        const more: Record<string, string> = verb.verb === "Gather" ? { Digits: script.digits! } : {};
        const answer = await run.post(
          {
            kind: verb.verb === "Gather" ? "gather" : "redirect",
            url,
            method: verb.method,
            params: params(more),
          },
          at(),
        );
        next = toDoc(run, answer, url);
        if (!next) return { extraAnsweredSec: extra, bridged: false };
        break;
      } else run.result.errors.push(`<${verb.verb}> on the buyer's leg is not simulated`);
    }
    if (!next) return { extraAnsweredSec: extra, bridged: true };
    doc = next;
  }
  return { extraAnsweredSec: extra, bridged: true };
}
