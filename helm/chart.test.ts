// The Helm chart, rendered by the real helm binary (scripts/helm-build.sh builds it once) and checked
// against the local stack's own definitions: dapr.yaml, sidecar-components/*.yaml and the environment
// actors/platform/config.ts reads.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { compiledCommand, type RunApp, readRunFile } from "../scripts/stack/plan.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const CHART = join(ROOT, "helm");
const HELM = join(process.env.HELM_HOME ?? join(homedir(), ".cache", "dce"), "bin", "helm");

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are untyped YAML
type K8s = any;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

function helm(args: string[]) {
  const r = spawnSync(HELM, args, { cwd: ROOT, encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function render(extra: string[] = []): K8s[] {
  const r = helm(["template", "dce", CHART, "--namespace", "dce", ...extra]);
  if (r.status !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => {
      if (d.errors.length > 0) throw d.errors[0];
      return d.toJS();
    })
    .filter((o) => o !== null && o !== undefined);
}

const local = (file: string): K8s => parse(readFileSync(join(ROOT, "sidecar-components", file), "utf8"));
const metadataMap = (items: { name: string; value?: string }[]) =>
  Object.fromEntries(items.map((m) => [m.name, m.value]));

// Every environment variable actors/platform/config.ts reads.
const configVars = [
  ...new Set(
    [
      ...readFileSync(join(ROOT, "actors/platform/config.ts"), "utf8").matchAll(
        /(?:env\.|env\["|port\("|count\("|token\(")([A-Z][A-Z0-9_]*)/g,
      ),
    ].map((m) => m[1] as string),
  ),
];
// Set in the pod by the Dapr injector (DAPR_HTTP_PORT) or right by default inside a pod (DAPR_HOST:
// daprd shares the pod's loopback), so the chart must leave them out.
const injected = ["DAPR_HTTP_PORT", "DAPR_HOST"];
// Old names config.ts still reads when the new one is unset; the chart sets only the new name.
const oldNames = ["DCE_WEBHOOK_ALLOW_PRIVATE"];
const secretVars = ["DCE_PII_KEY", "DCE_ADMIN_API_KEY", "DATABASE_URL", "DAPR_API_TOKEN", "APP_API_TOKEN"];

// One Deployment per app id: further local replicas of an app id are a Deployment's replica count here.
const runApps = readRunFile(join(ROOT, "dapr.yaml")).filter((a) => a.instance === a.appID);
const runApp = (id: string): RunApp => {
  const app = runApps.find((a) => a.appID === id);
  if (!app) throw new Error(`dapr.yaml has no app ${id}`);
  return app;
};

beforeAll(() => {
  if (!existsSync(HELM)) {
    const r = spawnSync("bash", [join(ROOT, "scripts/helm-build.sh")], { cwd: ROOT, stdio: "inherit" });
    if (r.status !== 0) throw new Error("scripts/helm-build.sh failed");
  }
}, 900_000);

describe("helm lint", () => {
  it.each([[[]], [["-f", join(CHART, "values-production.yaml")]]])("is clean with %j", (extra) => {
    const r = helm(["lint", CHART, "--strict", ...extra]);
    expect(r.stderr + r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.status).toBe(0);
  });
});

describe.each([
  ["default values", [] as string[], { tls: false }],
  ["values-production.yaml", ["-f", join(CHART, "values-production.yaml")], { tls: true }],
])("rendered with %s", (_name, extra, expected) => {
  let docs: K8s[] = [];
  const kind = (k: string) => docs.filter((d) => d.kind === k);
  const one = (k: string, name: string) => {
    const found = kind(k).filter((d) => d.metadata.name === name);
    expect(found, `${k}/${name}`).toHaveLength(1);
    return found[0];
  };
  const deployment = (id: string) => {
    const found = kind("Deployment").filter(
      (d) => d.spec.template.metadata.annotations?.["dapr.io/app-id"] === id,
    );
    expect(found, `Deployment with app id ${id}`).toHaveLength(1);
    return found[0];
  };
  const container = (d: K8s) => {
    expect(d.spec.template.spec.containers).toHaveLength(1);
    return d.spec.template.spec.containers[0];
  };
  const envOf = (d: K8s): Map<string, EnvVar> =>
    new Map((container(d).env as EnvVar[]).map((e) => [e.name, e]));

  beforeAll(() => {
    docs = render(extra);
  });

  it("has one Deployment per dapr.yaml app, with the run file's app id, app port and command", () => {
    expect(kind("Deployment")).toHaveLength(runApps.length);
    const configName = one("Configuration", kind("Configuration")[0]?.metadata.name).metadata.name;
    for (const app of runApps) {
      const d = deployment(app.appID);
      expect(d.metadata.name).toBe(app.appID);
      const a = d.spec.template.metadata.annotations;
      expect(a["dapr.io/enabled"]).toBe("true");
      expect(a["dapr.io/app-protocol"]).toBe(app.appProtocol);
      expect(a["dapr.io/config"]).toBe(configName);
      expect(a["dapr.io/enable-metrics"]).toMatch(/^(true|false)$/);
      expect(Number(a["dapr.io/metrics-port"])).toBeGreaterThan(0);
      expect(a["dapr.io/log-level"]).toMatch(/^(debug|info|warn|error)$/);
      expect(a["dapr.io/env"]).toMatch(/^GOGC=\d+,GOMEMLIMIT=\d+(B|KiB|MiB|GiB)$/);
      for (const k of ["cpu-request", "memory-request", "cpu-limit", "memory-limit"])
        expect(a[`dapr.io/sidecar-${k}`], k).toMatch(/^[0-9.]+(m|Mi|Gi)?$/);
      if (app.appPort === undefined) expect(a["dapr.io/app-port"]).toBeUndefined();
      else expect(a["dapr.io/app-port"]).toBe(String(app.appPort));
      if (app.appHealthCheckPath) {
        expect(a["dapr.io/enable-app-health-check"]).toBe("true");
        expect(a["dapr.io/app-health-check-path"]).toBe(app.appHealthCheckPath);
        expect(a["dapr.io/app-health-probe-timeout"]).toBe(String(app.appHealthProbeTimeout));
      }
      // The image runs the build in dist/ that the run file's tsx command compiles to.
      expect(container(d).command).toEqual(compiledCommand(app.command));
    }
    expect(deployment("exchange-api").spec.template.metadata.annotations["dapr.io/app-port"]).toBeUndefined();
  });

  it("exposes the app ports: the callback ports of actors and events, the Hono port of the API", () => {
    for (const id of ["exchange-actors", "exchange-events"]) {
      const ports = container(deployment(id)).ports;
      expect(ports).toHaveLength(1);
      expect(ports[0].containerPort).toBe(runApp(id).appPort);
      expect(envOf(deployment(id)).get("APP_PORT")?.value).toBe(String(runApp(id).appPort));
    }
    const api = deployment("exchange-api");
    const apiPort = container(api).ports;
    expect(apiPort).toHaveLength(1);
    expect(apiPort[0].containerPort).toBe(Number(runApp("exchange-api").env.API_PORT));
    expect(envOf(api).get("API_PORT")?.value).toBe(runApp("exchange-api").env.API_PORT);
  });

  it("gives every app the environment config.ts reads, secrets only by secretKeyRef", () => {
    expect(configVars).toEqual(
      expect.arrayContaining([...secretVars, "DCE_REDIS_URL", "APP_PORT", "API_PORT"]),
    );
    for (const app of runApps) {
      const env = envOf(deployment(app.appID));
      const isApi = app.appPort === undefined;
      // APP_PORT is for apps daprd calls back; API_PORT/API_HOST only for the API.
      const notHere = isApi ? ["APP_PORT"] : ["API_PORT", "API_HOST"];
      const wanted = configVars.filter(
        (v) => !injected.includes(v) && !notHere.includes(v) && !oldNames.includes(v),
      );
      for (const v of wanted) expect(env.has(v), `${app.appID} ${v}`).toBe(true);
      for (const v of injected) expect(env.has(v), `${app.appID} sets ${v}`).toBe(false);
      for (const v of [...secretVars, "DCE_REDIS_PASSWORD"]) {
        expect(env.get(v)?.value, `${app.appID} ${v} inline`).toBeUndefined();
        expect(env.get(v)?.valueFrom?.secretKeyRef?.name, `${app.appID} ${v}`).toMatch(/^[a-z0-9-]+$/);
        expect(env.get(v)?.valueFrom?.secretKeyRef?.key, `${app.appID} ${v}`).toMatch(/^[-._a-zA-Z0-9]+$/);
      }
      // The Redis URL takes the password from the secret-backed variable defined before it.
      const names = [...env.keys()];
      expect(names.indexOf("DCE_REDIS_PASSWORD")).toBeLessThan(names.indexOf("DCE_REDIS_URL"));
      expect(env.get("DCE_REDIS_URL")?.value).toMatch(
        new RegExp(`^${expected.tls ? "rediss" : "redis"}://:\\$\\(DCE_REDIS_PASSWORD\\)@[^:/]+:\\d+$`),
      );
      expect(env.get("DCE_PUBSUB")?.value).toBe(local("pubsub.yaml").metadata.name);
      // Outbound requests never reach loopback (the pod's own sidecar) or plain http in a cluster.
      expect(env.get("DCE_EGRESS_ALLOW_LOCAL")?.value, app.appID).toBe("false");
      for (const v of oldNames) expect(env.has(v), `${app.appID} ${v}`).toBe(false);
    }
  });

  it("probes /health and /ready on the API and /healthz on the actor host", () => {
    const api = container(deployment("exchange-api"));
    expect(api.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(api.readinessProbe.httpGet).toEqual({ path: "/ready", port: "http" });
    expect(envOf(deployment("exchange-api")).get("API_HOST")?.value).toBe("0.0.0.0");
    const actors = container(deployment("exchange-actors"));
    for (const p of [actors.startupProbe, actors.livenessProbe, actors.readinessProbe])
      expect(p.httpGet).toEqual({ path: "/healthz", port: "app" });
    // kubelet sends no Dapr app token: the probes of the apps daprd calls back use the one open path.
    const events = container(deployment("exchange-events"));
    for (const p of [events.startupProbe, events.livenessProbe, events.readinessProbe])
      expect(p.httpGet).toEqual({ path: "/healthz", port: "app" });
  });

  it("gives every daprd and its app the Dapr API token and the app token from Secrets (key `token`)", () => {
    for (const app of runApps) {
      const d = deployment(app.appID);
      const a = d.spec.template.metadata.annotations;
      const env = envOf(d);
      for (const [annotation, variable] of [
        ["dapr.io/api-token-secret", "DAPR_API_TOKEN"],
        ["dapr.io/app-token-secret", "APP_API_TOKEN"],
      ] as const) {
        expect(a[annotation], `${app.appID} ${annotation}`).toMatch(/^[a-z0-9-]+$/);
        // Dapr's injector gives daprd key `token` of the annotated Secret; the app reads the same.
        expect(env.get(variable)?.valueFrom?.secretKeyRef, `${app.appID} ${variable}`).toEqual({
          name: a[annotation],
          key: "token",
        });
      }
      expect(a["dapr.io/api-token-secret"]).not.toBe(a["dapr.io/app-token-secret"]);
    }
  });

  it("runs every pod as non-root with a read-only root filesystem", () => {
    for (const d of [...kind("Deployment"), ...kind("Job")]) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
        expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
        expect(c.resources.requests.cpu).toBeDefined();
        expect(c.resources.limits.memory).toBeDefined();
      }
    }
  });

  it("has a Service for the API port only", () => {
    const services = kind("Service");
    expect(services).toHaveLength(1);
    const svc = services[0];
    const api = deployment("exchange-api");
    expect(svc.spec.ports).toHaveLength(1);
    expect(svc.spec.ports[0].targetPort).toBe(container(api).ports[0].name);
    expect(api.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
  });

  it.each([
    ["statestore.yaml", "state.redis"],
    ["pubsub.yaml", "pubsub.redis"],
  ])("renders the Component of %s with the same metadata except host and password", (file, type) => {
    const want = local(file);
    const got = one("Component", want.metadata.name);
    expect(got.apiVersion).toBe(want.apiVersion);
    expect(got.spec.type).toBe(type);
    expect(got.spec.version).toBe(want.spec.version);
    const skip = new Set(["redisHost", "redisPassword", "enableTLS"]);
    const strip = (m: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(m).filter(([k]) => !skip.has(k)));
    expect(strip(metadataMap(got.spec.metadata))).toEqual(strip(metadataMap(want.spec.metadata)));
    const byName = new Map<string, K8s>(got.spec.metadata.map((m: K8s) => [m.name, m]));
    expect(byName.get("redisHost").value).toMatch(/^[^:/\s]+:\d+$/);
    expect(byName.get("redisPassword").value).toBeUndefined();
    expect(byName.get("redisPassword").secretKeyRef).toEqual({ name: "dce-redis", key: "redis-password" });
    expect(got.auth).toEqual({ secretStore: "kubernetes" });
    expect(byName.get("enableTLS")?.value).toBe(expected.tls ? "true" : undefined);
    if (file === "statestore.yaml") expect(byName.get("actorStateStore").value).toBe("true");
  });

  it("renders the Configuration and the Resiliency with the local specs", () => {
    for (const file of ["configuration.yaml", "resiliency.yaml"]) {
      const want = local(file);
      const got = one(want.kind, want.metadata.name);
      expect(got.apiVersion).toBe(want.apiVersion);
      if (file === "configuration.yaml" && expected.tls) {
        // values-production.yaml traces 1% of requests; everything else is the local spec.
        expect(got.spec.tracing.samplingRate).toBe("0.01");
        expect({ ...got.spec, tracing: want.spec.tracing }).toEqual(want.spec);
      } else expect(got.spec).toEqual(want.spec);
    }
  });

  it("migrates the database in a pre-install,pre-upgrade hook Job", () => {
    const jobs = kind("Job");
    expect(jobs).toHaveLength(1);
    const job = jobs[0];
    const a = job.metadata.annotations;
    expect(a["helm.sh/hook"].split(",").sort()).toEqual(["pre-install", "pre-upgrade"]);
    expect(a["helm.sh/hook-delete-policy"]).toContain("before-hook-creation");
    expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(1);
    const pod = job.spec.template;
    expect(pod.metadata.annotations?.["dapr.io/enabled"]).not.toBe("true");
    expect(pod.spec.restartPolicy).toBe("Never");
    const c = pod.spec.containers[0];
    expect(c.command).toEqual(["node", "dist/api/db/migrate.js"]);
    const env = new Map((c.env as EnvVar[]).map((e) => [e.name, e]));
    expect(env.get("DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual(
      envOf(deployment("exchange-api")).get("DATABASE_URL")?.valueFrom?.secretKeyRef,
    );
    // Migrations run as the owner role; the apps get only the application role's URL.
    expect(env.get("DATABASE_OWNER_URL")?.valueFrom?.secretKeyRef).toEqual({
      name: "dce-secrets",
      key: "database-owner-url",
    });
    for (const app of runApps) expect(envOf(deployment(app.appID)).has("DATABASE_OWNER_URL")).toBe(false);
  });

  it("gives the audit checkpoint key to the API alone, by secretKeyRef", () => {
    expect(
      envOf(deployment("exchange-api")).get("DCE_AUDIT_CHECKPOINT_KEY")?.valueFrom?.secretKeyRef,
    ).toEqual({
      name: "dce-secrets",
      key: "audit-checkpoint-key",
    });
    for (const id of ["exchange-actors", "exchange-events"])
      expect(envOf(deployment(id)).has("DCE_AUDIT_CHECKPOINT_KEY"), id).toBe(false);
  });

  it("gives the carrier signing secrets to the API alone, by optional secretKeyRef", () => {
    const env = envOf(deployment("exchange-api"));
    expect(env.get("DCE_TWILIO_AUTH_TOKEN")?.valueFrom?.secretKeyRef).toEqual({
      name: "dce-secrets",
      key: "twilio-auth-token",
      optional: true,
    });
    expect(env.get("DCE_TELNYX_PUBLIC_KEY")?.valueFrom?.secretKeyRef).toEqual({
      name: "dce-secrets",
      key: "telnyx-public-key",
      optional: true,
    });
    for (const id of ["exchange-actors", "exchange-events"])
      for (const v of ["DCE_TWILIO_AUTH_TOKEN", "DCE_TELNYX_PUBLIC_KEY"])
        expect(envOf(deployment(id)).has(v), `${id} ${v}`).toBe(false);
  });

  it("gives the dossier signing key to the API alone, by optional secretKeyRef", () => {
    expect(envOf(deployment("exchange-api")).get("DCE_DOSSIER_SIGNING_KEY")?.valueFrom?.secretKeyRef).toEqual(
      {
        name: "dce-secrets",
        key: "dossier-signing-key",
        optional: true,
      },
    );
    for (const id of ["exchange-actors", "exchange-events"])
      expect(envOf(deployment(id)).has("DCE_DOSSIER_SIGNING_KEY"), id).toBe(false);
  });

  it("autoscales the actor hosts with an HPA, and budgets disruptions of every app", () => {
    const hpas = kind("HorizontalPodAutoscaler");
    expect(hpas).toHaveLength(1);
    const hpa = hpas[0];
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "exchange-actors",
    });
    expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    expect(deployment("exchange-actors").spec.replicas).toBeUndefined();
    const pdbs = kind("PodDisruptionBudget");
    expect(pdbs).toHaveLength(3);
    for (const d of kind("Deployment")) {
      const matching = pdbs.filter((p) =>
        Object.entries(p.spec.selector.matchLabels).every(
          ([k, v]) => d.spec.template.metadata.labels[k] === v,
        ),
      );
      expect(matching, d.metadata.name).toHaveLength(1);
    }
  });
});

describe("values.schema.json", () => {
  it.each([
    [["--set", "bogus=1"], /additional properties 'bogus' not allowed/],
    [["--set", "actors.autoscaling.targetCpu=50"], /additional properties 'targetCpu' not allowed/],
    [["--set", "actors.replicas=three"], /got string, want integer/],
    [["--set", "api.port=70000"], /\/api\/port/],
    [["--set", "redis.host=redis-master"], /\/redis\/host/],
  ])("rejects %j", (args, message) => {
    const r = helm(["template", "dce", CHART, ...args]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it("documents every value with a description and a type", () => {
    const schema = JSON.parse(readFileSync(join(CHART, "values.schema.json"), "utf8"));
    const values = parse(readFileSync(join(CHART, "values.yaml"), "utf8"));
    const resolveRef = (node: K8s): K8s =>
      node?.$ref ? { ...schema.definitions[node.$ref.split("/").pop()], ...node, $ref: undefined } : node;
    const walk = (value: unknown, node: K8s, path: string) => {
      const n = resolveRef(node);
      expect(n, path).toBeDefined();
      expect(n.description, `${path} description`).toMatch(/\S/);
      expect(n.type ?? n.anyOf, `${path} type`).toBeDefined();
      if (value && typeof value === "object" && !Array.isArray(value) && n.properties)
        for (const [k, v] of Object.entries(value)) walk(v, n.properties[k], `${path}.${k}`);
    };
    for (const [k, v] of Object.entries(values)) walk(v, schema.properties[k], k);
  });
});
