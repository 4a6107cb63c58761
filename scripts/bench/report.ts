// Markdown sections of the bench report for the counters per offer and the targets.
import type { PerOffer } from "./counters.ts";
import type { Target } from "./targets.ts";

const row = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;

export function countersMarkdown(byK: { candidates: number; perOffer: PerOffer }[]): string[] {
  const line = (label: string, f: (p: PerOffer) => string | number) =>
    row([label, ...byK.map((r) => f(r.perOffer))]);
  return [
    "## Sidecar requests and Redis commands per offer (concurrency 16; counters read before and after, events drained)",
    "From every daprd's Prometheus metrics (dapr_http_server_request_count and non-internal dapr_grpc_io_server_completed_rpcs: app → its daprd; dapr_http_client_completed_count: daprd → app; internal dapr_grpc_io_client_completed_rpcs: daprd → daprd) and the stack Redis's INFO commandstats.",
    "",
    row(["per offer", ...byK.map((r) => `${r.candidates} candidates`)]),
    row(["---", ...byK.map(() => "---")]),
    line("sidecar requests (sum of the three below)", (p) => p.sidecarRequests),
    line("app → daprd", (p) => p.appToSidecar),
    line("daprd → app", (p) => p.sidecarToApp),
    line("daprd → daprd", (p) => p.sidecarToSidecar),
    ...Object.keys(byK[0]?.perOffer.sidecarToAppByApp ?? {}).map((app) =>
      line(`daprd → app, ${app}`, (p) => p.sidecarToAppByApp[app] ?? 0),
    ),
    line("app health probes (failed)", (p) => `${p.healthProbes} (${p.healthProbeFailures})`),
    line("Redis commands", (p) => p.redisCommands),
    line("Redis top commands", (p) =>
      Object.entries(p.redisTop)
        .map(([k, v]) => `${k} ${v}`)
        .join(", "),
    ),
    "",
  ];
}

export function targetsMarkdown(targets: Target[]): string[] {
  const verdict = (t: Target) => (t.pass === null ? "n/a" : t.pass ? "pass" : "FAIL");
  return [
    "## Targets of issue 13 (every figure from this run)",
    row(["target", "measured", "verdict"]),
    row(["---", "---", "---"]),
    ...targets.map((t) => row([t.target, t.measured, verdict(t)])),
    "",
  ];
}
