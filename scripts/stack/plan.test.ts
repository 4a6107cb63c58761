import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { appSpec, compiledCommand, daprdGoEnv, readRunFile, sidecarSpec } from "./plan.ts";

const root = resolve(import.meta.dirname, "../..");
const apps = readRunFile(join(root, "dapr.yaml"));
const tokens = { DAPR_API_TOKEN: "d".repeat(64), APP_API_TOKEN: "a".repeat(64) };

describe("dapr.yaml", () => {
  it("declares two actor host replicas, the API and the events app", () => {
    expect(apps.map((a) => a.appID)).toEqual([
      "exchange-actors",
      "exchange-actors",
      "exchange-api",
      "exchange-events",
    ]);
    expect(apps.map((a) => a.instance)).toEqual([
      "exchange-actors",
      "exchange-actors-2",
      "exchange-api",
      "exchange-events",
    ]);
  });

  it("gives every sidecar and app its own ports", () => {
    const ports = apps.flatMap((a) => [
      a.daprHTTPPort,
      a.daprGRPCPort,
      a.daprInternalGRPCPort,
      a.metricsPort,
      a.appPort,
    ]);
    const used = ports.filter((p) => p !== undefined);
    expect(new Set(used).size).toBe(used.length);
  });

  it("merges common settings into each app, app values winning", () => {
    const actors = apps[0]!;
    expect(actors.resourcesPath).toBe(join(root, "sidecar-components"));
    expect(actors.configFilePath).toBe(join(root, "sidecar-components/configuration.yaml"));
    expect(actors.env.DAPR_HOST_IP).toBe("127.0.0.1");
    expect(actors.env.APP_PORT).toBe("3001");
  });
});

describe("sidecarSpec", () => {
  it("runs daprd's garbage collector at GOGC 400 under a soft memory limit, overridable", () => {
    const spec = sidecarSpec(apps[0]!, "/opt/dapr", tokens);
    expect(spec.env).toMatchObject({ GOGC: "400", GOMEMLIMIT: "512MiB" });
    const env = daprdGoEnv({ DCE_DAPRD_GOGC: "100", DCE_DAPRD_GOMEMLIMIT: "1GiB" });
    expect(sidecarSpec(apps[0]!, "/opt/dapr", tokens, env).env).toMatchObject({
      GOGC: "100",
      GOMEMLIMIT: "1GiB",
    });
  });

  it("names a replica's processes after its instance", () => {
    expect(sidecarSpec(apps[1]!, "/opt/dapr", tokens).name).toBe("exchange-actors-2-daprd");
    expect(appSpec(apps[1]!, {}).name).toBe("exchange-actors-2");
  });

  it("passes daprd the flags dapr run would, loopback only", () => {
    const spec = sidecarSpec(apps[0]!, "/opt/dapr", tokens);
    expect(spec.command).toBe("/opt/dapr/daprd");
    const flag = (name: string) => spec.args[spec.args.indexOf(name) + 1];
    expect(flag("--app-id")).toBe("exchange-actors");
    expect(flag("--app-port")).toBe("3001");
    expect(flag("--app-protocol")).toBe("http");
    expect(flag("--dapr-http-port")).toBe("3501");
    expect(flag("--dapr-listen-addresses")).toBe("127.0.0.1");
    expect(flag("--placement-host-address")).toBe("127.0.0.1:50005");
    expect(flag("--scheduler-host-address")).toBe("127.0.0.1:50006");
    expect(flag("--resources-path")).toBe(join(root, "sidecar-components"));
    expect(flag("--app-health-probe-timeout")).toBe("3000");
    expect(spec.env.DAPR_HOST_IP).toBe("127.0.0.1");
  });

  it("starts every daprd with the API token it requires and the app token it sends its app", () => {
    for (const app of apps) expect(sidecarSpec(app, "/opt/dapr", tokens).env).toMatchObject(tokens);
  });

  it("passes the run file's app health probe settings to daprd, and none it does not set", () => {
    const app = {
      ...apps[0]!,
      appHealthProbeInterval: 7,
      appHealthProbeTimeout: 1500,
      appHealthThreshold: 4,
    };
    const spec = sidecarSpec(app, "/opt/dapr", tokens);
    const flag = (name: string) => spec.args[spec.args.indexOf(name) + 1];
    expect(flag("--app-health-probe-interval")).toBe("7");
    expect(flag("--app-health-probe-timeout")).toBe("1500");
    expect(flag("--app-health-threshold")).toBe("4");
    const bare = sidecarSpec({ ...apps[0]!, appHealthProbeTimeout: undefined }, "/opt/dapr", tokens);
    expect(bare.args).not.toContain("--app-health-probe-timeout");
  });

  it("leaves out --app-port for an app that takes no callbacks", () => {
    expect(sidecarSpec(apps[2]!, "/opt/dapr", tokens).args).not.toContain("--app-port");
  });
});

describe("appSpec", () => {
  it("runs the app's command, on the launcher's Node, with its sidecar's ports in the environment", () => {
    const spec = appSpec(apps[3]!, { EXTRA: "1" });
    expect([spec.command, ...spec.args]).toEqual([process.execPath, "--import", "tsx", "api/events/main.ts"]);
    expect(spec.env).toMatchObject({
      EXTRA: "1",
      APP_ID: "exchange-events",
      DAPR_HTTP_PORT: "3503",
      APP_PORT: "3003",
    });
  });
});

describe("compiledCommand", () => {
  it("runs each app's entry point from dist/ as JavaScript, keeping node's own flags", () => {
    expect(apps.map((a) => compiledCommand(a.command))).toEqual([
      ["node", "--expose-gc", "dist/actors/main.js"],
      ["node", "--expose-gc", "dist/actors/main.js"],
      ["node", "dist/api/main.js"],
      ["node", "dist/api/events/main.js"],
    ]);
  });

  it("leaves commands that are not node + tsx entry points alone", () => {
    expect(compiledCommand(["redis-server", "--port", "1"])).toEqual(["redis-server", "--port", "1"]);
    expect(compiledCommand(["node", "server.js"])).toEqual(["node", "server.js"]);
  });

  it("names files the build emits", async () => {
    const { readFileSync } = await import("node:fs");
    const build = JSON.parse(readFileSync(join(root, "tsconfig.build.json"), "utf8")) as {
      include: string[];
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(build.compilerOptions).toMatchObject({ outDir: "dist", rootDir: "." });
    for (const app of apps) {
      const entry = app.command.at(-1)!;
      expect(
        build.include.some((dir) => entry.startsWith(`${dir}/`)),
        entry,
      ).toBe(true);
    }
  });
});
