// The test-only crash points (actors/platform/crash-points.ts) cannot be switched on by the chart: it
// never sets their variable, no value lets one add it, and the image runs with NODE_ENV=production,
// which turns them off even if the variable were set.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const CHART = join(ROOT, "helm");
const HELM = join(process.env.HELM_HOME ?? join(homedir(), ".cache", "dce"), "bin", "helm");
const SWITCH = "DCE_CRASH_POINTS_DIR";

const helm = (args: string[]) => spawnSync(HELM, args, { cwd: ROOT, encoding: "utf8" });

beforeAll(() => {
  if (!existsSync(HELM)) {
    const r = spawnSync("bash", [join(ROOT, "scripts/helm-build.sh")], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) throw new Error("scripts/helm-build.sh failed");
  }
}, 900_000);

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are untyped YAML
type K8s = any;

function containers(extra: string[]): K8s[] {
  const r = helm(["template", "dce", CHART, "--namespace", "dce", ...extra]);
  if (r.status !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  const docs: K8s[] = parseAllDocuments(r.stdout).map((d) => d.toJS());
  return docs
    .filter((o) => o?.spec)
    .flatMap((o) => {
      const pod = o.spec.template?.spec ?? o.spec.jobTemplate?.spec?.template?.spec ?? {};
      return [...(pod.containers ?? []), ...(pod.initContainers ?? [])];
    });
}

describe("crash points in the chart", () => {
  it.each([[[]], [["-f", join(CHART, "values-production.yaml")]]])("are never set, with %j", (extra) => {
    const all = containers(extra);
    expect(all.length).toBeGreaterThanOrEqual(4); // actors, api, events, migrations
    for (const c of all) {
      const names = (c.env ?? []).map((e: { name: string }) => e.name);
      expect(names, c.name).not.toContain(SWITCH);
      // The image's NODE_ENV=production stays: it turns crash points off whatever else is set.
      expect(names, c.name).not.toContain("NODE_ENV");
      expect(c.envFrom, c.name).toBeUndefined();
    }
  });

  it("has no template that names them, and no value that could add an environment variable", () => {
    for (const f of readdirSync(join(CHART, "templates")))
      expect(readFileSync(join(CHART, "templates", f), "utf8"), f).not.toMatch(/CRASH|envFrom|extraEnv/);
    for (const app of ["actors", "api", "events", "migrations"]) {
      const r = helm(["template", "dce", CHART, "--set", `${app}.env.${SWITCH}=/tmp/arm`]);
      expect(r.status, `${app}.env refused`).not.toBe(0);
      expect(r.stderr).toMatch(/additional properties|not allowed/i);
    }
    expect(readFileSync(join(CHART, "image", "Dockerfile"), "utf8")).toMatch(/^ENV NODE_ENV=production$/m);
  });
});
