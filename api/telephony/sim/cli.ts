// `npm run sim -- --to <tracking number> …`: plays one inbound call against a running exchange and
// prints what the carrier posted and what the exchange answered. Exit 1 if the call was refused.
import { isMain } from "../../../scripts/is-main.ts";
import { parseCli, USAGE } from "./args.ts";
import { runCall } from "./carrier.ts";
import { simCredentials } from "./credentials.ts";
import { httpSend } from "./http.ts";
import { describeRun } from "./report.ts";

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log(USAGE);
    return 0;
  }
  let run: ReturnType<typeof parseCli>;
  try {
    run = parseCli(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const send = httpSend({
    provider: run.call.provider,
    credentials: simCredentials(run.stateDir),
    signature: run.signature,
  });
  const result = await runCall(
    { ...run.call, voiceUrl: `${run.api}/v1/telephony/${run.call.provider}/voice` },
    { send, buyers: run.buyers, faults: run.faults, startedAt: new Date() },
  );
  console.log(run.json ? JSON.stringify(result, null, 2) : describeRun(result).join("\n"));
  return result.end === "refused" || result.end === "error" ? 1 : 0;
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
